//! Checks of single values: paths, JSONata strings, payload templates, numbers, timestamps, resources.

use serde_json::{Map, Value};

use super::{Sink, codes};
use crate::NumberOr;
use crate::expr::jsonpath::{self, Root};
use crate::expr::{intrinsic, jsonata};

/// Whether a string holds a complete `${...}` substitution placeholder (CloudFormation/SAM
/// `DefinitionSubstitutions`, Terraform templates): such a value is replaced before AWS sees it, so it
/// is accepted wherever a value could be substituted.
pub(crate) fn has_placeholder(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .windows(2)
        .position(|pair| pair == b"${")
        .is_some_and(|start| {
            bytes[start + 2..]
                .iter()
                .position(|&b| b == b'}')
                .is_some_and(|len| len > 0)
        })
}

/// Whether a value stands for something substituted before AWS sees it: a string holding a `${...}`
/// placeholder, or a CloudFormation intrinsic object (`{"Ref": ...}`, `{"Fn::GetAtt": ...}`) left in
/// a definition taken from a template.
pub(crate) fn is_placeholder_value(value: &Value) -> bool {
    match value {
        Value::String(text) => has_placeholder(text),
        Value::Object(map) => {
            map.len() == 1
                && map
                    .keys()
                    .next()
                    .is_some_and(|key| key == "Ref" || key.starts_with("Fn::"))
        }
        _ => false,
    }
}

/// Parses a path, tolerating the two forms real deployed workflows use that the shared parser does
/// not read yet: bare words in a filter (`[?(@.Type==AMOUNT_PAID)]`) and the `[(@.length-1)]`
/// script. Any other filter or script the shared parser rejects stays an error, because the
/// simulator compiles paths with that parser: `check` and `run` must refuse the same filters.
fn parse_path(text: &str) -> Result<jsonpath::Path, jsonpath::PathError> {
    let strict = jsonpath::parse(text);
    if strict.is_ok() || !text.contains("[(") && !text.contains("[?(") {
        return strict;
    }
    let mut loose = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('[') {
        loose.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let script = after.starts_with('(') || after.starts_with("?(");
        if !script {
            loose.push('[');
            rest = after;
            continue;
        }
        let mut depth = 0usize;
        let mut end = None;
        for (offset, c) in after.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ']' if depth == 0 => {
                    end = Some(offset);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            return strict;
        };
        if !is_tolerated_script(&after[..end]) {
            return strict;
        }
        loose.push_str("[*]");
        rest = &after[end + 1..];
    }
    loose.push_str(rest);
    match jsonpath::parse(&loose) {
        Ok(mut path) => {
            // A filter or script selects by computation: never a single node.
            path.segments
                .push(jsonpath::Segment::Child(jsonpath::Selector::Wildcard));
            Ok(path)
        }
        Err(_) => strict,
    }
}

/// Whether a bracket's insides (`?(...)` or `(...)`) are one of the forms AWS accepts that the
/// shared parser does not read: a filter that parses once its bare words are quoted, or
/// `(@.length)` with an optional `- N` / `+ N`.
fn is_tolerated_script(inside: &str) -> bool {
    if let Some(filter) = inside.strip_prefix('?') {
        let quoted = quote_bare_words(filter);
        return jsonpath::parse(&format!("$[?{quoted}]")).is_ok();
    }
    let Some(script) = inside
        .strip_prefix('(')
        .and_then(|rest| rest.strip_suffix(')'))
    else {
        return false;
    };
    let Some(rest) = script.trim().strip_prefix("@.length") else {
        return false;
    };
    let rest = rest.trim_start();
    if rest.is_empty() {
        return true;
    }
    rest.strip_prefix('-')
        .or_else(|| rest.strip_prefix('+'))
        .map(str::trim)
        .is_some_and(|number| !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
}

/// A filter with each bare word that stands where a value belongs (after a comparison operator,
/// or before one) written as a quoted string: `@.Type==AMOUNT_PAID` becomes `@.Type=='AMOUNT_PAID'`.
/// Path names after `.` and the literals `true`, `false` and `null` stay as they are.
fn quote_bare_words(filter: &str) -> String {
    let mut out = String::with_capacity(filter.len() + 8);
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    let mut chars = filter.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if let Some(open) = quote {
            out.push(c);
            if c == open {
                quote = None;
            }
            previous = c;
            continue;
        }
        if c == '\'' || c == '"' {
            quote = Some(c);
            out.push(c);
            previous = c;
            continue;
        }
        let value_position = matches!(previous, '=' | '<' | '>' | '(' | '&' | '|' | '!' | ' ');
        if (c.is_alphabetic() || c == '_') && value_position {
            let mut end = start + c.len_utf8();
            while let Some(&(at, next)) = chars.peek() {
                if next.is_alphanumeric() || next == '_' || next == '-' {
                    end = at + next.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &filter[start..end];
            if matches!(word, "true" | "false" | "null") {
                out.push_str(word);
            } else {
                out.push('\'');
                out.push_str(word);
                out.push('\'');
            }
            previous = 'w';
            continue;
        }
        out.push(c);
        previous = c;
    }
    out
}

/// What a JSONPath-flavoured string field must hold.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathKind {
    /// Any path (InputPath, OutputPath): `$`, `$$` or a variable, wildcards and filters allowed.
    Any,
    /// A reference path naming one node, from any root (`*Path` fields, `Variable`).
    Reference,
    /// A reference path into the state input only (ResultPath): no context object, no variables.
    Result,
}

/// Why a path field's text is not acceptable, or `None` when it is.
pub(crate) fn path_problem(text: &str, kind: PathKind) -> Option<String> {
    match simple_path(text) {
        Some(SimpleRoot::Input) => return None,
        Some(SimpleRoot::Context) if kind != PathKind::Result => return None,
        _ => {}
    }
    if has_placeholder(text) {
        return None;
    }
    let path = match parse_path(text) {
        Ok(path) => path,
        Err(error) => return Some(format!("is not a valid JSONPath ({})", error.reason)),
    };
    match kind {
        PathKind::Any => None,
        PathKind::Reference if !path.is_definite() => Some(
            "must be a reference path (one node: no wildcards, filters, slices or unions)"
                .to_owned(),
        ),
        PathKind::Reference => None,
        PathKind::Result => {
            if !matches!(path.root, Root::Input) {
                Some("must be a reference path into the state input, starting with '$' (not '$$' or a variable)".to_owned())
            } else if !path.is_definite() {
                Some(
                    "must be a reference path (one node: no wildcards, filters, slices or unions)"
                        .to_owned(),
                )
            } else {
                None
            }
        }
    }
}

#[derive(PartialEq, Eq)]
enum SimpleRoot {
    Input,
    Context,
}

/// Recognises the common `$`, `$.a.b`, `$$.Execution.Id` shape without the full parser (most paths
/// of a document have it, and validation runs on every edit).
fn simple_path(text: &str) -> Option<SimpleRoot> {
    let (root, rest) = match text.strip_prefix("$$") {
        Some(rest) => (SimpleRoot::Context, rest),
        None => (SimpleRoot::Input, text.strip_prefix('$')?),
    };
    let mut segments = rest.split('.');
    if !segments.next()?.is_empty() {
        return None;
    }
    for name in segments {
        let mut chars = name.chars();
        let first = chars.next()?;
        if !(first.is_ascii_alphabetic() || first == '_')
            || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return None;
        }
    }
    Some(root)
}

/// Why a `.$` value (payload templates, Assign, ErrorPath/CausePath) is not a valid path or intrinsic
/// function call, or `None` when it is.
pub(crate) fn dollar_value_problem(text: &str) -> Option<String> {
    if has_placeholder(text) {
        return None;
    }
    if text.starts_with(char::is_whitespace) {
        return Some("must not start with whitespace".to_owned());
    }
    if intrinsic::looks_like_intrinsic(text) {
        if let Some(problem) = bad_escape(text) {
            return Some(format!("is not a valid intrinsic function call: {problem}"));
        }
        return intrinsic::validate(text)
            .err()
            .map(|error| format!("is not a valid intrinsic function call: {error}"));
    }
    if simple_path(text).is_some() {
        return None;
    }
    if text.starts_with('$') {
        return parse_path(text)
            .err()
            .map(|error| format!("is not a valid JSONPath ({})", error.reason));
    }
    Some(
        "must be a JSONPath (starting with '$') or an intrinsic function call (States.*)"
            .to_owned(),
    )
}

/// Inside an intrinsic call's quoted strings, AWS allows only the escapes `\'`, `\{`, `\}` and `\\`
/// (recorded: `\"` is rejected). The shared parser is more lenient, so this is checked here.
fn bad_escape(text: &str) -> Option<String> {
    let mut quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => quoted = !quoted,
            '\\' if quoted => match chars.next() {
                Some('\'' | '{' | '}' | '\\') => {}
                Some(other) => {
                    return Some(format!(
                        "'\\{other}' is not an allowed escape in a string literal (only \\', \\{{, \\}} and \\\\)"
                    ));
                }
                None => return Some("the text ends inside an escape".to_owned()),
            },
            _ => {}
        }
    }
    None
}

/// The JSONata problem of a string, if it is meant as a JSONata expression: a whole `{% ... %}`
/// string whose body does not parse, or a string that opens `{%` without closing (or the reverse).
pub(crate) fn jsonata_problem(text: &str) -> Option<String> {
    if let Some(body) = jsonata::jsonata_body(text) {
        if has_placeholder(body) && jsonata::check_syntax(body).is_err() {
            return None;
        }
        return jsonata::check_syntax(body)
            .err()
            .map(|error| format!("is not a valid JSONata expression: {error}"));
    }
    let trimmed = text.trim();
    if trimmed.starts_with("{%") && !trimmed.ends_with("%}") {
        return Some("opens a JSONata expression with '{%' but does not end with '%}'".to_owned());
    }
    if trimmed.ends_with("%}") && !trimmed.starts_with("{%") {
        return Some("ends with '%}' but does not start with '{%'".to_owned());
    }
    // A string with spaces around `{% ... %}` is a literal for AWS (recorded: "constant_not_jsonata").
    None
}

/// Whether a string is a whole `{% ... %}` JSONata expression.
pub(crate) fn is_jsonata(text: &str) -> bool {
    jsonata::jsonata_body(text).is_some()
}

/// Checks every string inside a JSONata-state value (Arguments, Output, Assign, Items, ...).
pub(crate) fn check_jsonata_tree(
    sink: &mut Sink<'_>,
    value: &Value,
    pointer: &str,
    field: &dyn Fn() -> String,
) {
    match value {
        Value::String(text) => {
            if let Some(problem) = jsonata_problem(text) {
                sink.error(codes::SCHEMA, pointer, format!("{} {problem}", field()));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                if needs_visit(item) {
                    check_jsonata_tree(sink, item, &format!("{pointer}/{index}"), field);
                }
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                if needs_visit(item) {
                    check_jsonata_tree(sink, item, &super::child(pointer, key), field);
                }
            }
        }
        _ => {}
    }
}

/// Whether a value inside a JSONata template can hold a problem (so its pointer is worth building).
fn needs_visit(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('%'),
        Value::Array(_) | Value::Object(_) => true,
        _ => false,
    }
}

/// Checks a JSONPath payload template (Parameters, ResultSelector, ItemSelector, Assign, ...): every
/// `.$` key holds a valid path or intrinsic call, and no two keys collide once `.$` is stripped.
/// `pointer` is built only for a diagnostic: payload templates are on most states.
pub(crate) fn check_payload(
    sink: &mut Sink<'_>,
    value: &Value,
    pointer: &dyn Fn() -> String,
    field: &dyn Fn() -> String,
) {
    match value {
        Value::Object(map) => check_payload_object(sink, map, pointer, field),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                if item.is_object() || item.is_array() {
                    check_payload(sink, item, &|| format!("{}/{index}", pointer()), field);
                }
            }
        }
        _ => {}
    }
}

fn check_payload_object(
    sink: &mut Sink<'_>,
    map: &Map<String, Value>,
    pointer: &dyn Fn() -> String,
    field: &dyn Fn() -> String,
) {
    // Collisions need a set only when some key ends in `.$`; most templates are small.
    let dollar_keys = map.keys().filter(|key| key.ends_with(".$")).count();
    let mut stripped: crate::hasher::FnvMap<&str, &str> = crate::hasher::FnvMap::default();
    if dollar_keys > 0 {
        stripped.reserve(map.len());
    }
    for (key, item) in map {
        let bare = key.strip_suffix(".$");
        if dollar_keys > 0
            && let Some(first) = stripped.insert(bare.unwrap_or(key), key)
        {
            sink.error(
                    codes::DUPLICATE_FIELD_NAME,
                    &super::child(&pointer(), key),
                    format!(
                        "{}: fields '{first}' and '{key}' both become '{}' once the '.$' suffix is stripped",
                        field(),
                        bare.unwrap_or(key)
                    ),
                );
        }
        if bare.is_some() {
            let problem = match item {
                Value::String(text) => dollar_value_problem(text),
                other if is_placeholder_value(other) => None,
                _ => Some(
                    "must be a string holding a JSONPath or an intrinsic function call".to_owned(),
                ),
            };
            if let Some(problem) = problem {
                sink.error(
                    codes::SCHEMA,
                    &super::child(&pointer(), key),
                    format!("{}: the value of '{key}' {problem}", field()),
                );
            }
        } else if item.is_object() || item.is_array() {
            check_payload(sink, item, &|| super::child(&pointer(), key), field);
        } else if let Value::String(text) = item
            && looks_dynamic(text)
        {
            sink.warning(
                codes::NO_DOLLAR,
                &super::child(&pointer(), key),
                format!(
                    "{}: '{key}' holds \"{text}\", which looks like a path or intrinsic function but is passed as a literal string; name the field '{key}.$' to evaluate it",
                    field()
                ),
            );
        }
    }
}

/// Whether a literal string looks like it was meant to be evaluated (a path or an intrinsic call).
pub(crate) fn looks_dynamic(text: &str) -> bool {
    text == "$"
        || text == "$$"
        || text.starts_with("$.")
        || text.starts_with("$$.")
        || text.starts_with("$[")
        || (intrinsic::looks_like_intrinsic(text) && text.trim_end().ends_with(')'))
}

/// What a numeric field accepts.
#[derive(Clone, Copy)]
pub(crate) struct NumberRule {
    /// Integers only.
    pub integer: bool,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: Option<f64>,
}

impl NumberRule {
    pub(crate) const fn int(min: f64) -> Self {
        Self {
            integer: true,
            min,
            max: None,
        }
    }
}

/// Checks a number field that may hold a JSONata expression (JSONata states) or a placeholder.
/// `pointer` and `what` (the field as messages name it) are built only when there is a problem.
pub(crate) fn check_number(
    sink: &mut Sink<'_>,
    value: &NumberOr,
    rule: NumberRule,
    jsonata_state: bool,
    pointer: impl FnOnce() -> String,
    what: impl FnOnce() -> String,
) {
    if let Some(problem) = number_problem(value, rule, jsonata_state) {
        sink.error(codes::SCHEMA, &pointer(), format!("{} {problem}", what()));
    }
}

/// [`check_number`] on each field of `fields` that is present; `pointer` and `what` build the
/// field's pointer and name from its member name.
pub(crate) fn check_number_fields(
    sink: &mut Sink<'_>,
    fields: &[(&str, &Option<NumberOr>, NumberRule)],
    jsonata_state: bool,
    pointer: impl Fn(&str) -> String,
    what: impl Fn(&str) -> String,
) {
    for &(field, value, rule) in fields {
        if let Some(value) = value {
            check_number(
                sink,
                value,
                rule,
                jsonata_state,
                || pointer(field),
                || what(field),
            );
        }
    }
}

fn number_problem(value: &NumberOr, rule: NumberRule, jsonata_state: bool) -> Option<String> {
    match value {
        NumberOr::Number(n) => {
            let number = n.as_f64().unwrap_or(f64::NAN);
            // A number written `100.0` or `1e2` has an integral value and is accepted where ASL
            // wants an integer, as JSON Schema (draft 6 on) defines "integer" and asl-validator
            // does; `1.5` and `1e-1` are not integers.
            let integral =
                n.is_i64() || n.is_u64() || (number.is_finite() && number.fract() == 0.0);
            if rule.integer && !integral {
                Some(format!("must be an integer, found {n}"))
            } else if number < rule.min {
                Some(format!("is {n} but the allowed minimum is {}", rule.min))
            } else {
                rule.max
                    .filter(|max| number > *max)
                    .map(|max| format!("is {n} but the allowed maximum is {max}"))
            }
        }
        NumberOr::Expr(text) => {
            if has_placeholder(text) {
                return None;
            }
            if jsonata_state && is_jsonata(text) {
                return jsonata_problem(text);
            }
            let kind = if rule.integer {
                "an integer"
            } else {
                "a number"
            };
            let hint = if is_jsonata(text) {
                " (JSONata expressions need QueryLanguage JSONata)"
            } else {
                ""
            };
            Some(format!("must be {kind}, found the string \"{text}\"{hint}"))
        }
    }
}

/// Whether a string is an ISO-8601 timestamp as ASL requires (RFC 3339: `YYYY-MM-DDTHH:MM:SS`,
/// optional fraction, then `Z` or `±HH:MM`; uppercase `T` and `Z`).
pub(crate) fn is_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range.clone())
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let number = |range: std::ops::Range<usize>| -> u32 {
        text.get(range)
            .and_then(|part| part.parse().ok())
            .unwrap_or(u32::MAX)
    };
    if bytes.len() < 20
        || !digits(0..4)
        || bytes[4] != b'-'
        || !digits(5..7)
        || bytes[7] != b'-'
        || !digits(8..10)
        || bytes[10] != b'T'
        || !digits(11..13)
        || bytes[13] != b':'
        || !digits(14..16)
        || bytes[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0
        || day > days_in_month
        || number(11..13) > 23
        || number(14..16) > 59
        || number(17..19) > 60
    {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let count = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if count == 0 {
            return false;
        }
        rest = &fraction[count..];
    }
    if rest == "Z" {
        return true;
    }
    let offset = rest.as_bytes();
    offset.len() == 6
        && matches!(offset[0], b'+' | b'-')
        && offset[1..3].iter().all(u8::is_ascii_digit)
        && offset[3] == b':'
        && offset[4..6].iter().all(u8::is_ascii_digit)
        && number(20..22) <= 23
        && number(23..25) <= 59
}

/// Why a Task `Resource` is not acceptable, or `None`. Any URI is accepted (activities, service
/// integrations, the statelint fixtures' `foo:bar`); Lambda function ARNs also get their function name
/// and qualifier checked, as AWS does.
pub(crate) fn resource_problem(text: &str) -> Option<String> {
    if text.contains("${") {
        return if unterminated_placeholder(text) {
            Some("has a '${' placeholder that is never closed with '}'".to_owned())
        } else {
            None
        };
    }
    let Some((scheme, rest)) = text.split_once(':') else {
        return Some("must be a URI such as an ARN".to_owned());
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() || text.chars().any(char::is_whitespace) {
        return Some("must be a URI such as an ARN".to_owned());
    }
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function" {
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        };
        let qualifier_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '$'))
        };
        let ok = match parts.len() {
            7 => name_ok(parts[6]),
            8 => name_ok(parts[6]) && qualifier_ok(parts[7]),
            _ => false,
        };
        if !ok {
            return Some(
                "is not a valid Lambda function ARN (function name, then an optional version or alias of letters, digits, '-', '_')"
                    .to_owned(),
            );
        }
    }
    None
}

fn unterminated_placeholder(text: &str) -> bool {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        match rest[start + 2..].find('}') {
            Some(end) => rest = &rest[start + 2 + end + 1..],
            None => return true,
        }
    }
    false
}

/// A short name for a JSON value's type, for messages.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_paths_skip_the_parser_only_when_plainly_valid() {
        for path in ["$", "$.a", "$.a_b.C9", "$$", "$$.Execution.Id"] {
            assert!(simple_path(path).is_some(), "{path}");
            assert!(jsonpath::parse(path).is_ok(), "{path}");
        }
        for path in ["$.", "$..a", "$.a[0]", "$.9a", "$a", "$.a b", "$$$"] {
            assert!(simple_path(path).is_none(), "{path}");
        }
        assert!(path_problem("$$.a", PathKind::Result).is_some());
        assert!(path_problem("$.a", PathKind::Result).is_none());
    }

    #[test]
    fn timestamps_follow_rfc3339_strictly() {
        assert!(is_timestamp("2016-03-14T01:59:00Z"));
        assert!(is_timestamp("2016-03-14T01:59:00.123Z"));
        assert!(is_timestamp("2016-03-14T01:59:00+01:00"));
        assert!(!is_timestamp("2016-03-14t01:59:00Z"));
        assert!(!is_timestamp("2016-03-14T01:59:00z"));
        assert!(!is_timestamp("2016-02-30T01:59:00Z"));
        assert!(!is_timestamp("2016-03-14 01:59:00Z"));
        assert!(!is_timestamp("2016-03-14T01:59:00"));
        assert!(!is_timestamp("yesterday"));
    }

    #[test]
    fn placeholders_need_a_closing_brace() {
        assert!(has_placeholder("${Fn}"));
        assert!(has_placeholder(
            "arn:${AWS::Partition}:states:::lambda:invoke"
        ));
        assert!(!has_placeholder("${lambdaArn"));
        assert!(!has_placeholder("$.a"));
        assert!(resource_problem("${lambdaArn").is_some());
        assert!(resource_problem("${LambdaArn}").is_none());
    }

    #[test]
    fn lambda_arns_are_checked() {
        assert!(resource_problem("arn:aws:lambda:us-east-1:123:function:Fn").is_none());
        assert!(resource_problem("arn:aws:lambda:us-east-1:123:function:Fn:$LATEST").is_none());
        assert!(resource_problem("arn:aws:lambda:us-east-1:123:function:Fn:").is_some());
        assert!(resource_problem("arn:aws:lambda:r:1:function:F:$*#$7485").is_some());
        assert!(resource_problem("foo:bar").is_none());
        assert!(resource_problem("not a uri").is_some());
    }

    #[test]
    fn filters_the_simulator_refuses_are_errors_and_aws_bare_words_are_not() {
        for refused in [
            "$.a[?(@.b ==)]",
            "$.a[?(@.b === 1)]",
            "$.a[?()]",
            "$.a[?(@.b == 1 &&)]",
            "$.a[(@.foo bar)]",
            "$.a[(1+)]",
        ] {
            assert!(path_problem(refused, PathKind::Any).is_some(), "{refused}");
            assert!(dollar_value_problem(refused).is_some(), "{refused}");
        }
        for accepted in [
            "$.ExpenseDocuments[0].SummaryFields[?(@.Type.Text==AMOUNT_PAID)].ValueDetection.Text",
            "$..QualityResults[?(@.constraint_status==Failure)]",
            "$[?(@.TargetLanguageCode==es)].TranslatedText",
            "$[(@.length-1)].bar",
            "$.pets[?(@.species == 'dog' && @.age>=5)]",
            "$.approaches[?(@.workerId == $.agent_id)].approach",
        ] {
            assert!(
                path_problem(accepted, PathKind::Any).is_none(),
                "{accepted}"
            );
        }
    }
}
