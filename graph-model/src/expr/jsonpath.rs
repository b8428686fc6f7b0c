//! JSONPath syntax in the dialect AWS Step Functions accepts (Jayway-like).
//!
//! Supported: `$` (state input), `$$` (context object), `$name` (a variable), dot and bracket child
//! access (`$.a.b`, `$['x y']`, `$.abc.['def ghi']`, `$.[0]`), indices (negative too), index and name
//! unions, slices (`[1:5]`, `[-1:]`, `[::2]`), wildcards (`.*`, `[*]`), deep scan (`..name`) and filters
//! (`[?(@.x > 1 && @.y == 'a')]`). Parsing yields a [`Path`]; evaluation lives in the simulator.

use std::fmt;

use thiserror::Error;

/// Where a path starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Root {
    /// `$`: the value the path is applied to (usually the state input).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
    /// `@`: the current node inside a filter expression.
    Current,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.sel` or `[sel]`: applies to the children of the current nodes.
    Child(Selector),
    /// `..sel`: applies to the current nodes and all their descendants.
    Descendant(Selector),
}

/// What a segment selects.
#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    /// A member name.
    Name(String),
    /// Several member names, `['a','b']`.
    Names(Vec<String>),
    /// An array index; negative counts from the end.
    Index(i64),
    /// Several indices, `[0,2]`.
    Indices(Vec<i64>),
    /// An array slice `[start:end:step]`.
    Slice {
        /// First index (inclusive); negative counts from the end.
        start: Option<i64>,
        /// Last index (exclusive); negative counts from the end.
        end: Option<i64>,
        /// Step; defaults to 1.
        step: Option<i64>,
    },
    /// `*`: every member or element.
    Wildcard,
    /// `[?(...)]`: the elements for which the expression holds.
    Filter(Box<FilterExpr>),
}

/// A filter expression, as found inside `[?( )]`.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterExpr {
    /// `a || b`.
    Or(Box<FilterExpr>, Box<FilterExpr>),
    /// `a && b`.
    And(Box<FilterExpr>, Box<FilterExpr>),
    /// `!a`.
    Not(Box<FilterExpr>),
    /// `left op right`.
    Compare(Operand, CompareOp, Operand),
    /// An operand on its own: true when a path finds something (or a literal is truthy).
    Exists(Operand),
}

/// A comparison operator in a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A side of a filter comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A path from `@` or `$`.
    Path(Path),
    /// A JSON literal (number, string, true, false, null).
    Literal(serde_json::Value),
}

/// A parsed JSONPath.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// Where the path starts.
    pub root: Root,
    /// The steps after the root.
    pub segments: Vec<Segment>,
}

impl Path {
    /// True when the path can select at most one value (no wildcard, slice, filter, union or deep scan):
    /// AWS returns that value itself rather than a list.
    pub fn is_definite(&self) -> bool {
        self.segments.iter().all(|segment| match segment {
            Segment::Child(Selector::Name(_) | Selector::Index(_)) => true,
            Segment::Child(_) | Segment::Descendant(_) => false,
        })
    }

    /// The Jayway-style normalised text of the first `count` segments, e.g. `$['a']['b'][0]`, as AWS
    /// quotes it in error causes.
    pub fn normalized_prefix(&self, count: usize) -> String {
        let mut text = match &self.root {
            Root::Input => "$".to_owned(),
            Root::Context => "$$".to_owned(),
            Root::Variable(name) => format!("${name}"),
            Root::Current => "@".to_owned(),
        };
        for segment in self.segments.iter().take(count) {
            match segment {
                Segment::Child(selector) => write_selector(&mut text, selector),
                Segment::Descendant(selector) => {
                    text.push_str("..");
                    write_selector(&mut text, selector);
                }
            }
        }
        text
    }
}

fn write_selector(text: &mut String, selector: &Selector) {
    match selector {
        Selector::Name(name) => text.push_str(&format!("['{name}']")),
        Selector::Names(names) => {
            let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
            text.push_str(&format!("[{}]", quoted.join(",")));
        }
        Selector::Index(index) => text.push_str(&format!("[{index}]")),
        Selector::Indices(indices) => {
            let listed: Vec<String> = indices.iter().map(i64::to_string).collect();
            text.push_str(&format!("[{}]", listed.join(",")));
        }
        Selector::Slice { start, end, step } => {
            let part =
                |bound: &Option<i64>| bound.map(|value| value.to_string()).unwrap_or_default();
            match step {
                Some(step) => text.push_str(&format!("[{}:{}:{step}]", part(start), part(end))),
                None => text.push_str(&format!("[{}:{}]", part(start), part(end))),
            }
        }
        Selector::Wildcard => text.push_str("[*]"),
        Selector::Filter(_) => text.push_str("[?]"),
    }
}

impl fmt::Display for Path {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.normalized_prefix(self.segments.len()))
    }
}

/// Why a path could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid JSONPath '{path}' at character {position}: {reason}")]
pub struct PathError {
    /// The path text.
    pub path: String,
    /// Character offset (0-based) where parsing stopped.
    pub position: usize,
    /// What was wrong.
    pub reason: String,
}

/// Parses a JSONPath (`$...`, `$$...`, `$var...`).
pub fn parse(text: &str) -> Result<Path, PathError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let path = parser.path(false)?;
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("unexpected character"));
    }
    Ok(path)
}

/// True when `text` parses as a JSONPath of any kind.
pub fn is_valid_path(text: &str) -> bool {
    parse(text).is_ok()
}

/// True when `text` is a reference path: a definite path from `$` (or `$$`/a variable) that names a
/// single node, as ResultPath and the `*Path` comparison fields require.
pub fn is_reference_path(text: &str) -> bool {
    parse(text).is_ok_and(|path| path.is_definite())
}

/// ASCII bytes that `char::is_whitespace` accepts (it also accepts vertical tab, unlike
/// `u8::is_ascii_whitespace`).
fn is_ascii_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// Works on the UTF-8 bytes directly: every character with a meaning in the syntax is ASCII, and
/// ASCII bytes never occur inside a multi-byte character, so only names and quoted strings (copied
/// as slices) and the Unicode whitespace test need whole characters. Compiling a definition parses
/// every path in it on every run, so this is on the hot path.
struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Byte offset; always on a character boundary between steps.
    pos: usize,
    /// How many filters, parentheses and negations enclose the current position: the parser
    /// recurses on each, so a hostile path (`$[?(@[?(@...`) must not overflow the stack.
    depth: usize,
}

/// The deepest nesting of filters, parentheses and `!` a path may have. Real paths nest a few
/// levels; the fuzzer found that a few thousand overflow the stack.
pub const MAX_FILTER_DEPTH: usize = 64;

impl Parser<'_> {
    fn error(&self, reason: &str) -> PathError {
        // Errors report character offsets, as users count them.
        let position = self
            .text
            .get(..self.pos)
            .map_or(self.pos, |before| before.chars().count());
        PathError {
            path: self.text.to_owned(),
            position,
            reason: reason.to_owned(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    /// The whole character at the current position.
    fn peek_char(&self) -> Option<char> {
        self.text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    fn eat(&mut self, expected: u8) -> bool {
        if self.peek() == Some(expected) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// The width in bytes of the whitespace character at the current position, if there is one.
    fn space_width(&self) -> Option<usize> {
        match self.peek()? {
            byte if byte < 0x80 => is_ascii_space(byte).then_some(1),
            _ => self
                .peek_char()
                .filter(|c| c.is_whitespace())
                .map(char::len_utf8),
        }
    }

    fn skip_spaces(&mut self) {
        while let Some(width) = self.space_width() {
            self.pos += width;
        }
    }

    /// `in_filter`: names stop at whitespace and operator characters too.
    fn path(&mut self, in_filter: bool) -> Result<Path, PathError> {
        let root = if self.eat(b'@') {
            Root::Current
        } else if self.eat(b'$') {
            if self.eat(b'$') {
                Root::Context
            } else if self
                .peek_char()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
            {
                let name = self.name(in_filter);
                Root::Variable(name)
            } else {
                Root::Input
            }
        } else {
            return Err(self.error("a path starts with '$'"));
        };
        let mut segments = Vec::new();
        loop {
            match self.peek() {
                Some(b'.') => {
                    if self.peek_at(1) == Some(b'.') {
                        self.pos += 2;
                        let selector = if self.peek() == Some(b'[') {
                            self.bracket()?
                        } else if self.eat(b'*') {
                            Selector::Wildcard
                        } else {
                            let name = self.name(in_filter);
                            if name.is_empty() {
                                return Err(self.error("a name must follow '..'"));
                            }
                            Selector::Name(name)
                        };
                        segments.push(Segment::Descendant(selector));
                    } else {
                        self.pos += 1;
                        if self.peek() == Some(b'[') {
                            segments.push(Segment::Child(self.bracket()?));
                        } else if self.eat(b'*') {
                            segments.push(Segment::Child(Selector::Wildcard));
                        } else {
                            let name = self.name(in_filter);
                            if name.is_empty() {
                                return Err(self.error("a name must follow '.'"));
                            }
                            segments.push(Segment::Child(Selector::Name(name)));
                        }
                    }
                }
                Some(b'[') => segments.push(Segment::Child(self.bracket()?)),
                _ => break,
            }
        }
        Ok(Path { root, segments })
    }

    fn name(&mut self, in_filter: bool) -> String {
        let start = self.pos;
        if in_filter {
            while let Some(byte) = self.peek() {
                if byte == b'.' || byte == b'[' || b"=!<>&|)],".contains(&byte) {
                    break;
                }
                if self.space_width().is_some() {
                    break;
                }
                // Continuation bytes of a multi-byte character are never delimiters.
                self.pos += 1;
            }
        } else {
            let rest = self.bytes.get(start..).unwrap_or_default();
            let length = rest
                .iter()
                .position(|&byte| byte == b'.' || byte == b'[')
                .unwrap_or(rest.len());
            self.pos = start + length;
        }
        self.text
            .get(start..self.pos)
            .unwrap_or_default()
            .to_owned()
    }

    fn bracket(&mut self) -> Result<Selector, PathError> {
        self.pos += 1; // '['
        self.skip_spaces();
        let selector = match self.peek() {
            Some(b'*') => {
                self.pos += 1;
                Selector::Wildcard
            }
            Some(b'?') => {
                self.pos += 1;
                self.skip_spaces();
                if !self.eat(b'(') {
                    return Err(self.error("expected '(' after '?'"));
                }
                let expr = self.filter_or()?;
                self.skip_spaces();
                if !self.eat(b')') {
                    return Err(self.error("expected ')' to close the filter"));
                }
                Selector::Filter(Box::new(expr))
            }
            Some(b'\'' | b'"') => {
                let mut names = vec![self.quoted()?];
                self.skip_spaces();
                while self.eat(b',') {
                    self.skip_spaces();
                    names.push(self.quoted()?);
                    self.skip_spaces();
                }
                if names.len() == 1 {
                    Selector::Name(names.remove(0))
                } else {
                    Selector::Names(names)
                }
            }
            _ => self.index_or_slice()?,
        };
        self.skip_spaces();
        if !self.eat(b']') {
            return Err(self.error("expected ']'"));
        }
        Ok(selector)
    }

    fn quoted(&mut self) -> Result<String, PathError> {
        let Some(quote) = self.peek() else {
            return Err(self.error("expected a quoted name"));
        };
        self.pos += 1;
        let mut out = String::new();
        let mut run_start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated quoted name")),
                Some(byte) if byte == quote => {
                    out.push_str(self.text.get(run_start..self.pos).unwrap_or_default());
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') if self.peek_at(1) == Some(quote) => {
                    out.push_str(self.text.get(run_start..self.pos).unwrap_or_default());
                    out.push(char::from(quote));
                    self.pos += 2;
                    run_start = self.pos;
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn integer(&mut self) -> Result<Option<i64>, PathError> {
        self.skip_spaces();
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == start {
            return Ok(None);
        }
        let value = self
            .text
            .get(start..self.pos)
            .unwrap_or_default()
            .parse::<i64>()
            .map_err(|_| self.error("invalid integer"))?;
        self.skip_spaces();
        Ok(Some(value))
    }

    fn index_or_slice(&mut self) -> Result<Selector, PathError> {
        let first = self.integer()?;
        if self.peek() == Some(b':') {
            self.pos += 1;
            let end = self.integer()?;
            let step = if self.eat(b':') {
                self.integer()?
            } else {
                None
            };
            if step == Some(0) {
                return Err(self.error("slice step cannot be 0"));
            }
            return Ok(Selector::Slice {
                start: first,
                end,
                step,
            });
        }
        let Some(first) = first else {
            return Err(self.error("expected an index, a slice, '*', a quoted name or a filter"));
        };
        let mut indices = vec![first];
        while self.eat(b',') {
            match self.integer()? {
                Some(value) => indices.push(value),
                None => return Err(self.error("expected an index after ','")),
            }
        }
        if indices.len() == 1 {
            Ok(Selector::Index(first))
        } else {
            Ok(Selector::Indices(indices))
        }
    }

    fn filter_or(&mut self) -> Result<FilterExpr, PathError> {
        self.depth += 1;
        let result = self.filter_or_inner();
        self.depth -= 1;
        result
    }

    fn filter_or_inner(&mut self) -> Result<FilterExpr, PathError> {
        if self.depth > MAX_FILTER_DEPTH {
            return Err(self.error(&format!(
                "filters nested deeper than {MAX_FILTER_DEPTH} levels"
            )));
        }
        let mut left = self.filter_and()?;
        loop {
            self.skip_spaces();
            if self.peek() == Some(b'|') && self.peek_at(1) == Some(b'|') {
                self.pos += 2;
                let right = self.filter_and()?;
                left = FilterExpr::Or(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_and(&mut self) -> Result<FilterExpr, PathError> {
        let mut left = self.filter_unary()?;
        loop {
            self.skip_spaces();
            if self.peek() == Some(b'&') && self.peek_at(1) == Some(b'&') {
                self.pos += 2;
                let right = self.filter_unary()?;
                left = FilterExpr::And(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_unary(&mut self) -> Result<FilterExpr, PathError> {
        self.skip_spaces();
        if self.peek() == Some(b'!') && self.peek_at(1) != Some(b'=') {
            self.pos += 1;
            self.depth += 1;
            let inner = if self.depth > MAX_FILTER_DEPTH {
                Err(self.error(&format!(
                    "filters nested deeper than {MAX_FILTER_DEPTH} levels"
                )))
            } else {
                self.filter_unary()
            };
            self.depth -= 1;
            return Ok(FilterExpr::Not(Box::new(inner?)));
        }
        if self.eat(b'(') {
            let inner = self.filter_or()?;
            self.skip_spaces();
            if !self.eat(b')') {
                return Err(self.error("expected ')'"));
            }
            return Ok(inner);
        }
        let left = self.operand()?;
        self.skip_spaces();
        let op = match (self.peek(), self.peek_at(1)) {
            (Some(b'='), Some(b'=')) => Some((CompareOp::Eq, 2)),
            (Some(b'!'), Some(b'=')) => Some((CompareOp::Ne, 2)),
            (Some(b'<'), Some(b'=')) => Some((CompareOp::Le, 2)),
            (Some(b'>'), Some(b'=')) => Some((CompareOp::Ge, 2)),
            (Some(b'<'), _) => Some((CompareOp::Lt, 1)),
            (Some(b'>'), _) => Some((CompareOp::Gt, 1)),
            _ => None,
        };
        match op {
            Some((op, width)) => {
                self.pos += width;
                let right = self.operand()?;
                Ok(FilterExpr::Compare(left, op, right))
            }
            None => Ok(FilterExpr::Exists(left)),
        }
    }

    fn operand(&mut self) -> Result<Operand, PathError> {
        self.skip_spaces();
        match self.peek() {
            Some(b'@' | b'$') => Ok(Operand::Path(self.path(true)?)),
            Some(b'\'' | b'"') => Ok(Operand::Literal(serde_json::Value::String(self.quoted()?))),
            Some(byte) if byte == b'-' || byte.is_ascii_digit() => {
                let start = self.pos;
                self.pos += 1;
                while self
                    .peek()
                    .is_some_and(|byte| byte.is_ascii_digit() || b".eE+-".contains(&byte))
                {
                    self.pos += 1;
                }
                let number: serde_json::Value =
                    serde_json::from_str(self.text.get(start..self.pos).unwrap_or_default())
                        .map_err(|_| self.error("invalid number"))?;
                Ok(Operand::Literal(number))
            }
            _ => {
                let rest = self.bytes.get(self.pos..).unwrap_or_default();
                for (word, value) in [
                    ("true", serde_json::Value::Bool(true)),
                    ("false", serde_json::Value::Bool(false)),
                    ("null", serde_json::Value::Null),
                ] {
                    if rest.starts_with(word.as_bytes()) {
                        self.pos += word.len();
                        return Ok(Operand::Literal(value));
                    }
                }
                Err(self.error("expected a path or a literal in the filter"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `jsonpath` fuzz target: 4,000 nested filters overflowed the stack.
    #[test]
    fn deeply_nested_filters_are_an_error_not_a_stack_overflow() {
        let nested_filters = format!("$[?(@{}{})]", "[?(@".repeat(5_000), ")]".repeat(5_000));
        let parentheses = format!("$[?({}@{})]", "(".repeat(5_000), ")".repeat(5_000));
        let negations = format!("$[?({}@)]", "!".repeat(5_000));
        for deep in [nested_filters, parentheses, negations] {
            let error = parse(&deep).err().map(|error| error.reason);
            assert_eq!(
                error.as_deref(),
                Some("filters nested deeper than 64 levels"),
                "{}",
                &deep[..12]
            );
        }
        let fine = format!("$[?(@{}.a{})]", "[?(@".repeat(10), ")]".repeat(10));
        assert!(parse(&fine).is_ok(), "{fine}");
    }

    #[test]
    fn parses_aws_dialect_forms() {
        for text in [
            "$",
            "$$",
            "$.a.b",
            "$['x y']",
            "$.abc.['def ghi']",
            "$.[0]",
            "$.items[-1:]",
            "$.items[1:5].v",
            "$..name",
            "$.users[?(@.status == 0)]",
            "$.a[?(@.x > 1 && @.y != 'z')]",
            "$var.field",
            "$$.Execution.Input.input-value",
            "$.items[0,2]",
        ] {
            assert!(is_valid_path(text), "{text}");
        }
        for text in ["", "a.b", "$.", "$[", "$['a'", "$.a[1:2:0]"] {
            assert!(!is_valid_path(text), "{text}");
        }
    }

    #[test]
    fn definite_paths_are_reference_paths() {
        assert!(is_reference_path("$.a.b[0]"));
        assert!(is_reference_path("$['x y'].z"));
        assert!(!is_reference_path("$.a[*]"));
        assert!(!is_reference_path("$..a"));
        assert!(!is_reference_path("$.a[1:]"));
    }

    #[test]
    fn non_ascii_names_and_positions() -> Result<(), PathError> {
        let path = parse("$.données.ключ['名 前']")?;
        assert_eq!(path.to_string(), "$['données']['ключ']['名 前']");
        let filtered = parse("$.a[?(@.é\u{a0}== 'x')]")?;
        let expected = FilterExpr::Compare(
            Operand::Path(Path {
                root: Root::Current,
                segments: vec![Segment::Child(Selector::Name("é".to_owned()))],
            }),
            CompareOp::Eq,
            Operand::Literal(serde_json::Value::String("x".to_owned())),
        );
        assert_eq!(
            filtered.segments.get(1),
            Some(&Segment::Child(Selector::Filter(Box::new(expected))))
        );
        let error = parse("$.é[x]").err();
        assert_eq!(error.map(|error| error.position), Some(4));
        Ok(())
    }

    #[test]
    fn normalised_text_matches_jayway() -> Result<(), PathError> {
        let path = parse("$.no.such[0]")?;
        assert_eq!(path.normalized_prefix(1), "$['no']");
        assert_eq!(path.to_string(), "$['no']['such'][0]");
        let escaped = parse(r#"$['Test\""Name"']"#)?;
        assert_eq!(
            escaped.segments,
            vec![Segment::Child(Selector::Name(r#"Test\""Name""#.to_owned()))]
        );
        Ok(())
    }
}
