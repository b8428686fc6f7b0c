//! `asl-studio run` on hostile inputs (issue #12): runs end quickly with AWS's error and the right
//! exit code, a history that cannot be written does not hide the result, and input files with a
//! byte order mark are read.

use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

/// How long a run these tests guard may take before it counts as hung. The bugs they guard took
/// minutes; the fixed runs take about a second. The bound is loose on purpose, so that a busy
/// machine is not mistaken for a hang: speed itself is measured by the benchmarks, not here.
const HANG_GUARD: Duration = Duration::from_secs(60);

mod common;

use common::{assert_contains, assert_item_reader_failed, text, write_file as write};

fn scratch(name: &str) -> PathBuf {
    common::scratch_dir("asl-studio-cli-limits", name)
}

fn run(args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let output = common::run(args);
    (output, started.elapsed())
}

#[test]
fn express_pass_loop_ends_at_max_transitions_with_a_timeout() {
    let dir = scratch("loop");
    let definition = write(
        &dir,
        "loop.asl.json",
        r#"{"StartAt": "Again", "States": {
            "Again": {"Type": "Pass", "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": true, "Next": "Again"}], "Default": "Done"},
            "Done": {"Type": "Succeed"}}}"#,
    );
    let input = write(&dir, "input.json", r#"{"go": true}"#);
    let (output, elapsed) = run(&[
        "run",
        &definition,
        "--input",
        &input,
        "--type",
        "express",
        "--max-transitions",
        "20000",
    ]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("execution TIMED_OUT"), "{stderr}");
    assert!(stderr.contains("error: States.Timeout"), "{stderr}");
    assert!(stderr.contains("--max-transitions"), "{stderr}");
    assert!(elapsed < HANG_GUARD, "{elapsed:?}");
}

#[test]
fn history_into_a_missing_folder_still_prints_the_result_then_fails() {
    let dir = scratch("history");
    let definition = write(
        &dir,
        "pass.asl.json",
        r#"{"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": {"ok": true}, "End": true}}}"#,
    );
    let history = dir.join("no-such-folder").join("history.json");
    let (output, _) = run(&[
        "run",
        &definition,
        "--history",
        &history.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_contains(&text(&output.stdout), "\"ok\": true");
    assert_contains(&text(&output.stderr), "cannot write the history");
}

#[test]
fn input_mocks_and_substitutions_with_a_byte_order_mark_are_read() {
    let dir = scratch("bom");
    let definition = write(
        &dir,
        "task.asl.json",
        r#"{"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "${Fn}", "ResultPath": "$.result", "End": true}}}"#,
    );
    let input = write(&dir, "input.json", "\u{feff}{\"n\": 1}");
    let mocks = write(&dir, "mocks.json", "\u{feff}{\"Call\": {\"done\": true}}");
    let substitutions = write(
        &dir,
        "subs.json",
        "\u{feff}{\"Fn\": \"arn:aws:lambda:us-east-1:123456789012:function:f\"}",
    );
    let (output, _) = run(&[
        "run",
        &definition,
        "--input",
        &input,
        "--mocks",
        &mocks,
        "--substitutions",
        &substitutions,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("\"done\": true"));
}

#[test]
fn execution_input_over_256_kib_is_bad_input() {
    let dir = scratch("big-input");
    let definition = write(
        &dir,
        "pass.asl.json",
        r#"{"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true}}}"#,
    );
    let input = write(
        &dir,
        "input.json",
        format!("{{\"s\": \"{}\"}}", "x".repeat(300_000)),
    );
    let (output, _) = run(&["run", &definition, "--input", &input]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("more than the 262144 bytes AWS accepts"));
}

#[test]
fn csv_items_with_an_unterminated_quote_fail_the_map_with_item_reader_failed() {
    let dir = scratch("csv");
    let definition = write(
        &dir,
        "map.asl.json",
        r#"{"StartAt": "Rows", "States": {"Rows": {
            "Type": "Map",
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                "Parameters": {"Bucket": "b", "Key": "rows.csv"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Row", "States": {"Row": {"Type": "Pass", "End": true}}},
            "End": true}}}"#,
    );
    let good = write(&dir, "good.csv", "id,note\n1,\"two\nlines\"\n2\n");
    let (output, _) = run(&["run", &definition, "--items", &format!("Rows={good}")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("two\\nlines") && stdout.contains("\"note\": \"\""),
        "{stdout}"
    );
    let bad = write(&dir, "bad.csv", "id,note\n1,\"never closed\n2,b\n");
    let (output, _) = run(&["run", &definition, "--items", &format!("Rows={bad}")]);
    assert_item_reader_failed(&output, "line 2: a quoted field is never closed");
}

#[test]
fn a_mock_throw_without_error_is_bad_input_naming_the_test_case() {
    let dir = scratch("mocks");
    let definition = write(
        &dir,
        "task.asl.json",
        r#"{"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}"#,
    );
    let mocks = write(
        &dir,
        "mocks.json",
        r#"{"StateMachines": {"M": {"TestCases": {"Happy": {"Call": "Broken"}}}},
            "MockedResponses": {"Broken": {"0": {"Throw": {"Cause": "no error name"}}}}}"#,
    );
    let (output, _) = run(&[
        "run",
        &definition,
        "--mocks",
        &mocks,
        "--test-case",
        "Happy",
    ]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("test case 'Happy' (state 'Call'): mocked response 'Broken', entry '0': 'Throw' needs an 'Error' string"),
        "{stderr}"
    );
}

#[test]
fn pass_loop_growing_its_payload_fails_with_data_limit_exceeded_quickly() {
    let dir = scratch("grow");
    let definition = write(
        &dir,
        "grow.asl.json",
        r#"{"StartAt": "Grow", "States": {
            "Grow": {"Type": "Pass", "ResultPath": "$.extra", "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "Done"}], "Default": "Grow"},
            "Done": {"Type": "Succeed"}}}"#,
    );
    let input = write(
        &dir,
        "input.json",
        r#"{"n": 3, "s": "text", "items": [1, 2, 3]}"#,
    );
    let (output, elapsed) = run(&["run", &definition, "--input", &input]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("States.DataLimitExceeded"), "{stderr}");
    // About 3,300 passes: quadratic before (minutes in a release build), about a second now.
    assert!(elapsed < HANG_GUARD, "{elapsed:?}");
}

#[test]
fn jsonpath_deep_scans_nested_in_filters_fail_with_states_runtime() {
    let dir = scratch("deep-scan");
    let definition = write(
        &dir,
        "scan.asl.json",
        r#"{"StartAt": "Scan", "States": {"Scan": {"Type": "Pass",
            "Parameters": {"found.$": "$..[?(@..[?(@..[?(@..x)])])]"}, "End": true}}}"#,
    );
    // 100,000 values five levels deep: every scan in a filter rescans what lies below it.
    let mut nested = "1".to_owned();
    for _ in 0..5 {
        nested = format!("[{}]", [nested.as_str(); 10].join(","));
    }
    let input = write(&dir, "input.json", &nested);
    let (output, elapsed) = run(&["run", &definition, "--input", &input]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("States.Runtime"), "{stderr}");
    assert!(
        stderr.contains("'$..[?(@..[?(@..[?(@..x)])])]'")
            && stderr.contains("too expensive to evaluate"),
        "{stderr}"
    );
    assert!(elapsed < HANG_GUARD, "{elapsed:?}");
}
