//! The designer window: the canvas in the middle, the palette on the left, the inspector on the
//! right, the code view beside the canvas, problems and history at the bottom; menus, shortcuts,
//! files, the clipboard, autosave and the close prompt.
//!
//! Every change to the document goes through [`graph_model::Document`], so canvas edits, form
//! edits and code edits share one undo history.

mod diagram;
mod document_io;
mod editing;
mod frame;
mod opening;
mod path_prompt;

pub use diagram::{DiagramExport, DiagramFormat};

use std::path::{Path, PathBuf};

use graph_model::{
    Command, Diagnostic, Document, MachinePath, StateKind, StateMachine, Transition,
};
use serde_json::Value;

use crate::canvas::{
    CanvasAction, CanvasOverlay, CanvasView, InlineRename, PaletteDrop, RenameOutcome,
};
use crate::commands_palette::CommandPalette;
use crate::files::{
    FileDialogs, FileStore, FoundMachine, TextFormat, parse_file, sidecar_path, write_value,
};
use crate::keyboard::{Action, read_shortcuts};
use crate::panels::code::{CodeEvent, CodeView};
use crate::panels::find::FindBar;
use crate::panels::inspector::{Inspector, InspectorEdit, InspectorTarget};
use crate::panels::placeholders::PlaceholdersPanel;
use crate::panels::{history, palette, problems};
use crate::sample::{SAMPLE_ASL, SAMPLE_NAME};
use crate::selection::{Selection, StateId};
use crate::theme::PANELS;

/// What the window opens with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartSource {
    /// The bundled ETL sample.
    Sample,
    /// A file from disk (ASL JSON/YAML or a template).
    File(PathBuf),
    /// Text handed over directly (the browser build, tests): a file name and its contents.
    Text {
        /// The name to show (its extension picks JSON or YAML).
        name: String,
        /// The contents.
        text: String,
    },
    /// An empty machine.
    Empty,
}

/// How often unsaved work is written to the recovery file.
const AUTOSAVE_INTERVAL_SECS: f32 = 30.0;
/// eframe storage key of the recent files list.
const RECENT_KEY: &str = "asl-studio.recent-files";
const RECENT_MAX: usize = 10;
/// eframe storage key of which panels are shown (their sizes are in egui's memory, which eframe
/// stores too).
const PANELS_KEY: &str = "asl-studio.panels";

/// What the inspector column shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RightTab {
    /// The selected state's (or the machine's) form.
    #[default]
    Inspector,
    /// The code view, when it is not beside the canvas.
    Code,
}

/// Which panels are shown, remembered from one session to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
struct PanelVisibility {
    palette: bool,
    inspector: bool,
    code_beside: bool,
    right_tab: RightTab,
    history: bool,
    problems: bool,
    tests: bool,
}

impl Default for PanelVisibility {
    fn default() -> Self {
        Self {
            palette: true,
            inspector: true,
            code_beside: false,
            right_tab: RightTab::Inspector,
            history: false,
            problems: true,
            tests: false,
        }
    }
}

impl PanelVisibility {
    fn of(app: &StudioApp) -> Self {
        Self {
            palette: app.show_palette,
            inspector: app.show_inspector,
            code_beside: app.show_code,
            right_tab: app.right_tab,
            history: app.show_history,
            problems: app.show_problems,
            tests: app.show_tests,
        }
    }

    fn apply(self, app: &mut StudioApp) {
        app.show_palette = self.palette;
        app.show_inspector = self.inspector;
        app.show_code = self.code_beside;
        app.right_tab = self.right_tab;
        app.show_history = self.history;
        app.show_problems = self.problems;
        app.show_tests = self.tests;
    }
}

/// A dialog over the window.
#[derive(Clone, Debug, PartialEq)]
enum Modal {
    /// Closing with unsaved changes.
    ConfirmClose,
    /// Opening something else with unsaved changes.
    ConfirmDiscard(PendingOpen),
    /// A template holds several machines: which one?
    ChooseMachine {
        path: Option<PathBuf>,
        format: TextFormat,
        machines: Vec<FoundMachine>,
    },
    /// A recovery file from a session that did not end cleanly.
    Recover { name: String, text: String },
    /// Something went wrong; the message says what.
    Error(String),
}

/// Something to open once unsaved changes are dealt with.
#[derive(Clone, Debug, PartialEq)]
enum PendingOpen {
    Path(PathBuf),
    Text {
        name: String,
        text: String,
    },
    New,
    /// A template of the gallery (index into [`crate::templates::TEMPLATES`]).
    Template(usize),
}

/// The file the document belongs to.
#[derive(Clone, Debug, Default)]
struct OpenFile {
    /// Where it is saved; `None` for the sample, a new machine, or a template's machine.
    path: Option<PathBuf>,
    /// The name in the title bar.
    name: String,
    format: TextFormat,
    /// The template the machine was opened from: Save writes the definition back into it.
    template: Option<TemplateSource>,
}

/// A state machine of a SAM / CloudFormation template file.
#[derive(Clone, Debug, PartialEq)]
struct TemplateSource {
    /// The template file.
    path: PathBuf,
    /// The machine's logical id.
    logical_id: String,
}

/// What to do once a modal's button was pressed (run after the modal is drawn).
type AfterModal = Box<dyn FnOnce(&mut StudioApp)>;

/// The designer app.
pub struct StudioApp {
    doc: Document,
    selection: Selection,
    canvas: CanvasView,
    code: CodeView,
    code_revision: Option<u64>,
    inspector: Inspector,
    /// The placeholders of a machine opened from a SAM / CloudFormation template.
    placeholders: PlaceholdersPanel,
    /// The template's placeholder warnings (`asl-studio check`'s, as of the last read of the
    /// template), shown in Problems with the document's own diagnostics.
    template_diagnostics: Vec<Diagnostic>,
    /// File > Export stack….
    export_dialog: crate::export_dialog::ExportDialog,
    /// File > New from template….
    gallery: crate::templates::TemplateGallery,
    /// File > Compare with file…: the other version, whose differences the canvas marks.
    comparing: Option<diagram::Comparing>,
    /// A file to compare with was asked for and has not arrived (the browser's picker answers
    /// on a later frame).
    compare_pending: bool,
    find: FindBar,
    commands: CommandPalette,
    diagnostics: Vec<Diagnostic>,
    /// The quick fix of each diagnostic (same order), offered by the Problems panel.
    fixes: Vec<Option<graph_model::QuickFix>>,
    diagnostics_revision: Option<u64>,
    /// The state each diagnostic points at, for the canvas's marks, worked out once per
    /// validation (with the document revision it was worked out on) rather than every frame.
    diagnostic_states: (Option<u64>, Vec<(StateId, graph_model::Severity)>),
    file: OpenFile,
    store: Box<dyn FileStore>,
    dialogs: Box<dyn FileDialogs>,
    recent: Vec<PathBuf>,
    /// Whether the code view is shown beside the canvas (otherwise it is a tab of the inspector
    /// column, so it costs the canvas no width).
    pub show_code: bool,
    /// Whether the palette column is shown.
    pub show_palette: bool,
    /// Whether the inspector column is shown.
    pub show_inspector: bool,
    /// What the inspector column shows.
    right_tab: RightTab,
    /// Whether the Problems panel is shown when there are problems (an empty list never takes
    /// room: the status bar says "No problems").
    show_problems: bool,
    /// Which of the Problems panel's rows are laid out (new ones a few a frame).
    problem_rows: problems::RowPacing,
    show_history: bool,
    /// Whether the simulator pane is shown (Ctrl+R / F5 open it and run).
    show_simulator: bool,
    simulator: crate::simulate::SimulatorPane,
    /// Whether the Tests panel is shown.
    show_tests: bool,
    /// The Tests panel: the suite's cases, Run all, coverage, generated tests.
    tests: crate::simulate::tests_panel::TestsPanel,
    modal: Option<Modal>,
    /// A path being typed where no file dialog could be shown.
    path_prompt: Option<path_prompt::PathPrompt>,
    status: Option<String>,
    /// The inline rename in progress (F2, double-click, the context menu).
    rename: Option<InlineRename>,
    last_autosave: web_time::Instant,
    autosaved_revision: Option<u64>,
    close_confirmed: bool,
    pending_close: bool,
    /// Whether the window has asked for the keyboard focus (on its first frame).
    focus_requested: bool,
    title: String,
    /// The last text put on the clipboard by copy, so paste works where the platform has no
    /// clipboard (tests, some browsers).
    clipboard: Option<String>,
    /// Whether opening a document leaves checking it and indexing its text to the next frames
    /// (the browser, which has one thread).
    spread_opening: bool,
    /// What is left of opening the document when it is spread over frames.
    opening: Option<opening::OpeningStep>,
    /// How many documents were opened: tells a new document from the last at equal revisions.
    opened_count: u64,
}

impl StudioApp {
    /// Creates the app. `cc` is eframe's creation context (recent files come from its storage);
    /// tests and the browser entry point may pass `None`.
    #[must_use]
    pub fn new(cc: Option<&eframe::CreationContext<'_>>, source: StartSource) -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        let (store, dialogs): (Box<dyn FileStore>, Box<dyn FileDialogs>) = (
            Box::new(crate::files::NativeFiles),
            Box::new(crate::files::NativeDialogs::default()),
        );
        #[cfg(target_arch = "wasm32")]
        let (store, dialogs): (Box<dyn FileStore>, Box<dyn FileDialogs>) = (
            Box::new(crate::files::MemoryFiles::default()),
            Box::new(crate::files::ScriptedDialogs::default()),
        );
        Self::with_platform(cc, source, store, dialogs)
    }

    /// Creates the app with its file access swapped (the browser build, tests).
    #[must_use]
    pub fn with_platform(
        cc: Option<&eframe::CreationContext<'_>>,
        source: StartSource,
        store: Box<dyn FileStore>,
        dialogs: Box<dyn FileDialogs>,
    ) -> Self {
        let storage = cc.and_then(|cc| cc.storage);
        let recent = storage
            .and_then(|s| eframe::get_value::<Vec<PathBuf>>(s, RECENT_KEY))
            .unwrap_or_default();
        let panels = storage
            .and_then(|s| eframe::get_value::<PanelVisibility>(s, PANELS_KEY))
            .unwrap_or_default();
        let mut app = Self {
            doc: Document::new(StateMachine::new()),
            selection: Selection::default(),
            canvas: CanvasView::new(),
            code: CodeView::default(),
            code_revision: None,
            inspector: Inspector::default(),
            placeholders: PlaceholdersPanel::default(),
            template_diagnostics: Vec::new(),
            export_dialog: crate::export_dialog::ExportDialog::default(),
            gallery: crate::templates::TemplateGallery::default(),
            comparing: None,
            compare_pending: false,
            find: FindBar::default(),
            commands: CommandPalette::default(),
            diagnostics: Vec::new(),
            fixes: Vec::new(),
            diagnostics_revision: None,
            diagnostic_states: (None, Vec::new()),
            file: OpenFile::default(),
            store,
            dialogs,
            recent,
            show_code: false,
            show_palette: true,
            show_inspector: true,
            right_tab: RightTab::Inspector,
            show_problems: true,
            problem_rows: problems::RowPacing::default(),
            show_history: false,
            show_simulator: false,
            simulator: crate::simulate::SimulatorPane::new(),
            show_tests: false,
            tests: crate::simulate::tests_panel::TestsPanel::default(),
            modal: None,
            path_prompt: None,
            status: None,
            rename: None,
            last_autosave: web_time::Instant::now(),
            autosaved_revision: None,
            close_confirmed: false,
            pending_close: false,
            focus_requested: false,
            title: String::new(),
            clipboard: None,
            spread_opening: cfg!(target_arch = "wasm32"),
            opening: None,
            opened_count: 0,
        };
        panels.apply(&mut app);
        match source {
            StartSource::Sample => {
                app.open_text(SAMPLE_NAME, SAMPLE_ASL, None);
                app.simulator
                    .load_examples(crate::sample::SAMPLE_INPUT, crate::sample::SAMPLE_MOCKS);
                // The sample's expectations live beside its mock file, as `asl-studio test` reads them.
                let _ = app
                    .simulator
                    .set_suite_expectations(crate::sample::SAMPLE_EXPECT);
            }
            StartSource::File(path) => app.open_path(&path),
            StartSource::Text { name, text } => app.open_text(&name, &text, None),
            StartSource::Empty => app.open_new(),
        }
        app.offer_recovery();
        app
    }

    /// The document being edited.
    #[must_use]
    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// The current selection.
    #[must_use]
    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// The diagnostics of the current document.
    #[must_use]
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The code view's text.
    #[must_use]
    pub fn code_text(&self) -> &str {
        self.code.text()
    }

    /// Changes whenever the document does, a newly opened one included (for work, such as the
    /// browser's autosave, that is only worth doing again when it changed).
    #[must_use]
    pub fn document_version(&self) -> (u64, u64) {
        (self.opened_count, self.doc.revision())
    }

    /// The document as ASL JSON text when there is one at hand without writing it out: the
    /// code view's text while it stands for the document (JSON, no syntax error, in step with
    /// the last edit). Its formatting is the file's; by value it is [`Document::root`]'s.
    #[must_use]
    pub fn json_text_at_hand(&self) -> Option<&str> {
        (self.code.format() == TextFormat::Json
            && self.code.syntax_error.is_none()
            && self.code_revision == Some(self.doc.revision()))
        .then(|| self.code.text())
    }

    /// The message shown in the status bar, if any.
    #[must_use]
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// The window title: the file name, `*` when there are unsaved changes.
    #[must_use]
    pub fn window_title(&self) -> String {
        let dirty = if self.doc.is_modified() { "*" } else { "" };
        format!("{}{dirty} — ASL Studio", self.file.name)
    }

    /// The file the document is saved to, if any.
    #[must_use]
    pub fn file_path(&self) -> Option<&Path> {
        self.file.path.as_deref()
    }

    /// Runs a user action, as a menu, shortcut or the command palette would.
    pub fn run_action(&mut self, ctx: &egui::Context, action: Action) {
        self.status = None;
        match action {
            Action::New => self.request_open(PendingOpen::New),
            Action::NewFromTemplate => self.gallery.show(),
            Action::Open => {
                if let Some(path) = self.dialogs.pick_open() {
                    self.request_open(PendingOpen::Path(path));
                } else {
                    self.prompt_if_no_dialog(path_prompt::PathPurpose::Open, None);
                }
            }
            Action::Save => self.save(),
            Action::SaveAs => self.save_as(),
            Action::ExportJson => self.export(TextFormat::Json),
            Action::ExportYaml => self.export(TextFormat::Yaml),
            Action::Undo => {
                if !self.doc.undo() {
                    self.status = Some("Nothing to undo".to_owned());
                }
                self.prune_selection();
            }
            Action::Redo => {
                if !self.doc.redo() {
                    self.status = Some("Nothing to redo".to_owned());
                }
                self.prune_selection();
            }
            Action::Copy => self.copy(ctx),
            Action::Cut => {
                self.copy(ctx);
                self.delete_selection();
            }
            Action::Paste => {
                if let Some(text) = self.clipboard.clone() {
                    self.paste(&text);
                }
            }
            Action::Duplicate => self.duplicate(),
            Action::Delete => self.delete_selection(),
            Action::SelectAll => self.select_all(),
            Action::Rename => {
                if let Some(id) = self.single_selected() {
                    self.start_rename(id);
                }
            }
            Action::Find => self.find.open(),
            Action::CommandPalette => self.commands.open(),
            Action::ZoomIn => self.canvas.zoom_by(1.25),
            Action::ZoomOut => self.canvas.zoom_by(0.8),
            Action::ZoomFit => self.canvas.fit(),
            Action::ZoomToSelection => self.canvas.zoom_to_selection(&self.selection),
            Action::Relayout => self.canvas.relayout(),
            Action::SelectPrevious => self.step_selection(-1),
            Action::SelectNext => self.step_selection(1),
            Action::SelectUp => self.follow_selection(false),
            Action::SelectDown => self.follow_selection(true),
            Action::ToggleCode => self.show_code = !self.show_code,
            Action::ToggleProblems => self.show_problems = !self.show_problems,
            Action::ToggleHistory => self.show_history = !self.show_history,
            Action::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }

    /// Opens text as if it were a file of that name (the browser build's file input, a dropped
    /// file read by the browser); asks first when there are unsaved changes.
    pub fn open_text_file(&mut self, name: &str, text: &str) {
        self.request_open(PendingOpen::Text {
            name: name.to_owned(),
            text: text.to_owned(),
        });
    }

    /// The simulator pane.
    pub fn simulator(&self) -> &crate::simulate::SimulatorPane {
        &self.simulator
    }

    /// The simulator pane, to script a dry run.
    pub fn simulator_mut(&mut self) -> &mut crate::simulate::SimulatorPane {
        &mut self.simulator
    }

    /// The Tests panel.
    pub fn tests(&self) -> &crate::simulate::tests_panel::TestsPanel {
        &self.tests
    }

    /// The Tests panel, to change.
    pub fn tests_mut(&mut self) -> &mut crate::simulate::tests_panel::TestsPanel {
        &mut self.tests
    }

    /// Shows or hides the Tests panel.
    pub fn set_tests_shown(&mut self, shown: bool) {
        self.show_tests = shown;
    }

    /// Shows the Tests panel and presses its "Generate tests" (the browser tests' way in: the
    /// canvas has no DOM to click).
    pub fn generate_tests(&mut self) {
        self.show_tests = true;
        let stem = asl_codec::deploy::name_from_file_stem(&self.file.name);
        self.tests
            .press_generate(&self.doc, &mut self.simulator, &stem);
    }

    /// The run the canvas draws over the diagram: the simulator pane's, else the Tests panel's
    /// coverage (states no case reached are greyed).
    pub fn canvas_run_overlay(&self) -> Option<crate::overlay::RunOverlay> {
        self.overlay().run
    }

    /// The canvas, for embedders and tests that need where a state is drawn.
    pub fn canvas(&self) -> &CanvasView {
        &self.canvas
    }

    /// Opens File > New from template (the gallery).
    pub fn show_template_gallery(&mut self) {
        self.gallery.show();
    }

    /// Sets the dialogs (tests script the answers of open/save dialogs this way).
    pub fn set_dialogs(&mut self, dialogs: Box<dyn FileDialogs>) {
        self.dialogs = dialogs;
    }
}

impl eframe::App for StudioApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, RECENT_KEY, &self.recent);
        eframe::set_value(storage, PANELS_KEY, &PanelVisibility::of(self));
    }
}

/// The machine a canvas command adds states to, for selecting what it created.
fn command_machine(command: &Command) -> Option<MachinePath> {
    match command {
        Command::AddState { machine, .. }
        | Command::InsertState { machine, .. }
        | Command::Paste { machine, .. }
        | Command::Duplicate { machine, .. } => Some(machine.clone()),
        Command::MoveState { to_machine, .. } | Command::MoveStates { to_machine, .. } => {
            Some(to_machine.clone())
        }
        Command::Batch { commands, .. } => commands.iter().find_map(command_machine),
        _ => None,
    }
}

/// The innermost state a JSON pointer points into, with the rest of the pointer (the field).
#[must_use]
pub fn state_at_pointer(root: &StateMachine, pointer: &str) -> Option<(StateId, String)> {
    root.state_at_pointer(pointer)
        .map(|found| (StateId::new(found.machine, found.name), found.field))
}

/// A message with its first letter in upper case (errors read as sentences at a field).
fn capitalized(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A file name for a save dialog: the current name with the format's extension.
fn suggested_name(name: &str, format: TextFormat) -> String {
    let stem = name
        .trim_end_matches(".json")
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml")
        .trim_end_matches(".asl");
    format!("{stem}.asl.{}", format.extension())
}
