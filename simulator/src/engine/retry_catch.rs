//! A state's error: Retry (with backoff on the virtual clock), then Catch, else the failure moves up
//! to the enclosing container or ends the execution.

use std::rc::Rc;

use serde_json::{Map, Value};

use crate::error::{Raised, Severity};
use crate::plan::{Catcher, Kind, Language, State};
use crate::types::Decision;

use super::jsonata_state::jsonata_assign;
use super::jsonpath_state::{apply_result_path, jsonpath_assign};
use super::{Assignments, Execution, Flow, Out};

impl Execution {
    pub(super) fn handle_error(&mut self, depth: usize, state: &State, raised: Raised) {
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
            entry.cause = raised.cause.clone();
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
                self.note_decision(depth, Decision::Retry { retrier: position });
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
        if let Some((position, catcher)) = state
            .catch
            .iter()
            .enumerate()
            .find(|(_, catcher)| error_matches(&catcher.errors, &raised, is_task))
        {
            self.note_decision(depth, Decision::Catch { catcher: position });
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

    pub(super) fn apply_catcher(
        &self,
        depth: usize,
        state: &State,
        catcher: &Catcher,
        raised: &Raised,
    ) -> Result<(Value, Assignments), Raised> {
        let error_output = error_output(raised);
        let raw = self.input_at(depth);
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

pub(super) fn error_output(raised: &Raised) -> Value {
    let mut map = Map::new();
    if let Some(error) = &raised.error {
        map.insert("Error".to_owned(), Value::String(error.clone()));
    }
    if let Some(cause) = &raised.cause {
        map.insert("Cause".to_owned(), Value::String(cause.clone()));
    }
    Value::Object(map)
}

pub(super) fn error_matches(names: &[Rc<str>], raised: &Raised, is_task: bool) -> bool {
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
