//! What validation reports: a stable code, a severity, a message, and where (state and JSON pointer).

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// AWS would reject the definition, or the run would certainly fail.
    Error,
    /// Accepted by AWS but almost certainly a mistake.
    Warning,
    /// A remark.
    Info,
}

impl Severity {
    /// Lower-case name as printed by the command line (`error`, `warning`, `info`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

/// One finding about a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// A stable code: AWS's ValidateStateMachineDefinition code where one exists
    /// (`SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`, ...), else our own.
    pub code: String,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong, in words a user acts on.
    pub message: String,
    /// The state concerned, if any.
    pub state: Option<String>,
    /// RFC 6901 JSON pointer into the ASL document, e.g. `/States/Foo/Next`.
    pub pointer: String,
}

impl Diagnostic {
    /// An error diagnostic.
    #[must_use]
    pub fn error(code: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            severity: Severity::Error,
            message: message.into(),
            state: None,
            pointer: pointer.into(),
        }
    }

    /// A warning diagnostic.
    #[must_use]
    pub fn warning(code: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, pointer, message)
        }
    }

    /// The same diagnostic, naming the state it concerns.
    #[must_use]
    pub fn in_state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }
}
