//! Changing a state's type while keeping the fields the new type allows.

use serde_json::{Map, Value, json};

use crate::{State, StateType};

/// Fields every state type may have.
const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];

/// The fields AWS allows on each state type besides [`COMMON`].
fn allowed(state_type: StateType) -> &'static [&'static str] {
    match state_type {
        StateType::Task => &[
            "Resource",
            "Credentials",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Arguments",
            "ResultSelector",
            "Output",
            "Assign",
            "Retry",
            "Catch",
            "Next",
            "End",
        ],
        StateType::Pass => &[
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Result",
            "Output",
            "Assign",
            "Next",
            "End",
        ],
        StateType::Choice => &[
            "InputPath",
            "OutputPath",
            "Choices",
            "Default",
            "Output",
            "Assign",
        ],
        StateType::Wait => &[
            "InputPath",
            "OutputPath",
            "Seconds",
            "SecondsPath",
            "Timestamp",
            "TimestampPath",
            "Output",
            "Assign",
            "Next",
            "End",
        ],
        StateType::Parallel => &[
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Arguments",
            "ResultSelector",
            "Output",
            "Assign",
            "Retry",
            "Catch",
            "Branches",
            "Next",
            "End",
        ],
        StateType::Map => &[
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Arguments",
            "ResultSelector",
            "Output",
            "Assign",
            "Retry",
            "Catch",
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "Label",
            "Next",
            "End",
        ],
        StateType::Succeed => &["InputPath", "OutputPath", "Output"],
        StateType::Fail => &["Error", "ErrorPath", "Cause", "CausePath"],
    }
}

fn is_known(key: &str) -> bool {
    COMMON.contains(&key) || StateType::ALL.iter().any(|t| allowed(*t).contains(&key))
}

/// `old` as a state of type `to`.
///
/// Kept: every field `to` allows (in the order they were), and members no state type knows (editor
/// extensions). Transitions carry over: a Choice's `Default` becomes `Next` and the other way round;
/// a type that needs `Next` or `End` and has neither gets `"End": true`. A Parallel with exactly one
/// branch becomes a Map whose processor is that branch, and a Map becomes a Parallel with its
/// processor as the one branch; otherwise a new Parallel or Map gets one empty machine, ready for
/// states to be moved in.
pub(crate) fn retype(old: &State, to: StateType) -> State {
    let old_value = match old.to_value() {
        Value::Object(object) => object,
        _ => Map::new(),
    };
    let mut out = Map::new();
    out.insert("Type".to_owned(), Value::String(to.as_str().to_owned()));
    for (key, value) in &old_value {
        if key == "Type"
            || (is_known(key)
                && !COMMON.contains(&key.as_str())
                && !allowed(to).contains(&key.as_str()))
        {
            continue;
        }
        out.insert(key.clone(), value.clone());
    }
    let text = |key: &str| {
        old_value
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    match to {
        StateType::Choice => {
            if !out.contains_key("Default")
                && let Some(next) = text("Next")
            {
                out.insert("Default".to_owned(), Value::String(next));
            }
        }
        StateType::Succeed | StateType::Fail => {}
        StateType::Task
        | StateType::Pass
        | StateType::Wait
        | StateType::Parallel
        | StateType::Map => {
            if !out.contains_key("Next") && !out.contains_key("End") {
                match text("Default") {
                    Some(default) => out.insert("Next".to_owned(), Value::String(default)),
                    None => out.insert("End".to_owned(), Value::Bool(true)),
                };
            }
        }
    }
    match to {
        StateType::Parallel if !out.contains_key("Branches") => {
            let branch = old_value
                .get("ItemProcessor")
                .or_else(|| old_value.get("Iterator"))
                .and_then(Value::as_object)
                .map(|processor| {
                    let mut branch = processor.clone();
                    // Only Map processors have a ProcessorConfig.
                    branch.shift_remove("ProcessorConfig");
                    Value::Object(branch)
                })
                .unwrap_or_else(|| json!({"States": {}}));
            out.insert("Branches".to_owned(), Value::Array(vec![branch]));
        }
        StateType::Map if !out.contains_key("ItemProcessor") && !out.contains_key("Iterator") => {
            let processor = match old_value.get("Branches") {
                Some(Value::Array(branches)) if branches.len() == 1 && branches[0].is_object() => {
                    branches[0].clone()
                }
                _ => json!({"ProcessorConfig": {"Mode": "INLINE"}, "States": {}}),
            };
            out.insert("ItemProcessor".to_owned(), processor);
        }
        _ => {}
    }
    let mut state = State::from_value(&old.name, &Value::Object(out));
    for child in state.children_mut() {
        // An empty machine made here gets its StartAt written before States once a state is added.
        if child.is_empty() && !child.extras.order.iter().any(|k| k == "StartAt") {
            let at = child
                .extras
                .order
                .iter()
                .position(|k| k == "States")
                .unwrap_or(child.extras.order.len());
            child.extras.order.insert(at, "StartAt".into());
        }
    }
    state
}

/// A new state of the given type as a palette makes it: `"End": true` where the type needs an end,
/// one empty branch for a Parallel, an empty inline processor for a Map, so that states can be
/// moved into them at once.
#[must_use]
pub fn new_state(name: impl Into<String>, state_type: StateType) -> State {
    retype(&State::new(name, StateType::Pass), state_type)
}
