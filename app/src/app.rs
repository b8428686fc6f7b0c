//! The designer window: the canvas in the middle, the palette on the left, the inspector on the
//! right, the code view beside the canvas, problems and history at the bottom; menus, shortcuts,
//! files, the clipboard, autosave and the close prompt.
//!
//! Every change to the document goes through [`graph_model::Document`], so canvas edits, form
//! edits and code edits share one undo history.

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
    Text { name: String, text: String },
    New,
}

/// The file the document belongs to.
#[derive(Clone, Debug, Default)]
struct OpenFile {
    /// Where it is saved; `None` for the sample, a new machine, or a template's machine.
    path: Option<PathBuf>,
    /// The name in the title bar.
    name: String,
    format: TextFormat,
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
    find: FindBar,
    commands: CommandPalette,
    diagnostics: Vec<Diagnostic>,
    diagnostics_revision: Option<u64>,
    file: OpenFile,
    store: Box<dyn FileStore>,
    dialogs: Box<dyn FileDialogs>,
    recent: Vec<PathBuf>,
    /// Whether the code view is shown.
    pub show_code: bool,
    show_problems: bool,
    show_history: bool,
    /// Whether the simulator pane is shown (Ctrl+R / F5 open it and run).
    show_simulator: bool,
    simulator: crate::simulate::SimulatorPane,
    modal: Option<Modal>,
    status: Option<String>,
    /// The inline rename in progress (F2, double-click, the context menu).
    rename: Option<InlineRename>,
    last_autosave: web_time::Instant,
    autosaved_revision: Option<u64>,
    close_confirmed: bool,
    pending_close: bool,
    title: String,
    /// The last text put on the clipboard by copy, so paste works where the platform has no
    /// clipboard (tests, some browsers).
    clipboard: Option<String>,
}

impl StudioApp {
    /// Creates the app. `cc` is eframe's creation context (recent files come from its storage);
    /// tests and the browser entry point may pass `None`.
    #[must_use]
    pub fn new(cc: Option<&eframe::CreationContext<'_>>, source: StartSource) -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        let (store, dialogs): (Box<dyn FileStore>, Box<dyn FileDialogs>) = (
            Box::new(crate::files::NativeFiles),
            Box::new(crate::files::NativeDialogs),
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
        let recent = cc
            .and_then(|cc| cc.storage)
            .and_then(|s| eframe::get_value::<Vec<PathBuf>>(s, RECENT_KEY))
            .unwrap_or_default();
        let mut app = Self {
            doc: Document::new(StateMachine::new()),
            selection: Selection::default(),
            canvas: CanvasView::new(),
            code: CodeView::default(),
            code_revision: None,
            inspector: Inspector::default(),
            find: FindBar::default(),
            commands: CommandPalette::default(),
            diagnostics: Vec::new(),
            diagnostics_revision: None,
            file: OpenFile::default(),
            store,
            dialogs,
            recent,
            show_code: true,
            show_problems: true,
            show_history: false,
            show_simulator: false,
            simulator: crate::simulate::SimulatorPane::new(),
            modal: None,
            status: None,
            rename: None,
            last_autosave: web_time::Instant::now(),
            autosaved_revision: None,
            close_confirmed: false,
            pending_close: false,
            title: String::new(),
            clipboard: None,
        };
        match source {
            StartSource::Sample => app.open_text(SAMPLE_NAME, SAMPLE_ASL, None),
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
            Action::Open => {
                if let Some(path) = self.dialogs.pick_open() {
                    self.request_open(PendingOpen::Path(path));
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

    /// The canvas, for embedders and tests that need where a state is drawn.
    pub fn canvas(&self) -> &CanvasView {
        &self.canvas
    }

    /// Sets the dialogs (tests script the answers of open/save dialogs this way).
    pub fn set_dialogs(&mut self, dialogs: Box<dyn FileDialogs>) {
        self.dialogs = dialogs;
    }

    // ----- opening -----

    fn request_open(&mut self, pending: PendingOpen) {
        if self.doc.is_modified() {
            self.modal = Some(Modal::ConfirmDiscard(pending));
        } else {
            self.open_pending(pending);
        }
    }

    fn open_pending(&mut self, pending: PendingOpen) {
        match pending {
            PendingOpen::Path(path) => self.open_path(&path),
            PendingOpen::Text { name, text } => self.open_text(&name, &text, None),
            PendingOpen::New => self.open_new(),
        }
    }

    fn open_new(&mut self) {
        let mut root = StateMachine::new();
        root.comment = Some("A new state machine".to_owned());
        let text = write_value(&root.to_value(), TextFormat::Json);
        self.install(
            root,
            text,
            "untitled.asl.json".to_owned(),
            None,
            TextFormat::Json,
        );
    }

    /// Opens a file from disk: a definition, or a template (one machine opens directly; several
    /// ask which).
    pub fn open_path(&mut self, path: &Path) {
        match self.store.read_text(path) {
            Ok(text) => {
                let name = file_name(path);
                self.open_text(&name, &text, Some(path.to_path_buf()));
            }
            Err(error) => {
                self.modal = Some(Modal::Error(format!(
                    "Cannot open {}: {error}",
                    path.display()
                )));
            }
        }
    }

    fn open_text(&mut self, name: &str, text: &str, path: Option<PathBuf>) {
        let format = TextFormat::from_path(Path::new(name));
        let base_dir = path.as_deref().and_then(Path::parent);
        match parse_file(name, text, format, base_dir) {
            Ok(found) if found.machines.len() == 1 && !found.is_template => {
                if let Some(machine) = found.machines.into_iter().next() {
                    self.open_machine(machine, path, format);
                }
            }
            Ok(found) if found.machines.len() == 1 => {
                // A template's machine is saved elsewhere: it has no path of its own.
                if let Some(machine) = found.machines.into_iter().next() {
                    self.open_machine(machine, None, format);
                }
            }
            Ok(found) => {
                self.modal = Some(Modal::ChooseMachine {
                    path,
                    format,
                    machines: found.machines,
                });
            }
            Err(message) => self.modal = Some(Modal::Error(message)),
        }
    }

    fn open_machine(&mut self, found: FoundMachine, path: Option<PathBuf>, format: TextFormat) {
        let root = match StateMachine::from_value(&found.definition) {
            Ok(root) => root,
            Err(error) => {
                self.modal = Some(Modal::Error(format!("{}: {error}", found.label)));
                return;
            }
        };
        let text = found
            .text
            .unwrap_or_else(|| write_value(&found.definition, format));
        let name = match &path {
            Some(p) => file_name(p),
            None if found.label.contains('.') => found.label.clone(),
            None => format!("{}.asl.{}", found.label, format.extension()),
        };
        if let Some(p) = &path {
            self.remember_recent(p);
        }
        self.install(root, text, name, path, format);
    }

    fn install(
        &mut self,
        root: StateMachine,
        text: String,
        name: String,
        path: Option<PathBuf>,
        format: TextFormat,
    ) {
        let value = root.to_value();
        self.doc = Document::new(root);
        self.selection = Selection::default();
        self.canvas = CanvasView::new();
        self.simulator = crate::simulate::SimulatorPane::new();
        if let Some(path) = &path
            && let Ok(sidecar) = self.store.read_text(&sidecar_path(path))
            && let Ok(sidecar) = serde_json::from_str::<Value>(&sidecar)
        {
            self.canvas.load_positions_sidecar(&sidecar);
            if let Some(simulator) = sidecar.get("simulator") {
                self.simulator.load_sidecar(simulator);
            }
        }
        self.code = CodeView::default();
        self.code.load(text, value, format);
        self.code_revision = Some(self.doc.revision());
        self.diagnostics_revision = None;
        self.file = OpenFile { path, name, format };
        self.autosaved_revision = None;
        self.rename = None;
        self.refresh_diagnostics();
    }

    fn remember_recent(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_path_buf());
        self.recent.truncate(RECENT_MAX);
    }

    // ----- saving -----

    fn save(&mut self) {
        match self.file.path.clone() {
            Some(path) => self.write_to(&path, self.file.format, true),
            None => self.save_as(),
        }
    }

    fn save_as(&mut self) {
        let suggested = suggested_name(&self.file.name, self.file.format);
        if let Some(path) = self.dialogs.pick_save(&suggested, self.file.format) {
            let format = TextFormat::from_path(&path);
            self.write_to(&path, format, true);
        }
    }

    fn export(&mut self, format: TextFormat) {
        let suggested = suggested_name(&self.file.name, format);
        if let Some(path) = self.dialogs.pick_save(&suggested, format) {
            self.write_to(&path, format, false);
        }
    }

    /// Writes the definition; a save (not an export) also adopts the path, writes the layout
    /// sidecar, and marks the document saved.
    fn write_to(&mut self, path: &Path, format: TextFormat, adopt: bool) {
        let value = self.doc.root().to_value();
        let text = if format == self.code.format() && self.code.syntax_error.is_none() {
            self.code_text_for(&value)
        } else {
            write_value(&value, format)
        };
        if let Err(error) = self.store.write_atomic(path, &text) {
            self.modal = Some(Modal::Error(format!(
                "Cannot write {}: {error}",
                path.display()
            )));
            return;
        }
        if adopt {
            // One sidecar holds what the designer remembers about a definition without touching
            // the ASL: the canvas's pinned positions and the simulator's inputs and mocks.
            let mut sidecar_value = self.canvas.positions_sidecar();
            let has_positions = sidecar_value
                .get("positions")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
            let simulator = self.simulator.sidecar();
            let has_simulator = simulator != crate::simulate::SimulatorPane::new().sidecar();
            if let Some(object) = sidecar_value.as_object_mut() {
                object.insert("simulator".to_owned(), simulator);
            }
            let sidecar = sidecar_path(path);
            let result = if has_positions || has_simulator {
                let text = serde_json::to_string_pretty(&sidecar_value).unwrap_or_default();
                self.store.write_atomic(&sidecar, &text)
            } else {
                Ok(())
            };
            if let Err(error) = result {
                self.status = Some(format!(
                    "Saved, but the layout could not be written: {error}"
                ));
            }
            self.doc.mark_saved();
            self.file.path = Some(path.to_path_buf());
            self.file.name = file_name(path);
            self.file.format = format;
            self.remember_recent(path);
            self.remove_recovery();
            if self.status.is_none() {
                self.status = Some(format!("Saved {}", path.display()));
            }
        } else {
            self.status = Some(format!("Exported {}", path.display()));
        }
    }

    /// The text to write: the code view's own text when it stands for the document (its
    /// formatting kept), else the canonical layout.
    fn code_text_for(&mut self, value: &Value) -> String {
        self.code.sync_from(value);
        self.code.text().to_owned()
    }

    // ----- autosave and recovery -----

    fn autosave(&mut self) {
        if !self.doc.is_modified()
            || self.autosaved_revision == Some(self.doc.revision())
            || self.last_autosave.elapsed().as_secs_f32() < AUTOSAVE_INTERVAL_SECS
        {
            return;
        }
        self.last_autosave = web_time::Instant::now();
        self.autosaved_revision = Some(self.doc.revision());
        let Some(path) = self.store.recovery_path() else {
            return;
        };
        let record = serde_json::json!({
            "name": self.file.name,
            "path": self.file.path.as_ref().map(|p| p.display().to_string()),
            "definition": self.doc.root().to_value(),
        });
        if let Err(error) = self.store.write_atomic(&path, &record.to_string()) {
            self.status = Some(format!("Autosave failed: {error}"));
        }
    }

    fn offer_recovery(&mut self) {
        let Some(path) = self.store.recovery_path() else {
            return;
        };
        let Ok(text) = self.store.read_text(&path) else {
            return;
        };
        let record: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let Some(definition) = record.get("definition").filter(|d| d.is_object()) else {
            self.remove_recovery();
            return;
        };
        let name = record
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("recovered.asl.json")
            .to_owned();
        self.modal = Some(Modal::Recover {
            name,
            text: write_value(definition, TextFormat::Json),
        });
    }

    fn remove_recovery(&mut self) {
        if let Some(path) = self.store.recovery_path() {
            let _ = self.store.remove(&path);
        }
    }

    // ----- editing -----

    fn apply(&mut self, command: Command) -> bool {
        match self.doc.apply(command) {
            Ok(()) => {
                let notes = &self.doc.last_report().notes;
                if !notes.is_empty() {
                    self.status = Some(notes.join("; "));
                }
                true
            }
            Err(error) => {
                self.status = Some(error.to_string());
                false
            }
        }
    }

    fn select_created(&mut self, machine: &MachinePath) {
        let created = self.doc.last_report().created.clone();
        if !created.is_empty() {
            self.selection = Selection {
                states: created
                    .into_iter()
                    .map(|name| StateId::new(machine.clone(), name))
                    .collect(),
                edge: None,
            };
        }
    }

    /// Adds a palette state after the selected state (linking it into the flow), or at the end
    /// of the machine when nothing is selected.
    pub fn add_from_palette(&mut self, template: palette::Template) {
        let anchor = self.single_selected();
        let machine_path = anchor
            .as_ref()
            .map_or_else(MachinePath::root, |a| a.machine.clone());
        let root = self.doc.root();
        let Some(machine) = root.machine_at(&machine_path) else {
            return;
        };
        let name = root.fresh_state_name(&template.base_name());
        let state = template.make(&name, root.query_language_at(&machine_path));
        let anchor_state = anchor.as_ref().and_then(|a| machine.state(&a.name));
        let position = anchor_state.and_then(|a| machine.position(&a.name).map(|p| p + 1));
        // Choice, Succeed and Fail have no Next to take over: the state goes after them unlinked.
        let after = anchor_state
            .filter(|a| {
                !matches!(
                    a.kind,
                    StateKind::Choice(_) | StateKind::Succeed | StateKind::Fail(_)
                )
            })
            .map(|a| (a.name.clone(), Transition::Next));
        let command = Command::InsertState {
            machine: machine_path.clone(),
            state,
            position,
            after,
        };
        if self.apply(command) {
            self.selection = Selection::single(StateId::new(machine_path, name));
        }
    }

    fn single_selected(&self) -> Option<StateId> {
        (self.selection.states.len() == 1)
            .then(|| self.selection.states.iter().next().cloned())
            .flatten()
    }

    /// The selected states grouped by machine.
    fn selected_by_machine(&self) -> Vec<(MachinePath, Vec<String>)> {
        let mut groups: Vec<(MachinePath, Vec<String>)> = Vec::new();
        for id in &self.selection.states {
            match groups.iter_mut().find(|(m, _)| *m == id.machine) {
                Some((_, names)) => names.push(id.name.clone()),
                None => groups.push((id.machine.clone(), vec![id.name.clone()])),
            }
        }
        groups
    }

    fn delete_selection(&mut self) {
        if let Some((from, transition)) = self.selection.edge.clone()
            && self.selection.states.is_empty()
        {
            self.apply(Command::Disconnect {
                machine: from.machine,
                from: from.name,
                transition,
            });
            self.selection = Selection::default();
            return;
        }
        let groups = self.selected_by_machine();
        if groups.is_empty() {
            return;
        }
        let count: usize = groups.iter().map(|(_, n)| n.len()).sum();
        let commands: Vec<Command> = groups
            .into_iter()
            .map(|(machine, names)| Command::DeleteStates { machine, names })
            .collect();
        let command = match <[Command; 1]>::try_from(commands) {
            Ok([single]) => single,
            Err(commands) => Command::Batch {
                label: format!("Delete {count} states"),
                commands,
            },
        };
        if self.apply(command) {
            self.selection = Selection::default();
        }
    }

    fn copy(&mut self, ctx: &egui::Context) {
        let Some((machine_path, names)) = self.selected_by_machine().into_iter().next() else {
            return;
        };
        let Some(machine) = self.doc.root().machine_at(&machine_path) else {
            return;
        };
        let fragment = graph_model::copy_selection(machine, &names);
        let text = serde_json::to_string_pretty(&fragment).unwrap_or_default();
        ctx.copy_text(text.clone());
        self.clipboard = Some(text);
        self.status = Some(format!("Copied {} states as ASL JSON", names.len()));
    }

    fn paste(&mut self, text: &str) {
        let asl: Value = match serde_json::from_str(text) {
            Ok(value) => value,
            Err(_) => {
                self.status = Some("The clipboard does not hold ASL JSON".to_owned());
                return;
            }
        };
        let machine = self
            .single_selected()
            .map_or_else(MachinePath::root, |id| id.machine);
        if self.apply(Command::Paste {
            machine: machine.clone(),
            asl,
        }) {
            self.select_created(&machine);
        }
    }

    fn duplicate(&mut self) {
        let Some((machine, names)) = self.selected_by_machine().into_iter().next() else {
            return;
        };
        if self.apply(Command::Duplicate {
            machine: machine.clone(),
            names,
        }) {
            self.select_created(&machine);
        }
    }

    fn select_all(&mut self) {
        let machine = self
            .selection
            .states
            .iter()
            .next()
            .map_or_else(MachinePath::root, |id| id.machine.clone());
        if let Some(m) = self.doc.root().machine_at(&machine) {
            self.selection = Selection {
                states: m
                    .state_names()
                    .map(|n| StateId::new(machine.clone(), n))
                    .collect(),
                edge: None,
            };
        }
    }

    /// Arrow keys left/right: the previous or next state in document order.
    fn step_selection(&mut self, delta: isize) {
        let current = self.single_selected();
        let machine_path = current
            .as_ref()
            .map_or_else(MachinePath::root, |c| c.machine.clone());
        let Some(machine) = self.doc.root().machine_at(&machine_path) else {
            return;
        };
        let names: Vec<&str> = machine.state_names().collect();
        if names.is_empty() {
            return;
        }
        let index = current
            .and_then(|c| names.iter().position(|n| *n == c.name))
            .map_or(0, |i| {
                (i as isize + delta).rem_euclid(names.len() as isize) as usize
            });
        self.select(StateId::new(machine_path, names[index]));
    }

    /// Arrow keys up/down: follow a transition backwards (a predecessor) or forwards.
    fn follow_selection(&mut self, forward: bool) {
        let Some(current) = self.single_selected() else {
            self.step_selection(0);
            return;
        };
        let Some(machine) = self.doc.root().machine_at(&current.machine) else {
            return;
        };
        let target = if forward {
            machine
                .state(&current.name)
                .and_then(|s| s.transitions().first().map(|(_, t)| (*t).to_owned()))
        } else {
            machine
                .states()
                .find(|s| s.transitions().iter().any(|(_, t)| *t == current.name))
                .map(|s| s.name.clone())
        };
        if let Some(target) = target.filter(|t| machine.contains(t)) {
            self.select(StateId::new(current.machine, target));
        }
    }

    fn select(&mut self, id: StateId) {
        self.selection = Selection::single(id);
    }

    /// Drops selected states that no longer exist (after undo, delete, rename).
    fn prune_selection(&mut self) {
        let root = self.doc.root();
        self.selection.states.retain(|id| {
            root.machine_at(&id.machine)
                .is_some_and(|m| m.contains(&id.name))
        });
        if let Some((id, _)) = &self.selection.edge
            && !root
                .machine_at(&id.machine)
                .is_some_and(|m| m.contains(&id.name))
        {
            self.selection.edge = None;
        }
    }

    fn start_rename(&mut self, id: StateId) {
        self.rename = Some(InlineRename::new(id));
    }

    /// Renames a state (from the inline field or the inspector's Name); on refusal (empty,
    /// invalid or taken name) says why, in the rename command's words, and the document is
    /// unchanged.
    fn commit_rename(&mut self, id: &StateId, text: &str) -> Result<(), String> {
        let to = text.trim();
        self.doc
            .apply(Command::RenameState {
                machine: id.machine.clone(),
                from: id.name.clone(),
                to: to.to_owned(),
            })
            .map_err(|e| capitalized(&e.to_string()))?;
        if to != id.name {
            self.selection = Selection::single(StateId::new(id.machine.clone(), to));
        }
        Ok(())
    }

    fn handle_canvas_action(&mut self, ctx: &egui::Context, action: CanvasAction) {
        match action {
            CanvasAction::Apply(command) => {
                let machine = command_machine(&command);
                if self.apply(command)
                    && let Some(machine) = machine
                {
                    self.select_created(&machine);
                }
                self.prune_selection();
            }
            CanvasAction::Select(ids) => {
                self.selection = Selection {
                    states: ids.into_iter().collect(),
                    edge: None,
                };
            }
            CanvasAction::SelectEdge(id, transition) => {
                self.selection = Selection {
                    states: Default::default(),
                    edge: Some((id, transition)),
                };
            }
            CanvasAction::OpenInspector(id) => self.select(id),
            CanvasAction::Rename(id) => self.start_rename(id),
            CanvasAction::Copy(ids) => {
                self.selection = Selection {
                    states: ids.into_iter().collect(),
                    edge: None,
                };
                self.copy(ctx);
            }
            CanvasAction::PositionsChanged => {}
        }
    }

    fn handle_inspector_edit(&mut self, edit: InspectorEdit) {
        match edit {
            InspectorEdit::State(state) => {
                if let Some(id) = self.single_selected() {
                    self.apply(Command::ReplaceState {
                        machine: id.machine,
                        name: id.name,
                        state: *state,
                    });
                }
            }
            InspectorEdit::Command(command) => {
                self.apply(*command);
            }
            InspectorEdit::Rename(to) => {
                if let Some(id) = self.single_selected()
                    && let Err(reason) = self.commit_rename(&id, &to)
                {
                    self.inspector.refuse_rename(reason);
                }
            }
            InspectorEdit::MachineSettings(settings) => {
                let root = self.doc.root();
                self.apply(Command::UpdateMachine {
                    machine: MachinePath::root(),
                    comment: settings.comment,
                    timeout_seconds: settings.timeout_seconds,
                    version: root.version.clone(),
                    query_language: settings.query_language,
                    processor_config: root.processor_config.clone(),
                });
            }
        }
    }

    fn handle_code_event(&mut self, event: CodeEvent) {
        match event {
            CodeEvent::Edited(value) => match StateMachine::from_value(&value) {
                Ok(root) => {
                    self.doc.replace_root(root, "Edit code");
                    self.code_revision = Some(self.doc.revision());
                    self.prune_selection();
                }
                Err(error) => self.code.syntax_error = Some(error.to_string()),
            },
            CodeEvent::CursorInState(pointer) => {
                if let Some((id, _)) = state_at_pointer(self.doc.root(), &pointer) {
                    self.selection = Selection::single(id);
                }
            }
        }
    }

    /// Types text into the code view as a user would (for tests and automation).
    pub fn type_code(&mut self, text: &str) {
        if let Some(event) = self.code.set_text(text.to_owned()) {
            self.handle_code_event(event);
        }
    }

    fn handle_problem_click(&mut self, diagnostic: &Diagnostic) {
        if let Some((id, field)) = state_at_pointer(self.doc.root(), &diagnostic.pointer) {
            self.selection = Selection::single(id);
            if !field.is_empty() {
                // The inspector's field keys are the first pointer segment under the state.
                let first = field.split('/').nth(1).unwrap_or_default();
                self.inspector.focus_field = Some(format!("/{first}"));
            }
        } else if let Some(name) = &diagnostic.state
            && self.doc.root().contains(name)
        {
            self.selection = Selection::single(StateId::root(name.clone()));
        }
    }

    fn refresh_diagnostics(&mut self) {
        if self.diagnostics_revision == Some(self.doc.revision()) {
            return;
        }
        self.diagnostics = graph_model::validate(self.doc.root());
        self.diagnostics_revision = Some(self.doc.revision());
    }

    fn overlay(&self) -> CanvasOverlay {
        let root = self.doc.root();
        let diagnostics = self
            .diagnostics
            .iter()
            .filter_map(|d| state_at_pointer(root, &d.pointer).map(|(id, _)| (id, d.severity)))
            .collect();
        CanvasOverlay {
            diagnostics,
            run: self.simulator.overlay().cloned(),
        }
    }

    // ----- drawing -----

    fn menu_bar(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut actions = Vec::new();
        let mut open_recent = None;
        egui::MenuBar::new().ui(ui, |ui| {
            let ctx = ui.ctx().clone();
            let mut item = |ui: &mut egui::Ui, action: Action| {
                let button =
                    egui::Button::new(action.name()).shortcut_text(action.shortcut_text(&ctx));
                if ui.add(button).clicked() {
                    actions.push(action);
                }
            };
            ui.menu_button("File", |ui| {
                for action in [
                    Action::New,
                    Action::Open,
                    Action::Save,
                    Action::SaveAs,
                    Action::ExportJson,
                    Action::ExportYaml,
                ] {
                    item(ui, action);
                }
                // A browser page can neither reopen a path after a reload nor close its own tab.
                if cfg!(not(target_arch = "wasm32")) {
                    ui.menu_button("Open recent", |ui| {
                        if self.recent.is_empty() {
                            ui.weak("No recent files");
                        }
                        for path in &self.recent {
                            if ui.button(path.display().to_string()).clicked() {
                                open_recent = Some(path.clone());
                            }
                        }
                    });
                    ui.separator();
                    item(ui, Action::Quit);
                }
            });
            ui.menu_button("Edit", |ui| {
                for action in [
                    Action::Undo,
                    Action::Redo,
                    Action::Cut,
                    Action::Copy,
                    Action::Paste,
                    Action::Duplicate,
                    Action::Delete,
                    Action::SelectAll,
                    Action::Rename,
                    Action::Find,
                    Action::CommandPalette,
                ] {
                    item(ui, action);
                }
            });
            ui.menu_button("View", |ui| {
                for action in [
                    Action::ZoomIn,
                    Action::ZoomOut,
                    Action::ZoomFit,
                    Action::ZoomToSelection,
                    Action::Relayout,
                    Action::ToggleCode,
                    Action::ToggleProblems,
                    Action::ToggleHistory,
                ] {
                    item(ui, action);
                }
            });
            ui.separator();
            for action in [Action::Undo, Action::Redo] {
                let enabled = match action {
                    Action::Undo => self.doc.can_undo(),
                    _ => self.doc.can_redo(),
                };
                let hover = match action {
                    Action::Undo => self.doc.undo_label().map(|l| format!("Undo {l}")),
                    _ => self.doc.redo_label().map(|l| format!("Redo {l}")),
                };
                let response = ui.add_enabled(enabled, egui::Button::new(action.name()));
                let response = match hover {
                    Some(h) => response.on_hover_text(h),
                    None => response,
                };
                if response.clicked() {
                    actions.push(action);
                }
            }
            ui.toggle_value(&mut self.show_code, "Code");
            ui.toggle_value(&mut self.show_history, "History");
            ui.toggle_value(&mut self.show_problems, "Problems");
            ui.toggle_value(&mut self.show_simulator, "Simulator");
        });
        if let Some(path) = open_recent {
            self.request_open(PendingOpen::Path(path));
        }
        actions
    }

    fn modal_ui(&mut self, ctx: &egui::Context) {
        let Some(modal) = self.modal.clone() else {
            return;
        };
        let mut close = false;
        let mut next: Option<AfterModal> = None;
        egui::Modal::new(egui::Id::unique("asl-studio-modal")).show(ctx, |ui| {
            ui.set_max_width(PANELS.modal_max_width);
            match &modal {
                Modal::ConfirmClose | Modal::ConfirmDiscard(_) => {
                    ui.heading("Unsaved changes");
                    ui.label(format!(
                        "{} has changes that are not saved.",
                        self.file.name
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Save").clicked() {
                            let modal = modal.clone();
                            next = Some(Box::new(move |app: &mut Self| {
                                app.save();
                                if !app.doc.is_modified() {
                                    app.after_confirm(modal);
                                }
                            }));
                            close = true;
                        }
                        if ui.button("Discard changes").clicked() {
                            let modal = modal.clone();
                            next = Some(Box::new(move |app: &mut Self| app.after_confirm(modal)));
                            close = true;
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                }
                Modal::ChooseMachine {
                    path,
                    format,
                    machines,
                } => {
                    ui.heading("Choose a state machine");
                    ui.label("This template defines several state machines:");
                    for machine in machines {
                        if ui.button(&machine.label).clicked() {
                            let machine = machine.clone();
                            let (format, _path) = (*format, path.clone());
                            next = Some(Box::new(move |app: &mut Self| {
                                app.open_machine(machine, None, format)
                            }));
                            close = true;
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                }
                Modal::Recover { name, text } => {
                    ui.heading("Recover unsaved work?");
                    ui.label(format!(
                        "ASL Studio did not close cleanly while {name} had unsaved changes."
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Recover").clicked() {
                            let (name, text) = (name.clone(), text.clone());
                            next = Some(Box::new(move |app: &mut Self| {
                                app.open_text(&format!("recovered-{name}"), &text, None);
                                app.remove_recovery();
                            }));
                            close = true;
                        }
                        if ui.button("Discard").clicked() {
                            next = Some(Box::new(|app: &mut Self| app.remove_recovery()));
                            close = true;
                        }
                    });
                }
                Modal::Error(message) => {
                    ui.heading("Problem");
                    ui.label(message);
                    if ui.button("OK").clicked() {
                        close = true;
                    }
                }
            }
        });
        if close {
            self.modal = None;
        }
        if let Some(next) = next {
            next(self);
        }
    }

    fn after_confirm(&mut self, modal: Modal) {
        match modal {
            Modal::ConfirmClose => {
                self.close_confirmed = true;
                self.remove_recovery();
                self.pending_close = true;
            }
            Modal::ConfirmDiscard(pending) => self.open_pending(pending),
            _ => {}
        }
    }

    fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        // Only the first file opens: the designer edits one definition at a time.
        if let Some(file) = dropped.into_iter().next() {
            #[cfg(not(target_arch = "wasm32"))]
            self.request_open(PendingOpen::Path(file.path().to_path_buf()));
            // The browser build reads dropped files itself (asynchronously) and opens them as text.
            #[cfg(target_arch = "wasm32")]
            let _ = file;
        }
    }

    fn handle_close_request(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) {
            if self.doc.is_modified() && !self.close_confirmed {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.modal = Some(Modal::ConfirmClose);
            } else {
                self.remove_recovery();
            }
        }
        if self.pending_close {
            self.pending_close = false;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    /// Draws one frame of the whole window.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.handle_close_request(&ctx);
        self.handle_dropped_files(&ctx);

        let text_focus = ctx.text_edit_focused();
        let requests = if self.modal.is_none() && self.rename.is_none() && !self.commands.open {
            read_shortcuts(&ctx, text_focus)
        } else {
            Default::default()
        };
        if let Some(text) = requests.pasted.clone() {
            self.clipboard = Some(text);
        }
        let mut actions = requests.actions;

        egui::Panel::top("menu").show(ui, |ui| {
            actions.extend(self.menu_bar(ui));
        });
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                let errors = self
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == graph_model::Severity::Error)
                    .count();
                ui.label(format!(
                    "{} states · {errors} errors · zoom {:.0}%",
                    self.doc.root().total_states(),
                    self.canvas.zoom() * 100.0
                ));
                if let Some(status) = &self.status {
                    ui.separator();
                    ui.label(status);
                }
            });
        });
        if crate::simulate::SimulatorPane::take_run_shortcut(&ctx) {
            self.show_simulator = true;
            self.simulator.run(&self.doc);
        }
        if self.show_simulator {
            let mut simulator_actions = Vec::new();
            egui::Panel::bottom("simulator")
                .resizable(true)
                .default_size(PANELS.simulator)
                .show(ui, |ui| {
                    simulator_actions = self.simulator.ui(ui, &self.doc, &self.selection);
                });
            for action in simulator_actions {
                match action {
                    crate::simulate::SimulatorAction::Select(id) => {
                        self.selection = Selection::single(id);
                    }
                }
            }
        } else {
            self.simulator.tick(&ctx);
        }
        if self.show_problems {
            let mut clicked = None;
            egui::Panel::bottom("problems")
                .resizable(true)
                .default_size(PANELS.problems)
                .show(ui, |ui| {
                    clicked = problems::problems_ui(
                        ui,
                        &self.diagnostics,
                        self.code.syntax_error.as_deref(),
                    )
                    .cloned();
                });
            if let Some(diagnostic) = clicked {
                self.handle_problem_click(&diagnostic);
            }
        }
        let mut palette_click = None;
        // A dropped state is spelled in the document's query language.
        let language = self.doc.root().query_language_at(&MachinePath::root());
        egui::Panel::left("palette")
            .resizable(true)
            .default_size(PANELS.palette)
            .show(ui, |ui| {
                palette_click = palette::palette_ui(ui, |template| {
                    let name = template.base_name();
                    PaletteDrop {
                        state: template.make(&name, language),
                    }
                });
            });
        if let Some(template) = palette_click {
            self.add_from_palette(template);
        }
        let mut inspector_edit = None;
        egui::Panel::right("inspector")
            .resizable(true)
            .default_size(PANELS.inspector)
            .show(ui, |ui| {
                inspector_edit = self.inspector_ui(ui);
            });
        if let Some(edit) = inspector_edit {
            self.handle_inspector_edit(edit);
        }
        if self.show_history {
            let labels: Vec<String> = self.doc.history().iter().map(|e| e.label.clone()).collect();
            let mut target = None;
            egui::Panel::right("history")
                .resizable(true)
                .default_size(PANELS.history)
                .show(ui, |ui| {
                    target = history::history_ui(ui, &labels, self.doc.history_cursor());
                });
            if let Some(target) = target {
                while self.doc.history_cursor() > target && self.doc.undo() {}
                while self.doc.history_cursor() < target && self.doc.redo() {}
                self.prune_selection();
            }
        }
        if self.show_code {
            self.sync_code();
            let mut events = Vec::new();
            egui::Panel::right("code")
                .resizable(true)
                .default_size(PANELS.code)
                .show(ui, |ui| {
                    events = self.code.ui(ui);
                });
            for event in events {
                self.handle_code_event(event);
            }
        }
        let overlay = self.overlay();
        let mut canvas_actions = Vec::new();
        let mut rename_outcome = None;
        egui::CentralPanel::no_frame().show(ui, |ui| {
            canvas_actions = self.canvas.ui(ui, &self.doc, &self.selection, &overlay);
            if let Some(rename) = &mut self.rename {
                rename_outcome = self.canvas.rename_ui(ui, rename);
            }
        });
        if let Some(outcome) = rename_outcome
            && let Some(mut rename) = self.rename.take()
            && let RenameOutcome::Commit(text) = outcome
            && let Err(reason) = self.commit_rename(&rename.id, &text)
        {
            rename.refuse(reason);
            self.rename = Some(rename);
        }
        for action in canvas_actions {
            self.handle_canvas_action(&ctx, action);
        }

        if let Some(action) = self.commands.ui(&ctx) {
            actions.push(action);
        }
        if let Some(hit) = self.find.ui(&ctx, self.doc.root()) {
            let id = StateId::new(hit.machine, hit.name);
            self.selection = Selection::single(id);
            self.canvas.zoom_to_selection(&self.selection);
        }
        self.modal_ui(&ctx);
        for action in actions {
            self.run_action(&ctx, action);
        }

        self.refresh_diagnostics();
        self.sync_code();
        self.autosave();
        let title = self.window_title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        // Autosave needs a frame now and then even when idle.
        ctx.request_repaint_after(std::time::Duration::from_secs(5));
    }

    fn sync_code(&mut self) {
        if self.code_revision != Some(self.doc.revision()) {
            self.code.sync_from(&self.doc.root().to_value());
            self.code_revision = Some(self.doc.revision());
        }
        let pointer = self
            .single_selected()
            .map(|id| id.machine.state_pointer(self.doc.root(), &id.name));
        self.code.highlight(pointer);
    }

    fn inspector_ui(&mut self, ui: &mut egui::Ui) -> Option<InspectorEdit> {
        let root = self.doc.root();
        let selected = self.single_selected();
        let (state, machine, pointer, path) = match &selected {
            Some(id) => {
                let machine = root.machine_at(&id.machine).unwrap_or(root);
                (
                    machine.state(&id.name),
                    machine,
                    id.machine.state_pointer(root, &id.name),
                    id.machine.clone(),
                )
            }
            None => (None, root, String::new(), MachinePath::root()),
        };
        let language = state
            .and_then(|s| s.query_language)
            .unwrap_or_else(|| root.query_language_at(&path));
        let target = InspectorTarget {
            state,
            machine,
            path,
            language,
            pointer,
            diagnostics: &self.diagnostics,
            selected_count: self.selection.states.len(),
        };
        self.inspector.ui(ui, &target)
    }
}

impl eframe::App for StudioApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, RECENT_KEY, &self.recent);
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
