//! Members of the state's JSON-valued fields (ItemReader, ItemBatcher, ResultWriter, an HTTP
//! Task's Parameters or Arguments), read and written at a path so that each member gets a form
//! field of its own while the rest of the field, unknown members included, is kept as it is.

use graph_model::NumberOr;
use serde_json::{Map, Value};

use super::{FieldValue, Form};

/// A JSON-valued field of the state: its value and its pointer under the state
/// (`/ItemBatcher`, `/Parameters`).
pub(super) struct Slot<'a> {
    pub(super) root: &'a mut Option<Value>,
    pub(super) pointer: &'a str,
}

impl Slot<'_> {
    /// The JSON pointer under the state of the member at `path`.
    pub(super) fn field(&self, path: &[&str]) -> String {
        format!("{}/{}", self.pointer, path.join("/"))
    }
}

/// The value at `path` inside `root`.
pub(super) fn member_at<'v>(root: Option<&'v Value>, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(root?, |value, key| value.get(key))
}

/// Sets (or with `None` removes) the member at `path`, creating objects on the way and dropping
/// the objects a removal leaves empty (the root too: an empty ItemBatcher is no ItemBatcher). A
/// root or member on the way that is not an object (a JSONata expression, a `${...}`
/// placeholder) is left alone: the raw JSON editor is the place to change it. Returns whether
/// anything changed.
pub(super) fn set_at(root: &mut Option<Value>, path: &[&str], value: Option<Value>) -> bool {
    if value.is_none() && member_at(root.as_ref(), path).is_none() {
        return false;
    }
    let Value::Object(object) = root.get_or_insert_with(|| Value::Object(Map::new())) else {
        return false;
    };
    let changed = set_in(object, path, value);
    if object.is_empty() {
        *root = None;
    }
    changed
}

fn set_in(object: &mut Map<String, Value>, path: &[&str], value: Option<Value>) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    if rest.is_empty() {
        return match value {
            Some(value) if object.get(*first) == Some(&value) => false,
            Some(value) => {
                object.insert((*first).to_owned(), value);
                true
            }
            None => object.remove(*first).is_some(),
        };
    }
    let child = object
        .entry((*first).to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(inner) = child else {
        return false;
    };
    let changed = set_in(inner, rest, value);
    if inner.is_empty() {
        object.remove(*first);
    }
    changed
}

/// A form value that a JSON member holds.
pub(super) trait SlotValue: FieldValue {
    /// The form's view of the member (absent, or of another JSON type, shows as empty).
    fn from_json(value: Option<&Value>) -> Self;
    /// The member to write (`None` removes it).
    fn into_json(self) -> Option<Value>;
}

impl SlotValue for Option<String> {
    fn from_json(value: Option<&Value>) -> Self {
        value.and_then(Value::as_str).map(str::to_owned)
    }
    fn into_json(self) -> Option<Value> {
        self.map(Value::String)
    }
}

/// A list of strings (`CSVHeaders`), edited as comma-separated text.
impl SlotValue for Option<Vec<String>> {
    fn from_json(value: Option<&Value>) -> Self {
        let items = value?.as_array()?;
        Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        )
    }
    fn into_json(self) -> Option<Value> {
        self.map(|items| Value::Array(items.into_iter().map(Value::String).collect()))
    }
}

impl SlotValue for Option<NumberOr> {
    fn from_json(value: Option<&Value>) -> Self {
        match value? {
            Value::Number(n) => Some(NumberOr::Number(n.clone())),
            Value::String(s) => Some(NumberOr::Expr(s.clone())),
            _ => None,
        }
    }
    fn into_json(self) -> Option<Value> {
        self.map(|n| match n {
            NumberOr::Number(n) => Value::Number(n),
            NumberOr::Expr(e) => Value::String(e),
        })
    }
}

impl SlotValue for Option<Value> {
    fn from_json(value: Option<&Value>) -> Self {
        value.cloned()
    }
    fn into_json(self) -> Option<Value> {
        self
    }
}

/// What a finished edit did to a member, for the undo step's label ("Set Method").
pub(super) fn step(label: &str, removed: bool) -> String {
    if removed {
        format!("Clear {label}")
    } else {
        format!("Set {label}")
    }
}

impl Form<'_> {
    /// The member at `path` of `slot`, with the editor of its type, labelled `label`. Returns the
    /// undo step's label when a finished edit changed it.
    pub(super) fn slot<T: SlotValue>(
        &mut self,
        ui: &mut egui::Ui,
        slot: &mut Slot<'_>,
        path: &[&str],
        label: &str,
    ) -> Option<String> {
        let current = T::from_json(member_at(slot.root.as_ref(), path));
        let value = current
            .edit(self, ui, label, &slot.field(path))?
            .into_json();
        let removed = value.is_none();
        set_at(slot.root, path, value).then(|| step(label, removed))
    }

    /// A combo box for an enumerated member; "(not set)" removes it. Returns the undo step's
    /// label when the pick changed the member.
    pub(super) fn slot_choice(
        &mut self,
        ui: &mut egui::Ui,
        slot: &mut Slot<'_>,
        path: &[&str],
        label: &str,
        choices: &[&str],
    ) -> Option<String> {
        let field = slot.field(path);
        let current = member_at(slot.root.as_ref(), path)
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut picked = current.clone();
        egui::ComboBox::new(&field, label)
            .selected_text(picked.as_deref().unwrap_or("(not set)"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut picked, None, "(not set)");
                for value in choices {
                    ui.selectable_value(&mut picked, Some((*value).to_owned()), *value);
                }
            });
        self.errors(ui, &field);
        if picked == current {
            return None;
        }
        let removed = picked.is_none();
        set_at(slot.root, path, picked.map(Value::String)).then(|| step(label, removed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_are_set_and_removed_without_leaving_empty_objects() {
        let mut reader = None;
        assert!(set_at(
            &mut reader,
            &["ReaderConfig", "InputType"],
            Some(json!("CSV"))
        ));
        assert_eq!(reader, Some(json!({"ReaderConfig": {"InputType": "CSV"}})));
        assert!(!set_at(
            &mut reader,
            &["ReaderConfig", "InputType"],
            Some(json!("CSV"))
        ));
        assert!(set_at(&mut reader, &["ReaderConfig", "InputType"], None));
        assert_eq!(reader, None);
        let mut writer = Some(json!({"Resource": "arn:aws:states:::s3:putObject"}));
        set_at(
            &mut writer,
            &["WriterConfig", "OutputType"],
            Some(json!("JSONL")),
        );
        assert_eq!(
            writer,
            Some(
                json!({"Resource": "arn:aws:states:::s3:putObject", "WriterConfig": {"OutputType": "JSONL"}})
            )
        );
        set_at(&mut writer, &["WriterConfig", "OutputType"], None);
        assert_eq!(
            writer,
            Some(json!({"Resource": "arn:aws:states:::s3:putObject"}))
        );
    }

    #[test]
    fn expressions_and_placeholders_in_the_way_are_left_alone() {
        let mut placeholder = Some(json!("${Reader}"));
        assert!(!set_at(
            &mut placeholder,
            &["ReaderConfig", "InputType"],
            Some(json!("CSV"))
        ));
        assert_eq!(placeholder, Some(json!("${Reader}")));
        let mut computed = Some(json!({"Headers": "{% $states.input.headers %}"}));
        assert!(!set_at(
            &mut computed,
            &["Headers", "Accept"],
            Some(json!("application/json"))
        ));
        assert_eq!(
            computed,
            Some(json!({"Headers": "{% $states.input.headers %}"}))
        );
    }
}
