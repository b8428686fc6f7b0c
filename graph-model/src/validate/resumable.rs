//! Validation a bounded number of states at a time.
//!
//! The browser has one thread: checking 1,500 states in one go takes a frame of 30-50 ms there.
//! [`Validation`] does the same checks in the same order as [`super::validate`] (which is made of
//! it), so what it finds is the same list; it only stops between states and picks up where it
//! stopped at the next [`Validation::step`].

use super::{
    MachineInfo, Scope, Sink, check_labels_unique, check_machine_head, check_machine_states,
    check_machine_tail, declared_names, lint, machines_of,
};
use crate::diagnostic::Diagnostic;
use crate::hasher::FnvMap;
use crate::machine::{MachinePath, StateMachine};
use crate::state::QueryLanguage;

/// Checking one document a step at a time; see [`Validation::step`].
#[derive(Clone, Debug, Default)]
pub struct Validation {
    /// What was found so far, in [`super::validate`]'s order.
    found: Vec<Diagnostic>,
    next: Next,
    /// The machines of the document (in [`machines_of`]'s order), found at the first step and
    /// kept: finding them again at every step cost as much as the checks of a step.
    places: Vec<Place>,
    /// Where each state name is first declared (the index of its machine in `places`).
    declared: FnvMap<String, usize>,
}

/// One machine of the document, to be found again at a later step.
#[derive(Clone, Debug)]
struct Place {
    path: MachinePath,
    pointer: String,
    scope: Scope,
    ql: QueryLanguage,
}

impl Place {
    /// The machine in `root` with what is known about its place; `None` if `root` is not the
    /// document the place was found in.
    fn find<'m>(&self, root: &'m StateMachine) -> Option<MachineInfo<'m>> {
        Some(MachineInfo {
            machine: root.machine_at(&self.path)?,
            pointer: self.pointer.clone(),
            scope: self.scope,
            ql: self.ql,
            path: self.path.clone(),
        })
    }
}

/// What the next step starts with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Next {
    /// State names used twice across the document.
    #[default]
    Names,
    /// The `index`th machine (in [`machines_of`]'s order); `None` before its own fields.
    Machine {
        index: usize,
        states: Option<MachineProgress>,
    },
    /// Map labels used twice.
    Labels,
    /// The warnings (over the whole document in one go: they are a small part of the time).
    Lint,
    Done,
}

/// How far the states of one machine are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct MachineProgress {
    /// How many of its states are checked.
    checked: usize,
    /// Whether `StartAt` names one of its states.
    start_ok: bool,
    /// Whether a checked state ends the machine.
    has_terminal: bool,
}

impl Validation {
    /// A validation that has checked nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks about `budget` more states of `root` (at least one unit of work: a state, or one
    /// of the machine-wide checks); returns whether the whole document is checked.
    ///
    /// Every step must be given the same, unchanged document: the steps keep their place by
    /// position. A caller whose document changed in between starts a new `Validation`.
    pub fn step(&mut self, root: &StateMachine, budget: usize) -> bool {
        if self.next == Next::Done {
            return true;
        }
        let root_ql = root.query_language.unwrap_or(QueryLanguage::JsonPath);
        let mut sink = Sink {
            out: std::mem::take(&mut self.found),
            state: None,
        };
        if self.next == Next::Names {
            let machines = machines_of(root);
            self.declared = declared_names(&machines, Some(&mut sink));
            self.places = machines
                .into_iter()
                .map(|info| Place {
                    path: info.path,
                    pointer: info.pointer,
                    scope: info.scope,
                    ql: info.ql,
                })
                .collect();
            self.next = Next::Machine {
                index: 0,
                states: None,
            };
        }
        let declared = &self.declared;
        let mut left = budget.max(1);
        while left > 0 {
            match self.next {
                Next::Names | Next::Done => break,
                Next::Machine { index, states } => {
                    let next_machine = Next::Machine {
                        index: index + 1,
                        states: None,
                    };
                    let Some(place) = self.places.get(index) else {
                        self.next = Next::Labels;
                        continue;
                    };
                    let Some(info) = place.find(root) else {
                        // Not the document of the first step (see above): nothing to check.
                        self.next = next_machine;
                        continue;
                    };
                    let info = &info;
                    self.next = match states {
                        None => {
                            left -= 1;
                            match check_machine_head(&mut sink, info, declared) {
                                Some(start_ok) => Next::Machine {
                                    index,
                                    states: Some(MachineProgress {
                                        checked: 0,
                                        start_ok,
                                        has_terminal: false,
                                    }),
                                },
                                None => next_machine,
                            }
                        }
                        Some(progress) if progress.checked < info.machine.len() => {
                            let count = left.min(info.machine.len() - progress.checked);
                            left -= count;
                            let terminal = check_machine_states(
                                &mut sink,
                                info,
                                root_ql,
                                declared,
                                (progress.checked, count),
                            );
                            Next::Machine {
                                index,
                                states: Some(MachineProgress {
                                    checked: progress.checked + count,
                                    has_terminal: progress.has_terminal || terminal,
                                    ..progress
                                }),
                            }
                        }
                        Some(progress) => {
                            left -= 1;
                            check_machine_tail(
                                &mut sink,
                                info,
                                progress.has_terminal,
                                progress.start_ok,
                            );
                            next_machine
                        }
                    };
                }
                Next::Labels => {
                    left -= 1;
                    let machines: Vec<_> = self
                        .places
                        .iter()
                        .filter_map(|place| place.find(root))
                        .collect();
                    check_labels_unique(&mut sink, &machines);
                    self.next = Next::Lint;
                }
                Next::Lint => {
                    left -= 1;
                    lint::lint(root, &mut sink.out);
                    self.next = Next::Done;
                }
            }
        }
        self.found = sink.out;
        self.next == Next::Done
    }

    /// Whether the whole document is checked.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.next == Next::Done
    }

    /// What was found (everything, once [`Self::step`] has returned `true`).
    #[must_use]
    pub fn finish(self) -> Vec<Diagnostic> {
        self.found
    }
}
