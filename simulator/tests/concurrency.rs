//! Parallel branches and Map iterations overlap on the virtual clock as they do on AWS: a Map of
//! slow tasks lasts as long as its slowest wave, not the sum of its iterations.

use serde_json::{Value, json};
use simulator::{ExecutionResult, HistoryEvent, Mocks, Options, Status, run};

const START: &str = "2026-01-01T00:00:00.000Z";

/// Mocks for the Task `state`: one response per invocation, each taking `seconds`; a string
/// response is thrown as that error.
fn timed(state: &str, calls: &[(f64, Value)]) -> Mocks {
    let mut responses = serde_json::Map::new();
    for (index, (seconds, response)) in calls.iter().enumerate() {
        let entry = match response {
            Value::String(error) => {
                json!({"Throw": {"Error": error, "Cause": format!("call {index}")}, "DurationSeconds": seconds})
            }
            other => json!({"Return": other, "DurationSeconds": seconds}),
        };
        responses.insert(index.to_string(), entry);
    }
    let config = json!({
        "StateMachines": {"Orders": {"TestCases": {"Case": {state: "Responses"}}}},
        "MockedResponses": {"Responses": responses}
    });
    match Mocks::from_step_functions_local(&config, Some("Orders"), "Case") {
        Ok(mocks) => mocks,
        Err(error) => panic!("the test's mock file is valid: {error}"),
    }
}

/// A Map that charges each order through a Lambda Task; `extra` adds Map fields.
fn charge_each(extra: Value) -> Value {
    let mut map = json!({
        "Type": "Map",
        "ItemsPath": "$.orders",
        "ItemProcessor": {
            "StartAt": "Charge",
            "States": {
                "Charge": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "OutputPath": "$.Payload",
                    "End": true
                }
            }
        },
        "End": true
    });
    if let (Some(map), Some(extra)) = (map.as_object_mut(), extra.as_object()) {
        map.extend(extra.clone());
    }
    json!({"StartAt": "ChargeAll", "States": {"ChargeAll": map}})
}

fn charged(seconds: f64, order: u32) -> (f64, Value) {
    (seconds, json!({"Payload": {"order": order}}))
}

fn orders(count: u32) -> Value {
    json!({"orders": (0..count).collect::<Vec<_>>()})
}

fn run_mocked(definition: &Value, input: Value, mocks: Mocks) -> ExecutionResult {
    let options = Options {
        mocks,
        ..Options::default()
    };
    run(definition, input, &options)
}

/// Ids count up from 1, each event follows an earlier one, and time never runs backwards.
fn assert_well_formed(history: &[HistoryEvent]) {
    for (position, event) in history.iter().enumerate() {
        assert_eq!(event.id, position as u64 + 1, "ids are consecutive");
        assert!(
            event.previous_event_id < event.id,
            "event {} follows {}",
            event.id,
            event.previous_event_id
        );
    }
    for pair in history.windows(2) {
        assert!(
            pair[0].timestamp <= pair[1].timestamp,
            "event {} at {} comes after event {} at {}",
            pair[1].id,
            pair[1].timestamp,
            pair[0].id,
            pair[0].timestamp
        );
    }
}

fn timestamp_of<'a>(result: &'a ExecutionResult, event_type: &str) -> Option<&'a str> {
    result
        .history
        .iter()
        .find(|event| event.event_type == event_type)
        .map(|event| event.timestamp.as_str())
}

/// The Map iteration events of `event_type` (e.g. `MapIterationSucceeded`), in history order:
/// each one's iteration index and timestamp.
fn iterations<'a>(result: &'a ExecutionResult, event_type: &str) -> Vec<(i64, &'a str)> {
    let mut details_key = event_type.to_owned();
    details_key[..1].make_ascii_lowercase();
    details_key.push_str("EventDetails");
    result
        .history
        .iter()
        .filter(|event| event.event_type == event_type)
        .filter_map(|event| {
            let index = event.details.get(&details_key)?["index"].as_i64()?;
            Some((index, event.timestamp.as_str()))
        })
        .collect()
}

fn indices(iterations: Vec<(i64, &str)>) -> Vec<i64> {
    iterations.into_iter().map(|(index, _)| index).collect()
}

fn count_of(result: &ExecutionResult, event_type: &str) -> usize {
    result
        .history
        .iter()
        .filter(|event| event.event_type == event_type)
        .count()
}

#[test]
fn map_iterations_overlap_and_results_keep_item_order() {
    let mocks = timed(
        "Charge",
        &[charged(30.0, 0), charged(10.0, 1), charged(20.0, 2)],
    );
    let result = run_mocked(&charge_each(json!({})), orders(3), mocks);
    assert_eq!(result.status, Status::Succeeded);
    assert_eq!(
        result.output,
        Some(json!([{"order": 0}, {"order": 1}, {"order": 2}]))
    );
    // The slowest iteration, not the sum of the three (60 s).
    assert_eq!(result.duration_millis, 30_000);
    assert_eq!(
        timestamp_of(&result, "MapStateSucceeded"),
        Some("2026-01-01T00:00:30.000Z")
    );
    assert_well_formed(&result.history);
    // Events are in time order: iteration 1 (10 s) ends before iteration 2 (20 s) and 0 (30 s).
    let ended = indices(iterations(&result, "MapIterationSucceeded"));
    assert_eq!(ended, vec![1, 2, 0]);
    // Every iteration starts with the Map.
    assert_eq!(
        iterations(&result, "MapIterationStarted"),
        vec![(0, START), (1, START), (2, START)]
    );
}

#[test]
fn max_concurrency_queues_iterations_for_a_free_slot() {
    let calls = [charged(10.0, 0), charged(20.0, 1), charged(30.0, 2)];
    let one_at_a_time = run_mocked(
        &charge_each(json!({"MaxConcurrency": 1})),
        orders(3),
        timed("Charge", &calls),
    );
    assert_eq!(one_at_a_time.duration_millis, 60_000);
    assert_well_formed(&one_at_a_time.history);

    // Two slots: iterations 0 and 1 start at once, 2 takes the slot 0 frees at 10 s, ends at 40 s.
    let two = run_mocked(
        &charge_each(json!({"MaxConcurrency": 2})),
        orders(3),
        timed("Charge", &calls),
    );
    assert_eq!(two.duration_millis, 40_000);
    let third_started = iterations(&two, "MapIterationStarted")
        .into_iter()
        .find(|(index, _)| *index == 2)
        .map(|(_, timestamp)| timestamp);
    assert_eq!(third_started, Some("2026-01-01T00:00:10.000Z"));
    assert_well_formed(&two.history);

    // From a path, as MaxConcurrencyPath.
    let from_path = run_mocked(
        &charge_each(json!({"MaxConcurrencyPath": "$.limit"})),
        json!({"orders": [0, 1, 2], "limit": 2}),
        timed("Charge", &calls),
    );
    assert_eq!(from_path.duration_millis, 40_000);
}

#[test]
fn an_inline_map_runs_at_most_forty_iterations_at_once() {
    let definition = machine_of(json!({
        "Type": "Map",
        "ItemProcessor": {
            "StartAt": "Pause",
            "States": {"Pause": {"Type": "Wait", "Seconds": 10, "End": true}}
        },
        "End": true
    }));
    let items: Vec<u32> = (0..100).collect();
    let result = run(&definition, json!(items), &Options::default());
    assert_eq!(result.status, Status::Succeeded);
    // 100 iterations in waves of 40, 40 and 20.
    assert_eq!(result.duration_millis, 30_000);
    assert_well_formed(&result.history);
}

#[test]
fn parallel_branches_overlap_and_outputs_stay_in_branch_order() {
    let branch = |seconds: u32, name: &str| {
        json!({
            "StartAt": name,
            "States": {name: {"Type": "Wait", "Seconds": seconds, "OutputPath": "$.label", "End": true}}
        })
    };
    let definition = json!({
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [branch(100, "Slow"), branch(50, "Fast")],
                "Next": "After"
            },
            "After": {"Type": "Pass", "End": true}
        }
    });
    let result = run(&definition, json!({"label": "x"}), &Options::default());
    assert_eq!(result.status, Status::Succeeded);
    assert_eq!(result.output, Some(json!(["x", "x"])));
    assert_eq!(result.duration_millis, 100_000);
    assert_eq!(
        timestamp_of(&result, "ParallelStateSucceeded"),
        Some("2026-01-01T00:01:40.000Z")
    );
    assert_well_formed(&result.history);
    // The fast branch's Wait exits first.
    let exits: Vec<&str> = result
        .history
        .iter()
        .filter(|event| event.event_type == "WaitStateExited")
        .filter_map(|event| event.details["stateExitedEventDetails"]["name"].as_str())
        .collect();
    assert_eq!(exits, vec!["Fast", "Slow"]);
}

#[test]
fn the_earliest_failure_fails_the_map_and_later_work_never_happens() {
    let mocks = timed(
        "Charge",
        &[
            charged(30.0, 0),
            (5.0, json!("Card.Declined")),
            (1.0, json!("Card.Expired")),
        ],
    );
    let definition = charge_each(json!({
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Refund"}],
        "End": null,
        "Next": "Done"
    }));
    let mut definition = definition;
    if let Some(states) = definition["States"].as_object_mut() {
        if let Some(map) = states.get_mut("ChargeAll").and_then(Value::as_object_mut) {
            map.remove("End");
        }
        states.insert("Refund".to_owned(), json!({"Type": "Pass", "End": true}));
        states.insert("Done".to_owned(), json!({"Type": "Succeed"}));
    }
    let result = run_mocked(&definition, orders(3), mocks);
    assert_eq!(result.status, Status::Succeeded);
    // Iteration 2 fails first (1 s), although iteration 1 ran before it in the engine.
    assert_eq!(
        result.output.as_ref().map(|output| output["error"].clone()),
        Some(json!({"Error": "Card.Expired", "Cause": "call 2"}))
    );
    assert_eq!(result.duration_millis, 1_000);
    assert_eq!(
        timestamp_of(&result, "MapStateFailed"),
        Some("2026-01-01T00:00:01.000Z")
    );
    assert_well_formed(&result.history);
    // Iterations 0 and 1 were still running at 1 s: aborted, and their results never arrived.
    let aborted = indices(iterations(&result, "MapIterationAborted"));
    assert_eq!(aborted, vec![0, 1]);
    assert_eq!(count_of(&result, "TaskSucceeded"), 0);
    assert_eq!(count_of(&result, "TaskFailed"), 1);
    assert_eq!(count_of(&result, "MapIterationFailed"), 1);
    assert_eq!(count_of(&result, "TaskScheduled"), 3);
    // Transitions: ChargeAll, three Charge entries, Refund.
    assert_eq!(result.state_transitions, 5);
    assert_eq!(result.event_count, result.history.len() as u64);
}

#[test]
fn lean_runs_agree_with_recorded_runs_on_time_and_transitions() {
    let calls = [
        charged(30.0, 0),
        (5.0, json!("Card.Declined")),
        (1.0, json!("Card.Expired")),
    ];
    let definition = charge_each(json!({}));
    let recorded = run_mocked(&definition, orders(3), timed("Charge", &calls));
    let lean = run(
        &definition,
        orders(3),
        &Options {
            mocks: timed("Charge", &calls),
            record_history: false,
            record_trace: false,
            ..Options::default()
        },
    );
    assert_eq!(recorded.status, Status::Failed);
    assert_eq!(recorded.error.as_deref(), Some("Card.Expired"));
    assert_eq!(lean.error, recorded.error);
    assert_eq!(lean.duration_millis, recorded.duration_millis);
    assert_eq!(lean.state_transitions, recorded.state_transitions);
    assert_eq!(lean.event_count, recorded.event_count);
    assert_eq!(recorded.event_count, recorded.history.len() as u64);
    // The trace keeps only the states that were entered before the failure, with the new ids.
    let ids: Vec<u64> = recorded
        .trace
        .iter()
        .map(|entry| entry.entered_event_id)
        .collect();
    let entered_events = recorded
        .history
        .iter()
        .filter(|event| event.event_type.ends_with("StateEntered"))
        .count();
    // Map, three Charge entries: one per state entered before the cut, none for later work.
    assert_eq!(ids.len(), 4);
    assert_eq!(ids.len(), entered_events);
    for id in ids {
        let entered = recorded
            .history
            .get(id as usize - 1)
            .map(|event| event.event_type);
        assert!(
            entered.is_some_and(|kind| kind.ends_with("StateEntered")),
            "trace entry points at event {id}, a {entered:?}"
        );
    }
}

#[test]
fn a_distributed_map_tolerates_failures_up_to_its_threshold() {
    let calls = [
        charged(10.0, 0),
        (20.0, json!("Card.Declined")),
        charged(30.0, 2),
    ];
    let distributed = |tolerated: u32| {
        let mut definition = charge_each(json!({"ToleratedFailureCount": tolerated}));
        definition["States"]["ChargeAll"]["ItemProcessor"]["ProcessorConfig"] =
            json!({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"});
        definition
    };
    let tolerant = run_mocked(&distributed(1), orders(3), timed("Charge", &calls));
    assert_eq!(tolerant.status, Status::Succeeded);
    assert_eq!(tolerant.duration_millis, 30_000);
    assert_eq!(
        tolerant
            .output
            .as_ref()
            .map(|output| output[1]["Error"].clone()),
        Some(json!("Card.Declined"))
    );
    assert_well_formed(&tolerant.history);

    let strict = run_mocked(&distributed(0), orders(3), timed("Charge", &calls));
    assert_eq!(strict.status, Status::Failed);
    assert_eq!(
        strict.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    assert_eq!(
        strict.cause.as_deref(),
        Some("The specified tolerated failure threshold was exceeded")
    );
}

#[test]
fn nested_containers_keep_their_own_clocks() {
    let pause = |seconds: u32| json!({"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": seconds, "End": true}}});
    let definition = json!({
        "StartAt": "Fork",
        "States": {
            "Fork": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "EachTwoAtATime",
                        "States": {
                            "EachTwoAtATime": {
                                "Type": "Map",
                                "MaxConcurrency": 2,
                                "ItemProcessor": pause(10),
                                "End": true
                            }
                        }
                    },
                    pause(25)
                ],
                "End": true
            }
        }
    });
    // Branch one: five 10-second iterations, two at a time, end at 30 s; branch two at 25 s.
    let result = run(&definition, json!([1, 2, 3, 4, 5]), &Options::default());
    assert_eq!(result.status, Status::Succeeded);
    assert_eq!(result.duration_millis, 30_000);
    assert_eq!(
        result.output,
        Some(json!([[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]))
    );
    assert_eq!(
        timestamp_of(&result, "MapStateSucceeded"),
        Some("2026-01-01T00:00:30.000Z")
    );
    assert_well_formed(&result.history);
    // Branch two's Wait ends (25 s) between the Map's fourth and fifth iterations.
    let order: Vec<String> = result
        .history
        .iter()
        .filter(|event| {
            event.event_type == "WaitStateExited" || event.event_type == "MapIterationSucceeded"
        })
        .map(|event| event.timestamp.clone())
        .collect();
    assert_eq!(
        order,
        vec![
            "2026-01-01T00:00:10.000Z",
            "2026-01-01T00:00:10.000Z",
            "2026-01-01T00:00:10.000Z",
            "2026-01-01T00:00:10.000Z",
            "2026-01-01T00:00:20.000Z",
            "2026-01-01T00:00:20.000Z",
            "2026-01-01T00:00:20.000Z",
            "2026-01-01T00:00:20.000Z",
            "2026-01-01T00:00:25.000Z",
            "2026-01-01T00:00:30.000Z",
            "2026-01-01T00:00:30.000Z",
        ]
    );
}

#[test]
fn a_failure_cause_names_the_entered_event_of_the_final_history() {
    let definition = machine_of(json!({
        "Type": "Map",
        "ItemProcessor": {
            "StartAt": "Pause",
            "States": {
                "Pause": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Check"},
                "Check": {"Type": "Pass", "Parameters": {"id.$": "$.id"}, "End": true}
            }
        },
        "End": true
    }));
    // Item 0 waits 10 s and is fine; item 1 has no id and fails at once, while item 0 still waits.
    let input = json!([{"wait": 10, "id": "a"}, {"wait": 0}]);
    let result = run(&definition, input, &Options::default());
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("States.Runtime"));
    assert_well_formed(&result.history);
    let cause = result.cause.clone().unwrap_or_default();
    let id: usize = cause
        .split("(entered at the event id #")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0);
    let entered = result.history.get(id.wrapping_sub(1));
    assert_eq!(
        entered.map(|event| (
            event.event_type,
            event.details["stateEnteredEventDetails"]["name"].clone()
        )),
        Some(("PassStateEntered", json!("Check"))),
        "cause: {cause}"
    );
    // Iteration 0's Check never ran: the Map failed at 0 s, while it waited.
    assert_eq!(count_of(&result, "PassStateEntered"), 1);
    assert_eq!(result.duration_millis, 0);
}

#[test]
fn mock_calls_cut_by_a_failure_are_not_counted() {
    let definition = machine_of(json!({
        "Type": "Map",
        "ItemProcessor": {
            "StartAt": "Kind",
            "States": {
                "Kind": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.kind", "StringEquals": "charge", "Next": "Pause"}],
                    "Default": "Validate"
                },
                "Pause": {"Type": "Wait", "Seconds": 10, "Next": "Charge"},
                "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true},
                "Validate": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}
            }
        },
        "Retry": [{"ErrorEquals": ["Order.Invalid"], "IntervalSeconds": 1, "MaxAttempts": 1}],
        "End": true
    }));
    let config = json!({
        "StateMachines": {"Orders": {"TestCases": {"Case": {"Charge": "Charges", "Validate": "Validations"}}}},
        "MockedResponses": {
            "Charges": {"0": {"Return": "first charge"}, "1": {"Return": "second charge"}},
            "Validations": {
                "0": {"Throw": {"Error": "Order.Invalid", "Cause": "try again"}, "DurationSeconds": 1},
                "1": {"Return": "valid"}
            }
        }
    });
    let mocks = match Mocks::from_step_functions_local(&config, Some("Orders"), "Case") {
        Ok(mocks) => mocks,
        Err(error) => panic!("the test's mock file is valid: {error}"),
    };
    let input = json!([{"kind": "charge"}, {"kind": "validate"}]);
    let result = run_mocked(&definition, input, mocks);
    assert_eq!(result.status, Status::Succeeded);
    // The first attempt failed at 1 s, while Charge still waited: its call never happened, so
    // the retry's call is the first.
    assert_eq!(result.output, Some(json!(["first charge", "valid"])));
    // Retried at 2 s; Charge waits 10 s.
    assert_eq!(result.duration_millis, 12_000);
    assert_well_formed(&result.history);
}

/// A Map whose iterations wait `$.wait` seconds, then fail when `$.fail` is true.
fn waiting_map(catch: bool) -> Value {
    let mut map = json!({
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemProcessor": {
            "StartAt": "Pause",
            "States": {
                "Pause": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Check"},
                "Check": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.fail", "BooleanEquals": true, "Next": "Broken"}],
                    "Default": "Fine"
                },
                "Broken": {"Type": "Fail", "Error": "Item.Broken", "Cause": "bad item"},
                "Fine": {"Type": "Succeed"}
            }
        },
        "Next": "Done"
    });
    if catch {
        map["Catch"] =
            json!([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Done"}]);
    }
    json!({"StartAt": "Each", "States": {"Each": map, "Done": {"Type": "Succeed"}}})
}

/// A machine of one state, `Each`, whose body is `each`.
fn machine_of(each: Value) -> Value {
    json!({"StartAt": "Each", "States": {"Each": each}})
}

fn express() -> Options {
    Options {
        execution_type: simulator::ExecutionType::Express,
        ..Options::default()
    }
}

#[test]
fn an_iteration_past_the_deadline_lets_its_siblings_run_until_it() {
    let input = json!({"items": [{"wait": 400, "fail": false}, {"wait": 10, "fail": false}]});
    let result = run(&waiting_map(false), input, &express());
    assert_eq!(result.status, Status::TimedOut);
    assert_eq!(result.duration_millis, 300_000);
    assert_well_formed(&result.history);
    // Iteration 1 ended at 10 s, long before Express's five minutes.
    let ended = iterations(&result, "MapIterationSucceeded");
    assert_eq!(ended, vec![(1, "2026-01-01T00:00:10.000Z")]);
    assert_eq!(count_of(&result, "MapIterationFailed"), 0);
    assert_eq!(count_of(&result, "MapStateFailed"), 0);
    assert_eq!(
        result
            .history
            .last()
            .map(|event| (event.event_type, event.timestamp.as_str())),
        Some(("ExecutionTimedOut", "2026-01-01T00:05:00.000Z"))
    );
}

#[test]
fn a_failure_before_the_deadline_is_caught_although_a_sibling_would_time_out() {
    let input = json!({"items": [{"wait": 400, "fail": false}, {"wait": 10, "fail": true}]});
    let result = run(&waiting_map(true), input, &express());
    // Iteration 1 fails at 10 s: the Map fails then, its Catch goes on, and iteration 0's wait
    // past the deadline never matters.
    assert_eq!(result.status, Status::Succeeded);
    assert_eq!(result.duration_millis, 10_000);
    assert_eq!(
        result
            .output
            .as_ref()
            .map(|output| output["error"]["Error"].clone()),
        Some(json!("Item.Broken"))
    );
    assert_well_formed(&result.history);
    assert_eq!(count_of(&result, "MapIterationAborted"), 1);
    assert_eq!(count_of(&result, "ExecutionTimedOut"), 0);

    // Without a Catch the execution fails with the item's error, at 10 s.
    let input = json!({"items": [{"wait": 400, "fail": false}, {"wait": 10, "fail": true}]});
    let uncaught = run(&waiting_map(false), input, &express());
    assert_eq!(uncaught.status, Status::Failed);
    assert_eq!(uncaught.error.as_deref(), Some("Item.Broken"));
    assert_eq!(uncaught.duration_millis, 10_000);
}
