//! Copy and paste as ASL, and the fresh names that pasting and duplicating need.
//!
//! A copied selection is an ASL fragment, `{"StartAt": ..., "States": {...}}`, so it can travel through
//! the system clipboard as text and be pasted into any machine of any document. Transitions that leave
//! the selection are dropped when copying (see [`copy_selection`]).

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::error::EditError;
use crate::{State, StateKind, StateMachine, Transition};

/// AWS's limit on the length of a state name, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 80;

/// The selected states of `machine` as an ASL fragment: `{"StartAt": ..., "States": {...}}`, states in
/// document order, each exactly as [`StateMachine::to_value`] writes it (nested machines included).
///
/// Choices made so that the fragment is a machine of its own:
/// - `StartAt` is the machine's `StartAt` when that state is selected, else the first selected state
///   in document order; there is no `StartAt` when nothing is selected.
/// - A transition to a state outside the selection is dropped. A `Next` that leaves becomes
///   `"End": true` (the state ends the fragment); a Choice `Default` that leaves is removed; a Choice
///   rule or catcher whose `Next` leaves is kept without its `Next`, so that its condition or error
///   list is not lost (validation then points at it after pasting).
///
/// Names that are not states of `machine` are ignored.
#[must_use]
pub fn copy_selection(machine: &StateMachine, names: &[String]) -> Value {
    let wanted: HashSet<&str> = names.iter().map(String::as_str).collect();
    let selected: Vec<&State> = machine
        .states()
        .filter(|s| wanted.contains(s.name.as_str()))
        .collect();
    let mut fragment = Map::new();
    let start = machine
        .start_at
        .as_deref()
        .filter(|s| wanted.contains(s) && machine.contains(s))
        .or_else(|| selected.first().map(|s| s.name.as_str()));
    if let Some(start) = start {
        fragment.insert("StartAt".to_owned(), Value::String(start.to_owned()));
    }
    let mut states = Map::with_capacity(selected.len());
    for state in selected {
        let mut copy = state.clone();
        for (transition, target) in state.transitions() {
            if wanted.contains(target) {
                continue;
            }
            if let Some(slot) = copy.transition_slot(transition) {
                *slot = None;
            }
            if transition == Transition::Next && !matches!(copy.kind, StateKind::Choice(_)) {
                copy.end = Some(true);
            }
        }
        states.insert(copy.name.clone(), copy.to_value());
    }
    fragment.insert("States".to_owned(), Value::Object(states));
    Value::Object(fragment)
}

/// Reads what [`crate::Command::Paste`] carries: a fragment with a `States` object, a bare `States`
/// object (every member a state object), or either of those as JSON text.
pub(crate) fn parse_fragment(asl: &Value) -> Result<StateMachine, EditError> {
    let bad = |reason: &str| EditError::BadFragment {
        reason: reason.to_owned(),
    };
    let parsed;
    let value = match asl {
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text)
                .map_err(|e| bad(&format!("the text is not JSON ({e})")))?;
            &parsed
        }
        other => other,
    };
    let Value::Object(object) = value else {
        return Err(bad("expected a JSON object with a \"States\" object"));
    };
    let machine = if object.get("States").is_some_and(Value::is_object) {
        StateMachine::from_object(value)
    } else if !object.is_empty()
        && object
            .values()
            .all(|v| v.as_object().is_some_and(|s| s.contains_key("Type")))
    {
        let mut wrapped = Map::new();
        wrapped.insert("States".to_owned(), value.clone());
        StateMachine::from_object(&Value::Object(wrapped))
    } else {
        return Err(bad("expected a JSON object with a \"States\" object"));
    };
    if machine.is_empty() {
        return Err(bad("it has no states"));
    }
    Ok(machine)
}

/// `name` itself when it is free, else the name with the first free number: "Task" becomes "Task 2",
/// "Task 2" becomes "Task 3". The result stays within AWS's 80 characters.
#[must_use]
pub fn fresh_name(name: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(name) {
        return name.to_owned();
    }
    let (stem, mut number) = match name.rsplit_once(' ') {
        Some((stem, digits))
            if !stem.is_empty()
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (
                stem,
                digits.parse::<u64>().map_or(2, |n| n.saturating_add(1)),
            )
        }
        _ => (name, 2),
    };
    loop {
        let suffix = format!(" {number}");
        let room = MAX_NAME_CHARS.saturating_sub(suffix.chars().count());
        let candidate: String = stem.chars().take(room).chain(suffix.chars()).collect();
        if !taken.contains(&candidate) {
            return candidate;
        }
        number = number.saturating_add(1);
    }
}

/// Points the transitions of `state` named in `renamed` at the new names.
pub(crate) fn remap_transitions(state: &mut State, renamed: &HashMap<String, String>) {
    let moves: Vec<(Transition, String)> = state
        .transitions()
        .into_iter()
        .filter_map(|(t, target)| renamed.get(target).map(|new| (t, new.clone())))
        .collect();
    for (transition, new) in moves {
        if let Some(slot) = state.transition_slot(transition) {
            *slot = Some(new);
        }
    }
}

/// Gives every state of `machine`, nested machines included, a name not in `taken` (keeping names
/// that are free), updating the references inside each machine; every name used ends up in `taken`.
pub(crate) fn dedupe_machine(machine: &mut StateMachine, taken: &mut HashSet<String>) {
    let names: Vec<String> = machine.state_names().map(str::to_owned).collect();
    let mut renamed = HashMap::new();
    for name in &names {
        let fresh = fresh_name(name, taken);
        taken.insert(fresh.clone());
        if fresh != *name {
            renamed.insert(name.clone(), fresh);
        }
    }
    if !renamed.is_empty() {
        // Rename keys first, then references, so that no rename can capture another's references.
        for name in &names {
            if let Some(new) = renamed.get(name)
                && let Some((position, mut state)) = machine.remove_state(name)
            {
                state.name.clone_from(new);
                machine.insert_state(position, state);
            }
        }
        if let Some(new) = machine.start_at.as_ref().and_then(|s| renamed.get(s)) {
            machine.start_at = Some(new.clone());
        }
    }
    let current: Vec<String> = machine.state_names().map(str::to_owned).collect();
    for name in current {
        machine.update_state(&name, |state| {
            if !renamed.is_empty() {
                remap_transitions(state, &renamed);
            }
            dedupe_children(state, taken);
        });
    }
}

/// [`dedupe_machine`] for every machine nested in `state`.
pub(crate) fn dedupe_children(state: &mut State, taken: &mut HashSet<String>) {
    for child in state.children_mut() {
        dedupe_machine(child, taken);
    }
}
