//! The first minute with the designer, at the window sizes users have (1280x800 and 1920x1080):
//! the canvas gets most of the window, the sample runs green with F5 before any click, the
//! simulator never squeezes the canvas below half the height, "fit" keeps states out from under
//! the minimap. Each view is also kept as a snapshot (app/tests/snapshots/first_minute_*.png).

use asl_studio::files::{MemoryFiles, ScriptedDialogs};
use asl_studio::{StartSource, StudioApp};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use egui_kittest::{Harness, SnapshotResults};

mod common;

use common::designer::{DiskWithoutRecovery, run_until_ready};

/// The window sizes every view is checked at.
const SIZES: [(f32, f32); 2] = [(1280.0, 800.0), (1920.0, 1080.0)];

fn harness_at(size: (f32, f32), source: StartSource) -> Harness<'static, StudioApp> {
    let mut harness = Harness::builder()
        .with_size([size.0, size.1])
        .with_theme(egui::Theme::Light)
        .with_max_steps(400)
        .build_eframe(move |cc| {
            StudioApp::with_platform(
                Some(cc),
                source,
                Box::new(MemoryFiles::default()),
                Box::new(ScriptedDialogs::default()),
            )
        });
    harness.run();
    harness
}

/// At each of [`SIZES`]: opens `source`, runs `check` and keeps the view as the snapshot
/// `first_minute_<view>_<size>`; fails after all sizes if any snapshot differs.
fn at_every_size(
    view: &str,
    source: impl Fn() -> StartSource,
    mut check: impl FnMut(&mut Harness<'static, StudioApp>, (f32, f32)),
) {
    let mut results = SnapshotResults::new();
    for size in SIZES {
        let mut harness = harness_at(size, source());
        check(&mut harness, size);
        harness.snapshot(snapshot_name(view, size));
        results.extend_harness(&mut harness);
    }
    results.unwrap();
}

fn snapshot_name(view: &str, size: (f32, f32)) -> String {
    format!("first_minute_{view}_{}x{}", size.0, size.1)
}

/// The canvas's share of the window width, from where its states can be drawn.
fn canvas_rect(harness: &Harness<'_, StudioApp>) -> egui::Rect {
    harness
        .state()
        .canvas()
        .last_rect()
        .expect("the canvas was drawn")
}

/// Selects the sample's test case at `index` (named `name`), runs it with F5 and waits for it.
fn run_test_case(harness: &mut Harness<'_, StudioApp>, index: usize, name: &str) {
    harness
        .state_mut()
        .simulator_mut()
        .select_test_case(index)
        .expect(name);
    harness.key_press(egui::Key::F5);
    run_until_ready(harness);
}

/// No state (nor Start/End marker) is drawn under the minimap.
fn assert_minimap_corner_free(harness: &Harness<'_, StudioApp>, what: &str) {
    let canvas = harness.state().canvas();
    let minimap = canvas.minimap_rect().expect("the canvas shows a minimap");
    let covered: Vec<String> = canvas
        .state_screen_rects()
        .into_iter()
        .filter(|(_, rect)| rect.intersects(minimap))
        .map(|(id, _)| id.name)
        .collect();
    assert!(
        covered.is_empty(),
        "{what}: states under the minimap {minimap:?}: {covered:?}"
    );
    // And every state is in view.
    let view = canvas_rect(harness);
    for (id, rect) in canvas.state_screen_rects() {
        assert!(view.contains_rect(rect), "{what}: {} is cut off", id.name);
    }
}

/// A 100-state machine of the shape real ones have: a preparing Task, a Parallel of four
/// branches of twenty states (each with a Choice whose other arm does some work and rejoins),
/// then a spine of Tasks and a Succeed.
fn hundred_states() -> String {
    use serde_json::{Map, Value, json};
    fn branch(prefix: &str) -> Value {
        let mut states = Map::new();
        for index in 0..18 {
            let name = format!("{prefix}Step{index:02}");
            let next = format!("{prefix}Step{:02}", index + 1);
            if index == 8 {
                let side = format!("{prefix}LargeBatch");
                states.insert(
                    name,
                    json!({"Type": "Choice", "Choices": [
                        {"Variable": "$.size", "NumericGreaterThan": 100, "Next": side}
                    ], "Default": next}),
                );
                states.insert(side, json!({"Type": "Pass", "Next": next}));
            } else {
                states.insert(
                    name,
                    json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": next}),
                );
            }
        }
        states.insert(
            format!("{prefix}Step18"),
            json!({"Type": "Pass", "End": true}),
        );
        json!({"StartAt": format!("{prefix}Step00"), "States": states})
    }
    let mut states = Map::new();
    states.insert(
        "PrepareBatch".to_owned(),
        json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "ProcessRegions"}),
    );
    let branches: Vec<Value> = ["Europe", "America", "Asia", "Africa"]
        .iter()
        .map(|region| branch(region))
        .collect();
    states.insert(
        "ProcessRegions".to_owned(),
        json!({"Type": "Parallel", "Branches": branches, "Next": "Publish00"}),
    );
    for index in 0..17 {
        let next = if index == 16 {
            "Done".to_owned()
        } else {
            format!("Publish{:02}", index + 1)
        };
        states.insert(
            format!("Publish{index:02}"),
            json!({"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Next": next}),
        );
    }
    states.insert("Done".to_owned(), json!({"Type": "Succeed"}));
    json!({"StartAt": "PrepareBatch", "States": states}).to_string()
}

#[test]
fn the_canvas_is_the_largest_region_and_empty_problems_take_no_room() {
    for size in SIZES {
        let harness = harness_at(size, StartSource::Sample);
        let canvas = canvas_rect(&harness);
        assert!(
            canvas.width() >= size.0 * 0.6,
            "at {size:?} the canvas is {} wide",
            canvas.width()
        );
        assert!(
            canvas.height() >= size.1 - 90.0,
            "at {size:?} the canvas is {} tall: an empty Problems panel took room",
            canvas.height()
        );
        harness.get_by_label("No problems");
        assert!(harness.query_by_label("Problems 0 errors").is_none());
    }
}

#[test]
fn the_sample_as_opened_fits_beside_the_minimap_with_whole_names() {
    at_every_size(
        "sample",
        || StartSource::Sample,
        |harness, _| {
            assert_minimap_corner_free(harness, "the sample");
        },
    );
}

#[test]
fn f5_before_any_click_runs_the_happy_path_and_succeeds() {
    at_every_size(
        "after_f5",
        || StartSource::Sample,
        |harness, size| {
            assert_eq!(
                harness.state().simulator().test_case_names(),
                ["HappyPath", "GlueFails", "GlueTimesOut", "LambdaRetried"]
            );
            assert_eq!(
                harness.state().simulator().selected_test_case(),
                Some("HappyPath")
            );
            harness.key_press(egui::Key::F5);
            run_until_ready(harness);
            let result = harness.state().simulator().result().expect("a run");
            assert_eq!(result.status, simulator::Status::Succeeded, "{result:?}");
            // The simulator never leaves the canvas less than half the height.
            let canvas = canvas_rect(harness);
            assert!(
                canvas.height() >= (size.1 - 60.0) * 0.5,
                "at {size:?} the canvas is {} tall with the simulator open",
                canvas.height()
            );
        },
    );
}

#[test]
fn the_other_test_cases_run_their_own_mocks() {
    let mut harness = harness_at((1280.0, 800.0), StartSource::Sample);
    run_test_case(&mut harness, 1, "GlueFails");
    let result = harness.state().simulator().result().expect("a run");
    assert_eq!(result.status, simulator::Status::Failed);
    assert_eq!(result.error.as_deref(), Some("ETL.TransformFailed"));

    // GlueTimesOut: the mocked Glue job takes 5400 s, past the state's 3600 s timeout.
    run_test_case(&mut harness, 2, "GlueTimesOut");
    let result = harness.state().simulator().result().expect("a run");
    assert_eq!(result.error.as_deref(), Some("ETL.TransformFailed"));
}

#[test]
fn the_summary_shows_status_output_error_and_cause_as_plain_text() {
    at_every_size(
        "summary",
        || StartSource::Sample,
        |harness, _| {
            harness.key_press(egui::Key::F5);
            run_until_ready(harness);
            harness
                .get_by_role_and_label(Role::Button, "Summary")
                .click();
            harness.run();
            // In the toolbar and under Status.
            assert_eq!(harness.query_all_by_label("SUCCEEDED").count(), 2);
            harness.get_by_label("Copy output");
            // The output once, pretty-printed with its indentation (not again on one line).
            let output = harness
                .query_all_by_label_contains("\"JobRunId\"")
                .map(|node| node.value().unwrap_or_default())
                .collect::<Vec<_>>();
            assert_eq!(output.len(), 1, "{output:?}");
            assert!(
                output[0].contains("\n  \"transform\": {\n    \"JobRunId\""),
                "{}",
                output[0]
            );
        },
    );
}

#[test]
fn a_failed_run_shows_its_error_and_cause_once() {
    let mut harness = harness_at((1280.0, 800.0), StartSource::Sample);
    run_test_case(&mut harness, 1, "GlueFails");
    harness
        .get_by_role_and_label(Role::Button, "Summary")
        .click();
    harness.run();
    harness.get_by_label("ETL.TransformFailed");
    assert_eq!(
        harness
            .query_all_by_label_contains("The Glue job failed")
            .count(),
        1
    );
    harness.snapshot("first_minute_summary_failed_1280x800");
}

#[test]
fn a_hundred_states_after_fit_stay_clear_of_the_minimap() {
    at_every_size(
        "hundred_states",
        || StartSource::Text {
            name: "hundred.asl.json".to_owned(),
            text: hundred_states(),
        },
        |harness, _| {
            assert_eq!(harness.state().document().root().total_states(), 100);
            harness.key_press(egui::Key::Num0);
            harness.run();
            assert_minimap_corner_free(harness, "a hundred states");
        },
    );
}

#[test]
fn without_a_desktop_portal_open_and_save_as_ask_for_a_typed_path() {
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(|cc| {
            StudioApp::with_platform(
                Some(cc),
                StartSource::Empty,
                Box::new(DiskWithoutRecovery),
                Box::new(ScriptedDialogs {
                    no_dialogs: true,
                    ..ScriptedDialogs::default()
                }),
            )
        });
    harness.run();
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label_contains("Open…").click();
    harness.run();
    harness.get_by_label("Open a file");
    harness.get_by_label_contains("No file dialog could be shown");
    let sample = common::sample();
    harness.get_by_label("Path").focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_label("Path")
        .type_text(&sample.display().to_string());
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
    assert!(harness.query_by_label("Open a file").is_none());
    assert_eq!(
        harness.state().file_path(),
        Some(sample.as_path()),
        "the typed path was opened"
    );
    assert!(harness.state().document().root().contains("TransformFile"));

    // Save as: the prompt suggests a name; a typed path is written.
    let dir = std::env::temp_dir().join(format!("asl-studio-prompt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let target = dir.join("typed.asl.json");
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label_contains("Save as").click();
    harness.run();
    harness.get_by_label("Save as");
    harness.get_by_label("Path").focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .get_by_label("Path")
        .type_text(&target.display().to_string());
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();
    let written = std::fs::read_to_string(&target).expect("the typed path was written");
    assert!(written.contains("\"TransformFile\""));
    assert_eq!(harness.state().file_path(), Some(target.as_path()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_template_gallery_opens_a_pattern_that_f5_runs_green() {
    let mut results = SnapshotResults::new();
    for size in SIZES {
        let mut harness = harness_at(size, StartSource::Sample);
        harness.get_by_label("File").click();
        harness.run();
        harness.get_by_label_contains("New from template…").click();
        harness.run();
        harness.get_by_label("New from template");
        harness.snapshot(snapshot_name("template_gallery", size));
        results.extend_harness(&mut harness);
    }

    // Every template opens from its card and its HappyPath runs green through the pane.
    let mut harness = harness_at((1280.0, 800.0), StartSource::Empty);
    for template in &asl_studio::templates::TEMPLATES {
        harness.state_mut().show_template_gallery();
        harness.run();
        let button = format!("Open {}", template.title);
        harness.get_by_label(&button).scroll_to_me();
        harness.run();
        harness.get_by_label(&button).click();
        harness.run();
        assert!(harness.query_by_label("New from template").is_none());
        assert_eq!(
            harness.state().window_title(),
            format!("{} — ASL Studio", template.file_name())
        );
        assert_eq!(
            harness.state().simulator().selected_test_case(),
            Some("HappyPath")
        );
        harness.key_press(egui::Key::F5);
        run_until_ready(&mut harness);
        let result = harness.state().simulator().result().expect("a run");
        assert_eq!(
            result.status,
            simulator::Status::Succeeded,
            "{}: {:?} {:?}",
            template.id,
            result.error,
            result.cause
        );
    }
    results.unwrap();
}

#[test]
fn the_saga_template_after_f5_looks_the_same() {
    let mut harness = harness_at((1280.0, 800.0), StartSource::Empty);
    harness.state_mut().show_template_gallery();
    harness.run();
    harness.get_by_label("Open Saga with compensation").click();
    harness.run();
    harness.key_press(egui::Key::F5);
    run_until_ready(&mut harness);
    harness.snapshot("first_minute_template_saga_after_f5_1280x800");
}

#[test]
fn a_long_code_line_scrolls_sideways_instead_of_being_cut() {
    let mut harness = harness_at((1280.0, 800.0), StartSource::Sample);
    harness.state_mut().show_code = true;
    harness.run();
    let editor = harness.get_by_label("ASL text").rect();
    let canvas = canvas_rect(&harness);
    // The editor is as wide as the sample's longest line (the NotifyFailure message), wider
    // than the column it scrolls in, which ends at the window's right edge minus the inspector.
    let longest = asl_studio::sample::SAMPLE_ASL
        .lines()
        .map(|line| line.chars().count())
        .max()
        .unwrap_or(0);
    assert!(longest > 100, "{longest}");
    let column = 1280.0 - canvas.right() - 300.0;
    assert!(column < 400.0, "{column}");
    assert!(
        editor.width() > longest as f32 * 6.0,
        "the editor is {} wide for {longest} characters: it is cut to its column",
        editor.width()
    );
    harness.snapshot("first_minute_code_beside_1280x800");
}

#[test]
fn a_long_state_name_wraps_to_two_lines_and_shows_whole_on_hover() {
    let long = "ValidateIncomingOrderPayloadAgainstTheSchemaVersionTwo";
    let text = serde_json::json!({"StartAt": "Receive", "States": {
        "Receive": {"Type": "Pass", "Next": long},
        long: {"Type": "Pass", "Next": "Done"},
        "Done": {"Type": "Succeed"}
    }})
    .to_string();
    let mut harness = harness_at(
        (1280.0, 800.0),
        StartSource::Text {
            name: "long.asl.json".to_owned(),
            text,
        },
    );
    let rects = harness.state().canvas().state_screen_rects();
    let size = |name: &str| {
        rects
            .iter()
            .find(|(id, _)| id.name == name)
            .map(|(_, rect)| rect.size())
            .expect("drawn")
    };
    // A line taller and as wide as a box gets, rather than cut to its first letters.
    assert!(size(long).y > size("Receive").y * 1.2, "{:?}", size(long));
    assert!(size(long).x > size("Receive").x * 1.5, "{:?}", size(long));
    assert!(
        harness.query_by_label(long).is_none() || harness.query_all_by_label(long).count() == 1
    );
    let center = harness
        .get_by_role_and_label(Role::Button, long)
        .rect()
        .center();
    harness.hover_at(center);
    harness.run();
    harness.run();
    // The state's own button and the tooltip with the whole name.
    assert_eq!(harness.query_all_by_label(long).count(), 2);
    harness.snapshot("first_minute_long_name_1280x800");
}

#[test]
fn f5_whose_slices_end_after_every_step_looks_the_same_as_on_an_idle_machine() {
    // Regression: on a loaded machine the slice that finished indexing could run out of time
    // before the cursor went to the run's end, and then nothing moved it: no cursor, no run on
    // the canvas, and the after-F5 snapshot failed about once in ten runs. A zero budget is that
    // machine on every frame.
    let mut harness = harness_at((1280.0, 800.0), StartSource::Sample);
    harness
        .state_mut()
        .simulator_mut()
        .set_frame_budget(std::time::Duration::ZERO);
    harness.key_press(egui::Key::F5);
    run_until_ready(&mut harness);
    let pane = harness.state().simulator();
    let events = pane.result().expect("a run").history.len();
    assert_eq!(pane.cursor(), events.checked_sub(1), "on the last event");
    assert!(pane.overlay().is_some(), "the run is drawn on the canvas");
    harness.snapshot(snapshot_name("after_f5", (1280.0, 800.0)));
}

/// A chain of twelve Pass states: taller than the canvas leaves room for with the simulator open.
fn twelve_states() -> String {
    let mut states = serde_json::Map::new();
    let names: Vec<String> = (1..=12).map(|i| format!("Step{i:02}Validate")).collect();
    for (i, name) in names.iter().enumerate() {
        let state = match names.get(i + 1) {
            Some(next) => serde_json::json!({"Type": "Pass", "Next": next}),
            None => serde_json::json!({"Type": "Pass", "End": true}),
        };
        states.insert(name.clone(), state);
    }
    serde_json::json!({"StartAt": names[0], "States": states}).to_string()
}

#[test]
fn fit_on_a_small_machine_with_the_simulator_open_keeps_names_legible() {
    let size = (1280.0, 800.0);
    let mut harness = harness_at(
        size,
        StartSource::Text {
            name: "twelve.asl.json".to_owned(),
            text: twelve_states(),
        },
    );
    harness.key_press(egui::Key::F5);
    run_until_ready(&mut harness);
    harness.key_press(egui::Key::Num0);
    harness.run();
    let metrics = &asl_studio::theme::METRICS;
    let zoom = harness.state().canvas().zoom();
    // Fitting the whole chain would need about a third: names would not be drawn at all.
    assert!(
        metrics.name_font * zoom >= metrics.min_fit_font - 0.01,
        "fitted at {:.0} %",
        zoom * 100.0
    );
    // The flow's start is in view; the rest is a scroll away.
    let view = canvas_rect(&harness);
    let first = harness
        .state()
        .canvas()
        .state_screen_rects()
        .into_iter()
        .find(|(id, _)| id.name == "Step01Validate")
        .map(|(_, rect)| rect)
        .expect("the first state is laid out");
    assert!(view.contains_rect(first), "{first:?} outside {view:?}");
    harness.snapshot(snapshot_name("twelve_states_simulator", size));
}

/// A flat machine of about 1,600 states, as `tests/data/bench/gen_asl.py 1600 --depth 0` makes
/// it (Tasks with Retry and Catch, Choices, Waits and Passes in one long machine).
fn flat_generated_machine(states: usize) -> String {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/bench/gen_asl.py"
    );
    let output = std::process::Command::new("python3")
        .args([script, &states.to_string(), "--depth", "0"])
        .output()
        .unwrap_or_else(|error| panic!("cannot run python3 {script}: {error}"));
    assert!(output.status.success(), "{script} failed: {output:?}");
    String::from_utf8(output.stdout).expect("gen_asl.py writes UTF-8")
}

#[test]
fn fit_shows_every_state_of_a_flat_1600_state_machine() {
    let mut harness = harness_at(
        (1280.0, 800.0),
        StartSource::Text {
            name: "flat1600.asl.json".to_owned(),
            text: flat_generated_machine(1600),
        },
    );
    // Big documents are laid out on a worker thread.
    common::designer::step_until(&mut harness, "the layout", |app| {
        !app.canvas().is_laying_out() && !app.canvas().state_screen_rects().is_empty()
    });
    let states = harness.state().document().root().total_states();
    assert!(states >= 1_600, "{states} states");
    harness.key_press(egui::Key::Num0);
    harness.run();
    let rects = harness.state().canvas().state_screen_rects();
    assert_eq!(rects.len(), states, "every state has a box");
    assert_minimap_corner_free(&harness, "a flat machine of 1,600 states");
}
