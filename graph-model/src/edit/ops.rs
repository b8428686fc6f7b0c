//! The primitive edits every command is made of. Applying one hands back its exact inverse, built from
//! what the edit displaced (moved out of the document, never cloned), so history costs memory in
//! proportion to what was changed, not to the size of the document.

use serde_json::Value;

use super::command::{describe_path, describe_transition};
use super::error::EditError;
use crate::{
    Catcher, ChoiceRule, MachinePath, NumberOr, QueryLanguage, Retrier, State, StateKind,
    StateMachine, Transition,
};

/// Which list of a state an [`Item`] belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListKind {
    /// `Catch`
    Catch,
    /// `Retry`
    Retry,
    /// A Choice state's `Choices`.
    Choices,
}

impl ListKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Catch => "Catch",
            Self::Retry => "Retry",
            Self::Choices => "Choices",
        }
    }
}

/// One entry of a state's `Catch`, `Retry` or `Choices`.
#[derive(Clone, Debug)]
pub(crate) enum Item {
    Catcher(Box<Catcher>),
    Retrier(Box<Retrier>),
    Rule(Box<ChoiceRule>),
}

impl Item {
    fn kind(&self) -> ListKind {
        match self {
            Self::Catcher(_) => ListKind::Catch,
            Self::Retrier(_) => ListKind::Retry,
            Self::Rule(_) => ListKind::Choices,
        }
    }
}

/// Inserts into an optional list; `Ok(true)` when the list was absent before.
fn insert_into<T>(list: &mut Option<Vec<T>>, index: usize, item: T) -> Option<bool> {
    if index > list.as_ref().map_or(0, Vec::len) {
        return None;
    }
    let was_none = list.is_none();
    list.get_or_insert_with(Vec::new).insert(index, item);
    Some(was_none)
}

fn remove_from<T>(list: &mut Option<Vec<T>>, index: usize, leave_none: bool) -> Option<T> {
    let items = list.as_mut()?;
    if index >= items.len() {
        return None;
    }
    let item = items.remove(index);
    if leave_none && items.is_empty() {
        *list = None;
    }
    Some(item)
}

/// Whether AWS allows that list on the state's type (Catch and Retry on Task, Parallel and Map;
/// Choices on Choice).
pub(crate) fn allows_list(state: &State, kind: ListKind) -> bool {
    match kind {
        ListKind::Catch | ListKind::Retry => matches!(
            state.kind,
            StateKind::Task(_) | StateKind::Parallel(_) | StateKind::Map(_)
        ),
        ListKind::Choices => matches!(state.kind, StateKind::Choice(_)),
    }
}

/// The top-level fields of a machine that [`crate::Command::UpdateMachine`] sets.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct MachineFields {
    pub(crate) comment: Option<String>,
    pub(crate) timeout_seconds: Option<NumberOr>,
    pub(crate) version: Option<String>,
    pub(crate) query_language: Option<QueryLanguage>,
    pub(crate) processor_config: Option<Value>,
}

/// One primitive edit.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// Inserts a state at a position in document order.
    Insert {
        machine: MachinePath,
        position: usize,
        state: Box<State>,
    },
    /// Removes a state; `restore_has_states` (set only by the inverse of an insert) gives back whether
    /// the machine wrote an empty `States` object before.
    Remove {
        machine: MachinePath,
        name: String,
        restore_has_states: Option<bool>,
    },
    /// Swaps a state for another of the same name.
    Replace {
        machine: MachinePath,
        name: String,
        state: Box<State>,
    },
    /// Sets one transition slot.
    SetTarget {
        machine: MachinePath,
        name: String,
        transition: Transition,
        target: Option<String>,
    },
    /// Sets `End`.
    SetEnd {
        machine: MachinePath,
        name: String,
        end: Option<bool>,
    },
    /// Sets `StartAt`.
    SetStartAt {
        machine: MachinePath,
        start_at: Option<String>,
    },
    /// Swaps the top-level fields of a machine.
    SetFields {
        machine: MachinePath,
        fields: Box<MachineFields>,
    },
    /// Renames a state's key only; references are separate [`Op::SetTarget`]s so that undo is exact
    /// even when some transition already named the new name.
    Rename {
        machine: MachinePath,
        from: String,
        to: String,
    },
    /// Moves a state to another position in document order.
    Reorder {
        machine: MachinePath,
        name: String,
        position: usize,
    },
    /// Moves a state from one machine to another.
    Move {
        from: MachinePath,
        name: String,
        to: MachinePath,
        position: usize,
        restore_from_has_states: Option<bool>,
    },
    /// Inserts a branch into a Parallel state.
    InsertBranch {
        machine: MachinePath,
        state: String,
        index: usize,
        branch: Box<StateMachine>,
    },
    /// Removes a branch; `leave_none` drops the `Branches` member when it becomes empty (it was absent
    /// before the matching insert).
    RemoveBranch {
        machine: MachinePath,
        state: String,
        index: usize,
        leave_none: bool,
    },
    /// Swaps the whole document.
    ReplaceRoot { root: Box<StateMachine> },
    /// Inserts a catcher, retrier or Choice rule.
    InsertItem {
        machine: MachinePath,
        name: String,
        index: usize,
        item: Item,
    },
    /// Removes one; `leave_none` drops the member when the list becomes empty (it was absent before
    /// the matching insert).
    RemoveItem {
        machine: MachinePath,
        name: String,
        list: ListKind,
        index: usize,
        leave_none: bool,
    },
}

fn machine_mut<'a>(
    root: &'a mut StateMachine,
    path: &MachinePath,
) -> Result<&'a mut StateMachine, EditError> {
    root.machine_at_mut(path)
        .ok_or_else(|| EditError::NoSuchMachine {
            path: describe_path(path),
        })
}

fn no_state(name: &str) -> EditError {
    EditError::NoSuchState {
        name: name.to_owned(),
    }
}

fn branch_count(machine: &StateMachine, state: &str) -> Result<Option<usize>, EditError> {
    match machine.state(state).map(|s| &s.kind) {
        None => Err(no_state(state)),
        Some(StateKind::Parallel(p)) => Ok(p.branches.as_ref().map(Vec::len)),
        Some(_) => Err(EditError::NotParallel {
            name: state.to_owned(),
        }),
    }
}

impl Op {
    /// Applies the edit and returns the edit that undoes it exactly. On error the document is as it was.
    /// Graph edges are left stale: callers record the inverse in a [`Touched`] and rebuild at the end.
    pub(crate) fn apply(self, root: &mut StateMachine) -> Result<Op, EditError> {
        match self {
            Op::Insert {
                machine,
                position,
                state,
            } => {
                let m = machine_mut(root, &machine)?;
                if m.contains(&state.name) {
                    return Err(EditError::NameTaken { name: state.name });
                }
                let had_states = m.has_states_object();
                let name = state.name.clone();
                m.insert_state_deferred(position, *state);
                Ok(Op::Remove {
                    machine,
                    name,
                    restore_has_states: Some(had_states),
                })
            }
            Op::Remove {
                machine,
                name,
                restore_has_states,
            } => {
                let m = machine_mut(root, &machine)?;
                let (position, state) = m
                    .remove_state_deferred(&name)
                    .ok_or_else(|| no_state(&name))?;
                if let Some(has) = restore_has_states {
                    m.set_has_states_object(has);
                }
                Ok(Op::Insert {
                    machine,
                    position,
                    state: Box::new(state),
                })
            }
            Op::Replace {
                machine,
                name,
                state,
            } => {
                if state.name != name {
                    return Err(EditError::NameMismatch {
                        name,
                        found: state.name,
                    });
                }
                let m = machine_mut(root, &machine)?;
                let slot = m.state_mut_deferred(&name).ok_or_else(|| no_state(&name))?;
                let old = std::mem::replace(slot, *state);
                Ok(Op::Replace {
                    machine,
                    name,
                    state: Box::new(old),
                })
            }
            Op::SetTarget {
                machine,
                name,
                transition,
                target,
            } => {
                let m = machine_mut(root, &machine)?;
                let state = m.state_mut_deferred(&name).ok_or_else(|| no_state(&name))?;
                let Some(slot) = state.transition_slot(transition) else {
                    return Err(EditError::NoSuchTransition {
                        name,
                        transition: describe_transition(transition),
                    });
                };
                let old = std::mem::replace(slot, target);
                Ok(Op::SetTarget {
                    machine,
                    name,
                    transition,
                    target: old,
                })
            }
            Op::SetEnd { machine, name, end } => {
                let m = machine_mut(root, &machine)?;
                let state = m.state_mut_deferred(&name).ok_or_else(|| no_state(&name))?;
                let old = std::mem::replace(&mut state.end, end);
                Ok(Op::SetEnd {
                    machine,
                    name,
                    end: old,
                })
            }
            Op::SetStartAt { machine, start_at } => {
                let m = machine_mut(root, &machine)?;
                let old = std::mem::replace(&mut m.start_at, start_at);
                Ok(Op::SetStartAt {
                    machine,
                    start_at: old,
                })
            }
            Op::SetFields { machine, fields } => {
                let m = machine_mut(root, &machine)?;
                let fields = *fields;
                let old = MachineFields {
                    comment: std::mem::replace(&mut m.comment, fields.comment),
                    timeout_seconds: std::mem::replace(
                        &mut m.timeout_seconds,
                        fields.timeout_seconds,
                    ),
                    version: std::mem::replace(&mut m.version, fields.version),
                    query_language: std::mem::replace(&mut m.query_language, fields.query_language),
                    processor_config: std::mem::replace(
                        &mut m.processor_config,
                        fields.processor_config,
                    ),
                };
                Ok(Op::SetFields {
                    machine,
                    fields: Box::new(old),
                })
            }
            Op::Rename { machine, from, to } => {
                let m = machine_mut(root, &machine)?;
                if m.contains(&to) {
                    return Err(EditError::NameTaken { name: to });
                }
                let (position, mut state) = m
                    .remove_state_deferred(&from)
                    .ok_or_else(|| no_state(&from))?;
                state.name.clone_from(&to);
                m.insert_state_deferred(position, state);
                Ok(Op::Rename {
                    machine,
                    from: to,
                    to: from,
                })
            }
            Op::Reorder {
                machine,
                name,
                position,
            } => {
                let m = machine_mut(root, &machine)?;
                let old = m.position(&name).ok_or_else(|| no_state(&name))?;
                m.move_state(&name, position);
                Ok(Op::Reorder {
                    machine,
                    name,
                    position: old,
                })
            }
            Op::Move {
                from,
                name,
                to,
                position,
                restore_from_has_states,
            } => {
                let target_ok = root
                    .machine_at(&to)
                    .is_some_and(|target| !target.contains(&name));
                let source = machine_mut(root, &from)?;
                let (old_position, state) = source
                    .remove_state_deferred(&name)
                    .ok_or_else(|| no_state(&name))?;
                let source_had_states = source.has_states_object();
                if let Some(has) = restore_from_has_states {
                    source.set_has_states_object(has);
                }
                // The target path may run through the source machine, so look it up again after
                // the removal; it cannot run through the moved state (checked by the command).
                match root.machine_at_mut(&to) {
                    Some(target) if target_ok => {
                        let had_states = target.has_states_object();
                        target.insert_state_deferred(position, state);
                        Ok(Op::Move {
                            from: to,
                            name,
                            to: from,
                            position: old_position,
                            restore_from_has_states: Some(had_states),
                        })
                    }
                    _ => {
                        let source = machine_mut(root, &from)?;
                        source.insert_state_deferred(old_position, state);
                        source.set_has_states_object(source_had_states);
                        Err(EditError::NoSuchMachine {
                            path: describe_path(&to),
                        })
                    }
                }
            }
            Op::InsertBranch {
                machine,
                state,
                index,
                branch,
            } => {
                let m = machine_mut(root, &machine)?;
                let count = branch_count(m, &state)?;
                if index > count.unwrap_or(0) {
                    return Err(EditError::NoSuchBranch { name: state, index });
                }
                if let Some(StateKind::Parallel(p)) =
                    m.state_mut_deferred(&state).map(|s| &mut s.kind)
                {
                    p.branches
                        .get_or_insert_with(Vec::new)
                        .insert(index, *branch);
                }
                Ok(Op::RemoveBranch {
                    machine,
                    state,
                    index,
                    leave_none: count.is_none(),
                })
            }
            Op::RemoveBranch {
                machine,
                state,
                index,
                leave_none,
            } => {
                let m = machine_mut(root, &machine)?;
                let count = branch_count(m, &state)?;
                if index >= count.unwrap_or(0) {
                    return Err(EditError::NoSuchBranch { name: state, index });
                }
                let removed = match m.state_mut_deferred(&state).map(|s| &mut s.kind) {
                    Some(StateKind::Parallel(p)) => {
                        let branch = p.branches.as_mut().map(|branches| branches.remove(index));
                        if leave_none && p.branches.as_ref().is_some_and(Vec::is_empty) {
                            p.branches = None;
                        }
                        branch
                    }
                    _ => None,
                }
                .ok_or_else(|| EditError::NoSuchBranch {
                    name: state.clone(),
                    index,
                })?;
                Ok(Op::InsertBranch {
                    machine,
                    state,
                    index,
                    branch: Box::new(removed),
                })
            }
            Op::InsertItem {
                machine,
                name,
                index,
                item,
            } => {
                let m = machine_mut(root, &machine)?;
                let state = m.state_mut_deferred(&name).ok_or_else(|| no_state(&name))?;
                let list = item.kind();
                let was_none = match (item, &mut state.kind) {
                    (Item::Catcher(c), _) => insert_into(&mut state.catch, index, *c),
                    (Item::Retrier(r), _) => insert_into(&mut state.retry, index, *r),
                    (Item::Rule(rule), StateKind::Choice(c)) => {
                        insert_into(&mut c.choices, index, *rule)
                    }
                    (Item::Rule(_), _) => None,
                }
                .ok_or_else(|| EditError::NoSuchItem {
                    name: name.clone(),
                    list: list.as_str().to_owned(),
                    index,
                })?;
                Ok(Op::RemoveItem {
                    machine,
                    name,
                    list,
                    index,
                    leave_none: was_none,
                })
            }
            Op::RemoveItem {
                machine,
                name,
                list,
                index,
                leave_none,
            } => {
                let m = machine_mut(root, &machine)?;
                let state = m.state_mut_deferred(&name).ok_or_else(|| no_state(&name))?;
                let item = match (list, &mut state.kind) {
                    (ListKind::Catch, _) => remove_from(&mut state.catch, index, leave_none)
                        .map(|c| Item::Catcher(Box::new(c))),
                    (ListKind::Retry, _) => remove_from(&mut state.retry, index, leave_none)
                        .map(|r| Item::Retrier(Box::new(r))),
                    (ListKind::Choices, StateKind::Choice(c)) => {
                        remove_from(&mut c.choices, index, leave_none)
                            .map(|r| Item::Rule(Box::new(r)))
                    }
                    (ListKind::Choices, _) => None,
                }
                .ok_or_else(|| EditError::NoSuchItem {
                    name: name.clone(),
                    list: list.as_str().to_owned(),
                    index,
                })?;
                Ok(Op::InsertItem {
                    machine,
                    name,
                    index,
                    item,
                })
            }
            Op::ReplaceRoot { root: new_root } => {
                let old = std::mem::replace(root, *new_root);
                Ok(Op::ReplaceRoot {
                    root: Box::new(old),
                })
            }
        }
    }
}

/// The machines whose graph edges a run of primitive edits left stale, so that only those are
/// recomputed (a whole-document rebuild costs milliseconds on a 10,000-state document).
#[derive(Debug, Default)]
pub(crate) struct Touched {
    paths: Vec<MachinePath>,
    /// Set when an edit moved a nested machine or renamed its owner: recorded paths may then lead
    /// elsewhere, so every machine is recomputed.
    everything: bool,
}

fn owns_machines(root: &StateMachine, machine: &MachinePath, name: &str) -> bool {
    root.machine_at(machine)
        .and_then(|m| m.state(name))
        .is_some_and(|s| !s.children().is_empty())
}

impl Touched {
    /// Records what an edit touched, from the inverse it returned and the document after it.
    pub(crate) fn record(&mut self, inverse: &Op, root: &StateMachine) {
        let (path, moved_nested) = match inverse {
            Op::Insert { machine, state, .. } => (machine, !state.children().is_empty()),
            Op::Remove { machine, name, .. }
            | Op::Rename {
                machine,
                from: name,
                ..
            } => (machine, owns_machines(root, machine, name)),
            Op::Replace {
                machine,
                name,
                state,
            } => (
                machine,
                !state.children().is_empty() || owns_machines(root, machine, name),
            ),
            Op::Move { from, to, name, .. } => {
                self.paths.push(to.clone());
                (from, owns_machines(root, from, name))
            }
            Op::SetTarget { machine, .. }
            | Op::SetEnd { machine, .. }
            | Op::SetStartAt { machine, .. }
            | Op::SetFields { machine, .. }
            | Op::Reorder { machine, .. }
            | Op::InsertItem { machine, .. }
            | Op::RemoveItem { machine, .. } => (machine, false),
            Op::InsertBranch { machine, .. } | Op::RemoveBranch { machine, .. } => (machine, true),
            Op::ReplaceRoot { .. } => {
                self.everything = true;
                return;
            }
        };
        self.everything |= moved_nested;
        if !self.paths.contains(path) {
            self.paths.push(path.clone());
        }
    }

    /// Recomputes the edges of every touched machine.
    pub(crate) fn rebuild(self, root: &mut StateMachine) {
        if self.everything {
            root.rebuild_all_edges();
            return;
        }
        for path in &self.paths {
            match root.machine_at_mut(path) {
                Some(machine) => machine.rebuild_edges(),
                None => {
                    root.rebuild_all_edges();
                    return;
                }
            }
        }
    }
}
