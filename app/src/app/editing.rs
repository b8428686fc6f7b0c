//! Edits the user makes through the canvas, the inspector, the code view and the keyboard, each
//! one command through the document's choke point, and the selection that follows them.

use super::*;
use asl_codec::lint_config::LintConfig;

impl StudioApp {
    pub(super) fn apply(&mut self, command: Command) -> bool {
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

    pub(super) fn select_created(&mut self, machine: &MachinePath) {
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

    pub(super) fn single_selected(&self) -> Option<StateId> {
        (self.selection.states.len() == 1)
            .then(|| self.selection.states.iter().next().cloned())
            .flatten()
    }

    /// The selected states grouped by machine.
    pub(super) fn selected_by_machine(&self) -> Vec<(MachinePath, Vec<String>)> {
        let mut groups: Vec<(MachinePath, Vec<String>)> = Vec::new();
        for id in &self.selection.states {
            match groups.iter_mut().find(|(m, _)| *m == id.machine) {
                Some((_, names)) => names.push(id.name.clone()),
                None => groups.push((id.machine.clone(), vec![id.name.clone()])),
            }
        }
        groups
    }

    pub(super) fn delete_selection(&mut self) {
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

    pub(super) fn copy(&mut self, ctx: &egui::Context) {
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

    pub(super) fn paste(&mut self, text: &str) {
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

    pub(super) fn duplicate(&mut self) {
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

    pub(super) fn select_all(&mut self) {
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
    pub(super) fn step_selection(&mut self, delta: isize) {
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
    pub(super) fn follow_selection(&mut self, forward: bool) {
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

    pub(super) fn select(&mut self, id: StateId) {
        self.selection = Selection::single(id);
    }

    /// Drops selected states that no longer exist (after undo, delete, rename).
    pub(super) fn prune_selection(&mut self) {
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

    pub(super) fn start_rename(&mut self, id: StateId) {
        self.rename = Some(InlineRename::new(id));
    }

    /// Renames a state (from the inline field or the inspector's Name); on refusal (empty,
    /// invalid or taken name) says why, and the document is unchanged.
    pub(super) fn commit_rename(&mut self, id: &StateId, text: &str) -> Result<(), String> {
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

    pub(super) fn handle_canvas_action(&mut self, ctx: &egui::Context, action: CanvasAction) {
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

    pub(super) fn handle_inspector_edit(&mut self, edit: InspectorEdit) {
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

    pub(super) fn handle_code_event(&mut self, event: CodeEvent) {
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

    pub(super) fn handle_problem_click(&mut self, diagnostic: &Diagnostic) {
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

    pub(super) fn refresh_diagnostics(&mut self) {
        // A document being opened is checked in frames of its own.
        if self.diagnostics_revision == Some(self.doc.revision())
            || self
                .opening
                .as_ref()
                .is_some_and(super::opening::OpeningStep::is_checking)
        {
            return;
        }
        let diagnostics = self.checked();
        self.take_diagnostics(diagnostics);
    }

    /// The document's diagnostics as Problems lists them: the model's, the template's, less
    /// the rules `asl-studio.toml` turns off.
    pub(super) fn checked(&self) -> Vec<Diagnostic> {
        self.as_listed(graph_model::validate(self.doc.root()))
    }

    /// What the model's validation found (`validated`) as Problems lists it: with the
    /// template's diagnostics, less the rules `asl-studio.toml` turns off.
    pub(super) fn as_listed(&self, validated: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut diagnostics = validated;
        diagnostics.extend(self.template_diagnostics.iter().cloned());
        match self.lint_config() {
            Ok(config) => diagnostics.retain(|d| config.keeps(d)),
            Err(error) => diagnostics.insert(
                0,
                Diagnostic::error("CONFIG", "", format!("{error} (no rule is turned off)")),
            ),
        }
        diagnostics
    }

    /// Shows `diagnostics` (from [`Self::checked`] at this revision), with their quick fixes
    /// and the states the canvas marks.
    pub(super) fn take_diagnostics(&mut self, diagnostics: Vec<Diagnostic>) {
        let mut shown = ShownDiagnostics::default();
        shown.work_out(self.doc.root(), &diagnostics, diagnostics.len());
        self.show_diagnostics(diagnostics, shown);
    }

    /// Shows `diagnostics` (from [`Self::checked`] at this revision) with what `shown` worked
    /// out for every one of them.
    pub(super) fn show_diagnostics(
        &mut self,
        diagnostics: Vec<Diagnostic>,
        shown: ShownDiagnostics,
    ) {
        self.fixes = shown.fixes;
        self.diagnostic_states = (Some(self.doc.revision()), shown.states);
        self.diagnostics = diagnostics;
        self.diagnostics_revision = Some(self.doc.revision());
    }

    /// The `asl-studio.toml` next to the open file (or its template), as `check` reads it; the
    /// default when the document has no file.
    fn lint_config(&self) -> Result<LintConfig, asl_codec::lint_config::ConfigError> {
        let file = self.file.path.as_deref().or(self
            .file
            .template
            .as_ref()
            .map(|t| t.path.as_path()));
        match file {
            Some(file) => LintConfig::for_file(file),
            None => Ok(LintConfig::default()),
        }
    }

    /// Applies the quick fix of the `index`th diagnostic, as one undo step.
    pub(super) fn apply_fix(&mut self, index: usize) {
        if let Some(Some(fix)) = self.fixes.get(index).cloned()
            && self.apply(fix.command)
        {
            self.status = Some(fix.title);
        }
    }

    pub(super) fn overlay(&self) -> CanvasOverlay {
        let diagnostics = match &self.diagnostic_states {
            (Some(revision), states) if *revision == self.doc.revision() => states.clone(),
            // Edited earlier in this frame: the pointers are looked up in the new document, as
            // before validation runs again at the end of the frame.
            _ => diagnostic_states(self.doc.root(), &self.diagnostics),
        };
        CanvasOverlay {
            diagnostics,
            // A run shown in the simulator pane comes first; else the Tests panel's coverage.
            run: self.simulator.overlay().cloned().or_else(|| {
                self.tests
                    .coverage_overlay(&self.doc)
                    .filter(|_| self.show_tests)
                    .cloned()
            }),
            diff: self.diff_marks(),
        }
    }
}

/// What showing a list of diagnostics needs beyond the list, worked out a part at a time (the
/// browser's opening spreads it over frames).
#[derive(Clone, Debug, Default)]
pub(super) struct ShownDiagnostics {
    /// The quick fix of each diagnostic worked out so far (same order).
    fixes: Vec<Option<graph_model::QuickFix>>,
    /// The states those diagnostics point at, with their severity (the canvas's marks).
    states: Vec<(StateId, graph_model::Severity)>,
}

impl ShownDiagnostics {
    /// How many of the diagnostics are worked out.
    pub(super) fn done(&self) -> usize {
        self.fixes.len()
    }

    /// Works out up to `count` more of `diagnostics` (found in `root`).
    pub(super) fn work_out(
        &mut self,
        root: &StateMachine,
        diagnostics: &[Diagnostic],
        count: usize,
    ) {
        let start = self.fixes.len().min(diagnostics.len());
        let end = start.saturating_add(count).min(diagnostics.len());
        for diagnostic in &diagnostics[start..end] {
            self.fixes.push(graph_model::quick_fix(root, diagnostic));
            if let Some((id, _)) = state_at_pointer(root, &diagnostic.pointer) {
                self.states.push((id, diagnostic.severity));
            }
        }
    }
}

/// The state each of `diagnostics` points at in `root`, with its severity (those pointing at no
/// state are left out).
fn diagnostic_states(
    root: &StateMachine,
    diagnostics: &[Diagnostic],
) -> Vec<(StateId, graph_model::Severity)> {
    diagnostics
        .iter()
        .filter_map(|d| state_at_pointer(root, &d.pointer).map(|(id, _)| (id, d.severity)))
        .collect()
}
