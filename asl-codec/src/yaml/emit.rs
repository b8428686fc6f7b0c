//! Fresh YAML text for values that have no original text: block style, two-space steps by
//! default, scalars quoted only when plain text would read back as something else. Number
//! literals can be taken from a source (JSON text) so that they are written as they were.

use saphyr_parser::ScalarStyle;
use serde_json::Value;

use super::tree::{Plain, classify_plain};
use crate::span::{SpanKind, SpanRef};

/// How fresh text is laid out.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Spaces per nesting level.
    pub step: usize,
    /// Line ending.
    pub newline: &'static str,
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            step: 2,
            newline: "\n",
        }
    }
}

/// Original spellings of number literals, for a value parsed from JSON text.
#[derive(Clone, Copy)]
pub struct Literals<'a> {
    text: &'a str,
    node: SpanRef<'a>,
}

impl<'a> Literals<'a> {
    /// Literals from JSON `text` whose value `node` describes.
    pub fn new(text: &'a str, node: SpanRef<'a>) -> Self {
        Self { text, node }
    }

    /// The children's literals, or none when they do not line up with `count` members (a
    /// repeated JSON key).
    fn children(self, count: usize) -> Option<Vec<Literals<'a>>> {
        let children: Vec<Literals<'a>> = self
            .node
            .children()
            .map(|node| Literals {
                text: self.text,
                node,
            })
            .collect();
        (children.len() == count).then_some(children)
    }

    fn number(self) -> Option<&'a str> {
        if self.node.kind() != SpanKind::Leaf {
            return None;
        }
        let span = self.node.value();
        let literal = self.text.get(span.start..span.end)?;
        (classify_plain(literal) == Plain::Number).then_some(literal)
    }
}

/// A document holding `value` in block style, ending with a newline.
pub fn document(value: &Value, literals: Option<Literals<'_>>, layout: &Layout) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => block(&mut out, value, literals, 0, layout),
        Value::Array(items) if !items.is_empty() => block(&mut out, value, literals, 0, layout),
        _ => out.push_str(&flow(value, literals)),
    }
    out.push_str(layout.newline);
    out
}

/// Text that follows `key:` or `-` for `value`, whose block content (if any) goes at `column`.
pub fn after_indicator(
    value: &Value,
    literals: Option<Literals<'_>>,
    column: usize,
    layout: &Layout,
    after_dash: bool,
) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() && after_dash => {
            // `- key: value` with the other members under the first.
            out.push(' ');
            block(&mut out, value, literals, column, layout);
        }
        Value::Object(map) if !map.is_empty() => {
            out.push_str(layout.newline);
            out.push_str(&" ".repeat(column));
            block(&mut out, value, literals, column, layout);
        }
        Value::Array(items) if !items.is_empty() => {
            if after_dash {
                out.push(' ');
            } else {
                out.push_str(layout.newline);
                out.push_str(&" ".repeat(column));
            }
            block(&mut out, value, literals, column, layout);
        }
        _ => {
            out.push(' ');
            out.push_str(&flow(value, literals));
        }
    }
    out
}

/// A non-empty collection in block style: its first line continues the current one, the others
/// start at `column`.
pub fn block(
    out: &mut String,
    value: &Value,
    literals: Option<Literals<'_>>,
    column: usize,
    layout: &Layout,
) {
    let count = match value {
        Value::Object(map) => map.len(),
        Value::Array(items) => items.len(),
        _ => 0,
    };
    let children = literals.and_then(|l| l.children(count));
    let child = |i: usize| children.as_ref().and_then(|c| c.get(i).copied());
    let indent = " ".repeat(column);
    match value {
        Value::Object(map) => {
            for (i, (key, member)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(layout.newline);
                    out.push_str(&indent);
                }
                out.push_str(&key_text(key));
                out.push(':');
                out.push_str(&after_indicator(
                    member,
                    child(i),
                    column + layout.step,
                    layout,
                    false,
                ));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(layout.newline);
                    out.push_str(&indent);
                }
                out.push('-');
                out.push_str(&after_indicator(item, child(i), column + 2, layout, true));
            }
        }
        scalar => out.push_str(&flow(scalar, literals)),
    }
}

/// A value on one line: scalars as plain as they can be, collections in flow style.
pub fn flow(value: &Value, literals: Option<Literals<'_>>) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => literals
            .and_then(Literals::number)
            .map_or_else(|| n.to_string(), str::to_owned),
        Value::String(s) => string_text(s, ScalarStyle::Plain, true),
        Value::Array(items) => {
            let children = literals.and_then(|l| l.children(items.len()));
            let parts: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, item)| flow(item, children.as_ref().and_then(|c| c.get(i).copied())))
                .collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let children = literals.and_then(|l| l.children(map.len()));
            let parts: Vec<String> = map
                .iter()
                .enumerate()
                .map(|(i, (key, member))| {
                    format!(
                        "{}: {}",
                        string_text(key, ScalarStyle::Plain, true),
                        flow(member, children.as_ref().and_then(|c| c.get(i).copied()))
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// A mapping key, plain when it reads back as the same string.
pub fn key_text(key: &str) -> String {
    string_text(key, ScalarStyle::Plain, false)
}

/// A string scalar in `preferred` style when that style can hold it, else double-quoted.
/// `in_flow` forbids the characters that end a flow entry in plain style.
pub fn string_text(text: &str, preferred: ScalarStyle, in_flow: bool) -> String {
    match preferred {
        ScalarStyle::Plain if plain_is_safe(text, in_flow) => text.to_owned(),
        ScalarStyle::SingleQuoted | ScalarStyle::Plain
            if !text.chars().any(|c| c.is_control()) && !text.starts_with(' ') =>
        {
            if preferred == ScalarStyle::SingleQuoted || !text.contains('\'') {
                format!("'{}'", text.replace('\'', "''"))
            } else {
                double_quoted(text)
            }
        }
        _ => double_quoted(text),
    }
}

/// A literal block scalar (`|`, `|-` or `|+` by its trailing newlines) with its lines at
/// `column`, or `None` when the text cannot be one (control characters, a carriage return, a first line
/// that starts with white space).
pub fn literal_block(text: &str, column: usize, newline: &str) -> Option<String> {
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
        || text.is_empty()
    {
        return None;
    }
    let body = text.trim_end_matches('\n');
    let trailing = text.len() - body.len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    // A first line starting with white space would need an indentation indicator, relative to
    // the parent's indentation: such text is written double-quoted instead.
    if body.starts_with([' ', '\t', '\n']) {
        return None;
    }
    let column = column.max(1);
    let indent = " ".repeat(column);
    let mut out = format!("|{chomp}");
    for line in body.split('\n') {
        out.push_str(newline);
        if !line.is_empty() {
            out.push_str(&indent);
            out.push_str(line);
        }
    }
    for _ in 1..trailing {
        out.push_str(newline);
    }
    Some(out)
}

/// A YAML double-quoted scalar (JSON escapes are valid YAML escapes).
pub fn double_quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// True when `text` written plain reads back as the same string.
pub fn plain_is_safe(text: &str, in_flow: bool) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if classify_plain(text) != Plain::String
        || text.starts_with([' ', '\t'])
        || text.ends_with([' ', '\t', ':'])
        || text.contains(": ")
        || text.contains(" #")
        || text.contains(['\t'])
        || text.chars().any(char::is_control)
        || text == "---"
        || text == "..."
        || text.starts_with("<<")
    {
        return false;
    }
    // Indicators that start something else when first; `-`, `?`, `:` only when a space follows.
    if "[]{},#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if matches!(first, '-' | '?' | ':') {
        let second = text.chars().nth(1);
        if second.is_none_or(|c| c == ' ') {
            return false;
        }
    }
    // YAML 1.1 readers (PyYAML, so cfn-lint and the SAM CLI) take `2012-10-17` for a date and
    // `1:30` or `1_000` for numbers.
    if text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b"-_:.+".contains(&b))
    {
        return false;
    }
    // Old YAML 1.1 booleans and the like: quoted so that YAML 1.1 readers agree.
    if matches!(
        text,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    ) {
        return false;
    }
    !(in_flow && text.contains(['[', ']', '{', '}', ',']))
}
