//! The HCL object expression inside `jsonencode(...)` as a JSON value, and back.
//!
//! Reading keeps, for every value, the byte span of the expression it came from, so that writing
//! reuses the original text (comments, alignment, quoting) of every unchanged subtree and writes
//! only what changed, in `terraform fmt` style.

use std::collections::BTreeSet;
use std::ops::Range;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::template::{Element, Template};
use serde_json::{Map, Number, Value};

use super::json_template::whole_interpolation;
use crate::span::escape_segment;

/// A value read from HCL with where it was written.
#[derive(Debug, Clone)]
pub(super) struct SourceNode {
    /// The expression's bytes in the file.
    pub span: Range<usize>,
    /// The JSON value it reads as.
    pub value: Value,
    pub children: SourceChildren,
}

#[derive(Debug, Clone)]
pub(super) enum SourceChildren {
    Scalar,
    Array(Vec<SourceNode>),
    Object {
        entries: Vec<SourceEntry>,
        /// Comments after the last entry, before the closing brace.
        closing_comments: Vec<String>,
    },
}

/// One `key = value` of an HCL object, with the comments that belong to it.
#[derive(Debug, Clone)]
pub(super) struct SourceEntry {
    pub key: String,
    /// The key as written (`Type`, `"Payload.$"`).
    pub key_text: String,
    pub node: SourceNode,
    /// Comments on the lines above the entry.
    pub leading_comments: Vec<String>,
    /// A blank line separated the entry from the one before.
    pub blank_before: bool,
    /// A comment after the value on the same line.
    pub trailing_comment: Option<String>,
}

/// A conversion failure at a byte offset of the file.
pub(super) type ConvertError = (usize, String);

/// Reads HCL expressions of one definition.
pub(super) struct Reader<'t> {
    text: &'t str,
    /// Expressions that stood bare (not inside a string) and read as `"${expr}"`.
    pub bare: BTreeSet<String>,
    /// Every value's JSON pointer and its byte offset in the file.
    pub locations: Vec<(String, usize)>,
}

impl<'t> Reader<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        Self {
            text,
            bare: BTreeSet::new(),
            locations: Vec::new(),
        }
    }

    fn source(&self, span: &Range<usize>) -> &'t str {
        self.text.get(span.clone()).unwrap_or("")
    }

    /// Converts `expression` (at JSON pointer `pointer`) to JSON.
    pub(super) fn read(
        &mut self,
        expression: &Expression,
        pointer: &str,
    ) -> Result<SourceNode, ConvertError> {
        let span = expression.span().ok_or_else(|| {
            (
                0,
                format!("no source position for the value at `{pointer}`"),
            )
        })?;
        self.locations.push((pointer.to_owned(), span.start));
        let scalar = |value: Value| SourceNode {
            span: span.clone(),
            value,
            children: SourceChildren::Scalar,
        };
        Ok(match expression {
            Expression::Null(_) => scalar(Value::Null),
            Expression::Bool(flag) => scalar(Value::Bool(*flag.value())),
            Expression::Number(_) => scalar(self.number(&span)?),
            Expression::String(string) => scalar(Value::String(escape_literal(string.value()))),
            Expression::StringTemplate(template) => {
                scalar(Value::String(self.template_text(template, pointer)?))
            }
            Expression::UnaryOp(_) => {
                // `-1` is a negative number; anything else is an expression to keep.
                match self.number(&span) {
                    Ok(number) => scalar(number),
                    Err(_) => scalar(self.bare(&span)),
                }
            }
            Expression::Array(array) => {
                let mut items = Vec::with_capacity(array.len());
                for (index, item) in array.iter().enumerate() {
                    items.push(self.read(item, &format!("{pointer}/{index}"))?);
                }
                SourceNode {
                    span,
                    value: Value::Array(items.iter().map(|item| item.value.clone()).collect()),
                    children: SourceChildren::Array(items),
                }
            }
            Expression::Object(object) => {
                let mut entries = Vec::with_capacity(object.len());
                let mut members = Map::new();
                let mut previous_end = span.start + 1;
                for (key, value) in object.iter() {
                    let key_span = key
                        .span()
                        .ok_or_else(|| (span.start, "object key without position".to_owned()))?;
                    let key_string = self.key(key, pointer)?;
                    if members.contains_key(&key_string) {
                        return Err((
                            key_span.start,
                            format!("duplicate key `{key_string}` in the object at `{pointer}`"),
                        ));
                    }
                    let child_pointer = format!("{pointer}/{}", escape_segment(&key_string));
                    let node = self.read(value.expr(), &child_pointer)?;
                    let (trailing, mut leading, blank_before) =
                        split_trivia(self.source(&(previous_end..key_span.start)));
                    match (trailing, entries.last_mut()) {
                        (Some(comment), Some(last)) => {
                            let last: &mut SourceEntry = last;
                            last.trailing_comment = Some(comment);
                        }
                        // A comment on the line of the opening brace goes with the first member.
                        (Some(comment), None) => leading.insert(0, comment),
                        (None, _) => {}
                    }
                    let first = entries.is_empty();
                    previous_end = node.span.end;
                    members.insert(key_string.clone(), node.value.clone());
                    entries.push(SourceEntry {
                        key: key_string,
                        key_text: self.source(&key_span).to_owned(),
                        node,
                        leading_comments: leading,
                        blank_before: blank_before && !first,
                        trailing_comment: None,
                    });
                }
                let close = span.end.saturating_sub(1).max(previous_end);
                let (trailing, closing_comments, _) =
                    split_trivia(self.source(&(previous_end..close)));
                if let (Some(comment), Some(last)) = (trailing, entries.last_mut()) {
                    last.trailing_comment = Some(comment);
                }
                SourceNode {
                    span,
                    value: Value::Object(members),
                    children: SourceChildren::Object {
                        entries,
                        closing_comments,
                    },
                }
            }
            Expression::HeredocTemplate(_) => {
                return Err((
                    span.start,
                    format!("a heredoc inside jsonencode (at `{pointer}`) is not supported"),
                ));
            }
            Expression::Parenthesis(_)
            | Expression::Variable(_)
            | Expression::Conditional(_)
            | Expression::FuncCall(_)
            | Expression::Traversal(_)
            | Expression::BinaryOp(_)
            | Expression::ForExpr(_) => scalar(self.bare(&span)),
        })
    }

    fn number(&self, span: &Range<usize>) -> Result<Value, ConvertError> {
        let written: String = self
            .source(span)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        serde_json::from_str::<Number>(&written)
            .map(Value::Number)
            .map_err(|_| (span.start, format!("`{written}` is not a JSON number")))
    }

    fn bare(&mut self, span: &Range<usize>) -> Value {
        let expression = self.source(span).trim().to_owned();
        let value = Value::String(format!("${{{expression}}}"));
        self.bare.insert(expression);
        value
    }

    fn key(&mut self, key: &ObjectKey, pointer: &str) -> Result<String, ConvertError> {
        match key {
            ObjectKey::Ident(ident) => Ok(ident.as_str().to_owned()),
            ObjectKey::Expression(Expression::String(string)) => Ok(escape_literal(string.value())),
            ObjectKey::Expression(Expression::StringTemplate(template)) => {
                self.template_text(template, pointer)
            }
            ObjectKey::Expression(expression) => {
                let span = expression.span().unwrap_or_default();
                Ok(format!("${{{}}}", self.source(&span).trim()))
            }
        }
    }

    /// A quoted string (with or without interpolations) as its template text.
    pub(super) fn string_text(&self, expression: &Expression) -> Result<String, ConvertError> {
        match expression {
            Expression::String(string) => Ok(escape_literal(string.value())),
            Expression::StringTemplate(template) => self.template_text(template, ""),
            _ => Err((0, "not a quoted string".to_owned())),
        }
    }

    /// A string template as its template text: literals with `${`/`%{` escaped again, and
    /// interpolations as written.
    fn template_text(&self, template: &Template, pointer: &str) -> Result<String, ConvertError> {
        let mut out = String::new();
        for element in template.iter() {
            match element {
                Element::Literal(literal) => out.push_str(&escape_literal(literal.value())),
                Element::Interpolation(interpolation) => {
                    let span = interpolation.expr.span().unwrap_or_default();
                    out.push_str("${");
                    out.push_str(self.source(&span).trim());
                    out.push('}');
                }
                Element::Directive(_) => {
                    return Err((
                        template.span().map_or(0, |span| span.start),
                        format!("template directive (`%{{...}}`) in the string at `{pointer}`"),
                    ));
                }
            }
        }
        Ok(out)
    }
}

/// A decoded literal as template text: `${` and `%{` that were escaped are escaped again.
fn escape_literal(text: &str) -> String {
    text.replace("${", "$${").replace("%{", "%%{")
}

/// Splits the text between two object entries into the comment on the previous entry's line, the
/// comments on the lines before the next entry, and whether a blank line separates them.
fn split_trivia(trivia: &str) -> (Option<String>, Vec<String>, bool) {
    let (same_line, rest) = match trivia.find('\n') {
        Some(newline) => (&trivia[..newline], &trivia[newline + 1..]),
        None => (trivia, ""),
    };
    let trailing = comments(same_line).into_iter().next();
    let leading = comments(rest);
    let blank = rest
        .split('\n')
        .rev()
        .skip(1)
        .any(|line| line.trim_matches([' ', '\t', '\r', ',']).is_empty());
    (trailing, leading, blank)
}

/// The comments in a stretch of whitespace, commas and comments.
fn comments(trivia: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = trivia;
    while let Some(start) = rest.find(['#', '/']) {
        let tail = &rest[start..];
        let end = if tail.starts_with("/*") {
            tail.find("*/").map_or(tail.len(), |end| end + 2)
        } else if tail.starts_with('#') || tail.starts_with("//") {
            tail.find('\n').unwrap_or(tail.len())
        } else {
            1
        };
        let comment = tail[..end].trim_end();
        if comment.len() > 1 {
            found.push(comment.to_owned());
        }
        rest = &tail[end..];
    }
    found
}

/// Writes JSON values as HCL, reusing original text where a value is unchanged.
pub(super) struct Writer<'t> {
    pub text: &'t str,
    /// Expressions that were bare in the original: a string that is exactly `${expr}` for one of
    /// them is written as the expression.
    pub bare: &'t BTreeSet<String>,
    pub indent_unit: &'t str,
}

/// Deepest nesting a written value may have (hcl-edit reads no deeper than 64 levels).
pub(super) const MAX_WRITE_DEPTH: usize = 60;

impl Writer<'_> {
    /// Writes `new` at nesting `indent` (the indentation of the line it starts on).
    pub(super) fn write(
        &self,
        new: &Value,
        old: Option<&SourceNode>,
        indent: &str,
        out: &mut String,
    ) {
        if let Some(old) = old
            && old.value == *new
        {
            out.push_str(self.text.get(old.span.clone()).unwrap_or(""));
            return;
        }
        match new {
            Value::Object(members) => self.write_object(members, old, indent, out),
            Value::Array(items) => self.write_array(items, old, indent, out),
            Value::String(string) => match whole_interpolation(string) {
                Some(expression) if self.bare.contains(expression) => out.push_str(expression),
                _ => out.push_str(&quote(string)),
            },
            Value::Number(number) => out.push_str(&number.to_string()),
            Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
            Value::Null => out.push_str("null"),
        }
    }

    fn write_object(
        &self,
        members: &Map<String, Value>,
        old: Option<&SourceNode>,
        indent: &str,
        out: &mut String,
    ) {
        if members.is_empty() {
            out.push_str("{}");
            return;
        }
        let (old_entries, closing): (&[SourceEntry], &[String]) = match old.map(|o| &o.children) {
            Some(SourceChildren::Object {
                entries,
                closing_comments,
            }) => (entries, closing_comments),
            _ => (&[], &[]),
        };
        let inner = format!("{indent}{}", self.indent_unit);
        // Render every entry first: `terraform fmt` aligns the `=` of consecutive one-line entries.
        struct Line<'e> {
            key: String,
            value: String,
            entry: Option<&'e SourceEntry>,
        }
        let lines: Vec<Line<'_>> = members
            .iter()
            .enumerate()
            .map(|(position, (key, value))| {
                let same_key = old_entries.iter().find(|entry| entry.key == *key);
                // A renamed member (a renamed state) keeps its comments and unchanged parts: the
                // old member at the same position whose key is gone.
                let entry = same_key.or_else(|| {
                    old_entries
                        .get(position)
                        .filter(|entry| !members.contains_key(&entry.key))
                });
                let mut rendered = String::new();
                self.write(value, entry.map(|e| &e.node), &inner, &mut rendered);
                Line {
                    key: same_key.map_or_else(|| key_text(key), |e| e.key_text.clone()),
                    value: rendered,
                    entry,
                }
            })
            .collect();
        out.push_str("{\n");
        let mut index = 0;
        while index < lines.len() {
            // A group: consecutive one-line values with no comment line between them.
            let mut end = index + 1;
            if !lines[index].value.contains('\n') {
                while end < lines.len()
                    && !lines[end].value.contains('\n')
                    && lines[end]
                        .entry
                        .is_none_or(|e| e.leading_comments.is_empty() && !e.blank_before)
                {
                    end += 1;
                }
            }
            let width = lines[index..end]
                .iter()
                .map(|line| line.key.chars().count())
                .max()
                .unwrap_or(0);
            for line in &lines[index..end] {
                if let Some(entry) = line.entry {
                    if entry.blank_before && line.key != lines[0].key {
                        out.push('\n');
                    }
                    for comment in &entry.leading_comments {
                        push_comment(out, &inner, comment);
                    }
                }
                out.push_str(&inner);
                out.push_str(&line.key);
                let pad = if line.value.contains('\n') {
                    0
                } else {
                    width - line.key.chars().count()
                };
                out.push_str(&" ".repeat(pad));
                out.push_str(" = ");
                out.push_str(&line.value);
                if let Some(comment) = line.entry.and_then(|e| e.trailing_comment.as_ref()) {
                    out.push(' ');
                    out.push_str(comment);
                }
                out.push('\n');
            }
            index = end;
        }
        for comment in closing {
            push_comment(out, &inner, comment);
        }
        out.push_str(indent);
        out.push('}');
    }

    fn write_array(
        &self,
        items: &[Value],
        old: Option<&SourceNode>,
        indent: &str,
        out: &mut String,
    ) {
        let old_items: &[SourceNode] = match old.map(|o| &o.children) {
            Some(SourceChildren::Array(items)) => items,
            _ => &[],
        };
        let inner = format!("{indent}{}", self.indent_unit);
        let rendered: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let mut text = String::new();
                self.write(item, old_items.get(index), &inner, &mut text);
                text
            })
            .collect();
        let one_line = rendered.iter().all(|item| !item.contains('\n'))
            && rendered.iter().map(String::len).sum::<usize>() + 2 * rendered.len() <= 80;
        if one_line {
            out.push('[');
            out.push_str(&rendered.join(", "));
            out.push(']');
            return;
        }
        out.push_str("[\n");
        let last = rendered.len().saturating_sub(1);
        for (index, item) in rendered.iter().enumerate() {
            out.push_str(&inner);
            out.push_str(item);
            out.push_str(if index == last { "\n" } else { ",\n" });
        }
        out.push_str(indent);
        out.push(']');
    }
}

fn push_comment(out: &mut String, indent: &str, comment: &str) {
    out.push_str(indent);
    out.push_str(comment);
    out.push('\n');
}

/// An object key as HCL writes it: a bare identifier where HCL reads one as that literal key,
/// quoted otherwise.
fn key_text(key: &str) -> String {
    let mut chars = key.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    // Bare `null`, `true` and `false` are literal values, not keys.
    if identifier && !matches!(key, "null" | "true" | "false") {
        key.to_owned()
    } else {
        quote(key)
    }
}

/// A string as an HCL quoted template. Template syntax (`${`, `$${`, `%%{`) passes through as the
/// definition holds it.
pub(super) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// How deep `value` nests, counting up to `limit + 1` only (no recursion past it).
pub(super) fn depth_exceeds(value: &Value, limit: usize) -> bool {
    let mut stack = vec![(value, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|item| (item, depth + 1))),
            Value::Object(members) => stack.extend(members.values().map(|item| (item, depth + 1))),
            _ => {}
        }
    }
    false
}
