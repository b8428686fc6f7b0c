//! Checks of one state: its type, transitions, fields and their values.

use serde_json::{Map, Value};

use super::fields::{self, allowed};
use super::values::{
    self, NumberRule, PathKind, check_jsonata_tree, check_number, check_number_fields,
    check_payload, has_placeholder, is_placeholder_value, kind_of, path_problem,
};
use super::{MachineInfo, Sink, Targets, choice, codes, distributed};
use crate::NullablePath;
use crate::expr::intrinsic;
use crate::state::{Catcher, QueryLanguage, Retrier, State, StateKind, StateType};

/// AWS's upper bound for most second and attempt counts.
const MAX_SECONDS: f64 = 99_999_999.0;

/// Everything a state's checks need to know about where it is.
pub(crate) struct StateCtx<'a> {
    pub(crate) name: &'a str,
    pub(crate) pointer: &'a str,
    pub(crate) ql: QueryLanguage,
    pub(crate) ty: StateType,
}

impl StateCtx<'_> {
    pub(crate) fn at(&self, field: &str) -> String {
        format!("{}/{field}", self.pointer)
    }

    pub(crate) fn jsonata(&self) -> bool {
        self.ql == QueryLanguage::Jsonata
    }

    fn allows(&self, field: &str) -> bool {
        allowed(field, self.ty, self.ql)
    }
}

pub(crate) fn check_state(
    sink: &mut Sink<'_>,
    info: &MachineInfo<'_>,
    state: &State,
    pointer: &str,
    root_ql: QueryLanguage,
    targets: &Targets<'_, '_>,
) {
    let name = state.name.as_str();
    let ty = match (&state.kind, state.state_type()) {
        (StateKind::NotAnObject(value), _) => {
            sink.error(
                codes::SCHEMA,
                pointer,
                format!(
                    "State \"{name}\" must be an object, found {}",
                    kind_of(value)
                ),
            );
            return;
        }
        (_, Some(ty)) => ty,
        (_, None) => {
            match state.extras.get("Type") {
                Some(value) => sink.error(
                    codes::SCHEMA,
                    &format!("{pointer}/Type"),
                    format!(
                        "The field \"Type\" of state \"{name}\" should be one of [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map], found {value}"
                    ),
                ),
                None => sink.error(
                    codes::SCHEMA,
                    pointer,
                    format!("The field \"Type\" is required but missing in state \"{name}\""),
                ),
            }
            if let Some(next) = &state.next {
                targets.check(
                    sink,
                    next,
                    || format!("{pointer}/Next"),
                    || "Next".to_owned(),
                );
            }
            return;
        }
    };
    let ql = state.query_language.unwrap_or(info.ql);
    let ctx = StateCtx {
        name,
        pointer,
        ql,
        ty,
    };
    // AWS rejects a JSONPath state in a JSONata machine; asl-validator's fixtures accept one inside a
    // nested machine (a Map processor), so only top-level states are held to it.
    if root_ql == QueryLanguage::Jsonata
        && info.scope == super::Scope::Root
        && state.query_language == Some(QueryLanguage::JsonPath)
    {
        sink.error(
            codes::SCHEMA,
            &ctx.at("QueryLanguage"),
            format!(
                "'QueryLanguage' of state \"{name}\" can not be 'JSONPath' if set to 'JSONata' for the whole state machine"
            ),
        );
    }
    fields::check_state_fields(sink, state, ty, ql, pointer);
    check_transition(sink, state, &ctx, targets);
    check_data_fields(sink, state, &ctx);
    if let Some(retry) = &state.retry
        && ctx.allows("Retry")
    {
        check_retry(sink, retry, &ctx);
    }
    if let Some(catch) = &state.catch
        && ctx.allows("Catch")
    {
        check_catch(sink, catch, &ctx, targets);
    }
    match &state.kind {
        StateKind::Task(task) => check_task(sink, state, task, &ctx),
        StateKind::Wait(wait) => check_wait(sink, wait, &ctx),
        StateKind::Parallel(parallel) => {
            if let Some(branches) = &parallel.branches {
                if branches.is_empty() {
                    sink.error(
                        codes::SCHEMA,
                        &ctx.at("Branches"),
                        format!("Parallel state \"{name}\" must have at least one branch"),
                    );
                }
            } else if !state.extras.contains("Branches") {
                sink.error(
                    codes::SCHEMA,
                    pointer,
                    format!(
                        "Parallel state \"{name}\" does not have the required field \"Branches\""
                    ),
                );
            }
        }
        StateKind::Map(map) => check_map(sink, state, map, &ctx),
        StateKind::Fail(fail) => check_fail(sink, fail, &ctx),
        StateKind::Choice(c) => choice::check_choice(sink, state, c, &ctx, targets),
        StateKind::Pass(pass) => {
            if let Some(result) = &pass.result
                && !ctx.jsonata()
            {
                check_static_result(sink, result, &ctx.at("Result"), name);
            }
        }
        StateKind::Succeed | StateKind::Unknown | StateKind::NotAnObject(_) => {}
    }
}

fn check_transition(
    sink: &mut Sink<'_>,
    state: &State,
    ctx: &StateCtx<'_>,
    targets: &Targets<'_, '_>,
) {
    let name = ctx.name;
    let may_continue = ctx.allows("Next");
    let end = state.end == Some(true);
    if let Some(next) = &state.next {
        if end {
            sink.error(
                codes::TERMINAL_WITH_NEXT,
                &ctx.at("Next"),
                format!("State \"{name}\" has both \"End\": true and \"Next\"; it must have exactly one of them"),
            );
        }
        if may_continue {
            targets.check(sink, next, || ctx.at("Next"), || "Next".to_owned());
        }
    } else if may_continue
        && !end
        && !state.extras.contains("Next")
        && !state.extras.contains("End")
    {
        let message = if state.end == Some(false) {
            format!(
                "State \"{name}\" has \"End\": false and no \"Next\"; it must have \"Next\" or \"End\": true"
            )
        } else {
            format!("State \"{name}\" must have \"Next\" or \"End\": true")
        };
        sink.error(codes::SCHEMA, ctx.pointer, message);
    }
}

/// InputPath, OutputPath, ResultPath, Parameters, ResultSelector, Arguments, Output, Assign.
fn check_data_fields(sink: &mut Sink<'_>, state: &State, ctx: &StateCtx<'_>) {
    let name = ctx.name;
    let nullable =
        |sink: &mut Sink<'_>, field: &str, value: &Option<NullablePath>, kind: PathKind| {
            if let Some(NullablePath::Path(text)) = value
                && ctx.allows(field)
                && let Some(problem) = path_problem(text, kind)
            {
                sink.error(
                    codes::SCHEMA,
                    &ctx.at(field),
                    format!("{field} \"{text}\" of state \"{name}\" {problem}"),
                );
            }
        };
    nullable(sink, "InputPath", &state.input_path, PathKind::Any);
    nullable(sink, "OutputPath", &state.output_path, PathKind::Any);
    nullable(sink, "ResultPath", &state.result_path, PathKind::Result);
    for (field, value) in [
        ("Parameters", &state.parameters),
        ("ResultSelector", &state.result_selector),
    ] {
        if let Some(value) = value
            && ctx.allows(field)
        {
            check_payload(sink, value, &|| ctx.at(field), &|| {
                format!("{field} of state \"{name}\"")
            });
        }
    }
    for (field, value) in [("Arguments", &state.arguments), ("Output", &state.output)] {
        if let Some(value) = value
            && ctx.allows(field)
        {
            check_jsonata_tree(sink, value, &ctx.at(field), &|| {
                format!("{field} of state \"{name}\"")
            });
        }
    }
    if let Some(assign) = &state.assign
        && ctx.allows("Assign")
    {
        check_assign(sink, assign, &ctx.at("Assign"), ctx.jsonata(), name);
    }
}

pub(crate) fn check_assign(
    sink: &mut Sink<'_>,
    assign: &Value,
    pointer: &str,
    jsonata: bool,
    name: &str,
) {
    let what = format!("Assign of state \"{name}\"");
    if !assign.is_object() {
        if !is_placeholder_value(assign) {
            sink.error(
                codes::SCHEMA,
                pointer,
                format!("{what} must be an object, found {}", kind_of(assign)),
            );
        }
        return;
    }
    if jsonata {
        check_jsonata_tree(sink, assign, pointer, &|| what.clone());
    } else {
        check_payload(sink, assign, &|| pointer.to_owned(), &|| what.clone());
    }
}

/// Reports a missing, empty or mistyped `ErrorEquals`, and misplaced `States.ALL`. Returns whether
/// the entry lists `States.ALL`.
fn check_error_equals(
    sink: &mut Sink<'_>,
    errors: Option<&Vec<String>>,
    raw: Option<&Value>,
    pointer: &str,
    what: &str,
) -> bool {
    // Built only for a diagnostic: this runs for every retrier and catcher.
    let at = || format!("{pointer}/ErrorEquals");
    let Some(errors) = errors else {
        match raw {
            Some(Value::Array(items)) => {
                let index = items.iter().position(|item| !item.is_string()).unwrap_or(0);
                sink.error(
                    codes::SCHEMA,
                    &format!("{}/{index}", at()),
                    format!("{what}: ErrorEquals entries must be strings"),
                );
            }
            Some(other) => sink.error(
                codes::SCHEMA,
                &at(),
                format!(
                    "{what}: ErrorEquals must be a non-empty array of strings, found {}",
                    kind_of(other)
                ),
            ),
            None => sink.error(
                codes::SCHEMA,
                pointer,
                format!("{what} does not have the required field \"ErrorEquals\""),
            ),
        }
        return false;
    };
    if errors.is_empty() {
        sink.error(
            codes::SCHEMA,
            &at(),
            format!("{what}: ErrorEquals is empty, non-empty required"),
        );
    }
    let has_all = errors.iter().any(|e| e == "States.ALL");
    if has_all && errors.len() > 1 {
        sink.error(
            codes::SCHEMA,
            &at(),
            format!("{what}: \"States.ALL\" must appear alone in ErrorEquals"),
        );
    }
    for (index, error) in errors.iter().enumerate() {
        if error.is_empty() {
            sink.error(
                codes::SCHEMA,
                &format!("{}/{index}", at()),
                format!("{what}: error names must not be empty"),
            );
        }
    }
    has_all
}

fn check_unknown_members(
    sink: &mut Sink<'_>,
    extras: &Map<String, Value>,
    known: &[&str],
    pointer: &str,
    what: &str,
) {
    for (key, value) in extras {
        let member = super::child(pointer, key);
        if known.contains(&key.as_str()) {
            if key == "ErrorEquals" || is_placeholder_value(value) {
                continue;
            }
            sink.error(
                codes::SCHEMA,
                &member,
                format!(
                    "{what}: field \"{key}\" has the wrong type ({})",
                    kind_of(value)
                ),
            );
        } else {
            sink.error(
                codes::SCHEMA,
                &member,
                format!("{what}: field \"{key}\" is not allowed"),
            );
        }
    }
}

/// Where a Retry or Catch entry stands: `field` (`Retry` or `Catch`), what one entry is called in
/// messages, its position and how many entries the list has.
struct EntryPlace {
    field: &'static str,
    noun: &'static str,
    index: usize,
    count: usize,
}

impl EntryPlace {
    /// Checks the entry's ErrorEquals, and that one with `States.ALL` comes last; returns the
    /// entry's pointer and how messages name it.
    fn check_error_equals(
        &self,
        sink: &mut Sink<'_>,
        ctx: &StateCtx<'_>,
        errors: Option<&Vec<String>>,
        raw: Option<&Value>,
    ) -> (String, String) {
        let Self {
            field,
            noun,
            index,
            count,
        } = *self;
        let pointer = format!("{}/{field}/{index}", ctx.pointer);
        let what = format!("{field}[{index}] of state \"{}\"", ctx.name);
        let has_all = check_error_equals(sink, errors, raw, &pointer, &what);
        if has_all && index + 1 != count {
            sink.error(
                codes::SCHEMA,
                &format!("{pointer}/ErrorEquals"),
                format!("{what}: a {noun} with \"States.ALL\" must be the last one"),
            );
        }
        (pointer, what)
    }
}

fn check_retry(sink: &mut Sink<'_>, retry: &[Retrier], ctx: &StateCtx<'_>) {
    let count = retry.len();
    for (index, retrier) in retry.iter().enumerate() {
        let place = EntryPlace {
            field: "Retry",
            noun: "retrier",
            index,
            count,
        };
        let (pointer, what) = place.check_error_equals(
            sink,
            ctx,
            retrier.error_equals.as_ref(),
            retrier.extras.get("ErrorEquals"),
        );
        let fields = [
            (
                "IntervalSeconds",
                &retrier.interval_seconds,
                NumberRule {
                    integer: true,
                    min: 1.0,
                    max: Some(MAX_SECONDS),
                },
            ),
            (
                "MaxAttempts",
                &retrier.max_attempts,
                NumberRule {
                    integer: true,
                    min: 0.0,
                    max: Some(MAX_SECONDS),
                },
            ),
            (
                "BackoffRate",
                &retrier.backoff_rate,
                NumberRule {
                    integer: false,
                    min: 1.0,
                    max: None,
                },
            ),
            (
                "MaxDelaySeconds",
                &retrier.max_delay_seconds,
                NumberRule {
                    integer: true,
                    min: 1.0,
                    max: Some(31_622_400.0),
                },
            ),
        ];
        check_number_fields(
            sink,
            &fields,
            ctx.jsonata(),
            |field| format!("{pointer}/{field}"),
            |field| format!("{what}: {field}"),
        );
        if let Some(jitter) = &retrier.jitter_strategy
            && jitter != "FULL"
            && jitter != "NONE"
            && !has_placeholder(jitter)
        {
            sink.error(
                    codes::SCHEMA,
                    &format!("{pointer}/JitterStrategy"),
                    format!("{what}: JitterStrategy is \"{jitter}\", not one of the allowed values [\"FULL\", \"NONE\"]"),
                );
        }
        check_unknown_members(
            sink,
            &retrier.extras.unknown,
            &[
                "ErrorEquals",
                "IntervalSeconds",
                "MaxAttempts",
                "BackoffRate",
                "MaxDelaySeconds",
                "JitterStrategy",
                "Comment",
            ],
            &pointer,
            &what,
        );
    }
}

fn check_catch(
    sink: &mut Sink<'_>,
    catch: &[Catcher],
    ctx: &StateCtx<'_>,
    targets: &Targets<'_, '_>,
) {
    let count = catch.len();
    for (index, catcher) in catch.iter().enumerate() {
        let place = EntryPlace {
            field: "Catch",
            noun: "catcher",
            index,
            count,
        };
        let (pointer, what) = place.check_error_equals(
            sink,
            ctx,
            catcher.error_equals.as_ref(),
            catcher.extras.get("ErrorEquals"),
        );
        match &catcher.next {
            Some(next) => targets.check(
                sink,
                next,
                || format!("{pointer}/Next"),
                || format!("Catch[{index}].Next"),
            ),
            None if catcher.extras.contains("Next") => {}
            None => sink.error(
                codes::SCHEMA,
                &pointer,
                format!("{what} does not have the required field \"Next\""),
            ),
        }
        if let Some(NullablePath::Path(text)) = &catcher.result_path {
            if ctx.jsonata() {
                sink.error(
                    codes::SCHEMA,
                    &format!("{pointer}/ResultPath"),
                    format!("{what}: ResultPath belongs to JSONPath states; this state uses JSONata (use \"Output\")"),
                );
            } else if let Some(problem) = path_problem(text, PathKind::Result) {
                sink.error(
                    codes::SCHEMA,
                    &format!("{pointer}/ResultPath"),
                    format!("{what}: ResultPath \"{text}\" {problem}"),
                );
            }
        }
        if let Some(output) = &catcher.output {
            if ctx.jsonata() {
                check_jsonata_tree(sink, output, &format!("{pointer}/Output"), &|| {
                    format!("{what}: Output")
                });
            } else {
                sink.error(
                    codes::SCHEMA,
                    &format!("{pointer}/Output"),
                    format!("{what}: Output belongs to JSONata states; this state uses JSONPath (use \"ResultPath\")"),
                );
            }
        }
        if let Some(assign) = &catcher.assign {
            check_assign(
                sink,
                assign,
                &format!("{pointer}/Assign"),
                ctx.jsonata(),
                ctx.name,
            );
        }
        check_unknown_members(
            sink,
            &catcher.extras.unknown,
            &[
                "ErrorEquals",
                "Next",
                "ResultPath",
                "Output",
                "Assign",
                "Comment",
            ],
            &pointer,
            &what,
        );
    }
}

fn check_task(
    sink: &mut Sink<'_>,
    state: &State,
    task: &crate::state::TaskState,
    ctx: &StateCtx<'_>,
) {
    let name = ctx.name;
    match &task.resource {
        Some(resource) => {
            if let Some(problem) = values::resource_problem(resource) {
                sink.error(
                    codes::INVALID_RESOURCE,
                    &ctx.at("Resource"),
                    format!("Resource \"{resource}\" of state \"{name}\" {problem}"),
                );
            }
        }
        None if state.extras.contains("Resource") => {}
        None => sink.error(
            codes::SCHEMA,
            ctx.pointer,
            format!("Task state \"{name}\" does not have the required field \"Resource\""),
        ),
    }
    if task.timeout_seconds.is_some() && task.timeout_seconds_path.is_some() {
        sink.error(
            codes::TASK_TIMEOUT,
            &ctx.at("TimeoutSecondsPath"),
            format!(
                "State \"{name}\" may have only one of \"TimeoutSeconds\", \"TimeoutSecondsPath\""
            ),
        );
    }
    if task.heartbeat_seconds.is_some() && task.heartbeat_seconds_path.is_some() {
        sink.error(
            codes::TASK_HEARTBEAT,
            &ctx.at("HeartbeatSecondsPath"),
            format!("State \"{name}\" may have only one of \"HeartbeatSeconds\", \"HeartbeatSecondsPath\""),
        );
    }
    let rule = NumberRule {
        integer: true,
        min: 1.0,
        max: Some(MAX_SECONDS),
    };
    if let Some(timeout) = &task.timeout_seconds {
        check_number(
            sink,
            timeout,
            rule,
            ctx.jsonata(),
            || ctx.at("TimeoutSeconds"),
            || format!("TimeoutSeconds of state \"{name}\""),
        );
    }
    if let Some(heartbeat) = &task.heartbeat_seconds {
        check_number(
            sink,
            heartbeat,
            rule,
            ctx.jsonata(),
            || ctx.at("HeartbeatSeconds"),
            || format!("HeartbeatSeconds of state \"{name}\""),
        );
        let timeout = task
            .timeout_seconds
            .as_ref()
            .and_then(crate::NumberOr::as_f64);
        if let (Some(h), Some(t)) = (heartbeat.as_f64(), timeout)
            && h >= t
        {
            sink.error(
                    codes::TASK_HEARTBEAT,
                    &ctx.at("HeartbeatSeconds"),
                    format!("HeartbeatSeconds ({h}) of state \"{name}\" must be smaller than TimeoutSeconds ({t})"),
                );
        }
    }
    for (field, value) in [
        ("TimeoutSecondsPath", &task.timeout_seconds_path),
        ("HeartbeatSecondsPath", &task.heartbeat_seconds_path),
    ] {
        reference_path_field(sink, ctx, field, value.as_deref());
    }
    if let Some(credentials) = &task.credentials {
        check_credentials(sink, credentials, ctx);
    }
    if task
        .resource
        .as_deref()
        .is_some_and(distributed::is_http_task)
    {
        let (field, arguments) = if ctx.jsonata() {
            ("Arguments", state.arguments.as_ref())
        } else {
            ("Parameters", state.parameters.as_ref())
        };
        distributed::check_http_task(sink, arguments, field, ctx);
    }
}

fn reference_path_field(sink: &mut Sink<'_>, ctx: &StateCtx<'_>, field: &str, value: Option<&str>) {
    if let Some(text) = value
        && ctx.allows(field)
        && let Some(problem) = path_problem(text, PathKind::Reference)
    {
        sink.error(
            codes::SCHEMA,
            &ctx.at(field),
            format!("{field} \"{text}\" of state \"{}\" {problem}", ctx.name),
        );
    }
}

fn check_credentials(sink: &mut Sink<'_>, credentials: &Value, ctx: &StateCtx<'_>) {
    let pointer = ctx.at("Credentials");
    let name = ctx.name;
    let Some(map) = credentials.as_object() else {
        let expression = ctx.jsonata() && credentials.as_str().is_some_and(values::is_jsonata);
        if !(is_placeholder_value(credentials) || expression) {
            sink.error(
                codes::SCHEMA,
                &pointer,
                format!(
                    "Credentials of state \"{name}\" must be an object with \"RoleArn\", found {}",
                    kind_of(credentials)
                ),
            );
        }
        return;
    };
    // AWS answers "The field 'RoleArn' is required" for JSONata states (recorded); the JSONPath
    // fixtures of statelint and asl-validator accept any payload template, so there it is a warning.
    let has_role = map.contains_key("RoleArn") || (!ctx.jsonata() && map.contains_key("RoleArn.$"));
    if !has_role {
        let message = format!(
            "The field 'RoleArn' is required but was missing in the Credentials of state \"{name}\""
        );
        if ctx.jsonata() {
            sink.error(codes::SCHEMA, &pointer, message);
        } else {
            sink.warning(codes::SCHEMA, &pointer, message);
        }
    }
    if ctx.jsonata() {
        check_jsonata_tree(sink, credentials, &pointer, &|| {
            format!("Credentials of state \"{name}\"")
        });
    } else {
        check_payload(sink, credentials, &|| pointer.clone(), &|| {
            format!("Credentials of state \"{name}\"")
        });
    }
}

fn check_wait(sink: &mut Sink<'_>, wait: &crate::state::WaitState, ctx: &StateCtx<'_>) {
    let name = ctx.name;
    let present: Vec<&str> = [
        ("Seconds", wait.seconds.is_some()),
        ("SecondsPath", wait.seconds_path.is_some()),
        ("Timestamp", wait.timestamp.is_some()),
        ("TimestampPath", wait.timestamp_path.is_some()),
    ]
    .into_iter()
    .filter_map(|(field, set)| set.then_some(field))
    .collect();
    if present.len() != 1 {
        let pointer = match present.get(1) {
            Some(second) => ctx.at(second),
            None => ctx.pointer.to_owned(),
        };
        sink.error(
            codes::WAIT_DURATION,
            &pointer,
            format!("Wait state \"{name}\" must contain exactly one of \"Seconds\", \"SecondsPath\", \"Timestamp\", \"TimestampPath\""),
        );
    }
    if let Some(seconds) = &wait.seconds {
        check_number(
            sink,
            seconds,
            NumberRule {
                integer: true,
                min: 0.0,
                max: Some(MAX_SECONDS),
            },
            ctx.jsonata(),
            || ctx.at("Seconds"),
            || format!("Seconds of state \"{name}\""),
        );
    }
    if let Some(timestamp) = &wait.timestamp {
        let ok = has_placeholder(timestamp)
            || values::is_timestamp(timestamp)
            || (ctx.jsonata() && values::is_jsonata(timestamp));
        if ctx.jsonata() && values::is_jsonata(timestamp) {
            check_jsonata_tree(
                sink,
                &Value::String(timestamp.clone()),
                &ctx.at("Timestamp"),
                &|| format!("Timestamp of state \"{name}\""),
            );
        } else if !ok {
            sink.error(
                codes::SCHEMA,
                &ctx.at("Timestamp"),
                format!("Timestamp \"{timestamp}\" of state \"{name}\" is not an ISO-8601 timestamp such as 2016-03-14T01:59:00Z"),
            );
        }
    }
    reference_path_field(sink, ctx, "SecondsPath", wait.seconds_path.as_deref());
    reference_path_field(sink, ctx, "TimestampPath", wait.timestamp_path.as_deref());
}

fn check_fail(sink: &mut Sink<'_>, fail: &crate::state::FailState, ctx: &StateCtx<'_>) {
    let name = ctx.name;
    if fail.error.is_some() && fail.error_path.is_some() {
        sink.error(
            codes::FAIL_ERROR,
            &ctx.at("ErrorPath"),
            format!("State \"{name}\" may have only one of \"Error\", \"ErrorPath\""),
        );
    }
    if fail.cause.is_some() && fail.cause_path.is_some() {
        sink.error(
            codes::FAIL_CAUSE,
            &ctx.at("CausePath"),
            format!("State \"{name}\" may have only one of \"Cause\", \"CausePath\""),
        );
    }
    for (field, value) in [
        ("ErrorPath", &fail.error_path),
        ("CausePath", &fail.cause_path),
    ] {
        if let (Some(text), true) = (value, ctx.allows(field)) {
            let problem = if intrinsic::looks_like_intrinsic(text) {
                values::dollar_value_problem(text)
            } else {
                path_problem(text, PathKind::Reference)
            };
            if let Some(problem) = problem {
                sink.error(
                    codes::SCHEMA,
                    &ctx.at(field),
                    format!("{field} \"{text}\" of state \"{name}\" {problem}"),
                );
            }
        }
    }
    if !ctx.jsonata() {
        for (field, value) in [("Error", &fail.error), ("Cause", &fail.cause)] {
            if let Some(text) = value
                && values::looks_dynamic(text)
            {
                sink.warning(
                    codes::NO_PATH,
                    &ctx.at(field),
                    format!(
                        "{field} \"{text}\" of state \"{name}\" looks like a path but is used as a literal; use \"{field}Path\" to evaluate it"
                    ),
                );
            }
        }
    }
    if ctx.jsonata() {
        for (field, value) in [("Error", &fail.error), ("Cause", &fail.cause)] {
            if let Some(text) = value {
                check_jsonata_tree(sink, &Value::String(text.clone()), &ctx.at(field), &|| {
                    format!("{field} of state \"{name}\"")
                });
            }
        }
    }
}

fn check_map(sink: &mut Sink<'_>, state: &State, map: &crate::state::MapState, ctx: &StateCtx<'_>) {
    let name = ctx.name;
    let extras = &state.extras;
    if map.processor.is_none() {
        if !extras.contains("ItemProcessor") && !extras.contains("Iterator") {
            sink.error(
                codes::MAP_ITEM_PROCESSOR,
                ctx.pointer,
                format!("Map state \"{name}\" must contain exactly one of \"ItemProcessor\", \"Iterator\""),
            );
        }
    } else if extras.get("Iterator").is_some_and(Value::is_object) {
        sink.error(
            codes::MAP_ITEM_PROCESSOR,
            &ctx.at("Iterator"),
            format!(
                "Map state \"{name}\" must contain exactly one of \"ItemProcessor\", \"Iterator\""
            ),
        );
    }
    let pairs = [
        (
            map.item_selector.is_some() && state.parameters.is_some(),
            codes::MAP_ITEM_SELECTOR,
            "ItemSelector",
            "Parameters",
        ),
        (
            map.items.is_some() && map.items_path.is_some(),
            codes::MAP_ITEMS,
            "Items",
            "ItemsPath",
        ),
        (
            map.max_concurrency.is_some() && map.max_concurrency_path.is_some(),
            codes::MAP_MAX_CONCURRENCY,
            "MaxConcurrency",
            "MaxConcurrencyPath",
        ),
        (
            map.tolerated_failure_count.is_some() && map.tolerated_failure_count_path.is_some(),
            codes::MAP_TOLERATED_FAILURE,
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
        ),
        (
            map.tolerated_failure_percentage.is_some()
                && map.tolerated_failure_percentage_path.is_some(),
            codes::MAP_TOLERATED_FAILURE,
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
        ),
    ];
    for (both, code, first, second) in pairs {
        if both {
            sink.error(
                code,
                &ctx.at(second),
                format!("State \"{name}\" may have only one of \"{first}\", \"{second}\""),
            );
        }
    }
    match &map.items_path {
        Some(NullablePath::Null) if ctx.allows("ItemsPath") => sink.error(
            codes::SCHEMA,
            &ctx.at("ItemsPath"),
            format!("ItemsPath of Map state \"{name}\" must be a reference path, not null"),
        ),
        Some(NullablePath::Path(text)) => reference_path_field(sink, ctx, "ItemsPath", Some(text)),
        _ => {}
    }
    if let Some(items) = &map.items
        && ctx.allows("Items")
    {
        match items {
            Value::String(_) | Value::Array(_) => {
                check_jsonata_tree(sink, items, &ctx.at("Items"), &|| {
                    format!("Items of state \"{name}\"")
                });
            }
            other => sink.error(
                codes::SCHEMA,
                &ctx.at("Items"),
                format!(
                    "Items of state \"{name}\" must be an array or a JSONata expression, found {}",
                    kind_of(other)
                ),
            ),
        }
    }
    if let Some(selector) = &map.item_selector {
        if ctx.jsonata() {
            check_jsonata_tree(sink, selector, &ctx.at("ItemSelector"), &|| {
                format!("ItemSelector of state \"{name}\"")
            });
        } else {
            check_payload(sink, selector, &|| ctx.at("ItemSelector"), &|| {
                format!("ItemSelector of state \"{name}\"")
            });
        }
    }
    let count = NumberRule {
        integer: true,
        min: 0.0,
        max: None,
    };
    let numbers = [
        ("MaxConcurrency", &map.max_concurrency, count),
        ("ToleratedFailureCount", &map.tolerated_failure_count, count),
        (
            "ToleratedFailurePercentage",
            &map.tolerated_failure_percentage,
            NumberRule {
                integer: false,
                min: 0.0,
                max: Some(100.0),
            },
        ),
    ];
    check_number_fields(
        sink,
        &numbers,
        ctx.jsonata(),
        |field| ctx.at(field),
        |field| format!("{field} of state \"{name}\""),
    );
    for (field, value) in map.number_paths() {
        reference_path_field(sink, ctx, field, value);
    }
    if let Some(reader) = &map.item_reader {
        check_resource_object(
            sink,
            reader,
            ctx,
            "ItemReader",
            &[("ReaderConfig", "MaxItems", codes::MAP_ITEMREADER_MAXITEM)],
        );
        distributed::check_reader_config(sink, reader, ctx);
    }
    if let Some(label) = &map.label {
        distributed::check_label(sink, label, ctx);
    }
    if let Some(batcher) = &map.item_batcher {
        check_batcher(sink, batcher, ctx);
    }
    if let Some(writer) = &map.result_writer {
        check_resource_object(sink, writer, ctx, "ResultWriter", &[]);
        distributed::check_writer_config(sink, writer, ctx);
    }
}

/// ItemReader / ResultWriter: an object whose Parameters (JSONPath) or Arguments (JSONata) are
/// templates, and whose config may pair a limit with its `Path` twin.
fn check_resource_object(
    sink: &mut Sink<'_>,
    value: &Value,
    ctx: &StateCtx<'_>,
    field: &str,
    exclusive: &[(&str, &str, &str)],
) {
    let pointer = ctx.at(field);
    let name = ctx.name;
    let Some(object) = value.as_object() else {
        sink.error(
            codes::SCHEMA,
            &pointer,
            format!(
                "{field} of state \"{name}\" must be an object, found {}",
                kind_of(value)
            ),
        );
        return;
    };
    if let Some(resource) = object.get("Resource") {
        match resource.as_str() {
            Some(text) => {
                if let Some(problem) = values::resource_problem(text) {
                    sink.error(
                        codes::INVALID_RESOURCE,
                        &format!("{pointer}/Resource"),
                        format!("{field}.Resource \"{text}\" of state \"{name}\" {problem}"),
                    );
                }
            }
            None => sink.error(
                codes::SCHEMA,
                &format!("{pointer}/Resource"),
                format!("{field}.Resource of state \"{name}\" must be a string"),
            ),
        }
    }
    if let Some(parameters) = object.get("Parameters") {
        check_payload(
            sink,
            parameters,
            &|| format!("{pointer}/Parameters"),
            &|| format!("{field}.Parameters of state \"{name}\""),
        );
    }
    if let Some(arguments) = object.get("Arguments") {
        check_jsonata_tree(sink, arguments, &format!("{pointer}/Arguments"), &|| {
            format!("{field}.Arguments of state \"{name}\"")
        });
    }
    for (config, limit, code) in exclusive {
        let Some(settings) = object.get(*config).and_then(Value::as_object) else {
            continue;
        };
        let twin = format!("{limit}Path");
        if settings.contains_key(*limit) && settings.contains_key(&twin) {
            sink.error(
                code,
                &format!("{pointer}/{config}/{twin}"),
                format!("State \"{name}\" MUST contain at most one of \"{limit}\", \"{twin}\" in {field}.{config}"),
            );
        }
    }
}

fn check_batcher(sink: &mut Sink<'_>, batcher: &Value, ctx: &StateCtx<'_>) {
    let pointer = ctx.at("ItemBatcher");
    let name = ctx.name;
    let Some(object) = batcher.as_object() else {
        sink.error(
            codes::SCHEMA,
            &pointer,
            format!(
                "ItemBatcher of state \"{name}\" must be an object, found {}",
                kind_of(batcher)
            ),
        );
        return;
    };
    for limit in ["MaxItemsPerBatch", "MaxInputBytesPerBatch"] {
        let twin = format!("{limit}Path");
        if object.contains_key(limit) && object.contains_key(&twin) {
            sink.error(
                codes::MAP_ITEM_BATCHER,
                &format!("{pointer}/{twin}"),
                format!(
                    "State \"{name}\" may have only one of \"{limit}\", \"{twin}\" in ItemBatcher"
                ),
            );
        }
    }
    if let Some(input) = object.get("BatchInput") {
        if ctx.jsonata() {
            check_jsonata_tree(sink, input, &format!("{pointer}/BatchInput"), &|| {
                format!("ItemBatcher.BatchInput of state \"{name}\"")
            });
        } else {
            check_payload(sink, input, &|| format!("{pointer}/BatchInput"), &|| {
                format!("ItemBatcher.BatchInput of state \"{name}\"")
            });
        }
    }
}

/// Warns about `.$` keys in a Pass state's `Result`, which AWS never evaluates.
fn check_static_result(sink: &mut Sink<'_>, result: &Value, pointer: &str, name: &str) {
    match result {
        Value::Object(map) => {
            for (key, item) in map {
                if key.ends_with(".$") {
                    sink.warning(
                        codes::PASS_RESULT_IS_STATIC,
                        &super::child(pointer, key),
                        format!(
                            "Result of Pass state \"{name}\" is static: '{key}' is not evaluated (use Parameters to select from the input)"
                        ),
                    );
                } else if item.is_object() || item.is_array() {
                    check_static_result(sink, item, &super::child(pointer, key), name);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                if item.is_object() || item.is_array() {
                    check_static_result(sink, item, &format!("{pointer}/{index}"), name);
                }
            }
        }
        _ => {}
    }
}
