//! One frame of the designer: the menu bar, the panels around the canvas, modal dialogs, dropped
//! files and the close request.

use super::*;
use crate::panels::problems::counted;

/// The share of the inspector column the template's placeholders may take before they scroll.
const PLACEHOLDERS_HEIGHT_SHARE: f32 = 0.4;

/// How many problems of each severity there are, for the status bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ProblemCount {
    errors: usize,
    warnings: usize,
    infos: usize,
}

impl ProblemCount {
    fn total(self) -> usize {
        self.errors + self.warnings + self.infos
    }

    /// "2 errors · 1 warning".
    fn text(self) -> String {
        let mut parts = vec![
            counted(self.errors, "error"),
            counted(self.warnings, "warning"),
        ];
        if self.infos > 0 {
            parts.push(counted(self.infos, "note"));
        }
        parts.join(" · ")
    }
}

impl StudioApp {
    pub(super) fn menu_bar(&mut self, ui: &mut egui::Ui) -> Vec<Action> {
        let mut actions = Vec::new();
        let mut open_recent = None;
        let mut open_export = false;
        let mut export_diagram = None;
        let mut compare = None;
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
                    Action::NewFromTemplate,
                    Action::Open,
                    Action::Save,
                    Action::SaveAs,
                    Action::ExportJson,
                    Action::ExportYaml,
                ] {
                    item(ui, action);
                }
                export_diagram = export_diagram.or(super::diagram::export_diagram_menu(ui));
                if self.comparing.is_some() {
                    if ui.button("Stop comparing").clicked() {
                        compare = Some(false);
                    }
                } else if ui.button("Compare with file…").clicked() {
                    compare = Some(true);
                }
                // A browser page can neither reopen a path after a reload nor close its own tab,
                // nor choose a folder to export a stack into.
                if cfg!(not(target_arch = "wasm32")) {
                    if ui.button("Export stack…").clicked() {
                        open_export = true;
                    }
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
            ui.toggle_value(&mut self.show_palette, "Palette")
                .on_hover_text("Show or hide the palette column");
            ui.toggle_value(&mut self.show_inspector, "Inspector")
                .on_hover_text("Show or hide the inspector column");
            ui.toggle_value(&mut self.show_code, "Code")
                .on_hover_text("The code view beside the canvas (else a tab of the inspector)");
            ui.toggle_value(&mut self.show_history, "History");
            ui.toggle_value(&mut self.show_problems, "Problems")
                .on_hover_text("Show the Problems panel when there are problems");
            ui.toggle_value(&mut self.show_simulator, "Simulator")
                .on_hover_text("The simulator pane (F5 runs)");
            ui.toggle_value(&mut self.show_tests, "Tests")
                .on_hover_text("The test cases of the mock file, Run all, coverage");
        });
        if let Some(path) = open_recent {
            self.request_open(PendingOpen::Path(path));
        }
        if open_export {
            let name = asl_codec::deploy::name_from_file_stem(&self.file.name);
            self.export_dialog.show_for(name);
        }
        if let Some(export) = export_diagram {
            self.export_diagram(export);
        }
        self.poll_compare_file();
        if let Some(error) = crate::files::take_late_failure() {
            self.modal = Some(Modal::Error(error));
        }
        match compare {
            Some(true) => self.compare_with_file(),
            Some(false) => self.stop_comparing(),
            None => {}
        }
        actions
    }

    pub(super) fn modal_ui(&mut self, ctx: &egui::Context) {
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
                            let (format, path) = (*format, path.clone());
                            next = Some(Box::new(move |app: &mut Self| {
                                app.open_template_machine(machine, path, format);
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

    pub(super) fn after_confirm(&mut self, modal: Modal) {
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

    pub(super) fn handle_dropped_files(&mut self, ctx: &egui::Context) {
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

    pub(super) fn handle_close_request(&mut self, ctx: &egui::Context) {
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
        if !self.focus_requested {
            // Keys work from the first frame: the window asks for the focus it was opened with.
            self.focus_requested = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
        }
        self.handle_close_request(&ctx);
        self.handle_dropped_files(&ctx);
        // Before anything can edit the document: the code view's text still stands for it.
        self.advance_opening();
        if self.is_opening() {
            ctx.request_repaint();
        }

        let text_focus = ctx.text_edit_focused();
        let requests = if self.modal.is_none()
            && self.path_prompt.is_none()
            && !self.gallery.open
            && self.rename.is_none()
            && !self.commands.open
        {
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
        let problem_count = self.problem_count();
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                // A fit of thousands of states goes below 1 %, which would read "zoom 0%".
                let percent = self.canvas.zoom() * 100.0;
                let decimals = if percent < 1.0 { 1 } else { 0 };
                ui.label(format!(
                    "{} states · zoom {percent:.decimals$}%",
                    self.doc.root().total_states(),
                ));
                ui.separator();
                // The problems count stands in for an empty Problems panel; when there are
                // problems, it opens and closes the panel.
                if self.is_opening() {
                    ui.weak("Checking…");
                } else if problem_count.total() == 0 {
                    ui.weak("No problems");
                } else if ui
                    .link(problem_count.text())
                    .on_hover_text("Show or hide the Problems panel")
                    .clicked()
                {
                    self.show_problems = !self.show_problems;
                }
                if let Some(status) = &self.status {
                    ui.separator();
                    ui.label(status);
                }
            });
        });
        // The canvas keeps at least half the height below the menu, whatever the bottom panels.
        let body = ui.available_rect_before_wrap();
        let bottom_budget = body.height() * PANELS.bottom_share;
        let side_max = body.width() * PANELS.side_share;
        // F5 shows the pane in this frame and starts the run in the next one (compiling a big
        // definition and the pane's first run views are each a good part of a frame).
        self.simulator.start_requested_run(&self.doc);
        if crate::simulate::SimulatorPane::take_run_shortcut(&ctx) {
            self.show_simulator = true;
            self.simulator.request_run(&ctx);
        }
        let problems_shown = self.show_problems && problem_count.total() > 0;
        let problems_max = if problems_shown {
            (bottom_budget * 0.4).max(PANELS.problems.min(bottom_budget))
        } else {
            0.0
        };
        if self.show_simulator {
            let mut simulator_actions = Vec::new();
            let simulator_max = (bottom_budget - problems_max).max(120.0);
            egui::Panel::bottom("simulator")
                .resizable(true)
                .default_size(PANELS.simulator.min(simulator_max))
                .max_size(simulator_max)
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
        if problems_shown {
            let mut action = None;
            egui::Panel::bottom("problems")
                .resizable(true)
                .default_size(PANELS.problems.min(problems_max))
                .max_size(problems_max)
                .show(ui, |ui| {
                    action = problems::problems_ui(
                        ui,
                        &self.diagnostics,
                        &self.fixes,
                        self.code.syntax_error.as_deref(),
                        // The browser's frames are where the first layout of a row's text shows.
                        self.spread_opening.then_some(&mut self.problem_rows),
                    );
                });
            match action {
                Some(problems::ProblemAction::Select(index)) => {
                    if let Some(diagnostic) = self.diagnostics.get(index).cloned() {
                        self.handle_problem_click(&diagnostic);
                    }
                }
                Some(problems::ProblemAction::Fix(index)) => self.apply_fix(index),
                None => {}
            }
        }
        let mut palette_click = None;
        // A dropped state is spelled in the document's query language.
        let language = self.doc.root().query_language_at(&MachinePath::root());
        if self.show_palette {
            egui::Panel::left("palette")
                .resizable(true)
                .default_size(PANELS.palette)
                .max_size(side_max)
                .show(ui, |ui| {
                    palette_click = palette::palette_ui(ui, |template| {
                        let name = template.base_name();
                        PaletteDrop {
                            state: template.make(&name, language),
                        }
                    });
                });
        }
        if let Some(template) = palette_click {
            self.add_from_palette(template);
        }
        // The template's placeholders belong to the machine, so they show under its settings (when
        // nothing is selected) rather than in a column of their own that the canvas would pay for.
        let show_placeholders = self.single_selected().is_none()
            && (self.placeholders.check.is_some() || self.placeholders.message.is_some());
        let mut inspector_edit = None;
        let mut add = None;
        let mut code_events = Vec::new();
        if self.show_inspector {
            // The code view is a tab of this column unless it has a column of its own.
            let code_tab = !self.show_code && self.right_tab == RightTab::Code;
            if code_tab {
                self.sync_code();
            }
            egui::Panel::right("inspector")
                .resizable(true)
                .default_size(PANELS.inspector)
                .max_size(side_max.max(PANELS.inspector))
                .show(ui, |ui| {
                    if !self.show_code {
                        ui.horizontal(|ui| {
                            ui.selectable_value(
                                &mut self.right_tab,
                                RightTab::Inspector,
                                "Inspector",
                            );
                            ui.selectable_value(&mut self.right_tab, RightTab::Code, "Code");
                        });
                        ui.separator();
                    }
                    if code_tab {
                        code_events = self.code.ui(ui);
                        return;
                    }
                    // Above the settings, and at most part of the height: the inspector's own
                    // scroll area takes whatever is left below it.
                    if show_placeholders {
                        egui::ScrollArea::vertical()
                            .id_salt("placeholders")
                            .max_height(ui.available_height() * PLACEHOLDERS_HEIGHT_SHARE)
                            .show(ui, |ui| {
                                add = self.placeholders.ui(ui);
                            });
                        ui.separator();
                    }
                    inspector_edit = self.inspector_ui(ui);
                });
        }
        if let Some(add) = add {
            self.add_substitution(&add);
        }
        if let Some(edit) = inspector_edit {
            self.handle_inspector_edit(edit);
        }
        if self.show_history {
            let labels: Vec<String> = self.doc.history().iter().map(|e| e.label.clone()).collect();
            let mut target = None;
            egui::Panel::right("history")
                .resizable(true)
                .default_size(PANELS.history)
                .max_size(side_max)
                .show(ui, |ui| {
                    target = history::history_ui(ui, &labels, self.doc.history_cursor());
                });
            if let Some(target) = target {
                while self.doc.history_cursor() > target && self.doc.undo() {}
                while self.doc.history_cursor() < target && self.doc.redo() {}
                self.prune_selection();
            }
        }
        if self.show_tests {
            let stem = asl_codec::deploy::name_from_file_stem(&self.file.name);
            let mut show_run = false;
            egui::Panel::right("tests")
                .resizable(true)
                .default_size(crate::simulate::tests_panel::PANEL_WIDTH)
                .max_size(side_max)
                .show(ui, |ui| {
                    show_run = self.tests.ui(ui, &self.doc, &mut self.simulator, &stem);
                });
            self.show_simulator |= show_run;
        }
        if self.show_code {
            self.sync_code();
            egui::Panel::right("code")
                .resizable(true)
                .default_size(PANELS.code.min(side_max))
                .max_size(side_max.max(PANELS.code))
                .show(ui, |ui| {
                    code_events = self.code.ui(ui);
                });
        }
        for event in code_events {
            self.handle_code_event(event);
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
        self.path_prompt_ui(&ctx);
        if let Some(index) = self.gallery.ui(&ctx) {
            self.request_open(PendingOpen::Template(index));
        }
        if let Some(request) = self.export_dialog.ui(&ctx) {
            self.handle_export_request(request);
        }
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

    /// The errors and warnings of the document and of the code view's text.
    pub(super) fn problem_count(&self) -> ProblemCount {
        let count =
            |s: graph_model::Severity| self.diagnostics.iter().filter(|d| d.severity == s).count();
        ProblemCount {
            errors: count(graph_model::Severity::Error)
                + usize::from(self.code.syntax_error.is_some()),
            warnings: count(graph_model::Severity::Warning),
            infos: count(graph_model::Severity::Info),
        }
    }

    pub(super) fn sync_code(&mut self) {
        if self.code_revision != Some(self.doc.revision()) {
            self.code.sync_from(&self.doc.root().to_value());
            self.code_revision = Some(self.doc.revision());
        }
        let pointer = self
            .single_selected()
            .map(|id| id.machine.state_pointer(self.doc.root(), &id.name));
        self.code.highlight(pointer);
    }

    pub(super) fn inspector_ui(&mut self, ui: &mut egui::Ui) -> Option<InspectorEdit> {
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
