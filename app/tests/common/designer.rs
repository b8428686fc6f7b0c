//! The designer driven through egui_kittest, on the real disk but without the recovery file.

use std::path::{Path, PathBuf};

use asl_studio::files::{FileStore, NativeFiles, ScriptedDialogs};
use asl_studio::{StartSource, StudioApp};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The disk, without the recovery file (a real one from a crashed session must not leak into a
/// test, nor a test's into the user's next session).
pub struct DiskWithoutRecovery;

impl FileStore for DiskWithoutRecovery {
    fn read_text(&self, path: &Path) -> std::io::Result<String> {
        NativeFiles.read_text(path)
    }
    fn write_atomic(&self, path: &Path, text: &str) -> std::io::Result<()> {
        NativeFiles.write_atomic(path, text)
    }
    fn remove(&self, path: &Path) -> std::io::Result<()> {
        NativeFiles.remove(path)
    }
    fn recovery_path(&self) -> Option<PathBuf> {
        None
    }
}

/// The designer on `source` in a window of `size` (light theme, scripted dialogs), before its
/// first frame.
pub fn designer(source: StartSource, size: [f32; 2]) -> Harness<'static, StudioApp> {
    designer_with_dialogs(source, size, ScriptedDialogs::default())
}

/// [`designer`] whose file dialogs give `dialogs`' answers.
pub fn designer_with_dialogs(
    source: StartSource,
    size: [f32; 2],
    dialogs: ScriptedDialogs,
) -> Harness<'static, StudioApp> {
    Harness::builder()
        .with_size(size)
        .with_theme(egui::Theme::Light)
        // The canvas draws state-type icons that the bundled test fonts may not have.
        .allow_missing_glyphs()
        .build_eframe(|cc| {
            StudioApp::with_platform(
                Some(cc),
                source,
                Box::new(DiskWithoutRecovery),
                Box::new(dialogs),
            )
        })
}

/// The designer on the file at `path`, before its first frame.
pub fn designer_on_file(path: &Path, size: [f32; 2]) -> Harness<'static, StudioApp> {
    designer(StartSource::File(path.to_path_buf()), size)
}

/// [`designer`] after its first frame.
pub fn designer_shown(source: StartSource, size: [f32; 2]) -> Harness<'static, StudioApp> {
    let mut harness = designer(source, size);
    harness.run();
    harness
}

/// The codes of the findings in Problems, in order.
pub fn problem_codes(harness: &Harness<'_, StudioApp>) -> Vec<String> {
    harness
        .state()
        .diagnostics()
        .iter()
        .map(|d| d.code.clone())
        .collect()
}

/// Scrolls a widget into view, then clicks it with the pointer, as a user would.
pub fn click_in_view(harness: &mut Harness<'_, StudioApp>, role: Role, label: &str) {
    harness.get_by_role_and_label(role, label).scroll_to_me();
    harness.run();
    harness.get_by_role_and_label(role, label).click();
    harness.run();
}

/// Opens the combo box `combo` and picks `option`.
pub fn pick(harness: &mut Harness<'_, StudioApp>, combo: &str, option: &str) {
    click_in_view(harness, Role::ComboBox, combo);
    // The option inside the open list (a state of the same name is also on the canvas).
    harness
        .get_by_role(Role::ListBox)
        .get_by_role_and_label(Role::Button, option)
        .scroll_to_me();
    harness.run();
    harness
        .get_by_role(Role::ListBox)
        .get_by_role_and_label(Role::Button, option)
        .click();
    harness.run();
}

/// How long a test waits for work that a loaded machine makes slow before it calls it stuck.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(300);

/// Steps frames until `done` holds of the app, then runs until egui asks for no more repaints.
///
/// A run advances in time-boxed slices and the Tests panel's work on a worker thread, so how many
/// frames either takes depends on the machine's load: a test waits on the state it needs (never
/// on a number of frames or a sleep), and settles before it looks, so what it sees (a snapshot
/// too) does not depend on how many frames that took.
#[track_caller]
pub fn step_until(
    harness: &mut Harness<'_, StudioApp>,
    what: &str,
    done: impl Fn(&StudioApp) -> bool,
) {
    let started = std::time::Instant::now();
    // The queued input (a click, F5) is handled on this frame.
    harness.step();
    while !done(harness.state()) {
        assert!(
            started.elapsed() < PATIENCE,
            "{what} did not finish within {PATIENCE:?}"
        );
        harness.step();
    }
    harness.run();
}

/// Steps frames until the simulator's run is recorded and indexed, then until the window is
/// still.
#[track_caller]
pub fn run_until_ready(harness: &mut Harness<'_, StudioApp>) {
    step_until(harness, "the run", |app| {
        app.simulator().run_phase() == "ready"
    });
}

/// Steps frames until the Tests panel's Run all or Generate tests is over, then until the
/// window is still.
#[track_caller]
pub fn run_until_tests_done(harness: &mut Harness<'_, StudioApp>) {
    step_until(harness, "the Tests panel's work", |app| {
        !app.tests().is_busy()
    });
}

/// The bundled sample's text (app/assets/sample.asl.json).
pub fn sample_text() -> String {
    std::fs::read_to_string(super::sample()).unwrap_or_else(|e| panic!("{e}"))
}

/// The designer on the sample, without a window (no frame is drawn), its files kept in memory.
pub fn sample_app() -> StudioApp {
    StudioApp::with_platform(
        None,
        StartSource::Text {
            name: "sample.asl.json".to_owned(),
            text: sample_text(),
        },
        Box::new(asl_studio::files::MemoryFiles::default()),
        Box::new(ScriptedDialogs::default()),
    )
}
