//! Context menus of states, edges and the background.

use std::collections::BTreeMap;

use egui::Ui;
use graph_model::{Catcher, Command, MachinePath, Retrier, StateMachine, StateType};

use super::layout::Endpoint;
use super::view::{Hit, transition_name};
use super::{CanvasAction, CanvasView};
use crate::selection::{Selection, StateId};

/// Longest list of states offered by "Retarget to".
const RETARGET_MENU_LIMIT: usize = 60;

impl CanvasView {
    pub(crate) fn context_menu_ui(
        &mut self,
        ui: &mut Ui,
        target: Option<Hit>,
        root: &StateMachine,
        selection: &Selection,
        actions: &mut Vec<CanvasAction>,
    ) {
        match target {
            Some(Hit::Node(n) | Hit::Handle(n)) => self.state_menu(ui, n, selection, actions),
            Some(Hit::Edge(e) | Hit::EdgeEnd(e)) => self.edge_menu(ui, e, root, actions),
            _ => {
                if ui.button("Fit to screen").clicked() {
                    self.fit();
                    ui.close();
                }
                if ui.button("Auto layout (forget moved positions)").clicked() {
                    self.relayout();
                    actions.push(CanvasAction::PositionsChanged);
                    ui.close();
                }
            }
        }
    }

    fn state_menu(
        &mut self,
        ui: &mut Ui,
        n: usize,
        selection: &Selection,
        actions: &mut Vec<CanvasAction>,
    ) {
        let Some(node) = self.layout.nodes.get(n) else {
            return;
        };
        let id = node.id.clone();
        let state_type = node.state_type;
        // Acting on the whole selection when the clicked state is part of it.
        let targets: Vec<StateId> = if selection.states.contains(&id) {
            selection.states.iter().cloned().collect()
        } else {
            vec![id.clone()]
        };
        let by_machine = group_by_machine(&targets);
        let single = targets.len() == 1;
        if ui
            .add_enabled(single, egui::Button::new("Rename"))
            .clicked()
        {
            actions.push(CanvasAction::Rename(id.clone()));
            ui.close();
        }
        if ui.button("Properties").clicked() {
            actions.push(CanvasAction::OpenInspector(id.clone()));
            ui.close();
        }
        if ui
            .add_enabled(single, egui::Button::new("Set as start"))
            .clicked()
        {
            actions.push(CanvasAction::Apply(Command::SetStartAt {
                machine: id.machine.clone(),
                name: id.name.clone(),
            }));
            ui.close();
        }
        let can_catch = single
            && matches!(
                state_type,
                Some(StateType::Task | StateType::Parallel | StateType::Map)
            );
        if ui
            .add_enabled(can_catch, egui::Button::new("Add Catch"))
            .clicked()
        {
            actions.push(CanvasAction::Apply(Command::AddCatcher {
                machine: id.machine.clone(),
                name: id.name.clone(),
                catcher: Catcher {
                    error_equals: Some(vec!["States.ALL".to_owned()]),
                    ..Catcher::default()
                },
                index: None,
            }));
            ui.close();
        }
        if ui
            .add_enabled(can_catch, egui::Button::new("Add Retry"))
            .clicked()
        {
            actions.push(CanvasAction::Apply(Command::AddRetrier {
                machine: id.machine.clone(),
                name: id.name.clone(),
                retrier: Retrier::for_errors(&["States.ALL"]),
                index: None,
            }));
            ui.close();
        }
        ui.separator();
        if ui.button("Duplicate").clicked() {
            actions.push(batch(
                "Duplicate",
                by_machine
                    .iter()
                    .map(|(machine, names)| Command::Duplicate {
                        machine: machine.clone(),
                        names: names.clone(),
                    })
                    .collect(),
            ));
            ui.close();
        }
        if ui.button("Copy").clicked() {
            actions.push(CanvasAction::Copy(targets.clone()));
            ui.close();
        }
        if ui.button("Delete").clicked() {
            actions.push(batch(
                "Delete",
                by_machine
                    .into_iter()
                    .map(|(machine, names)| Command::DeleteStates { machine, names })
                    .collect(),
            ));
            ui.close();
        }
    }

    fn edge_menu(
        &mut self,
        ui: &mut Ui,
        e: usize,
        root: &StateMachine,
        actions: &mut Vec<CanvasAction>,
    ) {
        let Some(route) = self.layout.edges.get(e) else {
            return;
        };
        let (Endpoint::State(from), Some(transition)) = (route.from, route.transition) else {
            ui.label("Start and End lines cannot be edited");
            return;
        };
        let source = self.layout.nodes[from].id.clone();
        let current = match route.to {
            Endpoint::State(t) => Some(self.layout.nodes[t].id.name.clone()),
            Endpoint::Marker(_) => None,
        };
        ui.label(format!("{} ({})", source.name, transition_name(transition)));
        if ui.button("Delete").clicked() {
            actions.push(CanvasAction::Apply(Command::Disconnect {
                machine: source.machine.clone(),
                from: source.name.clone(),
                transition,
            }));
            ui.close();
        }
        ui.menu_button("Retarget to", |ui| {
            let Some(machine) = root.machine_at(&source.machine) else {
                return;
            };
            egui::ScrollArea::vertical()
                .max_height(crate::theme::PANELS.popup_list_height)
                .show(ui, |ui| {
                    for name in machine.state_names().take(RETARGET_MENU_LIMIT) {
                        if Some(name) == current.as_deref() {
                            continue;
                        }
                        if ui.button(name).clicked() {
                            actions.push(CanvasAction::Apply(Command::Connect {
                                machine: source.machine.clone(),
                                from: source.name.clone(),
                                transition,
                                to: name.to_owned(),
                            }));
                            ui.close();
                        }
                    }
                    if machine.len() > RETARGET_MENU_LIMIT {
                        ui.label("… drag the edge's end for other states");
                    }
                });
        });
    }
}

fn group_by_machine(ids: &[StateId]) -> Vec<(MachinePath, Vec<String>)> {
    let mut groups: BTreeMap<StateId, Vec<String>> = BTreeMap::new();
    for id in ids {
        // Keyed by the machine (a StateId with an empty name sorts by machine alone).
        groups
            .entry(StateId::new(id.machine.clone(), String::new()))
            .or_default()
            .push(id.name.clone());
    }
    groups
        .into_iter()
        .map(|(key, names)| (key.machine, names))
        .collect()
}

/// One edit as is, several as one undoable batch.
fn batch(label: &str, mut edits: Vec<Command>) -> CanvasAction {
    if edits.len() == 1
        && let Some(edit) = edits.pop()
    {
        return CanvasAction::Apply(edit);
    }
    CanvasAction::Apply(Command::Batch {
        label: label.to_owned(),
        commands: edits,
    })
}
