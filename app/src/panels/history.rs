//! The history panel: every undoable step, the current one marked; clicking a step undoes or
//! redoes up to it.

/// Draws the list of step labels; `cursor` is how many steps are applied. Returns the cursor
/// the user clicked (0 = before the first step).
pub fn history_ui(ui: &mut egui::Ui, labels: &[String], cursor: usize) -> Option<usize> {
    let mut clicked = None;
    ui.strong("History");
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .stick_to_bottom(true)
        .show(ui, |ui| {
            if ui.selectable_label(cursor == 0, "Opened").clicked() {
                clicked = Some(0);
            }
            for (index, label) in labels.iter().enumerate() {
                let applied = index < cursor;
                let text = if applied {
                    egui::RichText::new(label)
                } else {
                    egui::RichText::new(label).weak().italics()
                };
                if ui.selectable_label(index + 1 == cursor, text).clicked() {
                    clicked = Some(index + 1);
                }
            }
        });
    clicked
}
