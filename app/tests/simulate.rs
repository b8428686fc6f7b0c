//! The simulator pane, driven as a user would: the bundled sample ETL pipeline, an input typed in,
//! the Glue task mocked to fail, a run, then the canvas colours, the event list, the final outcome,
//! travel back in time, and Test state.

use std::collections::HashMap;

use asl_studio::canvas::{CanvasAction, CanvasOverlay, CanvasView, RunStatus, Selection, StateId};
use asl_studio::simulate::{SimulatorAction, SimulatorPane};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use graph_model::{Document, StateMachine, Transition};
use serde_json::{Value, json};

/// The designer reduced to what the pane needs: the document, the canvas and the selection.
struct Studio {
    doc: Document,
    canvas: CanvasView,
    selection: Selection,
    pane: SimulatorPane,
}

impl Studio {
    fn new(definition: &Value) -> Self {
        let root = StateMachine::from_value(definition).expect("the test definitions are objects");
        Self {
            doc: Document::new(root),
            canvas: CanvasView::new(),
            selection: Selection::default(),
            pane: SimulatorPane::new(),
        }
    }

    fn sample() -> Self {
        let sample: Value = serde_json::from_str(asl_studio::sample::SAMPLE_ASL)
            .expect("the bundled sample is JSON");
        Self::new(&sample)
    }

    fn ui(&mut self, ui: &mut egui::Ui) {
        if SimulatorPane::take_run_shortcut(ui.ctx()) {
            self.pane.run(&self.doc);
        }
        egui::Panel::bottom("simulator")
            .resizable(true)
            .default_size(520.0)
            .show(ui, |ui| {
                for action in self.pane.ui(ui, &self.doc, &self.selection) {
                    match action {
                        SimulatorAction::Select(id) => self.selection = Selection::single(id),
                    }
                }
            });
        egui::CentralPanel::default().show(ui, |ui| {
            let overlay = CanvasOverlay {
                diagnostics: Vec::new(),
                run: self.pane.overlay().cloned(),
                ..CanvasOverlay::default()
            };
            for action in self.canvas.ui(ui, &self.doc, &self.selection, &overlay) {
                if let CanvasAction::Select(ids) = action {
                    self.selection = Selection {
                        states: ids.into_iter().collect(),
                        edge: None,
                    };
                }
            }
        });
    }
}

fn harness(studio: Studio) -> Harness<'static, Studio> {
    Harness::builder()
        .with_size(egui::vec2(1500.0, 1000.0))
        .with_max_steps(400)
        // The canvas draws state-type icons that egui's bundled fonts lack (drawn as tofu here).
        .allow_missing_glyphs()
        .build_ui_state(|ui, studio: &mut Studio| studio.ui(ui), studio)
}

/// Replaces the text of the field labelled `label`.
fn type_into(harness: &mut Harness<'_, Studio>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label(label).type_text(text);
    harness.run();
}

fn status(harness: &Harness<'_, Studio>, name: &str) -> Option<RunStatus> {
    harness
        .state()
        .pane
        .overlay()
        .and_then(|overlay| overlay.states.get(&StateId::root(name)).copied())
}

/// Whether the event details show `value` as the event's `field`, pretty-printed (once).
fn shows_event_data(harness: &Harness<'_, Studio>, field: &str, value: &serde_json::Value) -> bool {
    let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
    harness.query_by_label(&format!("Data ({field})")).is_some()
        && harness.query_all_by_label_contains(&pretty).count() == 1
}

fn click(harness: &mut Harness<'_, Studio>, label: &str) {
    harness.get_by_label(label).click();
    harness.run();
}

/// The sample, an input, TransformFile mocked to fail, run.
fn failing_glue_run() -> Harness<'static, Studio> {
    let mut harness = harness(Studio::sample());
    harness.run();
    type_into(
        &mut harness,
        "Input JSON",
        r#"{"bucket": "staging", "key": "in/data.csv"}"#,
    );
    assert!(
        harness.query_by_label("Valid JSON").is_some(),
        "the input is checked as it is typed"
    );
    click(&mut harness, "Mocks");
    click(&mut harness, "Add error to TransformFile");
    type_into(
        &mut harness,
        "TransformFile attempt 1 throws",
        "Glue.ConcurrentRunsExceededException",
    );
    type_into(
        &mut harness,
        "cause (TransformFile attempt 1)",
        "out of memory",
    );
    click(&mut harness, "Run");
    assert!(
        !harness.state().pane.is_running(),
        "a small run ends within the harness's frames"
    );
    harness
}

#[test]
fn a_caught_glue_failure_is_coloured_listed_and_summarised() {
    let mut harness = failing_glue_run();

    // The canvas colours: the catch path and the cleanup were reached, the success path was not.
    assert_eq!(status(&harness, "DownloadFile"), Some(RunStatus::Succeeded));
    assert_eq!(status(&harness, "TransformFile"), Some(RunStatus::Caught));
    assert_eq!(
        status(&harness, "NotifyFailure"),
        Some(RunStatus::Succeeded)
    );
    assert_eq!(status(&harness, "Cleanup"), Some(RunStatus::Succeeded));
    assert_eq!(status(&harness, "PipelineFailed"), Some(RunStatus::Failed));
    assert_eq!(
        status(&harness, "PipelineSucceeded"),
        None,
        "never entered: drawn as not reached"
    );
    let overlay = harness.state().pane.overlay().cloned().unwrap_or_default();
    assert!(
        overlay
            .taken_edges
            .contains(&(StateId::root("TransformFile"), Transition::Catch(0)))
    );
    assert!(
        overlay
            .taken_edges
            .contains(&(StateId::root("NotifyFailure"), Transition::Next))
    );
    assert!(
        !overlay
            .taken_edges
            .contains(&(StateId::root("TransformFile"), Transition::Next))
    );

    // The event list, with AWS's event names.
    let result = harness
        .state()
        .pane
        .result()
        .cloned()
        .expect("the run ended");
    // Four Tasks run (the second, the Glue job, fails and is caught), then the Choice and the Fail.
    let task = |outcome| {
        [
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            outcome,
            "TaskStateExited",
        ]
    };
    let mut expected = vec!["ExecutionStarted"];
    for outcome in [
        "TaskSucceeded",
        "TaskFailed",
        "TaskSucceeded",
        "TaskSucceeded",
    ] {
        expected.extend(task(outcome));
    }
    expected.extend([
        "ChoiceStateEntered",
        "ChoiceStateExited",
        "FailStateEntered",
        "ExecutionFailed",
    ]);
    assert_eq!(result.event_types(), expected);

    // Clicking an event selects its state and shows the data at that moment.
    harness
        .get_by_role_and_label(Role::Slider, "Event")
        .set_value_accesskit(10.0);
    harness.run();
    assert_eq!(
        harness.state().pane.cursor(),
        Some(9),
        "the slider moves the cursor"
    );
    click(
        &mut harness,
        &format!("{:>5}  {:<30} {}", 10, "TaskFailed", "TransformFile"),
    );
    assert_eq!(
        harness.state().selection,
        Selection::single(StateId::root("TransformFile"))
    );
    let failure =
        json!({"Error": "Glue.ConcurrentRunsExceededException", "Cause": "out of memory"});
    assert!(
        shows_event_data(&harness, "error", &failure),
        "the data of TaskFailed"
    );

    // The NotifyFailure message was built from the caught error.
    let notify = result
        .history
        .iter()
        .find(|event| event.event_type == "TaskScheduled" && event.id == 13)
        .expect("event 13");
    let parameters = notify.details["taskScheduledEventDetails"]["parameters"]
        .as_str()
        .unwrap_or_default();
    assert!(
        parameters.contains(
            r#"Transforming in/data.csv failed: {\"Error\":\"Glue.ConcurrentRunsExceededException\",\"Cause\":\"out of memory\"}"#
        ),
        "{parameters}"
    );

    // The final outcome.
    assert_eq!(result.status, simulator::Status::Failed);
    assert_eq!(result.error.as_deref(), Some("ETL.TransformFailed"));
    assert_eq!(result.state_transitions, 6);
    click(&mut harness, "Summary");
    // Under Status in the summary, and in the toolbar.
    assert!(harness.query_by_label("Status").is_some());
    assert_eq!(harness.query_all_by_label("FAILED").count(), 2);
    assert!(harness.query_by_label("Error").is_some());
    assert!(harness.query_by_label("ETL.TransformFailed").is_some());
    assert!(harness.query_by_label("State transitions: 6").is_some());
    assert!(harness.query_by_label_contains("as Standard").is_some());

    // The exported history is AWS-shaped.
    let exported: Value =
        serde_json::from_str(&harness.state().pane.history_json().unwrap_or_default())
            .expect("JSON");
    assert_eq!(
        exported["events"].as_array().map(Vec::len),
        Some(result.history.len())
    );
    assert_eq!(exported["events"][0]["type"], "ExecutionStarted");
}

#[test]
fn stepping_back_shows_the_earlier_data() {
    let mut harness = failing_glue_run();
    let end = harness
        .state()
        .pane
        .cursor()
        .expect("the cursor is at the end");
    assert_eq!(end, 24);

    // Back through FailStateEntered, the Choice, Cleanup and NotifyFailure to TransformFile.
    for _ in 0..5 {
        click(&mut harness, "Step back");
    }
    let cursor = harness.state().pane.cursor().expect("cursor");
    assert_eq!(cursor, 6, "TransformFile's TaskStateEntered");
    assert_eq!(status(&harness, "TransformFile"), Some(RunStatus::Entered));
    assert_eq!(status(&harness, "DownloadFile"), Some(RunStatus::Succeeded));
    assert_eq!(status(&harness, "NotifyFailure"), None);
    assert_eq!(status(&harness, "Cleanup"), None);
    // The data as of that event: the download result is there, the error not yet.
    let expected = json!({"bucket": "staging", "key": "in/data.csv", "download": {"bucket": "staging", "key": "in/data.csv"}});
    assert!(shows_event_data(&harness, "input", &expected));

    // The keyboard moves through the list too, one event at a time.
    click(
        &mut harness,
        &format!("{:>5}  {:<30} {}", 7, "TaskStateEntered", "TransformFile"),
    );
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    assert_eq!(harness.state().pane.cursor(), Some(7));
    assert_eq!(
        harness.state().pane.overlay().map(|o| o.retries.len()),
        Some(0)
    );

    // Forward again with Step: the next state entered is NotifyFailure.
    click(&mut harness, "Step");
    assert_eq!(harness.state().pane.cursor(), Some(11));
    assert_eq!(status(&harness, "TransformFile"), Some(RunStatus::Caught));
    assert_eq!(status(&harness, "NotifyFailure"), Some(RunStatus::Entered));

    // The data flow of the selected state, stage by stage.
    harness.state_mut().selection = Selection::single(StateId::root("TransformFile"));
    click(&mut harness, "Data flow");
    assert!(
        harness
            .query_by_label_contains("After Parameters")
            .is_some()
    );
    assert!(harness.query_by_label_contains("State output").is_some());
}

/// What the last Test state run gave.
fn tested(harness: &Harness<'_, Studio>) -> asl_studio::simulate::test_state::TestOutcome {
    harness
        .state()
        .pane
        .test_outcome()
        .cloned()
        .expect("tested")
        .expect("the test ran")
}

#[test]
fn test_state_runs_one_state_on_its_input() {
    let mut harness = harness(Studio::sample());
    harness.run();
    type_into(&mut harness, "Input JSON", r#"{"bucket": "b", "key": "k"}"#);
    // Select DownloadFile on the canvas.
    click(&mut harness, "DownloadFile");
    assert_eq!(
        harness.state().selection,
        Selection::single(StateId::root("DownloadFile"))
    );
    click(&mut harness, "Test state");
    click(&mut harness, "Test state DownloadFile");
    let outcome = tested(&harness);
    let expected = json!({"bucket": "b", "key": "k", "download": {"bucket": "b", "key": "k"}});
    assert_eq!(outcome.output, Some(expected.clone()));
    assert_eq!(outcome.next.as_deref(), Some("TransformFile"));
    assert!(
        harness
            .query_by_label(&format!("Test output: {expected}"))
            .is_some()
    );

    // A Choice reports the branch it chose.
    click(&mut harness, "DidTransformFail");
    click(&mut harness, "Test state DidTransformFail");
    let outcome = tested(&harness);
    assert_eq!(outcome.next.as_deref(), Some("PipelineSucceeded"));
}

#[test]
fn run_to_here_and_breakpoints_stop_at_the_state() {
    let mut harness = failing_glue_run();
    click(&mut harness, "Cleanup");
    click(&mut harness, "Reset");
    assert!(harness.state().pane.overlay().is_none());
    click(&mut harness, "Run to here");
    let cursor = harness.state().pane.cursor().expect("cursor");
    let result = harness.state().pane.result().cloned().expect("result");
    assert_eq!(result.history[cursor].event_type, "TaskStateEntered");
    assert_eq!(
        result.history[cursor].details["stateEnteredEventDetails"]["name"],
        "Cleanup"
    );
    assert_eq!(status(&harness, "Cleanup"), Some(RunStatus::Entered));
    assert_eq!(status(&harness, "PipelineFailed"), None);

    // A breakpoint on NotifyFailure: Run stops there.
    click(&mut harness, "NotifyFailure");
    click(&mut harness, "Add breakpoint");
    harness.key_press(egui::Key::F5);
    harness.run();
    assert_eq!(status(&harness, "NotifyFailure"), Some(RunStatus::Entered));
    click(&mut harness, "Continue");
    assert_eq!(status(&harness, "PipelineFailed"), Some(RunStatus::Failed));
}

#[test]
fn a_definition_with_errors_says_why_and_selects_the_problem() {
    let definition = json!({
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Next": "Nowhere"},
            "Second": {"Type": "Succeed"}
        }
    });
    let mut harness = harness(Studio::new(&definition));
    harness.run();
    click(&mut harness, "Run");
    assert!(harness.state().pane.result().is_none());
    assert!(harness.query_by_label_contains("cannot run").is_some());
    harness
        .get_all_by_label_contains("First: ")
        .next()
        .expect("the problem is listed")
        .click();
    harness.run();
    assert_eq!(
        harness.state().selection,
        Selection::single(StateId::root("First"))
    );
}

#[test]
fn map_iterations_and_parallel_branches_are_shown_separately() {
    let definition = json!({
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": true}}},
                    {"StartAt": "Each", "States": {"Each": {
                        "Type": "Map",
                        "ItemsPath": "$.items",
                        "ItemProcessor": {"StartAt": "Check", "States": {
                            "Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericLessThan": 2, "Next": "Small"}], "Default": "Big"},
                            "Small": {"Type": "Pass", "End": true},
                            "Big": {"Type": "Pass", "End": true}
                        }},
                        "End": true
                    }}}
                ],
                "End": true
            }
        }
    });
    let mut harness = harness(Studio::new(&definition));
    harness.run();
    type_into(&mut harness, "Input JSON", r#"{"items": [1, 5, 0]}"#);
    click(&mut harness, "Run");
    assert_eq!(
        harness.state().pane.result().map(|r| r.status),
        Some(simulator::Status::Succeeded)
    );
    let processor = graph_model::MachinePath::root()
        .branch("Fan", 1)
        .processor("Each");
    let left = StateId::new(graph_model::MachinePath::root().branch("Fan", 0), "Left");
    let small = StateId::new(processor.clone(), "Small");
    let big = StateId::new(processor.clone(), "Big");
    let statuses = |harness: &Harness<'_, Studio>| -> HashMap<StateId, RunStatus> {
        harness
            .state()
            .pane
            .overlay()
            .map(|overlay| overlay.states.clone())
            .unwrap_or_default()
    };
    // At the end, the last iteration (item 0) is shown: Small.
    assert_eq!(statuses(&harness).get(&left), Some(&RunStatus::Succeeded));
    assert_eq!(statuses(&harness).get(&small), Some(&RunStatus::Succeeded));
    assert_eq!(statuses(&harness).get(&big), None);
    // Pick iteration 1 (item 5): Big.
    click(&mut harness, "Each: follow the current iteration");
    harness
        .get_by_role_and_label(Role::Slider, "Each iteration")
        .set_value_accesskit(1.0);
    harness.run();
    assert_eq!(statuses(&harness).get(&big), Some(&RunStatus::Succeeded));
    assert_eq!(statuses(&harness).get(&small), None);
    let overlay = harness.state().pane.overlay().cloned().unwrap_or_default();
    assert!(
        overlay
            .taken_edges
            .contains(&(StateId::new(processor, "Check"), Transition::Default))
    );
}

#[test]
fn retries_are_counted_and_the_sidecar_keeps_the_settings() {
    let mut studio = Studio::sample();
    let mocks = json!({
        "StateMachines": {"Etl": {"TestCases": {"Flaky": {"DownloadFile": "FlakyDownload"}}}},
        "MockedResponses": {"FlakyDownload": {
            "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
            "2": {"Return": {"Payload": {"bucket": "b", "key": "k"}}}
        }}
    });
    let mut imported = asl_studio::simulate::mocks::MockSet::from_step_functions_local(&mocks)
        .expect("valid mock file");
    imported.pass_through = true;
    studio.pane.set_mocks(imported);
    let mut harness = harness(studio);
    harness.run();
    click(&mut harness, "Run");
    assert_eq!(status(&harness, "DownloadFile"), Some(RunStatus::Retried));
    let retries = harness
        .state()
        .pane
        .overlay()
        .and_then(|o| o.retries.get(&StateId::root("DownloadFile")).copied());
    assert_eq!(retries, Some(2));
    assert_eq!(
        harness.state().pane.result().map(|r| r.status),
        Some(simulator::Status::Succeeded)
    );
    // Backoff: 2 s then 4 s of virtual time.
    assert_eq!(
        harness.state().pane.result().map(|r| r.duration_millis),
        Some(6000)
    );

    let saved = harness.state().pane.sidecar();
    let mut restored = SimulatorPane::new();
    restored.load_sidecar(&saved);
    assert_eq!(restored.sidecar(), saved);
    assert_eq!(
        restored.mocks().attempts("DownloadFile").map(<[_]>::len),
        Some(3)
    );
}

/// A file exchange that answers like a browser's: the chosen file arrives a frame after the
/// request, and saves are kept for the test to read.
#[derive(Clone, Default)]
struct LateExchange {
    log: std::rc::Rc<std::cell::RefCell<LateLog>>,
}

#[derive(Default)]
struct LateLog {
    to_open: Vec<(String, String)>,
    pending: Vec<(asl_studio::files::TextPurpose, String, String, bool)>,
    saved: Vec<(String, String)>,
}

impl asl_studio::files::TextExchange for LateExchange {
    fn save_text(
        &mut self,
        suggested_name: &str,
        text: &str,
    ) -> Result<asl_studio::files::SaveOutcome, String> {
        self.log
            .borrow_mut()
            .saved
            .push((suggested_name.to_owned(), text.to_owned()));
        Ok(asl_studio::files::SaveOutcome::Downloaded(
            suggested_name.to_owned(),
        ))
    }

    fn request_open(&mut self, purpose: asl_studio::files::TextPurpose, extensions: &[&str]) {
        assert_eq!(extensions, ["json"], "a mock file is JSON");
        let mut log = self.log.borrow_mut();
        if !log.to_open.is_empty() {
            let (name, text) = log.to_open.remove(0);
            log.pending.push((purpose, name, text, false));
        }
    }

    fn take_opened(
        &mut self,
        purpose: asl_studio::files::TextPurpose,
    ) -> Option<Result<asl_studio::files::OpenedText, String>> {
        let mut log = self.log.borrow_mut();
        let index = log.pending.iter().position(|p| p.0 == purpose)?;
        if !log.pending[index].3 {
            // Not on the frame of the request: a browser reads the file afterwards.
            log.pending[index].3 = true;
            return None;
        }
        let (_, name, text, _) = log.pending.remove(index);
        Some(Ok(asl_studio::files::OpenedText { name, text }))
    }
}

#[test]
fn mock_files_and_the_history_travel_through_the_platforms_file_exchange() {
    let exchange = LateExchange::default();
    let mock_file = json!({
        "StateMachines": {"Etl": {"TestCases": {"GlueFails": {
            "DownloadFile": "Downloaded", "TransformFile": "GlueThrows"}}}},
        "MockedResponses": {
            "Downloaded": {"0": {"Return": {"Payload": {"bucket": "b", "key": "k"}}}},
            "GlueThrows": {"0": {"Throw": {"Error": "Glue.AWSGlueException", "Cause": "job crashed"}}}
        }
    });
    exchange
        .log
        .borrow_mut()
        .to_open
        .push(("MockConfigFile.json".to_owned(), mock_file.to_string()));
    asl_studio::files::set_text_exchange(Box::new(exchange.clone()));
    let mut harness = harness(Studio::sample());
    harness.run();
    click(&mut harness, "Mocks");
    click(&mut harness, "Open mock file…");
    let pane = &harness.state().pane;
    assert_eq!(
        pane.mocks()
            .attempts("TransformFile")
            .map(<[asl_studio::simulate::mocks::AttemptMock]>::len),
        Some(1),
        "the file arrived on a later frame and was imported"
    );
    assert_eq!(
        pane.mock_message(),
        Some("MockConfigFile.json: Imported mocks for 2 state(s).")
    );
    click(&mut harness, "Run");
    let result = harness.state().pane.result().cloned().expect("a run");
    assert_eq!(result.status, simulator::Status::Failed);
    assert_eq!(result.error.as_deref(), Some("ETL.TransformFailed"));

    click(&mut harness, "Summary");
    click(&mut harness, "Export history…");
    click(&mut harness, "Mocks");
    click(&mut harness, "Save mock file…");
    let saved = exchange.log.borrow().saved.clone();
    let names: Vec<&str> = saved.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["execution-history.json", "MockConfigFile.json"]);
    let history: Value = serde_json::from_str(&saved[0].1).expect("the history is JSON");
    assert_eq!(history["events"][0]["type"], "ExecutionStarted");
    assert_eq!(
        history["events"].as_array().map(Vec::len),
        Some(result.history.len())
    );
    let mocks: Value = serde_json::from_str(&saved[1].1).expect("the mock file is JSON");
    let again = asl_studio::simulate::mocks::MockSet::from_step_functions_local(&mocks)
        .expect("the saved mock file reads back");
    assert_eq!(
        again.attempts("TransformFile"),
        harness.state().pane.mocks().attempts("TransformFile")
    );
    assert_eq!(
        harness.state().pane.export_message(),
        Some("Downloaded execution-history.json.")
    );
}

/// F5 in the designer asks for a run that starts in the next frame (the frame handling the key
/// stays short): meanwhile the pane says it is executing, so a script waiting for the run's end
/// never takes the previous run for it. The run starts from the input as last typed, whether the
/// copy parsed when it was typed is used or the text is parsed again.
#[test]
fn a_requested_run_starts_a_frame_later_from_the_typed_input() {
    let studio = Studio::new(&json!({
        "StartAt": "Echo",
        "States": { "Echo": { "Type": "Pass", "End": true } }
    }));
    let mut pane = SimulatorPane::new();
    let ctx = egui::Context::default();
    let run_to_end = |pane: &mut SimulatorPane, input: Option<&str>| -> Option<Value> {
        if let Some(input) = input {
            pane.set_input_text(input);
        }
        pane.request_run(&ctx);
        assert_eq!(pane.run_phase(), "executing", "asked for, not yet started");
        assert!(pane.is_running());
        pane.start_requested_run(&studio.doc);
        assert_eq!(pane.start_error(), None);
        for _ in 0..1_000 {
            if pane.run_phase() == "ready" {
                break;
            }
            let mut output = ctx.run_ui(egui::RawInput::default(), |ui| pane.tick(ui.ctx()));
            output.textures_delta.clear();
        }
        assert_eq!(pane.run_phase(), "ready");
        // Asked for once, started once: a later frame starts nothing.
        let serial_before = pane.history_json();
        pane.start_requested_run(&studio.doc);
        assert_eq!(pane.history_json(), serial_before);
        pane.result().and_then(|result| result.output.clone())
    };
    assert_eq!(
        run_to_end(&mut pane, Some(r#"{"first": 1}"#)),
        Some(json!({"first": 1}))
    );
    assert_eq!(
        run_to_end(&mut pane, Some(r#"{"second": [1, 2]}"#)),
        Some(json!({"second": [1, 2]}))
    );
    // The parsed copy went to the last run: the same text is parsed again.
    assert_eq!(run_to_end(&mut pane, None), Some(json!({"second": [1, 2]})));
}
