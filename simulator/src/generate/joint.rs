//! Choices solved together. A case made for one item sets values that another Choice reads too:
//! a Choice earlier on the way, or one in another branch of the same Parallel (the branches read
//! the same execution input, and the one that fails first decides the Parallel's way). When the
//! changed run leaves the host's path at such a Choice, that Choice is solved again to decide as it
//! did on the host, keeping every value the item's solution changed, and the run is tried again;
//! then the next Choice that turns away, up to [`MAX_REJOINS`] of them.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::sources::{Invocations, apply};
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

impl Generator<'_> {
    /// A case that covers `item`, made from `attempt` (which turned away from the host's path at
    /// another Choice) by solving each Choice it turned at together with the item's solution;
    /// else why not (`None`: nothing new to say).
    pub(super) fn rejoin(
        &self,
        item: &Item,
        host: (&Candidate, &ExecutionResult),
        attempt: &Candidate,
        result: &ExecutionResult,
    ) -> Result<(Candidate, ExecutionResult), Option<String>> {
        self.solve_turns(item, host, attempt, result)
            .map_err(|reason| reason.or_else(|| self.turned_away(host.1, result)))
    }

    /// [`Self::rejoin`]: `Err(Some(reason))` when a Choice it turned at cannot decide as on the
    /// host while keeping the item's values; `Err(None)` when no Choice turned, or solving them
    /// again did not reach the item.
    fn solve_turns(
        &self,
        item: &Item,
        host: (&Candidate, &ExecutionResult),
        attempt: &Candidate,
        result: &ExecutionResult,
    ) -> Result<(Candidate, ExecutionResult), Option<String>> {
        let (host_candidate, host_result) = host;
        let mut candidate = attempt.clone();
        let mut current = result.clone();
        let mut solved = HashSet::new();
        for _ in 0..MAX_REJOINS {
            let Some(turn) = turned_choice(host_result, &current, item.state()) else {
                return Err(None);
            };
            if !solved.insert(turn.state.clone()) {
                return Err(None);
            }
            let rules = self.choice_rules(&turn.state).map_err(Some)?;
            let before = Before {
                input: &turn.before,
                execution_input: &host_candidate.input,
            };
            let solutions = solve::solutions_keeping(
                rules,
                turn.wanted,
                &turn.now,
                &candidate.input,
                Some(before),
            )
            .map_err(|reason| {
                Some(format!(
                    "the values that take it make the Choice '{}' (on the way to it, or in a branch of the same Parallel that then fails first) decide otherwise, and the two were solved together without success: {reason}",
                    turn.state
                ))
            })?;
            let mut next = None;
            for assignments in solutions {
                let Ok(routed) = self.route(&turn.state, assignments) else {
                    continue;
                };
                let mut changed = candidate.clone();
                for (sources, value) in &routed {
                    if let Some(source) = sources.first() {
                        apply(&mut changed, source, value.clone(), Invocations::All);
                    }
                }
                if changed == candidate {
                    continue;
                }
                let (changed, run) = self.repair(changed);
                if ended(&run) && self.covers(&run, item) {
                    return Ok((changed, run));
                }
                if next.is_none() && ended(&run) {
                    next = Some((changed, run));
                }
            }
            let Some((changed, run)) = next else {
                return Err(None);
            };
            candidate = changed;
            current = run;
        }
        Err(None)
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
