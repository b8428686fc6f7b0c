//! The data-flow view of one state execution, like the console's data flow simulator: the value
//! after each stage (InputPath, Parameters, result, ResultSelector, ResultPath, OutputPath; or
//! Arguments, Output, Assign), what each stage changed, and the variables in scope.

use std::collections::BTreeSet;

use egui::text::LayoutJob;
use egui::{Color32, FontId, TextFormat};
use graph_model::escape_pointer;
use serde_json::{Map, Value};
use simulator::StateTrace;

use crate::theme::Theme;

/// The console's name for a trace stage.
#[must_use]
pub fn stage_label(stage: &str) -> &'static str {
    match stage {
        "input" => "State input",
        "afterInputPath" => "After InputPath",
        "afterParameters" => "After Parameters",
        "arguments" => "Arguments",
        "result" => "Result",
        "afterResultSelector" => "After ResultSelector",
        "afterResultPath" => "After ResultPath",
        "output" => "State output (after OutputPath / Output)",
        "assign" => "Assign (variables set)",
        _ => "Stage",
    }
}

/// JSON pointers of what differs between `before` and `after`: members added, removed or changed,
/// as deep as both sides are objects or same-length arrays; `""` when the whole value changed.
#[must_use]
pub fn changed_pointers(before: &Value, after: &Value) -> BTreeSet<String> {
    let mut changed = BTreeSet::new();
    diff(before, after, String::new(), &mut changed);
    changed
}

fn diff(before: &Value, after: &Value, pointer: String, changed: &mut BTreeSet<String>) {
    match (before, after) {
        (Value::Object(left), Value::Object(right)) => {
            for (key, value) in right {
                let child = format!("{pointer}/{}", escape_pointer(key));
                match left.get(key) {
                    Some(old) => diff(old, value, child, changed),
                    None => {
                        changed.insert(child);
                    }
                }
            }
            for key in left.keys().filter(|key| !right.contains_key(*key)) {
                changed.insert(format!("{pointer}/{}", escape_pointer(key)));
            }
        }
        (Value::Array(left), Value::Array(right)) if left.len() == right.len() => {
            for (index, (old, new)) in left.iter().zip(right).enumerate() {
                diff(old, new, format!("{pointer}/{index}"), changed);
            }
        }
        _ if before == after => {}
        _ => {
            changed.insert(pointer);
        }
    }
}

/// Pretty-printed JSON, one entry per line with the pointer of the value the line belongs to.
#[must_use]
pub fn pretty_lines(value: &Value) -> Vec<(String, String)> {
    pretty_lines_upto(value, usize::MAX)
}

/// The first `limit` lines of [`pretty_lines`], made without printing the rest: a 10,000-item
/// result is about 50,000 lines, and the pane shows [`MAX_LINES`] of them every frame.
#[must_use]
pub fn pretty_lines_upto(value: &Value, limit: usize) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    write_value(value, "", 0, String::new(), &mut lines, "", limit);
    lines
}

/// How many lines [`pretty_lines`] would make of `value`, counted without making them.
#[must_use]
pub fn pretty_line_count(value: &Value) -> usize {
    match value {
        Value::Object(map) if !map.is_empty() => {
            2 + map.values().map(pretty_line_count).sum::<usize>()
        }
        Value::Array(items) if !items.is_empty() => {
            2 + items.iter().map(pretty_line_count).sum::<usize>()
        }
        _ => 1,
    }
}

fn write_value(
    value: &Value,
    prefix: &str,
    indent: usize,
    pointer: String,
    lines: &mut Vec<(String, String)>,
    suffix: &str,
    limit: usize,
) {
    if lines.len() >= limit {
        return;
    }
    let pad = "  ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            lines.push((format!("{pad}{prefix}{{"), pointer.clone()));
            let count = map.len();
            for (position, (key, child)) in map.iter().enumerate() {
                if lines.len() >= limit {
                    return;
                }
                let comma = if position + 1 < count { "," } else { "" };
                let key_text = serde_json::to_string(key).unwrap_or_default();
                let child_pointer = format!("{pointer}/{}", escape_pointer(key));
                write_value(
                    child,
                    &format!("{key_text}: "),
                    indent + 1,
                    child_pointer,
                    lines,
                    comma,
                    limit,
                );
            }
            if lines.len() < limit {
                lines.push((format!("{pad}}}{suffix}"), pointer));
            }
        }
        Value::Array(items) if !items.is_empty() => {
            lines.push((format!("{pad}{prefix}["), pointer.clone()));
            let count = items.len();
            for (index, child) in items.iter().enumerate() {
                if lines.len() >= limit {
                    return;
                }
                let comma = if index + 1 < count { "," } else { "" };
                write_value(
                    child,
                    "",
                    indent + 1,
                    format!("{pointer}/{index}"),
                    lines,
                    comma,
                    limit,
                );
            }
            if lines.len() < limit {
                lines.push((format!("{pad}]{suffix}"), pointer));
            }
        }
        scalar => {
            let text = serde_json::to_string(scalar).unwrap_or_default();
            lines.push((format!("{pad}{prefix}{text}{suffix}"), pointer));
        }
    }
}

/// Whether the line of `pointer` shows something in `changed` (the changed value itself or inside it).
fn is_changed(pointer: &str, changed: &BTreeSet<String>) -> bool {
    changed.iter().any(|root| {
        pointer == root
            || (pointer.starts_with(root.as_str()) && pointer[root.len()..].starts_with('/'))
    })
}

/// The size of the monospace font JSON values are drawn in.
pub const JSON_FONT_SIZE: f32 = 12.0;

/// Longest value text shown in full; bigger values are cut (the export has everything).
const MAX_LINES: usize = 400;

/// Draws `value` as JSON with the lines of `changed` highlighted.
pub fn json_ui(ui: &mut egui::Ui, value: &Value, changed: &BTreeSet<String>, highlight: Color32) {
    let lines = pretty_lines_upto(value, MAX_LINES);
    let font = FontId::monospace(JSON_FONT_SIZE);
    let text_color = ui.visuals().text_color();
    let plain = TextFormat::simple(font.clone(), text_color);
    // Unhighlighted lines go in one section (each section is shaped on its own, and a section per
    // line made a 400-line value cost a frame); a highlighted line keeps a section of its own
    // with its newline outside it, as before.
    let mut job = LayoutJob::default();
    let mut run = String::new();
    for (line, pointer) in &lines {
        if is_changed(pointer, changed) {
            if !run.is_empty() {
                job.append(&run, 0.0, plain.clone());
                run.clear();
            }
            let mut format = plain.clone();
            format.background = highlight;
            job.append(line, 0.0, format);
            run.push('\n');
        } else {
            run.push_str(line);
            run.push('\n');
        }
    }
    if !run.is_empty() {
        job.append(&run, 0.0, plain);
    }
    if lines.len() >= MAX_LINES {
        let more = pretty_line_count(value).saturating_sub(MAX_LINES);
        if more > 0 {
            job.append(
                &format!("… {more} more lines"),
                0.0,
                TextFormat::simple(font, ui.visuals().weak_text_color()),
            );
        }
    }
    // Lines keep their indentation and length: the caller scrolls sideways when they are wide.
    ui.add(egui::Label::new(job).wrap_mode(egui::TextWrapMode::Extend));
}

/// Draws the data flow of `entry` with the `variables` in scope when it started.
pub fn dataflow_ui(
    ui: &mut egui::Ui,
    entry: &StateTrace,
    variables: &Map<String, Value>,
    theme: &Theme,
) {
    ui.horizontal(|ui| {
        ui.strong(format!("Data flow of {}", entry.state));
        if !entry.scope.is_empty() {
            ui.weak(format!("in {}", entry.scope.trim_end_matches('/')));
        }
        if let Some(error) = &entry.error {
            ui.colored_label(theme.error, format!("raised {error}"));
        }
    });
    let highlight = theme.selection_fill;
    let mut previous: Option<&Value> = None;
    for stage in &entry.stages {
        let changed = match (previous, stage.stage) {
            // Assign does not change the state's data; it is shown whole.
            (_, "assign") | (None, _) => BTreeSet::new(),
            (Some(before), _) => changed_pointers(before, &stage.value),
        };
        let verdict = match (previous, stage.stage) {
            (None, _) | (_, "assign") => String::new(),
            (Some(_), _) if changed.is_empty() => " (no change)".to_owned(),
            (Some(_), _) if changed.contains("") => " (replaced)".to_owned(),
            (Some(_), _) => format!(
                " (changed: {})",
                changed
                    .iter()
                    .take(6)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        egui::CollapsingHeader::new(format!("{}{verdict}", stage_label(stage.stage)))
            .id_salt((entry.entered_event_id, stage.stage))
            .default_open(true)
            .show(ui, |ui| json_ui(ui, &stage.value, &changed, highlight));
        if stage.stage != "assign" {
            previous = Some(&stage.value);
        }
    }
    egui::CollapsingHeader::new(format!("Variables in scope ({})", variables.len()))
        .id_salt((entry.entered_event_id, "variables"))
        .default_open(!variables.is_empty())
        .show(ui, |ui| {
            if variables.is_empty() {
                ui.weak("No variables are set when this state starts.");
            } else {
                json_ui(
                    ui,
                    &Value::Object(variables.clone()),
                    &BTreeSet::new(),
                    highlight,
                );
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_names_what_a_result_path_added() {
        let before = json!({"download": {"bucket": "b"}, "keep": [1, 2]});
        let after = json!({"download": {"bucket": "b"}, "keep": [1, 3], "transform": {"ok": true}});
        let changed = changed_pointers(&before, &after);
        assert_eq!(
            changed.into_iter().collect::<Vec<_>>(),
            vec!["/keep/1".to_owned(), "/transform".to_owned()]
        );
        assert!(changed_pointers(&json!(1), &json!("x")).contains(""));
    }

    #[test]
    fn a_big_value_is_printed_only_as_far_as_shown_and_its_rest_counted() {
        // The shape of map10k's results: a Map's output of many small objects.
        let items: Vec<Value> = (0..2_000)
            .map(|id| json!({"id": id, "v": id % 100, "band": if id % 100 < 50 { "low" } else { "high" }, "empty": {}, "list": []}))
            .collect();
        let value = json!({"results": items, "done": true});
        let all = pretty_lines(&value);
        assert_eq!(pretty_line_count(&value), all.len());
        for limit in [0, 1, 7, MAX_LINES, all.len(), all.len() + 5] {
            let some = pretty_lines_upto(&value, limit);
            assert_eq!(some.len(), limit.min(all.len()), "limit {limit}");
            assert_eq!(some[..], all[..some.len()], "limit {limit}");
        }
        assert_eq!(pretty_line_count(&json!([])), 1);
        assert_eq!(
            pretty_line_count(&json!({"a": [1, 2]})),
            pretty_lines(&json!({"a": [1, 2]})).len()
        );
    }

    #[test]
    fn pretty_lines_carry_pointers() {
        let lines = pretty_lines(&json!({"a/b": [1, {"c": null}]}));
        let texts: Vec<&str> = lines.iter().map(|(text, _)| text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "{",
                "  \"a/b\": [",
                "    1,",
                "    {",
                "      \"c\": null",
                "    }",
                "  ]",
                "}"
            ]
        );
        assert_eq!(lines[4].1, "/a~1b/1/c");
        assert!(is_changed(
            "/a~1b/1/c",
            &BTreeSet::from(["/a~1b".to_owned()])
        ));
        assert!(!is_changed("/a~1bc", &BTreeSet::from(["/a~1b".to_owned()])));
    }
}
