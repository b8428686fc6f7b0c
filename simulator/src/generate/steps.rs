//! Generation in steps: [`Generation`] does the search of [`super::generate`] a bounded share
//! at a time (the first case, or one uncovered item tried), so the designer can spread it over
//! frames in the browser and stop it between two steps on Cancel.

use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};

use serde_json::Value;

use super::{Candidate, Generated, Generator, LIMITS};
use crate::coverage::{Coverage, Item};
use crate::error::DefinitionError;
use crate::types::{ExecutionResult, Options};

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
/// the browser) or stop midway (a Cancel button): each [`Self::step`] makes the first case or
/// tries one uncovered item. Stepping to the end and calling [`Self::finish`] gives exactly the
/// suite [`generate`] gives.
pub struct Generation<'a> {
    generator: Generator<'a>,
    machine: String,
    /// The search's state; `None` until the first step has made the first case.
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
            search: None,
        })
    }

    /// Does the next bounded share of the work: the first case, or one uncovered item tried on
    /// the cases that reach its state (each try is a few runs of the definition).
    pub fn step(&mut self) -> Step {
        if let Some(search) = &mut self.search {
            self.generator.next_target(search);
        } else {
            self.search = Some(self.generator.first_case());
        }
        let progress = self.progress();
        match &self.search {
            Some(search) if search.over => Step::Done(progress),
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
        let search = self
            .search
            .take()
            .unwrap_or_else(|| self.generator.first_case());
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
    pub(super) kept: Vec<(Candidate, ExecutionResult, String)>,
    /// Why each item tried and not covered was not.
    pub(super) reasons: BTreeMap<Item, String>,
    /// Cases kept only as hosts so far.
    pub(super) hosts_only: usize,
    /// Rounds begun.
    pub(super) rounds: usize,
    /// The round under way: its targets not yet tried (`None` between rounds).
    pub(super) targets: Option<VecDeque<Item>>,
    /// Whether the round under way has covered anything.
    pub(super) progress: bool,
    /// Hosts the round under way found, kept when it ends.
    pub(super) extra_hosts: Vec<(Candidate, ExecutionResult, String)>,
    /// Whether the search is over.
    pub(super) over: bool,
}

impl Generator<'_> {
    /// One step of the rounds over the uncovered items: begins a round when none is under way,
    /// tries the round's next target that is still uncovered, and ends the round when no target
    /// is left. The search is over after a round that covered nothing, or after the last round.
    fn next_target(&self, search: &mut Search) {
        if search.over {
            return;
        }
        if search.targets.is_none() {
            search.rounds += 1;
            search.progress = false;
            search.targets = Some(search.coverage.uncovered().into_iter().cloned().collect());
        }
        while let Some(item) = search.targets.as_mut().and_then(VecDeque::pop_front) {
            if search.coverage.is_covered(&item) || matches!(item, Item::State { .. }) {
                continue;
            }
            self.take(item, search);
            break;
        }
        if search.targets.as_ref().is_some_and(VecDeque::is_empty) {
            search.targets = None;
            search.progress |= !search.extra_hosts.is_empty();
            search.kept.append(&mut search.extra_hosts);
            search.over = !search.progress || search.rounds >= LIMITS.rounds;
        }
    }
}
