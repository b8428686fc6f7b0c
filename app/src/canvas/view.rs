//! One frame of the canvas: input (pan, zoom, selection, drags, drops, menus), then painting.

use std::collections::HashMap;

use egui::{Pos2, Rect, Response, Sense, Ui, Vec2, vec2};
use graph_model::{
    ChoiceRule, Command, Condition, MachinePath, QueryLanguage, State, StateMachine, StateType,
    Transition,
};

use super::geometry::{distance_to_polyline, handle_center, polyline_midpoint};
use super::layout::{Endpoint, Layout, MachineBox, Placement};
use super::{CanvasAction, CanvasOverlay, CanvasView, Drag, PaletteDrop};
use crate::selection::{Selection, StateId};
use crate::theme::{METRICS, PANELS};

/// Above this many visible states, states get no widget of their own (no accessibility node):
/// hit-testing alone handles the pointer, and the frame stays cheap.
const NODE_WIDGET_LIMIT: usize = 600;

/// What is under a point of the canvas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hit {
    /// The connect handle under a state.
    Handle(usize),
    /// The draggable end of a selected edge.
    EdgeEnd(usize),
    /// A state.
    Node(usize),
    /// An edge.
    Edge(usize),
    /// Empty space inside a branch or processor frame (machine index).
    Frame(usize),
    /// Empty space of the top level.
    Background,
}

/// The human name of a transition, for accessibility labels and menus.
#[must_use]
pub fn transition_name(transition: Transition) -> String {
    match transition {
        Transition::Next => "Next".to_owned(),
        Transition::Default => "Default".to_owned(),
        Transition::ChoiceRule(i) => format!("Rule {}", i + 1),
        Transition::Catch(i) => format!("Catch {}", i + 1),
    }
}

/// The accessible label of an edge: `A -> B (Next)`.
#[must_use]
pub fn edge_label(layout: &Layout, edge: usize) -> Option<String> {
    let route = layout.edges.get(edge)?;
    let transition = route.transition?;
    let (Endpoint::State(from), Endpoint::State(to)) = (route.from, route.to) else {
        return None;
    };
    Some(format!(
        "{} -> {} ({})",
        layout.nodes[from].id.name,
        layout.nodes[to].id.name,
        transition_name(transition)
    ))
}

impl CanvasView {
    /// What is at a canvas point. `selected_edge` enables that edge's end handle; `handles` lists
    /// the states whose connect handles are showing.
    pub(crate) fn hit(&mut self, p: Pos2, selected_edge: Option<usize>, handles: &[usize]) -> Hit {
        let zoom = self.camera.zoom;
        let reach = METRICS.handle_radius.max(4.0) / zoom;
        if let Some(e) = selected_edge {
            let mut points = std::mem::take(&mut self.scratch);
            self.placement.edge_points(&self.layout, e, &mut points);
            let end = points.last().copied();
            self.scratch = points;
            if end.is_some_and(|end| end.distance(p) <= reach * 1.5) {
                return Hit::EdgeEnd(e);
            }
        }
        for &n in handles {
            if let Some(rect) = self.placement.nodes.get(n)
                && handle_center(*rect).distance(p) <= reach * 1.5
            {
                return Hit::Handle(n);
            }
        }
        // Ordinary states first (deepest machines come last in the list), then edges, then
        // containers: an edge inside a container is over the container.
        let mut container = None;
        for n in (0..self.layout.nodes.len()).rev() {
            if self.placement.nodes[n].contains(p) {
                if self.layout.nodes[n].is_container() {
                    if container.is_none() {
                        container = Some(n);
                    }
                } else {
                    return Hit::Node(n);
                }
            }
        }
        let tolerance = METRICS.edge_hit_distance / zoom;
        let mut points = std::mem::take(&mut self.scratch);
        let mut best: Option<(f32, usize)> = None;
        for e in 0..self.layout.edges.len() {
            if self.layout.edges[e].transition.is_none() {
                continue;
            }
            if !self
                .placement
                .edge_bounds(&self.layout, e)
                .expand(tolerance)
                .contains(p)
            {
                continue;
            }
            self.placement.edge_points(&self.layout, e, &mut points);
            let d = distance_to_polyline(p, &points);
            if d <= tolerance && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, e));
            }
        }
        self.scratch = points;
        if let Some((_, e)) = best {
            return Hit::Edge(e);
        }
        if let Some(n) = container {
            return Hit::Node(n);
        }
        match self.machine_at(p) {
            0 => Hit::Background,
            m => Hit::Frame(m),
        }
    }

    /// The deepest machine whose frame contains a canvas point (0, the top level, when none).
    pub(crate) fn machine_at(&self, p: Pos2) -> usize {
        (1..self.placement.frames.len())
            .rev()
            .find(|&m| self.placement.frames[m].contains(p))
            .unwrap_or(0)
    }

    /// States whose rects intersect a canvas rect, parents before children.
    pub(crate) fn visible_nodes(&self, view: Rect) -> Vec<usize> {
        self.visible(
            view,
            |machine| machine.nodes.clone(),
            |n| self.placement.nodes[n].intersects(view),
        )
    }

    /// Edges whose bounding boxes intersect a canvas rect.
    pub(crate) fn visible_edges(&self, view: Rect) -> Vec<usize> {
        self.visible(
            view,
            |machine| machine.edges.clone(),
            |e| self.placement.edge_bounds(&self.layout, e).intersects(view),
        )
    }

    /// The items (states or edges, by `items` of each machine) that `shows`, skipping whole
    /// machines out of view (a pinned state may stick out of a nested frame only at the top
    /// level, which is never culled as a whole).
    fn visible(
        &self,
        view: Rect,
        items: impl Fn(&MachineBox) -> std::ops::Range<usize>,
        shows: impl Fn(usize) -> bool,
    ) -> Vec<usize> {
        let mut out = Vec::new();
        for (m, machine) in self.layout.machines.iter().enumerate() {
            if m > 0 && !self.placement.frames[m].intersects(view) {
                continue;
            }
            out.extend(items(machine).filter(|&i| shows(i)));
        }
        out
    }

    /// Draws the canvas for a document and handles its input. `revision` changes whenever the
    /// document does (the layout is cached per revision).
    pub fn ui_machine(
        &mut self,
        ui: &mut Ui,
        root: &StateMachine,
        revision: u64,
        selection: &Selection,
        overlay: &CanvasOverlay,
    ) -> Vec<CanvasAction> {
        let mut actions = Vec::new();
        let rect = ui.available_rect_before_wrap();
        let canvas_id = ui.scope_id().with("asl_canvas");
        let background = ui.interact(rect, canvas_id, Sense::click_and_drag());
        // The canvas has the keyboard from the first frame: shortcuts work without a click.
        if !self.focused_once {
            self.focused_once = true;
            background.request_focus();
        }
        ui.advance_cursor_after_rect(rect);
        self.last_rect = Some(rect);
        if self.ensure_layout(root, revision) && self.drag.is_some() {
            self.drag = None;
        }
        if self.slice_progress().is_some() {
            // The next slice runs in the next frame.
            ui.ctx().request_repaint();
        } else if self.is_laying_out() {
            // Look again soon: the worker's layout replaces this one when it lands.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(16));
        }
        self.refit_when_resized(rect);
        if self.pending_fit {
            self.fit();
        }
        self.apply_pending_zoom();

        let origin = rect.min;
        let pointer_screen = ui.input(|i| i.pointer.hover_pos());
        let pointer_inside =
            pointer_screen.filter(|p| rect.contains(*p) && ui.rect_contains_pointer(rect));

        // Zoom and pan with the wheel, trackpad and pinch.
        if let Some(p) = pointer_inside {
            let (scroll, zoom_delta) = ui.input(|i| (i.smooth_scroll_delta, i.zoom_delta()));
            let factor = zoom_delta * (scroll.y * 0.0025).exp();
            if (factor - 1.0).abs() > 1e-4 {
                self.zoom_around(p - origin, factor);
            }
            if scroll.x != 0.0 {
                self.camera.offset.x += scroll.x;
            }
        }
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) && self.drag.is_some() {
            self.drag = None;
            self.placement = Placement::new(&self.layout, &self.pins);
        }

        let camera = self.camera;
        let view = Rect::from_min_max(
            camera.to_canvas(origin, rect.min),
            camera.to_canvas(origin, rect.max),
        );
        let pointer = pointer_inside.map(|p| camera.to_canvas(origin, p));
        self.pointer = pointer;
        let selected_nodes: Vec<usize> = selection
            .states
            .iter()
            .filter_map(|id| self.layout.node_index(id))
            .collect();
        let selected_edge = selection
            .edge
            .as_ref()
            .and_then(|(id, t)| self.find_edge(id, *t));

        // Hover (for highlights and handles): the state under the pointer and the selection show
        // their connect handles.
        let mut handles: Vec<usize> = selected_nodes.clone();
        let hover = match pointer {
            Some(p)
                if self.drag.is_none()
                    || matches!(
                        self.drag,
                        Some(Drag::Connect { .. } | Drag::Retarget { .. })
                    ) =>
            {
                let hit = self.hit(p, selected_edge, &handles);
                if let Hit::Node(n) = hit {
                    handles.push(n);
                }
                hit
            }
            _ => Hit::Background,
        };

        // Widgets: states (and edge midpoints) get their own responses, for accessibility and so
        // that tests can find them by name.
        let readable = METRICS.name_font * camera.zoom >= METRICS.min_readable_font;
        let visible = self.visible_nodes(view);
        let mut sources: Vec<(Hit, Response)> = Vec::new();
        if readable && visible.len() <= NODE_WIDGET_LIMIT {
            for &n in &visible {
                let node = &self.layout.nodes[n];
                let screen = camera.rect_to_screen(origin, self.placement.nodes[n]);
                let response = ui.interact(
                    screen.intersect(rect),
                    canvas_id.with(("state", &node.id)),
                    Sense::click_and_drag(),
                );
                let name = node.id.name.clone();
                response.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, name.clone())
                });
                let response =
                    if response.hovered() && !name_fits(ui, node, self.placement.nodes[n]) {
                        response.on_hover_text(name)
                    } else {
                        response
                    };
                sources.push((Hit::Node(n), response));
            }
            let mut points = std::mem::take(&mut self.scratch);
            for e in self.visible_edges(view) {
                let Some(label) = edge_label(&self.layout, e) else {
                    continue;
                };
                self.placement.edge_points(&self.layout, e, &mut points);
                let Some(mid) = polyline_midpoint(&points) else {
                    continue;
                };
                let center = camera.to_screen(origin, mid);
                if !rect.contains(center) {
                    continue;
                }
                let response = ui.interact(
                    Rect::from_center_size(center, Vec2::splat(10.0)),
                    canvas_id.with(("edge", e)),
                    Sense::click(),
                );
                response.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, label.clone())
                });
                sources.push((Hit::Edge(e), response));
            }
            self.scratch = points;
        }
        sources.push((Hit::Background, background));

        for (own, response) in &sources {
            self.handle_response(
                ui,
                *own,
                response,
                root,
                selection,
                &selected_nodes,
                selected_edge,
                &handles,
                &mut actions,
            );
        }
        self.handle_palette_drop(ui, rect, root, &mut actions);

        let painter = ui.painter_at(rect);
        let theme = crate::theme::Theme::for_dark_mode(ui.visuals().dark_mode);
        let frame = super::paint::Frame {
            painter: &painter,
            theme,
            origin,
            camera,
            view,
            readable,
            selected_nodes: &selected_nodes,
            selected_edge,
            hover,
            handles: &handles,
            overlay,
        };
        self.paint(&frame);
        if readable {
            self.update_labels(&painter, view);
            self.paint_labels(ui, &painter, theme, camera, origin, view);
        }
        self.minimap_ui(ui, rect, theme);
        self.layout_progress_ui(ui, rect);
        actions
    }

    /// While a layout is made a slice per frame (or the app is still opening the document): a
    /// progress bar, in the middle of an empty canvas or at the top over the previous layout.
    fn layout_progress_ui(&self, ui: &mut Ui, rect: Rect) {
        let (progress, text) = match (self.slice_progress(), &self.opening_note) {
            (Some((progress, states)), _) => (
                progress,
                format!("Laying out {states} states… {:.0} %", progress * 100.0),
            ),
            (None, Some(note)) => (0.0, note.clone()),
            (None, None) => return,
        };
        let width = (rect.width() - 32.0).clamp(40.0, 320.0);
        let center = if self.layout.nodes.is_empty() {
            rect.center()
        } else {
            egui::pos2(rect.center().x, rect.top() + 24.0)
        };
        let bar = Rect::from_center_size(center, egui::vec2(width, 20.0));
        ui.put(bar, egui::ProgressBar::new(progress).text(text));
    }

    /// The edge of a transition, if it is drawn.
    pub(crate) fn find_edge(&self, from: &StateId, transition: Transition) -> Option<usize> {
        let n = self.layout.node_index(from)?;
        let machine = &self.layout.machines[self.layout.nodes[n].machine];
        machine.edges.clone().find(|&e| {
            let edge = &self.layout.edges[e];
            edge.from == Endpoint::State(n) && edge.transition == Some(transition)
        })
    }

    #[allow(clippy::too_many_arguments)] // One frame's worth of context, passed once per response.
    fn handle_response(
        &mut self,
        ui: &Ui,
        own: Hit,
        response: &Response,
        root: &StateMachine,
        selection: &Selection,
        selected_nodes: &[usize],
        selected_edge: Option<usize>,
        handles: &[usize],
        actions: &mut Vec<CanvasAction>,
    ) {
        let origin = self.last_rect.map_or(Pos2::ZERO, |r| r.min);
        let camera = self.camera;
        let modifiers = ui.input(|i| i.modifiers);
        let hit_at = |view: &mut Self, screen: Option<Pos2>| -> Hit {
            let hit = match screen {
                Some(p) => view.hit(camera.to_canvas(origin, p), selected_edge, handles),
                None => own,
            };
            // Keyboard or accessibility activation of a widget: no pointer, or the pointer at
            // its margin; the widget itself is what was meant.
            match (hit, own) {
                (Hit::Background | Hit::Frame(_), Hit::Node(_) | Hit::Edge(_)) => own,
                _ => hit,
            }
        };

        if response.clicked() {
            match hit_at(self, response.interact_pointer_pos()) {
                Hit::Node(n) | Hit::Handle(n) => {
                    let id = self.layout.nodes[n].id.clone();
                    if modifiers.shift || modifiers.command {
                        let mut states: Vec<StateId> = selection.states.iter().cloned().collect();
                        if let Some(at) = states.iter().position(|s| *s == id) {
                            states.remove(at);
                        } else {
                            states.push(id);
                        }
                        actions.push(CanvasAction::Select(states));
                    } else {
                        actions.push(CanvasAction::Select(vec![id]));
                    }
                }
                Hit::Edge(e) | Hit::EdgeEnd(e) => {
                    if let Some(action) = self.select_edge_action(e) {
                        actions.push(action);
                    }
                }
                Hit::Frame(_) | Hit::Background => {
                    if !selection.is_empty() {
                        actions.push(CanvasAction::Select(Vec::new()));
                    }
                }
            }
        }
        if response.double_clicked()
            && let Hit::Node(n) = hit_at(self, response.interact_pointer_pos())
        {
            actions.push(CanvasAction::Rename(self.layout.nodes[n].id.clone()));
        }
        if response.secondary_clicked() {
            let hit = hit_at(self, response.interact_pointer_pos());
            self.context_target = Some(hit);
            // Right-clicking an unselected state selects it, as file managers do.
            match hit {
                Hit::Node(n) if !selected_nodes.contains(&n) => {
                    actions.push(CanvasAction::Select(vec![self.layout.nodes[n].id.clone()]));
                }
                Hit::Edge(e) if selected_edge != Some(e) => {
                    if let Some(action) = self.select_edge_action(e) {
                        actions.push(action);
                    }
                }
                _ => {}
            }
        }
        let target = self.context_target;
        response.context_menu(|ui| {
            self.context_menu_ui(ui, target, root, selection, actions);
        });

        if response.drag_started() {
            let press = ui.input(|i| i.pointer.press_origin());
            let middle = response.dragged_by(egui::PointerButton::Middle);
            let hit = hit_at(self, press);
            self.drag = Some(if middle {
                Drag::Pan
            } else {
                match hit {
                    Hit::Handle(n) => Drag::Connect { from: n },
                    Hit::EdgeEnd(e) => Drag::Retarget { edge: e },
                    Hit::Node(n) => {
                        let nodes = if selected_nodes.contains(&n) {
                            selected_nodes.to_vec()
                        } else {
                            actions
                                .push(CanvasAction::Select(vec![self.layout.nodes[n].id.clone()]));
                            vec![n]
                        };
                        Drag::Move {
                            nodes,
                            delta: Vec2::ZERO,
                        }
                    }
                    Hit::Edge(_) | Hit::Frame(_) | Hit::Background if modifiers.shift => {
                        Drag::Lasso {
                            start: camera.to_canvas(origin, press.unwrap_or(origin)),
                            additive: modifiers.command,
                        }
                    }
                    _ => Drag::Pan,
                }
            });
        }
        if response.dragged() {
            let delta = response.drag_delta();
            match &mut self.drag {
                Some(Drag::Pan) => self.camera.offset += delta,
                Some(Drag::Move {
                    nodes,
                    delta: total,
                }) => {
                    *total += delta / camera.zoom;
                    let (nodes, total) = (nodes.clone(), *total);
                    let pins = self.moved_pins(&nodes, total);
                    self.placement = Placement::new(&self.layout, &pins);
                }
                _ => {}
            }
        }
        if response.drag_stopped() {
            let drop_at = response
                .interact_pointer_pos()
                .or(ui.input(|i| i.pointer.latest_pos()))
                .map(|p| camera.to_canvas(origin, p));
            if let Some(drag) = self.drag.take() {
                self.finish_drag(drag, drop_at, root, selection, actions);
            }
        }
    }

    fn select_edge_action(&self, e: usize) -> Option<CanvasAction> {
        let edge = &self.layout.edges[e];
        match (edge.from, edge.transition) {
            (Endpoint::State(from), Some(t)) => Some(CanvasAction::SelectEdge(
                self.layout.nodes[from].id.clone(),
                t,
            )),
            _ => None,
        }
    }

    /// Pins as they would be with `nodes` moved by `delta`.
    fn moved_pins(&self, nodes: &[usize], delta: Vec2) -> HashMap<StateId, Pos2> {
        let mut pins = self.pins.clone();
        for &n in nodes {
            let node = &self.layout.nodes[n];
            let Some(base) = self.base_placement_local(n) else {
                continue;
            };
            pins.insert(node.id.clone(), base + delta);
        }
        pins
    }

    /// A state's top-left corner relative to its frame, with the committed pins.
    fn base_placement_local(&self, n: usize) -> Option<Pos2> {
        let node = self.layout.nodes.get(n)?;
        Some(self.pins.get(&node.id).copied().unwrap_or(node.rect.min))
    }

    fn finish_drag(
        &mut self,
        drag: Drag,
        drop_at: Option<Pos2>,
        root: &StateMachine,
        selection: &Selection,
        actions: &mut Vec<CanvasAction>,
    ) {
        match drag {
            Drag::Pan => {}
            Drag::Lasso { start, additive } => {
                let Some(end) = drop_at else { return };
                let lasso = Rect::from_two_pos(start, end);
                let mut states: Vec<StateId> = if additive {
                    selection.states.iter().cloned().collect()
                } else {
                    Vec::new()
                };
                for n in self.visible_nodes(lasso) {
                    // Only states entirely inside the lasso, so that a container is not picked
                    // up by a lasso drawn inside it.
                    if lasso.contains_rect(self.placement.nodes[n]) {
                        let id = self.layout.nodes[n].id.clone();
                        if !states.contains(&id) {
                            states.push(id);
                        }
                    }
                }
                actions.push(CanvasAction::Select(states));
            }
            Drag::Move { nodes, delta } => {
                if delta.length() < 0.5 {
                    return;
                }
                // One state dropped into another branch or processor moves there.
                if let ([n], Some(p)) = (nodes.as_slice(), drop_at) {
                    let target = self.machine_at(p);
                    let node = &self.layout.nodes[*n];
                    if target != node.machine && !self.machine_inside(target, *n) {
                        actions.push(CanvasAction::Apply(Command::MoveState {
                            from_machine: node.id.machine.clone(),
                            name: node.id.name.clone(),
                            to_machine: self.layout.machines[target].path.clone(),
                            position: None,
                        }));
                        self.placement = Placement::new(&self.layout, &self.pins);
                        return;
                    }
                }
                self.pins = self.moved_pins(&nodes, delta);
                self.placement = Placement::new(&self.layout, &self.pins);
                actions.push(CanvasAction::PositionsChanged);
            }
            Drag::Connect { from } => {
                let Some(p) = drop_at else { return };
                let Some(to) = self.node_at(p) else { return };
                let (source, target) = (&self.layout.nodes[from], &self.layout.nodes[to]);
                if source.machine != target.machine {
                    return;
                }
                let command = match self.new_transition(from) {
                    Some(Transition::ChoiceRule(_)) => Command::AddChoiceRule {
                        machine: source.id.machine.clone(),
                        name: source.id.name.clone(),
                        rule: placeholder_rule(root.query_language, target.id.name.clone()),
                        index: None,
                    },
                    Some(transition) => Command::Connect {
                        machine: source.id.machine.clone(),
                        from: source.id.name.clone(),
                        transition,
                        to: target.id.name.clone(),
                    },
                    None => return,
                };
                actions.push(CanvasAction::Apply(command));
            }
            Drag::Retarget { edge } => {
                let Some(p) = drop_at else { return };
                let Some(to) = self.node_at(p) else { return };
                let route = &self.layout.edges[edge];
                let (Endpoint::State(from), Some(transition)) = (route.from, route.transition)
                else {
                    return;
                };
                let (source, target) = (&self.layout.nodes[from], &self.layout.nodes[to]);
                if source.machine != target.machine || route.to == Endpoint::State(to) {
                    return;
                }
                actions.push(CanvasAction::Apply(Command::Connect {
                    machine: source.id.machine.clone(),
                    from: source.id.name.clone(),
                    transition,
                    to: target.id.name.clone(),
                }));
            }
        }
    }

    /// Whether machine `m` lies inside state `n` (is one of its branches, or nested deeper).
    fn machine_inside(&self, mut m: usize, n: usize) -> bool {
        while let Some(owner) = self.layout.machines.get(m).and_then(|b| b.owner) {
            if owner == n {
                return true;
            }
            m = self.layout.nodes[owner].machine;
        }
        false
    }

    /// The state (not counting the empty parts of containers' frames) at a canvas point.
    fn node_at(&self, p: Pos2) -> Option<usize> {
        let mut container = None;
        for n in (0..self.layout.nodes.len()).rev() {
            if self.placement.nodes[n].contains(p) {
                if !self.layout.nodes[n].is_container() {
                    return Some(n);
                }
                container.get_or_insert(n);
            }
        }
        container
    }

    /// Which transition a new connection from a state creates: `Next` for ordinary states; for a
    /// Choice, `Default` when it has none, else a new rule. Succeed and Fail have none.
    fn new_transition(&self, from: usize) -> Option<Transition> {
        let node = &self.layout.nodes[from];
        match node.state_type {
            Some(StateType::Succeed | StateType::Fail) => None,
            Some(StateType::Choice) => {
                let machine = &self.layout.machines[node.machine];
                let outgoing: Vec<Transition> = machine
                    .edges
                    .clone()
                    .filter(|&e| self.layout.edges[e].from == Endpoint::State(from))
                    .filter_map(|e| self.layout.edges[e].transition)
                    .collect();
                if outgoing.contains(&Transition::Default) {
                    let rules = outgoing
                        .iter()
                        .filter_map(|t| match t {
                            Transition::ChoiceRule(i) => Some(i + 1),
                            _ => None,
                        })
                        .max()
                        .unwrap_or(0);
                    Some(Transition::ChoiceRule(rules.max(node.choice_rules)))
                } else {
                    Some(Transition::Default)
                }
            }
            _ => Some(Transition::Next),
        }
    }

    fn handle_palette_drop(
        &mut self,
        ui: &Ui,
        rect: Rect,
        root: &StateMachine,
        actions: &mut Vec<CanvasAction>,
    ) {
        let ctx = ui.ctx();
        if !egui::DragAndDrop::has_payload_of_type::<PaletteDrop>(ctx) {
            return;
        }
        let Some(p) = ui.input(|i| i.pointer.latest_pos()) else {
            return;
        };
        if !rect.contains(p) || !ui.input(|i| i.pointer.any_released()) {
            return;
        }
        let Some(payload) = egui::DragAndDrop::take_payload::<PaletteDrop>(ctx) else {
            return;
        };
        let point = self.camera.to_canvas(rect.min, p);
        if let Some(action) = self.drop_action(&payload, point, root) {
            actions.push(action);
        }
    }

    /// The edit for a palette item dropped at a canvas point: onto an edge, insert it in the flow;
    /// elsewhere, add it to the machine under the point and pin it there.
    pub(crate) fn drop_action(
        &mut self,
        payload: &PaletteDrop,
        point: Pos2,
        root: &StateMachine,
    ) -> Option<CanvasAction> {
        let hit = self.hit(point, None, &[]);
        let machine_index = match hit {
            Hit::Edge(e) => self.layout.edges[e].machine,
            Hit::Node(n) if self.layout.nodes[n].is_container() => self.machine_at(point),
            Hit::Node(n) => self.layout.nodes[n].machine,
            Hit::Frame(m) => m,
            _ => 0,
        };
        let path: MachinePath = self.layout.machines.get(machine_index)?.path.clone();
        root.machine_at(&path)?;
        let mut state: State = payload.state.clone();
        // Names are unique across the whole document in ASL, nested machines included.
        let base = if state.name.trim().is_empty() {
            state
                .state_type()
                .map_or("State", StateType::as_str)
                .to_owned()
        } else {
            state.name.clone()
        };
        state.name = root.fresh_state_name(&base);
        let edit = match hit {
            Hit::Edge(e) => {
                let route = &self.layout.edges[e];
                let (Endpoint::State(from), Endpoint::State(_), Some(transition)) =
                    (route.from, route.to, route.transition)
                else {
                    return None;
                };
                Command::InsertState {
                    machine: path,
                    state,
                    position: None,
                    after: Some((self.layout.nodes[from].id.name.clone(), transition)),
                }
            }
            _ => {
                let size = vec2(METRICS.node_min_width, METRICS.node_height);
                let frame_origin = self.placement.frames[machine_index].min;
                let pin = point - frame_origin.to_vec2() - size * 0.5;
                self.pins
                    .insert(StateId::new(path.clone(), state.name.clone()), pin);
                Command::AddState {
                    machine: path,
                    state,
                    position: None,
                }
            }
        };
        Some(CanvasAction::Apply(edit))
    }
}

impl CanvasView {
    /// The accessible name of the inline rename field.
    pub const RENAME_FIELD: &'static str = "New name";

    /// Draws the inline rename field over the state's title (panning the state into view first)
    /// and reports when the user is done with it. Call after [`Self::ui`] in the same frame.
    pub fn rename_ui(
        &mut self,
        ui: &Ui,
        rename: &mut super::InlineRename,
    ) -> Option<super::RenameOutcome> {
        let Some(n) = self.layout.node_index(&rename.id) else {
            return Some(super::RenameOutcome::Cancel);
        };
        let canvas = self.last_rect?;
        let mut screen = self
            .camera
            .rect_to_screen(canvas.min, self.placement.nodes[n]);
        if !canvas.contains_rect(screen) {
            // Centre the state so the field is over it, not off the canvas.
            let center = self.placement.nodes[n].center().to_vec2();
            self.camera.offset = canvas.size() * 0.5 - center * self.camera.zoom;
            screen = self
                .camera
                .rect_to_screen(canvas.min, self.placement.nodes[n]);
        }
        let zoom = self.camera.zoom;
        let title = if self.layout.nodes[n].is_container() {
            Rect::from_min_size(
                screen.min,
                vec2(screen.width(), METRICS.container_header * zoom),
            )
        } else {
            screen
        };
        // Readable at any zoom: the field never gets smaller than ordinary text.
        let font = egui::FontId::proportional((METRICS.name_font * zoom).clamp(12.0, 26.0));
        let width = (title.width() - 16.0 * zoom).max(160.0);
        let height = font.size + 8.0;
        let top_left = title.center() - vec2(width, height) * 0.5;
        let theme = crate::theme::Theme::for_dark_mode(ui.visuals().dark_mode);
        let field_id = ui.scope_id().with(("inline_rename", &rename.id));
        let mut outcome = None;
        egui::Area::new(field_id.with("area"))
            .order(egui::Order::Foreground)
            .fixed_pos(top_left)
            .show(ui.ctx(), |ui| {
                ui.set_width(width);
                let output = egui::TextEdit::singleline(&mut rename.text)
                    .id(field_id)
                    .font(font)
                    .desired_width(width)
                    .margin(PANELS.rename_margin)
                    .show(ui);
                let response = output
                    .response
                    .response
                    .clone()
                    .accessible_name(Self::RENAME_FIELD);
                if rename.focus_pending {
                    rename.focus_pending = false;
                    response.request_focus();
                    let mut state = output.state;
                    state
                        .cursor
                        .set_char_range(Some(egui::text::CCursorRange::select_all_str(
                            &rename.text,
                        )));
                    state.store(ui.ctx(), field_id);
                }
                if response.changed() {
                    rename.error = None;
                }
                if let Some(error) = &rename.error {
                    egui::Frame::popup(ui.style())
                        .fill(theme.label_background)
                        .show(ui, |ui| {
                            ui.set_max_width(width.max(PANELS.rename_error_min_width));
                            ui.colored_label(theme.error, error);
                        });
                }
                if response.lost_focus() {
                    outcome = Some(if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                        super::RenameOutcome::Cancel
                    } else {
                        super::RenameOutcome::Commit(rename.text.clone())
                    });
                }
            });
        outcome
    }
}

/// A new Choice rule leading to `next`, with a condition to fill in (a visible placeholder).
fn placeholder_rule(language: Option<QueryLanguage>, next: String) -> ChoiceRule {
    let condition = match language {
        Some(QueryLanguage::Jsonata) => Condition::Jsonata("{% true %}".to_owned()),
        _ => Condition::Comparison {
            variable: Some("$.field".to_owned()),
            operator: graph_model::ComparisonOperator::StringEquals,
            operand: serde_json::Value::String("value".to_owned()),
        },
    };
    ChoiceRule::new(condition, Some(next))
}

/// Whether a state's name fits on one line of its box (else the box wraps or cuts it, and the
/// full name shows on hover).
fn name_fits(ui: &Ui, node: &super::layout::NodeBox, rect: Rect) -> bool {
    let font = egui::FontId::proportional(METRICS.name_font);
    let width = ui.fonts_mut(|fonts| {
        fonts
            .layout_no_wrap(node.id.name.clone(), font, egui::Color32::WHITE)
            .size()
            .x
    });
    // As painted: a Choice's title sits between its insets, a box's after the icon.
    let room = if node.state_type == Some(graph_model::StateType::Choice) {
        rect.width() * (1.0 - 2.0 * super::layout::CHOICE_INSET) - 20.0
    } else {
        rect.width() - 40.0
    };
    width <= room
}
