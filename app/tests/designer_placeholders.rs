//! The designer's Placeholders panel for a machine opened from a template: it lists each
//! `${...}` placeholder with its value from the template, warns about a placeholder without a
//! substitution and a substitution nothing uses, and "Add substitution" writes the missing entry
//! into the template file, every other byte kept.

use std::path::{Path, PathBuf};

use asl_studio::files::ScriptedDialogs;
use asl_studio::{StartSource, StudioApp};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

mod common;

use common::designer::problem_codes;
use common::read;

fn open(path: &Path) -> Harness<'static, StudioApp> {
    common::designer::designer_on_file(path, [1600.0, 900.0])
}

const REMOVED_ENTRY: &str = "          S3BucketName: !Ref DataBucket\n";

/// A copy of a corpus SAM template whose `${S3BucketName}` has lost its substitution.
fn template_missing_a_substitution() -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("asl-studio-placeholders-ui-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("{error}"));
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../tests/data/corpus/templates/stepfunctions-examples/sam__demo-video-transcription__template.yml",
    );
    let text = read(&source);
    assert!(text.contains(REMOVED_ENTRY));
    let target = dir.join("template.yml");
    std::fs::write(&target, text.replace(REMOVED_ENTRY, ""))
        .unwrap_or_else(|error| panic!("{error}"));
    target
}

#[test]
fn add_substitution_writes_the_missing_entry_into_the_template() {
    let template = template_missing_a_substitution();
    let before = read(&template);
    let mut harness = open(&template);
    harness.run();
    // Listed with its value, or the lack of one; both warnings shown.
    assert!(
        harness
            .query_by_label("${S3BucketName} = no value")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("${S3BucketName} has no substitution")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("Substitution ApplicationRoleArn is not used")
            .is_some()
    );
    // The same warnings as `asl-studio check`, in Problems.
    assert!(problem_codes(&harness).contains(&"PLACEHOLDER_WITHOUT_VALUE".to_owned()));
    assert!(problem_codes(&harness).contains(&"UNUSED_SUBSTITUTION".to_owned()));
    // An empty value is refused with a message; the file is untouched.
    harness
        .get_by_role_and_label(Role::Button, "Add substitution")
        .click();
    harness.run();
    assert!(
        harness
            .query_by_label("Type a value for S3BucketName first.")
            .is_some()
    );
    assert_eq!(read(&template), before);
    harness.get_by_label("Value for S3BucketName").focus();
    harness.run();
    harness
        .get_by_label("Value for S3BucketName")
        .type_text("my-video-bucket");
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "Add substitution")
        .click();
    harness.run();
    harness.run();

    let after = read(&template);
    let added: Vec<&str> = after
        .lines()
        .filter(|line| line.contains("S3BucketName:"))
        .collect();
    assert_eq!(added.len(), 1, "{after}");
    assert!(added[0].contains("my-video-bucket"), "{after}");
    // Everything else is byte-identical: taking the new line out gives the file as it was.
    let without = after.replacen(&format!("{}\n", added[0]), "", 1);
    assert_eq!(without, before);
    // The list now shows the value and no longer offers to add it.
    assert!(
        harness
            .query_by_label("${S3BucketName} = my-video-bucket")
            .is_some()
    );
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "Add substitution")
            .is_none()
    );
    assert!(!problem_codes(&harness).contains(&"PLACEHOLDER_WITHOUT_VALUE".to_owned()));
    assert!(problem_codes(&harness).contains(&"UNUSED_SUBSTITUTION".to_owned()));
    let _ = std::fs::remove_dir_all(template.parent().unwrap_or(Path::new("/nonexistent")));
}

/// The designer on the sample with File > Export stack… open; its folder dialog answers `folder`.
fn export_stack_on_the_sample(folder: &Path) -> Harness<'static, StudioApp> {
    let mut harness = common::designer::designer_with_dialogs(
        StartSource::Sample,
        [1600.0, 900.0],
        ScriptedDialogs {
            open_answers: Vec::new(),
            save_answers: vec![folder.to_path_buf()],
            ..ScriptedDialogs::default()
        },
    );
    harness.run();
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Export stack…").click();
    harness.run();
    harness
}

/// In the Export stack dialog: the (scripted) folder, then Export.
fn choose_folder_and_export(harness: &mut Harness<'static, StudioApp>) {
    harness.get_by_label("Choose folder…").click();
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "Export")
        .click();
    harness.run();
}

#[test]
fn export_stack_writes_a_sam_template_and_the_asl_file_into_the_chosen_folder() {
    let dir = std::env::temp_dir().join(format!("asl-studio-export-ui-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("stack");
    // A folder dialog answers with a folder that exists.
    std::fs::create_dir_all(&out).unwrap_or_else(|error| panic!("{error}"));
    let mut harness = export_stack_on_the_sample(&out);
    harness.get_by_label("Trace executions with X-Ray").click();
    harness.run();
    choose_folder_and_export(&mut harness);
    harness.run();

    let template = out.join("template.yaml");
    let text = read(&template);
    let source = asl_codec::SourceFile::parse(text.as_str(), asl_codec::Format::Yaml)
        .unwrap_or_else(|error| panic!("{error}"));
    assert!(asl_codec::template::is_template(source.value()), "{text}");
    let asl_files: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap_or_else(|error| panic!("{error}"))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.to_string_lossy().ends_with(".asl.json"))
        .collect();
    assert_eq!(asl_files.len(), 1, "no ASL file next to the template");
    let definition: serde_json::Value =
        serde_json::from_str(&read(&asl_files[0])).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        definition,
        harness.state().document().root().to_value(),
        "the ASL file is not the open definition"
    );
    assert!(
        text.contains("Tracing"),
        "the tracing switch was lost: {text}"
    );
    assert!(
        harness.query_by_label_contains("template.yaml").is_some(),
        "the dialog does not say what was written"
    );
    // A second export refuses to replace what is there, and says so.
    harness
        .get_by_role_and_label(Role::Button, "Export")
        .click();
    harness.run();
    assert!(harness.query_by_label_contains("already exist").is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn export_stack_to_terraform_as_express_writes_main_tf() {
    let dir = std::env::temp_dir().join(format!("asl-studio-export-tf-ui-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("{error}"));
    let mut harness = export_stack_on_the_sample(&dir);
    harness.get_by_label("Terraform").click();
    harness.get_by_label("Express").click();
    harness.run();
    choose_folder_and_export(&mut harness);
    let main_tf = read(&dir.join("main.tf"));
    assert!(main_tf.contains("aws_sfn_state_machine"), "{main_tf}");
    assert!(
        main_tf.contains("EXPRESS"),
        "the type switch was lost: {main_tf}"
    );
    assert!(!dir.join("template.yaml").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
