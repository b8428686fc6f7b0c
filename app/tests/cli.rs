//! End-to-end tests of the headless commands (check, fmt, convert, extract) on corpus files,
//! running the built `asl-studio` binary.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

use common::{assert_contains, corpus, path_str, run_with_input as run, stderr, stdout};

/// A fresh scratch folder for files a test rewrites.
fn scratch(name: &str) -> PathBuf {
    common::scratch_dir("asl-studio-cli", name)
}

#[test]
fn check_passes_a_real_definition_and_a_template() {
    let definition = corpus("real/asl-validator/valid-choice-state.asl.json");
    let template = corpus("templates/localstack/tests__aws__templates__sfn_nested_sync2.json");
    let output = run(&["check", path_str(&definition), path_str(&template)], None);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    // Warnings (this definition's Lambda tasks have no Retry) are printed, errors are not.
    assert!(!stdout(&output).contains("error["), "{}", stdout(&output));
}

#[test]
fn check_reports_a_json5_trailing_comma_with_line_and_column() {
    let file = corpus("invalid/localstack/base__invalid_der.asl.json5");
    let output = run(&["check", path_str(&file)], None);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        format!(
            "{}:4:1: error[SYNTAX]: trailing comma before `}}` (JSON5 syntax; JSON does not allow it)\n",
            file.display()
        )
    );
}

#[test]
fn check_reads_stdin_and_prints_json_for_tools() {
    let text = "{\"StartAt\": \"A\",\n \"States\": {\n  \"A\": {\"Type\": \"Pass\", \"End\": true},\n  \"A\": {\"Type\": \"Succeed\"}}}\n";
    let output = run(&["check", "--format", "json", "-"], Some(text));
    assert_eq!(output.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|error| panic!("not JSON: {error}: {}", stdout(&output)));
    assert_eq!(findings[0]["code"], "DUPLICATE_STATE_NAME");
    assert_eq!(findings[0]["state"], "A");
    assert_eq!(findings[0]["line"], 4);
    assert_eq!(findings[0]["column"], 3);
    assert_eq!(findings[0]["file"], "<stdin>");
    let text_output = run(&["check", "-"], Some(text));
    assert!(
        stdout(&text_output)
            .starts_with("<stdin>:4:3: error[DUPLICATE_STATE_NAME] A: duplicate state name `A`"),
        "{}",
        stdout(&text_output)
    );
}

#[test]
fn check_exits_2_on_unreadable_input() {
    let output = run(&["check", "/nonexistent/definition.asl.json"], None);
    assert_eq!(output.status.code(), Some(2));
    assert_contains(&stderr(&output), "cannot read");
}

#[test]
fn fmt_rewrites_in_place_and_check_lists_what_would_change() {
    let dir = scratch("fmt");
    let original_path = corpus("real/asl-validator/valid-choice-state.asl.json");
    let original = std::fs::read_to_string(&original_path).unwrap_or_default();
    let file = dir.join("machine.asl.json");
    let crlf = original.replace('\n', "\r\n").replace("  ", "\t");
    std::fs::write(&file, &crlf).unwrap_or_else(|error| panic!("{error}"));

    let check = run(&["fmt", "--check", path_str(&file)], None);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(stdout(&check).trim(), path_str(&file));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap_or_default(),
        crlf,
        "--check changed the file"
    );

    let format = run(&["fmt", path_str(&file)], None);
    assert_eq!(format.status.code(), Some(0), "{}", stderr(&format));
    let formatted = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(formatted.ends_with("}\n") && !formatted.contains('\r') && !formatted.contains('\t'));
    let before: serde_json::Value = serde_json::from_str(&original).unwrap_or_default();
    let after: serde_json::Value = serde_json::from_str(&formatted).unwrap_or_default();
    assert_eq!(before, after);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.count())
        .into_iter()
        .collect();
    assert_eq!(leftovers, [1], "the temporary file was left behind");

    let again = run(&["fmt", "--check", path_str(&file)], None);
    assert_eq!(
        again.status.code(),
        Some(0),
        "fmt is not idempotent: {}",
        stdout(&again)
    );
    let piped = run(&["fmt", "-"], Some(&crlf));
    assert_eq!(stdout(&piped), formatted);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn convert_yaml_to_json_and_back_keeps_the_value() {
    let dir = scratch("convert");
    let yaml = corpus("real/workflows-collection/curbside-pickup__statemachine.asl.yaml");
    let json_path = dir.join("out.asl.json");
    let to_json = run(
        &[
            "convert",
            path_str(&yaml),
            "--to",
            "json",
            "-o",
            path_str(&json_path),
        ],
        None,
    );
    assert_eq!(to_json.status.code(), Some(0), "{}", stderr(&to_json));
    let json_text = std::fs::read_to_string(&json_path).unwrap_or_default();
    let to_yaml = run(&["convert", "-", "--to", "yaml"], Some(&json_text));
    assert_eq!(to_yaml.status.code(), Some(0), "{}", stderr(&to_yaml));
    let original = asl_codec::SourceFile::parse(
        std::fs::read_to_string(&yaml).unwrap_or_default(),
        asl_codec::Format::Yaml,
    )
    .unwrap_or_else(|error| panic!("{error}"));
    let back = asl_codec::SourceFile::parse(stdout(&to_yaml), asl_codec::Format::Yaml)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(original.value(), back.value());
    assert_eq!(
        original.value()["States"]["SQS PickItem"]["Parameters"]["QueueUrl"],
        "${SQSPick}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn extract_lists_several_machines_and_prints_the_chosen_one() {
    let template = corpus("templates/localstack/tests__aws__templates__sfn_nested_sync2.json");
    let listing = run(&["extract", path_str(&template)], None);
    assert_eq!(listing.status.code(), Some(2));
    assert!(
        stderr(&listing).contains("childMachineC2BF6790")
            && stderr(&listing).contains("parentMachineFFF9E148")
    );

    let chosen = run(
        &[
            "extract",
            path_str(&template),
            "--name",
            "childMachineC2BF6790",
        ],
        None,
    );
    assert_eq!(chosen.status.code(), Some(0), "{}", stderr(&chosen));
    let definition: serde_json::Value = serde_json::from_str(&stdout(&chosen)).unwrap_or_default();
    assert_eq!(definition["StartAt"], "invokeIncr");
    assert_eq!(
        definition["States"]["invokeIncr"]["Resource"],
        "${incrementFn82FDC2D5.Arn}"
    );

    let all = run(&["extract", path_str(&template), "--all"], None);
    let every: serde_json::Value = serde_json::from_str(&stdout(&all)).unwrap_or_default();
    assert_eq!(every.as_object().map(|m| m.len()), Some(2));
}

#[test]
fn extract_reads_yaml_short_tags_and_sub_strings() {
    let template = corpus("templates/workflows-collection/call-microservice-apigw__template.yml");
    let output = run(&["extract", path_str(&template), "--placeholders"], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stdout(&output).is_empty());
    let definition = run(&["extract", path_str(&template)], None);
    let value: serde_json::Value = serde_json::from_str(&stdout(&definition)).unwrap_or_default();
    assert_eq!(value["Comment"], "Calling APIGW HTTP Endpoint");
}

fn asset(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(name)
        .display()
        .to_string()
}

/// `asl-studio run` on the bundled sample with its input and the test case `case` of its Step
/// Functions Local mock file, plus `extra` arguments.
fn run_sample_case(case: &str, extra: &[&str]) -> Output {
    let (sample, input, mocks) = (
        asset("sample.asl.json"),
        asset("sample.input.json"),
        asset("sample.mocks.json"),
    );
    let mut args = vec![
        "run",
        &sample,
        "--input",
        &input,
        "--mocks",
        &mocks,
        "--test-case",
        case,
    ];
    args.extend_from_slice(extra);
    run(&args, None)
}

#[test]
fn run_dry_runs_the_bundled_sample_with_step_functions_local_mocks() {
    let happy = run_sample_case("HappyPath", &[]);
    assert!(happy.status.success(), "{}", stderr(&happy));
    let output: serde_json::Value =
        serde_json::from_str(&stdout(&happy)).expect("run prints the output as JSON");
    assert_eq!(output["download"]["key"], "orders-2026-11-26.csv");
    assert_eq!(output["transform"]["JobRunState"], "SUCCEEDED");

    let failing = run_sample_case("GlueFails", &[]);
    assert_eq!(failing.status.code(), Some(1), "{}", stderr(&failing));
    assert!(stdout(&failing).is_empty());
    assert_contains(&stderr(&failing), "error: ETL.TransformFailed");
}

#[test]
fn a_mocked_glue_job_that_runs_past_its_timeout_is_caught_at_the_timeout_instant() {
    let history = scratch("run-timeout").join("history.json");
    let history_path = history.display().to_string();
    // GlueTimesOut mocks the Glue job as taking 5,400 s; TransformFile allows 3,600.
    let output = run_sample_case("GlueTimesOut", &["--history", &history_path]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_contains(&stderr(&output), "error: ETL.TransformFailed");
    let text = std::fs::read_to_string(&history).expect("run wrote the history");
    let events: Vec<serde_json::Value> = serde_json::from_str(&text).expect("history is JSON");
    let timed_out = events
        .iter()
        .find(|event| event["type"] == "TaskTimedOut")
        .expect("a TaskTimedOut event");
    assert_eq!(
        timed_out["taskTimedOutEventDetails"]["error"],
        "States.Timeout"
    );
    let started = events[0]["timestamp"].as_str().unwrap_or_default();
    assert_eq!(started, "2026-01-01T00:00:00.000Z");
    // The clock moves by the timeout, not by the job's full 5,400 s.
    assert_eq!(timed_out["timestamp"], "2026-01-01T01:00:00.000Z");
    let notified = events.iter().any(|event| {
        event["type"] == "TaskStateEntered"
            && event["stateEnteredEventDetails"]["name"] == "NotifyFailure"
    });
    assert!(notified, "the Catch leads to NotifyFailure");
}

#[test]
fn run_reads_yaml_and_templates_and_fills_placeholders() {
    let dir = scratch("run-yaml");
    let yaml = dir.join("flow.asl.yaml");
    std::fs::write(
        &yaml,
        "StartAt: Greet\nStates:\n  Greet:\n    Type: Pass\n    Parameters:\n      message: Hello from ${Stage}\n    End: true\n",
    )
    .expect("scratch file");
    let subs = dir.join("subs.json");
    std::fs::write(&subs, r#"{"Stage": "prod"}"#).expect("scratch file");
    let yaml_path = yaml.display().to_string();
    let subs_path = subs.display().to_string();
    let output = run(&["run", &yaml_path, "--substitutions", &subs_path], None);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_contains(&stdout(&output), "Hello from prod");

    let template = run(
        &[
            "run",
            &corpus("templates/workflows-collection/saga-pattern-sam__template.yaml")
                .display()
                .to_string(),
            "--pass-through",
        ],
        None,
    );
    // The saga's first Task runs as a pass-through; whatever its path, the run reaches an end state.
    assert!(
        matches!(template.status.code(), Some(0 | 1)),
        "{}",
        stderr(&template)
    );
}

#[test]
fn run_refuses_an_invalid_definition_and_says_why() {
    let output = run(
        &[
            "run",
            &corpus("invalid/asl-validator/invalid-next-with-end.asl.json")
                .display()
                .to_string(),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert_contains(&stderr(&output), "cannot run");
}
