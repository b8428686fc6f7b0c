//! The HTTP Task's own fields as form fields (AWS's "Call HTTPS APIs" reference): ApiEndpoint,
//! Method and the EventBridge connection, written into the task's Parameters (JSONPath) or
//! Arguments (JSONata). The rest (Headers, QueryParameters, RequestBody, Transform) stays in the
//! JSON editor below.

use serde_json::{Map, Value};

use super::Form;

/// The methods the HTTP Task accepts.
const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

/// Whether a Task resource is the HTTP Task.
pub(super) fn is_http_task(resource: Option<&str>) -> bool {
    resource.is_some_and(|r| r.ends_with(":states:::http:invoke"))
}

/// The form; `payload` is the task's Parameters or Arguments, `field` its name. Returns whether
/// a member changed.
pub(super) fn http_task_editor(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    payload: &mut Option<Value>,
    field: &str,
) -> bool {
    ui.strong("HTTP request");
    let mut changed = false;
    let endpoint = member(payload.as_ref(), &["ApiEndpoint"]);
    if let Some(text) = form.optional_text(
        ui,
        "ApiEndpoint",
        &format!("/{field}/ApiEndpoint"),
        endpoint.as_deref(),
    ) {
        changed |= set_member(payload, &["ApiEndpoint"], text);
    }
    let method = member(payload.as_ref(), &["Method"]);
    let mut picked = method.clone();
    egui::ComboBox::new("http-method", "Method")
        .selected_text(picked.as_deref().unwrap_or("(not set)"))
        .show_ui(ui, |ui| {
            for value in METHODS {
                ui.selectable_value(&mut picked, Some(value.to_owned()), value);
            }
        });
    form.errors(ui, &format!("/{field}/Method"));
    if picked != method {
        changed |= set_member(payload, &["Method"], picked);
    }
    let connection = member(payload.as_ref(), &["Authentication", "ConnectionArn"]);
    if let Some(text) = form.optional_text(
        ui,
        "Authentication ConnectionArn",
        &format!("/{field}/Authentication/ConnectionArn"),
        connection.as_deref(),
    ) {
        changed |= set_member(payload, &["Authentication", "ConnectionArn"], text);
    }
    changed
}

/// The string at `path` inside the payload, when it is one.
fn member(payload: Option<&Value>, path: &[&str]) -> Option<String> {
    let mut value = payload?;
    for key in path {
        value = value.get(key)?;
    }
    value.as_str().map(str::to_owned)
}

/// Sets (or with `None` removes) the string at `path`, creating objects on the way; a payload
/// or member that is not an object (a JSONata expression, say) is left to the JSON editor.
/// Returns whether anything changed.
fn set_member(payload: &mut Option<Value>, path: &[&str], text: Option<String>) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    if text.is_none() && member(payload.as_ref(), path).is_none() {
        return false;
    }
    let mut object = match payload.get_or_insert_with(|| Value::Object(Map::new())) {
        Value::Object(object) => object,
        _ => return false,
    };
    for key in parents {
        let next = object
            .entry((*key).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        object = match next {
            Value::Object(inner) => inner,
            _ => return false,
        };
    }
    match text {
        Some(text) => {
            object.insert((*last).to_owned(), Value::String(text));
        }
        None => {
            object.remove(*last);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_are_written_into_the_payload_and_nested_objects_created() {
        let mut payload = None;
        assert!(set_member(
            &mut payload,
            &["Method"],
            Some("POST".to_owned())
        ));
        assert!(set_member(
            &mut payload,
            &["Authentication", "ConnectionArn"],
            Some("arn:aws:events:us-east-1:123456789012:connection/c/1".to_owned())
        ));
        assert_eq!(
            payload,
            Some(
                json!({"Method": "POST", "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"}})
            )
        );
        assert!(set_member(&mut payload, &["Method"], None));
        assert_eq!(member(payload.as_ref(), &["Method"]), None);
        let mut expression = Some(json!("{% $states.input.request %}"));
        assert!(!set_member(
            &mut expression,
            &["Method"],
            Some("GET".to_owned())
        ));
        assert_eq!(expression, Some(json!("{% $states.input.request %}")));
    }
}
