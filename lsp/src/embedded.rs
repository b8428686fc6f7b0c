//! State machines whose definition is a JSON text inside a YAML template's `DefinitionString`
//! (a literal block `|`, also under `!Sub`): the block's lines are the definition's lines, each
//! indented by the block's indentation, so positions map line by line into the template.
//! Strings written with escapes (a quoted scalar, a JSON template) are not mapped.

use asl_codec::{Format, SourceFile};

use crate::analysis::{ByteSpan, Machine, outline_definition};
use crate::position::PositionIndex;

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
