//! The designer driven as a user would, through egui_kittest: widgets are found by their
//! accessible names, clicked and typed into; the document, the code view and exported files are
//! checked against expectations.

use std::path::{Path, PathBuf};

use asl_studio::files::{FileStore, MemoryFiles, ScriptedDialogs};
use asl_studio::{StartSource, StudioApp};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

mod common;

use common::designer::{click_in_view, designer, pick};

fn app_harness(source: StartSource) -> Harness<'static, StudioApp> {
    designer(source, [1400.0, 860.0])
}

/// The designer opened on `source`, after its first frame.
fn opened(source: StartSource) -> Harness<'static, StudioApp> {
    let mut harness = app_harness(source);
    harness.run();
    harness
}

/// Clicks the button (or state on the canvas) of that name.
fn click_button(harness: &mut Harness<'_, StudioApp>, name: &str) {
    harness.get_by_role_and_label(Role::Button, name).click();
    harness.run();
}

/// Presses a key.
fn press(harness: &mut Harness<'_, StudioApp>, key: egui::Key) {
    harness.key_press(key);
    harness.run();
}

/// Presses a key with Ctrl (Cmd on macOS).
fn press_command(harness: &mut Harness<'_, StudioApp>, key: egui::Key) {
    harness.key_press_modifiers(egui::Modifiers::COMMAND, key);
    harness.run();
}

fn names(harness: &Harness<'_, StudioApp>) -> Vec<String> {
    harness
        .state()
        .document()
        .root()
        .state_names()
        .map(str::to_owned)
        .collect()
}

/// Replaces the text of a focused text field: select all, then type.
fn retype(harness: &mut Harness<'_, StudioApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    press_command(harness, egui::Key::A);
    harness.get_by_label(label).type_text(text);
    harness.run();
}

fn commit(harness: &mut Harness<'_, StudioApp>) {
    press(harness, egui::Key::Enter);
}

fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("asl-studio-ui-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Exports the document through File > Export as ASL JSON, answering the (scripted) save dialog
/// with `target`, and returns what was written.
fn export_asl_json(harness: &mut Harness<'_, StudioApp>, target: &Path) -> String {
    harness.state_mut().set_dialogs(Box::new(ScriptedDialogs {
        open_answers: Vec::new(),
        save_answers: vec![target.to_path_buf()],
        ..ScriptedDialogs::default()
    }));
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label_contains("Export as ASL JSON").click();
    harness.run();
    std::fs::read_to_string(target).expect("the export was written")
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/corpus/real")
}

#[test]
fn the_sample_opens_valid_with_every_state_on_the_canvas() {
    let harness = opened(StartSource::Sample);
    let app = harness.state();
    assert_eq!(
        names(&harness),
        [
            "DownloadFile",
            "TransformFile",
            "NotifyFailure",
            "Cleanup",
            "DidTransformFail",
            "PipelineFailed",
            "PipelineSucceeded"
        ]
    );
    let errors: Vec<_> = app
        .diagnostics()
        .iter()
        .filter(|d| d.severity == graph_model::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(app.window_title(), "etl-pipeline.asl.json — ASL Studio");
    for name in [
        "DownloadFile",
        "TransformFile",
        "NotifyFailure",
        "Cleanup",
        "PipelineFailed",
    ] {
        harness.get_by_role_and_label(Role::Button, name);
    }
    // Both the success path and the failure path reach Cleanup.
    let root = harness.state().document().root();
    let transform = root.state("TransformFile").expect("in the sample");
    assert_eq!(transform.next.as_deref(), Some("Cleanup"));
    assert_eq!(
        root.state("NotifyFailure").and_then(|s| s.next.as_deref()),
        Some("Cleanup")
    );
}

#[test]
fn build_a_workflow_edit_it_everywhere_undo_copy_paste_and_export() {
    let mut harness = opened(StartSource::Empty);
    // The code view beside the canvas, so the inspector and the code are both on screen.
    harness.state_mut().show_code = true;
    harness.run();

    // Build from the palette: each click adds after the selection and links it.
    harness.get_by_label("Add Pass").click();
    harness.run();
    assert_eq!(names(&harness), ["Pass"]);

    // Rename inline with F2.
    press(&mut harness, egui::Key::F2);
    retype(&mut harness, "New name", "Prepare");
    commit(&mut harness);
    assert_eq!(names(&harness), ["Prepare"]);

    harness.get_by_label("Add Wait").click();
    harness.run();
    harness.get_by_label("Add Succeed").click();
    harness.run();
    assert_eq!(names(&harness), ["Prepare", "Wait", "Succeed"]);
    let root = harness.state().document().root();
    assert_eq!(
        root.state("Prepare").and_then(|s| s.next.as_deref()),
        Some("Wait")
    );
    assert_eq!(
        root.state("Wait").and_then(|s| s.next.as_deref()),
        Some("Succeed")
    );

    // Edit a field in the inspector: select Wait on the canvas, change Seconds.
    click_button(&mut harness, "Wait");
    retype(&mut harness, "Seconds", "10");
    commit(&mut harness);
    let seconds = |h: &Harness<'_, StudioApp>| {
        h.state().document().root().to_value()["States"]["Wait"]["Seconds"].clone()
    };
    assert_eq!(seconds(&harness), 10);

    // Edit in the code view: the text follows the document, and a valid edit flows back.
    let code = harness.state().code_text().to_owned();
    assert!(code.contains("\"Seconds\": 10"), "{code}");
    let edited = code.replacen(
        "\"Comment\": \"A new state machine\"",
        "\"Comment\": \"Prepare, wait, done\"",
        1,
    );
    assert_ne!(edited, code);
    retype(&mut harness, "ASL text", &edited);
    assert_eq!(
        harness.state().document().root().comment.as_deref(),
        Some("Prepare, wait, done")
    );

    // Undo and redo across code, inspector and canvas edits (Escape leaves the text first, so
    // the keys go to the designer, not to the text field's own undo).
    press(&mut harness, egui::Key::Escape);
    press_command(&mut harness, egui::Key::Z);
    assert_eq!(
        harness.state().document().root().comment.as_deref(),
        Some("A new state machine")
    );
    press_command(&mut harness, egui::Key::Z);
    assert_eq!(seconds(&harness), 5);
    harness.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    harness.run();
    assert_eq!(seconds(&harness), 10);
    press_command(&mut harness, egui::Key::Y);
    assert_eq!(
        harness.state().document().root().comment.as_deref(),
        Some("Prepare, wait, done")
    );

    // Copy the Wait state as ASL JSON through the clipboard, then paste it.
    click_button(&mut harness, "Wait");
    harness.event(egui::Event::Copy);
    harness.step();
    let copied = harness
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        });
    let copied = copied.expect("copy puts text on the system clipboard");
    harness.run();
    let fragment: serde_json::Value =
        serde_json::from_str(&copied).expect("the clipboard holds ASL JSON");
    assert_eq!(fragment["States"]["Wait"]["Seconds"], 10);
    harness.event(egui::Event::Paste(copied));
    harness.run();
    assert_eq!(names(&harness).len(), 4, "{:?}", names(&harness));

    // Export as ASL JSON to a file chosen in the (scripted) save dialog, and compare.
    let dir = temp_dir("export");
    let text = export_asl_json(&mut harness, &dir.join("built.asl.json"));
    let expected_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/built.asl.json");
    if std::env::var_os("UPDATE_EXPECTED").is_some() {
        std::fs::write(&expected_path, &text).expect("write expected");
    }
    let expected = std::fs::read_to_string(&expected_path).expect("expected file");
    assert_eq!(text, expected);
    assert!(
        harness.state().window_title().contains('*'),
        "an export is not a save"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn text_with_errors_never_blocks_and_a_fix_is_one_undoable_step() {
    let mut harness = opened(StartSource::Sample);
    harness.state_mut().show_code = true;
    harness.run();
    let before = harness.state().document().revision();
    let broken = harness
        .state()
        .code_text()
        .replacen("\"StartAt\"", "\"StartAt\" ", 1)
        .replacen("{", "{{", 1);
    retype(&mut harness, "ASL text", &broken);
    // The canvas keeps the last valid graph; the typed text is kept as is.
    assert_eq!(harness.state().document().revision(), before);
    assert_eq!(harness.state().code_text(), broken);
    harness.get_by_label_contains("code view:");
    let fixed = broken
        .replacen("{{", "{", 1)
        .replacen("\"Cleanup\"", "\"CleanUp\"", 100);
    retype(&mut harness, "ASL text", &fixed);
    assert!(harness.state().document().root().contains("CleanUp"));
    press(&mut harness, egui::Key::Escape);
    press_command(&mut harness, egui::Key::Z);
    assert!(harness.state().document().root().contains("Cleanup"));
}

#[test]
fn clicking_a_problem_selects_its_state() {
    let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}, "B": {"Type": "Succeed"}}}"#;
    let mut harness = opened(StartSource::Text {
        name: "broken.asl.json".to_owned(),
        text: text.to_owned(),
    });
    let diagnostic = harness
        .state()
        .diagnostics()
        .iter()
        .find(|d| d.pointer == "/States/A/Next")
        .cloned()
        .expect("a missing transition target is reported at its field");
    harness.get_by_label_contains(&diagnostic.message).click();
    harness.run();
    let selected: Vec<_> = harness
        .state()
        .selection()
        .states
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(selected, ["A"]);
}

#[test]
fn closing_with_unsaved_changes_asks_first() {
    let mut harness = opened(StartSource::Sample);
    click_button(&mut harness, "Cleanup");
    press(&mut harness, egui::Key::Delete);
    assert!(!harness.state().document().root().contains("Cleanup"));
    assert!(
        harness
            .state()
            .window_title()
            .starts_with("etl-pipeline.asl.json*")
    );
    harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    harness.run();
    harness.get_by_label("Unsaved changes");
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(harness.query_by_label("Unsaved changes").is_none());
}

#[test]
fn every_real_corpus_file_opens_without_a_panic() {
    let mut harness = opened(StartSource::Empty);
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![corpus_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() > 250, "found {} files", files.len());
    let mut opened = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("utf-8 corpus file");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("x.json")
            .to_owned();
        *harness.state_mut() = StudioApp::with_platform(
            None,
            StartSource::Text { name, text },
            Box::new(MemoryFiles::default()),
            Box::new(ScriptedDialogs::default()),
        );
        harness.run_steps(2);
        if harness.state().document().root().total_states() > 0 {
            opened += 1;
        }
    }
    assert_eq!(
        opened,
        files.len(),
        "every real definition opens with its states"
    );
}

#[test]
fn the_sample_canvas_looks_the_same() {
    let mut harness = app_harness(StartSource::Sample);
    harness.state_mut().show_code = false;
    harness.run();
    harness.snapshot("sample_light");
}

/// Memory files with a recovery file, as the desktop keeps one in the OS data folder.
struct MemoryWithRecovery(MemoryFiles);

impl FileStore for MemoryWithRecovery {
    fn read_text(&self, path: &Path) -> std::io::Result<String> {
        self.0.read_text(path)
    }
    fn write_atomic(&self, path: &Path, text: &str) -> std::io::Result<()> {
        self.0.write_atomic(path, text)
    }
    fn remove(&self, path: &Path) -> std::io::Result<()> {
        self.0.remove(path)
    }
    fn recovery_path(&self) -> Option<PathBuf> {
        Some(PathBuf::from("/recovery.json"))
    }
}

#[test]
fn work_left_in_the_recovery_file_is_offered_at_start() {
    let files = MemoryFiles::default();
    let record = serde_json::json!({
        "name": "orders.asl.json",
        "definition": {"StartAt": "Charge", "States": {"Charge": {"Type": "Pass", "End": true}}}
    });
    files
        .write_atomic(Path::new("/recovery.json"), &record.to_string())
        .expect("memory write");
    let mut harness = Harness::builder()
        .with_size([1400.0, 860.0])
        .allow_missing_glyphs()
        .build_eframe(move |cc| {
            StudioApp::with_platform(
                Some(cc),
                StartSource::Sample,
                Box::new(MemoryWithRecovery(files)),
                Box::new(ScriptedDialogs::default()),
            )
        });
    harness.run();
    harness.get_by_label("Recover unsaved work?");
    harness.get_by_label("Recover").click();
    harness.run();
    assert_eq!(names(&harness), ["Charge"]);
}

#[test]
fn save_writes_the_file_and_clears_the_unsaved_mark() {
    let dir = temp_dir("save");
    let target = dir.join("etl.asl.json");
    let mut harness = opened(StartSource::Sample);
    click_button(&mut harness, "NotifyFailure");
    retype(&mut harness, "Comment", "Tell the team");
    commit(&mut harness);
    assert!(harness.state().window_title().contains('*'));
    harness.state_mut().set_dialogs(Box::new(ScriptedDialogs {
        open_answers: Vec::new(),
        save_answers: vec![target.clone()],
        ..ScriptedDialogs::default()
    }));
    // The sample has no file yet, so Ctrl+S asks where to save.
    press_command(&mut harness, egui::Key::S);
    assert_eq!(harness.state().file_path(), Some(target.as_path()));
    assert!(!harness.state().window_title().contains('*'));
    let saved = std::fs::read_to_string(&target).expect("saved");
    let value: serde_json::Value = serde_json::from_str(&saved).expect("JSON");
    assert_eq!(value["States"]["NotifyFailure"]["Comment"], "Tell the team");
    // Untouched states keep the sample's own text.
    assert!(saved.contains(
        "\"Comment\": \"A Lambda function fetches the source file into the staging bucket.\""
    ));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn selected(harness: &Harness<'_, StudioApp>) -> Vec<String> {
    harness
        .state()
        .selection()
        .states
        .iter()
        .map(|s| s.name.clone())
        .collect()
}

#[test]
fn find_the_command_palette_and_arrow_keys_move_around() {
    let mut harness = opened(StartSource::Sample);

    // Ctrl+F finds a state by its resource.
    press_command(&mut harness, egui::Key::F);
    harness.get_by_label("Find").type_text("glue:startJobRun");
    harness.run();
    commit(&mut harness);
    assert_eq!(selected(&harness), ["TransformFile"]);

    // Arrows follow transitions (down/up) and document order (left/right).
    press(&mut harness, egui::Key::Escape);
    press(&mut harness, egui::Key::ArrowDown);
    assert_eq!(selected(&harness), ["Cleanup"]);
    press(&mut harness, egui::Key::ArrowLeft);
    assert_eq!(selected(&harness), ["NotifyFailure"]);

    // Ctrl+K lists every action; Enter runs the first match.
    press_command(&mut harness, egui::Key::K);
    harness.get_by_label("Command").type_text("history");
    harness.run();
    commit(&mut harness);
    harness.get_by_label("Opened");
}

#[test]
fn the_sample_with_code_view_looks_the_same_in_dark() {
    let mut harness = Harness::builder()
        .with_size([1100.0, 640.0])
        .with_theme(egui::Theme::Dark)
        .allow_missing_glyphs()
        .build_eframe(|cc| {
            StudioApp::with_platform(
                Some(cc),
                StartSource::Sample,
                Box::new(MemoryFiles::default()),
                Box::new(ScriptedDialogs::default()),
            )
        });
    harness.state_mut().show_code = true;
    harness.run();
    // Selecting a state highlights and scrolls to its text.
    click_button(&mut harness, "Cleanup");
    harness.snapshot("sample_dark_code");
}

#[test]
fn the_sidecar_keeps_simulator_inputs_next_to_the_definition_not_in_it() {
    let dir = temp_dir("sidecar");
    let target = dir.join("etl.asl.json");
    let mut harness = opened(StartSource::Sample);
    let input = r#"{"source": "s3://landing/today.csv"}"#;
    harness.state_mut().simulator_mut().set_input_text(input);
    harness.state_mut().set_dialogs(Box::new(ScriptedDialogs {
        open_answers: Vec::new(),
        save_answers: vec![target.clone()],
        ..ScriptedDialogs::default()
    }));
    press_command(&mut harness, egui::Key::S);
    let saved = std::fs::read_to_string(&target).expect("saved");
    assert!(!saved.contains("today.csv"), "the ASL stays clean");
    let sidecar = std::fs::read_to_string(dir.join("etl.asl.json.layout.json"))
        .expect("a sidecar next to the definition");
    assert!(sidecar.contains("today.csv"), "{sidecar}");

    let reopened = opened(StartSource::File(target.clone()));
    assert_eq!(reopened.state().simulator().input_text(), input);
    let _ = std::fs::remove_dir_all(&dir);
}

fn state_value(harness: &Harness<'_, StudioApp>, name: &str) -> serde_json::Value {
    harness.state().document().root().to_value()["States"][name].clone()
}

#[test]
fn f2_renames_in_place_over_the_state_and_every_reference_follows() {
    let mut harness = opened(StartSource::Sample);
    click_button(&mut harness, "Cleanup");
    press(&mut harness, egui::Key::F2);

    // The field sits over the state on the canvas, focused, its text selected: typing replaces it.
    let node = harness
        .get_by_role_and_label(Role::Button, "Cleanup")
        .rect();
    let field = harness.get_by_label("New name");
    assert!(field.is_focused());
    assert!(
        node.contains(field.rect().center()),
        "{node:?} {:?}",
        field.rect()
    );
    assert!(
        harness.query_by_label("Rename state").is_none(),
        "no popup window"
    );
    harness
        .get_by_label("New name")
        .type_text("RemoveStagedFile");
    harness.run();
    commit(&mut harness);

    assert!(harness.query_by_label("New name").is_none());
    assert!(names(&harness).contains(&"RemoveStagedFile".to_owned()));
    assert!(!names(&harness).contains(&"Cleanup".to_owned()));
    assert_eq!(
        state_value(&harness, "TransformFile")["Next"],
        "RemoveStagedFile"
    );
    assert_eq!(
        state_value(&harness, "NotifyFailure")["Next"],
        "RemoveStagedFile"
    );
    let code = harness.state().code_text().to_owned();
    assert!(code.contains("\"RemoveStagedFile\": {"), "{code}");
    assert!(!code.contains("\"Cleanup\""), "{code}");
    assert_eq!(selected(&harness), ["RemoveStagedFile"]);

    // One undo step puts the name and every reference back.
    press_command(&mut harness, egui::Key::Z);
    assert_eq!(state_value(&harness, "TransformFile")["Next"], "Cleanup");
    assert_eq!(state_value(&harness, "NotifyFailure")["Next"], "Cleanup");
    assert!(harness.state().code_text().contains("\"Cleanup\": {"));
}

#[test]
fn escape_cancels_a_rename_and_taken_or_empty_names_are_refused_at_the_field() {
    let mut harness = opened(StartSource::Sample);
    let before = harness.state().document().root().to_value();
    let revision = harness.state().document().revision();

    // Double-click opens the same field; Escape leaves everything as it was.
    click_button(&mut harness, "TransformFile");
    press(&mut harness, egui::Key::F2);
    harness.get_by_label("New name").type_text("Renamed");
    harness.run();
    press(&mut harness, egui::Key::Escape);
    assert!(harness.query_by_label("New name").is_none());
    assert_eq!(harness.state().document().root().to_value(), before);

    // A name another state has: refused, the reason at the field, the document unchanged.
    press(&mut harness, egui::Key::F2);
    harness.get_by_label("New name").type_text("Cleanup");
    harness.run();
    commit(&mut harness);
    harness.get_by_label_contains("already named \"Cleanup\"");
    assert!(harness.get_by_label("New name").is_focused());
    assert_eq!(harness.state().document().revision(), revision);
    assert_eq!(harness.state().document().root().to_value(), before);

    // Empty: refused too. Then a good name goes through from the same field.
    retype(&mut harness, "New name", "");
    press(&mut harness, egui::Key::Backspace);
    commit(&mut harness);
    harness.get_by_label_contains("needs a name");
    assert_eq!(harness.state().document().root().to_value(), before);
    harness.get_by_label("New name").type_text("Transform");
    harness.run();
    commit(&mut harness);
    assert!(harness.query_by_label("New name").is_none());
    assert_eq!(state_value(&harness, "DownloadFile")["Next"], "Transform");

    // The inspector's Name field refuses a taken name the same way, saying why under it.
    let before = harness.state().document().root().to_value();
    retype(&mut harness, "Name", "Cleanup");
    commit(&mut harness);
    let field = harness.get_by_label("Name").rect();
    assert!(
        harness
            .query_all_by_label_contains("already named \"Cleanup\"")
            .any(|n| (n.rect().top() - field.bottom()).abs() < 24.0),
        "the reason shows under the Name field"
    );
    assert_eq!(harness.state().document().root().to_value(), before);
}

/// A JSONPath machine with a Choice routing orders by five rules.
const ORDER_ROUTER: &str = include_str!("data/order-router.asl.json");

#[test]
fn choice_rules_are_built_edited_and_reordered_through_the_form() {
    let mut harness = opened(StartSource::Text {
        name: "router.asl.json".to_owned(),
        text: ORDER_ROUTER.to_owned(),
    });
    click_button(&mut harness, "Route");
    let rules = |h: &Harness<'_, StudioApp>| state_value(h, "Route")["Choices"].clone();
    let original = rules(&harness);

    // A new rule through the form: Add rule, pick the operator, type the value, pick Next.
    click_in_view(&mut harness, Role::Button, "Add rule");
    assert_eq!(rules(&harness).as_array().map(Vec::len), Some(6));
    retype(&mut harness, "Rule 6 Variable", "$.order.items");
    commit(&mut harness);
    pick(&mut harness, "Rule 6 operator", "NumericLessThanEquals");
    retype(&mut harness, "Rule 6 value", "3");
    commit(&mut harness);
    pick(&mut harness, "Rule 6 Next", "ShipExpress");
    assert_eq!(
        rules(&harness)[5],
        serde_json::json!({"Variable": "$.order.items", "NumericLessThanEquals": 3, "Next": "ShipExpress"})
    );
    // A value of the wrong type is kept as typed and the reason shows at the field.
    retype(&mut harness, "Rule 6 value", "three");
    commit(&mut harness);
    assert_eq!(rules(&harness)[5]["NumericLessThanEquals"], "three");
    let field = harness.get_by_label("Rule 6 value").rect();
    assert!(
        harness
            .query_all_by_label_contains("must be a number, found the string \"three\"")
            .any(|n| (n.rect().top() - field.bottom()).abs() < 24.0),
        "the reason shows under the field"
    );
    retype(&mut harness, "Rule 6 value", "3");
    commit(&mut harness);

    // Nesting: rule 2 becomes an Or of its comparison and a new one.
    pick(&mut harness, "Rule 2 test", "Or");
    click_in_view(&mut harness, Role::Button, "Add condition to Rule 2");
    retype(&mut harness, "Rule 2.2 Variable", "$.order.country");
    commit(&mut harness);
    retype(&mut harness, "Rule 2.2 value", "CA");
    commit(&mut harness);
    assert_eq!(
        rules(&harness)[1],
        serde_json::json!({"Or": [
            {"Variable": "$.order.country", "StringEquals": "US"},
            {"Variable": "$.order.country", "StringEquals": "CA"}
        ], "Next": "ShipDomestic"})
    );

    // Reorder: rule 5 (with its unknown member) moves up; the member survives.
    click_in_view(&mut harness, Role::Button, "Move rule 5 up");
    assert_eq!(rules(&harness)[3]["Next"], "Archive");
    assert_eq!(
        rules(&harness)[3]["XVendorNote"],
        serde_json::json!({"kept": true})
    );
    assert_eq!(rules(&harness)[4]["Next"], "AwaitPayment");
    pick(&mut harness, "Default", "ManualReview");
    assert_eq!(state_value(&harness, "Route")["Default"], "ManualReview");

    // The exported ASL is what the form says.
    let dir = temp_dir("choice-form");
    let text = export_asl_json(&mut harness, &dir.join("router.asl.json"));
    let asl: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(asl["States"]["Route"]["Choices"], rules(&harness));
    assert_eq!(
        asl["States"]["Route"]["Choices"][5]["NumericLessThanEquals"],
        3
    );
    let _ = std::fs::remove_dir_all(&dir);

    // Each change was one undo step: undo them all and the rules are as they were.
    assert_eq!(harness.state().document().history_cursor(), 13);
    for _ in 0..13 {
        press_command(&mut harness, egui::Key::Z);
    }
    assert_eq!(harness.state().document().history_cursor(), 0);
    assert_eq!(rules(&harness), original);
}

#[test]
fn double_click_and_the_context_menu_rename_in_place_too() {
    let mut harness = opened(StartSource::Sample);
    // Right-click, Rename: the same field over the state.
    harness
        .get_by_role_and_label(Role::Button, "NotifyFailure")
        .click_secondary();
    harness.run();
    click_button(&mut harness, "Rename");
    let node = harness
        .get_by_role_and_label(Role::Button, "NotifyFailure")
        .rect();
    assert!(node.contains(harness.get_by_label("New name").rect().center()));
    harness.get_by_label("New name").type_text("Notify");
    harness.run();
    // A click elsewhere on the canvas commits.
    click_button(&mut harness, "DownloadFile");
    assert!(harness.query_by_label("New name").is_none());
    let catch_next = &state_value(&harness, "TransformFile")["Catch"][0]["Next"];
    assert_eq!(catch_next, "Notify");

    // Double-click the state's name.
    let center = harness
        .get_by_role_and_label(Role::Button, "Cleanup")
        .rect()
        .center();
    // The test clock moves a quarter second per event, so the two clicks (four events) are half
    // a second apart: a user's double-click is quicker.
    harness
        .ctx
        .options_mut(|o| o.input_options.max_double_click_delay = 0.6);
    harness.event(egui::Event::PointerMoved(center));
    for _ in 0..2 {
        for pressed in [true, false] {
            harness.event(egui::Event::PointerButton {
                pos: center,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: egui::Modifiers::NONE,
            });
        }
    }
    harness.run();
    assert!(harness.get_by_label("New name").is_focused());
    press(&mut harness, egui::Key::Escape);
    assert!(harness.query_by_label("New name").is_none());
}

#[test]
fn a_cut_edge_label_shows_its_whole_condition_on_hover() {
    let mut harness = opened(StartSource::Text {
        name: "router.asl.json".to_owned(),
        text: ORDER_ROUTER.to_owned(),
    });
    let full = "$.order.express is present && $.order.express == true";
    let labels = harness.state().canvas().edge_label_rects();
    assert_eq!(labels.len(), 6, "{labels:?}");
    let (_, rect) = labels
        .iter()
        .find(|(text, _)| text == full)
        .expect("the And rule's label");
    assert!(harness.query_by_label(full).is_none());
    harness.event(egui::Event::PointerMoved(rect.center()));
    harness.run();
    harness.get_by_label(full);
}

#[test]
fn a_jsonata_rule_is_edited_as_a_condition() {
    let mut harness = opened(StartSource::Text {
        name: "jsonata.asl.json".to_owned(),
        text: r#"{
          "QueryLanguage": "JSONata",
          "StartAt": "Check",
          "States": {
            "Check": {"Type": "Choice", "Choices": [
              {"Condition": "{% $states.input.n > 1 %}", "Next": "Big"}
            ], "Default": "Small"},
            "Big": {"Type": "Succeed"},
            "Small": {"Type": "Succeed"}
          }
        }"#
        .to_owned(),
    });
    click_button(&mut harness, "Check");
    assert!(harness.query_by_label("Rule 1 Variable").is_none());
    retype(
        &mut harness,
        "Rule 1 Condition",
        "{% $states.input.n > 10 %}",
    );
    commit(&mut harness);
    assert_eq!(
        state_value(&harness, "Check")["Choices"][0],
        serde_json::json!({"Condition": "{% $states.input.n > 10 %}", "Next": "Big"})
    );
}

/// The label of the last undo step.
fn last_step(harness: &Harness<'_, StudioApp>) -> String {
    let doc = harness.state().document();
    doc.history()[..doc.history_cursor()]
        .last()
        .map(|entry| entry.label.clone())
        .unwrap_or_default()
}

#[test]
fn the_inspectors_catcher_buttons_are_named_in_the_undo_history() {
    let mut harness = opened(StartSource::Sample);
    click_button(&mut harness, "NotifyFailure");
    assert!(
        state_value(&harness, "NotifyFailure")
            .get("Catch")
            .is_none()
    );

    click_in_view(&mut harness, Role::Button, "Add catcher");
    assert_eq!(last_step(&harness), "Add catcher to \"NotifyFailure\"");
    assert_eq!(
        state_value(&harness, "NotifyFailure")["Catch"][0]["ErrorEquals"],
        serde_json::json!(["States.ALL"])
    );

    // Removing the only catcher drops the Catch member, as the form always did.
    click_in_view(&mut harness, Role::Button, "Remove catcher 1");
    assert_eq!(last_step(&harness), "Remove catcher 0 of \"NotifyFailure\"");
    assert!(
        state_value(&harness, "NotifyFailure")
            .get("Catch")
            .is_none()
    );
    press_command(&mut harness, egui::Key::Z);
    assert_eq!(
        state_value(&harness, "NotifyFailure")["Catch"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[test]
fn a_palette_state_added_after_the_selection_is_an_insert_in_the_undo_history() {
    let mut harness = opened(StartSource::Empty);
    harness.get_by_label("Add Pass").click();
    harness.run();
    assert_eq!(last_step(&harness), "Add \"Pass\"");
    harness.get_by_label("Add Wait").click();
    harness.run();
    assert_eq!(last_step(&harness), "Insert \"Wait\" after \"Pass\"");
    assert_eq!(state_value(&harness, "Pass")["Next"], "Wait");
    assert_eq!(state_value(&harness, "Wait")["End"], true);
    // One undo takes the Wait out and gives Pass its End back.
    press_command(&mut harness, egui::Key::Z);
    assert_eq!(names(&harness), ["Pass"]);
    assert_eq!(state_value(&harness, "Pass")["End"], true);
}
