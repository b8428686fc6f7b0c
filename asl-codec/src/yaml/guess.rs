//! The indentation guess used when a YAML text does not parse (the code panel while typing):
//! follows `key:` lines and `- ` items by indentation.

use crate::span::{LineCol, line_col_of, pointer_segments};

/// Best-effort position of a JSON pointer in block-style YAML: follows `key:` lines and `- `
/// items by indentation. Returns the deepest position found and whether the whole pointer was.
pub fn locate(text: &str, pointer: &str) -> (LineCol, bool) {
    let lines: Vec<(usize, &str)> = {
        let mut offset = 0;
        text.split_inclusive('\n')
            .map(|line| {
                let start = offset;
                offset += line.len();
                (start, line.trim_end_matches(['\n', '\r']))
            })
            .collect()
    };
    let indent_of = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let meaningful = |line: &str| {
        let t = line.trim_start();
        !t.is_empty() && !t.starts_with('#') && t != "---"
    };
    // Cursor: (index of the line where the current node starts, column of its content, offset).
    let mut line_index = 0;
    while line_index < lines.len() && !meaningful(lines[line_index].1) {
        line_index += 1;
    }
    let mut best = (0usize, true);
    let mut parent_indent: isize = -1;
    let mut content_col: Option<usize> = None;
    for segment in pointer_segments(pointer) {
        let mut found = None;
        let mut array_count = 0usize;
        let want_index: Option<usize> = segment.parse().ok();
        // The node's children may start on the node's own line after `key: ` or `- `.
        let mut i = line_index;
        let mut first = true;
        while i < lines.len() {
            let (start, line) = lines[i];
            if !meaningful(line) {
                i += 1;
                continue;
            }
            let indent = indent_of(line);
            let col = if first {
                content_col.unwrap_or(indent)
            } else {
                indent
            };
            if !first && (indent as isize) <= parent_indent {
                break;
            }
            let rest = line.get(col..).unwrap_or("");
            if let Some(index) = want_index
                && let Some(after_dash) = rest.strip_prefix('-')
                && (after_dash.is_empty() || after_dash.starts_with(' '))
                && (first || indent as isize > parent_indent)
            {
                if array_count == index {
                    let skip = 1 + (after_dash.len() - after_dash.trim_start().len());
                    found = Some((i, col + skip, start + col));
                    break;
                }
                array_count += 1;
            } else if key_matches(rest, &segment) {
                found = Some((i, col, start + col));
                break;
            }
            first = false;
            i += 1;
        }
        let Some((found_line, found_col, offset)) = found else {
            return (line_col_of(text, best.0), false);
        };
        best = (offset, true);
        parent_indent = found_col as isize - if want_index.is_some() { 1 } else { 0 };
        let line = lines[found_line].1;
        // After `key:` the value may continue on the same line (a `- ` item or an inline map).
        let rest = &line[found_col..];
        let after_key = if want_index.is_some() {
            Some(0)
        } else {
            rest.find(':').map(|colon| {
                colon + 1 + (rest[colon + 1..].len() - rest[colon + 1..].trim_start().len())
            })
        };
        match after_key {
            Some(skip) if found_col + skip < line.len() => {
                line_index = found_line;
                content_col = Some(found_col + skip);
            }
            _ => {
                line_index = found_line + 1;
                content_col = None;
            }
        }
        if want_index.is_none() {
            parent_indent = found_col as isize;
        }
    }
    (line_col_of(text, best.0), best.1)
}

fn key_matches(rest: &str, key: &str) -> bool {
    for quoted in [key.to_owned(), format!("\"{key}\""), format!("'{key}'")] {
        if let Some(after) = rest.strip_prefix(quoted.as_str())
            && after.trim_start().starts_with(':')
        {
            return true;
        }
    }
    false
}
