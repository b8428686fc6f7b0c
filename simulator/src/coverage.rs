//! Coverage of a definition by a set of runs: which states were entered, which Choice rules and
//! Defaults taken, which Catch handlers and Retry rules used, which Parallel branches and Map
//! processors entered. Shared by `asl-studio test` and the designer.
//!
//! States come from the runs' history (`...StateEntered` events); what the history does not show
//! (the Choice rule that matched, the retrier and catcher that handled an error) comes from the
//! trace's [`Decision`]s, so runs must record their trace ([`Options::record_trace`]).
//!
//! `total` counts what is reachable: from `StartAt` along `Next`, Choice rules, `Default` and Catch
//! targets (a nested machine is reachable when its Parallel or Map state is); a retrier or catcher
//! whose every error an earlier one of the same state already handles can never run. Items that
//! cannot be reached are listed apart with the reason.
//!
//! [`Options::record_trace`]: crate::Options::record_trace

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

use crate::error::DefinitionError;
use crate::plan::{self, Kind, Plan};
use crate::types::{Decision, ExecutionResult};

/// The kind of a coverage item, which is also its category in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A state entered.
    States,
    /// A Choice rule or a Choice `Default` taken.
    ChoiceRules,
    /// A Catch handler taken.
    Catchers,
    /// A Retry rule used at least once.
    Retriers,
    /// A Parallel branch or a Map item processor entered.
    Branches,
}

/// One thing a suite can cover.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    /// The state was entered.
    State {
        /// State name.
        state: String,
    },
    /// The Choice state took rule `index` of its `Choices`.
    ChoiceRule {
        /// Choice state name.
        state: String,
        /// 0-based position in `Choices`.
        index: usize,
    },
    /// The Choice state took its `Default`.
    ChoiceDefault {
        /// Choice state name.
        state: String,
    },
    /// Catcher `index` of the state handled an error.
    Catcher {
        /// State name.
        state: String,
        /// 0-based position in `Catch`.
        index: usize,
    },
    /// Retrier `index` of the state retried an error.
    Retrier {
        /// State name.
        state: String,
        /// 0-based position in `Retry`.
        index: usize,
    },
    /// Branch `index` of the Parallel state was entered.
    Branch {
        /// Parallel state name.
        state: String,
        /// 0-based position in `Branches`.
        index: usize,
    },
    /// The Map state's item processor was entered (at least one iteration ran).
    Processor {
        /// Map state name.
        state: String,
    },
}

impl Item {
    /// The category the item is counted in.
    pub fn category(&self) -> Category {
        match self {
            Self::State { .. } => Category::States,
            Self::ChoiceRule { .. } | Self::ChoiceDefault { .. } => Category::ChoiceRules,
            Self::Catcher { .. } => Category::Catchers,
            Self::Retrier { .. } => Category::Retriers,
            Self::Branch { .. } | Self::Processor { .. } => Category::Branches,
        }
    }

    /// The state the item belongs to.
    pub fn state(&self) -> &str {
        match self {
            Self::State { state }
            | Self::ChoiceRule { state, .. }
            | Self::ChoiceDefault { state }
            | Self::Catcher { state, .. }
            | Self::Retrier { state, .. }
            | Self::Branch { state, .. }
            | Self::Processor { state } => state,
        }
    }

    /// A short label in the definition's own words, e.g. `Route.Choices[1]` or `Call.Catch[0]`.
    pub fn label(&self) -> String {
        match self {
            Self::State { state } => state.clone(),
            Self::ChoiceRule { state, index } => format!("{state}.Choices[{index}]"),
            Self::ChoiceDefault { state } => format!("{state}.Default"),
            Self::Catcher { state, index } => format!("{state}.Catch[{index}]"),
            Self::Retrier { state, index } => format!("{state}.Retry[{index}]"),
            Self::Branch { state, index } => format!("{state}.Branches[{index}]"),
            Self::Processor { state } => format!("{state}.ItemProcessor"),
        }
    }
}

/// An item of the definition with whether a run can reach it at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelItem {
    /// The item.
    pub item: Item,
    /// Why no run can reach it (`None`: reachable).
    pub unreachable: Option<String>,
}

/// Covered and total (reachable) items of one category, with the uncovered and unreachable ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Reachable items covered.
    pub covered: usize,
    /// Reachable items.
    pub total: usize,
    /// Reachable items no run covered (labels).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uncovered: Vec<String>,
    /// Items no run can reach, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreachable: Vec<Unreachable>,
}

impl Tally {
    /// Covered share in per cent (100 when there is nothing to cover).
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.covered as f64 * 100.0 / self.total as f64
        }
    }
}

/// An item that cannot be reached, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreachable {
    /// The item's label.
    pub item: String,
    /// Why.
    pub reason: String,
}

/// Coverage of every category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CoverageReport {
    /// States entered.
    pub states: Tally,
    /// Choice rules and Defaults taken.
    pub choice_rules: Tally,
    /// Catch handlers taken.
    pub catchers: Tally,
    /// Retry rules used.
    pub retriers: Tally,
    /// Parallel branches and Map processors entered.
    pub branches: Tally,
}

/// Coverage of one definition, accumulated over runs.
#[derive(Debug, Clone)]
pub struct Coverage {
    items: Vec<ModelItem>,
    positions: HashMap<Item, usize>,
    hits: Vec<u64>,
    /// Start state name -> the branch or processor items it opens.
    starts: HashMap<String, Vec<usize>>,
}

impl Coverage {
    /// The coverage items of `definition`, none covered yet.
    ///
    /// # Errors
    /// The definition cannot be compiled (as [`crate::run`] would report).
    pub fn new(definition: &Value) -> Result<Self, DefinitionError> {
        let plan = plan::compile(definition)?;
        let items = model_items(&plan);
        let positions = items
            .iter()
            .enumerate()
            .map(|(position, item)| (item.item.clone(), position))
            .collect();
        let mut starts: HashMap<String, Vec<usize>> = HashMap::new();
        for (position, model) in items.iter().enumerate() {
            let start = match &model.item {
                Item::Branch { .. } | Item::Processor { .. } => start_of(&plan, &model.item),
                _ => None,
            };
            if let Some(start) = start {
                starts.entry(start).or_default().push(position);
            }
        }
        let hits = vec![0; items.len()];
        Ok(Self {
            items,
            positions,
            hits,
            starts,
        })
    }

    /// Counts what one run covered. States come from the history when it was recorded, else
    /// from the trace; decisions from the trace.
    pub fn record(&mut self, result: &ExecutionResult) {
        for name in entered_states(result) {
            self.hit(&Item::State {
                state: name.to_owned(),
            });
            if let Some(openers) = self.starts.get(name) {
                for &position in openers {
                    if let Some(hits) = self.hits.get_mut(position) {
                        *hits += 1;
                    }
                }
            }
        }
        for entry in &result.trace {
            for decision in &entry.decisions {
                let state = entry.state.clone();
                let item = match *decision {
                    Decision::ChoiceRule { index } => Item::ChoiceRule { state, index },
                    Decision::ChoiceDefault => Item::ChoiceDefault { state },
                    Decision::Retry { retrier } => Item::Retrier {
                        state,
                        index: retrier,
                    },
                    Decision::Catch { catcher } => Item::Catcher {
                        state,
                        index: catcher,
                    },
                };
                self.hit(&item);
            }
        }
    }

    fn hit(&mut self, item: &Item) {
        if let Some(&position) = self.positions.get(item)
            && let Some(hits) = self.hits.get_mut(position)
        {
            *hits += 1;
        }
    }

    /// Every item of the definition, reachable or not, in definition order.
    pub fn items(&self) -> &[ModelItem] {
        &self.items
    }

    /// Whether a recorded run covered `item`.
    pub fn is_covered(&self, item: &Item) -> bool {
        self.positions
            .get(item)
            .and_then(|&position| self.hits.get(position))
            .is_some_and(|&hits| hits > 0)
    }

    /// Reachable items no recorded run covered.
    pub fn uncovered(&self) -> Vec<&Item> {
        self.items
            .iter()
            .zip(&self.hits)
            .filter(|(model, hits)| model.unreachable.is_none() && **hits == 0)
            .map(|(model, _)| &model.item)
            .collect()
    }

    /// Whether `result` covered anything no earlier run did (without recording it).
    pub fn adds(&self, result: &ExecutionResult) -> bool {
        let mut probe = self.clone();
        probe.hits.iter_mut().for_each(|hits| *hits = 0);
        probe.record(result);
        probe
            .hits
            .iter()
            .zip(&self.hits)
            .any(|(new, old)| *new > 0 && *old == 0)
    }

    /// Forgets every recorded run.
    pub fn reset(&mut self) {
        self.hits.iter_mut().for_each(|hits| *hits = 0);
    }

    /// The tallies per category.
    pub fn report(&self) -> CoverageReport {
        let mut tallies: BTreeMap<Category, Tally> = BTreeMap::new();
        for (model, hits) in self.items.iter().zip(&self.hits) {
            let tally = tallies.entry(model.item.category()).or_default();
            match &model.unreachable {
                Some(reason) => tally.unreachable.push(Unreachable {
                    item: model.item.label(),
                    reason: reason.clone(),
                }),
                None => {
                    tally.total += 1;
                    if *hits > 0 {
                        tally.covered += 1;
                    } else {
                        tally.uncovered.push(model.item.label());
                    }
                }
            }
        }
        let mut take = |category| tallies.remove(&category).unwrap_or_default();
        CoverageReport {
            states: take(Category::States),
            choice_rules: take(Category::ChoiceRules),
            catchers: take(Category::Catchers),
            retriers: take(Category::Retriers),
            branches: take(Category::Branches),
        }
    }
}

/// The names of the states a run entered, in order (history events, else the trace).
pub fn entered_states(result: &ExecutionResult) -> Vec<&str> {
    if result.history.is_empty() {
        return result
            .trace
            .iter()
            .map(|entry| entry.state.as_str())
            .collect();
    }
    result
        .history
        .iter()
        .filter(|event| event.event_type.ends_with("StateEntered"))
        .filter_map(|event| {
            event
                .details
                .get("stateEnteredEventDetails")
                .and_then(|details| details.get("name"))
                .and_then(Value::as_str)
        })
        .collect()
}

fn start_of(plan: &Plan, item: &Item) -> Option<String> {
    let (state, index) = match item {
        Item::Branch { state, index } => (state, Some(*index)),
        Item::Processor { state } => (state, None),
        _ => return None,
    };
    let machine = plan.machines.iter().find_map(|machine| {
        machine
            .states
            .iter()
            .find(|candidate| &candidate.name == state)
            .and_then(|found| match (&found.kind, index) {
                (Kind::Parallel { branches }, Some(index)) => branches.get(index).copied(),
                (Kind::Map(spec), None) => Some(spec.processor),
                _ => None,
            })
    })?;
    let machine = plan.machines.get(machine)?;
    machine
        .states
        .get(machine.start)
        .map(|state| state.name.clone())
}

/// The items of every machine of the plan, with reachability.
fn model_items(plan: &Plan) -> Vec<ModelItem> {
    let mut items = Vec::new();
    add_machine(plan, 0, None, &mut items);
    items
}

fn add_machine(plan: &Plan, machine: usize, outer: Option<&str>, items: &mut Vec<ModelItem>) {
    let Some(compiled) = plan.machines.get(machine) else {
        return;
    };
    let reached = reachable_states(compiled);
    for (index, state) in compiled.states.iter().enumerate() {
        let unreachable_state = match outer {
            Some(reason) => Some(reason.to_owned()),
            None if !reached.get(index).copied().unwrap_or(false) => Some(format!(
                "no transition leads to '{}' from the machine's StartAt",
                state.name
            )),
            None => None,
        };
        let name = &state.name;
        let push = |items: &mut Vec<ModelItem>, item: Item, own: Option<String>| {
            items.push(ModelItem {
                item,
                unreachable: unreachable_state.clone().or(own),
            });
        };
        push(
            items,
            Item::State {
                state: name.clone(),
            },
            None,
        );
        if let Kind::Choice { rules, default } = &state.kind {
            for rule in 0..rules.len() {
                push(
                    items,
                    Item::ChoiceRule {
                        state: name.clone(),
                        index: rule,
                    },
                    None,
                );
            }
            if default.is_some() {
                push(
                    items,
                    Item::ChoiceDefault {
                        state: name.clone(),
                    },
                    None,
                );
            }
        }
        let retriers: Vec<&[std::rc::Rc<str>]> = state
            .retry
            .iter()
            .map(|retrier| retrier.errors.as_slice())
            .collect();
        for (position, reason) in shadowed(&retriers, "retrier").into_iter().enumerate() {
            push(
                items,
                Item::Retrier {
                    state: name.clone(),
                    index: position,
                },
                reason,
            );
        }
        let catchers: Vec<&[std::rc::Rc<str>]> = state
            .catch
            .iter()
            .map(|catcher| catcher.errors.as_slice())
            .collect();
        for (position, reason) in shadowed(&catchers, "catcher").into_iter().enumerate() {
            push(
                items,
                Item::Catcher {
                    state: name.clone(),
                    index: position,
                },
                reason,
            );
        }
        let inner_reason = unreachable_state
            .as_ref()
            .map(|_| format!("its state '{name}' cannot be reached"));
        match &state.kind {
            Kind::Parallel { branches } => {
                for (position, branch) in branches.iter().enumerate() {
                    push(
                        items,
                        Item::Branch {
                            state: name.clone(),
                            index: position,
                        },
                        None,
                    );
                    add_machine(plan, *branch, inner_reason.as_deref(), items);
                }
            }
            Kind::Map(spec) => {
                push(
                    items,
                    Item::Processor {
                        state: name.clone(),
                    },
                    None,
                );
                add_machine(plan, spec.processor, inner_reason.as_deref(), items);
            }
            _ => {}
        }
    }
}

/// For each retrier (or catcher), why it can never handle an error: every error it names is
/// handled by an earlier one (the first match wins).
fn shadowed(handlers: &[&[std::rc::Rc<str>]], what: &str) -> Vec<Option<String>> {
    let mut seen: Vec<&str> = Vec::new();
    handlers
        .iter()
        .enumerate()
        .map(|(position, errors)| {
            let covered = |error: &str| {
                seen.contains(&"States.ALL")
                    || seen.contains(&error)
                    || (seen.contains(&"States.TaskFailed")
                        && error != "States.Timeout"
                        && error != "States.ALL"
                        && !error.starts_with("States."))
            };
            let reason = (!errors.is_empty() && errors.iter().all(|error| covered(error)))
                .then(|| {
                    format!(
                        "every error it names is handled by an earlier {what} (before position {position})"
                    )
                });
            seen.extend(errors.iter().map(|error| &**error));
            reason
        })
        .collect()
}

/// Which states of the machine can be reached from its StartAt.
fn reachable_states(machine: &plan::Machine) -> Vec<bool> {
    let mut reached = vec![false; machine.states.len()];
    let mut pending = vec![machine.start];
    while let Some(index) = pending.pop() {
        let Some(slot) = reached.get_mut(index) else {
            continue;
        };
        if *slot {
            continue;
        }
        *slot = true;
        let Some(state) = machine.states.get(index) else {
            continue;
        };
        pending.extend(state.next);
        if let Kind::Choice { rules, default } = &state.kind {
            pending.extend(rules.iter().map(|rule| rule.next));
            pending.extend(*default);
        }
        pending.extend(state.catch.iter().map(|catcher| catcher.next));
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MockResponse, Mocks, Options, run};
    use serde_json::json;

    fn traced(mocks: Mocks) -> Options {
        Options {
            mocks,
            record_trace: true,
            ..Options::default()
        }
    }

    #[test]
    fn choice_rules_retries_and_catches_are_counted_from_the_run() -> Result<(), DefinitionError> {
        let definition = json!({
            "StartAt": "Route",
            "States": {
                "Route": {"Type": "Choice", "Choices": [
                    {"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Call"},
                    {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Call"}
                ], "Default": "Done"},
                "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 1}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"},
                              {"ErrorEquals": ["Boom"], "Next": "Done"}],
                    "Next": "Done"},
                "Done": {"Type": "Succeed"},
                "Orphan": {"Type": "Pass", "End": true}
            }
        });
        let mut coverage = Coverage::new(&definition)?;
        let mut mocks = Mocks::new();
        mocks.insert(
            "Call",
            0..=1,
            MockResponse::Throw {
                error: "Boom".to_owned(),
                cause: String::new(),
            },
            0.0,
        );
        // Rule 1 (not 0) routes to Call, whose retry then catch both run.
        coverage.record(&run(&definition, json!({"n": 3}), &traced(mocks)));
        assert!(coverage.is_covered(&Item::ChoiceRule {
            state: "Route".to_owned(),
            index: 1
        }));
        assert!(!coverage.is_covered(&Item::ChoiceRule {
            state: "Route".to_owned(),
            index: 0
        }));
        assert!(coverage.is_covered(&Item::Retrier {
            state: "Call".to_owned(),
            index: 0
        }));
        assert!(coverage.is_covered(&Item::Catcher {
            state: "Call".to_owned(),
            index: 0
        }));
        let report = coverage.report();
        assert_eq!((report.states.covered, report.states.total), (3, 3));
        assert_eq!(report.states.unreachable.len(), 1);
        assert_eq!(
            (report.choice_rules.covered, report.choice_rules.total),
            (1, 3)
        );
        // The second catcher can never run: States.ALL before it takes every error.
        assert_eq!((report.catchers.covered, report.catchers.total), (1, 1));
        assert_eq!(report.catchers.unreachable.len(), 1);
        coverage.record(&run(&definition, json!({"n": 0}), &traced(Mocks::new())));
        assert!(coverage.is_covered(&Item::ChoiceDefault {
            state: "Route".to_owned()
        }));
        Ok(())
    }

    #[test]
    fn branches_and_map_processors_count_when_their_first_state_runs() -> Result<(), DefinitionError>
    {
        let definition = json!({
            "StartAt": "Both",
            "States": {
                "Both": {"Type": "Parallel", "Branches": [
                    {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": true}}},
                    {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": true}}}
                ], "ResultPath": null, "Next": "Each"},
                "Each": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {
                    "StartAt": "One", "States": {"One": {"Type": "Pass", "End": true}}}, "End": true}
            }
        });
        let mut coverage = Coverage::new(&definition)?;
        coverage.record(&run(
            &definition,
            json!({"items": []}),
            &traced(Mocks::new()),
        ));
        let report = coverage.report();
        assert_eq!((report.branches.covered, report.branches.total), (2, 3));
        assert_eq!(report.branches.uncovered, vec!["Each.ItemProcessor"]);
        coverage.record(&run(
            &definition,
            json!({"items": [1]}),
            &traced(Mocks::new()),
        ));
        assert_eq!(coverage.report().branches.covered, 3);
        Ok(())
    }
}
