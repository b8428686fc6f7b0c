//! Runs that would never end or would eat the machine end quickly with AWS's error, and the answers
//! the hostile-input review found wrong (issue #12) stay right.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use simulator::{ExecutionResult, ExecutionType, Mocks, Options, Status};

/// How long a run these tests guard may take before it counts as hung. The bugs they guard took
/// minutes; the fixed runs take about a second. The bound is loose on purpose, so that a busy
/// machine is not mistaken for a hang: speed itself is measured by the benchmarks, not here.
const HANG_GUARD: Duration = Duration::from_secs(60);

fn run(definition: &Value, input: Value, options: Options) -> (ExecutionResult, Duration) {
    let started = Instant::now();
    let result = simulator::run(definition, input, &options);
    (result, started.elapsed())
}

fn express() -> Options {
    Options {
        execution_type: ExecutionType::Express,
        record_trace: false,
        ..Options::default()
    }
}

fn standard() -> Options {
    Options {
        record_trace: false,
        ..Options::default()
    }
}

fn cause(result: &ExecutionResult) -> &str {
    result.cause.as_deref().unwrap_or_default()
}

fn jsonata_pass(expression: &str) -> Value {
    json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Compute",
        "States": {"Compute": {"Type": "Pass", "Output": format!("{{% {expression} %}}"), "End": true}}
    })
}

/// A Pass state that leads to itself.
fn pass_loop() -> Value {
    json!({"StartAt": "Loop", "States": {"Loop": {"Type": "Pass", "Next": "Loop"}}})
}

/// The run of JSONata `expression` failed with States.QueryEvaluationError saying `message`.
#[track_caller]
fn assert_query_error(result: &ExecutionResult, expression: &str, message: &str) {
    assert_eq!(
        result.error.as_deref(),
        Some("States.QueryEvaluationError"),
        "{expression}"
    );
    assert!(
        cause(result).contains(message),
        "{expression}: {}",
        cause(result)
    );
}

/// The run failed with `error` and a cause that ends with `ending`.
#[track_caller]
fn assert_error_ending(result: &ExecutionResult, error: &str, ending: &str) {
    assert_eq!(result.error.as_deref(), Some(error));
    assert!(cause(result).ends_with(ending), "{}", cause(result));
}

/// A Pass state whose Output is JSONata `expression` outputs `expected`.
#[track_caller]
fn assert_jsonata_output(expression: &str, expected: Value) {
    let (result, _) = run(&jsonata_pass(expression), json!({}), standard());
    assert_eq!(
        result.output,
        Some(expected),
        "{expression}: {}",
        cause(&result)
    );
}

#[test]
fn express_choice_pass_loop_times_out_at_the_work_budget() {
    let definition = json!({
        "StartAt": "Again",
        "States": {
            "Again": {"Type": "Pass", "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": true, "Next": "Again"}], "Default": "Again"}
        }
    });
    let options = Options {
        max_transitions: 20_000,
        ..express()
    };
    let (result, _) = run(&definition, json!({"go": true}), options);
    assert_eq!(result.status, Status::TimedOut);
    assert_eq!(result.error.as_deref(), Some("States.Timeout"));
    assert!(cause(&result).contains("20000 steps"), "{}", cause(&result));
    assert!(
        result
            .history
            .last()
            .is_some_and(|event| event.event_type == "ExecutionTimedOut")
    );
    // No real workflow reaches the default budget, but it is there.
    assert!(Options::default().max_transitions >= 1_000_000);
}

#[test]
fn standard_run_past_the_work_budget_fails_with_states_runtime() {
    // Distributed Map children do not count towards the parent's 25,000 events on AWS, so only the
    // budget stops this one early.
    let definition = json!({
        "StartAt": "Outer",
        "States": {"Outer": {
            "Type": "Map",
            "ItemProcessor": {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "End": true}}},
            "ResultPath": null,
            "End": true
        }}
    });
    let options = Options {
        max_transitions: 500,
        record_history: false,
        ..standard()
    };
    let items: Vec<u32> = (0..1000).collect();
    let (result, _) = run(&definition, json!(items), options);
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("States.Runtime"));
    assert!(cause(&result).contains("work budget"), "{}", cause(&result));
}

#[test]
fn nested_map_of_a_billion_iterations_ends_quickly() {
    let level = |processor: Value| {
        json!({"QueryLanguage": "JSONata", "StartAt": "Level", "States": {"Level": {
            "Type": "Map",
            "Items": "{% [1..1000] %}",
            "ItemProcessor": processor,
            "End": true
        }}})
    };
    let leaf = json!({"StartAt": "Leaf", "States": {"Leaf": {"Type": "Pass", "End": true}}});
    let definition = level(level(level(leaf)));
    // The default budget ends it in seconds in a release build; this debug test uses less.
    let options = Options {
        max_transitions: 100_000,
        ..express()
    };
    let (result, elapsed) = run(&definition, json!({}), options);
    assert_eq!(result.status, Status::TimedOut);
    assert!(
        cause(&result).contains("100000 steps"),
        "{}",
        cause(&result)
    );
    assert!(elapsed < HANG_GUARD, "{elapsed:?}");
}

#[test]
fn standard_loop_history_is_bounded_in_events_and_payload_bytes() {
    let definition = pass_loop();
    let options = Options {
        max_history_payload_bytes: 200_000,
        ..standard()
    };
    let (result, _) = run(&definition, json!({"big": "x".repeat(20_000)}), options);
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("States.Runtime"));
    assert!(cause(&result).contains("25000"), "{}", cause(&result));
    assert!(result.history.len() <= 25_002);
    let kept: usize = result
        .history
        .iter()
        .filter_map(|event| event.details.values().next())
        .filter_map(|body| body.get("input").or_else(|| body.get("output")))
        .filter_map(Value::as_str)
        .map(str::len)
        .sum();
    assert!(kept <= 200_000, "{kept}");
    assert!(result.truncated_payloads > 20_000);
    let marked = result.history.iter().find(|event| {
        event.details.values().next().is_some_and(|body| {
            body.get("inputDetails") == Some(&json!({"truncated": true}))
                && body.get("name") == Some(&json!("Loop"))
        })
    });
    assert!(marked.is_some(), "a payload left out is marked truncated");
}

#[test]
fn express_history_keeps_at_most_max_recorded_events() {
    let definition = pass_loop();
    let options = Options {
        max_transitions: 5_000,
        max_recorded_events: 1_000,
        ..express()
    };
    let (result, _) = run(&definition, json!({}), options);
    assert_eq!(result.status, Status::TimedOut);
    assert_eq!(result.history.len(), 1_000);
    assert!(result.dropped_events > 8_000);
}

#[test]
fn jsonata_infinite_recursion_fails_with_query_evaluation_error() {
    for expression in [
        "($f := function($x){$f($x)}; $f(1))",
        "($f := function($x){1 + $f($x)}; $f(1))",
    ] {
        let (result, elapsed) = run(&jsonata_pass(expression), json!({}), standard());
        assert_eq!(result.status, Status::Failed, "{expression}");
        assert_eq!(
            result.error.as_deref(),
            Some("States.QueryEvaluationError"),
            "{expression}"
        );
        assert!(
            cause(&result).contains("D1011") || cause(&result).contains("D1012"),
            "{}",
            cause(&result)
        );
        assert!(elapsed < HANG_GUARD, "{elapsed:?}");
    }
}

#[test]
fn jsonata_pad_to_four_billion_fails_before_allocating() {
    let (result, elapsed) = run(
        &jsonata_pass("$pad('x', 4000000000)"),
        json!({}),
        standard(),
    );
    assert_eq!(result.error.as_deref(), Some("States.QueryEvaluationError"));
    assert!(cause(&result).contains("$pad"), "{}", cause(&result));
    assert!(elapsed < HANG_GUARD, "{elapsed:?}");
    let (padded, _) = run(&jsonata_pass("$pad('ab', -5, '-+')"), json!({}), standard());
    assert_eq!(padded.output, Some(json!("-+-ab")));
}

#[test]
fn jsonata_division_by_zero_is_number_out_of_range() {
    let (result, _) = run(&jsonata_pass("1/0"), json!({}), standard());
    assert_error_ending(
        &result,
        "States.QueryEvaluationError",
        "threw an error during evaluation. D1001: Number out of range",
    );
}

#[test]
fn map_amplifying_a_large_input_fails_with_data_limit_exceeded() {
    let definition = json!({
        "StartAt": "Fan",
        "States": {"Fan": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"copy.$": "$.big"},
            "ItemProcessor": {"StartAt": "Keep", "States": {"Keep": {"Type": "Pass", "End": true}}},
            "End": true
        }}
    });
    let items: Vec<u32> = (0..10_000).collect();
    let input = json!({"big": "x".repeat(200_000), "items": items});
    assert!((245_000..262_144).contains(&input.to_string().len()));
    let (result, elapsed) = run(&definition, input, standard());
    assert_eq!(result.error.as_deref(), Some("States.DataLimitExceeded"));
    assert!(cause(&result).contains("'Fan'"), "{}", cause(&result));
    assert!(elapsed < HANG_GUARD, "{elapsed:?}");
}

#[test]
fn execution_input_over_256_kib_is_refused_before_any_state_runs() {
    let definition = json!({"StartAt": "Split", "States": {"Split": {
        "Type": "Pass",
        "Parameters": {"parts.$": "States.StringSplit($.text, ',')"},
        "End": true
    }}});
    let (result, _) = run(
        &definition,
        json!({"text": "a,".repeat(200_000)}),
        standard(),
    );
    assert_eq!(result.error.as_deref(), Some("States.DataLimitExceeded"));
    assert_eq!(result.state_transitions, 0);
}

#[test]
fn base64_decode_of_invalid_base64_fails_with_states_runtime() {
    let definition = json!({"StartAt": "Decode", "States": {"Decode": {
        "Type": "Pass",
        "Parameters": {"text.$": "States.Base64Decode($.data)"},
        "End": true
    }}});
    let (result, _) = run(&definition, json!({"data": "!!!invalid!!!"}), standard());
    assert_eq!(result.error.as_deref(), Some("States.Runtime"));
    assert!(
        cause(&result).contains("Invalid arguments in States.Base64Decode"),
        "{}",
        cause(&result)
    );
}

fn wait(field: &str, value: Value) -> Value {
    json!({"StartAt": "Sleep", "States": {"Sleep": {"Type": "Wait", field: value, "End": true}}})
}

#[test]
fn wait_until_the_year_9999_parses_and_is_too_long() {
    let (result, _) = run(
        &wait("Timestamp", json!("9999-12-31T23:59:59Z")),
        json!({}),
        standard(),
    );
    assert_error_ending(&result, "States.Runtime", "Wait state delay is too long.");
}

#[test]
fn express_wait_past_five_minutes_times_the_execution_out() {
    let (result, _) = run(&wait("Seconds", json!(400)), json!({}), express());
    assert_eq!(result.status, Status::TimedOut);
    assert_eq!(result.error.as_deref(), Some("States.Timeout"));
    assert_eq!(result.duration_millis, 300_000);
}

#[test]
fn standard_wait_longer_than_a_year_times_the_execution_out() {
    let three_years = 3 * 365 * 24 * 3600;
    let (result, _) = run(&wait("Seconds", json!(three_years)), json!({}), standard());
    assert_eq!(result.status, Status::TimedOut);
    assert_eq!(result.error.as_deref(), Some("States.Timeout"));
    assert_eq!(result.duration_millis, 365 * 24 * 3600 * 1000);
    let (short, _) = run(
        &wait("Seconds", json!(30 * 24 * 3600)),
        json!({}),
        standard(),
    );
    assert_eq!(short.status, Status::Succeeded);
}

#[test]
fn mock_file_errors_name_the_test_case_and_entry() {
    let file = |entry: Value| {
        json!({
            "StateMachines": {"M": {"TestCases": {"Happy": {"Call": "Flaky"}}}},
            "MockedResponses": {"Flaky": entry}
        })
    };
    for (response, expected) in [
        (
            json!({"0": {"Throw": {"Cause": "no error"}}}),
            "entry '0': 'Throw' needs an 'Error' string",
        ),
        (
            json!({"0": "oops"}),
            "entry '0': must be an object with 'Return' or 'Throw', not a string",
        ),
        (
            json!("oops"),
            "mocked response 'Flaky' must be an object of invocation entries",
        ),
        (
            json!({"5-2": {"Return": 1}}),
            "entry '5-2': the range '5-2' runs backwards",
        ),
    ] {
        let message = Mocks::from_step_functions_local(&file(response), None, "Happy")
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(
            message.contains("test case 'Happy' (state 'Call'): ") && message.contains(expected),
            "{message}"
        );
    }
}

#[test]
fn mock_config_reads_and_writes_the_same_file() -> Result<(), simulator::MockError> {
    let file = json!({
        "StateMachines": {"M": {"TestCases": {"Slow": {"Call": "SlowThenFail"}}}},
        "MockedResponses": {"SlowThenFail": {
            "0": {"Return": {"ok": true}, "DurationSeconds": 40},
            "1-3": {"Throw": {"Error": "E", "Cause": "c"}}
        }}
    });
    let config = simulator::MockConfig::parse(&file)?;
    assert_eq!(config.to_value(), file);
    assert_eq!(simulator::MockConfig::parse(&config.to_value())?, config);
    Ok(())
}

/// The machine the `simulate` fuzz target built from its 4-byte reproducer: an Express Pass state
/// looping on itself with `ResultPath: "$.extra"`, so every pass nests its input one level deeper
/// and about 100 bytes larger until the 256 KiB payload limit ends the run after ~2,600 passes.
#[test]
fn pass_loop_growing_its_payload_ends_quickly_at_the_data_limit() {
    let definition = json!({
        "StartAt": "Grow",
        "States": {"Grow": {"Type": "Pass", "ResultPath": "$.extra", "Next": "Grow"}}
    });
    let input =
        json!({"n": 3, "s": "text", "flag": true, "items": [1, 2, 3], "nested": {"a": [{"b": 1}]}});
    let options = Options {
        pass_through: true,
        max_transitions: 20_000,
        ..express()
    };
    let (result, elapsed) = run(&definition, input, options);
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("States.DataLimitExceeded"));
    assert!(cause(&result).contains("'Grow'"), "{}", cause(&result));
    // About 3,300 passes, each measured from what it adds: a second in a release build (it was
    // quadratic, minutes). A debug build spends most of its time writing the history's payloads.
    assert!(elapsed < HANG_GUARD * 2, "{elapsed:?}");
    assert!(result.history.len() > 6_000, "{}", result.history.len());
}

/// The input the fuzz targets run their machines on.
fn fuzz_input() -> Value {
    json!({"n": 3, "s": "text", "flag": true, "items": [1, 2, 3], "nested": {"a": [{"b": 1}]}})
}

/// The `intrinsics` fuzz target's 432-byte reproducer: deep scans (`..`) nested in filters, which
/// took 65 s before JSONPath evaluation had a work budget.
#[test]
fn jsonpath_deep_scans_nested_in_filters_fail_fast_with_states_runtime() {
    let path = include_str!("data/nested-deep-scans.jsonpath");
    assert!(path.starts_with("$$..[?"));
    let definition = json!({"StartAt": "P", "States": {"P": {
        "Type": "Pass", "Parameters": {"value.$": path}, "End": true
    }}});
    let (result, elapsed) = run(&definition, fuzz_input(), standard());
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("States.Runtime"));
    assert!(
        cause(&result).contains("is too expensive to evaluate")
            && cause(&result).contains(path)
            && cause(&result).contains("'value.$'"),
        "{}",
        cause(&result)
    );
    assert!(elapsed < HANG_GUARD, "{elapsed:?}");
}

/// The same budget wherever a path is evaluated: InputPath, a Choice rule (where a path that is
/// merely absent is no error for IsPresent) and an intrinsic's argument.
#[test]
fn too_expensive_jsonpath_fails_in_every_field_that_evaluates_paths() {
    // Five levels of ten-item arrays (100,000 ones, 200 KB): each scan inside a filter rescans the
    // whole subtree below it.
    let mut input = json!(1);
    for _ in 0..5 {
        input = Value::Array(vec![input; 10]);
    }
    let path = "$..[?(@..[?(@..[?(@..x)])])]";
    let pass = |field: &str, value: Value| json!({"StartAt": "P", "States": {"P": {"Type": "Pass", field: value, "End": true}}});
    let choice = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": path, "IsPresent": true, "Next": "Done"}], "Default": "Done"},
        "Done": {"Type": "Succeed"}
    }});
    for (definition, names) in [
        (pass("InputPath", json!(path)), "InputPath"),
        (
            pass(
                "Parameters",
                json!({"n.$": format!("States.ArrayLength({path})")}),
            ),
            "intrinsic",
        ),
        (choice, "Choice"),
        (
            json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "CausePath": path}}}),
            "CausePath",
        ),
    ] {
        let (result, elapsed) = run(&definition, input.clone(), standard());
        assert_eq!(result.error.as_deref(), Some("States.Runtime"), "{names}");
        assert!(
            cause(&result).contains("too expensive to evaluate"),
            "{names}: {}",
            cause(&result)
        );
        assert!(elapsed < HANG_GUARD, "{names}: {elapsed:?}");
    }
    // A deep scan of the whole input (111,111 values, each visited a few times) still works.
    let (result, _) = run(
        &pass(
            "Parameters",
            json!({"ones.$": "States.ArrayLength($..[?(@ == 1)])"}),
        ),
        input,
        standard(),
    );
    assert_eq!(result.status, Status::Succeeded, "{}", cause(&result));
    assert_eq!(result.output, Some(json!({"ones": 100_000})));
}

#[test]
fn jsonata_runaway_recursion_stops_at_the_step_budget_on_every_target() {
    // A tail call never deepens the stack and exponential recursion stays shallow: only the count
    // of function calls (not the wall clock, which the browser build lacks) stops them.
    for expression in [
        "($f := function($x){$f($x)}; $f(1))",
        "($loop := function($n){$n >= 0 ? $loop($n + 1) : 0}; $loop(0))",
        "($fib := function($n){$n < 2 ? $n : $fib($n - 1) + $fib($n - 2)}; $fib(60))",
        "($y := function($g){$g($g)}; $y($y))",
    ] {
        let (result, elapsed) = run(&jsonata_pass(expression), json!({}), standard());
        assert_query_error(
            &result,
            expression,
            "D1012: Evaluation stopped after 250000 function calls",
        );
        assert!(elapsed < HANG_GUARD, "{expression}: {elapsed:?}");
    }
}

#[test]
fn jsonata_recursion_within_the_step_budget_keeps_its_result() {
    for (expression, expected) in [
        // 100,000 tail calls: far deeper than the stack limit, so still run as tail calls.
        (
            "($count := function($n, $acc){$n = 0 ? $acc : $count($n - 1, $acc + 1)}; $count(100000, 0))",
            json!(100_000),
        ),
        (
            "($fib := function($n){$n < 2 ? $n : $fib($n - 1) + $fib($n - 2)}; $fib(20))",
            json!(6765),
        ),
        (
            "$map([1..5], function($v){$string($v * 2)})",
            json!(["2", "4", "6", "8", "10"]),
        ),
        (
            "($length := function($s){'mine'}; $map(['a'], function($v){$length($v)}))",
            json!("mine"),
        ),
        (
            "[1, 2, 3] ~> $map(function($v){$v + 1}) ~> $sum()",
            json!(9),
        ),
    ] {
        assert_jsonata_output(expression, expected);
    }
}

/// The `jsonata` fuzz target's finding: jsonata-core counts a range's items as `end - start + 1`
/// in 64-bit integers, which overflowed (a panic in builds with overflow checks) for `0..1e99`.
#[test]
fn jsonata_range_with_huge_bounds_fails_with_d2014_instead_of_overflowing() {
    for expression in [
        "0..877777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777",
        "[-9e18..9e18]",
        "($end := 1e99; [0..$end])",
    ] {
        let (result, _) = run(&jsonata_pass(expression), json!({}), standard());
        assert_query_error(
            &result,
            expression,
            "D2014: Range operator results in too many elements",
        );
    }
    for (expression, expected) in [
        ("[1..3]", json!([1, 2, 3])),
        ("($n := 3; [$n..5])", json!([3, 4, 5])),
        ("[[1..2], [3..3]]", json!([[1, 2], [3]])),
        ("$count([0..9999999])", json!(10_000_000)),
        ("[5..1]", json!([])),
    ] {
        assert_jsonata_output(expression, expected);
    }
}
