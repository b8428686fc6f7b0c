//! Invoking a Task: its mocked result, its history events (Lambda's own family), TimeoutSeconds and
//! HeartbeatSeconds.

use std::borrow::Cow;

use serde_json::{Map, Value, json};

use crate::error::{Raised, Severity};
use crate::expr::JsonataScope;
use crate::mocks::{CallRef, MockResponse};
use crate::path::Found;
use crate::plan::{Dynamic, State};
use crate::template::{Scope, compact};

use super::Execution;
use super::events::detail;
use super::payload::{data_limit, longer_than, might_exceed};
use super::state::{raw_text, resolve_dynamic};

impl Execution {
    /// Invokes a Task: its mocked result, borrowed from the options and copied only by a caller
    /// that keeps it.
    pub(super) fn invoke_task(
        &self,
        depth: usize,
        state: &State,
        resource: &str,
        arguments: &Value,
        limits: TaskLimits,
    ) -> Result<Cow<'_, Value>, Raised> {
        enum Reply<'a> {
            Return(Cow<'a, Value>),
            Throw(&'a str, &'a str),
        }
        // A plain mock result is the same for every invocation: no need to count them.
        let plain = self.options.mocks.plain_result(&state.name);
        let invocation = if plain.is_some() {
            0
        } else {
            let mut invocations = self.invocations.borrow_mut();
            match invocations.get_mut(&state.name) {
                Some(counter) => {
                    *counter += 1;
                    *counter - 1
                }
                None => {
                    invocations.insert(state.name.clone(), 1);
                    0
                }
            }
        };
        if plain.is_none() && self.inside_container(depth) {
            // Taken back if the container fails before this call would have been made.
            self.log
                .borrow_mut()
                .note_call(self.clock_millis.get(), &state.name);
        }
        let lambda_arn = resource.starts_with("arn:aws:lambda:");
        let events = if lambda_arn {
            TaskEvents::LAMBDA
        } else {
            TaskEvents::TASK
        };
        self.emit(depth, events.scheduled, || {
            let mut body = Map::new();
            body.insert("resource".to_owned(), json!(resource));
            if lambda_arn {
                self.put_payload(&mut body, "input", arguments);
            } else {
                body.insert("region".to_owned(), json!(self.options.region));
                self.put_payload(&mut body, "parameters", arguments);
            }
            if let Some(seconds) = limits.timeout_seconds {
                body.insert("timeoutInSeconds".to_owned(), json!(seconds));
            }
            if let Some(seconds) = limits.heartbeat_seconds {
                body.insert("heartbeatInSeconds".to_owned(), json!(seconds));
            }
            detail(events.scheduled_details, Value::Object(body))
        });
        self.emit(depth, events.started, Map::new);
        let call = match plain {
            Some(result) => Some(CallRef::Plain(result)),
            None => self.options.mocks.call_ref(&state.name, invocation),
        };
        let (reply, duration_seconds) = match call {
            Some(CallRef::Plain(result)) => (Reply::Return(Cow::Borrowed(result)), 0.0),
            Some(CallRef::Sequenced(call)) => (
                match &call.response {
                    MockResponse::Return(result) => Reply::Return(Cow::Borrowed(result)),
                    MockResponse::Throw { error, cause } => Reply::Throw(error, cause),
                },
                call.duration_seconds,
            ),
            None if self.options.pass_through => {
                (Reply::Return(Cow::Owned(arguments.clone())), 0.0)
            }
            None => {
                let cause = format!(
                    "No mock result for Task state '{}' (resource '{resource}'): give one in the mocks, or allow pass-through.",
                    state.name
                );
                self.emit(depth, events.failed, || {
                    detail(
                        events.failed_details,
                        json!({"error": "States.Runtime", "cause": cause}),
                    )
                });
                return Err(Raised {
                    error: Some("States.Runtime".to_owned()),
                    cause: Some(cause),
                    severity: Severity::Fatal,
                    located: false,
                });
            }
        };
        // The task runs on the virtual clock: it returns after its duration unless its own
        // TimeoutSeconds, or a HeartbeatSeconds (mocks never beat), passes first.
        let duration = seconds_as_millis(duration_seconds);
        let limit = [limits.timeout_seconds, limits.heartbeat_seconds]
            .into_iter()
            .flatten()
            .map(|seconds| i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX))
            .min();
        let timed_out = limit.is_some_and(|limit| duration > limit);
        let elapsed = match limit {
            Some(limit) if timed_out => limit,
            _ => duration,
        };
        let finished_at = self.clock_millis.get().saturating_add(elapsed);
        if let Some(deadline) = self.deadline_millis()
            && finished_at > deadline
        {
            self.clock_millis.set(deadline);
            return Err(Raised {
                error: Some("States.Timeout".to_owned()),
                cause: None,
                severity: Severity::ExecutionTimeout,
                located: false,
            });
        }
        self.clock_millis.set(finished_at);
        if timed_out {
            self.emit(depth, events.timed_out, || {
                let mut body = Map::new();
                body.insert("error".to_owned(), json!("States.Timeout"));
                if !lambda_arn {
                    let (resource_type, action) = resource_parts(resource);
                    body.insert("resourceType".to_owned(), json!(resource_type));
                    body.insert("resource".to_owned(), json!(action));
                }
                detail(events.timed_out_details, Value::Object(body))
            });
            return Err(Raised::plain(Some("States.Timeout".to_owned()), None));
        }
        match reply {
            Reply::Return(result) => {
                if might_exceed(&result, self.options.max_payload_bytes)
                    && longer_than(&result, self.options.max_payload_bytes)
                {
                    return Err(data_limit(&state.name));
                }
                self.emit(depth, events.succeeded, || {
                    let mut body = Map::new();
                    self.put_payload(&mut body, "output", &result);
                    detail(events.succeeded_details, Value::Object(body))
                });
                Ok(result)
            }
            Reply::Throw(error, cause) => {
                self.emit(depth, events.failed, || {
                    detail(
                        events.failed_details,
                        json!({"error": error, "cause": cause}),
                    )
                });
                Err(Raised::plain(
                    Some(error.to_owned()),
                    Some(cause.to_owned()),
                ))
            }
        }
    }
}

/// History event names of a Task: Lambda function ARNs get their own family.
pub(super) struct TaskEvents {
    pub(super) scheduled: &'static str,
    pub(super) scheduled_details: &'static str,
    pub(super) started: &'static str,
    pub(super) succeeded: &'static str,
    pub(super) succeeded_details: &'static str,
    pub(super) failed: &'static str,
    pub(super) failed_details: &'static str,
    pub(super) timed_out: &'static str,
    pub(super) timed_out_details: &'static str,
}

impl TaskEvents {
    const TASK: Self = Self {
        scheduled: "TaskScheduled",
        scheduled_details: "taskScheduledEventDetails",
        started: "TaskStarted",
        succeeded: "TaskSucceeded",
        succeeded_details: "taskSucceededEventDetails",
        failed: "TaskFailed",
        failed_details: "taskFailedEventDetails",
        timed_out: "TaskTimedOut",
        timed_out_details: "taskTimedOutEventDetails",
    };
    const LAMBDA: Self = Self {
        scheduled: "LambdaFunctionScheduled",
        scheduled_details: "lambdaFunctionScheduledEventDetails",
        started: "LambdaFunctionStarted",
        succeeded: "LambdaFunctionSucceeded",
        succeeded_details: "lambdaFunctionSucceededEventDetails",
        failed: "LambdaFunctionFailed",
        failed_details: "lambdaFunctionFailedEventDetails",
        timed_out: "LambdaFunctionTimedOut",
        timed_out_details: "lambdaFunctionTimedOutEventDetails",
    };
}

/// A Task's `TimeoutSeconds` and `HeartbeatSeconds` once resolved (None: not set).
#[derive(Clone, Copy, Default)]
pub(super) struct TaskLimits {
    pub(super) timeout_seconds: Option<u64>,
    pub(super) heartbeat_seconds: Option<u64>,
}

/// Resolves a Task's timeouts: literals, `...Path` references (JSONPath) or `{% %}` expressions
/// (JSONata). A resolved value must be a positive integer.
pub(super) fn task_limits(
    timeout: Option<&Dynamic>,
    heartbeat: Option<&Dynamic>,
    scope: &Scope<'_>,
    jsonata: Option<&JsonataScope<'_>>,
) -> Result<TaskLimits, Raised> {
    let mut resolved = [None, None];
    for (slot, (field, path_field, dynamic)) in resolved.iter_mut().zip([
        ("TimeoutSeconds", "TimeoutSecondsPath", timeout),
        ("HeartbeatSeconds", "HeartbeatSecondsPath", heartbeat),
    ]) {
        *slot = match dynamic {
            None => None,
            Some(Dynamic::Literal(value)) => value.as_f64().map(|seconds| seconds.max(0.0) as u64),
            Some(Dynamic::Path { text, path }) => {
                let value = scope
                    .lookup(path)
                    .map(Found::into_owned)
                    .map_err(|missing| {
                        Raised::runtime(format!("Invalid path '{text}' : {}", missing.message))
                    })?;
                match value.as_u64().filter(|seconds| *seconds > 0) {
                    Some(seconds) => Some(seconds),
                    None => {
                        return Err(Raised::runtime(format!(
                            "The {path_field} field refers to value \"{}\" which is not a valid positive integer: {text}",
                            raw_text(&value)
                        )));
                    }
                }
            }
            Some(dynamic @ Dynamic::Jsonata(_)) => {
                let value = resolve_dynamic(dynamic, field, scope, jsonata)?;
                match value.as_u64().filter(|seconds| *seconds > 0) {
                    Some(seconds) => Some(seconds),
                    None => {
                        return Err(Raised::located(
                            "States.QueryEvaluationError",
                            format!(
                                "The JSONata expression specified for the field '{field}' returned an unexpected result type. Expected 'integer', but was '{}' for value: {}",
                                crate::intrinsics::kind_name(&value),
                                compact(&value)
                            ),
                        ));
                    }
                }
            }
        };
    }
    let [timeout_seconds, heartbeat_seconds] = resolved;
    Ok(TaskLimits {
        timeout_seconds,
        heartbeat_seconds,
    })
}

/// `arn:aws:states:::lambda:invoke` -> (`lambda`, `invoke`), as AWS names a Task's resource in events.
pub(super) fn resource_parts(resource: &str) -> (&str, &str) {
    let service = resource
        .strip_prefix("arn:aws:states:::")
        .unwrap_or(resource);
    service.rsplit_once(':').unwrap_or(("", service))
}

pub(super) fn seconds_as_millis(seconds: f64) -> i64 {
    (seconds * 1000.0).round() as i64
}
