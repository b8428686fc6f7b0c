//! Which fields each state type allows in each query language, and the machine-level fields.

use serde_json::Value;

use super::values::{self, NumberRule, is_placeholder_value, kind_of};
use super::{MachineInfo, Scope, Sink, codes};
use crate::state::{QueryLanguage, State, StateKind, StateType};

/// Whether `field` may appear in a state of type `ty` written in query language `ql` (the table of
/// the ASL spec and the AWS JSONata reference).
pub(crate) fn allowed(field: &str, ty: StateType, ql: QueryLanguage) -> bool {
    use StateType::{Choice, Fail, Map, Parallel, Pass, Succeed, Task, Wait};
    let jsonpath = ql == QueryLanguage::JsonPath;
    let jsonata = !jsonpath;
    match field {
        "Type" | "Comment" | "QueryLanguage" => true,
        "Next" | "End" => !matches!(ty, Choice | Succeed | Fail),
        "Assign" => !matches!(ty, Succeed | Fail),
        "InputPath" | "OutputPath" => jsonpath && ty != Fail,
        "Output" => jsonata && ty != Fail,
        "Parameters" => jsonpath && matches!(ty, Task | Pass | Parallel | Map),
        "Arguments" => jsonata && matches!(ty, Task | Parallel),
        "ResultSelector" => jsonpath && matches!(ty, Task | Parallel | Map),
        "ResultPath" => jsonpath && matches!(ty, Task | Pass | Parallel | Map),
        "Retry" | "Catch" => matches!(ty, Task | Parallel | Map),
        "Resource" | "Credentials" | "TimeoutSeconds" | "HeartbeatSeconds" => ty == Task,
        "TimeoutSecondsPath" | "HeartbeatSecondsPath" => jsonpath && ty == Task,
        "Result" => jsonpath && ty == Pass,
        "Choices" | "Default" => ty == Choice,
        "Seconds" | "Timestamp" => ty == Wait,
        "SecondsPath" | "TimestampPath" => jsonpath && ty == Wait,
        "Branches" => ty == Parallel,
        "ItemProcessor"
        | "Iterator"
        | "ItemSelector"
        | "ItemReader"
        | "ItemBatcher"
        | "ResultWriter"
        | "MaxConcurrency"
        | "ToleratedFailureCount"
        | "ToleratedFailurePercentage"
        | "Label" => ty == Map,
        "ItemsPath"
        | "MaxConcurrencyPath"
        | "ToleratedFailureCountPath"
        | "ToleratedFailurePercentagePath" => jsonpath && ty == Map,
        "Items" => jsonata && ty == Map,
        "Error" | "Cause" => ty == Fail,
        "ErrorPath" | "CausePath" => jsonpath && ty == Fail,
        _ => false,
    }
}

/// What type a known state field must have, for "wrong type" messages.
pub(crate) fn expected_type(field: &str) -> &'static str {
    match field {
        "End" => "a boolean",
        "InputPath" | "OutputPath" | "ResultPath" | "ItemsPath" => "a string path or null",
        "Retry" | "Catch" | "Choices" | "Branches" => "an array of objects",
        "ItemProcessor" | "Iterator" => "an object",
        "TimeoutSeconds"
        | "HeartbeatSeconds"
        | "Seconds"
        | "MaxConcurrency"
        | "ToleratedFailureCount"
        | "ToleratedFailurePercentage" => "a number",
        _ => "a string",
    }
}

/// The typed fields a state holds, by ASL name.
pub(crate) fn present_fields(state: &State) -> impl Iterator<Item = &'static str> {
    // On the stack: this runs for every state of the document.
    let mut out = [""; 20];
    let mut len = 0;
    let mut add = |present: bool, name: &'static str| {
        if present {
            out[len] = name;
            len += 1;
        }
    };
    add(state.next.is_some(), "Next");
    add(state.end.is_some(), "End");
    add(state.input_path.is_some(), "InputPath");
    add(state.output_path.is_some(), "OutputPath");
    add(state.result_path.is_some(), "ResultPath");
    add(state.parameters.is_some(), "Parameters");
    add(state.arguments.is_some(), "Arguments");
    add(state.result_selector.is_some(), "ResultSelector");
    add(state.output.is_some(), "Output");
    add(state.assign.is_some(), "Assign");
    add(state.retry.is_some(), "Retry");
    add(state.catch.is_some(), "Catch");
    match &state.kind {
        StateKind::Task(t) => {
            add(t.timeout_seconds_path.is_some(), "TimeoutSecondsPath");
            add(t.heartbeat_seconds_path.is_some(), "HeartbeatSecondsPath");
        }
        StateKind::Wait(w) => {
            add(w.seconds_path.is_some(), "SecondsPath");
            add(w.timestamp_path.is_some(), "TimestampPath");
        }
        StateKind::Map(m) => {
            add(m.items_path.is_some(), "ItemsPath");
            add(m.items.is_some(), "Items");
            add(m.max_concurrency_path.is_some(), "MaxConcurrencyPath");
            add(
                m.tolerated_failure_count_path.is_some(),
                "ToleratedFailureCountPath",
            );
            add(
                m.tolerated_failure_percentage_path.is_some(),
                "ToleratedFailurePercentagePath",
            );
        }
        StateKind::Fail(f) => {
            add(f.error_path.is_some(), "ErrorPath");
            add(f.cause_path.is_some(), "CausePath");
        }
        _ => {}
    }
    out.into_iter().take(len)
}

fn known_anywhere(field: &str) -> bool {
    StateType::ALL.into_iter().any(|ty| {
        allowed(field, ty, QueryLanguage::JsonPath) || allowed(field, ty, QueryLanguage::Jsonata)
    })
}

/// Reports typed fields the state's type or query language does not allow, and every untyped member
/// (unknown, or of the wrong type).
pub(crate) fn check_state_fields(
    sink: &mut Sink<'_>,
    state: &State,
    ty: StateType,
    ql: QueryLanguage,
    pointer: &str,
) {
    let other = match ql {
        QueryLanguage::JsonPath => QueryLanguage::Jsonata,
        QueryLanguage::Jsonata => QueryLanguage::JsonPath,
    };
    let name = &state.name;
    let not_allowed = |sink: &mut Sink<'_>, field: &str| {
        let message = if allowed(field, ty, other) {
            let hint = match (field, ql) {
                ("Parameters", QueryLanguage::Jsonata) => " (use \"Arguments\")",
                ("ResultSelector" | "OutputPath" | "ResultPath", QueryLanguage::Jsonata) => {
                    " (use \"Output\" or \"Assign\")"
                }
                ("ItemsPath", QueryLanguage::Jsonata) => " (use \"Items\")",
                ("Arguments", QueryLanguage::JsonPath) => " (use \"Parameters\")",
                ("Output", QueryLanguage::JsonPath) => {
                    " (use \"OutputPath\" or \"ResultSelector\")"
                }
                _ => "",
            };
            format!(
                "Field \"{field}\" of state \"{name}\" belongs to {} states, but this state uses {}{hint}",
                other.as_str(),
                ql.as_str()
            )
        } else {
            format!(
                "Field \"{field}\" is not allowed in a {} state (\"{name}\")",
                ty.as_str()
            )
        };
        sink.error(codes::SCHEMA, &format!("{pointer}/{field}"), message);
    };
    for field in present_fields(state) {
        if !allowed(field, ty, ql) {
            not_allowed(sink, field);
        }
    }
    // Typed slots the generic list above does not cover (type-specific fields present only when the
    // type matches, so they are always allowed for the type; the query language may still forbid).
    for (key, value) in &state.extras.unknown {
        if key == "Type" {
            continue;
        }
        if known_anywhere(key) && !allowed(key, ty, ql) {
            not_allowed(sink, key);
        } else if known_anywhere(key) {
            if is_placeholder_value(value) {
                continue;
            }
            if key == "ItemProcessor" || key == "Iterator" {
                // Both present: reported as MAP_ITEM_PROCESSOR by the Map checks.
                if let StateKind::Map(m) = &state.kind
                    && m.processor.is_some()
                    && value.is_object()
                {
                    continue;
                }
            }
            if key == "QueryLanguage" {
                sink.error(
                    codes::SCHEMA,
                    &format!("{pointer}/QueryLanguage"),
                    format!(
                        "QueryLanguage of state \"{name}\" must be \"JSONPath\" or \"JSONata\", found {}",
                        value
                    ),
                );
                continue;
            }
            if key == "Branches"
                && let Some(items) = value.as_array()
                && let Some(index) = items.iter().position(|item| !item.is_object())
            {
                sink.error(
                            codes::SCHEMA,
                            &format!("{pointer}/Branches/{index}"),
                            format!(
                                "Branch {index} of Parallel state \"{name}\" must be an object (a state machine with StartAt and States), found {}",
                                kind_of(&items[index])
                            ),
                        );
                continue;
            }
            if matches!(key.as_str(), "Retry" | "Catch" | "Choices")
                && let Some(items) = value.as_array()
                && let Some(index) = items.iter().position(|item| !item.is_object())
            {
                sink.error(
                            codes::SCHEMA,
                            &format!("{pointer}/{key}/{index}"),
                            format!(
                                "Entry {index} of \"{key}\" in state \"{name}\" must be an object, found {}",
                                kind_of(&items[index])
                            ),
                        );
                continue;
            }
            sink.error(
                codes::SCHEMA,
                &format!("{pointer}/{key}"),
                format!(
                    "Field \"{key}\" of state \"{name}\" must be {}, found {}",
                    expected_type(key),
                    kind_of(value)
                ),
            );
        } else {
            sink.error(
                codes::SCHEMA,
                &super::child(pointer, key),
                format!(
                    "Field \"{key}\" is not allowed in a {} state (\"{name}\")",
                    ty.as_str()
                ),
            );
        }
    }
}

/// Checks the members of a machine object: allowed fields per place, types and values.
pub(crate) fn check_machine_fields(sink: &mut Sink<'_>, info: &MachineInfo<'_>) {
    let machine = info.machine;
    let place = match info.scope {
        Scope::Root => "the state machine",
        Scope::Branch => "a Parallel branch",
        Scope::Processor => "a Map processor",
    };
    let at = |field: &str| format!("{}/{field}", info.pointer);
    let root = info.scope == Scope::Root;
    if !root {
        if machine.timeout_seconds.is_some() {
            sink.error(
                codes::SCHEMA,
                &at("TimeoutSeconds"),
                format!("Field \"TimeoutSeconds\" is not allowed in {place}"),
            );
        }
        if machine.version.is_some() {
            sink.error(
                codes::SCHEMA,
                &at("Version"),
                format!("Field \"Version\" is not allowed in {place}"),
            );
        }
        if machine.query_language.is_some() {
            sink.error(
                codes::SCHEMA,
                &at("QueryLanguage"),
                format!("Field \"QueryLanguage\" is not allowed in {place}; set it on the states"),
            );
        }
    }
    if let Some(timeout) = &machine.timeout_seconds
        && root
    {
        values::check_number(
            sink,
            timeout,
            NumberRule::int(1.0),
            false,
            || at("TimeoutSeconds"),
            || "TimeoutSeconds of the state machine".to_owned(),
        );
    }
    if let Some(version) = &machine.version
        && root
        && version != "1.0"
        && !values::has_placeholder(version)
    {
        sink.error(
            codes::SCHEMA,
            &at("Version"),
            format!("Version must be \"1.0\", found \"{version}\""),
        );
    }
    if let Some(config) = &machine.processor_config {
        if info.scope != Scope::Processor {
            sink.error(
                codes::SCHEMA,
                &at("ProcessorConfig"),
                format!("Field \"ProcessorConfig\" is not allowed in {place}"),
            );
        } else {
            check_processor_config(sink, config, &at("ProcessorConfig"));
        }
    }
    for (key, value) in &machine.extras.unknown {
        let pointer = super::child(&info.pointer, key);
        let message = match key.as_str() {
            "StartAt" | "Comment" | "Version" => {
                format!("Field \"{key}\" must be a string, found {}", kind_of(value))
            }
            "States" => format!(
                "Field \"States\" must be an object, found {}",
                kind_of(value)
            ),
            "TimeoutSeconds" if root => {
                format!(
                    "Field \"TimeoutSeconds\" must be a number, found {}",
                    kind_of(value)
                )
            }
            "QueryLanguage" if root => {
                format!("QueryLanguage must be \"JSONPath\" or \"JSONata\", found {value}")
            }
            _ => format!("Field \"{key}\" is not allowed in {place}"),
        };
        sink.error(codes::SCHEMA, &pointer, message);
    }
}

fn check_processor_config(sink: &mut Sink<'_>, config: &Value, pointer: &str) {
    let Some(map) = config.as_object() else {
        sink.error(
            codes::SCHEMA,
            pointer,
            format!(
                "ProcessorConfig must be an object, found {}",
                kind_of(config)
            ),
        );
        return;
    };
    for (key, value) in map {
        let member = super::child(pointer, key);
        let allowed: &[&str] = match key.as_str() {
            "Mode" => &["INLINE", "DISTRIBUTED"],
            "ExecutionType" => &["STANDARD", "EXPRESS"],
            _ => {
                sink.error(
                    codes::SCHEMA,
                    &member,
                    format!("Field \"{key}\" is not allowed in ProcessorConfig"),
                );
                continue;
            }
        };
        if is_placeholder_value(value) {
            continue;
        }
        if !value.as_str().is_some_and(|s| allowed.contains(&s)) {
            sink.error(
                codes::SCHEMA,
                &member,
                format!("ProcessorConfig.{key} must be one of {allowed:?}, found {value}"),
            );
        }
    }
}
