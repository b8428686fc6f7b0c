//! Nested layout of a whole document: every machine (the top level, each Parallel branch, each Map
//! processor) is laid out on its own with [`super::sugiyama`], innermost first; a Parallel or Map
//! state then becomes one large node of its own machine, sized to hold its branches side by side
//! (or its processor), and the whole thing is flattened into one list of boxes.
//!
//! Coordinates: each node's rect is relative to its machine's frame; a machine's frame sits at an
//! offset inside its owner node (or at the origin for the top level). [`Placement`] turns that into
//! absolute canvas coordinates, applying the positions the user pinned.

use std::collections::HashMap;
use std::ops::Range;

use egui::{Pos2, Rect, Vec2, pos2, vec2};
use graph_model::{MachinePath, StateKind, StateMachine, StateType, Transition};

use super::budget::WorkBudget;
use super::label_text;
use super::sugiyama::{FlatGraph, FlatJob, FlatLayout, PortShape};
use crate::selection::StateId;
use crate::theme::Metrics;

/// Start or End of a machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerKind {
    /// Above the `StartAt` state.
    Start,
    /// Below the states that end the machine.
    End,
}

/// One machine's frame.
#[derive(Clone, Debug)]
pub struct MachineBox {
    /// Where the machine is in the document.
    pub path: MachinePath,
    /// The container state (node index) holding this machine; `None` for the top level.
    pub owner: Option<usize>,
    /// Offset of the frame from the owner's top-left corner.
    pub offset: Vec2,
    /// Frame size.
    pub size: Vec2,
    /// Caption drawn in the frame ("Branch 1"); `None` for the top level and processors.
    pub caption: Option<String>,
    /// This machine's states (indices into [`Layout::nodes`]).
    pub nodes: Range<usize>,
    /// This machine's edges.
    pub edges: Range<usize>,
    /// This machine's markers.
    pub markers: Range<usize>,
    /// Nesting depth (0 = top level).
    pub depth: usize,
}

/// One state's box.
#[derive(Clone, Debug)]
pub struct NodeBox {
    /// The state.
    pub id: StateId,
    /// Index of its machine.
    pub machine: usize,
    /// Rect relative to the machine's frame.
    pub rect: Rect,
    /// The state's type (`None`: missing or unknown).
    pub state_type: Option<StateType>,
    /// The machines this state holds (Parallel branches, Map processor), as indices.
    pub children: Vec<usize>,
    /// Whether this is the machine's `StartAt` state.
    pub is_start: bool,
    /// How many Retry entries the state has (drawn as a badge).
    pub retries: usize,
    /// How many Choice rules the state has (a Choice's next new rule gets this index).
    pub choice_rules: usize,
}

impl NodeBox {
    /// Whether this state is drawn as a container (it has branches or a processor).
    #[must_use]
    pub fn is_container(&self) -> bool {
        !self.children.is_empty()
    }
}

/// A Start or End marker.
#[derive(Clone, Debug)]
pub struct MarkerBox {
    /// Index of its machine.
    pub machine: usize,
    /// Rect relative to the machine's frame.
    pub rect: Rect,
    /// Which marker.
    pub kind: MarkerKind,
}

/// One end of an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A state (node index).
    State(usize),
    /// A marker (marker index).
    Marker(usize),
}

/// One edge and its route.
#[derive(Clone, Debug)]
pub struct EdgeRoute {
    /// Index of its machine.
    pub machine: usize,
    /// Source.
    pub from: Endpoint,
    /// Target.
    pub to: Endpoint,
    /// The transition; `None` for the lines from Start and to End.
    pub transition: Option<Transition>,
    /// Polyline relative to the machine's frame.
    pub points: Vec<Pos2>,
    /// Bounding box of `points`.
    pub bounds: Rect,
    /// Label: a Choice rule's condition, "Default", or a Catch's errors.
    pub label: Option<String>,
}

/// The laid-out document.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Machines, parents before children (index 0 is the top level).
    pub machines: Vec<MachineBox>,
    /// States, grouped by machine in machine order.
    pub nodes: Vec<NodeBox>,
    /// Edges, grouped by machine.
    pub edges: Vec<EdgeRoute>,
    /// Markers, grouped by machine.
    pub markers: Vec<MarkerBox>,
    index: HashMap<StateId, usize>,
}

impl Layout {
    /// The node index of a state.
    #[must_use]
    pub fn node_index(&self, id: &StateId) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Lays out a whole document.
    #[must_use]
    pub fn of(root: &StateMachine, metrics: &Metrics) -> Self {
        Self::of_cached(root, metrics, &mut LayoutCache::default())
    }

    /// Lays out a whole document, reusing the placement of every machine whose graph is the same
    /// as in the previous call with this cache.
    #[must_use]
    pub fn of_cached(root: &StateMachine, metrics: &Metrics, cache: &mut LayoutCache) -> Self {
        let mut job = LayoutJob::new(root, cache);
        loop {
            if let Some(layout) = job.run(root, metrics, &mut WorkBudget::unlimited()) {
                *cache = job.into_cache();
                return layout;
            }
        }
    }
}

/// The placement of each machine of the last layout, with the graph it was computed from.
///
/// Most edits change no box and no transition (a Comment, a Task's parameters, a retry interval,
/// typing in any form), yet the document's revision changes with each; laying out a flat machine
/// of 1,000 states takes longer than a frame, so the designer keeps the machines whose graph (node
/// sizes and shapes, edges) is unchanged and lays out only the others.
#[derive(Debug, Default)]
pub struct LayoutCache {
    machines: HashMap<MachinePath, (FlatGraph, FlatLayout)>,
    reused: usize,
}

impl LayoutCache {
    /// How many machines the last layout took from the cache instead of laying them out.
    #[must_use]
    pub fn reused(&self) -> usize {
        self.reused
    }

    /// Forgets every machine (the next layout computes all of them).
    pub fn clear(&mut self) {
        self.machines.clear();
        self.reused = 0;
    }
}

/// A whole-document layout computed in slices, so that the browser (one thread) never spends
/// more than a frame's share on it: machines innermost first, each machine's graph through a
/// [`FlatJob`]. [`Layout::of_cached`] is this job run to its end at once, so both give
/// the same layout.
#[derive(Debug)]
pub struct LayoutJob {
    /// Every machine, nested ones before the machine holding them (the top level last).
    order: Vec<(MachinePath, usize)>,
    /// Index in `order` of the machine in progress or next.
    next: usize,
    /// The machine in progress.
    current: Option<(Prepared, FlatJob)>,
    /// Machines laid out whose owner is not yet.
    finished: HashMap<MachinePath, Local>,
    /// The cache the job started from, and what it leaves for the next layout.
    previous: HashMap<MachinePath, (FlatGraph, FlatLayout)>,
    kept: HashMap<MachinePath, (FlatGraph, FlatLayout)>,
    reused: usize,
    /// States of all machines, and of the machines done.
    states_total: usize,
    states_done: usize,
    /// The machines laid out, being copied into the document's layout (the last step).
    flattening: Option<Flattening>,
    /// Whether the layout is made (and handed out).
    done: bool,
}

/// The share of [`LayoutJob::progress`] that copying the machines into one list takes.
const FLATTEN_SHARE: f32 = 0.03;

impl LayoutJob {
    /// A job laying out `root`, starting from (and emptying) `cache`. Every later call of
    /// [`Self::run`] must pass the same document.
    #[must_use]
    pub fn new(root: &StateMachine, cache: &mut LayoutCache) -> Self {
        let mut order = Vec::new();
        machines_innermost_first(root, MachinePath::root(), &mut order);
        let states_total = order.iter().map(|(_, states)| states).sum();
        Self {
            order,
            next: 0,
            current: None,
            finished: HashMap::new(),
            previous: std::mem::take(&mut cache.machines),
            kept: HashMap::new(),
            reused: 0,
            states_total,
            states_done: 0,
            flattening: None,
            done: false,
        }
    }

    /// Works on the layout of `root` until it is done (`Some`) or the budget is spent.
    pub fn run(
        &mut self,
        root: &StateMachine,
        m: &Metrics,
        budget: &mut WorkBudget,
    ) -> Option<Layout> {
        loop {
            if let Some((_, flat_job)) = &mut self.current {
                // Placing the machine's boxes and routes in the document is a step of its own:
                // it starts in a fresh slice when the flat layout used this one up.
                if !flat_job.run(m, budget) || !budget.checkpoint() {
                    return None;
                }
                if let Some((mut prepared, flat_job)) = self.current.take() {
                    let (graph, flat) = flat_job.into_parts();
                    prepared.graph = graph;
                    self.machine_done(prepared, flat.unwrap_or_default(), m);
                }
                // The clock, not only the units: placing a big machine can use up the slice, and
                // the next step (another machine, or flattening the whole document) is uncut.
                if !budget.checkpoint() {
                    return None;
                }
                continue;
            }
            if let Some(flattening) = &mut self.flattening {
                let layout = flattening.run(budget);
                self.done = layout.is_some();
                return layout;
            }
            let Some((path, _)) = self.order.get(self.next) else {
                let top = self
                    .finished
                    .remove(&MachinePath::root())
                    .unwrap_or_else(|| Local::empty(MachinePath::root()));
                self.flattening = Some(Flattening::new(top, self.states_total));
                continue;
            };
            let path = path.clone();
            let Some(machine) = root.machine_at(&path) else {
                // Only if the caller broke the contract (another document): lay out nothing.
                self.finished.insert(path.clone(), Local::empty(path));
                self.next += 1;
                continue;
            };
            let mut prepared = prepare(machine, &path, m, &mut self.finished);
            let spent = !budget.spend(prepared.nodes.len() as u64 + 1) || !budget.checkpoint();
            match self.previous.remove(&path) {
                Some((previous_graph, previous_flat)) if previous_graph == prepared.graph => {
                    self.reused += 1;
                    self.machine_done(prepared, previous_flat, m);
                }
                _ => {
                    let graph = std::mem::take(&mut prepared.graph);
                    self.current = Some((prepared, FlatJob::new(graph)));
                }
            }
            if spent {
                return None;
            }
        }
    }

    fn machine_done(&mut self, prepared: Prepared, flat: FlatLayout, m: &Metrics) {
        let Some((path, states)) = self.order.get(self.next).cloned() else {
            return;
        };
        let (local, graph) = complete(prepared, &flat, &path, m);
        self.kept.insert(path.clone(), (graph, flat));
        self.finished.insert(path, local);
        self.states_done += states;
        self.next += 1;
    }

    /// How far the job is, from 0 to 1 (by states, the machine in progress by its own estimate).
    #[must_use]
    /// Placing the machines is all of it but the last [`FLATTEN_SHARE`], and 1 means done.
    pub fn progress(&self) -> f32 {
        if self.done {
            return 1.0;
        }
        let current = match (&self.current, self.order.get(self.next)) {
            (Some((_, flat_job)), Some((_, states))) => flat_job.progress() * *states as f32,
            _ => 0.0,
        };
        let total = self.states_total.max(1) as f32;
        let placed = ((self.states_done as f32 + current) / total).clamp(0.0, 1.0);
        let copied = self
            .flattening
            .as_ref()
            .map_or(0.0, |f| (f.layout.nodes.len() as f32 / total).min(1.0));
        (placed * (1.0 - FLATTEN_SHARE) + copied * FLATTEN_SHARE).min(1.0 - f32::EPSILON)
    }

    /// How many states the document has, nested ones included.
    #[must_use]
    pub fn states(&self) -> usize {
        self.states_total
    }

    /// The cache for the next layout: each machine's placement from this one.
    #[must_use]
    pub fn into_cache(self) -> LayoutCache {
        LayoutCache {
            machines: self.kept,
            reused: self.reused,
        }
    }
}

/// Every machine of `machine` (itself included) with its number of states, each nested machine
/// before the machine holding it, in the order the one-shot recursion would lay them out.
fn machines_innermost_first(
    machine: &StateMachine,
    path: MachinePath,
    out: &mut Vec<(MachinePath, usize)>,
) {
    for state in machine.states() {
        match &state.kind {
            StateKind::Parallel(p) => {
                for (b, branch) in p.branches.iter().flatten().enumerate() {
                    machines_innermost_first(branch, path.branch(&state.name, b), out);
                }
            }
            StateKind::Map(map) => {
                if let Some(processor) = &map.processor {
                    machines_innermost_first(processor, path.processor(&state.name), out);
                }
            }
            _ => {}
        }
    }
    out.push((path, machine.len()));
}

/// A machine laid out in its own coordinates, before flattening.
#[derive(Debug)]
struct Local {
    path: MachinePath,
    size: Vec2,
    caption: Option<String>,
    nodes: Vec<LocalNode>,
    markers: Vec<(Rect, MarkerKind)>,
    edges: Vec<LocalEdge>,
}

#[derive(Debug)]
struct LocalNode {
    name: String,
    rect: Rect,
    state_type: Option<StateType>,
    is_start: bool,
    retries: usize,
    choice_rules: usize,
    /// Nested machines with their offsets inside this node.
    children: Vec<(Vec2, Local)>,
}

#[derive(Debug)]
struct LocalEdge {
    from: Endpoint,
    to: Endpoint,
    transition: Option<Transition>,
    points: Vec<Pos2>,
    label: Option<String>,
}

/// Width of a state name, estimated without fonts.
fn name_width(name: &str, m: &Metrics) -> f32 {
    name.chars().count() as f32 * m.char_width
}

/// Width of an ordinary state box for a name, estimated without fonts.
fn box_width(name: &str, m: &Metrics) -> f32 {
    // Icon and padding take about 52 points.
    (name_width(name, m) + 52.0).clamp(m.node_min_width, m.node_max_width)
}

/// The extra height of a box whose name wraps to a second line.
fn second_line(m: &Metrics) -> f32 {
    (m.name_font * 1.3).round()
}

/// An ordinary state box: as wide as its name up to the widest box, then a line taller so the
/// name wraps to two lines rather than being cut.
fn box_size(name: &str, m: &Metrics) -> Vec2 {
    let needed = name_width(name, m) + 52.0;
    let height = if needed > m.node_max_width {
        m.node_height + second_line(m)
    } else {
        m.node_height
    };
    vec2(box_width(name, m), height)
}

/// A Choice diamond: its name sits between insets of [`CHOICE_INSET`] of the width on each side,
/// after the icon, so the diamond grows faster than the name; past 1.5 times the widest box the
/// name wraps to a second line.
fn choice_size(name: &str, m: &Metrics) -> Vec2 {
    let needed = (name_width(name, m) + 32.0) / (1.0 - 2.0 * CHOICE_INSET);
    let widest = m.node_max_width * 1.5;
    let height = if needed > widest {
        m.choice_size.y + second_line(m)
    } else {
        m.choice_size.y
    };
    vec2(needed.clamp(m.choice_size.x, widest), height)
}

/// The share of a Choice diamond's width left empty on each side of its title.
pub const CHOICE_INSET: f32 = 0.22;

/// One machine's graph for the layered layout, with what its boxes and edges carry besides.
#[derive(Debug)]
struct Prepared {
    graph: FlatGraph,
    nodes: Vec<LocalNode>,
    edge_meta: Vec<(Endpoint, Endpoint, Option<Transition>, Option<String>)>,
}

/// Builds one machine's graph. Its nested machines are laid out already: they are taken out of
/// `finished` (by path).
fn prepare(
    machine: &StateMachine,
    path: &MachinePath,
    m: &Metrics,
    finished: &mut HashMap<MachinePath, Local>,
) -> Prepared {
    // States first (document order), then Start and End markers.
    let names: Vec<&str> = machine.state_names().collect();
    let by_name: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let count = names.len();
    let start_marker = count;
    let end_marker = count + 1;
    let mut graph = FlatGraph {
        sizes: Vec::with_capacity(count + 2),
        shapes: Vec::with_capacity(count + 2),
        edges: Vec::new(),
        start: Some(start_marker),
        end: Some(end_marker),
    };
    let mut nodes = Vec::with_capacity(count);
    let mut edge_meta: Vec<(Endpoint, Endpoint, Option<Transition>, Option<String>)> = Vec::new();
    let mut take = |child: MachinePath| {
        finished
            .remove(&child)
            .unwrap_or_else(|| Local::empty(child))
    };
    for (i, state) in machine.states().enumerate() {
        let state_type = state.state_type();
        let mut children = Vec::new();
        let size = match &state.kind {
            StateKind::Parallel(p) => {
                let branches: Vec<Local> = p
                    .branches
                    .iter()
                    .flatten()
                    .enumerate()
                    .map(|(b, _)| {
                        let mut local = take(path.branch(&state.name, b));
                        local.caption = Some(format!("Branch {}", b + 1));
                        local
                    })
                    .collect();
                container(&state.name, branches, m, &mut children)
            }
            StateKind::Map(map) => {
                let processor: Vec<Local> = map
                    .processor
                    .iter()
                    .map(|_| take(path.processor(&state.name)))
                    .collect();
                container(&state.name, processor, m, &mut children)
            }
            StateKind::Choice(_) => choice_size(&state.name, m),
            _ => box_size(&state.name, m),
        };
        graph.sizes.push(size);
        graph.shapes.push(if state_type == Some(StateType::Choice) {
            PortShape::Diamond
        } else {
            PortShape::Box
        });
        nodes.push(LocalNode {
            name: state.name.clone(),
            rect: Rect::from_min_size(Pos2::ZERO, size),
            state_type,
            is_start: machine.start_at.as_deref() == Some(state.name.as_str()),
            retries: state.retry.as_ref().map_or(0, Vec::len),
            choice_rules: match &state.kind {
                StateKind::Choice(c) => c.choices.as_ref().map_or(0, Vec::len),
                _ => 0,
            },
            children,
        });
        for (transition, target) in state.transitions() {
            let Some(&to) = by_name.get(target) else {
                continue;
            };
            let label = match transition {
                Transition::Next => None,
                Transition::Default => Some("Default".to_owned()),
                Transition::ChoiceRule(r) => match &state.kind {
                    StateKind::Choice(c) => c
                        .choices
                        .as_ref()
                        .and_then(|rules| rules.get(r))
                        .map(label_text::rule_label),
                    _ => None,
                },
                Transition::Catch(c) => Some(label_text::catch_label(
                    state
                        .catch
                        .as_ref()
                        .and_then(|list| list.get(c))
                        .and_then(|c| c.error_equals.as_ref()),
                )),
            };
            graph.edges.push((i, to));
            edge_meta.push((
                Endpoint::State(i),
                Endpoint::State(to),
                Some(transition),
                label,
            ));
        }
        let ends = state.end == Some(true)
            || matches!(state_type, Some(StateType::Succeed) | Some(StateType::Fail));
        if ends {
            graph.edges.push((i, end_marker));
            edge_meta.push((Endpoint::State(i), Endpoint::Marker(1), None, None));
        }
    }
    graph.sizes.push(m.marker_size);
    graph.shapes.push(PortShape::Box);
    graph.sizes.push(m.marker_size);
    graph.shapes.push(PortShape::Box);
    if let Some(&start) = machine.start_at.as_deref().and_then(|s| by_name.get(s)) {
        graph.edges.push((start_marker, start));
        edge_meta.push((Endpoint::Marker(0), Endpoint::State(start), None, None));
    }
    Prepared {
        graph,
        nodes,
        edge_meta,
    }
}

/// A machine in its own coordinates from its graph's layout.
fn complete(
    prepared: Prepared,
    flat: &FlatLayout,
    path: &MachinePath,
    m: &Metrics,
) -> (Local, FlatGraph) {
    let Prepared {
        graph,
        mut nodes,
        edge_meta,
    } = prepared;
    let count = nodes.len();
    let (start_marker, end_marker) = (count, count + 1);
    for (i, node) in nodes.iter_mut().enumerate() {
        node.rect = Rect::from_min_size(flat.positions[i], graph.sizes[i]);
    }
    let markers = vec![
        (
            Rect::from_min_size(flat.positions[start_marker], m.marker_size),
            MarkerKind::Start,
        ),
        (
            Rect::from_min_size(flat.positions[end_marker], m.marker_size),
            MarkerKind::End,
        ),
    ];
    let edges = edge_meta
        .into_iter()
        .zip(flat.routes.iter().cloned())
        .map(|((from, to, transition, label), points)| LocalEdge {
            from,
            to,
            transition,
            points,
            label,
        })
        .collect();
    let local = Local {
        path: path.clone(),
        size: flat.size,
        caption: None,
        nodes,
        markers,
        edges,
    };
    (local, graph)
}

impl Local {
    /// A machine with nothing in it (a path the document does not have).
    fn empty(path: MachinePath) -> Self {
        Self {
            path,
            size: Vec2::ZERO,
            caption: None,
            nodes: Vec::new(),
            markers: Vec::new(),
            edges: Vec::new(),
        }
    }
}

/// Sizes a container state around its nested machines (side by side) and records their offsets.
fn container(
    name: &str,
    machines: Vec<Local>,
    m: &Metrics,
    children: &mut Vec<(Vec2, Local)>,
) -> Vec2 {
    let min_width = box_width(name, m) + 2.0 * m.container_padding;
    if machines.is_empty() {
        return vec2(min_width, m.container_header + m.node_height);
    }
    let mut x = m.container_padding;
    let mut height: f32 = 0.0;
    let top = m.container_header;
    for local in machines {
        height = height.max(local.size.y);
        let width = local.size.x;
        children.push((vec2(x, top), local));
        x += width + m.branch_gap;
    }
    let width = (x - m.branch_gap + m.container_padding).max(min_width);
    // Frames of one container share the tallest one's height, so branches line up.
    for (_, local) in children.iter_mut() {
        local.size.y = height;
    }
    vec2(width, top + height + m.container_padding)
}

/// Units of work booked for copying one state or edge into the flat layout: more than a node
/// visit of the graph layout (an id is cloned and hashed, a route's bounds measured).
const FLATTEN_UNITS_PER_ITEM: u64 = 8;

/// The nested machines copied into one list of boxes, breadth first, a state or an edge at a
/// time: for a document of thousands of states this is a frame's work of its own (17 ms for
/// 1,500 nested states in the browser before it was cut).
#[derive(Debug)]
struct Flattening {
    layout: Layout,
    /// Machines still to copy: (local, owner node index, offset, depth).
    queue: std::collections::VecDeque<(Local, Option<usize>, Vec2, usize)>,
    current: Option<FlatteningMachine>,
}

/// The machine being copied.
#[derive(Debug)]
struct FlatteningMachine {
    frame: MachineBox,
    nodes: std::vec::IntoIter<LocalNode>,
    markers: Vec<(Rect, MarkerKind)>,
    edges: std::vec::IntoIter<LocalEdge>,
    children: Vec<(Local, Option<usize>, Vec2, usize)>,
}

impl Flattening {
    /// Room for `states` states is made at once, so the lists never grow (and copy) in a step.
    fn new(root: Local, states: usize) -> Self {
        let mut layout = Layout::default();
        layout.nodes.reserve(states);
        layout.index.reserve(states);
        let mut queue = std::collections::VecDeque::new();
        queue.push_back((root, None, Vec2::ZERO, 0));
        Self {
            layout,
            queue,
            current: None,
        }
    }

    /// Copies until the layout is done (`Some`) or the budget is spent.
    fn run(&mut self, budget: &mut WorkBudget) -> Option<Layout> {
        loop {
            let Some(current) = &mut self.current else {
                let Some((local, owner, offset, depth)) = self.queue.pop_front() else {
                    return Some(self.finish());
                };
                let layout = &self.layout;
                self.current = Some(FlatteningMachine {
                    frame: MachineBox {
                        path: local.path,
                        owner,
                        offset,
                        size: local.size,
                        caption: local.caption,
                        nodes: layout.nodes.len()..layout.nodes.len(),
                        edges: layout.edges.len()..layout.edges.len(),
                        markers: layout.markers.len()..layout.markers.len(),
                        depth,
                    },
                    nodes: local.nodes.into_iter(),
                    markers: local.markers,
                    edges: local.edges.into_iter(),
                    children: Vec::new(),
                });
                continue;
            };
            let layout = &mut self.layout;
            let machine = layout.machines.len();
            if let Some(node) = current.nodes.next() {
                let index = layout.nodes.len();
                let id = StateId {
                    machine: current.frame.path.clone(),
                    name: node.name,
                };
                layout.index.insert(id.clone(), index);
                layout.nodes.push(NodeBox {
                    id,
                    machine,
                    rect: node.rect,
                    state_type: node.state_type,
                    children: Vec::new(),
                    is_start: node.is_start,
                    retries: node.retries,
                    choice_rules: node.choice_rules,
                });
                for (child_offset, child) in node.children {
                    let depth = current.frame.depth + 1;
                    current
                        .children
                        .push((child, Some(index), child_offset, depth));
                }
                if !budget.spend(FLATTEN_UNITS_PER_ITEM) {
                    return None;
                }
                continue;
            }
            if !current.markers.is_empty() {
                current.frame.nodes.end = layout.nodes.len();
                for (rect, kind) in current.markers.drain(..) {
                    layout.markers.push(MarkerBox {
                        machine,
                        rect,
                        kind,
                    });
                }
                current.frame.markers.end = layout.markers.len();
            }
            if let Some(edge) = current.edges.next() {
                let (nodes_start, markers_start) =
                    (current.frame.nodes.start, current.frame.markers.start);
                let shift = |e: Endpoint| match e {
                    Endpoint::State(i) => Endpoint::State(nodes_start + i),
                    Endpoint::Marker(i) => Endpoint::Marker(markers_start + i),
                };
                let bounds = bounds_of(&edge.points);
                let units = FLATTEN_UNITS_PER_ITEM + edge.points.len() as u64;
                layout.edges.push(EdgeRoute {
                    machine,
                    from: shift(edge.from),
                    to: shift(edge.to),
                    transition: edge.transition,
                    points: edge.points,
                    bounds,
                    label: edge.label,
                });
                if !budget.spend(units) {
                    return None;
                }
                continue;
            }
            if let Some(mut done) = self.current.take() {
                done.frame.nodes.end = layout.nodes.len();
                done.frame.markers.end = layout.markers.len();
                done.frame.edges.end = layout.edges.len();
                layout.machines.push(done.frame);
                self.queue.extend(done.children);
            }
        }
    }

    fn finish(&mut self) -> Layout {
        let mut layout = std::mem::take(&mut self.layout);
        // Children machine indices are known only now: machines were numbered in queue order.
        for machine in 1..layout.machines.len() {
            if let Some(owner) = layout.machines[machine].owner {
                layout.nodes[owner].children.push(machine);
            }
        }
        layout
    }
}

/// Bounding box of a polyline.
#[must_use]
pub fn bounds_of(points: &[Pos2]) -> Rect {
    let mut rect = Rect::NOTHING;
    for &p in points {
        rect.extend_with(p);
    }
    rect
}

/// Absolute canvas positions of everything, with the user's pinned positions applied.
#[derive(Clone, Debug)]
pub struct Placement {
    /// Absolute frame rect of each machine.
    pub frames: Vec<Rect>,
    /// Absolute rect of each state.
    pub nodes: Vec<Rect>,
    /// Absolute rect of each marker.
    pub markers: Vec<Rect>,
    /// Edges whose routes no longer fit (an end was moved): drawn as a straight connector.
    pub straight: Vec<bool>,
    /// Bounding box of the whole drawing.
    pub bounds: Rect,
}

impl Default for Placement {
    fn default() -> Self {
        Self {
            frames: Vec::new(),
            nodes: Vec::new(),
            markers: Vec::new(),
            straight: Vec::new(),
            bounds: Rect::ZERO,
        }
    }
}

impl Placement {
    /// Places the layout. `pins` maps a state to its top-left corner relative to its machine's
    /// frame. A pinned state inside a container is kept inside its frame.
    #[must_use]
    pub fn new(layout: &Layout, pins: &HashMap<StateId, Pos2>) -> Self {
        let mut frames = Vec::with_capacity(layout.machines.len());
        let mut nodes = vec![Rect::NOTHING; layout.nodes.len()];
        let mut moved = vec![false; layout.nodes.len()];
        let mut markers = vec![Rect::NOTHING; layout.markers.len()];
        for (index, machine) in layout.machines.iter().enumerate() {
            let origin = match machine.owner {
                Some(owner) => nodes[owner].min + machine.offset,
                None => Pos2::ZERO,
            };
            let frame = Rect::from_min_size(origin, machine.size);
            frames.push(frame);
            for n in machine.nodes.clone() {
                let node = &layout.nodes[n];
                let local = match pins.get(&node.id) {
                    Some(&pin) => {
                        moved[n] = pin != node.rect.min;
                        if index == 0 {
                            pin
                        } else {
                            let max = (machine.size - node.rect.size()).max(Vec2::ZERO);
                            pos2(pin.x.clamp(0.0, max.x), pin.y.clamp(0.0, max.y))
                        }
                    }
                    None => node.rect.min,
                };
                nodes[n] = Rect::from_min_size(origin + local.to_vec2(), node.rect.size());
            }
            for k in machine.markers.clone() {
                markers[k] = layout.markers[k].rect.translate(origin.to_vec2());
            }
        }
        let straight = layout
            .edges
            .iter()
            .map(|e| {
                let touched = |end: Endpoint| matches!(end, Endpoint::State(n) if moved[n]);
                touched(e.from) || touched(e.to)
            })
            .collect();
        let mut bounds = frames.first().copied().unwrap_or(Rect::ZERO);
        for r in nodes.iter().chain(&markers) {
            bounds = bounds.union(*r);
        }
        Self {
            frames,
            nodes,
            markers,
            straight,
            bounds,
        }
    }

    /// Absolute rect of an edge endpoint.
    #[must_use]
    pub fn endpoint_rect(&self, end: Endpoint) -> Rect {
        match end {
            Endpoint::State(n) => self.nodes.get(n).copied().unwrap_or(Rect::NOTHING),
            Endpoint::Marker(k) => self.markers.get(k).copied().unwrap_or(Rect::NOTHING),
        }
    }

    /// Absolute polyline of an edge (a straight connector if one of its ends was moved).
    pub fn edge_points(&self, layout: &Layout, edge: usize, out: &mut Vec<Pos2>) {
        out.clear();
        let Some(route) = layout.edges.get(edge) else {
            return;
        };
        if self.straight.get(edge).copied().unwrap_or(false) {
            let from = self.endpoint_rect(route.from);
            let to = self.endpoint_rect(route.to);
            let start = pos2(from.center().x, from.bottom());
            let end = pos2(to.center().x, to.top());
            if end.y > start.y + 8.0 {
                let mid = (start.y + end.y) * 0.5;
                out.extend([start, pos2(start.x, mid), pos2(end.x, mid), end]);
            } else {
                out.extend([start, end]);
            }
            return;
        }
        let origin = self.frames[route.machine].min.to_vec2();
        out.extend(route.points.iter().map(|p| *p + origin));
    }

    /// Absolute bounding box of an edge.
    #[must_use]
    pub fn edge_bounds(&self, layout: &Layout, edge: usize) -> Rect {
        let Some(route) = layout.edges.get(edge) else {
            return Rect::NOTHING;
        };
        if self.straight.get(edge).copied().unwrap_or(false) {
            self.endpoint_rect(route.from)
                .union(self.endpoint_rect(route.to))
        } else {
            route
                .bounds
                .translate(self.frames[route.machine].min.to_vec2())
        }
    }
}
