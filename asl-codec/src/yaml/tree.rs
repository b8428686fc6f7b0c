//! The span-keeping YAML tree: every node with the byte range it occupies, its tag and anchor,
//! its scalar style, and for block collections the byte ranges of their members, built from
//! `saphyr-parser` events. Values are derived from the tree (aliases expanded, with a budget).

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

use crate::json::{ParseOptions, SyntaxError};
use crate::span::{LineCol, line_col_of};

/// Most values that aliases may expand to in one document: far more than any real template
/// repeats, far below a "billion laughs" expansion (a million values is tens of megabytes).
const MAX_ALIAS_EXPANSION: usize = 1_000_000;

/// How a node's content is written.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// A scalar: its decoded text and style.
    Scalar {
        /// The decoded text.
        text: String,
        /// Plain, quoted or block style.
        style: ScalarStyle,
    },
    /// A sequence.
    Seq {
        /// The items.
        items: Vec<Node>,
        /// `[...]` rather than `- ` lines.
        flow: bool,
    },
    /// A mapping.
    Map {
        /// The members, in order.
        entries: Vec<Entry>,
        /// `{...}` rather than `key:` lines.
        flow: bool,
    },
    /// `*name`: the node with this anchor id.
    Alias(usize),
}

/// A mapping member.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key node.
    pub key: Node,
    /// The value node.
    pub value: Node,
    /// Just after the `:` (where a value written fresh starts), when found.
    pub slot: Option<usize>,
}

/// A node and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The content.
    pub content: Content,
    /// Start of the node, its tag and anchor included.
    pub start: usize,
    /// Start of the content (after tag and anchor).
    pub content_start: usize,
    /// End of the content. For block collections, the end of the line (comment included) where
    /// the last member ends.
    pub end: usize,
    /// A local tag's name without `!` (`Ref`, `GetAtt`, ...), or a full tag for others.
    pub tag: Option<String>,
    /// Anchor id (0: none).
    pub anchor: usize,
}

impl Node {
    /// A scalar without a tag, written plain and empty (`key:` with nothing after it).
    pub fn is_empty_plain(&self) -> bool {
        matches!(&self.content, Content::Scalar { text, style: ScalarStyle::Plain } if text.is_empty())
            && self.tag.is_none()
            && self.anchor == 0
    }

    /// True for a block (indentation-based) mapping or sequence.
    pub fn is_block_collection(&self) -> bool {
        matches!(
            self.content,
            Content::Seq { flow: false, .. } | Content::Map { flow: false, .. }
        )
    }
}

/// A parsed YAML document: its root node (absent for an empty document) and the value.
#[derive(Debug, Clone)]
pub struct Document {
    /// The root node.
    pub root: Option<Node>,
    /// The value (aliases expanded, short tags as long forms).
    pub value: Value,
}

/// Byte offsets from the parser's line and column (robust to how it counts its index).
struct Positions<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    /// Spaces added before a line for the parser (see [`parse_events`]), by line index.
    padding: std::collections::BTreeMap<usize, usize>,
}

impl<'a> Positions<'a> {
    /// Positions in `text`, whose first `skip` bytes (a byte order mark) the parser did not see.
    fn new(text: &'a str, skip: usize) -> Self {
        let mut line_starts = vec![skip];
        for (i, byte) in text.bytes().enumerate() {
            if byte == b'\n' {
                line_starts.push(i + 1);
            }
        }
        Self {
            text,
            line_starts,
            padding: std::collections::BTreeMap::new(),
        }
    }

    fn offset(&self, mark: &Marker) -> usize {
        let line = mark.line().max(1) - 1;
        let Some(&start) = self.line_starts.get(line) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let line_text = rest.split('\n').next().unwrap_or("");
        let col = mark
            .col()
            .saturating_sub(self.padding.get(&line).copied().unwrap_or(0));
        match line_text.char_indices().nth(col) {
            Some((i, _)) => start + i,
            None => start + line_text.len(),
        }
    }
}

fn syntax_error(text: &str, offset: usize, message: String) -> SyntaxError {
    SyntaxError {
        message,
        offset,
        location: line_col_of(text, offset.min(text.len())),
    }
}

/// A collection being read.
struct Open {
    start: usize,
    tag: Option<String>,
    anchor: usize,
    content_start: usize,
    flow: bool,
    is_map: bool,
    children: Vec<Node>,
}

/// Parses one YAML document into its tree. Errors on a syntax error, a second document, nesting
/// deeper than `options.max_depth`, or input over `options.max_bytes`.
pub fn parse_tree(text: &str, options: &ParseOptions) -> Result<Option<Node>, SyntaxError> {
    if text.len() > options.max_bytes {
        return Err(syntax_error(
            text,
            0,
            format!(
                "input is {} bytes, more than the limit of {} bytes",
                text.len(),
                options.max_bytes
            ),
        ));
    }
    let skip = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut positions = Positions::new(text, skip);
    let events = parse_events(text, skip, options.max_depth, &mut positions)?;
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    for (event, start_mark, end_mark) in events {
        let start = positions.offset(&start_mark);
        let end = positions.offset(&end_mark).max(start);
        let node = match event {
            Ev::DocumentStart => {
                documents += 1;
                if documents > 1 {
                    return Err(syntax_error(
                        text,
                        start,
                        "YAML: more than one document in the stream is not supported".to_owned(),
                    ));
                }
                continue;
            }
            Ev::Other => continue,
            Ev::Scalar(value, style, anchor, tag) => {
                let (mut start, mut end) = (start, end);
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    end = trim_back(text, start, end);
                    // The parser marks the first content line; the node starts at its `|` or `>`.
                    if let Some(header) = block_scalar_header(text, start) {
                        start = header;
                    }
                }
                let has_props = tag.is_some() || anchor > 0;
                let is_empty = value.is_empty() && style == ScalarStyle::Plain;
                let (content_start, end) = if is_empty {
                    // The parser places an empty scalar at the next token: it sits where its
                    // properties end, or is fixed up by its parent.
                    let at = if has_props {
                        properties_end(text, start)
                    } else {
                        start
                    };
                    (at, at)
                } else {
                    (start, end)
                };
                let node_start = if has_props {
                    properties_start(
                        text,
                        content_start,
                        usize::from(tag.is_some()) + usize::from(anchor > 0),
                    )
                } else {
                    content_start
                };
                Node {
                    content: Content::Scalar { text: value, style },
                    start: node_start,
                    content_start,
                    end,
                    tag,
                    anchor,
                }
            }
            Ev::Alias(id) => Node {
                content: Content::Alias(id),
                start,
                content_start: start,
                end,
                tag: None,
                anchor: 0,
            },
            Ev::Start {
                is_map,
                anchor,
                tag,
            } => {
                let flow = text[start..].starts_with(['[', '{']);
                let props = usize::from(tag.is_some()) + usize::from(anchor > 0);
                let node_start = if props > 0 {
                    properties_start(text, start, props)
                } else {
                    start
                };
                stack.push(Open {
                    start: node_start,
                    tag,
                    anchor,
                    content_start: start,
                    flow,
                    is_map,
                    children: Vec::new(),
                });
                continue;
            }
            Ev::End => {
                let Some(open) = stack.pop() else {
                    continue;
                };
                close(text, open, end)?
            }
        };
        match stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => root = Some(node),
        }
    }
    Ok(root)
}

/// Most closing brackets that [`parse_events`] re-indents for the parser.
const MAX_PADDED_CLOSERS: usize = 64;

/// The parser's events for `text` (after `skip` bytes). YAML 1.2 wants a flow collection's
/// closing bracket indented deeper than the block it sits in; libyaml (and so CloudFormation and
/// yesterday's reader) accepts it at any column, and real templates rely on that. Such a line is
/// indented for the parser, as deep as the line before it; `positions` maps columns back.
fn parse_events(
    text: &str,
    skip: usize,
    max_depth: usize,
    positions: &mut Positions<'_>,
) -> Result<Events, SyntaxError> {
    let body = &text[skip..];
    let mut padded = std::borrow::Cow::Borrowed(body);
    loop {
        // The parser comes from another crate: a panic inside it on hostile input must become
        // an error, never take the process down.
        let result =
            std::panic::catch_unwind(|| collect_events(&padded, max_depth)).map_err(|_| {
                syntax_error(text, 0, "YAML: the parser failed on this input".to_owned())
            })?;
        let (mark, message) = match result {
            Ok(events) => return Ok(events),
            Err(error) => error,
        };
        let line = mark.line().max(1) - 1;
        let lines: Vec<&str> = body.split('\n').collect();
        let closer = lines.get(line).map(|l| l.trim_start_matches(' '));
        let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
        let previous = lines[..line.min(lines.len())]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| indent(l));
        let fixable = message.contains("invalid indentation")
            && positions.padding.len() < MAX_PADDED_CLOSERS
            && !positions.padding.contains_key(&line)
            && closer.is_some_and(|c| c.starts_with(['}', ']']));
        let (true, Some(want), Some(current)) =
            (fixable, previous, lines.get(line).map(|l| indent(l)))
        else {
            return Err(syntax_error(text, positions.offset(&mark), message));
        };
        if want <= current {
            return Err(syntax_error(text, positions.offset(&mark), message));
        }
        positions.padding.insert(line, want - current);
        let mut rebuilt = String::with_capacity(body.len() + 64);
        for (i, l) in lines.iter().enumerate() {
            if i > 0 {
                rebuilt.push('\n');
            }
            if let Some(&pad) = positions.padding.get(&i) {
                rebuilt.extend(std::iter::repeat_n(' ', pad));
            }
            rebuilt.push_str(l);
        }
        padded = std::borrow::Cow::Owned(rebuilt);
    }
}

/// Finishes a collection: pairs mapping members and fixes empty values' positions.
fn close(text: &str, open: Open, end_mark: usize) -> Result<Node, SyntaxError> {
    let Open {
        start,
        tag,
        anchor,
        content_start,
        flow,
        is_map,
        children,
    } = open;
    let (mut start, mut content_start) = (start, content_start);
    if !flow
        && !is_map
        && let Some(first) = children.first()
    {
        // A block sequence starts at its first `-`, wherever the parser marks it.
        let before = text[..first.start.min(text.len())].trim_end_matches([' ', '\t', '\r', '\n']);
        if before.ends_with('-') {
            if start == content_start {
                start = before.len() - 1;
            }
            content_start = before.len() - 1;
        }
    }
    let mut cursor = content_start;
    let content = if is_map {
        let mut entries = Vec::with_capacity(children.len() / 2);
        let mut iter = children.into_iter();
        while let Some(mut key) = iter.next() {
            let Some(mut value) = iter.next() else {
                break;
            };
            if key.is_empty_plain() {
                key.start = cursor;
                key.content_start = cursor;
                key.end = cursor;
            }
            let slot = colon_after(text, key.end).map(|colon| colon + 1);
            if value.is_empty_plain()
                && let Some(slot) = slot
            {
                value.start = slot;
                value.content_start = slot;
                value.end = slot;
            }
            cursor = value.end.max(key.end);
            entries.push(Entry { key, value, slot });
        }
        Content::Map { entries, flow }
    } else {
        let mut items = Vec::with_capacity(children.len());
        for mut item in children {
            if !flow
                && item.is_empty_plain()
                && let Some(dash) = dash_after(text, cursor)
            {
                item.start = dash + 1;
                item.content_start = dash + 1;
                item.end = dash + 1;
            }
            cursor = item.end.max(cursor);
            items.push(item);
        }
        Content::Seq { items, flow }
    };
    let end = if flow {
        // The end event spans the closing bracket.
        end_mark.min(text.len())
    } else {
        let last = match &content {
            Content::Map { entries, .. } => entries.last().map(|e| e.value.end.max(e.key.end)),
            Content::Seq { items, .. } => items.last().map(|i| i.end),
            _ => None,
        };
        line_end(text, last.unwrap_or(content_start))
    };
    Ok(Node {
        content,
        start,
        content_start,
        end,
        tag,
        anchor,
    })
}

/// End of the line holding `offset` (before `\r\n` or `\n`).
pub fn line_end(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if end > offset && text.as_bytes().get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

/// The `|` or `>` of a block scalar whose content starts at `content`: on the last line before
/// it that holds more than white space (after any comment is cut off).
fn block_scalar_header(text: &str, content: usize) -> Option<usize> {
    let before = &text[..content.min(text.len())];
    let mut line_end = before.len();
    loop {
        let line_start = before[..line_end].rfind('\n').map_or(0, |i| i + 1);
        let line = &before[line_start..line_end];
        let code = match line.find(" #").or_else(|| line.find("\t#")) {
            Some(cut) => &line[..cut],
            None => line,
        };
        if !code.trim().is_empty() || line.trim_start().starts_with('#') && line_start == 0 {
            return code.rfind(['|', '>']).map(|i| line_start + i);
        }
        if line_start == 0 {
            return None;
        }
        line_end = line_start - 1;
    }
}

fn trim_back(text: &str, start: usize, end: usize) -> usize {
    let slice = text.get(start..end).unwrap_or("");
    start + slice.trim_end_matches([' ', '\t', '\r', '\n']).len()
}

/// The `:` of a block or flow mapping member whose key ends at `key_end`.
fn colon_after(text: &str, key_end: usize) -> Option<usize> {
    let rest = text.get(key_end..)?;
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
    (rest[skipped..].starts_with(':')).then_some(key_end + skipped)
}

/// The next `- ` indicator at or after `from`, over white space and comments.
fn dash_after(text: &str, from: usize) -> Option<usize> {
    let mut i = from;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => i = line_end(text, i),
            b'-' => return Some(i),
            _ => return None,
        }
    }
    None
}

/// Where `count` properties (`!tag`, `&anchor`) written before `content_start` begin.
fn properties_start(text: &str, content_start: usize, count: usize) -> usize {
    let mut start = content_start.min(text.len());
    for _ in 0..count {
        let before = text[..start].trim_end_matches([' ', '\t', '\r', '\n']);
        let token_start = before
            .rfind([' ', '\t', '\r', '\n', '[', '{', ','])
            .map_or(0, |i| i + 1);
        let token = &before[token_start..];
        if token.starts_with(['!', '&']) {
            start = token_start;
        } else {
            break;
        }
    }
    start
}

/// Where the properties of an empty node end, the parser having placed it at the next token.
fn properties_end(text: &str, next_token: usize) -> usize {
    let start = properties_start(text, next_token, 2);
    let rest = &text[start..next_token.min(text.len())];
    let mut end = start;
    for token in rest.split([' ', '\t', '\r', '\n']) {
        if token.starts_with(['!', '&']) {
            end = token.as_ptr() as usize - text.as_ptr() as usize + token.len();
        }
    }
    end
}

/// The events the tree needs, with their start and end marks.
enum Ev {
    DocumentStart,
    Scalar(String, ScalarStyle, usize, Option<String>),
    Alias(usize),
    Start {
        is_map: bool,
        anchor: usize,
        tag: Option<String>,
    },
    End,
    Other,
}

fn tag_name(tag: &saphyr_parser::Tag) -> String {
    if tag.handle == "!" {
        tag.suffix.clone()
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

type Events = Vec<(Ev, Marker, Marker)>;

enum Kind {
    Map,
    Other,
}

fn collect_events(text: &str, max_depth: usize) -> Result<Events, (Marker, String)> {
    let mut parser = Parser::new_from_str(text);
    let mut events = Vec::new();
    let mut depth = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, span) =
            next.map_err(|error| (*error.marker(), format!("YAML: {}", error.info())))?;
        let event_kind = if matches!(event, Event::MappingStart(..)) {
            Kind::Map
        } else {
            Kind::Other
        };
        let ev = match event {
            Event::DocumentStart(_) => Ev::DocumentStart,
            Event::Scalar(value, style, anchor, tag) => {
                Ev::Scalar(value.into_owned(), style, anchor, tag.map(|t| tag_name(&t)))
            }
            Event::Alias(id) => Ev::Alias(id),
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                let is_map = matches!(event_kind, Kind::Map);
                depth += 1;
                if depth > max_depth {
                    return Err((
                        span.start,
                        format!("nesting deeper than {max_depth} levels"),
                    ));
                }
                Ev::Start {
                    is_map,
                    anchor,
                    tag: tag.map(|t| tag_name(&t)),
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                depth = depth.saturating_sub(1);
                Ev::End
            }
            _ => Ev::Other,
        };
        events.push((ev, span.start, span.end));
    }
    Ok(events)
}

/// Builds the value of a tree: short tags as long forms, aliases expanded within a budget,
/// duplicate keys refused.
pub fn to_value(text: &str, root: &Node) -> Result<Value, SyntaxError> {
    let mut builder = ValueBuilder {
        text,
        anchors: std::collections::HashMap::new(),
        budget: MAX_ALIAS_EXPANSION,
    };
    builder.build(root)
}

struct ValueBuilder<'a> {
    text: &'a str,
    anchors: std::collections::HashMap<usize, Value>,
    budget: usize,
}

impl ValueBuilder<'_> {
    fn spend(&mut self, amount: usize, at: usize) -> Result<(), SyntaxError> {
        self.budget = self.budget.checked_sub(amount).ok_or_else(|| {
            syntax_error(
                self.text,
                at,
                "YAML: aliases expand to too many values (an alias bomb?)".to_owned(),
            )
        })?;
        Ok(())
    }

    fn build(&mut self, node: &Node) -> Result<Value, SyntaxError> {
        let plain = match &node.content {
            Content::Scalar { text, style } => scalar_value(text, *style, node.tag.as_deref())
                .map_err(|message| syntax_error(self.text, node.content_start, message))?,
            Content::Alias(id) => {
                let value = self.anchors.get(id).cloned().ok_or_else(|| {
                    syntax_error(self.text, node.start, "YAML: unknown alias".to_owned())
                })?;
                self.spend(count_values(&value), node.start)?;
                value
            }
            Content::Seq { items, .. } => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.build(item)?);
                }
                Value::Array(out)
            }
            Content::Map { entries, .. } => {
                let mut out = Map::new();
                for entry in entries {
                    let key = match &entry.key.content {
                        Content::Scalar { text, style } => key_text(text, *style),
                        _ => {
                            return Err(syntax_error(
                                self.text,
                                entry.key.start,
                                "YAML: a mapping key that is not a scalar".to_owned(),
                            ));
                        }
                    };
                    let value = self.build(&entry.value)?;
                    if out.insert(key.clone(), value).is_some() {
                        return Err(syntax_error(
                            self.text,
                            entry.key.start,
                            format!("YAML: duplicate mapping key {key:?}"),
                        ));
                    }
                }
                Value::Object(out)
            }
        };
        let value = match &node.tag {
            Some(tag) if !matches!(node.content, Content::Scalar { .. }) || !is_core_tag(tag) => {
                long_form(tag, plain)
            }
            _ => plain,
        };
        if node.anchor > 0 {
            self.anchors.insert(node.anchor, value.clone());
        }
        Ok(value)
    }
}

fn count_values(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(count_values).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(count_values).sum::<usize>(),
        _ => 1,
    }
}

/// True for a YAML core-schema tag (`!!str`, `!!int`, ...), which only says how to read a scalar.
pub fn is_core_tag(tag: &str) -> bool {
    tag.starts_with("tag:yaml.org,2002:")
}

/// The long form of a CloudFormation short tag: `!Ref X` is `{"Ref": "X"}`, `!GetAtt A.B` is
/// `{"Fn::GetAtt": ["A", "B"]}`, `!Condition C` is `{"Condition": "C"}`, any other `!Name v` is
/// `{"Fn::Name": v}`.
pub fn long_form(tag: &str, inner: Value) -> Value {
    let (name, inner) = match tag {
        "Ref" | "Condition" => (tag.to_owned(), inner),
        "GetAtt" => {
            let inner = match inner {
                Value::String(s) => match s.split_once('.') {
                    Some((resource, attribute)) => Value::Array(vec![
                        Value::String(resource.to_owned()),
                        Value::String(attribute.to_owned()),
                    ]),
                    None => Value::String(s),
                },
                other => other,
            };
            ("Fn::GetAtt".to_owned(), inner)
        }
        _ => (format!("Fn::{tag}"), inner),
    };
    let mut map = Map::new();
    map.insert(name, inner);
    Value::Object(map)
}

/// The long-form key a short tag stands for.
pub fn long_key(tag: &str) -> String {
    match tag {
        "Ref" | "Condition" => tag.to_owned(),
        _ => format!("Fn::{tag}"),
    }
}

fn key_text(text: &str, style: ScalarStyle) -> String {
    if style == ScalarStyle::Plain && matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        "null".to_owned()
    } else {
        text.to_owned()
    }
}

/// What a plain scalar means in the YAML 1.2 core schema.
#[derive(Debug, PartialEq)]
pub enum Plain {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer or a float (possibly not representable).
    Number,
    /// `.inf`, `.nan`: no JSON equivalent.
    NonFinite,
    /// Anything else.
    String,
}

/// Classifies a plain scalar's text.
pub fn classify_plain(text: &str) -> Plain {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Plain::Null,
        "true" | "True" | "TRUE" => return Plain::Bool(true),
        "false" | "False" | "FALSE" => return Plain::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return Plain::NonFinite,
        _ => {}
    }
    if is_yaml_number(text) {
        Plain::Number
    } else {
        Plain::String
    }
}

fn is_yaml_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if let Some(hex) = unsigned.strip_prefix("0x") {
        return !hex.is_empty()
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
            && unsigned.len() == text.len();
    }
    if let Some(oct) = unsigned.strip_prefix("0o") {
        return !oct.is_empty()
            && oct.bytes().all(|b| (b'0'..=b'7').contains(&b))
            && unsigned.len() == text.len();
    }
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let bytes = unsigned.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let from = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - from
    };
    let whole = digits(&mut i);
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        let fraction = digits(&mut i);
        if whole == 0 && fraction == 0 {
            return false;
        }
    } else if whole == 0 {
        return false;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        i += 1;
        if i < bytes.len() && (bytes[i] == b'-' || bytes[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == bytes.len()
}

/// The JSON number a YAML number literal stands for. Integers beyond 64 bits and floats beyond
/// f64's range or precision become the nearest f64, as JSON text does; the literal itself is kept
/// by the writers.
pub fn number_value(text: &str) -> Option<Number> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let radix = if let Some(hex) = unsigned.strip_prefix("0x") {
        Some((hex, 16))
    } else {
        unsigned.strip_prefix("0o").map(|oct| (oct, 8))
    };
    if let Some((digits, radix)) = radix {
        let magnitude = u64::from_str_radix(digits, radix).ok()?;
        return if negative {
            i64::try_from(magnitude).ok().map(|m| Number::from(-m))
        } else {
            Some(Number::from(magnitude))
        };
    }
    if unsigned.bytes().all(|b| b.is_ascii_digit()) {
        if negative && unsigned.bytes().all(|b| b == b'0') {
            // As JSON reads it.
            return Number::from_f64(-0.0);
        }
        if negative {
            if let Ok(i) = format!("-{unsigned}").parse::<i64>() {
                return Some(Number::from(i));
            }
        } else if let Ok(u) = unsigned.parse::<u64>() {
            return Some(Number::from(u));
        }
    }
    let float: f64 = text.parse().ok()?;
    Number::from_f64(float)
}

fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&str>) -> Result<Value, String> {
    let core = tag
        .filter(|t| is_core_tag(t))
        .map(|t| &t["tag:yaml.org,2002:".len()..]);
    if core == Some("str") || (style != ScalarStyle::Plain && core.is_none()) {
        return Ok(Value::String(text.to_owned()));
    }
    if tag.is_some() && core.is_none() {
        // A custom tag on a plain scalar: the scalar reads as usual, then becomes a long form.
        return scalar_value(text, ScalarStyle::Plain, None);
    }
    Ok(match classify_plain(text) {
        Plain::Null => Value::Null,
        Plain::Bool(b) => Value::Bool(b),
        Plain::Number => match number_value(text) {
            Some(n) => Value::Number(n),
            None => return Err(format!("YAML number {text} has no JSON equivalent")),
        },
        Plain::NonFinite => return Err(format!("YAML number {text} has no JSON equivalent")),
        Plain::String => Value::String(text.to_owned()),
    })
}

/// Line and column of a byte offset (1-based).
pub fn position(text: &str, offset: usize) -> LineCol {
    line_col_of(text, offset.min(text.len()))
}
