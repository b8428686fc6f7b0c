//! The problems panel (bottom): every diagnostic of the document (or the code view's syntax
//! error); clicking one selects its state and field, and a diagnostic with a quick fix (add the
//! Retry a Lambda invoke lacks, a timeout, ...) has a Fix button that applies it as one undo step.

use std::hash::{DefaultHasher, Hash, Hasher};

use graph_model::{Diagnostic, QuickFix, Severity};

use crate::theme::Theme;

/// Rows whose text was not drawn in the frame before that one frame lays out. Laying out a
/// row's text the first time (shaping it, drawing new glyphs) costs a millisecond or more in the
/// browser: a big document's problems, shown all at once, took 15-20 ms of one frame.
const NEW_ROWS_PER_FRAME: usize = 4;

/// Which rows' texts the panel drew in the last frame, so that rows new in view (a new list, a
/// scroll) are laid out a few a frame and the others at once.
#[derive(Clone, Debug, Default)]
pub struct RowPacing {
    /// A hash of the text of each row drawn in the last frame.
    drawn: Vec<u64>,
}

impl RowPacing {
    /// Whether the row with text `text` may be laid out in this frame (`drawn_now` holds the
    /// rows drawn so far in it); records it if so.
    fn admit(&self, text: &str, drawn_now: &mut Vec<u64>, new_so_far: &mut usize) -> bool {
        let mut hasher = DefaultHasher::new();
        text.hash(&mut hasher);
        let key = hasher.finish();
        let seen = self.drawn.contains(&key);
        if !seen {
            if *new_so_far >= NEW_ROWS_PER_FRAME {
                return false;
            }
            *new_so_far += 1;
        }
        drawn_now.push(key);
        true
    }
}

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

/// Draws the list; `fixes` holds each diagnostic's quick fix (same order). With `pacing` (the
/// browser), rows new in view are laid out a few a frame. Returns what the user did.
pub fn problems_ui(
    ui: &mut egui::Ui,
    diagnostics: &[Diagnostic],
    fixes: &[Option<QuickFix>],
    syntax_error: Option<&str>,
    pacing: Option<&mut RowPacing>,
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
    let mut drawn_now = Vec::new();
    let mut new_rows = 0;
    let mut held_back = false;
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
                if let Some(pacing) = pacing.as_deref()
                    && !pacing.admit(&text, &mut drawn_now, &mut new_rows)
                {
                    // Laid out in one of the next frames; its place is kept meanwhile.
                    held_back = true;
                    ui.allocate_exact_size(
                        egui::vec2(ui.available_width(), row_height),
                        egui::Sense::hover(),
                    );
                    continue;
                }
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
    if let Some(pacing) = pacing {
        pacing.drawn = drawn_now;
    }
    if held_back {
        ui.ctx().request_repaint();
    }
    clicked
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One frame of rows `texts`: which are laid out.
    fn frame(pacing: &mut RowPacing, texts: &[String]) -> Vec<bool> {
        let (mut drawn_now, mut new_rows) = (Vec::new(), 0);
        let admitted = texts
            .iter()
            .map(|text| pacing.admit(text, &mut drawn_now, &mut new_rows))
            .collect();
        pacing.drawn = drawn_now;
        admitted
    }

    #[test]
    fn new_rows_are_laid_out_a_few_a_frame_and_rows_already_drawn_at_once() {
        let texts: Vec<String> = (0..10)
            .map(|i| format!("warning  Step{i}  message"))
            .collect();
        let mut pacing = RowPacing::default();
        let first = frame(&mut pacing, &texts);
        assert_eq!(
            first.iter().filter(|&&laid| laid).count(),
            NEW_ROWS_PER_FRAME
        );
        assert!(first[..NEW_ROWS_PER_FRAME].iter().all(|&laid| laid));
        let second = frame(&mut pacing, &texts);
        assert_eq!(
            second.iter().filter(|&&laid| laid).count(),
            2 * NEW_ROWS_PER_FRAME,
            "the rows of the frame before and four more"
        );
        let third = frame(&mut pacing, &texts);
        assert!(
            third.iter().all(|&laid| laid),
            "every row after three frames"
        );
        // Rows whose text did not change stay laid out (an edit elsewhere).
        assert!(frame(&mut pacing, &texts).iter().all(|&laid| laid));
    }
}
