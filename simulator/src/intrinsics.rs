//! AWS's 18 intrinsic functions (`States.Format`, `States.ArrayRange`, ...), evaluated over the AST
//! that `graph_model::expr::intrinsic` parses.
//!
//! The engine hands over the `.$` field's text and a resolver for path arguments. Failures come back
//! as an [`IntrinsicError`] whose `cause` is the part of AWS's message after the
//! "An error occurred while executing the state ..." prefix, which the engine adds.
//!
//! AWS fails a call with bad arguments as `States.Runtime`, its cause starting
//! "Invalid arguments in States.MathAdd" (seen in executions against AWS; the conformance set has no
//! recorded intrinsic failure). The text after that prefix is ours and says what was wrong.

use base64::Engine as _;
use graph_model::expr::intrinsic::{
    self, FormatSegment, HASH_ALGORITHMS, IntrinsicArg, IntrinsicCall, IntrinsicFunction,
};
use serde_json::{Map, Value};

/// AWS's error name for every intrinsic failure at run time: bad arguments, and path arguments
/// that do not resolve. (The ASL spec's `States.IntrinsicFailure` is not what AWS raises.)
pub const RUNTIME: &str = "States.Runtime";

/// The most characters `States.Base64Encode`, `States.Base64Decode` and `States.Hash` accept.
pub const MAX_STRING_CHARS: usize = 10_000;
/// A state's input or output limit (256 KiB), which no intrinsic's result can exceed usefully.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;
/// The most items `States.ArrayRange` may produce.
pub const MAX_RANGE_ITEMS: i64 = 1000;

/// Why an intrinsic call failed: AWS's error name and cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {cause}")]
pub struct IntrinsicError {
    /// The error name: always `States.Runtime`, as AWS raises it.
    pub error: String,
    /// What went wrong, naming the function and argument.
    pub cause: String,
}

impl IntrinsicError {
    fn failure(cause: impl Into<String>) -> Self {
        IntrinsicError {
            error: RUNTIME.to_string(),
            cause: cause.into(),
        }
    }
}

/// The deterministic random source behind `States.UUID` and an unseeded `States.MathRandom`.
/// Each draw advances it, so two calls in one run differ while a rerun with the same seed repeats.
#[derive(Debug, Clone)]
pub struct IntrinsicContext {
    state: u64,
}

impl IntrinsicContext {
    /// A generator that starts from `seed`.
    pub fn new(seed: u64) -> Self {
        IntrinsicContext { state: seed }
    }

    /// The next 64 random bits (SplitMix64: small, fast, and good enough for simulation).
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniformly drawn integer in `start..end` (`end` exclusive); `start < end` is the caller's duty.
    fn in_range(&mut self, start: i64, end: i64) -> i64 {
        let span = end.abs_diff(start);
        let offset = self.next_u64() % span;
        start.wrapping_add_unsigned(offset)
    }

    /// A version 4 UUID in its 8-4-4-4-12 hexadecimal form.
    pub fn uuid_v4(&mut self) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_be_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_be_bytes());
        bytes[6] = (bytes[6] & 0x0F) | 0x40;
        bytes[8] = (bytes[8] & 0x3F) | 0x80;
        let hex = to_hex(&bytes);
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }
}

/// Evaluates the intrinsic call `expr` with a generator seeded with 0. See [`evaluate_with`].
pub fn evaluate(
    expr: &str,
    resolve: &mut dyn FnMut(&str) -> Result<Value, String>,
) -> Result<Value, IntrinsicError> {
    evaluate_with(expr, resolve, &mut IntrinsicContext::new(0))
}

/// Evaluates the intrinsic call `expr` (a `.$` field's value). `resolve` turns a path argument
/// (`$.x`, `$$.x`, `$var.x`) into its value, or returns the cause of its failure, which becomes a
/// `States.Runtime` error. `context` supplies randomness for `States.UUID` and `States.MathRandom`.
pub fn evaluate_with(
    expr: &str,
    resolve: &mut dyn FnMut(&str) -> Result<Value, String>,
    context: &mut IntrinsicContext,
) -> Result<Value, IntrinsicError> {
    let call = intrinsic::parse(expr).map_err(|error| {
        IntrinsicError::failure(format!("Invalid intrinsic function call '{expr}': {error}"))
    })?;
    Evaluator { resolve, context }.call(&call)
}

struct Evaluator<'a> {
    resolve: &'a mut dyn FnMut(&str) -> Result<Value, String>,
    context: &'a mut IntrinsicContext,
}

impl Evaluator<'_> {
    fn arg(&mut self, arg: &IntrinsicArg) -> Result<Value, IntrinsicError> {
        match arg {
            IntrinsicArg::String { value, .. } => Ok(Value::String(value.clone())),
            IntrinsicArg::Number(number) => Ok(Value::Number(number.clone())),
            IntrinsicArg::Boolean(flag) => Ok(Value::Bool(*flag)),
            IntrinsicArg::Null => Ok(Value::Null),
            IntrinsicArg::Path(path) => (self.resolve)(path).map_err(|cause| IntrinsicError {
                error: RUNTIME.to_string(),
                cause,
            }),
            IntrinsicArg::Call(call) => self.call(call),
        }
    }

    fn call(&mut self, call: &IntrinsicCall) -> Result<Value, IntrinsicError> {
        let function = call.function;
        let args = call
            .args
            .iter()
            .map(|arg| self.arg(arg))
            .collect::<Result<Vec<_>, _>>()?;
        let checked = Args {
            function,
            values: &args,
        };
        match function {
            IntrinsicFunction::Format => format(call, &checked),
            IntrinsicFunction::StringToJson => string_to_json(&checked),
            IntrinsicFunction::JsonToString => serde_json::to_string(checked.get(0)?)
                .map(Value::String)
                .map_err(|error| checked.fail(format!("cannot serialise the value: {error}"))),
            IntrinsicFunction::Array => Ok(Value::Array(args.clone())),
            IntrinsicFunction::ArrayPartition => {
                let items = checked.array(0)?;
                let size = checked.integer(1)?;
                if size < 1 {
                    return Err(checked.fail(format!(
                        "the chunk size must be a positive integer, but was {size}"
                    )));
                }
                let size = usize::try_from(size).unwrap_or(usize::MAX);
                Ok(Value::Array(
                    items
                        .chunks(size)
                        .map(|chunk| Value::Array(chunk.to_vec()))
                        .collect(),
                ))
            }
            IntrinsicFunction::ArrayContains => {
                let items = checked.array(0)?;
                let needle = checked.get(1)?;
                Ok(Value::Bool(
                    items.iter().any(|item| json_equal(item, needle)),
                ))
            }
            IntrinsicFunction::ArrayRange => array_range(&checked),
            IntrinsicFunction::ArrayGetItem => {
                let items = checked.array(0)?;
                let index = checked.integer(1)?;
                // Observed on AWS: any index into an empty array gives null, while an index past
                // the end of a non-empty array fails.
                if items.is_empty() {
                    return Ok(Value::Null);
                }
                usize::try_from(index)
                    .ok()
                    .and_then(|index| items.get(index))
                    .cloned()
                    .ok_or_else(|| {
                        checked.fail(format!(
                            "index {index} is out of bounds for an array of length {}",
                            items.len()
                        ))
                    })
            }
            IntrinsicFunction::ArrayLength => Ok(Value::from(checked.array(0)?.len())),
            IntrinsicFunction::ArrayUnique => {
                let mut unique: Vec<Value> = Vec::new();
                for item in checked.array(0)? {
                    if !unique.iter().any(|seen| json_equal(seen, item)) {
                        unique.push(item.clone());
                    }
                }
                Ok(Value::Array(unique))
            }
            IntrinsicFunction::Base64Encode => {
                let text = checked.bounded_string(0)?;
                Ok(Value::String(
                    base64::engine::general_purpose::STANDARD.encode(text.as_bytes()),
                ))
            }
            IntrinsicFunction::Base64Decode => {
                let text = checked.bounded_string(0)?;
                let bytes = base64_decode(text).map_err(|problem| checked.fail(problem))?;
                Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
            }
            IntrinsicFunction::Hash => {
                // Observed on AWS: a number or object is hashed as its text instead of failing.
                let text;
                let data = match checked.get(0)? {
                    Value::String(_) => checked.bounded_string(0)?,
                    other => {
                        text = other.to_string();
                        text.as_str()
                    }
                };
                let algorithm = checked.string(1)?;
                hash_hex(data, algorithm).map(Value::String).ok_or_else(|| {
                    checked.fail(format!(
                        "the hash algorithm '{algorithm}' is not supported; use one of {}",
                        HASH_ALGORITHMS.join(", ")
                    ))
                })
            }
            IntrinsicFunction::JsonMerge => {
                let first = checked.object(0)?;
                let second = checked.object(1)?;
                let deep = checked.boolean(2)?;
                if deep {
                    return Err(checked.fail(
                        "deep merging is not supported; the third argument must be false"
                            .to_string(),
                    ));
                }
                let mut merged = first.clone();
                for (key, value) in second {
                    merged.insert(key.clone(), value.clone());
                }
                Ok(Value::Object(merged))
            }
            IntrinsicFunction::MathRandom => {
                let start = checked.integer(0)?;
                let end = checked.integer(1)?;
                if end <= start {
                    return Err(checked.fail(format!(
                        "the end ({end}) must be greater than the start ({start})"
                    )));
                }
                let value = if args.len() > 2 {
                    let seed = checked.integer(2)?;
                    IntrinsicContext::new(seed.cast_unsigned()).in_range(start, end)
                } else {
                    self.context.in_range(start, end)
                };
                Ok(Value::from(value))
            }
            IntrinsicFunction::MathAdd => {
                let sum = checked
                    .rounded(0)?
                    .checked_add(checked.rounded(1)?)
                    .ok_or_else(|| checked.fail("the sum overflows".to_string()))?;
                Ok(Value::from(sum))
            }
            IntrinsicFunction::StringSplit => {
                let text = checked.string(0)?;
                let delimiters = checked.string(1)?;
                // Each part becomes a JSON string: a text over the payload limit gives an array
                // that cannot be a state's payload, so it is refused before it is split.
                if text.len() > MAX_PAYLOAD_BYTES {
                    return Err(checked.fail(format!(
                        "the string is {} bytes, more than a state's payload limit of {MAX_PAYLOAD_BYTES} bytes",
                        text.len()
                    )));
                }
                let parts = text
                    .split(|ch: char| delimiters.contains(ch))
                    .filter(|part| !part.is_empty())
                    .map(|part| Value::String(part.to_string()))
                    .collect();
                Ok(Value::Array(parts))
            }
            IntrinsicFunction::Uuid => Ok(Value::String(self.context.uuid_v4())),
        }
    }
}

/// The evaluated arguments of one call, with typed accessors whose errors name the function.
struct Args<'a> {
    function: IntrinsicFunction,
    values: &'a [Value],
}

impl<'a> Args<'a> {
    fn fail(&self, problem: String) -> IntrinsicError {
        IntrinsicError::failure(format!("Invalid arguments in {}: {problem}", self.function))
    }

    fn get(&self, index: usize) -> Result<&'a Value, IntrinsicError> {
        self.values
            .get(index)
            .ok_or_else(|| self.fail(format!("argument {} is missing", index + 1)))
    }

    fn wrong_kind(&self, index: usize, expected: &str, value: &Value) -> IntrinsicError {
        self.fail(format!(
            "argument {} must be {expected}, but was {}: {value}",
            index + 1,
            kind_name(value)
        ))
    }

    fn array(&self, index: usize) -> Result<&'a Vec<Value>, IntrinsicError> {
        let value = self.get(index)?;
        value
            .as_array()
            .ok_or_else(|| self.wrong_kind(index, "an array", value))
    }

    fn object(&self, index: usize) -> Result<&'a Map<String, Value>, IntrinsicError> {
        let value = self.get(index)?;
        value
            .as_object()
            .ok_or_else(|| self.wrong_kind(index, "an object", value))
    }

    fn string(&self, index: usize) -> Result<&'a str, IntrinsicError> {
        let value = self.get(index)?;
        value
            .as_str()
            .ok_or_else(|| self.wrong_kind(index, "a string", value))
    }

    fn bounded_string(&self, index: usize) -> Result<&'a str, IntrinsicError> {
        let text = self.string(index)?;
        let chars = text.chars().count();
        if chars > MAX_STRING_CHARS {
            return Err(self.fail(format!(
                "argument {} has {chars} characters; at most {MAX_STRING_CHARS} are allowed",
                index + 1
            )));
        }
        Ok(text)
    }

    fn boolean(&self, index: usize) -> Result<bool, IntrinsicError> {
        let value = self.get(index)?;
        value
            .as_bool()
            .ok_or_else(|| self.wrong_kind(index, "a boolean", value))
    }

    /// An integer argument; AWS drops the fraction of a fractional number (observed:
    /// `States.ArrayGetItem($.a, 1.2)` reads index 1, `States.ArrayRange(1.6, 1.4, 1)` is `[1]`,
    /// `States.MathRandom(1.4, 1.6)` fails as an empty interval).
    fn integer(&self, index: usize) -> Result<i64, IntrinsicError> {
        self.whole(index, f64::trunc)
    }

    /// An integer argument of `States.MathAdd`, which AWS rounds half up as Java's `Math.round`
    /// does (recorded: `States.MathAdd(-1.5, 0)` is -1, `States.MathAdd(-0.5, 0.5)` is 1).
    fn rounded(&self, index: usize) -> Result<i64, IntrinsicError> {
        self.whole(index, |float| (float + 0.5).floor())
    }

    fn whole(&self, index: usize, to_whole: fn(f64) -> f64) -> Result<i64, IntrinsicError> {
        let value = self.get(index)?;
        let Some(number) = value.as_number() else {
            return Err(self.wrong_kind(index, "a number", value));
        };
        if let Some(integer) = number.as_i64() {
            return Ok(integer);
        }
        match number.as_f64() {
            Some(float) if float.is_finite() && float.abs() < 9.0e18 => {
                // In range by the guard above, so the cast cannot saturate.
                #[allow(clippy::cast_possible_truncation)]
                Ok(to_whole(float) as i64)
            }
            _ => Err(self.fail(format!(
                "argument {} ({value}) is outside the supported integer range",
                index + 1
            ))),
        }
    }
}

fn format(call: &IntrinsicCall, args: &Args<'_>) -> Result<Value, IntrinsicError> {
    // A literal template keeps its escapes so that `\{}` stays literal text; a template read
    // from a path is taken as it is.
    let segments = match call.args.first() {
        Some(IntrinsicArg::String { raw, .. }) => intrinsic::format_segments(raw),
        _ => intrinsic::format_segments(args.string(0)?),
    }
    .map_err(|error| args.fail(error.to_string()))?;
    let values = &args.values[1..];
    let placeholders = segments
        .iter()
        .filter(|segment| matches!(segment, FormatSegment::Placeholder))
        .count();
    if placeholders != values.len() {
        return Err(args.fail(format!(
            "the template has {placeholders} placeholder(s) but {} value(s) were given",
            values.len()
        )));
    }
    let mut values = values.iter();
    let mut text = String::new();
    for segment in segments {
        match segment {
            FormatSegment::Text(literal) => text.push_str(&literal),
            FormatSegment::Placeholder => {
                if let Some(value) = values.next() {
                    text.push_str(&format_value(value));
                }
            }
        }
    }
    Ok(Value::String(text))
}

/// How `States.Format` prints a value: strings bare, and arrays and objects in Java's
/// `toString` style (`[a, b]`, `{key=value}`), as AWS records show.
pub fn format_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(format_value).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(key, value)| format!("{key}={}", format_value(value)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => other.to_string(),
    }
}

fn string_to_json(args: &Args<'_>) -> Result<Value, IntrinsicError> {
    let text = args.string(0)?;
    // AWS returns null for an empty or blank string rather than failing.
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    let parsed: Value = serde_json::from_str(text)
        .map_err(|error| args.fail(format!("the string is not valid JSON: {error}")))?;
    Ok(normalise_negative_zero(parsed))
}

/// `-0` parses as a float; AWS prints it as `0`.
fn normalise_negative_zero(value: Value) -> Value {
    match value {
        Value::Number(number) if number.as_f64() == Some(0.0) && !number.is_u64() => Value::from(0),
        other => other,
    }
}

fn array_range(args: &Args<'_>) -> Result<Value, IntrinsicError> {
    let start = args.integer(0)?;
    let end = args.integer(1)?;
    let step = args.integer(2)?;
    if step == 0 {
        return Err(args.fail("the step (third argument) must not be 0".to_string()));
    }
    let span = i128::from(end) - i128::from(start);
    let count = if span == 0 || (span > 0) == (step > 0) {
        span / i128::from(step) + 1
    } else {
        0
    };
    if count > i128::from(MAX_RANGE_ITEMS) {
        return Err(args.fail(format!(
            "the range would have {count} items; at most {MAX_RANGE_ITEMS} are allowed"
        )));
    }
    let mut items = Vec::new();
    let mut current = i128::from(start);
    for _ in 0..count {
        items.push(Value::from(i64::try_from(current).unwrap_or(i64::MAX)));
        current += i128::from(step);
    }
    Ok(Value::Array(items))
}

/// Decodes Base64 as AWS does: white space is skipped, padding may be left out, and a short final
/// group yields the whole bytes it holds (so `' YWJjZA== '` and `'YWJjZA'` are "abcd"); bytes that
/// are not UTF-8 become U+FFFD, as a Java string built from them would. A character outside the
/// alphabet, data after the padding, or a final group of a single character is not Base64: the call
/// fails (States.Runtime) instead of decoding to garbage.
fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::with_capacity(text.len() / 4 * 3 + 2);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    let mut sextets = 0usize;
    let mut padded = false;
    for (position, character) in text.char_indices() {
        if character.is_ascii_whitespace() {
            continue;
        }
        let Ok(byte) = u8::try_from(character) else {
            return Err(format!(
                "the string is not Base64: '{character}' at index {position}"
            ));
        };
        if byte == b'=' {
            padded = true;
            continue;
        }
        if padded {
            return Err(format!(
                "the string is not Base64: '{character}' after the padding at index {position}"
            ));
        }
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => {
                return Err(format!(
                    "the string is not Base64: '{character}' at index {position}"
                ));
            }
        };
        sextets += 1;
        buffer = (buffer << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push(u8::try_from((buffer >> bits) & 0xFF).unwrap_or_default());
        }
    }
    if sextets % 4 == 1 {
        return Err("the string is not Base64: its last group has a single character".to_owned());
    }
    Ok(bytes)
}

/// The lowercase hex digest of `data` under one of [`HASH_ALGORITHMS`], or `None` for another name.
pub fn hash_hex(data: &str, algorithm: &str) -> Option<String> {
    use sha2::Digest as _;
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match algorithm {
        "MD5" => md5::Md5::digest(bytes).to_vec(),
        "SHA-1" => sha1::Sha1::digest(bytes).to_vec(),
        "SHA-256" => sha2::Sha256::digest(bytes).to_vec(),
        "SHA-384" => sha2::Sha384::digest(bytes).to_vec(),
        "SHA-512" => sha2::Sha512::digest(bytes).to_vec(),
        _ => return None,
    };
    Some(to_hex(&digest))
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0F)]));
    }
    text
}

/// JSON equality where numbers compare by value (`1 == 1.0`).
pub fn json_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(a), Some(b)) => a == b,
            _ => a.as_f64() == b.as_f64(),
        },
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_equal(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, x)| b.get(key).is_some_and(|y| json_equal(x, y)))
        }
        _ => left == right,
    }
}

/// The JSON type name of a value ("string", "array", ...), as AWS's messages spell it.
pub fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Evaluates `expr` against `input`, resolving `$.a.b` paths by key and `$$.x` against `context`.
    fn eval_on(expr: &str, input: &Value) -> Result<Value, IntrinsicError> {
        let context = json!({
            "StateMachine": {"Name": "machine-name-x", "Id": "arn:sm"},
            "Execution": {"Name": "exec", "Input": input}
        });
        let mut resolve = |path: &str| -> Result<Value, String> {
            let (root, rest) = if let Some(rest) = path.strip_prefix("$$") {
                (&context, rest)
            } else if let Some(rest) = path.strip_prefix('$') {
                (input, rest)
            } else {
                return Err(format!("bad path {path}"));
            };
            let mut current = root;
            for key in rest.split('.').filter(|key| !key.is_empty()) {
                current = current
                    .get(key)
                    .ok_or_else(|| format!("The JSONPath '{path}' could not be found"))?;
            }
            Ok(current.clone())
        };
        evaluate(expr, &mut resolve)
    }

    fn fi(fst: Value, snd: Value) -> Value {
        json!({"FunctionInput": {"fst": fst, "snd": snd}})
    }

    fn ok(expr: &str, input: &Value) -> Value {
        match eval_on(expr, input) {
            Ok(value) => value,
            Err(error) => panic!("{expr} on {input} failed: {error}"),
        }
    }

    fn fails(expr: &str, input: &Value) -> IntrinsicError {
        match eval_on(expr, input) {
            Ok(value) => panic!("{expr} on {input} gave {value}, expected an error"),
            Err(error) => error,
        }
    }

    const TWO: &str = "$.FunctionInput.fst, $.FunctionInput.snd";

    // The expected values below are AWS recordings from
    // tests/data/conformance/cases/intrinsic_functions/*.json.

    #[test]
    fn array_and_contains_match_recordings() {
        let expr = format!("States.Array({TWO})");
        assert_eq!(
            ok(&expr, &fi(json!(null), json!(null))),
            json!([null, null])
        );
        assert_eq!(ok(&expr, &fi(json!(1.1), json!(1.1))), json!([1.1, 1.1]));
        assert_eq!(ok("States.Array()", &json!({})), json!([]));
        let expr = format!("States.ArrayContains({TWO})");
        for (fst, snd, expected) in [
            (json!([]), json!(null), false),
            (json!([[1, 2, 3], 2]), json!([1, 2, 3]), true),
            (json!([[1, 2, 3], 2]), json!(null), false),
            (json!([{"1": 2, "2": []}]), json!({"1": 2, "2": []}), true),
            (json!([{"1": 2, "2": []}]), json!([]), false),
            (json!([true, false]), json!(false), true),
        ] {
            assert_eq!(ok(&expr, &fi(fst, snd)), json!(expected));
        }
    }

    #[test]
    fn partition_range_get_length_match_recordings() {
        let expr = format!("States.ArrayPartition({TWO})");
        assert_eq!(ok(&expr, &fi(json!([]), json!(1))), json!([]));
        assert_eq!(
            ok(&expr, &fi(json!([0, 1, 2]), json!(2))),
            json!([[0, 1], [2]])
        );
        assert_eq!(
            ok(&expr, &fi(json!([0, 1, 2, 3]), json!(5))),
            json!([[0, 1, 2, 3]])
        );
        let range =
            "States.ArrayRange($.FunctionInput.fst, $.FunctionInput.snd, $.FunctionInput.trd)";
        let input =
            |a: i64, b: i64, c: i64| json!({"FunctionInput": {"fst": a, "snd": b, "trd": c}});
        assert_eq!(ok(range, &input(0, 9, 3)), json!([0, 3, 6, 9]));
        assert_eq!(ok(range, &input(0, 10, 3)), json!([0, 3, 6, 9]));
        assert_eq!(ok(range, &input(1, 9, 9)), json!([1]));
        assert_eq!(ok(range, &input(1, 9, 2)), json!([1, 3, 5, 7, 9]));
        assert_eq!(ok(range, &input(9, 1, -4)), json!([9, 5, 1]));
        assert_eq!(ok(range, &input(9, 1, 4)), json!([]));
        let get = format!("States.ArrayGetItem({TWO})");
        assert_eq!(
            ok(&get, &fi(json!([1, 2, 3, 4, 5, 6, 7, 8, 9]), json!(5))),
            json!(6)
        );
        assert_eq!(
            ok(
                "States.ArrayLength($.FunctionInput)",
                &json!({"FunctionInput": [1, 2, 3, 4, 5, 6, 7, 8, 9]})
            ),
            json!(9)
        );
    }

    #[test]
    fn array_unique_keeps_first_occurrences() {
        assert_eq!(
            ok(
                "States.ArrayUnique($.a)",
                &json!({"a": [1, 2, 2, 3, 3, 4, 1.0, null, null, {"x": [1]}, {"x": [1]}]})
            ),
            json!([1, 2, 3, 4, null, {"x": [1]}])
        );
    }

    #[test]
    fn base64_and_hash_match_recordings() {
        let encode = "States.Base64Encode($.FunctionInput)";
        let decode = "States.Base64Decode($.FunctionInput)";
        assert_eq!(
            ok(encode, &json!({"FunctionInput": "Data to encode"})),
            json!("RGF0YSB0byBlbmNvZGU=")
        );
        assert_eq!(ok(encode, &json!({"FunctionInput": ""})), json!(""));
        assert_eq!(
            ok(decode, &json!({"FunctionInput": "RGF0YSB0byBlbmNvZGU="})),
            json!("Data to encode")
        );
        assert_eq!(ok(decode, &json!({"FunctionInput": ""})), json!(""));
        let hash = format!("States.Hash({TWO})");
        for (algorithm, digest) in [
            ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
            ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
            (
                "SHA-256",
                "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3",
            ),
            (
                "SHA-384",
                "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562",
            ),
            (
                "SHA-512",
                "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4",
            ),
        ] {
            assert_eq!(
                ok(&hash, &fi(json!("input data"), json!(algorithm))),
                json!(digest)
            );
        }
        assert_eq!(
            ok("States.Hash('hello', 'SHA-384')", &json!({})),
            json!(
                "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f"
            )
        );
        assert_eq!(
            ok("States.Hash(123, 'MD5')", &json!({})),
            ok("States.Hash('123', 'MD5')", &json!({}))
        );
        assert!(
            fails("States.Hash('x', 'sha-256')", &json!({}))
                .cause
                .contains("not supported")
        );
        // variables/assign_reference_variables__reference_assign__BASE_REFERENCE_IN_INTRINSIC_FUNCTION
        assert_eq!(
            ok(
                "States.Hash($.s, 'SHA-256')",
                &json!({"s": "Hash this string"})
            ),
            json!("1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e")
        );
    }

    #[test]
    fn json_functions_match_recordings() {
        let merge = "States.JsonMerge($.FunctionInput.fst, $.FunctionInput.snd, false)";
        assert_eq!(
            ok(
                merge,
                &fi(
                    json!({"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}),
                    json!({"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4})
                )
            ),
            json!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3, "d": 4})
        );
        assert_eq!(
            ok(
                r#"States.JsonMerge(States.StringToJson('{"constant_in_literal": "false"}'), $$.Execution.Input.input_field, false)"#,
                &json!({"input_field": {"constant_input_field": "constant_value"}})
            ),
            json!({"constant_input_field": "constant_value", "constant_in_literal": "false"})
        );
        let to_string = "States.JsonToString($.FunctionInput)";
        for (input, expected) in [
            (json!(null), "null"),
            (json!(1.1), "1.1"),
            (json!("HelloWorld"), "\"HelloWorld\""),
            (json!([1, 2, "HelloWorld"]), "[1,2,\"HelloWorld\"]"),
            (json!({"Arg1": 1, "Arg2": []}), "{\"Arg1\":1,\"Arg2\":[]}"),
        ] {
            assert_eq!(
                ok(to_string, &json!({"FunctionInput": input})),
                json!(expected)
            );
        }
        let to_json = "States.StringToJson($.FunctionInput)";
        for (input, expected) in [
            ("", json!(null)),
            (" ", json!(null)),
            ("null", json!(null)),
            ("-0", json!(0)),
            ("1.1", json!(1.1)),
            ("true", json!(true)),
            ("\"HelloWorld\"", json!("HelloWorld")),
            (
                "{\"Arg1\": 1, \"Arg2\": []}",
                json!({"Arg1": 1, "Arg2": []}),
            ),
        ] {
            assert_eq!(
                ok(to_json, &json!({"FunctionInput": input})),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn math_add_rounds_like_java() {
        let expr = format!("States.MathAdd({TWO})");
        for (a, b, expected) in [
            (json!(-9), json!(3), -6),
            (json!(-1.5), json!(0), -1),
            (json!(-1.51), json!(0), -2),
            (json!(0.5), json!(0), 1),
            (json!(2.5), json!(0), 3),
            (json!(-0.5), json!(0.5), 1),
            (json!(-0.5), json!(0), 0),
            (json!(-2.5), json!(0), -2),
            (json!(1.49), json!(1.5), 3),
            (json!(1.5), json!(1.51), 4),
            (json!(-1.49), json!(-1.5), -2),
            (json!(-1.5), json!(-1.51), -3),
            (json!(1.49), json!(-1.49), 0),
        ] {
            assert_eq!(
                ok(&expr, &fi(a.clone(), b.clone())),
                json!(expected),
                "{a} + {b}"
            );
        }
    }

    #[test]
    fn math_random_and_uuid_are_seeded() {
        let input = json!({"FunctionInput": {"fst": 12.5, "snd": 44.51, "trd": 3}});
        for _ in 0..20 {
            let value = ok(
                "States.MathRandom($.FunctionInput.fst, $.FunctionInput.snd)",
                &input,
            );
            let number = value.as_i64().expect("integer");
            assert!((12..44).contains(&number), "{number}");
        }
        let seeded = "States.MathRandom(0, 999, $.FunctionInput.trd)";
        assert_eq!(ok(seeded, &input), ok(seeded, &input));
        let mut context = IntrinsicContext::new(42);
        let mut no_paths = |path: &str| -> Result<Value, String> { Err(path.to_string()) };
        let first = evaluate_with("States.UUID()", &mut no_paths, &mut context).expect("uuid");
        let second = evaluate_with("States.UUID()", &mut no_paths, &mut context).expect("uuid");
        assert_ne!(first, second);
        let again = evaluate_with(
            "States.UUID()",
            &mut no_paths,
            &mut IntrinsicContext::new(42),
        )
        .expect("uuid");
        assert_eq!(first, again);
        let text = first.as_str().expect("string");
        assert_eq!(text.len(), 36);
        assert_eq!(&text[14..15], "4");
        assert!(matches!(&text[19..20], "8" | "9" | "a" | "b"), "{text}");
    }

    #[test]
    fn string_split_matches_recordings() {
        let expr = format!("States.StringSplit({TWO})");
        for (text, delimiters, expected) in [
            (" ", ",", json!([" "])),
            (" , ", ",", json!([" ", " "])),
            (", , ,", ",", json!([" ", " "])),
            (",,,,", ",", json!([])),
            ("1,2,3,4,5", ",", json!(["1", "2", "3", "4", "5"])),
            (
                "This.is+a,test=string",
                ".+,=",
                json!(["This", "is", "a", "test", "string"]),
            ),
            (
                "split on T and \nnew line",
                "T\n",
                json!(["split on ", " and ", "new line"]),
            ),
        ] {
            assert_eq!(
                ok(&expr, &fi(json!(text), json!(delimiters))),
                expected,
                "{text:?}"
            );
        }
        assert_eq!(
            ok("States.StringSplit('Hello\nWorld', '\n')", &json!({})),
            json!(["Hello", "World"])
        );
    }

    #[test]
    fn format_matches_recordings() {
        let one = "States.Format('Formatting argument {}.', $.FunctionInput)";
        for (input, expected) in [
            (json!(""), "Formatting argument ."),
            (json!(null), "Formatting argument null."),
            (json!(1), "Formatting argument 1."),
            (json!(1.1), "Formatting argument 1.1."),
            (
                json!("{\"Arg1\": 1, \"Arg2\": []}"),
                "Formatting argument {\"Arg1\": 1, \"Arg2\": []}.",
            ),
        ] {
            assert_eq!(ok(one, &json!({"FunctionInput": input})), json!(expected));
        }
        let two = format!("States.Format('Formatting arguments fst={{}} and snd={{}}.', {TWO})");
        assert_eq!(
            ok(
                &two,
                &fi(
                    json!({"Arg1": 1, "Arg2": []}),
                    json!({"Arg1": 1, "Arg2": []})
                )
            ),
            json!("Formatting arguments fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}.")
        );
        assert_eq!(
            ok(
                "States.Format('fst={} and snd={}.', $$.Execution.Name, $$.StateMachine)",
                &json!({})
            ),
            json!("fst=exec and snd={Name=machine-name-x, Id=arn:sm}.")
        );
        assert_eq!(
            ok(
                r"States.Format('\{\} {} it\'s \\', $.x)",
                &json!({"x": true})
            ),
            json!(r"{} true it's \")
        );
        assert_eq!(
            ok(
                "States.Format($.t, $.v)",
                &json!({"t": "It's {}!", "v": "Pikachu"})
            ),
            json!("It's Pikachu!")
        );
    }

    #[test]
    fn nested_calls_match_recordings() {
        assert_eq!(
            ok(
                "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)",
                &json!({})
            ),
            json!("machine")
        );
        assert_eq!(
            ok(
                "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
                &json!({})
            ),
            json!("x")
        );
    }

    #[test]
    fn failures_name_the_function_and_problem() {
        let error = fails("States.ArrayGetItem($.a, 3)", &json!({"a": [1, 2, 3]}));
        assert_eq!(error.error, RUNTIME);
        assert!(
            error.cause.contains("States.ArrayGetItem") && error.cause.contains("out of bounds"),
            "{error}"
        );
        assert!(
            fails("States.ArrayGetItem($.a, -1)", &json!({"a": [1]}))
                .cause
                .contains("out of bounds")
        );
        let error = fails("States.ArrayLength($.a)", &json!({"a": "text"}));
        assert!(
            error.cause.contains("must be an array, but was string"),
            "{error}"
        );
        let error = fails("States.StringToJson($.s)", &json!({"s": "{bad"}));
        assert!(error.cause.contains("not valid JSON"), "{error}");
        assert!(
            fails("States.ArrayRange(1, 5, 0)", &json!({}))
                .cause
                .contains("must not be 0")
        );
        assert!(
            fails("States.ArrayRange(0, 1000, 1)", &json!({}))
                .cause
                .contains("at most 1000")
        );
        assert_eq!(
            ok(
                "States.ArrayLength(States.ArrayRange(1, 1000, 1))",
                &json!({})
            ),
            json!(1000)
        );
        assert!(
            fails("States.ArrayPartition($.a, 0)", &json!({"a": [1]}))
                .cause
                .contains("positive")
        );
        assert!(
            fails("States.JsonMerge($.a, $.a, true)", &json!({"a": {}}))
                .cause
                .contains("deep")
        );
        assert!(
            fails(
                "States.JsonMerge($.a, $.b, false)",
                &json!({"a": {}, "b": [1]})
            )
            .cause
            .contains("an object")
        );
        assert!(
            fails(
                "States.Hash($.s, $.alg)",
                &json!({"s": "x", "alg": "SHA-3"})
            )
            .cause
            .contains("not supported")
        );
        assert!(
            fails("States.Hash($.s, 'MD5')", &json!({"s": "x".repeat(10_001)}))
                .cause
                .contains("10000")
        );
        assert!(
            fails(
                "States.Base64Decode($.s)",
                &json!({"s": "A".repeat(10_001)})
            )
            .cause
            .contains("10000")
        );
        assert!(
            fails("States.MathRandom(5, 5)", &json!({}))
                .cause
                .contains("greater")
        );
        assert!(
            fails("States.MathAdd($.a, 1)", &json!({"a": "1"}))
                .cause
                .contains("a number")
        );
        for template in ["Hello {", "Hello {{}}", "}"] {
            let error = fails("States.Format($.t)", &json!({"t": template}));
            assert!(
                error.cause.contains("unescaped"),
                "{template}: {}",
                error.cause
            );
        }
        assert!(
            fails("States.Format($.t, 1)", &json!({"t": "no placeholder"}))
                .cause
                .contains("placeholder")
        );
        assert_eq!(fails("States.ArrayLength()", &json!({})).error, RUNTIME);
        assert_eq!(fails("States.Nope($.a)", &json!({})).error, RUNTIME);
        let error = fails("States.Array($.missing)", &json!({}));
        assert_eq!(error.error, RUNTIME);
        assert_eq!(error.cause, "The JSONPath '$.missing' could not be found");
    }

    /// Behaviour observed on AWS beyond the recorded cases: failures are `States.Runtime`
    /// "Invalid arguments in States.X", fractions are dropped (except by MathAdd, which rounds),
    /// and an empty array yields null for any index.
    #[test]
    fn observed_aws_argument_rules() {
        let error = fails("States.MathAdd($.a, 1)", &json!({"a": "NOT A NUMBER"}));
        assert_eq!(error.error, "States.Runtime");
        assert!(
            error
                .cause
                .starts_with("Invalid arguments in States.MathAdd"),
            "{}",
            error.cause
        );
        let error = fails("States.StringToJson($.s)", &json!({"s": "{"}));
        assert!(
            error
                .cause
                .starts_with("Invalid arguments in States.StringToJson"),
            "{}",
            error.cause
        );
        assert_eq!(
            ok("States.ArrayGetItem($.a, 1.2)", &json!({"a": [10, 20, 30]})),
            json!(20)
        );
        assert_eq!(
            ok("States.ArrayGetItem($.a, 999)", &json!({"a": []})),
            json!(null)
        );
        assert_eq!(ok("States.ArrayRange(1.6, 1.4, 1)", &json!({})), json!([1]));
        assert_eq!(
            ok("States.ArrayRange(5.4, -0.6, -2.4)", &json!({})),
            json!([5, 3, 1])
        );
        assert_eq!(
            ok("States.ArrayRange(1000, 1, -1)", &json!({}))
                .as_array()
                .map(Vec::len),
            Some(1000)
        );
        assert!(
            fails("States.ArrayRange(1001, 1, -1)", &json!({}))
                .cause
                .contains("at most 1000")
        );
        assert!(
            fails("States.ArrayRange(1, 10, 0.49)", &json!({}))
                .cause
                .contains("must not be 0")
        );
        assert!(
            fails("States.MathRandom(1.4, 1.6)", &json!({}))
                .cause
                .starts_with("Invalid arguments in States.MathRandom")
        );
        assert!(
            fails("States.MathRandom(1, 10, null)", &json!({}))
                .cause
                .contains("a number")
        );
        assert!(
            fails("States.ArrayPartition($.a, 0.49)", &json!({"a": [1]}))
                .cause
                .contains("positive")
        );
        for _ in 0..20 {
            let value = ok("States.MathRandom(1.6, 5.4)", &json!({}))
                .as_i64()
                .unwrap_or(-1);
            assert!((1..5).contains(&value), "{value}");
        }
    }

    #[test]
    fn base64_decode_is_lenient_like_aws() {
        for (encoded, decoded) in [
            ("aGVsbG8=", "hello"),
            (" YWJjZA== ", "abcd"),
            ("YWJjZA", "abcd"),
            ("4pyT", "\u{2713}"),
            ("YWJjAGRlZg==", "abc\u{0}def"),
            ("/w==", "\u{FFFD}"),
        ] {
            assert_eq!(
                ok("States.Base64Decode($.s)", &json!({"s": encoded})),
                json!(decoded),
                "{encoded}"
            );
        }
    }

    #[test]
    fn base64_decode_of_invalid_base64_is_an_intrinsic_failure() {
        for invalid in ["!!!invalid!!!", "ab==cd", "YWJjZ", "YW\u{e9}J"] {
            let error = fails("States.Base64Decode($.s)", &json!({"s": invalid}));
            assert_eq!(error.error, "States.Runtime", "{invalid}");
            assert!(
                error.cause.starts_with(
                    "Invalid arguments in States.Base64Decode: the string is not Base64"
                ),
                "{invalid}: {}",
                error.cause
            );
        }
    }

    /// Runs every recorded single-Pass-state case of `intrinsic_functions` through [`evaluate`] and
    /// compares with AWS's output, skipping the places the case marks volatile.
    #[test]
    fn conformance_intrinsic_cases_match() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/data/conformance/cases/intrinsic_functions");
        let entries =
            std::fs::read_dir(&dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
        let mut checked = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            let (case, states) = crate::test_support::conformance_case(&path);
            let [state] = states.values().collect::<Vec<_>>()[..] else {
                continue;
            };
            let simple = state.as_object().is_some_and(|fields| {
                fields
                    .keys()
                    .all(|key| matches!(key.as_str(), "Type" | "Parameters" | "End"))
            });
            if !simple || case["expect"]["status"] != "SUCCEEDED" {
                continue;
            }
            let input = &case["input"];
            let mut actual = json!({});
            for (key, value) in state["Parameters"].as_object().cloned().unwrap_or_default() {
                let Some(name) = key.strip_suffix(".$") else {
                    actual[key] = value;
                    continue;
                };
                let expr = value.as_str().unwrap_or_default();
                actual[name] = eval_on(expr, input)
                    .unwrap_or_else(|error| panic!("{}: {expr}: {error}", path.display()));
            }
            let mut expected = case["expect"]["output"].clone();
            for pointer in case["volatile"].as_array().cloned().unwrap_or_default() {
                let pointer = pointer.as_str().unwrap_or_default();
                if let Some(inner) = pointer.strip_prefix("/expect/output") {
                    for document in [&mut expected, &mut actual] {
                        if let Some(slot) = document.pointer_mut(inner) {
                            *slot = Value::Null;
                        }
                    }
                }
            }
            assert!(
                json_equal(&actual, &expected),
                "{}: got {actual}, AWS recorded {expected}",
                path.display()
            );
            checked += 1;
        }
        assert!(checked >= 125, "only {checked} cases checked");
    }

    /// Bad input never panics: every bundled intrinsic call, with random edits, evaluates or
    /// fails with an error, whatever its paths resolve to.
    #[test]
    fn mutated_calls_never_panic() {
        fn collect(value: &Value, key: &str, out: &mut Vec<String>) {
            match value {
                Value::String(text) if key.ends_with(".$") && text.starts_with("States.") => {
                    out.push(text.clone());
                }
                Value::Array(items) => items.iter().for_each(|item| collect(item, key, out)),
                Value::Object(map) => map.iter().for_each(|(k, item)| collect(item, k, out)),
                _ => {}
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/data/conformance/cases");
        let mut calls = Vec::new();
        for area in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            for entry in std::fs::read_dir(area.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if let Ok(case) = serde_json::from_str::<Value>(&text) {
                    collect(&case["definition"], "", &mut calls);
                }
            }
        }
        assert!(calls.len() > 150, "found {}", calls.len());
        let alphabet: Vec<char> = "()$.,'\\{}-0123456789States.Format ".chars().collect();
        let values = [
            json!(null),
            json!(-1.5),
            json!("a,b"),
            json!([1, [2]]),
            json!({"k": 1}),
            json!(1e300),
        ];
        let mut random = IntrinsicContext::new(3);
        let mut pick =
            |bound: usize| usize::try_from(random.next_u64() % bound as u64).unwrap_or(0);
        for round in 0..5_000 {
            let edits = pick(3);
            let expr = crate::test_support::mutated(
                &calls[round % calls.len()],
                edits,
                &alphabet,
                &mut pick,
            );
            let value = values[pick(values.len())].clone();
            let outcome = std::panic::catch_unwind(|| {
                let mut resolve = |_: &str| -> Result<Value, String> { Ok(value.clone()) };
                evaluate(&expr, &mut resolve)
            });
            assert!(outcome.is_ok(), "evaluating {expr:?} panicked");
        }
    }
}
