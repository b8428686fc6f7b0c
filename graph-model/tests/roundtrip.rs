//! The model keeps every document it is given: value, key order and unknown members.

use graph_model::StateMachine;
use serde_json::Value;

fn corpus_files() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/corpus");
    let mut found = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(".asl.json") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// serde_json's `==` ignores key order, so compare the key sequence of every object too.
fn same_order(a: &Value, b: &Value) -> bool {
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

#[test]
fn every_corpus_definition_round_trips_with_key_order() {
    let files = corpus_files();
    assert!(files.len() > 300, "corpus not found: {}", files.len());
    let mut checked = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).expect("corpus file is readable");
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue; // syntax errors belong to the codec's tests
        };
        let Ok(machine) = StateMachine::from_value(&value) else {
            continue;
        };
        let back = machine.to_value();
        assert!(
            same_order(&value, &back),
            "{} changed on round trip:\n{}\n---\n{}",
            path.display(),
            serde_json::to_string_pretty(&value).unwrap_or_default(),
            serde_json::to_string_pretty(&back).unwrap_or_default()
        );
        checked += 1;
    }
    assert!(checked > 300);
}
