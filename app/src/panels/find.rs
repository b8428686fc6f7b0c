//! Find a state (Ctrl+F): by name, type, resource, or any text in its fields, across nested
//! machines.

use graph_model::{MachinePath, StateKind, StateMachine};

/// One match: where the state is and what matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindHit {
    /// The machine holding the state.
    pub machine: MachinePath,
    /// The state's name.
    pub name: String,
    /// Why it matched ("name", "type", "resource", "field").
    pub reason: &'static str,
}

/// Every state matching `query` (case-insensitive), in document order, the best reason first.
#[must_use]
pub fn find_states(root: &StateMachine, query: &str) -> Vec<FindHit> {
    let needle = query.trim().to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for (path, machine) in root.all_machines() {
        for state in machine.states() {
            let type_name = state.state_type().map_or("", |t| t.as_str());
            let resource = match &state.kind {
                StateKind::Task(task) => task.resource.as_deref().unwrap_or_default(),
                _ => "",
            };
            let reason = if state.name.to_lowercase().contains(&needle) {
                Some("name")
            } else if type_name.to_lowercase() == needle {
                Some("type")
            } else if resource.to_lowercase().contains(&needle) {
                Some("resource")
            } else {
                // Field text: the state's own JSON without its nested machines' states.
                let mut shallow = state.clone();
                for child in shallow.children_mut() {
                    *child = StateMachine::new();
                }
                let mut probe = StateMachine::new();
                probe.insert_state(0, shallow);
                let text = probe.to_value().to_string().to_lowercase();
                text.contains(&needle).then_some("field")
            };
            if let Some(reason) = reason {
                hits.push(FindHit {
                    machine: path.clone(),
                    name: state.name.clone(),
                    reason,
                });
            }
        }
    }
    let rank = |reason: &str| {
        ["name", "type", "resource", "field"]
            .iter()
            .position(|r| *r == reason)
    };
    hits.sort_by_key(|hit| rank(hit.reason));
    hits
}

/// The find bar's state.
#[derive(Debug, Default)]
pub struct FindBar {
    /// Whether it is showing.
    pub open: bool,
    query: String,
    focus_pending: bool,
}

impl FindBar {
    /// Opens the bar and focuses its field.
    pub fn open(&mut self) {
        self.open = true;
        self.focus_pending = true;
    }

    /// Draws the bar (a window); returns the hit the user picked.
    pub fn ui(&mut self, ctx: &egui::Context, root: &StateMachine) -> Option<FindHit> {
        if !self.open {
            return None;
        }
        let mut picked = None;
        let mut open = true;
        egui::Window::new("Find a state")
            .open(&mut open)
            .collapsible(false)
            .anchor(egui::Align2::RIGHT_TOP, [-16.0, 48.0])
            .default_width(crate::theme::PANELS.find_width)
            .show(ctx, |ui| {
                let label = ui.label("Find");
                let field = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.query)
                            .hint_text("name, type, resource or field text"),
                    )
                    .labelled_by(label.id);
                if self.focus_pending {
                    field.request_focus();
                    self.focus_pending = false;
                }
                let hits = find_states(root, &self.query);
                if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    picked = hits.first().cloned();
                }
                if !self.query.trim().is_empty() {
                    ui.label(format!("{} found", hits.len()));
                }
                egui::ScrollArea::vertical()
                    .max_height(crate::theme::PANELS.find_list_height)
                    .show(ui, |ui| {
                        for hit in hits {
                            if ui
                                .selectable_label(false, format!("{}  ({})", hit.name, hit.reason))
                                .clicked()
                            {
                                picked = Some(hit);
                            }
                        }
                    });
            });
        if !open || ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.open = false;
        }
        picked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_name_type_resource_and_field_text_in_the_sample() {
        let value: serde_json::Value =
            serde_json::from_str(crate::sample::SAMPLE_ASL).expect("the sample is JSON");
        let root = StateMachine::from_value(&value).expect("an object");
        let names = |q: &str| {
            find_states(&root, q)
                .into_iter()
                .map(|h| h.name)
                .collect::<Vec<_>>()
        };
        // A name match comes before states that merely mention the name (in a Next).
        assert_eq!(
            names("cleanup"),
            ["Cleanup", "TransformFile", "NotifyFailure"]
        );
        assert_eq!(names("choice"), ["DidTransformFail"]);
        assert_eq!(names("glue:startJobRun"), ["TransformFile"]);
        assert_eq!(names("etl-failures"), ["NotifyFailure", "PipelineFailed"]);
    }
}
