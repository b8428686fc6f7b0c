//! The designer's own path prompt, for desktops where no file dialog can be shown (no desktop
//! portal): File > Open, Save as, Export and the stack's folder ask for a typed path instead of
//! doing nothing.

use super::*;

/// What the typed path is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PathPurpose {
    /// File > Open.
    Open,
    /// File > Save as.
    SaveAs,
    /// File > Export as JSON or YAML.
    Export(TextFormat),
    /// The folder of File > Export stack.
    StackFolder,
}

/// The prompt in progress.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct PathPrompt {
    pub(super) purpose: PathPurpose,
    pub(super) text: String,
}

impl PathPrompt {
    /// A prompt starting from the working folder (and the suggested file name when saving).
    pub(super) fn new(purpose: PathPurpose, suggested_name: Option<&str>) -> Self {
        let folder = std::env::current_dir().unwrap_or_default();
        let text = match suggested_name {
            Some(name) => folder.join(name),
            None => folder,
        };
        Self {
            purpose,
            text: text.display().to_string(),
        }
    }

    fn title(&self) -> &'static str {
        match self.purpose {
            PathPurpose::Open => "Open a file",
            PathPurpose::SaveAs => "Save as",
            PathPurpose::Export(_) => "Export to a file",
            PathPurpose::StackFolder => "Folder for the stack",
        }
    }
}

impl StudioApp {
    /// Asks for a path in the designer when the last file dialog could not be shown; says so
    /// otherwise nothing happens (the user cancelled).
    pub(super) fn prompt_if_no_dialog(&mut self, purpose: PathPurpose, suggested: Option<&str>) {
        if self.dialogs.unavailable() {
            self.path_prompt = Some(PathPrompt::new(purpose, suggested));
        }
    }

    /// Draws the path prompt, and acts on the path once confirmed.
    pub(super) fn path_prompt_ui(&mut self, ctx: &egui::Context) {
        let Some(prompt) = &mut self.path_prompt else {
            return;
        };
        let mut confirmed = false;
        let mut cancelled = false;
        egui::Modal::new(egui::Id::unique("asl-studio-path-prompt")).show(ctx, |ui| {
            ui.set_max_width(PANELS.modal_max_width);
            ui.heading(prompt.title());
            ui.label(format!(
                "No file dialog could be shown ({}). Type the path instead.",
                crate::files::NO_DIALOG_REASON
            ));
            let label = ui.label("Path");
            let response = ui
                .add(egui::TextEdit::singleline(&mut prompt.text).desired_width(f32::INFINITY))
                .labelled_by(label.id);
            if !response.has_focus() && !response.lost_focus() {
                response.request_focus();
            }
            confirmed = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                confirmed |= ui.button("OK").clicked();
                cancelled = ui.button("Cancel").clicked();
            });
        });
        if cancelled || ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.path_prompt = None;
            return;
        }
        if !confirmed {
            return;
        }
        let Some(prompt) = self.path_prompt.take() else {
            return;
        };
        let path = PathBuf::from(prompt.text.trim());
        if prompt.text.trim().is_empty() {
            self.status = Some("No path typed: nothing done.".to_owned());
            return;
        }
        match prompt.purpose {
            PathPurpose::Open => self.request_open(PendingOpen::Path(path)),
            PathPurpose::SaveAs => {
                let format = TextFormat::from_path(&path);
                self.write_to(&path, format, true);
            }
            PathPurpose::Export(format) => self.write_to(&path, format, false),
            PathPurpose::StackFolder => self.export_dialog.set_folder(path),
        }
    }
}
