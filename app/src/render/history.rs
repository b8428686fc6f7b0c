//! The path a run took, read from an execution history (`asl-studio run --history FILE`, or the
//! events of AWS GetExecutionHistory): which states ran and how each ended, and which
//! transitions were taken, for colouring a picture.

use std::collections::HashMap;

use graph_model::{MachinePath, StateMachine};
use serde_json::Value;

use crate::overlay::{RunOverlay, RunStatus};
use crate::selection::StateId;
use crate::simulate::timeline::StateIndex;

/// Why a history file cannot be read.
#[derive(Debug, PartialEq, Eq)]
pub enum HistoryError {
    /// Not JSON.
    Json(String),
    /// JSON, but not a list of history events.
    Shape(&'static str),
}

impl std::fmt::Display for HistoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Json(error) => write!(f, "not JSON: {error}"),
            Self::Shape(found) => write!(
                f,
                "expected a list of history events (a JSON array, or an object with `events`), found {found}"
            ),
        }
    }
}

impl std::error::Error for HistoryError {}

/// One state execution while it is open.
#[derive(Debug, Default)]
struct Visit {
    failed_last: bool,
    retries: u32,
}

fn event_type(event: &Value) -> &str {
    event.get("type").and_then(Value::as_str).unwrap_or("")
}

fn detail_name<'a>(event: &'a Value, key: &str) -> Option<&'a str> {
    event.get(key)?.get("name")?.as_str()
}

/// Reads a history (the JSON array `asl-studio run --history` writes, or AWS's
/// `{"events": [...]}`) into the overlay a picture draws. Events for states the definition does
/// not have are skipped: a history of another version still shows what matches.
///
/// # Errors
/// [`HistoryError`] when the text is not JSON or not a list of events.
pub fn overlay_from_history(root: &StateMachine, text: &str) -> Result<RunOverlay, HistoryError> {
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|error| HistoryError::Json(error.to_string()))?;
    let events = match &value {
        Value::Array(events) => events,
        Value::Object(object) => match object.get("events") {
            Some(Value::Array(events)) => events,
            _ => return Err(HistoryError::Shape("an object without an `events` array")),
        },
        Value::Null => return Err(HistoryError::Shape("null")),
        Value::Bool(_) => return Err(HistoryError::Shape("a boolean")),
        Value::Number(_) => return Err(HistoryError::Shape("a number")),
        Value::String(_) => return Err(HistoryError::Shape("a string")),
    };
    let index = StateIndex::new(root);
    let mut overlay = RunOverlay::default();
    // Open state executions, innermost last; the last state that left each machine, and whether
    // a Catch took it there.
    let mut open: Vec<(StateId, Visit)> = Vec::new();
    let mut last_exit: HashMap<MachinePath, (StateId, bool)> = HashMap::new();
    let mut execution_failed = false;
    for event in events {
        let kind = event_type(event);
        if kind.starts_with("Execution") {
            execution_failed |= matches!(kind, "ExecutionFailed" | "ExecutionTimedOut");
            continue;
        }
        if kind.ends_with("StateEntered") {
            let Some(id) = detail_name(event, "stateEnteredEventDetails").and_then(|n| index.id(n))
            else {
                continue;
            };
            if let Some((from, caught)) = last_exit.remove(&id.machine) {
                add_edge(root, &mut overlay, &from, &id.name, caught);
            }
            overlay.states.insert(id.clone(), RunStatus::Entered);
            open.push((id, Visit::default()));
        } else if kind.ends_with("StateExited") {
            let Some(id) = detail_name(event, "stateExitedEventDetails").and_then(|n| index.id(n))
            else {
                continue;
            };
            let Some(position) = open.iter().rposition(|(open_id, _)| *open_id == id) else {
                continue;
            };
            let (id, visit) = open.remove(position);
            let status = RunStatus::left(visit.failed_last, visit.retries);
            overlay.record(id.clone(), status, visit.retries);
            last_exit.insert(id.machine.clone(), (id, visit.failed_last));
        } else if let Some((_, visit)) = open.last_mut() {
            if kind.ends_with("Failed") || kind.ends_with("TimedOut") {
                visit.failed_last = true;
            } else if (kind.ends_with("Scheduled") || kind.ends_with("Started"))
                && visit.failed_last
            {
                visit.retries += 1;
                visit.failed_last = false;
            }
        }
    }
    for (id, visit) in open {
        if visit.failed_last || execution_failed {
            overlay.states.insert(id, RunStatus::Failed);
        }
    }
    Ok(overlay)
}

/// Marks the transition from `from` to `target`: a Catch when the state failed, otherwise
/// the first other transition that leads there.
fn add_edge(
    root: &StateMachine,
    overlay: &mut RunOverlay,
    from: &StateId,
    target: &str,
    caught: bool,
) {
    let Some(state) = root
        .machine_at(&from.machine)
        .and_then(|machine| machine.state(&from.name))
    else {
        return;
    };
    if let Some(transition) = state.transition_taken_to(target, caught) {
        overlay.taken_edges.insert((from.clone(), transition));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use graph_model::Transition;
    use serde_json::json;

    fn machine() -> StateMachine {
        StateMachine::from_value(&json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "Next": "B",
                      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}]},
                "B": {"Type": "Succeed"},
                "C": {"Type": "Fail"}
            }
        }))
        .unwrap_or_default()
    }

    fn entered(kind: &str, name: &str) -> Value {
        json!({"type": format!("{kind}StateEntered"), "stateEnteredEventDetails": {"name": name}})
    }

    fn exited(kind: &str, name: &str) -> Value {
        json!({"type": format!("{kind}StateExited"), "stateExitedEventDetails": {"name": name}})
    }

    #[test]
    fn a_caught_failure_colours_the_catch_edge_not_next() {
        let history = json!([
            {"type": "ExecutionStarted"},
            entered("Task", "A"),
            {"type": "TaskScheduled"},
            {"type": "TaskFailed"},
            exited("Task", "A"),
            entered("Fail", "C"),
            {"type": "ExecutionFailed"}
        ]);
        let overlay = overlay_from_history(&machine(), &history.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            overlay.states.get(&StateId::root("A")),
            Some(&RunStatus::Caught)
        );
        assert!(
            overlay
                .taken_edges
                .contains(&(StateId::root("A"), Transition::Catch(0)))
        );
        assert!(!overlay.states.contains_key(&StateId::root("B")));
        assert_eq!(
            overlay.states.get(&StateId::root("C")),
            Some(&RunStatus::Failed)
        );
    }

    #[test]
    fn a_history_that_is_not_a_list_is_refused() {
        assert!(matches!(
            overlay_from_history(&machine(), "{\"a\": 1}"),
            Err(HistoryError::Shape(_))
        ));
        assert!(matches!(
            overlay_from_history(&machine(), "[1,"),
            Err(HistoryError::Json(_))
        ));
    }
}
