//! The canonical YAML layout: block collections re-indented two spaces a level; nothing else is
//! touched. Whole lines move, so comments, tags, quoting, flow collections and the content of
//! block scalars (which are relative to their parent) keep every byte but their indentation.

use super::tree::{Content, Node};

/// Spaces per level in the canonical layout.
const STEP: isize = 2;

/// `text` with every block collection at its canonical indentation.
pub fn reindent(text: &str, root: &Node) -> String {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut shifts = vec![0isize; line_starts.len()];
    let lines = Lines {
        text,
        starts: &line_starts,
    };
    let mut work = vec![(root, 0isize)];
    while let Some((node, desired)) = work.pop() {
        if !node.is_block_collection() {
            continue;
        }
        let actual = lines.column(node.content_start) as isize;
        let shift = desired - actual;
        let (first, last) = (lines.line(node.content_start), lines.line(node.end));
        for line_shift in &mut shifts[first..=last] {
            *line_shift = shift;
        }
        let own_line =
            |child: &Node, anchor: usize| lines.line(child.content_start) > lines.line(anchor);
        match &node.content {
            Content::Map { entries, .. } => {
                for entry in entries {
                    let child = &entry.value;
                    let key_column = lines.column(entry.key.start) as isize + shift;
                    let desired = if own_line(child, entry.key.start) {
                        key_column + STEP
                    } else {
                        lines.column(child.content_start) as isize + shift
                    };
                    work.push((child, desired));
                }
            }
            Content::Seq { items, .. } => {
                let dash_column = actual + shift;
                for item in items {
                    let before = text[..item.start.min(text.len())]
                        .trim_end_matches([' ', '\t', '\r', '\n']);
                    let dash = before.len().saturating_sub(1);
                    let desired = if own_line(item, dash) {
                        dash_column + STEP
                    } else {
                        lines.column(item.content_start) as isize + shift
                    };
                    work.push((item, desired));
                }
            }
            _ => {}
        }
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, &start) in line_starts.iter().enumerate() {
        let end = line_starts.get(i + 1).copied().unwrap_or(text.len());
        let line = &text[start..end];
        let shift = shifts[i];
        let blank = line.trim().is_empty();
        if shift > 0 && !blank {
            out.extend(std::iter::repeat_n(' ', shift.unsigned_abs()));
            out.push_str(line);
        } else if shift < 0 {
            let spaces = line.len() - line.trim_start_matches(' ').len();
            out.push_str(&line[spaces.min(shift.unsigned_abs())..]);
        } else {
            out.push_str(line);
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

struct Lines<'a> {
    text: &'a str,
    starts: &'a [usize],
}

impl Lines<'_> {
    fn line(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    fn column(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        offset - self.starts[self.line(offset)]
    }
}
