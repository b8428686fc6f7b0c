//! The Tests panel: Run all on the sample checks its four test cases as `asl-studio test` does,
//! a clicked case is loaded and run in the simulator pane, the coverage overlay greys what no case
//! reached, "Generate tests" loads a covering suite, and "Save mock file…" writes the opened file
//! back with only the edited test case changed.

mod common;

use common::designer::{designer_shown, run_until_ready, run_until_tests_done};

use std::cell::RefCell;
use std::rc::Rc;

use asl_studio::files::{
    FileStore, MemoryFiles, OpenedText, SaveOutcome, ScriptedDialogs, TextExchange, TextPurpose,
};
use asl_studio::overlay::RunStatus;
use asl_studio::sample::{SAMPLE_EXPECT, SAMPLE_MOCKS};
use asl_studio::simulate::mocks::{AttemptMock, MockSet};
use asl_studio::simulate::suite_file::write_back;
use asl_studio::{StartSource, StudioApp};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use serde_json::{Value, json};
use simulator::Status;

/// The designer on the sample at 1280x800 with the Tests panel shown.
fn sample_with_tests() -> Harness<'static, StudioApp> {
    sample_with_tests_on(false)
}

/// [`sample_with_tests`] whose panel runs its work on a worker thread, or on the frames as in
/// a browser.
fn sample_with_tests_on(frame_by_frame: bool) -> Harness<'static, StudioApp> {
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_theme(egui::Theme::Light)
        .with_max_steps(400)
        .allow_missing_glyphs()
        .build_eframe(|cc| {
            let files: Box<dyn FileStore> = Box::new(MemoryFiles::default());
            let mut app = StudioApp::with_platform(
                Some(cc),
                StartSource::Sample,
                files,
                Box::new(ScriptedDialogs::default()),
            );
            app.set_tests_shown(true);
            app.tests_mut().set_frame_by_frame(frame_by_frame);
            app
        });
    harness.run();
    harness
}

/// Clicks a button, scrolled into view first (the simulator pane's tabs scroll).
fn click_button(harness: &mut Harness<'_, StudioApp>, label: &str) {
    press(harness, label);
    harness.run();
}

/// Clicks Run all or Generate tests and waits until its work (on a worker thread, or on the
/// frames) is over.
fn click_and_wait(harness: &mut Harness<'_, StudioApp>, label: &str) {
    press(harness, label);
    run_until_tests_done(harness);
}

/// Loads the mock file `text` (called `name`) into the pane, then presses Run all and waits.
fn run_all_on(harness: &mut Harness<'_, StudioApp>, name: &str, text: &str) {
    harness
        .state_mut()
        .simulator_mut()
        .load_mock_file_text(name, text);
    harness.run();
    click_and_wait(harness, "Run all");
}

/// Scrolls a button into view and queues a click on it.
fn press(harness: &mut Harness<'_, StudioApp>, label: &str) {
    harness
        .get_by_role_and_label(Role::Button, label)
        .scroll_to_me();
    harness.run();
    harness.get_by_role_and_label(Role::Button, label).click();
}

fn verdicts(harness: &Harness<'_, StudioApp>) -> Vec<(String, bool, Status)> {
    harness
        .state()
        .tests()
        .verdicts()
        .iter()
        .map(|case| (case.name.clone(), case.passed(), case.status))
        .collect()
}

/// The sample suite's four verdicts in file order, GlueFails passing or not (the others pass).
fn sample_verdicts(glue_fails_passes: bool) -> Vec<(String, bool, Status)> {
    owned(&[
        ("HappyPath", true, Status::Succeeded),
        ("GlueFails", glue_fails_passes, Status::Failed),
        ("GlueTimesOut", true, Status::Failed),
        ("LambdaRetried", true, Status::Succeeded),
    ])
}

fn owned(cases: &[(&str, bool, Status)]) -> Vec<(String, bool, Status)> {
    cases
        .iter()
        .map(|(name, passed, status)| ((*name).to_owned(), *passed, *status))
        .collect()
}

/// Saves kept for the test to read (a browser's download, a native save dialog's answer).
#[derive(Clone, Default)]
struct Saves(Rc<RefCell<Vec<(String, String)>>>);

impl TextExchange for Saves {
    fn save_text(&mut self, suggested_name: &str, text: &str) -> Result<SaveOutcome, String> {
        self.0
            .borrow_mut()
            .push((suggested_name.to_owned(), text.to_owned()));
        Ok(SaveOutcome::Downloaded(suggested_name.to_owned()))
    }
    fn request_open(&mut self, _purpose: TextPurpose, _extensions: &[&str]) {}
    fn take_opened(&mut self, _purpose: TextPurpose) -> Option<Result<OpenedText, String>> {
        None
    }
}

/// The sample's suite with two cases: neither takes the Catch to NotifyFailure, and
/// LambdaRetried expects the wrong status.
const PARTIAL_SUITE: &str = r#"{
  "StateMachines": {
    "EtlPipeline": {
      "TestCases": {
        "HappyPath": {
          "DownloadFile": "DownloadOk", "TransformFile": "GlueSucceeded", "Cleanup": "Deleted",
          "Expect": {"Status": "SUCCEEDED", "Path": ["DownloadFile", "TransformFile", "Cleanup", "DidTransformFail", "PipelineSucceeded"]}
        },
        "LambdaRetried": {
          "DownloadFile": "ThrottledThenOk", "TransformFile": "GlueSucceeded", "Cleanup": "Deleted",
          "Expect": {"Status": "FAILED"}
        }
      }
    }
  },
  "MockedResponses": {
    "DownloadOk": {"0": {"Return": {"Payload": {"bucket": "b", "key": "k.csv"}}}},
    "ThrottledThenOk": {
      "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}},
      "2": {"Return": {"Payload": {"bucket": "b", "key": "k.csv"}}}
    },
    "GlueSucceeded": {"0": {"Return": {"JobRunState": "SUCCEEDED"}}},
    "Deleted": {"0": {"Return": {}}}
  }
}
"#;

#[test]
fn run_all_checks_the_samples_four_cases_against_their_expectations() {
    let mut harness = sample_with_tests();
    // The frame of the click says the suite is running, and how far it is; the cases run on a
    // worker thread meanwhile.
    harness
        .get_by_role_and_label(Role::Button, "Run all")
        .click();
    harness.step();
    harness.get_by_label("Running the test cases… case 1 of 4");
    harness.get_by_role_and_label(Role::Button, "Cancel");
    assert!(harness.state().tests().verdicts().is_empty());
    run_until_tests_done(&mut harness);
    assert!(
        harness
            .query_by_label_contains("Running the test cases")
            .is_none()
    );
    assert!(harness.query_by_label("Cancel").is_none());
    assert_eq!(
        verdicts(&harness),
        sample_verdicts(true),
        "{:?}",
        harness.state().tests().message()
    );
    harness.get_by_label("4 case(s): 4 passed, 0 failed");
    // Every case has expectations: no warning that some pass whatever they do.
    assert!(
        harness
            .query_by_label_contains("have no Expect member")
            .is_none()
    );
    let coverage = harness
        .state()
        .tests()
        .coverage()
        .expect("a coverage report");
    assert_eq!((coverage.states.covered, coverage.states.total), (7, 7));
    assert_eq!(
        (coverage.choice_rules.covered, coverage.choice_rules.total),
        (2, 2)
    );
    assert_eq!((coverage.catchers.covered, coverage.catchers.total), (1, 1));
    assert_eq!((coverage.retriers.covered, coverage.retriers.total), (1, 1));
    harness.get_by_label("7/7 covered");
    // Every state was reached: nothing is greyed.
    let statuses = overlay_statuses(&harness);
    assert_eq!(statuses.len(), 7);
    assert!(statuses.iter().all(|status| *status == RunStatus::Covered));
}

/// How each state in the canvas's overlay (a case's run, or the suite's coverage) is drawn.
fn overlay_statuses(harness: &Harness<'_, StudioApp>) -> Vec<RunStatus> {
    harness
        .state()
        .canvas_run_overlay()
        .expect("an overlay is drawn")
        .states
        .into_values()
        .collect()
}

#[test]
fn a_clicked_case_is_loaded_and_run_in_the_simulator_pane() {
    let mut harness = sample_with_tests();
    click_and_wait(&mut harness, "Run all");
    click_button(&mut harness, "GlueFails");
    run_until_ready(&mut harness);
    let pane = harness.state().simulator();
    assert_eq!(pane.selected_test_case(), Some("GlueFails"));
    let result = pane.result().expect("the case ran in the pane");
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("ETL.TransformFailed"));
    // The pane is shown, its test case picker on the clicked case.
    harness.get_by_role_and_label(Role::ComboBox, "Test case");
    // HappyPath's input is its Expect.Input, not the pane's own sample input.
    click_button(&mut harness, "HappyPath");
    run_until_ready(&mut harness);
    let pane = harness.state().simulator();
    let input: Value = serde_json::from_str(pane.input_text()).expect("the input is JSON");
    let expect: Value = serde_json::from_str(SAMPLE_EXPECT).expect("the expectations are JSON");
    assert_eq!(input, expect["HappyPath"]["Input"]);
    assert_eq!(
        pane.result().map(|result| result.status),
        Some(Status::Succeeded)
    );
    // The case's run replaces the coverage overlay: the states it did not enter are greyed.
    assert!(!overlay_statuses(&harness).contains(&RunStatus::Covered));
}

#[test]
fn the_coverage_overlay_greys_the_states_no_case_reached_until_turned_off() {
    let mut harness = sample_with_tests();
    run_all_on(&mut harness, "partial.mocks.json", PARTIAL_SUITE);
    assert_eq!(
        verdicts(&harness),
        owned(&[
            ("HappyPath", true, Status::Succeeded),
            ("LambdaRetried", false, Status::Succeeded),
        ])
    );
    let failure = &harness.state().tests().verdicts()[1].failures;
    assert_eq!(failure, &["status: expected FAILED, got SUCCEEDED"]);
    harness.get_by_label("status: expected FAILED, got SUCCEEDED");
    let coverage = harness
        .state()
        .tests()
        .coverage()
        .expect("a coverage report");
    assert_eq!((coverage.states.covered, coverage.states.total), (5, 7));
    assert_eq!(
        coverage.states.uncovered,
        ["NotifyFailure", "PipelineFailed"]
    );
    assert_eq!((coverage.catchers.covered, coverage.catchers.total), (0, 1));
    let overlay = harness
        .state()
        .canvas_run_overlay()
        .expect("the coverage overlay is drawn");
    let reached: Vec<&str> = overlay.states.keys().map(|id| id.name.as_str()).collect();
    assert!(reached.contains(&"DownloadFile") && reached.contains(&"PipelineSucceeded"));
    // Not in the overlay: the canvas greys them.
    assert!(!reached.contains(&"NotifyFailure") && !reached.contains(&"PipelineFailed"));
    assert!(
        !overlay
            .taken_edges
            .iter()
            .any(|(from, _)| from.name == "NotifyFailure"),
        "no edge out of a state no case reached is taken"
    );
    harness.snapshot("tests_panel_partial_suite_1280x800");

    harness
        .get_by_role_and_label(Role::CheckBox, "Grey what no case reached")
        .click();
    harness.run();
    assert!(harness.state().canvas_run_overlay().is_none());
}

#[test]
fn generate_tests_loads_a_suite_that_passes_and_covers_the_sample() {
    let mut harness = sample_with_tests();
    click_and_wait(&mut harness, "Generate tests");
    let tests = harness.state().tests();
    assert_eq!(tests.message(), None);
    let generated = tests.generated().expect("a suite was generated");
    assert!(generated.cases >= 2, "{generated:?}");
    let verdicts = tests.verdicts();
    assert_eq!(verdicts.len(), generated.cases);
    assert!(verdicts.iter().all(|case| case.passed()), "{verdicts:?}");
    let coverage = tests.coverage().expect("the generated suite ran");
    assert_eq!((coverage.states.covered, coverage.states.total), (7, 7));
    assert_eq!((coverage.catchers.covered, coverage.catchers.total), (1, 1));
    let file = harness
        .state()
        .simulator()
        .suite_file()
        .expect("the generated suite is the pane's mock file");
    assert_eq!(file.file_name(), "etl-pipeline.generated.mocks.json");
}

#[test]
fn save_mock_file_writes_the_opened_suite_back_with_only_the_edited_case_changed() {
    let saves = Saves::default();
    asl_studio::files::set_text_exchange(Box::new(saves.clone()));
    let mut harness = sample_with_tests();
    click_button(&mut harness, "GlueFails");
    run_until_ready(&mut harness);
    // Cleanup's response "Deleted" is shared by all four cases; this case's now throws.
    let mut mocks = harness.state().simulator().mocks().clone();
    mocks.set(
        "Cleanup",
        vec![AttemptMock::throwing("S3.NoSuchKey", "gone")],
    );
    harness.state_mut().simulator_mut().set_mocks(mocks);
    harness.run();
    click_button(&mut harness, "Mocks");
    click_button(&mut harness, "Save mock file…");
    let saved = saves.0.borrow().clone();
    assert_eq!(
        saved.len(),
        1,
        "one save: {:?}",
        harness.state().simulator().mock_message()
    );
    let (name, text) = &saved[0];
    assert_eq!(name, "MockConfigFile.json");
    let value: Value = serde_json::from_str(text).expect("the saved file is JSON");
    let cases = &value["StateMachines"]["EtlPipeline"]["TestCases"];
    let names: Vec<&String> = cases.as_object().expect("test cases").keys().collect();
    assert_eq!(
        names,
        ["HappyPath", "GlueFails", "GlueTimesOut", "LambdaRetried"]
    );
    assert_eq!(cases["GlueFails"]["Cleanup"], "GlueFailsCleanup");
    assert_eq!(cases["HappyPath"]["Cleanup"], "Deleted");
    assert_eq!(
        value["MockedResponses"]["Deleted"],
        json!({"0": {"Return": {}}})
    );
    // Everything but the edit is the original text.
    let original: Value = serde_json::from_str(SAMPLE_MOCKS).expect("the sample is JSON");
    assert_eq!(
        value["MockedResponses"].as_object().map(|o| o.len()),
        original["MockedResponses"].as_object().map(|o| o.len() + 1)
    );
    assert!(text.contains(
        "        \"HappyPath\": {\n          \"DownloadFile\": \"DownloadOk\",\n          \"TransformFile\": \"GlueSucceeded\",\n          \"Cleanup\": \"Deleted\"\n        },"
    ));
    assert!(text.contains(
        "\"0\": { \"Return\": { \"JobRunState\": \"SUCCEEDED\" }, \"DurationSeconds\": 5400 }"
    ));

    // The file reads back: Run all on it fails the edited case, and only that one.
    {
        let pane = harness.state_mut().simulator_mut();
        pane.load_mock_file_text("MockConfigFile.json", text);
        pane.set_suite_expectations(SAMPLE_EXPECT)
            .expect("the expectations load");
    }
    harness.run();
    click_and_wait(&mut harness, "Run all");
    assert_eq!(verdicts(&harness), sample_verdicts(false));
}

fn sample_case(case: &str) -> MockSet {
    let value: Value = serde_json::from_str(SAMPLE_MOCKS).expect("the sample is JSON");
    let config = simulator::MockConfig::parse(&value).expect("the sample is a mock file");
    MockSet::from_test_case(&config, "EtlPipeline", case).expect("the sample has the case")
}

#[test]
fn an_unedited_case_writes_the_mock_file_back_byte_for_byte() {
    let text = write_back(
        SAMPLE_MOCKS,
        "EtlPipeline",
        "LambdaRetried",
        &sample_case("LambdaRetried"),
    )
    .expect("written");
    assert_eq!(text, SAMPLE_MOCKS);
}

#[test]
fn write_back_keeps_expect_members_and_unknown_fields_and_rewrites_a_response_of_its_own() {
    let text = r#"{
  "Comment": "kept",
  "StateMachines": {"M": {"TestCases": {
    "A": {"Call": "Mine", "Expect": {"Status": "SUCCEEDED"}},
    "B": {"Call": "Other", "Expect": {"Status": "FAILED"}}
  }, "x-owner": "team-a"}},
  "MockedResponses": {
    "Mine": {"0": {"Return": 1}},
    "Other": {"0": {"Throw": {"Error": "E", "Cause": "c"}}}
  }
}
"#;
    let mut mocks = MockSet::default();
    mocks.set(
        "Call",
        vec![
            AttemptMock::throwing("E", "c"),
            AttemptMock::throwing("E", "c"),
            AttemptMock::returning(&json!(2)),
        ],
    );
    let written = write_back(text, "M", "A", &mocks).expect("written");
    let value: Value = serde_json::from_str(&written).expect("JSON");
    assert_eq!(value["Comment"], "kept");
    let cases = &value["StateMachines"]["M"]["TestCases"];
    assert_eq!(cases["A"]["Call"], "Mine");
    assert_eq!(cases["A"]["Expect"], json!({"Status": "SUCCEEDED"}));
    assert_eq!(value["StateMachines"]["M"]["x-owner"], "team-a");
    assert_eq!(cases["B"]["Expect"], json!({"Status": "FAILED"}));
    assert_eq!(
        value["MockedResponses"]["Mine"],
        json!({"0-1": {"Throw": {"Error": "E", "Cause": "c"}}, "2": {"Return": 2}})
    );
    // Case B's line is the original bytes.
    assert!(
        written
            .contains("    \"B\": {\"Call\": \"Other\", \"Expect\": {\"Status\": \"FAILED\"}}\n")
    );
    // A state without mocks any more leaves the case; its Expect stays.
    let written = write_back(text, "M", "A", &MockSet::default()).expect("written");
    let value: Value = serde_json::from_str(&written).expect("JSON");
    assert_eq!(
        value["StateMachines"]["M"]["TestCases"]["A"],
        json!({"Expect": {"Status": "SUCCEEDED"}})
    );
}

#[test]
fn write_back_refuses_a_missing_case_or_a_result_that_is_not_json() {
    let missing = write_back(
        SAMPLE_MOCKS,
        "EtlPipeline",
        "Nope",
        &sample_case("HappyPath"),
    );
    assert!(missing.is_err_and(|message| message.contains("'Nope'")));
    let mut bad = sample_case("HappyPath");
    bad.set(
        "Cleanup",
        vec![AttemptMock::Return {
            text: "{oops".to_owned(),
        }],
    );
    let refused = write_back(SAMPLE_MOCKS, "EtlPipeline", "HappyPath", &bad);
    assert!(refused.is_err_and(|message| message.contains("mock of 'Cleanup', attempt 1")));
}

#[test]
fn opening_a_definition_loads_the_suite_and_expectations_beside_it() {
    let definition =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample.asl.json");
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_max_steps(400)
        .allow_missing_glyphs()
        .build_eframe(move |cc| {
            let mut app = StudioApp::with_platform(
                Some(cc),
                StartSource::File(definition),
                Box::new(common::designer::DiskWithoutRecovery),
                Box::new(ScriptedDialogs::default()),
            );
            app.set_tests_shown(true);
            app
        });
    harness.run();
    let pane = harness.state().simulator();
    assert_eq!(
        pane.test_case_names(),
        ["HappyPath", "GlueFails", "GlueTimesOut", "LambdaRetried"]
    );
    let file = pane.suite_file().expect("the suite beside the definition");
    assert_eq!(file.file_name(), "sample.mocks.json");
    assert!(
        file.expect.is_some(),
        "sample.mocks.expect.json is read too"
    );
    click_and_wait(&mut harness, "Run all");
    assert_eq!(verdicts(&harness), sample_verdicts(true));
}

/// eframe's storage, in memory.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn the_tests_toggle_in_the_menu_bar_shows_the_panel_and_is_remembered() {
    let mut harness = designer_shown(StartSource::Sample, [1280.0, 800.0]);
    assert!(
        harness.query_by_label("Run all").is_none(),
        "hidden at first"
    );
    harness.get_by_label("Tests").click();
    harness.run();
    harness.get_by_role_and_label(Role::Button, "Run all");
    let mut storage = MemoryStorage::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    let panels = storage
        .0
        .get("asl-studio.panels")
        .expect("the panels are stored");
    assert!(panels.contains("tests:true"), "{panels}");
}

#[test]
fn cases_without_expectations_pass_with_a_warning_that_they_check_nothing() {
    let mut harness = sample_with_tests();
    // The sample's mock file alone: its expectations live in the file beside it.
    run_all_on(&mut harness, "sample.mocks.json", SAMPLE_MOCKS);
    assert!(
        harness
            .state()
            .tests()
            .verdicts()
            .iter()
            .all(|case| case.passed())
    );
    assert_eq!(harness.state().tests().unchecked(), 4);
    harness.get_by_label("4 case(s) have no Expect member: they pass whatever their run does.");
    // The query the sample's Run all test uses to say the warning is absent finds it here.
    assert!(
        harness
            .query_by_label_contains("have no Expect member")
            .is_some()
    );
}

/// The designer on the definition `text` (called `name`), files in memory, the Tests panel shown.
fn tests_panel_on(name: &str, text: &str) -> Harness<'static, StudioApp> {
    let source = StartSource::Text {
        name: name.to_owned(),
        text: text.to_owned(),
    };
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_max_steps(400)
        .allow_missing_glyphs()
        .build_eframe(|cc| {
            let mut app = StudioApp::with_platform(
                Some(cc),
                source,
                Box::new(MemoryFiles::default()),
                Box::new(ScriptedDialogs::default()),
            );
            app.set_tests_shown(true);
            app
        });
    harness.run();
    harness
}

#[test]
fn the_coverage_overlay_reaches_into_map_processors() {
    let template = asl_studio::templates::TEMPLATES
        .iter()
        .find(|template| template.id == "fan-out-map")
        .expect("the fan-out template");
    let mut harness = tests_panel_on("fan-out.asl.json", template.definition);
    let inner = "Write message to DynamoDB";
    let reached = |harness: &Harness<'_, StudioApp>| {
        harness
            .state()
            .canvas_run_overlay()
            .expect("the coverage overlay is drawn")
            .states
            .into_keys()
            .find(|id| id.name == inner)
    };
    run_all_on(&mut harness, "mocks.json", template.mocks);
    let id = reached(&harness).expect("HappyPath's Map iterations reach the processor");
    assert_ne!(
        id.machine,
        graph_model::MachinePath::root(),
        "a state of the processor"
    );
    // Without HappyPath, no case enters the processor: its states are greyed.
    let mut only_empty: Value = serde_json::from_str(template.mocks).expect("JSON");
    let cases = only_empty["StateMachines"]["fan-out-map"]["TestCases"]
        .as_object_mut()
        .expect("test cases");
    cases.remove("HappyPath");
    run_all_on(&mut harness, "no-messages.json", &only_empty.to_string());
    assert_eq!(harness.state().tests().verdicts().len(), 1);
    assert_eq!(reached(&harness), None);
    let coverage = harness.state().tests().coverage().expect("coverage");
    assert!(
        coverage
            .branches
            .uncovered
            .iter()
            .any(|item| item.ends_with(".ItemProcessor")),
        "{coverage:?}"
    );
}

/// The sample's suite run by the simulator alone, as `asl-studio test` runs it.
fn sample_suite_outcome(options: &simulator::Options) -> simulator::suite::SuiteOutcome {
    let definition: Value =
        serde_json::from_str(asl_studio::sample::SAMPLE_ASL).expect("the sample is JSON");
    let mocks: Value = serde_json::from_str(SAMPLE_MOCKS).expect("the mocks are JSON");
    let config = simulator::MockConfig::parse(&mocks).expect("the sample is a mock file");
    let expect: Value = serde_json::from_str(SAMPLE_EXPECT).expect("the expectations are JSON");
    let suite = simulator::suite::Suite::from_config(&config, None, None, Some(&expect))
        .expect("the sample's suite");
    simulator::suite::run_suite(&definition, &suite, &[], options).expect("the suite runs")
}

type Shown = (String, Status, Vec<String>, Vec<String>);

fn shown_verdicts(harness: &Harness<'_, StudioApp>) -> Vec<Shown> {
    harness
        .state()
        .tests()
        .verdicts()
        .iter()
        .map(|case| {
            (
                case.name.clone(),
                case.status,
                case.failures.clone(),
                case.path.clone(),
            )
        })
        .collect()
}

#[test]
fn run_all_on_a_worker_or_frame_by_frame_gives_the_verdicts_of_run_suite() {
    for frame_by_frame in [false, true] {
        let mut harness = sample_with_tests_on(frame_by_frame);
        let direct = sample_suite_outcome(&harness.state().simulator().suite_options());
        click_and_wait(&mut harness, "Run all");
        let mut expected: Vec<Shown> = direct
            .cases
            .iter()
            .map(|case| {
                (
                    case.name.clone(),
                    case.result.status,
                    case.failures.clone(),
                    case.path.clone(),
                )
            })
            .collect();
        assert_eq!(expected.len(), 4);
        // The panel lists the cases in the file's order; run_suite in its own.
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        let mut shown = shown_verdicts(&harness);
        shown.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(shown, expected, "frame by frame: {frame_by_frame}");
        assert_eq!(
            harness.state().tests().coverage(),
            Some(&direct.coverage.report()),
            "frame by frame: {frame_by_frame}"
        );
    }
}

#[test]
fn generate_tests_on_a_worker_or_on_the_frames_makes_and_runs_the_same_suite() {
    let mut outcomes = Vec::new();
    for frame_by_frame in [false, true] {
        let mut harness = sample_with_tests_on(frame_by_frame);
        harness
            .get_by_role_and_label(Role::Button, "Generate tests")
            .click();
        harness.step();
        // Said at once, before the generation takes the frames (in a browser) or a worker.
        harness.get_by_label_contains("Generating tests…");
        run_until_tests_done(&mut harness);
        let tests = harness.state().tests();
        assert_eq!(tests.message(), None);
        let generated = tests.generated().cloned().expect("a suite was generated");
        assert!(!tests.verdicts().is_empty());
        assert!(tests.verdicts().iter().all(|case| case.passed()));
        outcomes.push((
            generated,
            shown_verdicts(&harness),
            tests.coverage().cloned(),
            harness.state().simulator().mock_file_text().to_owned(),
        ));
    }
    assert_eq!(outcomes[0], outcomes[1]);
    // And the suite is the one the simulator generates by itself.
    let definition: Value =
        serde_json::from_str(asl_studio::sample::SAMPLE_ASL).expect("the sample is JSON");
    let options = asl_studio::simulate::SimulatorPane::new().suite_options();
    let direct = simulator::generate::generate(&definition, "EtlPipeline", &options)
        .expect("the sample generates");
    assert_eq!(outcomes[0].0.cases, direct.cases);
    let text = serde_json::to_string_pretty(&direct.config.to_value()).expect("JSON") + "\n";
    assert_eq!(outcomes[0].3, text);
}

/// The sample's suite with `copies` more copies of HappyPath: a suite long enough to cancel.
fn long_suite(copies: usize) -> String {
    let mut value: Value = serde_json::from_str(SAMPLE_MOCKS).expect("the sample is JSON");
    let cases = value["StateMachines"]["EtlPipeline"]["TestCases"]
        .as_object_mut()
        .expect("test cases");
    let happy = cases["HappyPath"].clone();
    for copy in 1..=copies {
        cases.insert(format!("HappyPath{copy:02}"), happy.clone());
    }
    value.to_string()
}

#[test]
fn frame_by_frame_run_all_shows_its_progress_and_cancel_keeps_the_last_results() {
    let mut harness = sample_with_tests_on(true);
    click_and_wait(&mut harness, "Run all");
    let before = shown_verdicts(&harness);
    assert_eq!(before.len(), 4);
    harness
        .state_mut()
        .simulator_mut()
        .load_mock_file_text("long.mocks.json", &long_suite(8));
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "Run all")
        .click();
    harness.step();
    // The click's frame starts the run; each frame after it runs one case.
    assert_eq!(harness.state().tests().progress(), Some((0, 12)));
    harness.get_by_label("Running the test cases… case 1 of 12");
    harness.step();
    assert_eq!(harness.state().tests().progress(), Some((1, 12)));
    harness.get_by_label("Running the test cases… case 2 of 12");
    assert!(
        harness
            .get_by_role_and_label(Role::Button, "Run all")
            .accesskit_node()
            .is_disabled(),
        "no second run while one is under way"
    );
    // The click takes three frames (hover, press, release), each running a case first.
    harness
        .get_by_role_and_label(Role::Button, "Cancel")
        .click();
    harness.step();
    let tests = harness.state().tests();
    assert!(!tests.is_busy());
    assert_eq!(
        tests.message(),
        Some("Run all was cancelled after 4 of 12 case(s).")
    );
    // The last complete run stays; nothing of the cancelled one is shown.
    assert_eq!(shown_verdicts(&harness), before);
    harness.run();
    assert!(
        !harness
            .get_by_role_and_label(Role::Button, "Run all")
            .accesskit_node()
            .is_disabled()
    );
    assert!(harness.query_by_label("Cancel").is_none());
}

#[test]
fn a_clicked_case_gives_the_maps_item_reader_the_items_or_the_failure_its_expectations_name() {
    let definition = json!({"StartAt": "Each", "States": {"Each": {
        "Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "JSON"},
                       "Parameters": {"Bucket": "b", "Key": "items.json"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": true}}},
        "MaxConcurrency": 2,
        "End": true}}});
    let suite = json!({
        "StateMachines": {"reader": {"TestCases": {
            "Reads": {"Expect": {"ItemReaderItems": {"Each": [1, 2]}, "Output": [1, 2]}},
            "CannotRead": {"Expect": {"ItemReaderErrors": {"Each": "the bucket is gone"},
                                      "Status": "FAILED", "Error": "States.ItemReaderFailed"}}
        }}},
        "MockedResponses": {}
    });
    let mut harness = tests_panel_on("reader.asl.json", &definition.to_string());
    run_all_on(&mut harness, "reader.mocks.json", &suite.to_string());
    let verdicts = harness.state().tests().verdicts();
    assert_eq!(verdicts.len(), 2);
    assert!(
        verdicts.iter().all(|verdict| verdict.passed()),
        "{verdicts:?}"
    );
    // The same cases clicked: the pane's run reads what Run all gave each case.
    click_button(&mut harness, "Reads");
    run_until_ready(&mut harness);
    let result = harness.state().simulator().result().expect("Reads ran");
    assert_eq!(result.output, Some(json!([1, 2])), "{result:?}");
    click_button(&mut harness, "CannotRead");
    run_until_ready(&mut harness);
    let result = harness
        .state()
        .simulator()
        .result()
        .expect("CannotRead ran");
    assert_eq!(result.error.as_deref(), Some("States.ItemReaderFailed"));
    assert_eq!(result.cause.as_deref(), Some("the bucket is gone"));
}

#[test]
fn frame_by_frame_generation_shows_its_progress_and_cancel_stops_it() {
    let mut harness = sample_with_tests_on(true);
    // One generation step a frame (the browser's budget is half a frame's time).
    harness
        .state_mut()
        .tests_mut()
        .set_generation_budget(asl_studio::canvas::SliceBudget::Units(1));
    let mocks_before = harness.state().simulator().mock_file_text().to_owned();
    harness
        .get_by_role_and_label(Role::Button, "Generate tests")
        .click();
    harness.step();
    harness.get_by_label("Generating tests…");
    // One run a frame: the first case takes a few (each fills in a value the last run found
    // missing); then the label says what is left.
    let mut frames = 0;
    let progress = loop {
        harness.step();
        frames += 1;
        let progress = harness
            .state()
            .tests()
            .generation_progress()
            .expect("a step ran");
        if progress.cases > 0 || frames > 500 {
            break progress;
        }
    };
    assert_eq!(progress.cases, 1);
    assert!(progress.targets_left > 0, "{progress:?}");
    harness.get_by_label(&format!(
        "Generating tests… case 1, {} targets left",
        progress.targets_left
    ));
    assert!(harness.query_by_label_contains("the page waits").is_none());
    harness
        .get_by_role_and_label(Role::Button, "Cancel")
        .click();
    harness.step();
    let tests = harness.state().tests();
    assert!(!tests.is_busy());
    assert_eq!(tests.message(), Some("Generating tests was cancelled."));
    assert_eq!(tests.generated(), None);
    // Nothing of the cancelled generation is loaded: the sample's mock file stays.
    assert_eq!(harness.state().simulator().mock_file_text(), mocks_before);
    harness.run();
    assert!(harness.query_by_label("Cancel").is_none());
}

/// Generated cases are named after their Choice rule ("03 Check If Process2 Completed.Choices[0]"),
/// often wider than the panel: the rows cut the name and the file name wraps, so the panel keeps
/// its width instead of growing over the canvas with its left edge cut off.
#[test]
fn long_generated_case_names_leave_the_tests_panel_its_width() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/corpus/real/workflows-collection/either-or-parallel-pattern__statemachine.asl.json"
    );
    let text = std::fs::read_to_string(path).expect("the corpus file is bundled");
    let mut harness = tests_panel_on("either-or-parallel-pattern__statemachine.asl.json", &text);
    let before = harness
        .get_by_role_and_label(Role::Button, "Run all")
        .rect();
    click_and_wait(&mut harness, "Generate tests");
    harness.run();
    let generated = harness
        .state()
        .tests()
        .generated()
        .expect("a suite was generated");
    assert!(generated.cases >= 3, "{generated:?}");
    let long = harness
        .state()
        .tests()
        .verdicts()
        .iter()
        .map(|case| case.name.len())
        .max()
        .unwrap_or_default();
    assert!(long > 40, "the case names are long ({long} characters)");
    let after = harness
        .get_by_role_and_label(Role::Button, "Run all")
        .rect();
    assert!(
        (after.left() - before.left()).abs() < 1.0,
        "the panel moved: Run all was at {before:?}, now at {after:?}"
    );
}
