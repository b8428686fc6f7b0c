//! State machines whose definition is a JSON text inside a template's `DefinitionString`.
//!
//! In a YAML template written as a literal block `|` (also under `!Sub`), the block's lines are
//! the definition's lines, each indented by the block's indentation, so positions map line by
//! line into the template. In a JSON template the definition is a JSON string literal (or, as
//! CDK writes it, the literal parts of an `Fn::Join` or the text of an `Fn::Sub`): each
//! character of the definition maps to where it is written in the template, through the escapes
//! (`\"` is one character written as two). So is a one-line quoted YAML scalar (`'...'`, where
//! `''` is one `'`, or `"..."` with escapes).

use asl_codec::{Format, SourceFile, SpanRef};
use serde_json::Value;

use crate::analysis::{ByteSpan, Machine, outline_definition};
use crate::position::{PositionIndex, token_end};

/// The outline of `definition` (the DefinitionString's value), its positions in `host` (the
/// template), when its lines are found verbatim in `host` at or after byte `from`.
pub fn outline(definition: &str, host: &str, from: usize) -> Option<Machine> {
    let source = SourceFile::parse(definition.to_owned(), Format::Json).ok()?;
    let map = LineMap::find(definition, host, from)?;
    let index = PositionIndex::new(definition);
    let mut machine = outline_definition(&source, definition, &index);
    map_machine(&mut machine, &|offset| map.host_offset(definition, offset));
    Some(machine)
}

/// Where each line of the definition starts in the host.
struct LineMap {
    /// Byte offset in the host of each definition line's first character.
    starts: Vec<usize>,
}

impl LineMap {
    fn find(definition: &str, host: &str, from: usize) -> Option<Self> {
        // A clipped or kept block ends with a line break that is not a line of the host.
        let lines: Vec<&str> = definition.trim_end_matches('\n').split('\n').collect();
        let first = lines.first()?;
        if first.trim().is_empty() {
            return None;
        }
        let mut host_lines: Vec<(usize, &str)> = Vec::new();
        let mut offset = 0;
        for line in host.split('\n') {
            host_lines.push((offset, line.strip_suffix('\r').unwrap_or(line)));
            offset += line.len() + 1;
        }
        let first_line = host_lines.iter().position(|(start, _)| *start >= from)?;
        // A block scalar starts within a few lines of its key (`!Sub`, `- |`).
        for candidate in first_line.saturating_sub(1)..(first_line + 4).min(host_lines.len()) {
            let (_, head) = host_lines[candidate];
            let Some(indent) = head.strip_suffix(first).map(str::len) else {
                continue;
            };
            if !head[..indent].chars().all(|c| c == ' ') {
                continue;
            }
            let fits = lines.iter().enumerate().all(|(k, line)| {
                host_lines.get(candidate + k).is_some_and(|(_, host_line)| {
                    if line.is_empty() {
                        host_line.trim().is_empty()
                    } else {
                        host_line.len() == indent + line.len()
                            && host_line[indent..] == **line
                            && host_line[..indent].chars().all(|c| c == ' ')
                    }
                })
            });
            if fits {
                let starts = (0..lines.len())
                    .map(|k| host_lines[candidate + k].0 + indent)
                    .collect();
                return Some(Self { starts });
            }
        }
        None
    }

    fn host_offset(&self, definition: &str, offset: usize) -> usize {
        let offset = offset.min(definition.len());
        let line = definition[..offset].matches('\n').count();
        let line_start = definition[..offset].rfind('\n').map_or(0, |i| i + 1);
        match self.starts.get(line) {
            Some(start) => start + (offset - line_start),
            // Past the last line (the trailing line break): the start of the last line.
            None => self.starts.last().copied().unwrap_or(0),
        }
    }
}

fn map_machine(machine: &mut Machine, map: &dyn Fn(usize) -> usize) {
    let span = |span: ByteSpan| (map(span.0), map(span.1));
    if let Some(start) = machine.start_at.as_mut() {
        start.span = span(start.span);
    }
    for state in &mut machine.states {
        state.key = span(state.key);
        state.body = span(state.body);
        // Indentation inside the block differs from the definition's own: no insertions.
        state.missing_transition = None;
        for reference in &mut state.references {
            reference.span = span(reference.span);
        }
        for child in &mut state.children {
            map_machine(child, map);
        }
    }
}

/// The outline of `definition` (the rendered DefinitionString) in a JSON template `host`, where
/// `value` is the DefinitionString's value and `node` its spans: positions mapped through the
/// escapes of its string literals. `None` when the literals do not line up with `definition`.
pub fn outline_escaped(
    definition: &str,
    host: &str,
    value: &Value,
    node: SpanRef<'_>,
) -> Option<Machine> {
    let mut literals = Vec::new();
    collect_literals(value, node, host, &mut literals);
    let map = align(definition, &literals)?;
    outline_mapped(definition, &map)
}

/// The outline of the JSON definition written as the quoted string at `start..end` of `host`
/// (a Terraform `definition = "{\"StartAt\": ...}"`), positions mapped through its escapes.
/// `None` when its text is not JSON by itself (an interpolation outside a JSON string).
pub fn outline_quoted(host: &str, start: usize, end: usize) -> Option<Machine> {
    let literal = decode_literal(host, start, end)?;
    outline_mapped(&literal.text, &literal.host)
}

/// The outline of `definition` written in a YAML template as a one-line quoted scalar
/// (`DefinitionString: '{"StartAt": ...}'` or `"{\"StartAt\": ...}"`) starting at or after byte
/// `from` of `host`, positions mapped through the scalar's escapes. `None` when the scalar's text
/// is not `definition` as it stands (a folded or multi-line scalar).
pub fn outline_yaml_scalar(definition: &str, host: &str, from: usize) -> Option<Machine> {
    let line_end = host
        .get(from..)?
        .find('\n')
        .map_or(host.len(), |i| from + i);
    let mut from = from;
    // Past the key, when the position given is the key's.
    if let Some(key) = host.get(from..line_end)?.find("DefinitionString") {
        from += key + host.get(from + key..line_end)?.find(':')? + 1;
    }
    let rest = host.get(from..line_end)?;
    let quote = from + rest.find(['\'', '"'])?;
    let literal = if host.get(quote..=quote)? == "\"" {
        decode_literal(host, quote, token_end(host, quote))?
    } else {
        decode_single_quoted(host, quote)?
    };
    if literal.text != definition {
        return None;
    }
    outline_mapped(definition, &literal.host)
}

/// Decodes the single-quoted YAML scalar starting at byte `start` of `host` (on one line), where
/// `''` stands for `'`.
fn decode_single_quoted(host: &str, start: usize) -> Option<Literal> {
    let inner_start = start + 1;
    let mut text = String::new();
    let mut offsets = Vec::new();
    let mut chars = host.get(inner_start..)?.char_indices().peekable();
    while let Some((at, ch)) = chars.next() {
        if ch == '\n' {
            return None;
        }
        if ch == '\'' {
            if chars.peek().map(|(_, next)| *next) != Some('\'') {
                offsets.push(inner_start + at);
                return Some(Literal {
                    text,
                    host: offsets,
                });
            }
            chars.next();
        }
        text.push(ch);
        offsets.extend(std::iter::repeat_n(inner_start + at, ch.len_utf8()));
    }
    None
}

/// The outline of `definition`, each position `offset` of it moved to `map[offset]`.
fn outline_mapped(definition: &str, map: &[usize]) -> Option<Machine> {
    let source = SourceFile::parse(definition.to_owned(), Format::Json).ok()?;
    let index = PositionIndex::new(definition);
    let mut machine = outline_definition(&source, definition, &index);
    map_machine(&mut machine, &|offset| {
        map.get(offset).or(map.last()).copied().unwrap_or(0)
    });
    Some(machine)
}

/// A string literal of the host, decoded: its text, and for each byte of the text (and one past
/// its end) the host offset where that character is written.
struct Literal {
    text: String,
    host: Vec<usize>,
}

/// The string literals whose text becomes the definition, in order: the string itself, the text
/// of an `Fn::Sub`, the parts of an `Fn::Join` (a `Ref` or `Fn::GetAtt` part has none).
fn collect_literals(value: &Value, node: SpanRef<'_>, host: &str, literals: &mut Vec<Literal>) {
    match value {
        Value::String(_) => {
            let span = node.value();
            literals.extend(decode_literal(host, span.start, span.end));
        }
        Value::Object(members) => {
            for (position, (key, inner)) in members.iter().enumerate() {
                let Some(inner_node) = node.child_at(position) else {
                    continue;
                };
                // `Fn::Sub` as `[text, variables]` and `Fn::Join` as `[separator, parts]`: the
                // text and the parts (a separator or a variable is filled in between them).
                let (chosen, chosen_node) = match (key.as_str(), inner) {
                    ("Fn::Sub", Value::String(_)) => (inner, inner_node),
                    ("Fn::Sub", Value::Array(items)) => {
                        match (items.first(), inner_node.child_at(0)) {
                            (Some(item), Some(item_node)) => (item, item_node),
                            _ => continue,
                        }
                    }
                    ("Fn::Join", Value::Array(items)) => {
                        match (items.get(1), inner_node.child_at(1)) {
                            (Some(item), Some(item_node)) => (item, item_node),
                            _ => continue,
                        }
                    }
                    _ => continue,
                };
                collect_literals(chosen, chosen_node, host, literals);
            }
        }
        Value::Array(items) => {
            for (position, item) in items.iter().enumerate() {
                if let Some(item_node) = node.child_at(position) {
                    collect_literals(item, item_node, host, literals);
                }
            }
        }
        _ => {}
    }
}

/// Decodes the JSON string literal at `start..end` of `host` (quotes included). An HCL quoted
/// string escapes the same way (its `${...}` interpolations are kept as written).
fn decode_literal(host: &str, start: usize, end: usize) -> Option<Literal> {
    if !(host.get(start..=start)? == "\"" && end > start + 1 && host.get(end - 1..end)? == "\"") {
        return None;
    }
    let inner_start = start + 1;
    let inner = host.get(inner_start..end.checked_sub(1)?)?;
    let mut text = String::with_capacity(inner.len());
    let mut offsets = Vec::with_capacity(inner.len() + 1);
    let mut chars = inner.char_indices();
    while let Some((at, ch)) = chars.next() {
        let decoded = if ch == '\\' {
            match chars.next()?.1 {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'u' => {
                    fn unit(chars: &mut impl Iterator<Item = (usize, char)>) -> Option<u32> {
                        let hex: String = chars.take(4).map(|(_, c)| c).collect();
                        u32::from_str_radix(&hex, 16).ok()
                    }
                    let first = unit(&mut chars)?;
                    let code = if (0xD800..0xDC00).contains(&first) {
                        // A surrogate pair: `\uD83D\uDE00`.
                        if chars.next()?.1 != '\\' || chars.next()?.1 != 'u' {
                            return None;
                        }
                        let second = unit(&mut chars)?;
                        0x10000 + ((first - 0xD800) << 10) + (second.checked_sub(0xDC00)?)
                    } else {
                        first
                    };
                    char::from_u32(code)?
                }
                other => other,
            }
        } else {
            ch
        };
        text.push(decoded);
        offsets.extend(std::iter::repeat_n(inner_start + at, decoded.len_utf8()));
    }
    offsets.push(end - 1);
    Some(Literal {
        text,
        host: offsets,
    })
}

/// For each byte of `definition` (and one past its end), its host offset: the literals are found
/// in order; what lies between them (a `${Ref}` placeholder, a separator) maps to where the next
/// literal starts.
fn align(definition: &str, literals: &[Literal]) -> Option<Vec<usize>> {
    let mut map = Vec::with_capacity(definition.len() + 1);
    for literal in literals.iter().filter(|literal| !literal.text.is_empty()) {
        let at = map.len() + definition.get(map.len()..)?.find(&literal.text)?;
        let gap_to = literal.host.first().copied().unwrap_or(0);
        map.resize(at, gap_to);
        map.extend_from_slice(&literal.host[..literal.text.len()]);
    }
    let end = literals
        .iter()
        .rev()
        .find_map(|literal| literal.host.last().copied())?;
    map.resize(definition.len() + 1, end);
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoded_literal_maps_each_character_to_where_its_escape_starts() {
        let host = r#"x: "a\"b\u00e9\ud83d\ude00c""#;
        let start = host.find('"').unwrap_or(0);
        let literal = decode_literal(host, start, host.len());
        let Some(literal) = literal else {
            panic!("not decoded: {host}");
        };
        assert_eq!(literal.text, "a\"bé😀c");
        let quote = host.find("\\\"").unwrap_or(0);
        assert_eq!(literal.host[1], quote);
        // `é` is two bytes, both at its `\u`; the emoji four, at its first `\u`.
        let e_acute = host.find("\\u00e9").unwrap_or(0);
        assert_eq!(&literal.host[3..5], &[e_acute, e_acute]);
        let emoji = host.find("\\ud83d").unwrap_or(0);
        assert_eq!(&literal.host[5..9], &[emoji; 4]);
        assert_eq!(literal.host.last(), Some(&(host.len() - 1)));
    }

    #[test]
    fn alignment_fills_placeholders_between_literals() {
        let host = r#"["{\"A\":\"", {"Ref": "X"}, "\"}"]"#;
        let first = host.find("\"{").unwrap_or(0);
        let second = host.rfind("\"\\\"}").unwrap_or(0);
        let literals: Vec<Literal> = [
            decode_literal(host, first, host.find(", {").unwrap_or(0)),
            decode_literal(host, second, host.len() - 1),
        ]
        .into_iter()
        .flatten()
        .collect();
        let definition = "{\"A\":\"${X}\"}";
        let Some(map) = align(definition, &literals) else {
            panic!("not aligned");
        };
        assert_eq!(map.len(), definition.len() + 1);
        // `${X}` is written nowhere: it maps to where the next literal starts.
        assert_eq!(map[6], second + 1);
        assert!(align("{\"B\"}", &literals).is_none());
    }
}
