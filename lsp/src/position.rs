//! Byte offsets <-> LSP positions (0-based line, UTF-16 code units), the unit every LSP client
//! counts in unless told otherwise.

use asl_codec::span::LineIndex;
use lsp_types::{Position, Range};

/// Line starts of one text, for converting in both directions.
#[derive(Debug, Clone, Default)]
pub struct PositionIndex {
    lines: LineIndex,
}

impl PositionIndex {
    /// Indexes `text` (a line ends after `\n`).
    pub fn new(text: &str) -> Self {
        Self {
            lines: LineIndex::new(text),
        }
    }

    /// The LSP position of byte `offset` (clamped to the text, floored to a char boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .lines
            .line_starts()
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.lines.line_starts().get(line).copied().unwrap_or(0);
        let character = text[start..offset].encode_utf16().count();
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of an LSP position; a position past a line's end is its end.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.lines.line_starts().get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .lines
            .line_starts()
            .get(position.line as usize + 1)
            .map_or(text.len(), |next| next.saturating_sub(1));
        let mut units = 0u32;
        for (index, ch) in text[start..end].char_indices() {
            if units >= position.character {
                return start + index;
            }
            units += ch.len_utf16() as u32;
        }
        end
    }

    /// The range of bytes `start..end`.
    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range::new(self.position(text, start), self.position(text, end))
    }

    /// The byte offset of a 1-based line and 1-based character column (asl-codec's `LineCol`,
    /// which skips a byte-order mark on the first line).
    pub fn offset_of_line_col(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(&start) = self.lines.line_starts().get(line.saturating_sub(1)) else {
            return text.len();
        };
        let mut rest = &text[start..];
        let mut offset = start;
        if start == 0 && rest.starts_with('\u{feff}') {
            offset += '\u{feff}'.len_utf8();
            rest = &rest['\u{feff}'.len_utf8()..];
        }
        for (count, (index, ch)) in rest.char_indices().enumerate() {
            if count + 1 >= column || ch == '\n' {
                return offset + index;
            }
        }
        text.len()
    }

    /// How many lines the text has.
    pub fn line_count(&self) -> usize {
        self.lines.line_starts().len()
    }
}

/// The end of the token starting at byte `start`: a quoted string to its closing quote, anything
/// else to the next delimiter. Diagnostics carry only a start; this gives them a visible width.
pub fn token_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.get(start) else {
        return text.len();
    };
    if first == b'"' || first == b'\'' {
        let mut index = start + 1;
        while let Some(&byte) = bytes.get(index) {
            if byte == b'\\' && first == b'"' {
                index += 2;
                continue;
            }
            if byte == first {
                return index + 1;
            }
            if byte == b'\n' {
                return index;
            }
            index += 1;
        }
        return text.len();
    }
    let mut index = start;
    while let Some(&byte) = bytes.get(index) {
        if matches!(byte, b',' | b'}' | b']' | b'\n' | b'\r' | b':' | b'#') {
            break;
        }
        index += 1;
    }
    // A plain YAML scalar may hold spaces; trailing ones are not part of it.
    while index > start && bytes.get(index - 1).is_some_and(|b| *b == b' ') {
        index -= 1;
    }
    index.max(start + 1).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_surrogate_pairs_twice() {
        let text = "{\"é😀\": \"x\"}\nab";
        let index = PositionIndex::new(text);
        let x = text.find('x').unwrap_or_default();
        // `{` `"` `é` `😀`(2) `"` `:` ` ` `"` = 9 UTF-16 units before `x`.
        assert_eq!(index.position(text, x), Position::new(0, 9));
        assert_eq!(index.offset(text, Position::new(0, 9)), x);
        assert_eq!(index.offset(text, Position::new(1, 1)), text.len() - 1);
        assert_eq!(
            index.offset(text, Position::new(0, 99)),
            text.find('\n').unwrap_or(0)
        );
    }

    #[test]
    fn line_col_skips_the_byte_order_mark() {
        let text = "\u{feff}{\"a\": 1}";
        let index = PositionIndex::new(text);
        assert_eq!(index.offset_of_line_col(text, 1, 1), 3);
        assert_eq!(token_end(text, text.find('"').unwrap_or(0)), 7);
    }
}
