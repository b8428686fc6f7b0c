//! The simulator pane: dry runs inside the designer.
//!
//! The pane holds what a run is made of (named sample inputs, Task mocks per attempt, values for
//! `${...}` placeholders, Standard or Express, a seed, breakpoints), runs the definition with the
//! `simulator` crate in time-boxed slices per frame (the window never freezes, and the browser has
//! no threads), and then lets the user travel through the recorded run: the event list, a slider,
//! Step and Continue all move one cursor, and the canvas overlay, the data-flow view and the event
//! data show the run as of that event.
//!
//! The app owns the document and the selection; the pane reads them and asks for changes with
//! [`SimulatorAction`]s. Its settings go into the `simulator` key of the layout sidecar
//! ([`SimulatorPane::sidecar`] / [`SimulatorPane::load_sidecar`]).

mod config_ui;
pub mod dataflow;
mod glyph_warmup;
pub mod mocks;
pub mod result_files_ui;
mod results_ui;
pub mod session;
pub mod suite_file;
pub mod test_cases;
pub mod test_state;
pub mod tests_panel;
mod tests_work;
pub mod timeline;

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::time::Duration;

use graph_model::{Diagnostic, Document, Severity};
use serde_json::{Value, json};
use simulator::{ExecutionResult, ExecutionType, Options, PriceTable};

use crate::files::TextPurpose;
use crate::overlay::RunOverlay;
use crate::selection::{Selection, StateId};
use mocks::MockSet;
use session::{Goal, Session};
use test_state::TestOutcome;
use timeline::StateIndex;

/// What the pane asks the app to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimulatorAction {
    /// Select this state (and show it on the canvas).
    Select(StateId),
}

/// A named sample input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleInput {
    /// Its name, e.g. "happy path".
    pub name: String,
    /// The input, as JSON text.
    pub text: String,
}

/// The configuration tabs (left half).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum ConfigTab {
    #[default]
    Input,
    Mocks,
    Settings,
}

/// The result tabs (right half).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum ResultTab {
    #[default]
    Events,
    DataFlow,
    TestState,
    Summary,
}

/// Wall-clock time the pane spends advancing a run per frame by default: a few milliseconds, so a
/// 60 Hz frame keeps room for drawing and for one long simulator step (finishing a 10,000-item Map
/// copies its results several times and takes about 12 ms on its own).
pub const DEFAULT_FRAME_BUDGET: Duration = Duration::from_millis(3);

/// History events folded into the canvas overlay between two looks at the clock: small enough
/// that the frame budget is overrun by little in the browser (a look costs next to nothing).
const OVERLAY_CHUNK: usize = 512;

/// The event data shown under the events list: the run (serial) and event position it belongs
/// to, and the data (see [`timeline::event_data`]).
type EventDataCache = ((u64, usize), Option<(&'static str, Value)>);

/// The frame, counted from the one in which a run became ready (0), from which each part of the
/// finished run is drawn. The completing frame holds the last indexing slice and draws the status
/// and the events list; the event's data and the canvas overlay (a scan of the whole history)
/// each wait for a later frame, so no one frame pays for all of them (BENCHMARKS.md, "Simulator
/// pane").
struct Reveal;

impl Reveal {
    /// The data of the event under the cursor.
    const DETAILS: u8 = 1;
    /// The canvas overlay.
    const OVERLAY: u8 = 2;
}

/// What an overlay was made for: the run (serial), the cursor, the Map iterations picked.
type OverlayKey = (u64, usize, BTreeMap<String, usize>);

/// The simulator pane.
pub struct SimulatorPane {
    samples: Vec<SampleInput>,
    selected_sample: usize,
    input_error: Option<String>,
    mocks: MockSet,
    mock_file_text: String,
    mock_message: Option<String>,
    placeholders: BTreeMap<String, String>,
    execution_type: ExecutionType,
    seed: u64,
    breakpoints: BTreeSet<String>,
    session: Option<Session>,
    session_serial: u64,
    start_error: Option<String>,
    picked_iterations: BTreeMap<String, usize>,
    overlay: Option<RunOverlay>,
    overlay_key: Option<OverlayKey>,
    /// The overlay being worked out over several frames, for the key it will have.
    overlay_job: Option<(OverlayKey, timeline::OverlayJob)>,
    config_tab: ConfigTab,
    result_tab: ResultTab,
    test_outcome: Option<Result<TestOutcome, String>>,
    problems: Option<(u64, Vec<Diagnostic>)>,
    placeholder_names: Option<(u64, Vec<String>)>,
    config_version: u64,
    list_focused: bool,
    scroll_to_cursor: bool,
    export_message: Option<String>,
    frame_budget: Duration,
    edit_large_input: bool,
    /// Frames drawn since the run became ready (saturating; `u8::MAX` when no run just finished).
    /// What a finished run shows is revealed over the first frames (see [`Reveal`]), so the
    /// frame that completes a big run does not also lay out everything it shows.
    frames_ready: u8,
    /// The data of the event under the cursor, parsed back from its text, for the run and
    /// position it was parsed for (an event can carry a whole Map's results).
    event_data_cache: Option<EventDataCache>,
    /// The monospace glyphs of the run's views, rasterised a few per frame while a run goes.
    glyph_warmup: glyph_warmup::GlyphWarmup,
    /// The frame (egui's `cumulative_frame_nr`) in which the run was started, once a tick has
    /// seen it (`Some(u64::MAX)` until then): that frame already parsed the input and compiled
    /// the definition, so the run's first slice waits for the next one.
    started_in_frame: Option<u64>,
    /// The test cases of the last mock file read (the sample's, a template's, an opened one).
    test_cases: Option<test_cases::TestCases>,
    /// The picked test case.
    selected_case: Option<usize>,
    /// Whether the mocks are still the picked test case's (no edit since).
    case_pristine: bool,
    /// The input as last checked, parsed: the run starts from it rather than parsing the text
    /// again in the frame F5 is handled in (a 190 KB input took about 10 ms in the browser).
    parsed_input: Option<(String, Value)>,
    /// F5 was pressed: the run starts in the next frame ([`Self::start_requested_run`]), so the
    /// frame handling the key does not also compile the definition and lay out the pane's run views.
    run_requested: bool,
    /// The path typed for a mock file where no file dialog could be shown.
    mock_path_prompt: Option<String>,
    /// Items for Map states with an ItemReader, by Map state name (a template's example rows).
    reader_items: HashMap<String, Vec<Value>>,
    /// The name the next imported mock file text goes by (the file just opened).
    mock_file_name: String,
    /// The mock file the test cases came from: the Tests panel's suite, and what "Save mock
    /// file…" writes back.
    suite_file: Option<suite_file::SuiteFile>,
}

impl Default for SimulatorPane {
    fn default() -> Self {
        Self::new()
    }
}

impl SimulatorPane {
    /// A pane with one empty sample input (`{}`), pass-through for unmocked Tasks, Standard, seed 0.
    #[must_use]
    pub fn new() -> Self {
        Self {
            samples: vec![SampleInput {
                name: "default".to_owned(),
                text: "{}".to_owned(),
            }],
            selected_sample: 0,
            input_error: None,
            mocks: MockSet {
                pass_through: true,
                ..MockSet::default()
            },
            mock_file_text: String::new(),
            mock_message: None,
            placeholders: BTreeMap::new(),
            execution_type: ExecutionType::Standard,
            seed: 0,
            breakpoints: BTreeSet::new(),
            session: None,
            session_serial: 0,
            start_error: None,
            picked_iterations: BTreeMap::new(),
            overlay: None,
            overlay_key: None,
            overlay_job: None,
            config_tab: ConfigTab::default(),
            result_tab: ResultTab::default(),
            test_outcome: None,
            problems: None,
            placeholder_names: None,
            config_version: 0,
            list_focused: false,
            scroll_to_cursor: false,
            export_message: None,
            frame_budget: DEFAULT_FRAME_BUDGET,
            edit_large_input: false,
            frames_ready: u8::MAX,
            event_data_cache: None,
            glyph_warmup: glyph_warmup::GlyphWarmup::default(),
            started_in_frame: None,
            parsed_input: None,
            run_requested: false,
            test_cases: None,
            selected_case: None,
            case_pristine: false,
            mock_path_prompt: None,
            reader_items: HashMap::new(),
            mock_file_name: suite_file::DEFAULT_NAME.to_owned(),
            suite_file: None,
        }
    }

    /// Sets the wall-clock time spent advancing a run per frame.
    pub fn set_frame_budget(&mut self, budget: Duration) {
        self.frame_budget = budget;
    }

    /// The overlay the canvas should draw (the run as of the cursor), if a run is shown.
    #[must_use]
    pub fn overlay(&self) -> Option<&RunOverlay> {
        self.overlay.as_ref()
    }

    /// Whether a run is being executed or indexed (the app keeps repainting meanwhile).
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.run_requested || self.session.as_ref().is_some_and(Session::is_busy)
    }

    /// What the run is doing: `""` (no run), `"executing"`, `"indexing"` or `"ready"`.
    #[must_use]
    pub fn run_phase(&self) -> &'static str {
        match &self.session {
            _ if self.run_requested => "executing",
            None => "",
            Some(session) if session.is_executing() => "executing",
            Some(session) if session.is_busy() => "indexing",
            Some(_) => "ready",
        }
    }

    /// The recorded run's outcome.
    #[must_use]
    pub fn result(&self) -> Option<&ExecutionResult> {
        self.session.as_ref().and_then(Session::result)
    }

    /// The cursor: index of the history event the view shows.
    #[must_use]
    pub fn cursor(&self) -> Option<usize> {
        self.session.as_ref().and_then(|session| session.cursor)
    }

    /// Why the last Run could not start, if it could not.
    #[must_use]
    pub fn start_error(&self) -> Option<&str> {
        self.start_error.as_deref()
    }

    /// The last Test state outcome.
    #[must_use]
    pub fn test_outcome(&self) -> Option<&Result<TestOutcome, String>> {
        self.test_outcome.as_ref()
    }

    /// The mocks being edited.
    #[must_use]
    pub fn mocks(&self) -> &MockSet {
        &self.mocks
    }

    /// Sets the items Map states with an ItemReader read, by Map state name (what S3 would hold).
    pub fn set_reader_items(&mut self, items: HashMap<String, Vec<Value>>) {
        self.reader_items = items;
        self.changed();
    }

    /// The items Map states with an ItemReader read, by Map state name.
    #[must_use]
    pub fn reader_items(&self) -> &HashMap<String, Vec<Value>> {
        &self.reader_items
    }

    /// Sets Standard or Express.
    pub fn set_execution_type(&mut self, execution_type: ExecutionType) {
        self.execution_type = execution_type;
        self.changed();
    }

    /// Replaces the mocks (e.g. from a file the app opened).
    pub fn set_mocks(&mut self, mocks: MockSet) {
        self.mocks = mocks;
        self.changed();
    }

    /// Whether F5 or Ctrl+R (Cmd+R) was pressed this frame (consumed). The app then shows the pane
    /// and calls [`Self::run`].
    pub fn take_run_shortcut(ctx: &egui::Context) -> bool {
        ctx.input_mut(|input| {
            input.consume_key(egui::Modifiers::NONE, egui::Key::F5)
                || input.consume_key(egui::Modifiers::COMMAND, egui::Key::R)
        })
    }

    fn changed(&mut self) {
        self.config_version += 1;
    }

    fn fingerprint(&self, doc: &Document) -> u64 {
        let mut hasher = DefaultHasher::new();
        doc.revision().hash(&mut hasher);
        self.config_version.hash(&mut hasher);
        hasher.finish()
    }

    /// The validation errors of the document (cached per revision).
    fn errors(&mut self, doc: &Document) -> &[Diagnostic] {
        let revision = doc.revision();
        if self
            .problems
            .as_ref()
            .is_none_or(|(cached, _)| *cached != revision)
        {
            let errors = graph_model::validate(doc.root())
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect();
            self.problems = Some((revision, errors));
        }
        self.problems
            .as_ref()
            .map_or(&[], |(_, errors)| errors.as_slice())
    }

    /// The `${...}` placeholders the definition uses (cached per revision).
    fn placeholder_names(&mut self, doc: &Document) -> Vec<String> {
        let revision = doc.revision();
        if self
            .placeholder_names
            .as_ref()
            .is_none_or(|(cached, _)| *cached != revision)
        {
            let names = asl_codec::template::find_placeholders(&doc.root().to_value())
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            self.placeholder_names = Some((revision, names));
        }
        self.placeholder_names
            .as_ref()
            .map(|(_, names)| names.clone())
            .unwrap_or_default()
    }

    /// The selected sample input's text.
    #[must_use]
    pub fn input_text(&self) -> &str {
        self.samples
            .get(self.selected_sample)
            .map_or("{}", |sample| sample.text.as_str())
    }

    /// Replaces the selected sample input's text.
    pub fn set_input_text(&mut self, text: &str) {
        if let Some(sample) = self.samples.get_mut(self.selected_sample) {
            sample.text = text.to_owned();
        }
        self.validate_input();
        self.changed();
    }

    fn validate_input(&mut self) {
        match serde_json::from_str::<Value>(self.input_text()) {
            Ok(value) => {
                self.input_error = None;
                self.parsed_input = Some((self.input_text().to_owned(), value));
            }
            Err(error) => {
                self.input_error = Some(format!("Not valid JSON: {error}"));
                self.parsed_input = None;
            }
        }
    }

    /// The input as a JSON value: the one parsed when it was last checked, if the text is still
    /// the same (taken: a run owns its input), else parsed now.
    fn take_input(&mut self) -> Result<Value, serde_json::Error> {
        match self.parsed_input.take() {
            Some((text, value)) if text == self.input_text() => Ok(value),
            _ => serde_json::from_str::<Value>(self.input_text()),
        }
    }

    /// The definition as the simulator sees it: the document's ASL with placeholder values filled in.
    fn definition(&self, doc: &Document) -> Value {
        let values: HashMap<String, String> = self
            .placeholders
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        let definition = doc.root().to_value();
        if values.is_empty() {
            definition
        } else {
            asl_codec::substitute(&definition, &values)
        }
    }

    /// The run options from the pane's settings.
    ///
    /// # Errors
    /// A mocked result is not JSON.
    fn options(&self) -> Result<Options, String> {
        let mut builder = Options::builder()
            .execution_type(self.execution_type)
            .seed(self.seed)
            .mocks(self.run_mocks()?)
            .pass_through(self.mocks.pass_through);
        for (state, items) in &self.reader_items {
            builder = builder.reader_items(state.clone(), items.clone());
        }
        let (case_items, case_failures) = self.selected_case_reader_data();
        for (state, items) in case_items {
            builder = builder.reader_items(state, items);
        }
        for (state, cause) in case_failures {
            builder = builder.reader_error(state, cause);
        }
        Ok(builder.build())
    }

    /// Runs the document (F5): to the first breakpoint, or to the end.
    pub fn run(&mut self, doc: &Document) {
        let goal = if self.breakpoints.is_empty() {
            Goal::End
        } else {
            Goal::Breakpoints(self.breakpoints.clone())
        };
        self.start(doc, goal);
    }

    /// Asks for a run (F5) that starts in the next frame's [`Self::start_requested_run`].
    pub fn request_run(&mut self, ctx: &egui::Context) {
        self.run_requested = true;
        ctx.request_repaint();
    }

    /// Starts the run asked for by [`Self::request_run`] in an earlier frame, if any.
    pub fn start_requested_run(&mut self, doc: &Document) {
        if std::mem::take(&mut self.run_requested) {
            self.run(doc);
        }
    }

    /// Step: to the next state entered (starting a run if there is none, or it is stale).
    pub fn step(&mut self, doc: &Document) {
        self.navigate(doc, Goal::NextState);
    }

    /// Continue: to the next breakpoint, or the end.
    pub fn continue_run(&mut self, doc: &Document) {
        let goal = Goal::Breakpoints(self.breakpoints.clone());
        self.navigate(doc, goal);
    }

    /// Run to here: to the next entry of `state`.
    pub fn run_to(&mut self, doc: &Document, state: &str) {
        self.navigate(doc, Goal::State(state.to_owned()));
    }

    /// Stop: cancels the run in progress (what it recorded stays viewable).
    pub fn stop(&mut self) {
        if let Some(session) = &mut self.session {
            session.stop();
        }
    }

    /// Reset: forgets the run; the canvas goes back to the plain diagram.
    pub fn reset(&mut self) {
        self.session = None;
        self.overlay = None;
        self.overlay_key = None;
        self.start_error = None;
    }

    /// Moves the cursor to the previous state entered.
    pub fn step_back(&mut self) {
        if let Some(session) = &mut self.session {
            session.step_back();
            self.scroll_to_cursor = true;
        }
    }

    /// Puts the cursor on history event `position` (0-based).
    pub fn set_cursor(&mut self, position: usize) {
        if let Some(session) = &mut self.session {
            session.set_cursor(position);
            self.scroll_to_cursor = true;
        }
    }

    /// Toggles a breakpoint on `state`.
    pub fn toggle_breakpoint(&mut self, state: &str) {
        if !self.breakpoints.remove(state) {
            self.breakpoints.insert(state.to_owned());
        }
    }

    /// The breakpoints.
    #[must_use]
    pub fn breakpoints(&self) -> &BTreeSet<String> {
        &self.breakpoints
    }

    fn is_fresh(&self, doc: &Document) -> bool {
        self.session
            .as_ref()
            .is_some_and(|session| session.fingerprint == self.fingerprint(doc))
    }

    fn navigate(&mut self, doc: &Document, goal: Goal) {
        if self.is_fresh(doc) {
            if let Some(session) = &mut self.session {
                session.go(&goal);
                self.scroll_to_cursor = true;
            }
        } else {
            self.start(doc, goal);
        }
    }

    fn start(&mut self, doc: &Document, goal: Goal) {
        self.start_error = None;
        let error_count = self.errors(doc).len();
        if error_count > 0 {
            self.start_error = Some(format!(
                "The definition has {error_count} error{} and cannot run: fix {} first (click one below to select it).",
                if error_count == 1 { "" } else { "s" },
                if error_count == 1 { "it" } else { "them" }
            ));
            return;
        }
        let input = match self.take_input() {
            Ok(input) => input,
            Err(error) => {
                self.start_error = Some(format!("The input is not valid JSON: {error}"));
                return;
            }
        };
        let options = match self.options() {
            Ok(options) => options,
            Err(error) => {
                self.start_error = Some(format!("The mocks are not valid: {error}"));
                return;
            }
        };
        let definition = self.definition(doc);
        let fingerprint = self.fingerprint(doc);
        match Session::start(
            &definition,
            doc.root().clone(),
            input,
            options,
            fingerprint,
            goal,
        ) {
            Ok(session) => {
                self.session = Some(session);
                self.started_in_frame = Some(u64::MAX);
                self.session_serial += 1;
                self.overlay = None;
                self.overlay_key = None;
                self.scroll_to_cursor = true;
            }
            Err(error) => {
                self.start_error =
                    Some(format!("The simulator cannot run this definition: {error}"))
            }
        }
    }

    /// Imports a mock file that arrived, advances a run in progress by one frame's slice and
    /// refreshes the overlay. [`Self::ui`] calls it; call it directly on frames where the pane is
    /// hidden.
    pub fn tick(&mut self, ctx: &egui::Context) {
        self.receive_files();
        self.frames_ready = self.frames_ready.saturating_add(1);
        let frame = ctx.cumulative_frame_nr();
        if self.started_in_frame == Some(u64::MAX) {
            self.started_in_frame = Some(frame);
        }
        let starting = self.started_in_frame == Some(frame);
        if let Some(session) = &mut self.session
            && session.is_busy()
        {
            if !starting {
                session.advance(self.frame_budget);
                self.glyph_warmup.step(ctx);
            }
            ctx.request_repaint();
            if !session.is_busy() {
                self.scroll_to_cursor = true;
                self.frames_ready = 0;
            }
        }
        if self.frames_ready < Reveal::OVERLAY {
            ctx.request_repaint();
        } else {
            self.refresh_overlay();
        }
        if self.overlay_job.is_some() {
            ctx.request_repaint();
        }
    }

    /// Whether the part of a finished run drawn from frame `part` (a [`Reveal`] constant) is
    /// drawn in this frame.
    fn revealed(&self, part: u8) -> bool {
        self.frames_ready >= part
    }

    /// The Map iterations shown, as of the cursor.
    fn shown_iterations(&self) -> HashMap<String, usize> {
        let picked: HashMap<String, usize> = self
            .picked_iterations
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        match (
            self.session.as_ref().and_then(Session::timeline),
            self.cursor(),
        ) {
            (Some(timeline), Some(cursor)) => timeline.shown_iterations(cursor, &picked),
            _ => picked,
        }
    }

    fn refresh_overlay(&mut self) {
        let Some(session) = &self.session else {
            self.overlay = None;
            return;
        };
        let (Some(timeline), Some(cursor)) = (session.timeline(), session.cursor) else {
            self.overlay = None;
            return;
        };
        let key = (self.session_serial, cursor, self.picked_iterations.clone());
        if self.overlay_key.as_ref() == Some(&key) {
            return;
        }
        // A long history is scanned over several frames (the previous overlay stays meanwhile).
        let mut job = match self.overlay_job.take() {
            Some((job_key, job)) if job_key == key => job,
            _ => timeline.overlay_job(cursor, &self.shown_iterations()),
        };
        let deadline = web_time::Instant::now() + self.frame_budget;
        while !timeline.advance_overlay(&mut job, OVERLAY_CHUNK) {
            if web_time::Instant::now() >= deadline {
                self.overlay_job = Some((key, job));
                return;
            }
        }
        self.overlay = Some(timeline.finish_overlay(job));
        self.overlay_key = Some(key);
    }

    /// Runs the state `id` alone (TestState) on `input` with the pane's mocks.
    pub fn test_state(&mut self, doc: &Document, id: &StateId, input: Value) {
        let definition = self.definition(doc);
        let pointer = id.machine.state_pointer(doc.root(), &id.name);
        let machine_pointer = id.machine.pointer(doc.root());
        let query_language = definition
            .pointer(&format!("{machine_pointer}/QueryLanguage"))
            .cloned()
            .or_else(|| {
                // States inherit the top-level QueryLanguage, whatever machine they are in.
                definition.get("QueryLanguage").cloned()
            });
        let outcome = match (definition.pointer(&pointer), self.options()) {
            (None, _) => Err(format!("state '{}' is not in the definition", id.name)),
            (_, Err(error)) => Err(format!("The mocks are not valid: {error}")),
            (Some(state), Ok(options)) => {
                test_state::test_state(&id.name, state, query_language.as_ref(), input, &options)
            }
        };
        self.test_outcome = Some(outcome);
        self.result_tab = ResultTab::TestState;
    }

    /// The recorded history as AWS GetExecutionHistory JSON (`{"events": [...]}`), pretty-printed.
    #[must_use]
    pub fn history_json(&self) -> Option<String> {
        self.result().map(history_json)
    }

    /// Asks the user for an AWS Step Functions Local mock file ("Open mock file…"). Natively a
    /// dialog answers at once; in a browser the picker answers later. Either way the file is
    /// imported by [`Self::tick`] on a following frame.
    pub fn open_mock_file(&mut self) {
        crate::files::request_open_text(TextPurpose::MockFile, &["json"]);
    }

    /// Offers the mocks as an AWS Step Functions Local mock file ("Save mock file…"): a save
    /// dialog natively, a download in a browser. Mocks of a test case of an opened file are
    /// written back into that file (only that case changes); other mocks make a one-case file.
    pub fn save_mock_file(&mut self) {
        if self.suite_file.is_some() && self.selected_case.is_some() {
            self.mock_message = Some(self.save_into_suite_file());
            return;
        }
        self.mock_message = Some(match self.mocks.to_step_functions_local("StateMachine") {
            Err(error) => error,
            Ok(file) => {
                let text = serde_json::to_string_pretty(&file).unwrap_or_default();
                match crate::files::save_text(suite_file::DEFAULT_NAME, &text) {
                    Ok(outcome) => outcome.message(),
                    Err(error) => error,
                }
            }
        });
    }

    /// Offers the recorded history as AWS GetExecutionHistory JSON ("Export history…"): a save
    /// dialog natively, a download in a browser. Without a run it says so.
    pub fn export_history(&mut self) {
        self.export_message = Some(match self.history_json() {
            None => "Run the definition first: there is no history to export.".to_owned(),
            Some(json) => match crate::files::save_text("execution-history.json", &json) {
                Ok(outcome) => outcome.message(),
                Err(error) => error,
            },
        });
    }

    /// The mock file text shown under "Mock file JSON" (what the last import read).
    #[must_use]
    pub fn mock_file_text(&self) -> &str {
        &self.mock_file_text
    }

    /// The last message about mocks ("Imported mocks for 3 state(s).", or what was wrong).
    #[must_use]
    pub fn mock_message(&self) -> Option<&str> {
        self.mock_message.as_deref()
    }

    /// The last message about exporting the history.
    #[must_use]
    pub fn export_message(&self) -> Option<&str> {
        self.export_message.as_deref()
    }

    /// Imports a mock file that arrived since the last frame (a browser reads files later).
    fn receive_files(&mut self) {
        match crate::files::take_opened_text(TextPurpose::MockFile) {
            None => {}
            Some(Ok(file)) => {
                self.mock_file_text = file.text;
                self.mock_file_name = file.name.clone();
                self.import_mocks_text();
                self.read_expectations_beside();
                if let Some(message) = &mut self.mock_message {
                    // Say which file, so a stale message is not mistaken for this one.
                    *message = format!("{}: {message}", file.name);
                }
                self.config_tab = ConfigTab::Mocks;
                self.changed();
            }
            Some(Err(error)) => {
                if error == crate::files::NO_OPEN_DIALOG {
                    // No dialog could be shown: the Mocks tab asks for the path instead.
                    self.mock_path_prompt = Some(String::new());
                    self.config_tab = ConfigTab::Mocks;
                }
                self.mock_message = Some(error);
            }
        }
    }

    /// The pane's settings for the `simulator` key of the layout sidecar.
    #[must_use]
    pub fn sidecar(&self) -> Value {
        let inputs: Vec<Value> = self
            .samples
            .iter()
            .map(|sample| json!({"name": sample.name, "input": sample.text}))
            .collect();
        json!({
            "inputs": inputs,
            "selectedInput": self.selected_sample,
            "mocks": self.mocks.sidecar(),
            "placeholders": self.placeholders,
            "executionType": match self.execution_type {
                ExecutionType::Standard => "STANDARD",
                ExecutionType::Express => "EXPRESS",
            },
            "seed": self.seed,
            "breakpoints": self.breakpoints,
        })
    }

    /// Restores what [`Self::sidecar`] wrote; missing or malformed members keep their defaults.
    pub fn load_sidecar(&mut self, value: &Value) {
        let defaults = Self::new();
        let samples: Vec<SampleInput> = value
            .get("inputs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|sample| {
                Some(SampleInput {
                    name: sample.get("name")?.as_str()?.to_owned(),
                    text: sample.get("input")?.as_str()?.to_owned(),
                })
            })
            .collect();
        self.samples = if samples.is_empty() {
            defaults.samples
        } else {
            samples
        };
        self.selected_sample = value
            .get("selectedInput")
            .and_then(Value::as_u64)
            .and_then(|index| usize::try_from(index).ok())
            .filter(|index| *index < self.samples.len())
            .unwrap_or(0);
        self.mocks = value
            .get("mocks")
            .map_or(defaults.mocks, MockSet::from_sidecar);
        self.placeholders = value
            .get("placeholders")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_owned())))
            .collect();
        self.execution_type = match value.get("executionType").and_then(Value::as_str) {
            Some("EXPRESS") => ExecutionType::Express,
            _ => ExecutionType::Standard,
        };
        self.seed = value.get("seed").and_then(Value::as_u64).unwrap_or(0);
        self.breakpoints = value
            .get("breakpoints")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|name| name.as_str().map(str::to_owned))
            .collect();
        self.validate_input();
        self.reset();
        self.changed();
    }

    /// Draws the pane; returns what the app should do (select a state).
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        doc: &Document,
        selection: &Selection,
    ) -> Vec<SimulatorAction> {
        self.tick(ui.ctx());
        let mut actions = Vec::new();
        let selected = match selection.states.len() {
            1 => selection.states.iter().next().cloned(),
            _ => None,
        };
        self.toolbar_ui(ui, doc, selected.as_ref());
        self.problems_ui(ui, doc, &mut actions);
        ui.separator();
        ui.columns(2, |columns| {
            let [left, right] = columns else {
                return;
            };
            self.config_ui(left, doc);
            self.results_ui(right, doc, selected.as_ref(), &mut actions);
        });
        self.keys(ui.ctx());
        if self.revealed(Reveal::OVERLAY) {
            self.refresh_overlay();
        }
        if self.overlay_job.is_some() {
            ui.ctx().request_repaint();
        }
        actions
    }

    fn keys(&mut self, ctx: &egui::Context) {
        if !self.list_focused || ctx.egui_wants_keyboard_input() {
            return;
        }
        let (up, down) = ctx.input_mut(|input| {
            (
                input.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp),
                input.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown),
            )
        });
        if let Some(cursor) = self.cursor() {
            if up {
                self.set_cursor(cursor.saturating_sub(1));
            } else if down {
                self.set_cursor(cursor + 1);
            }
        }
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui, doc: &Document, selected: Option<&StateId>) {
        ui.horizontal_wrapped(|ui| {
            ui.strong("Simulator");
            let running = self.session.as_ref().is_some_and(Session::is_executing);
            if ui
                .add_enabled(!running, egui::Button::new("Run"))
                .on_hover_text("Run to the first breakpoint or the end (F5, Ctrl+R)")
                .clicked()
            {
                self.run(doc);
            }
            if ui
                .add_enabled(!running, egui::Button::new("Step"))
                .on_hover_text("Go to the next state entered")
                .clicked()
            {
                self.step(doc);
            }
            let has_cursor = self.cursor().is_some();
            if ui
                .add_enabled(!running && has_cursor, egui::Button::new("Step back"))
                .clicked()
            {
                self.step_back();
            }
            if ui
                .add_enabled(!running, egui::Button::new("Continue"))
                .on_hover_text("Go to the next breakpoint or the end")
                .clicked()
            {
                self.continue_run(doc);
            }
            let here = selected.map(|id| id.name.clone());
            if ui
                .add_enabled(!running && here.is_some(), egui::Button::new("Run to here"))
                .on_hover_text("Run until the selected state is entered")
                .clicked()
                && let Some(name) = &here
            {
                self.run_to(doc, name);
            }
            if ui.add_enabled(running, egui::Button::new("Stop")).clicked() {
                self.stop();
            }
            if ui
                .add_enabled(self.session.is_some(), egui::Button::new("Reset"))
                .clicked()
            {
                self.reset();
            }
            if let Some(name) = &here {
                let has_breakpoint = self.breakpoints.contains(name);
                let label = if has_breakpoint {
                    "Remove breakpoint"
                } else {
                    "Add breakpoint"
                };
                if ui
                    .button(label)
                    .on_hover_text(format!("Breakpoint on {name}"))
                    .clicked()
                {
                    self.toggle_breakpoint(name);
                }
            }
            ui.separator();
            self.test_case_ui(ui);
            self.status_ui(ui, doc);
        });
    }

    fn status_ui(&self, ui: &mut egui::Ui, doc: &Document) {
        let theme = crate::theme::Theme::current(ui.ctx());
        let Some(session) = &self.session else {
            ui.weak("No run yet.");
            return;
        };
        if session.is_executing() {
            ui.spinner();
            ui.label(format!("Running… {} steps", session.steps));
        } else if let Some(progress) = session.indexing_progress() {
            ui.spinner();
            ui.label(format!("Indexing the history… {:.0}%", progress * 100.0));
        } else if let Some(result) = session.result() {
            let color = match result.status {
                simulator::Status::Succeeded => theme.success,
                simulator::Status::Running => theme.running,
                _ => theme.error,
            };
            ui.colored_label(color, status_name(result.status));
            if let (Some(cursor), Some(timeline)) = (session.cursor, session.timeline()) {
                ui.label(format!(
                    "event {} of {}",
                    cursor + 1,
                    timeline.events().len()
                ));
            }
            if session.fingerprint != self.fingerprint(doc) {
                ui.colored_label(
                    theme.warning,
                    "(stale: the definition or settings changed since this run)",
                );
            }
        }
        if let Some(note) = &session.note {
            ui.colored_label(theme.warning, note);
        }
    }

    fn problems_ui(
        &mut self,
        ui: &mut egui::Ui,
        doc: &Document,
        actions: &mut Vec<SimulatorAction>,
    ) {
        let theme = crate::theme::Theme::current(ui.ctx());
        if let Some(error) = &self.start_error {
            ui.colored_label(theme.error, error);
        }
        let errors: Vec<Diagnostic> = self.errors(doc).to_vec();
        if errors.is_empty() {
            return;
        }
        if self.start_error.is_none() {
            ui.colored_label(
                theme.error,
                format!("Cannot run: the definition has {} error(s).", errors.len()),
            );
        }
        let index = StateIndex::new(doc.root());
        for diagnostic in errors.iter().take(8) {
            let text = format!(
                "{}: {} ({})",
                diagnostic.state.as_deref().unwrap_or("definition"),
                diagnostic.message,
                diagnostic.pointer
            );
            if ui
                .add(egui::Button::selectable(
                    false,
                    egui::RichText::new(text).color(theme.error),
                ))
                .clicked()
                && let Some(id) = diagnostic.state.as_deref().and_then(|name| index.id(name))
            {
                actions.push(SimulatorAction::Select(id));
            }
        }
    }
}

/// AWS's name of a status.
#[must_use]
pub fn status_name(status: simulator::Status) -> &'static str {
    match status {
        simulator::Status::Running => "RUNNING",
        simulator::Status::Succeeded => "SUCCEEDED",
        simulator::Status::Failed => "FAILED",
        simulator::Status::TimedOut => "TIMED_OUT",
        simulator::Status::Aborted => "ABORTED",
    }
}

/// A run's history as AWS GetExecutionHistory JSON, pretty-printed.
#[must_use]
pub fn history_json(result: &ExecutionResult) -> String {
    serde_json::to_string_pretty(&json!({ "events": result.history })).unwrap_or_default()
}

/// Estimated cost of a run in USD, billed as Standard and as Express (us-east-1 list prices).
#[must_use]
pub fn cost_estimates(result: &ExecutionResult) -> (f64, f64) {
    let prices = PriceTable::default();
    let standard = result.state_transitions as f64 * prices.standard_per_transition;
    // Express bills at least 100 ms, in the memory step the price table assumes.
    let billed_seconds = result.duration_millis.max(100) as f64 / 1000.0;
    let express = prices.express_per_request
        + billed_seconds * (prices.express_memory_mb / 1024.0) * prices.express_per_gb_second;
    (standard, express)
}
