//! The Distributed Map's settings as form fields rather than raw JSON: the `Path` forms of the
//! limits (JSONPath), ItemReader's ReaderConfig (InputType, the CSV header location, headers and
//! delimiter, MaxItems, ManifestType, ItemsPointer) and ResultWriter's WriterConfig (OutputType,
//! Transformation), with the values of AWS's ItemReader and ResultWriter reference.

use graph_model::{MapState, NumberOr};
use serde_json::{Map, Value};

use super::{At, Form};

/// `(member, choices)` of the enumerated ReaderConfig members.
const READER_CHOICES: [(&str, &[&str]); 4] = [
    (
        "InputType",
        &["CSV", "JSON", "JSONL", "PARQUET", "MANIFEST"],
    ),
    ("CSVHeaderLocation", &["FIRST_ROW", "GIVEN"]),
    (
        "CSVDelimiter",
        &["COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"],
    ),
    ("ManifestType", &["ATHENA_DATA", "S3_INVENTORY"]),
];

/// `(member, choices)` of WriterConfig.
const WRITER_CHOICES: [(&str, &[&str]); 2] = [
    ("OutputType", &["JSON", "JSONL"]),
    ("Transformation", &["NONE", "COMPACT", "FLATTEN"]),
];

/// The Distributed Map fields; returns whether one changed. Shown before the raw JSON editors of
/// ItemReader and ResultWriter, so that a diagnostic of a config member shows at its field.
pub(super) fn distributed_map_editor(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    jsonata: bool,
    out: &mut MapState,
) -> bool {
    let top = At::TOP;
    let mut changed = false;
    if !jsonata {
        changed |= form.member(ui, top, "MaxConcurrencyPath", &mut out.max_concurrency_path);
        changed |= form.member(
            ui,
            top,
            "ToleratedFailurePercentagePath",
            &mut out.tolerated_failure_percentage_path,
        );
        changed |= form.member(
            ui,
            top,
            "ToleratedFailureCountPath",
            &mut out.tolerated_failure_count_path,
        );
    }
    ui.strong("ItemReader ReaderConfig");
    let reader = At {
        label: "ReaderConfig",
        pointer: "/ItemReader/ReaderConfig",
    };
    for (member, choices) in READER_CHOICES {
        changed |= choice(
            ui,
            reader,
            member,
            choices,
            &mut out.item_reader,
            "ReaderConfig",
        );
    }
    let headers = config_member(out.item_reader.as_ref(), "ReaderConfig", "CSVHeaders")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        });
    if let Some(text) = form.optional_text(
        ui,
        &reader.label("CSVHeaders"),
        &reader.field("CSVHeaders"),
        headers.as_deref(),
    ) {
        let value = text.map(|t| {
            Value::Array(
                t.split(',')
                    .map(|h| Value::String(h.trim().to_owned()))
                    .filter(|h| h.as_str().is_some_and(|s| !s.is_empty()))
                    .collect(),
            )
        });
        set_config_member(&mut out.item_reader, "ReaderConfig", "CSVHeaders", value);
        changed = true;
    }
    let max_items =
        config_member(out.item_reader.as_ref(), "ReaderConfig", "MaxItems").and_then(|value| {
            match value {
                Value::Number(n) => Some(NumberOr::Number(n.clone())),
                Value::String(s) => Some(NumberOr::Expr(s.clone())),
                _ => None,
            }
        });
    if let Some(number) = form.number(
        ui,
        &reader.label("MaxItems"),
        &reader.field("MaxItems"),
        max_items.as_ref(),
    ) {
        let value = number.map(|n| match n {
            NumberOr::Number(n) => Value::Number(n),
            NumberOr::Expr(e) => Value::String(e),
        });
        set_config_member(&mut out.item_reader, "ReaderConfig", "MaxItems", value);
        changed = true;
    }
    let text_members: &[&str] = if jsonata {
        &["ItemsPointer"]
    } else {
        &["MaxItemsPath", "ItemsPointer"]
    };
    for member in text_members {
        let current =
            config_member(out.item_reader.as_ref(), "ReaderConfig", member).and_then(Value::as_str);
        if let Some(text) =
            form.optional_text(ui, &reader.label(member), &reader.field(member), current)
        {
            set_config_member(
                &mut out.item_reader,
                "ReaderConfig",
                member,
                text.map(Value::String),
            );
            changed = true;
        }
    }
    ui.strong("ResultWriter WriterConfig");
    let writer = At {
        label: "WriterConfig",
        pointer: "/ResultWriter/WriterConfig",
    };
    for (member, choices) in WRITER_CHOICES {
        changed |= choice(
            ui,
            writer,
            member,
            choices,
            &mut out.result_writer,
            "WriterConfig",
        );
    }
    changed
}

/// A combo box for an enumerated config member; "(not set)" removes it.
fn choice(
    ui: &mut egui::Ui,
    at: At<'_>,
    member: &str,
    choices: &[&str],
    root: &mut Option<Value>,
    config: &str,
) -> bool {
    let current = config_member(root.as_ref(), config, member)
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut picked = current.clone();
    egui::ComboBox::new((config, member), at.label(member))
        .selected_text(picked.as_deref().unwrap_or("(not set)"))
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut picked, None, "(not set)");
            for value in choices {
                ui.selectable_value(&mut picked, Some((*value).to_owned()), *value);
            }
        });
    if picked == current {
        return false;
    }
    set_config_member(root, config, member, picked.map(Value::String));
    true
}

/// `root.<config>.<member>`.
fn config_member<'v>(root: Option<&'v Value>, config: &str, member: &str) -> Option<&'v Value> {
    root?.get(config)?.get(member)
}

/// Sets (or with `None` removes) `root.<config>.<member>`, creating the objects on the way and
/// dropping a config (and a root) left empty. A root or config that is not an object (a
/// placeholder, say) is left alone: the raw JSON editor is the place to change it.
fn set_config_member(root: &mut Option<Value>, config: &str, member: &str, value: Option<Value>) {
    if value.is_none() && config_member(root.as_ref(), config, member).is_none() {
        return;
    }
    let object = root.get_or_insert_with(|| Value::Object(Map::new()));
    let Some(object) = object.as_object_mut() else {
        return;
    };
    let settings = object
        .entry(config.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(settings) = settings.as_object_mut() else {
        return;
    };
    match value {
        Some(value) => {
            settings.insert(member.to_owned(), value);
        }
        None => {
            settings.remove(member);
        }
    }
    if settings.is_empty() {
        object.remove(config);
    }
    if object.is_empty() {
        *root = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn config_members_are_set_and_removed_without_leaving_empty_objects() {
        let mut reader = None;
        set_config_member(&mut reader, "ReaderConfig", "InputType", Some(json!("CSV")));
        assert_eq!(reader, Some(json!({"ReaderConfig": {"InputType": "CSV"}})));
        set_config_member(&mut reader, "ReaderConfig", "InputType", None);
        assert_eq!(reader, None);
        let mut writer = Some(json!({"Resource": "arn:aws:states:::s3:putObject"}));
        set_config_member(
            &mut writer,
            "WriterConfig",
            "OutputType",
            Some(json!("JSONL")),
        );
        assert_eq!(
            writer,
            Some(
                json!({"Resource": "arn:aws:states:::s3:putObject", "WriterConfig": {"OutputType": "JSONL"}})
            )
        );
        set_config_member(&mut writer, "WriterConfig", "OutputType", None);
        assert_eq!(
            writer,
            Some(json!({"Resource": "arn:aws:states:::s3:putObject"}))
        );
        let mut placeholder = Some(json!("${Reader}"));
        set_config_member(
            &mut placeholder,
            "ReaderConfig",
            "InputType",
            Some(json!("CSV")),
        );
        assert_eq!(placeholder, Some(json!("${Reader}")));
    }
}
