//! The preserving YAML writer: an edited value written into the original text, reusing the
//! bytes of every unchanged node and of the comments, blank lines and indentation around them.
//! Changed scalars keep their quoting style where the new text allows; new members and items are
//! written in block style at their siblings' indentation (flow inside flow collections); removed
//! members take their lines and the comments that follow them along.

use std::collections::HashMap;

use saphyr_parser::ScalarStyle;
use serde_json::{Map, Value};

use super::emit::{self, Layout};
use super::tree::{Content, Entry, Node, is_core_tag, line_end, long_key};

/// Where a node sits, for writing it fresh.
#[derive(Clone, Copy)]
struct Ctx {
    /// Column for block content written fresh in place of the node.
    column: usize,
    /// Just after the `key:` or `-` that introduces the node (a fresh block collection starts
    /// there, on a new line).
    slot: Option<usize>,
    /// The node follows `-`.
    after_dash: bool,
    /// The node is inside a flow collection.
    in_flow: bool,
}

/// A writer over one YAML text.
pub struct Editor<'a> {
    text: &'a str,
    layout: Layout,
}

impl<'a> Editor<'a> {
    /// A writer over `text`, whose tree is `root`, laying fresh text out as the file does.
    pub fn new(text: &'a str, root: &Node) -> Self {
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        Self {
            text,
            layout: Layout {
                step: indent_step(text, root).unwrap_or(2),
                newline,
            },
        }
    }

    /// The whole text with the root node's value changed from `old` to `new`.
    pub fn write(&self, root: &Node, old: &Value, new: &Value) -> String {
        let ctx = Ctx {
            column: self.column(root.start),
            slot: None,
            after_dash: false,
            in_flow: false,
        };
        let (start, body) = self.rewrite(root, old, new, ctx);
        let mut out = String::with_capacity(self.text.len() + body.len());
        out.push_str(self.slice(0, start));
        out.push_str(&body);
        out.push_str(self.slice(root.end, self.text.len()));
        out
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    fn column(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        offset - self.text[..offset].rfind('\n').map_or(0, |i| i + 1)
    }

    /// Replacement text for `node` (from the returned start to `node.end`).
    fn rewrite(&self, node: &Node, old: &Value, new: &Value, ctx: Ctx) -> (usize, String) {
        if old == new {
            return (node.start, self.slice(node.start, node.end).to_owned());
        }
        match node.tag.as_deref() {
            Some(tag) if !is_core_tag(tag) => self.rewrite_tagged(node, tag, old, new, ctx),
            Some(_) => self.fresh(node, new, ctx),
            None => self.rewrite_content(node, old, new, ctx),
        }
    }

    /// A short-tagged node stays short when the new value is still that tag's long form.
    fn rewrite_tagged(
        &self,
        node: &Node,
        tag: &str,
        old: &Value,
        new: &Value,
        ctx: Ctx,
    ) -> (usize, String) {
        let key = long_key(tag);
        let (Some(old_inner), Some(new_inner)) =
            (single_member(old, &key), single_member(new, &key))
        else {
            return self.fresh(node, new, ctx);
        };
        let props = self.slice(node.start, node.content_start);
        if let Content::Scalar { text, style } = &node.content {
            // `!GetAtt A.B` holds ["A", "B"]: written back dotted when it can be.
            let dotted = match new_inner {
                Value::Array(parts) if tag == "GetAtt" => match parts.as_slice() {
                    [Value::String(a), Value::String(b)] if !a.contains('.') => {
                        Some(Value::String(format!("{a}.{b}")))
                    }
                    _ => None,
                },
                Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => {
                    Some(new_inner.clone())
                }
                _ => None,
            };
            return match dotted {
                Some(scalar) => {
                    let body = self.scalar_text(&scalar, *style, ctx.in_flow, text, ctx.column);
                    (node.start, format!("{props}{body}"))
                }
                None => self.fresh(node, new, ctx),
            };
        }
        if !fits(node, new_inner) {
            return self.fresh(node, new, ctx);
        }
        let (start, body) = self.rewrite_content(node, old_inner, new_inner, ctx);
        if start < node.content_start {
            (start, body)
        } else {
            (node.start, format!("{}{}", props, body))
        }
    }

    /// Rewrites a node's content, ignoring its tag.
    fn rewrite_content(&self, node: &Node, old: &Value, new: &Value, ctx: Ctx) -> (usize, String) {
        if !fits(node, new) {
            return self.fresh(node, new, ctx);
        }
        match (&node.content, old, new) {
            (Content::Scalar { text, style }, _, _) => {
                let body = self.scalar_text(new, *style, ctx.in_flow, text, ctx.column);
                (node.content_start, body)
            }
            (
                Content::Map {
                    entries,
                    flow: false,
                },
                Value::Object(old),
                Value::Object(new),
            ) => match self.block_map(entries, old, new) {
                Some(body) => (node.content_start, body),
                None => self.fresh(node, &Value::Object(new.clone()), ctx),
            },
            (
                Content::Map {
                    entries,
                    flow: true,
                },
                Value::Object(old),
                Value::Object(new),
            ) => (node.content_start, self.flow_map(entries, old, new)),
            (Content::Seq { items, flow: false }, Value::Array(old), Value::Array(new)) => {
                match self.block_seq(items, old, new) {
                    Some(body) => (node.content_start, body),
                    None => self.fresh(node, &Value::Array(new.clone()), ctx),
                }
            }
            (Content::Seq { items, flow: true }, Value::Array(old), Value::Array(new)) => {
                (node.content_start, self.flow_seq(items, old, new))
            }
            _ => self.fresh(node, new, ctx),
        }
    }

    /// A scalar in the old style where the new value allows it; a block scalar (`|`, `>`) stays
    /// a block (literal) with its lines at `column`.
    fn scalar_text(
        &self,
        new: &Value,
        style: ScalarStyle,
        in_flow: bool,
        old_text: &str,
        column: usize,
    ) -> String {
        match new {
            Value::String(s) => {
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && let Some(block) = emit::literal_block(s, column, self.layout.newline)
                {
                    return block;
                }
                let style = match style {
                    ScalarStyle::Literal | ScalarStyle::Folded => ScalarStyle::DoubleQuoted,
                    ScalarStyle::Plain if emit::plain_is_safe(old_text, in_flow) => {
                        ScalarStyle::Plain
                    }
                    other => other,
                };
                emit::string_text(s, style, in_flow)
            }
            other => emit::flow(other, None),
        }
    }

    /// `new` written fresh where `node` was.
    fn fresh(&self, node: &Node, new: &Value, ctx: Ctx) -> (usize, String) {
        if ctx.in_flow {
            return (node.start, emit::flow(new, None));
        }
        match ctx.slot {
            Some(slot) => (
                slot,
                emit::after_indicator(new, None, ctx.column, &self.layout, ctx.after_dash),
            ),
            None => {
                let mut out = String::new();
                emit::block(&mut out, new, None, self.column(node.start), &self.layout);
                (node.start, out)
            }
        }
    }

    /// A block mapping's members in the new order: kept members keep their text (their values
    /// rewritten), renamed members keep their place, new members are written fresh.
    fn block_map(
        &self,
        entries: &[Entry],
        old: &Map<String, Value>,
        new: &Map<String, Value>,
    ) -> Option<String> {
        let first = entries.first()?;
        let key_column = self.column(first.key.start);
        let keys: Vec<String> = old.keys().cloned().collect();
        if keys.len() != entries.len() {
            return None;
        }
        let positions: HashMap<&str, usize> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let index_of = |key: &str| positions.get(key).copied();
        // Removed keys and added keys, paired in order: a rename keeps its place and comments.
        let removed: Vec<usize> = (0..keys.len())
            .filter(|&i| !new.contains_key(&keys[i]))
            .collect();
        let added: Vec<&String> = new.keys().filter(|k| !old.contains_key(*k)).collect();
        let renames: HashMap<&str, usize> = added
            .iter()
            .zip(&removed)
            .map(|(key, &from)| (key.as_str(), from))
            .collect();
        let renamed_from = |key: &str| renames.get(key).copied();
        let mut pieces = Vec::with_capacity(new.len());
        for (key, value) in new {
            let piece = match (index_of(key), renamed_from(key)) {
                (Some(i), _) => self.entry_piece(entries, i, &old[key], value, None, key_column)?,
                (None, Some(i)) => {
                    self.entry_piece(entries, i, &old[&keys[i]], value, Some(key), key_column)?
                }
                (None, None) => Piece {
                    body: format!(
                        "{}:{}",
                        emit::key_text(key),
                        emit::after_indicator(
                            value,
                            None,
                            key_column + self.layout.step,
                            &self.layout,
                            false
                        )
                    ),
                    gap: None,
                },
            };
            pieces.push(piece);
        }
        Some(self.join(&pieces, key_column))
    }

    fn entry_piece(
        &self,
        entries: &[Entry],
        i: usize,
        old: &Value,
        new: &Value,
        rename: Option<&str>,
        key_column: usize,
    ) -> Option<Piece<'a>> {
        let entry = entries.get(i)?;
        let body_end = line_end(self.text, entry.value.end.max(entry.key.end));
        let gap = entries
            .get(i + 1)
            .map(|next| self.slice(body_end, next.key.start));
        let ctx = Ctx {
            column: key_column + self.layout.step,
            slot: entry.slot,
            after_dash: false,
            in_flow: false,
        };
        let (value_start, value_text) = self.rewrite(&entry.value, old, new, ctx);
        let mut body = String::new();
        match rename {
            Some(key) => {
                let style = match &entry.key.content {
                    Content::Scalar { style, .. } => *style,
                    _ => ScalarStyle::Plain,
                };
                body.push_str(&emit::string_text(key, style, false));
                body.push_str(self.slice(entry.key.end, value_start));
            }
            None => body.push_str(self.slice(entry.key.start, value_start)),
        }
        body.push_str(&value_text);
        body.push_str(self.slice(entry.value.end, body_end));
        Some(Piece { body, gap })
    }

    /// A block sequence: the common head and tail are kept as they are, the middle items are
    /// rewritten in place, added or dropped.
    fn block_seq(&self, items: &[Node], old: &[Value], new: &[Value]) -> Option<String> {
        if items.len() != old.len() || items.is_empty() {
            return None;
        }
        let dashes: Vec<usize> = items
            .iter()
            .map(|item| {
                let before = self.text[..item.start.min(self.text.len())]
                    .trim_end_matches([' ', '\t', '\r', '\n']);
                before.ends_with('-').then(|| before.len() - 1)
            })
            .collect::<Option<_>>()?;
        let dash_column = self.column(dashes[0]);
        let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        let tail = old[head..]
            .iter()
            .rev()
            .zip(new[head..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let mut pieces = Vec::with_capacity(new.len());
        for (j, value) in new.iter().enumerate() {
            let i = if j < head {
                Some(j)
            } else if j >= new.len() - tail {
                Some(old.len() - (new.len() - j))
            } else if j - head < old.len() - tail - head {
                Some(j)
            } else {
                None
            };
            let piece = match i {
                Some(i) => {
                    let item = &items[i];
                    let body_end = line_end(self.text, item.end);
                    let ctx = Ctx {
                        column: dash_column + 2,
                        slot: Some(dashes[i] + 1),
                        after_dash: true,
                        in_flow: false,
                    };
                    let (start, text) = self.rewrite(item, &old[i], value, ctx);
                    let mut body = self.slice(dashes[i], start).to_owned();
                    body.push_str(&text);
                    body.push_str(self.slice(item.end, body_end));
                    Piece {
                        body,
                        gap: dashes.get(i + 1).map(|&next| self.slice(body_end, next)),
                    }
                }
                None => Piece {
                    body: format!(
                        "-{}",
                        emit::after_indicator(value, None, dash_column + 2, &self.layout, true)
                    ),
                    gap: None,
                },
            };
            pieces.push(piece);
        }
        Some(self.join(&pieces, dash_column))
    }

    /// Pieces of a block collection joined by their original gaps (comments, blank lines), or by
    /// a newline at `column` where a piece had none.
    fn join(&self, pieces: &[Piece<'_>], column: usize) -> String {
        let mut out = String::new();
        for (i, piece) in pieces.iter().enumerate() {
            if i > 0 {
                match pieces[i - 1].gap {
                    Some(gap) => out.push_str(gap),
                    None => {
                        out.push_str(self.layout.newline);
                        out.push_str(&" ".repeat(column));
                    }
                }
            }
            out.push_str(&piece.body);
        }
        // The last piece's own comments stay; the indentation that led to its old successor
        // does not.
        if let Some(gap) = pieces.last().and_then(|p| p.gap)
            && let Some(cut) = gap.rfind('\n')
        {
            let kept = &gap[..cut];
            out.push_str(kept.strip_suffix('\r').unwrap_or(kept));
        }
        out
    }

    fn flow_map(
        &self,
        entries: &[Entry],
        old: &Map<String, Value>,
        new: &Map<String, Value>,
    ) -> String {
        let positions: HashMap<&str, usize> = old
            .keys()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let aligned = old.len() == entries.len();
        let parts: Vec<String> = new
            .iter()
            .map(|(key, value)| {
                let found = positions.get(key.as_str()).copied().filter(|_| aligned);
                match found.and_then(|i| entries.get(i).map(|e| (i, e))) {
                    Some((_, entry)) => {
                        let ctx = Ctx {
                            column: 0,
                            slot: None,
                            after_dash: false,
                            in_flow: true,
                        };
                        let (start, text) = self.rewrite(&entry.value, &old[key], value, ctx);
                        format!("{}{}", self.slice(entry.key.start, start), text)
                    }
                    None => format!(
                        "{}: {}",
                        emit::string_text(key, ScalarStyle::Plain, true),
                        emit::flow(value, None)
                    ),
                }
            })
            .collect();
        format!("{{{}}}", parts.join(", "))
    }

    fn flow_seq(&self, items: &[Node], old: &[Value], new: &[Value]) -> String {
        let aligned = items.len() == old.len();
        let parts: Vec<String> = new
            .iter()
            .enumerate()
            .map(|(i, value)| match (items.get(i), old.get(i)) {
                (Some(item), Some(old)) if aligned => {
                    let ctx = Ctx {
                        column: 0,
                        slot: None,
                        after_dash: false,
                        in_flow: true,
                    };
                    self.rewrite(item, old, value, ctx).1
                }
                _ => emit::flow(value, None),
            })
            .collect();
        format!("[{}]", parts.join(", "))
    }
}

/// A member or item of a block collection: its text, and what followed it up to the next one.
struct Piece<'a> {
    body: String,
    gap: Option<&'a str>,
}

fn single_member<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    match value {
        Value::Object(map) if map.len() == 1 => map.get(key),
        _ => None,
    }
}

/// True when `new` can be written by editing `node`'s content in place.
fn fits(node: &Node, new: &Value) -> bool {
    match (&node.content, new) {
        (Content::Scalar { .. }, Value::Object(_) | Value::Array(_)) => false,
        (Content::Scalar { .. }, _) => true,
        (Content::Map { flow: true, .. }, Value::Object(_)) => true,
        (Content::Seq { flow: true, .. }, Value::Array(_)) => true,
        (Content::Map { flow: false, .. }, Value::Object(map)) => !map.is_empty(),
        (Content::Seq { flow: false, .. }, Value::Array(items)) => !items.is_empty(),
        _ => false,
    }
}

/// The file's indentation step: how far the first nested block mapping sits from its parent's
/// keys.
fn indent_step(text: &str, root: &Node) -> Option<usize> {
    let column = |offset: usize| {
        let offset = offset.min(text.len());
        offset - text[..offset].rfind('\n').map_or(0, |i| i + 1)
    };
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if let Content::Map {
            entries,
            flow: false,
        } = &node.content
        {
            for entry in entries {
                if let Content::Map {
                    entries: inner,
                    flow: false,
                } = &entry.value.content
                    && let Some(first) = inner.first()
                {
                    let (outer, inner) = (column(entry.key.start), column(first.key.start));
                    if inner > outer {
                        return Some(inner - outer);
                    }
                }
                stack.push(&entry.value);
            }
        }
    }
    None
}
