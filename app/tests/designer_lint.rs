//! The designer's Problems panel and the warning rules: a Lambda invoke without a Retry is a
//! warning with a Fix button that adds the recommended retrier as one undo step, and an
//! `asl-studio.toml` next to the file turns the rule off.

use std::path::{Path, PathBuf};

use asl_studio::{StartSource, StudioApp};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

mod common;

use common::designer::{designer_shown, pick, problem_codes};

fn open(path: &Path) -> Harness<'static, StudioApp> {
    designer_shown(StartSource::File(path.to_path_buf()), [1600.0, 900.0])
}

const LAMBDA_WITHOUT_RETRY: &str = r#"{
  "StartAt": "Charge",
  "States": {
    "Charge": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
      "End": true
    }
  }
}
"#;

fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    common::scratch_with_files("asl-studio-designer-lint", name, files)
}

#[test]
fn the_fix_button_adds_the_lambda_retry_as_one_undo_step() {
    let dir = folder("fix", &[("charge.asl.json", LAMBDA_WITHOUT_RETRY)]);
    let mut harness = open(&dir.join("charge.asl.json"));
    assert_eq!(problem_codes(&harness), ["LAMBDA_RETRY"]);
    harness.get_by_role_and_label(Role::Button, "Fix").click();
    harness.run();
    let retry = harness.state().document().root().to_value()["States"]["Charge"]["Retry"].clone();
    assert_eq!(
        retry[0]["ErrorEquals"],
        serde_json::json!([
            "Lambda.ServiceException",
            "Lambda.AWSLambdaException",
            "Lambda.SdkClientException",
            "Lambda.TooManyRequestsException"
        ])
    );
    assert_eq!(problem_codes(&harness), Vec::<String>::new());
    assert_eq!(
        harness.state().document().undo_label(),
        Some("Add retrier to \"Charge\"")
    );
}

#[test]
fn asl_studio_toml_next_to_the_file_turns_the_rule_off_in_problems() {
    let dir = folder(
        "toml",
        &[
            ("charge.asl.json", LAMBDA_WITHOUT_RETRY),
            ("asl-studio.toml", "[lint]\ndisable = [\"LAMBDA_RETRY\"]\n"),
        ],
    );
    let harness = open(&dir.join("charge.asl.json"));
    assert_eq!(problem_codes(&harness), Vec::<String>::new());
}

#[test]
fn the_palette_distributed_map_is_valid_and_its_reader_and_writer_are_edited_in_the_form() {
    let mut harness = designer_shown(StartSource::Empty, [1600.0, 1400.0]);
    harness.get_by_label("Add Distributed Map").click();
    harness.run();
    assert_eq!(problem_codes(&harness), Vec::<String>::new());
    pick(&mut harness, "ReaderConfig CSVDelimiter", "SEMICOLON");
    pick(&mut harness, "WriterConfig OutputType", "JSONL");
    let state = harness.state().document().root().to_value()["States"]["DistributedMap"].clone();
    assert_eq!(
        state["ItemReader"]["ReaderConfig"],
        serde_json::json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": "SEMICOLON"})
    );
    assert_eq!(state["ResultWriter"]["WriterConfig"]["OutputType"], "JSONL");
    assert_eq!(problem_codes(&harness), Vec::<String>::new());
}

#[test]
fn the_http_task_form_edits_method_and_endpoint_in_parameters() {
    let mut harness = designer_shown(StartSource::Empty, [1600.0, 1400.0]);
    harness.get_by_label("Add HTTP Invoke").click();
    harness.run();
    assert_eq!(problem_codes(&harness), Vec::<String>::new());
    pick(&mut harness, "Method", "POST");
    let parameters =
        harness.state().document().root().to_value()["States"]["HTTPInvoke"]["Parameters"].clone();
    assert_eq!(parameters["Method"], "POST");
    assert_eq!(parameters["ApiEndpoint"], "https://api.example.com/items");
    assert_eq!(problem_codes(&harness), Vec::<String>::new());
}
