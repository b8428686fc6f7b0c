//! A simulated run as the canvas draws it over the diagram, filled in by the simulator pane.

use std::collections::{HashMap, HashSet};

use graph_model::Transition;

use crate::selection::StateId;

/// What a state did in a simulated run, for colouring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RunStatus {
    /// Entered and still running (or the run stopped there).
    Entered,
    /// Left normally.
    Succeeded,
    /// Failed, and nothing caught it.
    Failed,
    /// Failed, and a Catch took over.
    Caught,
    /// Failed at least once and was retried.
    Retried,
    /// Never entered.
    NotReached,
    /// Entered by at least one test case of the suite (the Tests panel's coverage overlay):
    /// drawn plainly, so only what no case reached stands out (greyed).
    Covered,
}

/// A simulated run drawn over the diagram (filled in by the simulator pane).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunOverlay {
    /// Status of each state the run knows about; states not listed count as not reached.
    pub states: HashMap<StateId, RunStatus>,
    /// How many times each state was retried.
    pub retries: HashMap<StateId, u32>,
    /// Transitions the run took: source state and transition.
    pub taken_edges: HashSet<(StateId, Transition)>,
}

impl RunStatus {
    /// The status of a state the run left: Caught when its last attempt failed into a Catch,
    /// Retried when it needed `retries`, otherwise Succeeded.
    #[must_use]
    pub fn left(caught: bool, retries: u32) -> Self {
        if caught {
            Self::Caught
        } else if retries > 0 {
            Self::Retried
        } else {
            Self::Succeeded
        }
    }
}

impl RunOverlay {
    /// Records a state's `status` and adds its `retries`.
    pub fn record(&mut self, id: StateId, status: RunStatus, retries: u32) {
        if retries > 0 {
            *self.retries.entry(id.clone()).or_insert(0) += retries;
        }
        self.states.insert(id, status);
    }
}
