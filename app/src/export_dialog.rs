//! File > Export stack…: a deployable SAM, CloudFormation or Terraform stack of the open
//! definition, written into a chosen folder through the same function as `asl-studio export`.

use std::path::PathBuf;

use asl_codec::deploy::{ExportOptions, MachineType, Target};

use crate::theme::Theme;

/// What the dialog asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportDialogRequest {
    /// Ask for the folder (through the app's file dialogs).
    PickFolder,
    /// Export with these options into this folder; `replace` replaces existing files.
    Export {
        /// The stack's options.
        options: ExportOptions,
        /// The folder to write into.
        folder: PathBuf,
        /// Whether files already there may be replaced.
        replace: bool,
    },
}

/// The Export stack dialog's choices and the outcome of the last export.
#[derive(Debug)]
pub struct ExportDialog {
    /// Whether the dialog is shown.
    pub open: bool,
    target: Target,
    name: String,
    express: bool,
    schedule: String,
    logging: bool,
    tracing: bool,
    replace: bool,
    folder: Option<PathBuf>,
    /// What was written (Ok) or why nothing was (Err).
    outcome: Option<Result<String, String>>,
}

impl Default for ExportDialog {
    fn default() -> Self {
        Self {
            open: false,
            target: Target::Sam,
            name: String::new(),
            express: false,
            schedule: String::new(),
            logging: false,
            tracing: false,
            replace: false,
            folder: None,
            outcome: None,
        }
    }
}

impl ExportDialog {
    /// Shows the dialog for a machine called `name` (the last folder and switches are kept).
    pub fn show_for(&mut self, name: String) {
        self.open = true;
        self.name = name;
        self.outcome = None;
    }

    /// The folder the user chose.
    pub fn set_folder(&mut self, folder: PathBuf) {
        self.folder = Some(folder);
        self.outcome = None;
    }

    /// The result of an export: the message listing what was written, or the error.
    pub fn set_outcome(&mut self, outcome: Result<String, String>) {
        self.outcome = Some(outcome);
    }

    /// Draws the dialog (when open); returns what the user asked for.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<ExportDialogRequest> {
        if !self.open {
            return None;
        }
        let theme = Theme::current(ctx);
        let mut request = None;
        let mut close = false;
        egui::Modal::new(egui::Id::unique("asl-studio-export-stack")).show(ctx, |ui| {
            ui.heading("Export stack");
            ui.horizontal(|ui| {
                ui.label("Target");
                for (target, label) in [
                    (Target::Sam, "SAM"),
                    (Target::CloudFormation, "CloudFormation"),
                    (Target::Terraform, "Terraform"),
                ] {
                    ui.radio_value(&mut self.target, target, label);
                }
            });
            ui.horizontal(|ui| {
                let label = ui.label("Name");
                ui.text_edit_singleline(&mut self.name)
                    .labelled_by(label.id);
            });
            ui.horizontal(|ui| {
                ui.label("Type");
                ui.radio_value(&mut self.express, false, "Standard");
                ui.radio_value(&mut self.express, true, "Express");
            });
            ui.horizontal(|ui| {
                let label = ui.label("Schedule (optional)");
                ui.add(egui::TextEdit::singleline(&mut self.schedule).hint_text("rate(5 minutes)"))
                    .labelled_by(label.id);
            });
            ui.checkbox(&mut self.logging, "Log executions to CloudWatch Logs");
            ui.checkbox(&mut self.tracing, "Trace executions with X-Ray");
            ui.checkbox(&mut self.replace, "Replace existing files");
            ui.horizontal(|ui| {
                match &self.folder {
                    Some(folder) => ui.label(format!("Folder: {}", folder.display())),
                    None => ui.weak("No folder chosen"),
                };
                if ui.button("Choose folder…").clicked() {
                    request = Some(ExportDialogRequest::PickFolder);
                }
            });
            match &self.outcome {
                Some(Ok(written)) => {
                    ui.label(written);
                }
                Some(Err(error)) => {
                    ui.colored_label(theme.error, error);
                }
                None => {}
            }
            ui.horizontal(|ui| {
                let ready = self.folder.is_some() && !self.name.trim().is_empty();
                if ui.add_enabled(ready, egui::Button::new("Export")).clicked()
                    && let Some(folder) = self.folder.clone()
                {
                    request = Some(ExportDialogRequest::Export {
                        options: self.options(),
                        folder,
                        replace: self.replace,
                    });
                }
                if ui.button("Close").clicked() {
                    close = true;
                }
            });
        });
        if close {
            self.open = false;
        }
        request
    }

    fn options(&self) -> ExportOptions {
        let schedule = self.schedule.trim();
        ExportOptions {
            target: self.target,
            name: self.name.trim().to_owned(),
            machine_type: if self.express {
                MachineType::Express
            } else {
                MachineType::Standard
            },
            schedule: (!schedule.is_empty()).then(|| schedule.to_owned()),
            event_pattern: None,
            logging: self.logging,
            tracing: self.tracing,
        }
    }
}
