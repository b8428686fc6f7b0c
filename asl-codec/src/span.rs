//! Byte spans of JSON values and keys, and their conversion to line:col.

/// A half-open byte range `start..end` into the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
}

/// A 1-based line and column; the column counts characters (a tab is one character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl std::fmt::Display for LineCol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where a value sits in the source: the value's own span, the member key's span (objects
/// only), and the children, in the same order as the parsed `serde_json::Value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanNode {
    /// The value, from its first to its last byte (brackets and quotes included).
    pub value: Span,
    /// The member key with its quotes, when the value is an object member.
    pub key: Option<Span>,
    /// The byte right after the `{`, `[` or `,` that precedes this member or element; the text
    /// from here to the key (or value) is the member's leading whitespace.
    pub lead_start: usize,
    /// Spans of the children of an array or object.
    pub children: SpanChildren,
}

/// The children of a [`SpanNode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpanChildren {
    /// A scalar: no children.
    Leaf,
    /// Array elements, in order.
    Array(Vec<SpanNode>),
    /// Object members (decoded key, span), in order; a duplicate key keeps only its first member.
    Object(Vec<(String, SpanNode)>),
}

impl SpanNode {
    /// The child reached by one JSON pointer segment (already unescaped).
    pub fn child(&self, segment: &str) -> Option<&SpanNode> {
        match &self.children {
            SpanChildren::Leaf => None,
            SpanChildren::Array(items) => {
                let index = parse_index(segment)?;
                items.get(index)
            }
            SpanChildren::Object(members) => members
                .iter()
                .find(|(key, _)| key == segment)
                .map(|(_, node)| node),
        }
    }

    /// The deepest node on the way to `pointer`, and whether the whole pointer was found.
    pub fn lookup(&self, pointer: &str) -> (&SpanNode, bool) {
        let mut node = self;
        for segment in pointer_segments(pointer) {
            match node.child(&segment) {
                Some(next) => node = next,
                None => return (node, false),
            }
        }
        (node, true)
    }
}

fn parse_index(segment: &str) -> Option<usize> {
    if segment.is_empty() || (segment.len() > 1 && segment.starts_with('0')) {
        return None;
    }
    if !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    segment.parse().ok()
}

/// Splits an RFC 6901 JSON pointer into unescaped segments (`~1` is `/`, `~0` is `~`).
pub fn pointer_segments(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .strip_prefix('/')
        .unwrap_or(pointer)
        .split('/')
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Escapes one key or index as a JSON pointer segment.
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Line starts of a text, for turning byte offsets into [`LineCol`].
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text` (lines end at `\n`; a `\r` before it is part of the line ending).
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self { line_starts }
    }

    /// The line and column of byte `offset` in `text` (the text this index was built from).
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let line_start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let mut prefix = &text[line_start..offset];
        if line_start == 0 {
            prefix = prefix.strip_prefix('\u{feff}').unwrap_or(prefix);
        }
        LineCol {
            line: line.max(1),
            column: prefix.chars().count() + 1,
        }
    }
}

/// Line and column of `offset` without a prebuilt index (for one-off syntax errors).
pub fn line_col_of(text: &str, offset: usize) -> LineCol {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let mut prefix = &text[line_start..offset];
    if line_start == 0 {
        prefix = prefix.strip_prefix('\u{feff}').unwrap_or(prefix);
    }
    LineCol {
        line,
        column: prefix.chars().count() + 1,
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_skip_the_bom() {
        let text = "\u{feff}{\n\t\"é\": 1\r\n}";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 3), LineCol { line: 1, column: 1 });
        let one = text.find('1').unwrap_or_default();
        assert_eq!(index.line_col(text, one), LineCol { line: 2, column: 7 });
        assert_eq!(line_col_of(text, one), LineCol { line: 2, column: 7 });
        let close = text.rfind('}').unwrap_or_default();
        assert_eq!(index.line_col(text, close), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn pointer_segments_unescape() {
        assert_eq!(pointer_segments(""), Vec::<String>::new());
        assert_eq!(pointer_segments("/a~1b/c~0d/0"), vec!["a/b", "c~d", "0"]);
        assert_eq!(escape_segment("a/b~"), "a~1b~0");
    }
}
