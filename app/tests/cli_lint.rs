//! `asl-studio check` and the warning rules: `warning[CODE]` lines with line:col, exit code 0
//! unless `--deny-warnings`, rules turned off by an `asl-studio.toml` next to the definition,
//! and numbers written as `100.0` / `1e2` where ASL wants an integer.

use std::path::PathBuf;

mod common;

use common::{path_str, run, stderr, stdout};

/// A fresh scratch folder holding `files`.
fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    common::scratch_with_files("asl-studio-lint", name, files)
}

const LAMBDA_WITHOUT_RETRY: &str = r#"{
  "StartAt": "Call",
  "States": {
    "Call": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "f", "Payload.$": "$"},
      "End": true
    }
  }
}
"#;

#[test]
fn a_warning_is_printed_with_its_code_and_position_and_exits_zero() {
    let dir = folder("warn", &[("flow.asl.json", LAMBDA_WITHOUT_RETRY)]);
    let file = dir.join("flow.asl.json");
    let output = run(&["check", path_str(&file)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(
            "flow.asl.json:6:7: warning[LAMBDA_RETRY] Call: Lambda invoke \"Call\" does not retry"
        ),
        "{text}"
    );
    assert!(
        stderr(&output).contains("no errors, 1 warning"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn deny_warnings_turns_a_warning_into_exit_one() {
    let dir = folder("deny", &[("flow.asl.json", LAMBDA_WITHOUT_RETRY)]);
    let file = dir.join("flow.asl.json");
    let output = run(&["check", "--deny-warnings", path_str(&file)]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(stdout(&output).contains("warning[LAMBDA_RETRY]"));
    // A definition without warnings still passes.
    let clean = folder(
        "deny-clean",
        &[(
            "ok.asl.json",
            r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#,
        )],
    );
    let output = run(&[
        "check",
        "--deny-warnings",
        path_str(&clean.join("ok.asl.json")),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn asl_studio_toml_next_to_the_definition_turns_a_rule_off() {
    let dir = folder(
        "toml",
        &[
            ("flow.asl.json", LAMBDA_WITHOUT_RETRY),
            ("asl-studio.toml", "[lint]\ndisable = [\"LAMBDA_RETRY\"]\n"),
        ],
    );
    let output = run(&[
        "check",
        "--deny-warnings",
        path_str(&dir.join("flow.asl.json")),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output), "");
}

#[test]
fn a_misspelt_rule_in_asl_studio_toml_is_an_error_naming_its_line() {
    let dir = folder(
        "toml-typo",
        &[
            ("flow.asl.json", LAMBDA_WITHOUT_RETRY),
            (
                "asl-studio.toml",
                "[lint]\ndisable = [\"LAMBDA_RETRIES\"]\n",
            ),
        ],
    );
    let output = run(&["check", path_str(&dir.join("flow.asl.json"))]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(
        text.contains("asl-studio.toml:2:1: error[CONFIG]"),
        "{text}"
    );
    assert!(text.contains("LAMBDA_RETRIES"), "{text}");
    // The definition is still checked, with every rule on.
    assert!(text.contains("warning[LAMBDA_RETRY]"), "{text}");
}

#[test]
fn json_output_gives_warnings_their_severity_code_and_pointer() {
    let dir = folder("json", &[("flow.asl.json", LAMBDA_WITHOUT_RETRY)]);
    let output = run(&[
        "check",
        "--format",
        "json",
        path_str(&dir.join("flow.asl.json")),
    ]);
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", stdout(&output)));
    assert_eq!(rows[0]["severity"], "warning");
    assert_eq!(rows[0]["code"], "LAMBDA_RETRY");
    assert_eq!(rows[0]["pointer"], "/States/Call/Resource");
    assert_eq!(rows[0]["state"], "Call");
}

#[test]
fn integral_numbers_written_as_100_0_or_1e2_pass_check_in_json_and_yaml() {
    let json = r#"{"StartAt": "W", "TimeoutSeconds": 1e3,
      "States": {"W": {"Type": "Wait", "Seconds": 100.0, "End": true}}}"#;
    let yaml = "StartAt: W\nStates:\n  W:\n    Type: Wait\n    Seconds: 1e2\n    End: true\n";
    let dir = folder("numbers", &[("n.asl.json", json), ("n.asl.yaml", yaml)]);
    for file in ["n.asl.json", "n.asl.yaml"] {
        let output = run(&["check", path_str(&dir.join(file))]);
        assert_eq!(output.status.code(), Some(0), "{file}: {}", stdout(&output));
    }
    let fractional = folder(
        "numbers-fraction",
        &[("f.asl.json", &json.replace("100.0", "100.5"))],
    );
    let output = run(&["check", path_str(&fractional.join("f.asl.json"))]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("Seconds of state \"W\" must be an integer, found 100.5"),
        "{}",
        stdout(&output)
    );
}
