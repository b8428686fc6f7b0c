//! Parallel branches and inline Map iterations race on the virtual clock, as on AWS: the first
//! child to fail fails its container at that instant, and the children still running then are
//! stopped there, even one that would never end by itself.

use serde_json::{Value, json};
use simulator::{ExecutionResult, HistoryEvent, Mocks, Options, Status, run};

/// Whole seconds after the default start time (midnight) of an event's timestamp, read from its
/// `THH:MM:SS` (the runs here last minutes).
fn seconds(event: &HistoryEvent) -> i64 {
    let time = event.timestamp.split('T').nth(1).unwrap_or_default();
    let mut parts = time.split(':').map(|part| {
        part.split('.')
            .next()
            .and_then(|whole| whole.parse::<i64>().ok())
            .unwrap_or(-1)
    });
    let (hours, minutes, secs) = (parts.next(), parts.next(), parts.next());
    match (hours, minutes, secs) {
        (Some(h), Some(m), Some(s)) => h * 3600 + m * 60 + s,
        _ => -1,
    }
}

fn entered<'a>(result: &'a ExecutionResult, state: &str) -> Vec<&'a HistoryEvent> {
    result
        .history
        .iter()
        .filter(|event| {
            event.event_type.ends_with("StateEntered")
                && event
                    .details
                    .get("stateEnteredEventDetails")
                    .and_then(|details| details.get("name"))
                    .and_then(Value::as_str)
                    == Some(state)
        })
        .collect()
}

fn event<'a>(result: &'a ExecutionResult, event_type: &str) -> Option<&'a HistoryEvent> {
    result
        .history
        .iter()
        .find(|event| event.event_type == event_type)
}

/// Ids count up from 1, each event follows an earlier one, and time never runs backwards.
fn assert_well_formed(history: &[HistoryEvent]) {
    for (position, event) in history.iter().enumerate() {
        assert_eq!(event.id, position as u64 + 1, "ids are consecutive");
        assert!(event.previous_event_id < event.id, "{event:?}");
    }
    for pair in history.windows(2) {
        assert!(pair[0].timestamp <= pair[1].timestamp, "{pair:?}");
    }
}

/// A branch that polls for ever: nothing in its loop changes what its Choice reads.
fn polling_forever(prefix: &str) -> Value {
    let get = format!("{prefix} get");
    let check = format!("{prefix} check");
    let wait = format!("{prefix} wait");
    let done = format!("{prefix} done");
    json!({"StartAt": get, "States": {
        get.clone(): {"Type": "Pass", "Result": {"Completed": false}, "ResultPath": "$.query", "Next": check},
        check.clone(): {"Type": "Choice", "Choices": [
            {"Variable": "$.query.Completed", "BooleanEquals": true, "Next": done}
        ], "Default": wait},
        wait: {"Type": "Wait", "Seconds": 5, "Next": get},
        done: {"Type": "Succeed"}
    }})
}

fn failing_after(seconds: u64, name: &str, error: &str) -> Value {
    let wait = format!("{name} wait");
    json!({"StartAt": wait, "States": {
        wait.clone(): {"Type": "Wait", "Seconds": seconds, "Next": name},
        name: {"Type": "Fail", "Error": error, "Cause": "time is up"}
    }})
}

/// A Parallel of `branches` whose Catch of `Time.Up` leads to the Pass state "Handled".
fn caught_parallel(branches: Vec<Value>) -> Value {
    json!({"StartAt": "Race", "States": {
        "Race": {"Type": "Parallel", "Branches": branches,
            "Catch": [{"ErrorEquals": ["Time.Up"], "ResultPath": "$.error", "Next": "Handled"}],
            "End": true},
        "Handled": {"Type": "Pass", "End": true}
    }})
}

#[test]
fn a_branch_that_polls_forever_is_stopped_by_a_siblings_failure_which_is_caught() {
    for polling_first in [true, false] {
        let mut branches = vec![
            polling_forever("Poll"),
            failing_after(15, "Timeout", "Time.Up"),
        ];
        if !polling_first {
            branches.reverse();
        }
        let result = run(&caught_parallel(branches), json!({}), &Options::default());
        assert_eq!(result.status, Status::Succeeded, "{:?}", result.cause);
        assert_eq!(
            result
                .output
                .as_ref()
                .map(|output| &output["error"]["Error"]),
            Some(&json!("Time.Up"))
        );
        let failed = event(&result, "ParallelStateFailed").map(seconds);
        assert_eq!(failed, Some(15), "the Parallel fails when its branch does");
        assert_eq!(entered(&result, "Handled").len(), 1);
        // The poll ran at 0, 5, 10 and 15 seconds, and not after the failure.
        let polls: Vec<i64> = entered(&result, "Poll get")
            .into_iter()
            .map(seconds)
            .collect();
        assert_eq!(polls, vec![0, 5, 10, 15], "polling first: {polling_first}");
        let last_of_branches = result
            .history
            .iter()
            .take_while(|event| event.event_type != "ParallelStateFailed")
            .map(seconds)
            .max();
        assert_eq!(last_of_branches, Some(15));
        assert_well_formed(&result.history);
    }
}

#[test]
fn the_corpus_either_or_parallel_ends_when_its_timeout_branch_fails() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/corpus/real/workflows-collection/either-or-parallel-pattern__statemachine.asl.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let definition: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let cases = [
        (json!({}), "Next Step if Process Ran out of time"),
        (
            json!({"Process2ToComplete": true}),
            "Next Step if Process 2 Completes",
        ),
        (
            json!({"Process1ToComplete": true, "Process2ToComplete": true}),
            "Next Step If Process1 Completes",
        ),
    ];
    for (input, next) in cases {
        let result = run(&definition, input.clone(), &Options::default());
        assert_eq!(
            result.status,
            Status::Succeeded,
            "{input}: {:?}",
            result.cause
        );
        assert_eq!(entered(&result, next).len(), 1, "{input}");
    }
}

#[test]
fn a_long_branch_runs_none_of_its_later_states_after_a_sibling_fails_earlier() {
    // Attempt 1: "Check" throws after 10 s, while the other branch still waits for "Late" at 30 s.
    // The Parallel's retry runs both again: "Late" is then invoked for the first time, so it gets
    // the first mocked response, and "Check" its second (success).
    let mocks = json!({
        "StateMachines": {"Race": {"TestCases": {"Case": {"Late": "LateResponses", "Check": "CheckResponses"}}}},
        "MockedResponses": {
            "LateResponses": {"0": {"Return": {"late": 0}}, "1": {"Return": {"late": 1}}},
            "CheckResponses": {
                "0": {"Throw": {"Error": "Check.Failed", "Cause": "first"}, "DurationSeconds": 10},
                "1": {"Return": {"checked": 1}}
            }
        }
    });
    let mocks = match Mocks::from_step_functions_local(&mocks, Some("Race"), "Case") {
        Ok(mocks) => mocks,
        Err(error) => panic!("the test's mock file is valid: {error}"),
    };
    let long = json!({"StartAt": "Long wait", "States": {
        "Long wait": {"Type": "Wait", "Seconds": 30, "Next": "Late"},
        "Late": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:late", "End": true}
    }});
    let check = json!({"StartAt": "Check", "States": {
        "Check": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:check", "End": true}
    }});
    for long_first in [true, false] {
        let branches = if long_first {
            vec![long.clone(), check.clone()]
        } else {
            vec![check.clone(), long.clone()]
        };
        let definition = json!({"StartAt": "Race", "States": {
            "Race": {"Type": "Parallel", "Branches": branches,
                "Retry": [{"ErrorEquals": ["Check.Failed"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                "End": true}
        }});
        let options = Options {
            mocks: mocks.clone(),
            ..Options::default()
        };
        let result = run(&definition, json!({}), &options);
        assert_eq!(result.status, Status::Succeeded, "{:?}", result.cause);
        let late = json!({"late": 0});
        let checked = json!({"checked": 1});
        let expected = if long_first {
            json!([late, checked])
        } else {
            json!([checked, late])
        };
        assert_eq!(result.output, Some(expected));
        // The first attempt's history: "Late" never entered, nothing after the failure at 10 s.
        let first_failure = result
            .history
            .iter()
            .position(|event| event.event_type == "ParallelStateFailed");
        let Some(first_failure) = first_failure else {
            panic!("the first attempt fails");
        };
        let first_attempt = &result.history[..first_failure];
        assert!(
            first_attempt.iter().all(|event| seconds(event) <= 10),
            "{first_attempt:#?}"
        );
        assert_eq!(entered(&result, "Late").len(), 1, "only in the retry");
        assert!(entered(&result, "Late")[0].id > result.history[first_failure].id);
        assert_well_formed(&result.history);
    }
}

#[test]
fn branches_that_all_succeed_keep_their_order_times_and_outputs() {
    // Branch 0 outlasts the horizon within which a branch runs before its siblings have: it runs
    // again after branch 1, but the history and the output are those of branches side by side.
    let definition = json!({"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "Branches": [
            {"StartAt": "Long wait", "States": {
                "Long wait": {"Type": "Wait", "Seconds": 600, "Next": "Long done"},
                "Long done": {"Type": "Pass", "Result": "long", "End": true}
            }},
            {"StartAt": "Short wait", "States": {
                "Short wait": {"Type": "Wait", "Seconds": 1, "Next": "Short done"},
                "Short done": {"Type": "Pass", "Result": "short", "End": true}
            }}
        ], "End": true}
    }});
    let result = run(&definition, json!({}), &Options::default());
    assert_eq!(result.status, Status::Succeeded, "{:?}", result.cause);
    assert_eq!(result.output, Some(json!(["long", "short"])));
    let sequence: Vec<(String, i64)> = result
        .history
        .iter()
        .map(|event| {
            let name = event
                .details
                .values()
                .find_map(|details| details.get("name")?.as_str())
                .unwrap_or_default();
            (format!("{} {name}", event.event_type), seconds(event))
        })
        .collect();
    let expected: Vec<(String, i64)> = [
        ("ExecutionStarted ", 0),
        ("ParallelStateEntered Both", 0),
        ("ParallelStateStarted ", 0),
        ("WaitStateEntered Long wait", 0),
        ("WaitStateEntered Short wait", 0),
        ("WaitStateExited Short wait", 1),
        ("PassStateEntered Short done", 1),
        ("PassStateExited Short done", 1),
        ("WaitStateExited Long wait", 600),
        ("PassStateEntered Long done", 600),
        ("PassStateExited Long done", 600),
        ("ParallelStateSucceeded ", 600),
        ("ParallelStateExited Both", 600),
        ("ExecutionSucceeded ", 600),
    ]
    .into_iter()
    .map(|(event, at)| (event.to_owned(), at))
    .collect();
    assert_eq!(sequence, expected);
    assert_well_formed(&result.history);
    assert_eq!(result.state_transitions, 5, "one per state entered");
    assert_eq!(result.duration_millis, 600_000);
}

#[test]
fn an_inline_map_iteration_that_polls_forever_is_stopped_by_a_failing_one() {
    let definition = json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "Which", "States": {
                "Which": {"Type": "Choice", "Choices": [
                    {"Variable": "$.fail", "BooleanEquals": true, "Next": "Give up later"}
                ], "Default": "Poll"},
                "Poll": {"Type": "Wait", "Seconds": 5, "Next": "Which"},
                "Give up later": {"Type": "Wait", "Seconds": 12, "Next": "Give up"},
                "Give up": {"Type": "Fail", "Error": "Time.Up"}
            }},
            "Catch": [{"ErrorEquals": ["Time.Up"], "Next": "Handled"}],
            "End": true},
        "Handled": {"Type": "Pass", "End": true}
    }});
    let input = json!({"items": [{"fail": false}, {"fail": true}]});
    let result = run(&definition, input, &Options::default());
    assert_eq!(result.status, Status::Succeeded, "{:?}", result.cause);
    assert_eq!(event(&result, "MapStateFailed").map(seconds), Some(12));
    let aborted: Vec<i64> = result
        .history
        .iter()
        .filter(|event| event.event_type == "MapIterationAborted")
        .filter_map(|event| event.details["mapIterationAbortedEventDetails"]["index"].as_i64())
        .collect();
    assert_eq!(aborted, vec![0]);
    let polls: Vec<i64> = entered(&result, "Poll").into_iter().map(seconds).collect();
    assert_eq!(polls, vec![0, 5, 10]);
    assert_eq!(entered(&result, "Handled").len(), 1);
    assert_well_formed(&result.history);
}

#[test]
fn a_branch_looping_inside_a_nested_parallel_is_stopped_by_an_outer_siblings_failure() {
    let inner = json!({"StartAt": "Inner", "States": {
        "Inner": {"Type": "Parallel", "Branches": [
            polling_forever("Nested"),
            {"StartAt": "Quick", "States": {"Quick": {"Type": "Pass", "End": true}}}
        ], "End": true}
    }});
    let definition = caught_parallel(vec![inner, failing_after(20, "Outer timeout", "Time.Up")]);
    let result = run(&definition, json!({}), &Options::default());
    assert_eq!(result.status, Status::Succeeded, "{:?}", result.cause);
    assert_eq!(event(&result, "ParallelStateFailed").map(seconds), Some(20));
    let polls: Vec<i64> = entered(&result, "Nested get")
        .into_iter()
        .map(seconds)
        .collect();
    assert_eq!(polls, vec![0, 5, 10, 15, 20]);
    assert_eq!(entered(&result, "Handled").len(), 1);
    assert_well_formed(&result.history);
}

#[test]
fn a_branch_that_never_ends_without_a_failing_sibling_still_meets_the_work_budget() {
    let definition = json!({"StartAt": "Race", "States": {
        "Race": {"Type": "Parallel", "Branches": [
            polling_forever("Poll"),
            {"StartAt": "Quick", "States": {"Quick": {"Type": "Pass", "End": true}}}
        ], "End": true}
    }});
    let options = Options {
        max_transitions: 5_000,
        ..Options::default()
    };
    let result = run(&definition, json!({}), &options);
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("States.Runtime"));
    assert!(
        result
            .cause
            .as_deref()
            .unwrap_or_default()
            .contains("work budget"),
        "{:?}",
        result.cause
    );
}
