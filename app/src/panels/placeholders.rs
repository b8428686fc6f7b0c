//! The placeholders section (under the inspector, for a machine opened from a SAM or
//! CloudFormation template): each `${Name}` with the value the template gives it, warnings for a
//! placeholder without a value and a `DefinitionSubstitutions` entry nothing uses, and a button
//! that adds the missing entry to the template.

use std::collections::BTreeMap;

use asl_codec::template::PlaceholderCheck;
use graph_model::Severity;

use crate::theme::{METRICS, Theme};

/// The placeholders of the open template machine, as last read from the template file.
#[derive(Debug, Default)]
pub struct PlaceholdersPanel {
    /// The check of the template on disk; `None` when the machine is not from a template.
    pub check: Option<PlaceholderCheck>,
    /// Why the list could not be read or the last addition failed, or what it did.
    pub message: Option<String>,
    /// The value typed for each missing placeholder, by name.
    drafts: BTreeMap<String, String>,
}

/// A substitution the user asked to add: the placeholder's name and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddSubstitution {
    /// The placeholder's name.
    pub name: String,
    /// The value typed for it.
    pub value: String,
}

impl PlaceholdersPanel {
    /// Replaces the list (after opening, saving or adding an entry); typed values of placeholders
    /// that still have none are kept.
    pub fn set(&mut self, check: Option<PlaceholderCheck>, message: Option<String>) {
        if let Some(check) = &check {
            self.drafts.retain(|name, _| check.missing.contains(name));
        } else {
            self.drafts.clear();
        }
        self.check = check;
        self.message = message;
    }

    /// Draws the section; returns the substitution to add when its button was pressed.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<AddSubstitution> {
        let theme = Theme::current(ui.ctx());
        let mut add = None;
        ui.strong("Placeholders");
        if let Some(message) = &self.message {
            ui.label(message);
        }
        let Some(check) = &self.check else {
            return None;
        };
        if check.placeholders.is_empty() && check.unused.is_empty() {
            ui.weak("The definition uses no ${...} placeholders.");
        }
        for placeholder in &check.placeholders {
            let name = &placeholder.name;
            let missing = check.missing.contains(name);
            let value = match &placeholder.value {
                Some(serde_json::Value::String(text)) => text.clone(),
                Some(other) => other.to_string(),
                None if missing => "no value".to_owned(),
                // A parameter, resource or pseudo parameter that CloudFormation fills in.
                None => "resolved by CloudFormation".to_owned(),
            };
            ui.label(format!("${{{name}}} = {value}"));
            if missing {
                ui.colored_label(
                    theme.severity(Severity::Warning),
                    format!(
                        "${{{name}}} has no substitution: Step Functions would receive it literally"
                    ),
                );
                ui.horizontal(|ui| {
                    let label = ui.label(format!("Value for {name}"));
                    let draft = self.drafts.entry(name.clone()).or_default();
                    ui.add(
                        egui::TextEdit::singleline(draft)
                            .desired_width(METRICS.short_field_width)
                            .hint_text("text or {\"Ref\": \"Param\"}"),
                    )
                    .labelled_by(label.id);
                    let button = ui
                        .button("Add substitution")
                        .on_hover_text(format!("Add {name} to DefinitionSubstitutions"));
                    if button.clicked() {
                        add = Some(AddSubstitution {
                            name: name.clone(),
                            value: draft.clone(),
                        });
                    }
                });
            }
        }
        for name in &check.unused {
            ui.colored_label(
                theme.severity(Severity::Warning),
                format!("Substitution {name} is not used by any placeholder"),
            );
        }
        add
    }
}
