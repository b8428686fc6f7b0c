//! Why an item stays uncovered when the runs that reach it never end: the loop they go round (a
//! polling loop whose Choice keeps taking its Default), whether anything in it could change what
//! the Choice reads, and, inside a Parallel, why no other branch ended it: the branches race on
//! the virtual clock, so a loop that takes time is ended by a sibling's failure unless none fails,
//! and a loop that takes no time never lets the branches after it run.

use serde_json::{Value, json};

use super::{Generator, LIMITS, ended};
use crate::coverage;
use crate::types::ExecutionResult;

/// The states a run went round last, from one visit of the state it entered last to the next:
/// the loop it was in when the work budget stopped it.
pub(super) fn final_loop(result: &ExecutionResult) -> Option<Vec<String>> {
    let entered = coverage::entered_states(result);
    let (last, before) = entered.split_last()?;
    let start = before.iter().rposition(|state| state == last)?;
    Some(
        entered
            .get(start..entered.len() - 1)?
            .iter()
            .map(|state| (*state).to_owned())
            .collect(),
    )
}

impl Generator<'_> {
    /// Why a run never ends: the loop it goes round, and whether a mocked result could lead out.
    pub(super) fn never_ends(&self, result: &ExecutionResult) -> String {
        let budget = LIMITS.transitions;
        let Some(states) = final_loop(result) else {
            return format!(
                "the run that takes it never ends: it stops at the simulator's work budget ({budget} steps)"
            );
        };
        let mut reason = format!(
            "the run that takes it never ends: it goes round {} until the simulator's work budget ({budget} steps) stops it",
            self.describe_loop(&states)
        );
        if let Some(parallel) = states.iter().find_map(|state| self.parallel_of(state)) {
            if self.takes_time(&states) {
                reason.push_str(&format!(
                    "; the other branches of Parallel '{parallel}' run beside it, and in that case none fails to end it"
                ));
            } else {
                reason.push_str(&format!(
                    "; the loop takes no virtual time, so the branches of Parallel '{parallel}' after it never run (the simulator races branches on the virtual clock; on AWS each state takes real time, and a branch that fails ends the loop)"
                ));
            }
        }
        reason
    }

    /// Whether going round `states` moves the virtual clock: a Wait does (the generated mocks
    /// give Tasks no duration).
    fn takes_time(&self, states: &[String]) -> bool {
        states
            .iter()
            .any(|state| self.kind_of(state) == Some("Wait"))
    }

    /// `'A' -> 'B' -> back to 'A' (why it never leads out)`.
    fn describe_loop(&self, states: &[String]) -> String {
        let shown: Vec<String> = states.iter().map(|state| format!("'{state}'")).collect();
        let first = shown.first().cloned().unwrap_or_default();
        let tasks: Vec<String> = states
            .iter()
            .filter(|state| self.kind_of(state) == Some("Task"))
            .map(|task| format!("'{task}'"))
            .collect();
        let why = if tasks.is_empty() {
            "nothing in it changes what its Choice reads: no Task whose mocked result could"
                .to_owned()
        } else {
            format!(
                "no mocked result of {} was found that leads out of it",
                tasks.join(", ")
            )
        };
        format!("{} -> back to {first} ({why})", shown.join(" -> "))
    }

    /// Why branch `index` of a Parallel that a case enters has not started: in `host` (a case
    /// that enters the Parallel), a branch before it failed at the instant the branches start, or
    /// goes round a loop that takes no virtual time and never ends.
    pub(super) fn branch_reason(
        &self,
        state: &str,
        index: usize,
        host: &ExecutionResult,
    ) -> String {
        if !ended(host)
            && let Some(states) = final_loop(host)
            && let Some(branch) = states
                .first()
                .and_then(|looping| self.branch_of(looping, state))
                .filter(|branch| *branch < index)
        {
            return format!(
                "branch {branch} of '{state}' goes round {} in the cases that reach it, a loop that takes no virtual time, so branch {index} never starts: the simulator races branches on the virtual clock (on AWS each state takes real time, and a branch that fails ends the loop)",
                self.describe_loop(&states)
            );
        }
        format!(
            "its Parallel state '{state}' is entered, but a branch before it fails at the instant the branches start, and the simulator starts no branch after a failure at that instant"
        )
    }

    /// Why a Parallel or Map with no Task holds nothing to fail: the Fail states inside that raise
    /// an error the handler takes, which no case reached.
    pub(super) fn unreached_fail(&self, container: &str, handles: &dyn Fn(&str) -> bool) -> String {
        let mut raising: Vec<(&String, &str)> = self
            .states
            .iter()
            .filter(|(_, info)| {
                info.body.get("Type") == Some(&json!("Fail")) && self.is_inside(info, container)
            })
            .filter_map(|(name, info)| {
                let error = info.body.get("Error").and_then(Value::as_str)?;
                handles(error).then_some((name, error))
            })
            .collect();
        raising.sort();
        match raising.first() {
            Some((fail, error)) => format!(
                "the error it takes ({error}) is raised only by the Fail state '{fail}' inside '{container}', and no generated case that ends reaches it there (see that state's reason); '{container}' holds no Task whose mock could throw it instead"
            ),
            None => format!(
                "nothing in '{container}' can be made to fail: it holds no Task whose mock could throw"
            ),
        }
    }

    fn kind_of(&self, state: &str) -> Option<&str> {
        self.states.get(state)?.body.get("Type")?.as_str()
    }

    /// The Parallel whose branch holds `state` (directly).
    fn parallel_of(&self, state: &str) -> Option<String> {
        let container = self.states.get(state)?.container.clone()?;
        (self.kind_of(&container) == Some("Parallel")).then_some(container)
    }

    /// Which branch of `parallel` holds `state` (at any depth).
    fn branch_of(&self, state: &str, parallel: &str) -> Option<usize> {
        let mut current = self.states.get(state)?;
        loop {
            let container = current.container.as_deref()?;
            if container == parallel {
                return Some(current.branch);
            }
            current = self.states.get(container)?;
        }
    }
}
