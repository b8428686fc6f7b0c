//! A finished run, indexed for time travel: which state each history event belongs to, which Map
//! iteration each state execution ran in, and the canvas overlay as of any event.
//!
//! AWS's history has no event for "branch 2 started", and events of a Map iteration follow the
//! parent's on one chain of `previousEventId`s, so the owner of an event is worked out from three
//! sources: the `...StateEntered` events (matched to the per-state trace by event id), the container
//! events that name their Map or belong to the innermost open container, and otherwise the event it
//! follows.

use std::collections::{HashMap, HashSet};

use graph_model::{MachinePath, PathStep, StateMachine};
use serde_json::{Map, Value};
use simulator::{ExecutionResult, HistoryEvent, StateTrace};

use crate::overlay::{RunOverlay, RunStatus};
use crate::selection::StateId;

/// Where every state lives. ASL requires state names to be unique across the whole definition,
/// nested machines included, so a name is enough to find a state.
#[derive(Clone, Debug, Default)]
pub struct StateIndex {
    paths: HashMap<String, MachinePath>,
}

impl StateIndex {
    /// Indexes every state of `root` and its nested machines.
    #[must_use]
    pub fn new(root: &StateMachine) -> Self {
        let mut paths = HashMap::new();
        for (path, machine) in root.all_machines() {
            for name in machine.state_names() {
                paths.entry(name.to_owned()).or_insert_with(|| path.clone());
            }
        }
        Self { paths }
    }

    /// The state called `name`, if the definition has one.
    #[must_use]
    pub fn id(&self, name: &str) -> Option<StateId> {
        self.paths
            .get(name)
            .map(|path| StateId::new(path.clone(), name))
    }
}

/// What the index knows about one state execution (one entry of the trace).
#[derive(Clone, Debug, Default)]
pub struct TraceInfo {
    /// The state, when it exists in the definition the run used.
    pub id: Option<StateId>,
    /// The Map iterations it ran inside, outermost first: (Map state name, iteration index).
    pub iterations: Vec<(String, usize)>,
}

/// Reads the Map iterations out of a trace scope such as `Outer[3]/Par#1/Inner[0]/`, guided by the
/// machine path of the state (a state name may itself contain `[`, `#` or `/`).
fn parse_scope(path: &MachinePath, scope: &str) -> Vec<(String, usize)> {
    let mut rest = scope;
    let mut iterations = Vec::new();
    for step in &path.0 {
        match step {
            PathStep::Processor { state } => {
                let Some(after) = rest
                    .strip_prefix(state.as_str())
                    .and_then(|after| after.strip_prefix('['))
                else {
                    return iterations;
                };
                let Some((digits, tail)) = after.split_once("]/") else {
                    return iterations;
                };
                let Ok(index) = digits.parse() else {
                    return iterations;
                };
                iterations.push((state.clone(), index));
                rest = tail;
            }
            PathStep::Branch { state, index } => {
                let label = format!("{state}#{index}/");
                match rest.strip_prefix(label.as_str()) {
                    Some(tail) => rest = tail,
                    None => return iterations,
                }
            }
        }
    }
    iterations
}

/// A finished (or stopped) run with its index.
#[derive(Debug)]
pub struct Timeline {
    /// The run's outcome, history and trace.
    pub result: ExecutionResult,
    /// The definition the run used.
    root: StateMachine,
    index: StateIndex,
    traces: Vec<TraceInfo>,
    /// Per history event: the trace entry (state execution) it belongs to.
    owners: Vec<Option<usize>>,
    /// `...StateEntered` event id -> trace entry.
    entered: HashMap<u64, usize>,
    /// Map state name -> how many iterations ran.
    iteration_counts: HashMap<String, usize>,
    /// Every `MapIterationStarted` event: its position, Map state name and iteration index.
    iteration_starts: Vec<(usize, String, usize)>,
}

/// Builds a [`Timeline`] a chunk at a time, so that indexing a big run never stalls a frame.
#[derive(Debug)]
pub struct TimelineBuilder {
    timeline: Timeline,
    traces_done: usize,
    events_done: usize,
    /// Trace entries of the Map/Parallel states whose children are running.
    containers: Vec<usize>,
}

impl TimelineBuilder {
    /// Starts indexing `result`, a run of `root`.
    #[must_use]
    pub fn new(result: ExecutionResult, root: StateMachine) -> Self {
        let index = StateIndex::new(&root);
        let events = result.history.len();
        let traces = result.trace.len();
        Self {
            timeline: Timeline {
                result,
                root,
                index,
                traces: Vec::with_capacity(traces),
                owners: Vec::with_capacity(events),
                entered: HashMap::with_capacity(traces),
                iteration_counts: HashMap::new(),
                iteration_starts: Vec::new(),
            },
            traces_done: 0,
            events_done: 0,
            containers: Vec::new(),
        }
    }

    /// Indexes up to `budget` items; returns whether the index is complete.
    pub fn advance(&mut self, budget: usize) -> bool {
        let mut budget = budget.max(1);
        let timeline = &mut self.timeline;
        while budget > 0 && self.traces_done < timeline.result.trace.len() {
            budget -= 1;
            let entry = &timeline.result.trace[self.traces_done];
            let id = timeline.index.id(&entry.state);
            let iterations = id
                .as_ref()
                .map(|id| parse_scope(&id.machine, &entry.scope))
                .unwrap_or_default();
            for (map, index) in &iterations {
                let count = timeline.iteration_counts.entry(map.clone()).or_insert(0);
                *count = (*count).max(index + 1);
            }
            timeline
                .entered
                .insert(entry.entered_event_id, self.traces_done);
            timeline.traces.push(TraceInfo { id, iterations });
            self.traces_done += 1;
        }
        while budget > 0 && self.events_done < self.timeline.result.history.len() {
            budget -= 1;
            let owner = self.owner_of(self.events_done);
            self.timeline.owners.push(owner);
            let event = &self.timeline.result.history[self.events_done];
            if event.event_type == "MapIterationStarted"
                && let (Some(name), Some(index)) = (
                    details_field(event, "name").and_then(Value::as_str),
                    details_field(event, "index").and_then(Value::as_u64),
                )
            {
                let start = (
                    self.events_done,
                    name.to_owned(),
                    usize::try_from(index).unwrap_or(usize::MAX),
                );
                self.timeline.iteration_starts.push(start);
            }
            self.events_done += 1;
        }
        self.is_done()
    }

    /// Whether everything is indexed.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.traces_done >= self.timeline.result.trace.len()
            && self.events_done >= self.timeline.result.history.len()
    }

    /// Share of the work done, 0 to 1.
    #[must_use]
    pub fn progress(&self) -> f32 {
        let total = self.timeline.result.trace.len() + self.timeline.result.history.len();
        if total == 0 {
            1.0
        } else {
            (self.traces_done + self.events_done) as f32 / total as f32
        }
    }

    /// The finished index (call once [`Self::advance`] returned true).
    #[must_use]
    pub fn finish(mut self) -> Timeline {
        while !self.advance(usize::MAX) {}
        self.timeline
    }

    fn state_name(&self, trace: usize) -> Option<&str> {
        self.timeline
            .result
            .trace
            .get(trace)
            .map(|entry| entry.state.as_str())
    }

    /// The open container an event belongs to, found from the trace entry of the event it follows:
    /// that entry itself when it is an open container (named `name`, if given), else the open
    /// container it ran directly inside. Returns a position in `containers`.
    fn open_container_by_chain(&self, chained: Option<usize>, name: Option<&str>) -> Option<usize> {
        let chained = chained?;
        let named = |trace: usize| name.is_none_or(|name| self.state_name(trace) == Some(name));
        if let Some(position) = self.containers.iter().rposition(|&trace| trace == chained)
            && named(chained)
        {
            return Some(position);
        }
        let trace = &self.timeline.result.trace;
        let child_scope = trace.get(chained)?.scope.as_str();
        self.containers.iter().rposition(|&container| {
            named(container)
                && trace.get(container).is_some_and(|entry| {
                    child_scope
                        .strip_prefix(entry.scope.as_str())
                        .and_then(|rest| rest.strip_prefix(entry.state.as_str()))
                        .is_some_and(is_child_label)
                })
        })
    }

    fn owner_of(&mut self, position: usize) -> Option<usize> {
        let timeline = &self.timeline;
        let event = timeline.result.history.get(position)?;
        let kind = event.event_type;
        let by_chain = || {
            let previous = usize::try_from(event.previous_event_id)
                .ok()?
                .checked_sub(1)?;
            timeline.owners.get(previous).copied().flatten()
        };
        if kind.starts_with("Execution") {
            return None;
        }
        if kind.ends_with("StateEntered") {
            return timeline.entered.get(&event.id).copied();
        }
        if kind.starts_with("MapIteration") {
            let name = details_field(event, "name")
                .and_then(Value::as_str)
                .map(str::to_owned);
            // Iterations of one Map state may run inside several instances of it at once (one per
            // iteration of an outer Map), so the chain decides; the name is the fallback.
            if let Some(position) = self.open_container_by_chain(by_chain(), name.as_deref()) {
                return self.containers.get(position).copied();
            }
            let found = self.containers.iter().rposition(|&trace| {
                name.as_deref()
                    .is_some_and(|name| self.state_name(trace) == Some(name))
            });
            return match found {
                Some(position) => {
                    // Anything opened above it was abandoned (a failure that emitted no end event).
                    self.containers.truncate(position + 1);
                    self.containers.last().copied()
                }
                None => by_chain(),
            };
        }
        match kind {
            "MapStateStarted" | "ParallelStateStarted" => {
                let owner = by_chain();
                if let Some(owner) = owner {
                    self.containers.push(owner);
                }
                owner
            }
            "MapRunStarted" | "MapRunSucceeded" | "MapRunFailed" | "MapRunAborted" => {
                match self.open_container_by_chain(by_chain(), None) {
                    Some(position) => self.containers.get(position).copied(),
                    None => self.containers.last().copied().or_else(by_chain),
                }
            }
            "MapStateSucceeded"
            | "MapStateFailed"
            | "MapStateAborted"
            | "ParallelStateSucceeded"
            | "ParallelStateFailed"
            | "ParallelStateAborted" => {
                // Containers running side by side end in any order: close the one this event
                // follows from, not simply the last opened.
                match self.open_container_by_chain(by_chain(), None) {
                    Some(position) => Some(self.containers.remove(position)),
                    None => self.containers.pop().or_else(by_chain),
                }
            }
            _ => {
                let owner = by_chain();
                if kind.ends_with("StateExited")
                    && let Some(owner) = owner
                    && let Some(position) = self.containers.iter().position(|&trace| trace == owner)
                {
                    self.containers.truncate(position);
                }
                owner
            }
        }
    }
}

/// Whether `rest` is the label a container adds to its direct children's scope: `[index]/` for a
/// Map iteration, `#branch/` for a Parallel branch.
fn is_child_label(rest: &str) -> bool {
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit());
    if let Some(inner) = rest.strip_prefix('[').and_then(|r| r.strip_suffix("]/")) {
        return digits(inner);
    }
    rest.strip_prefix('#')
        .and_then(|r| r.strip_suffix('/'))
        .is_some_and(digits)
}

/// The member `field` of an event's `...EventDetails` object.
#[must_use]
pub fn details_field<'e>(event: &'e HistoryEvent, field: &str) -> Option<&'e Value> {
    event
        .details
        .values()
        .find_map(|details| details.get(field))
}

/// The data an event carries (its input, output, parameters or result), parsed back into JSON,
/// with the name of the field.
#[must_use]
pub fn event_data(event: &HistoryEvent) -> Option<(&'static str, Value)> {
    for field in ["input", "output", "parameters"] {
        if let Some(text) = details_field(event, field).and_then(Value::as_str) {
            let value =
                serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()));
            return Some((field, value));
        }
    }
    let error = details_field(event, "error").and_then(Value::as_str);
    let cause = details_field(event, "cause").and_then(Value::as_str);
    if error.is_some() || cause.is_some() {
        let mut object = Map::new();
        if let Some(error) = error {
            object.insert("Error".to_owned(), Value::String(error.to_owned()));
        }
        if let Some(cause) = cause {
            object.insert("Cause".to_owned(), Value::String(cause.to_owned()));
        }
        return Some(("error", Value::Object(object)));
    }
    None
}

/// Events that mean "this attempt of the state failed".
fn is_failure(kind: &str) -> bool {
    !kind.starts_with("Execution")
        && !kind.starts_with("MapIteration")
        && !kind.starts_with("MapRun")
        && (kind.ends_with("Failed") || kind.ends_with("TimedOut"))
}

/// Events that start an attempt of a state (a retry when the previous attempt failed).
fn is_attempt_start(kind: &str) -> bool {
    matches!(
        kind,
        "TaskScheduled" | "LambdaFunctionScheduled" | "MapStateStarted" | "ParallelStateStarted"
    )
}

/// The overlay being worked out a chunk of events at a time (see [`Timeline::overlay_job`]).
#[derive(Debug)]
pub struct OverlayJob {
    /// One past the last event folded in (the cursor's).
    end: usize,
    /// The next event to fold in.
    position: usize,
    visible: Vec<bool>,
    visits: HashMap<usize, Visit>,
    /// Per scope (machine instance): the state execution that last exited, and whether its
    /// error was caught.
    last_exit: HashMap<String, (usize, bool)>,
    ended_failed: bool,
    overlay: RunOverlay,
}

#[derive(Clone, Copy, Debug, Default)]
struct Visit {
    open: bool,
    failed_last: bool,
    failure_events: u32,
    retries: u32,
    caught: bool,
}

impl Timeline {
    /// The history events.
    #[must_use]
    pub fn events(&self) -> &[HistoryEvent] {
        &self.result.history
    }

    /// The per-state trace.
    #[must_use]
    pub fn trace(&self) -> &[StateTrace] {
        &self.result.trace
    }

    /// What the index knows about trace entry `trace`.
    #[must_use]
    pub fn trace_info(&self, trace: usize) -> Option<&TraceInfo> {
        self.traces.get(trace)
    }

    /// The trace entry (state execution) the event at `position` belongs to.
    #[must_use]
    pub fn owner(&self, position: usize) -> Option<usize> {
        self.owners.get(position).copied().flatten()
    }

    /// The state the event at `position` belongs to.
    #[must_use]
    pub fn event_state(&self, position: usize) -> Option<&StateId> {
        self.owner(position)
            .and_then(|trace| self.traces.get(trace))
            .and_then(|info| info.id.as_ref())
    }

    /// The state called `name` in the definition the run used.
    #[must_use]
    pub fn state_id(&self, name: &str) -> Option<StateId> {
        self.index.id(name)
    }

    /// Map state name -> number of iterations that ran, sorted by name.
    #[must_use]
    pub fn iteration_counts(&self) -> Vec<(&str, usize)> {
        let mut counts: Vec<(&str, usize)> = self
            .iteration_counts
            .iter()
            .map(|(name, count)| (name.as_str(), *count))
            .collect();
        counts.sort_unstable();
        counts
    }

    /// The first `...StateEntered` event after `after` (from the start when `None`) whose state
    /// passes `wanted`.
    #[must_use]
    pub fn next_entered(
        &self,
        after: Option<usize>,
        wanted: impl Fn(&str) -> bool,
    ) -> Option<usize> {
        let start = after.map_or(0, |after| after + 1);
        (start..self.result.history.len()).find(|&position| {
            self.result.history[position]
                .event_type
                .ends_with("StateEntered")
                && self
                    .owner(position)
                    .and_then(|trace| self.result.trace.get(trace))
                    .is_some_and(|entry| wanted(&entry.state))
        })
    }

    /// The last `...StateEntered` event before `before`.
    #[must_use]
    pub fn previous_entered(&self, before: usize) -> Option<usize> {
        (0..before.min(self.result.history.len()))
            .rev()
            .find(|&position| {
                self.result.history[position]
                    .event_type
                    .ends_with("StateEntered")
            })
    }

    /// The Map iterations shown as of event `cursor`: the user's pick for a Map, else the latest
    /// iteration started so far.
    #[must_use]
    pub fn shown_iterations(
        &self,
        cursor: usize,
        picked: &HashMap<String, usize>,
    ) -> HashMap<String, usize> {
        let mut shown: HashMap<String, usize> = HashMap::new();
        // The latest start of each Map: walk back from the cursor until every Map is seen.
        let end = self
            .iteration_starts
            .partition_point(|(position, _, _)| *position <= cursor);
        for (_, name, index) in self.iteration_starts[..end].iter().rev() {
            if shown.len() == self.iteration_counts.len() {
                break;
            }
            shown.entry(name.clone()).or_insert(*index);
        }
        for (name, index) in picked {
            shown.insert(name.clone(), *index);
        }
        shown
    }

    fn visible(&self, trace: usize, shown: &HashMap<String, usize>) -> bool {
        self.traces.get(trace).is_none_or(|info| {
            info.iterations
                .iter()
                .all(|(map, index)| shown.get(map).is_none_or(|shown| shown == index))
        })
    }

    /// The canvas overlay as of the event at `cursor` (inclusive), showing the Map iterations in
    /// `shown` (see [`Self::shown_iterations`]).
    #[must_use]
    pub fn overlay_at(&self, cursor: usize, shown: &HashMap<String, usize>) -> RunOverlay {
        let mut job = self.overlay_job(cursor, shown);
        while !self.advance_overlay(&mut job, usize::MAX) {}
        self.finish_overlay(job)
    }

    /// Starts working out the overlay of [`Self::overlay_at`] a chunk of events at a time
    /// ([`Self::advance_overlay`], then [`Self::finish_overlay`]): after a run of tens of
    /// thousands of events, one scan of the whole history takes longer than a frame.
    #[must_use]
    pub fn overlay_job(&self, cursor: usize, shown: &HashMap<String, usize>) -> OverlayJob {
        OverlayJob {
            end: cursor.saturating_add(1).min(self.result.history.len()),
            position: 0,
            // Visibility per state execution, worked out once rather than once per event.
            visible: (0..self.traces.len())
                .map(|trace| self.visible(trace, shown))
                .collect(),
            visits: HashMap::new(),
            last_exit: HashMap::new(),
            ended_failed: false,
            overlay: RunOverlay::default(),
        }
    }

    /// Folds up to `budget` more events into `job`; returns whether it has seen them all.
    pub fn advance_overlay(&self, job: &mut OverlayJob, budget: usize) -> bool {
        let stop = job.position.saturating_add(budget.max(1)).min(job.end);
        while job.position < stop {
            let position = job.position;
            job.position += 1;
            let event = &self.result.history[position];
            let kind = event.event_type;
            if kind.starts_with("Execution") {
                job.ended_failed |= matches!(kind, "ExecutionFailed" | "ExecutionTimedOut");
                continue;
            }
            let Some(trace) = self.owner(position) else {
                continue;
            };
            if !job.visible.get(trace).copied().unwrap_or(true) {
                continue;
            }
            let Some(entry) = self.result.trace.get(trace) else {
                continue;
            };
            if kind.ends_with("StateEntered") {
                if let Some((from, caught)) = job.last_exit.remove(entry.scope.as_str()) {
                    self.add_edge(&mut job.overlay, from, &entry.state, caught);
                }
                job.visits.insert(
                    trace,
                    Visit {
                        open: true,
                        ..Visit::default()
                    },
                );
                continue;
            }
            let visit = job.visits.entry(trace).or_default();
            if kind.ends_with("StateExited") {
                visit.open = false;
                visit.caught =
                    visit.failed_last || (visit.failure_events == 0 && entry.error.is_some());
                let exit = (trace, visit.caught);
                match job.last_exit.get_mut(entry.scope.as_str()) {
                    Some(slot) => *slot = exit,
                    None => {
                        job.last_exit.insert(entry.scope.clone(), exit);
                    }
                }
            } else if is_failure(kind) {
                visit.failed_last = true;
                visit.failure_events += 1;
            } else if is_attempt_start(kind) && visit.failed_last {
                visit.retries += 1;
                visit.failed_last = false;
            }
        }
        job.position >= job.end
    }

    /// The overlay once [`Self::advance_overlay`] has seen every event.
    #[must_use]
    pub fn finish_overlay(&self, job: OverlayJob) -> RunOverlay {
        let OverlayJob {
            visits,
            ended_failed,
            mut overlay,
            ..
        } = job;
        let mut ordered: Vec<(usize, Visit)> = visits.into_iter().collect();
        ordered.sort_unstable_by_key(|(trace, _)| *trace);
        for (trace, visit) in ordered {
            let Some(id) = self.traces.get(trace).and_then(|info| info.id.clone()) else {
                continue;
            };
            let has_error = self
                .result
                .trace
                .get(trace)
                .is_some_and(|entry| entry.error.is_some());
            let status = if visit.open {
                if visit.failed_last || (ended_failed && has_error) {
                    RunStatus::Failed
                } else {
                    RunStatus::Entered
                }
            } else {
                RunStatus::left(visit.caught, visit.retries)
            };
            overlay.record(id, status, visit.retries);
        }
        overlay
    }

    fn add_edge(&self, overlay: &mut RunOverlay, from: usize, target: &str, caught: bool) {
        let Some(from_id) = self.traces.get(from).and_then(|info| info.id.clone()) else {
            return;
        };
        let Some(state) = self
            .root
            .machine_at(&from_id.machine)
            .and_then(|machine| machine.state(&from_id.name))
        else {
            return;
        };
        if let Some(transition) = state.transition_taken_to(target, caught) {
            overlay.taken_edges.insert((from_id, transition));
        }
    }

    /// The latest execution of `state` that had started by event `cursor` in the shown iterations.
    #[must_use]
    pub fn trace_for(
        &self,
        state: &StateId,
        cursor: usize,
        shown: &HashMap<String, usize>,
    ) -> Option<usize> {
        let cursor_id = self
            .result
            .history
            .get(cursor)
            .map_or(u64::MAX, |event| event.id);
        (0..self.result.trace.len()).rev().find(|&trace| {
            self.result.trace[trace].entered_event_id <= cursor_id
                && self.traces.get(trace).and_then(|info| info.id.as_ref()) == Some(state)
                && self.visible(trace, shown)
        })
    }

    /// The variables in scope when trace entry `trace` started: every `Assign` made before it in its
    /// own scope or an enclosing one (a Map iteration or Parallel branch sees its parent's variables,
    /// never a sibling's).
    #[must_use]
    pub fn variables_before(&self, trace: usize) -> Map<String, Value> {
        let mut variables = Map::new();
        let Some(target) = self.result.trace.get(trace) else {
            return variables;
        };
        for entry in self.result.trace.iter().take(trace) {
            if !target.scope.starts_with(entry.scope.as_str()) {
                continue;
            }
            for stage in entry.stages.iter().filter(|stage| stage.stage == "assign") {
                if let Value::Object(assigned) = &stage.value {
                    for (name, value) in assigned {
                        variables.insert(name.clone(), value.clone());
                    }
                }
            }
        }
        variables
    }

    /// States entered in the whole run, for the "not reached" list.
    #[must_use]
    pub fn reached_names(&self) -> HashSet<&str> {
        self.result
            .trace
            .iter()
            .map(|entry| entry.state.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_parsing_follows_the_machine_path() {
        let path = MachinePath::root()
            .processor("Outer")
            .branch("Par", 1)
            .processor("In[ner");
        assert_eq!(
            parse_scope(&path, "Outer[3]/Par#1/In[ner[0]/"),
            vec![("Outer".to_owned(), 3), ("In[ner".to_owned(), 0)]
        );
        assert_eq!(parse_scope(&path, "garbage"), Vec::new());
    }

    /// The overlay worked out a few events per frame is the overlay worked out at once, at every
    /// cursor: a run with a Map, a retried and caught failure, and a Choice.
    #[test]
    fn overlay_in_chunks_is_the_overlay_at_once() -> Result<(), String> {
        let definition = serde_json::json!({
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "ItemProcessor": {
                        "StartAt": "Check",
                        "States": {
                            "Check": {"Type": "Choice", "Choices": [
                                {"Variable": "$", "NumericGreaterThan": 1, "Next": "Big"}
                            ], "Default": "Small"},
                            "Big": {"Type": "Pass", "End": true},
                            "Small": {"Type": "Pass", "End": true}
                        }
                    },
                    "Next": "Boom"
                },
                "Boom": {
                    "Type": "Fail", "Error": "Custom.Boom"
                }
            }
        });
        let root = StateMachine::from_value(&definition).map_err(|e| e.to_string())?;
        let result = simulator::run(
            &definition,
            serde_json::json!([1, 2, 3]),
            &simulator::Options::default(),
        );
        let timeline = TimelineBuilder::new(result, root).finish();
        let events = timeline.events().len();
        assert!(events > 10, "{events} events");
        for cursor in [0, events / 2, events - 1] {
            let shown = timeline.shown_iterations(cursor, &HashMap::new());
            let mut job = timeline.overlay_job(cursor, &shown);
            let mut chunks = 0;
            while !timeline.advance_overlay(&mut job, 1) {
                chunks += 1;
            }
            assert!(chunks >= cursor, "{chunks} chunks for cursor {cursor}");
            let chunked = timeline.finish_overlay(job);
            assert_eq!(
                chunked,
                timeline.overlay_at(cursor, &shown),
                "cursor {cursor}"
            );
            if cursor == events - 1 {
                assert!(!chunked.states.is_empty() && !chunked.taken_edges.is_empty());
            }
        }
        Ok(())
    }

    /// Two instances of one inner Map run at the same time (one per outer iteration) and end in
    /// the other order than they started: each event still belongs to its own instance.
    #[test]
    fn concurrent_instances_of_one_map_keep_their_own_events() -> Result<(), String> {
        let definition = serde_json::json!({
            "StartAt": "Outer",
            "States": {
                "Outer": {
                    "Type": "Map",
                    "ItemProcessor": {
                        "StartAt": "Inner",
                        "States": {
                            "Inner": {
                                "Type": "Map",
                                "ItemProcessor": {
                                    "StartAt": "Pause",
                                    "States": {
                                        "Pause": {"Type": "Wait", "SecondsPath": "$", "End": true}
                                    }
                                },
                                "End": true
                            }
                        }
                    },
                    "End": true
                }
            }
        });
        let root = StateMachine::from_value(&definition).map_err(|e| e.to_string())?;
        // Outer iteration 0's Inner ends at 10 s, iteration 1's (opened after it) at 30 s.
        let input = serde_json::json!([[5, 10], [20, 30]]);
        let result = simulator::run(&definition, input, &simulator::Options::default());
        assert_eq!(result.status, simulator::Status::Succeeded);
        let timeline = TimelineBuilder::new(result, root).finish();
        let events = timeline.events();
        let inner_instances: Vec<usize> = (0..timeline.trace().len())
            .filter(|&trace| timeline.trace()[trace].state == "Inner")
            .collect();
        assert_eq!(inner_instances.len(), 2);
        for instance in inner_instances {
            let scope = timeline.trace()[instance].scope.clone();
            let owned: Vec<&str> = (0..events.len())
                .filter(|&position| timeline.owner(position) == Some(instance))
                .map(|position| events[position].event_type)
                .collect();
            assert_eq!(
                owned,
                vec![
                    "MapStateEntered",
                    "MapStateStarted",
                    "MapIterationStarted",
                    "MapIterationStarted",
                    "MapIterationSucceeded",
                    "MapIterationSucceeded",
                    "MapStateSucceeded",
                    "MapStateExited"
                ],
                "events of Inner in {scope}"
            );
        }
        // Every state event belongs to the state it names.
        for (position, event) in events.iter().enumerate() {
            let named = details_field(event, "name").and_then(Value::as_str);
            if event.event_type.ends_with("StateEntered")
                || event.event_type.ends_with("StateExited")
            {
                let owner = timeline
                    .owner(position)
                    .map(|trace| timeline.trace()[trace].state.as_str());
                assert_eq!(owner, named, "event {}", event.id);
            }
        }
        Ok(())
    }
}
