//! Writing JSON text: the canonical layout, and the format-preserving writer that reuses the
//! original bytes of every unchanged subtree.

use std::collections::HashMap;

use serde_json::Value;

use crate::span::{SpanKind, SpanNode, SpanView};

/// The whitespace conventions of a JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    /// One level of indentation (`"  "`, `"    "`, `"\t"`).
    pub indent_unit: String,
    /// The line ending (`"\n"` or `"\r\n"`).
    pub newline: String,
    /// What goes between a key and its value (`": "`, `":"`, `" : "`).
    pub colon: String,
}

impl Style {
    /// The canonical style: 2 spaces, LF, `"key": value`.
    pub fn canonical() -> Self {
        Self {
            indent_unit: "  ".to_owned(),
            newline: "\n".to_owned(),
            colon: ": ".to_owned(),
        }
    }

    /// Detects the style of `text` from its line endings, its smallest indentation step and the
    /// separator after its first key.
    pub fn detect(text: &str, spans: impl SpanView) -> Self {
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let mut smallest: Option<&str> = None;
        for line in text.lines().skip(1) {
            let content = line.trim_start_matches([' ', '\t']);
            if content.is_empty() {
                continue;
            }
            let indent = &line[..line.len() - content.len()];
            if indent.is_empty() {
                continue;
            }
            // Mixed indents: prefer the first kind seen, measure only that kind.
            let kind = indent.as_bytes()[0];
            if !indent.bytes().all(|b| b == kind) {
                continue;
            }
            match smallest {
                Some(current) if current.as_bytes()[0] == kind && current.len() <= indent.len() => {
                }
                Some(current) if current.as_bytes()[0] != kind => {}
                _ => smallest = Some(indent),
            }
        }
        let colon = first_colon(text, spans).unwrap_or(": ");
        Self {
            indent_unit: smallest.unwrap_or("  ").to_owned(),
            newline: newline.to_owned(),
            colon: colon.to_owned(),
        }
    }
}

fn first_colon<V: SpanView>(text: &str, node: V) -> Option<&str> {
    match node.kind() {
        SpanKind::Leaf => None,
        SpanKind::Array => node
            .child_list()
            .into_iter()
            .find_map(|item| first_colon(text, item)),
        SpanKind::Object => node.child_list().first().and_then(|member| {
            let key = member.key()?;
            text.get(key.end..member.value().start)
        }),
    }
}

/// Writes `value` as JSON in the canonical layout: 2-space indent, one member or element per
/// line (as `JSON.stringify(value, null, 2)`), `{}` and `[]` for empty containers, LF and a
/// final newline.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    let style = Style::canonical();
    write_fresh::<&SpanNode>(&mut out, value, None, "", &style, false);
    out.push('\n');
    out
}

/// Like [`canonical_json`], but scalars keep their original spelling (`1e3`, `"\u00e9"`) taken from
/// `text` through `spans`, so formatting changes only whitespace.
pub fn canonical_json_keeping_scalars(text: &str, spans: impl SpanView, value: &Value) -> String {
    let mut out = String::new();
    let style = Style::canonical();
    write_fresh(&mut out, value, Some((text, spans)), "", &style, false);
    out.push('\n');
    out
}

fn push_string(out: &mut String, text: &str) {
    // serde_json's string escaping cannot fail for a str.
    out.push_str(&serde_json::to_string(text).unwrap_or_else(|_| String::from("\"\"")));
}

fn push_scalar(out: &mut String, value: &Value) {
    match value {
        Value::String(text) => push_string(out, text),
        other => out.push_str(&other.to_string()),
    }
}

fn is_empty_container(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// The members of an object (with keys) or the elements of an array (without), in order.
fn members(value: &Value) -> impl Iterator<Item = (Option<&str>, &Value)> {
    let (object, array) = match value {
        Value::Object(map) => (Some(map), None),
        Value::Array(items) => (None, Some(items)),
        _ => (None, None),
    };
    let object = object
        .into_iter()
        .flatten()
        .map(|(key, member)| (Some(key.as_str()), member));
    let array = array.into_iter().flatten().map(|item| (None, item));
    object.chain(array)
}

/// Writes `value` laid out in `style`, its first line continuing the current one, its later lines
/// indented from `indent`. `source` supplies original spellings of scalars; `inline` keeps
/// everything on one line (used inside a container that was written on one line).
fn write_fresh<V: SpanView>(
    out: &mut String,
    value: &Value,
    source: Option<(&str, V)>,
    indent: &str,
    style: &Style,
    inline: bool,
) {
    match value {
        Value::Object(_) | Value::Array(_) if !is_empty_container(value) => {
            let (open, close, kind, count) = match value {
                Value::Object(map) => ('{', '}', SpanKind::Object, map.len()),
                Value::Array(items) => ('[', ']', SpanKind::Array, items.len()),
                _ => unreachable!("matched as a container"),
            };
            out.push(open);
            let inner = format!("{indent}{}", style.indent_unit);
            let children = source.and_then(|(text, node)| {
                let kids = node.child_list();
                (node.kind() == kind && kids.len() == count).then_some((text, kids))
            });
            for (i, (key, member)) in members(value).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if inline {
                    if i > 0 {
                        out.push(' ');
                    }
                } else {
                    out.push_str(&style.newline);
                    out.push_str(&inner);
                }
                if let Some(key) = key {
                    push_string(out, key);
                    out.push_str(&style.colon);
                }
                let child = children
                    .as_ref()
                    .and_then(|(text, kids)| kids.get(i).map(|&k| (*text, k)));
                write_fresh(out, member, child, &inner, style, inline);
            }
            if !inline {
                out.push_str(&style.newline);
                out.push_str(indent);
            }
            out.push(close);
        }
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
        scalar => match source {
            Some((text, node)) if node.kind() == SpanKind::Leaf => {
                match text.get(node.value().start..node.value().end) {
                    Some(original) => out.push_str(original),
                    None => push_scalar(out, scalar),
                }
            }
            _ => push_scalar(out, scalar),
        },
    }
}

/// The format-preserving writer: original text, its spans, the value it parsed to, and its style.
pub struct PreservingWriter<'a> {
    text: &'a str,
    style: Style,
}

impl<'a> PreservingWriter<'a> {
    /// A writer over `text` whose root value is described by `spans`.
    pub fn new(text: &'a str, spans: impl SpanView) -> Self {
        Self {
            text,
            style: Style::detect(text, spans),
        }
    }

    /// Writes `new` reusing the bytes of `old` (the value `spans` describes) wherever a subtree is
    /// unchanged; the text before and after the root value is kept as it was.
    pub fn write(&self, spans: impl SpanView, old: &Value, new: &Value) -> String {
        let root = spans.value();
        let mut out = String::with_capacity(self.text.len() + 64);
        out.push_str(self.slice(0, root.start));
        let inline = !self.slice(root.start, root.end).contains('\n') && root.end > root.start + 2;
        self.emit(&mut out, spans, old, new, inline);
        out.push_str(self.text.get(root.end..).unwrap_or(""));
        out
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    /// The indentation of the line that contains byte `offset`.
    fn line_indent(&self, offset: usize) -> &'a str {
        let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line = &self.text[line_start..];
        let content = line.trim_start_matches([' ', '\t']);
        &line[..line.len() - content.len()]
    }

    /// The whitespace before a container's closing bracket (which sits at `close_end - 1`).
    fn trail(&self, last_value_end: usize, close_end: usize) -> &'a str {
        let between = self.slice(last_value_end, close_end.saturating_sub(1));
        &between[between.trim_end().len()..]
    }

    fn emit<V: SpanView>(&self, out: &mut String, node: V, old: &Value, new: &Value, inline: bool) {
        let span = node.value();
        if old == new {
            out.push_str(self.slice(span.start, span.end));
            return;
        }
        let kids = match node.kind() {
            SpanKind::Leaf => Vec::new(),
            SpanKind::Array | SpanKind::Object => node.child_list(),
        };
        match (old, new, node.kind()) {
            (Value::Object(old_map), Value::Object(new_map), SpanKind::Object)
                if !kids.is_empty() && !new_map.is_empty() && kids.len() == old_map.len() =>
            {
                // The spans' members are the old value's members, in order.
                let kids: Vec<(&str, V)> = old_map.keys().map(String::as_str).zip(kids).collect();
                self.emit_object(out, span.end, &kids, old_map, new_map);
            }
            (Value::Array(old_items), Value::Array(new_items), SpanKind::Array)
                if !kids.is_empty() && !new_items.is_empty() =>
            {
                self.emit_array(out, span.end, &kids, old_items, new_items);
            }
            _ => {
                let indent = self.line_indent(span.start);
                write_fresh::<V>(out, new, None, indent, &self.style, inline);
            }
        }
    }

    fn emit_object<V: SpanView>(
        &self,
        out: &mut String,
        node_end: usize,
        kids: &[(&str, V)],
        old_map: &serde_json::Map<String, Value>,
        new_map: &serde_json::Map<String, Value>,
    ) {
        let by_key: HashMap<&str, usize> = kids
            .iter()
            .enumerate()
            .map(|(i, (key, _))| (*key, i))
            .collect();
        let mut used = vec![false; kids.len()];
        let mut pairing: Vec<Option<usize>> = vec![None; new_map.len()];
        for (j, key) in new_map.keys().enumerate() {
            if let Some(&i) = by_key.get(key.as_str()) {
                pairing[j] = Some(i);
                used[i] = true;
            }
        }
        // A renamed member keeps its place: pair it with the vanished old member at the same
        // position, or else with a vanished member holding an equal value.
        for (j, value) in new_map.values().enumerate() {
            if pairing[j].is_some() {
                continue;
            }
            let candidate = (j < kids.len() && !used[j] && !new_map.contains_key(kids[j].0))
                .then_some(j)
                .or_else(|| {
                    (0..kids.len()).find(|&i| {
                        !used[i]
                            && !new_map.contains_key(kids[i].0)
                            && old_map.get(kids[i].0) == Some(value)
                    })
                });
            if let Some(i) = candidate {
                pairing[j] = Some(i);
                used[i] = true;
            }
        }
        let first_node = kids[0].1;
        let default_colon = match first_node.key() {
            Some(key) => self.slice(key.end, first_node.value().start),
            None => self.style.colon.as_str(),
        };
        let mut previous_lead = self.slice(
            first_node.lead_start(),
            first_node
                .key()
                .map_or(first_node.value().start, |k| k.start),
        );
        out.push('{');
        for (j, (key, value)) in new_map.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            match pairing[j] {
                Some(i) => {
                    let (old_key, kid) = kids[i];
                    let key_span = kid.key().unwrap_or(kid.value());
                    let lead = self.slice(kid.lead_start(), key_span.start);
                    out.push_str(lead);
                    previous_lead = lead;
                    if old_key == key {
                        out.push_str(self.slice(key_span.start, key_span.end));
                    } else {
                        push_string(out, key);
                    }
                    out.push_str(self.slice(key_span.end, kid.value().start));
                    match old_map.get(old_key) {
                        Some(old_value) => {
                            self.emit(out, kid, old_value, value, !lead.contains('\n'))
                        }
                        None => self.write_new_member(out, previous_lead, value),
                    }
                }
                None => {
                    out.push_str(previous_lead);
                    push_string(out, key);
                    out.push_str(default_colon);
                    self.write_new_member(out, previous_lead, value);
                }
            }
        }
        let last = kids[kids.len() - 1].1;
        out.push_str(self.trail(last.value().end, node_end));
        out.push('}');
    }

    fn write_new_member(&self, out: &mut String, lead: &str, value: &Value) {
        match lead.rfind('\n') {
            Some(newline) => {
                let indent = &lead[newline + 1..];
                write_fresh::<&SpanNode>(out, value, None, indent, &self.style, false);
            }
            None => write_fresh::<&SpanNode>(out, value, None, "", &self.style, true),
        }
    }

    fn emit_array<V: SpanView>(
        &self,
        out: &mut String,
        node_end: usize,
        kids: &[V],
        old_items: &[Value],
        new_items: &[Value],
    ) {
        let mut previous_lead = self.slice(kids[0].lead_start(), kids[0].value().start);
        out.push('[');
        for (j, value) in new_items.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            match (kids.get(j), old_items.get(j)) {
                (Some(&kid), Some(old_value)) => {
                    let lead = self.slice(kid.lead_start(), kid.value().start);
                    out.push_str(lead);
                    previous_lead = lead;
                    self.emit(out, kid, old_value, value, !lead.contains('\n'));
                }
                _ => {
                    out.push_str(previous_lead);
                    self.write_new_member(out, previous_lead, value);
                }
            }
        }
        let last = kids[kids.len() - 1];
        out.push_str(self.trail(last.value().end, node_end));
        out.push(']');
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::{Format, SourceFile, SyntaxError};

    const MACHINE: &str = "{\r\n    \"StartAt\": \"First\",\r\n    \"States\": {\r\n        \"First\": {\"Type\": \"Pass\", \"Next\": \"Second\"},\r\n        \"Second\": {\r\n            \"Type\": \"Wait\",\r\n            \"Seconds\": 1e1,\r\n            \"End\": true\r\n        }\r\n    }\r\n}\r\n";

    fn changed_lines(before: &str, after: &str) -> Vec<(usize, String)> {
        let before: Vec<&str> = before.lines().collect();
        let after: Vec<&str> = after.lines().collect();
        assert_eq!(
            before.len(),
            after.len(),
            "line count changed:\n{}",
            after.join("\n")
        );
        before
            .iter()
            .zip(&after)
            .enumerate()
            .filter(|(_, (b, a))| b != a)
            .map(|(i, (_, a))| (i + 1, (*a).to_owned()))
            .collect()
    }

    #[test]
    fn rename_changes_only_the_lines_with_the_name() -> Result<(), SyntaxError> {
        let source = SourceFile::parse(MACHINE, Format::Json)?;
        let text = serde_json::to_string(source.value())
            .unwrap_or_default()
            .replace("\"First\"", "\"Start here\"");
        let renamed: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let written = source.write_preserving(&renamed);
        assert_eq!(
            changed_lines(MACHINE, &written),
            vec![
                (2, "    \"StartAt\": \"Start here\",".to_owned()),
                (
                    4,
                    "        \"Start here\": {\"Type\": \"Pass\", \"Next\": \"Second\"},"
                        .to_owned()
                ),
            ]
        );
        assert!(
            written.contains("1e1"),
            "untouched numbers keep their spelling"
        );
        Ok(())
    }

    #[test]
    fn added_members_follow_the_file_style() -> Result<(), SyntaxError> {
        let source = SourceFile::parse(MACHINE, Format::Json)?;
        let mut value = source.value().clone();
        value["States"]["Second"]["Comment"] = json!({"why": ["a", "b"]});
        value["States"]["First"]["Result"] = json!(1);
        let written = source.write_preserving(&value);
        let expected = "{\r\n    \"StartAt\": \"First\",\r\n    \"States\": {\r\n        \"First\": {\"Type\": \"Pass\", \"Next\": \"Second\", \"Result\": 1},\r\n        \"Second\": {\r\n            \"Type\": \"Wait\",\r\n            \"Seconds\": 1e1,\r\n            \"End\": true,\r\n            \"Comment\": {\r\n                \"why\": [\r\n                    \"a\",\r\n                    \"b\"\r\n                ]\r\n            }\r\n        }\r\n    }\r\n}\r\n";
        assert_eq!(written, expected);
        let reparsed = SourceFile::parse(written, Format::Json)?;
        assert_eq!(reparsed.value(), &value);
        Ok(())
    }

    #[test]
    fn removing_members_and_emptying_containers() -> Result<(), SyntaxError> {
        let source = SourceFile::parse(MACHINE, Format::Json)?;
        let mut value = source.value().clone();
        if let Some(states) = value["States"].as_object_mut() {
            states.shift_remove("First");
        }
        value["StartAt"] = json!("Second");
        value["Extra"] = json!({});
        let written = source.write_preserving(&value);
        assert_eq!(
            SourceFile::parse(written.as_str(), Format::Json)?.value(),
            &value
        );
        assert!(!written.contains("First"));
        Ok(())
    }

    #[test]
    fn unedited_is_byte_identical_and_canonical_is_idempotent() -> Result<(), SyntaxError> {
        let source = SourceFile::parse(MACHINE, Format::Json)?;
        assert_eq!(source.write_preserving(source.value()), MACHINE);
        let once = source.format_canonical();
        assert!(once.starts_with("{\n  \"StartAt\": \"First\",\n"));
        assert!(once.contains("\"Seconds\": 1e1,"));
        let twice = SourceFile::parse(once.as_str(), Format::Json)?.format_canonical();
        assert_eq!(once, twice);
        assert_eq!(
            super::canonical_json(&json!({"a": [], "b": {}, "c": [1]})),
            "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    1\n  ]\n}\n"
        );
        Ok(())
    }
}
