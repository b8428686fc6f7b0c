//! The left half of the pane: what a run is made of (input, mocks, settings).

use graph_model::{Document, StateType};
use serde_json::Value;
use simulator::ExecutionType;

use super::mocks::{AttemptMock, MockSet};
use super::{ConfigTab, SampleInput, SimulatorPane};
use crate::theme::{PANELS, Theme};

/// Inputs longer than this are not put in a text editor unless asked (64 KiB).
const LARGE_INPUT_BYTES: usize = 64 * 1024;

impl SimulatorPane {
    pub(super) fn config_ui(&mut self, ui: &mut egui::Ui, doc: &Document) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.config_tab, ConfigTab::Input, "Input");
            ui.selectable_value(&mut self.config_tab, ConfigTab::Mocks, "Mocks");
            ui.selectable_value(&mut self.config_tab, ConfigTab::Settings, "Settings");
        });
        egui::ScrollArea::vertical()
            .id_salt("simulator_config")
            .auto_shrink([false, false])
            .show(ui, |ui| match self.config_tab {
                ConfigTab::Input => self.input_ui(ui),
                ConfigTab::Mocks => self.mocks_ui(ui, doc),
                ConfigTab::Settings => self.settings_ui(ui, doc),
            });
    }

    fn input_ui(&mut self, ui: &mut egui::Ui) {
        let theme = Theme::current(ui.ctx());
        ui.horizontal(|ui| {
            let current = self
                .samples
                .get(self.selected_sample)
                .map(|sample| sample.name.clone())
                .unwrap_or_default();
            let mut chosen = self.selected_sample;
            egui::ComboBox::from_label("Sample input")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for (index, sample) in self.samples.iter().enumerate() {
                        ui.selectable_value(&mut chosen, index, sample.name.as_str());
                    }
                });
            if chosen != self.selected_sample {
                self.selected_sample = chosen;
                self.validate_input();
                self.changed();
            }
            if ui.button("New sample").clicked() {
                let name = format!("sample {}", self.samples.len() + 1);
                let text = self.input_text().to_owned();
                self.samples.push(SampleInput { name, text });
                self.selected_sample = self.samples.len() - 1;
                self.changed();
            }
            if ui
                .add_enabled(self.samples.len() > 1, egui::Button::new("Delete sample"))
                .clicked()
            {
                self.samples.remove(self.selected_sample);
                self.selected_sample = self.selected_sample.min(self.samples.len() - 1);
                self.validate_input();
                self.changed();
            }
        });
        let mut changed = false;
        if let Some(sample) = self.samples.get_mut(self.selected_sample) {
            ui.horizontal(|ui| {
                let label = ui.label("Sample name");
                changed |= ui
                    .text_edit_singleline(&mut sample.name)
                    .labelled_by(label.id)
                    .changed();
            });
            let large = sample.text.len() > LARGE_INPUT_BYTES;
            if large && !self.edit_large_input {
                // Laying out a very long text takes longer than a frame: show its size and start.
                ui.label(format!(
                    "The input is {} KB, too large to edit comfortably here.",
                    sample.text.len() / 1024
                ));
                let cut = (0..=200)
                    .rev()
                    .find(|index| sample.text.is_char_boundary(*index))
                    .unwrap_or(0);
                ui.monospace(format!("{}…", &sample.text[..cut]));
                if ui.button("Edit the input anyway").clicked() {
                    self.edit_large_input = true;
                }
            } else {
                let label = ui.label("Input JSON");
                let response = ui.add(
                    egui::TextEdit::multiline(&mut sample.text)
                        .code_editor()
                        .desired_rows(8)
                        .desired_width(f32::INFINITY),
                );
                let response = response.labelled_by(label.id);
                if response.changed() {
                    changed = true;
                }
            }
        }
        if changed {
            self.validate_input();
            self.changed();
        }
        match &self.input_error {
            Some(error) => {
                ui.colored_label(theme.error, error);
            }
            None => {
                ui.colored_label(theme.success, "Valid JSON");
            }
        }
    }

    fn mocks_ui(&mut self, ui: &mut egui::Ui, doc: &Document) {
        let theme = Theme::current(ui.ctx());
        let mut changed = false;
        changed |= ui
            .checkbox(
                &mut self.mocks.pass_through,
                "Unmocked Tasks return their input",
            )
            .on_hover_text("Otherwise a Task without a mock fails the run with States.Runtime")
            .changed();
        let tasks: Vec<String> = doc
            .root()
            .all_machines()
            .into_iter()
            .flat_map(|(_, machine)| {
                machine
                    .states()
                    .filter(|state| state.state_type() == Some(StateType::Task))
                    .map(|state| state.name.clone())
                    .collect::<Vec<_>>()
            })
            .collect();
        if tasks.is_empty() {
            ui.weak("The definition has no Task states.");
        }
        for task in &tasks {
            changed |= attempts_ui(ui, task, &mut self.mocks, theme);
        }
        ui.separator();
        ui.label("Step Functions Local mock file");
        ui.horizontal_wrapped(|ui| {
            if ui.button("Export mocks").clicked() {
                match self.mocks.to_step_functions_local("StateMachine") {
                    Ok(file) => {
                        self.mock_file_text =
                            serde_json::to_string_pretty(&file).unwrap_or_default();
                        self.mock_message = Some("Exported below.".to_owned());
                    }
                    Err(error) => self.mock_message = Some(error),
                }
            }
            if ui.button("Import mocks").clicked() {
                // Text typed or pasted here is no file: saving must not suggest the name of the
                // file opened before, which it would then replace.
                self.mock_file_name = super::suite_file::DEFAULT_NAME.to_owned();
                self.import_mocks_text();
                changed = true;
            }
            if ui.button("Open mock file…").clicked() {
                self.open_mock_file();
                ui.ctx().request_repaint();
            }
            if ui.button("Save mock file…").clicked() {
                self.save_mock_file();
            }
        });
        if let Some(message) = &self.mock_message {
            ui.label(message);
        }
        if let Some(path) = &mut self.mock_path_prompt {
            let mut open = false;
            ui.horizontal(|ui| {
                let label = ui.label("Mock file path");
                let response = ui
                    .add(egui::TextEdit::singleline(path).hint_text("/path/to/MockConfigFile.json"))
                    .labelled_by(label.id);
                open = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                open |= ui.button("Open this file").clicked();
            });
            if open && !path.trim().is_empty() {
                let path = std::path::PathBuf::from(path.trim());
                self.mock_path_prompt = None;
                crate::files::open_text_path(crate::files::TextPurpose::MockFile, &path);
                ui.ctx().request_repaint();
            }
        }
        let label = ui.label("Mock file JSON");
        ui.add(
            egui::TextEdit::multiline(&mut self.mock_file_text)
                .code_editor()
                .desired_rows(4)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
        if changed {
            // Edited mocks are no longer the test case's: the run uses them as edited.
            self.case_pristine = false;
            self.changed();
        }
    }

    /// Imports the mock file text into the editor; a file with test cases offers them all and
    /// picks one (a happy path first).
    pub(super) fn import_mocks_text(&mut self) {
        let value = serde_json::from_str::<Value>(&self.mock_file_text)
            .map_err(|error| format!("The mock file is not JSON: {error}"));
        let parsed = value
            .clone()
            .and_then(|value| MockSet::from_step_functions_local(&value));
        match parsed {
            Ok(mut imported) => {
                imported.pass_through = self.mocks.pass_through;
                let count = imported.states.len();
                self.mocks = imported;
                self.test_cases = None;
                self.selected_case = None;
                self.case_pristine = false;
                self.suite_file = None;
                if let Ok(value) = &value
                    && let Err(error) = self.adopt_test_cases(value)
                {
                    self.mock_message = Some(error);
                    return;
                }
                self.suite_file = Some(super::suite_file::SuiteFile {
                    name: self.mock_file_name.clone(),
                    text: self.mock_file_text.clone(),
                    expect: None,
                });
                let cases = self.test_case_names().len();
                self.mock_message = Some(match self.selected_test_case() {
                    Some(case) if cases > 1 => {
                        format!("Imported {cases} test cases; Run uses {case}.")
                    }
                    _ => format!("Imported mocks for {count} state(s)."),
                });
            }
            Err(error) => self.mock_message = Some(error),
        }
    }

    fn settings_ui(&mut self, ui: &mut egui::Ui, doc: &Document) {
        let mut changed = false;
        ui.horizontal(|ui| {
            ui.label("Execution type");
            changed |= ui
                .selectable_value(
                    &mut self.execution_type,
                    ExecutionType::Standard,
                    "Standard",
                )
                .changed();
            changed |= ui
                .selectable_value(&mut self.execution_type, ExecutionType::Express, "Express")
                .changed();
        });
        ui.horizontal(|ui| {
            let label = ui.label("Seed");
            changed |= ui
                .add(egui::DragValue::new(&mut self.seed))
                .labelled_by(label.id)
                .changed();
        });
        let names = self.placeholder_names(doc);
        if names.is_empty() {
            ui.weak("The definition has no ${...} placeholders.");
        } else {
            ui.label("Placeholder values");
            for name in names {
                ui.horizontal(|ui| {
                    let label = ui.label(format!("${{{name}}}"));
                    let value = self.placeholders.entry(name.clone()).or_default();
                    changed |= ui
                        .text_edit_singleline(value)
                        .labelled_by(label.id)
                        .changed();
                });
            }
        }
        if !self.reader_items.is_empty() {
            ui.label("Items an ItemReader reads (what S3 would hold)");
            let mut maps: Vec<_> = self.reader_items.iter().collect();
            maps.sort_by_key(|(name, _)| name.as_str());
            for (map, items) in maps {
                ui.weak(format!("{map}: {} items", items.len()));
            }
        }
        ui.separator();
        if self.breakpoints.is_empty() {
            ui.weak("No breakpoints: select a state and press Add breakpoint.");
        } else {
            ui.label("Breakpoints");
            let mut removed = None;
            for name in &self.breakpoints {
                ui.horizontal(|ui| {
                    ui.label(name);
                    if ui
                        .small_button(format!("Remove breakpoint on {name}"))
                        .clicked()
                    {
                        removed = Some(name.clone());
                    }
                });
            }
            if let Some(name) = removed {
                self.breakpoints.remove(&name);
            }
        }
        if changed {
            self.changed();
        }
    }
}

/// The attempts of one Task state; returns whether anything changed.
fn attempts_ui(ui: &mut egui::Ui, task: &str, mocks: &mut MockSet, theme: &Theme) -> bool {
    let mut attempts = mocks
        .attempts(task)
        .map(<[AttemptMock]>::to_vec)
        .unwrap_or_default();
    let mut changed = false;
    let title = match attempts.len() {
        0 => format!("{task} (no mock)"),
        1 => format!("{task} (1 attempt)"),
        count => format!("{task} ({count} attempts)"),
    };
    egui::CollapsingHeader::new(title)
        .id_salt(("mock", task))
        .default_open(true)
        .show(ui, |ui| {
            let mut removed = None;
            for (index, attempt) in attempts.iter_mut().enumerate() {
                let number = index + 1;
                ui.horizontal(|ui| {
                    match attempt {
                        AttemptMock::Return { text } => {
                            let label = ui.label(format!("{task} attempt {number} returns"));
                            let response = ui
                                .add(
                                    egui::TextEdit::multiline(text)
                                        .code_editor()
                                        .desired_rows(1)
                                        .desired_width(PANELS.mock_result_width),
                                )
                                .labelled_by(label.id);
                            changed |= response.changed();
                            if serde_json::from_str::<Value>(text).is_err() {
                                ui.colored_label(theme.error, "not JSON");
                            }
                        }
                        AttemptMock::Throw { error, cause } => {
                            let label = ui.label(format!("{task} attempt {number} throws"));
                            changed |=
                                throw_field(ui, error, PANELS.mock_error_width, "Error", label.id);
                            let cause_label = ui.label(format!("cause ({task} attempt {number})"));
                            changed |= throw_field(
                                ui,
                                cause,
                                PANELS.mock_cause_width,
                                "Cause",
                                cause_label.id,
                            );
                        }
                    }
                    if ui
                        .small_button("×")
                        .on_hover_text("Remove this attempt")
                        .clicked()
                    {
                        removed = Some(index);
                    }
                });
            }
            if let Some(index) = removed {
                attempts.remove(index);
                changed = true;
            }
            ui.horizontal(|ui| {
                if ui.button(format!("Add result to {task}")).clicked() {
                    attempts.push(AttemptMock::Return {
                        text: "{}".to_owned(),
                    });
                    changed = true;
                }
                if ui.button(format!("Add error to {task}")).clicked() {
                    attempts.push(AttemptMock::throwing("States.TaskFailed", ""));
                    changed = true;
                }
            });
        });
    if changed {
        mocks.set(task, attempts);
    }
    changed
}

/// A one-line field of a mocked throw (its error or its cause), named by the label `label`;
/// whether it changed.
fn throw_field(
    ui: &mut egui::Ui,
    text: &mut String,
    width: f32,
    hint: &str,
    label: egui::Id,
) -> bool {
    ui.add(
        egui::TextEdit::singleline(text)
            .desired_width(width)
            .hint_text(hint),
    )
    .labelled_by(label)
    .changed()
}
