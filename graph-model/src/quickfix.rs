//! Quick fixes: for a diagnostic with an obvious remedy, the edit that applies it, as a
//! [`Command`] (so the designer applies it through `Document::apply` with undo, and the language
//! server writes it back as text).

use serde_json::Number;

use crate::state::{State, StateKind};
use crate::validate::lint::unretried_lambda_errors;
use crate::{Command, Diagnostic, NumberOr, Retrier, StateMachine};

/// A fix offered for a diagnostic.
#[derive(Clone, Debug, PartialEq)]
pub struct QuickFix {
    /// What it does, for a menu ("Add a Retry for Lambda's transient errors").
    pub title: String,
    /// The edit.
    pub command: Command,
}

/// The TimeoutSeconds the fix for a `.waitForTaskToken` Task without one sets: an hour, a bound a
/// user is meant to adjust, rather than the year an execution may otherwise wait.
pub const TASK_TOKEN_TIMEOUT_SECONDS: i64 = 3600;

/// The fix for `diagnostic` on `root`, when it has an obvious one: `LAMBDA_RETRY` adds the
/// retrier AWS recommends (first, so a `States.ALL` retrier stays last), `TASK_TOKEN_TIMEOUT` adds
/// `TimeoutSeconds`, and a catcher for `States.ALL` that is not last moves to the end.
#[must_use]
pub fn quick_fix(root: &StateMachine, diagnostic: &Diagnostic) -> Option<QuickFix> {
    let pointed = root.state_at_pointer(&diagnostic.pointer)?;
    let state = root.machine_at(&pointed.machine)?.state(&pointed.name)?;
    match diagnostic.code.as_str() {
        "LAMBDA_RETRY" => {
            let missing = unretried_lambda_errors(state.retry.as_ref());
            if missing.is_empty() {
                return None;
            }
            Some(QuickFix {
                title: format!(
                    "Add a Retry for Lambda's transient errors to \"{}\"",
                    state.name
                ),
                command: Command::AddRetrier {
                    machine: pointed.machine,
                    name: pointed.name,
                    retrier: lambda_retrier(&missing),
                    index: Some(0),
                },
            })
        }
        "TASK_TOKEN_TIMEOUT" => {
            let StateKind::Task(task) = &state.kind else {
                return None;
            };
            if task.timeout_seconds.is_some() || task.timeout_seconds_path.is_some() {
                return None;
            }
            let mut fixed = state.clone();
            if let StateKind::Task(task) = &mut fixed.kind {
                task.timeout_seconds = Some(NumberOr::int(TASK_TOKEN_TIMEOUT_SECONDS));
            }
            Some(QuickFix {
                title: format!(
                    "Add \"TimeoutSeconds\": {TASK_TOKEN_TIMEOUT_SECONDS} to \"{}\"",
                    state.name
                ),
                command: Command::ReplaceState {
                    machine: pointed.machine,
                    name: pointed.name,
                    state: fixed,
                },
            })
        }
        "SCHEMA_VALIDATION_FAILED"
            if diagnostic
                .message
                .contains("\"States.ALL\" must be the last") =>
        {
            let fixed = catch_all_last(state)?;
            Some(QuickFix {
                title: format!(
                    "Move the States.ALL catcher of \"{}\" to the end",
                    state.name
                ),
                command: Command::ReplaceState {
                    machine: pointed.machine,
                    name: pointed.name,
                    state: fixed,
                },
            })
        }
        _ => None,
    }
}

/// The retrier AWS's console adds to a Lambda invoke, for the errors given.
fn lambda_retrier(errors: &[&str]) -> Retrier {
    let mut retrier = Retrier::for_errors(errors);
    retrier.interval_seconds = Some(NumberOr::int(1));
    retrier.max_attempts = Some(NumberOr::int(3));
    retrier.backoff_rate = Some(NumberOr::Number(Number::from(2)));
    retrier.jitter_strategy = Some("FULL".to_owned());
    retrier
}

/// The state with its catch-all catchers moved after the others, order otherwise kept; `None`
/// when they are already last. A catcher listed after a catch-all never runs, so moving the
/// catch-all keeps every catcher reachable.
fn catch_all_last(state: &State) -> Option<State> {
    let catchers = state.catch.as_ref()?;
    let is_all = |c: &crate::Catcher| c.error_equals.iter().flatten().any(|e| e == "States.ALL");
    let (all, others): (Vec<_>, Vec<_>) = catchers.iter().cloned().partition(is_all);
    let reordered: Vec<_> = others.into_iter().chain(all).collect();
    if &reordered == catchers {
        return None;
    }
    let mut fixed = state.clone();
    fixed.catch = Some(reordered);
    Some(fixed)
}
