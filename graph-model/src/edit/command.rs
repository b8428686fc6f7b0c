//! The editing commands: what an app asks for, checked against the document, then carried out as
//! primitive edits whose inverses make up the undo step.

use serde_json::Value;

use super::clipboard::MAX_NAME_CHARS;
use super::error::EditError;
use crate::{
    Catcher, ChoiceRule, MachinePath, NumberOr, PathStep, QueryLanguage, Retrier, State,
    StateMachine, StateType, Transition,
};

/// One edit of a [`crate::Document`], applied with [`crate::Document::apply`]. Every command either
/// changes the document and becomes one undo step, or fails with an [`EditError`] and changes nothing.
///
/// State names are unique across the whole document (AWS rejects duplicates even between nested
/// machines), so commands that bring in names check every machine. Transitions never cross machine
/// boundaries in ASL, so reference updates stay within the machine concerned.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Adds a state at `position` in document order (the end when `None`). When the machine has no
    /// `StartAt` yet, the new state becomes the start.
    AddState {
        /// The machine to add to.
        machine: MachinePath,
        /// The new state; its name (and the names inside any nested machines) must be unused.
        state: State,
        /// Where in document order.
        position: Option<usize>,
    },
    /// Adds a state into the flow: `after`'s transition now leads to the new state, and the new
    /// state leads on to where that transition led before (through `Next`, or `Default` for a
    /// Choice; a Succeed or Fail ends the path there). When the transition led nowhere (an `End`),
    /// the new state keeps its own `Next`/`End`. Without `after`, the same as
    /// [`Command::AddState`]. One undo step takes the state out and restores the transition.
    InsertState {
        /// The machine to add to.
        machine: MachinePath,
        /// The new state; its name (and the names inside any nested machines) must be unused.
        state: State,
        /// Where in document order (the end when `None`).
        position: Option<usize>,
        /// The state and transition to insert after, in the same machine.
        after: Option<(String, Transition)>,
    },
    /// Deletes states and repairs what pointed at them: a transition into a deleted state is
    /// re-pointed to that state's own `Next` when it has one that survives (following chains of
    /// deleted states), otherwise it is removed (a `Next` becomes `"End": true`, a `Default`
    /// disappears, a Choice rule or catcher keeps its test without a `Next`). `StartAt` moves the same
    /// way. What could not be repaired is listed in [`crate::Document::last_report`].
    DeleteStates {
        /// The machine the states are in.
        machine: MachinePath,
        /// The states to delete.
        names: Vec<String>,
    },
    /// Renames a state; `StartAt` and every `Next`, `Default`, Choice rule and catcher of its machine
    /// that named it follow. Its nested machines go with it.
    RenameState {
        /// The machine the state is in.
        machine: MachinePath,
        /// The current name.
        from: String,
        /// The new name, unused anywhere in the document.
        to: String,
    },
    /// Points a transition of `from` at `to` (adding or retargeting the edge). Setting `Next` removes
    /// `End`. `Transition::Catch(n)` with `n` the number of catchers adds a catch-all catcher
    /// (`States.ALL`) leading to `to`.
    Connect {
        /// The machine both states are in.
        machine: MachinePath,
        /// The state whose transition is set.
        from: String,
        /// Which transition.
        transition: Transition,
        /// The target state.
        to: String,
    },
    /// Clears a transition slot (the edge goes; the state is left without that target, which
    /// validation reports until it is connected again).
    Disconnect {
        /// The machine the state is in.
        machine: MachinePath,
        /// The state whose transition is cleared.
        from: String,
        /// Which transition.
        transition: Transition,
    },
    /// Sets the machine's `StartAt`.
    SetStartAt {
        /// The machine.
        machine: MachinePath,
        /// The state to start at.
        name: String,
    },
    /// Changes a state's type, keeping the fields the new type allows (Comment, paths, payload
    /// templates, Next/End, Retry/Catch where allowed, unknown members).
    ChangeType {
        /// The machine the state is in.
        machine: MachinePath,
        /// The state.
        name: String,
        /// The new type.
        to: StateType,
    },
    /// Replaces a state with an edited version of itself (inspector forms). The name inside must
    /// equal `name`; use [`Command::RenameState`] to rename.
    ReplaceState {
        /// The machine the state is in.
        machine: MachinePath,
        /// The state's name.
        name: String,
        /// The new content.
        state: State,
    },
    /// Sets a machine's top-level fields; each `None` removes that field.
    UpdateMachine {
        /// The machine.
        machine: MachinePath,
        /// `Comment`
        comment: Option<String>,
        /// `TimeoutSeconds` (top level only).
        timeout_seconds: Option<NumberOr>,
        /// `Version` (top level only).
        version: Option<String>,
        /// `QueryLanguage` (top level only).
        query_language: Option<QueryLanguage>,
        /// `ProcessorConfig` (Map processors only).
        processor_config: Option<Value>,
    },
    /// Moves a state to another machine (into or out of a Parallel branch or Map processor), or to
    /// another position within its machine when both paths are equal. Transitions that would cross
    /// the boundary are repaired as by [`Command::DeleteStates`] in the machine it leaves and dropped
    /// from the moved state (a `Next` becomes `"End": true`). It becomes the target's `StartAt` when
    /// that machine has none.
    MoveState {
        /// The machine the state is in.
        from_machine: MachinePath,
        /// The state.
        name: String,
        /// The machine to move it to.
        to_machine: MachinePath,
        /// Where in the target's document order (the end when `None`).
        position: Option<usize>,
    },
    /// [`Command::MoveState`] for several states at once, placed together in their document order
    /// from `position`; transitions among them stay. A machine without `StartAt` starts at the
    /// group's start (the source's `StartAt` when it moves along, else the first).
    MoveStates {
        /// The machine the states are in.
        from_machine: MachinePath,
        /// The states.
        names: Vec<String>,
        /// The machine to move them to.
        to_machine: MachinePath,
        /// Where in the target's document order the group starts (the end when `None`).
        position: Option<usize>,
    },
    /// Appends a branch to a Parallel state.
    AddBranch {
        /// The machine the Parallel state is in.
        machine: MachinePath,
        /// The Parallel state.
        state: String,
        /// The new branch; its state names must be unused in the document.
        branch: StateMachine,
    },
    /// Removes a branch of a Parallel state.
    RemoveBranch {
        /// The machine the Parallel state is in.
        machine: MachinePath,
        /// The Parallel state.
        state: String,
        /// Which branch.
        index: usize,
    },
    /// Inserts a catcher into a Task, Parallel or Map state's `Catch` at `index` (the end when `None`).
    AddCatcher {
        /// The machine the state is in.
        machine: MachinePath,
        /// The state.
        name: String,
        /// The catcher; its `Next` may be unset until connected.
        catcher: Catcher,
        /// Where in the list.
        index: Option<usize>,
    },
    /// Removes a catcher (the `Catch` member goes when it was the last one added by an edit).
    RemoveCatcher {
        /// The machine the state is in.
        machine: MachinePath,
        /// The state.
        name: String,
        /// Which catcher.
        index: usize,
    },
    /// Inserts a retrier into a Task, Parallel or Map state's `Retry` at `index` (the end when `None`).
    AddRetrier {
        /// The machine the state is in.
        machine: MachinePath,
        /// The state.
        name: String,
        /// The retrier.
        retrier: Retrier,
        /// Where in the list.
        index: Option<usize>,
    },
    /// Removes a retrier.
    RemoveRetrier {
        /// The machine the state is in.
        machine: MachinePath,
        /// The state.
        name: String,
        /// Which retrier.
        index: usize,
    },
    /// Inserts a rule into a Choice state's `Choices` at `index` (the end when `None`).
    AddChoiceRule {
        /// The machine the state is in.
        machine: MachinePath,
        /// The Choice state.
        name: String,
        /// The rule.
        rule: ChoiceRule,
        /// Where in the list.
        index: Option<usize>,
    },
    /// Removes a Choice rule.
    RemoveChoiceRule {
        /// The machine the state is in.
        machine: MachinePath,
        /// The Choice state.
        name: String,
        /// Which rule.
        index: usize,
    },
    /// Copies states (with their nested machines) under fresh names ("X" becomes "X 2"), placed after
    /// the last of them. Transitions between the copied states point at the copies; the others keep
    /// their targets.
    Duplicate {
        /// The machine the states are in.
        machine: MachinePath,
        /// The states to copy.
        names: Vec<String>,
    },
    /// Pastes an ASL fragment (see [`crate::copy_selection`]) at the end of a machine, renaming states
    /// whose names are taken anywhere in the document (with their references inside the fragment).
    /// The fragment's `StartAt` becomes the machine's when it has none.
    Paste {
        /// The machine to paste into.
        machine: MachinePath,
        /// The fragment: `{"StartAt": ..., "States": {...}}`, a bare `States` object, or either as
        /// JSON text.
        asl: Value,
    },
    /// Replaces the whole document (say after its text was edited in a code view).
    ReplaceRoot {
        /// The new document.
        root: StateMachine,
    },
    /// Several commands as one undo step; if one fails, none is applied.
    Batch {
        /// The undo step's label.
        label: String,
        /// The commands, applied in order.
        commands: Vec<Command>,
    },
}

/// A machine path in words, for messages: "top-level machine", "branch 0 of \"P\"", ...
#[must_use]
pub fn describe_path(path: &MachinePath) -> String {
    if path.is_root() {
        return "top-level machine".to_owned();
    }
    let steps: Vec<String> = path
        .0
        .iter()
        .rev()
        .map(|step| match step {
            PathStep::Branch { state, index } => format!("branch {index} of \"{state}\""),
            PathStep::Processor { state } => format!("processor of \"{state}\""),
        })
        .collect();
    steps.join(" in ")
}

/// A transition in words, for messages.
#[must_use]
pub fn describe_transition(transition: Transition) -> String {
    match transition {
        Transition::Next => "Next".to_owned(),
        Transition::Default => "Default".to_owned(),
        Transition::ChoiceRule(i) => format!("Choices[{i}].Next"),
        Transition::Catch(i) => format!("Catch[{i}].Next"),
    }
}

/// Checks a new state name against AWS's rules: 1 to 80 characters, no control characters.
///
/// # Errors
/// [`EditError::InvalidName`] saying which rule is broken.
pub fn check_state_name(name: &str) -> Result<(), EditError> {
    let reason = if name.is_empty() {
        "it is empty, and every state needs a name"
    } else if name.chars().count() > MAX_NAME_CHARS {
        "it is longer than 80 characters"
    } else if name.chars().any(char::is_control) {
        "it contains a control character"
    } else {
        return Ok(());
    };
    Err(EditError::InvalidName {
        name: name.to_owned(),
        reason: reason.to_owned(),
    })
}

impl Command {
    /// The label an undo step gets for this command ("Rename A to B").
    #[must_use]
    pub fn label(&self) -> String {
        fn names(names: &[String]) -> String {
            match names {
                [one] => format!("\"{one}\""),
                many => format!("{} states", many.len()),
            }
        }
        match self {
            Command::AddState { state, .. } => format!("Add \"{}\"", state.name),
            Command::InsertState {
                state,
                after: Some((from, _)),
                ..
            } => format!("Insert \"{}\" after \"{from}\"", state.name),
            Command::InsertState { state, .. } => format!("Add \"{}\"", state.name),
            Command::DeleteStates { names: n, .. } => format!("Delete {}", names(n)),
            Command::RenameState { from, to, .. } => format!("Rename \"{from}\" to \"{to}\""),
            Command::Connect { from, to, .. } => format!("Connect \"{from}\" to \"{to}\""),
            Command::Disconnect {
                from, transition, ..
            } => format!(
                "Disconnect {} of \"{from}\"",
                describe_transition(*transition)
            ),
            Command::SetStartAt { name, .. } => format!("Start at \"{name}\""),
            Command::ChangeType { name, to, .. } => {
                format!("Make \"{name}\" a {}", to.as_str())
            }
            Command::ReplaceState { name, .. } => format!("Edit \"{name}\""),
            Command::UpdateMachine { .. } => "Edit machine".to_owned(),
            Command::MoveState { name, .. } => format!("Move \"{name}\""),
            Command::MoveStates { names: n, .. } => format!("Move {}", names(n)),
            Command::AddBranch { state, .. } => format!("Add branch to \"{state}\""),
            Command::RemoveBranch { state, index, .. } => {
                format!("Remove branch {index} of \"{state}\"")
            }
            Command::Duplicate { names: n, .. } => format!("Duplicate {}", names(n)),
            Command::AddCatcher { name, .. } => format!("Add catcher to \"{name}\""),
            Command::RemoveCatcher { name, index, .. } => {
                format!("Remove catcher {index} of \"{name}\"")
            }
            Command::AddRetrier { name, .. } => format!("Add retrier to \"{name}\""),
            Command::RemoveRetrier { name, index, .. } => {
                format!("Remove retrier {index} of \"{name}\"")
            }
            Command::AddChoiceRule { name, .. } => format!("Add rule to \"{name}\""),
            Command::RemoveChoiceRule { name, index, .. } => {
                format!("Remove rule {index} of \"{name}\"")
            }
            Command::Paste { .. } => "Paste".to_owned(),
            Command::ReplaceRoot { .. } => "Replace document".to_owned(),
            Command::Batch { label, .. } => label.clone(),
        }
    }
}
