//! How much of a long computation one frame may do.
//!
//! The browser has one thread: a layout that takes longer than a frame is done in slices, one per
//! frame, each stopping when its budget is spent. A budget counts work units (about one node or
//! edge visited) and, optionally, the time since it was made; the work itself never depends on
//! where it was cut, so a layout made in slices is the layout made at once.

use web_time::{Duration, Instant};

/// Units of work between two looks at the clock (reading it costs a call out to JavaScript in
/// the browser, well under a microsecond). Units count nodes and rows, not every neighbour
/// visited, so on dense layers 2,000 of them took several milliseconds and a slice overran its
/// budget by as much: 256 keeps the overrun to a fraction of a millisecond.
const UNITS_PER_CLOCK_CHECK: u64 = 256;

/// The work one slice may do.
#[derive(Clone, Debug)]
pub struct WorkBudget {
    units_left: u64,
    deadline: Option<Instant>,
    since_clock_check: u64,
}

impl WorkBudget {
    /// No limit: the work runs to its end.
    #[must_use]
    pub fn unlimited() -> Self {
        Self {
            units_left: u64::MAX,
            deadline: None,
            since_clock_check: 0,
        }
    }

    /// At most `units` units of work (deterministic: for tests).
    #[must_use]
    pub fn units(units: u64) -> Self {
        Self {
            units_left: units,
            deadline: None,
            since_clock_check: 0,
        }
    }

    /// Until `time` has passed from now.
    #[must_use]
    pub fn time(time: Duration) -> Self {
        Self {
            units_left: u64::MAX,
            deadline: Some(Instant::now() + time),
            since_clock_check: 0,
        }
    }

    /// Books `units` of work done; returns whether more may be done.
    pub fn spend(&mut self, units: u64) -> bool {
        self.units_left = self.units_left.saturating_sub(units);
        if self.units_left == 0 {
            return false;
        }
        let Some(deadline) = self.deadline else {
            return true;
        };
        self.since_clock_check += units;
        if self.since_clock_check < UNITS_PER_CLOCK_CHECK {
            return true;
        }
        self.since_clock_check = 0;
        if Instant::now() >= deadline {
            self.units_left = 0;
            return false;
        }
        true
    }

    /// Looks at the clock now (after one big step of work, which the count of units may not
    /// reflect); returns whether more may be done.
    pub fn checkpoint(&mut self) -> bool {
        self.since_clock_check = UNITS_PER_CLOCK_CHECK;
        self.spend(0)
    }

    /// Whether the budget is spent.
    #[must_use]
    pub fn is_spent(&self) -> bool {
        self.units_left == 0
    }
}
