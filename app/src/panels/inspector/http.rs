//! The HTTP Task's own fields as form fields (AWS's "Call HTTPS APIs" reference), written into
//! the task's Parameters (JSONPath) or Arguments (JSONata): ApiEndpoint, Method and the
//! EventBridge connection; Headers and QueryParameters as rows of name and value; RequestBody
//! as JSON; and Transform's RequestBodyEncoding (NONE, URL_ENCODED) and
//! RequestEncodingOptions.ArrayFormat (INDICES, REPEAT, COMMAS, BRACKETS).

use graph_model::{ARRAY_FORMATS, HTTP_METHODS, REQUEST_BODY_ENCODINGS};
use serde_json::{Map, Value};

use super::json_slot::{Slot, member_at, set_at};
use super::{Form, named_button};

/// Whether a Task resource is the HTTP Task.
pub(super) fn is_http_task(resource: Option<&str>) -> bool {
    resource.is_some_and(|r| r.ends_with(":states:::http:invoke"))
}

/// The form; `payload` is the task's Parameters or Arguments, `field` its name. Returns the undo
/// step's label when a member changed.
pub(super) fn http_task_editor(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    payload: &mut Option<Value>,
    field: &str,
) -> Option<String> {
    ui.strong("HTTP request");
    let pointer = format!("/{field}");
    let mut slot = Slot {
        root: payload,
        pointer: &pointer,
    };
    let mut step = form.slot::<Option<String>>(ui, &mut slot, &["ApiEndpoint"], "ApiEndpoint");
    step = form
        .slot_choice(ui, &mut slot, &["Method"], "Method", &HTTP_METHODS)
        .or(step);
    step = form
        .slot::<Option<String>>(
            ui,
            &mut slot,
            &["Authentication", "ConnectionArn"],
            "Authentication ConnectionArn",
        )
        .or(step);
    step = key_value_rows(ui, form, &mut slot, "Headers", "Header").or(step);
    step = key_value_rows(ui, form, &mut slot, "QueryParameters", "Query parameter").or(step);
    if !computed_elsewhere(ui, &slot, "RequestBody") {
        step = form
            .slot::<Option<Value>>(ui, &mut slot, &["RequestBody"], "RequestBody")
            .or(step);
    }
    ui.strong("Transform");
    step = form
        .slot_choice(
            ui,
            &mut slot,
            &["Transform", "RequestBodyEncoding"],
            "Transform RequestBodyEncoding",
            &REQUEST_BODY_ENCODINGS,
        )
        .or(step);
    form.slot_choice(
        ui,
        &mut slot,
        &["Transform", "RequestEncodingOptions", "ArrayFormat"],
        "RequestEncodingOptions ArrayFormat",
        &ARRAY_FORMATS,
    )
    .or(step)
}

/// Whether a JSONPath template computes `member` (`RequestBody.$`): then the member is edited
/// in the JSON editor below, since a form field would write a second, conflicting one.
fn computed_elsewhere(ui: &mut egui::Ui, slot: &Slot<'_>, member: &str) -> bool {
    let computed = member_at(slot.root.as_ref(), &[&format!("{member}.$")]).is_some();
    if computed {
        ui.label(format!(
            "{member} is computed by \"{member}.$\"; edit it in the JSON below."
        ));
    }
    computed
}

/// A change to one row of a name/value list.
enum RowEdit {
    Rename(usize, String),
    Value(usize, Value),
    Remove(usize),
    Add,
}

/// `Headers` or `QueryParameters` as rows of name and value, with Remove buttons and an Add
/// button. A value that is not a string (a list of query values, say) shows as JSON and is read
/// back as JSON; a list computed by an expression is left to the JSON editor.
fn key_value_rows(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    slot: &mut Slot<'_>,
    member: &str,
    title: &str,
) -> Option<String> {
    ui.strong(member);
    let pointer = slot.field(&[member]);
    if computed_elsewhere(ui, slot, member) {
        return None;
    }
    let rows: Vec<(String, Value)> = match member_at(slot.root.as_ref(), &[member]) {
        None => Vec::new(),
        Some(Value::Object(object)) => object.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Some(_) => {
            ui.label(format!(
                "{member} is an expression; edit it in the JSON below."
            ));
            form.errors(ui, &pointer);
            return None;
        }
    };
    let noun = title.to_lowercase();
    let mut edit = None;
    for (index, (name, value)) in rows.iter().enumerate() {
        let n = index + 1;
        ui.push_id((member, index), |ui| {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                let label = format!("{title} {n}");
                ui.horizontal(|ui| {
                    ui.label(&label);
                    if named_button(ui, "Remove", &format!("Remove {noun} {n}")) {
                        edit = Some(RowEdit::Remove(index));
                    }
                });
                let name_field = format!("{pointer}/{index}#name");
                if let Some(new_name) = form.text(ui, &format!("{label} name"), &name_field, name) {
                    edit = Some(RowEdit::Rename(index, new_name.trim().to_owned()));
                }
                let shown = match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                let value_field = format!("{pointer}/{}", graph_model::escape_pointer(name));
                if let Some(text) = form.text(ui, &format!("{label} value"), &value_field, &shown) {
                    let new_value = match value {
                        Value::String(_) => Value::String(text),
                        _ => serde_json::from_str(&text).unwrap_or(Value::String(text)),
                    };
                    edit = Some(RowEdit::Value(index, new_value));
                }
            });
        });
    }
    // Why the last rename was refused, shown until the next edit of this list.
    let refusal_id = ui.make_persistent_id(("row-refusal", &pointer));
    if let Some(reason) = ui.data(|data| data.get_temp::<String>(refusal_id)) {
        ui.colored_label(form.error_color, reason);
    }
    if ui.button(format!("Add {noun}")).clicked() {
        edit = Some(RowEdit::Add);
    }
    let edit = edit?;
    let refusal = match &edit {
        RowEdit::Rename(_, name) if name.is_empty() => Some(format!(
            "A {noun} needs a name: the name was left as it was."
        )),
        RowEdit::Rename(_, name) => Some(format!(
            "There is already a {noun} \"{name}\": the name was left as it was."
        )),
        _ => None,
    };
    let Some((rows, step)) = apply_row_edit(rows, edit, &noun) else {
        ui.data_mut(|data| data.insert_temp(refusal_id, refusal.unwrap_or_default()));
        return None;
    };
    ui.data_mut(|data| data.remove::<String>(refusal_id));
    let object = (!rows.is_empty()).then(|| Value::Object(rows.into_iter().collect::<Map<_, _>>()));
    set_at(slot.root, &[member], object).then_some(step)
}

/// The rows after an edit, with the undo step's label; `None` when the edit is refused (a
/// rename to an empty or taken name, which would drop or overwrite a row).
fn apply_row_edit(
    mut rows: Vec<(String, Value)>,
    edit: RowEdit,
    noun: &str,
) -> Option<(Vec<(String, Value)>, String)> {
    let step = match edit {
        RowEdit::Rename(index, name) => {
            if name.is_empty() || rows.iter().any(|(taken, _)| *taken == name) {
                return None;
            }
            let row = rows.get_mut(index)?;
            let step = format!("Rename {noun} \"{}\" to \"{name}\"", row.0);
            row.0 = name;
            step
        }
        RowEdit::Value(index, value) => {
            let row = rows.get_mut(index)?;
            row.1 = value;
            format!("Set {noun} \"{}\"", row.0)
        }
        RowEdit::Remove(index) => {
            if index >= rows.len() {
                return None;
            }
            let (name, _) = rows.remove(index);
            format!("Remove {noun} \"{name}\"")
        }
        RowEdit::Add => {
            let base = if noun == "header" { "X-Header" } else { "name" };
            let name = (1..)
                .map(|n| {
                    if n == 1 {
                        base.to_owned()
                    } else {
                        format!("{base}{n}")
                    }
                })
                .find(|candidate| rows.iter().all(|(taken, _)| taken != candidate))?;
            rows.push((name, Value::String(String::new())));
            format!("Add {noun}")
        }
    };
    Some((rows, step))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(pairs: &[(&str, &str)]) -> Vec<(String, Value)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect()
    }

    #[test]
    fn rows_are_added_renamed_and_removed_in_place_keeping_their_order() {
        let start = rows(&[("Accept", "application/json"), ("X-Trace", "on")]);
        let (added, step) = apply_row_edit(start.clone(), RowEdit::Add, "header").expect("added");
        assert_eq!(step, "Add header");
        assert_eq!(added[2].0, "X-Header");
        let (again, _) = apply_row_edit(added, RowEdit::Add, "header").expect("added");
        assert_eq!(again[3].0, "X-Header2");
        let (renamed, step) = apply_row_edit(
            start.clone(),
            RowEdit::Rename(0, "Content-Type".to_owned()),
            "header",
        )
        .expect("renamed");
        assert_eq!(step, "Rename header \"Accept\" to \"Content-Type\"");
        assert_eq!(
            renamed,
            rows(&[("Content-Type", "application/json"), ("X-Trace", "on")])
        );
        let (removed, step) =
            apply_row_edit(start.clone(), RowEdit::Remove(0), "header").expect("removed");
        assert_eq!(step, "Remove header \"Accept\"");
        assert_eq!(removed, rows(&[("X-Trace", "on")]));
    }

    #[test]
    fn a_rename_to_a_taken_or_empty_name_is_refused_so_no_row_is_lost() {
        let start = rows(&[("Accept", "application/json"), ("X-Trace", "on")]);
        assert!(
            apply_row_edit(
                start.clone(),
                RowEdit::Rename(0, "X-Trace".to_owned()),
                "header"
            )
            .is_none()
        );
        assert!(apply_row_edit(start, RowEdit::Rename(1, String::new()), "header").is_none());
    }
}
