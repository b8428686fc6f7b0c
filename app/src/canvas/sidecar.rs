//! The positions sidecar: where the user put states, saved next to the definition (never inside
//! the ASL).
//!
//! Format (version 1):
//! ```json
//! {"version": 1, "positions": [{"machine": [["Par", 0], ["Map"]], "state": "A", "x": 10, "y": 20}]}
//! ```
//! `machine` lists the steps from the top level: `[name, index]` into a Parallel's branch, `[name]`
//! into a Map's processor. Coordinates are relative to that machine's frame.

use std::collections::HashMap;

use egui::{Pos2, pos2};
use graph_model::{MachinePath, PathStep};
use serde_json::{Value, json};

use crate::selection::StateId;

/// Serialises pinned positions, sorted so the file is stable.
pub fn to_value(pins: &HashMap<StateId, Pos2>) -> Value {
    let mut entries: Vec<(&StateId, &Pos2)> = pins.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let positions: Vec<Value> = entries
        .into_iter()
        .map(|(id, p)| {
            let machine: Vec<Value> = id
                .machine
                .0
                .iter()
                .map(|step| match step {
                    PathStep::Branch { state, index } => json!([state, index]),
                    PathStep::Processor { state } => json!([state]),
                })
                .collect();
            json!({"machine": machine, "state": id.name, "x": round(p.x), "y": round(p.y)})
        })
        .collect();
    json!({"version": 1, "positions": positions})
}

fn round(v: f32) -> f64 {
    (f64::from(v) * 10.0).round() / 10.0
}

/// Reads pinned positions; malformed entries are skipped.
pub fn from_value(value: &Value) -> HashMap<StateId, Pos2> {
    let mut pins = HashMap::new();
    let Some(entries) = value.get("positions").and_then(Value::as_array) else {
        return pins;
    };
    for entry in entries {
        let (Some(name), Some(x), Some(y)) = (
            entry.get("state").and_then(Value::as_str),
            entry.get("x").and_then(Value::as_f64),
            entry.get("y").and_then(Value::as_f64),
        ) else {
            continue;
        };
        let Some(machine) = read_path(entry.get("machine")) else {
            continue;
        };
        #[allow(clippy::cast_possible_truncation)] // Canvas coordinates fit an f32.
        let position = pos2(x as f32, y as f32);
        if position.is_finite() {
            pins.insert(StateId::new(machine, name), position);
        }
    }
    pins
}

fn read_path(value: Option<&Value>) -> Option<MachinePath> {
    let Some(value) = value else {
        return Some(MachinePath::root());
    };
    let mut steps = Vec::new();
    for step in value.as_array()? {
        let parts = step.as_array()?;
        let state = parts.first()?.as_str()?.to_owned();
        steps.push(match parts.get(1) {
            Some(index) => PathStep::Branch {
                state,
                index: usize::try_from(index.as_u64()?).ok()?,
            },
            None => PathStep::Processor { state },
        });
    }
    Some(MachinePath(steps))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tolerance() {
        let mut pins = HashMap::new();
        pins.insert(StateId::root("A"), pos2(10.0, 20.5));
        let nested = MachinePath::root().branch("P", 1).processor("M");
        pins.insert(StateId::new(nested, "B"), pos2(-3.0, 4.0));
        let value = to_value(&pins);
        assert_eq!(from_value(&value), pins);
        let messy = json!({"positions": [
            {"state": "A", "x": 1, "y": 2},
            {"state": 5, "x": 1, "y": 2},
            {"machine": "nope", "state": "C", "x": 1, "y": 2},
            {"machine": [["P", -1]], "state": "D", "x": 1, "y": 2}
        ]});
        let read = from_value(&messy);
        assert_eq!(read.len(), 1);
        assert_eq!(read.get(&StateId::root("A")), Some(&pos2(1.0, 2.0)));
        assert!(from_value(&json!([1, 2])).is_empty());
    }
}
