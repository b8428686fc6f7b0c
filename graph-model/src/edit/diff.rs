//! The primitive edits between two versions of a document, so that replacing it (a code-view
//! edit) costs history only what changed.

use std::collections::HashSet;

use super::ops::{MachineFields, Op};
use crate::{MachinePath, StateMachine};

/// The edits that turn `old` into `new` when most top-level states are unchanged (a code-view edit
/// usually touches one), so that history does not hold a copy of a large document per edit; `None`
/// when keeping the old document whole is as cheap.
pub(super) fn diff_root(old: &StateMachine, new: &StateMachine) -> Option<Vec<Op>> {
    /// Beyond this many reorderings a whole copy is cheaper than the moves.
    const MAX_MOVES: usize = 64;
    if old.extras != new.extras || old.has_states_object() != new.has_states_object() {
        return None;
    }
    let path = MachinePath::root();
    let new_names: Vec<&str> = new.state_names().collect();
    let kept: HashSet<&str> = new_names.iter().copied().collect();
    let mut ops = Vec::new();
    let mut order: Vec<&str> = Vec::with_capacity(new_names.len());
    for s in old.states() {
        if kept.contains(s.name.as_str()) {
            order.push(&s.name);
        } else {
            ops.push(Op::Remove {
                machine: path.clone(),
                name: s.name.clone(),
                restore_has_states: None,
            });
        }
    }
    let limit = old.len().max(new_names.len());
    let mut changed = ops.len();
    if changed * 2 > limit {
        return None;
    }
    for s in new.states() {
        match old.state(&s.name) {
            Some(current) if current == s => continue,
            Some(_) => ops.push(Op::Replace {
                machine: path.clone(),
                name: s.name.clone(),
                state: Box::new(s.clone()),
            }),
            None => {
                order.push(&s.name);
                ops.push(Op::Insert {
                    machine: path.clone(),
                    position: usize::MAX,
                    state: Box::new(s.clone()),
                });
            }
        }
        changed += 1;
        if changed * 2 > limit {
            return None;
        }
    }
    // The moves that turn the order left by removals and appends into the new order.
    let moves = reorder_ops(&path, order, &new_names);
    if moves.len() > MAX_MOVES {
        return None;
    }
    ops.extend(moves);
    let fields = |m: &StateMachine| MachineFields {
        comment: m.comment.clone(),
        timeout_seconds: m.timeout_seconds.clone(),
        version: m.version.clone(),
        query_language: m.query_language,
        processor_config: m.processor_config.clone(),
    };
    let new_fields = fields(new);
    if new_fields != fields(old) {
        ops.push(Op::SetFields {
            machine: path.clone(),
            fields: Box::new(new_fields),
        });
    }
    if old.start_at != new.start_at {
        ops.push(Op::SetStartAt {
            machine: path,
            start_at: new.start_at.clone(),
        });
    }
    Some(ops)
}

/// The [`Op::Reorder`]s that turn the order `current` into `desired` (the same names), fewest first
/// from the front. Each name out of place moves once.
pub(super) fn reorder_ops(path: &MachinePath, mut current: Vec<&str>, desired: &[&str]) -> Vec<Op> {
    let mut ops = Vec::new();
    for (index, name) in desired.iter().enumerate() {
        if current.get(index) == Some(name) {
            continue;
        }
        let Some(from) = current.iter().position(|n| n == name) else {
            continue;
        };
        let moved = current.remove(from);
        current.insert(index, moved);
        ops.push(Op::Reorder {
            machine: path.clone(),
            name: (*name).to_owned(),
            position: index,
        });
    }
    ops
}
