//! The command palette (Ctrl+K): every action by name, filtered as you type; Enter runs the first
//! match, Escape closes.

use crate::keyboard::Action;

/// The palette's state while it is open.
#[derive(Debug, Default)]
pub struct CommandPalette {
    /// Whether it is showing.
    pub open: bool,
    query: String,
    focus_pending: bool,
}

impl CommandPalette {
    /// Opens the palette with an empty query.
    pub fn open(&mut self) {
        self.open = true;
        self.query.clear();
        self.focus_pending = true;
    }

    /// The actions matching the query: every word of the query appears in the name.
    #[must_use]
    pub fn matches(&self) -> Vec<Action> {
        let words: Vec<String> = self
            .query
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        Action::ALL
            .into_iter()
            .filter(|a| {
                let name = a.name().to_lowercase();
                words.iter().all(|w| name.contains(w.as_str()))
            })
            .collect()
    }

    /// Draws the palette when open; returns the action the user chose.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<Action> {
        if !self.open {
            return None;
        }
        let mut chosen = None;
        let mut close = false;
        egui::Window::new("Command palette")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_TOP, [0.0, 60.0])
            .default_width(crate::theme::PANELS.command_palette_width)
            .show(ctx, |ui| {
                let label = ui.label("Command");
                let field = ui
                    .add(egui::TextEdit::singleline(&mut self.query).hint_text("Type to filter"))
                    .labelled_by(label.id);
                if self.focus_pending {
                    field.request_focus();
                    self.focus_pending = false;
                }
                let matches = self.matches();
                if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    chosen = matches.first().copied();
                }
                if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    close = true;
                }
                egui::ScrollArea::vertical()
                    .max_height(crate::theme::PANELS.popup_list_height)
                    .show(ui, |ui| {
                        for action in matches {
                            ui.horizontal(|ui| {
                                if ui.selectable_label(false, action.name()).clicked() {
                                    chosen = Some(action);
                                }
                                ui.with_layout(
                                    egui::Layout::right_to_left(egui::Align::Center),
                                    |ui| {
                                        ui.weak(action.shortcut_text(ui.ctx()));
                                    },
                                );
                            });
                        }
                    });
            });
        if chosen.is_some() || close {
            self.open = false;
        }
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_must_match() {
        let mut palette = CommandPalette::default();
        palette.open();
        assert_eq!(palette.matches().len(), Action::ALL.len());
        palette.query = "export yaml".to_owned();
        assert_eq!(palette.matches(), vec![Action::ExportYaml]);
    }
}
