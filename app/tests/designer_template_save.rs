//! The designer's Save for a machine opened from a template: it writes back into the template
//! (only the definition's text changes), and refuses, leaving the file alone, for a form that
//! cannot be written back.

use std::path::{Path, PathBuf};

use asl_studio::StudioApp;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use serde_json::Value;

mod common;

use common::read;

fn open(path: &Path) -> Harness<'static, StudioApp> {
    common::designer::designer_on_file(path, [1400.0, 860.0])
}

fn copy_of(test: &str, relative: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("asl-studio-save-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("{error}"));
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/corpus/templates")
        .join(relative);
    let target = dir.join(source.file_name().unwrap_or_default());
    std::fs::copy(&source, &target).unwrap_or_else(|error| panic!("{relative}: {error}"));
    target
}

/// Selects `state` on the canvas and sets its Comment, as a user does.
fn comment_on(harness: &mut Harness<'_, StudioApp>, state: &str, comment: &str) {
    harness.run();
    harness.get_by_role_and_label(Role::Button, state).click();
    harness.run();
    harness.get_by_label("Comment").focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run();
    harness.get_by_label("Comment").type_text(comment);
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();
}

fn save(harness: &mut Harness<'_, StudioApp>) {
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    harness.run();
}

#[test]
fn save_writes_a_template_machine_back_into_its_template() {
    let template = copy_of(
        "json",
        "localstack/tests__aws__cdk_templates__EventsTests__stack-events-target-stepfunctions.json",
    );
    let before = read(&template);
    let mut harness = open(&template);
    comment_on(&mut harness, "SendToQueue", "Queued by the designer");
    assert!(harness.state().window_title().contains('*'));
    save(&mut harness);
    assert!(
        !harness.state().window_title().contains('*'),
        "still unsaved"
    );
    let status = harness.state().status().unwrap_or_default().to_owned();
    assert!(
        status.contains("MyStateMachine6C968CA5") && status.contains("Fn::Sub"),
        "{status}"
    );
    let after = read(&template);
    let source = asl_codec::SourceFile::parse(after.as_str(), asl_codec::Format::Json)
        .unwrap_or_else(|error| panic!("{error}"));
    let machines = asl_codec::template::extract_from_value(source.value(), None)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        machines[0].definition["States"]["SendToQueue"]["Comment"],
        Value::from("Queued by the designer")
    );
    // Everything before the machine's definition is the same bytes.
    let head = before.find("\"DefinitionString\"").unwrap_or(0);
    assert!(head > 0);
    assert_eq!(&after[..head], &before[..head]);
    let _ = std::fs::remove_dir_all(template.parent().unwrap_or(Path::new("/nonexistent")));
}

#[test]
fn save_of_a_cdk_generated_machine_writes_nothing_and_says_why() {
    let template = copy_of("cdk", "workflows-collection/scatter-gather__out.yaml");
    let before = read(&template);
    let mut harness = open(&template);
    let first = harness
        .state()
        .document()
        .root()
        .state_names()
        .next()
        .map(str::to_owned)
        .unwrap_or_default();
    comment_on(&mut harness, &first, "edited");
    save(&mut harness);
    assert_eq!(read(&template), before, "the template was written");
    assert!(harness.state().window_title().contains('*'), "marked saved");
    harness.run();
    let shown = harness
        .query_by_label_contains("DefinitionBody.fromFile")
        .is_some();
    assert!(shown, "the error does not show the CDK line");
    let _ = std::fs::remove_dir_all(template.parent().unwrap_or(Path::new("/nonexistent")));
}

#[test]
fn save_writes_a_terraform_machine_back_into_its_tf_file() {
    let dir = std::env::temp_dir().join(format!("asl-studio-save-tf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("{error}"));
    let main_tf = dir.join("main.tf");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/terraform/jsonencode/main.tf"),
        &main_tf,
    )
    .unwrap_or_else(|error| panic!("{error}"));
    let before = read(&main_tf);
    let mut harness = open(&main_tf);
    comment_on(&mut harness, "ValidateOrder", "Checked by the designer");
    save(&mut harness);
    assert!(
        !harness.state().window_title().contains('*'),
        "still unsaved: {:?}",
        harness.state().status()
    );
    let after = read(&main_tf);
    let machines =
        asl_codec::terraform::extract(&after, Some(&dir)).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        machines[0].definition["States"]["ValidateOrder"]["Comment"],
        Value::from("Checked by the designer")
    );
    // HCL outside the definition, references inside it and comments stay as written.
    let head = before.find("definition = jsonencode(").unwrap_or(0);
    assert!(head > 0);
    assert_eq!(&after[..head], &before[..head]);
    assert!(after.contains("FunctionName = aws_lambda_function.validate.arn"));
    assert!(after.contains("# Rejects malformed orders before anything is charged."));
    let _ = std::fs::remove_dir_all(&dir);
}
