//! A strict JSON parser that keeps the span of every value and key.
//!
//! [`scan`] checks the text and records every value's span in one flat [`SpanTable`] without
//! building anything else (no allocation per value); [`value_at`] builds a `serde_json::Value` for
//! any node afterwards, and [`TextValue`] lets the document model read the text in place.
//! [`parse_document`] and [`parse`] do both steps (the latter also builds a [`SpanNode`] tree).
//!
//! It is iterative (an explicit stack, bounded by [`ParseOptions::max_depth`]) so deeply nested
//! machines never overflow the thread stack, and it rejects JSON5 (trailing commas, comments,
//! single quotes) with a message that says so.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use crate::span::{
    LineCol, Span, SpanChildIter, SpanKind, SpanNode, SpanRef, SpanTable, escape_segment,
    line_col_of,
};

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

/// The result of [`parse_document`]: like [`ParsedJson`], with the spans in one flat table.
#[derive(Debug, Clone)]
pub struct ParsedDocument {
    /// The parsed value (object member order as written).
    pub value: Value,
    /// The span of every value, in document order (see [`SpanTable`]).
    pub spans: SpanTable,
    /// Keys that appeared more than once in one object.
    pub duplicates: Vec<DuplicateKey>,
}

/// The result of [`scan`]: the text checked and its structure recorded, no value built yet.
#[derive(Debug, Clone)]
pub struct ScannedJson {
    /// The span of every value, in document order (see [`SpanTable`]).
    pub spans: SpanTable,
    /// Keys that appeared more than once in one object.
    pub duplicates: Vec<DuplicateKey>,
}

/// A member key as written: the bytes between its quotes, and whether they hold an escape (then
/// the decoded key differs from the raw bytes).
#[derive(Debug, Clone, Copy)]
struct RawKey {
    /// The key with its quotes.
    span: Span,
    escaped: bool,
}

impl RawKey {
    fn raw<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.span.start + 1..self.span.end - 1)
            .unwrap_or("")
    }

    fn decoded<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.escaped {
            Cow::Owned(decode_string(text, self.span.start))
        } else {
            Cow::Borrowed(self.raw(text))
        }
    }
}

/// A key waiting for its value.
struct Pending {
    key: RawKey,
    lead_start: usize,
}

/// An open container. An object's keys wait on the scanner's shared key stack, from `base` up.
enum Frame<'t> {
    Array {
        /// The container's node in the span table.
        node: usize,
        /// Elements so far (the index of the next one, for duplicate-key pointers).
        count: usize,
        lead_start: usize,
    },
    Object {
        node: usize,
        base: usize,
        pending: Pending,
        /// The members' keys so far, once there are too many for a linear scan.
        seen: Option<KeyIndex<'t>>,
    },
}

/// Up to this many members, a repeated key is found by comparing with every earlier key.
const LINEAR_DUPLICATE_SCAN: usize = 16;

/// The key index of a large object: decoded key to its position.
type KeyIndex<'t> = std::collections::HashMap<Cow<'t, str>, usize>;

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

/// Parses `text` as strict JSON (a leading byte order mark is skipped), with a span tree.
pub fn parse(text: &str, options: &ParseOptions) -> Result<ParsedJson, SyntaxError> {
    let parsed = parse_document(text, options)?;
    let spans = parsed.spans.to_tree(&parsed.value);
    Ok(ParsedJson {
        value: parsed.value,
        spans,
        duplicates: parsed.duplicates,
    })
}

/// Parses `text` as strict JSON (a leading byte order mark is skipped), with the spans in a flat
/// table.
pub fn parse_document(text: &str, options: &ParseOptions) -> Result<ParsedDocument, SyntaxError> {
    let scanned = scan(text, options)?;
    let value = scanned
        .spans
        .root()
        .map_or(Value::Null, |root| value_at(text, root));
    Ok(ParsedDocument {
        value,
        spans: scanned.spans,
        duplicates: scanned.duplicates,
    })
}

/// Checks `text` as strict JSON and records the span of every value and the repeated keys,
/// without building the value: [`value_at`] builds any part of it later. This is what
/// [`crate::SourceFile`] does, so that work that never needs the whole value (checking a file)
/// never allocates it.
pub fn scan(text: &str, options: &ParseOptions) -> Result<ScannedJson, SyntaxError> {
    if text.len() > options.max_bytes || u32::try_from(text.len()).is_err() {
        return Err(SyntaxError {
            message: format!(
                "input is {} bytes, more than the limit of {} bytes",
                text.len(),
                options.max_bytes.min(u32::MAX as usize)
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
fn parent_pointer(text: &str, frames: &[Frame<'_>]) -> String {
    let mut pointer = String::new();
    for frame in frames {
        pointer.push('/');
        match frame {
            Frame::Array { count, .. } => pointer.push_str(&count.to_string()),
            Frame::Object { pending, .. } => {
                pointer.push_str(&escape_segment(&pending.key.decoded(text)));
            }
        }
    }
    pointer
}

/// Whether two keys decode to the same string.
fn same_key(text: &str, a: RawKey, b: RawKey) -> bool {
    if !a.escaped && !b.escaped {
        let bytes = text.as_bytes();
        let (a, b) = (a.span, b.span);
        a.end - a.start == b.end - b.start && bytes.get(a.start..a.end) == bytes.get(b.start..b.end)
    } else {
        a.decoded(text) == b.decoded(text)
    }
}

/// The position of `key` among `keys` (an object's keys so far), using the object's key index
/// once it has one.
fn find_key(
    text: &str,
    keys: &[RawKey],
    seen: &Option<KeyIndex<'_>>,
    key: RawKey,
) -> Option<usize> {
    match seen {
        None => keys.iter().position(|&k| same_key(text, k, key)),
        Some(index) => index.get(&key.decoded(text)).copied(),
    }
}

/// Bytes that end the fast path of a string: a quote, a backslash or a control character.
const STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Decodes the JSON string whose opening quote is at `open` (text already checked by [`scan`]).
fn decode_string(text: &str, open: usize) -> String {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: open,
    };
    let mut out = String::new();
    match parser.parse_string(Some(&mut out)) {
        Ok(_) => out,
        // Unreachable for scanned text; the raw bytes are the best answer left.
        Err(_) => text.get(open..).unwrap_or("").to_owned(),
    }
}

/// The number a literal checked by [`scan`] spells (`None` when out of range).
fn number_of(literal: &str) -> Option<Number> {
    let integer = !literal.contains(['.', 'e', 'E']);
    // serde_json reads `-0` as the float -0.0; agree with it so values compare equal.
    if integer && literal != "-0" {
        if let Ok(n) = literal.parse::<i64>() {
            return Some(Number::from(n));
        }
        if let Ok(n) = literal.parse::<u64>() {
            return Some(Number::from(n));
        }
    }
    literal.parse::<f64>().ok().and_then(Number::from_f64)
}

/// The text of a scanned string at `span` (quotes included).
fn string_at(text: &str, span: Span, escaped: bool) -> Cow<'_, str> {
    if escaped {
        Cow::Owned(decode_string(text, span.start))
    } else {
        Cow::Borrowed(text.get(span.start + 1..span.end - 1).unwrap_or(""))
    }
}

/// The scalar that leaf `node` spans in scanned `text`.
fn scalar_at(text: &str, node: SpanRef<'_>) -> Value {
    let span = node.value();
    let literal = text.get(span.start..span.end).unwrap_or("");
    match literal.as_bytes().first() {
        Some(b'"') => Value::String(string_at(text, span, node.string_escaped()).into_owned()),
        Some(b't') => Value::Bool(true),
        Some(b'f') => Value::Bool(false),
        Some(b'n') => Value::Null,
        _ => number_of(literal).map_or(Value::Null, Value::Number),
    }
}

/// The decoded key of an object member's span node.
fn key_at<'t>(text: &'t str, node: SpanRef<'_>) -> Cow<'t, str> {
    match node.key() {
        Some(span) => string_at(text, span, node.key_escaped()),
        None => Cow::Borrowed(""),
    }
}

/// Builds the value that `node` spans in `text` (which [`scan`] produced the table from).
/// Containers are allocated at their final size. Iterative: any depth the scanner accepted is
/// safe on a small stack.
pub fn value_at(text: &str, node: SpanRef<'_>) -> Value {
    enum Open<'t> {
        Array(SpanChildIter<'t>, Vec<Value>),
        Object(SpanChildIter<'t>, Map<String, Value>),
    }
    fn open(node: SpanRef<'_>) -> Option<Open<'_>> {
        match node.kind() {
            SpanKind::Array => Some(Open::Array(
                node.children(),
                Vec::with_capacity(node.children().count()),
            )),
            SpanKind::Object => Some(Open::Object(
                node.children(),
                Map::with_capacity(node.children().count()),
            )),
            SpanKind::Leaf => None,
        }
    }
    let Some(root) = open(node) else {
        return scalar_at(text, node);
    };
    let mut stack = vec![root];
    loop {
        let Some(top) = stack.last_mut() else {
            unreachable!("the loop returns when the root is finished")
        };
        let next = match top {
            Open::Array(children, _) | Open::Object(children, _) => children.next(),
        };
        let Some(child) = next else {
            let finished = match stack.pop() {
                Some(Open::Array(_, items)) => Value::Array(items),
                Some(Open::Object(_, map)) => Value::Object(map),
                None => unreachable!("the stack was just seen non-empty"),
            };
            // The finished container is the last child its parent took.
            match stack.last_mut() {
                Some(Open::Array(_, items)) => items.push(finished),
                Some(Open::Object(children, map)) => {
                    let key = children.last_taken().map(|c| key_at(text, c));
                    map.insert(key.unwrap_or_default().into_owned(), finished);
                }
                None => return finished,
            }
            continue;
        };
        match open(child) {
            Some(container) => stack.push(container),
            None => {
                let value = scalar_at(text, child);
                match top {
                    Open::Array(_, items) => items.push(value),
                    Open::Object(_, map) => {
                        map.insert(key_at(text, child).into_owned(), value);
                    }
                }
            }
        }
    }
}

/// A value in scanned source text, read in place: [`graph_model::StateMachine::from_source`]
/// builds the model from it without building the document's `Value`.
#[derive(Debug, Clone, Copy)]
pub struct TextValue<'a> {
    text: &'a str,
    node: SpanRef<'a>,
}

impl<'a> TextValue<'a> {
    /// The value that `node` spans in `text` (the text [`scan`] made the table from).
    pub fn new(text: &'a str, node: SpanRef<'a>) -> Self {
        Self { text, node }
    }

    fn literal(self) -> &'a str {
        let span = self.node.value();
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

impl<'a> graph_model::JsonSource<'a> for TextValue<'a> {
    fn kind(self) -> graph_model::JsonKind {
        use graph_model::JsonKind;
        match self.node.kind() {
            SpanKind::Array => JsonKind::Array,
            SpanKind::Object => JsonKind::Object,
            SpanKind::Leaf => match self.literal().as_bytes().first() {
                Some(b'"') => JsonKind::String,
                Some(b't' | b'f') => JsonKind::Bool,
                Some(b'n') => JsonKind::Null,
                _ => JsonKind::Number,
            },
        }
    }

    fn as_str(self) -> Option<Cow<'a, str>> {
        if self.node.kind() != SpanKind::Leaf || !self.literal().starts_with('"') {
            return None;
        }
        Some(string_at(
            self.text,
            self.node.value(),
            self.node.string_escaped(),
        ))
    }

    fn as_bool(self) -> Option<bool> {
        match (self.node.kind(), self.literal()) {
            (SpanKind::Leaf, "true") => Some(true),
            (SpanKind::Leaf, "false") => Some(false),
            _ => None,
        }
    }

    fn as_number(self) -> Option<Number> {
        let literal = self.literal();
        match literal.as_bytes().first() {
            Some(b'-' | b'0'..=b'9') if self.node.kind() == SpanKind::Leaf => number_of(literal),
            _ => None,
        }
    }

    fn elements(self) -> impl Iterator<Item = Self> {
        let text = self.text;
        let children = (self.node.kind() == SpanKind::Array).then(|| self.node.children());
        children
            .into_iter()
            .flatten()
            .map(move |node| Self { text, node })
    }

    fn members(self) -> impl Iterator<Item = (Cow<'a, str>, Self)> {
        let text = self.text;
        let children = (self.node.kind() == SpanKind::Object).then(|| self.node.children());
        children
            .into_iter()
            .flatten()
            .map(move |node| (key_at(text, node), Self { text, node }))
    }

    fn member(self, key: &str) -> Option<(usize, Self)> {
        if self.node.kind() != SpanKind::Object {
            return None;
        }
        let (text, wanted) = (self.text, key.as_bytes());
        self.node
            .children()
            .enumerate()
            .find(|&(_, node)| match node.key() {
                // Compared as written: no decoding, and most keys differ in length.
                Some(span) if !node.key_escaped() => {
                    span.end - span.start == wanted.len() + 2
                        && text.as_bytes().get(span.start + 1..span.end - 1) == Some(wanted)
                }
                Some(_) => key_at(text, node) == key,
                None => false,
            })
            .map(|(position, node)| (position, Self { text, node }))
    }

    fn member_summary(self) -> (usize, u64) {
        if self.node.kind() != SpanKind::Object {
            return (0, 0);
        }
        self.node.children().fold((0, 0), |(count, mask), node| {
            let length = match node.key() {
                Some(span) if !node.key_escaped() => span.end - span.start - 2,
                _ => key_at(self.text, node).len(),
            };
            (count + 1, mask | 1 << (length % 64))
        })
    }

    fn to_value(self) -> Value {
        value_at(self.text, self.node)
    }
}

impl<'a> Parser<'a> {
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

    fn too_deep(&self, start: usize, options: &ParseOptions) -> SyntaxError {
        self.error(
            start,
            format!("nesting deeper than {} levels", options.max_depth),
        )
    }

    /// Checks a string and moves past it: whether it had an escape.
    fn skip_string(&mut self) -> Result<bool, SyntaxError> {
        self.parse_string(None)
    }

    fn run(&mut self, options: &ParseOptions) -> Result<ScannedJson, SyntaxError> {
        let mut stack: Vec<Frame<'a>> = Vec::new();
        let mut duplicates = Vec::new();
        // Roughly one value per 40 bytes in pretty-printed ASL; a good guess saves regrowing.
        let mut spans = SpanTable::with_capacity(self.bytes.len() / 40 + 1);
        let mut keys: Vec<RawKey> = Vec::new();
        let root_lead = self.pos;
        'value: loop {
            self.skip_ws();
            let start = self.pos;
            let (key, lead_start) = match stack.last() {
                Some(Frame::Object { pending, .. }) => (
                    Some((pending.key.span, pending.key.escaped)),
                    pending.lead_start,
                ),
                Some(Frame::Array { lead_start, .. }) => (None, *lead_start),
                None => (None, root_lead),
            };
            let mut node = match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    if stack.len() >= options.max_depth {
                        return Err(self.too_deep(start, options));
                    }
                    let (kind, close) = if open == b'{' {
                        (SpanKind::Object, b'}')
                    } else {
                        (SpanKind::Array, b']')
                    };
                    let node = spans.open(start, key, lead_start, kind);
                    self.pos += 1;
                    let lead_start = self.pos;
                    self.skip_ws();
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        node
                    } else {
                        let frame = match kind {
                            SpanKind::Object => Frame::Object {
                                node,
                                base: keys.len(),
                                pending: Pending {
                                    key: self.parse_key(false)?,
                                    lead_start,
                                },
                                seen: None,
                            },
                            _ => Frame::Array {
                                node,
                                count: 0,
                                lead_start,
                            },
                        };
                        stack.push(frame);
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    let node = spans.open(start, key, lead_start, SpanKind::Leaf);
                    if self.skip_string()? {
                        spans.mark_string_escaped(node);
                    }
                    node
                }
                Some(b'-' | b'0'..=b'9') => {
                    let node = spans.open(start, key, lead_start, SpanKind::Leaf);
                    self.parse_number()?;
                    node
                }
                Some(b't' | b'f' | b'n') => {
                    let node = spans.open(start, key, lead_start, SpanKind::Leaf);
                    self.parse_literal()?;
                    node
                }
                _ => return Err(self.unexpected("a JSON value")),
            };
            spans.close(node, self.pos);
            // Attach the finished value to its parent; close every container that ends here.
            loop {
                let depth = stack.len();
                let Some(frame) = stack.last_mut() else {
                    self.skip_ws();
                    if self.pos < self.bytes.len() {
                        return Err(self.unexpected("end of input after the top-level value"));
                    }
                    return Ok(ScannedJson { spans, duplicates });
                };
                match frame {
                    Frame::Array {
                        node: array_node,
                        count,
                        lead_start,
                    } => {
                        *count += 1;
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
                                node = *array_node;
                                stack.pop();
                                spans.close(node, self.pos);
                            }
                            _ => {
                                let opened = spans.at(*array_node).map_or(0, |n| n.value().start);
                                return Err(self.unexpected(&format!(
                                    "`,` or `]` after an array element (array opened at {})",
                                    line_col_of(self.text, opened)
                                )));
                            }
                        }
                    }
                    Frame::Object {
                        node: object_node,
                        base,
                        pending,
                        seen,
                    } => {
                        let (object_node, base, key) = (*object_node, *base, pending.key);
                        match find_key(self.text, &keys[base..], seen, key) {
                            Some(first) => {
                                // The first member stays; the repeated one and its spans go.
                                spans.truncate(node);
                                let first = spans
                                    .open_member_key(object_node, first)
                                    .unwrap_or(key.span);
                                let parent = parent_pointer(self.text, &stack[..depth - 1]);
                                let decoded = key.decoded(self.text).into_owned();
                                duplicates.push(DuplicateKey {
                                    pointer: format!("{parent}/{}", escape_segment(&decoded)),
                                    key: decoded,
                                    first,
                                    duplicate: key.span,
                                });
                            }
                            None => {
                                let position = keys.len() - base;
                                if let Some(seen) = seen {
                                    seen.insert(key.decoded(self.text), position);
                                } else if position + 1 > LINEAR_DUPLICATE_SCAN {
                                    let index = keys[base..]
                                        .iter()
                                        .chain([&key])
                                        .enumerate()
                                        .map(|(i, k)| (k.decoded(self.text), i))
                                        .collect();
                                    *seen = Some(index);
                                }
                                keys.push(key);
                            }
                        }
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                let lead_start = self.pos;
                                self.skip_ws();
                                let key = self.parse_key(true)?;
                                if let Some(Frame::Object { pending, .. }) = stack.last_mut() {
                                    *pending = Pending { key, lead_start };
                                }
                                continue 'value;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                stack.pop();
                                keys.truncate(base);
                                node = object_node;
                                spans.close(node, self.pos);
                            }
                            _ => {
                                let opened = spans.at(object_node).map_or(0, |n| n.value().start);
                                return Err(self.unexpected(&format!(
                                    "`,` or `}}` after an object member (object opened at {})",
                                    line_col_of(self.text, opened)
                                )));
                            }
                        }
                    }
                }
            }
        }
    }

    /// Parses `"key"` then `:`, leaving `pos` at the value.
    fn parse_key(&mut self, after_comma: bool) -> Result<RawKey, SyntaxError> {
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
        let escaped = self.skip_string()?;
        let span = Span::new(start, self.pos);
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("`:` after the property name"));
        }
        self.pos += 1;
        Ok(RawKey { span, escaped })
    }

    fn parse_literal(&mut self) -> Result<(), SyntaxError> {
        for word in ["true", "false", "null"] {
            if self.bytes[self.pos..].starts_with(word.as_bytes()) {
                let end = self.pos + word.len();
                if !self
                    .bytes
                    .get(end)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
                {
                    self.pos = end;
                    return Ok(());
                }
            }
        }
        Err(self.unexpected("a JSON value"))
    }

    fn parse_number(&mut self) -> Result<(), SyntaxError> {
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
        // Integers always have a value (i64, u64 or else a float); only a float can overflow.
        if integer && self.pos - int_start <= 18 {
            return Ok(());
        }
        match number_of(literal) {
            Some(_) => Ok(()),
            None => Err(self.error(start, format!("number `{literal}` is out of range"))),
        }
    }

    /// Checks a string starting at the opening quote and decodes it into `out`, if given; `pos`
    /// ends after the closing quote. Returns whether the string had an escape.
    fn parse_string(&mut self, out: Option<&mut String>) -> Result<bool, SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let chunk_start = self.pos;
        // Most strings have no escape: find the closing quote, then copy the slice once.
        let mut end = self.pos;
        while let Some(&b) = self.bytes.get(end) {
            if STRING_STOP[usize::from(b)] {
                break;
            }
            end += 1;
        }
        if self.bytes.get(end) == Some(&b'"') {
            if let Some(out) = out {
                out.push_str(&self.text[chunk_start..end]);
            }
            self.pos = end + 1;
            return Ok(false);
        }
        let mut local = String::new();
        let out = match out {
            Some(out) => out,
            None => &mut local,
        };
        let mut chunk_start = chunk_start;
        self.pos = end;
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
                    return Ok(true);
                }
                b'\\' => {
                    out.push_str(&self.text[chunk_start..self.pos]);
                    self.pos += 1;
                    self.parse_escape(out)?;
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

    /// Every pointer into `value`, the root first.
    fn pointers(value: &Value, prefix: String, out: &mut Vec<String>) {
        out.push(prefix.clone());
        match value {
            Value::Object(map) => {
                for (key, member) in map {
                    pointers(member, format!("{prefix}/{}", escape_segment(key)), out);
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    pointers(item, format!("{prefix}/{index}"), out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn the_flat_table_and_the_tree_agree_on_every_pointer() -> Result<(), Box<dyn std::error::Error>>
    {
        let text = "{\"a\": [1, {\"b\": 2, \"b\": {\"deep\": [3]}, \"c~/\": []}], \"a\": 0,\n \"d\": {}, \"e\": \"\\u00e9\"}";
        let document = parse_document(text, &ParseOptions::default())?;
        let tree = parse_default(text)?.spans;
        let root = document.spans.root().ok_or("empty table")?;
        let mut all = Vec::new();
        pointers(&document.value, String::new(), &mut all);
        all.push("/a/1/missing".to_owned());
        all.push("/a/7".to_owned());
        for pointer in &all {
            let (flat, flat_found) = root.lookup(&document.value, pointer);
            let (node, tree_found) = tree.lookup(pointer);
            assert_eq!(flat_found, tree_found, "{pointer}");
            assert_eq!(flat.value(), node.value, "{pointer}");
            assert_eq!(flat.key(), node.key, "{pointer}");
            assert_eq!(flat.lead_start(), node.lead_start, "{pointer}");
        }
        assert_eq!(document.duplicates.len(), 2);
        assert_eq!(document.duplicates[0].pointer, "/a/1/b");
        assert_eq!(document.duplicates[1].pointer, "/a");
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
        // Escapes decode before comparing, and large objects (a key index) find repeats too.
        let escaped = parse_default(r#"{"a": 1, "\u0061": 2}"#)?;
        assert_eq!(escaped.duplicates.len(), 1);
        assert_eq!(escaped.value, serde_json::json!({"a": 1}));
        let members: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        let large = format!("{{{}, \"k3\": 0, \"k39\": 0}}", members.join(", "));
        let large = parse_default(&large)?;
        let repeated: Vec<&str> = large.duplicates.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(repeated, ["k3", "k39"]);
        assert_eq!(large.value["k3"], serde_json::json!(3));
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
