//! Helpers shared by graph-model's integration tests: the bundled corpus, documents built from
//! ASL, and comparisons that see key order.
// Each test file uses some of these; the rest would be dead code there.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use graph_model::{Document, MachinePath, State, StateMachine};
use serde_json::{Value, json};

/// The bundled corpus of real and invalid definitions (tests/data/corpus).
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/corpus")
}

/// Every file under `dir` (at any depth) whose name ends with `suffix`, sorted.
pub fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Every ASL definition of the corpus.
pub fn corpus_files() -> Vec<PathBuf> {
    files_ending(&corpus(), ".asl.json")
}

/// serde_json's `==` ignores key order, so compare the key sequence of every object too.
pub fn same_order(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.keys().eq(y.keys()) && x.values().zip(y.values()).all(|(p, q)| same_order(p, q))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_order(p, q))
        }
        _ => a == b,
    }
}

/// A document of this ASL.
pub fn document(asl: &Value) -> Document {
    Document::new(StateMachine::from_value(asl).unwrap())
}

/// The top-level machine's path.
pub fn root() -> MachinePath {
    MachinePath::root()
}

/// A state built from its ASL, as the inspector or palette would hand it over.
pub fn state(name: &str, asl: Value) -> State {
    let machine = StateMachine::from_value(&json!({"States": {name: asl}})).unwrap();
    machine.state(name).unwrap().clone()
}

/// The document is this ASL, key order included.
#[track_caller]
pub fn assert_asl(doc: &Document, expected: &Value) {
    let got = doc.root().to_value();
    assert!(
        same_order(&got, expected),
        "got:\n{}\nexpected:\n{}",
        serde_json::to_string_pretty(&got).unwrap(),
        serde_json::to_string_pretty(expected).unwrap()
    );
}

/// Undoes everything and checks the original comes back; redoes everything and checks the edited
/// document comes back.
#[track_caller]
pub fn assert_undo_redo(doc: &mut Document, original: &Value) {
    let edited = doc.root().to_value();
    while doc.undo() {}
    assert_asl(doc, original);
    while doc.redo() {}
    assert_asl(doc, &edited);
}
