//! Whole-document questions: every state name, the query language in force in a nested machine,
//! and the state a JSON pointer points into (the designer selects states from problems and from the
//! code view's cursor with it).
#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use graph_model::{MachinePath, PointedState, QueryLanguage, StateMachine};
use serde_json::json;

fn nested() -> StateMachine {
    StateMachine::from_value(&json!({
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "QueryLanguage": "JSONPath", "Branches": [
                {"StartAt": "In/One", "States": {"In/One": {"Type": "Pass", "End": true}}},
                {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": {
                    "StartAt": "Deep", "States": {"Deep": {"Type": "Pass", "End": true}}
                }, "End": true}}}
            ], "Next": "Task"},
            "Task": {"Type": "Pass", "End": true}
        }
    }))
    .unwrap()
}

#[test]
fn all_state_names_include_nested_machines_and_fresh_names_avoid_them() {
    let root = nested();
    let mut names: Vec<String> = root.all_state_names().into_iter().collect();
    names.sort();
    assert_eq!(names, ["Deep", "In/One", "M", "P", "Task"]);
    assert_eq!(root.fresh_state_name("Deep"), "Deep 2");
    assert_eq!(root.fresh_state_name("Other"), "Other");
}

#[test]
fn query_language_is_inherited_from_the_innermost_owner() {
    let root = nested();
    assert_eq!(
        root.query_language_at(&MachinePath::root()),
        QueryLanguage::Jsonata
    );
    let branch = MachinePath::root().branch("P", 1);
    assert_eq!(root.query_language_at(&branch), QueryLanguage::JsonPath);
    assert_eq!(
        root.query_language_at(&branch.processor("M")),
        QueryLanguage::JsonPath
    );
    assert_eq!(
        StateMachine::new().query_language_at(&MachinePath::root()),
        QueryLanguage::JsonPath
    );
}

#[test]
fn a_pointer_finds_the_innermost_state_and_the_field_under_it() {
    let root = nested();
    let deep = MachinePath::root().branch("P", 1).processor("M");
    assert_eq!(
        root.state_at_pointer(
            "/States/P/Branches/1/States/M/ItemProcessor/States/Deep/Parameters/a~1b"
        ),
        Some(PointedState {
            machine: deep,
            name: "Deep".to_owned(),
            field: "/Parameters/a~1b".to_owned()
        })
    );
    assert_eq!(
        root.state_at_pointer("/States/P/Branches/0/States/In~1One"),
        Some(PointedState {
            machine: MachinePath::root().branch("P", 0),
            name: "In/One".to_owned(),
            field: String::new()
        })
    );
    // A branch index out of range stops at the Parallel state itself.
    assert_eq!(
        root.state_at_pointer("/States/P/Branches/7/States/X")
            .map(|p| p.name),
        Some("P".to_owned())
    );
    assert_eq!(root.state_at_pointer("/StartAt"), None);
    assert_eq!(root.state_at_pointer("/States/Missing/Next"), None);
    assert_eq!(root.state_at_pointer(""), None);
}
