//! What the user points at, shared by the canvas, the panels and the simulator pane: a state
//! anywhere in the document ([`StateId`]) and the selection ([`Selection`]).

use std::collections::BTreeSet;

use graph_model::{MachinePath, PathStep, Transition};

/// A state anywhere in the document: its machine and its name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StateId {
    /// The machine the state belongs to.
    pub machine: MachinePath,
    /// The state's name.
    pub name: String,
}

impl StateId {
    /// A state of the top-level machine.
    #[must_use]
    pub fn root(name: impl Into<String>) -> Self {
        Self {
            machine: MachinePath::root(),
            name: name.into(),
        }
    }

    /// A state of a given machine.
    #[must_use]
    pub fn new(machine: MachinePath, name: impl Into<String>) -> Self {
        Self {
            machine,
            name: name.into(),
        }
    }
}

/// Orders path steps by state name, then branch index (processors after branches).
fn step_key(step: &PathStep) -> (&str, usize) {
    match step {
        PathStep::Branch { state, index } => (state, *index),
        PathStep::Processor { state } => (state, usize::MAX),
    }
}

impl Ord for StateId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.machine
            .0
            .iter()
            .map(step_key)
            .cmp(other.machine.0.iter().map(step_key))
            .then_with(|| self.name.cmp(&other.name))
    }
}

impl PartialOrd for StateId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for StateId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for step in &self.machine.0 {
            match step {
                PathStep::Branch { state, index } => write!(f, "{state}[{}] / ", index + 1)?,
                PathStep::Processor { state } => write!(f, "{state} / ")?,
            }
        }
        f.write_str(&self.name)
    }
}

/// What is selected on the canvas. Owned by the app; the canvas reads it and asks for changes with
/// [`CanvasAction::Select`] and [`CanvasAction::SelectEdge`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Selected states.
    pub states: BTreeSet<StateId>,
    /// The selected edge: its source state and transition.
    pub edge: Option<(StateId, Transition)>,
}

impl Selection {
    /// A selection of one state.
    #[must_use]
    pub fn single(id: StateId) -> Self {
        Self {
            states: BTreeSet::from([id]),
            edge: None,
        }
    }

    /// Whether nothing is selected.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.states.is_empty() && self.edge.is_none()
    }
}
