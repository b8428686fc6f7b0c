//! Editing commands as specs: this ASL, these edits, this ASL; then undo gives the first ASL back.
#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use graph_model::{
    Command, Document, EditError, MachinePath, StateMachine, StateType, Transition, copy_selection,
    new_state,
};
use serde_json::{Value, json};

mod common;
use common::{assert_asl, assert_undo_redo, corpus_files, document, root, same_order, state};

fn chain() -> Value {
    json!({
        "Comment": "A to D",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "Next": "C"},
            "C": {"Type": "Pass", "Next": "D"},
            "D": {"Type": "Succeed"}
        }
    })
}

#[test]
fn add_state_to_an_empty_machine_makes_it_the_start() {
    let mut doc = Document::new(StateMachine::new());
    doc.apply(Command::AddState {
        machine: root(),
        state: state("Hello", json!({"Type": "Pass", "End": true})),
        position: None,
    })
    .unwrap();
    doc.apply(Command::AddState {
        machine: root(),
        state: state("First", json!({"Type": "Pass", "Next": "Hello"})),
        position: Some(0),
    })
    .unwrap();
    assert_eq!(doc.last_report().created, vec!["First".to_owned()]);
    assert_asl(
        &doc,
        &json!({
            "StartAt": "Hello",
            "States": {
                "First": {"Type": "Pass", "Next": "Hello"},
                "Hello": {"Type": "Pass", "End": true}
            }
        }),
    );
    assert_undo_redo(&mut doc, &json!({"States": {}}));
}

#[test]
fn names_are_unique_across_nested_machines() {
    let asl = json!({
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "Branches": [
                {"StartAt": "Inner", "States": {"Inner": {"Type": "Succeed"}}}
            ], "End": true}
        }
    });
    let mut doc = document(&asl);
    let add = Command::AddState {
        machine: root(),
        state: state("Inner", json!({"Type": "Succeed"})),
        position: None,
    };
    assert_eq!(
        doc.apply(add),
        Err(EditError::NameTaken {
            name: "Inner".to_owned()
        })
    );
    let rename = Command::RenameState {
        machine: root(),
        from: "P".to_owned(),
        to: "Inner".to_owned(),
    };
    assert!(matches!(
        doc.apply(rename),
        Err(EditError::NameTaken { .. })
    ));
    let bad = Command::RenameState {
        machine: root(),
        from: "P".to_owned(),
        to: String::new(),
    };
    assert!(matches!(doc.apply(bad), Err(EditError::InvalidName { .. })));
    assert_asl(&doc, &asl);
    assert!(!doc.can_undo());
    assert_eq!(doc.revision(), 0);
}

#[test]
fn delete_repoints_transitions_to_the_deleted_states_next() {
    let mut doc = document(&chain());
    doc.apply(Command::DeleteStates {
        machine: root(),
        names: vec!["B".to_owned(), "C".to_owned()],
    })
    .unwrap();
    assert!(doc.last_report().notes.is_empty());
    assert_asl(
        &doc,
        &json!({
            "Comment": "A to D",
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "D"},
                "D": {"Type": "Succeed"}
            }
        }),
    );
    assert_undo_redo(&mut doc, &chain());
}

#[test]
fn delete_moves_start_at_along() {
    let mut doc = document(&chain());
    doc.apply(Command::DeleteStates {
        machine: root(),
        names: vec!["A".to_owned()],
    })
    .unwrap();
    assert_eq!(doc.root().start_at.as_deref(), Some("B"));
    assert_undo_redo(&mut doc, &chain());
}

#[test]
fn delete_without_a_surviving_next_ends_or_reports() {
    let asl = json!({
        "StartAt": "Check",
        "States": {
            "Check": {"Type": "Choice", "Choices": [
                {"Variable": "$.x", "NumericEquals": 1, "Next": "Done"},
                {"Variable": "$.x", "NumericEquals": 2, "Next": "Work"}
            ], "Default": "Done"},
            "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "Next": "Done"},
            "Done": {"Type": "Succeed"}
        }
    });
    let mut doc = document(&asl);
    doc.apply(Command::DeleteStates {
        machine: root(),
        names: vec!["Done".to_owned()],
    })
    .unwrap();
    assert_asl(
        &doc,
        &json!({
            "StartAt": "Check",
            "States": {
                "Check": {"Type": "Choice", "Choices": [
                    {"Variable": "$.x", "NumericEquals": 1},
                    {"Variable": "$.x", "NumericEquals": 2, "Next": "Work"}
                ]},
                "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                         "Catch": [{"ErrorEquals": ["States.ALL"]}], "End": true}
            }
        }),
    );
    let notes = &doc.last_report().notes;
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].contains("Choice rule 0 of \"Check\""), "{notes:?}");
    assert!(notes[1].contains("catcher 0 of \"Work\""), "{notes:?}");
    assert_undo_redo(&mut doc, &asl);
}

#[test]
fn rename_follows_every_reference_in_its_machine() {
    let asl = json!({
        "StartAt": "Router",
        "States": {
            "Router": {"Type": "Choice", "Choices": [
                {"Variable": "$.go", "BooleanEquals": true, "Next": "Work"}
            ], "Default": "Work"},
            "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Work"}], "Next": "Fan"},
            "Fan": {"Type": "Parallel", "Branches": [
                {"StartAt": "Left", "States": {
                    "Left": {"Type": "Pass", "Next": "LeftEnd"},
                    "LeftEnd": {"Type": "Succeed"}
                }}
            ], "End": true}
        }
    });
    let mut doc = document(&asl);
    doc.apply(Command::RenameState {
        machine: root(),
        from: "Work".to_owned(),
        to: "Do work".to_owned(),
    })
    .unwrap();
    let branch = root().branch("Fan", 0);
    doc.apply(Command::RenameState {
        machine: branch.clone(),
        from: "LeftEnd".to_owned(),
        to: "Left done".to_owned(),
    })
    .unwrap();
    doc.apply(Command::RenameState {
        machine: branch,
        from: "Left".to_owned(),
        to: "Left start".to_owned(),
    })
    .unwrap();
    // Renaming the Parallel keeps its branch.
    doc.apply(Command::RenameState {
        machine: root(),
        from: "Fan".to_owned(),
        to: "Fan out".to_owned(),
    })
    .unwrap();
    assert_asl(
        &doc,
        &json!({
            "StartAt": "Router",
            "States": {
                "Router": {"Type": "Choice", "Choices": [
                    {"Variable": "$.go", "BooleanEquals": true, "Next": "Do work"}
                ], "Default": "Do work"},
                "Do work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                         "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Do work"}], "Next": "Fan out"},
                "Fan out": {"Type": "Parallel", "Branches": [
                    {"StartAt": "Left start", "States": {
                        "Left start": {"Type": "Pass", "Next": "Left done"},
                        "Left done": {"Type": "Succeed"}
                    }}
                ], "End": true}
            }
        }),
    );
    let labels: Vec<&str> = doc.history().iter().map(|e| e.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Rename \"Work\" to \"Do work\"",
            "Rename \"LeftEnd\" to \"Left done\"",
            "Rename \"Left\" to \"Left start\"",
            "Rename \"Fan\" to \"Fan out\""
        ]
    );
    assert_undo_redo(&mut doc, &asl);
}

#[test]
fn rename_undo_is_exact_when_a_dangling_reference_named_the_new_name() {
    // "A" points at a missing "Z"; renaming "B" to "Z" makes that edge real, and undo must leave
    // "A" pointing at "Z" again, not at "B".
    let asl = json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "Z"},
            "B": {"Type": "Succeed"}
        }
    });
    let mut doc = document(&asl);
    doc.apply(Command::RenameState {
        machine: root(),
        from: "B".to_owned(),
        to: "Z".to_owned(),
    })
    .unwrap();
    assert_eq!(doc.root().graph().edge_count(), 1);
    assert_undo_redo(&mut doc, &asl);
}

#[test]
fn connect_sets_next_and_drops_end_and_disconnect_clears() {
    let asl = json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "End": true},
            "B": {"Type": "Pass", "End": true},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "A"}]}
        }
    });
    let mut doc = document(&asl);
    let connect = |from: &str, transition, to: &str| Command::Connect {
        machine: root(),
        from: from.to_owned(),
        transition,
        to: to.to_owned(),
    };
    doc.apply(connect("A", Transition::Next, "B")).unwrap();
    doc.apply(connect("C", Transition::Default, "B")).unwrap();
    doc.apply(connect("C", Transition::ChoiceRule(0), "B"))
        .unwrap();
    assert_eq!(
        doc.apply(connect("A", Transition::Default, "B")),
        Err(EditError::NoSuchTransition {
            name: "A".to_owned(),
            transition: "Default".to_owned()
        })
    );
    assert!(matches!(
        doc.apply(connect("C", Transition::Next, "B")),
        Err(EditError::NoSuchTransition { .. })
    ));
    assert!(matches!(
        doc.apply(connect("A", Transition::Next, "Nowhere")),
        Err(EditError::NoSuchState { .. })
    ));
    assert_asl(
        &doc,
        &json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "B"},
                "B": {"Type": "Pass", "End": true},
                "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "B"}],
                      "Default": "B"}
            }
        }),
    );
    doc.apply(Command::Disconnect {
        machine: root(),
        from: "C".to_owned(),
        transition: Transition::Default,
    })
    .unwrap();
    doc.apply(Command::SetStartAt {
        machine: root(),
        name: "C".to_owned(),
    })
    .unwrap();
    assert_eq!(doc.root().start_at.as_deref(), Some("C"));
    assert_eq!(doc.history().len(), 5);
    assert_undo_redo(&mut doc, &asl);
}

#[test]
fn change_type_keeps_compatible_fields() {
    let asl = json!({
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Task", "Comment": "does it", "Resource": "arn:aws:states:::lambda:invoke",
                     "InputPath": "$.in", "Parameters": {"a.$": "$.b"}, "ResultPath": "$.out",
                     "Retry": [{"ErrorEquals": ["States.ALL"]}], "Next": "Done", "x-position": [1, 2]},
            "Done": {"Type": "Succeed"}
        }
    });
    let mut doc = document(&asl);
    let change = |name: &str, to| Command::ChangeType {
        machine: root(),
        name: name.to_owned(),
        to,
    };
    doc.apply(change("Work", StateType::Pass)).unwrap();
    assert_asl(
        &doc,
        &json!({
            "StartAt": "Work",
            "States": {
                "Work": {"Type": "Pass", "Comment": "does it", "InputPath": "$.in",
                         "Parameters": {"a.$": "$.b"}, "ResultPath": "$.out", "Next": "Done",
                         "x-position": [1, 2]},
                "Done": {"Type": "Succeed"}
            }
        }),
    );
    // Next becomes a Choice's Default and comes back as Next.
    doc.apply(change("Work", StateType::Choice)).unwrap();
    assert_eq!(
        doc.root().to_value()["States"]["Work"],
        json!({"Type": "Choice", "Comment": "does it", "InputPath": "$.in",
               "x-position": [1, 2], "Default": "Done"})
    );
    doc.apply(change("Work", StateType::Wait)).unwrap();
    assert_eq!(
        doc.root().state("Work").unwrap().next.as_deref(),
        Some("Done")
    );
    // A new Map gets an empty processor to drop states into.
    doc.apply(change("Work", StateType::Map)).unwrap();
    assert!(doc.root().machine_at(&root().processor("Work")).is_some());
    assert_undo_redo(&mut doc, &asl);
}

#[test]
fn change_type_between_parallel_and_map_keeps_the_nested_machine() {
    let asl = json!({
        "StartAt": "Fan",
        "States": {
            "Fan": {"Type": "Parallel", "Branches": [
                {"StartAt": "Inside", "States": {"Inside": {"Type": "Pass", "End": true}}}
            ], "End": true}
        }
    });
    let mut doc = document(&asl);
    doc.apply(Command::ChangeType {
        machine: root(),
        name: "Fan".to_owned(),
        to: StateType::Map,
    })
    .unwrap();
    assert_asl(
        &doc,
        &json!({
            "StartAt": "Fan",
            "States": {
                "Fan": {"Type": "Map", "End": true, "ItemProcessor":
                    {"StartAt": "Inside", "States": {"Inside": {"Type": "Pass", "End": true}}}}
            }
        }),
    );
    assert_undo_redo(&mut doc, &asl);
}

#[test]
fn replace_state_edits_in_place_but_not_the_name() {
    let mut doc = document(&chain());
    let edited = state(
        "B",
        json!({"Type": "Pass", "Result": {"x": 1}, "Next": "C"}),
    );
    doc.apply(Command::ReplaceState {
        machine: root(),
        name: "B".to_owned(),
        state: edited,
    })
    .unwrap();
    assert_eq!(
        doc.root().to_value()["States"]["B"],
        json!({"Type": "Pass", "Result": {"x": 1}, "Next": "C"})
    );
    let renamed = state("Other", json!({"Type": "Pass", "End": true}));
    assert_eq!(
        doc.apply(Command::ReplaceState {
            machine: root(),
            name: "B".to_owned(),
            state: renamed,
        }),
        Err(EditError::NameMismatch {
            name: "B".to_owned(),
            found: "Other".to_owned()
        })
    );
    assert_undo_redo(&mut doc, &chain());
}

fn with_parallel() -> Value {
    json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "Next": "P"},
            "P": {"Type": "Parallel", "Branches": [
                {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}
            ], "Next": "Z"},
            "Z": {"Type": "Succeed"}
        }
    })
}

#[test]
fn move_a_state_into_and_out_of_a_parallel_branch() {
    let original = with_parallel();
    let mut doc = document(&original);
    let branch = root().branch("P", 0);
    doc.apply(Command::MoveState {
        from_machine: root(),
        name: "B".to_owned(),
        to_machine: branch.clone(),
        position: Some(0),
    })
    .unwrap();
    assert_asl(
        &doc,
        &json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "P"},
                "P": {"Type": "Parallel", "Branches": [
                    {"StartAt": "X", "States": {
                        "B": {"Type": "Pass", "End": true},
                        "X": {"Type": "Pass", "End": true}
                    }}
                ], "Next": "Z"},
                "Z": {"Type": "Succeed"}
            }
        }),
    );
    // And back out, to the end of the top level.
    doc.apply(Command::MoveState {
        from_machine: branch.clone(),
        name: "X".to_owned(),
        to_machine: root(),
        position: None,
    })
    .unwrap();
    let inside = doc.root().machine_at(&branch).unwrap();
    assert_eq!(inside.start_at, None, "X was the branch's start");
    assert_eq!(doc.last_report().notes.len(), 1);
    assert_eq!(
        doc.root().state_names().collect::<Vec<_>>(),
        ["A", "P", "Z", "X"]
    );
    assert_undo_redo(&mut doc, &original);
}

#[test]
fn a_state_cannot_move_into_itself_and_reorders_within_its_machine() {
    let mut doc = document(&with_parallel());
    assert_eq!(
        doc.apply(Command::MoveState {
            from_machine: root(),
            name: "P".to_owned(),
            to_machine: root().branch("P", 0),
            position: None,
        }),
        Err(EditError::MoveIntoItself {
            name: "P".to_owned()
        })
    );
    doc.apply(Command::MoveState {
        from_machine: root(),
        name: "Z".to_owned(),
        to_machine: root(),
        position: Some(0),
    })
    .unwrap();
    assert_eq!(
        doc.root().state_names().collect::<Vec<_>>(),
        ["Z", "A", "B", "P"]
    );
    assert_undo_redo(&mut doc, &with_parallel());
}

#[test]
fn add_and_remove_branches() {
    let original = with_parallel();
    let mut doc = document(&original);
    let branch = StateMachine::from_value(
        &json!({"StartAt": "Y", "States": {"Y": {"Type": "Pass", "End": true}}}),
    )
    .unwrap();
    doc.apply(Command::AddBranch {
        machine: root(),
        state: "P".to_owned(),
        branch: branch.clone(),
    })
    .unwrap();
    assert!(doc.root().machine_at(&root().branch("P", 1)).is_some());
    // The same names again would be duplicates.
    assert!(matches!(
        doc.apply(Command::AddBranch {
            machine: root(),
            state: "P".to_owned(),
            branch,
        }),
        Err(EditError::NameTaken { .. })
    ));
    assert!(matches!(
        doc.apply(Command::AddBranch {
            machine: root(),
            state: "A".to_owned(),
            branch: StateMachine::new(),
        }),
        Err(EditError::NotParallel { .. })
    ));
    doc.apply(Command::RemoveBranch {
        machine: root(),
        state: "P".to_owned(),
        index: 0,
    })
    .unwrap();
    assert_eq!(
        doc.root().to_value()["States"]["P"]["Branches"],
        json!([{"StartAt": "Y", "States": {"Y": {"Type": "Pass", "End": true}}}])
    );
    assert!(matches!(
        doc.apply(Command::RemoveBranch {
            machine: root(),
            state: "P".to_owned(),
            index: 3,
        }),
        Err(EditError::NoSuchBranch { index: 3, .. })
    ));
    assert_undo_redo(&mut doc, &original);
}

#[test]
fn duplicate_gives_fresh_names_and_repoints_internal_transitions() {
    let original = with_parallel();
    let mut doc = document(&original);
    doc.apply(Command::Duplicate {
        machine: root(),
        names: vec!["B".to_owned(), "P".to_owned()],
    })
    .unwrap();
    assert_eq!(doc.last_report().created, ["B 2", "P 2"]);
    assert_asl(
        &doc,
        &json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "B"},
                "B": {"Type": "Pass", "Next": "P"},
                "P": {"Type": "Parallel", "Branches": [
                    {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}
                ], "Next": "Z"},
                "B 2": {"Type": "Pass", "Next": "P 2"},
                "P 2": {"Type": "Parallel", "Branches": [
                    {"StartAt": "X 2", "States": {"X 2": {"Type": "Pass", "End": true}}}
                ], "Next": "Z"},
                "Z": {"Type": "Succeed"}
            }
        }),
    );
    // Duplicating a copy counts on: "B 2" gives "B 3".
    doc.apply(Command::Duplicate {
        machine: root(),
        names: vec!["B 2".to_owned()],
    })
    .unwrap();
    assert_eq!(doc.last_report().created, ["B 3"]);
    assert_undo_redo(&mut doc, &original);
}

#[test]
fn copy_drops_transitions_that_leave_the_selection() {
    let doc = document(&with_parallel());
    let copied = copy_selection(doc.root(), &["P".to_owned(), "B".to_owned()]);
    assert!(same_order(
        &copied,
        &json!({
            "StartAt": "B",
            "States": {
                "B": {"Type": "Pass", "Next": "P"},
                "P": {"Type": "Parallel", "Branches": [
                    {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}
                ], "End": true}
            }
        })
    ));
}

#[test]
fn paste_renames_colliding_states_everywhere_in_the_fragment() {
    let original = with_parallel();
    let mut doc = document(&original);
    let copied = copy_selection(doc.root(), &["B".to_owned(), "P".to_owned()]);
    let branch = root().branch("P", 0);
    // Into the branch: B, P and X all exist in the document.
    doc.apply(Command::Paste {
        machine: branch.clone(),
        asl: copied.clone(),
    })
    .unwrap();
    assert_eq!(doc.last_report().created, ["B 2", "P 2"]);
    assert_eq!(
        doc.root().machine_at(&branch).unwrap().to_value(),
        json!({"StartAt": "X", "States": {
            "X": {"Type": "Pass", "End": true},
            "B 2": {"Type": "Pass", "Next": "P 2"},
            "P 2": {"Type": "Parallel", "Branches": [
                {"StartAt": "X 2", "States": {"X 2": {"Type": "Pass", "End": true}}}
            ], "End": true}
        }})
    );
    // As text into an empty machine: it takes the fragment's start.
    let mut empty = Document::new(StateMachine::new());
    empty
        .apply(Command::Paste {
            machine: root(),
            asl: Value::String(copied.to_string()),
        })
        .unwrap();
    assert!(same_order(&empty.root().to_value(), &copied));
    assert!(matches!(
        doc.apply(Command::Paste {
            machine: root(),
            asl: json!([1, 2]),
        }),
        Err(EditError::BadFragment { .. })
    ));
    assert_undo_redo(&mut doc, &original);
}

#[test]
fn batch_is_one_step_and_all_or_nothing() {
    let mut doc = document(&chain());
    doc.apply(Command::Batch {
        label: "Tidy".to_owned(),
        commands: vec![
            Command::RenameState {
                machine: root(),
                from: "A".to_owned(),
                to: "Start".to_owned(),
            },
            Command::DeleteStates {
                machine: root(),
                names: vec!["C".to_owned()],
            },
        ],
    })
    .unwrap();
    assert_eq!(doc.history().len(), 1);
    assert_eq!(doc.undo_label(), Some("Tidy"));
    let after = doc.root().to_value();
    let failing = Command::Batch {
        label: "Broken".to_owned(),
        commands: vec![
            Command::RenameState {
                machine: root(),
                from: "B".to_owned(),
                to: "Second".to_owned(),
            },
            Command::DeleteStates {
                machine: root(),
                names: vec!["Missing".to_owned()],
            },
        ],
    };
    assert_eq!(
        doc.apply(failing),
        Err(EditError::NoSuchState {
            name: "Missing".to_owned()
        })
    );
    assert_asl(&doc, &after);
    assert_eq!(doc.history().len(), 1);
    assert_undo_redo(&mut doc, &chain());
}

#[test]
fn history_lists_steps_and_new_edits_drop_the_redo_tail() {
    let mut doc = document(&chain());
    assert!(!doc.is_modified());
    let rename = |from: &str, to: &str| Command::RenameState {
        machine: root(),
        from: from.to_owned(),
        to: to.to_owned(),
    };
    doc.apply(rename("A", "A1")).unwrap();
    doc.apply(rename("B", "B1")).unwrap();
    assert_eq!((doc.history_cursor(), doc.revision()), (2, 2));
    assert!(doc.undo());
    assert_eq!((doc.history_cursor(), doc.revision()), (1, 3));
    assert!(doc.can_redo());
    assert_eq!(doc.redo_label(), Some("Rename \"B\" to \"B1\""));
    doc.apply(rename("C", "C1")).unwrap();
    assert!(!doc.can_redo());
    let labels: Vec<&str> = doc.history().iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["Rename \"A\" to \"A1\"", "Rename \"C\" to \"C1\""]);
    // A command that changes nothing adds no step.
    doc.apply(rename("C1", "C1")).unwrap();
    assert_eq!(doc.history().len(), 2);
    assert!(doc.is_modified());
    doc.mark_saved();
    assert!(doc.undo());
    assert!(doc.is_modified());
    assert!(doc.redo());
    assert!(!doc.is_modified());
    doc.set_history_limit(1);
    assert_eq!(doc.history().len(), 1);
    assert!(doc.undo());
    assert!(!doc.undo());
}

#[test]
fn replace_root_and_update_machine_are_undoable() {
    let mut doc = document(&chain());
    doc.replace_root(
        StateMachine::from_value(&with_parallel()).unwrap(),
        "Edit code",
    );
    assert_asl(&doc, &with_parallel());
    doc.apply(Command::UpdateMachine {
        machine: root(),
        comment: Some("new".to_owned()),
        timeout_seconds: Some(graph_model::NumberOr::int(60)),
        version: None,
        query_language: Some(graph_model::QueryLanguage::Jsonata),
        processor_config: None,
    })
    .unwrap();
    assert_eq!(
        doc.root().to_value()["TimeoutSeconds"],
        json!(60),
        "{}",
        doc.root().to_value()
    );
    assert_eq!(doc.undo_label(), Some("Edit machine"));
    assert!(doc.undo());
    assert_eq!(doc.undo_label(), Some("Edit code"));
    assert_asl(&doc, &with_parallel());
    assert!(doc.redo());
    assert_undo_redo(&mut doc, &chain());
}

/// On every corpus definition: rename, duplicate, retype and delete in every machine, then undo it
/// all and get the published document back byte for byte (key order included), then redo it all.
#[test]
fn edits_on_the_corpus_undo_exactly() {
    let mut checked = 0;
    let mut steps = 0;
    for path in corpus_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let Ok(machine) = StateMachine::from_value(&value) else {
            continue;
        };
        let mut doc = Document::new(machine);
        let paths: Vec<MachinePath> = doc
            .root()
            .all_machines()
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        // Deepest first, so that renaming a state never invalidates a path still to visit.
        for machine in paths.iter().rev() {
            let Some(m) = doc.root().machine_at(machine) else {
                continue;
            };
            let names: Vec<String> = m.state_names().map(str::to_owned).collect();
            let (Some(first), Some(last)) = (names.first().cloned(), names.last().cloned()) else {
                continue;
            };
            let commands = vec![
                Command::Duplicate {
                    machine: machine.clone(),
                    names: names.clone(),
                },
                Command::ChangeType {
                    machine: machine.clone(),
                    name: last.clone(),
                    to: StateType::Pass,
                },
                Command::DeleteStates {
                    machine: machine.clone(),
                    names: vec![first.clone()],
                },
                Command::RenameState {
                    machine: machine.clone(),
                    from: last,
                    to: format!("{first} renamed"),
                },
            ];
            for command in commands {
                if doc.apply(command).is_ok() {
                    steps += 1;
                }
            }
        }
        let edited = doc.root().to_value();
        while doc.undo() {}
        assert!(
            same_order(&doc.root().to_value(), &value),
            "{} not restored by undo",
            path.display()
        );
        while doc.redo() {}
        assert!(
            same_order(&doc.root().to_value(), &edited),
            "{} not restored by redo",
            path.display()
        );
        checked += 1;
    }
    assert!(checked > 300, "corpus not found: {checked}");
    assert!(steps > 1000, "too few edits applied: {steps}");
}

/// A code-view edit of a large document: only the edited state is recorded, and undo is exact.
#[test]
fn replace_root_of_a_large_document_undoes_exactly() {
    let count = 10_000;
    let mut states = serde_json::Map::new();
    for i in 0..count {
        let state = if i + 1 < count {
            json!({"Type": "Pass", "Next": format!("S{}", i + 1)})
        } else {
            json!({"Type": "Succeed"})
        };
        states.insert(format!("S{i}"), state);
    }
    let original = json!({"StartAt": "S0", "States": states});
    let mut doc = document(&original);
    let mut text_edit = doc.root().clone();
    text_edit.update_state("S5000", |s| s.comment = Some("edited in code".to_owned()));
    text_edit.move_state("S9999", 0);
    doc.replace_root(text_edit.clone(), "Edit code");
    assert_eq!(doc.root(), &text_edit);
    doc.apply(Command::RenameState {
        machine: root(),
        from: "S1".to_owned(),
        to: "Second".to_owned(),
    })
    .unwrap();
    assert_eq!(
        doc.root().state("S0").unwrap().next.as_deref(),
        Some("Second")
    );
    assert_eq!(doc.root().graph().edge_count(), count - 1);
    assert_undo_redo(&mut doc, &original);
}

#[test]
fn palette_states_are_ready_to_receive_states() {
    let mut doc = Document::new(StateMachine::new());
    for (name, state_type) in [
        ("Loop", StateType::Map),
        ("Fan", StateType::Parallel),
        ("Work", StateType::Task),
    ] {
        doc.apply(Command::AddState {
            machine: root(),
            state: new_state(name, state_type),
            position: None,
        })
        .unwrap();
    }
    doc.apply(Command::MoveState {
        from_machine: root(),
        name: "Work".to_owned(),
        to_machine: root().processor("Loop"),
        position: None,
    })
    .unwrap();
    assert_asl(
        &doc,
        &json!({
            "StartAt": "Loop",
            "States": {
                "Loop": {"Type": "Map", "End": true, "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Work",
                    "States": {"Work": {"Type": "Task", "End": true}}
                }},
                "Fan": {"Type": "Parallel", "End": true, "Branches": [{"States": {}}]}
            }
        }),
    );
    assert_undo_redo(&mut doc, &json!({"States": {}}));
}

#[test]
fn moving_several_states_keeps_the_transitions_among_them() {
    let original = with_parallel();
    let mut doc = document(&original);
    let branch = root().branch("P", 0);
    // Emptying the branch first: X goes out, so the branch has no StartAt.
    doc.apply(Command::MoveState {
        from_machine: branch.clone(),
        name: "X".to_owned(),
        to_machine: root(),
        position: None,
    })
    .unwrap();
    doc.apply(Command::MoveStates {
        from_machine: root(),
        names: vec!["B".to_owned(), "A".to_owned()],
        to_machine: branch.clone(),
        position: None,
    })
    .unwrap();
    assert_asl(
        &doc,
        &json!({
            "StartAt": "P",
            "States": {
                "P": {"Type": "Parallel", "Branches": [
                    {"StartAt": "A", "States": {
                        "A": {"Type": "Pass", "Next": "B"},
                        "B": {"Type": "Pass", "End": true}
                    }}
                ], "Next": "Z"},
                "Z": {"Type": "Succeed"},
                "X": {"Type": "Pass", "End": true}
            }
        }),
    );
    // Within one machine the group moves as a block.
    doc.apply(Command::MoveStates {
        from_machine: root(),
        names: vec!["X".to_owned(), "Z".to_owned()],
        to_machine: root(),
        position: Some(0),
    })
    .unwrap();
    assert_eq!(
        doc.root().state_names().collect::<Vec<_>>(),
        ["Z", "X", "P"]
    );
    assert_undo_redo(&mut doc, &original);
}

#[test]
fn catchers_retriers_and_rules_are_added_and_removed() {
    let asl = json!({
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true},
            "Route": {"Type": "Choice", "Choices": [
                {"Variable": "$.x", "IsPresent": true, "Next": "Work"}
            ], "Default": "Oops"},
            "Oops": {"Type": "Fail", "Error": "Oops"}
        }
    });
    let mut doc = document(&asl);
    // Dragging from the error port: the next catcher does not exist yet, so a catch-all is added.
    doc.apply(Command::Connect {
        machine: root(),
        from: "Work".to_owned(),
        transition: Transition::Catch(0),
        to: "Oops".to_owned(),
    })
    .unwrap();
    doc.apply(Command::AddRetrier {
        machine: root(),
        name: "Work".to_owned(),
        retrier: graph_model::Retrier::for_errors(&["States.Timeout"]),
        index: None,
    })
    .unwrap();
    let rule = StateMachine::from_value(&json!({"States": {"C": {"Type": "Choice", "Choices": [
        {"Variable": "$.y", "IsNull": true, "Next": "Oops"}
    ]}}}))
    .unwrap()
    .state("C")
    .and_then(|c| match &c.kind {
        graph_model::StateKind::Choice(choice) => choice.choices.clone(),
        _ => None,
    })
    .unwrap()
    .remove(0);
    doc.apply(Command::AddChoiceRule {
        machine: root(),
        name: "Route".to_owned(),
        rule,
        index: Some(0),
    })
    .unwrap();
    assert_asl(
        &doc,
        &json!({
            "StartAt": "Work",
            "States": {
                "Work": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    // Members an edit adds follow those the source had.
                    "End": true,
                    "Retry": [{"ErrorEquals": ["States.Timeout"]}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}]
                },
                "Route": {"Type": "Choice", "Choices": [
                    {"Variable": "$.y", "IsNull": true, "Next": "Oops"},
                    {"Variable": "$.x", "IsPresent": true, "Next": "Work"}
                ], "Default": "Oops"},
                "Oops": {"Type": "Fail", "Error": "Oops"}
            }
        }),
    );
    assert_eq!(
        doc.apply(Command::AddCatcher {
            machine: root(),
            name: "Oops".to_owned(),
            catcher: graph_model::Catcher::for_errors(&["States.ALL"], "Work"),
            index: None,
        }),
        Err(EditError::FieldNotAllowed {
            name: "Oops".to_owned(),
            state_type: "Fail".to_owned(),
            field: "Catch".to_owned()
        })
    );
    doc.apply(Command::RemoveChoiceRule {
        machine: root(),
        name: "Route".to_owned(),
        index: 1,
    })
    .unwrap();
    doc.apply(Command::RemoveCatcher {
        machine: root(),
        name: "Work".to_owned(),
        index: 0,
    })
    .unwrap();
    assert_eq!(doc.root().to_value()["States"]["Work"]["Catch"], json!([]));
    assert!(matches!(
        doc.apply(Command::RemoveRetrier {
            machine: root(),
            name: "Work".to_owned(),
            index: 5,
        }),
        Err(EditError::NoSuchItem { index: 5, .. })
    ));
    assert_undo_redo(&mut doc, &asl);
}

#[test]
fn insert_state_links_it_into_the_flow_and_one_undo_takes_it_out() {
    let original = chain();
    let mut doc = document(&original);
    // After A's Next: A leads to the new state, which leads on to B.
    let insert = Command::InsertState {
        machine: root(),
        state: state("New", json!({"Type": "Pass", "End": true})),
        position: Some(1),
        after: Some(("A".to_owned(), Transition::Next)),
    };
    assert_eq!(insert.label(), "Insert \"New\" after \"A\"");
    doc.apply(insert).unwrap();
    assert_eq!(doc.last_report().created, vec!["New".to_owned()]);
    // A Choice leads on through Default; a Succeed ends the path.
    doc.apply(Command::InsertState {
        machine: root(),
        state: state("Route", json!({"Type": "Choice", "Choices": []})),
        position: None,
        after: Some(("B".to_owned(), Transition::Next)),
    })
    .unwrap();
    doc.apply(Command::InsertState {
        machine: root(),
        state: state("Stop", json!({"Type": "Succeed"})),
        position: None,
        after: Some(("C".to_owned(), Transition::Next)),
    })
    .unwrap();
    assert_asl(
        &doc,
        &json!({
            "Comment": "A to D",
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "New"},
                "New": {"Type": "Pass", "Next": "B"},
                "B": {"Type": "Pass", "Next": "Route"},
                "C": {"Type": "Pass", "Next": "Stop"},
                "D": {"Type": "Succeed"},
                "Route": {"Type": "Choice", "Choices": [], "Default": "C"},
                "Stop": {"Type": "Succeed"}
            }
        }),
    );
    let labels: Vec<&str> = doc.history().iter().map(|e| e.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Insert \"New\" after \"A\"",
            "Insert \"Route\" after \"B\"",
            "Insert \"Stop\" after \"C\""
        ]
    );
    // Each insert is one step: one undo takes the state out and gives A its Next back.
    doc.undo();
    doc.undo();
    assert!(doc.undo());
    assert_asl(&doc, &original);
    assert!(doc.redo());
    assert_eq!(doc.root().state("A").unwrap().next.as_deref(), Some("New"));
    assert_eq!(doc.root().state("New").unwrap().next.as_deref(), Some("B"));
    doc.redo();
    doc.redo();
    assert_undo_redo(&mut doc, &original);
}

#[test]
fn insert_state_after_an_end_keeps_its_own_end_and_without_anchor_is_an_add() {
    let original = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}});
    let mut doc = document(&original);
    doc.apply(Command::InsertState {
        machine: root(),
        state: state("B", json!({"Type": "Pass", "End": true})),
        position: None,
        after: Some(("A".to_owned(), Transition::Next)),
    })
    .unwrap();
    let unlinked = Command::InsertState {
        machine: root(),
        state: state("C", json!({"Type": "Pass", "End": true})),
        position: Some(0),
        after: None,
    };
    assert_eq!(unlinked.label(), "Add \"C\"");
    doc.apply(unlinked).unwrap();
    assert_asl(
        &doc,
        &json!({"StartAt": "A", "States": {
            "C": {"Type": "Pass", "End": true},
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "End": true}
        }}),
    );
    assert_undo_redo(&mut doc, &original);
}

#[test]
fn insert_state_is_refused_whole_when_the_anchor_cannot_lead_on() {
    let original = chain();
    let mut doc = document(&original);
    assert_eq!(
        doc.apply(Command::InsertState {
            machine: root(),
            state: state("New", json!({"Type": "Pass", "End": true})),
            position: None,
            after: Some(("D".to_owned(), Transition::Next)),
        }),
        Err(EditError::NoSuchTransition {
            name: "D".to_owned(),
            transition: "Next".to_owned()
        })
    );
    assert!(matches!(
        doc.apply(Command::InsertState {
            machine: root(),
            state: state("B", json!({"Type": "Pass", "End": true})),
            position: None,
            after: Some(("A".to_owned(), Transition::Next)),
        }),
        Err(EditError::NameTaken { .. })
    ));
    assert_asl(&doc, &original);
    assert!(doc.history().is_empty());
}
