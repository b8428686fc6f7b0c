//! The problems panel (bottom): every diagnostic of the document (or the code view's syntax
//! error); clicking one selects its state and field.

use graph_model::{Diagnostic, Severity};

use crate::theme::Theme;

/// Draws the list; returns the diagnostic the user clicked.
pub fn problems_ui<'d>(
    ui: &mut egui::Ui,
    diagnostics: &'d [Diagnostic],
    syntax_error: Option<&str>,
) -> Option<&'d Diagnostic> {
    let theme = Theme::current(ui.ctx());
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    ui.horizontal(|ui| {
        ui.strong("Problems");
        ui.label(format!(
            "{} errors, {} warnings",
            count(Severity::Error) + usize::from(syntax_error.is_some()),
            count(Severity::Warning)
        ));
    });
    let mut clicked = None;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if let Some(message) = syntax_error {
                ui.colored_label(
                    theme.error,
                    format!(
                        "error  code view: {message} (the canvas shows the last valid definition)"
                    ),
                );
            }
            if diagnostics.is_empty() && syntax_error.is_none() {
                ui.weak("No problems.");
            }
            for diagnostic in diagnostics {
                let text = format!(
                    "{}  {}  {}  {}",
                    diagnostic.severity.as_str(),
                    diagnostic.state.as_deref().unwrap_or("(machine)"),
                    diagnostic.message,
                    diagnostic.pointer
                );
                let rich = egui::RichText::new(text).color(theme.severity(diagnostic.severity));
                if ui
                    .add(egui::Button::selectable(false, rich))
                    .on_hover_text(&diagnostic.code)
                    .clicked()
                {
                    clicked = Some(diagnostic);
                }
            }
        });
    clicked
}
