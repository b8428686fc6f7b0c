//! The one way front ends (the CLI's `run`, the web bridge, the designer's simulate pane) build
//! [`Options`]: each starts from [`Options::builder`], sets what its user chose, and leaves every
//! limit it does not expose at the simulator's default. A new flag or limit then gets its default in
//! [`Options::default`] and its setter here, and every front end builds it the same way.

use serde_json::Value;

use crate::mocks::Mocks;
use crate::types::{ExecutionType, Options};

impl Options {
    /// Starts building options from the defaults (see [`OptionsBuilder`]).
    pub fn builder() -> OptionsBuilder {
        OptionsBuilder::default()
    }
}

/// Builds [`Options`] from what a user chose; see [`Options::builder`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct OptionsBuilder {
    options: Options,
}

impl OptionsBuilder {
    /// Standard or Express.
    pub fn execution_type(mut self, execution_type: ExecutionType) -> Self {
        self.options.execution_type = execution_type;
        self
    }

    /// Express when `express`, else Standard (for front ends that offer a yes/no choice).
    pub fn express(self, express: bool) -> Self {
        self.execution_type(if express {
            ExecutionType::Express
        } else {
            ExecutionType::Standard
        })
    }

    /// The seed of every random choice (retry jitter, `States.UUID`, `$random()`).
    pub fn seed(mut self, seed: u64) -> Self {
        self.options.seed = seed;
        self
    }

    /// The Task results.
    pub fn mocks(mut self, mocks: Mocks) -> Self {
        self.options.mocks = mocks;
        self
    }

    /// Whether a Task without a mock returns its input instead of failing.
    pub fn pass_through(mut self, pass_through: bool) -> Self {
        self.options.pass_through = pass_through;
        self
    }

    /// Whether to record the history events.
    pub fn record_history(mut self, record_history: bool) -> Self {
        self.options.record_history = record_history;
        self
    }

    /// Whether to record the per-state trace.
    pub fn record_trace(mut self, record_trace: bool) -> Self {
        self.options.record_trace = record_trace;
        self
    }

    /// The run's work budget ([`Options::max_transitions`]).
    pub fn max_transitions(mut self, max_transitions: u64) -> Self {
        self.options.max_transitions = max_transitions;
        self
    }

    /// The payload limit ([`Options::max_payload_bytes`]; AWS: 256 KiB).
    pub fn max_payload_bytes(mut self, max_payload_bytes: usize) -> Self {
        self.options.max_payload_bytes = max_payload_bytes;
        self
    }

    /// The history event limit of Standard executions ([`Options::max_history_events`]).
    pub fn max_history_events(mut self, max_history_events: u64) -> Self {
        self.options.max_history_events = max_history_events;
        self
    }

    /// The virtual time limit of Express executions ([`Options::express_timeout_seconds`]).
    pub fn express_timeout_seconds(mut self, seconds: f64) -> Self {
        self.options.express_timeout_seconds = seconds;
        self
    }

    /// The state machine's name (`$$.StateMachine.Name`, and in ARNs).
    pub fn state_machine_name(mut self, name: impl Into<String>) -> Self {
        self.options.state_machine_name = name.into();
        self
    }

    /// The items the `ItemReader` of the Map state `state` reads.
    pub fn reader_items(mut self, state: impl Into<String>, items: Vec<Value>) -> Self {
        self.options.item_reader_items.insert(state.into(), items);
        self
    }

    /// Why the items of the Map state `state` could not be read: the state fails with
    /// `States.ItemReaderFailed` and this cause.
    pub fn reader_error(mut self, state: impl Into<String>, cause: impl Into<String>) -> Self {
        self.options
            .item_reader_errors
            .insert(state.into(), cause.into());
        self
    }

    /// The options.
    pub fn build(self) -> Options {
        self.options
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_setter_lands_in_its_own_option_and_the_rest_keep_their_defaults() {
        let defaults = Options::default();
        let mut results = serde_json::Map::new();
        results.insert("Call".to_owned(), json!({"ok": true}));
        let options = Options::builder()
            .express(true)
            .seed(7)
            .mocks(Mocks::from_results(&results))
            .pass_through(true)
            .record_history(false)
            .record_trace(false)
            .max_transitions(99)
            .max_payload_bytes(1_000)
            .max_history_events(50)
            .express_timeout_seconds(12.5)
            .state_machine_name("Orders")
            .reader_items("Each", vec![json!(1), json!(2)])
            .reader_error("Broken", "bad CSV")
            .build();
        assert_eq!(options.execution_type, ExecutionType::Express);
        assert_eq!(options.seed, 7);
        assert!(options.mocks.contains("Call"));
        assert!(options.pass_through);
        assert!(!options.record_history);
        assert!(!options.record_trace);
        assert_eq!(options.max_transitions, 99);
        assert_eq!(options.max_payload_bytes, 1_000);
        assert_eq!(options.max_history_events, 50);
        assert!((options.express_timeout_seconds - 12.5).abs() < f64::EPSILON);
        assert_eq!(options.state_machine_name, "Orders");
        assert_eq!(
            options.item_reader_items.get("Each"),
            Some(&vec![json!(1), json!(2)])
        );
        assert_eq!(
            options.item_reader_errors.get("Broken").map(String::as_str),
            Some("bad CSV")
        );
        // What no front end sets stays at the simulator's default.
        assert_eq!(options.max_recorded_events, defaults.max_recorded_events);
        assert_eq!(options.region, defaults.region);
        assert_eq!(options.execution_name, defaults.execution_name);
        assert_eq!(
            Options::builder().express(false).build().execution_type,
            ExecutionType::Standard
        );
    }
}
