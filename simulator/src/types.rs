//! The public vocabulary of a run: options, result, history events, trace.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::mocks::Mocks;

/// Standard or Express workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ExecutionType {
    /// Standard: history limit of 25,000 events, billed per state transition.
    #[default]
    Standard,
    /// Express: 5 minutes at most, billed per request and duration.
    Express,
}

/// Prices used for the cost estimate (USD; defaults are us-east-1 list prices).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PriceTable {
    /// Standard: per state transition.
    pub standard_per_transition: f64,
    /// Express: per execution request.
    pub express_per_request: f64,
    /// Express: per GB-second of duration.
    pub express_per_gb_second: f64,
    /// Express: memory assumed for the duration charge, in MB (AWS bills in 64 MB steps).
    pub express_memory_mb: f64,
}

impl Default for PriceTable {
    fn default() -> Self {
        Self {
            standard_per_transition: 0.000_025,
            express_per_request: 0.000_001,
            express_per_gb_second: 0.000_016_67,
            express_memory_mb: 64.0,
        }
    }
}

/// A Standard execution's longest run: one year, in seconds.
pub const STANDARD_TIMEOUT_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

/// The default work budget ([`Options::max_transitions`]).
pub const DEFAULT_MAX_TRANSITIONS: u64 = 2_000_000;

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Standard or Express.
    pub execution_type: ExecutionType,
    /// Seed of every random choice (retry jitter, `States.UUID`, `$random()`): same seed, same run.
    pub seed: u64,
    /// Task results.
    pub mocks: Mocks,
    /// A Task without a mock returns its input instead of failing.
    pub pass_through: bool,
    /// Virtual start time, milliseconds since the Unix epoch.
    pub start_time_millis: i64,
    /// Execution name (`$$.Execution.Name`).
    pub execution_name: String,
    /// State machine name (`$$.StateMachine.Name`).
    pub state_machine_name: String,
    /// Region in generated ARNs.
    pub region: String,
    /// Account id in generated ARNs.
    pub account: String,
    /// `$$.Execution.RoleArn`.
    pub role_arn: String,
    /// `$$.Task.Token` for `.waitForTaskToken` tasks.
    pub task_token: String,
    /// Record the history events (costs time on big runs; the event count and ids are kept anyway).
    pub record_history: bool,
    /// Record the per-state trace of values after each stage.
    pub record_trace: bool,
    /// Standard executions fail when their history would exceed this many events (AWS: 25,000).
    pub max_history_events: u64,
    /// Deepest nesting of Parallel/Map contexts.
    pub max_depth: usize,
    /// Largest state result or output in bytes (AWS: 256 KiB).
    pub max_payload_bytes: usize,
    /// Express executions time out after this many virtual seconds (AWS: 300).
    pub express_timeout_seconds: f64,
    /// Standard executions time out after this many virtual seconds (AWS: one year, 31,536,000).
    pub standard_timeout_seconds: f64,
    /// The whole run's work budget: steps (states run, branches and iterations started or ended)
    /// after which the dry run stops. No real workflow comes near the default; a loop that never
    /// moves the virtual clock or a nested Map of a billion iterations does. A Standard run then
    /// fails (`States.Runtime`); an Express run times out (`States.Timeout`), as AWS ends it at
    /// five minutes.
    pub max_transitions: u64,
    /// Bytes of payload text (inputs, outputs, parameters) the recorded history keeps. Past it,
    /// events keep their type, ids and names, and mark the payload `{"truncated": true}` as AWS
    /// does, so that a long loop over a large document cannot fill the memory. The first payload
    /// that does not fit spends the budget: later ones are left out too.
    pub max_history_payload_bytes: usize,
    /// Most events the recorded history keeps (the first ones). A Standard run fails at 25,000
    /// events anyway; an Express run (no event limit on AWS) may go on past it, unrecorded.
    pub max_recorded_events: usize,
    /// Items for Map states with an `ItemReader`, by Map state name (e.g. read from a local file).
    pub item_reader_items: HashMap<String, Vec<Value>>,
    /// Datasets for Map states with an `ItemReader`, by Map state name, read as the state's
    /// `ReaderConfig` says (JSON, JSONL, CSV, PARQUET, MANIFEST) when the state starts.
    pub item_reader_sources: HashMap<String, crate::map_items::ItemSource>,
    /// Why the items of a Map state's `ItemReader` could not be read (e.g. a malformed CSV file), by
    /// Map state name: the state fails with `States.ItemReaderFailed` and this cause, as on AWS.
    pub item_reader_errors: HashMap<String, String>,
    /// Prices for the cost estimate.
    pub prices: PriceTable,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            execution_type: ExecutionType::Standard,
            seed: 0,
            mocks: Mocks::new(),
            pass_through: false,
            // 2026-01-01T00:00:00Z
            start_time_millis: 1_767_225_600_000,
            execution_name: "dry-run".to_owned(),
            state_machine_name: "StateMachine".to_owned(),
            region: "us-east-1".to_owned(),
            account: "123456789012".to_owned(),
            role_arn: "arn:aws:iam::123456789012:role/StepFunctionsDryRun".to_owned(),
            task_token: "dry-run-task-token".to_owned(),
            record_history: true,
            record_trace: true,
            max_history_events: 25_000,
            max_depth: 64,
            max_payload_bytes: 256 * 1024,
            express_timeout_seconds: 300.0,
            standard_timeout_seconds: STANDARD_TIMEOUT_SECONDS,
            max_transitions: DEFAULT_MAX_TRANSITIONS,
            max_history_payload_bytes: 128 * 1024 * 1024,
            max_recorded_events: 100_000,
            item_reader_items: HashMap::new(),
            item_reader_errors: HashMap::new(),
            item_reader_sources: HashMap::new(),
            prices: PriceTable::default(),
        }
    }
}

/// How a run ended (or that it has not yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Not finished: call `step` again.
    Running,
    /// Ended at a Succeed state or an End.
    Succeeded,
    /// Ended with an error.
    Failed,
    /// Exceeded a time limit (machine TimeoutSeconds, Express 5 minutes).
    TimedOut,
    /// Cancelled by the caller.
    Aborted,
}

/// One event of the history, shaped like AWS GetExecutionHistory.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEvent {
    /// 1-based id.
    pub id: u64,
    /// The event this one follows (0 for the first).
    pub previous_event_id: u64,
    /// ISO-8601 time on the virtual clock.
    pub timestamp: String,
    /// AWS event type, e.g. `PassStateEntered`.
    #[serde(rename = "type")]
    pub event_type: &'static str,
    /// The `...EventDetails` member, e.g. `{"stateEnteredEventDetails": {"name": "A", "input": "{}"}}`.
    #[serde(flatten)]
    pub details: Map<String, Value>,
}

/// One stage of a state's data flow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceStage {
    /// E.g. `input`, `afterInputPath`, `afterParameters`, `result`, `afterResultSelector`,
    /// `afterResultPath`, `output`, `arguments`, `assign`.
    pub stage: &'static str,
    /// The value after that stage.
    pub value: Value,
}

/// What one state did. Stages whose field is absent (no InputPath, ResultPath, ...) are left out: the
/// value did not change there.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateTrace {
    /// The state's name.
    pub state: String,
    /// Where it ran: `""` at top level, else e.g. `Map[3]/` or `Par#1/`.
    pub scope: String,
    /// Id of its `...StateEntered` event.
    pub entered_event_id: u64,
    /// The values after each stage, in order.
    pub stages: Vec<TraceStage>,
    /// Error raised by the state, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// That error's cause. A Distributed Map's child executions end in their own histories, so the
    /// parent's history never holds it; the trace is where a caller (the test generator) reads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// What the state decided that its events do not show, in order (coverage reads them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
}

/// A decision a state made that the AWS history does not record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Decision {
    /// A Choice state took its rule `index` (0-based, in `Choices` order).
    ChoiceRule {
        /// Position in `Choices`.
        index: usize,
    },
    /// A Choice state took its `Default`.
    ChoiceDefault,
    /// An error was retried by the retrier `retrier` (0-based, in `Retry` order).
    Retry {
        /// Position in `Retry`.
        retrier: usize,
    },
    /// An error was caught by the catcher `catcher` (0-based, in `Catch` order).
    Catch {
        /// Position in `Catch`.
        catcher: usize,
    },
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionResult {
    /// How it ended.
    pub status: Status,
    /// The execution output when it succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// The error name when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The cause when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// The history (empty when not recorded).
    pub history: Vec<HistoryEvent>,
    /// Number of history events, recorded or not.
    pub event_count: u64,
    /// Recorded events whose payloads were left out (`truncated`) because the history passed
    /// [`Options::max_history_payload_bytes`].
    pub truncated_payloads: u64,
    /// Events left out of the history (the last ones) because it already held
    /// [`Options::max_recorded_events`]; `event_count` still counts them.
    pub dropped_events: u64,
    /// Per-state trace (empty when not recorded).
    pub trace: Vec<StateTrace>,
    /// State transitions (states entered), the unit of Standard billing.
    pub state_transitions: u64,
    /// Virtual duration in milliseconds.
    pub duration_millis: i64,
    /// Cost estimate in USD from the price table.
    pub cost_usd: f64,
    /// Files the run's ResultWriters exported to S3 (bucket, key, contents), for the caller to
    /// write where it likes (`asl-studio run --results DIR`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub result_files: Vec<crate::result_writer::ResultFile>,
}

impl ExecutionResult {
    /// The type of each recorded history event, in order (`ExecutionStarted`, `PassStateEntered`, …).
    pub fn event_types(&self) -> Vec<&'static str> {
        self.history.iter().map(|event| event.event_type).collect()
    }

    /// The result of a run that did no work (a definition that does not compile, an execution that
    /// never started).
    pub(crate) fn not_run(status: Status, error: Option<String>, cause: Option<String>) -> Self {
        Self {
            status,
            output: None,
            error,
            cause,
            history: Vec::new(),
            event_count: 0,
            truncated_payloads: 0,
            dropped_events: 0,
            trace: Vec::new(),
            state_transitions: 0,
            duration_millis: 0,
            cost_usd: 0.0,
            result_files: Vec::new(),
        }
    }
}

/// What `Execution::step` achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StepOutcome {
    /// More work remains.
    Running,
    /// The run has ended; see `Execution::result`.
    Finished,
}
