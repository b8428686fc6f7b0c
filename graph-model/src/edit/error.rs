//! Why an edit was refused, and what a successful one reports besides the change.

/// Why a command was refused. The document is unchanged when a command fails.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The machine path leads nowhere.
    #[error("there is no {path}")]
    NoSuchMachine {
        /// The path, in words.
        path: String,
    },
    /// No state of that name in the machine.
    #[error("there is no state named \"{name}\" in this machine")]
    NoSuchState {
        /// The name asked for.
        name: String,
    },
    /// The name is used by another state of the document.
    #[error("another state in this document is already named \"{name}\"")]
    NameTaken {
        /// The name.
        name: String,
    },
    /// The name breaks AWS's rules for state names.
    #[error("\"{name}\" cannot be a state name: {reason}")]
    InvalidName {
        /// The name.
        name: String,
        /// Which rule.
        reason: String,
    },
    /// A replacement state carries another name than the state it replaces.
    #[error("the replacement for state \"{name}\" is named \"{found}\"; rename it separately")]
    NameMismatch {
        /// The state being replaced.
        name: String,
        /// The name inside the replacement.
        found: String,
    },
    /// The state has no such transition slot (say `Default` on a Task, or a Choice rule index too large).
    #[error("state \"{name}\" has no {transition} transition")]
    NoSuchTransition {
        /// The state.
        name: String,
        /// The transition, in words.
        transition: String,
    },
    /// Branches were asked of a state that is not a Parallel.
    #[error("state \"{name}\" is not a Parallel state")]
    NotParallel {
        /// The state.
        name: String,
    },
    /// The branch index is out of range.
    #[error("state \"{name}\" has no branch {index}")]
    NoSuchBranch {
        /// The Parallel state.
        name: String,
        /// The index asked for.
        index: usize,
    },
    /// The state has no entry at that index of that list (`Catch`, `Retry`, `Choices`).
    #[error("state \"{name}\" has no {list} entry {index}")]
    NoSuchItem {
        /// The state.
        name: String,
        /// The list.
        list: String,
        /// The index asked for.
        index: usize,
    },
    /// The state's type does not allow that field (say `Catch` on a Pass state).
    #[error("state \"{name}\" is a {state_type}, which cannot have {field}")]
    FieldNotAllowed {
        /// The state.
        name: String,
        /// Its type, in ASL's spelling.
        state_type: String,
        /// The field.
        field: String,
    },
    /// A state cannot be moved into one of its own nested machines.
    #[error("state \"{name}\" cannot be moved into a machine nested inside itself")]
    MoveIntoItself {
        /// The state.
        name: String,
    },
    /// The pasted value is not an ASL fragment.
    #[error("cannot paste: {reason}")]
    BadFragment {
        /// What is wrong with it.
        reason: String,
    },
}

/// What the last successful command did besides the change itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditReport {
    /// Names of the states it created (added, pasted, duplicated), for the app to select.
    pub created: Vec<String>,
    /// References it could not repair, in words naming the state (say a Choice rule left without a
    /// `Next` after its target was deleted).
    pub notes: Vec<String>,
}
