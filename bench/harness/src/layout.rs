//! Auto-layout: our layered layout against dagre and Graphviz `dot` on the same graph, with edge
//! crossings counted the same way for all three.
//!
//! The graph given to the peers is the document flattened: one node per state at every depth (sized
//! as our boxes are; a Parallel or Map state gets an ordinary box, since the peers do not nest
//! machines inside nodes), one edge per transition (`Next`, Choice rules, `Default`, `Catch`), and
//! one edge from each Parallel/Map state to the `StartAt` state of each of its branches/processor
//! (so that nested states hang under their container). We draw nested machines inside their
//! container instead, which is a harder constraint, not an easier one.
//!
//! Crossings: every transition edge is taken as the polyline the tool itself routed (ours: the
//! orthogonal route; dagre: its edge points; dot: its B-spline, each cubic piece sampled at four
//! points). Two edges cross once per point where a segment of one passes through the interior of a
//! segment of the other; edges that share an end state are not compared, and touching or
//! overlapping collinear segments do not count. The container->branch edges shape the peers' layout
//! but are not counted (we draw no such line).

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use asl_studio::canvas::StateId;
use asl_studio::canvas::layout::{Endpoint, Layout, Placement};
use egui::Pos2;
use graph_model::StateMachine;
use serde_json::{Value, json};

use crate::definition::read_json;

/// Repeat our layout until this much time has been measured.
const MIN_MEASURE_MS: f64 = 300.0;
/// Box given to the peers for a Parallel or Map state.
const CONTAINER_SIZE: (f32, f32) = (200.0, 48.0);

/// One edge of the exported graph.
struct GraphEdge {
    from: usize,
    to: usize,
    /// A transition (counted for crossings), not a container->branch edge.
    counted: bool,
}

struct Graph {
    sizes: Vec<(f32, f32)>,
    edges: Vec<GraphEdge>,
}

/// Times our layout of `definition` (layout + absolute placement), writes the flattened graph for
/// the peers to `graph_out`, and counts our crossings.
pub fn measure_ours(definition: &Path, graph_out: &Path) -> anyhow::Result<Value> {
    let value = read_json(definition)?;
    let machine = StateMachine::from_value(&value)?;
    let metrics = &asl_studio::theme::METRICS;
    let pins = HashMap::new();
    let mut runs = 0_u32;
    let start = Instant::now();
    let (layout, placement) = loop {
        let layout = Layout::of(&machine, metrics);
        let placement = Placement::new(&layout, &pins);
        runs += 1;
        if start.elapsed().as_secs_f64() * 1e3 >= MIN_MEASURE_MS {
            break (layout, placement);
        }
    };
    let ms = start.elapsed().as_secs_f64() * 1e3 / f64::from(runs);

    let (graph, routes) = export(&layout, &placement);
    write_graph(&graph, graph_out)?;
    let crossings = count_crossings(&graph, &routes);
    Ok(json!({
        "ms": ms,
        "runs": runs,
        "nodes": graph.sizes.len(),
        "edges": graph.edges.len(),
        "crossings": crossings,
    }))
}

/// The flattened graph of a layout, and our route of each of its edges (empty for the
/// container->branch edges, which we do not draw).
fn export(layout: &Layout, placement: &Placement) -> (Graph, Vec<Vec<Pos2>>) {
    let sizes = layout
        .nodes
        .iter()
        .map(|node| {
            if node.is_container() {
                CONTAINER_SIZE
            } else {
                (node.rect.width(), node.rect.height())
            }
        })
        .collect();
    let mut edges = Vec::new();
    let mut routes = Vec::new();
    let mut scratch = Vec::new();
    for (index, edge) in layout.edges.iter().enumerate() {
        if let (Some(_), Endpoint::State(from), Endpoint::State(to)) =
            (edge.transition, edge.from, edge.to)
        {
            placement.edge_points(layout, index, &mut scratch);
            edges.push(GraphEdge {
                from,
                to,
                counted: true,
            });
            routes.push(scratch.clone());
        }
    }
    let mut starts: HashMap<usize, usize> = HashMap::new();
    for (index, node) in layout.nodes.iter().enumerate() {
        if node.is_start {
            starts.insert(node.machine, index);
        }
    }
    for (index, node) in layout.nodes.iter().enumerate() {
        for child in &node.children {
            if let Some(&start) = starts.get(child) {
                edges.push(GraphEdge {
                    from: index,
                    to: start,
                    counted: false,
                });
                routes.push(Vec::new());
            }
        }
    }
    (Graph { sizes, edges }, routes)
}

fn write_graph(graph: &Graph, path: &Path) -> anyhow::Result<()> {
    let value = json!({
        "nodes": graph.sizes.iter().enumerate().map(|(i, (w, h))| json!({"id": format!("n{i}"), "w": w, "h": h})).collect::<Vec<_>>(),
        "edges": graph.edges.iter().map(|e| json!({"from": format!("n{}", e.from), "to": format!("n{}", e.to), "counted": e.counted})).collect::<Vec<_>>(),
    });
    std::fs::write(path, value.to_string())
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

fn read_graph(path: &Path) -> anyhow::Result<Graph> {
    let value = read_json(path)?;
    let node_index = |id: &Value| -> anyhow::Result<usize> {
        id.as_str()
            .and_then(|s| s.strip_prefix('n'))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("{}: bad node id {id}", path.display()))
    };
    let mut sizes = Vec::new();
    for node in value["nodes"].as_array().into_iter().flatten() {
        #[allow(clippy::cast_possible_truncation)] // sizes are small pixel counts
        sizes.push((
            node["w"].as_f64().unwrap_or(0.0) as f32,
            node["h"].as_f64().unwrap_or(0.0) as f32,
        ));
    }
    let mut edges = Vec::new();
    for edge in value["edges"].as_array().into_iter().flatten() {
        edges.push(GraphEdge {
            from: node_index(&edge["from"])?,
            to: node_index(&edge["to"])?,
            counted: edge["counted"].as_bool().unwrap_or(false),
        });
    }
    Ok(Graph { sizes, edges })
}

/// The graph in Graphviz syntax: boxes of our sizes (points = pixels), top to bottom.
pub fn to_dot(graph_path: &Path) -> anyhow::Result<String> {
    let graph = read_graph(graph_path)?;
    let mut out = String::from(
        "digraph G {\n  graph [rankdir=TB, nodesep=0.4, ranksep=0.5];\n  node [shape=box, fixedsize=true, label=\"\"];\n",
    );
    for (i, (w, h)) in graph.sizes.iter().enumerate() {
        let _ = writeln!(
            out,
            "  n{i} [width={:.3}, height={:.3}];",
            w / 72.0,
            h / 72.0
        );
    }
    for edge in &graph.edges {
        let _ = writeln!(out, "  n{} -> n{};", edge.from, edge.to);
    }
    out.push_str("}\n");
    Ok(out)
}

/// Crossings of a peer's layout: `coords` is dagre's JSON (`{"edges": [[[x, y], ...], ...]}`, one
/// polyline per graph edge, in graph order) or dot's `-Tplain` output.
pub fn peer_crossings(graph_path: &Path, coords: &Path) -> anyhow::Result<Value> {
    let graph = read_graph(graph_path)?;
    let text = std::fs::read_to_string(coords)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", coords.display()))?;
    let routes = if text.trim_start().starts_with('{') {
        dagre_routes(&text, graph.edges.len())?
    } else {
        dot_routes(&text, &graph)?
    };
    Ok(json!({ "crossings": count_crossings(&graph, &routes) }))
}

fn dagre_routes(text: &str, edge_count: usize) -> anyhow::Result<Vec<Vec<Pos2>>> {
    let value: Value = serde_json::from_str(text)?;
    let edges = value["edges"]
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("dagre output has no edges"))?;
    anyhow::ensure!(
        edges.len() == edge_count,
        "dagre output has {} edges, the graph {edge_count}",
        edges.len()
    );
    Ok(edges
        .iter()
        .map(|points| {
            points
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    #[allow(clippy::cast_possible_truncation)] // canvas coordinates
                    let point = Pos2::new(
                        p[0].as_f64().unwrap_or(0.0) as f32,
                        p[1].as_f64().unwrap_or(0.0) as f32,
                    );
                    point
                })
                .collect()
        })
        .collect())
}

/// Edges of `dot -Tplain`: `edge tail head n x1 y1 ... xn yn ...`, a cubic B-spline whose pieces
/// are sampled at t = 1/4, 1/2, 3/4, 1. Parallel edges are matched to the graph's edges in order.
fn dot_routes(text: &str, graph: &Graph) -> anyhow::Result<Vec<Vec<Pos2>>> {
    let mut by_ends: HashMap<(usize, usize), VecDeque<usize>> = HashMap::new();
    for (index, edge) in graph.edges.iter().enumerate() {
        by_ends
            .entry((edge.from, edge.to))
            .or_default()
            .push_back(index);
    }
    let mut routes = vec![Vec::new(); graph.edges.len()];
    let parse_node = |s: &str| s.strip_prefix('n').and_then(|s| s.parse::<usize>().ok());
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.first() != Some(&"edge") || fields.len() < 4 {
            continue;
        }
        let (Some(tail), Some(head), Ok(count)) = (
            parse_node(fields[1]),
            parse_node(fields[2]),
            fields[3].parse::<usize>(),
        ) else {
            anyhow::bail!("cannot read dot edge line: {line}");
        };
        let coords: Vec<f32> = fields
            .iter()
            .skip(4)
            .take(2 * count)
            .filter_map(|s| s.parse().ok())
            .collect();
        anyhow::ensure!(coords.len() == 2 * count, "short dot edge line: {line}");
        // Inches to points, so the sizes match the other tools' pixels.
        let controls: Vec<Pos2> = coords
            .chunks(2)
            .map(|c| Pos2::new(c[0] * 72.0, c[1] * 72.0))
            .collect();
        let Some(index) = by_ends.get_mut(&(tail, head)).and_then(VecDeque::pop_front) else {
            anyhow::bail!("dot output has an edge n{tail} -> n{head} the graph lacks");
        };
        routes[index] = sample_bspline(&controls);
    }
    Ok(routes)
}

fn sample_bspline(controls: &[Pos2]) -> Vec<Pos2> {
    let Some(&first) = controls.first() else {
        return Vec::new();
    };
    let mut points = vec![first];
    for piece in controls[1..].chunks_exact(3) {
        let p0 = *points.last().unwrap_or(&first);
        let (p1, p2, p3) = (piece[0], piece[1], piece[2]);
        for step in 1..=4 {
            #[allow(clippy::cast_precision_loss)] // 1..=4
            let t = step as f32 / 4.0;
            let u = 1.0 - t;
            let x = u * u * u * p0.x
                + 3.0 * u * u * t * p1.x
                + 3.0 * u * t * t * p2.x
                + t * t * t * p3.x;
            let y = u * u * u * p0.y
                + 3.0 * u * u * t * p1.y
                + 3.0 * u * t * t * p2.y
                + t * t * t * p3.y;
            points.push(Pos2::new(x, y));
        }
    }
    points
}

/// Proper crossings between the polylines of counted edges that share no end state, by a sweep
/// over segments sorted by their left end.
fn count_crossings(graph: &Graph, routes: &[Vec<Pos2>]) -> u64 {
    struct Segment {
        a: Pos2,
        b: Pos2,
        min_x: f32,
        max_x: f32,
        min_y: f32,
        max_y: f32,
        edge: usize,
    }
    let mut segments = Vec::new();
    for (edge, route) in routes.iter().enumerate() {
        if !graph.edges.get(edge).is_some_and(|e| e.counted) {
            continue;
        }
        for pair in route.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            segments.push(Segment {
                a,
                b,
                min_x: a.x.min(b.x),
                max_x: a.x.max(b.x),
                min_y: a.y.min(b.y),
                max_y: a.y.max(b.y),
                edge,
            });
        }
    }
    segments.sort_by(|s, t| s.min_x.total_cmp(&t.min_x));
    let adjacent = |e: usize, f: usize| {
        let (e, f) = (&graph.edges[e], &graph.edges[f]);
        e.from == f.from || e.from == f.to || e.to == f.from || e.to == f.to
    };
    let mut active: Vec<usize> = Vec::new();
    let mut crossings = 0_u64;
    for (index, segment) in segments.iter().enumerate() {
        active.retain(|&other| segments[other].max_x >= segment.min_x);
        for &other in &active {
            let o = &segments[other];
            if o.edge == segment.edge
                || o.max_y < segment.min_y
                || o.min_y > segment.max_y
                || adjacent(o.edge, segment.edge)
            {
                continue;
            }
            if properly_intersect(segment.a, segment.b, o.a, o.b) {
                crossings += 1;
            }
        }
        active.push(index);
    }
    crossings
}

fn orientation(a: Pos2, b: Pos2, c: Pos2) -> f64 {
    let (ax, ay, bx, by, cx, cy) = (
        f64::from(a.x),
        f64::from(a.y),
        f64::from(b.x),
        f64::from(b.y),
        f64::from(c.x),
        f64::from(c.y),
    );
    (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
}

fn properly_intersect(a: Pos2, b: Pos2, c: Pos2, d: Pos2) -> bool {
    let (o1, o2) = (orientation(a, b, c), orientation(a, b, d));
    let (o3, o4) = (orientation(c, d, a), orientation(c, d, b));
    o1 * o2 < 0.0 && o3 * o4 < 0.0
}

/// The state ids of a layout's nodes (for debugging exports).
#[allow(dead_code)]
fn node_ids(layout: &Layout) -> Vec<&StateId> {
    layout.nodes.iter().map(|node| &node.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(usize, usize)]) -> Graph {
        Graph {
            sizes: vec![(10.0, 10.0); 8],
            edges: edges
                .iter()
                .map(|&(from, to)| GraphEdge {
                    from,
                    to,
                    counted: true,
                })
                .collect(),
        }
    }

    #[test]
    fn an_x_is_one_crossing_and_a_shared_end_is_none() {
        let x = vec![
            vec![Pos2::new(0.0, 0.0), Pos2::new(10.0, 10.0)],
            vec![Pos2::new(0.0, 10.0), Pos2::new(10.0, 0.0)],
        ];
        assert_eq!(count_crossings(&graph(&[(0, 1), (2, 3)]), &x), 1);
        assert_eq!(count_crossings(&graph(&[(0, 1), (0, 3)]), &x), 0);
        let parallel = vec![
            vec![Pos2::new(0.0, 0.0), Pos2::new(10.0, 0.0)],
            vec![Pos2::new(0.0, 5.0), Pos2::new(10.0, 5.0)],
        ];
        assert_eq!(count_crossings(&graph(&[(0, 1), (2, 3)]), &parallel), 0);
    }

    #[test]
    fn orthogonal_routes_cross_where_a_vertical_meets_a_horizontal() {
        let routes = vec![
            vec![Pos2::new(5.0, 0.0), Pos2::new(5.0, 20.0)],
            vec![
                Pos2::new(0.0, 10.0),
                Pos2::new(3.0, 10.0),
                Pos2::new(8.0, 10.0),
                Pos2::new(8.0, 30.0),
            ],
        ];
        assert_eq!(count_crossings(&graph(&[(0, 1), (2, 3)]), &routes), 1);
    }
}
