//! Parallel and Map: preparing a container (its items, MaxConcurrency, tolerated failures), starting
//! and ending its children one at a time, stopping or deferring a child that a sibling's failure
//! may overtake (see `concurrency`), and gathering their results.

use std::cell::Cell;
use std::collections::VecDeque;
use std::rc::Rc;

use graph_model::expr::jsonpath::Path;
use serde_json::{Map, Value, json};

use crate::concurrency::{
    self, DISTRIBUTED_MAP_CONCURRENCY, INLINE_MAP_CONCURRENCY, LogMark, Schedule,
};
use crate::error::{Raised, Severity};
use crate::expr::JsonataScope;
use crate::intrinsics::IntrinsicContext;
use crate::path::{self as jpath};
use crate::plan::{Dynamic, Language, MapSpec, State};
use crate::template::{Scope, compact};
use crate::types::Status;

use super::events::detail;
use super::map_run::MapShape;
use super::payload::{data_limit, json_size_up_to};
use super::retry_catch::error_output;
use super::state::{as_float, as_integer, raw_text, resolve_dynamic};
use super::{Execution, Frame};

pub(super) enum ContainerKind {
    Parallel {
        branches: Vec<usize>,
    },
    Map {
        processor: usize,
        distributed: bool,
        /// MaxConcurrency (0 or absent: no limit of the user's).
        max_concurrency: Option<u64>,
        tolerated_count: Option<u64>,
        tolerated_percentage: Option<f64>,
    },
}

pub(super) struct Container {
    pub(super) kind: ContainerKind,
    /// Parallel: the branch input. Map: the value `$` stands for in ItemSelector.
    pub(super) input: Rc<Value>,
    pub(super) items: Items,
    pub(super) next: usize,
    pub(super) results: Vec<Value>,
    /// Bytes of JSON text `results` would take, counted as children end so that a Map whose
    /// result cannot fit the payload limit fails before it holds thousands of large outputs.
    pub(super) result_bytes: usize,
    /// A copy of `results` made item by item as iterations end, for the trace's `result` stage: the
    /// step that completes a 10,000-item Map then moves it instead of copying all items at once.
    pub(super) traced_results: Option<Vec<Value>>,
    pub(super) failures: u64,
    /// The failure that fails the container: of its children's, the earliest on the virtual clock.
    pub(super) failure: Option<Raised>,
    pub(super) schedule: Schedule,
    /// A Map's object pairs, batches and ResultWriter record (see `map_run`).
    pub(super) shape: MapShape,
    /// Children rolled back at the horizon, to run again once the others have run.
    pub(super) deferred: Vec<usize>,
    /// Deferred children being run again, in index order.
    pub(super) rerun: VecDeque<usize>,
    /// How far past the container's start a child may run while a sibling not yet run could
    /// still fail before it.
    pub(super) horizon_millis: i64,
    /// What the running child may have to roll back (children that may be deferred only).
    pub(super) attempt: Option<Attempt>,
    /// Which child each of `results` came from, when children may end out of order.
    pub(super) result_order: Vec<usize>,
}

/// How far, at first, a child runs on the virtual clock before its siblings have run: a minute
/// of polling costs a few dozen steps, and children that end sooner (most) run once, in order.
const FIRST_HORIZON_MILLIS: i64 = 60_000;

/// The run's state when a child that may be deferred started.
pub(super) struct Attempt {
    pub(super) index: usize,
    pub(super) log: LogMark,
    pub(super) random: IntrinsicContext,
    pub(super) transitions: u64,
    pub(super) result_files: usize,
}

impl Container {
    pub(super) fn total(&self) -> usize {
        match &self.kind {
            ContainerKind::Parallel { branches } => branches.len(),
            ContainerKind::Map { .. } => self.items.len(),
        }
    }

    /// Whether every child that will run has run.
    pub(super) fn exhausted(&self) -> bool {
        !self.fresh_child_may_start() && self.rerun.is_empty() && self.deferred.is_empty()
    }

    /// Whether a child that has not run yet would start (none does after a failure at or
    /// before the instant it would start).
    fn fresh_child_may_start(&self) -> bool {
        self.next < self.total() && self.schedule.may_start_more()
    }

    /// Whether a child may be rolled back and run again after its siblings: every child starts
    /// with the container (a Parallel, an inline Map with a slot for each item), so no sibling's
    /// start depends on when it ends, and its failure fails the container (not a Distributed
    /// Map's, which counts failures).
    pub(super) fn may_defer(&self) -> bool {
        match &self.kind {
            ContainerKind::Parallel { .. } => true,
            ContainerKind::Map { distributed, .. } => {
                !distributed && self.schedule.starts_all_at_once(self.total())
            }
        }
    }

    /// The child to start next: the next one not run yet, else a deferred one (each round of
    /// deferred children runs with a horizon twice as far, unless a failure now bounds them).
    fn next_child(&mut self) -> Option<usize> {
        if self.fresh_child_may_start() {
            let index = self.next;
            self.next += 1;
            return Some(index);
        }
        if self.rerun.is_empty() {
            self.deferred.sort_unstable();
            self.rerun = self.deferred.drain(..).collect();
            if self.schedule.failed_at().is_none() {
                self.horizon_millis = self.horizon_millis.saturating_mul(2);
            }
        }
        self.rerun.pop_front()
    }

    /// The instant past which the running child must not go on: the earliest failure (it is
    /// stopped there), or, while a sibling that has not run could still fail sooner, the horizon
    /// (it is rolled back and deferred).
    pub(super) fn watch_limit(&self) -> Option<i64> {
        if let Some(failed_at) = self.schedule.failed_at() {
            return Some(failed_at);
        }
        let racers =
            self.fresh_child_may_start() || !self.rerun.is_empty() || !self.deferred.is_empty();
        (self.attempt.is_some() && racers).then(|| {
            self.schedule
                .started_millis()
                .saturating_add(self.horizon_millis)
        })
    }

    /// Keeps `raised`, raised at `at_millis`, if it is the earliest failure so far.
    pub(super) fn record_failure(&mut self, raised: Raised, at_millis: i64) {
        if self.schedule.record_failure(at_millis) {
            self.failure = Some(raised);
        }
    }
}

/// A Map's items: its own list, or an array inside a value the frame already holds (copied one item at
/// a time as iterations start, so the array is never copied whole).
pub(super) enum Items {
    Owned(Vec<Value>),
    Shared {
        source: Rc<Value>,
        path: Path,
        count: usize,
    },
}

impl Items {
    pub(super) fn len(&self) -> usize {
        match self {
            Items::Owned(items) => items.len(),
            Items::Shared { count, .. } => *count,
        }
    }

    /// The item at `index`, for its iteration (each index is taken once).
    pub(super) fn take(&mut self, index: usize) -> Value {
        match self {
            Items::Owned(items) => items
                .get_mut(index)
                .map(std::mem::take)
                .unwrap_or(Value::Null),
            Items::Shared { source, path, .. } => match jpath::evaluate(path, source) {
                Ok(found) => found.as_value().get(index).cloned().unwrap_or(Value::Null),
                Err(_) => Value::Null,
            },
        }
    }
}

impl Items {
    /// A copy of the item at `index`, for an iteration that may have to start again.
    fn copy(&self, index: usize) -> Value {
        match self {
            Items::Owned(items) => items.get(index).cloned().unwrap_or(Value::Null),
            Items::Shared { source, path, .. } => match jpath::evaluate(path, source) {
                Ok(found) => found.as_value().get(index).cloned().unwrap_or(Value::Null),
                Err(_) => Value::Null,
            },
        }
    }
}

impl Execution {
    /// Checks that `path` finds an array in the frame's input and refers to it without copying it;
    /// an object's key-value pairs are made into items (`true`).
    pub(super) fn shared_items(
        &self,
        depth: usize,
        text: &str,
        path: &Path,
        scope: &Scope<'_>,
    ) -> Result<(Items, bool), Raised> {
        let found = scope.lookup(path).map_err(|missing| {
            Raised::runtime(format!("Invalid path '{text}' : {}", missing.message))
        })?;
        match found.as_value() {
            Value::Array(items) => Ok((
                Items::Shared {
                    source: self.raw_input(depth),
                    path: path.clone(),
                    count: items.len(),
                },
                false,
            )),
            Value::Object(object) => Ok((
                Items::Owned(crate::map_items::object_entries(object.clone())),
                true,
            )),
            other => Err(Raised::runtime(format!(
                "Map state input must be an array but was: {}",
                compact(other)
            ))),
        }
    }

    /// Validates MaxConcurrency and the tolerated failure settings, and returns the container kind.
    pub(super) fn map_kind(
        &self,
        spec: &MapSpec,
        scope: &Scope<'_>,
        jsonata: Option<&JsonataScope<'_>>,
    ) -> Result<ContainerKind, Raised> {
        let mut max_concurrency = None;
        if let Some(dynamic) = &spec.max_concurrency {
            let value = resolve_dynamic(dynamic, "MaxConcurrency", scope, jsonata)?;
            if let Dynamic::Path { text, .. } = dynamic
                && as_integer(&value).is_none()
            {
                return Err(Raised::runtime(format!(
                    "The MaxConcurrencyPath field refers to value \"{}\" which is not a valid integer: {text}",
                    raw_text(&value)
                )));
            }
            max_concurrency = as_integer(&value)
                .and_then(|limit| u64::try_from(limit).ok())
                .filter(|&limit| limit > 0);
        }
        let tolerated_count = match &spec.tolerated_count {
            None => None,
            Some(dynamic) => {
                let value = resolve_dynamic(dynamic, "ToleratedFailureCount", scope, jsonata)?;
                let Some(count) = as_integer(&value) else {
                    let text = path_text(dynamic);
                    return Err(Raised::runtime(format!(
                        "The ToleratedFailureCountPath field refers to value \"{}\" which is not a valid integer: {text}",
                        raw_text(&value)
                    )));
                };
                if count < 0 {
                    return Err(Raised::runtime("ToleratedFailureCount cannot be negative."));
                }
                u64::try_from(count).ok()
            }
        };
        let tolerated_percentage = match &spec.tolerated_percentage {
            None => None,
            Some(dynamic) => {
                let value = resolve_dynamic(dynamic, "ToleratedFailurePercentage", scope, jsonata)?;
                let Some(percentage) = as_float(&value) else {
                    let text = path_text(dynamic);
                    return Err(Raised::runtime(format!(
                        "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid float: {text}",
                        raw_text(&value)
                    )));
                };
                if !(0.0..=100.0).contains(&percentage) {
                    return Err(Raised::runtime(
                        "ToleratedFailurePercentage must be between 0 and 100.",
                    ));
                }
                Some(percentage)
            }
        };
        Ok(ContainerKind::Map {
            processor: spec.processor,
            distributed: spec.distributed,
            max_concurrency,
            tolerated_count,
            tolerated_percentage,
        })
    }

    pub(super) fn start_container_events(
        &self,
        depth: usize,
        state: &State,
        container: &Container,
    ) {
        match &container.kind {
            ContainerKind::Parallel { .. } => {
                self.emit(depth, "ParallelStateStarted", Map::new);
            }
            ContainerKind::Map { distributed, .. } => {
                let length = container.items.len();
                self.emit(depth, "MapStateStarted", || {
                    detail("mapStateStartedEventDetails", json!({"length": length}))
                });
                if *distributed {
                    let arn = self.map_run(state).arn;
                    self.emit(depth, "MapRunStarted", || {
                        detail("mapRunStartedEventDetails", json!({"mapRunArn": arn}))
                    });
                }
            }
        }
    }

    pub(super) fn start_child(&mut self, depth: usize) {
        let plan = Rc::clone(&self.plan);
        let Some(frame) = self.stack.get(depth) else {
            return;
        };
        let Some(state) = plan.state(frame.machine, frame.state) else {
            return;
        };
        let Some((index, start_millis, may_defer)) = self
            .stack
            .get_mut(depth)
            .and_then(|frame| frame.container.as_mut())
            .and_then(|container| {
                let index = container.next_child()?;
                Some((
                    index,
                    container.schedule.start_child(),
                    container.may_defer(),
                ))
            })
        else {
            return;
        };
        self.clock_millis.set(start_millis);
        // Taken before the ItemSelector, which may draw random numbers too.
        let random = may_defer.then(|| self.random.borrow().clone());
        if self.stack.len() >= self.options.max_depth {
            let cause = format!(
                "Parallel/Map nesting is deeper than {} levels.",
                self.options.max_depth
            );
            self.fail_child_start(depth, Raised::runtime(cause), start_millis);
            return;
        }
        // Each item is handed to its iteration once: move it out instead of copying it (unless the
        // iteration may have to start again).
        let item = self
            .stack
            .get_mut(depth)
            .and_then(|frame| frame.container.as_mut())
            .map(|container| {
                if may_defer {
                    container.items.copy(index)
                } else {
                    container.items.take(index)
                }
            })
            .unwrap_or(Value::Null);
        let Some(frame) = self.stack.get(depth) else {
            return;
        };
        let Some(container) = frame.container.as_ref() else {
            return;
        };
        let (machine, input) = match &container.kind {
            ContainerKind::Parallel { branches } => {
                let machine = branches.get(index).copied().unwrap_or(0);
                (machine, Rc::clone(&container.input))
            }
            ContainerKind::Map { processor, .. } => {
                let selected = match self.select_item(depth, state, &container.input, index, item) {
                    Ok(selected) => selected,
                    Err(raised) => {
                        self.fail_child_start(depth, raised, start_millis);
                        return;
                    }
                };
                (*processor, Rc::new(selected))
            }
        };
        if let Some(container) = self
            .stack
            .get_mut(depth)
            .and_then(|frame| frame.container.as_mut())
        {
            container.shape.child_started(index, &input, start_millis);
        }
        let Some(frame) = self.stack.get(depth) else {
            return;
        };
        let Some(container) = frame.container.as_ref() else {
            return;
        };
        let is_map = matches!(container.kind, ContainerKind::Map { .. });
        let start = plan
            .machines
            .get(machine)
            .map_or(0, |machine| machine.start);
        let variables = Rc::clone(&frame.variables);
        let scope: Rc<str> = if self.options.record_trace {
            let label = if is_map {
                format!("{}[{index}]/", state.name)
            } else {
                format!("{}#{index}/", state.name)
            };
            Rc::from(format!("{}{label}", frame.scope))
        } else {
            Rc::clone(&frame.scope)
        };
        // Children run side by side: each one's events follow the container's start, not the
        // previous child's last event.
        if let Some(frame) = self.stack.get(depth)
            && let Some(container) = &frame.container
        {
            frame.last_event.set(container.schedule.tail().first_id());
        }
        if let Some(random) = random {
            let attempt = Attempt {
                index,
                log: self.log.borrow_mut().mark(),
                random,
                transitions: self.transitions,
                result_files: self.result_files.borrow().len(),
            };
            if let Some(container) = self
                .stack
                .get_mut(depth)
                .and_then(|frame| frame.container.as_mut())
            {
                container.schedule.mark_child(&attempt.log, index);
                container.attempt = Some(attempt);
            }
        }
        if is_map {
            self.emit(depth, "MapIterationStarted", || {
                detail(
                    "mapIterationStartedEventDetails",
                    json!({"name": state.name, "index": index}),
                )
            });
        }
        let last_event = self
            .stack
            .get(depth)
            .map_or(0, |frame| frame.last_event.get());
        self.stack.push(Frame {
            machine,
            state: start,
            input,
            variables,
            entered: None,
            attempts: Vec::new(),
            retry_count: 0,
            container: None,
            last_event: Cell::new(last_event),
            scope,
            trace_index: Cell::new(None),
            iteration: is_map.then_some(index),
            child: index,
        });
        self.rearm_watch();
    }

    /// The running child of the container at `depth` passed its watch limit: past the earliest
    /// failure it is stopped there (what it did after that instant is cut when the container
    /// settles); past the horizon, with no failure yet, what it did is rolled back and it runs
    /// again after its siblings.
    pub(super) fn interrupt_child(&mut self, depth: usize) {
        let now = self.clock_millis.get();
        let last_event = self.stack.last().map(|frame| frame.last_event.get());
        let iteration = self.stack.get(depth + 1).and_then(|frame| frame.iteration);
        self.stack.truncate(depth + 1);
        let Some(frame) = self.stack.get_mut(depth) else {
            return;
        };
        let Some(container) = frame.container.as_mut() else {
            return;
        };
        let attempt = container.attempt.take();
        if container.schedule.failed_at().is_some() {
            if let Some(last_event) = last_event {
                frame.last_event.set(last_event);
            }
            container.schedule.child_ended(now, iteration);
            return;
        }
        let Some(attempt) = attempt else {
            return;
        };
        container.schedule.unmark_child();
        container.deferred.push(attempt.index);
        let removed_calls = self.log.borrow_mut().rollback(attempt.log);
        let mut invocations = self.invocations.borrow_mut();
        for state in removed_calls {
            if let Some(counter) = invocations.get_mut(&state) {
                *counter = counter.saturating_sub(1);
            }
        }
        drop(invocations);
        *self.random.borrow_mut() = attempt.random;
        self.transitions = attempt.transitions;
        self.result_files
            .borrow_mut()
            .truncate(attempt.result_files);
    }

    /// A child could not start (its ItemSelector failed, or nesting is too deep): that fails the
    /// container at the instant the child would have started.
    pub(super) fn fail_child_start(&mut self, depth: usize, raised: Raised, at_millis: i64) {
        if let Some(container) = self
            .stack
            .get_mut(depth)
            .and_then(|frame| frame.container.as_mut())
        {
            container.schedule.child_ended(at_millis, None);
            container.record_failure(raised, at_millis);
        }
    }

    pub(super) fn select_item(
        &self,
        depth: usize,
        state: &State,
        input: &Value,
        index: usize,
        item: Value,
    ) -> Result<Value, Raised> {
        let (preselected, from_object) = self
            .stack
            .get(depth)
            .and_then(|frame| frame.container.as_ref())
            .map_or((false, false), |container| {
                (container.shape.preselected, container.shape.from_object)
            });
        if preselected {
            return Ok(item);
        }
        self.select_item_as(depth, state, input, index, item, from_object)
    }

    /// A child frame ended: hand its outcome to the parent's container, or end the execution.
    pub(super) fn complete_frame(&mut self, depth: usize, outcome: Result<Value, Raised>) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        if depth == 0 || self.stack.is_empty() {
            match outcome {
                Ok(output) => {
                    self.emit(0, "ExecutionSucceeded", || {
                        let mut body = Map::new();
                        self.put_payload(&mut body, "output", &output);
                        detail("executionSucceededEventDetails", Value::Object(body))
                    });
                    self.finish(Status::Succeeded, Some(output), None, None);
                }
                Err(raised) => {
                    self.fail_execution(raised.error, raised.cause);
                }
            }
            return;
        }
        let parent_depth = self.stack.len() - 1;
        if let Some(parent) = self.stack.get(parent_depth) {
            parent.last_event.set(frame.last_event.get());
        }
        let Some(container) = self
            .stack
            .get(parent_depth)
            .and_then(|parent| parent.container.as_ref())
        else {
            return;
        };
        let (is_map, distributed) = match &container.kind {
            ContainerKind::Map { distributed, .. } => (true, *distributed),
            ContainerKind::Parallel { .. } => (false, false),
        };
        let index = frame.iteration.unwrap_or(0);
        let execution_timed_out = outcome
            .as_ref()
            .is_err_and(|raised| raised.severity == Severity::ExecutionTimeout);
        // An execution that times out stops its iterations without ending them.
        if is_map && !execution_timed_out {
            let (event, details) = match &outcome {
                Ok(_) => ("MapIterationSucceeded", "mapIterationSucceededEventDetails"),
                Err(_) => ("MapIterationFailed", "mapIterationFailedEventDetails"),
            };
            let name = || self.parent_state_name(parent_depth);
            self.emit(parent_depth, event, || {
                detail(details, json!({"name": name(), "index": index}))
            });
        }
        let Some(container) = self
            .stack
            .get_mut(parent_depth)
            .and_then(|parent| parent.container.as_mut())
        else {
            return;
        };
        let end_millis = self.clock_millis.get();
        container.attempt = None;
        container
            .schedule
            .child_ended(end_millis, frame.iteration.filter(|_| is_map));
        // A failed iteration fails an inline Map; a Distributed Map counts it and keeps its error.
        let output = match outcome {
            Ok(output) => {
                container.shape.child_ended(index, Ok(&output), end_millis);
                output
            }
            Err(raised) if distributed && !execution_timed_out => {
                container.failures += container.shape.weight(index);
                let failure = (raised.error.clone(), raised.cause.clone());
                container.shape.child_ended(index, Err(failure), end_millis);
                error_output(&raised)
            }
            Err(mut raised) => {
                // The child already said where it failed; the container's state must not again.
                raised.located = false;
                container.record_failure(raised, end_millis);
                return;
            }
        };
        // The results become the state's result (at most the payload limit, plus its brackets
        // and commas): once they cannot fit, the state fails, and no more outputs are kept.
        let limit = self.options.max_payload_bytes;
        let remaining = limit.saturating_sub(container.result_bytes);
        container.result_bytes = container
            .result_bytes
            .saturating_add(json_size_up_to(&output, remaining).saturating_add(1));
        if container.result_bytes > limit.saturating_add(1) {
            let name = self.parent_state_name(parent_depth);
            if let Some(container) = self
                .stack
                .get_mut(parent_depth)
                .and_then(|parent| parent.container.as_mut())
            {
                container.results.clear();
                container.traced_results = None;
                container.record_failure(data_limit(&name), end_millis);
            }
            return;
        }
        if let Some(copy) = &mut container.traced_results {
            copy.push(output.clone());
        }
        container.results.push(output);
        if container.may_defer() {
            container.result_order.push(frame.child);
        }
    }

    /// The container's children have all run: its clock moves to the instant it ends, and its
    /// children's records are cut at its failure and put in time order (see `concurrency`).
    pub(super) fn settle_children(
        &mut self,
        depth: usize,
        state: &State,
        container: &mut Container,
    ) {
        let map_name = match container.kind {
            ContainerKind::Map { .. } => Some(state.name.as_str()),
            ContainerKind::Parallel { .. } => None,
        };
        let failure_cause = container
            .failure
            .as_mut()
            .and_then(|failure| failure.cause.as_mut());
        let settled = concurrency::settle(
            &mut self.log.borrow_mut(),
            &container.schedule,
            map_name,
            self.options.record_history,
            failure_cause,
        );
        self.transitions = self.transitions.saturating_sub(settled.removed_transitions);
        if let (Some(last_id), Some(frame)) = (settled.last_id, self.stack.get(depth)) {
            frame.last_event.set(last_id);
        }
        let mut invocations = self.invocations.borrow_mut();
        for state in settled.removed_calls {
            if let Some(counter) = invocations.get_mut(&state) {
                *counter = counter.saturating_sub(1);
            }
        }
        drop(invocations);
        if depth == 0 {
            // No container is open any more: nothing will cut or reorder these events again.
            self.log.borrow_mut().close_containers();
        }
        self.clock_millis.set(container.schedule.end_millis());
    }

    pub(super) fn parent_state_name(&self, depth: usize) -> String {
        self.stack
            .get(depth)
            .and_then(|frame| self.plan.state(frame.machine, frame.state))
            .map(|state| state.name.clone())
            .unwrap_or_default()
    }

    pub(super) fn finish_container(&mut self, depth: usize) {
        let plan = Rc::clone(&self.plan);
        let Some(frame) = self.stack.get_mut(depth) else {
            return;
        };
        let Some(container) = frame.container.take() else {
            return;
        };
        let Some(state) = plan.state(frame.machine, frame.state) else {
            return;
        };
        let mut container = *container;
        self.settle_children(depth, state, &mut container);
        put_results_in_child_order(&mut container);
        let failure = match (&container.failure, &container.kind) {
            (Some(failure), _) => Some(failure.clone()),
            (
                None,
                ContainerKind::Map {
                    distributed: true,
                    tolerated_count,
                    tolerated_percentage,
                    ..
                },
            ) => {
                let total = container.shape.item_total(container.items.len()) as f64;
                let failures = container.failures;
                let over_count = tolerated_count.is_none_or(|count| failures > count);
                let over_percentage = tolerated_percentage.is_none_or(|percentage| {
                    total > 0.0 && (failures as f64) * 100.0 / total > percentage
                });
                (failures > 0 && over_count && over_percentage).then(|| {
                    Raised::plain(
                        Some("States.ExceedToleratedFailureThreshold".to_owned()),
                        // AWS's text, as recorded from its TestState API (LocalStack's snapshot
                        // tests/aws/services/stepfunctions/v2/test_state, 2025-11-13).
                        Some("The specified tolerated failure threshold was exceeded".to_owned()),
                    )
                })
            }
            _ => None,
        };
        let (failed_event, succeeded_event) = match &container.kind {
            ContainerKind::Parallel { .. } => ("ParallelStateFailed", "ParallelStateSucceeded"),
            ContainerKind::Map { .. } => ("MapStateFailed", "MapStateSucceeded"),
        };
        if let Some(failure) = failure {
            if failure.severity == Severity::ExecutionTimeout {
                // Nothing failed before the deadline: the execution times out, and no Catch of
                // the container's state applies.
                self.time_out_execution();
                return;
            }
            if let ContainerKind::Map {
                distributed: true, ..
            } = container.kind
            {
                if container.failure.is_none() {
                    // Over the tolerated failures every child has run: AWS still exports their
                    // results (SUCCEEDED_n, FAILED_n and the manifest) before the Map Run fails,
                    // so that the failures can be examined. The state fails with the threshold
                    // error either way; a writer that cannot be evaluated adds nothing to it.
                    let _exported = self.write_results(depth, state, &container.shape);
                }
                self.emit(depth, "MapRunFailed", Map::new);
            }
            self.emit(depth, failed_event, Map::new);
            self.handle_error(depth, state, failure);
            return;
        }
        if let ContainerKind::Map {
            distributed: true, ..
        } = container.kind
        {
            self.emit(depth, "MapRunSucceeded", Map::new);
        }
        self.emit(depth, succeeded_event, Map::new);
        let traced_result = container.traced_results.map(Value::Array);
        let result = match self.write_results(depth, state, &container.shape) {
            Ok(Some(written)) => written,
            Ok(None) => Value::Array(container.results),
            Err(raised) => {
                self.handle_error(depth, state, raised);
                return;
            }
        };
        let outcome = match state.language {
            Language::JsonPath => {
                let make_context = || self.context_value(depth, state, None);
                let raw = self.input_at(depth);
                let root_scope = self.scope(depth, raw, &make_context);
                self.finish_jsonpath(depth, state, &root_scope, result, true, traced_result)
            }
            Language::Jsonata => {
                let input = self.raw_input(depth);
                self.jsonata_finish(depth, state, &input, result)
            }
        };
        match outcome {
            Ok((flow, assignments)) => self.apply_flow(depth, state, flow, assignments),
            Err(raised) => self.handle_error(depth, state, raised),
        }
    }
}

/// Children that were deferred end after later ones: their results go back to their places.
fn put_results_in_child_order(container: &mut Container) {
    let order = std::mem::take(&mut container.result_order);
    if order.len() != container.results.len() || order.is_sorted() {
        return;
    }
    let mut positions: Vec<usize> = (0..order.len()).collect();
    positions.sort_by_key(|&position| order[position]);
    let mut results: Vec<Option<Value>> = std::mem::take(&mut container.results)
        .into_iter()
        .map(Some)
        .collect();
    container.results = positions
        .iter()
        .filter_map(|&position| results.get_mut(position).and_then(Option::take))
        .collect();
    if let Some(traced) = &mut container.traced_results
        && traced.len() == positions.len()
    {
        let mut copies: Vec<Option<Value>> = std::mem::take(traced).into_iter().map(Some).collect();
        *traced = positions
            .iter()
            .filter_map(|&position| copies.get_mut(position).and_then(Option::take))
            .collect();
    }
}

pub(super) fn new_container(kind: ContainerKind, input: Rc<Value>, items: Items) -> Container {
    let slots = match &kind {
        ContainerKind::Parallel { .. } => u64::MAX,
        ContainerKind::Map {
            distributed,
            max_concurrency,
            ..
        } => {
            let cap = if *distributed {
                DISTRIBUTED_MAP_CONCURRENCY
            } else {
                INLINE_MAP_CONCURRENCY
            };
            max_concurrency.map_or(cap, |limit| limit.min(cap))
        }
    };
    Container {
        schedule: Schedule::new(slots),
        kind,
        input,
        items,
        next: 0,
        results: Vec::new(),
        result_bytes: 0,
        traced_results: None,
        failures: 0,
        failure: None,
        shape: MapShape::default(),
        deferred: Vec::new(),
        rerun: VecDeque::new(),
        horizon_millis: FIRST_HORIZON_MILLIS,
        attempt: None,
        result_order: Vec::new(),
    }
}

/// The path a `...Path` field was written as, for its error message (empty for other forms).
fn path_text(dynamic: &Dynamic) -> String {
    match dynamic {
        Dynamic::Path { text, .. } => text.clone(),
        _ => String::new(),
    }
}
