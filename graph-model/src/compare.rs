//! A semantic comparison of two versions of a state machine (`asl-studio diff`): what a reviewer
//! wants to know, not which lines moved. Formatting, key order and the order of states do not
//! count; states added, removed and renamed, fields changed (by JSON pointer) and transitions
//! rewired do.
//!
//! States are paired per machine (the top level, each Parallel branch by its index, each Map
//! processor): first by name, then the states left over are paired by content, so a rename is
//! reported as a rename (even when the renamed state was also edited a little), not as a removal
//! plus an addition. Transition targets are compared through the renames: `Next: "Old"` becoming
//! `Next: "New"` because `Old` was renamed to `New` is no change.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::machine::{MachinePath, StateMachine, Transition, escape_pointer};
use crate::state::{State, StateKind};

/// A state on one side of the comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateRef {
    /// Its machine (in that side's document).
    pub machine: MachinePath,
    /// Its name.
    pub name: String,
    /// Its JSON pointer in that side's document.
    pub pointer: String,
}

/// One difference between OLD and NEW.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A state only NEW has.
    Added {
        /// The state, in NEW.
        state: StateRef,
    },
    /// A state only OLD has.
    Removed {
        /// The state, in OLD.
        state: StateRef,
    },
    /// A state NEW has under another name (its content may have changed too: see the other
    /// changes naming it).
    Renamed {
        /// The state in OLD.
        old: StateRef,
        /// The state in NEW.
        new: StateRef,
    },
    /// A field whose value differs.
    Field {
        /// The state it belongs to, in NEW (`None`: a field of a machine, such as `Comment`).
        state: Option<StateRef>,
        /// Its JSON pointer in NEW (where it would be, when NEW dropped it).
        pointer: String,
        /// The value in OLD (`None`: OLD has no such field).
        old: Option<Value>,
        /// The value in NEW (`None`: NEW has no such field).
        new: Option<Value>,
    },
    /// A transition that leads elsewhere now (or is new, or is gone).
    Rewired {
        /// The state it leaves, in NEW.
        state: StateRef,
        /// Which transition.
        transition: Transition,
        /// The JSON pointer of its target field in NEW.
        pointer: String,
        /// OLD's target (`None`: OLD had no such transition).
        old: Option<String>,
        /// NEW's target (`None`: NEW has no such transition).
        new: Option<String>,
    },
}

/// The differences between two versions, in document order of NEW (then what only OLD had).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    /// Every difference; empty when the two are the same machine.
    pub changes: Vec<Change>,
}

impl Comparison {
    /// Whether OLD and NEW are the same machine.
    #[must_use]
    pub fn is_equal(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Compares two versions of a document.
#[must_use]
pub fn compare(old: &StateMachine, new: &StateMachine) -> Comparison {
    let mut comparison = Comparison::default();
    let sides = Sides {
        old_root: old,
        new_root: new,
    };
    sides.machines(
        old,
        new,
        &MachinePath::root(),
        &MachinePath::root(),
        &mut comparison.changes,
    );
    comparison
}

struct Sides<'a> {
    old_root: &'a StateMachine,
    new_root: &'a StateMachine,
}

/// The pointer of the field a transition's target is written in, relative to its state.
fn transition_field(transition: Transition) -> String {
    match transition {
        Transition::Next => "/Next".to_owned(),
        Transition::Default => "/Default".to_owned(),
        Transition::ChoiceRule(i) => format!("/Choices/{i}/Next"),
        Transition::Catch(i) => format!("/Catch/{i}/Next"),
    }
}

/// A state's value without its transition targets (compared through the renames instead) and,
/// when `nested` is set, without its nested machines (compared state by state instead).
fn content(state: &State, nested: bool) -> Value {
    let mut value = state.to_value();
    if let Value::Object(object) = &mut value {
        object.remove("Next");
        object.remove("Default");
        for list in ["Choices", "Catch"] {
            if let Some(Value::Array(items)) = object.get_mut(list) {
                for item in items {
                    if let Value::Object(item) = item {
                        item.remove("Next");
                    }
                }
            }
        }
        if nested {
            object.remove("Branches");
            object.remove("ItemProcessor");
            object.remove("Iterator");
        }
    }
    value
}

/// How alike two states' contents are: the share of their top-level members that are equal.
fn similarity(old: &Value, new: &Value) -> f32 {
    let (Value::Object(old), Value::Object(new)) = (old, new) else {
        return if old == new { 1.0 } else { 0.0 };
    };
    if old.get("Type") != new.get("Type") {
        return 0.0;
    }
    let keys: HashSet<&String> = old.keys().chain(new.keys()).collect();
    if keys.is_empty() {
        return 1.0;
    }
    let equal = keys.iter().filter(|k| old.get(**k) == new.get(**k)).count();
    equal as f32 / keys.len() as f32
}

/// Least similarity for two differently named states to count as one renamed state.
const RENAME_SIMILARITY: f32 = 0.6;

impl Sides<'_> {
    fn state_ref(&self, new_side: bool, machine: &MachinePath, name: &str) -> StateRef {
        let root = if new_side {
            self.new_root
        } else {
            self.old_root
        };
        StateRef {
            machine: machine.clone(),
            name: name.to_owned(),
            pointer: machine.state_pointer(root, name),
        }
    }

    fn machines(
        &self,
        old: &StateMachine,
        new: &StateMachine,
        old_path: &MachinePath,
        new_path: &MachinePath,
        out: &mut Vec<Change>,
    ) {
        let renames = pair_states(old, new);
        // Machine fields (Comment, TimeoutSeconds, ...); StartAt through the renames.
        let machine_fields = |machine: &StateMachine| {
            let mut value = machine.to_value();
            if let Value::Object(object) = &mut value {
                object.remove("States");
                object.remove("StartAt");
            }
            value
        };
        let base = new_path.pointer(self.new_root);
        let mut fields = Vec::new();
        diff_values(
            &machine_fields(old),
            &machine_fields(new),
            &base,
            &mut fields,
        );
        let old_start = old
            .start_at
            .as_deref()
            .map(|s| renames.get(s).map_or(s, String::as_str));
        if old_start != new.start_at.as_deref() {
            fields.push((
                format!("{base}/StartAt"),
                old.start_at.clone().map(Value::String),
                new.start_at.clone().map(Value::String),
            ));
        }
        out.extend(fields.into_iter().map(|(pointer, old, new)| Change::Field {
            state: None,
            pointer,
            old,
            new,
        }));
        let by_new: HashMap<&str, &str> = renames
            .iter()
            .map(|(o, n)| (n.as_str(), o.as_str()))
            .collect();
        for new_state in new.states() {
            let Some(old_name) = by_new.get(new_state.name.as_str()) else {
                out.push(Change::Added {
                    state: self.state_ref(true, new_path, &new_state.name),
                });
                continue;
            };
            let Some(old_state) = old.state(old_name) else {
                continue;
            };
            if *old_name != new_state.name {
                out.push(Change::Renamed {
                    old: self.state_ref(false, old_path, old_name),
                    new: self.state_ref(true, new_path, &new_state.name),
                });
            }
            self.states(old_state, new_state, old_path, new_path, &renames, out);
        }
        for old_state in old.states() {
            if !renames.contains_key(&old_state.name) {
                out.push(Change::Removed {
                    state: self.state_ref(false, old_path, &old_state.name),
                });
            }
        }
    }

    fn states(
        &self,
        old: &State,
        new: &State,
        old_path: &MachinePath,
        new_path: &MachinePath,
        renames: &HashMap<String, String>,
        out: &mut Vec<Change>,
    ) {
        let here = self.state_ref(true, new_path, &new.name);
        // Nested machines are compared state by state when both sides have the same kind.
        let nested = match (&old.kind, &new.kind) {
            (StateKind::Parallel(_), StateKind::Parallel(_)) => true,
            (StateKind::Map(a), StateKind::Map(b)) => a.processor_field == b.processor_field,
            _ => false,
        };
        let mut fields = Vec::new();
        diff_values(
            &content(old, nested),
            &content(new, nested),
            &here.pointer,
            &mut fields,
        );
        out.extend(fields.into_iter().map(|(pointer, o, n)| Change::Field {
            state: Some(here.clone()),
            pointer,
            old: o,
            new: n,
        }));
        let old_targets: HashMap<Transition, &str> = old.transitions().into_iter().collect();
        let new_targets: HashMap<Transition, &str> = new.transitions().into_iter().collect();
        let mut kinds: Vec<Transition> = new
            .transitions()
            .into_iter()
            .map(|(t, _)| t)
            .chain(old.transitions().into_iter().map(|(t, _)| t))
            .collect();
        let mut seen = HashSet::new();
        kinds.retain(|t| seen.insert(*t));
        for transition in kinds {
            let before = old_targets.get(&transition).copied();
            let after = new_targets.get(&transition).copied();
            let mapped = before.map(|b| renames.get(b).map_or(b, String::as_str));
            if mapped != after {
                out.push(Change::Rewired {
                    state: here.clone(),
                    transition,
                    pointer: format!("{}{}", here.pointer, transition_field(transition)),
                    old: before.map(str::to_owned),
                    new: after.map(str::to_owned),
                });
            }
        }
        if !nested {
            return;
        }
        match (&old.kind, &new.kind) {
            (StateKind::Parallel(a), StateKind::Parallel(b)) => {
                let old_branches = a.branches.as_deref().unwrap_or_default();
                let new_branches = b.branches.as_deref().unwrap_or_default();
                for index in 0..old_branches.len().max(new_branches.len()) {
                    let pointer = format!("{}/Branches/{index}", here.pointer);
                    match (old_branches.get(index), new_branches.get(index)) {
                        (Some(o), Some(n)) => self.machines(
                            o,
                            n,
                            &old_path.branch(&old.name, index),
                            &new_path.branch(&new.name, index),
                            out,
                        ),
                        (o, n) => out.push(Change::Field {
                            state: Some(here.clone()),
                            pointer,
                            old: o.map(StateMachine::to_value),
                            new: n.map(StateMachine::to_value),
                        }),
                    }
                }
            }
            (StateKind::Map(a), StateKind::Map(b)) => {
                match (a.processor.as_deref(), b.processor.as_deref()) {
                    (Some(o), Some(n)) => self.machines(
                        o,
                        n,
                        &old_path.processor(&old.name),
                        &new_path.processor(&new.name),
                        out,
                    ),
                    (None, None) => {}
                    (o, n) => out.push(Change::Field {
                        state: Some(here.clone()),
                        pointer: format!("{}/{}", here.pointer, b.processor_field.as_str()),
                        old: o.map(StateMachine::to_value),
                        new: n.map(StateMachine::to_value),
                    }),
                }
            }
            _ => {}
        }
    }
}

/// Pairs the states of two versions of one machine: by name, then by content. Returns OLD name ->
/// NEW name for every paired state.
fn pair_states(old: &StateMachine, new: &StateMachine) -> HashMap<String, String> {
    let mut pairs: HashMap<String, String> = HashMap::new();
    for state in old.states() {
        if new.state(&state.name).is_some() {
            pairs.insert(state.name.clone(), state.name.clone());
        }
    }
    let lone_old: Vec<&State> = old
        .states()
        .filter(|s| new.state(&s.name).is_none())
        .collect();
    let lone_new: Vec<&State> = new
        .states()
        .filter(|s| old.state(&s.name).is_none())
        .collect();
    if lone_old.is_empty() || lone_new.is_empty() {
        return pairs;
    }
    // Same content first (a pure rename), then the most alike (renamed and edited).
    let old_content: Vec<Value> = lone_old.iter().map(|s| content(s, false)).collect();
    let new_content: Vec<Value> = lone_new.iter().map(|s| content(s, false)).collect();
    let mut old_taken = vec![false; lone_old.len()];
    let mut new_taken = vec![false; lone_new.len()];
    for (j, new_value) in new_content.iter().enumerate() {
        if let Some(i) =
            (0..lone_old.len()).find(|&i| !old_taken[i] && old_content[i] == *new_value)
        {
            old_taken[i] = true;
            new_taken[j] = true;
            pairs.insert(lone_old[i].name.clone(), lone_new[j].name.clone());
        }
    }
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    for (i, old_value) in old_content.iter().enumerate() {
        if old_taken[i] {
            continue;
        }
        for (j, new_value) in new_content.iter().enumerate() {
            if new_taken[j] {
                continue;
            }
            let score = similarity(old_value, new_value);
            if score >= RENAME_SIMILARITY {
                candidates.push((score, i, j));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (_, i, j) in candidates {
        if old_taken[i] || new_taken[j] {
            continue;
        }
        old_taken[i] = true;
        new_taken[j] = true;
        pairs.insert(lone_old[i].name.clone(), lone_new[j].name.clone());
    }
    pairs
}

/// Every leaf where two JSON values differ: (pointer, old, new). Objects are compared by key
/// (order does not count), arrays by index.
pub fn diff_values(
    old: &Value,
    new: &Value,
    pointer: &str,
    out: &mut Vec<(String, Option<Value>, Option<Value>)>,
) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => diff_objects(a, b, pointer, out),
        (Value::Array(a), Value::Array(b)) => {
            for index in 0..a.len().max(b.len()) {
                let here = format!("{pointer}/{index}");
                match (a.get(index), b.get(index)) {
                    (Some(x), Some(y)) => diff_values(x, y, &here, out),
                    (x, y) => out.push((here, x.cloned(), y.cloned())),
                }
            }
        }
        _ if old != new => out.push((pointer.to_owned(), Some(old.clone()), Some(new.clone()))),
        _ => {}
    }
}

fn diff_objects(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    pointer: &str,
    out: &mut Vec<(String, Option<Value>, Option<Value>)>,
) {
    for (key, new_value) in b {
        let here = format!("{pointer}/{}", escape_pointer(key));
        match a.get(key) {
            Some(old_value) => diff_values(old_value, new_value, &here, out),
            None => out.push((here, None, Some(new_value.clone()))),
        }
    }
    for (key, old_value) in a {
        if !b.contains_key(key) {
            out.push((
                format!("{pointer}/{}", escape_pointer(key)),
                Some(old_value.clone()),
                None,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn machine(value: Value) -> StateMachine {
        StateMachine::from_value(&value).unwrap_or_default()
    }

    fn sample() -> Value {
        json!({
            "StartAt": "Fetch",
            "States": {
                "Fetch": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:fetch",
                          "Next": "Decide",
                          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]},
                "Decide": {"Type": "Choice",
                           "Choices": [{"Variable": "$.ok", "BooleanEquals": true, "Next": "Done"}],
                           "Default": "Failed"},
                "Done": {"Type": "Succeed"},
                "Failed": {"Type": "Fail", "Error": "Boom"}
            }
        })
    }

    #[test]
    fn a_machine_compared_with_itself_has_no_changes() {
        let m = machine(sample());
        assert!(compare(&m, &m).is_equal());
    }

    #[test]
    fn key_order_and_state_order_are_not_changes() {
        let reordered = json!({
            "States": {
                "Failed": {"Error": "Boom", "Type": "Fail"},
                "Done": {"Type": "Succeed"},
                "Decide": {"Default": "Failed", "Type": "Choice",
                           "Choices": [{"Next": "Done", "BooleanEquals": true, "Variable": "$.ok"}]},
                "Fetch": {"Next": "Decide", "Type": "Task",
                          "Catch": [{"Next": "Failed", "ErrorEquals": ["States.ALL"]}],
                          "Resource": "arn:aws:lambda:us-east-1:1:function:fetch"}
            },
            "StartAt": "Fetch"
        });
        assert!(compare(&machine(sample()), &machine(reordered)).is_equal());
    }

    #[test]
    fn a_rename_is_reported_as_a_rename_and_its_references_follow() {
        let renamed = sample()
            .to_string()
            .replace("\"Failed\"", "\"HandleFailure\"");
        let new = machine(serde_json::from_str(&renamed).unwrap_or_default());
        let changes = compare(&machine(sample()), &new).changes;
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert!(matches!(
            &changes[0],
            Change::Renamed { old, new } if old.name == "Failed" && new.name == "HandleFailure"
                && new.pointer == "/States/HandleFailure"
        ));
    }

    #[test]
    fn a_renamed_and_edited_state_is_still_a_rename() {
        let mut value = sample();
        let states = &mut value["States"];
        let fetch = states["Fetch"].clone();
        states.as_object_mut().map(|s| s.remove("Fetch"));
        states["Load"] = fetch;
        states["Load"]["TimeoutSeconds"] = json!(30);
        value["StartAt"] = json!("Load");
        let changes = compare(&machine(sample()), &machine(value)).changes;
        assert!(changes.iter().any(|c| matches!(c,
            Change::Renamed { old, new } if old.name == "Fetch" && new.name == "Load")));
        assert!(changes.iter().any(|c| matches!(c,
            Change::Field { pointer, old: None, new: Some(v), .. }
                if pointer == "/States/Load/TimeoutSeconds" && *v == json!(30))));
        assert!(
            !changes
                .iter()
                .any(|c| matches!(c, Change::Added { .. } | Change::Removed { .. }))
        );
    }

    #[test]
    fn a_changed_field_names_its_pointer_with_both_values() {
        let mut value = sample();
        value["States"]["Decide"]["Choices"][0]["BooleanEquals"] = json!(false);
        let changes = compare(&machine(sample()), &machine(value)).changes;
        assert_eq!(
            changes,
            vec![Change::Field {
                state: Some(StateRef {
                    machine: MachinePath::root(),
                    name: "Decide".to_owned(),
                    pointer: "/States/Decide".to_owned(),
                }),
                pointer: "/States/Decide/Choices/0/BooleanEquals".to_owned(),
                old: Some(json!(true)),
                new: Some(json!(false)),
            }]
        );
    }

    #[test]
    fn a_retargeted_transition_is_rewired_not_a_field_change() {
        let mut value = sample();
        value["States"]["Decide"]["Default"] = json!("Done");
        let changes = compare(&machine(sample()), &machine(value)).changes;
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert!(matches!(&changes[0],
            Change::Rewired { transition: Transition::Default, old: Some(o), new: Some(n), pointer, .. }
                if o == "Failed" && n == "Done" && pointer == "/States/Decide/Default"));
    }

    #[test]
    fn states_inside_parallel_branches_are_compared_state_by_state() {
        let old = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
            "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}]}}});
        let mut new = old.clone();
        new["States"]["P"]["Branches"][0]["States"]["A"]["Result"] = json!(1);
        let changes = compare(&machine(old), &machine(new)).changes;
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert!(matches!(&changes[0], Change::Field { pointer, .. }
            if pointer == "/States/P/Branches/0/States/A/Result"));
    }

    #[test]
    fn added_and_removed_states_are_reported() {
        let mut value = sample();
        value["States"]["Audit"] = json!({"Type": "Wait", "Seconds": 5, "End": true});
        value["States"].as_object_mut().map(|s| s.remove("Done"));
        value["States"]["Decide"]["Choices"][0]["Next"] = json!("Audit");
        let changes = compare(&machine(sample()), &machine(value)).changes;
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::Added { state } if state.name == "Audit"))
        );
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::Removed { state } if state.name == "Done"))
        );
        assert!(changes.iter().any(|c| matches!(
            c,
            Change::Rewired {
                transition: Transition::ChoiceRule(0),
                ..
            }
        )));
    }
}
