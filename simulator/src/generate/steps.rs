//! Generation in steps: [`Generation`] does the search of [`super::generate`] a bounded share
//! at a time (a slice of one run of the definition, or one solve of a Choice), so the designer can
//! spread it over frames in the browser and stop it between two steps on Cancel.

use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};

use serde_json::Value;

use super::take::{Kept, Repair, Take, Taken};
use super::{Generated, Generator, LIMITS};
use crate::coverage::{Coverage, Item};
use crate::error::DefinitionError;
use crate::types::Options;

/// Where a generation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Cases made so far (those that never end are left out of the suite at the end).
    pub cases: usize,
    /// Items of the current round still to try, or between rounds those the next one tries
    /// (more rounds may follow).
    pub targets_left: usize,
    /// Rounds over the uncovered items begun so far.
    pub rounds: usize,
}

/// What one [`Generation::step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// More work is left.
    Working(Progress),
    /// The search is over: [`Generation::finish`] writes the suite.
    Done(Progress),
}

/// A suite generation done in bounded steps, for callers that must stay responsive (a frame in
/// the browser) or stop midway (a Cancel button): each [`Self::step`] does at most a slice of one
/// run of the definition (64 engine steps of the first case, or of a change tried for an
/// uncovered item) or one solve.
/// Stepping to the end and calling [`Self::finish`] gives exactly the
/// suite [`generate`] gives.
pub struct Generation<'a> {
    generator: Generator<'a>,
    machine: String,
    /// The first case's repair, under way until the search starts.
    first: Option<Repair>,
    /// The search's state; `None` until the steps have made the first case.
    search: Option<Search>,
}

impl<'a> Generation<'a> {
    /// Prepares a generation for `definition` under the state machine name `machine`; no case is
    /// run until the first step.
    ///
    /// # Errors
    /// The definition cannot be compiled.
    pub fn new(
        definition: &'a Value,
        machine: &str,
        options: &Options,
    ) -> Result<Self, DefinitionError> {
        Self::prepare(Cow::Borrowed(definition), machine, options)
    }

    fn prepare(
        definition: Cow<'a, Value>,
        machine: &str,
        options: &Options,
    ) -> Result<Self, DefinitionError> {
        Ok(Self {
            generator: Generator::new(definition, options)?,
            machine: machine.to_owned(),
            first: None,
            search: None,
        })
    }

    /// Does the next bounded share of the work: a slice of one run of the definition (for the
    /// first case, or for a change tried for an uncovered item) or one solve of a Choice's
    /// conditions.
    pub fn step(&mut self) -> Step {
        self.generator.free_some();
        if let Some(search) = &mut self.search {
            self.generator.next_target(search);
        } else {
            let repair = match self.first.take() {
                None => self.generator.begin_repair(self.generator.base_case()),
                Some(mut repair) => {
                    self.generator.advance_repair(&mut repair);
                    repair
                }
            };
            if repair.is_over() {
                let (base, result) = repair.into_parts();
                self.search = Some(self.generator.first_case(base, result));
            } else {
                self.first = Some(repair);
            }
        }
        let progress = self.progress();
        match &self.search {
            // Done once the runs discarded are freed too, so that finishing does not free them
            // all at once.
            Some(search) if search.over && self.generator.litter.borrow().is_empty() => {
                Step::Done(progress)
            }
            _ => Step::Working(progress),
        }
    }

    /// Where the generation stands.
    #[must_use]
    pub fn progress(&self) -> Progress {
        let Some(search) = &self.search else {
            return Progress {
                cases: 0,
                targets_left: 0,
                rounds: 0,
            };
        };
        Progress {
            cases: search.kept.len(),
            // Between rounds, what the next round takes on.
            targets_left: match &search.targets {
                _ if search.over => 0,
                Some(targets) => targets
                    .iter()
                    .filter(|item| {
                        !search.coverage.is_covered(item) && !matches!(item, Item::State { .. })
                    })
                    .count(),
                None => search
                    .coverage
                    .uncovered()
                    .into_iter()
                    .filter(|item| !matches!(item, Item::State { .. }))
                    .count(),
            },
            rounds: search.rounds,
        }
    }

    /// Steps to the end if need be, then writes the suite.
    #[must_use]
    pub fn finish(mut self) -> Generated {
        while let Step::Working(_) = self.step() {}
        let search = self.search.take().unwrap_or_else(|| {
            let (base, result) = self.generator.repair(self.generator.base_case());
            self.generator.first_case(base, result)
        });
        self.generator.conclude(&self.machine, search)
    }
}

impl Generation<'static> {
    /// [`Self::new`] on a definition it keeps: for a generation that outlives the caller's
    /// frame (the designer steps it over many frames).
    ///
    /// # Errors
    /// The definition cannot be compiled.
    pub fn owning(
        definition: Value,
        machine: &str,
        options: &Options,
    ) -> Result<Self, DefinitionError> {
        Self::prepare(Cow::Owned(definition), machine, options)
    }
}

/// The search's state between steps: the cases kept so far and where the rounds over the
/// uncovered items stand.
pub(super) struct Search {
    /// What the cases that end cover.
    pub(super) coverage: Coverage,
    /// The cases made, with the label of what each was made for.
    pub(super) kept: Vec<Kept>,
    /// Why each item tried and not covered was not.
    pub(super) reasons: BTreeMap<Item, String>,
    /// Cases kept only as hosts so far.
    pub(super) hosts_only: usize,
    /// Rounds begun.
    pub(super) rounds: usize,
    /// The round under way: its targets not yet tried (`None` between rounds).
    pub(super) targets: Option<VecDeque<Item>>,
    /// The target being tried.
    pub(super) taking: Option<Take>,
    /// Whether the round under way has covered anything.
    pub(super) progress: bool,
    /// Hosts the round under way found, kept when it ends.
    pub(super) extra_hosts: Vec<Kept>,
    /// Whether the search is over.
    pub(super) over: bool,
}

impl Generator<'_> {
    /// One step of the rounds over the uncovered items: begins a round when none is under way,
    /// takes on the round's next target that is still uncovered when none is being tried, moves
    /// the try on by a slice of a run or a solve, and ends the round when no target is left. The search is
    /// over after a round that covered nothing, or after the last round.
    fn next_target(&self, search: &mut Search) {
        if search.over {
            return;
        }
        if search.taking.is_none() {
            if search.targets.is_none() {
                search.rounds += 1;
                search.progress = false;
                search.targets = Some(search.coverage.uncovered().into_iter().cloned().collect());
            }
            while let Some(item) = search.targets.as_mut().and_then(VecDeque::pop_front) {
                if search.coverage.is_covered(&item) || matches!(item, Item::State { .. }) {
                    continue;
                }
                match self.begin_take(item, &search.kept) {
                    Ok(take) => search.taking = Some(take),
                    Err((item, reason)) => {
                        search.reasons.insert(item, reason);
                    }
                }
                break;
            }
        }
        if let Some(mut take) = search.taking.take() {
            match self.advance_take(&mut take, &search.kept) {
                None => search.taking = Some(take),
                Some(taken) => self.took(take.into_item(), taken, search),
            }
        }
        if search.taking.is_none() && search.targets.as_ref().is_some_and(VecDeque::is_empty) {
            search.targets = None;
            search.progress |= !search.extra_hosts.is_empty();
            search.kept.append(&mut search.extra_hosts);
            search.over = !search.progress || search.rounds >= LIMITS.rounds;
        }
    }

    /// Keeps the case that covers `item`, or the reason none does (and a host for later rounds).
    fn took(&self, item: Item, taken: Taken, search: &mut Search) {
        match taken {
            Taken::Covered(candidate, result) => {
                search.coverage.record(&result);
                search.kept.push((candidate, result, item.label()));
                search.reasons.remove(&item);
                search.progress = true;
            }
            Taken::Uncovered {
                reason,
                fallback_host,
            } => {
                let label = item.label();
                search.reasons.insert(item, reason);
                if let Some((attempt, result)) = fallback_host
                    && search.hosts_only < LIMITS.hosts_only
                {
                    search.hosts_only += 1;
                    search.extra_hosts.push((attempt, result, label));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real definitions whose uncovered items take several changes each, with repairs (missing
    /// paths filled in) and Choices solved again on the way.
    const DEFINITIONS: [&str; 4] = [
        "app/assets/sample.asl.json",
        "tests/data/corpus/real/workflows-collection/sfn-rds-to-aurora-migrate-postgres-cdk__statemachine.asl.json",
        "tests/data/corpus/real/workflows-collection/account-vending-machine__statemachine.asl.json",
        "tests/data/corpus/real/stepfunctions-examples/sam__app-order-management__ship-order.asl.json",
    ];

    #[test]
    fn no_step_does_more_than_a_slice_of_one_run_or_one_solve() -> Result<(), String> {
        for relative in DEFINITIONS {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join(relative);
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{relative}: {e}"))?;
            let definition: Value =
                serde_json::from_str(&text).map_err(|e| format!("{relative}: {e}"))?;
            let mut generation = Generation::new(&definition, "M", &Options::default())
                .map_err(|e| format!("{relative}: {e}"))?;
            let mut shares = Vec::new();
            loop {
                let before = generation.generator.work.get();
                let step = generation.step();
                shares.push(generation.generator.work.get() - before);
                if matches!(step, Step::Done(_)) || shares.len() > 100_000 {
                    break;
                }
            }
            assert!(
                shares.iter().all(|&share| share <= 1),
                "{relative}: a step did {:?} slices of runs and solves",
                shares.iter().max()
            );
            // The search was not cut short.
            let spent = shares.iter().filter(|&&share| share == 1).count();
            assert!(
                spent >= 5,
                "{relative}: {spent} of {} steps ran or solved",
                shares.len()
            );
        }
        Ok(())
    }
}
