//! `asl-studio export`: each target writes its template and the ASL file it references; files
//! already there are kept unless `--force`; bad triggers are refused before anything is written.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

use common::{read, run, sample, stderr};

/// A fresh, empty scratch folder.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-export-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn export(to: &str, dir: &Path, extra: &[&str]) -> Output {
    let sample = sample();
    let mut args = vec![
        "export",
        sample.to_str().unwrap_or_default(),
        "--to",
        to,
        "-o",
        dir.to_str().unwrap_or_default(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn sam_export_writes_a_template_referencing_the_asl_file() {
    let dir = scratch("sam");
    let output = export("sam", &dir, &["--schedule", "rate(5 minutes)"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let template = read(&dir.join("template.yaml"));
    assert!(
        template.contains("Transform: AWS::Serverless-2016-10-31"),
        "{template}"
    );
    assert!(
        template.contains("DefinitionUri: sample.asl.json"),
        "{template}"
    );
    assert!(template.contains("Type: ScheduleV2"), "{template}");
    let asl: serde_json::Value =
        serde_json::from_str(&read(&dir.join("sample.asl.json"))).unwrap_or_default();
    let original: serde_json::Value = serde_json::from_str(&read(&sample())).unwrap_or_default();
    assert_eq!(asl, original, "the ASL file is the definition");
}

#[test]
fn cloudformation_export_inlines_the_definition_with_its_role() {
    let dir = scratch("cfn");
    let output = export(
        "cloudformation",
        &dir,
        &["--name", "etl", "--type", "express", "--logging"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let template = read(&dir.join("template.yaml"));
    for expected in [
        "Type: AWS::StepFunctions::StateMachine",
        "StateMachineName: etl",
        "StateMachineType: EXPRESS",
        "Definition:",
        "Type: AWS::IAM::Role",
        "- glue:StartJobRun",
        "Type: AWS::Logs::LogGroup",
    ] {
        assert!(
            template.contains(expected),
            "{expected} missing:\n{template}"
        );
    }
    assert!(dir.join("etl.asl.json").exists());
}

#[test]
fn terraform_export_writes_main_tf_reading_the_asl_file() {
    let dir = scratch("tf");
    let pattern = dir.with_extension("pattern.json");
    std::fs::create_dir_all(dir.parent().unwrap_or(Path::new("."))).ok();
    std::fs::write(&pattern, r#"{"source": ["aws.s3"]}"#).ok();
    let output = export(
        "terraform",
        &dir,
        &[
            "--event-pattern",
            pattern.to_str().unwrap_or_default(),
            "--tracing",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let main = read(&dir.join("main.tf"));
    assert!(
        main.contains("resource \"aws_sfn_state_machine\" \"this\""),
        "{main}"
    );
    assert!(
        main.contains("file(\"${path.module}/sample.asl.json\")"),
        "{main}"
    );
    assert!(
        main.contains("resource \"aws_cloudwatch_event_rule\""),
        "{main}"
    );
    assert!(main.contains("tracing_configuration"), "{main}");
}

#[test]
fn existing_files_are_kept_unless_force() {
    let dir = scratch("overwrite");
    std::fs::create_dir_all(&dir).ok();
    std::fs::write(dir.join("template.yaml"), "mine\n").ok();
    let output = export("sam", &dir, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("already exists"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        read(&dir.join("template.yaml")),
        "mine\n",
        "the user's file is untouched"
    );
    assert!(
        !dir.join("sample.asl.json").exists(),
        "nothing is written when one file exists"
    );
    let forced = export("sam", &dir, &["--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(read(&dir.join("template.yaml")).contains("AWS::Serverless::StateMachine"));
}

#[test]
fn a_bad_schedule_expression_is_refused_with_the_reason() {
    let dir = scratch("schedule");
    let output = export("cloudformation", &dir, &["--schedule", "rate(5 minute)"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("schedule `rate(5 minute)`") && message.contains("plural"),
        "{message}"
    );
    assert!(!dir.join("template.yaml").exists());
}

#[test]
fn a_bad_event_pattern_file_is_refused_naming_the_file_and_place() {
    let dir = scratch("pattern");
    let not_json = dir.with_extension("broken.json");
    std::fs::write(&not_json, "{\"source\": [\"aws.s3\"").ok();
    let output = export(
        "terraform",
        &dir,
        &["--event-pattern", not_json.to_str().unwrap_or_default()],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("broken.json:1:"),
        "{}",
        stderr(&output)
    );

    let bare_value = dir.with_extension("bare.json");
    std::fs::write(&bare_value, r#"{"source": "aws.s3"}"#).ok();
    let output = export(
        "terraform",
        &dir,
        &["--event-pattern", bare_value.to_str().unwrap_or_default()],
    );
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("bare.json: event pattern /source: the value must be a list"),
        "{message}"
    );
    assert!(!dir.join("main.tf").exists());
}
