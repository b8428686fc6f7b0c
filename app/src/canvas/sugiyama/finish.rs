//! The last stage of a flat layout: heights, lanes and routes of a placed graph, made an edge
//! or a node at a time so that the slice which ends a big layout stays short.

use egui::{Pos2, Vec2, pos2, vec2};

use super::{FlatGraph, FlatLayout, Route, Work, assign_lanes, orthogonal, port};
use crate::canvas::budget::WorkBudget;
use crate::theme::Metrics;

/// Heights and lanes decided; waypoints, ports and routes being made.
#[derive(Debug)]
pub(super) struct Finishing {
    layer_top: Vec<f32>,
    layer_height: Vec<f32>,
    origin: Vec2,
    min_x: f32,
    max_x: f32,
    lane_of: Vec<Option<(bool, usize)>>,
    size: Vec2,
    positions: Vec<Pos2>,
    /// Each edge's waypoints between its ports (lane runs have NaN x until the ports are known).
    middles: Vec<Vec<Pos2>>,
    in_edges: Vec<Vec<usize>>,
    out_port: Vec<Pos2>,
    in_port: Vec<Pos2>,
    next_port_node: usize,
    routes: Vec<Vec<Pos2>>,
}

impl Finishing {
    /// Vertical placement, lanes and the machine's size: linear in nodes and edges.
    pub(super) fn new(graph: &FlatGraph, work: &Work, m: &Metrics) -> Self {
        let (n, layer_count) = (work.n, work.layer_count);
        let (layer, x, widths) = (&work.layer, &work.x, &work.widths);
        let total = work.node_layer.len();
        // Vertical placement: each layer as tall as its tallest node, nodes centred in it.
        let mut layer_top = vec![0.0f32; layer_count];
        let mut layer_height = vec![0.0f32; layer_count];
        for v in 0..n {
            layer_height[layer[v]] = layer_height[layer[v]].max(graph.sizes[v].y);
        }
        let mut cursor = 0.0;
        for l in 0..layer_count {
            layer_top[l] = cursor;
            cursor += layer_height[l] + m.layer_gap;
        }
        let content_height = cursor - m.layer_gap;

        // Lanes: one per target and side, reused along the height when their spans do not
        // overlap.
        let (min_x, max_x) = (0..total).fold((f32::MAX, f32::MIN), |(lo, hi), v| {
            (
                lo.min(x[v] - widths[v] * 0.5),
                hi.max(x[v] + widths[v] * 0.5),
            )
        });
        let lane_of = assign_lanes(graph, &work.routes_kind, layer);
        let left_lanes = lane_of
            .iter()
            .filter_map(|l| l.filter(|(side, _)| !side).map(|(_, k)| k + 1))
            .max()
            .unwrap_or(0);
        let right_lanes = lane_of
            .iter()
            .filter_map(|l| l.filter(|(side, _)| *side).map(|(_, k)| k + 1))
            .max()
            .unwrap_or(0);
        // Lanes run their horizontal parts in the gaps above their targets and below their
        // sources: reserve a gap above the first layer and below the last when a lane needs one.
        let last_layer = layer_count - 1;
        let mut top_extra: f32 = 0.0;
        let mut bottom_extra: f32 = 0.0;
        for (i, lane) in lane_of.iter().enumerate() {
            if lane.is_some() {
                let (from, to) = graph.edges[i];
                if layer[to] == 0 {
                    top_extra = m.layer_gap;
                }
                if layer[from] == last_layer {
                    bottom_extra = m.layer_gap;
                }
            }
        }
        let origin = vec2(
            m.machine_padding + left_lanes as f32 * m.lane_gap - min_x,
            m.machine_padding + top_extra,
        );
        let width = (max_x - min_x) + (left_lanes + right_lanes) as f32 * m.lane_gap;
        let size = vec2(
            width + 2.0 * m.machine_padding,
            content_height + 2.0 * m.machine_padding + top_extra + bottom_extra,
        );
        let mut in_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, &(from, to)) in graph.edges.iter().enumerate() {
            if from < n && to < n {
                in_edges[to].push(i);
            }
        }
        let mut finishing = Self {
            layer_top,
            layer_height,
            origin,
            min_x,
            max_x,
            lane_of,
            size,
            positions: Vec::with_capacity(n),
            middles: Vec::with_capacity(graph.edges.len()),
            in_edges,
            out_port: vec![Pos2::ZERO; graph.edges.len()],
            in_port: vec![Pos2::ZERO; graph.edges.len()],
            next_port_node: 0,
            routes: Vec::with_capacity(graph.edges.len()),
        };
        finishing.positions = (0..n)
            .map(|v| finishing.center(work, v) - graph.sizes[v] * 0.5)
            .collect();
        finishing
    }

    /// How far it is, from 0 to 1.
    pub(super) fn progress(&self, graph: &FlatGraph) -> f32 {
        let total = 2 * graph.edges.len() + self.in_edges.len();
        let done = self.middles.len() + self.next_port_node + self.routes.len();
        (done as f32 / total.max(1) as f32).min(1.0)
    }

    /// Works until the layout is done (`Some`) or the budget is spent.
    pub(super) fn run(
        &mut self,
        graph: &FlatGraph,
        work: &Work,
        m: &Metrics,
        budget: &mut WorkBudget,
    ) -> Option<FlatLayout> {
        // Routes. First the waypoints between the ports, then the ports spread along each node.
        while self.middles.len() < graph.edges.len() {
            let i = self.middles.len();
            let waypoints = self.waypoints(graph, work, m, i);
            let units = waypoints.len() as u64 + 1;
            self.middles.push(waypoints);
            if !budget.spend(units) {
                return None;
            }
        }
        let n = work.n;
        while self.next_port_node < n {
            let v = self.next_port_node;
            self.next_port_node += 1;
            let units = self.spread_ports(graph, work, v);
            if !budget.spend(units) {
                return None;
            }
        }
        while self.routes.len() < graph.edges.len() {
            let i = self.routes.len();
            let route = self.route(graph, n, i);
            let units = route.len() as u64 + 1;
            self.routes.push(route);
            if !budget.spend(units) {
                return None;
            }
        }
        Some(FlatLayout {
            positions: std::mem::take(&mut self.positions),
            routes: std::mem::take(&mut self.routes),
            size: self.size,
        })
    }

    fn center(&self, work: &Work, v: usize) -> Pos2 {
        let l = work.node_layer[v];
        pos2(
            self.origin.x + work.x[v],
            self.origin.y + self.layer_top[l] + self.layer_height[l] * 0.5,
        )
    }

    fn gap_y(&self, m: &Metrics, l: usize, below: bool, slot: usize) -> f32 {
        let t = 0.3 + 0.4 * ((slot % 5) as f32 / 4.0);
        if below {
            self.origin.y + self.layer_top[l] + self.layer_height[l] + m.layer_gap * t
        } else {
            self.origin.y + self.layer_top[l] - m.layer_gap * (1.0 - t)
        }
    }

    /// Edge `i`'s waypoints between its ports.
    fn waypoints(&self, graph: &FlatGraph, work: &Work, m: &Metrics, i: usize) -> Vec<Pos2> {
        let (from, to) = graph.edges[i];
        match work.routes_kind[i] {
            None => Vec::new(),
            Some(Route::Chain { bundle, skip }) => {
                let dummies = bundle.map_or(&[][..], |b| &work.bundles[b].1[skip..]);
                let mut points = Vec::with_capacity(dummies.len() * 2);
                for &d in dummies {
                    let p = self.center(work, d);
                    let half = self.layer_height[work.node_layer[d]] * 0.5;
                    points.push(pos2(p.x, p.y - half));
                    points.push(pos2(p.x, p.y + half));
                }
                points
            }
            Some(Route::RightLane | Route::LeftLane) => {
                let (right, lane) = self.lane_of[i].unwrap_or((true, 0));
                let lane_x = if right {
                    self.origin.x + self.max_x + (lane + 1) as f32 * m.lane_gap
                } else {
                    self.origin.x + self.min_x - (lane + 1) as f32 * m.lane_gap
                };
                let below = self.gap_y(m, work.layer[from], true, lane);
                let above = self.gap_y(m, work.layer[to], false, lane);
                vec![
                    pos2(f32::NAN, below),
                    pos2(lane_x, below),
                    pos2(lane_x, above),
                    pos2(f32::NAN, above),
                ]
            }
        }
    }

    /// Spreads node `v`'s ports: its outgoing edges ordered by where they head, incoming by
    /// where they come from, so that neighbouring edges do not cross at the node. Returns the
    /// units of work done.
    fn spread_ports(&mut self, graph: &FlatGraph, work: &Work, v: usize) -> u64 {
        let heading = |i: usize, toward_end: bool| -> f32 {
            let w = &self.middles[i];
            let (from, to) = graph.edges[i];
            let pick = if toward_end {
                w.iter().find(|p| !p.x.is_nan())
            } else {
                w.iter().rev().find(|p| !p.x.is_nan())
            };
            pick.map_or_else(
                || self.center(work, if toward_end { to } else { from }).x,
                |p| p.x,
            )
        };
        let rect = egui::Rect::from_min_size(self.positions[v], graph.sizes[v]);
        let mut outs: Vec<(f32, usize)> = work.out_edges[v]
            .iter()
            .map(|&i| (heading(i, true), i))
            .collect();
        outs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut ins: Vec<(f32, usize)> = self.in_edges[v]
            .iter()
            .map(|&i| (heading(i, false), i))
            .collect();
        ins.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (k, &(_, i)) in outs.iter().enumerate() {
            self.out_port[i] = port(rect, graph.shapes[v], k, outs.len(), true);
        }
        for (k, &(_, i)) in ins.iter().enumerate() {
            self.in_port[i] = port(rect, graph.shapes[v], k, ins.len(), false);
        }
        (outs.len() + ins.len()) as u64 + 1
    }

    /// Edge `i`'s route from port to port.
    fn route(&self, graph: &FlatGraph, n: usize, i: usize) -> Vec<Pos2> {
        let (from, to) = graph.edges[i];
        if from >= n || to >= n {
            return Vec::new();
        }
        let waypoints = &self.middles[i];
        let mut raw = Vec::with_capacity(waypoints.len() + 2);
        raw.push(self.out_port[i]);
        for &p in waypoints {
            let mut p = p;
            if p.x.is_nan() {
                // The lane's horizontal run starts under the source and ends over the target.
                p.x = if raw.len() == 1 {
                    self.out_port[i].x
                } else {
                    self.in_port[i].x
                };
            }
            raw.push(p);
        }
        raw.push(self.in_port[i]);
        orthogonal(&raw)
    }
}
