//! The designer's Placeholders panel for a machine opened from a template: it lists each
//! `${...}` placeholder with its value from the template, warns about a placeholder without a
//! substitution and a substitution nothing uses, and "Add substitution" writes the missing entry
//! into the template file, every other byte kept.

use std::path::{Path, PathBuf};

use asl_studio::files::{FileStore, ScriptedDialogs};
use asl_studio::{StartSource, StudioApp};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

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
    Harness::builder()
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
        })
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
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
    let _ = std::fs::remove_dir_all(template.parent().unwrap_or(Path::new("/nonexistent")));
}
