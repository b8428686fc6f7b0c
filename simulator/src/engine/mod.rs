//! The resumable run loop.
//!
//! A run is a stack of execution contexts (frames): the top level, and above it the Parallel branch or
//! Map iteration currently running, and so on. Children of a Parallel or Map run one at a time, in
//! order (a child that a sibling's earlier failure may overtake is stopped, or rolled back and run
//! again later: see `concurrency`), which keeps runs deterministic and means the live contexts always
//! form a single stack. Each
//! `step` advances the top frame by one state (or one child start/finish), so a caller can run a big
//! execution in slices and cancel it between them. Nothing recurses on the Rust stack across nested
//! machines.
//!
//! This module holds the lifecycle: starting an execution, stepping it, and finishing it (success,
//! failure, time-out, abort, limits). The rest, by concern:
//! - [`state`]: one step of a state, common to both query languages (enter, flow, leave, context).
//! - [`jsonpath_state`] and [`jsonata_state`]: what a state does under each query language.
//! - [`task`]: invoking a Task (mocks, timeouts, its history events).
//! - [`containers`]: Parallel and Map, their children and results.
//! - [`retry_catch`]: Retry, Catch, and failures moving up the stack.
//! - [`events`]: history events and trace stages; [`payload`]: payload size limits.

mod containers;
mod events;
mod jsonata_state;
mod jsonpath_state;
mod map_run;
mod payload;
mod retry_catch;
mod state;
mod task;

pub(crate) use self::state::is_unresolved_placeholder;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use serde_json::{Map, Value, json};

use self::containers::Container;
use self::events::detail;
use self::payload::longer_than;
use crate::concurrency::Log;
use crate::error::{DefinitionError, Raised, Severity};
use crate::intrinsics::IntrinsicContext;
use crate::plan::{self, Plan};
use crate::types::{ExecutionResult, ExecutionType, HistoryEvent, Options, Status, StepOutcome};

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
    /// Files ResultWriters exported, for the caller to write.
    result_files: RefCell<Vec<crate::result_writer::ResultFile>>,
    /// The JSON size of the last input a Pass state nested inside itself (`Out::Nest`), while that
    /// value is still a frame's input: a loop of such states then measures only what it adds.
    nested_size: RefCell<Option<(Weak<Value>, usize)>>,
    /// The earliest instant past which a running Parallel branch or Map iteration must be stopped
    /// or deferred (`i64::MAX`: none); checked after every step.
    watch_millis: i64,
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
    /// Which branch or iteration of its container this frame is (0 at the top level).
    child: usize,
}

#[derive(Clone, Copy)]
struct Entered {
    event_id: u64,
    millis: i64,
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

impl Flow {
    /// To the state a Choice rule (or the Default) chose, at once.
    fn chosen(next: usize, output: Out) -> Self {
        Flow::Next {
            next,
            output,
            delay_millis: 0,
        }
    }
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
            result_files: RefCell::new(Vec::new()),
            nested_size: RefCell::new(None),
            watch_millis: i64::MAX,
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
            child: 0,
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
            if self.clock_millis.get() > self.watch_millis && self.result.is_none() {
                self.check_watch();
            }
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

    /// The running child of the outermost container whose limit the clock has passed is stopped
    /// or deferred (see `Container::watch_limit`); then the watch is set again.
    fn check_watch(&mut self) {
        let now = self.clock_millis.get();
        let top = self.stack.len().saturating_sub(1);
        // Below the top frame, a frame holding a container has a child running.
        let passed = self.stack.iter().take(top).position(|frame| {
            frame
                .container
                .as_ref()
                .and_then(|container| container.watch_limit())
                .is_some_and(|limit| now > limit)
        });
        if let Some(depth) = passed {
            self.interrupt_child(depth);
        }
        self.rearm_watch();
    }

    /// Sets the watch to the earliest limit of the containers with a child running.
    fn rearm_watch(&mut self) {
        let top = self.stack.len().saturating_sub(1);
        self.watch_millis = self
            .stack
            .iter()
            .take(top)
            .filter_map(|frame| frame.container.as_ref()?.watch_limit())
            .min()
            .unwrap_or(i64::MAX);
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
            result_files: std::mem::take(&mut *self.result_files.borrow_mut()),
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
}

fn aborted_result() -> ExecutionResult {
    ExecutionResult::not_run(Status::Aborted, None, None)
}
