//! Warnings: definitions AWS accepts that are very likely mistakes or miss a recommended practice.
//! Each names its state and field; [`crate::quick_fix`] offers an edit for the ones with an
//! obvious fix. They run after the error checks, over the whole document.

mod facts;
mod vars;

use super::{codes, state_pointer};
use crate::diagnostic::Diagnostic;
use crate::machine::StateMachine;
use crate::state::{Retrier, State, StateKind, TaskState};

/// The errors AWS recommends every Lambda invoke retries (Step Functions developer guide, "Handling
/// transient Lambda service exceptions").
pub const LAMBDA_TRANSIENT_ERRORS: [&str; 4] = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
];

/// Every warning of the document, appended to `out`.
pub(crate) fn lint(root: &StateMachine, out: &mut Vec<Diagnostic>) {
    practice(root, "", out);
    if uses_variables_or_jsonata(root) {
        vars::check(root, out);
    }
}

/// Whether any state assigns variables or uses JSONata: without either, the variable rules have
/// nothing to find (and validation runs on every edit).
fn uses_variables_or_jsonata(machine: &StateMachine) -> bool {
    machine.query_language == Some(crate::QueryLanguage::Jsonata)
        || machine.states().any(|state| {
            state.assign.is_some()
                || state.query_language == Some(crate::QueryLanguage::Jsonata)
                || state.catch.iter().flatten().any(|c| c.assign.is_some())
                || matches!(&state.kind, StateKind::Choice(choice)
                    if choice.choices.iter().flatten().any(|r| r.assign.is_some()))
                || state.children().into_iter().any(uses_variables_or_jsonata)
        })
}

fn practice(machine: &StateMachine, pointer: &str, out: &mut Vec<Diagnostic>) {
    for state in machine.states() {
        let at = state_pointer(pointer, &state.name);
        match &state.kind {
            StateKind::Task(task) => {
                lambda_retry(state, task, &at, out);
                task_token_timeout(state, task, &at, out);
            }
            StateKind::Map(map) if map.is_distributed() => {
                distributed_map(state, map, &at, out);
            }
            _ => {}
        }
        match &state.kind {
            StateKind::Parallel(parallel) => {
                for (index, branch) in parallel.branches.iter().flatten().enumerate() {
                    practice(branch, &format!("{at}/Branches/{index}"), out);
                }
            }
            StateKind::Map(map) => {
                if let Some(processor) = &map.processor {
                    practice(
                        processor,
                        &format!("{at}/{}", map.processor_field.as_str()),
                        out,
                    );
                }
            }
            _ => {}
        }
    }
}

/// Whether a Task resource invokes a Lambda function: the optimized integration
/// (`arn:<partition>:states:::lambda:invoke`, with or without `.waitForTaskToken`) or a function
/// ARN given directly.
#[must_use]
pub fn is_lambda_invoke(resource: &str) -> bool {
    resource.contains(":states:::lambda:invoke")
        || (resource.starts_with("arn:")
            && resource.contains(":lambda:")
            && resource.contains(":function:"))
}

/// The transient Lambda errors none of the state's retriers retries.
#[must_use]
pub fn unretried_lambda_errors(retry: Option<&Vec<Retrier>>) -> Vec<&'static str> {
    let retries = |retrier: &Retrier, error: &str| {
        // `MaxAttempts: 0` lists the error but never retries it.
        let attempts = retrier
            .max_attempts
            .as_ref()
            .and_then(crate::NumberOr::as_f64)
            .is_none_or(|n| n > 0.0);
        attempts
            && retrier.error_equals.iter().flatten().any(|e| {
                // States.TaskFailed matches every error of a Task but States.Timeout.
                e == error || e == "States.ALL" || e == "States.TaskFailed"
            })
    };
    LAMBDA_TRANSIENT_ERRORS
        .into_iter()
        .filter(|error| !retry.into_iter().flatten().any(|r| retries(r, error)))
        .collect()
}

fn lambda_retry(state: &State, task: &TaskState, at: &str, out: &mut Vec<Diagnostic>) {
    let Some(resource) = &task.resource else {
        return;
    };
    if !is_lambda_invoke(resource) {
        return;
    }
    let missing = unretried_lambda_errors(state.retry.as_ref());
    if missing.is_empty() {
        return;
    }
    let pointer = if state.retry.is_some() {
        format!("{at}/Retry")
    } else {
        format!("{at}/Resource")
    };
    out.push(
        Diagnostic::warning(
            codes::LAMBDA_RETRY,
            pointer,
            format!(
                "Lambda invoke \"{}\" does not retry {}; AWS recommends a Retry for Lambda's transient errors",
                state.name,
                missing.join(", ")
            ),
        )
        .in_state(state.name.clone()),
    );
}

fn task_token_timeout(state: &State, task: &TaskState, at: &str, out: &mut Vec<Diagnostic>) {
    let waits = task
        .resource
        .as_deref()
        .is_some_and(|r| r.ends_with(".waitForTaskToken"));
    let bounded = task.timeout_seconds.is_some()
        || task.timeout_seconds_path.is_some()
        || task.heartbeat_seconds.is_some()
        || task.heartbeat_seconds_path.is_some();
    if waits && !bounded {
        out.push(
            Diagnostic::warning(
                codes::TASK_TOKEN_TIMEOUT,
                format!("{at}/Resource"),
                format!(
                    "Task \"{}\" waits for a task token with no HeartbeatSeconds or TimeoutSeconds: if the token is never returned, the execution waits until it times out itself (up to a year)",
                    state.name
                ),
            )
            .in_state(state.name.clone()),
        );
    }
}

fn distributed_map(state: &State, map: &crate::MapState, at: &str, out: &mut Vec<Diagnostic>) {
    let tolerates = map.tolerated_failure_count.is_some()
        || map.tolerated_failure_count_path.is_some()
        || map.tolerated_failure_percentage.is_some()
        || map.tolerated_failure_percentage_path.is_some();
    if !tolerates {
        out.push(
            Diagnostic::warning(
                codes::DISTRIBUTED_MAP_TOLERANCE,
                at.to_owned(),
                format!(
                    "Distributed Map \"{}\" has no ToleratedFailureCount or ToleratedFailurePercentage: one failed item fails the whole run",
                    state.name
                ),
            )
            .in_state(state.name.clone()),
        );
    }
    if map.max_concurrency.is_none() && map.max_concurrency_path.is_none() {
        out.push(
            Diagnostic::warning(
                codes::DISTRIBUTED_MAP_CONCURRENCY,
                at.to_owned(),
                format!(
                    "Distributed Map \"{}\" has no MaxConcurrency: up to 10,000 child executions run at once against whatever they call",
                    state.name
                ),
            )
            .in_state(state.name.clone()),
        );
    }
}
