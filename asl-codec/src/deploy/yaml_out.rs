//! A block-style YAML writer with comments, for exported templates: `yaml_serde` writes no
//! comments, and the role's `*` resources must say why. Every string that YAML could read as
//! something else (a number, a boolean, a date, an indicator) is written double-quoted, with
//! JSON's escapes, which YAML's double-quoted style shares.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::span::escape_segment;

/// Comments to write before the member or item at a JSON pointer, one line each.
pub type Comments = HashMap<String, Vec<String>>;

/// Writes `value` (an object) as a YAML document, with `header` comment lines first.
pub fn write(value: &Value, header: &[String], comments: &Comments) -> String {
    let mut out = String::new();
    for line in header {
        comment(&mut out, 0, line);
    }
    match value {
        Value::Object(map) if !map.is_empty() => {
            mapping(&mut out, map, 0, "", comments, false);
        }
        other => {
            out.push_str(&scalar_or_empty(other));
            out.push('\n');
        }
    }
    out
}

fn comment(out: &mut String, indent: usize, text: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "{:indent$}# {}", "", line.trim_end());
    }
}

fn comments_at(out: &mut String, indent: usize, pointer: &str, comments: &Comments) {
    if let Some(lines) = comments.get(pointer) {
        for line in lines {
            comment(out, indent, line);
        }
    }
}

/// Whether a value is written on its key's line.
fn inline(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => true,
    }
}

fn mapping(
    out: &mut String,
    map: &serde_json::Map<String, Value>,
    indent: usize,
    pointer: &str,
    comments: &Comments,
    after_dash: bool,
) {
    for (index, (key, value)) in map.iter().enumerate() {
        let child = format!("{pointer}/{}", escape_segment(key));
        // The first key of a sequence item shares the `- ` line; its comments went above it.
        if index > 0 || !after_dash {
            comments_at(out, indent, &child, comments);
            let _ = write!(out, "{:indent$}", "");
        }
        out.push_str(&string(key));
        out.push(':');
        if inline(value) {
            out.push(' ');
            out.push_str(&scalar_or_empty(value));
            out.push('\n');
        } else {
            out.push('\n');
            block(out, value, indent + 2, &child, comments);
        }
    }
}

fn block(out: &mut String, value: &Value, indent: usize, pointer: &str, comments: &Comments) {
    match value {
        Value::Object(map) => mapping(out, map, indent, pointer, comments, false),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let child = format!("{pointer}/{index}");
                comments_at(out, indent, &child, comments);
                // Comments of an item's first key belong above the dash too.
                if let Value::Object(map) = item
                    && let Some(key) = map.keys().next()
                {
                    comments_at(
                        out,
                        indent,
                        &format!("{child}/{}", escape_segment(key)),
                        comments,
                    );
                }
                let _ = write!(out, "{:indent$}-", "");
                if !inline(item) && !item.is_object() {
                    out.push('\n');
                    block(out, item, indent + 2, &child, comments);
                    continue;
                }
                out.push(' ');
                if inline(item) {
                    out.push_str(&scalar_or_empty(item));
                    out.push('\n');
                } else if let Value::Object(map) = item {
                    mapping(out, map, indent + 2, &child, comments, true);
                }
            }
        }
        other => {
            let _ = writeln!(out, "{:indent$}{}", "", scalar_or_empty(other));
        }
    }
}

fn scalar_or_empty(value: &Value) -> String {
    match value {
        Value::Object(_) => "{}".to_owned(),
        Value::Array(_) => "[]".to_owned(),
        Value::String(text) => string(text),
        other => other.to_string(),
    }
}

/// A string plain when YAML reads it back as the same string, else double-quoted.
pub fn string(text: &str) -> String {
    if plain_is_safe(text) {
        text.to_owned()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
    }
}

fn plain_is_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if !first.is_ascii_alphabetic() && first != '_' && first != '/' {
        return false;
    }
    if text.ends_with([' ', ':']) || text.contains(": ") || text.contains(" #") {
        return false;
    }
    let allowed = text.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(c, '_' | '.' | '/' | '-' | ':' | ' ' | '(' | ')' | ',')
    });
    // YAML 1.1 readers (cfn-lint's among them) take these words for booleans or null.
    let reserved = matches!(
        text.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "nan" | "inf"
    );
    allowed && !reserved
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_yaml_would_misread_are_quoted() {
        assert_eq!(string("2010-09-09"), "\"2010-09-09\"");
        assert_eq!(string("yes"), "\"yes\"");
        assert_eq!(string("123"), "\"123\"");
        assert_eq!(string("a: b"), "\"a: b\"");
        assert_eq!(string("$.x"), "\"$.x\"");
        assert_eq!(
            string("AWS::Serverless-2016-10-31"),
            "AWS::Serverless-2016-10-31"
        );
        assert_eq!(string("rate(5 minutes)"), "rate(5 minutes)");
    }

    #[test]
    fn written_yaml_reads_back_as_the_same_value_with_comments_in_place() {
        let value = json!({
            "A": {"List": [{"X": 1, "Y": ["p", "q"]}, "s", [], {}], "B": null, "C": "true"},
            "D": [["nested"]],
        });
        let mut comments = Comments::new();
        comments.insert("/A/List/0/X".into(), vec!["why X".into()]);
        comments.insert("/A/B".into(), vec!["why B".into()]);
        let text = write(&value, &["header".into()], &comments);
        assert!(text.starts_with("# header\n"), "{text}");
        assert!(text.contains("# why X\n"), "{text}");
        assert!(text.contains("  # why B\n  B: null"), "{text}");
        assert!(!text.contains(" \n"), "no trailing spaces: {text}");
        let back = crate::yaml::parse(&text, 1 << 20);
        assert_eq!(back.ok(), Some(value), "{text}");
    }
}
