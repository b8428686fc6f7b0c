//! The edits the canvas asks for, in the canvas's own words; the app turns each into the model's
//! command (see `Edit::into_command`) so that every change goes through the model's one `apply`.

use graph_model::{MachinePath, State, Transition};

/// One edit of the document requested on the canvas.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Add a state to a machine (at the end of document order).
    AddState {
        /// Target machine.
        machine: MachinePath,
        /// The new state (its name already unique in that machine).
        state: State,
    },
    /// Delete states of one machine.
    DeleteStates {
        /// Their machine.
        machine: MachinePath,
        /// Their names.
        names: Vec<String>,
    },
    /// Point a transition of `from` at `to` (creating it when the state has no such transition).
    Connect {
        /// The machine of both states.
        machine: MachinePath,
        /// Source state.
        from: String,
        /// Which transition.
        transition: Transition,
        /// Target state.
        to: String,
    },
    /// Remove a transition.
    Disconnect {
        /// The machine.
        machine: MachinePath,
        /// Source state.
        from: String,
        /// Which transition.
        transition: Transition,
    },
    /// Make a state the machine's `StartAt`.
    SetStartAt {
        /// The machine.
        machine: MachinePath,
        /// The state.
        name: String,
    },
    /// Move a state into another machine (a different branch or processor).
    MoveState {
        /// Where it is.
        from_machine: MachinePath,
        /// Its name.
        name: String,
        /// Where it goes.
        to_machine: MachinePath,
    },
    /// Duplicate states (names made unique by the model).
    Duplicate {
        /// Their machine.
        machine: MachinePath,
        /// Their names.
        names: Vec<String>,
    },
    /// Add a catch-all Catch (`States.ALL`) to a state, with no target yet.
    AddCatch {
        /// The machine.
        machine: MachinePath,
        /// The state.
        name: String,
    },
    /// Add a Retry entry (`States.ALL`, AWS defaults) to a state.
    AddRetry {
        /// The machine.
        machine: MachinePath,
        /// The state.
        name: String,
    },
    /// Several edits undone as one.
    Batch {
        /// What the user sees in the undo history.
        label: String,
        /// The edits, in order.
        edits: Vec<Edit>,
    },
}
