//! Properties of the model and its editing commands, over generated machines with nested Parallel
//! branches and Map processors:
//! - `from_value(to_value(m)) == m`;
//! - any sequence of commands, valid or not, then undoing all of them gives back the original
//!   exactly, and redoing them all gives back the edited document;
//! - a refused command changes nothing; names stay unique across the document.
#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::collections::HashSet;

use graph_model::{
    Command, Document, MachinePath, State, StateMachine, StateType, Transition, copy_selection,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

mod common;
use common::same_order;

#[derive(Clone, Debug)]
enum KindSpec {
    Task { retry: bool, catch: Option<u8> },
    Pass { result: bool },
    Choice { rules: Vec<u8>, default: Option<u8> },
    Wait { seconds: u8 },
    Succeed,
    Fail,
    Parallel(Vec<MachineSpec>),
    Map(Box<MachineSpec>),
}

#[derive(Clone, Debug)]
struct StateSpec {
    kind: KindSpec,
    next: Option<u8>,
    comment: Option<String>,
}

#[derive(Clone, Debug)]
struct MachineSpec {
    states: Vec<StateSpec>,
}

fn flat_kind() -> impl Strategy<Value = KindSpec> {
    prop_oneof![
        (any::<bool>(), option::of(any::<u8>()))
            .prop_map(|(retry, catch)| KindSpec::Task { retry, catch }),
        any::<bool>().prop_map(|result| KindSpec::Pass { result }),
        (vec(any::<u8>(), 1..3), option::of(any::<u8>()))
            .prop_map(|(rules, default)| KindSpec::Choice { rules, default }),
        any::<u8>().prop_map(|seconds| KindSpec::Wait { seconds }),
        Just(KindSpec::Succeed),
        Just(KindSpec::Fail),
    ]
}

fn machine_of(kind: BoxedStrategy<KindSpec>) -> BoxedStrategy<MachineSpec> {
    vec(
        (kind, option::of(any::<u8>()), option::of("[a-z ]{0,6}")).prop_map(
            |(kind, next, comment)| StateSpec {
                kind,
                next,
                comment,
            },
        ),
        1..5,
    )
    .prop_map(|states| MachineSpec { states })
    .boxed()
}

fn machine_spec() -> impl Strategy<Value = MachineSpec> {
    machine_of(flat_kind().boxed()).prop_recursive(3, 24, 3, |inner| {
        let kind = prop_oneof![
            4 => flat_kind(),
            1 => vec(inner.clone(), 1..3).prop_map(KindSpec::Parallel),
            1 => inner.prop_map(|m| KindSpec::Map(Box::new(m))),
        ];
        machine_of(kind.boxed())
    })
}

/// Builds valid ASL from a spec: names unique across the document, every transition to a state of
/// the same machine, every non-terminal state with `Next` or `End`.
fn build(spec: &MachineSpec, counter: &mut usize) -> Value {
    let names: Vec<String> = spec
        .states
        .iter()
        .map(|_| {
            *counter += 1;
            // Some names with spaces and non-ASCII, as real documents have.
            match *counter % 3 {
                0 => format!("Step {counter}"),
                1 => format!("S{counter}"),
                _ => format!("État-{counter}"),
            }
        })
        .collect();
    let target = |i: u8| Value::String(names[usize::from(i) % names.len()].clone());
    let mut states = Map::new();
    for (spec, name) in spec.states.iter().zip(&names) {
        let mut s = Map::new();
        let mut terminal = false;
        let type_name = match &spec.kind {
            KindSpec::Task { .. } => "Task",
            KindSpec::Pass { .. } => "Pass",
            KindSpec::Choice { .. } => "Choice",
            KindSpec::Wait { .. } => "Wait",
            KindSpec::Succeed => "Succeed",
            KindSpec::Fail => "Fail",
            KindSpec::Parallel(_) => "Parallel",
            KindSpec::Map(_) => "Map",
        };
        s.insert("Type".into(), json!(type_name));
        if let Some(comment) = &spec.comment {
            s.insert("Comment".into(), json!(comment));
        }
        match &spec.kind {
            KindSpec::Task { retry, catch } => {
                s.insert("Resource".into(), json!("arn:aws:states:::lambda:invoke"));
                if *retry {
                    s.insert("Retry".into(), json!([{"ErrorEquals": ["States.ALL"]}]));
                }
                if let Some(c) = catch {
                    s.insert(
                        "Catch".into(),
                        json!([{"ErrorEquals": ["States.ALL"], "Next": target(*c)}]),
                    );
                }
            }
            KindSpec::Pass { result } => {
                if *result {
                    s.insert("Result".into(), json!({"ok": true}));
                }
            }
            KindSpec::Choice { rules, default } => {
                let rules: Vec<Value> = rules
                    .iter()
                    .map(|r| json!({"Variable": "$.x", "NumericEquals": r, "Next": target(*r)}))
                    .collect();
                s.insert("Choices".into(), Value::Array(rules));
                if let Some(d) = default {
                    s.insert("Default".into(), target(*d));
                }
                terminal = true;
            }
            KindSpec::Wait { seconds } => {
                s.insert("Seconds".into(), json!(seconds));
            }
            KindSpec::Succeed | KindSpec::Fail => terminal = true,
            KindSpec::Parallel(branches) => {
                let branches: Vec<Value> = branches.iter().map(|b| build(b, counter)).collect();
                s.insert("Branches".into(), Value::Array(branches));
            }
            KindSpec::Map(processor) => {
                s.insert("ItemsPath".into(), json!("$.items"));
                s.insert("ItemProcessor".into(), build(processor, counter));
            }
        }
        if !terminal {
            match spec.next {
                Some(i) => s.insert("Next".into(), target(i)),
                None => s.insert("End".into(), json!(true)),
            };
        }
        states.insert(name.clone(), Value::Object(s));
    }
    json!({"StartAt": names[0], "States": states})
}

fn machine() -> impl Strategy<Value = StateMachine> {
    machine_spec().prop_map(|spec| {
        let mut counter = 0;
        StateMachine::from_value(&build(&spec, &mut counter)).unwrap()
    })
}

/// A command by indices, resolved against the document when it is applied, so that most commands
/// name real machines and states and some do not.
#[derive(Clone, Debug)]
enum Step {
    Add {
        m: u8,
        kind: u8,
        pos: Option<u8>,
        name: u8,
    },
    Delete {
        m: u8,
        picks: Vec<u8>,
    },
    Rename {
        m: u8,
        s: u8,
        to: u8,
    },
    Connect {
        m: u8,
        s: u8,
        t: u8,
        to: u8,
    },
    Disconnect {
        m: u8,
        s: u8,
        t: u8,
    },
    SetStart {
        m: u8,
        s: u8,
    },
    ChangeType {
        m: u8,
        s: u8,
        ty: u8,
    },
    Replace {
        m: u8,
        s: u8,
        comment: u8,
    },
    UpdateMachine {
        m: u8,
        comment: Option<u8>,
    },
    Move {
        m: u8,
        s: u8,
        to_m: u8,
        pos: Option<u8>,
    },
    MoveMany {
        m: u8,
        picks: Vec<u8>,
        to_m: u8,
        pos: Option<u8>,
    },
    AddItem {
        m: u8,
        s: u8,
        kind: u8,
        index: Option<u8>,
    },
    RemoveItem {
        m: u8,
        s: u8,
        kind: u8,
        index: u8,
    },
    AddBranch {
        m: u8,
        s: u8,
        name: u8,
    },
    RemoveBranch {
        m: u8,
        s: u8,
        index: u8,
    },
    Duplicate {
        m: u8,
        picks: Vec<u8>,
    },
    CopyPaste {
        m: u8,
        picks: Vec<u8>,
        to_m: u8,
    },
    /// A code-view edit: the document with some changes, handed over whole.
    ReplaceRoot {
        edits: Vec<(u8, u8)>,
    },
    Batch(Vec<Step>),
    Undo,
    Redo,
}

fn leaf_step() -> impl Strategy<Value = Step> {
    let u = any::<u8>;
    prop_oneof![
        (u(), u(), option::of(u()), u()).prop_map(|(m, kind, pos, name)| Step::Add {
            m,
            kind,
            pos,
            name
        }),
        (u(), vec(u(), 0..3)).prop_map(|(m, picks)| Step::Delete { m, picks }),
        (u(), u(), u()).prop_map(|(m, s, to)| Step::Rename { m, s, to }),
        (u(), u(), u(), u()).prop_map(|(m, s, t, to)| Step::Connect { m, s, t, to }),
        (u(), u(), u()).prop_map(|(m, s, t)| Step::Disconnect { m, s, t }),
        (u(), u()).prop_map(|(m, s)| Step::SetStart { m, s }),
        (u(), u(), u()).prop_map(|(m, s, ty)| Step::ChangeType { m, s, ty }),
        (u(), u(), u()).prop_map(|(m, s, comment)| Step::Replace { m, s, comment }),
        (u(), option::of(u())).prop_map(|(m, comment)| Step::UpdateMachine { m, comment }),
        (u(), u(), u(), option::of(u())).prop_map(|(m, s, to_m, pos)| Step::Move {
            m,
            s,
            to_m,
            pos
        }),
        (u(), vec(u(), 1..4), u(), option::of(u())).prop_map(|(m, picks, to_m, pos)| {
            Step::MoveMany {
                m,
                picks,
                to_m,
                pos,
            }
        }),
        (u(), u(), u(), option::of(u())).prop_map(|(m, s, kind, index)| Step::AddItem {
            m,
            s,
            kind,
            index
        }),
        (u(), u(), u(), u()).prop_map(|(m, s, kind, index)| Step::RemoveItem { m, s, kind, index }),
        (u(), u(), u()).prop_map(|(m, s, name)| Step::AddBranch { m, s, name }),
        (u(), u(), u()).prop_map(|(m, s, index)| Step::RemoveBranch { m, s, index }),
        (u(), vec(u(), 1..3)).prop_map(|(m, picks)| Step::Duplicate { m, picks }),
        (u(), vec(u(), 1..3), u()).prop_map(|(m, picks, to_m)| Step::CopyPaste { m, picks, to_m }),
        vec((any::<u8>(), any::<u8>()), 0..4).prop_map(|edits| Step::ReplaceRoot { edits }),
        Just(Step::Undo),
        Just(Step::Redo),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => leaf_step(),
        1 => vec(leaf_step(), 1..4).prop_map(Step::Batch),
    ]
}

fn pick<T: Clone>(items: &[T], index: u8) -> Option<T> {
    if items.is_empty() {
        None
    } else {
        Some(items[usize::from(index) % items.len()].clone())
    }
}

struct Resolver<'a> {
    root: &'a StateMachine,
}

impl Resolver<'_> {
    fn machine(&self, m: u8) -> MachinePath {
        let paths: Vec<MachinePath> = self
            .root
            .all_machines()
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        // One in twenty-five names a machine that does not exist.
        if m >= 245 {
            return MachinePath::root().processor("no such state");
        }
        pick(&paths, m).unwrap_or_default()
    }

    fn names(&self, path: &MachinePath) -> Vec<String> {
        self.root
            .machine_at(path)
            .map(|m| m.state_names().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    fn state(&self, path: &MachinePath, s: u8) -> String {
        if s >= 240 {
            return "missing".to_owned();
        }
        pick(&self.names(path), s).unwrap_or_else(|| "missing".to_owned())
    }

    fn all_names(&self) -> Vec<String> {
        self.root
            .all_machines()
            .iter()
            .flat_map(|(_, m)| m.state_names().map(str::to_owned))
            .collect()
    }

    fn new_name(&self, n: u8) -> String {
        match n % 8 {
            0 => pick(&self.all_names(), n).unwrap_or_default(),
            1 => String::new(),
            2 => "x".repeat(81),
            _ => format!("New {}", n / 8),
        }
    }

    /// Half the time a Parallel state of the document (when it has one), else any state.
    fn parallel(&self, m: u8, s: u8) -> (MachinePath, String) {
        let parallels: Vec<(MachinePath, String)> = self
            .root
            .all_machines()
            .into_iter()
            .flat_map(|(path, machine)| {
                machine
                    .states()
                    .filter(|st| st.state_type() == Some(StateType::Parallel))
                    .map(move |st| (path.clone(), st.name.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        match pick(&parallels, s / 2) {
            Some(found) if s.is_multiple_of(2) => found,
            _ => {
                let machine = self.machine(m);
                let name = self.state(&machine, s);
                (machine, name)
            }
        }
    }

    /// Half the time a transition the state has, else any transition.
    fn slot(&self, path: &MachinePath, name: &str, t: u8) -> Transition {
        let existing: Vec<Transition> = self
            .root
            .machine_at(path)
            .and_then(|m| m.state(name))
            .map(|st| st.transitions().into_iter().map(|(t, _)| t).collect())
            .unwrap_or_default();
        match pick(&existing, t / 2) {
            Some(transition) if t.is_multiple_of(2) => transition,
            _ => Self::transition(t / 2),
        }
    }

    fn transition(t: u8) -> Transition {
        match t % 5 {
            0 => Transition::Next,
            1 => Transition::Default,
            2 => Transition::ChoiceRule(0),
            3 => Transition::ChoiceRule(usize::from(t / 5 % 3)),
            _ => Transition::Catch(usize::from(t / 5 % 2)),
        }
    }

    fn command(&self, step: &Step) -> Option<Command> {
        Some(match step {
            Step::Add { m, kind, pos, name } => {
                let state_type = StateType::ALL[usize::from(*kind) % StateType::ALL.len()];
                let mut state = State::new(self.new_name(*name), state_type);
                if !state_type.is_terminal_type() && state_type != StateType::Choice {
                    state.end = Some(true);
                }
                Command::AddState {
                    machine: self.machine(*m),
                    state,
                    position: pos.map(usize::from),
                }
            }
            Step::Delete { m, picks } => {
                let machine = self.machine(*m);
                let names = picks.iter().map(|s| self.state(&machine, *s)).collect();
                Command::DeleteStates { machine, names }
            }
            Step::Rename { m, s, to } => {
                let machine = self.machine(*m);
                Command::RenameState {
                    from: self.state(&machine, *s),
                    to: self.new_name(*to),
                    machine,
                }
            }
            Step::Connect { m, s, t, to } => {
                let machine = self.machine(*m);
                let from = self.state(&machine, *s);
                Command::Connect {
                    transition: self.slot(&machine, &from, *t),
                    from,
                    to: self.state(&machine, *to),
                    machine,
                }
            }
            Step::Disconnect { m, s, t } => {
                let machine = self.machine(*m);
                let from = self.state(&machine, *s);
                Command::Disconnect {
                    transition: self.slot(&machine, &from, *t),
                    from,
                    machine,
                }
            }
            Step::SetStart { m, s } => {
                let machine = self.machine(*m);
                Command::SetStartAt {
                    name: self.state(&machine, *s),
                    machine,
                }
            }
            Step::ChangeType { m, s, ty } => {
                let machine = self.machine(*m);
                Command::ChangeType {
                    name: self.state(&machine, *s),
                    to: StateType::ALL[usize::from(*ty) % StateType::ALL.len()],
                    machine,
                }
            }
            Step::Replace { m, s, comment } => {
                let machine = self.machine(*m);
                let name = self.state(&machine, *s);
                let mut state = self
                    .root
                    .machine_at(&machine)
                    .and_then(|m| m.state(&name))
                    .cloned()
                    .unwrap_or_else(|| State::new(name.clone(), StateType::Pass));
                state.comment = Some(format!("edited {comment}"));
                if comment % 7 == 0 {
                    state.name = "mismatch".to_owned();
                }
                Command::ReplaceState {
                    machine,
                    name,
                    state,
                }
            }
            Step::UpdateMachine { m, comment } => Command::UpdateMachine {
                machine: self.machine(*m),
                comment: comment.map(|c| format!("machine {c}")),
                timeout_seconds: None,
                version: None,
                query_language: None,
                processor_config: None,
            },
            Step::Move { m, s, to_m, pos } => {
                let from_machine = self.machine(*m);
                Command::MoveState {
                    name: self.state(&from_machine, *s),
                    from_machine,
                    to_machine: self.machine(*to_m),
                    position: pos.map(usize::from),
                }
            }
            Step::MoveMany {
                m,
                picks,
                to_m,
                pos,
            } => {
                let from_machine = self.machine(*m);
                Command::MoveStates {
                    names: picks
                        .iter()
                        .map(|s| self.state(&from_machine, *s))
                        .collect(),
                    from_machine,
                    // Half the time within the same machine: a reordering.
                    to_machine: if to_m % 2 == 0 {
                        self.machine(*m)
                    } else {
                        self.machine(*to_m)
                    },
                    position: pos.map(|p| usize::from(p % 8)),
                }
            }
            Step::AddItem { m, s, kind, index } => {
                let machine = self.machine(*m);
                let name = self.state(&machine, *s);
                let index = index.map(|i| usize::from(i % 3));
                match kind % 3 {
                    0 => Command::AddCatcher {
                        catcher: graph_model::Catcher::for_errors(&["States.ALL"], name.clone()),
                        machine,
                        name,
                        index,
                    },
                    1 => Command::AddRetrier {
                        retrier: graph_model::Retrier::for_errors(&["States.Timeout"]),
                        machine,
                        name,
                        index,
                    },
                    _ => Command::AddChoiceRule {
                        rule: graph_model::ChoiceRule::new(
                            graph_model::Condition::Jsonata("{% true %}".to_owned()),
                            Some(name.clone()),
                        ),
                        machine,
                        name,
                        index,
                    },
                }
            }
            Step::RemoveItem { m, s, kind, index } => {
                let machine = self.machine(*m);
                let name = self.state(&machine, *s);
                let index = usize::from(index % 3);
                match kind % 3 {
                    0 => Command::RemoveCatcher {
                        machine,
                        name,
                        index,
                    },
                    1 => Command::RemoveRetrier {
                        machine,
                        name,
                        index,
                    },
                    _ => Command::RemoveChoiceRule {
                        machine,
                        name,
                        index,
                    },
                }
            }
            Step::AddBranch { m, s, name } => {
                let (machine, owner) = self.parallel(*m, *s);
                let mut branch = StateMachine::new();
                let mut state = State::new(self.new_name(*name), StateType::Succeed);
                state.comment = Some("branch".to_owned());
                branch.insert_state(0, state);
                Command::AddBranch {
                    state: owner,
                    machine,
                    branch,
                }
            }
            Step::RemoveBranch { m, s, index } => {
                let (machine, state) = self.parallel(*m, *s);
                Command::RemoveBranch {
                    state,
                    machine,
                    index: usize::from(*index % 3),
                }
            }
            Step::Duplicate { m, picks } => {
                let machine = self.machine(*m);
                let names = picks.iter().map(|s| self.state(&machine, *s)).collect();
                Command::Duplicate { machine, names }
            }
            Step::CopyPaste { m, picks, to_m } => {
                let from = self.machine(*m);
                let names: Vec<String> = picks.iter().map(|s| self.state(&from, *s)).collect();
                let source = self.root.machine_at(&from)?;
                Command::Paste {
                    machine: self.machine(*to_m),
                    asl: copy_selection(source, &names),
                }
            }
            Step::ReplaceRoot { edits } => {
                let mut root = self.root.clone();
                for &(kind, index) in edits {
                    let names: Vec<String> = root.state_names().map(str::to_owned).collect();
                    let name = pick(&names, index).unwrap_or_default();
                    match kind % 7 {
                        0 => {
                            root.remove_state(&name);
                        }
                        1 => {
                            root.update_state(&name, |s| s.comment = Some(format!("code {index}")));
                        }
                        2 => {
                            root.move_state(&name, usize::from(index % 4));
                        }
                        3 => {
                            let mut state = State::new(format!("Typed {index}"), StateType::Pass);
                            state.end = Some(true);
                            root.insert_state(usize::from(index), state);
                        }
                        4 => root.comment = Some(format!("root {index}")),
                        5 => root.start_at = Some(name),
                        _ => {
                            let path = self.machine(index);
                            let inner: Vec<String> = root
                                .machine_at(&path)
                                .map(|m| m.state_names().map(str::to_owned).collect())
                                .unwrap_or_default();
                            if let (Some(machine), Some(target)) =
                                (root.machine_at_mut(&path), pick(&inner, kind))
                            {
                                machine
                                    .update_state(&target, |s| s.comment = Some("nested".into()));
                            }
                        }
                    }
                }
                Command::ReplaceRoot { root }
            }
            Step::Batch(steps) => Command::Batch {
                label: "batch".to_owned(),
                commands: steps.iter().filter_map(|s| self.command(s)).collect(),
            },
            Step::Undo | Step::Redo => return None,
        })
    }
}

fn names_unique(root: &StateMachine) -> bool {
    let mut seen = HashSet::new();
    root.all_machines()
        .iter()
        .all(|(_, m)| m.state_names().all(|n| seen.insert(n.to_owned())))
}

/// Whether every machine's graph edges are exactly its states' transitions that name a state of
/// the same machine (the edits rebuild edges lazily; this checks they never go stale).
fn edges_match_fields(root: &StateMachine) -> bool {
    use petgraph::visit::{EdgeRef as _, IntoEdgeReferences as _};
    root.all_machines().iter().all(|(_, m)| {
        let graph = m.graph();
        let mut from_graph: Vec<(String, String, Transition)> = graph
            .edge_references()
            .map(|e| {
                (
                    graph[e.source()].name.clone(),
                    graph[e.target()].name.clone(),
                    *e.weight(),
                )
            })
            .collect();
        let mut from_fields: Vec<(String, String, Transition)> = m
            .states()
            .flat_map(|s| {
                s.transitions()
                    .into_iter()
                    .filter(|(_, target)| m.contains(target))
                    .map(|(t, target)| (s.name.clone(), target.to_owned(), t))
                    .collect::<Vec<_>>()
            })
            .collect();
        let key = |e: &(String, String, Transition)| format!("{e:?}");
        from_graph.sort_by_key(key);
        from_fields.sort_by_key(key);
        from_graph == from_fields
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_machines_round_trip(m in machine()) {
        let back = StateMachine::from_value(&m.to_value()).unwrap();
        prop_assert_eq!(&back, &m);
        prop_assert!(names_unique(&m));
    }

    #[test]
    fn undo_all_restores_and_redo_all_replays(m in machine(), steps in vec(step(), 1..24)) {
        let original = m.clone();
        let original_value = m.to_value();
        let mut doc = Document::new(m);
        for step in &steps {
            match step {
                Step::Undo => {
                    doc.undo();
                    prop_assert!(edges_match_fields(doc.root()), "undo left stale edges");
                }
                Step::Redo => {
                    doc.redo();
                    prop_assert!(edges_match_fields(doc.root()), "redo left stale edges");
                }
                other => {
                    let Some(command) = Resolver { root: doc.root() }.command(other) else {
                        continue;
                    };
                    let before = doc.root().to_value();
                    let revision = doc.revision();
                    match doc.apply(command.clone()) {
                        Err(error) => {
                            prop_assert!(
                                same_order(&doc.root().to_value(), &before),
                                "{:?} failed ({}) but changed the document", command, error
                            );
                            prop_assert_eq!(doc.revision(), revision);
                        }
                        Ok(()) => {
                            if let Command::ReplaceRoot { root } = &command {
                                prop_assert_eq!(doc.root(), root);
                            }
                            let value = doc.root().to_value();
                            let again = StateMachine::from_value(&value).unwrap().to_value();
                            prop_assert!(same_order(&again, &value), "{:?} left an unstable model", command);
                            prop_assert!(names_unique(doc.root()), "{:?} duplicated a name", command);
                            prop_assert!(edges_match_fields(doc.root()), "{:?} left stale edges", command);
                        }
                    }
                }
            }
        }
        let edited = doc.root().clone();
        let edited_value = edited.to_value();
        let done = doc.history_cursor();
        while doc.undo() {}
        prop_assert!(!doc.is_modified());
        prop_assert_eq!(doc.root(), &original);
        prop_assert!(same_order(&doc.root().to_value(), &original_value));
        prop_assert!(edges_match_fields(doc.root()));
        for _ in 0..done {
            prop_assert!(doc.redo());
        }
        prop_assert_eq!(doc.root(), &edited);
        prop_assert!(same_order(&doc.root().to_value(), &edited_value));
        prop_assert!(edges_match_fields(doc.root()));
    }
}
