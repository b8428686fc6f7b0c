//! The designer's Problems panel and the warning rules: a Lambda invoke without a Retry is a
//! warning with a Fix button that adds the recommended retrier as one undo step, and an
//! `asl-studio.toml` next to the file turns the rule off.

use std::path::{Path, PathBuf};

use asl_studio::files::{FileStore, ScriptedDialogs};
use asl_studio::{StartSource, StudioApp};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

mod common;

use common::designer::pick;

/// The disk, without the recovery file (a real one must not leak into a test).
struct DiskWithoutRecovery;

impl FileStore for DiskWithoutRecovery {
    fn read_text(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
    fn write_atomic(&self, path: &Path, text: &str) -> std::io::Result<()> {
        std::fs::write(path, text)
    }
    fn remove(&self, _path: &Path) -> std::io::Result<()> {
        Ok(())
    }
    fn recovery_path(&self) -> Option<PathBuf> {
        None
    }
}

fn open(path: &Path) -> Harness<'static, StudioApp> {
    let source = StartSource::File(path.to_path_buf());
    let mut harness = Harness::builder()
        .with_size([1600.0, 900.0])
        .with_theme(egui::Theme::Light)
        .allow_missing_glyphs()
        .build_eframe(|cc| {
            StudioApp::with_platform(
                Some(cc),
                source,
                Box::new(DiskWithoutRecovery),
                Box::new(ScriptedDialogs::default()),
            )
        });
    harness.run();
    harness
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
    let dir = std::env::temp_dir().join(format!(
        "asl-studio-designer-lint-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap_or_else(|error| panic!("{file}: {error}"));
    }
    dir
}

fn codes(harness: &Harness<'_, StudioApp>) -> Vec<String> {
    harness
        .state()
        .diagnostics()
        .iter()
        .map(|d| d.code.clone())
        .collect()
}

#[test]
fn the_fix_button_adds_the_lambda_retry_as_one_undo_step() {
    let dir = folder("fix", &[("charge.asl.json", LAMBDA_WITHOUT_RETRY)]);
    let mut harness = open(&dir.join("charge.asl.json"));
    assert_eq!(codes(&harness), ["LAMBDA_RETRY"]);
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
    assert_eq!(codes(&harness), Vec::<String>::new());
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
    assert_eq!(codes(&harness), Vec::<String>::new());
}

#[test]
fn the_palette_distributed_map_is_valid_and_its_reader_and_writer_are_edited_in_the_form() {
    let mut harness = Harness::builder()
        .with_size([1600.0, 1400.0])
        .with_theme(egui::Theme::Light)
        .allow_missing_glyphs()
        .build_eframe(|cc| {
            StudioApp::with_platform(
                Some(cc),
                StartSource::Empty,
                Box::new(DiskWithoutRecovery),
                Box::new(ScriptedDialogs::default()),
            )
        });
    harness.run();
    harness.get_by_label("Add Distributed Map").click();
    harness.run();
    assert_eq!(codes(&harness), Vec::<String>::new());
    pick(&mut harness, "ReaderConfig CSVDelimiter", "SEMICOLON");
    pick(&mut harness, "WriterConfig OutputType", "JSONL");
    let state = harness.state().document().root().to_value()["States"]["DistributedMap"].clone();
    assert_eq!(
        state["ItemReader"]["ReaderConfig"],
        serde_json::json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": "SEMICOLON"})
    );
    assert_eq!(state["ResultWriter"]["WriterConfig"]["OutputType"], "JSONL");
    assert_eq!(codes(&harness), Vec::<String>::new());
}

#[test]
fn the_http_task_form_edits_method_and_endpoint_in_parameters() {
    let mut harness = Harness::builder()
        .with_size([1600.0, 1400.0])
        .with_theme(egui::Theme::Light)
        .allow_missing_glyphs()
        .build_eframe(|cc| {
            StudioApp::with_platform(
                Some(cc),
                StartSource::Empty,
                Box::new(DiskWithoutRecovery),
                Box::new(ScriptedDialogs::default()),
            )
        });
    harness.run();
    harness.get_by_label("Add HTTP Invoke").click();
    harness.run();
    assert_eq!(codes(&harness), Vec::<String>::new());
    pick(&mut harness, "Method", "POST");
    let parameters =
        harness.state().document().root().to_value()["States"]["HTTPInvoke"]["Parameters"].clone();
    assert_eq!(parameters["Method"], "POST");
    assert_eq!(parameters["ApiEndpoint"], "https://api.example.com/items");
    assert_eq!(codes(&harness), Vec::<String>::new());
}
