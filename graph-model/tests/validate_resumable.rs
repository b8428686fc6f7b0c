//! Validation a few states at a time (the browser's opening) finds exactly what `validate` finds,
//! in the same order: on every definition of the corpus and on generated 1,500-state documents,
//! flat and nested, that have problems of every phase (duplicate names, missing targets, payload
//! warnings, no terminal state, unreachable states, duplicate labels, lint warnings).
#![allow(clippy::unwrap_used)]

use graph_model::{Diagnostic, StateMachine, Validation, validate};
use serde_json::{Map, Value, json};

mod common;
use common::{corpus, files_ending};

/// The diagnostics of `machine` checked `budget` states a step, and how many steps it took.
fn in_steps(machine: &StateMachine, budget: usize) -> (Vec<Diagnostic>, usize) {
    let mut validation = Validation::new();
    let mut steps = 1;
    while !validation.step(machine, budget) {
        steps += 1;
        assert!(steps < 1_000_000, "validation never finished");
    }
    assert!(validation.is_done());
    // A step after the end changes nothing.
    assert!(validation.step(machine, budget));
    (validation.finish(), steps)
}

fn assert_same_in_steps(what: &str, machine: &StateMachine, budgets: &[usize]) {
    let whole = validate(machine);
    for &budget in budgets {
        let (stepped, _) = in_steps(machine, budget);
        assert_eq!(
            stepped, whole,
            "{what}: checked {budget} states a step, the diagnostics differ from validate()"
        );
    }
}

#[test]
fn stepped_validation_matches_validate_on_the_corpus() {
    let files = files_ending(&corpus(), ".json");
    let mut checked = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let Ok(machine) = StateMachine::from_value(&value) else {
            continue;
        };
        assert_same_in_steps(&file.display().to_string(), &machine, &[0, 1, 2, 3, 7, 64]);
        checked += 1;
    }
    assert!(
        checked > 100,
        "only {checked} corpus definitions were read: is the corpus there?"
    );
}

/// A generated machine of about `states` states; `depth` levels of Parallel branches and Map
/// processors below the top. Deterministic, with problems sprinkled in.
struct Generator {
    count: usize,
}

impl Generator {
    fn name(&mut self, kind: &str) -> String {
        self.count += 1;
        format!("{kind}{:05}", self.count)
    }

    fn machine(&mut self, budget: usize, depth: usize) -> Value {
        let mut states = Map::new();
        let mut names: Vec<String> = Vec::new();
        let mut bodies: Vec<Map<String, Value>> = Vec::new();
        let mut left = budget.max(2);
        while left > 1 {
            let pick = (self.count * 7 + depth) % 10;
            let nested = depth > 0 && left > 12 && pick >= 8;
            let (name, body, used) = if nested && pick == 8 {
                let name = self.name("Parallel");
                let share = (left / 4).max(3);
                let branches = vec![
                    self.machine(share, depth - 1),
                    self.machine(share, depth - 1),
                ];
                let body = json!({"Type": "Parallel", "Branches": branches});
                (name, body, 1 + 2 * share)
            } else if nested {
                let name = self.name("Map");
                let share = (left / 3).max(3);
                let processor = self.machine(share, depth - 1);
                let mut body = json!({"Type": "Map", "ItemProcessor": processor});
                if self.count.is_multiple_of(3) {
                    body["ItemProcessor"]["ProcessorConfig"] =
                        json!({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"});
                    body["Label"] = json!("SameLabel");
                }
                (name, body, 1 + share)
            } else {
                match pick {
                    0..=2 => {
                        let name = self.name("Task");
                        let mut body = json!({
                            "Type": "Task",
                            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
                            "Parameters": {"id.$": "$.id", "plain": "$.looksLikeAPath", "n": 3},
                        });
                        if self.count.is_multiple_of(4) {
                            body["Retry"] =
                                json!([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]);
                        }
                        if self.count.is_multiple_of(5) {
                            body["Catch"] =
                                json!([{"ErrorEquals": ["States.ALL"], "Next": "NoSuchState"}]);
                        }
                        (name, body, 1)
                    }
                    3..=5 => {
                        let name = self.name("Pass");
                        let body =
                            json!({"Type": "Pass", "Result": {"a": "$.b"}, "ResultPath": "$.r"});
                        (name, body, 1)
                    }
                    6 => {
                        let name = self.name("Wait");
                        (name, json!({"Type": "Wait", "Seconds": 1}), 1)
                    }
                    _ => {
                        let name = self.name("Choice");
                        (name, json!({"Type": "Choice"}), 1)
                    }
                }
            };
            if self.count.is_multiple_of(97) {
                // The same name as a state elsewhere in the document.
                names.push("Task00001".to_owned());
            } else {
                names.push(name);
            }
            bodies.push(body.as_object().cloned().unwrap_or_default());
            left = left.saturating_sub(used);
        }
        let end = self.name("Done");
        names.push(end);
        bodies.push(Map::from_iter([("Type".to_owned(), json!("Succeed"))]));
        for (index, body) in bodies.iter_mut().enumerate() {
            let next = names.get(index + 1).cloned();
            let kind = body
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if kind == "Succeed" {
                continue;
            }
            // Some states lead nowhere known, which leaves the rest unreachable.
            let target = if (index + self.count).is_multiple_of(53) {
                Some("Elsewhere".to_owned())
            } else {
                next
            };
            if kind == "Choice" {
                body.insert(
                    "Choices".to_owned(),
                    json!([{"Variable": "$.x", "NumericEquals": 1, "Next": target.clone()}]),
                );
                body.insert("Default".to_owned(), json!(target));
            } else {
                body.insert("Next".to_owned(), json!(target));
            }
        }
        for (name, body) in names.iter().zip(bodies) {
            states.insert(name.clone(), Value::Object(body));
        }
        // Every 7th machine has no terminal state: its Succeed becomes a Pass that loops.
        if self.count.is_multiple_of(7)
            && let Some(last) = names.last()
        {
            states.insert(
                last.clone(),
                json!({"Type": "Pass", "Next": names.first().cloned()}),
            );
        }
        json!({"StartAt": names.first().cloned(), "States": states})
    }
}

fn generated(states: usize, depth: usize) -> StateMachine {
    let value = Generator { count: 0 }.machine(states, depth);
    StateMachine::from_value(&value).unwrap()
}

#[test]
fn stepped_validation_matches_validate_on_generated_1500_state_documents() {
    for (what, depth) in [("flat", 0), ("nested", 3)] {
        let machine = generated(1_500, depth);
        assert!(
            machine.total_states() >= 1_400,
            "{what}: only {} states generated",
            machine.total_states()
        );
        let whole = validate(&machine);
        // The document has problems of every kind the steps split: they must all be there.
        for code in [
            "MISSING_TRANSITION_TARGET",
            "UNREACHABLE_STATE",
            "NO_DOLLAR",
            "LAMBDA_RETRY",
        ] {
            assert!(
                whole.iter().any(|d| d.code == code),
                "{what}: the generated document has no {code}"
            );
        }
        if depth > 0 {
            assert!(
                whole.iter().any(|d| d.code == "DUPLICATE_STATE_NAME"),
                "{what}: no state name used twice"
            );
            assert!(
                whole.iter().any(|d| d.pointer.ends_with("/Label")),
                "{what}: no duplicate Map label"
            );
        }
        assert_same_in_steps(what, &machine, &[1, 13, 100, 150, 1_499, 1_500, 10_000]);
    }
}

#[test]
fn a_small_budget_takes_several_steps_and_a_large_one_takes_one() {
    let machine = generated(1_500, 0);
    let (_, steps) = in_steps(&machine, 100);
    assert!(steps >= 15, "100 states a step took only {steps} steps");
    let (_, steps) = in_steps(&machine, usize::MAX);
    assert_eq!(steps, 1);
}

/// Every machine of `machine` (at `path`), then each nested one, in document order.
fn machines_in_document_order(
    machine: &StateMachine,
    path: graph_model::MachinePath,
    out: &mut Vec<(graph_model::MachinePath, usize)>,
) {
    out.push((path.clone(), machine.len()));
    for state in machine.states() {
        match &state.kind {
            graph_model::StateKind::Parallel(parallel) => {
                for (index, branch) in parallel.branches.iter().flatten().enumerate() {
                    machines_in_document_order(branch, path.branch(&state.name, index), out);
                }
            }
            graph_model::StateKind::Map(map) => {
                if let Some(processor) = &map.processor {
                    machines_in_document_order(processor, path.processor(&state.name), out);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn all_machines_lists_each_machine_after_its_parent_and_total_states_counts_them_all() {
    let machine = generated(1_500, 3);
    let mut expected = Vec::new();
    machines_in_document_order(&machine, graph_model::MachinePath::root(), &mut expected);
    assert!(expected.len() > 20, "only {} machines", expected.len());
    let listed: Vec<_> = machine
        .all_machines()
        .into_iter()
        .map(|(path, m)| (path, m.len()))
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(
        machine.total_states(),
        expected.iter().map(|(_, len)| len).sum::<usize>()
    );
}
