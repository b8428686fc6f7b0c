//! Choices solved together. A case made for one item sets values that another Choice reads too:
//! a Choice earlier on the way, or one in another branch of the same Parallel (the branches read
//! the same execution input, and the one that fails first decides the Parallel's way). When the
//! changed run leaves the host's path at such a Choice, that Choice is solved again to decide as it
//! did on the host, keeping every value the item's solution changed, and the run is tried again;
//! then the next Choice that turns away, up to [`MAX_REJOINS`] of them.

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::Value;

use super::sources::{Invocations, apply};
use super::take::Repair;
use super::{Candidate, Generator, ended};
use crate::coverage::Item;
use crate::solve::{self, Before};
use crate::types::{Decision, ExecutionResult, StateTrace};

/// Choices solved again for one case: each is one more run (with its repairs).
const MAX_REJOINS: usize = 4;

/// A Choice whose decision in a changed run differs from the host's on the same visit.
struct Turn {
    state: String,
    /// The host's decision: rule `n`, or the Default (`None`).
    wanted: Option<usize>,
    /// The Choice's effective input in the changed run and in the host's.
    now: Value,
    before: Value,
}

/// Where a rejoin stands: the Choices solved again so far, and the solutions of the one under
/// way still to try.
pub(super) struct Rejoin {
    /// The change that turned away, and its run.
    attempt: Candidate,
    result: ExecutionResult,
    /// The case the next Choice is solved on, when a Choice solved again has moved on from
    /// `attempt` (its run ended, turning away at a later Choice).
    current: Option<(Candidate, ExecutionResult)>,
    solved: HashSet<String>,
    /// The Choice under way and its solutions not yet tried; `None` between two Choices.
    turn: Option<(String, VecDeque<Vec<solve::Assignment>>)>,
    /// The run of a solution being repaired.
    repairing: Option<Repair>,
    /// The first solution of the Choice under way whose run ends: the case the next Choice is
    /// solved on, should none cover the item.
    next: Option<(Candidate, ExecutionResult)>,
}

impl Rejoin {
    /// A rejoin of `attempt`, whose run `result` ended without covering the item.
    pub(super) fn new(attempt: Candidate, result: ExecutionResult) -> Self {
        Self {
            attempt,
            result,
            current: None,
            solved: HashSet::new(),
            turn: None,
            repairing: None,
            next: None,
        }
    }

    fn current(&self) -> (&Candidate, &ExecutionResult) {
        match &self.current {
            Some((candidate, result)) => (candidate, result),
            None => (&self.attempt, &self.result),
        }
    }
}

/// What one move of a [`Rejoin`] did.
pub(super) enum Rejoined {
    /// More moves are left; `spent` when this one ran the definition or solved a Choice.
    Working { spent: bool },
    /// A case that covers the item.
    Covered(Box<(Candidate, ExecutionResult)>),
    /// No case found: why (`None`: nothing new to say).
    Failed(Option<String>),
}

impl Generator<'_> {
    /// One move of `rejoin` (at most a slice of one run or one solve): a case that covers `item`, made from
    /// the change (which turned away from the host's path at another Choice) by solving each
    /// Choice it turned at together with the item's solution, up to [`MAX_REJOINS`] of them.
    pub(super) fn advance_rejoin(
        &self,
        item: &Item,
        host: (&Candidate, &ExecutionResult),
        rejoin: &mut Rejoin,
    ) -> Rejoined {
        match self.move_rejoin(item, host, rejoin) {
            Err(reason) => {
                Rejoined::Failed(reason.or_else(|| self.turned_away(host.1, &rejoin.result)))
            }
            Ok(rejoined) => rejoined,
        }
    }

    /// [`Self::advance_rejoin`]: `Err(Some(reason))` when a Choice it turned at cannot decide as
    /// on the host while keeping the item's values; `Err(None)` when no Choice turned, or solving
    /// them again did not reach the item.
    fn move_rejoin(
        &self,
        item: &Item,
        host: (&Candidate, &ExecutionResult),
        rejoin: &mut Rejoin,
    ) -> Result<Rejoined, Option<String>> {
        if let Some(mut repair) = rejoin.repairing.take() {
            self.advance_repair(&mut repair);
            return Ok(self.solution_run(item, rejoin, repair));
        }
        let Some((state, solutions)) = &mut rejoin.turn else {
            return self.solve_turn(item, host, rejoin);
        };
        let Some(assignments) = solutions.pop_front() else {
            // No solution of this Choice covered the item: the next Choice that turns away is
            // solved on the first whose run ended.
            let next = rejoin.next.take().ok_or(None)?;
            rejoin.current = Some(next);
            rejoin.turn = None;
            return Ok(Rejoined::Working { spent: false });
        };
        let Ok(routed) = self.route(state, assignments) else {
            return Ok(Rejoined::Working { spent: false });
        };
        let mut changed = rejoin.current().0.clone();
        for (sources, value) in &routed {
            if let Some(source) = sources.first() {
                apply(&mut changed, source, value.clone(), Invocations::All);
            }
        }
        if changed == *rejoin.current().0 {
            return Ok(Rejoined::Working { spent: false });
        }
        let repair = self.begin_repair(changed);
        Ok(self.solution_run(item, rejoin, repair))
    }

    /// Solves the next Choice the current case turned at, to decide as on the host while keeping
    /// the item's values.
    fn solve_turn(
        &self,
        item: &Item,
        host: (&Candidate, &ExecutionResult),
        rejoin: &mut Rejoin,
    ) -> Result<Rejoined, Option<String>> {
        let (host_candidate, host_result) = host;
        if rejoin.solved.len() >= MAX_REJOINS {
            return Err(None);
        }
        let turn = turned_choice(host_result, rejoin.current().1, item.state()).ok_or(None)?;
        if !rejoin.solved.insert(turn.state.clone()) {
            return Err(None);
        }
        let rules = self.choice_rules(&turn.state).map_err(Some)?;
        let before = Before {
            input: &turn.before,
            execution_input: &host_candidate.input,
        };
        self.spend();
        let solutions = solve::solutions_keeping(
            rules,
            turn.wanted,
            &turn.now,
            &rejoin.current().0.input,
            Some(before),
        )
        .map_err(|reason| {
            Some(format!(
                "the values that take it make the Choice '{}' (on the way to it, or in a branch of the same Parallel that then fails first) decide otherwise, and the two were solved together without success: {reason}",
                turn.state
            ))
        })?;
        rejoin.turn = Some((turn.state, solutions.into()));
        Ok(Rejoined::Working { spent: true })
    }

    /// After a run of a solution's repair: the case when it is over and covers the item.
    fn solution_run(&self, item: &Item, rejoin: &mut Rejoin, repair: Repair) -> Rejoined {
        if !repair.is_over() {
            rejoin.repairing = Some(repair);
            return Rejoined::Working { spent: true };
        }
        let (changed, run) = repair.into_parts();
        if ended(&run) && self.covers(&run, item) {
            return Rejoined::Covered(Box::new((changed, run)));
        }
        if rejoin.next.is_none() && ended(&run) {
            rejoin.next = Some((changed, run));
        }
        Rejoined::Working { spent: true }
    }
}

/// The first Choice visit of `changed` (in the order the trace holds them) that decides otherwise
/// than the same visit of the same Choice in `host`, other than `skip`'s (the item's own Choice).
fn turned_choice(host: &ExecutionResult, changed: &ExecutionResult, skip: &str) -> Option<Turn> {
    let mut visits: HashMap<&str, usize> = HashMap::new();
    for entry in &changed.trace {
        let Some(now) = choice_decision(entry) else {
            continue;
        };
        let count = visits.entry(entry.state.as_str()).or_insert(0);
        let visit = *count;
        *count += 1;
        if entry.state == skip {
            continue;
        }
        let Some((host_entry, wanted)) = host
            .trace
            .iter()
            .filter(|other| other.state == entry.state)
            .filter_map(|other| Some((other, choice_decision(other)?)))
            .nth(visit)
        else {
            continue;
        };
        if wanted != now {
            return Some(Turn {
                state: entry.state.clone(),
                wanted,
                now: choice_input(entry),
                before: choice_input(host_entry),
            });
        }
    }
    None
}

/// The rule a Choice visit took (`Some(Some(n))`), its Default (`Some(None)`), or `None` for a
/// state that is not a Choice.
fn choice_decision(entry: &StateTrace) -> Option<Option<usize>> {
    entry.decisions.iter().find_map(|decision| match decision {
        Decision::ChoiceRule { index } => Some(Some(*index)),
        Decision::ChoiceDefault => Some(None),
        _ => None,
    })
}

/// A Choice's effective input (after its InputPath) on one visit.
pub(super) fn choice_input(entry: &StateTrace) -> Value {
    entry
        .stages
        .iter()
        .find(|stage| stage.stage == "afterInputPath")
        .or_else(|| entry.stages.first())
        .map(|stage| stage.value.clone())
        .unwrap_or(Value::Null)
}
