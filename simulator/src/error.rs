//! Errors: the ones a definition can have before it runs, and the ones states raise while running.

use thiserror::Error;

/// A definition the engine cannot run. Names the state (or field) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{location}: {message}")]
pub struct DefinitionError {
    /// Where: a JSON-pointer-like location such as `/States/Map/ItemProcessor/States/Inner/ResultPath`.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl DefinitionError {
    pub(crate) fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            location: location.into(),
            message: message.into(),
        }
    }
}

/// How an error raised by a state may be handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    /// Retry and Catch apply as usual.
    Normal,
    /// Only a retrier or catcher that names the error matches (`States.ALL` does not): DataLimitExceeded.
    Explicit,
    /// Never retried or caught (`States.Runtime`).
    Fatal,
    /// The execution's own time limit passed while a task ran: the whole run ends TIMED_OUT.
    ExecutionTimeout,
}

/// An error raised while a state runs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Raised {
    pub(crate) error: Option<String>,
    pub(crate) cause: Option<String>,
    pub(crate) severity: Severity,
    /// True when AWS prefixes the cause with "An error occurred while executing the state ...".
    pub(crate) located: bool,
}

impl Raised {
    /// A `States.Runtime` failure (never caught), cause located at the state.
    pub(crate) fn runtime(cause: impl Into<String>) -> Self {
        Self {
            error: Some("States.Runtime".to_owned()),
            cause: Some(cause.into()),
            severity: Severity::Fatal,
            located: true,
        }
    }

    /// A catchable error whose cause AWS locates at the state (QueryEvaluationError, IntrinsicFailure...).
    pub(crate) fn located(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: Some(error.into()),
            cause: Some(cause.into()),
            severity: Severity::Normal,
            located: true,
        }
    }

    /// An error exactly as given (Fail states, mocked task errors, branch errors).
    pub(crate) fn plain(error: Option<String>, cause: Option<String>) -> Self {
        Self {
            error,
            cause,
            severity: Severity::Normal,
            located: false,
        }
    }
}
