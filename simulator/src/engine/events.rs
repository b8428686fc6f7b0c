//! The history and the trace: numbering events, payload text within its budget, trace stages.

use serde_json::{Map, Value, json};

use crate::plan::Kind;
use crate::timestamp;
use crate::types::{Decision, HistoryEvent, TraceStage};

use super::Execution;
use crate::json_size::compact_up_to;

impl Execution {
    pub(super) fn now_text(&self) -> String {
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
    pub(super) fn inside_container(&self, depth: usize) -> bool {
        depth > 0
            || self
                .stack
                .first()
                .is_some_and(|root| root.container.is_some())
    }

    pub(super) fn emit(
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
    /// payload it leaves out. The text is written in one pass that stops at the budget, and the
    /// first payload that does not fit spends it, so a long loop over a large document neither
    /// fills the memory nor spends its time writing text nobody keeps.
    pub(super) fn put_payload(&self, body: &mut Map<String, Value>, field: &str, value: &Value) {
        let mut log = self.log.borrow_mut();
        let remaining = self
            .options
            .max_history_payload_bytes
            .saturating_sub(log.payload_bytes);
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

    /// The position in the trace of the entry of the state running at `depth`, when the run
    /// keeps a trace.
    fn trace_entry(&self, depth: usize) -> Option<usize> {
        if !self.options.record_trace {
            return None;
        }
        self.stack
            .get(depth)
            .and_then(|frame| frame.trace_index.get())
    }

    /// Records in the state's trace entry what its events do not show (coverage reads it).
    pub(super) fn note_decision(&self, depth: usize, decision: Decision) {
        let Some(index) = self.trace_entry(depth) else {
            return;
        };
        if let Some(entry) = self.log.borrow_mut().trace.get_mut(index) {
            entry.decisions.push(decision);
        }
    }

    pub(super) fn trace_stage(
        &self,
        depth: usize,
        stage: &'static str,
        value: impl FnOnce() -> Value,
    ) {
        let Some(index) = self.trace_entry(depth) else {
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
}

pub(super) fn detail(key: &str, value: Value) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(key.to_owned(), value);
    map
}

pub(super) fn entered_event(kind: &Kind) -> &'static str {
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

pub(super) fn exited_event(kind: &Kind) -> Option<&'static str> {
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
