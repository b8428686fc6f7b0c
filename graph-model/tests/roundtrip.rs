//! The model keeps every document it is given: value, key order and unknown members.

use graph_model::StateMachine;
use serde_json::Value;

mod common;
use common::{corpus_files, same_order};

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
