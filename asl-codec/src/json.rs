//! A strict JSON parser that keeps the span of every value and key.
//!
//! It is iterative (an explicit stack, bounded by [`ParseOptions::max_depth`]) so deeply nested
//! machines never overflow the thread stack, and it rejects JSON5 (trailing commas, comments,
//! single quotes) with a message that says so.

use serde_json::{Map, Number, Value};

use crate::span::{LineCol, Span, SpanChildren, SpanNode, escape_segment, line_col_of};

/// Default largest accepted input, in bytes (64 MiB: a 50 MB definition parses).
pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;
/// Default deepest accepted nesting of arrays and objects. A machine nested 100 levels deep
/// (Parallel in Parallel...) is about 500 JSON levels.
pub const DEFAULT_MAX_DEPTH: usize = 2_000;

/// Limits applied while parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Largest accepted input, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted nesting of arrays and objects.
    pub max_depth: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// A syntax error, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct SyntaxError {
    /// What is wrong, in words.
    pub message: String,
    /// Byte offset of the problem.
    pub offset: usize,
    /// Line and column of the problem.
    pub location: LineCol,
}

/// A key that appears twice in one object. The parser keeps the first member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// JSON pointer to the member that is kept (object pointer + key).
    pub pointer: String,
    /// The decoded key.
    pub key: String,
    /// Span of the kept (first) key.
    pub first: Span,
    /// Span of the ignored (later) key.
    pub duplicate: Span,
}

/// The result of [`parse`]: the value, the spans of every value, and the duplicate keys seen.
#[derive(Debug, Clone)]
pub struct ParsedJson {
    /// The parsed value (object member order as written).
    pub value: Value,
    /// Spans, shaped like `value`.
    pub spans: SpanNode,
    /// Keys that appeared more than once in one object.
    pub duplicates: Vec<DuplicateKey>,
}

enum Frame {
    Array {
        start: usize,
        items: Vec<Value>,
        spans: Vec<SpanNode>,
        lead_start: usize,
    },
    Object {
        start: usize,
        map: Map<String, Value>,
        spans: Vec<(String, SpanNode)>,
        /// The key waiting for its value: decoded key, key span, lead start.
        pending: Option<(String, Span, usize)>,
    },
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

/// Parses `text` as strict JSON (a leading byte order mark is skipped).
pub fn parse(text: &str, options: &ParseOptions) -> Result<ParsedJson, SyntaxError> {
    if text.len() > options.max_bytes {
        return Err(SyntaxError {
            message: format!(
                "input is {} bytes, more than the limit of {} bytes",
                text.len(),
                options.max_bytes
            ),
            offset: 0,
            location: LineCol { line: 1, column: 1 },
        });
    }
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: if text.starts_with('\u{feff}') { 3 } else { 0 },
    };
    parser.run(options)
}

/// The JSON pointer of the container that the innermost frame of `frames` is filling: each
/// enclosing object contributes its pending key, each array the index of its next element.
fn parent_pointer(frames: &[Frame]) -> String {
    let mut pointer = String::new();
    for frame in frames {
        pointer.push('/');
        match frame {
            Frame::Array { items, .. } => pointer.push_str(&items.len().to_string()),
            Frame::Object { pending, .. } => {
                if let Some((key, _, _)) = pending {
                    pointer.push_str(&escape_segment(key));
                }
            }
        }
    }
    pointer
}

/// A completed value with its span node (key filled in by the parent).
struct Done {
    value: Value,
    span: Span,
    children: SpanChildren,
}

impl Parser<'_> {
    fn error(&self, offset: usize, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            message: message.into(),
            offset,
            location: line_col_of(self.text, offset),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn describe_here(&self) -> String {
        match self.text[self.pos..].chars().next() {
            None => "end of input".to_owned(),
            Some(c) => format!("`{}`", c.escape_debug()),
        }
    }

    fn unexpected(&self, expected: &str) -> SyntaxError {
        let found = self.describe_here();
        let hint = match self.peek() {
            Some(b'/') => " (comments are not allowed in JSON)",
            Some(b'\'') => " (JSON strings use double quotes)",
            _ => "",
        };
        self.error(
            self.pos,
            format!("expected {expected}, found {found}{hint}"),
        )
    }

    fn run(&mut self, options: &ParseOptions) -> Result<ParsedJson, SyntaxError> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut duplicates = Vec::new();
        let root_lead = self.pos;
        'value: loop {
            self.skip_ws();
            let start = self.pos;
            let mut done = match self.peek() {
                Some(b'{') => {
                    if stack.len() >= options.max_depth {
                        return Err(self.error(
                            start,
                            format!("nesting deeper than {} levels", options.max_depth),
                        ));
                    }
                    self.pos += 1;
                    let lead_start = self.pos;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        Done {
                            value: Value::Object(Map::new()),
                            span: Span::new(start, self.pos),
                            children: SpanChildren::Object(Vec::new()),
                        }
                    } else {
                        let (key, key_span) = self.parse_key(false)?;
                        stack.push(Frame::Object {
                            start,
                            map: Map::new(),
                            spans: Vec::new(),
                            pending: Some((key, key_span, lead_start)),
                        });
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    if stack.len() >= options.max_depth {
                        return Err(self.error(
                            start,
                            format!("nesting deeper than {} levels", options.max_depth),
                        ));
                    }
                    self.pos += 1;
                    let lead_start = self.pos;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        Done {
                            value: Value::Array(Vec::new()),
                            span: Span::new(start, self.pos),
                            children: SpanChildren::Array(Vec::new()),
                        }
                    } else {
                        stack.push(Frame::Array {
                            start,
                            items: Vec::new(),
                            spans: Vec::new(),
                            lead_start,
                        });
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    let text = self.parse_string()?;
                    Done {
                        value: Value::String(text),
                        span: Span::new(start, self.pos),
                        children: SpanChildren::Leaf,
                    }
                }
                Some(b'-' | b'0'..=b'9') => {
                    let number = self.parse_number()?;
                    Done {
                        value: Value::Number(number),
                        span: Span::new(start, self.pos),
                        children: SpanChildren::Leaf,
                    }
                }
                Some(b't' | b'f' | b'n') => {
                    let value = self.parse_literal()?;
                    Done {
                        value,
                        span: Span::new(start, self.pos),
                        children: SpanChildren::Leaf,
                    }
                }
                _ => return Err(self.unexpected("a JSON value")),
            };
            // Attach the finished value to its parent; close every container that ends here.
            loop {
                // Looked up before the frame is borrowed mutably: a repeated key's pointer needs
                // the pending keys of every enclosing frame.
                let duplicate_of = match stack.last() {
                    Some(Frame::Object {
                        map,
                        spans,
                        pending: Some((key, key_span, _)),
                        ..
                    }) if map.contains_key(key) => {
                        let first = spans
                            .iter()
                            .find(|(k, _)| k == key)
                            .map_or(*key_span, |(_, node)| node.key.unwrap_or(node.value));
                        let parent = parent_pointer(&stack[..stack.len() - 1]);
                        Some((format!("{parent}/{}", escape_segment(key)), first))
                    }
                    _ => None,
                };
                let Some(frame) = stack.last_mut() else {
                    self.skip_ws();
                    if self.pos < self.bytes.len() {
                        return Err(self.unexpected("end of input after the top-level value"));
                    }
                    return Ok(ParsedJson {
                        value: done.value,
                        spans: SpanNode {
                            value: done.span,
                            key: None,
                            lead_start: root_lead,
                            children: done.children,
                        },
                        duplicates,
                    });
                };
                match frame {
                    Frame::Array {
                        start,
                        items,
                        spans,
                        lead_start,
                    } => {
                        items.push(done.value);
                        spans.push(SpanNode {
                            value: done.span,
                            key: None,
                            lead_start: *lead_start,
                            children: done.children,
                        });
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                *lead_start = self.pos;
                                self.skip_ws();
                                if self.peek() == Some(b']') {
                                    return Err(self.error(
                                        self.pos,
                                        "trailing comma before `]` (JSON5 syntax; JSON does not allow it)",
                                    ));
                                }
                                continue 'value;
                            }
                            Some(b']') => {
                                self.pos += 1;
                                let start = *start;
                                let Some(Frame::Array { items, spans, .. }) = stack.pop() else {
                                    unreachable!("the top frame was just matched as an array")
                                };
                                done = Done {
                                    value: Value::Array(items),
                                    span: Span::new(start, self.pos),
                                    children: SpanChildren::Array(spans),
                                };
                            }
                            _ => {
                                return Err(self.unexpected(&format!(
                                    "`,` or `]` after an array element (array opened at {})",
                                    line_col_of(self.text, *start)
                                )));
                            }
                        }
                    }
                    Frame::Object {
                        start,
                        map,
                        spans,
                        pending,
                    } => {
                        let Some((key, key_span, lead_start)) = pending.take() else {
                            unreachable!("an object frame always waits for a member value")
                        };
                        if let Some((pointer, first)) = duplicate_of {
                            duplicates.push(DuplicateKey {
                                pointer,
                                key,
                                first,
                                duplicate: key_span,
                            });
                        } else {
                            map.insert(key.clone(), done.value);
                            spans.push((
                                key,
                                SpanNode {
                                    value: done.span,
                                    key: Some(key_span),
                                    lead_start,
                                    children: done.children,
                                },
                            ));
                        }
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                let lead_start = self.pos;
                                self.skip_ws();
                                let (key, key_span) = self.parse_key(true)?;
                                *pending = Some((key, key_span, lead_start));
                                continue 'value;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                let start = *start;
                                let Some(Frame::Object { map, spans, .. }) = stack.pop() else {
                                    unreachable!("the top frame was just matched as an object")
                                };
                                done = Done {
                                    value: Value::Object(map),
                                    span: Span::new(start, self.pos),
                                    children: SpanChildren::Object(spans),
                                };
                            }
                            _ => {
                                return Err(self.unexpected(&format!(
                                    "`,` or `}}` after an object member (object opened at {})",
                                    line_col_of(self.text, *start)
                                )));
                            }
                        }
                    }
                }
            }
        }
    }

    /// Parses `"key"` then `:`, leaving `pos` at the value.
    fn parse_key(&mut self, after_comma: bool) -> Result<(String, Span), SyntaxError> {
        if after_comma && self.peek() == Some(b'}') {
            return Err(self.error(
                self.pos,
                "trailing comma before `}` (JSON5 syntax; JSON does not allow it)",
            ));
        }
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a double-quoted property name"));
        }
        let start = self.pos;
        let key = self.parse_string()?;
        let span = Span::new(start, self.pos);
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("`:` after the property name"));
        }
        self.pos += 1;
        Ok((key, span))
    }

    fn parse_literal(&mut self) -> Result<Value, SyntaxError> {
        for (word, value) in [
            ("true", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("null", Value::Null),
        ] {
            if self.bytes[self.pos..].starts_with(word.as_bytes()) {
                let end = self.pos + word.len();
                if !self
                    .bytes
                    .get(end)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
                {
                    self.pos = end;
                    return Ok(value);
                }
            }
        }
        Err(self.unexpected("a JSON value"))
    }

    fn parse_number(&mut self) -> Result<Number, SyntaxError> {
        let start = self.pos;
        let digits = |parser: &mut Self| {
            let from = parser.pos;
            while parser.peek().is_some_and(|b| b.is_ascii_digit()) {
                parser.pos += 1;
            }
            parser.pos - from
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let int_digits = digits(self);
        if int_digits == 0 {
            return Err(self.unexpected("a digit"));
        }
        if int_digits > 1 && self.bytes[int_start] == b'0' {
            return Err(self.error(int_start, "numbers cannot have leading zeros"));
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            integer = false;
            if digits(self) == 0 {
                return Err(self.unexpected("a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            integer = false;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        let literal = &self.text[start..self.pos];
        // serde_json reads `-0` as the float -0.0; agree with it so values compare equal.
        if integer && literal != "-0" {
            if let Ok(n) = literal.parse::<i64>() {
                return Ok(Number::from(n));
            }
            if let Ok(n) = literal.parse::<u64>() {
                return Ok(Number::from(n));
            }
        }
        literal
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .ok_or_else(|| self.error(start, format!("number `{literal}` is out of range")))
    }

    /// Parses a string starting at the opening quote; `pos` ends after the closing quote.
    fn parse_string(&mut self) -> Result<String, SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chunk_start = self.pos;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.error(
                    open,
                    "unterminated string (no closing `\"` before the end of input)",
                ));
            };
            match b {
                b'"' => {
                    out.push_str(&self.text[chunk_start..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(&self.text[chunk_start..self.pos]);
                    self.pos += 1;
                    self.parse_escape(&mut out)?;
                    chunk_start = self.pos;
                }
                0x00..=0x1f => {
                    return Err(self.error(
                        self.pos,
                        format!(
                            "control character U+{:04X} must be escaped inside a string",
                            b
                        ),
                    ));
                }
                _ => self.pos += 1,
            }
        }
    }

    fn parse_escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let escape_start = self.pos - 1;
        let Some(&b) = self.bytes.get(self.pos) else {
            return Err(self.error(escape_start, "unterminated escape sequence"));
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4(escape_start)?;
                if (0xD800..0xDC00).contains(&first) {
                    if self.bytes[self.pos..].starts_with(b"\\u") {
                        self.pos += 2;
                        let second = self.hex4(escape_start)?;
                        if !(0xDC00..0xE000).contains(&second) {
                            return Err(self.error(
                                escape_start,
                                "a high surrogate escape must be followed by a low surrogate",
                            ));
                        }
                        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                        char::from_u32(code)
                            .ok_or_else(|| self.error(escape_start, "invalid unicode escape"))?
                    } else {
                        return Err(
                            self.error(escape_start, "unpaired surrogate in unicode escape")
                        );
                    }
                } else {
                    char::from_u32(first).ok_or_else(|| {
                        self.error(escape_start, "unpaired surrogate in unicode escape")
                    })?
                }
            }
            _ => {
                self.pos -= 1;
                return Err(self.error(
                    escape_start,
                    format!(
                        "invalid escape `\\{}` in string",
                        self.describe_here().trim_matches('`')
                    ),
                ));
            }
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self, escape_start: usize) -> Result<u32, SyntaxError> {
        let Some(digits) = self.text.get(self.pos..self.pos + 4) else {
            return Err(self.error(escape_start, "`\\u` must be followed by 4 hex digits"));
        };
        let code = u32::from_str_radix(digits, 16)
            .ok()
            .filter(|_| digits.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error(escape_start, "`\\u` must be followed by 4 hex digits"))?;
        self.pos += 4;
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_default(text: &str) -> Result<ParsedJson, SyntaxError> {
        parse(text, &ParseOptions::default())
    }

    #[test]
    fn agrees_with_serde_json_on_values() -> Result<(), Box<dyn std::error::Error>> {
        let text = r#"{"a": [1, -2.5e3, 18446744073709551615, true, null, "x\u00e9\ud83d\ude00\n"], "b": {}, "c": [], "d": -0}"#;
        let ours = parse_default(text)?.value;
        let theirs: Value = serde_json::from_str(text)?;
        assert_eq!(ours, theirs);
        Ok(())
    }

    #[test]
    fn spans_point_at_keys_and_values() -> Result<(), Box<dyn std::error::Error>> {
        let text = "{\n  \"States\": {\"A\": {\"Next\": \"B\"}}\n}\n";
        let parsed = parse_default(text)?;
        let (node, found) = parsed.spans.lookup("/States/A/Next");
        assert!(found);
        assert_eq!(&text[node.value.start..node.value.end], "\"B\"");
        let key = node.key.ok_or("no key span")?;
        assert_eq!(&text[key.start..key.end], "\"Next\"");
        let (ancestor, found) = parsed.spans.lookup("/States/A/Missing");
        assert!(!found);
        assert_eq!(
            &text[ancestor.value.start..ancestor.value.end],
            "{\"Next\": \"B\"}"
        );
        Ok(())
    }

    #[test]
    fn trailing_comma_is_a_clear_error() {
        let err = parse_default("{\n  \"a\": 1,\n}").err();
        let err = err.map(|e| (e.location, e.message.contains("trailing comma")));
        assert_eq!(err, Some((LineCol { line: 3, column: 1 }, true)));
        assert!(parse_default("[1,]").is_err());
    }

    #[test]
    fn rejects_what_json_rejects() {
        for bad in [
            "",
            "{",
            "[1 2]",
            "{'a': 1}",
            "{\"a\" 1}",
            "01",
            "1.",
            "1e",
            "\"\\x\"",
            "\"a\nb\"",
            "tru",
            "nul",
            "{} {}",
            "// c\n{}",
            "\"\\ud800\"",
            "1e999",
            "[",
            "{\"a\":}",
        ] {
            assert!(parse_default(bad).is_err(), "accepted {bad:?}");
            assert!(
                serde_json::from_str::<Value>(bad).is_err(),
                "serde_json accepted {bad:?}"
            );
        }
    }

    #[test]
    fn duplicate_keys_keep_the_first_and_are_reported() -> Result<(), Box<dyn std::error::Error>> {
        let parsed = parse_default(r#"{"S": {"A": 1, "A": 2}}"#)?;
        assert_eq!(parsed.value, serde_json::json!({"S": {"A": 1}}));
        assert_eq!(parsed.duplicates.len(), 1);
        assert_eq!(parsed.duplicates[0].pointer, "/S/A");
        let nested = parse_default(r#"{"a": [0, {"x~/": {"S": 1, "S": 2}}]}"#)?;
        assert_eq!(nested.duplicates[0].pointer, "/a/1/x~0~1/S");
        Ok(())
    }

    #[test]
    fn bom_crlf_and_tabs() -> Result<(), Box<dyn std::error::Error>> {
        let text = "\u{feff}{\r\n\t\"a\": [1,\t2]\r\n}\r\n";
        let parsed = parse_default(text)?;
        assert_eq!(parsed.value, serde_json::json!({"a": [1, 2]}));
        Ok(())
    }

    #[test]
    fn depth_and_size_limits_are_errors() {
        let deep = "[".repeat(3000) + &"]".repeat(3000);
        let err = parse_default(&deep).err().map(|e| e.message);
        assert_eq!(err.as_deref(), Some("nesting deeper than 2000 levels"));
        let options = ParseOptions {
            max_bytes: 4,
            ..ParseOptions::default()
        };
        assert!(parse("[1, 2]", &options).is_err());
    }
}
