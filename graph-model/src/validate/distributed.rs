//! The newer fields of a Distributed Map (ItemReader's ReaderConfig, ResultWriter's WriterConfig,
//! Label) and of the HTTP Task, checked against the AWS developer guide's reference ("ItemReader
//! (Map)", "ResultWriter (Map)", "Distributed Map state fields", "Call HTTPS APIs").

use serde_json::{Map, Value};

use super::Sink;
use super::codes;
use super::state::StateCtx;
use super::values::{
    self, NumberRule, PathKind, check_number, has_placeholder, kind_of, path_problem,
};
use crate::NumberOr;

/// The members a ReaderConfig may have.
const READER_CONFIG: [&str; 9] = [
    "InputType",
    "CSVHeaderLocation",
    "CSVHeaders",
    "CSVDelimiter",
    "MaxItems",
    "MaxItemsPath",
    "ManifestType",
    "ItemsPointer",
    "Transformation",
];

/// `(member, allowed values)` of ReaderConfig's enumerated members (AWS's "ItemReader (Map)").
pub const READER_CONFIG_CHOICES: [(&str, &[&str]); 5] = [
    (
        "InputType",
        &["CSV", "JSON", "JSONL", "PARQUET", "MANIFEST"],
    ),
    ("CSVHeaderLocation", &["FIRST_ROW", "GIVEN"]),
    (
        "CSVDelimiter",
        &["COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"],
    ),
    ("ManifestType", &["ATHENA_DATA", "S3_INVENTORY"]),
    // An S3 object listing's: NONE gives the listed objects' metadata, LOAD_AND_FLATTEN their
    // contents.
    ("Transformation", &["NONE", "LOAD_AND_FLATTEN"]),
];

/// `(member, allowed values)` of WriterConfig (AWS's "ResultWriter (Map)").
pub const WRITER_CONFIG_CHOICES: [(&str, &[&str]); 2] = [
    ("OutputType", &["JSON", "JSONL"]),
    ("Transformation", &["NONE", "COMPACT", "FLATTEN"]),
];

/// The methods the HTTP Task accepts.
pub const HTTP_METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

/// The HTTP Task's `Transform.RequestBodyEncoding` values (`NONE` is the default: a JSON body).
pub const REQUEST_BODY_ENCODINGS: [&str; 2] = ["NONE", "URL_ENCODED"];

/// The HTTP Task's `Transform.RequestEncodingOptions.ArrayFormat` values, `INDICES` the default
/// (AWS's "Call HTTPS APIs": `COMMAS`, plural, as the CDK's `URLEncodingFormat` writes it too).
pub const ARRAY_FORMATS: [&str; 4] = ["INDICES", "REPEAT", "COMMAS", "BRACKETS"];

/// The largest `MaxItems` AWS accepts.
const MAX_ITEMS: f64 = 100_000_000.0;

/// The longest Label AWS accepts.
const MAX_LABEL: usize = 40;

/// Whether a string stands for a value computed later: a `${...}` placeholder, or a JSONata
/// expression in a JSONata state. Such values are not checked against an enumeration.
fn computed(text: &str, ctx: &StateCtx<'_>) -> bool {
    has_placeholder(text) || (ctx.jsonata() && values::is_jsonata(text))
}

/// Reports a member whose value is not one of `allowed`.
fn enumeration(
    sink: &mut Sink<'_>,
    ctx: &StateCtx<'_>,
    object: &Map<String, Value>,
    key: &str,
    allowed: &[&str],
    pointer: &str,
    what: &str,
) {
    let Some(value) = object.get(key) else {
        return;
    };
    let ok = match value {
        Value::String(text) => allowed.contains(&text.as_str()) || computed(text, ctx),
        other => values::is_placeholder_value(other),
    };
    if !ok {
        sink.error(
            codes::SCHEMA,
            &format!("{pointer}/{key}"),
            format!(
                "{what}.{key} of state \"{}\" is {value}, not one of {allowed:?}",
                ctx.name
            ),
        );
    }
}

/// Members not in `known`, each an error.
fn unknown_members(
    sink: &mut Sink<'_>,
    object: &Map<String, Value>,
    known: &[&str],
    pointer: &str,
    what: &str,
    name: &str,
) {
    for key in object.keys() {
        if !known.contains(&key.as_str()) {
            sink.error(
                codes::SCHEMA,
                &super::child(pointer, key),
                format!(
                    "Field \"{key}\" is not allowed in {what} of state \"{name}\" (allowed: {})",
                    known.join(", ")
                ),
            );
        }
    }
}

/// `config` as an object; otherwise (unless it is a placeholder standing for one) an error at
/// `pointer` naming `what`, and `None`.
fn config_object<'v>(
    sink: &mut Sink<'_>,
    config: &'v Value,
    pointer: &str,
    what: &str,
    ctx: &StateCtx<'_>,
) -> Option<&'v serde_json::Map<String, Value>> {
    let object = config.as_object();
    if object.is_none() && !values::is_placeholder_value(config) {
        sink.error(
            codes::SCHEMA,
            pointer,
            format!(
                "{what} of state \"{}\" must be an object, found {}",
                ctx.name,
                kind_of(config)
            ),
        );
    }
    object
}

/// `ItemReader.ReaderConfig`.
pub(crate) fn check_reader_config(sink: &mut Sink<'_>, reader: &Value, ctx: &StateCtx<'_>) {
    let Some(config) = reader.get("ReaderConfig") else {
        return;
    };
    let pointer = ctx.at("ItemReader/ReaderConfig");
    let what = "ItemReader.ReaderConfig";
    let Some(object) = config_object(sink, config, &pointer, what, ctx) else {
        return;
    };
    unknown_members(sink, object, &READER_CONFIG, &pointer, what, ctx.name);
    for (key, allowed) in READER_CONFIG_CHOICES {
        enumeration(sink, ctx, object, key, allowed, &pointer, what);
    }
    load_and_flatten(sink, reader, object, &pointer, ctx);
    match object.get("CSVHeaders") {
        Some(Value::Array(headers)) => {
            if let Some(index) = headers.iter().position(|h| !h.is_string()) {
                sink.error(
                    codes::SCHEMA,
                    &format!("{pointer}/CSVHeaders/{index}"),
                    format!(
                        "{what}.CSVHeaders of state \"{}\" must hold strings",
                        ctx.name
                    ),
                );
            }
        }
        Some(Value::String(text)) if computed(text, ctx) => {}
        Some(other) => sink.error(
            codes::SCHEMA,
            &format!("{pointer}/CSVHeaders"),
            format!(
                "{what}.CSVHeaders of state \"{}\" must be an array of strings, found {}",
                ctx.name,
                kind_of(other)
            ),
        ),
        None => {
            // AWS: with the headers "GIVEN", the reader needs them listed.
            if object.get("CSVHeaderLocation").and_then(Value::as_str) == Some("GIVEN") {
                sink.error(
                    codes::SCHEMA,
                    &format!("{pointer}/CSVHeaderLocation"),
                    format!(
                        "{what} of state \"{}\" has CSVHeaderLocation \"GIVEN\" but no CSVHeaders",
                        ctx.name
                    ),
                );
            }
        }
    }
    if let Some(max) = object.get("MaxItems") {
        let number = match max {
            Value::Number(n) => Some(NumberOr::Number(n.clone())),
            Value::String(text) => Some(NumberOr::Expr(text.clone())),
            _ => None,
        };
        match number {
            Some(number) => check_number(
                sink,
                &number,
                NumberRule {
                    integer: true,
                    min: 0.0,
                    max: Some(MAX_ITEMS),
                },
                ctx.jsonata(),
                || format!("{pointer}/MaxItems"),
                || format!("{what}.MaxItems of state \"{}\"", ctx.name),
            ),
            None => sink.error(
                codes::SCHEMA,
                &format!("{pointer}/MaxItems"),
                format!(
                    "{what}.MaxItems of state \"{}\" must be an integer, found {}",
                    ctx.name,
                    kind_of(max)
                ),
            ),
        }
    }
    if let Some(path) = object.get("MaxItemsPath") {
        let problem = match path.as_str() {
            Some(text) => path_problem(text, PathKind::Reference),
            None => Some(format!("must be a reference path, found {}", kind_of(path))),
        };
        if let Some(problem) = problem {
            sink.error(
                codes::SCHEMA,
                &format!("{pointer}/MaxItemsPath"),
                format!("{what}.MaxItemsPath of state \"{}\" {problem}", ctx.name),
            );
        }
    }
    if let Some(items_pointer) = object.get("ItemsPointer") {
        let problem = match items_pointer.as_str() {
            Some(text) if computed(text, ctx) => None,
            Some(text) => json_pointer_problem(text),
            None => Some(format!(
                "must be a JSON Pointer string, found {}",
                kind_of(items_pointer)
            )),
        };
        if let Some(problem) = problem {
            sink.error(
                codes::SCHEMA,
                &format!("{pointer}/ItemsPointer"),
                format!("{what}.ItemsPointer of state \"{}\" {problem}", ctx.name),
            );
        }
    }
}

/// Why `text` is not an RFC 6901 JSON Pointer (`""` or `/a/b`, `~` only as `~0` or `~1`).
fn json_pointer_problem(text: &str) -> Option<String> {
    if !text.is_empty() && !text.starts_with('/') {
        return Some(format!(
            "\"{text}\" is not a JSON Pointer: it must be empty or start with '/' (such as \"/data/items\")"
        ));
    }
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return Some(format!(
                "\"{text}\" is not a JSON Pointer: '~' must be followed by 0 or 1"
            ));
        }
    }
    None
}

/// `Transformation` LOAD_AND_FLATTEN loads the objects an S3 listing (`s3:listObjectsV2`) names:
/// on any other reader there is no listing to load, and the listed objects are read in the
/// format `InputType` names, which cannot be a manifest.
fn load_and_flatten(
    sink: &mut Sink<'_>,
    reader: &Value,
    config: &Map<String, Value>,
    pointer: &str,
    ctx: &StateCtx<'_>,
) {
    if config.get("Transformation").and_then(Value::as_str) != Some("LOAD_AND_FLATTEN") {
        return;
    }
    let resource = reader.get("Resource").and_then(Value::as_str);
    let lists = resource.is_none_or(|r| r.ends_with(":s3:listObjectsV2") || has_placeholder(r));
    if !lists {
        sink.error(
            codes::SCHEMA,
            &format!("{pointer}/Transformation"),
            format!(
                "ItemReader.ReaderConfig.Transformation LOAD_AND_FLATTEN of state \"{}\" loads the objects of an S3 listing: its Resource must be arn:aws:states:::s3:listObjectsV2",
                ctx.name
            ),
        );
    }
    if config.get("InputType").and_then(Value::as_str) == Some("MANIFEST") {
        sink.error(
            codes::SCHEMA,
            &format!("{pointer}/InputType"),
            format!(
                "ItemReader.ReaderConfig.InputType of state \"{}\" names the format of the listed objects under LOAD_AND_FLATTEN: CSV, JSON, JSONL or PARQUET, not MANIFEST",
                ctx.name
            ),
        );
    }
}

/// `ResultWriter.WriterConfig`.
pub(crate) fn check_writer_config(sink: &mut Sink<'_>, writer: &Value, ctx: &StateCtx<'_>) {
    let Some(config) = writer.get("WriterConfig") else {
        return;
    };
    let pointer = ctx.at("ResultWriter/WriterConfig");
    let what = "ResultWriter.WriterConfig";
    let Some(object) = config_object(sink, config, &pointer, what, ctx) else {
        return;
    };
    unknown_members(
        sink,
        object,
        &["OutputType", "Transformation"],
        &pointer,
        what,
        ctx.name,
    );
    for (key, allowed) in WRITER_CONFIG_CHOICES {
        enumeration(sink, ctx, object, key, allowed, &pointer, what);
    }
}

/// `Label`: at most 40 characters, none of those an execution name may not hold.
pub(crate) fn check_label(sink: &mut Sink<'_>, label: &str, ctx: &StateCtx<'_>) {
    if has_placeholder(label) {
        return;
    }
    let forbidden = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c)
            || matches!(c, '\u{fffe}' | '\u{ffff}')
    };
    let problem = if label.chars().count() > MAX_LABEL {
        Some(format!(
            "is {} characters long; AWS allows at most {MAX_LABEL}",
            label.chars().count()
        ))
    } else if label.is_empty() {
        Some("is empty".to_owned())
    } else {
        label.chars().find(|c| forbidden(*c)).map(|c| {
            format!(
                "contains {c:?}, which a label may not (no whitespace, brackets, wildcards, control characters or any of \" # % \\ ^ | ~ ` $ & , ; : /)"
            )
        })
    };
    if let Some(problem) = problem {
        sink.error(
            codes::SCHEMA,
            &ctx.at("Label"),
            format!("Label \"{label}\" of Map state \"{}\" {problem}", ctx.name),
        );
    }
}

/// The HTTP Task (`arn:aws:states:::http:invoke`): `ApiEndpoint` and `Method` are required, a
/// connection (`Authentication.ConnectionArn`, or `InvocationConfig.ConnectionArn` as real
/// workflows also write it) too, and the enumerated members hold one of their values.
pub(crate) fn check_http_task(
    sink: &mut Sink<'_>,
    arguments: Option<&Value>,
    field: &str,
    ctx: &StateCtx<'_>,
) {
    let pointer = ctx.at(field);
    let Some(object) = arguments.and_then(Value::as_object) else {
        if arguments.is_none() {
            sink.error(
                codes::SCHEMA,
                ctx.pointer,
                format!(
                    "HTTP Task \"{}\" needs {field} with ApiEndpoint, Method and Authentication",
                    ctx.name
                ),
            );
        }
        return;
    };
    // A JSONPath template may compute any member (`Method.$`).
    let has = |key: &str| object.contains_key(key) || object.contains_key(&format!("{key}.$"));
    for required in ["ApiEndpoint", "Method"] {
        if !has(required) {
            sink.error(
                codes::SCHEMA,
                &pointer,
                format!(
                    "{field} of HTTP Task \"{}\" does not have the required field \"{required}\"",
                    ctx.name
                ),
            );
        }
    }
    let connection = |key: &str| {
        object
            .get(key)
            .is_some_and(|value| !value.is_object() || has_key_or_dollar(value, "ConnectionArn"))
            || object.contains_key(&format!("{key}.$"))
    };
    if !connection("Authentication") && !connection("InvocationConfig") {
        sink.error(
            codes::SCHEMA,
            &pointer,
            format!(
                "{field} of HTTP Task \"{}\" needs \"Authentication\": {{\"ConnectionArn\": ...}} (an EventBridge connection)",
                ctx.name
            ),
        );
    }
    enumeration(sink, ctx, object, "Method", &HTTP_METHODS, &pointer, field);
    if let Some(transform) = object.get("Transform").and_then(Value::as_object) {
        let at = format!("{pointer}/Transform");
        let what = format!("{field}.Transform");
        enumeration(
            sink,
            ctx,
            transform,
            "RequestBodyEncoding",
            &REQUEST_BODY_ENCODINGS,
            &at,
            &what,
        );
        if let Some(options) = transform
            .get("RequestEncodingOptions")
            .and_then(Value::as_object)
        {
            enumeration(
                sink,
                ctx,
                options,
                "ArrayFormat",
                &ARRAY_FORMATS,
                &format!("{at}/RequestEncodingOptions"),
                &format!("{what}.RequestEncodingOptions"),
            );
        }
    }
}

fn has_key_or_dollar(value: &Value, key: &str) -> bool {
    value.get(key).is_some() || value.get(format!("{key}.$")).is_some()
}

/// Whether a Task resource is the HTTP Task.
pub(crate) fn is_http_task(resource: &str) -> bool {
    resource.ends_with(":states:::http:invoke")
}
