//! JSONata evaluation with AWS's additions: the `$states` variable, workflow variables, and the
//! functions `$partition`, `$range`, `$hash`, `$random([seed])`, `$uuid` and `$parse`.
//!
//! Runs are deterministic: `$random()` and `$uuid()` draw from [`Bindings::seed`], and `$now()` /
//! `$millis()` read the context's `State.EnteredTime` instead of the wall clock (which also keeps
//! them working on wasm32). `$eval` is refused, as AWS documents.
//!
//! The jsonata-core crate does the evaluation; its types stay inside this module. Errors come back as
//! AWS's `States.QueryEvaluationError` with the cause AWS records after the
//! "An error occurred while executing the state '...' (entered at the event id #N). " prefix,
//! which the engine adds because only it knows the state and event.

use std::cell::Cell;
use std::rc::Rc;

use graph_model::expr::jsonata::jsonata_body;
use jsonata_core::evaluator::{Context, Evaluator, EvaluatorError, EvaluatorOptions};
use jsonata_core::value::{JArray, JMap, JValue};
use serde_json::{Map, Value};

use crate::intrinsics::{IntrinsicContext, hash_hex, kind_name};
use crate::jsonata_steps::{meter_functions, register_range_check, register_step_counter};

/// AWS's error name for every JSONata failure at run time.
pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";

/// Deepest nesting of one evaluation (about a third as many non-tail recursive calls): past it the
/// expression fails with D1011, as jsonata-js does when its stack runs out on AWS.
const MAX_STACK_DEPTH: usize = 3_000;

/// Longest one expression may run (native builds only), a second guard behind the deterministic
/// step budget of [`crate::jsonata_steps`] (which ends runaway recursion on every target, the
/// browser included): should some loop escape the count, it still ends here with D1012.
const MAX_EVALUATION_MILLIS: u64 = 3_000;

/// The longest string `$pad` builds: a state's whole payload limit (256 KiB). Checked before the
/// string is allocated, so `$pad('x', 4000000000)` fails instead of taking gigabytes.
const MAX_PAD_CHARS: usize = 256 * 1024;

/// What an expression can see.
#[derive(Debug, Clone, Copy)]
pub struct Bindings<'a> {
    /// The value of `$states`: an object with `input`, `context`, and when the field allows them
    /// `result` and `errorOutput`.
    pub states: &'a Value,
    /// The workflow variables in scope, each bound as `$name`.
    pub variables: &'a Map<String, Value>,
    /// Seed for `$random()` and `$uuid()`; the same seed gives the same values.
    pub seed: u64,
}

/// A JSONata failure: AWS's error name and cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {cause}")]
pub struct JsonataError {
    /// The error name, `States.QueryEvaluationError`.
    pub error: String,
    /// AWS's cause text, from "The JSONata expression '...'" on.
    pub cause: String,
}

impl JsonataError {
    fn query(cause: String) -> Self {
        JsonataError {
            error: QUERY_EVALUATION_ERROR.to_string(),
            cause,
        }
    }

    /// The error for an expression that returned nothing, as AWS words it.
    pub fn undefined(expr: &str, field: &str) -> Self {
        Self::query(format!(
            "The JSONata expression '{expr}' specified for the field '{field}' returned nothing (undefined)."
        ))
    }

    /// The error for a result of the wrong JSON type, e.g. a Map's `Items` that is not an array
    /// (`expected` is "array", "number", ...).
    pub fn unexpected_type(expr: &str, field: &str, expected: &str, value: &Value) -> Self {
        Self::query(format!(
            "The JSONata expression '{expr}' specified for the field '{field}' returned an unexpected result type. Expected '{expected}', but was '{}' for value: {value}",
            kind_name(value)
        ))
    }

    fn unsupported(expr: &str, field: &str) -> Self {
        Self::query(format!(
            "The JSONata expression '{expr}' specified for the field '{field}' returned an unsupported result type."
        ))
    }

    fn threw(expr: &str, field: &str, message: &str) -> Self {
        Self::query(format!(
            "The JSONata expression '{expr}' specified for the field '{field}' threw an error during evaluation. {message}"
        ))
    }
}

/// Evaluates one JSONata expression (the text inside `{% %}`). The field named in error causes is
/// empty; the engine should prefer [`evaluate_in`].
pub fn evaluate(expr: &str, bindings: &Bindings<'_>) -> Result<Value, JsonataError> {
    evaluate_in(expr, bindings, "")
}

/// Evaluates one JSONata expression for the state field `field` (e.g. `Items`, `Output/result`),
/// which AWS names in its error causes. An expression that returns nothing is an error.
pub fn evaluate_in(
    expr: &str,
    bindings: &Bindings<'_>,
    field: &str,
) -> Result<Value, JsonataError> {
    Session::new(bindings).evaluate(expr.trim(), field)
}

/// Evaluates every string of `value` that is a whole `{% %}` expression, walking objects and arrays;
/// other strings and values stay as they are. Error causes name the failing key's path
/// relative to `value`; the engine should prefer [`evaluate_template_in`].
pub fn evaluate_template(value: &Value, bindings: &Bindings<'_>) -> Result<Value, JsonataError> {
    evaluate_template_in(value, bindings, "")
}

/// [`evaluate_template`] for the state field `field` (e.g. `Output`, `Arguments`, `Assign`): a failing
/// expression under key `result` is reported for the field `Output/result`, as AWS does.
pub fn evaluate_template_in(
    value: &Value,
    bindings: &Bindings<'_>,
    field: &str,
) -> Result<Value, JsonataError> {
    let mut session = Session::new(bindings);
    session.template(value, field)
}

/// One evaluation run: the bindings converted once, and one random stream shared by its fields.
struct Session {
    states: JValue,
    variables: Vec<(String, JValue)>,
    random: Rc<Cell<u64>>,
    clock_millis: i64,
}

impl Session {
    fn new(bindings: &Bindings<'_>) -> Self {
        Session {
            states: to_jvalue(bindings.states),
            variables: bindings
                .variables
                .iter()
                .map(|(name, value)| (name.clone(), to_jvalue(value)))
                .collect(),
            random: Rc::new(Cell::new(bindings.seed)),
            clock_millis: clock_millis(bindings.states),
        }
    }

    fn template(&mut self, value: &Value, field: &str) -> Result<Value, JsonataError> {
        match value {
            Value::String(text) => match jsonata_body(text) {
                Some(expr) => self.evaluate(expr, field),
                None => Ok(value.clone()),
            },
            Value::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (key, item) in map {
                    out.insert(key.clone(), self.template(item, &join_field(field, key))?);
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| self.template(item, &join_field(field, &index.to_string())))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            other => Ok(other.clone()),
        }
    }

    fn evaluate(&mut self, expr: &str, field: &str) -> Result<Value, JsonataError> {
        let mut ast = jsonata_core::parser::parse(expr)
            .map_err(|error| JsonataError::threw(expr, field, &error.to_string()))?;
        meter_functions(&mut ast);
        let mut evaluator = self.evaluator();
        let result = evaluator
            .evaluate(&ast, &JValue::Null)
            .map_err(|error| JsonataError::threw(expr, field, &aws_message(&error)))?;
        match to_json(&result) {
            // jsonata-js refuses an infinite number ("D1001: Number out of range") wherever it
            // goes next; as a result it would become `null` here, so it is refused the same way.
            Converted::Value(_) if has_non_finite(&result) => Err(JsonataError::threw(
                expr,
                field,
                "D1001: Number out of range",
            )),
            Converted::Value(value) => Ok(value),
            Converted::Undefined => Err(JsonataError::undefined(expr, field)),
            Converted::Unsupported => Err(JsonataError::unsupported(expr, field)),
        }
    }

    fn evaluator(&self) -> Evaluator {
        let mut context = Context::new();
        for (name, value) in &self.variables {
            context.bind(name.clone(), value.clone());
        }
        context.bind("states".to_string(), self.states.clone());
        let options = EvaluatorOptions {
            max_stack_depth: Some(MAX_STACK_DEPTH),
            timeout_ms: (!cfg!(target_arch = "wasm32")).then_some(MAX_EVALUATION_MILLIS),
            ..EvaluatorOptions::default()
        };
        let mut evaluator = Evaluator::with_options(context, options);
        register_aws_functions(&mut evaluator, &self.random);
        register_clock(&mut evaluator, self.clock_millis);
        register_step_counter(&mut evaluator);
        register_range_check(&mut evaluator);
        evaluator
    }
}

/// Whether `value` holds an infinite or NaN number (`1/0`), which JSON cannot carry.
fn has_non_finite(value: &JValue) -> bool {
    match value {
        JValue::Number(number) => !number.is_finite(),
        JValue::Array(items) => items.iter().any(has_non_finite),
        JValue::Object(map) => map.values().any(has_non_finite),
        _ => false,
    }
}

fn join_field(field: &str, key: &str) -> String {
    if field.is_empty() {
        key.to_string()
    } else {
        format!("{field}/{key}")
    }
}

/// jsonata-core's message in jsonata-js's words, which AWS quotes. jsonata-core names the callee in
/// T1006 ("...non-function: $f"); jsonata-js, and so AWS, does not.
fn aws_message(error: &EvaluatorError) -> String {
    let message = error.message();
    if message.starts_with("T1006:")
        && let Some((head, _callee)) = message.rsplit_once(": $")
    {
        return head.to_string();
    }
    message.to_string()
}

/// Converts by reference: the input can be large, and cloning it first would copy it twice.
fn to_jvalue(value: &Value) -> JValue {
    match value {
        Value::Null => JValue::Null,
        Value::Bool(flag) => JValue::Bool(*flag),
        Value::Number(number) => JValue::Number(number.as_f64().unwrap_or(0.0)),
        Value::String(text) => JValue::string(text.as_str()),
        Value::Array(items) => JValue::array(items.iter().map(to_jvalue).collect()),
        Value::Object(map) => JValue::Object(Rc::new(
            map.iter()
                .map(|(key, item)| (key.clone(), to_jvalue(item)))
                .collect::<JMap>(),
        )),
    }
}

enum Converted {
    Value(Value),
    Undefined,
    Unsupported,
}

/// Converts a result to JSON: integral numbers become integers; undefined members of objects
/// and arrays vanish (as in jsonata-js's JSON output); functions and regexes cannot be output.
fn to_json(value: &JValue) -> Converted {
    match value {
        JValue::Undefined => Converted::Undefined,
        JValue::Null => Converted::Value(Value::Null),
        JValue::Bool(flag) => Converted::Value(Value::Bool(*flag)),
        JValue::Number(number) => Converted::Value(number_to_json(*number)),
        JValue::String(text) => Converted::Value(Value::String(text.to_string())),
        JValue::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items.iter() {
                match to_json(item) {
                    Converted::Value(value) => out.push(value),
                    Converted::Undefined => {}
                    Converted::Unsupported => return Converted::Unsupported,
                }
            }
            Converted::Value(Value::Array(out))
        }
        JValue::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, item) in map.iter() {
                match to_json(item) {
                    Converted::Value(value) => {
                        out.insert(key.clone(), value);
                    }
                    Converted::Undefined => {}
                    Converted::Unsupported => return Converted::Unsupported,
                }
            }
            Converted::Value(Value::Object(out))
        }
        _ => Converted::Unsupported,
    }
}

fn number_to_json(number: f64) -> Value {
    // 2^53: beyond it f64 has no fraction, and i64 still holds it exactly.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if number.fract() == 0.0 && number.abs() <= EXACT {
        // Integral and within ±2^53 by the check above, so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        return Value::from(number as i64);
    }
    serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
}

fn function_error(function: &str, problem: impl std::fmt::Display) -> EvaluatorError {
    EvaluatorError::EvaluationError(format!("{function}: {problem}"))
}

fn array_arg<'a>(
    args: &'a [JValue],
    index: usize,
    function: &str,
) -> Result<&'a JArray, EvaluatorError> {
    match args.get(index) {
        Some(JValue::Array(items)) => Ok(items),
        Some(other) => Err(function_error(
            function,
            format!(
                "argument {} must be an array, not {}",
                index + 1,
                jvalue_kind(other)
            ),
        )),
        None => Err(function_error(
            function,
            format!("argument {} is missing", index + 1),
        )),
    }
}

fn integer_arg(args: &[JValue], index: usize, function: &str) -> Result<i64, EvaluatorError> {
    match args.get(index) {
        Some(JValue::Number(number)) if number.fract() == 0.0 && number.abs() < 9.0e15 => {
            // Integral and far inside i64 by the guard, so the cast is exact.
            #[allow(clippy::cast_possible_truncation)]
            Ok(*number as i64)
        }
        Some(other) => Err(function_error(
            function,
            format!(
                "argument {} must be an integer, not {}",
                index + 1,
                jvalue_kind(other)
            ),
        )),
        None => Err(function_error(
            function,
            format!("argument {} is missing", index + 1),
        )),
    }
}

fn string_arg<'a>(
    args: &'a [JValue],
    index: usize,
    function: &str,
) -> Result<&'a str, EvaluatorError> {
    match args.get(index) {
        Some(JValue::String(text)) => Ok(text),
        Some(other) => Err(function_error(
            function,
            format!(
                "argument {} must be a string, not {}",
                index + 1,
                jvalue_kind(other)
            ),
        )),
        None => Err(function_error(
            function,
            format!("argument {} is missing", index + 1),
        )),
    }
}

fn jvalue_kind(value: &JValue) -> &'static str {
    match value {
        JValue::Null => "null",
        JValue::Bool(_) => "a boolean",
        JValue::Number(_) => "a number",
        JValue::String(_) => "a string",
        JValue::Array(_) => "an array",
        JValue::Object(_) => "an object",
        JValue::Undefined => "undefined",
        _ => "a function",
    }
}

/// The most items `$range` may produce, as for `States.ArrayRange`.
const MAX_RANGE_ITEMS: i64 = 1000;

fn register_aws_functions(evaluator: &mut Evaluator, random: &Rc<Cell<u64>>) {
    let registrations: [(&str, Result<(), EvaluatorError>); 4] = [
        (
            "partition",
            evaluator.register_fn("partition", |args: &[JValue]| {
                let items = array_arg(args, 0, "$partition")?;
                let size = integer_arg(args, 1, "$partition")?;
                if size < 1 {
                    return Err(function_error("$partition", "the chunk size must be a positive integer"));
                }
                let size = usize::try_from(size).unwrap_or(usize::MAX);
                Ok(JValue::array(
                    items
                        .chunks(size)
                        .map(|chunk| JValue::array(chunk.to_vec()))
                        .collect(),
                ))
            }),
        ),
        (
            "range",
            evaluator.register_fn("range", |args: &[JValue]| {
                let start = integer_arg(args, 0, "$range")?;
                let end = integer_arg(args, 1, "$range")?;
                let step = if args.len() > 2 { integer_arg(args, 2, "$range")? } else { 1 };
                if step == 0 {
                    return Err(function_error("$range", "the step must not be 0"));
                }
                let span = end - start;
                let count = if span == 0 || (span > 0) == (step > 0) { span / step + 1 } else { 0 };
                if count > MAX_RANGE_ITEMS {
                    return Err(function_error(
                        "$range",
                        format!("the range would have {count} items; at most {MAX_RANGE_ITEMS} are allowed"),
                    ));
                }
                #[allow(clippy::cast_precision_loss)]
                let items: Vec<JValue> = (0..count)
                    .map(|index| JValue::Number((start + index * step) as f64))
                    .collect();
                // A sequence, so that a single item comes out bare, as AWS records for
                // `$range(1, 9, 9)` (output `1`).
                let mut sequence = JArray::new(items);
                sequence.sequence = true;
                Ok(JValue::Array(sequence))
            }),
        ),
        (
            "hash",
            evaluator.register_fn("hash", |args: &[JValue]| {
                let data = string_arg(args, 0, "$hash")?;
                let algorithm = string_arg(args, 1, "$hash")?;
                hash_hex(data, algorithm).map(JValue::from).ok_or_else(|| {
                    function_error(
                        "$hash",
                        format!("the hash algorithm '{algorithm}' is not supported"),
                    )
                })
            }),
        ),
        (
            "parse",
            evaluator.register_fn("parse", |args: &[JValue]| {
                let text = string_arg(args, 0, "$parse")?;
                let parsed: Value = serde_json::from_str(text)
                    .map_err(|error| function_error("$parse", format!("the string is not valid JSON: {error}")))?;
                Ok(JValue::from(parsed))
            }),
        ),
    ];
    let stream = Rc::clone(random);
    let random_fn = move |args: &[JValue]| -> Result<JValue, EvaluatorError> {
        let bits = match args.first() {
            Some(JValue::Number(seed)) => {
                // A seed picks its own stream, so equal seeds give equal numbers.
                #[allow(clippy::cast_possible_truncation)]
                IntrinsicContext::new((*seed as i64).cast_unsigned()).next_u64()
            }
            _ => next_from(&stream),
        };
        // The top 53 bits make a uniform double in [0, 1).
        #[allow(clippy::cast_precision_loss)]
        Ok(JValue::Number((bits >> 11) as f64 / (1u64 << 53) as f64))
    };
    let stream = Rc::clone(random);
    let uuid_fn = move |_args: &[JValue]| -> Result<JValue, EvaluatorError> {
        let mut generator = IntrinsicContext::new(next_from(&stream));
        Ok(JValue::from(generator.uuid_v4()))
    };
    let random_result = evaluator.register_fn_override("random", random_fn);
    let pad_result = evaluator.register_fn_override("pad", pad);
    let uuid_result = evaluator.register_fn("uuid", uuid_fn);
    for (name, result) in registrations.into_iter().chain([
        ("random", random_result),
        ("uuid", uuid_result),
        ("pad", pad_result),
    ]) {
        // Registration fails only for a name that shadows a compiled built-in, which none of
        // these is; a jsonata-core upgrade that changes that is caught by the tests below.
        debug_assert!(result.is_ok(), "registering ${name}: {result:?}");
    }
}

/// The simulated "now" in epoch milliseconds: the context's `State.EnteredTime`, else
/// `Execution.StartTime`, else the epoch. A dry run must not read the wall clock: results would
/// differ between runs, and the clock panics on wasm32.
fn clock_millis(states: &Value) -> i64 {
    let context = &states["context"];
    [
        &context["State"]["EnteredTime"],
        &context["Execution"]["StartTime"],
    ]
    .into_iter()
    .filter_map(Value::as_str)
    .find_map(|text| text.parse::<jiff::Timestamp>().ok())
    .map_or(0, jiff::Timestamp::as_millisecond)
}

/// `$now()` and `$millis()` read the simulated clock; `$eval` is refused as AWS refuses it
/// (its documentation points to `$parse` instead).
fn register_clock(evaluator: &mut Evaluator, millis: i64) {
    let iso = jiff::Timestamp::from_millisecond(millis)
        .map(|timestamp| timestamp.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_string());
    let results = [
        evaluator
            .register_fn_override("now", move |_args: &[JValue]| Ok(JValue::from(iso.clone()))),
        evaluator.register_fn_override("millis", move |_args: &[JValue]| {
            #[allow(clippy::cast_precision_loss)]
            Ok(JValue::Number(millis as f64))
        }),
        evaluator.register_fn_override("eval", |_args: &[JValue]| {
            Err(function_error(
                "$eval",
                "is not supported in AWS Step Functions; use $parse",
            ))
        }),
    ];
    debug_assert!(results.iter().all(Result::is_ok), "{results:?}");
}

/// jsonata-js's `$pad(str, width [, char])`: pads `str` with `char` (a space by default; several
/// characters repeat and are cut to fit) to `|width|` characters, on the right when `width` is
/// positive and on the left when negative. Its size is checked before anything is built.
fn pad(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    let text = match args.first() {
        None | Some(JValue::Undefined) => return Ok(JValue::Undefined),
        Some(JValue::String(text)) => text.to_string(),
        Some(other) => {
            return Err(function_error(
                "$pad",
                format!("argument 1 must be a string, not {}", jvalue_kind(other)),
            ));
        }
    };
    let width = match args.get(1) {
        Some(JValue::Number(width)) if width.is_finite() => *width,
        Some(other) => {
            return Err(function_error(
                "$pad",
                format!("argument 2 must be a number, not {}", jvalue_kind(other)),
            ));
        }
        None => return Err(function_error("$pad", "argument 2 is missing")),
    };
    let filler = match args.get(2) {
        None | Some(JValue::Undefined) => " ".to_string(),
        Some(JValue::String(filler)) if filler.is_empty() => " ".to_string(),
        Some(JValue::String(filler)) => filler.to_string(),
        Some(other) => {
            return Err(function_error(
                "$pad",
                format!("argument 3 must be a string, not {}", jvalue_kind(other)),
            ));
        }
    };
    let wanted = width.abs().trunc();
    #[allow(clippy::cast_precision_loss)]
    if wanted > MAX_PAD_CHARS as f64 {
        return Err(function_error(
            "$pad",
            format!(
                "the padded string would be {wanted} characters, more than a state's payload limit of {MAX_PAD_CHARS} bytes"
            ),
        ));
    }
    // At most MAX_PAD_CHARS by the check above, so the cast is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let wanted = wanted as usize;
    let missing = wanted.saturating_sub(text.chars().count());
    if missing == 0 {
        return Ok(JValue::from(text));
    }
    let padding: String = filler.chars().cycle().take(missing).collect();
    Ok(JValue::from(if width > 0.0 {
        text + &padding
    } else {
        padding + &text
    }))
}

fn next_from(stream: &Rc<Cell<u64>>) -> u64 {
    let mut generator = IntrinsicContext::new(stream.get());
    let bits = generator.next_u64();
    stream.set(bits);
    bits
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with_bindings<T>(input: Value, variables: Value, run: impl FnOnce(&Bindings<'_>) -> T) -> T {
        let states = json!({"input": input, "context": {"Execution": {"Name": "exec"}}});
        let Value::Object(variables) = variables else {
            panic!("variables must be an object");
        };
        run(&Bindings {
            states: &states,
            variables: &variables,
            seed: 7,
        })
    }

    fn eval(expr: &str, input: Value) -> Result<Value, JsonataError> {
        with_bindings(input, json!({}), |bindings| {
            evaluate_in(expr, bindings, "Output")
        })
    }

    fn ok(expr: &str, input: Value) -> Value {
        match eval(expr, input.clone()) {
            Ok(value) => value,
            Err(error) => panic!("{expr} on {input} failed: {error}"),
        }
    }

    // Expected values below are AWS recordings from tests/data/conformance/cases/jsonata_*/.

    #[test]
    fn partition_matches_recordings() {
        let expr = "$partition($states.input.FunctionInput.fst, $states.input.FunctionInput.snd)";
        let input = |fst: Value, snd: i64| json!({"FunctionInput": {"fst": fst, "snd": snd}});
        assert_eq!(ok(expr, input(json!([0]), 1)), json!([[0]]));
        assert_eq!(ok(expr, input(json!([0, 1]), 1)), json!([[0], [1]]));
        assert_eq!(ok(expr, input(json!([0, 1, 2]), 2)), json!([[0, 1], [2]]));
        assert_eq!(
            ok(expr, input(json!([0, 1, 2, 3]), 3)),
            json!([[0, 1, 2], [3]])
        );
        assert_eq!(
            ok(expr, input(json!([0, 1, 2, 3]), 5)),
            json!([[0, 1, 2, 3]])
        );
    }

    #[test]
    fn range_matches_recordings() {
        let expr = "$range($states.input.FunctionInput.fst, $states.input.FunctionInput.snd, $states.input.FunctionInput.trd)";
        let input =
            |a: i64, b: i64, c: i64| json!({"FunctionInput": {"fst": a, "snd": b, "trd": c}});
        assert_eq!(ok(expr, input(0, 9, 3)), json!([0, 3, 6, 9]));
        assert_eq!(ok(expr, input(0, 10, 3)), json!([0, 3, 6, 9]));
        assert_eq!(ok(expr, input(1, 9, 9)), json!(1));
        assert_eq!(ok(expr, input(1, 9, 2)), json!([1, 3, 5, 7, 9]));
    }

    #[test]
    fn parse_matches_recordings() {
        let expr = "$parse($states.input.FunctionInput)";
        for (text, expected) in [
            ("-0", json!(0)),
            ("1", json!(1)),
            ("1.1", json!(1.1)),
            ("true", json!(true)),
            ("\"HelloWorld\"", json!("HelloWorld")),
            ("[1, 2, \"HelloWorld\"]", json!([1, 2, "HelloWorld"])),
            (
                "{\"Arg1\": 1, \"Arg2\": []}",
                json!({"Arg1": 1, "Arg2": []}),
            ),
        ] {
            assert_eq!(ok(expr, json!({"FunctionInput": text})), expected, "{text}");
        }
    }

    #[test]
    fn hash_random_uuid() {
        assert_eq!(
            ok("$hash('input data', 'SHA-1')", json!({})),
            json!("aaff4a450a104cd177d28d18d74485e8cae074b7")
        );
        let random = ok("$random()", json!({})).as_f64().expect("number");
        assert!((0.0..1.0).contains(&random));
        assert_eq!(ok("$random(3)", json!({})), ok("$random(3)", json!({})));
        let pair = ok("[$uuid(), $uuid()]", json!({}));
        assert_ne!(pair[0], pair[1]);
        assert_eq!(
            pair,
            ok("[$uuid(), $uuid()]", json!({})),
            "same seed, same values"
        );
        assert_eq!(pair[0].as_str().map(str::len), Some(36));
    }

    #[test]
    fn evaluate_expressions_match_recordings() {
        assert_eq!(
            ok(r#"$contains("hello$world", /^hello\$/)"#, json!({})),
            json!(true)
        );
        assert_eq!(
            ok(r"$contains('hello$world', /^hello\ /)", json!({})),
            json!(false)
        );
        assert_eq!(ok("$number('2')", json!({})), json!(2));
        assert_eq!(
            ok(
                "$merge([$states.input.part1, $states.input.part2])",
                json!({"part1": {"hello": "world"}, "part2": {"foo": "bar"}})
            ),
            json!({"hello": "world", "foo": "bar"})
        );
        assert_eq!(
            ok("$states.context.Execution.Name", json!({})),
            json!("exec")
        );
        assert_eq!(
            ok("{'a': $states.input.missing, 'b': 0.1}", json!({})),
            json!({"b": 0.1})
        );
    }

    #[test]
    fn variables_are_bound() {
        let result = with_bindings(
            json!({"input_values": [1, 2, 3]}),
            json!({"var_constant_1": 1, "varname": {"varfield": "x"}}),
            |bindings| {
                evaluate(
                    "$sum($states.input.input_values) + $var_constant_1 & $varname.varfield",
                    bindings,
                )
            },
        );
        assert_eq!(result, Ok(json!("7x")));
    }

    #[test]
    fn template_evaluates_whole_expressions_only() {
        // jsonata_output/output__base_output_any_non_dict__LIST_RICH
        let template = json!([null, 0, 0.1, true, "string", [], "$nosuchvar", "$.no.such.path", "{% $states.input %}", {"key": "{% true %}"}]);
        let result = with_bindings(
            json!({"input_value": "stringliteral"}),
            json!({}),
            |bindings| evaluate_template_in(&template, bindings, "Output"),
        );
        assert_eq!(
            result,
            Ok(
                json!([null, 0, 0.1, true, "string", [], "$nosuchvar", "$.no.such.path", {"input_value": "stringliteral"}, {"key": true}])
            )
        );
    }

    #[test]
    fn undefined_results_fail_like_aws() {
        // variables/assign_reference_variables__undefined_reference__BASE_UNDEFINED_OUTPUT_FIELD
        let template = json!({"result": "{% $doesNotExist %}"});
        let error = with_bindings(json!({}), json!({}), |bindings| {
            evaluate_template_in(&template, bindings, "Output")
        })
        .expect_err("undefined");
        assert_eq!(error.error, "States.QueryEvaluationError");
        assert_eq!(
            error.cause,
            "The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined)."
        );
        // ..._BASE_UNDEFINED_OUTPUT: the whole field is the expression.
        let error = with_bindings(json!({}), json!({}), |bindings| {
            evaluate_template_in(&json!("{% $doesNotExist %}"), bindings, "Output")
        })
        .expect_err("undefined");
        assert_eq!(
            error.cause,
            "The JSONata expression '$doesNotExist' specified for the field 'Output' returned nothing (undefined)."
        );
    }

    #[test]
    fn evaluation_errors_quote_jsonata_codes() {
        // jsonata_functions/math_operations_jsonata__math_random_seeded
        let template =
            json!({"FunctionResult": "{% $randomSeeded($states.input.FunctionInput.fst) %}"});
        let error = with_bindings(json!({"FunctionInput": "fst"}), json!({}), |bindings| {
            evaluate_template_in(&template, bindings, "Output")
        })
        .expect_err("not a function");
        assert_eq!(
            error.cause,
            "The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for the field 'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function"
        );
        // map/base_scenarios__map_state_items_eval_jsonata_fail__function
        let error = with_bindings(json!({}), json!({}), |bindings| {
            evaluate_in("$fn := function($x){$x}", bindings, "Items")
        })
        .expect_err("function result");
        assert_eq!(
            error.cause,
            "The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' returned an unsupported result type."
        );
        let error = eval("'a' + 1", json!({})).expect_err("type error");
        assert!(
            error
                .cause
                .contains("threw an error during evaluation. T2001"),
            "{}",
            error.cause
        );
        let error = eval("$partition([1], 0)", json!({})).expect_err("bad size");
        assert!(error.cause.contains("$partition"), "{}", error.cause);
        assert!(eval("$range(0, 5000, 1)", json!({})).is_err());
        assert!(eval("$parse('{bad')", json!({})).is_err());
        assert!(eval("$hash('x', 'SHA-3')", json!({})).is_err());
    }

    #[test]
    fn unexpected_type_cause_matches_recording() {
        // map/base_scenarios__map_state_items_eval_jsonata_fail__object
        let error = JsonataError::unexpected_type(
            "{'foo': 'bar'}",
            "Items",
            "array",
            &json!({"foo": "bar"}),
        );
        assert_eq!(
            error.cause,
            "The JSONata expression '{'foo': 'bar'}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"
        );
    }

    /// Runs every recorded case whose machine is one Pass state with an `Output` (jsonata_functions,
    /// jsonata_output, jsonata_evaluate, variables) and compares the output, or the error and
    /// cause, with AWS's.
    #[test]
    fn conformance_single_pass_output_cases_match() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/data/conformance/cases");
        let mut files = Vec::new();
        for area in std::fs::read_dir(&root)
            .unwrap_or_else(|error| panic!("{}: {error}", root.display()))
            .flatten()
        {
            for entry in std::fs::read_dir(area.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                files.push(entry.path());
            }
        }
        let mut checked = 0;
        for path in files {
            let (case, states) = crate::test_support::conformance_case(&path);
            let [(name, state)] = states.iter().collect::<Vec<_>>()[..] else {
                continue;
            };
            let Some(output) = state.get("Output") else {
                continue;
            };
            if state.get("Type") != Some(&json!("Pass")) || state.get("Assign").is_some() {
                continue;
            }
            let result = with_bindings(case["input"].clone(), json!({}), |bindings| {
                evaluate_template_in(output, bindings, "Output")
            });
            let expect = &case["expect"];
            match result {
                Ok(actual) => {
                    assert_eq!(expect["status"], "SUCCEEDED", "{}", path.display());
                    assert!(
                        crate::intrinsics::json_equal(&actual, &expect["output"]),
                        "{}: got {actual}, AWS recorded {}",
                        path.display(),
                        expect["output"]
                    );
                }
                Err(error) => {
                    assert_eq!(expect["status"], "FAILED", "{}: {error}", path.display());
                    assert_eq!(expect["error"], json!(error.error), "{}", path.display());
                    let cause = format!(
                        "An error occurred while executing the state '{name}' (entered at the event id #2). {}",
                        error.cause
                    );
                    assert_eq!(expect["cause"], json!(cause), "{}", path.display());
                }
            }
            checked += 1;
        }
        assert!(checked >= 49, "only {checked} cases checked");
    }

    #[test]
    fn clock_is_the_state_entered_time() {
        let states =
            json!({"input": {}, "context": {"State": {"EnteredTime": "2024-05-06T07:08:09.123Z"}}});
        let variables = Map::new();
        let bindings = Bindings {
            states: &states,
            variables: &variables,
            seed: 0,
        };
        assert_eq!(
            evaluate("$now()", &bindings),
            Ok(json!("2024-05-06T07:08:09.123Z"))
        );
        assert_eq!(
            evaluate("$millis()", &bindings),
            Ok(json!(1_714_979_289_123_i64))
        );
        assert_eq!(
            evaluate("$toMillis($now())", &bindings),
            Ok(json!(1_714_979_289_123_i64))
        );
        let error = evaluate("$eval('1')", &bindings).expect_err("no $eval");
        assert!(error.cause.contains("$parse"), "{}", error.cause);
        assert_eq!(ok("$now()", json!({})), json!("1970-01-01T00:00:00.000Z"));
    }

    /// Collects the `{% %}` bodies of every bundled definition (corpus and conformance cases).
    fn bundled_expressions() -> Vec<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let Ok(document) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                collect(&document, out);
            }
        }
        fn collect(value: &Value, out: &mut Vec<String>) {
            match value {
                Value::String(text) => out.extend(jsonata_body(text).map(str::to_string)),
                Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
                Value::Object(map) => map.values().for_each(|item| collect(item, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data"),
            &mut out,
        );
        out
    }

    /// Bad input never panics: real expressions with random edits either evaluate or fail with
    /// an error.
    #[test]
    fn mutated_expressions_never_panic() {
        let expressions = bundled_expressions();
        assert!(expressions.len() > 300, "found {}", expressions.len());
        let alphabet: Vec<char> = "()[]{}$.,:;'\"?*+-/%&|=<>!~^@#0123456789abcxyz \\"
            .chars()
            .collect();
        let mut random = IntrinsicContext::new(1);
        let mut pick =
            |bound: usize| usize::try_from(random.next_u64() % bound as u64).unwrap_or(0);
        let states =
            json!({"input": {"a": [1, 2, {"b": "c"}], "s": "text", "n": 3.5}, "context": {}});
        let variables = Map::new();
        let bindings = Bindings {
            states: &states,
            variables: &variables,
            seed: 0,
        };
        for round in 0..5_000 {
            let edits = pick(3) + 1;
            let expr = crate::test_support::mutated(
                &expressions[round % expressions.len()],
                edits,
                &alphabet,
                &mut pick,
            );
            let outcome = std::panic::catch_unwind(|| evaluate(&expr, &bindings));
            assert!(outcome.is_ok(), "evaluating {expr:?} panicked");
        }
    }
}
