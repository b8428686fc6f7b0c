//! Carrying out a command: checks against the document, then primitive edits whose inverses
//! make up the undo step.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::clipboard::{
    dedupe_children, dedupe_machine, fresh_name, parse_fragment, remap_transitions,
};
use super::command::{Command, check_state_name, describe_path, describe_transition};
use super::diff::{diff_root, reorder_ops};
use super::error::{EditError, EditReport};
use super::ops::{Item, ListKind, MachineFields, Op, Touched, allows_list};
use super::retype::retype;
use crate::{Catcher, MachinePath, State, StateKind, StateMachine, StateType, Transition};

/// The names of the states inside the nested machines of `state`, at every depth.
fn nested_names(state: &State) -> Vec<String> {
    let mut out = Vec::new();
    for child in state.children() {
        for (_, machine) in child.all_machines() {
            out.extend(machine.state_names().map(str::to_owned));
        }
    }
    out
}

/// Fails when any of `new` is used in the document (outside `allowed`) or appears twice.
fn check_unused(
    root: &StateMachine,
    new: &[String],
    allowed: &HashSet<String>,
) -> Result<(), EditError> {
    let taken = root.all_state_names();
    let mut seen = HashSet::new();
    for name in new {
        if (taken.contains(name) && !allowed.contains(name)) || !seen.insert(name.as_str()) {
            return Err(EditError::NameTaken { name: name.clone() });
        }
    }
    Ok(())
}

fn machine<'a>(root: &'a StateMachine, path: &MachinePath) -> Result<&'a StateMachine, EditError> {
    root.machine_at(path)
        .ok_or_else(|| EditError::NoSuchMachine {
            path: describe_path(path),
        })
}

fn state<'a>(machine: &'a StateMachine, name: &str) -> Result<&'a State, EditError> {
    machine.state(name).ok_or_else(|| EditError::NoSuchState {
        name: name.to_owned(),
    })
}

/// Whether `state` can hold that transition (and so can be connected through it).
fn has_slot(state: &State, transition: Transition) -> bool {
    match (transition, &state.kind) {
        (_, StateKind::NotAnObject(_)) => false,
        (Transition::Next, kind) => !matches!(
            kind,
            StateKind::Choice(_) | StateKind::Succeed | StateKind::Fail(_)
        ),
        (Transition::Default, kind) => matches!(kind, StateKind::Choice(_)),
        (Transition::ChoiceRule(i), StateKind::Choice(c)) => {
            c.choices.as_ref().is_some_and(|rules| i < rules.len())
        }
        (Transition::ChoiceRule(_), _) => false,
        (Transition::Catch(i), _) => state.catch.as_ref().is_some_and(|c| i < c.len()),
    }
}

/// Each name once, in the order first given.
fn unique(names: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    names
        .iter()
        .filter(|n| seen.insert(n.as_str()))
        .cloned()
        .collect()
}

/// Carries out commands as primitive edits, collecting their inverses.
pub(crate) struct Tx<'a> {
    root: &'a mut StateMachine,
    undo: Vec<Op>,
    report: EditReport,
    touched: Touched,
}

impl<'a> Tx<'a> {
    pub(crate) fn new(root: &'a mut StateMachine) -> Self {
        Self {
            root,
            undo: Vec::new(),
            report: EditReport::default(),
            touched: Touched::default(),
        }
    }

    /// The inverses of what was done (in the order done) and the report.
    pub(crate) fn finish(self) -> (Vec<Op>, EditReport) {
        self.touched.rebuild(self.root);
        (self.undo, self.report)
    }

    /// Undoes everything this transaction did.
    pub(crate) fn rollback(mut self) {
        while let Some(op) = self.undo.pop() {
            // Inverses are exact, so they apply; should one not, the rest still run.
            if let Ok(inverse) = op.apply(self.root) {
                self.touched.record(&inverse, self.root);
            }
        }
        self.touched.rebuild(self.root);
    }

    fn run(&mut self, op: Op) -> Result<(), EditError> {
        let inverse = op.apply(self.root)?;
        self.touched.record(&inverse, self.root);
        self.undo.push(inverse);
        Ok(())
    }

    fn run_all(&mut self, ops: Vec<Op>) -> Result<(), EditError> {
        for op in ops {
            self.run(op)?;
        }
        Ok(())
    }

    pub(crate) fn execute(&mut self, command: Command) -> Result<(), EditError> {
        match command {
            Command::AddState {
                machine: path,
                state: new,
                position,
            } => self.add_state(path, new, position),
            Command::InsertState {
                machine: path,
                state: new,
                position,
                after,
            } => self.insert_state(path, new, position, after),
            Command::DeleteStates {
                machine: path,
                names,
            } => self.delete_states(&path, &names),
            Command::RenameState {
                machine: path,
                from,
                to,
            } => self.rename(&path, &from, &to),
            Command::Connect {
                machine: path,
                from,
                transition,
                to,
            } => self.connect(path, from, transition, Some(to)),
            Command::Disconnect {
                machine: path,
                from,
                transition,
            } => self.connect(path, from, transition, None),
            Command::SetStartAt {
                machine: path,
                name,
            } => {
                let m = machine(self.root, &path)?;
                state(m, &name)?;
                if m.start_at.as_deref() == Some(name.as_str()) {
                    return Ok(());
                }
                self.run(Op::SetStartAt {
                    machine: path,
                    start_at: Some(name),
                })
            }
            Command::ChangeType {
                machine: path,
                name,
                to,
            } => {
                let old = state(machine(self.root, &path)?, &name)?;
                if old.state_type() == Some(to) {
                    return Ok(());
                }
                let new = retype(old, to);
                self.replace_state(path, name, new)
            }
            Command::ReplaceState {
                machine: path,
                name,
                state: new,
            } => self.replace_state(path, name, new),
            Command::UpdateMachine {
                machine: path,
                comment,
                timeout_seconds,
                version,
                query_language,
                processor_config,
            } => {
                let m = machine(self.root, &path)?;
                let fields = MachineFields {
                    comment,
                    timeout_seconds,
                    version,
                    query_language,
                    processor_config,
                };
                let current = MachineFields {
                    comment: m.comment.clone(),
                    timeout_seconds: m.timeout_seconds.clone(),
                    version: m.version.clone(),
                    query_language: m.query_language,
                    processor_config: m.processor_config.clone(),
                };
                if fields == current {
                    return Ok(());
                }
                self.run(Op::SetFields {
                    machine: path,
                    fields: Box::new(fields),
                })
            }
            Command::MoveState {
                from_machine,
                name,
                to_machine,
                position,
            } => self.move_states(from_machine, &[name], to_machine, position),
            Command::MoveStates {
                from_machine,
                names,
                to_machine,
                position,
            } => self.move_states(from_machine, &names, to_machine, position),
            Command::AddBranch {
                machine: path,
                state: owner,
                branch,
            } => {
                let m = machine(self.root, &path)?;
                let count = match &state(m, &owner)?.kind {
                    StateKind::Parallel(p) => p.branches.as_ref().map_or(0, Vec::len),
                    _ => return Err(EditError::NotParallel { name: owner }),
                };
                let names: Vec<String> = branch
                    .all_machines()
                    .iter()
                    .flat_map(|(_, m)| m.state_names().map(str::to_owned))
                    .collect();
                check_unused(self.root, &names, &HashSet::new())?;
                self.run(Op::InsertBranch {
                    machine: path,
                    state: owner,
                    index: count,
                    branch: Box::new(branch),
                })
            }
            Command::RemoveBranch {
                machine: path,
                state: owner,
                index,
            } => self.run(Op::RemoveBranch {
                machine: path,
                state: owner,
                index,
                leave_none: false,
            }),
            Command::Duplicate {
                machine: path,
                names,
            } => self.duplicate(path, &names),
            Command::AddCatcher {
                machine: path,
                name,
                catcher,
                index,
            } => self.insert_item(path, name, Item::Catcher(Box::new(catcher)), index),
            Command::AddRetrier {
                machine: path,
                name,
                retrier,
                index,
            } => self.insert_item(path, name, Item::Retrier(Box::new(retrier)), index),
            Command::AddChoiceRule {
                machine: path,
                name,
                rule,
                index,
            } => self.insert_item(path, name, Item::Rule(Box::new(rule)), index),
            Command::RemoveCatcher {
                machine: path,
                name,
                index,
            } => self.remove_item(path, name, ListKind::Catch, index),
            Command::RemoveRetrier {
                machine: path,
                name,
                index,
            } => self.remove_item(path, name, ListKind::Retry, index),
            Command::RemoveChoiceRule {
                machine: path,
                name,
                index,
            } => self.remove_item(path, name, ListKind::Choices, index),
            Command::Paste { machine: path, asl } => self.paste(path, &asl),
            Command::ReplaceRoot { root } => self.replace_root(root),
            Command::Batch { commands, .. } => {
                for command in commands {
                    self.execute(command)?;
                }
                Ok(())
            }
        }
    }

    fn add_state(
        &mut self,
        path: MachinePath,
        new: State,
        position: Option<usize>,
    ) -> Result<(), EditError> {
        let m = machine(self.root, &path)?;
        check_state_name(&new.name)?;
        let mut names = vec![new.name.clone()];
        names.extend(nested_names(&new));
        let position = position.unwrap_or(m.len());
        let becomes_start = m.start_at.is_none();
        check_unused(self.root, &names, &HashSet::new())?;
        let name = new.name.clone();
        self.run(Op::Insert {
            machine: path.clone(),
            position,
            state: Box::new(new),
        })?;
        if becomes_start {
            self.run(Op::SetStartAt {
                machine: path,
                start_at: Some(name.clone()),
            })?;
        }
        self.report.created.push(name);
        Ok(())
    }

    fn insert_state(
        &mut self,
        path: MachinePath,
        mut new: State,
        position: Option<usize>,
        after: Option<(String, Transition)>,
    ) -> Result<(), EditError> {
        let Some((from, transition)) = after else {
            return self.add_state(path, new, position);
        };
        let anchor = state(machine(self.root, &path)?, &from)?;
        if !has_slot(anchor, transition) {
            return Err(EditError::NoSuchTransition {
                name: from,
                transition: describe_transition(transition),
            });
        }
        let onward = anchor
            .transitions()
            .into_iter()
            .find(|(t, _)| *t == transition)
            .map(|(_, target)| target.to_owned());
        // Set on the new state before it is added: the old target is kept even when it names no
        // state (validation reports that), as the anchor held it.
        if let Some(target) = onward {
            let leads_on = has_slot(&new, Transition::Next);
            match &mut new.kind {
                StateKind::Choice(choice) => choice.default = Some(target),
                _ if leads_on => {
                    new.next = Some(target);
                    new.end = None;
                }
                _ => {}
            }
        }
        let name = new.name.clone();
        self.add_state(path.clone(), new, position)?;
        self.connect(path, from, transition, Some(name))
    }

    /// The edits that cut `leaving` out of the machine's transitions (see [`Command::DeleteStates`]),
    /// with notes on what could not be repaired.
    fn detach(m: &StateMachine, path: &MachinePath, leaving: &[String]) -> (Vec<Op>, Vec<String>) {
        let gone: HashSet<&str> = leaving.iter().map(String::as_str).collect();
        // Where a reference to a leaving state goes: the first surviving state down its Next chain.
        let survivor = |from: &str| -> Option<String> {
            let mut seen = HashSet::new();
            let mut current = from;
            loop {
                let next = m.state(current)?.next.as_deref()?;
                if !m.contains(next) || !seen.insert(next) {
                    return None;
                }
                if !gone.contains(next) {
                    return Some(next.to_owned());
                }
                current = next;
            }
        };
        let mut ops = Vec::new();
        let mut notes = Vec::new();
        for s in m.states().filter(|s| !gone.contains(s.name.as_str())) {
            for (transition, target) in s.transitions() {
                if !gone.contains(target) {
                    continue;
                }
                let replacement = survivor(target);
                let repaired = replacement.is_some();
                ops.push(Op::SetTarget {
                    machine: path.clone(),
                    name: s.name.clone(),
                    transition,
                    target: replacement,
                });
                if repaired {
                    continue;
                }
                match transition {
                    Transition::Next => {
                        if s.end != Some(true) && !matches!(s.kind, StateKind::Choice(_)) {
                            ops.push(Op::SetEnd {
                                machine: path.clone(),
                                name: s.name.clone(),
                                end: Some(true),
                            });
                        }
                    }
                    Transition::Default => {}
                    Transition::ChoiceRule(i) => notes.push(format!(
                        "Choice rule {i} of \"{}\" led to \"{target}\", which is gone; the rule has no Next now",
                        s.name
                    )),
                    Transition::Catch(i) => notes.push(format!(
                        "catcher {i} of \"{}\" led to \"{target}\", which is gone; it has no Next now",
                        s.name
                    )),
                }
            }
        }
        if let Some(start) = m.start_at.as_deref().filter(|s| gone.contains(s)) {
            let replacement = survivor(start);
            if replacement.is_none() && m.len() > leaving.len() {
                notes.push(format!(
                    "StartAt named \"{start}\", which is gone; the machine has no StartAt now"
                ));
            }
            ops.push(Op::SetStartAt {
                machine: path.clone(),
                start_at: replacement,
            });
        }
        (ops, notes)
    }

    fn delete_states(&mut self, path: &MachinePath, names: &[String]) -> Result<(), EditError> {
        let m = machine(self.root, path)?;
        let names = unique(names);
        for name in &names {
            state(m, name)?;
        }
        let (mut ops, notes) = Self::detach(m, path, &names);
        ops.extend(names.iter().map(|name| Op::Remove {
            machine: path.clone(),
            name: name.clone(),
            restore_has_states: None,
        }));
        self.run_all(ops)?;
        self.report.notes.extend(notes);
        Ok(())
    }

    fn rename(&mut self, path: &MachinePath, from: &str, to: &str) -> Result<(), EditError> {
        let m = machine(self.root, path)?;
        state(m, from)?;
        if from == to {
            return Ok(());
        }
        check_state_name(to)?;
        check_unused(self.root, &[to.to_owned()], &HashSet::new())?;
        let mut ops = vec![Op::Rename {
            machine: path.clone(),
            from: from.to_owned(),
            to: to.to_owned(),
        }];
        for s in m.states() {
            let owner = if s.name == from { to } else { &s.name };
            for (transition, target) in s.transitions() {
                if target == from {
                    ops.push(Op::SetTarget {
                        machine: path.clone(),
                        name: owner.to_owned(),
                        transition,
                        target: Some(to.to_owned()),
                    });
                }
            }
        }
        if m.start_at.as_deref() == Some(from) {
            ops.push(Op::SetStartAt {
                machine: path.clone(),
                start_at: Some(to.to_owned()),
            });
        }
        self.run_all(ops)
    }

    fn connect(
        &mut self,
        path: MachinePath,
        from: String,
        transition: Transition,
        to: Option<String>,
    ) -> Result<(), EditError> {
        let m = machine(self.root, &path)?;
        let source = state(m, &from)?;
        if let Some(target) = &to {
            state(m, target)?;
        }
        if let (Transition::Catch(index), Some(target)) = (transition, &to)
            && index == source.catch.as_ref().map_or(0, Vec::len)
            && allows_list(source, ListKind::Catch)
        {
            // Connecting the next, not yet existing catcher adds a catch-all one.
            let catcher = Catcher::for_errors(&["States.ALL"], target.clone());
            return self.run(Op::InsertItem {
                machine: path,
                name: from,
                index,
                item: Item::Catcher(Box::new(catcher)),
            });
        }
        let current = source
            .transitions()
            .into_iter()
            .find(|(t, _)| *t == transition)
            .map(|(_, target)| target.to_owned());
        // A transition the type does not allow can still be cleared when a document has one.
        let clearing_stray = to.is_none() && current.is_some();
        if !has_slot(source, transition) && !clearing_stray {
            return Err(EditError::NoSuchTransition {
                name: from,
                transition: describe_transition(transition),
            });
        }
        let clear_end = to.is_some() && transition == Transition::Next && source.end.is_some();
        let mut ops = Vec::new();
        if current != to {
            ops.push(Op::SetTarget {
                machine: path.clone(),
                name: from.clone(),
                transition,
                target: to,
            });
        }
        if clear_end {
            ops.push(Op::SetEnd {
                machine: path,
                name: from,
                end: None,
            });
        }
        self.run_all(ops)
    }

    fn replace_state(
        &mut self,
        path: MachinePath,
        name: String,
        new: State,
    ) -> Result<(), EditError> {
        if new.name != name {
            return Err(EditError::NameMismatch {
                name,
                found: new.name,
            });
        }
        let old = state(machine(self.root, &path)?, &name)?;
        if *old == new {
            return Ok(());
        }
        // Names the old state's nested machines held may be reused by the new content.
        let own: HashSet<String> = nested_names(old).into_iter().collect();
        check_unused(self.root, &nested_names(&new), &own)?;
        self.run(Op::Replace {
            machine: path,
            name,
            state: Box::new(new),
        })
    }

    fn move_states(
        &mut self,
        from: MachinePath,
        names: &[String],
        to: MachinePath,
        position: Option<usize>,
    ) -> Result<(), EditError> {
        let source = machine(self.root, &from)?;
        let names = unique(names);
        for name in &names {
            state(source, name)?;
        }
        // Moved states keep their document order.
        let moving: Vec<&State> = source
            .states()
            .filter(|s| names.contains(&s.name))
            .collect();
        if moving.is_empty() {
            return Ok(());
        }
        if from == to {
            let rest: Vec<&str> = source
                .state_names()
                .filter(|n| !names.iter().any(|m| m == n))
                .collect();
            let at = position.unwrap_or(rest.len()).min(rest.len());
            let mut desired = rest[..at].to_vec();
            desired.extend(moving.iter().map(|s| s.name.as_str()));
            desired.extend(&rest[at..]);
            let current: Vec<&str> = source.state_names().collect();
            let ops = reorder_ops(&from, current, &desired);
            return self.run_all(ops);
        }
        for name in &names {
            if to.0.len() > from.0.len()
                && to.0[..from.0.len()] == from.0[..]
                && to.0[from.0.len()].state() == name
            {
                return Err(EditError::MoveIntoItself { name: name.clone() });
            }
        }
        let target = machine(self.root, &to)?;
        if let Some(name) = names.iter().find(|n| target.contains(n)) {
            return Err(EditError::NameTaken { name: name.clone() });
        }
        let (mut ops, mut notes) = Self::detach(source, &from, &names);
        // Transitions among the moved states, and to states already in the target, stay.
        for moved in &moving {
            let name = &moved.name;
            for (transition, next) in moved.transitions() {
                if names.iter().any(|n| n == next) || target.contains(next) {
                    continue;
                }
                ops.push(Op::SetTarget {
                    machine: from.clone(),
                    name: name.clone(),
                    transition,
                    target: None,
                });
                match transition {
                    Transition::Next => {
                        if moved.end != Some(true) && !matches!(moved.kind, StateKind::Choice(_)) {
                            ops.push(Op::SetEnd {
                                machine: from.clone(),
                                name: name.clone(),
                                end: Some(true),
                            });
                        }
                    }
                    Transition::Default => {}
                    Transition::ChoiceRule(i) => notes.push(format!(
                        "Choice rule {i} of \"{name}\" led to \"{next}\", which stayed behind; the rule has no Next now"
                    )),
                    Transition::Catch(i) => notes.push(format!(
                        "catcher {i} of \"{name}\" led to \"{next}\", which stayed behind; it has no Next now"
                    )),
                }
            }
        }
        let becomes_start = target.start_at.is_none();
        // The source's StartAt, when it moves along, says where the group starts.
        let first = source
            .start_at
            .clone()
            .filter(|s| names.contains(s))
            .unwrap_or_else(|| moving[0].name.clone());
        let at = position.unwrap_or(target.len()).min(target.len());
        for (offset, moved) in moving.iter().enumerate() {
            ops.push(Op::Move {
                from: from.clone(),
                name: moved.name.clone(),
                to: to.clone(),
                position: at + offset,
                restore_from_has_states: None,
            });
        }
        if becomes_start {
            ops.push(Op::SetStartAt {
                machine: to,
                start_at: Some(first),
            });
        }
        self.run_all(ops)?;
        self.report.notes.extend(notes);
        Ok(())
    }

    fn check_list(m: &StateMachine, name: &str, list: ListKind) -> Result<usize, EditError> {
        let s = state(m, name)?;
        if !allows_list(s, list) {
            return Err(EditError::FieldNotAllowed {
                name: name.to_owned(),
                state_type: s
                    .state_type()
                    .map_or("state of unknown type", StateType::as_str)
                    .to_owned(),
                field: list.as_str().to_owned(),
            });
        }
        Ok(match (list, &s.kind) {
            (ListKind::Catch, _) => s.catch.as_ref().map_or(0, Vec::len),
            (ListKind::Retry, _) => s.retry.as_ref().map_or(0, Vec::len),
            (ListKind::Choices, StateKind::Choice(c)) => c.choices.as_ref().map_or(0, Vec::len),
            (ListKind::Choices, _) => 0,
        })
    }

    fn insert_item(
        &mut self,
        path: MachinePath,
        name: String,
        item: Item,
        index: Option<usize>,
    ) -> Result<(), EditError> {
        let list = match &item {
            Item::Catcher(_) => ListKind::Catch,
            Item::Retrier(_) => ListKind::Retry,
            Item::Rule(_) => ListKind::Choices,
        };
        let len = Self::check_list(machine(self.root, &path)?, &name, list)?;
        let index = index.unwrap_or(len);
        if index > len {
            return Err(EditError::NoSuchItem {
                name,
                list: list.as_str().to_owned(),
                index,
            });
        }
        self.run(Op::InsertItem {
            machine: path,
            name,
            index,
            item,
        })
    }

    fn remove_item(
        &mut self,
        path: MachinePath,
        name: String,
        list: ListKind,
        index: usize,
    ) -> Result<(), EditError> {
        let m = machine(self.root, &path)?;
        state(m, &name)?;
        self.run(Op::RemoveItem {
            machine: path,
            name,
            list,
            index,
            leave_none: false,
        })
    }

    fn duplicate(&mut self, path: MachinePath, names: &[String]) -> Result<(), EditError> {
        let m = machine(self.root, &path)?;
        let names = unique(names);
        for name in &names {
            state(m, name)?;
        }
        let selected: Vec<&State> = m.states().filter(|s| names.contains(&s.name)).collect();
        let Some(last) = selected.last().and_then(|s| m.position(&s.name)) else {
            return Ok(());
        };
        let mut taken = self.root.all_state_names();
        let fresh: Vec<String> = selected
            .iter()
            .map(|s| {
                let name = fresh_name(&s.name, &taken);
                taken.insert(name.clone());
                name
            })
            .collect();
        let renamed: HashMap<String, String> = selected
            .iter()
            .map(|s| s.name.clone())
            .zip(fresh.iter().cloned())
            .collect();
        let mut ops = Vec::new();
        let mut created = Vec::new();
        for (offset, (s, name)) in selected.iter().zip(fresh).enumerate() {
            let mut copy = (*s).clone();
            copy.name = name;
            remap_transitions(&mut copy, &renamed);
            dedupe_children(&mut copy, &mut taken);
            created.push(copy.name.clone());
            ops.push(Op::Insert {
                machine: path.clone(),
                position: last + 1 + offset,
                state: Box::new(copy),
            });
        }
        self.run_all(ops)?;
        self.report.created.extend(created);
        Ok(())
    }

    fn paste(&mut self, path: MachinePath, asl: &Value) -> Result<(), EditError> {
        let mut fragment = parse_fragment(asl)?;
        let m = machine(self.root, &path)?;
        let mut taken = self.root.all_state_names();
        dedupe_machine(&mut fragment, &mut taken);
        let start = fragment
            .start_at
            .clone()
            .filter(|s| fragment.contains(s))
            .or_else(|| fragment.state_names().next().map(str::to_owned));
        let becomes_start = m.start_at.is_none();
        let position = m.len();
        let mut ops = Vec::new();
        let mut created = Vec::new();
        for (offset, s) in fragment.states().enumerate() {
            created.push(s.name.clone());
            ops.push(Op::Insert {
                machine: path.clone(),
                position: position + offset,
                state: Box::new(s.clone()),
            });
        }
        if becomes_start {
            ops.push(Op::SetStartAt {
                machine: path,
                start_at: start,
            });
        }
        self.run_all(ops)?;
        self.report.created.extend(created);
        Ok(())
    }

    /// Replaces the document, recording only the differences when that is small (see [`diff_root`]).
    fn replace_root(&mut self, new: StateMachine) -> Result<(), EditError> {
        if *self.root == new {
            return Ok(());
        }
        match diff_root(self.root, &new) {
            Some(ops) => self.run_all(ops),
            None => self.run(Op::ReplaceRoot {
                root: Box::new(new),
            }),
        }
    }
}
