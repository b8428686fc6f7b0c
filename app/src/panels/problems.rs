//! The problems panel (bottom): every diagnostic of the document (or the code view's syntax
//! error); clicking one selects its state and field, and a diagnostic with a quick fix (add the
//! Retry a Lambda invoke lacks, a timeout, ...) has a Fix button that applies it as one undo step.

use graph_model::{Diagnostic, QuickFix, Severity};

use crate::theme::Theme;

/// What the user did in the panel, by index into the diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemAction {
    /// Clicked a diagnostic: select its state and field.
    Select(usize),
    /// Pressed its Fix button.
    Fix(usize),
}

/// `n` and `word`, plural unless `n` is one: "1 error", "2 warnings".
pub fn counted(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Draws the list; `fixes` holds each diagnostic's quick fix (same order). Returns what the user
/// did.
pub fn problems_ui(
    ui: &mut egui::Ui,
    diagnostics: &[Diagnostic],
    fixes: &[Option<QuickFix>],
    syntax_error: Option<&str>,
) -> Option<ProblemAction> {
    let theme = Theme::current(ui.ctx());
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    ui.horizontal(|ui| {
        ui.strong("Problems");
        ui.label(format!(
            "{}, {}",
            counted(
                count(Severity::Error) + usize::from(syntax_error.is_some()),
                "error"
            ),
            counted(count(Severity::Warning), "warning")
        ));
    });
    let mut clicked = None;
    if let Some(message) = syntax_error {
        ui.colored_label(
            theme.error,
            format!("error  code view: {message} (the canvas shows the last valid definition)"),
        );
    }
    if diagnostics.is_empty() && syntax_error.is_none() {
        ui.weak("No problems.");
    }
    // Only the rows in view are laid out: a generated document of 1,500 states has hundreds of
    // warnings, and laying out every row cost more than a frame.
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show_rows(ui, row_height, diagnostics.len(), |ui, rows| {
            for index in rows {
                let Some(diagnostic) = diagnostics.get(index) else {
                    continue;
                };
                let text = format!(
                    "{}  {}  {}  {}",
                    diagnostic.severity.as_str(),
                    diagnostic.state.as_deref().unwrap_or("(machine)"),
                    diagnostic.message,
                    diagnostic.pointer
                );
                let rich = egui::RichText::new(text).color(theme.severity(diagnostic.severity));
                ui.horizontal(|ui| {
                    if let Some(Some(fix)) = fixes.get(index)
                        && ui.small_button("Fix").on_hover_text(&fix.title).clicked()
                    {
                        clicked = Some(ProblemAction::Fix(index));
                    }
                    if ui
                        .add(egui::Button::selectable(false, rich))
                        .on_hover_text(&diagnostic.code)
                        .clicked()
                    {
                        clicked = Some(ProblemAction::Select(index));
                    }
                });
            }
        });
    clicked
}
