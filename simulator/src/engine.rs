//! The resumable run loop.
//!
//! A run is a stack of execution contexts (frames): the top level, and above it the Parallel branch or
//! Map iteration currently running, and so on. Children of a Parallel or Map run one after the other, in
//! order, which keeps runs deterministic and means the live contexts always form a single stack. Each
//! `step` advances the top frame by one state (or one child start/finish), so a caller can run a big
//! execution in slices and cancel it between them. Nothing recurses on the Rust stack across nested
//! machines.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use graph_model::expr::jsonpath::{Path, Root};
use serde_json::{Map, Value, json};

use crate::choice;
use crate::concurrency::{
    self, DISTRIBUTED_MAP_CONCURRENCY, INLINE_MAP_CONCURRENCY, Log, Schedule, TailStart,
};
use crate::error::{DefinitionError, Raised, Severity};
use crate::expr::JsonataScope;
use crate::intrinsics::IntrinsicContext;
use crate::json_size::{compact_up_to, json_size_up_to};
use crate::mocks::{CallRef, MockResponse};
use crate::path::{self as jpath, Found};
use crate::plan::{
    self, Assign, Catcher, DataPath, Dynamic, FailField, Kind, Language, MapSpec, Plan,
    ResultPathField, State, WaitSpec, jsonata_expression,
};
use crate::template::{Scope, Template, compact, too_expensive};
use crate::timestamp;
use crate::types::{
    ExecutionResult, ExecutionType, HistoryEvent, Options, StateTrace, Status, StepOutcome,
    TraceStage,
};

/// Documents of at most this many values are copied for ResultPath rather than moved: copying a
/// small value is cheap, and measured faster than reshaping the moved one (map10k's items).
const SMALL_DOCUMENT: usize = 16;

/// Longest Wait AWS accepts, in seconds (a signed 32-bit count of seconds).
const MAX_WAIT_SECONDS: f64 = 2_147_483_647.0;

/// A running (or finished) execution.
pub struct Execution {
    plan: Rc<Plan>,
    options: Options,
    stack: Vec<Frame>,
    execution_input: Rc<Value>,
    execution_arn: String,
    state_machine_arn: String,
    clock_millis: Cell<i64>,
    log: RefCell<Log>,
    random: RefCell<IntrinsicContext>,
    invocations: RefCell<HashMap<String, u32>>,
    transitions: u64,
    /// Steps taken (states run, children started or ended), for the work budget.
    steps: u64,
    result: Option<ExecutionResult>,
    no_variables: Map<String, Value>,
    clock_text: RefCell<(i64, String)>,
    /// Stands in a frame whose input has been moved out (cheaper than a fresh `Rc` each time).
    placeholder: Rc<Value>,
    /// The JSON size of the last input a Pass state nested inside itself (`Out::Nest`), while that
    /// value is still a frame's input: a loop of such states then measures only what it adds.
    nested_size: RefCell<Option<(Weak<Value>, usize)>>,
}

struct Frame {
    machine: usize,
    state: usize,
    input: Rc<Value>,
    variables: Rc<Map<String, Value>>,
    entered: Option<Entered>,
    attempts: Vec<u32>,
    retry_count: u32,
    container: Option<Box<Container>>,
    last_event: Cell<u64>,
    scope: Rc<str>,
    trace_index: Cell<Option<usize>>,
    /// Set on a Map iteration frame: its index (for events).
    iteration: Option<usize>,
}

#[derive(Clone, Copy)]
struct Entered {
    event_id: u64,
    millis: i64,
}

enum ContainerKind {
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

struct Container {
    kind: ContainerKind,
    /// Parallel: the branch input. Map: the value `$` stands for in ItemSelector.
    input: Rc<Value>,
    items: Items,
    next: usize,
    results: Vec<Value>,
    /// Bytes of JSON text `results` would take, counted as children end so that a Map whose
    /// result cannot fit the payload limit fails before it holds thousands of large outputs.
    result_bytes: usize,
    /// A copy of `results` made item by item as iterations end, for the trace's `result` stage: the
    /// step that completes a 10,000-item Map then moves it instead of copying all items at once.
    traced_results: Option<Vec<Value>>,
    failures: u64,
    /// The failure that fails the container: of its children's, the earliest on the virtual clock.
    failure: Option<Raised>,
    schedule: Schedule,
}

impl Container {
    fn total(&self) -> usize {
        match &self.kind {
            ContainerKind::Parallel { branches } => branches.len(),
            ContainerKind::Map { .. } => self.items.len(),
        }
    }

    /// Whether every child that will run has run.
    fn exhausted(&self) -> bool {
        self.next >= self.total() || !self.schedule.may_start_more()
    }

    /// Keeps `raised`, raised at `at_millis`, if it is the earliest failure so far.
    fn record_failure(&mut self, raised: Raised, at_millis: i64) {
        if self.schedule.record_failure(at_millis) {
            self.failure = Some(raised);
        }
    }
}

/// A Map's items: its own list, or an array inside a value the frame already holds (copied one item at
/// a time as iterations start, so the array is never copied whole).
enum Items {
    Owned(Vec<Value>),
    Shared {
        source: Rc<Value>,
        path: Path,
        count: usize,
    },
}

impl Items {
    fn len(&self) -> usize {
        match self {
            Items::Owned(items) => items.len(),
            Items::Shared { count, .. } => *count,
        }
    }

    /// The item at `index`, for its iteration (each index is taken once).
    fn take(&mut self, index: usize) -> Value {
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

/// Where a state leads.
enum Flow {
    Next {
        next: usize,
        output: Out,
        delay_millis: i64,
    },
    End {
        output: Out,
        delay_millis: i64,
    },
    Start(Box<Container>),
}

/// A state's output: often its input unchanged (Choice, Wait, ResultPath null), which needs no copy.
enum Out {
    Same,
    New(Value),
    /// The state's input with this result placed at its ResultPath (already checked to fit), built
    /// by moving the input rather than copying it.
    Merge(Value),
    /// The state's input placed inside itself at its ResultPath (a Pass state without Result or
    /// Parameters): this copy of the input with `null` at that place receives the input, moved.
    /// The output's JSON size comes with it.
    Nest(Value, usize),
}

/// Variable assignments decided by a state, applied once its output is known.
type Assignments = Option<Map<String, Value>>;

impl Execution {
    /// Compiles `definition` and prepares a run on `input`.
    pub fn new(
        definition: &Value,
        input: Value,
        options: Options,
    ) -> Result<Self, DefinitionError> {
        let plan = plan::compile(definition)?;
        let execution_kind = match options.execution_type {
            ExecutionType::Standard => "execution",
            ExecutionType::Express => "express",
        };
        let execution_arn = format!(
            "arn:aws:states:{}:{}:{execution_kind}:{}:{}",
            options.region, options.account, options.state_machine_name, options.execution_name
        );
        let state_machine_arn = format!(
            "arn:aws:states:{}:{}:stateMachine:{}",
            options.region, options.account, options.state_machine_name
        );
        let start = plan.machines.first().map_or(0, |machine| machine.start);
        let random = RefCell::new(IntrinsicContext::new(options.seed));
        let input = Rc::new(input);
        let mut execution = Self {
            plan: Rc::new(plan),
            stack: Vec::new(),
            execution_input: Rc::clone(&input),
            execution_arn,
            state_machine_arn,
            clock_millis: Cell::new(options.start_time_millis),
            log: RefCell::new(Log::default()),
            random,
            invocations: RefCell::new(HashMap::new()),
            transitions: 0,
            steps: 0,
            result: None,
            no_variables: Map::new(),
            clock_text: RefCell::new((0, String::new())),
            placeholder: Rc::new(Value::Null),
            nested_size: RefCell::new(None),
            options,
        };
        execution.stack.push(Frame {
            machine: 0,
            state: start,
            input,
            variables: Rc::new(Map::new()),
            entered: None,
            attempts: Vec::new(),
            retry_count: 0,
            container: None,
            last_event: Cell::new(0),
            scope: Rc::from(""),
            trace_index: Cell::new(None),
            iteration: None,
        });
        execution.emit(0, "ExecutionStarted", || {
            let mut body = Map::new();
            execution.put_payload(&mut body, "input", &execution.execution_input);
            body.insert("roleArn".to_owned(), json!(execution.options.role_arn));
            detail("executionStartedEventDetails", Value::Object(body))
        });
        // AWS refuses to start an execution whose input is over the payload limit; the dry run
        // fails it at once rather than letting a state split or copy it.
        if longer_than(
            &execution.execution_input,
            execution.options.max_payload_bytes,
        ) {
            let cause = format!(
                "The execution input is larger than the maximum of {} bytes.",
                execution.options.max_payload_bytes
            );
            execution.fail_execution(Some("States.DataLimitExceeded".to_owned()), Some(cause));
        }
        Ok(execution)
    }

    /// Advances the run by at most `max_transitions` steps (a state, or a branch/iteration start or end).
    pub fn step(&mut self, max_transitions: u64) -> StepOutcome {
        let mut budget = max_transitions.max(1);
        while budget > 0 && self.result.is_none() {
            budget -= 1;
            self.steps += 1;
            self.advance();
            self.check_limits();
        }
        if self.result.is_some() {
            StepOutcome::Finished
        } else {
            StepOutcome::Running
        }
    }

    /// Stops the run; it ends ABORTED.
    pub fn cancel(&mut self) {
        if self.result.is_none() {
            self.emit(
                self.stack.len().saturating_sub(1),
                "ExecutionAborted",
                Map::new,
            );
            self.finish(Status::Aborted, None, None, None);
        }
    }

    /// The outcome once the run has ended.
    pub fn result(&self) -> Option<&ExecutionResult> {
        self.result.as_ref()
    }

    /// Consumes the execution, returning its outcome (or `None` if it has not ended).
    pub fn into_result(self) -> Option<ExecutionResult> {
        self.result
    }

    /// Runs to the end.
    pub fn run_to_end(mut self) -> ExecutionResult {
        while self.step(u64::MAX) == StepOutcome::Running {}
        self.result.unwrap_or_else(aborted_result)
    }

    /// History events so far.
    pub fn history(&self) -> Vec<HistoryEvent> {
        self.log.borrow().events.clone()
    }

    /// Moves the virtual clock; a run that passes its time limit (the machine's `TimeoutSeconds`, Express's
    /// five minutes) ends TIMED_OUT and this returns false.
    fn advance_clock(&mut self, millis: i64) -> bool {
        let now = self.clock_millis.get().saturating_add(millis);
        if let Some(deadline) = self.deadline_millis()
            && now > deadline
        {
            self.clock_millis.set(deadline);
            self.time_out_execution();
            return false;
        }
        self.clock_millis.set(now);
        true
    }

    /// The virtual instant the execution times out, if it has a limit.
    fn deadline_millis(&self) -> Option<i64> {
        let type_limit = match self.options.execution_type {
            ExecutionType::Express => self.options.express_timeout_seconds,
            ExecutionType::Standard => self.options.standard_timeout_seconds,
        };
        let limit_seconds = self
            .plan
            .timeout_seconds
            .map_or(type_limit, |machine| machine.min(type_limit));
        if !limit_seconds.is_finite() {
            return None;
        }
        Some(
            self.options
                .start_time_millis
                .saturating_add((limit_seconds * 1000.0) as i64),
        )
    }

    fn time_out_execution(&mut self) {
        let depth = self.stack.len().saturating_sub(1);
        if depth > 0 {
            // A Parallel branch or Map iteration reached the deadline. Its siblings run side by
            // side on AWS, and one of them may fail before the deadline (and be caught), so the
            // container decides once they have all run.
            let timeout = Raised {
                error: Some("States.Timeout".to_owned()),
                cause: None,
                severity: Severity::ExecutionTimeout,
                located: false,
            };
            self.complete_frame(depth, Err(timeout));
            return;
        }
        self.emit(depth, "ExecutionTimedOut", || {
            detail(
                "executionTimedOutEventDetails",
                json!({"error": "States.Timeout"}),
            )
        });
        self.finish(
            Status::TimedOut,
            None,
            Some("States.Timeout".to_owned()),
            None,
        );
    }

    fn check_limits(&mut self) {
        if self.result.is_some() {
            return;
        }
        if self.steps >= self.options.max_transitions {
            self.stop_at_work_budget();
            return;
        }
        let count = self.log.borrow().count;
        if self.options.execution_type == ExecutionType::Standard
            && count > self.options.max_history_events
        {
            let cause = format!(
                "The execution reached the maximum number of history events ({}); a loop may never end.",
                self.options.max_history_events
            );
            self.fail_execution(Some("States.Runtime".to_owned()), Some(cause));
        }
    }

    /// The run used up its work budget. A Standard execution fails; an Express one times out, which
    /// is where AWS ends an Express loop that never waits (at five minutes): the dry run cannot tell
    /// how long AWS takes per state, so it stops counting instead of guessing a duration.
    fn stop_at_work_budget(&mut self) {
        let budget = self.options.max_transitions;
        let depth = self.stack.len().saturating_sub(1);
        match self.options.execution_type {
            ExecutionType::Express => {
                let cause = format!(
                    "The dry run stopped after {budget} steps (its work budget, --max-transitions) without the execution ending. Pass and Choice states take no virtual time, so a loop of them never reaches Express's five-minute limit here; on AWS the execution would time out."
                );
                self.emit(depth, "ExecutionTimedOut", || {
                    detail(
                        "executionTimedOutEventDetails",
                        json!({"error": "States.Timeout", "cause": cause}),
                    )
                });
                self.finish(
                    Status::TimedOut,
                    None,
                    Some("States.Timeout".to_owned()),
                    Some(cause),
                );
            }
            ExecutionType::Standard => {
                let cause = format!(
                    "The dry run stopped after {budget} steps (its work budget, --max-transitions) without the execution ending: a loop may never end, or nested Map/Parallel states multiply into more work than a run can do. Raise the budget if the workflow really is that large."
                );
                self.fail_execution(Some("States.Runtime".to_owned()), Some(cause));
            }
        }
    }

    fn advance(&mut self) {
        let depth = self.stack.len().saturating_sub(1);
        let Some(frame) = self.stack.get(depth) else {
            self.finish(
                Status::Failed,
                None,
                Some("States.Runtime".to_owned()),
                Some("no context to run".to_owned()),
            );
            return;
        };
        if let Some(container) = &frame.container {
            if container.exhausted() {
                self.finish_container(depth);
            } else {
                self.start_child(depth);
            }
        } else {
            self.run_state(depth);
        }
    }

    // ----- bookkeeping -------------------------------------------------------------------------

    fn now_text(&self) -> String {
        // The clock moves rarely (Wait, Retry), so most events share one formatted timestamp.
        let now = self.clock_millis.get();
        let mut cache = self.clock_text.borrow_mut();
        if cache.0 != now || cache.1.is_empty() {
            *cache = (now, timestamp::format_millis(now));
        }
        cache.1.clone()
    }

    /// Whether the frame at `depth` runs inside a Parallel or Map, whose end may cut or reorder
    /// what it records.
    fn inside_container(&self, depth: usize) -> bool {
        depth > 0
            || self
                .stack
                .first()
                .is_some_and(|root| root.container.is_some())
    }

    fn emit(
        &self,
        depth: usize,
        event_type: &'static str,
        details: impl FnOnce() -> Map<String, Value>,
    ) -> u64 {
        let mut log = self.log.borrow_mut();
        log.count += 1;
        let id = log.count;
        if self.inside_container(depth) {
            log.note_event(self.clock_millis.get());
        }
        let previous = self
            .stack
            .get(depth)
            .map_or(id - 1, |frame| frame.last_event.replace(id));
        if self.options.record_history {
            if log.events.len() >= self.options.max_recorded_events {
                // A run that long (only Express has no event limit) would not fit in memory.
                log.dropped_events += 1;
                return id;
            }
            // The details may measure payloads against the log's budget.
            drop(log);
            let event = HistoryEvent {
                id,
                previous_event_id: previous,
                timestamp: self.now_text(),
                event_type,
                details: details(),
            };
            self.log.borrow_mut().events.push(event);
        }
        id
    }

    /// Puts the compact JSON text of `value` in `body` as `field`; once the recorded history holds
    /// its budget of payload text, `"<field>Details": {"truncated": true}` instead, as AWS marks a
    /// payload it leaves out. The text is measured before it is built, so a long loop over a large
    /// document neither fills the memory nor spends its time writing text nobody keeps.
    fn put_payload(&self, body: &mut Map<String, Value>, field: &str, value: &Value) {
        let mut log = self.log.borrow_mut();
        let remaining = self
            .options
            .max_history_payload_bytes
            .saturating_sub(log.payload_bytes);
        // One pass that stops at the budget, rather than measuring first and then writing.
        let Some(text) = compact_up_to(value, remaining) else {
            // The budget is spent: later payloads are left out at once instead of each being
            // written up to what remains (a growing loop would write that much at every state).
            log.payload_bytes = self.options.max_history_payload_bytes;
            log.truncated_payloads += 1;
            body.insert(format!("{field}Details"), json!({"truncated": true}));
            return;
        };
        log.payload_bytes += text.len();
        body.insert(field.to_owned(), Value::String(text));
    }

    fn trace_stage(&self, depth: usize, stage: &'static str, value: impl FnOnce() -> Value) {
        if !self.options.record_trace {
            return;
        }
        let Some(index) = self
            .stack
            .get(depth)
            .and_then(|frame| frame.trace_index.get())
        else {
            return;
        };
        let mut log = self.log.borrow_mut();
        if let Some(entry) = log.trace.get_mut(index) {
            entry.stages.push(TraceStage {
                stage,
                value: value(),
            });
        }
    }

    fn finish(
        &mut self,
        status: Status,
        output: Option<Value>,
        error: Option<String>,
        cause: Option<String>,
    ) {
        let log = std::mem::take(&mut *self.log.borrow_mut());
        let duration_millis = self.clock_millis.get() - self.options.start_time_millis;
        let prices = self.options.prices;
        let cost_usd = match self.options.execution_type {
            ExecutionType::Standard => self.transitions as f64 * prices.standard_per_transition,
            ExecutionType::Express => {
                let billed_seconds = (duration_millis.max(100) as f64) / 1000.0;
                prices.express_per_request
                    + billed_seconds
                        * (prices.express_memory_mb / 1024.0)
                        * prices.express_per_gb_second
            }
        };
        self.result = Some(ExecutionResult {
            status,
            output,
            error,
            cause,
            history: log.events,
            event_count: log.count,
            truncated_payloads: log.truncated_payloads,
            dropped_events: log.dropped_events,
            trace: log.trace,
            state_transitions: self.transitions,
            duration_millis,
            cost_usd,
        });
        self.stack.clear();
    }

    fn fail_execution(&mut self, error: Option<String>, cause: Option<String>) {
        let depth = self.stack.len().saturating_sub(1);
        let (error_text, cause_text) = (error.clone(), cause.clone());
        self.emit(depth, "ExecutionFailed", || {
            let mut body = Map::new();
            if let Some(error) = error_text {
                body.insert("error".to_owned(), Value::String(error));
            }
            if let Some(cause) = cause_text {
                body.insert("cause".to_owned(), Value::String(cause));
            }
            detail("executionFailedEventDetails", Value::Object(body))
        });
        self.finish(Status::Failed, None, error, cause);
    }

    fn context_value(&self, depth: usize, state: &State, item: Option<(usize, &Value)>) -> Value {
        let Some(frame) = self.stack.get(depth) else {
            return Value::Null;
        };
        let entered = frame
            .entered
            .map_or(self.clock_millis.get(), |entered| entered.millis);
        let mut state_object = Map::new();
        state_object.insert("Name".to_owned(), Value::String(state.name.clone()));
        state_object.insert(
            "EnteredTime".to_owned(),
            Value::String(timestamp::format_millis(entered)),
        );
        if matches!(state.kind, Kind::Task { .. }) {
            state_object.insert("RetryCount".to_owned(), json!(frame.retry_count));
        }
        let mut context = Map::new();
        context.insert(
            "Execution".to_owned(),
            json!({
                "Id": self.execution_arn,
                "Input": *self.execution_input,
                "StartTime": timestamp::format_millis(self.options.start_time_millis),
                "Name": self.options.execution_name,
                "RoleArn": self.options.role_arn,
                "RedriveCount": 0,
            }),
        );
        context.insert(
            "StateMachine".to_owned(),
            json!({"Id": self.state_machine_arn, "Name": self.options.state_machine_name}),
        );
        context.insert("State".to_owned(), Value::Object(state_object));
        if let Some((index, value)) = item {
            context.insert(
                "Map".to_owned(),
                json!({"Item": {"Index": index, "Value": value}}),
            );
        }
        if let Kind::Task { resource, .. } = &state.kind
            && resource.ends_with(".waitForTaskToken")
        {
            context.insert("Task".to_owned(), json!({"Token": self.options.task_token}));
        }
        Value::Object(context)
    }

    fn jsonata_scope(
        &self,
        depth: usize,
        state: &State,
        input: &Value,
        extra: &[(&str, &Value)],
        item: Option<(usize, &Value)>,
    ) -> JsonataScope<'_> {
        let mut states = Map::new();
        states.insert("input".to_owned(), input.clone());
        states.insert("context".to_owned(), self.context_value(depth, state, item));
        for (key, value) in extra {
            states.insert((*key).to_owned(), (*value).clone());
        }
        let variables = self
            .stack
            .get(depth)
            .map_or(&self.no_variables, |frame| &*frame.variables);
        let seed = self.random.borrow_mut().next_u64();
        JsonataScope {
            states: Value::Object(states),
            variables,
            seed,
        }
    }

    // ----- running a state ---------------------------------------------------------------------

    fn run_state(&mut self, depth: usize) {
        let plan = Rc::clone(&self.plan);
        let Some(frame) = self.stack.get(depth) else {
            return;
        };
        let Some(state) = plan
            .machines
            .get(frame.machine)
            .and_then(|machine| machine.states.get(frame.state))
        else {
            self.fail_execution(
                Some("States.Runtime".to_owned()),
                Some("state index out of range".to_owned()),
            );
            return;
        };
        if frame.entered.is_none() {
            self.enter_state(depth, state);
        }
        let outcome = match state.language {
            Language::JsonPath => self.run_jsonpath(depth, state),
            Language::Jsonata => self.run_jsonata(depth, state),
        };
        match outcome {
            Ok((flow, assignments)) => self.apply_flow(depth, state, flow, assignments),
            Err(raised) => self.handle_error(depth, state, raised),
        }
    }

    fn enter_state(&mut self, depth: usize, state: &State) {
        self.transitions += 1;
        let event_id = self.emit(depth, entered_event(&state.kind), || {
            let mut body = Map::new();
            body.insert("name".to_owned(), json!(state.name));
            let input = self.stack.get(depth).map(|frame| &*frame.input);
            self.put_payload(&mut body, "input", input.unwrap_or(&Value::Null));
            detail("stateEnteredEventDetails", Value::Object(body))
        });
        let millis = self.clock_millis.get();
        if self.inside_container(depth) {
            self.log.borrow_mut().note_entered();
        }
        if self.options.record_trace {
            let mut log = self.log.borrow_mut();
            let index = log.trace.len();
            let (scope, input) = match self.stack.get(depth) {
                Some(frame) => (frame.scope.to_string(), (*frame.input).clone()),
                None => (String::new(), Value::Null),
            };
            log.trace.push(StateTrace {
                state: state.name.clone(),
                scope,
                entered_event_id: event_id,
                stages: vec![TraceStage {
                    stage: "input",
                    value: input,
                }],
                error: None,
            });
            if let Some(frame) = self.stack.get(depth) {
                frame.trace_index.set(Some(index));
            }
        }
        if let Some(frame) = self.stack.get_mut(depth) {
            frame.entered = Some(Entered { event_id, millis });
            // Reuses the frame's buffer: a Task with a Retry is entered at almost every step.
            frame.attempts.clear();
            frame.attempts.resize(state.retry.len(), 0);
            frame.retry_count = 0;
        }
    }

    fn apply_flow(&mut self, depth: usize, state: &State, flow: Flow, assignments: Assignments) {
        if let Some(assignments) = assignments {
            self.trace_stage(depth, "assign", || Value::Object(assignments.clone()));
            if let Some(frame) = self.stack.get_mut(depth) {
                let variables = Rc::make_mut(&mut frame.variables);
                for (name, value) in assignments {
                    variables.insert(name, value);
                }
            }
        }
        match flow {
            Flow::Start(mut container) => {
                if self.options.record_trace
                    && state.language == Language::JsonPath
                    && state.result_selector.is_none()
                {
                    container.traced_results = Some(Vec::with_capacity(container.total()));
                }
                self.start_container_events(depth, state, &container);
                let tail = TailStart::begin(&mut self.log.borrow_mut());
                container.schedule.begin(self.clock_millis.get(), tail);
                if let Some(frame) = self.stack.get_mut(depth) {
                    frame.container = Some(container);
                }
            }
            Flow::Next {
                next,
                output,
                delay_millis,
            } => {
                let Some(output) = self.leave_state(depth, state, output, delay_millis) else {
                    return;
                };
                if let Some(frame) = self.stack.get_mut(depth) {
                    frame.state = next;
                    if let Out::New(value) = output {
                        frame.input = Rc::new(value);
                    }
                    frame.entered = None;
                    frame.container = None;
                }
            }
            Flow::End {
                output,
                delay_millis,
            } => {
                let Some(output) = self.leave_state(depth, state, output, delay_millis) else {
                    return;
                };
                let value = match output {
                    Out::New(value) => value,
                    Out::Same | Out::Merge(_) | Out::Nest(..) => {
                        let shared = self
                            .stack
                            .get_mut(depth)
                            .map(|frame| {
                                std::mem::replace(&mut frame.input, Rc::clone(&self.placeholder))
                            })
                            .unwrap_or_default();
                        Rc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone())
                    }
                };
                self.complete_frame(depth, Ok(value));
            }
        }
    }

    /// What every state that ends does: checks the output's size, moves the clock (a Wait), builds a
    /// merged output, records the exit. `None` when the state failed instead (handled) or the run
    /// timed out.
    fn leave_state(
        &mut self,
        depth: usize,
        state: &State,
        output: Out,
        delay_millis: i64,
    ) -> Option<Out> {
        if let Out::New(value) = &output
            && let Err(raised) = self.check_size(state, value)
        {
            self.handle_error(depth, state, raised);
            return None;
        }
        if !self.advance_clock(delay_millis) {
            return None;
        }
        let output = self.merge_result(depth, state, output);
        self.exit_state(depth, state, &output);
        Some(output)
    }

    /// Turns `Out::Merge` into the frame's input with the result in place (`Out::New`). The input is
    /// moved out of the frame when nothing else holds it, so a growing document is not copied at
    /// every state.
    fn merge_result(&mut self, depth: usize, state: &State, output: Out) -> Out {
        if let Out::Nest(around, size) = output {
            return self.nest_input(depth, state, around, size);
        }
        let Out::Merge(result) = output else {
            return output;
        };
        let ResultPathField::Path { path, .. } = &state.result_path else {
            return Out::New(result);
        };
        let Some(frame) = self.stack.get_mut(depth) else {
            return Out::New(result);
        };
        let shared = std::mem::replace(&mut frame.input, Rc::clone(&self.placeholder));
        let mut target = Rc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone());
        // `finish_jsonpath` checked with `can_set` that this fits.
        let _placed = jpath::set(&mut target, path, result);
        Out::New(target)
    }

    /// Places the frame's input, moved, into `around` (its copy with `null` at the ResultPath),
    /// and makes the result the frame's input (`Out::Same`), remembering its size.
    fn nest_input(&mut self, depth: usize, state: &State, mut around: Value, size: usize) -> Out {
        let (ResultPathField::Path { path, .. }, Some(frame)) =
            (&state.result_path, self.stack.get_mut(depth))
        else {
            return Out::New(around);
        };
        let shared = std::mem::replace(&mut frame.input, Rc::clone(&self.placeholder));
        let input = Rc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone());
        // `pass_nesting_its_input` made the place with `copy_around`, so this cannot fail.
        let _placed = jpath::set(&mut around, path, input);
        let output = Rc::new(around);
        // The weak reference keeps the allocation, so no other value can take its address.
        *self.nested_size.borrow_mut() = Some((Rc::downgrade(&output), size));
        frame.input = output;
        Out::Same
    }

    /// A Pass state without Result or Parameters whose ResultPath places its input inside itself
    /// (`"$.extra"`) grows the document at every pass of a loop. Copying the whole input as the
    /// result would make such a loop quadratic; instead only what lies around the ResultPath is
    /// copied, and the output's size is measured from its two parts. `None` when the state is
    /// not of that shape (or is traced, which needs the values), for the general path.
    fn pass_nesting_its_input(
        &self,
        state: &State,
        raw: &Value,
    ) -> Option<Result<(Flow, Assignments), Raised>> {
        let ResultPathField::Path { path, .. } = &state.result_path else {
            return None;
        };
        if self.options.record_trace
            || state.parameters.is_some()
            || state.assign.is_some()
            || !matches!(state.input_path, DataPath::Whole)
            || !matches!(state.output_path, DataPath::Whole)
            || !matches!(state.kind, Kind::Pass { result: None, .. })
        {
            return None;
        }
        let around = jpath::copy_around(raw, path)?;
        let limit = self.options.max_payload_bytes;
        // `around` holds `null` (4 bytes) where the input goes; each count is exact up to the limit.
        let around_size = json_size_up_to(&around, limit.saturating_add(4)).saturating_sub(4);
        let known = match &*self.nested_size.borrow() {
            Some((nested, size)) if std::ptr::eq(nested.as_ptr(), raw) => Some(*size),
            _ => None,
        };
        let raw_size = known.unwrap_or_else(|| json_size_up_to(raw, limit));
        let size = around_size.saturating_add(raw_size);
        if size > limit {
            return Some(Err(data_limit(&state.name)));
        }
        Some(Ok((flow_to(state, Out::Nest(around, size), 0), None)))
    }

    fn check_size(&self, state: &State, output: &Value) -> Result<(), Raised> {
        // Serialising every output would dominate small states; only sizable values are measured.
        if !might_exceed(output, self.options.max_payload_bytes) {
            return Ok(());
        }
        if longer_than(output, self.options.max_payload_bytes) {
            return Err(data_limit(&state.name));
        }
        Ok(())
    }

    fn exit_state(&self, depth: usize, state: &State, output: &Out) {
        let same_input = Value::Null;
        let output = match output {
            Out::New(value) => value,
            Out::Same | Out::Merge(_) | Out::Nest(..) => self
                .stack
                .get(depth)
                .map_or(&same_input, |frame| &*frame.input),
        };
        self.trace_stage(depth, "output", || output.clone());
        if let Some(exited) = exited_event(&state.kind) {
            self.emit(depth, exited, || {
                let mut body = Map::new();
                body.insert("name".to_owned(), json!(state.name));
                self.put_payload(&mut body, "output", output);
                detail("stateExitedEventDetails", Value::Object(body))
            });
        }
    }

    fn scope<'a>(
        &'a self,
        depth: usize,
        input: &'a Value,
        make_context: &'a dyn Fn() -> Value,
    ) -> Scope<'a> {
        let variables = self
            .stack
            .get(depth)
            .map_or(&self.no_variables, |frame| &*frame.variables);
        Scope::new(input, variables, make_context, &self.random)
    }

    fn raw_input(&self, depth: usize) -> Rc<Value> {
        self.stack
            .get(depth)
            .map(|frame| Rc::clone(&frame.input))
            .unwrap_or_default()
    }

    fn run_jsonpath(&self, depth: usize, state: &State) -> Result<(Flow, Assignments), Raised> {
        let make_context = || self.context_value(depth, state, None);
        let raw = self
            .stack
            .get(depth)
            .map_or(&Value::Null, |frame| &*frame.input);
        let root_scope = self.scope(depth, raw, &make_context);
        let effective = apply_input_path(&state.input_path, &root_scope)?;
        if !matches!(state.input_path, DataPath::Whole) {
            self.trace_stage(depth, "afterInputPath", || effective.clone().into_owned());
        }
        let scope = root_scope.with_input(&effective);
        let shared_effective = || match &effective {
            Cow::Borrowed(_) => self.raw_input(depth),
            Cow::Owned(value) => Rc::new(value.clone()),
        };
        match &state.kind {
            Kind::Pass {
                result,
                result_size,
            } => {
                if let Some(nested) = self.pass_nesting_its_input(state, raw) {
                    return nested;
                }
                let value = if let Some(parameters) = &state.parameters {
                    let rendered = scope.render(parameters)?;
                    self.trace_stage(depth, "afterParameters", || rendered.clone());
                    rendered
                } else if let Some(result) = result {
                    if *result_size > self.options.max_payload_bytes {
                        return Err(data_limit(&state.name));
                    }
                    (**result).clone()
                } else {
                    effective.clone().into_owned()
                };
                self.finish_jsonpath(depth, state, &root_scope, value, false, None)
            }
            Kind::Task {
                resource,
                timeout,
                heartbeat,
            } => {
                // A mocked Task's arguments are only shown (history, trace) or passed through, so
                // when none of that happens they are checked, not built.
                let arguments_unread = !self.options.record_history
                    && !self.options.record_trace
                    && self.options.mocks.contains(&state.name);
                let arguments = match &state.parameters {
                    Some(parameters) if arguments_unread => {
                        scope.check(parameters)?;
                        Cow::Owned(Value::Null)
                    }
                    Some(parameters) => {
                        let rendered = scope.render(parameters)?;
                        self.trace_stage(depth, "afterParameters", || rendered.clone());
                        Cow::Owned(rendered)
                    }
                    None => Cow::Borrowed(&*effective),
                };
                let limits = task_limits(timeout.as_ref(), heartbeat.as_ref(), &scope, None)?;
                let result = self.invoke_task_shared(depth, state, resource, &arguments, limits)?;
                // A ResultSelector only reads the result: it is rendered from the mock's own
                // value, which is then not copied at all.
                let (result, with_selector) = match &state.result_selector {
                    Some(selector) => {
                        let rendered = root_scope.with_input(&result).render(selector)?;
                        self.trace_stage(depth, "afterResultSelector", || rendered.clone());
                        (rendered, false)
                    }
                    None => (result.into_owned(), true),
                };
                self.finish_jsonpath(depth, state, &root_scope, result, with_selector, None)
            }
            Kind::Choice { rules, default } => {
                let mut no_jsonata = |_: &Value| -> Result<bool, Raised> {
                    Err(Raised::runtime("a JSONata Condition in a JSONPath state"))
                };
                let mut chosen = None;
                for rule in rules {
                    if choice::holds(&rule.condition, &scope, &mut no_jsonata)? {
                        chosen = Some((rule.next, rule.assign.as_ref()));
                        break;
                    }
                }
                let (next, assign) = match chosen {
                    Some(found) => found,
                    None => match default {
                        Some(default) => (*default, state.assign.as_ref()),
                        None => return Err(no_choice_matched()),
                    },
                };
                let assignments = jsonpath_assign(assign, &scope)?;
                let output = output_of(&state.output_path, &root_scope, effective)?;
                Ok((
                    Flow::Next {
                        next,
                        output,
                        delay_millis: 0,
                    },
                    assignments,
                ))
            }
            Kind::Wait(spec) => {
                let delay_millis = self.wait_delay_jsonpath(spec, &scope)?;
                let assignments = jsonpath_assign(state.assign.as_ref(), &scope)?;
                let output = output_of(&state.output_path, &root_scope, effective)?;
                Ok((flow_to(state, output, delay_millis), assignments))
            }
            Kind::Succeed => {
                let output = output_of(&state.output_path, &root_scope, effective)?;
                Ok((
                    Flow::End {
                        output,
                        delay_millis: 0,
                    },
                    None,
                ))
            }
            Kind::Fail { error, cause } => {
                let error = fail_field_jsonpath(error, "ErrorPath", &scope)?;
                let cause = fail_field_jsonpath(cause, "CausePath", &scope)?;
                Err(Raised::plain(error, cause))
            }
            Kind::Parallel { branches } => {
                let input = match &state.parameters {
                    Some(parameters) => {
                        let rendered = scope.render(parameters)?;
                        self.trace_stage(depth, "afterParameters", || rendered.clone());
                        Rc::new(rendered)
                    }
                    None => shared_effective(),
                };
                let kind = ContainerKind::Parallel {
                    branches: branches.clone(),
                };
                Ok((
                    Flow::Start(Box::new(new_container(
                        kind,
                        input,
                        Items::Owned(Vec::new()),
                    ))),
                    None,
                ))
            }
            Kind::Map(spec) => {
                let kind = self.map_kind(spec, &scope, None)?;
                let items = match (&effective, &spec.items_path, &spec.item_reader) {
                    (Cow::Borrowed(_), Some(DataPath::Path(named)), None)
                        if named.root == Root::Input && named.is_definite() =>
                    {
                        self.shared_items(depth, &named.text, &named.path, &scope)?
                    }
                    (Cow::Borrowed(_), None, None) => {
                        self.shared_items(depth, "$", &whole_input(), &scope)?
                    }
                    _ => Items::Owned(self.map_items_jsonpath(state, spec, &scope)?),
                };
                Ok((
                    Flow::Start(Box::new(new_container(kind, shared_effective(), items))),
                    None,
                ))
            }
        }
    }

    /// ResultSelector, ResultPath, OutputPath and Assign, for a state that produced `result`.
    fn finish_jsonpath(
        &self,
        depth: usize,
        state: &State,
        root_scope: &Scope<'_>,
        result: Value,
        with_selector: bool,
        traced_result: Option<Value>,
    ) -> Result<(Flow, Assignments), Raised> {
        let selected = match (&state.result_selector, with_selector) {
            (Some(selector), true) => {
                let rendered = root_scope.with_input(&result).render(selector)?;
                self.trace_stage(depth, "afterResultSelector", || rendered.clone());
                rendered
            }
            _ => result,
        };
        // A copy made ahead of time (a Map's or Parallel's results) only stands for the result when no
        // ResultSelector changed it.
        let traced_result =
            traced_result.filter(|_| state.result_selector.is_none() || !with_selector);
        self.trace_stage(depth, "result", || {
            traced_result.unwrap_or_else(|| selected.clone())
        });
        let assignments =
            jsonpath_assign(state.assign.as_ref(), &root_scope.with_input(&selected))?;
        if let ResultPathField::Path { path, .. } = &state.result_path
            && matches!(state.output_path, DataPath::Whole)
            && !self.options.record_trace
            && !few_values(root_scope.input, SMALL_DOCUMENT)
            && jpath::can_set(root_scope.input, path)
            && !might_exceed(root_scope.input, self.options.max_payload_bytes / 2)
            && !might_exceed(&selected, self.options.max_payload_bytes / 2)
        {
            // The input is the frame's own value: let `apply_flow` move it and place the result,
            // instead of copying the whole document here.
            return Ok((flow_to(state, Out::Merge(selected), 0), assignments));
        }
        let combined = apply_result_path(&state.result_path, root_scope.input, selected)?;
        if !matches!(state.result_path, ResultPathField::Replace) {
            self.trace_stage(depth, "afterResultPath", || combined.clone().into_owned());
        }
        let output = output_of(&state.output_path, root_scope, combined)?;
        Ok((flow_to(state, output, 0), assignments))
    }

    fn invoke_task(
        &self,
        depth: usize,
        state: &State,
        resource: &str,
        arguments: &Value,
        limits: TaskLimits,
    ) -> Result<Value, Raised> {
        self.invoke_task_shared(depth, state, resource, arguments, limits)
            .map(Cow::into_owned)
    }

    /// [`Execution::invoke_task`] with a mocked result borrowed from the options, copied only by
    /// a caller that keeps it.
    fn invoke_task_shared(
        &self,
        depth: usize,
        state: &State,
        resource: &str,
        arguments: &Value,
        limits: TaskLimits,
    ) -> Result<Cow<'_, Value>, Raised> {
        enum Reply<'a> {
            Return(Cow<'a, Value>),
            Throw(&'a str, &'a str),
        }
        // A plain mock result is the same for every invocation: no need to count them.
        let plain = self.options.mocks.plain_result(&state.name);
        let invocation = if plain.is_some() {
            0
        } else {
            let mut invocations = self.invocations.borrow_mut();
            match invocations.get_mut(&state.name) {
                Some(counter) => {
                    *counter += 1;
                    *counter - 1
                }
                None => {
                    invocations.insert(state.name.clone(), 1);
                    0
                }
            }
        };
        if plain.is_none() && self.inside_container(depth) {
            // Taken back if the container fails before this call would have been made.
            self.log
                .borrow_mut()
                .note_call(self.clock_millis.get(), &state.name);
        }
        let lambda_arn = resource.starts_with("arn:aws:lambda:");
        let events = if lambda_arn {
            TaskEvents::LAMBDA
        } else {
            TaskEvents::TASK
        };
        self.emit(depth, events.scheduled, || {
            let mut body = Map::new();
            body.insert("resource".to_owned(), json!(resource));
            if lambda_arn {
                self.put_payload(&mut body, "input", arguments);
            } else {
                body.insert("region".to_owned(), json!(self.options.region));
                self.put_payload(&mut body, "parameters", arguments);
            }
            if let Some(seconds) = limits.timeout_seconds {
                body.insert("timeoutInSeconds".to_owned(), json!(seconds));
            }
            if let Some(seconds) = limits.heartbeat_seconds {
                body.insert("heartbeatInSeconds".to_owned(), json!(seconds));
            }
            detail(events.scheduled_details, Value::Object(body))
        });
        self.emit(depth, events.started, Map::new);
        let call = match plain {
            Some(result) => Some(CallRef::Plain(result)),
            None => self.options.mocks.call_ref(&state.name, invocation),
        };
        let (reply, duration_seconds) = match call {
            Some(CallRef::Plain(result)) => (Reply::Return(Cow::Borrowed(result)), 0.0),
            Some(CallRef::Sequenced(call)) => (
                match &call.response {
                    MockResponse::Return(result) => Reply::Return(Cow::Borrowed(result)),
                    MockResponse::Throw { error, cause } => Reply::Throw(error, cause),
                },
                call.duration_seconds,
            ),
            None if self.options.pass_through => {
                (Reply::Return(Cow::Owned(arguments.clone())), 0.0)
            }
            None => {
                let cause = format!(
                    "No mock result for Task state '{}' (resource '{resource}'): give one in the mocks, or allow pass-through.",
                    state.name
                );
                self.emit(depth, events.failed, || {
                    detail(
                        events.failed_details,
                        json!({"error": "States.Runtime", "cause": cause}),
                    )
                });
                return Err(Raised {
                    error: Some("States.Runtime".to_owned()),
                    cause: Some(cause),
                    severity: Severity::Fatal,
                    located: false,
                });
            }
        };
        // The task runs on the virtual clock: it returns after its duration unless its own
        // TimeoutSeconds, or a HeartbeatSeconds (mocks never beat), passes first.
        let duration = seconds_as_millis(duration_seconds);
        let limit = [limits.timeout_seconds, limits.heartbeat_seconds]
            .into_iter()
            .flatten()
            .map(|seconds| i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX))
            .min();
        let timed_out = limit.is_some_and(|limit| duration > limit);
        let elapsed = match limit {
            Some(limit) if timed_out => limit,
            _ => duration,
        };
        let finished_at = self.clock_millis.get().saturating_add(elapsed);
        if let Some(deadline) = self.deadline_millis()
            && finished_at > deadline
        {
            self.clock_millis.set(deadline);
            return Err(Raised {
                error: Some("States.Timeout".to_owned()),
                cause: None,
                severity: Severity::ExecutionTimeout,
                located: false,
            });
        }
        self.clock_millis.set(finished_at);
        if timed_out {
            self.emit(depth, events.timed_out, || {
                let mut body = Map::new();
                body.insert("error".to_owned(), json!("States.Timeout"));
                if !lambda_arn {
                    let (resource_type, action) = resource_parts(resource);
                    body.insert("resourceType".to_owned(), json!(resource_type));
                    body.insert("resource".to_owned(), json!(action));
                }
                detail(events.timed_out_details, Value::Object(body))
            });
            return Err(Raised::plain(Some("States.Timeout".to_owned()), None));
        }
        match reply {
            Reply::Return(result) => {
                if might_exceed(&result, self.options.max_payload_bytes)
                    && longer_than(&result, self.options.max_payload_bytes)
                {
                    return Err(data_limit(&state.name));
                }
                self.emit(depth, events.succeeded, || {
                    let mut body = Map::new();
                    self.put_payload(&mut body, "output", &result);
                    detail(events.succeeded_details, Value::Object(body))
                });
                Ok(result)
            }
            Reply::Throw(error, cause) => {
                self.emit(depth, events.failed, || {
                    detail(
                        events.failed_details,
                        json!({"error": error, "cause": cause}),
                    )
                });
                Err(Raised::plain(
                    Some(error.to_owned()),
                    Some(cause.to_owned()),
                ))
            }
        }
    }

    fn wait_delay_jsonpath(&self, spec: &WaitSpec, scope: &Scope<'_>) -> Result<i64, Raised> {
        match spec {
            WaitSpec::Seconds(Dynamic::Literal(value)) => {
                seconds_to_millis(value.as_f64().unwrap_or(0.0))
            }
            WaitSpec::Seconds(Dynamic::Path { text, path }) => {
                let value = scope.lookup(path).map(Found::into_owned).map_err(|_| {
                    Raised::runtime(format!(
                        "The SecondsPath parameter does not reference an input value: {text}"
                    ))
                })?;
                let Some(seconds) = value.as_i64().or_else(|| value.as_u64().map(|_| i64::MAX))
                else {
                    return Err(Raised::runtime(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {text} == {}",
                        raw_text(&value)
                    )));
                };
                if seconds < 0 {
                    return Err(Raised::runtime(format!(
                        "The SecondsPath parameter references a negative value: {text} == {seconds}"
                    )));
                }
                seconds_to_millis(seconds as f64)
            }
            WaitSpec::Timestamp(Dynamic::Literal(value)) => {
                let text = value.as_str().unwrap_or_default();
                let Some(nanos) = timestamp::parse(text) else {
                    return Err(Raised::runtime(format!(
                        "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {text}"
                    )));
                };
                self.until(nanos)
            }
            WaitSpec::Timestamp(Dynamic::Path { text, path }) => {
                let value = scope.lookup(path).map(Found::into_owned).map_err(|_| {
                    Raised::runtime(format!(
                        "The TimestampPath parameter does not reference an input value: {text}"
                    ))
                })?;
                let parsed = value.as_str().and_then(timestamp::parse);
                let Some(nanos) = parsed else {
                    return Err(Raised::runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {text} == {}",
                        raw_text(&value)
                    )));
                };
                self.until(nanos)
            }
            WaitSpec::Seconds(Dynamic::Jsonata(_)) | WaitSpec::Timestamp(Dynamic::Jsonata(_)) => {
                Err(Raised::runtime(
                    "a JSONata expression in a JSONPath Wait state",
                ))
            }
        }
    }

    fn until(&self, nanos: i128) -> Result<i64, Raised> {
        let now_nanos = i128::from(self.clock_millis.get()) * 1_000_000;
        let delay_nanos = (nanos - now_nanos).max(0);
        if delay_nanos / 1_000_000_000 > MAX_WAIT_SECONDS as i128 {
            return Err(Raised::runtime("Wait state delay is too long."));
        }
        Ok(i64::try_from(delay_nanos / 1_000_000).unwrap_or(i64::MAX))
    }

    fn map_items_jsonpath(
        &self,
        state: &State,
        spec: &MapSpec,
        scope: &Scope<'_>,
    ) -> Result<Vec<Value>, Raised> {
        if spec.item_reader.is_some() {
            return self.reader_items(state);
        }
        let items = match &spec.items_path {
            None | Some(DataPath::Whole) => scope.input.clone(),
            Some(DataPath::Null) => Value::Object(Map::new()),
            Some(DataPath::Path(named)) => scope
                .lookup(&named.path)
                .map(Found::into_owned)
                .map_err(|missing| {
                    Raised::runtime(format!(
                        "Invalid path '{}' : {}",
                        named.text, missing.message
                    ))
                })?,
        };
        match items {
            Value::Array(items) => Ok(items),
            other => Err(Raised::runtime(format!(
                "Map state input must be an array but was: {}",
                compact(&other)
            ))),
        }
    }

    /// Checks that `path` finds an array in the frame's input and refers to it without copying it.
    fn shared_items(
        &self,
        depth: usize,
        text: &str,
        path: &Path,
        scope: &Scope<'_>,
    ) -> Result<Items, Raised> {
        let found = scope.lookup(path).map_err(|missing| {
            Raised::runtime(format!("Invalid path '{text}' : {}", missing.message))
        })?;
        match found.as_value() {
            Value::Array(items) => Ok(Items::Shared {
                source: self.raw_input(depth),
                path: path.clone(),
                count: items.len(),
            }),
            other => Err(Raised::runtime(format!(
                "Map state input must be an array but was: {}",
                compact(other)
            ))),
        }
    }

    fn reader_items(&self, state: &State) -> Result<Vec<Value>, Raised> {
        if let Some(cause) = self.options.item_reader_errors.get(&state.name) {
            return Err(Raised::plain(
                Some("States.ItemReaderFailed".to_owned()),
                Some(cause.clone()),
            ));
        }
        self.options.item_reader_items.get(&state.name).cloned().ok_or_else(|| {
            Raised::runtime(format!(
                "The Map state '{}' reads its items with an ItemReader: give the simulator the items (for example from a local file).",
                state.name
            ))
        })
    }

    /// Validates MaxConcurrency and the tolerated failure settings, and returns the container kind.
    fn map_kind(
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
                    let text = match dynamic {
                        Dynamic::Path { text, .. } => text.clone(),
                        _ => String::new(),
                    };
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
                    let text = match dynamic {
                        Dynamic::Path { text, .. } => text.clone(),
                        _ => String::new(),
                    };
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

    fn run_jsonata(&self, depth: usize, state: &State) -> Result<(Flow, Assignments), Raised> {
        let input = self
            .stack
            .get(depth)
            .map_or(&Value::Null, |frame| &*frame.input);
        let scope = self.jsonata_scope(depth, state, input, &[], None);
        let make_context = || self.context_value(depth, state, None);
        let path_scope = self.scope(depth, input, &make_context);
        match &state.kind {
            Kind::Pass { .. } | Kind::Succeed => {
                let assignments = jsonata_assign(state.assign.as_ref(), &scope)?;
                let output = match &state.output {
                    Some(output) => Out::New(scope.template(output, "Output")?),
                    None => Out::Same,
                };
                let flow = if matches!(state.kind, Kind::Succeed) {
                    Flow::End {
                        output,
                        delay_millis: 0,
                    }
                } else {
                    flow_to(state, output, 0)
                };
                Ok((flow, assignments))
            }
            Kind::Task {
                resource,
                timeout,
                heartbeat,
            } => {
                let arguments = match &state.arguments {
                    Some(arguments) => Cow::Owned(scope.template(arguments, "Arguments")?),
                    None => Cow::Borrowed(input),
                };
                self.trace_stage(depth, "arguments", || arguments.clone().into_owned());
                let limits = task_limits(
                    timeout.as_ref(),
                    heartbeat.as_ref(),
                    &path_scope,
                    Some(&scope),
                )?;
                let result = self.invoke_task(depth, state, resource, &arguments, limits)?;
                self.trace_stage(depth, "result", || result.clone());
                self.jsonata_finish(depth, state, input, result)
            }
            Kind::Choice { rules, default } => {
                let mut evaluate = |condition: &Value| -> Result<bool, Raised> {
                    let value = match condition {
                        Value::String(text) => match jsonata_expression(text) {
                            Some(expression) => scope.expression(expression, "Condition")?,
                            None => condition.clone(),
                        },
                        other => other.clone(),
                    };
                    value.as_bool().ok_or_else(|| {
                        Raised::located(
                            "States.QueryEvaluationError",
                            format!(
                                "The JSONata expression specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '{}' for value: {}",
                                crate::intrinsics::kind_name(&value),
                                compact(&value)
                            ),
                        )
                    })
                };
                let mut chosen = None;
                for rule in rules {
                    if choice::holds(&rule.condition, &path_scope, &mut evaluate)? {
                        chosen = Some((rule.next, rule.assign.as_ref(), rule.output.as_ref()));
                        break;
                    }
                }
                let (next, assign, output) = match chosen {
                    Some(found) => found,
                    None => match default {
                        Some(default) => (*default, state.assign.as_ref(), state.output.as_ref()),
                        None => return Err(no_choice_matched()),
                    },
                };
                let assignments = jsonata_assign(assign, &scope)?;
                let output = match output {
                    Some(output) => Out::New(scope.template(output, "Output")?),
                    None => Out::Same,
                };
                Ok((
                    Flow::Next {
                        next,
                        output,
                        delay_millis: 0,
                    },
                    assignments,
                ))
            }
            Kind::Wait(spec) => {
                let delay_millis = self.wait_delay_jsonata(spec, &scope, &path_scope)?;
                let assignments = jsonata_assign(state.assign.as_ref(), &scope)?;
                let output = match &state.output {
                    Some(output) => Out::New(scope.template(output, "Output")?),
                    None => Out::Same,
                };
                Ok((flow_to(state, output, delay_millis), assignments))
            }
            Kind::Fail { error, cause } => {
                let error = fail_field_jsonata(error, "Error", &scope, &path_scope)?;
                let cause = fail_field_jsonata(cause, "Cause", &scope, &path_scope)?;
                Err(Raised::plain(error, cause))
            }
            Kind::Parallel { branches } => {
                let arguments = match &state.arguments {
                    Some(arguments) => Rc::new(scope.template(arguments, "Arguments")?),
                    None => self.raw_input(depth),
                };
                Ok((
                    Flow::Start(Box::new(new_container(
                        ContainerKind::Parallel {
                            branches: branches.clone(),
                        },
                        arguments,
                        Items::Owned(Vec::new()),
                    ))),
                    None,
                ))
            }
            Kind::Map(spec) => {
                let items = if spec.item_reader.is_some() {
                    Items::Owned(self.reader_items(state)?)
                } else {
                    match &spec.items {
                        Some(Value::String(text)) if jsonata_expression(text).is_some() => {
                            let expression = jsonata_expression(text).unwrap_or_default();
                            match scope.expression(expression, "Items")? {
                                Value::Array(items) => Items::Owned(items),
                                other => {
                                    let failure = crate::jsonata::JsonataError::unexpected_type(
                                        expression, "Items", "array", &other,
                                    );
                                    return Err(Raised::located(failure.error, failure.cause));
                                }
                            }
                        }
                        Some(literal) => match scope.template(literal, "Items")? {
                            Value::Array(items) => Items::Owned(items),
                            other => {
                                return Err(Raised::located(
                                    "States.QueryEvaluationError",
                                    format!(
                                        "Map state input must be an array but was: {}",
                                        compact(&other)
                                    ),
                                ));
                            }
                        },
                        None => match input {
                            Value::Array(items) => Items::Shared {
                                source: self.raw_input(depth),
                                path: whole_input(),
                                count: items.len(),
                            },
                            other => {
                                return Err(Raised::located(
                                    "States.QueryEvaluationError",
                                    format!(
                                        "Map state input must be an array but was: {}",
                                        compact(other)
                                    ),
                                ));
                            }
                        },
                    }
                };
                let kind = self.map_kind(spec, &path_scope, Some(&scope))?;
                Ok((
                    Flow::Start(Box::new(new_container(kind, self.raw_input(depth), items))),
                    None,
                ))
            }
        }
    }

    fn jsonata_finish(
        &self,
        depth: usize,
        state: &State,
        input: &Value,
        result: Value,
    ) -> Result<(Flow, Assignments), Raised> {
        let scope = self.jsonata_scope(depth, state, input, &[("result", &result)], None);
        let assignments = jsonata_assign(state.assign.as_ref(), &scope)?;
        let output = match &state.output {
            Some(output) => scope.template(output, "Output")?,
            None => result,
        };
        Ok((flow_to(state, Out::New(output), 0), assignments))
    }

    fn wait_delay_jsonata(
        &self,
        spec: &WaitSpec,
        scope: &JsonataScope<'_>,
        path_scope: &Scope<'_>,
    ) -> Result<i64, Raised> {
        match spec {
            WaitSpec::Seconds(dynamic) => {
                let value = resolve_dynamic(dynamic, "Seconds", path_scope, Some(scope))?;
                match value.as_i64() {
                    Some(seconds) if seconds >= 0 => seconds_to_millis(seconds as f64),
                    _ => Err(Raised::located(
                        "States.QueryEvaluationError",
                        format!(
                            "The JSONata expression specified for the field 'Seconds' returned an unexpected result type. Expected 'integer', but was '{}' for value: {}",
                            crate::intrinsics::kind_name(&value),
                            compact(&value)
                        ),
                    )),
                }
            }
            WaitSpec::Timestamp(dynamic) => {
                let value = resolve_dynamic(dynamic, "Timestamp", path_scope, Some(scope))?;
                let text = raw_text(&value);
                match value.as_str().and_then(timestamp::parse) {
                    Some(nanos) => self.until(nanos),
                    None => Err(Raised::located(
                        "States.QueryEvaluationError",
                        format!(
                            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {text}"
                        ),
                    )),
                }
            }
        }
    }

    // ----- containers ------------------------------------------------------------------------

    fn start_container_events(&self, depth: usize, state: &State, container: &Container) {
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
                    let label = match &state.kind {
                        Kind::Map(spec) => spec.label.clone().unwrap_or_else(|| state.name.clone()),
                        _ => state.name.clone(),
                    };
                    let arn = format!(
                        "arn:aws:states:{}:{}:mapRun:{}/{label}:{}",
                        self.options.region,
                        self.options.account,
                        self.options.state_machine_name,
                        self.options.execution_name
                    );
                    self.emit(depth, "MapRunStarted", || {
                        detail("mapRunStartedEventDetails", json!({"mapRunArn": arn}))
                    });
                }
            }
        }
    }

    fn start_child(&mut self, depth: usize) {
        let plan = Rc::clone(&self.plan);
        let Some(frame) = self.stack.get(depth) else {
            return;
        };
        let Some(state) = plan
            .machines
            .get(frame.machine)
            .and_then(|machine| machine.states.get(frame.state))
        else {
            return;
        };
        let Some(start_millis) = self
            .stack
            .get_mut(depth)
            .and_then(|frame| frame.container.as_mut())
            .map(|container| container.schedule.start_child())
        else {
            return;
        };
        self.clock_millis.set(start_millis);
        if self.stack.len() >= self.options.max_depth {
            let cause = format!(
                "Parallel/Map nesting is deeper than {} levels.",
                self.options.max_depth
            );
            self.fail_child_start(depth, Raised::runtime(cause), start_millis);
            return;
        }
        // Each item is handed to its iteration once: move it out instead of copying it.
        let item = self
            .stack
            .get_mut(depth)
            .and_then(|frame| frame.container.as_mut())
            .map(|container| container.items.take(container.next))
            .unwrap_or(Value::Null);
        let Some(frame) = self.stack.get(depth) else {
            return;
        };
        let Some(container) = frame.container.as_ref() else {
            return;
        };
        let index = container.next;
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
        if let Some(container) = self
            .stack
            .get_mut(depth)
            .and_then(|frame| frame.container.as_mut())
        {
            container.next += 1;
        }
        // Children run side by side: each one's events follow the container's start, not the
        // previous child's last event.
        if let Some(frame) = self.stack.get(depth)
            && let Some(container) = &frame.container
        {
            frame.last_event.set(container.schedule.tail().first_id());
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
        });
    }

    /// A child could not start (its ItemSelector failed, or nesting is too deep): that fails the
    /// container at the instant the child would have started.
    fn fail_child_start(&mut self, depth: usize, raised: Raised, at_millis: i64) {
        if let Some(container) = self
            .stack
            .get_mut(depth)
            .and_then(|frame| frame.container.as_mut())
        {
            container.next += 1;
            container.schedule.child_ended(at_millis, None);
            container.record_failure(raised, at_millis);
        }
    }

    fn select_item(
        &self,
        depth: usize,
        state: &State,
        input: &Value,
        index: usize,
        item: Value,
    ) -> Result<Value, Raised> {
        let Kind::Map(spec) = &state.kind else {
            return Ok(item);
        };
        match state.language {
            Language::JsonPath => match &spec.item_selector {
                Some(selector) => {
                    let make_context = || self.context_value(depth, state, Some((index, &item)));
                    self.scope(depth, input, &make_context).render(selector)
                }
                None => Ok(item),
            },
            Language::Jsonata => match &spec.item_selector_jsonata {
                Some(selector) => {
                    let scope = self.jsonata_scope(depth, state, input, &[], Some((index, &item)));
                    scope.template(selector, "ItemSelector")
                }
                None => Ok(item),
            },
        }
    }

    /// A child frame ended: hand its outcome to the parent's container, or end the execution.
    fn complete_frame(&mut self, depth: usize, outcome: Result<Value, Raised>) {
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
        container
            .schedule
            .child_ended(end_millis, frame.iteration.filter(|_| is_map));
        // A failed iteration fails an inline Map; a Distributed Map counts it and keeps its error.
        let output = match outcome {
            Ok(output) => output,
            Err(raised) if distributed && !execution_timed_out => {
                container.failures += 1;
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
    }

    /// The container's children have all run: its clock moves to the instant it ends, and its
    /// children's records are cut at its failure and put in time order (see `concurrency`).
    fn settle_children(&mut self, depth: usize, state: &State, container: &mut Container) {
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

    fn parent_state_name(&self, depth: usize) -> String {
        self.stack
            .get(depth)
            .and_then(|frame| {
                self.plan
                    .machines
                    .get(frame.machine)
                    .and_then(|machine| machine.states.get(frame.state))
            })
            .map(|state| state.name.clone())
            .unwrap_or_default()
    }

    fn finish_container(&mut self, depth: usize) {
        let plan = Rc::clone(&self.plan);
        let Some(frame) = self.stack.get_mut(depth) else {
            return;
        };
        let Some(container) = frame.container.take() else {
            return;
        };
        let Some(state) = plan
            .machines
            .get(frame.machine)
            .and_then(|machine| machine.states.get(frame.state))
        else {
            return;
        };
        let mut container = *container;
        self.settle_children(depth, state, &mut container);
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
                let total = container.items.len() as f64;
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
        let result = Value::Array(container.results);
        let outcome = match state.language {
            Language::JsonPath => {
                let make_context = || self.context_value(depth, state, None);
                let raw = self
                    .stack
                    .get(depth)
                    .map_or(&Value::Null, |frame| &*frame.input);
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

    // ----- errors ----------------------------------------------------------------------------

    fn handle_error(&mut self, depth: usize, state: &State, raised: Raised) {
        if raised.severity == Severity::ExecutionTimeout {
            self.time_out_execution();
            return;
        }
        let entered_id = self
            .stack
            .get(depth)
            .and_then(|frame| frame.entered)
            .map_or(0, |entered| entered.event_id);
        let mut raised = raised;
        if raised.located {
            raised.cause = Some(format!(
                "An error occurred while executing the state '{}' (entered at the event id #{entered_id}). {}",
                state.name,
                raised.cause.unwrap_or_default()
            ));
            raised.located = false;
        }
        if self.options.record_trace
            && let Some(index) = self
                .stack
                .get(depth)
                .and_then(|frame| frame.trace_index.get())
            && let Some(entry) = self.log.borrow_mut().trace.get_mut(index)
        {
            entry.error = raised.error.clone();
        }
        if let Some(frame) = self.stack.get_mut(depth) {
            frame.container = None;
        }
        let is_task = matches!(state.kind, Kind::Task { .. });
        // Retry.
        if let Some(position) = state
            .retry
            .iter()
            .position(|retrier| error_matches(&retrier.errors, &raised, is_task))
        {
            let retrier = &state.retry[position];
            let attempts = self
                .stack
                .get(depth)
                .and_then(|frame| frame.attempts.get(position).copied())
                .unwrap_or(0);
            if attempts < retrier.max_attempts {
                let mut delay = retrier.interval_seconds
                    * retrier
                        .backoff_rate
                        .powi(i32::try_from(attempts).unwrap_or(i32::MAX));
                if let Some(max_delay) = retrier.max_delay_seconds {
                    delay = delay.min(max_delay);
                }
                if retrier.full_jitter {
                    let draw = self.random.borrow_mut().next_u64();
                    delay *= (draw >> 11) as f64 / (1u64 << 53) as f64;
                }
                if !self.advance_clock((delay * 1000.0).round() as i64) {
                    return;
                }
                if let Some(frame) = self.stack.get_mut(depth) {
                    if let Some(slot) = frame.attempts.get_mut(position) {
                        *slot += 1;
                    }
                    frame.retry_count += 1;
                }
                return;
            }
        }
        // Catch.
        if let Some(catcher) = state
            .catch
            .iter()
            .find(|catcher| error_matches(&catcher.errors, &raised, is_task))
        {
            match self.apply_catcher(depth, state, catcher, &raised) {
                Ok((output, assignments)) => {
                    let flow = Flow::Next {
                        next: catcher.next,
                        output: Out::New(output),
                        delay_millis: 0,
                    };
                    self.apply_flow(depth, state, flow, assignments);
                }
                Err(failure) => {
                    let mut failure = failure;
                    if failure.located {
                        failure.cause = Some(format!(
                            "An error occurred while executing the state '{}' (entered at the event id #{entered_id}). {}",
                            state.name,
                            failure.cause.unwrap_or_default()
                        ));
                        failure.located = false;
                    }
                    self.complete_frame(depth, Err(failure));
                }
            }
            return;
        }
        self.complete_frame(depth, Err(raised));
    }

    fn apply_catcher(
        &self,
        depth: usize,
        state: &State,
        catcher: &Catcher,
        raised: &Raised,
    ) -> Result<(Value, Assignments), Raised> {
        let error_output = error_output(raised);
        let raw = self
            .stack
            .get(depth)
            .map_or(&Value::Null, |frame| &*frame.input);
        match state.language {
            Language::JsonPath => {
                let make_context = || self.context_value(depth, state, None);
                let scope = self.scope(depth, &error_output, &make_context);
                let assignments = jsonpath_assign(catcher.assign.as_ref(), &scope)?;
                let output = apply_result_path(&catcher.result_path, raw, error_output.clone())?;
                Ok((output.into_owned(), assignments))
            }
            Language::Jsonata => {
                let scope =
                    self.jsonata_scope(depth, state, raw, &[("errorOutput", &error_output)], None);
                let assignments = jsonata_assign(catcher.assign.as_ref(), &scope)?;
                let output = match &catcher.output {
                    Some(output) => scope.template(output, "Output")?,
                    None => error_output,
                };
                Ok((output, assignments))
            }
        }
    }
}

fn aborted_result() -> ExecutionResult {
    ExecutionResult::not_run(Status::Aborted, None, None)
}

fn whole_input() -> Path {
    Path {
        root: Root::Input,
        segments: Vec::new(),
    }
}

fn new_container(kind: ContainerKind, input: Rc<Value>, items: Items) -> Container {
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
    }
}

fn detail(key: &str, value: Value) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(key.to_owned(), value);
    map
}

fn flow_to(state: &State, output: Out, delay_millis: i64) -> Flow {
    match state.next {
        Some(next) => Flow::Next {
            next,
            output,
            delay_millis,
        },
        None => Flow::End {
            output,
            delay_millis,
        },
    }
}

fn entered_event(kind: &Kind) -> &'static str {
    match kind {
        Kind::Pass { .. } => "PassStateEntered",
        Kind::Task { .. } => "TaskStateEntered",
        Kind::Choice { .. } => "ChoiceStateEntered",
        Kind::Wait(_) => "WaitStateEntered",
        Kind::Succeed => "SucceedStateEntered",
        Kind::Fail { .. } => "FailStateEntered",
        Kind::Parallel { .. } => "ParallelStateEntered",
        Kind::Map(_) => "MapStateEntered",
    }
}

fn exited_event(kind: &Kind) -> Option<&'static str> {
    match kind {
        Kind::Pass { .. } => Some("PassStateExited"),
        Kind::Task { .. } => Some("TaskStateExited"),
        Kind::Choice { .. } => Some("ChoiceStateExited"),
        Kind::Wait(_) => Some("WaitStateExited"),
        Kind::Succeed => Some("SucceedStateExited"),
        Kind::Fail { .. } => None,
        Kind::Parallel { .. } => Some("ParallelStateExited"),
        Kind::Map(_) => Some("MapStateExited"),
    }
}

fn data_limit(state: &str) -> Raised {
    Raised {
        error: Some("States.DataLimitExceeded".to_owned()),
        cause: Some(format!(
            "The state/task '{state}' returned a result with a size exceeding the maximum number of bytes service limit."
        )),
        severity: Severity::Explicit,
        located: false,
    }
}

/// A cheap upper-bound test before measuring a value's JSON size.
/// Whether `value` holds at most `limit` values (itself included), counting no further than that.
fn few_values(value: &Value, limit: usize) -> bool {
    // Children are counted when their container is reached, so scalars are never visited and a
    // wide document is rejected at its top level.
    fn fits(value: &Value, left: &mut usize) -> bool {
        let children = match value {
            Value::Array(items) => items.len(),
            Value::Object(map) => map.len(),
            _ => return true,
        };
        if children > *left {
            return false;
        }
        *left -= children;
        match value {
            Value::Array(items) => items.iter().all(|item| fits(item, left)),
            Value::Object(map) => map.values().all(|item| fits(item, left)),
            _ => true,
        }
    }
    let Some(mut left) = limit.checked_sub(1) else {
        return false;
    };
    fits(value, &mut left)
}

/// Whether the compact JSON text of `value` is longer than `limit` bytes. Counts instead of building
/// the text, and stops as soon as the limit is passed.
fn longer_than(value: &Value, limit: usize) -> bool {
    json_size_up_to(value, limit) > limit
}

fn might_exceed(value: &Value, limit: usize) -> bool {
    if limit >= usize::MAX / 4 {
        // No real limit (lifted by the caller): nothing to measure.
        return false;
    }
    fn estimate(value: &Value, budget: &mut usize) -> bool {
        match value {
            Value::String(text) => {
                *budget = budget.saturating_sub(text.len() + 2);
            }
            Value::Array(items) => {
                for item in items {
                    if estimate(item, budget) {
                        return true;
                    }
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    *budget = budget.saturating_sub(key.len() + 3);
                    if estimate(item, budget) {
                        return true;
                    }
                }
            }
            _ => *budget = budget.saturating_sub(1),
        }
        *budget == 0
    }
    let mut budget = limit / 2;
    estimate(value, &mut budget)
}

fn error_output(raised: &Raised) -> Value {
    let mut map = Map::new();
    if let Some(error) = &raised.error {
        map.insert("Error".to_owned(), Value::String(error.clone()));
    }
    if let Some(cause) = &raised.cause {
        map.insert("Cause".to_owned(), Value::String(cause.clone()));
    }
    Value::Object(map)
}

fn error_matches(names: &[Rc<str>], raised: &Raised, is_task: bool) -> bool {
    if matches!(
        raised.severity,
        Severity::Fatal | Severity::ExecutionTimeout
    ) {
        return false;
    }
    let error = raised.error.as_deref();
    names.iter().any(|name| match &**name {
        "States.ALL" => raised.severity == Severity::Normal,
        "States.TaskFailed" => {
            is_task && raised.severity == Severity::Normal && error != Some("States.Timeout")
        }
        other => error == Some(other),
    })
}

fn apply_input_path<'a>(field: &DataPath, scope: &Scope<'a>) -> Result<Cow<'a, Value>, Raised> {
    match field {
        DataPath::Whole => Ok(Cow::Borrowed(scope.input)),
        DataPath::Null => Ok(Cow::Owned(Value::Object(Map::new()))),
        DataPath::Path(path) => lookup_or_runtime(scope, &path.text, path).map(Cow::Owned),
    }
}

/// OutputPath applied to `current` (the value `scope` stands for): `Same` when nothing changes it, so that
/// the caller can reuse the value it already holds.
fn output_of(field: &DataPath, scope: &Scope<'_>, current: Cow<'_, Value>) -> Result<Out, Raised> {
    match field {
        DataPath::Whole => Ok(match current {
            Cow::Borrowed(_) => Out::Same,
            Cow::Owned(value) => Out::New(value),
        }),
        DataPath::Null => Ok(Out::New(Value::Object(Map::new()))),
        DataPath::Path(path) => {
            let current_scope = scope.with_input(&current);
            lookup_or_runtime(&current_scope, &path.text, path).map(Out::New)
        }
    }
}

fn no_choice_matched() -> Raised {
    Raised::located("States.NoChoiceMatched", "No Matches!")
}

fn lookup_or_runtime(scope: &Scope<'_>, text: &str, path: &Path) -> Result<Value, Raised> {
    scope
        .lookup(path)
        .map(Found::into_owned)
        .map_err(|missing| Raised::runtime(format!("Invalid path '{text}' : {}", missing.message)))
}

fn apply_result_path<'a>(
    field: &ResultPathField,
    raw: &'a Value,
    result: Value,
) -> Result<Cow<'a, Value>, Raised> {
    match field {
        ResultPathField::Replace => Ok(Cow::Owned(result)),
        ResultPathField::Discard => Ok(Cow::Borrowed(raw)),
        ResultPathField::Path { path } => {
            let mut target = raw.clone();
            jpath::set(&mut target, path, result).map_err(|_| Raised {
                error: Some("States.ResultPathMatchFailure".to_owned()),
                cause: Some(format!(
                    "Unable to apply ReferencePath {} to input '{}'",
                    path.text,
                    compact(raw)
                )),
                severity: Severity::Normal,
                located: true,
            })?;
            Ok(Cow::Owned(target))
        }
    }
}

fn jsonpath_assign(assign: Option<&Assign>, scope: &Scope<'_>) -> Result<Assignments, Raised> {
    match assign {
        None => Ok(None),
        Some(Assign::JsonPath(template)) => match scope.render(template)? {
            Value::Object(map) => Ok(Some(map)),
            _ => Err(Raised::runtime("Assign must be an object")),
        },
        Some(Assign::Jsonata(_)) => Err(Raised::runtime("a JSONata Assign in a JSONPath state")),
    }
}

fn jsonata_assign(
    assign: Option<&Assign>,
    scope: &JsonataScope<'_>,
) -> Result<Assignments, Raised> {
    match assign {
        None => Ok(None),
        Some(Assign::Jsonata(value)) => match &**value {
            Value::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (name, member) in map {
                    out.insert(
                        name.clone(),
                        scope.template(member, &format!("Assign/{name}"))?,
                    );
                }
                Ok(Some(out))
            }
            Value::String(text) => match jsonata_expression(text) {
                Some(expression) => match scope.expression(expression, "Assign")? {
                    Value::Object(map) => Ok(Some(map)),
                    _ => Err(Raised::located(
                        "States.QueryEvaluationError",
                        "Assign must evaluate to an object",
                    )),
                },
                None => Err(Raised::runtime("Assign must be an object")),
            },
            _ => Err(Raised::runtime("Assign must be an object")),
        },
        Some(Assign::JsonPath(template)) => match template.literal_object() {
            Some(map) => Ok(Some(map.clone())),
            None => Err(Raised::runtime("a JSONPath Assign in a JSONata state")),
        },
    }
}

fn fail_field_jsonpath(
    field: &FailField,
    name: &str,
    scope: &Scope<'_>,
) -> Result<Option<String>, Raised> {
    match field {
        FailField::Absent => Ok(None),
        FailField::Literal(text) => Ok(Some(text.clone())),
        FailField::Path { text, template } => {
            let value = match &**template {
                Template::Path { path, .. } => scope.lookup(path).map(Found::into_owned).map_err(|missing| {
                    if missing.too_expensive {
                        return too_expensive(name, text);
                    }
                    Raised::runtime(format!(
                        "The JSONPath '{text}' specified for the field '{name}' could not be found in the input '{}'",
                        compact(scope.input)
                    ))
                })?,
                other => scope.render(other)?,
            };
            Ok(Some(raw_text(&value)))
        }
        FailField::Jsonata(_) => Err(Raised::runtime(
            "a JSONata expression in a JSONPath Fail state",
        )),
    }
}

fn fail_field_jsonata(
    field: &FailField,
    name: &str,
    scope: &JsonataScope<'_>,
    path_scope: &Scope<'_>,
) -> Result<Option<String>, Raised> {
    match field {
        FailField::Absent => Ok(None),
        FailField::Literal(text) => Ok(Some(text.clone())),
        FailField::Jsonata(expression) => {
            let value = scope.expression(expression, name)?;
            Ok(Some(raw_text(&value)))
        }
        FailField::Path { .. } => fail_field_jsonpath(field, name, path_scope),
    }
}

/// A value as AWS quotes it in causes: strings bare, everything else as compact JSON.
fn raw_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => compact(other),
    }
}

fn as_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|float| float.fract() == 0.0 && float.abs() < 9.0e15)
                .map(|float| float as i64)
        }),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn as_float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn resolve_dynamic(
    dynamic: &Dynamic,
    field: &str,
    scope: &Scope<'_>,
    jsonata: Option<&JsonataScope<'_>>,
) -> Result<Value, Raised> {
    match dynamic {
        Dynamic::Literal(value) => Ok((**value).clone()),
        Dynamic::Path { text, path } => lookup_or_runtime(scope, text, path),
        Dynamic::Jsonata(expression) => match jsonata {
            Some(jsonata) => jsonata.expression(expression, field),
            None => Err(Raised::runtime(format!(
                "a JSONata expression for '{field}' in a JSONPath state"
            ))),
        },
    }
}

fn seconds_to_millis(seconds: f64) -> Result<i64, Raised> {
    if seconds > MAX_WAIT_SECONDS {
        return Err(Raised::runtime("Wait state delay is too long."));
    }
    Ok((seconds.max(0.0) * 1000.0).round() as i64)
}

/// History event names of a Task: Lambda function ARNs get their own family.
struct TaskEvents {
    scheduled: &'static str,
    scheduled_details: &'static str,
    started: &'static str,
    succeeded: &'static str,
    succeeded_details: &'static str,
    failed: &'static str,
    failed_details: &'static str,
    timed_out: &'static str,
    timed_out_details: &'static str,
}

impl TaskEvents {
    const TASK: Self = Self {
        scheduled: "TaskScheduled",
        scheduled_details: "taskScheduledEventDetails",
        started: "TaskStarted",
        succeeded: "TaskSucceeded",
        succeeded_details: "taskSucceededEventDetails",
        failed: "TaskFailed",
        failed_details: "taskFailedEventDetails",
        timed_out: "TaskTimedOut",
        timed_out_details: "taskTimedOutEventDetails",
    };
    const LAMBDA: Self = Self {
        scheduled: "LambdaFunctionScheduled",
        scheduled_details: "lambdaFunctionScheduledEventDetails",
        started: "LambdaFunctionStarted",
        succeeded: "LambdaFunctionSucceeded",
        succeeded_details: "lambdaFunctionSucceededEventDetails",
        failed: "LambdaFunctionFailed",
        failed_details: "lambdaFunctionFailedEventDetails",
        timed_out: "LambdaFunctionTimedOut",
        timed_out_details: "lambdaFunctionTimedOutEventDetails",
    };
}

/// A Task's `TimeoutSeconds` and `HeartbeatSeconds` once resolved (None: not set).
#[derive(Clone, Copy, Default)]
struct TaskLimits {
    timeout_seconds: Option<u64>,
    heartbeat_seconds: Option<u64>,
}

/// Resolves a Task's timeouts: literals, `...Path` references (JSONPath) or `{% %}` expressions
/// (JSONata). A resolved value must be a positive integer.
fn task_limits(
    timeout: Option<&Dynamic>,
    heartbeat: Option<&Dynamic>,
    scope: &Scope<'_>,
    jsonata: Option<&JsonataScope<'_>>,
) -> Result<TaskLimits, Raised> {
    let mut resolved = [None, None];
    for (slot, (field, path_field, dynamic)) in resolved.iter_mut().zip([
        ("TimeoutSeconds", "TimeoutSecondsPath", timeout),
        ("HeartbeatSeconds", "HeartbeatSecondsPath", heartbeat),
    ]) {
        *slot = match dynamic {
            None => None,
            Some(Dynamic::Literal(value)) => value.as_f64().map(|seconds| seconds.max(0.0) as u64),
            Some(Dynamic::Path { text, path }) => {
                let value = scope
                    .lookup(path)
                    .map(Found::into_owned)
                    .map_err(|missing| {
                        Raised::runtime(format!("Invalid path '{text}' : {}", missing.message))
                    })?;
                match value.as_u64().filter(|seconds| *seconds > 0) {
                    Some(seconds) => Some(seconds),
                    None => {
                        return Err(Raised::runtime(format!(
                            "The {path_field} field refers to value \"{}\" which is not a valid positive integer: {text}",
                            raw_text(&value)
                        )));
                    }
                }
            }
            Some(dynamic @ Dynamic::Jsonata(_)) => {
                let value = resolve_dynamic(dynamic, field, scope, jsonata)?;
                match value.as_u64().filter(|seconds| *seconds > 0) {
                    Some(seconds) => Some(seconds),
                    None => {
                        return Err(Raised::located(
                            "States.QueryEvaluationError",
                            format!(
                                "The JSONata expression specified for the field '{field}' returned an unexpected result type. Expected 'integer', but was '{}' for value: {}",
                                crate::intrinsics::kind_name(&value),
                                compact(&value)
                            ),
                        ));
                    }
                }
            }
        };
    }
    let [timeout_seconds, heartbeat_seconds] = resolved;
    Ok(TaskLimits {
        timeout_seconds,
        heartbeat_seconds,
    })
}

/// `arn:aws:states:::lambda:invoke` -> (`lambda`, `invoke`), as AWS names a Task's resource in events.
fn resource_parts(resource: &str) -> (&str, &str) {
    let service = resource
        .strip_prefix("arn:aws:states:::")
        .unwrap_or(resource);
    service.rsplit_once(':').unwrap_or(("", service))
}

fn seconds_as_millis(seconds: f64) -> i64 {
    (seconds * 1000.0).round() as i64
}
