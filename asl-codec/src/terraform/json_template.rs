//! JSON text that carries Terraform template syntax: a heredoc, a quoted string or a
//! `templatefile` template whose JSON holds `${...}` interpolations.
//!
//! The definition value keeps the template's own text in its strings: `${expr}` stays as written
//! (a placeholder), and so do the escapes `$${` and `%%{`, so that writing a string back gives the
//! same template. An interpolation that stands where a JSON value belongs (`"Max": ${var.n}`) is
//! not JSON; it reads as the string `"${var.n}"` and is written back bare while the value is still
//! exactly that string.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::json::{self, ParseOptions};
use crate::span::{SpanChildren, SpanNode};
use crate::write::PreservingWriter;

/// A piecewise map from offsets in a derived text to offsets in the text it came from.
#[derive(Debug, Clone, Default)]
pub(super) struct OffsetMap {
    /// `(derived offset, source offset)` at the start of each piece, ascending.
    pieces: Vec<(usize, usize)>,
}

impl OffsetMap {
    pub(super) fn identity(source_start: usize) -> Self {
        Self {
            pieces: vec![(0, source_start)],
        }
    }

    pub(super) fn push(&mut self, derived: usize, source: usize) {
        self.pieces.push((derived, source));
    }

    /// The source offset of `derived`; inside a piece the offsets advance together.
    pub(super) fn map(&self, derived: usize) -> usize {
        let index = self.pieces.partition_point(|&(start, _)| start <= derived);
        match index.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some(&(start, source)) => source + (derived - start),
            None => self.pieces.first().map_or(derived, |&(_, source)| source),
        }
    }
}

/// A parsed templated JSON text.
#[derive(Debug, Clone)]
pub(super) struct TemplatedJson {
    /// The JSON text, bare interpolations quoted.
    pub json: String,
    /// The value it parses to.
    pub value: Value,
    /// Spans of `value` in `json`.
    pub spans: SpanNode,
    /// Expressions that stood bare (outside any JSON string) in the template.
    pub bare: BTreeSet<String>,
    /// From offsets in `json` to offsets in the template text.
    pub offsets: OffsetMap,
}

/// Where `${` at `start` (pointing at `$`) ends: the index one past its closing `}`. Braces and
/// quoted strings inside the expression are skipped.
pub(super) fn interpolation_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut index = start + 1;
    let mut in_string = false;
    while let Some(&byte) = bytes.get(index) {
        if in_string {
            match byte {
                b'\\' => index += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match byte {
                b'"' => in_string = true,
                b'{' => depth += 1,
                b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(index + 1);
                    }
                }
                _ => {}
            }
        }
        index += 1;
    }
    None
}

/// Reads a templated JSON text. `templated` is false for `file()`, whose content Terraform passes
/// through untouched: then it must be plain JSON.
pub(super) fn decode(text: &str, templated: bool) -> Result<TemplatedJson, (usize, String)> {
    let mut json = String::with_capacity(text.len());
    let mut offsets = OffsetMap::identity(0);
    let mut bare = BTreeSet::new();
    if templated {
        let bytes = text.as_bytes();
        let mut in_string = false;
        let mut copied = 0usize;
        let mut index = 0usize;
        while let Some(&byte) = bytes.get(index) {
            if in_string {
                match byte {
                    b'\\' => {
                        index += 2;
                        continue;
                    }
                    b'"' => in_string = false,
                    _ => {}
                }
            } else if byte == b'"' {
                in_string = true;
            }
            // Byte tests: `index` may sit inside a multi-byte character.
            let rest = &bytes[index..];
            if rest.starts_with(b"$${") || rest.starts_with(b"%%{") {
                index += 3;
                continue;
            }
            if rest.starts_with(b"%{") {
                return Err((
                    index,
                    "template directives (`%{...}`) are not supported in a definition".to_owned(),
                ));
            }
            if rest.starts_with(b"${") {
                let end = interpolation_end(text, index)
                    .ok_or_else(|| (index, "unterminated `${` interpolation".to_owned()))?;
                if !in_string {
                    let expression = text[index + 2..end - 1].trim().to_owned();
                    json.push_str(&text[copied..index]);
                    offsets.push(json.len(), index);
                    let quoted = Value::String(format!("${{{expression}}}")).to_string();
                    json.push_str(&quoted);
                    offsets.push(json.len(), end);
                    bare.insert(expression);
                    copied = end;
                }
                index = end;
                continue;
            }
            index += 1;
        }
        json.push_str(&text[copied..]);
    } else {
        json.push_str(text);
    }
    let parsed = json::parse(&json, &ParseOptions::default())
        .map_err(|error| (offsets.map(error.offset), error.message))?;
    Ok(TemplatedJson {
        json,
        value: parsed.value,
        spans: parsed.spans,
        bare,
        offsets,
    })
}

/// Writes `new` into the template `old` was read from, keeping its layout wherever the value is
/// unchanged, and bare interpolations bare.
pub(super) fn encode(old: &TemplatedJson, new: &Value) -> Result<String, String> {
    let writer = PreservingWriter::new(&old.json, &old.spans);
    let json_text = writer.write(&old.spans, &old.value, new);
    if old.bare.is_empty() {
        return Ok(json_text);
    }
    let reparsed = json::parse(&json_text, &ParseOptions::default())
        .map_err(|error| format!("the written JSON does not parse: {error}"))?;
    let mut replacements = Vec::new();
    collect_bare(
        &reparsed.value,
        &reparsed.spans,
        &old.bare,
        &mut replacements,
    );
    replacements.sort_by_key(|&(start, _, _)| std::cmp::Reverse(start));
    let mut out = json_text;
    for (start, end, expression) in replacements {
        out.replace_range(start..end, &format!("${{{expression}}}"));
    }
    Ok(out)
}

fn collect_bare(
    value: &Value,
    spans: &SpanNode,
    bare: &BTreeSet<String>,
    out: &mut Vec<(usize, usize, String)>,
) {
    match (value, &spans.children) {
        (Value::String(text), _) => {
            if let Some(expression) = whole_interpolation(text)
                && bare.contains(expression)
            {
                out.push((spans.value.start, spans.value.end, expression.to_owned()));
            }
        }
        (Value::Array(items), SpanChildren::Array(children)) => {
            for (item, child) in items.iter().zip(children) {
                collect_bare(item, child, bare, out);
            }
        }
        (Value::Object(members), SpanChildren::Object(children)) => {
            for ((_, member), (_, child)) in members.iter().zip(children) {
                collect_bare(member, child, bare, out);
            }
        }
        _ => {}
    }
}

/// The expression of a string that is exactly one interpolation, `${expr}`.
pub(super) fn whole_interpolation(text: &str) -> Option<&str> {
    if !text.starts_with("${") {
        return None;
    }
    (interpolation_end(text, 0) == Some(text.len())).then(|| text[2..text.len() - 1].trim())
}

/// Every `${expr}` in a string (escaped `$${` skipped), as `(expression, start offset)`.
pub(super) fn interpolations(text: &str) -> Vec<(&str, usize)> {
    let mut found = Vec::new();
    let mut index = 0usize;
    while let Some(relative) = text.get(index..).and_then(|rest| rest.find('$')) {
        let at = index + relative;
        let rest = &text[at..];
        if rest.starts_with("$${") {
            index = at + 3;
        } else if rest.starts_with("${") {
            match interpolation_end(text, at) {
                Some(end) => {
                    found.push((text[at + 2..end - 1].trim(), at));
                    index = end;
                }
                None => break,
            }
        } else {
            index = at + 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_interpolations_read_as_strings_and_write_back_bare() {
        let text = "{\"Max\": ${var.n}, \"R\": \"${aws_lambda_function.f.arn}\", \"L\": \"$${x}\"}";
        let decoded = decode(text, true).map_err(|e| e.1);
        let Ok(decoded) = decoded else {
            panic!("{decoded:?}");
        };
        assert_eq!(decoded.value["Max"], "${var.n}");
        assert_eq!(decoded.value["R"], "${aws_lambda_function.f.arn}");
        assert_eq!(decoded.value["L"], "$${x}");
        let mut edited = decoded.value.clone();
        edited["R"] = Value::String("changed".into());
        let written = encode(&decoded, &edited);
        assert_eq!(
            written.as_deref(),
            Ok("{\"Max\": ${var.n}, \"R\": \"changed\", \"L\": \"$${x}\"}")
        );
    }

    #[test]
    fn directives_and_unterminated_interpolations_are_errors() {
        assert!(decode("{\"a\": \"%{ if x }\"}", true).is_err());
        assert!(decode("{\"a\": \"${var.x\"}", true).is_err());
        assert!(decode("{\"a\": \"%{ if x }\"}", false).is_ok());
    }

    #[test]
    fn interpolations_skip_escapes() {
        assert_eq!(
            interpolations("a ${x} $${y} ${f(\"}\")}"),
            vec![("x", 2), ("f(\"}\")", 13)]
        );
        assert_eq!(whole_interpolation("${ a.b }"), Some("a.b"));
        assert_eq!(whole_interpolation("${a}${b}"), None);
    }
}
