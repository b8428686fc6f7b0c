//! The paths a run finds missing (or holding a value of the wrong kind), read from its errors, and
//! the values the generator puts there.

use graph_model::expr::jsonpath::{self, Path};
use serde_json::{Value, json};

use crate::types::ExecutionResult;

/// The field of a [`Missing`] that stands for States.MathRandom's end, which must exceed the start
/// (every numeric placeholder is 1).
pub(super) const MATH_RANDOM_END: &str = "States.MathRandom#2";

/// A path the run found missing: in which state, the path text, and the field that read it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Missing {
    pub(super) state: String,
    pub(super) path: String,
    pub(super) field: String,
}

/// The first "could not be found" / "Invalid path" error of the run, caught or not.
pub(super) fn missing_path(result: &ExecutionResult) -> Option<Missing> {
    let mut texts: Vec<String> = Vec::new();
    for event in &result.history {
        for value in event.details.values() {
            strings_in(value, &mut texts);
        }
    }
    texts.extend(result.cause.clone());
    // A Distributed Map child's failure is only in the trace.
    texts.extend(result.trace.iter().filter_map(|entry| entry.cause.clone()));
    texts.iter().find_map(|text| parse_missing(text))
}

fn strings_in(value: &Value, texts: &mut Vec<String>) {
    match value {
        Value::String(text) if text.contains("executing the state '") => {
            texts.push(text.clone());
        }
        Value::Array(items) => items.iter().for_each(|item| strings_in(item, texts)),
        Value::Object(map) => map.values().for_each(|item| strings_in(item, texts)),
        _ => {}
    }
}

fn between<'t>(text: &'t str, start: &str, end: &str) -> Option<&'t str> {
    let from = text.find(start)? + start.len();
    let rest = text.get(from..)?;
    rest.get(..rest.find(end)?)
}

fn parse_missing(text: &str) -> Option<Missing> {
    let state = between(text, "executing the state '", "' (entered")?;
    // An intrinsic given a value of the wrong kind: which argument, to be found in the state's
    // templates ([`argument_path`]).
    if let Some(function) = between(text, "Invalid arguments in ", ": argument ")
        && let Some(position) = between(text, ": argument ", " must be")
    {
        return Some(Missing {
            state: state.to_owned(),
            path: String::new(),
            field: format!("{function}#{position}"),
        });
    }
    // States.MathRandom given an end no greater than its start (both placeholders): the end is
    // given a larger value ([`MATH_RANDOM_END`]).
    if text.contains("Invalid arguments in States.MathRandom: the end (") {
        return Some(Missing {
            state: state.to_owned(),
            path: String::new(),
            field: MATH_RANDOM_END.to_owned(),
        });
    }
    // A value of the wrong kind (a placeholder string where a number of seconds goes): the
    // field's name decides what goes there instead.
    if let Some((field, rest)) = text
        .split_once(" field refers to value ")
        .and_then(|(before, rest)| Some((before.rsplit(' ').next()?, rest)))
        && let Some((_, path)) = rest.split_once(" which is not a valid ")
        && let Some((_, path)) = path.split_once(": ")
    {
        return Some(Missing {
            state: state.to_owned(),
            path: path
                .split(['\n', ' ', '"'])
                .next()
                .unwrap_or_default()
                .to_owned(),
            field: field.to_owned(),
        });
    }
    if let Some(path) = between(text, "Invalid path '", "' :") {
        return Some(Missing {
            state: state.to_owned(),
            path: path.to_owned(),
            field: String::new(),
        });
    }
    if let Some(path) = text
        .split_once("Missing property in path ")
        .or_else(|| text.split_once("No results for path: "))
        .map(|(_, rest)| rest.split(['\n', ' ', '"']).next().unwrap_or_default())
    {
        return Some(Missing {
            state: state.to_owned(),
            path: path.to_owned(),
            field: String::new(),
        });
    }
    let path = between(text, "The JSONPath '", "' specified for the field")
        .or_else(|| between(text, "The JSONPath '", "' could not be found"))?;
    let field = between(text, "specified for the field '", "'").unwrap_or_default();
    Some(Missing {
        state: state.to_owned(),
        path: path.to_owned(),
        field: field.to_owned(),
    })
}

/// The path a state's templates give as argument `position` (1-based) of `function`, from a
/// missing value's field `States.Name#position`.
pub(super) fn argument_path(body: &Value, field: &str) -> Option<String> {
    let (function, position) = field.split_once('#')?;
    let position: usize = position.parse().ok()?;
    let call = format!("{function}(");
    let mut texts = Vec::new();
    template_texts(body, &mut texts);
    texts.iter().find_map(|text| {
        let arguments = text.get(text.find(&call)? + call.len()..)?;
        let (mut depth, mut quoted, mut start, mut found) = (0usize, false, 0, Vec::new());
        for (at, c) in arguments.char_indices() {
            match c {
                '\'' => quoted = !quoted,
                _ if quoted => {}
                '(' => depth += 1,
                ')' if depth == 0 => {
                    found.push(arguments.get(start..at)?.trim());
                    break;
                }
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    found.push(arguments.get(start..at)?.trim());
                    start = at + 1;
                }
                _ => {}
            }
        }
        found
            .get(position.checked_sub(1)?)
            .filter(|argument| argument.starts_with('$'))
            .map(|argument| (*argument).to_owned())
    })
}

/// The `.$` values of a state's templates.
fn template_texts<'v>(value: &'v Value, texts: &mut Vec<&'v str>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match item.as_str() {
                    Some(text) if key.ends_with(".$") => texts.push(text),
                    _ => template_texts(item, texts),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| template_texts(item, texts)),
        _ => {}
    }
}

/// A value of the kind the field needs.
pub(super) fn placeholder_for(body: &Value, missing: &Missing) -> Value {
    let same = |field: &str| {
        let parsed = |text: &str| jsonpath::parse(text).ok();
        body.get(field)
            .and_then(Value::as_str)
            .and_then(parsed)
            .is_some_and(|read| Some(read) == parsed(&missing.path))
    };
    if same("ItemsPath") {
        return json!([{}]);
    }
    if same("SecondsPath")
        || same("TimeoutSecondsPath")
        || same("HeartbeatSecondsPath")
        || missing.field.contains("Seconds")
    {
        return json!(1);
    }
    if same("TimestampPath") || missing.field.contains("Timestamp") {
        return json!("2026-01-01T00:05:00Z");
    }
    json!("example")
}

/// The first path under `prefix` a template reads in one of its `.$` members, directly or as an
/// argument of an intrinsic function (then with the function's name).
pub(super) fn read_under(template: &Value, prefix: &Path) -> Option<(Path, Option<String>)> {
    match template {
        Value::Object(map) => map.iter().find_map(|(key, value)| {
            let direct = key
                .ends_with(".$")
                .then(|| value.as_str())
                .flatten()
                .and_then(|text| {
                    reads_of(text).into_iter().find(|(read, _)| {
                        read.is_definite()
                            && read.root == prefix.root
                            && read.segments.starts_with(&prefix.segments)
                    })
                });
            direct.or_else(|| read_under(value, prefix))
        }),
        Value::Array(items) => items.iter().find_map(|item| read_under(item, prefix)),
        _ => None,
    }
}

/// The paths a `.$` value reads: itself, or the path arguments of an intrinsic (innermost
/// function named).
fn reads_of(text: &str) -> Vec<(Path, Option<String>)> {
    if !text.starts_with("States.") {
        return jsonpath::parse(text)
            .ok()
            .map(|path| (path, None))
            .into_iter()
            .collect();
    }
    let mut reads = Vec::new();
    let mut function: Vec<String> = Vec::new();
    let mut quoted = false;
    let mut token = String::new();
    let mut name = String::new();
    let flush =
        |token: &mut String, function: &[String], reads: &mut Vec<(Path, Option<String>)>| {
            let text = token.trim();
            if text.starts_with('$')
                && let Ok(path) = jsonpath::parse(text)
            {
                reads.push((path, function.last().cloned()));
            }
            token.clear();
        };
    for c in text.chars() {
        match c {
            '\'' => quoted = !quoted,
            _ if quoted => {}
            '(' => {
                function.push(std::mem::take(&mut name).trim().to_owned());
                token.clear();
            }
            ')' => {
                flush(&mut token, &function, &mut reads);
                function.pop();
            }
            ',' => flush(&mut token, &function, &mut reads),
            c => {
                token.push(c);
                name.push(c);
            }
        }
        if matches!(c, ',' | ')') {
            name.clear();
        }
    }
    reads
}

/// A value an intrinsic function accepts for its path argument.
pub(super) fn placeholder_for_intrinsic(function: &str) -> Value {
    match function {
        "States.StringToJson" => json!("{}"),
        "States.JsonMerge" => json!({}),
        "States.MathAdd" | "States.MathRandom" | "States.ArrayRange" => json!(1),
        "States.Base64Decode" => json!("ZXhhbXBsZQ=="),
        name if name.starts_with("States.Array") => json!(["example"]),
        _ => json!("example"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Option<(String, String, String)> {
        parse_missing(text).map(|missing| (missing.state, missing.path, missing.field))
    }

    #[test]
    fn every_form_of_the_simulators_missing_path_errors_is_read() {
        let at = "An error occurred while executing the state 'S' (entered at the event id #2). ";
        let owned = |a: &str, b: &str, c: &str| Some((a.to_owned(), b.to_owned(), c.to_owned()));
        assert_eq!(
            parsed(&format!(
                "{at}Invalid path '$.n' : No results for path: $['n']"
            )),
            owned("S", "$.n", "")
        );
        assert_eq!(
            parsed(&format!(
                "{at}The JSONPath '$.detail['flow-name']' specified for the field 'T.$' could not be found in the input '{{}}'"
            )),
            owned("S", "$.detail['flow-name']", "T.$")
        );
        assert_eq!(
            parsed(&format!("{at}Missing property in path $['Payload']")),
            owned("S", "$['Payload']", "")
        );
        assert_eq!(
            parsed(&format!(
                "{at}The TimeoutSecondsPath field refers to value \"example\" which is not a valid positive integer: $.expirydate"
            )),
            owned("S", "$.expirydate", "TimeoutSecondsPath")
        );
        assert_eq!(
            parsed(&format!(
                "{at}Invalid arguments in States.MathRandom: the end (1) must be greater than the start (1)"
            )),
            owned("S", "", MATH_RANDOM_END)
        );
        assert_eq!(parsed("States.TaskFailed: boom"), None);
    }

    #[test]
    fn an_intrinsic_given_the_wrong_kind_of_value_names_the_path_it_read() {
        let text = "An error occurred while executing the state 'Generate Items' (entered at the event id #22). Invalid arguments in States.ArrayRange: argument 2 must be a number, but was object: {}";
        let missing = parse_missing(text);
        assert_eq!(
            missing.as_ref().map(|m| m.field.as_str()),
            Some("States.ArrayRange#2")
        );
        let body = json!({"Type": "Pass", "Parameters": {
            "items.$": "States.ArrayRange(1, States.MathAdd($.a, 1), $.config.worker_count)"}});
        assert_eq!(
            argument_path(&body, "States.ArrayRange#3").as_deref(),
            Some("$.config.worker_count")
        );
        assert_eq!(argument_path(&body, "States.ArrayRange#1"), None);
    }

    #[test]
    fn intrinsic_arguments_are_read_with_their_function() {
        let reads = reads_of("States.StringToJson($.Payload.body)");
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0].1.as_deref(), Some("States.StringToJson"));
        assert_eq!(
            placeholder_for_intrinsic("States.ArrayLength"),
            json!(["example"])
        );
    }
}
