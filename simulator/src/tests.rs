//! Engine behaviour the AWS conformance cases do not cover: retry timing, catch chains, history events,
//! guards, slicing, cancellation, determinism, mocks.

use serde_json::{Value, json};

use crate::{
    Execution, ExecutionResult, ExecutionType, MockResponse, Mocks, Options, Status, StepOutcome,
    run,
};

fn lean() -> Options {
    Options {
        record_trace: false,
        ..Options::default()
    }
}

/// A Task that fails `failures` times with `error`, then returns `{"ok": true}`.
fn flaky_mocks(state: &str, failures: u32, error: &str) -> Mocks {
    let mut responses = serde_json::Map::new();
    if failures > 0 {
        responses.insert(
            format!("0-{}", failures - 1),
            json!({"Throw": {"Error": error, "Cause": "try again"}}),
        );
    }
    responses.insert(format!("{failures}"), json!({"Return": {"ok": true}}));
    let config = json!({
        "StateMachines": {"M": {"TestCases": {"T": {state: "R"}}}},
        "MockedResponses": {"R": responses}
    });
    Mocks::from_step_functions_local(&config, Some("M"), "T").unwrap_or_default()
}

fn retrying_task(retrier: Value) -> Value {
    json!({
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Retry": [retrier],
                "ResultSelector": {"retries.$": "$$.State.RetryCount", "ok.$": "$.ok"},
                "End": true
            }
        }
    })
}

fn run_with(definition: &Value, input: Value, options: Options) -> ExecutionResult {
    run(definition, input, &options)
}

#[test]
fn retry_waits_interval_times_backoff() {
    let definition = retrying_task(json!({
        "ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3
    }));
    let options = Options {
        mocks: flaky_mocks("Call", 3, "Lambda.ServiceException"),
        ..lean()
    };
    let result = run_with(&definition, json!({}), options);
    assert_eq!(
        result.status,
        Status::Succeeded,
        "{:?} {:?}",
        result.error,
        result.cause
    );
    // 2 + 6 + 18 seconds of virtual waiting.
    assert_eq!(result.duration_millis, 26_000);
    assert_eq!(result.output, Some(json!({"retries": 3, "ok": true})));
}

#[test]
fn retry_gives_up_after_max_attempts_and_caps_delay() {
    let definition = retrying_task(json!({
        "ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "BackoffRate": 10, "MaxDelaySeconds": 50, "MaxAttempts": 2
    }));
    let options = Options {
        mocks: flaky_mocks("Call", 5, "Boom"),
        ..lean()
    };
    let result = run_with(&definition, json!({}), options);
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("Boom"));
    assert_eq!(result.cause.as_deref(), Some("try again"));
    // 10 s, then 100 s capped to 50 s.
    assert_eq!(result.duration_millis, 60_000);
}

#[test]
fn max_attempts_zero_never_retries() {
    let definition = retrying_task(json!({"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}));
    let options = Options {
        mocks: flaky_mocks("Call", 1, "Boom"),
        ..lean()
    };
    let result = run_with(&definition, json!({}), options);
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.duration_millis, 0);
}

#[test]
fn max_attempts_written_as_an_integral_float_retries_like_the_integer() {
    // `check` accepts `3.0` and `3e0` where ASL wants an integer; the run must agree.
    for spelling in [
        json!(3.0),
        serde_json::from_str::<Value>("3e0").unwrap_or_default(),
    ] {
        let definition = retrying_task(json!({
            "ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "BackoffRate": 3,
            "MaxAttempts": spelling
        }));
        let options = Options {
            mocks: flaky_mocks("Call", 3, "Lambda.ServiceException"),
            ..lean()
        };
        let result = run_with(&definition, json!({}), options);
        assert_eq!(result.status, Status::Succeeded, "{:?}", result.cause);
        assert_eq!(result.output, Some(json!({"retries": 3, "ok": true})));
    }
    let fractional = retrying_task(json!({"ErrorEquals": ["States.ALL"], "MaxAttempts": 2.5}));
    let result = run_with(&fractional, json!({}), lean());
    assert_eq!(result.status, Status::Failed);
    assert!(result.cause.unwrap_or_default().contains("MaxAttempts"));
}

#[test]
fn full_jitter_is_seeded_and_shorter() {
    let definition = retrying_task(json!({
        "ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 100, "BackoffRate": 1, "MaxAttempts": 3,
        "JitterStrategy": "FULL"
    }));
    let durations: Vec<i64> = [7, 7, 8]
        .into_iter()
        .map(|seed| {
            let options = Options {
                seed,
                mocks: flaky_mocks("Call", 3, "Boom"),
                ..lean()
            };
            let result = run_with(&definition, json!({}), options);
            assert_eq!(result.status, Status::Succeeded);
            result.duration_millis
        })
        .collect();
    assert_eq!(durations[0], durations[1], "same seed, same run");
    assert_ne!(
        durations[0], durations[2],
        "another seed draws other delays"
    );
    assert!(durations.iter().all(|millis| *millis < 300_000));
}

#[test]
fn catch_chain_keeps_each_error_at_its_result_path() {
    let definition = json!({
        "StartAt": "First",
        "States": {
            "First": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Catch": [{"ErrorEquals": ["Nope"], "Next": "Unused"}, {"ErrorEquals": ["E1"], "ResultPath": "$.first", "Next": "Second"}],
                "End": true
            },
            "Second": {
                "Type": "Fail", "Error": "E2", "Cause": "second"
            },
            "Unused": {"Type": "Succeed"}
        }
    });
    let config = json!({
        "StateMachines": {"M": {"TestCases": {"T": {"First": "Fails"}}}},
        "MockedResponses": {"Fails": {"0": {"Throw": {"Error": "E1", "Cause": "first"}}}}
    });
    let mocks = Mocks::from_step_functions_local(&config, None, "T").unwrap_or_default();
    let result = run_with(&definition, json!({"keep": 1}), Options { mocks, ..lean() });
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("E2"));

    // Parallel: the branch's error reaches the Parallel's catcher, which keeps the input.
    let parallel = json!({
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": true}}},
                    {"StartAt": "Bad", "States": {"Bad": {"Type": "Fail", "Error": "E3", "Cause": "third"}}}
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Done"}],
                "End": true
            },
            "Done": {"Type": "Pass", "End": true}
        }
    });
    let result = run_with(&parallel, json!({"keep": 1}), lean());
    assert_eq!(
        result.output,
        Some(json!({"keep": 1, "caught": {"Error": "E3", "Cause": "third"}}))
    );
}

#[test]
fn states_runtime_is_never_caught() {
    let definition = json!({
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Pass", "InputPath": "$.missing",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"}], "End": true
            },
            "B": {"Type": "Succeed"}
        }
    });
    let result = run_with(&definition, json!({}), lean());
    assert_eq!(result.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        result.cause.as_deref(),
        Some(
            "An error occurred while executing the state 'A' (entered at the event id #2). Invalid path '$.missing' : No results for path: $['missing']"
        )
    );
}

#[test]
fn history_events_follow_aws_names_ids_and_clock() -> Result<(), serde_json::Error> {
    let definition = json!({
        "StartAt": "Hold",
        "States": {
            "Hold": {"Type": "Wait", "Seconds": 90, "Next": "Call"},
            "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Fan"},
            "Fan": {
                "Type": "Map", "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "End": true}}},
                "End": true
            }
        }
    });
    let mocks = Mocks::from_results(&serde_json::Map::from_iter([(
        "Call".to_owned(),
        json!({"items": [1, 2]}),
    )]));
    let result = run_with(&definition, json!({}), Options { mocks, ..lean() });
    assert_eq!(result.status, Status::Succeeded);
    let types = result.event_types();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "WaitStateEntered",
            "WaitStateExited",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited",
            "MapStateEntered",
            "MapStateStarted",
            "MapIterationStarted",
            "PassStateEntered",
            "PassStateExited",
            "MapIterationSucceeded",
            "MapIterationStarted",
            "PassStateEntered",
            "PassStateExited",
            "MapIterationSucceeded",
            "MapStateSucceeded",
            "MapStateExited",
            "ExecutionSucceeded"
        ]
    );
    for (position, event) in result.history.iter().enumerate() {
        assert_eq!(event.id, position as u64 + 1);
        assert!(event.previous_event_id < event.id);
    }
    assert_eq!(result.history[1].timestamp, "2026-01-01T00:00:00.000Z");
    assert_eq!(result.history[2].timestamp, "2026-01-01T00:01:30.000Z");
    let text = serde_json::to_value(&result.history[1])?;
    assert_eq!(text["type"], "WaitStateEntered");
    assert_eq!(text["stateEnteredEventDetails"]["name"], "Hold");
    assert_eq!(text["previousEventId"], 1);
    assert_eq!(result.event_count, 21);
    assert_eq!(result.state_transitions, 5);
    Ok(())
}

#[test]
fn endless_loop_stops_at_the_history_limit() {
    let definition = json!({
        "StartAt": "Ping",
        "States": {"Ping": {"Type": "Pass", "Next": "Pong"}, "Pong": {"Type": "Pass", "Next": "Ping"}}
    });
    let result = run_with(
        &definition,
        json!({}),
        Options {
            record_history: false,
            ..lean()
        },
    );
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("States.Runtime"));
    assert!(
        result
            .cause
            .as_deref()
            .is_some_and(|cause| cause.contains("25000"))
    );
    assert!(result.event_count <= 25_002);
}

#[test]
fn nesting_guard_and_payload_limit() {
    let nested = json!({
        "StartAt": "L1",
        "States": {"L1": {"Type": "Parallel", "End": true, "Branches": [{
            "StartAt": "L2", "States": {"L2": {"Type": "Parallel", "End": true, "Branches": [{
                "StartAt": "L3", "States": {"L3": {"Type": "Pass", "End": true}}
            }]}}
        }]}}
    });
    let result = run_with(
        &nested,
        json!({}),
        Options {
            max_depth: 2,
            ..lean()
        },
    );
    assert_eq!(result.status, Status::Failed);
    assert!(
        result
            .cause
            .as_deref()
            .is_some_and(|cause| cause.contains("nesting"))
    );
    assert_eq!(
        run_with(&nested, json!({}), lean()).output,
        Some(json!([[{}]]))
    );

    let big = json!({
        "StartAt": "Grow",
        "States": {"Grow": {"Type": "Pass", "Parameters": {"a.$": "$.text", "b.$": "$.text"}, "End": true}}
    });
    let text = "x".repeat(150 * 1024);
    let result = run_with(&big, json!({"text": text}), lean());
    assert_eq!(result.error.as_deref(), Some("States.DataLimitExceeded"));
}

#[test]
fn stepping_in_slices_matches_a_full_run_and_cancel_aborts() -> Result<(), crate::DefinitionError> {
    let definition = json!({
        "StartAt": "M",
        "States": {"M": {
            "Type": "Map",
            "ItemSelector": {"n.$": "$$.Map.Item.Value", "id.$": "States.UUID()"},
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true
        }}
    });
    let input = json!([1, 2, 3, 4, 5]);
    let whole = run(&definition, input.clone(), &lean());
    let mut sliced = Execution::new(&definition, input.clone(), lean())?;
    let mut slices = 0;
    while sliced.step(1) == StepOutcome::Running {
        slices += 1;
    }
    assert!(slices > 5);
    assert_eq!(
        sliced.result().map(|result| &result.output),
        Some(&whole.output)
    );
    assert_eq!(
        sliced.result().map(|result| result.history.len()),
        Some(whole.history.len())
    );

    let mut cancelled = Execution::new(&definition, input, lean())?;
    assert_eq!(cancelled.step(3), StepOutcome::Running);
    cancelled.cancel();
    assert_eq!(
        cancelled.result().map(|result| result.status),
        Some(Status::Aborted)
    );
    Ok(())
}

#[test]
fn missing_mock_names_the_state_unless_pass_through() {
    let definition = json!({
        "StartAt": "Charge",
        "States": {"Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}
    });
    let result = run_with(&definition, json!({"a": 1}), lean());
    assert_eq!(result.status, Status::Failed);
    assert!(
        result
            .cause
            .as_deref()
            .is_some_and(|cause| cause.contains("'Charge'"))
    );
    let result = run_with(
        &definition,
        json!({"a": 1}),
        Options {
            pass_through: true,
            ..lean()
        },
    );
    assert_eq!(result.output, Some(json!({"a": 1})));
}

#[test]
fn express_runs_time_out_after_five_virtual_minutes() {
    let definition =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 400, "End": true}}});
    let express = Options {
        execution_type: ExecutionType::Express,
        ..lean()
    };
    let result = run_with(&definition, json!({}), express);
    assert_eq!(result.status, Status::TimedOut);
    assert_eq!(result.error.as_deref(), Some("States.Timeout"));
    let standard = run_with(&definition, json!({}), lean());
    assert_eq!(standard.status, Status::Succeeded);
    assert!(standard.cost_usd > 0.0);
}

#[test]
fn trace_records_each_stage() {
    let definition = json!({
        "StartAt": "Shape",
        "States": {"Shape": {
            "Type": "Pass", "InputPath": "$.in", "Parameters": {"v.$": "$.v"}, "ResultPath": "$.out",
            "OutputPath": "$.out", "End": true
        }}
    });
    let result = run(&definition, json!({"in": {"v": 3}}), &Options::default());
    let stages: Vec<(&str, &Value)> = result.trace[0]
        .stages
        .iter()
        .map(|stage| (stage.stage, &stage.value))
        .collect();
    assert_eq!(
        stages,
        [
            ("input", &json!({"in": {"v": 3}})),
            ("afterInputPath", &json!({"v": 3})),
            ("afterParameters", &json!({"v": 3})),
            ("result", &json!({"v": 3})),
            ("afterResultPath", &json!({"in": {"v": 3}, "out": {"v": 3}})),
            ("output", &json!({"v": 3})),
        ]
    );
}

#[test]
fn variables_are_scoped_to_their_map_iteration() {
    let definition = json!({
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"x": 1}, "Next": "Each"},
            "Each": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "Inner", "States": {
                    "Inner": {"Type": "Pass", "Assign": {"y.$": "$x"}, "Next": "Read"},
                    "Read": {"Type": "Pass", "Parameters": {"x.$": "$x", "y.$": "$y"}, "End": true}
                }},
                "Next": "After"
            },
            "After": {"Type": "Pass", "Parameters": {"x.$": "$x", "items.$": "$"}, "End": true}
        }
    });
    let result = run(&definition, json!([10, 20]), &lean());
    assert_eq!(
        result.output,
        Some(json!({"x": 1, "items": [{"x": 1, "y": 1}, {"x": 1, "y": 1}]}))
    );
}

#[test]
fn machine_timeout_seconds_times_the_run_out() {
    let definition = json!({
        "TimeoutSeconds": 60,
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 61, "End": true}}
    });
    let result = run(&definition, json!({}), &lean());
    assert_eq!(result.status, Status::TimedOut);
    assert_eq!(result.duration_millis, 60_000);
    let relaxed = json!({"TimeoutSeconds": 62, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 61, "End": true}}});
    assert_eq!(run(&relaxed, json!({}), &lean()).status, Status::Succeeded);
}

#[test]
fn context_object_values_come_from_the_options() {
    let definition = json!({
        "StartAt": "Each",
        "States": {"Each": {
            "Type": "Map",
            "ItemSelector": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value", "ctx.$": "$$"},
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "OutputPath": "$.ctx", "End": true}}},
            "End": true
        }}
    });
    let options = Options {
        execution_name: "run-1".to_owned(),
        state_machine_name: "Orders".to_owned(),
        ..lean()
    };
    let result = run(&definition, json!(["a"]), &options);
    let expected = json!([{
        "Execution": {
            "Id": "arn:aws:states:us-east-1:123456789012:execution:Orders:run-1",
            "Input": ["a"],
            "StartTime": "2026-01-01T00:00:00.000Z",
            "Name": "run-1",
            "RoleArn": "arn:aws:iam::123456789012:role/StepFunctionsDryRun",
            "RedriveCount": 0
        },
        "StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:Orders", "Name": "Orders"},
        "State": {"Name": "Each", "EnteredTime": "2026-01-01T00:00:00.000Z"},
        "Map": {"Item": {"Index": 0, "Value": "a"}}
    }]);
    assert_eq!(result.output, Some(expected));
}

// ----- task durations, TimeoutSeconds and HeartbeatSeconds ------------------------------------

/// Step Functions Local mocks for `state`: one entry per invocation, each with its duration (the
/// `DurationSeconds` extension field).
fn timed_mocks(state: &str, calls: &[(f64, MockResponse)]) -> Mocks {
    let mut responses = serde_json::Map::new();
    for (index, (seconds, response)) in calls.iter().enumerate() {
        let entry = match response {
            MockResponse::Return(value) => json!({"Return": value, "DurationSeconds": seconds}),
            MockResponse::Throw { error, cause } => {
                json!({"Throw": {"Error": error, "Cause": cause}, "DurationSeconds": seconds})
            }
        };
        responses.insert(index.to_string(), entry);
    }
    let config = json!({
        "StateMachines": {"Orders": {"TestCases": {"Slow": {state: "SlowResponse"}}}},
        "MockedResponses": {"SlowResponse": responses}
    });
    Mocks::from_step_functions_local(&config, Some("Orders"), "Slow").unwrap_or_default()
}

/// An order flow: charge the card through Lambda (with the given timeouts, Retry and Catch), then
/// record the charge id.
fn charge_flow(task_extra: Value) -> Value {
    let mut charge = json!({
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "charge-card", "Payload": {"order.$": "$.order"}},
        "ResultSelector": {"chargeId.$": "$.Payload.chargeId"},
        "ResultPath": "$.charge",
        "Next": "Record"
    });
    if let (Some(charge), Some(extra)) = (charge.as_object_mut(), task_extra.as_object()) {
        charge.extend(extra.clone());
    }
    json!({
        "StartAt": "Charge",
        "States": {
            "Charge": charge,
            "Record": {"Type": "Pass", "Parameters": {"charged.$": "$.charge.chargeId"}, "End": true},
            "ChargeTimedOut": {"Type": "Pass", "Result": "refund queued", "ResultPath": "$.note", "End": true}
        }
    })
}

fn charged(seconds: f64) -> (f64, MockResponse) {
    (
        seconds,
        MockResponse::Return(json!({"StatusCode": 200, "Payload": {"chargeId": "ch_1"}})),
    )
}

fn event<'a>(result: &'a ExecutionResult, event_type: &str) -> Option<&'a crate::HistoryEvent> {
    result
        .history
        .iter()
        .find(|event| event.event_type == event_type)
}

#[test]
fn task_slower_than_timeout_seconds_times_out_at_the_limit() {
    let definition = charge_flow(json!({"TimeoutSeconds": 60}));
    let options = Options {
        mocks: timed_mocks("Charge", &[charged(400.0)]),
        ..lean()
    };
    let result = run_with(&definition, json!({"order": 7}), options);
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("States.Timeout"));
    assert_eq!(result.cause, None);
    assert_eq!(result.duration_millis, 60_000);
    let timed_out = event(&result, "TaskTimedOut").map(|event| event.timestamp.as_str());
    assert_eq!(timed_out, Some("2026-01-01T00:01:00.000Z"));
    assert!(event(&result, "TaskSucceeded").is_none());
    let details = event(&result, "TaskTimedOut").map(|event| event.details.clone());
    assert_eq!(
        details.and_then(|details| details.get("taskTimedOutEventDetails").cloned()),
        Some(json!({"error": "States.Timeout", "resourceType": "lambda", "resource": "invoke"}))
    );
    let scheduled = event(&result, "TaskScheduled").map(|event| event.details.clone());
    assert_eq!(
        scheduled.and_then(|details| details["taskScheduledEventDetails"]
            .get("timeoutInSeconds")
            .cloned()),
        Some(json!(60))
    );
}

#[test]
fn task_faster_than_its_timeout_succeeds_and_moves_the_clock() {
    let definition = charge_flow(json!({"TimeoutSeconds": 60}));
    let options = Options {
        mocks: timed_mocks("Charge", &[charged(30.0)]),
        ..lean()
    };
    let result = run_with(&definition, json!({"order": 7}), options);
    assert_eq!(result.status, Status::Succeeded);
    assert_eq!(result.output, Some(json!({"charged": "ch_1"})));
    assert_eq!(result.duration_millis, 30_000);
    let stamp = |event_type: &str| event(&result, event_type).map(|event| event.timestamp.clone());
    assert_eq!(
        stamp("TaskStarted").as_deref(),
        Some("2026-01-01T00:00:00.000Z")
    );
    assert_eq!(
        stamp("TaskSucceeded").as_deref(),
        Some("2026-01-01T00:00:30.000Z")
    );
    assert_eq!(
        stamp("PassStateEntered").as_deref(),
        Some("2026-01-01T00:00:30.000Z")
    );
    assert_eq!(
        stamp("ExecutionSucceeded").as_deref(),
        Some("2026-01-01T00:00:30.000Z")
    );
}

#[test]
fn missing_heartbeat_times_the_task_out_first() {
    // TimeoutSeconds 300 would let the 100-second task finish; a mock sends no heartbeat, so the
    // 10-second HeartbeatSecondsPath fires.
    let definition =
        charge_flow(json!({"TimeoutSeconds": 300, "HeartbeatSecondsPath": "$.heartbeat"}));
    let options = Options {
        mocks: timed_mocks("Charge", &[charged(100.0)]),
        ..lean()
    };
    let result = run_with(
        &definition,
        json!({"order": 7, "heartbeat": 10}),
        options.clone(),
    );
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("States.Timeout"));
    assert_eq!(result.duration_millis, 10_000);
    // A heartbeat longer than the task never fires.
    let result = run_with(&definition, json!({"order": 7, "heartbeat": 200}), options);
    assert_eq!(result.status, Status::Succeeded);
    assert_eq!(result.duration_millis, 100_000);
}

#[test]
fn timeout_is_retried_then_the_fast_attempt_succeeds() {
    let definition = charge_flow(json!({
        "TimeoutSeconds": 60,
        "Retry": [
            {"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 5},
            {"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 5, "MaxAttempts": 2}
        ]
    }));
    let options = Options {
        mocks: timed_mocks("Charge", &[charged(400.0), charged(2.0)]),
        ..lean()
    };
    let result = run_with(&definition, json!({"order": 7}), options);
    assert_eq!(result.status, Status::Succeeded);
    // 60 s until the first attempt times out, 5 s retry interval, 2 s second attempt.
    assert_eq!(result.duration_millis, 67_000);
    let types = result.event_types();
    assert_eq!(
        types
            .iter()
            .filter(|name| **name == "TaskTimedOut" || **name == "TaskSucceeded")
            .collect::<Vec<_>>(),
        [&"TaskTimedOut", &"TaskSucceeded"]
    );
}

#[test]
fn timeout_is_caught_by_states_all_but_not_by_task_failed() {
    let task_failed_only = charge_flow(json!({
        "TimeoutSeconds": 60,
        "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "ChargeTimedOut"}]
    }));
    let mocks = timed_mocks("Charge", &[charged(400.0)]);
    let options = Options { mocks, ..lean() };
    let result = run_with(&task_failed_only, json!({"order": 7}), options.clone());
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("States.Timeout"));
    let catch_all = charge_flow(json!({
        "TimeoutSeconds": 60,
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ChargeTimedOut"}]
    }));
    let result = run_with(&catch_all, json!({"order": 7}), options);
    assert_eq!(result.status, Status::Succeeded);
    assert_eq!(
        result.output,
        Some(json!({"order": 7, "error": {"Error": "States.Timeout"}, "note": "refund queued"}))
    );
}

#[test]
fn thrown_errors_take_their_duration_too_and_jsonata_timeouts_fire() {
    let throwing = timed_mocks(
        "Charge",
        &[(
            45.0,
            MockResponse::Throw {
                error: "Lambda.ServiceException".to_owned(),
                cause: "down".to_owned(),
            },
        )],
    );
    let result = run_with(
        &charge_flow(json!({"TimeoutSeconds": 60})),
        json!({"order": 7}),
        Options {
            mocks: throwing.clone(),
            ..lean()
        },
    );
    assert_eq!(result.error.as_deref(), Some("Lambda.ServiceException"));
    assert_eq!(result.duration_millis, 45_000);
    let jsonata = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Charge",
        "States": {"Charge": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "charge-card"},
            "TimeoutSeconds": "{% $states.input.limit %}",
            "End": true
        }}
    });
    let result = run_with(
        &jsonata,
        json!({"limit": 30}),
        Options {
            mocks: throwing,
            ..lean()
        },
    );
    assert_eq!(result.error.as_deref(), Some("States.Timeout"));
    assert_eq!(result.duration_millis, 30_000);
}

#[test]
fn slow_tasks_reach_express_and_machine_time_limits() {
    // Three 2-minute calls: the third passes Express's five minutes.
    let definition = json!({
        "StartAt": "Resize",
        "States": {
            "Resize": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "Next": "Again"},
            "Again": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "Next": "Last"},
            "Last": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "End": true}
        }
    });
    let mut mocks = Mocks::new();
    for state in ["Resize", "Again", "Last"] {
        mocks.insert(state, 0..=0, MockResponse::Return(json!({})), 120.0);
    }
    let express = Options {
        execution_type: ExecutionType::Express,
        mocks: mocks.clone(),
        ..lean()
    };
    let result = run_with(&definition, json!({}), express);
    assert_eq!(result.status, Status::TimedOut);
    assert_eq!(result.duration_millis, 300_000);
    assert_eq!(
        result.history.last().map(|event| event.event_type),
        Some("ExecutionTimedOut")
    );
    let standard = run_with(
        &definition,
        json!({}),
        Options {
            mocks: mocks.clone(),
            ..lean()
        },
    );
    assert_eq!(standard.status, Status::Succeeded);
    assert_eq!(standard.duration_millis, 360_000);
    let mut limited = definition.clone();
    limited["TimeoutSeconds"] = json!(200);
    let result = run_with(&limited, json!({}), Options { mocks, ..lean() });
    assert_eq!(result.status, Status::TimedOut);
    assert_eq!(result.duration_millis, 200_000);
}

// ----- fast paths without history or trace agree with the recorded paths -------------------------

#[test]
fn lean_runs_match_recorded_runs_on_large_documents() {
    // A document big enough that ResultPath moves it instead of copying it, results placed in nested
    // objects and arrays, a ResultPath that cannot apply (through a string) caught, and a Parameters
    // path that does not resolve in a mocked Task (checked, not built, when nothing records it).
    let items: Vec<Value> = (0..12)
        .map(|i| json!({"sku": format!("S{i}"), "qty": i}))
        .collect();
    let input = json!({"order": {"id": 7, "lines": items, "note": "gift"}, "audit": [0, 1, 2]});
    let definition = json!({
        "StartAt": "Price",
        "States": {
            "Price": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "price", "Payload.$": "$.order"},
                "ResultSelector": {"total.$": "$.Payload.total"},
                "ResultPath": "$.order.pricing",
                "Next": "Stamp"
            },
            "Stamp": {"Type": "Pass", "Result": "checked", "ResultPath": "$.audit[1]", "Next": "Bad"},
            "Bad": {
                "Type": "Pass", "Result": 1, "ResultPath": "$.order.note.deeper",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Ship"}],
                "End": true
            },
            "Ship": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"Payload.$": "$.order.missing"},
                "End": true
            }
        }
    });
    let mocks = Mocks::from_results(&serde_json::Map::from_iter([
        (
            "Price".to_owned(),
            json!({"Payload": {"total": 99}, "StatusCode": 200}),
        ),
        ("Ship".to_owned(), json!({"shipped": true})),
    ]));
    let recorded = run_with(
        &definition,
        input.clone(),
        Options {
            mocks: mocks.clone(),
            ..Options::default()
        },
    );
    let lean = run_with(
        &definition,
        input,
        Options {
            mocks,
            record_history: false,
            ..lean()
        },
    );
    assert_eq!(recorded.status, Status::Failed);
    assert_eq!(recorded.error.as_deref(), Some("States.Runtime"));
    assert!(
        recorded
            .cause
            .as_deref()
            .is_some_and(|cause| cause.contains("$.order.missing"))
    );
    assert_eq!(
        (&lean.status, &lean.error, &lean.cause, &lean.output),
        (
            &recorded.status,
            &recorded.error,
            &recorded.cause,
            &recorded.output
        )
    );
    // The state before the failing Task saw the merged document and the caught ResultPath error.
    let ship_input = recorded
        .trace
        .iter()
        .find(|entry| entry.state == "Ship")
        .and_then(|entry| entry.stages.first())
        .map(|stage| stage.value.clone());
    let Some(ship_input) = ship_input else {
        panic!("no trace for Ship");
    };
    assert_eq!(ship_input["order"]["pricing"], json!({"total": 99}));
    assert_eq!(ship_input["audit"], json!([0, "checked", 2]));
    assert_eq!(
        ship_input["caught"]["Error"],
        "States.ResultPathMatchFailure"
    );
}
