//! One uncovered item taken on in bounded moves: [`Take`] keeps where the try stands (which host
//! case, which of its candidate changes, how far that change's repair or rejoin has gone), so that
//! each [`Generator::advance_take`] does at most one slice of a run of the definition or one
//! solve, and a generation in steps never holds the caller longer than that.

use std::collections::{HashSet, VecDeque};

use super::joint::{Rejoin, Rejoined};
use super::missing::{Missing, argument_path, missing_path};
use super::{Candidate, Generator, LIMITS, ended};
use crate::Execution;
use crate::coverage::{self, Item};
use crate::types::{ExecutionResult, Status, StepOutcome};

/// A case kept by the search, with the label of what it was made for.
pub(super) type Kept = (Candidate, ExecutionResult, String);

/// Engine steps (a state, or a branch or iteration start or end) of a run done in one move: a run
/// that goes round a polling loop until the generation's work budget stops it takes thousands,
/// far more than fit in a frame of the browser.
const RUN_SLICE: u64 = 64;

/// History events of a discarded run freed in one move (and a third as many trace entries: a
/// state makes about three events).
const FREE_SLICE: usize = 1_000;

/// A candidate run, then run again with each path it finds missing filled in, until it finds
/// none (or one cannot be filled in): one slice of a run per move.
pub(super) struct Repair {
    candidate: Candidate,
    /// The candidate's run while it is under way.
    running: Option<Box<Execution>>,
    /// The candidate's run once it has ended.
    result: Option<ExecutionResult>,
    /// The candidate the next run tries, with the last missing path filled in; `None` when the
    /// repair is over. Worked out as soon as a run ends, so that the end is known without a move.
    next: Option<Candidate>,
    seen: HashSet<Missing>,
    /// Runs after the first.
    fills: usize,
}

impl Repair {
    /// Whether no run is under way or left: [`Self::into_parts`] holds the repaired case.
    pub(super) fn is_over(&self) -> bool {
        self.running.is_none() && self.next.is_none()
    }

    /// The repaired candidate and its last run.
    pub(super) fn into_parts(self) -> (Candidate, ExecutionResult) {
        let result = self
            .result
            .unwrap_or_else(|| ExecutionResult::not_run(Status::Aborted, None, None));
        (self.candidate, result)
    }
}

impl Generator<'_> {
    /// Starts a run of `candidate` and does its first slice: the first move of its repair.
    pub(super) fn begin_repair(&self, candidate: Candidate) -> Repair {
        let mut repair = Repair {
            candidate,
            running: None,
            result: None,
            next: None,
            seen: HashSet::new(),
            fills: 0,
        };
        self.start(&mut repair);
        repair
    }

    /// The next slice of the repair's run, or the start of the next run (none once it is over).
    pub(super) fn advance_repair(&self, repair: &mut Repair) {
        if repair.running.is_some() {
            self.run_slice(repair);
            return;
        }
        let Some(next) = repair.next.take() else {
            return;
        };
        repair.fills += 1;
        repair.candidate = next;
        if let Some(result) = repair.result.take() {
            self.discard(result);
        }
        self.start(repair);
    }

    /// Starts the run of the repair's candidate and does its first slice.
    fn start(&self, repair: &mut Repair) {
        match self.start_run(&repair.candidate) {
            Ok(execution) => {
                repair.running = Some(Box::new(execution));
                self.run_slice(repair);
            }
            Err(error) => {
                self.spend();
                self.ended_run(repair, crate::not_compiled(&error));
            }
        }
    }

    /// Runs the repair's run on by a slice.
    fn run_slice(&self, repair: &mut Repair) {
        self.spend();
        let Some(mut execution) = repair.running.take() else {
            return;
        };
        if execution.step(RUN_SLICE) == StepOutcome::Running {
            repair.running = Some(execution);
            return;
        }
        let result = execution
            .into_result()
            .unwrap_or_else(|| ExecutionResult::not_run(Status::Aborted, None, None));
        self.ended_run(repair, result);
    }

    /// Keeps a run that has ended and works out the candidate the next one tries.
    fn ended_run(&self, repair: &mut Repair, result: ExecutionResult) {
        repair.result = Some(result);
        repair.next = self.patched(repair);
    }

    /// The candidate with the path the last run found missing filled in; `None` when it found
    /// none, cannot fill it in, found it before, or the repair has had its share of runs.
    fn patched(&self, repair: &mut Repair) -> Option<Candidate> {
        if repair.fills >= LIMITS.repairs {
            return None;
        }
        let mut missing = missing_path(repair.result.as_ref()?)?;
        if missing.path.is_empty() {
            let body = self.states.get(&missing.state).map(|info| &info.body)?;
            missing.path = argument_path(body, &missing.field)?;
        }
        if !repair.seen.insert(missing.clone()) {
            return None;
        }
        self.fill(&repair.candidate, &missing)
    }

    /// Keeps a run no longer needed to be freed a share a step ([`Self::free_some`]): a run that
    /// the work budget stopped has thousands of history events, which take long to free at once.
    fn discard(&self, result: ExecutionResult) {
        self.litter.borrow_mut().push(result);
    }

    /// Frees a share of the runs discarded: the last events of one of them, or the whole of it
    /// once it is small.
    pub(super) fn free_some(&self) {
        let mut litter = self.litter.borrow_mut();
        let Some(result) = litter.last_mut() else {
            return;
        };
        if result.history.len() > FREE_SLICE || result.trace.len() > FREE_SLICE / 3 {
            result
                .history
                .truncate(result.history.len().saturating_sub(FREE_SLICE));
            result
                .trace
                .truncate(result.trace.len().saturating_sub(FREE_SLICE / 3));
        } else {
            litter.pop();
        }
    }

    /// Runs `candidate`, filling in the paths the run finds missing, until it finds none (or
    /// cannot fill one in).
    pub(super) fn repair(&self, candidate: Candidate) -> (Candidate, ExecutionResult) {
        let mut repair = self.begin_repair(candidate);
        while !repair.is_over() {
            self.advance_repair(&mut repair);
        }
        repair.into_parts()
    }
}

/// An uncovered item being taken on: a change to a case that reaches its state, tried host by
/// host and change by change.
pub(super) struct Take {
    item: Item,
    /// Positions in the kept cases of the hosts not yet tried.
    hosts: VecDeque<usize>,
    /// The host whose changes are being tried.
    host: Option<usize>,
    /// The host's changes not yet tried.
    attempts: VecDeque<Candidate>,
    stage: Stage,
    /// A run that takes the item but never ends, kept as a host for a later round.
    fallback_host: Option<(Candidate, ExecutionResult)>,
    /// Why the item is not covered, should nothing left cover it.
    last_reason: String,
}

/// Where the change under way stands.
enum Stage {
    /// None under way: the next change starts, or the next host's changes are made.
    Between,
    Repairing(Box<Repair>),
    /// The change turned away from the host's path at another Choice, solved again here.
    Rejoining(Box<Rejoin>),
}

/// How a [`Take`] ended.
pub(super) enum Taken {
    /// A case that covers the item.
    Covered(Candidate, ExecutionResult),
    /// None found: why, and a run that takes the item but never ends, if one was found.
    Uncovered {
        reason: String,
        fallback_host: Option<(Candidate, ExecutionResult)>,
    },
}

/// What one move of a [`Take`] did.
enum Move {
    /// Ran a slice of a run or solved a condition: the move's share is spent.
    Spent,
    /// Only bookkeeping: the next move follows at once.
    Free,
    Over(Box<Taken>),
}

impl Generator<'_> {
    /// Starts on `item` with the cases in `kept` that reach its state (at most three, those that
    /// end first: a change that takes the item once can then leave as the host did); `Err` with
    /// the reason when none does.
    pub(super) fn begin_take(&self, item: Item, kept: &[Kept]) -> Result<Take, (Item, String)> {
        let mut hosts: Vec<usize> = kept
            .iter()
            .enumerate()
            .filter(|(_, (_, result, _))| coverage::entered_states(result).contains(&item.state()))
            .map(|(position, _)| position)
            .collect();
        hosts.sort_by_key(|&position| {
            !kept
                .get(position)
                .is_some_and(|(_, result, _)| ended(result))
        });
        hosts.truncate(3);
        if hosts.is_empty() {
            let reason = format!("no generated case reaches its state '{}'", item.state());
            return Err((item, reason));
        }
        Ok(Take {
            item,
            hosts: hosts.into(),
            host: None,
            attempts: VecDeque::new(),
            stage: Stage::Between,
            fallback_host: None,
            last_reason: String::new(),
        })
    }

    /// Moves `take` on by at most one slice of a run or one solve; `Some` once it is over.
    pub(super) fn advance_take(&self, take: &mut Take, kept: &[Kept]) -> Option<Taken> {
        loop {
            match self.move_take(take, kept) {
                Move::Spent => return None,
                Move::Free => {}
                Move::Over(taken) => return Some(*taken),
            }
        }
    }

    fn move_take(&self, take: &mut Take, kept: &[Kept]) -> Move {
        match std::mem::replace(&mut take.stage, Stage::Between) {
            Stage::Between => {
                if let Some(attempt) = take.attempts.pop_front() {
                    let repair = Box::new(self.begin_repair(attempt));
                    return match self.repaired(take, kept, repair) {
                        Some(taken) => Move::Over(Box::new(taken)),
                        None => Move::Spent,
                    };
                }
                let Some(host) = take.hosts.pop_front() else {
                    return Move::Over(Box::new(Taken::Uncovered {
                        reason: std::mem::take(&mut take.last_reason),
                        fallback_host: take.fallback_host.take(),
                    }));
                };
                take.host = Some(host);
                let Some((candidate, result, _)) = kept.get(host) else {
                    return Move::Free;
                };
                match self.attempts(&take.item, candidate, result) {
                    Err(reason) => take.last_reason = reason,
                    Ok(attempts) => {
                        take.last_reason = "the changes found for it (input values, mocked results) did not lead the run there: a value it reads is computed by a state the generator cannot invert".to_owned();
                        take.attempts = attempts.into();
                    }
                }
                Move::Spent
            }
            Stage::Repairing(mut repair) => {
                self.advance_repair(&mut repair);
                match self.repaired(take, kept, repair) {
                    Some(taken) => Move::Over(Box::new(taken)),
                    None => Move::Spent,
                }
            }
            Stage::Rejoining(mut rejoin) => {
                let Some((candidate, host_result, _)) = take.host.and_then(|host| kept.get(host))
                else {
                    return Move::Free;
                };
                match self.advance_rejoin(&take.item, (candidate, host_result), &mut rejoin) {
                    Rejoined::Working { spent } => {
                        take.stage = Stage::Rejoining(rejoin);
                        if spent { Move::Spent } else { Move::Free }
                    }
                    Rejoined::Covered(case) => {
                        let (candidate, result) = *case;
                        Move::Over(Box::new(Taken::Covered(candidate, result)))
                    }
                    // Counted as spent: it may have failed on a solve.
                    Rejoined::Failed(reason) => {
                        if let Some(reason) = reason {
                            take.last_reason = reason;
                        }
                        Move::Spent
                    }
                }
            }
        }
    }

    /// After a run of a change's repair: the change kept when its repair is over and it covers
    /// the item, else what follows (the repair's next run, a rejoin, or the next change).
    fn repaired(&self, take: &mut Take, kept: &[Kept], repair: Box<Repair>) -> Option<Taken> {
        if !repair.is_over() {
            take.stage = Stage::Repairing(repair);
            return None;
        }
        let (attempt, result) = repair.into_parts();
        if !ended(&result) {
            take.last_reason = self.never_ends(&result);
            // Kept as a host: a later round can also end the loop that follows (two polling
            // loops in a row).
            if take.fallback_host.is_none() && self.covers(&result, &take.item) {
                take.fallback_host = Some((attempt, result));
            } else {
                self.discard(result);
            }
            return None;
        }
        if self.covers(&result, &take.item) {
            return Some(Taken::Covered(attempt, result));
        }
        if take.host.and_then(|host| kept.get(host)).is_some() {
            take.stage = Stage::Rejoining(Box::new(Rejoin::new(attempt, result)));
        }
        None
    }
}

impl Take {
    /// The item taken on.
    pub(super) fn into_item(self) -> Item {
        self.item
    }
}
