//! Layered (Sugiyama) layout of one flat graph: nodes with sizes, directed edges, one start node.
//!
//! Steps: break cycles by a depth-first search from the start (back edges are reversed), assign
//! layers by longest path, carry every downward edge through the layers it spans on dummy nodes,
//! order each layer by barycenter sweeps (keeping the order with the fewest crossings), place nodes
//! horizontally by isotonic regression (pool-adjacent-violators, which keeps the order and the
//! minimum gaps while pulling each node towards its neighbours), and route edges orthogonally.
//! Long edges into the same target share one bundle of dummies, which keeps the graph of dummies
//! small (a Catch from each of 1,000 states to one Fail state needs one chain, not half a million
//! dummies) and costs no crossings, since edges with a common end never cross each other. Edges
//! going up, and long edges beyond a dummy budget, run in lanes at the sides of the drawing.
//!
//! Every step is linear or `n log n` in nodes plus edges, and deterministic (no hash iteration).

mod finish;

use egui::{Pos2, Vec2, pos2, vec2};

use super::budget::WorkBudget;
use crate::theme::Metrics;
use finish::Finishing;

/// Longest edge (in layers) that is always drawn through the layers, even when the dummy budget
/// is spent; longer ones then run in a side lane.
const MAX_CHAIN_SPAN: usize = 6;
/// Dummies allowed per real node (plus [`DUMMY_BUDGET_BASE`]) before the longest bundles are cut
/// back to [`MAX_CHAIN_SPAN`]: keeps the proper graph linear in the input.
const DUMMY_BUDGET_PER_NODE: usize = 32;
/// Dummies always allowed.
const DUMMY_BUDGET_BASE: usize = 256;
/// Most barycenter sweeps (each one down then up); the order with the fewest crossings is kept.
const ORDER_SWEEPS: usize = 12;
/// Sweeps without a better order after which the search stops.
const ORDER_PATIENCE: usize = 3;
/// Coordinate-assignment passes (each one down then up).
const PLACE_PASSES: usize = 4;

/// The shape of a node as far as edge ports go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortShape {
    /// Edges leave and enter through the flat bottom and top.
    Box,
    /// Edges leave through the lower half of a diamond and enter through its upper half.
    Diamond,
}

/// The input: node sizes and shapes, edges as (from, to), and where the flow starts.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FlatGraph {
    /// Node sizes.
    pub sizes: Vec<Vec2>,
    /// Node port shapes (same length as `sizes`).
    pub shapes: Vec<PortShape>,
    /// Directed edges.
    pub edges: Vec<(usize, usize)>,
    /// The node the depth-first search starts from (the Start marker).
    pub start: Option<usize>,
    /// A node that must sit alone on the last layer (the End marker).
    pub end: Option<usize>,
}

/// The output: node top-left corners, one polyline per input edge, and the total size. Every
/// coordinate is non-negative and inside `size` (padding included).
#[derive(Debug, Default, Clone)]
pub struct FlatLayout {
    /// Top-left corner of each node.
    pub positions: Vec<Pos2>,
    /// Route of each edge, from a port of its source to a port of its target.
    pub routes: Vec<Vec<Pos2>>,
    /// Width and height of the whole drawing.
    pub size: Vec2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// Through consecutive layers: directly to the next layer (`bundle` is `None`), or joining the
    /// target's bundle of dummies `skip` dummies below its top.
    Chain {
        /// Index into the bundles.
        bundle: Option<usize>,
        /// Dummies of the bundle above the one this edge joins.
        skip: usize,
    },
    /// Right-hand lane (long downward edge).
    RightLane,
    /// Left-hand lane (upward edge or self-loop).
    LeftLane,
}

/// Lays out a flat graph at once.
#[cfg(test)]
#[must_use]
pub fn layout(graph: &FlatGraph, m: &Metrics) -> FlatLayout {
    let mut job = FlatJob::new(graph.clone());
    job.run(m, &mut WorkBudget::unlimited());
    job.into_result().unwrap_or_default()
}

/// A flat layout computed in slices ([`FlatJob::run`] until it returns true): the steps are the
/// same however the work is cut, only paused between layers, so the result is too.
#[derive(Debug)]
pub struct FlatJob {
    graph: FlatGraph,
    state: JobState,
}

#[derive(Debug)]
enum JobState {
    Setup,
    /// Cycles broken and layers assigned; dummies and the first order next.
    Layered(Box<Layered>),
    /// Dummies, routes and the first order being made.
    SettingUp(Box<Setup>),
    Running(Box<Work>),
    /// Heights, lanes and routes being made.
    Finishing(Box<Work>, Box<Finishing>),
    Done(FlatLayout),
}

/// Where a running job is: each stage works on one layer (or one pair of layers) at a time.
#[derive(Clone, Copy, Debug)]
enum Stage {
    /// Counting crossings between layers `l` and `l + 1`; `initial` for the count before the
    /// first sweep.
    Count { l: usize, total: u64, initial: bool },
    /// Ordering layer `l` by its neighbours above (the downward half of a sweep).
    OrderDown { l: usize },
    /// Ordering layer `next - 1` by its neighbours below (the upward half).
    OrderUp { next: usize },
    /// First horizontal placement, every layer centred.
    PlaceStart,
    /// Placing layer `l` by its neighbours above.
    PlaceDown { pass: usize, l: usize },
    /// Placing layer `next - 1` by its neighbours below.
    PlaceUp { pass: usize, next: usize },
    /// Heights, lanes and routes.
    Finish,
}

/// The state of a running job between slices.
#[derive(Debug)]
struct Work {
    n: usize,
    out_edges: Vec<Vec<usize>>,
    layer: Vec<usize>,
    node_layer: Vec<usize>,
    widths: Vec<f32>,
    bundles: Vec<(usize, Vec<usize>)>,
    routes_kind: Vec<Option<Route>>,
    layer_count: usize,
    down: Adjacency,
    up: Adjacency,
    layers: Vec<Vec<usize>>,
    position: Vec<usize>,
    best_crossings: u64,
    best_layers: Vec<Vec<usize>>,
    stale: usize,
    sweep: usize,
    keyed: Vec<(f32, usize, usize)>,
    pairs: Vec<(usize, usize)>,
    tree: Vec<u32>,
    x: Vec<f32>,
    place: PlaceScratch,
    stage: Stage,
}

impl FlatJob {
    /// A job for `graph`; nothing is computed yet.
    #[must_use]
    pub fn new(graph: FlatGraph) -> Self {
        Self {
            graph,
            state: JobState::Setup,
        }
    }

    /// Works until the layout is done (true) or the budget is spent (false).
    pub fn run(&mut self, m: &Metrics, budget: &mut WorkBudget) -> bool {
        loop {
            match &mut self.state {
                JobState::Done(_) => return true,
                JobState::Setup => {
                    let units = (self.graph.sizes.len() + self.graph.edges.len()) as u64;
                    self.state = match layering(&self.graph, m) {
                        Ok(layered) => JobState::Layered(Box::new(layered)),
                        Err(empty) => JobState::Done(empty),
                    };
                    if !budget.spend(units) || !budget.checkpoint() {
                        return matches!(self.state, JobState::Done(_));
                    }
                }
                JobState::Layered(layered) => {
                    let units = (self.graph.sizes.len() + self.graph.edges.len()) as u64;
                    let layered = std::mem::take(&mut **layered);
                    self.state = JobState::SettingUp(Box::new(Setup::new(&self.graph, layered)));
                    if !budget.spend(units) || !budget.checkpoint() {
                        return false;
                    }
                }
                JobState::SettingUp(setup) => match setup.run(&self.graph, budget) {
                    Some(work) => self.state = JobState::Running(Box::new(work)),
                    None => return false,
                },
                JobState::Running(work) => {
                    let units = work.step(m);
                    if matches!(work.stage, Stage::Finish)
                        && let JobState::Running(work) =
                            std::mem::replace(&mut self.state, JobState::Setup)
                    {
                        let finishing = Finishing::new(&self.graph, &work, m);
                        self.state = JobState::Finishing(work, Box::new(finishing));
                        let units = (self.graph.sizes.len() + self.graph.edges.len()) as u64;
                        if !budget.spend(units) || !budget.checkpoint() {
                            return false;
                        }
                    } else if !budget.spend(units) {
                        return false;
                    }
                }
                JobState::Finishing(work, finishing) => {
                    return match finishing.run(&self.graph, work, m, budget) {
                        Some(layout) => {
                            self.state = JobState::Done(layout);
                            true
                        }
                        None => false,
                    };
                }
            }
        }
    }

    /// How far the job is, from 0 to 1 (an estimate: ordering may end early).
    #[must_use]
    pub fn progress(&self) -> f32 {
        let work = match &self.state {
            JobState::Setup => return 0.0,
            JobState::Layered(_) => return 0.05,
            JobState::SettingUp(setup) => return 0.05 + 0.05 * setup.progress(),
            JobState::Done(_) => return 1.0,
            JobState::Finishing(_, finishing) => {
                return 0.95 + 0.05 * finishing.progress(&self.graph);
            }
            JobState::Running(work) => work,
        };
        let rows = work.layer_count.max(1) as f32;
        let within = |l: usize| (l as f32 / rows).min(1.0);
        // Setup about a tenth, ordering half, placement the rest.
        let order = |sweep: usize, part: f32| {
            0.1 + 0.5 * ((sweep as f32 + part) / ORDER_SWEEPS as f32).min(1.0)
        };
        let place = |pass: usize, part: f32| {
            0.6 + 0.35 * ((pass as f32 + part) / PLACE_PASSES as f32).min(1.0)
        };
        match work.stage {
            Stage::Count { l, initial, .. } => {
                if initial {
                    0.1
                } else {
                    order(work.sweep, 0.9 + 0.1 * within(l))
                }
            }
            Stage::OrderDown { l } => order(work.sweep, 0.45 * within(l)),
            Stage::OrderUp { next } => order(work.sweep, 0.9 - 0.45 * within(next)),
            Stage::PlaceStart => 0.6,
            Stage::PlaceDown { pass, l } => place(pass, 0.5 * within(l)),
            Stage::PlaceUp { pass, next } => place(pass, 1.0 - 0.5 * within(next)),
            Stage::Finish => 0.95,
        }
    }

    /// The layout, once [`Self::run`] has returned true.
    #[cfg(test)]
    #[must_use]
    pub fn into_result(self) -> Option<FlatLayout> {
        match self.state {
            JobState::Done(layout) => Some(layout),
            _ => None,
        }
    }

    /// The graph and its layout, once [`Self::run`] has returned true.
    #[must_use]
    pub fn into_parts(self) -> (FlatGraph, Option<FlatLayout>) {
        match self.state {
            JobState::Done(layout) => (self.graph, Some(layout)),
            _ => (self.graph, None),
        }
    }
}

/// The first half of the set-up: each node's outgoing edges, search order and layer.
#[derive(Debug, Default)]
struct Layered {
    out_edges: Vec<Vec<usize>>,
    dfs_order: Vec<usize>,
    layer: Vec<usize>,
}

/// Cycles broken, layers assigned. `Err` holds the layout of an empty graph.
fn layering(graph: &FlatGraph, m: &Metrics) -> Result<Layered, FlatLayout> {
    let n = graph.sizes.len();
    if n == 0 {
        return Err(FlatLayout {
            positions: Vec::new(),
            routes: vec![Vec::new(); graph.edges.len()],
            size: vec2(2.0 * m.machine_padding, 2.0 * m.machine_padding),
        });
    }
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, &(from, to)) in graph.edges.iter().enumerate() {
        if from < n && to < n {
            out_edges[from].push(i);
        }
    }
    let (reversed, dfs_order) = break_cycles(graph, &out_edges);
    let layer = assign_layers(graph, &reversed, n);
    Ok(Layered {
        out_edges,
        dfs_order,
        layer,
    })
}

/// The rest of what comes before ordering (dummies, routes, the initial order), made a target,
/// an edge or a layer at a time so that no slice does all of it: on a flat graph of thousands of
/// states it is the largest single step of the layout.
#[derive(Debug, Default)]
struct Setup {
    out_edges: Vec<Vec<usize>>,
    dfs_order: Vec<usize>,
    layer: Vec<usize>,
    node_layer: Vec<usize>,
    widths: Vec<f32>,
    rank_hint: Vec<f32>,
    bundle_top: Vec<Option<usize>>,
    /// Bundle of each target: (first dummy layer, dummies from that layer down).
    bundles: Vec<(usize, Vec<usize>)>,
    bundle_of: Vec<Option<usize>>,
    proper: Vec<(usize, usize)>,
    routes_kind: Vec<Option<Route>>,
    /// The next target whose bundle is made, then the next edge whose route is decided, then
    /// the next layer put in its first order.
    next_target: usize,
    next_edge: usize,
    layers: Vec<Vec<usize>>,
    next_row: usize,
}

impl Setup {
    fn new(graph: &FlatGraph, layered: Layered) -> Self {
        let Layered {
            out_edges,
            dfs_order,
            layer,
        } = layered;
        let n = graph.sizes.len();
        Self {
            node_layer: layer.clone(),
            widths: graph.sizes.iter().map(|s| s.x).collect(),
            rank_hint: (0..n).map(|v| dfs_order[v] as f32).collect(),
            bundle_top: plan_bundles(graph, &layer, n),
            bundle_of: vec![None; n],
            routes_kind: Vec::with_capacity(graph.edges.len()),
            out_edges,
            dfs_order,
            layer,
            ..Self::default()
        }
    }

    /// How far the set-up is, from 0 to 1.
    fn progress(&self) -> f32 {
        let total = self.bundle_top.len() + self.routes_kind.capacity() + self.layers.len();
        let done = self.next_target + self.next_edge + self.next_row;
        (done as f32 / total.max(1) as f32).min(1.0)
    }

    /// Works until the set-up is done (`Some`) or the budget is spent.
    fn run(&mut self, graph: &FlatGraph, budget: &mut WorkBudget) -> Option<Work> {
        let n = graph.sizes.len();
        // Decide each edge's route; build the proper (layer-to-layer) graph with dummies.
        // Downward edges into the same target share one chain of dummies (a bundle), which
        // starts one layer below the highest of their sources; each source joins it in the
        // layer under its own. Edges with a common end are never counted as crossing each other,
        // and the bundle keeps the number of dummies at one per target and layer (a Catch from
        // each of 1,000 states to one Fail state needs one chain, not half a million dummies).
        while self.next_target < self.bundle_top.len() {
            let to = self.next_target;
            self.next_target += 1;
            let Some(top) = self.bundle_top[to] else {
                continue;
            };
            let mut chain = Vec::with_capacity(self.layer[to] - top);
            for l in top..self.layer[to] {
                let dummy = self.node_layer.len();
                self.node_layer.push(l);
                self.widths.push(0.0);
                // Just left of its target in the search order.
                self.rank_hint.push(self.dfs_order[to] as f32 - 0.5);
                if let Some(&previous) = chain.last() {
                    self.proper.push((previous, dummy));
                }
                chain.push(dummy);
            }
            if let Some(&last) = chain.last() {
                self.proper.push((last, to));
            }
            self.bundle_of[to] = Some(self.bundles.len());
            let units = chain.len() as u64 + 1;
            self.bundles.push((top, chain));
            if !budget.spend(units) {
                return None;
            }
        }
        while self.next_edge < graph.edges.len() {
            let (from, to) = graph.edges[self.next_edge];
            self.next_edge += 1;
            let kind = self.route_kind(from, to, n);
            self.routes_kind.push(kind);
            if !budget.spend(1) {
                return None;
            }
        }
        // Initial order: search order, then barycenter sweeps.
        if self.layers.is_empty() {
            let layer_count = self.node_layer.iter().copied().max().unwrap_or(0) + 1;
            self.layers = vec![Vec::new(); layer_count];
            for (v, &l) in self.node_layer.iter().enumerate() {
                self.layers[l].push(v);
            }
            if !budget.spend(self.node_layer.len() as u64) {
                return None;
            }
        }
        while self.next_row < self.layers.len() {
            let rank_hint = &self.rank_hint;
            let row = &mut self.layers[self.next_row];
            row.sort_by(|&a, &b| rank_hint[a].total_cmp(&rank_hint[b]).then(a.cmp(&b)));
            self.next_row += 1;
            if !budget.spend(row.len() as u64 + 1) {
                return None;
            }
        }
        // Building the adjacency of every node and dummy is one uninterruptible step: it starts
        // a slice of its own rather than overrunning one the rows already used up.
        if !budget.checkpoint() {
            return None;
        }
        Some(self.finish())
    }

    /// The route of edge `from -> to`, adding its layer-to-layer edge when it has one.
    fn route_kind(&mut self, from: usize, to: usize, n: usize) -> Option<Route> {
        if from >= n || to >= n {
            return None;
        }
        let (lf, lt) = (self.layer[from], self.layer[to]);
        let kind = if lt <= lf {
            Route::LeftLane
        } else if lt == lf + 1 {
            self.proper.push((from, to));
            Route::Chain {
                bundle: None,
                skip: 0,
            }
        } else {
            match self.bundle_of[to] {
                Some(b) if self.bundles[b].0 <= lf + 1 => {
                    let skip = lf + 1 - self.bundles[b].0;
                    self.proper.push((from, self.bundles[b].1[skip]));
                    Route::Chain {
                        bundle: Some(b),
                        skip,
                    }
                }
                _ => Route::RightLane,
            }
        };
        Some(kind)
    }

    fn finish(&mut self) -> Work {
        let total = self.node_layer.len();
        let layer_count = self.layers.len();
        let down = Adjacency::new(total, self.proper.iter().copied());
        let up = Adjacency::new(total, self.proper.iter().map(|&(a, b)| (b, a)));
        let layers = std::mem::take(&mut self.layers);
        let mut position = vec![0usize; total];
        reindex(&layers, &mut position);
        Work {
            n: self.bundle_of.len(),
            out_edges: std::mem::take(&mut self.out_edges),
            layer: std::mem::take(&mut self.layer),
            node_layer: std::mem::take(&mut self.node_layer),
            widths: std::mem::take(&mut self.widths),
            bundles: std::mem::take(&mut self.bundles),
            routes_kind: std::mem::take(&mut self.routes_kind),
            layer_count,
            down,
            up,
            layers,
            position,
            best_crossings: 0,
            best_layers: Vec::new(),
            stale: 0,
            sweep: 0,
            keyed: Vec::new(),
            pairs: Vec::new(),
            tree: Vec::new(),
            x: vec![0.0; total],
            place: PlaceScratch::default(),
            stage: Stage::Count {
                l: 0,
                total: 0,
                initial: true,
            },
        }
    }
}

/// Each node's index within its layer.
fn reindex(layers: &[Vec<usize>], position: &mut [usize]) {
    for row in layers {
        for (i, &v) in row.iter().enumerate() {
            position[v] = i;
        }
    }
}

impl Work {
    /// Does one layer's (or one pair of layers') share of the current stage and moves on; returns
    /// the units of work done.
    fn step(&mut self, m: &Metrics) -> u64 {
        let n = self.n;
        let gap = |a: usize, b: usize| {
            if a < n && b < n {
                m.node_gap
            } else {
                m.dummy_gap
            }
        };
        let last_pair = self.layer_count.saturating_sub(1);
        let row_units = |row: &[usize]| row.len() as u64 + 1;
        match self.stage {
            Stage::Count { l, total, initial } if l < last_pair => {
                let crossings = crossings_below(
                    &self.layers,
                    l,
                    &self.down,
                    &self.position,
                    &mut self.pairs,
                    &mut self.tree,
                );
                self.stage = Stage::Count {
                    l: l + 1,
                    total: total + crossings,
                    initial,
                };
                row_units(&self.layers[l]) + self.pairs.len() as u64
            }
            Stage::Count { total, initial, .. } => {
                if initial {
                    self.best_crossings = total;
                    self.best_layers.clone_from(&self.layers);
                } else {
                    if total < self.best_crossings {
                        self.best_crossings = total;
                        self.best_layers.clone_from(&self.layers);
                        self.stale = 0;
                    } else {
                        self.stale += 1;
                    }
                    self.sweep += 1;
                }
                if self.sweep >= ORDER_SWEEPS
                    || self.best_crossings == 0
                    || self.stale >= ORDER_PATIENCE
                {
                    self.layers = std::mem::take(&mut self.best_layers);
                    reindex(&self.layers, &mut self.position);
                    self.stage = Stage::PlaceStart;
                } else {
                    self.stage = Stage::OrderDown { l: 1 };
                }
                self.node_layer.len() as u64 / 8 + 1
            }
            Stage::OrderDown { l } if l < self.layer_count => {
                sort_by_barycenter(
                    &mut self.layers[l],
                    &self.up,
                    &mut self.position,
                    &mut self.keyed,
                );
                self.stage = Stage::OrderDown { l: l + 1 };
                row_units(&self.layers[l])
            }
            Stage::OrderDown { .. } => {
                self.stage = Stage::OrderUp { next: last_pair };
                1
            }
            Stage::OrderUp { next } if next > 0 => {
                let l = next - 1;
                sort_by_barycenter(
                    &mut self.layers[l],
                    &self.down,
                    &mut self.position,
                    &mut self.keyed,
                );
                self.stage = Stage::OrderUp { next: l };
                row_units(&self.layers[l])
            }
            Stage::OrderUp { .. } => {
                self.stage = Stage::Count {
                    l: 0,
                    total: 0,
                    initial: false,
                };
                1
            }
            Stage::PlaceStart => {
                for row in &self.layers {
                    let mut cursor = 0.0;
                    for (i, &v) in row.iter().enumerate() {
                        if i > 0 {
                            cursor += self.widths[row[i - 1]] * 0.5
                                + self.widths[v] * 0.5
                                + gap(row[i - 1], v);
                        }
                        self.x[v] = cursor;
                    }
                    let shift = cursor * 0.5;
                    for &v in row {
                        self.x[v] -= shift;
                    }
                }
                self.stage = Stage::PlaceDown { pass: 0, l: 1 };
                self.node_layer.len() as u64
            }
            Stage::PlaceDown { pass, l } if l < self.layer_count => {
                place_row(
                    &self.layers[l],
                    &self.up,
                    &self.widths,
                    &gap,
                    &mut self.x,
                    &mut self.place,
                );
                self.stage = Stage::PlaceDown { pass, l: l + 1 };
                row_units(&self.layers[l])
            }
            Stage::PlaceDown { pass, .. } => {
                self.stage = Stage::PlaceUp {
                    pass,
                    next: last_pair,
                };
                1
            }
            Stage::PlaceUp { pass, next } if next > 0 => {
                let l = next - 1;
                place_row(
                    &self.layers[l],
                    &self.down,
                    &self.widths,
                    &gap,
                    &mut self.x,
                    &mut self.place,
                );
                self.stage = Stage::PlaceUp { pass, next: l };
                row_units(&self.layers[l])
            }
            Stage::PlaceUp { pass, .. } => {
                self.stage = if pass + 1 < PLACE_PASSES {
                    Stage::PlaceDown {
                        pass: pass + 1,
                        l: 1,
                    }
                } else {
                    Stage::Finish
                };
                1
            }
            // The job finishes it (see `finish::Finishing`).
            Stage::Finish => 0,
        }
    }
}

/// Where the `k`-th of `count` edges leaves (`out`) or enters a node.
fn port(rect: egui::Rect, shape: PortShape, k: usize, count: usize, out: bool) -> Pos2 {
    let spread = match shape {
        PortShape::Box => 0.8,
        PortShape::Diamond => 0.6,
    };
    let t = (k as f32 + 1.0) / (count as f32 + 1.0);
    let x = rect.center().x + (t - 0.5) * rect.width() * spread;
    let y = match shape {
        PortShape::Box => {
            if out {
                rect.bottom()
            } else {
                rect.top()
            }
        }
        PortShape::Diamond => {
            let half_w = rect.width() * 0.5;
            let rise =
                rect.height() * 0.5 * (1.0 - ((x - rect.center().x).abs() / half_w).min(1.0));
            if out {
                rect.center().y + rise
            } else {
                rect.center().y - rise
            }
        }
    };
    pos2(x, y)
}

/// Makes a polyline orthogonal: a step between two points at different x goes down (or up) to
/// their mid-height, across, and on. Points already aligned pass through.
fn orthogonal(points: &[Pos2]) -> Vec<Pos2> {
    let mut out: Vec<Pos2> = Vec::with_capacity(points.len() * 2);
    for &p in points {
        if let Some(&last) = out.last()
            && (last.x - p.x).abs() > 0.01
            && (last.y - p.y).abs() > 0.5
        {
            let mid = (last.y + p.y) * 0.5;
            out.push(pos2(last.x, mid));
            out.push(pos2(p.x, mid));
        }
        out.push(p);
    }
    out.dedup_by(|a, b| (a.x - b.x).abs() < 0.01 && (a.y - b.y).abs() < 0.01);
    out
}

/// Depth-first search from the start, then from every unvisited node in index order. Returns which
/// edges point back up the search tree (to reverse for layering) and each node's preorder number.
fn break_cycles(graph: &FlatGraph, out_edges: &[Vec<usize>]) -> (Vec<bool>, Vec<usize>) {
    let n = graph.sizes.len();
    let mut reversed = vec![false; graph.edges.len()];
    // 0 = unseen, 1 = on the stack, 2 = done.
    let mut mark = vec![0u8; n];
    let mut order = vec![0usize; n];
    let mut counter = 0;
    let roots = graph.start.into_iter().filter(|&s| s < n).chain(0..n);
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in roots {
        if mark[root] != 0 {
            continue;
        }
        mark[root] = 1;
        order[root] = counter;
        counter += 1;
        stack.push((root, 0));
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&e) = out_edges[v].get(*next) {
                *next += 1;
                let to = graph.edges[e].1;
                match mark[to] {
                    0 => {
                        mark[to] = 1;
                        order[to] = counter;
                        counter += 1;
                        stack.push((to, 0));
                    }
                    1 => reversed[e] = true,
                    _ => {}
                }
            } else {
                mark[v] = 2;
                stack.pop();
            }
        }
    }
    (reversed, order)
}

/// Longest-path layering of the acyclic graph (reversed edges flipped). Sources other than the
/// start move down next to their first successor; the end node gets the last layer to itself.
fn assign_layers(graph: &FlatGraph, reversed: &[bool], n: usize) -> Vec<usize> {
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    for (i, &(from, to)) in graph.edges.iter().enumerate() {
        if from >= n || to >= n || from == to {
            continue;
        }
        let (a, b) = if reversed[i] { (to, from) } else { (from, to) };
        succ[a].push(b);
        indegree[b] += 1;
    }
    let sources: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    let mut layer = vec![0usize; n];
    let mut queue: std::collections::VecDeque<usize> = sources.iter().copied().collect();
    let mut topo = Vec::with_capacity(n);
    let mut remaining = indegree;
    while let Some(v) = queue.pop_front() {
        topo.push(v);
        for &w in &succ[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            remaining[w] -= 1;
            if remaining[w] == 0 {
                queue.push_back(w);
            }
        }
    }
    for &v in &sources {
        if Some(v) == graph.start || succ[v].is_empty() {
            continue;
        }
        if let Some(min) = succ[v].iter().map(|&w| layer[w]).min() {
            layer[v] = min.saturating_sub(1);
        }
    }
    if let Some(end) = graph.end.filter(|&e| e < n) {
        let last = (0..n)
            .filter(|&v| v != end)
            .map(|v| layer[v])
            .max()
            .unwrap_or(0);
        layer[end] = last + 1;
    }
    layer
}

/// For each node, the top layer of the dummy bundle that carries the downward edges of two or more
/// layers into it (`None`: no bundle). Bundles are granted shortest first within the dummy budget;
/// the rest only carry their edges of at most [`MAX_CHAIN_SPAN`] layers.
fn plan_bundles(graph: &FlatGraph, layer: &[usize], n: usize) -> Vec<Option<usize>> {
    let mut full: Vec<Option<usize>> = vec![None; n];
    let mut short: Vec<Option<usize>> = vec![None; n];
    for &(from, to) in &graph.edges {
        if from >= n || to >= n || layer[to] < layer[from] + 2 {
            continue;
        }
        let top = layer[from] + 1;
        full[to] = Some(full[to].map_or(top, |t| t.min(top)));
        if layer[to] - layer[from] <= MAX_CHAIN_SPAN {
            short[to] = Some(short[to].map_or(top, |t| t.min(top)));
        }
    }
    let mut by_cost: Vec<(usize, usize)> = full
        .iter()
        .enumerate()
        .filter_map(|(to, top)| top.map(|t| (layer[to] - t, to)))
        .collect();
    by_cost.sort_unstable();
    let mut budget = DUMMY_BUDGET_PER_NODE * n + DUMMY_BUDGET_BASE;
    let mut tops = short;
    for (cost, to) in by_cost {
        if cost > budget {
            break;
        }
        budget -= cost;
        tops[to] = full[to];
    }
    tops
}

/// Crossings of the proper graph between each pair of adjacent layers, counted as inversions
/// (edges sorted by their upper end; a Fenwick tree over the lower ends).
#[cfg(test)]
fn count_layer_crossings(layers: &[Vec<usize>], down: &Adjacency, position: &[usize]) -> u64 {
    let mut pairs = Vec::new();
    let mut tree = Vec::new();
    (0..layers.len().saturating_sub(1))
        .map(|l| crossings_below(layers, l, down, position, &mut pairs, &mut tree))
        .sum()
}

/// Crossings of the proper graph between layers `l` and `l + 1` (`pairs` and `tree` are scratch).
fn crossings_below(
    layers: &[Vec<usize>],
    l: usize,
    down: &Adjacency,
    position: &[usize],
    pairs: &mut Vec<(usize, usize)>,
    tree: &mut Vec<u32>,
) -> u64 {
    let mut total = 0u64;
    pairs.clear();
    for &v in &layers[l] {
        for &w in &down[v] {
            pairs.push((position[v], position[w]));
        }
    }
    pairs.sort_unstable();
    let width = layers[l + 1].len();
    tree.clear();
    tree.resize(width + 1, 0);
    for (seen, &(_, lower)) in (0u64..).zip(pairs.iter()) {
        // Earlier edges whose lower end lies strictly right of this one cross it.
        let mut at_or_left = 0u64;
        let mut i = lower + 1;
        while i > 0 {
            at_or_left += u64::from(tree[i]);
            i &= i - 1;
        }
        total += seen - at_or_left;
        let mut i = lower + 1;
        while i <= width {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    total
}

/// Sorts one layer by the mean position of each node's neighbours in the adjacent layer; nodes
/// without neighbours there keep their place.
fn sort_by_barycenter(
    row: &mut [usize],
    neighbours: &Adjacency,
    position: &mut [usize],
    keyed: &mut Vec<(f32, usize, usize)>,
) {
    keyed.clear();
    keyed.extend(row.iter().map(|&v| {
        let adjacent = &neighbours[v];
        let key = if adjacent.is_empty() {
            position[v] as f32
        } else {
            adjacent.iter().map(|&w| position[w] as f32).sum::<f32>() / adjacent.len() as f32
        };
        (key, position[v], v)
    }));
    // Positions are distinct, so the order is total and an unstable sort is deterministic. After
    // the first sweeps most rows are already in order: check before sorting.
    let order =
        |a: &(f32, usize, usize), b: &(f32, usize, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    if !keyed.is_sorted_by(|a, b| order(a, b).is_le()) {
        keyed.sort_unstable_by(order);
    }
    for (i, &(_, _, v)) in keyed.iter().enumerate() {
        row[i] = v;
        position[v] = i;
    }
}

/// Neighbour lists of every node in one array (a node's list is a slice of it): the ordering
/// sweeps and placement passes read them tens of times per node, and a proper graph of 1,000
/// states has some 30,000 nodes once its long edges are split into dummies.
#[derive(Debug)]
struct Adjacency {
    /// Node `v`'s neighbours are `targets[starts[v]..starts[v + 1]]`.
    starts: Vec<usize>,
    targets: Vec<usize>,
}

impl Adjacency {
    /// The lists of `nodes` nodes from `(node, neighbour)` pairs, each list in the pairs' order.
    fn new(nodes: usize, pairs: impl Iterator<Item = (usize, usize)> + Clone) -> Self {
        let mut starts = vec![0usize; nodes + 1];
        for (node, _) in pairs.clone() {
            if node < nodes {
                starts[node + 1] += 1;
            }
        }
        for v in 0..nodes {
            starts[v + 1] += starts[v];
        }
        let mut filled = starts.clone();
        let mut targets = vec![0usize; starts[nodes]];
        for (node, neighbour) in pairs {
            if node < nodes {
                targets[filled[node]] = neighbour;
                filled[node] += 1;
            }
        }
        Self { starts, targets }
    }
}

impl std::ops::Index<usize> for Adjacency {
    type Output = [usize];

    fn index(&self, node: usize) -> &[usize] {
        match (self.starts.get(node), self.starts.get(node + 1)) {
            (Some(&start), Some(&end)) => &self.targets[start..end],
            _ => &[],
        }
    }
}

/// Buffers [`place_row`] reuses from row to row.
#[derive(Debug, Default)]
struct PlaceScratch {
    offsets: Vec<f32>,
    /// Pooled blocks: (sum of weighted targets, total weight, count).
    blocks: Vec<(f32, f32, usize)>,
}

/// Places one layer: each node wants the mean x of its neighbours in the adjacent layer (or stays),
/// subject to keeping the order and the minimum gaps. Solved exactly in linear time: subtract the
/// cumulative minimum offsets, which turns the gaps into "non-decreasing", then isotonic regression
/// by pool-adjacent-violators.
fn place_row(
    row: &[usize],
    neighbours: &Adjacency,
    widths: &[f32],
    gap: &impl Fn(usize, usize) -> f32,
    x: &mut [f32],
    scratch: &mut PlaceScratch,
) {
    if row.is_empty() {
        return;
    }
    let PlaceScratch { offsets, blocks } = scratch;
    offsets.clear();
    blocks.clear();
    let mut offset = 0.0;
    for (i, &v) in row.iter().enumerate() {
        if i > 0 {
            let u = row[i - 1];
            offset += widths[u] * 0.5 + widths[v] * 0.5 + gap(u, v);
        }
        offsets.push(offset);
    }
    for (i, &v) in row.iter().enumerate() {
        let adjacent = &neighbours[v];
        let (desired, weight) = if adjacent.is_empty() {
            (x[v], 0.2)
        } else {
            (
                adjacent.iter().map(|&w| x[w]).sum::<f32>() / adjacent.len() as f32,
                1.0 + adjacent.len() as f32 * 0.1,
            )
        };
        let target = desired - offsets[i];
        blocks.push((target * weight, weight, 1));
        while blocks.len() > 1 {
            let (s1, w1, c1) = blocks[blocks.len() - 1];
            let (s0, w0, c0) = blocks[blocks.len() - 2];
            // s0 / w0 > s1 / w1, with both weights positive.
            if s0 * w1 > s1 * w0 {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (s0 + s1, w0 + w1, c0 + c1);
            } else {
                break;
            }
        }
    }
    let mut i = 0;
    for &(sum, weight, count) in blocks.iter() {
        let value = sum / weight;
        for _ in 0..count {
            x[row[i]] = value + offsets[i];
            i += 1;
        }
    }
}

/// Gives each lane-routed edge a side (true = right) and a lane number. Edges into the same target
/// on the same side share a lane (they bundle); lanes whose layer spans do not overlap reuse the
/// same x.
fn assign_lanes(
    graph: &FlatGraph,
    kinds: &[Option<Route>],
    layer: &[usize],
) -> Vec<Option<(bool, usize)>> {
    let mut result = vec![None; kinds.len()];
    for right in [true, false] {
        // Group by target: (target, top layer, bottom layer, edges).
        let mut groups: std::collections::BTreeMap<usize, (usize, usize, Vec<usize>)> =
            std::collections::BTreeMap::new();
        for (i, kind) in kinds.iter().enumerate() {
            let wanted = if right {
                Some(Route::RightLane)
            } else {
                Some(Route::LeftLane)
            };
            if *kind != wanted {
                continue;
            }
            let (from, to) = graph.edges[i];
            let (a, b) = (layer[from].min(layer[to]), layer[from].max(layer[to]));
            let group = groups.entry(to).or_insert((a, b, Vec::new()));
            group.0 = group.0.min(a);
            group.1 = group.1.max(b);
            group.2.push(i);
        }
        let mut spans: Vec<(usize, usize, Vec<usize>)> = groups.into_values().collect();
        spans.sort_by_key(|g| (g.0, g.1));
        // Greedy interval partitioning: the lowest lane free above this span's top.
        let mut lane_bottom: Vec<usize> = Vec::new();
        for (top, bottom, edges) in spans {
            let lane = match lane_bottom.iter().position(|&b| b < top) {
                Some(free) => {
                    lane_bottom[free] = bottom;
                    free
                }
                None => {
                    lane_bottom.push(bottom);
                    lane_bottom.len() - 1
                }
            };
            for e in edges {
                result[e] = Some((right, lane));
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::METRICS;

    fn boxes(n: usize) -> FlatGraph {
        FlatGraph {
            sizes: vec![vec2(100.0, 40.0); n],
            shapes: vec![PortShape::Box; n],
            ..FlatGraph::default()
        }
    }

    fn overlaps(l: &FlatLayout, g: &FlatGraph) -> bool {
        let rects: Vec<egui::Rect> = (0..g.sizes.len())
            .map(|v| egui::Rect::from_min_size(l.positions[v], g.sizes[v]))
            .collect();
        (0..rects.len()).any(|a| (a + 1..rects.len()).any(|b| rects[a].intersects(rects[b])))
    }

    #[test]
    fn chain_is_vertical_and_straight() {
        let mut g = boxes(4);
        g.edges = vec![(0, 1), (1, 2), (2, 3)];
        g.start = Some(0);
        let l = layout(&g, &METRICS);
        for v in 1..4 {
            assert!(l.positions[v].y > l.positions[v - 1].y);
            assert!((l.positions[v].x - l.positions[0].x).abs() < 0.01);
        }
        for route in &l.routes {
            assert_eq!(route.len(), 2, "{route:?}");
        }
    }

    #[test]
    fn cycles_diamonds_and_long_edges_never_overlap() {
        let mut g = boxes(12);
        g.start = Some(0);
        g.end = Some(11);
        for v in 0..10 {
            g.edges.push((v, v + 1));
            g.edges.push((v, 10));
            g.edges.push((v + 1, v / 2));
        }
        g.edges.push((10, 11));
        g.edges.push((3, 3));
        let l = layout(&g, &METRICS);
        assert!(!overlaps(&l, &g));
        assert_eq!(l.routes.len(), g.edges.len());
        for route in &l.routes {
            assert!(route.len() >= 2);
            for p in route {
                assert!(p.x >= 0.0 && p.y >= 0.0 && p.x <= l.size.x && p.y <= l.size.y);
            }
            // Orthogonal: every segment horizontal or vertical.
            for w in route.windows(2) {
                assert!(
                    (w[0].x - w[1].x).abs() < 0.01 || (w[0].y - w[1].y).abs() < 0.01,
                    "{route:?}"
                );
            }
        }
    }

    #[test]
    fn long_edges_into_one_target_share_a_bundle() {
        let mut g = boxes(8);
        g.start = Some(0);
        g.edges = (0..7).map(|v| (v, v + 1)).collect();
        g.edges.extend([(0, 7), (1, 7), (2, 7)]);
        let l = layout(&g, &METRICS);
        assert!(!overlaps(&l, &g));
        let key = |p: &Pos2| ((p.x * 10.0).round() as i64, (p.y * 10.0).round() as i64);
        let shared: Vec<std::collections::BTreeSet<(i64, i64)>> = l.routes[7..]
            .iter()
            .map(|route| route.iter().map(key).collect())
            .collect();
        // The three long edges run down one column: they meet before reaching the target.
        let common = shared[0]
            .intersection(&shared[1])
            .filter(|p| shared[2].contains(p))
            .count();
        assert!(common >= 1, "{:?}", &l.routes[7..]);
        // No lane: nothing is routed outside the span of the boxes and the bundle next to them.
        assert!(l.size.x < 100.0 + 2.0 * METRICS.machine_padding + 3.0 * METRICS.node_gap);
    }

    #[test]
    fn layer_crossings_are_inversions() {
        let layers = vec![vec![0, 1], vec![2, 3]];
        let position = vec![0, 1, 0, 1];
        let crossed = Adjacency::new(4, [(0, 3), (1, 2)].into_iter());
        assert_eq!(count_layer_crossings(&layers, &crossed, &position), 1);
        let parallel = Adjacency::new(4, [(0, 2), (1, 3)].into_iter());
        assert_eq!(count_layer_crossings(&layers, &parallel, &position), 0);
        let shared_end = Adjacency::new(4, [(0, 2), (0, 3), (1, 3)].into_iter());
        assert_eq!(count_layer_crossings(&layers, &shared_end, &position), 0);
    }

    #[test]
    fn place_row_keeps_order_and_gaps() {
        let row = [0, 1, 2];
        let neighbours = Adjacency::new(4, [(0, 3), (1, 3), (2, 3)].into_iter());
        let widths = [10.0, 10.0, 10.0, 10.0];
        let mut x = vec![0.0, 0.0, 0.0, 100.0];
        place_row(
            &row,
            &neighbours,
            &widths,
            &|_, _| 5.0,
            &mut x,
            &mut PlaceScratch::default(),
        );
        assert!((x[1] - 100.0).abs() < 0.01, "{x:?}");
        assert!((x[1] - x[0] - 15.0).abs() < 0.01);
        assert!((x[2] - x[1] - 15.0).abs() < 0.01);
    }
}
