//! Intrinsic function calls (`"Field.$": "States.Format('Hello {}', $.name)"`): the parser to an AST and
//! the table of AWS's 18 functions with their arities and argument kinds.
//!
//! Validation uses [`validate`] to report a `.$` value that is neither a path nor a well-formed call of
//! a known intrinsic; the simulator evaluates the same AST, so both agree on what a call means.

use std::fmt;

/// One of AWS's 18 intrinsic functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntrinsicFunction {
    /// `States.Format(template, values...)`.
    Format,
    /// `States.StringToJson(string)`.
    StringToJson,
    /// `States.JsonToString(value)`.
    JsonToString,
    /// `States.Array(values...)`.
    Array,
    /// `States.ArrayPartition(array, chunkSize)`.
    ArrayPartition,
    /// `States.ArrayContains(array, value)`.
    ArrayContains,
    /// `States.ArrayRange(first, last, step)`.
    ArrayRange,
    /// `States.ArrayGetItem(array, index)`.
    ArrayGetItem,
    /// `States.ArrayLength(array)`.
    ArrayLength,
    /// `States.ArrayUnique(array)`.
    ArrayUnique,
    /// `States.Base64Encode(string)`.
    Base64Encode,
    /// `States.Base64Decode(string)`.
    Base64Decode,
    /// `States.Hash(data, algorithm)`.
    Hash,
    /// `States.JsonMerge(object, object, false)`.
    JsonMerge,
    /// `States.MathRandom(start, end[, seed])`.
    MathRandom,
    /// `States.MathAdd(number, number)`.
    MathAdd,
    /// `States.StringSplit(string, delimiters)`.
    StringSplit,
    /// `States.UUID()`.
    Uuid,
}

/// What kind of value an argument must be (or a function returns), as far as it can be known
/// without running the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// Any JSON value.
    Any,
    /// A string.
    String,
    /// A number (AWS rounds non-integers where it wants an integer).
    Number,
    /// A boolean.
    Boolean,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl ArgKind {
    /// The kind's name as used in messages ("string", "array", ...).
    pub fn name(self) -> &'static str {
        match self {
            ArgKind::Any => "any value",
            ArgKind::String => "string",
            ArgKind::Number => "number",
            ArgKind::Boolean => "boolean",
            ArgKind::Array => "array",
            ArgKind::Object => "object",
        }
    }
}

/// The arity of a function: `min..=max` arguments, `max == None` for "any number".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arity {
    /// Fewest arguments accepted.
    pub min: usize,
    /// Most arguments accepted; `None` when unbounded.
    pub max: Option<usize>,
}

impl Arity {
    /// Whether `count` arguments are accepted.
    pub fn accepts(self, count: usize) -> bool {
        count >= self.min && self.max.is_none_or(|max| count <= max)
    }
}

impl fmt::Display for Arity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) if max == self.min => write!(f, "{max}"),
            Some(max) => write!(f, "{} to {max}", self.min),
            None => write!(f, "at least {}", self.min),
        }
    }
}

impl IntrinsicFunction {
    /// All 18 functions.
    pub const ALL: [IntrinsicFunction; 18] = [
        IntrinsicFunction::Format,
        IntrinsicFunction::StringToJson,
        IntrinsicFunction::JsonToString,
        IntrinsicFunction::Array,
        IntrinsicFunction::ArrayPartition,
        IntrinsicFunction::ArrayContains,
        IntrinsicFunction::ArrayRange,
        IntrinsicFunction::ArrayGetItem,
        IntrinsicFunction::ArrayLength,
        IntrinsicFunction::ArrayUnique,
        IntrinsicFunction::Base64Encode,
        IntrinsicFunction::Base64Decode,
        IntrinsicFunction::Hash,
        IntrinsicFunction::JsonMerge,
        IntrinsicFunction::MathRandom,
        IntrinsicFunction::MathAdd,
        IntrinsicFunction::StringSplit,
        IntrinsicFunction::Uuid,
    ];

    /// The full name, e.g. `States.ArrayGetItem`.
    pub fn name(self) -> &'static str {
        match self {
            IntrinsicFunction::Format => "States.Format",
            IntrinsicFunction::StringToJson => "States.StringToJson",
            IntrinsicFunction::JsonToString => "States.JsonToString",
            IntrinsicFunction::Array => "States.Array",
            IntrinsicFunction::ArrayPartition => "States.ArrayPartition",
            IntrinsicFunction::ArrayContains => "States.ArrayContains",
            IntrinsicFunction::ArrayRange => "States.ArrayRange",
            IntrinsicFunction::ArrayGetItem => "States.ArrayGetItem",
            IntrinsicFunction::ArrayLength => "States.ArrayLength",
            IntrinsicFunction::ArrayUnique => "States.ArrayUnique",
            IntrinsicFunction::Base64Encode => "States.Base64Encode",
            IntrinsicFunction::Base64Decode => "States.Base64Decode",
            IntrinsicFunction::Hash => "States.Hash",
            IntrinsicFunction::JsonMerge => "States.JsonMerge",
            IntrinsicFunction::MathRandom => "States.MathRandom",
            IntrinsicFunction::MathAdd => "States.MathAdd",
            IntrinsicFunction::StringSplit => "States.StringSplit",
            IntrinsicFunction::Uuid => "States.UUID",
        }
    }

    /// Looks a function up by its full name (case-sensitive, as AWS is).
    pub fn from_name(name: &str) -> Option<IntrinsicFunction> {
        IntrinsicFunction::ALL
            .into_iter()
            .find(|function| function.name() == name)
    }

    /// How many arguments the function takes.
    pub fn arity(self) -> Arity {
        let (min, max) = match self {
            IntrinsicFunction::Format => (1, None),
            IntrinsicFunction::Array => (0, None),
            IntrinsicFunction::Uuid => (0, Some(0)),
            IntrinsicFunction::StringToJson
            | IntrinsicFunction::JsonToString
            | IntrinsicFunction::ArrayLength
            | IntrinsicFunction::ArrayUnique
            | IntrinsicFunction::Base64Encode
            | IntrinsicFunction::Base64Decode => (1, Some(1)),
            IntrinsicFunction::ArrayPartition
            | IntrinsicFunction::ArrayContains
            | IntrinsicFunction::ArrayGetItem
            | IntrinsicFunction::Hash
            | IntrinsicFunction::MathAdd
            | IntrinsicFunction::StringSplit => (2, Some(2)),
            IntrinsicFunction::MathRandom => (2, Some(3)),
            IntrinsicFunction::ArrayRange | IntrinsicFunction::JsonMerge => (3, Some(3)),
        };
        Arity { min, max }
    }

    /// The kind the argument at `index` must have.
    pub fn arg_kind(self, index: usize) -> ArgKind {
        use ArgKind::{Any, Array, Boolean, Number, Object, String};
        match (self, index) {
            (IntrinsicFunction::Format, 0) => String,
            (IntrinsicFunction::StringToJson, _) => String,
            (IntrinsicFunction::ArrayPartition, 0) => Array,
            (IntrinsicFunction::ArrayPartition, _) => Number,
            (IntrinsicFunction::ArrayContains, 0) => Array,
            (IntrinsicFunction::ArrayRange, _) => Number,
            (IntrinsicFunction::ArrayGetItem, 0) => Array,
            (IntrinsicFunction::ArrayGetItem, _) => Number,
            (IntrinsicFunction::ArrayLength | IntrinsicFunction::ArrayUnique, _) => Array,
            (IntrinsicFunction::Base64Encode | IntrinsicFunction::Base64Decode, _) => String,
            // AWS hashes a non-string value's text rather than failing (observed).
            (IntrinsicFunction::Hash, 0) => Any,
            (IntrinsicFunction::Hash, _) => String,
            (IntrinsicFunction::JsonMerge, 2) => Boolean,
            (IntrinsicFunction::JsonMerge, _) => Object,
            (IntrinsicFunction::MathRandom | IntrinsicFunction::MathAdd, _) => Number,
            (IntrinsicFunction::StringSplit, _) => String,
            _ => Any,
        }
    }

    /// The kind of value the function returns.
    pub fn returns(self) -> ArgKind {
        match self {
            IntrinsicFunction::Format
            | IntrinsicFunction::JsonToString
            | IntrinsicFunction::Base64Encode
            | IntrinsicFunction::Base64Decode
            | IntrinsicFunction::Hash
            | IntrinsicFunction::Uuid => ArgKind::String,
            IntrinsicFunction::Array
            | IntrinsicFunction::ArrayPartition
            | IntrinsicFunction::ArrayRange
            | IntrinsicFunction::ArrayUnique
            | IntrinsicFunction::StringSplit => ArgKind::Array,
            IntrinsicFunction::ArrayContains => ArgKind::Boolean,
            IntrinsicFunction::ArrayLength
            | IntrinsicFunction::MathRandom
            | IntrinsicFunction::MathAdd => ArgKind::Number,
            IntrinsicFunction::JsonMerge => ArgKind::Object,
            IntrinsicFunction::StringToJson | IntrinsicFunction::ArrayGetItem => ArgKind::Any,
        }
    }
}

impl fmt::Display for IntrinsicFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A parsed call: `function(args...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct IntrinsicCall {
    /// Which function.
    pub function: IntrinsicFunction,
    /// Its arguments, in order.
    pub args: Vec<IntrinsicArg>,
}

/// One argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub enum IntrinsicArg {
    /// A quoted string literal.
    String {
        /// The value with every escape (`\'`, `\{`, `\}`, `\\`) resolved.
        value: String,
        /// The text between the quotes as written. `States.Format` needs it to tell an escaped `\{`
        /// from a placeholder's `{`.
        raw: String,
    },
    /// A number literal.
    Number(serde_json::Number),
    /// `true` or `false`.
    Boolean(bool),
    /// `null`.
    Null,
    /// A path: `$...` (input), `$$...` (context object) or `$name...` (variable).
    Path(String),
    /// A nested call.
    Call(Box<IntrinsicCall>),
}

impl IntrinsicArg {
    /// The kind of this argument when it can be known statically.
    pub fn static_kind(&self) -> Option<ArgKind> {
        match self {
            IntrinsicArg::String { .. } => Some(ArgKind::String),
            IntrinsicArg::Number(_) => Some(ArgKind::Number),
            IntrinsicArg::Boolean(_) => Some(ArgKind::Boolean),
            IntrinsicArg::Null => None,
            IntrinsicArg::Path(_) => None,
            IntrinsicArg::Call(call) => match call.function.returns() {
                ArgKind::Any => None,
                kind => Some(kind),
            },
        }
    }
}

impl IntrinsicCall {
    /// How deeply calls nest: 1 for a call without nested calls.
    pub fn depth(&self) -> usize {
        1 + self
            .args
            .iter()
            .map(|arg| match arg {
                IntrinsicArg::Call(call) => call.depth(),
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }
}

/// Why a `.$` value is not a valid intrinsic call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {offset})")]
pub struct IntrinsicParseError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the expression where the problem was found.
    pub offset: usize,
}

/// The most calls AWS lets one field nest.
pub const MAX_NESTING: usize = 10;

/// Whether a `.$` value is meant as an intrinsic call rather than a path (it starts with `States.`).
pub fn looks_like_intrinsic(text: &str) -> bool {
    text.trim_start().starts_with("States.")
}

/// Parses a whole `.$` value as one intrinsic call. Checks syntax, the function name and arity, but
/// not argument kinds: see [`validate`].
pub fn parse(text: &str) -> Result<IntrinsicCall, IntrinsicParseError> {
    let mut parser = Parser {
        text,
        pos: 0,
        depth: 0,
    };
    parser.skip_space();
    let call = parser.call()?;
    parser.skip_space();
    if parser.pos != text.len() {
        return Err(parser.error(format!(
            "unexpected text '{}' after the call",
            &text[parser.pos..]
        )));
    }
    Ok(call)
}

/// Parses and checks everything that can be checked without data: arities, argument kinds of
/// literals and nested calls, `States.Format` placeholders and braces of a literal template, the
/// `States.Hash` algorithm and `States.JsonMerge`'s `false`, and the nesting limit.
///
/// This is stricter than AWS's CreateStateMachine, which accepts some of these calls (a wrong
/// placeholder count, a stray brace) and fails them only when they run, with `States.Runtime`.
/// Every error here is a call that cannot succeed; a designer may show the data-free ones as
/// warnings. [`parse`] alone checks syntax (including the four escapes AWS allows), names and arity.
pub fn validate(text: &str) -> Result<IntrinsicCall, IntrinsicParseError> {
    let call = parse(text)?;
    if call.depth() > MAX_NESTING {
        return Err(IntrinsicParseError {
            message: format!(
                "intrinsic functions nest {} deep; AWS allows at most {MAX_NESTING}",
                call.depth()
            ),
            offset: 0,
        });
    }
    check_call(&call)?;
    Ok(call)
}

/// The hash algorithms `States.Hash` (and JSONata's `$hash`) accept.
pub const HASH_ALGORITHMS: [&str; 5] = ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

fn check_call(call: &IntrinsicCall) -> Result<(), IntrinsicParseError> {
    let function = call.function;
    for (index, arg) in call.args.iter().enumerate() {
        let expected = function.arg_kind(index);
        if let Some(actual) = arg.static_kind()
            && expected != ArgKind::Any
            && actual != expected
        {
            return Err(IntrinsicParseError {
                message: format!(
                    "argument {} of {function} must be a {}, not a {}",
                    index + 1,
                    expected.name(),
                    actual.name()
                ),
                offset: 0,
            });
        }
        if let IntrinsicArg::Call(inner) = arg {
            check_call(inner)?;
        }
    }
    match (function, call.args.as_slice()) {
        (IntrinsicFunction::Format, [IntrinsicArg::String { raw, .. }, values @ ..]) => {
            if let Err(error) = format_segments(raw) {
                return Err(IntrinsicParseError {
                    message: format!("States.Format: {error}"),
                    offset: 0,
                });
            }
            let placeholders = count_placeholders(raw);
            if placeholders != values.len() {
                return Err(IntrinsicParseError {
                    message: format!(
                        "States.Format's template has {placeholders} placeholder(s) but {} value(s) follow it",
                        values.len()
                    ),
                    offset: 0,
                });
            }
        }
        (IntrinsicFunction::Hash, [_, IntrinsicArg::String { value, .. }])
            if !HASH_ALGORITHMS.contains(&value.as_str()) =>
        {
            return Err(IntrinsicParseError {
                message: format!(
                    "States.Hash algorithm '{value}' is not one of {}",
                    HASH_ALGORITHMS.join(", ")
                ),
                offset: 0,
            });
        }
        (IntrinsicFunction::JsonMerge, [_, _, IntrinsicArg::Boolean(true)]) => {
            return Err(IntrinsicParseError {
                message: "States.JsonMerge supports only shallow merging: its third argument must be false".into(),
                offset: 0,
            });
        }
        _ => {}
    }
    Ok(())
}

/// Counts the `{}` placeholders of a `States.Format` template written as `raw` (escapes unresolved).
/// A malformed template counts the placeholders before its first stray brace.
pub fn count_placeholders(raw: &str) -> usize {
    let segments = match format_segments(raw) {
        Ok(segments) => segments,
        Err(error) => error.segments_before,
    };
    segments
        .iter()
        .filter(|segment| matches!(segment, FormatSegment::Placeholder))
        .count()
}

/// A piece of a `States.Format` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatSegment {
    /// Literal text, escapes resolved.
    Text(String),
    /// A `{}` to be replaced by the next value.
    Placeholder,
}

/// A `States.Format` template with a `{` or `}` that is neither escaped nor part of `{}`. AWS fails
/// such a call at run time (observed for `'Hello {'`, `'Hello {{}}'` and `'}'`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the template has an unescaped '{brace}' at character {offset}; write \\{brace} for a literal brace"
)]
pub struct FormatTemplateError {
    /// The stray brace.
    pub brace: char,
    /// Its character offset in the template.
    pub offset: usize,
    /// The segments read before it.
    pub segments_before: Vec<FormatSegment>,
}

/// Splits a `States.Format` template (escapes unresolved: `\{`, `\}`, `\'`, `\\`) into text and
/// placeholders.
pub fn format_segments(raw: &str) -> Result<Vec<FormatSegment>, FormatTemplateError> {
    let mut segments = Vec::new();
    let mut text = String::new();
    let mut chars = raw.chars().enumerate().peekable();
    while let Some((offset, ch)) = chars.next() {
        match ch {
            '\\' => match chars.next() {
                Some((_, escaped)) => text.push(escaped),
                None => text.push('\\'),
            },
            '{' if chars.peek().is_some_and(|(_, next)| *next == '}') => {
                chars.next();
                if !text.is_empty() {
                    segments.push(FormatSegment::Text(std::mem::take(&mut text)));
                }
                segments.push(FormatSegment::Placeholder);
            }
            '{' | '}' => {
                if !text.is_empty() {
                    segments.push(FormatSegment::Text(text));
                }
                return Err(FormatTemplateError {
                    brace: ch,
                    offset,
                    segments_before: segments,
                });
            }
            other => text.push(other),
        }
    }
    if !text.is_empty() {
        segments.push(FormatSegment::Text(text));
    }
    Ok(segments)
}

/// Deeper nesting than this is refused while parsing, so that hostile input cannot exhaust the
/// stack; [`validate`] reports anything past [`MAX_NESTING`] with a clearer message.
const PARSE_DEPTH_LIMIT: usize = 64;

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, message: String) -> IntrinsicParseError {
        IntrinsicParseError {
            message,
            offset: self.pos,
        }
    }

    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn call(&mut self) -> Result<IntrinsicCall, IntrinsicParseError> {
        let start = self.pos;
        let name_len = self
            .rest()
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '_'))
            .unwrap_or(self.rest().len());
        let name = &self.text[start..start + name_len];
        if name.is_empty() {
            return Err(
                self.error("expected an intrinsic function name such as States.Format".into())
            );
        }
        let Some(function) = IntrinsicFunction::from_name(name) else {
            return Err(self.error(format!("'{name}' is not a known intrinsic function")));
        };
        self.pos += name_len;
        self.skip_space();
        if self.peek() != Some('(') {
            return Err(self.error(format!("expected '(' after {name}")));
        }
        self.pos += 1;
        let mut args = Vec::new();
        self.skip_space();
        if self.peek() == Some(')') {
            self.pos += 1;
        } else {
            loop {
                self.skip_space();
                args.push(self.arg()?);
                self.skip_space();
                match self.peek() {
                    Some(',') => self.pos += 1,
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    Some(other) => {
                        return Err(self.error(format!(
                            "expected ',' or ')' in the arguments of {name}, found '{other}'"
                        )));
                    }
                    None => {
                        return Err(self.error(format!("missing ')' to close {name}(")));
                    }
                }
            }
        }
        let arity = function.arity();
        if !arity.accepts(args.len()) {
            return Err(IntrinsicParseError {
                message: format!(
                    "{name} takes {arity} argument(s), but {} were given",
                    args.len()
                ),
                offset: start,
            });
        }
        Ok(IntrinsicCall { function, args })
    }

    fn arg(&mut self) -> Result<IntrinsicArg, IntrinsicParseError> {
        let Some(first) = self.peek() else {
            return Err(self.error("expected an argument".into()));
        };
        match first {
            '\'' => self.string(),
            '$' => Ok(IntrinsicArg::Path(self.path())),
            '-' | '0'..='9' => self.number(),
            _ if self.rest().starts_with("States.") => {
                if self.depth >= PARSE_DEPTH_LIMIT {
                    return Err(self.error(format!(
                        "intrinsic functions nest more than {PARSE_DEPTH_LIMIT} deep"
                    )));
                }
                self.depth += 1;
                let call = self.call();
                self.depth -= 1;
                Ok(IntrinsicArg::Call(Box::new(call?)))
            }
            _ => {
                for (word, arg) in [
                    ("true", IntrinsicArg::Boolean(true)),
                    ("false", IntrinsicArg::Boolean(false)),
                    ("null", IntrinsicArg::Null),
                ] {
                    if self.rest().starts_with(word)
                        && !self.rest()[word.len()..]
                            .starts_with(|ch: char| ch.is_ascii_alphanumeric() || ch == '_')
                    {
                        self.pos += word.len();
                        return Ok(arg);
                    }
                }
                Err(self.error(
                    "expected a string in single quotes, a number, true, false, null, a path starting with $, or a States.* call".into(),
                ))
            }
        }
    }

    fn string(&mut self) -> Result<IntrinsicArg, IntrinsicParseError> {
        let open = self.pos;
        self.pos += 1;
        let body_start = self.pos;
        let mut value = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((index, ch)) = chars.next() {
            match ch {
                '\\' => match chars.next() {
                    Some((_, escaped @ ('\'' | '{' | '}' | '\\'))) => value.push(escaped),
                    Some((at, other)) => {
                        self.pos = body_start + at;
                        return Err(self.error(format!(
                            "'\\{other}' is not an allowed escape in a string literal (only \\', \\{{, \\}} and \\\\)"
                        )));
                    }
                    None => break,
                },
                '\'' => {
                    let raw = self.text[body_start..body_start + index].to_string();
                    self.pos = body_start + index + 1;
                    return Ok(IntrinsicArg::String { value, raw });
                }
                other => value.push(other),
            }
        }
        self.pos = open;
        Err(self.error("string literal is missing its closing quote".into()))
    }

    fn number(&mut self) -> Result<IntrinsicArg, IntrinsicParseError> {
        let len = self
            .rest()
            .find(|ch: char| !(ch.is_ascii_digit() || matches!(ch, '-' | '+' | '.' | 'e' | 'E')))
            .unwrap_or(self.rest().len());
        let literal = &self.rest()[..len];
        match serde_json::from_str::<serde_json::Value>(literal) {
            Ok(serde_json::Value::Number(number)) => {
                self.pos += len;
                Ok(IntrinsicArg::Number(number))
            }
            _ => Err(self.error(format!("'{literal}' is not a valid number"))),
        }
    }

    /// A path runs to the next `,` or `)` that is outside brackets and quotes.
    fn path(&mut self) -> String {
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        let mut end = self.rest().len();
        let mut chars = self.rest().char_indices();
        while let Some((index, ch)) = chars.next() {
            if let Some(open) = quote {
                if ch == '\\' {
                    chars.next();
                } else if ch == open {
                    quote = None;
                }
                continue;
            }
            match ch {
                '\'' | '"' => quote = Some(ch),
                '[' | '(' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                ')' if depth == 0 => {
                    end = index;
                    break;
                }
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    end = index;
                    break;
                }
                _ => {}
            }
        }
        let path = self.rest()[..end].trim_end().to_string();
        self.pos += end;
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_calls_paths_and_literals() {
        let call = parse(
            "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
        )
        .expect("valid call");
        assert_eq!(call.function, IntrinsicFunction::ArrayGetItem);
        assert_eq!(call.depth(), 4);
        let IntrinsicArg::Call(split) = &call.args[0] else {
            panic!("first argument is a call: {call:?}");
        };
        assert_eq!(
            split.args,
            vec![
                IntrinsicArg::Path("$$.StateMachine.Name".into()),
                IntrinsicArg::String {
                    value: "-".into(),
                    raw: "-".into()
                }
            ]
        );
    }

    #[test]
    fn string_escapes_resolve_but_raw_keeps_them() {
        let call = parse(r"States.Format('it\'s \{literal\} {} \\', $.x)").expect("valid call");
        let IntrinsicArg::String { value, raw } = &call.args[0] else {
            panic!("string literal expected");
        };
        assert_eq!(value, r"it's {literal} {} \");
        assert_eq!(raw, r"it\'s \{literal\} {} \\");
        assert_eq!(count_placeholders(raw), 1);
        assert_eq!(
            format_segments(raw),
            Ok(vec![
                FormatSegment::Text("it's {literal} ".into()),
                FormatSegment::Placeholder,
                FormatSegment::Text(r" \".into()),
            ])
        );
        for (template, brace) in [("Hello {", '{'), ("Hello {{}}", '{'), ("}", '}')] {
            let error = format_segments(template).expect_err(template);
            assert_eq!(error.brace, brace, "{template}");
        }
        assert!(
            parse(r#"States.Format('say \"hi\"')"#).is_err(),
            "only four escapes exist"
        );
        assert!(validate("States.Format('Hello {', $.a)").is_err());
    }

    #[test]
    fn literals_and_variables() {
        let call =
            parse("States.Array(1, -2.5, true, false, null, $var.x, $, 'a,b')").expect("valid");
        assert_eq!(call.args.len(), 8);
        assert_eq!(
            call.args[1],
            IntrinsicArg::Number(serde_json::Number::from_f64(-2.5).expect("finite"))
        );
        assert_eq!(call.args[4], IntrinsicArg::Null);
        assert_eq!(call.args[5], IntrinsicArg::Path("$var.x".into()));
        assert_eq!(call.args[6], IntrinsicArg::Path("$".into()));
        assert!(parse("States.UUID()").is_ok());
        assert!(parse("  States.Array( )  ").is_ok());
    }

    #[test]
    fn bracket_paths_keep_commas_inside_quotes() {
        let call = parse("States.Array($.a['b,c'], $.d[0])").expect("valid");
        assert_eq!(call.args[0], IntrinsicArg::Path("$.a['b,c']".into()));
        assert_eq!(call.args[1], IntrinsicArg::Path("$.d[0]".into()));
    }

    #[test]
    fn rejects_unknown_functions_and_wrong_arity() {
        let error = parse("States.Nope(1)").expect_err("unknown function");
        assert!(error.message.contains("not a known intrinsic"), "{error}");
        let error = parse("States.ArrayLength()").expect_err("arity");
        assert!(error.message.contains("takes 1 argument"), "{error}");
        let error = parse("States.MathRandom(1)").expect_err("arity");
        assert!(error.message.contains("takes 2 to 3"), "{error}");
        assert!(parse("States.MathRandom(1, 2, 3)").is_ok());
        assert!(parse("States.Format()").is_err());
        assert!(parse("States.UUID(1)").is_err());
        assert!(parse("States.Array(1").is_err());
        assert!(parse("States.Array('x)").is_err());
        assert!(parse("States.Array(1) extra").is_err());
        assert!(parse("States.Array(foo)").is_err());
        assert!(parse("$.x").is_err());
    }

    #[test]
    fn validate_checks_static_kinds() {
        assert!(validate("States.ArrayLength('abc')").is_err());
        assert!(validate("States.MathAdd(1, 'x')").is_err());
        assert!(validate("States.ArrayLength(States.Array(1, 2))").is_ok());
        assert!(validate("States.ArrayLength(States.Format('x'))").is_err());
        assert!(validate("States.Format('{} and {}', $.a)").is_err());
        assert!(validate("States.Format('{} and \\{\\}', $.a)").is_ok());
        assert!(validate("States.Format('{} and \\{}', $.a)").is_err());
        assert!(validate("States.Hash($.a, 'SHA-3')").is_err());
        assert!(validate("States.Hash($.a, 'SHA-256')").is_ok());
        assert!(validate("States.JsonMerge($.a, $.b, true)").is_err());
        assert!(validate("States.JsonMerge($.a, $.b, false)").is_ok());
        assert!(validate("States.Format($.template, $.a, $.b)").is_ok());
    }

    #[test]
    fn validate_limits_nesting() {
        let mut text = "$.x".to_string();
        for _ in 0..10 {
            text = format!("States.Array({text})");
        }
        assert!(validate(&text).is_ok());
        text = format!("States.Array({text})");
        assert!(validate(&text).is_err());
    }

    #[test]
    fn hostile_nesting_is_an_error_not_a_crash() {
        let text = format!(
            "{}$.x{}",
            "States.Array(".repeat(100_000),
            ")".repeat(100_000)
        );
        let error = parse(&text).expect_err("too deep");
        assert!(error.message.contains("nest more than"), "{error}");
    }

    #[test]
    fn every_function_name_round_trips() {
        for function in IntrinsicFunction::ALL {
            assert_eq!(
                IntrinsicFunction::from_name(function.name()),
                Some(function)
            );
        }
        assert!(looks_like_intrinsic("States.Array()"));
        assert!(!looks_like_intrinsic("$.States"));
    }

    proptest::proptest! {
        /// Any text either parses or yields an error; offsets stay inside the text.
        #[test]
        fn parse_never_panics(text in "(States\\.(Format|Array|MathAdd|Nope)|[(),'$.\\\\{} 0-9a-zé-]){0,40}") {
            if let Err(error) = validate(&text) {
                proptest::prop_assert!(error.offset <= text.len());
            }
        }
    }
}
