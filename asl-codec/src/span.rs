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

/// What kind of JSON value a span describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    /// A string, number, boolean or null.
    Leaf,
    /// An array.
    Array,
    /// An object.
    Object,
}

/// The spans of every value of a document in one flat table, in document order (each value
/// before its children): one small record per value instead of one heap node, so parsing a large
/// file allocates and frees the spans once. A duplicate key's member is left out, as it is from
/// the parsed value, so the children of a node match the members or elements of its value one
/// for one. Read it through [`SpanRef`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpanTable {
    nodes: Vec<FlatSpan>,
}

/// Marks a node without a member key.
const NO_KEY: u32 = u32::MAX;

/// One value of a [`SpanTable`]. Offsets are `u32`: the parser refuses inputs of 4 GiB or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FlatSpan {
    start: u32,
    end: u32,
    key_start: u32,
    key_end: u32,
    lead_start: u32,
    /// The index just past this node's subtree: its next sibling, if it has one.
    after: u32,
    kind: SpanKind,
    /// [`KEY_ESCAPED`] and [`STRING_ESCAPED`]: which of the key and the (string) value hold a
    /// backslash escape, so that reading them back needs no scan for one.
    escapes: u8,
}

/// The member key holds an escape.
const KEY_ESCAPED: u8 = 1;
/// The string value holds an escape.
const STRING_ESCAPED: u8 = 2;

impl SpanTable {
    /// An empty table with room for about `capacity` values.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            nodes: Vec::with_capacity(capacity),
        }
    }

    /// The root value, or `None` for an empty table.
    pub fn root(&self) -> Option<SpanRef<'_>> {
        (!self.nodes.is_empty()).then_some(SpanRef {
            nodes: &self.nodes,
            index: 0,
        })
    }

    /// How many values the table holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the table holds no value.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Opens a node whose value starts at `start`; [`Self::close`] completes it. Returns its index.
    /// Offsets fit in `u32` because the parser rejects larger inputs first.
    pub(crate) fn open(
        &mut self,
        start: usize,
        key: Option<(Span, bool)>,
        lead_start: usize,
        kind: SpanKind,
    ) -> usize {
        let escapes = match key {
            Some((_, true)) => KEY_ESCAPED,
            _ => 0,
        };
        let key = key.map(|(span, _)| span);
        let index = self.nodes.len();
        let (key_start, key_end) = key.map_or((NO_KEY, NO_KEY), |k| (k.start as u32, k.end as u32));
        self.nodes.push(FlatSpan {
            start: start as u32,
            end: start as u32,
            key_start,
            key_end,
            lead_start: lead_start as u32,
            after: index as u32 + 1,
            kind,
            escapes,
        });
        index
    }

    /// Records that the string value of node `index` holds an escape.
    pub(crate) fn mark_string_escaped(&mut self, index: usize) {
        if let Some(node) = self.nodes.get_mut(index) {
            node.escapes |= STRING_ESCAPED;
        }
    }

    /// Completes node `index`: its value ends at `end` and its subtree is everything added since.
    pub(crate) fn close(&mut self, index: usize, end: usize) {
        let after = self.nodes.len() as u32;
        if let Some(node) = self.nodes.get_mut(index) {
            node.end = end as u32;
            node.after = after;
        }
    }

    /// Drops node `index` and everything after it (a duplicate member that is not kept).
    pub(crate) fn truncate(&mut self, index: usize) {
        self.nodes.truncate(index);
    }

    /// The key span of member `position` of the object at `index`, which is still open (its
    /// children are everything after it so far).
    pub(crate) fn open_member_key(&self, index: usize, position: usize) -> Option<Span> {
        let child = SpanChildIter {
            nodes: &self.nodes,
            next: index + 1,
            end: self.nodes.len(),
            last: None,
        }
        .nth(position)?;
        child.key()
    }

    /// The node at `index` (for the parser, which knows the index is valid).
    pub(crate) fn at(&self, index: usize) -> Option<SpanRef<'_>> {
        (index < self.nodes.len()).then_some(SpanRef {
            nodes: &self.nodes,
            index,
        })
    }

    /// The span tree of the same document, for callers that walk [`SpanNode`]s; `value` is the
    /// value this table was parsed with (it supplies the member keys).
    pub fn to_tree(&self, value: &serde_json::Value) -> SpanNode {
        let Some(root) = self.root() else {
            return SpanNode {
                value: Span::default(),
                key: None,
                lead_start: 0,
                children: SpanChildren::Leaf,
            };
        };
        // Iterative, so that a document nested thousands of levels deep cannot overflow the stack.
        struct Open<'t, 'v> {
            node: SpanRef<'t>,
            value: &'v serde_json::Value,
            kids: Vec<(SpanRef<'t>, &'v serde_json::Value)>,
            next: usize,
            built: Vec<SpanNode>,
        }
        fn open<'t, 'v>(node: SpanRef<'t>, value: &'v serde_json::Value) -> Open<'t, 'v> {
            let values: Vec<&serde_json::Value> = match value {
                serde_json::Value::Object(map) => map.values().collect(),
                serde_json::Value::Array(items) => items.iter().collect(),
                _ => Vec::new(),
            };
            let null = &serde_json::Value::Null;
            let kids = node
                .children()
                .enumerate()
                .map(|(i, kid)| (kid, values.get(i).copied().unwrap_or(null)))
                .collect();
            Open {
                node,
                value,
                kids,
                next: 0,
                built: Vec::new(),
            }
        }
        let mut stack = vec![open(root, value)];
        loop {
            let Some(top) = stack.last_mut() else {
                unreachable!("the loop returns when the root is finished")
            };
            if let Some(&(kid, child_value)) = top.kids.get(top.next) {
                top.next += 1;
                stack.push(open(kid, child_value));
                continue;
            }
            let Some(done) = stack.pop() else {
                unreachable!("the stack was just seen non-empty")
            };
            let children = match (done.node.kind(), done.value) {
                (SpanKind::Object, serde_json::Value::Object(map)) => {
                    SpanChildren::Object(map.keys().cloned().zip(done.built).collect())
                }
                (SpanKind::Object, _) => SpanChildren::Object(Vec::new()),
                (SpanKind::Array, _) => SpanChildren::Array(done.built),
                (SpanKind::Leaf, _) => SpanChildren::Leaf,
            };
            let node = SpanNode {
                value: done.node.value(),
                key: done.node.key(),
                lead_start: done.node.lead_start(),
                children,
            };
            match stack.last_mut() {
                Some(parent) => parent.built.push(node),
                None => return node,
            }
        }
    }
}

/// One value of a [`SpanTable`]: a cheap, copyable view.
#[derive(Debug, Clone, Copy)]
pub struct SpanRef<'t> {
    nodes: &'t [FlatSpan],
    index: usize,
}

impl<'t> SpanRef<'t> {
    fn node(&self) -> &'t FlatSpan {
        &self.nodes[self.index]
    }

    /// The value, from its first to its last byte (brackets and quotes included).
    pub fn value(self) -> Span {
        let node = self.node();
        Span::new(node.start as usize, node.end as usize)
    }

    /// The member key with its quotes, when the value is an object member.
    pub fn key(self) -> Option<Span> {
        let node = self.node();
        (node.key_start != NO_KEY)
            .then(|| Span::new(node.key_start as usize, node.key_end as usize))
    }

    /// The byte right after the `{`, `[` or `,` that precedes this member or element.
    pub fn lead_start(self) -> usize {
        self.node().lead_start as usize
    }

    /// Whether this is a scalar, an array or an object.
    pub fn kind(self) -> SpanKind {
        self.node().kind
    }

    /// Whether the member key holds a backslash escape.
    pub(crate) fn key_escaped(self) -> bool {
        self.node().escapes & KEY_ESCAPED != 0
    }

    /// Whether the (string) value holds a backslash escape.
    pub(crate) fn string_escaped(self) -> bool {
        self.node().escapes & STRING_ESCAPED != 0
    }

    /// The children (elements or members), in order.
    pub fn children(self) -> SpanChildIter<'t> {
        SpanChildIter {
            nodes: self.nodes,
            next: self.index + 1,
            end: self.node().after as usize,
            last: None,
        }
    }

    /// The `position`-th child.
    pub fn child_at(self, position: usize) -> Option<SpanRef<'t>> {
        self.children().nth(position)
    }

    /// The deepest node on the way to `pointer`, and whether the whole pointer was found;
    /// `value` is the value this node describes (it supplies the member keys).
    pub fn lookup(self, value: &serde_json::Value, pointer: &str) -> (SpanRef<'t>, bool) {
        let mut node = self;
        let mut value = value;
        for segment in pointer_segments(pointer) {
            let next = match value {
                serde_json::Value::Object(map) => map
                    .iter()
                    .enumerate()
                    .find(|(_, (key, _))| **key == segment)
                    .and_then(|(i, (_, v))| Some((node.child_at(i)?, v))),
                serde_json::Value::Array(items) => {
                    parse_index(&segment).and_then(|i| Some((node.child_at(i)?, items.get(i)?)))
                }
                _ => None,
            };
            match next {
                Some((child, child_value)) => {
                    node = child;
                    value = child_value;
                }
                None => return (node, false),
            }
        }
        (node, true)
    }
}

/// The children of a [`SpanRef`], in order.
#[derive(Debug, Clone)]
pub struct SpanChildIter<'t> {
    nodes: &'t [FlatSpan],
    next: usize,
    end: usize,
    /// The index of the child returned last.
    last: Option<usize>,
}

impl<'t> SpanChildIter<'t> {
    /// The child that [`Iterator::next`] returned last.
    pub fn last_taken(&self) -> Option<SpanRef<'t>> {
        self.last.map(|index| SpanRef {
            nodes: self.nodes,
            index,
        })
    }
}

impl<'t> Iterator for SpanChildIter<'t> {
    type Item = SpanRef<'t>;

    fn next(&mut self) -> Option<SpanRef<'t>> {
        if self.next >= self.end {
            return None;
        }
        let node = self.nodes.get(self.next)?;
        let item = SpanRef {
            nodes: self.nodes,
            index: self.next,
        };
        self.last = Some(self.next);
        self.next = (node.after as usize).max(self.next + 1);
        Some(item)
    }
}

/// What the writers need from a span store: [`SpanRef`] (what [`crate::SourceFile`] keeps) or a
/// `&`[`SpanNode`] tree. Children match the members or elements of the value the spans describe,
/// in order.
pub trait SpanView: Copy {
    /// The value's span.
    fn value(self) -> Span;
    /// The member key's span, for an object member.
    fn key(self) -> Option<Span>;
    /// Where the member's leading whitespace starts.
    fn lead_start(self) -> usize;
    /// Scalar, array or object.
    fn kind(self) -> SpanKind;
    /// The children, in order.
    fn child_list(self) -> Vec<Self>;
}

impl SpanView for SpanRef<'_> {
    fn value(self) -> Span {
        SpanRef::value(self)
    }
    fn key(self) -> Option<Span> {
        SpanRef::key(self)
    }
    fn lead_start(self) -> usize {
        SpanRef::lead_start(self)
    }
    fn kind(self) -> SpanKind {
        SpanRef::kind(self)
    }
    fn child_list(self) -> Vec<Self> {
        self.children().collect()
    }
}

impl SpanView for &SpanNode {
    fn value(self) -> Span {
        self.value
    }
    fn key(self) -> Option<Span> {
        self.key
    }
    fn lead_start(self) -> usize {
        self.lead_start
    }
    fn kind(self) -> SpanKind {
        match self.children {
            SpanChildren::Leaf => SpanKind::Leaf,
            SpanChildren::Array(_) => SpanKind::Array,
            SpanChildren::Object(_) => SpanKind::Object,
        }
    }
    fn child_list(self) -> Vec<Self> {
        match &self.children {
            SpanChildren::Leaf => Vec::new(),
            SpanChildren::Array(items) => items.iter().collect(),
            SpanChildren::Object(members) => members.iter().map(|(_, node)| node).collect(),
        }
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
    graph_model::pointer_tokens(pointer)
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

    /// The byte offset where each line starts (0-based lines; the first is 0).
    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
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
