//! Canvas tests: layout on the real corpus (no overlaps, nesting, determinism, 10,000 states),
//! hit-testing, culling, and input through a headless egui context.

use std::path::{Path, PathBuf};

use egui::{Pos2, Rect, Vec2, pos2, vec2};
use graph_model::{MachinePath, StateMachine, Transition};
use serde_json::{Value, json};

use super::layout::{Endpoint, Layout};
use super::view::Hit;
use super::*;
use crate::theme::METRICS;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data")
}

fn corpus_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            corpus_files(&path, out);
        } else if path.to_string_lossy().ends_with(".asl.json") {
            out.push(path);
        }
    }
}

fn machine(value: &Value) -> StateMachine {
    match StateMachine::from_value(value) {
        Ok(m) => m,
        Err(e) => panic!("test document is not an object: {e}"),
    }
}

fn generated(states: usize) -> StateMachine {
    generate(states, &[])
}

/// A flat machine of `states` states from the shared generator (`--depth 0`).
fn generated_flat(states: usize) -> StateMachine {
    generate(states, &["--depth", "0"])
}

/// Runs the shared generator of large definitions (tests/data/bench/gen_asl.py) with `options`.
fn generate(states: usize, options: &[&str]) -> StateMachine {
    let script = data_dir().join("bench/gen_asl.py");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(states.to_string())
        .args(options)
        .output();
    let output = match output {
        Ok(o) if o.status.success() => o,
        other => panic!("running {} failed: {other:?}", script.display()),
    };
    match serde_json::from_slice::<Value>(&output.stdout) {
        Ok(v) => machine(&v),
        Err(e) => panic!("generator output is not JSON: {e}"),
    }
}

/// Checks that no two boxes of one machine overlap, every nested frame lies inside its container,
/// every box lies inside its frame, and every edge stays inside its frame.
fn assert_well_formed(layout: &Layout, what: &str) {
    for (m, machine) in layout.machines.iter().enumerate() {
        let frame = Rect::from_min_size(Pos2::ZERO, machine.size);
        let mut rects: Vec<(Rect, String)> = machine
            .nodes
            .clone()
            .map(|n| (layout.nodes[n].rect, layout.nodes[n].id.name.clone()))
            .chain(machine.markers.clone().map(|k| {
                (
                    layout.markers[k].rect,
                    format!("{:?}", layout.markers[k].kind),
                )
            }))
            .collect();
        for (rect, name) in &rects {
            assert!(
                frame.expand(0.01).contains_rect(*rect),
                "{what}: {name} {rect:?} outside its frame {frame:?}"
            );
        }
        // Sweep along x: only boxes whose x ranges overlap can overlap.
        rects.sort_by(|a, b| a.0.min.x.total_cmp(&b.0.min.x));
        for i in 0..rects.len() {
            for j in i + 1..rects.len() {
                if rects[j].0.min.x >= rects[i].0.max.x {
                    break;
                }
                let overlap = rects[i].0.intersect(rects[j].0);
                assert!(
                    !(overlap.width() > 0.01 && overlap.height() > 0.01),
                    "{what}: {} and {} overlap in machine {m}",
                    rects[i].1,
                    rects[j].1
                );
            }
        }
        if let Some(owner) = machine.owner {
            let container = Rect::from_min_size(Pos2::ZERO, layout.nodes[owner].rect.size());
            let inner = Rect::from_min_size(Pos2::ZERO + machine.offset, machine.size);
            assert!(
                container.expand(0.01).contains_rect(inner),
                "{what}: frame of {:?} sticks out of its container",
                machine.path
            );
        }
        for e in machine.edges.clone() {
            for p in &layout.edges[e].points {
                assert!(
                    frame.expand(0.01).contains(*p),
                    "{what}: edge {e} leaves its frame at {p:?}"
                );
            }
        }
    }
    // Frames of one container do not overlap each other.
    for node in &layout.nodes {
        for (i, &a) in node.children.iter().enumerate() {
            for &b in &node.children[i + 1..] {
                let ra = Rect::from_min_size(
                    Pos2::ZERO + layout.machines[a].offset,
                    layout.machines[a].size,
                );
                let rb = Rect::from_min_size(
                    Pos2::ZERO + layout.machines[b].offset,
                    layout.machines[b].size,
                );
                assert!(
                    !ra.intersects(rb),
                    "{what}: branches of {} overlap",
                    node.id
                );
            }
        }
    }
}

#[test]
fn corpus_layouts_have_no_overlaps() {
    let mut files = Vec::new();
    corpus_files(&data_dir().join("corpus/real"), &mut files);
    assert!(files.len() > 100, "corpus not found: {} files", files.len());
    let mut laid_out = 0;
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let Ok(root) = StateMachine::from_value(&value) else {
            continue;
        };
        let layout = Layout::of(&root, &METRICS);
        assert_eq!(
            layout.nodes.len(),
            root.total_states(),
            "{}",
            file.display()
        );
        // Every transition whose target exists has an edge.
        let transitions: usize = root
            .all_machines()
            .iter()
            .map(|(_, m)| {
                m.states()
                    .map(|s| {
                        s.transitions()
                            .iter()
                            .filter(|(_, to)| m.contains(to))
                            .count()
                    })
                    .sum::<usize>()
            })
            .sum();
        let drawn = layout
            .edges
            .iter()
            .filter(|e| e.transition.is_some())
            .count();
        assert_eq!(drawn, transitions, "{}", file.display());
        assert_well_formed(&layout, &file.display().to_string());
        laid_out += 1;
    }
    assert!(laid_out > 100);
}

#[test]
fn layout_is_deterministic() {
    let root = generated(400);
    let a = Layout::of(&root, &METRICS);
    let b = Layout::of(&root, &METRICS);
    let rects = |l: &Layout| l.nodes.iter().map(|n| n.rect).collect::<Vec<_>>();
    let routes = |l: &Layout| l.edges.iter().map(|e| e.points.clone()).collect::<Vec<_>>();
    assert_eq!(rects(&a), rects(&b));
    assert_eq!(routes(&a), routes(&b));
}

#[test]
fn edits_that_change_no_box_or_transition_reuse_the_layout() {
    use super::layout::LayoutCache;
    use graph_model::{State, StateType};

    let rects = |l: &Layout| l.nodes.iter().map(|n| n.rect).collect::<Vec<_>>();
    let routes = |l: &Layout| l.edges.iter().map(|e| e.points.clone()).collect::<Vec<_>>();
    let mut root = generated(100);
    let machines = root.all_machines().len();
    assert!(machines > 1, "the generated machine nests Parallel and Map");
    let mut cache = LayoutCache::default();
    let first = Layout::of_cached(&root, &METRICS, &mut cache);
    assert_eq!(cache.reused(), 0);

    // A Comment changes no box: every machine is reused, and the result is a fresh layout's.
    let Some(name) = root.state_names().next().map(str::to_owned) else {
        panic!("the generated machine has states");
    };
    root.update_state(&name, |state| state.comment = Some("reviewed".to_owned()));
    let commented = Layout::of_cached(&root, &METRICS, &mut cache);
    assert_eq!(cache.reused(), machines);
    assert_eq!(rects(&commented), rects(&first));
    assert_eq!(routes(&commented), routes(&first));

    // A new top-level state changes the root's graph only: the nested machines are reused, and
    // the whole still equals a layout made from scratch.
    let mut added = State::new("Audit", StateType::Pass);
    added.end = Some(true);
    assert!(root.insert_state(root.len(), added));
    let grown = Layout::of_cached(&root, &METRICS, &mut cache);
    assert_eq!(cache.reused(), machines - 1);
    let fresh = Layout::of(&root, &METRICS);
    assert_eq!(rects(&grown), rects(&fresh));
    assert_eq!(routes(&grown), routes(&fresh));
    assert_ne!(rects(&grown), rects(&first));
}

#[test]
fn big_documents_are_laid_out_again_off_the_frame() {
    use graph_model::{State, StateType};

    let mut root = generated_flat(1_600);
    let mut view = CanvasView::new();
    // The first layout has nothing to show meanwhile: it is made at once.
    assert!(view.ensure_layout(&root, 1));
    assert!(!view.is_laying_out());
    let before = view.layout().nodes.len();

    let mut added = State::new("Audit", StateType::Pass);
    added.end = Some(true);
    assert!(root.insert_state(root.len(), added));
    let audit = StateId::new(MachinePath::root(), "Audit");
    // The edit starts a worker; the frame keeps the previous layout.
    view.ensure_layout(&root, 2);
    assert!(view.is_laying_out());
    assert_eq!(view.layout().nodes.len(), before);
    assert!(view.state_rect(&audit).is_none());

    let started = std::time::Instant::now();
    while view.is_laying_out() {
        assert!(
            started.elapsed().as_secs() < 120,
            "the background layout never landed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        view.ensure_layout(&root, 2);
    }
    assert_eq!(view.layout().nodes.len(), before + 1);
    assert!(view.state_rect(&audit).is_some());
    // It is the layout a frame would have made itself.
    let fresh = Layout::of(&root, &METRICS);
    let rects = |l: &Layout| l.nodes.iter().map(|n| n.rect).collect::<Vec<_>>();
    assert_eq!(rects(view.layout()), rects(&fresh));
    // Up to date: nothing more to do.
    assert!(!view.ensure_layout(&root, 2));
    assert!(!view.is_laying_out());
}

/// Boxes, markers, edge routes and machine frames (offset, size) of a layout.
type Placed = (Vec<Rect>, Vec<Rect>, Vec<Vec<Pos2>>, Vec<(Vec2, Vec2)>);

/// Everything a layout places, for comparing two layouts exactly.
fn placed(layout: &Layout) -> Placed {
    (
        layout.nodes.iter().map(|n| n.rect).collect(),
        layout.markers.iter().map(|k| k.rect).collect(),
        layout.edges.iter().map(|e| e.points.clone()).collect(),
        layout.machines.iter().map(|m| (m.offset, m.size)).collect(),
    )
}

#[test]
fn layout_in_slices_is_the_layout_made_at_once() {
    use super::budget::WorkBudget;
    use super::layout::{LayoutCache, LayoutJob};

    for (what, root) in [
        ("flat 1,600", generated_flat(1_600)),
        ("nested 1,600", generated(1_600)),
    ] {
        let at_once = Layout::of(&root, &METRICS);
        let mut cache = LayoutCache::default();
        let mut job = LayoutJob::new(&root, &mut cache);
        let mut slices = 0;
        let mut progress = 0.0;
        let sliced = loop {
            slices += 1;
            assert!(slices < 100_000, "{what}: the sliced layout never ends");
            match job.run(&root, &METRICS, &mut WorkBudget::units(5_000)) {
                Some(layout) => break layout,
                None => {
                    assert!(job.progress() >= progress, "{what}: progress went back");
                    progress = job.progress();
                }
            }
        };
        assert!(slices > 10, "{what}: made in {slices} slices");
        assert_eq!(sliced.nodes.len(), root.total_states(), "{what}");
        assert!(
            placed(&sliced) == placed(&at_once),
            "{what}: sliced layout differs"
        );
        assert_well_formed(&sliced, what);
        // What the flattening copies besides the geometry: ids, owners, ranges, edge ends.
        let structure = |l: &Layout| {
            (
                l.nodes
                    .iter()
                    .map(|n| (n.id.clone(), n.machine, n.children.clone()))
                    .collect::<Vec<_>>(),
                l.machines
                    .iter()
                    .map(|m| (m.path.clone(), m.owner, m.nodes.clone(), m.edges.clone()))
                    .collect::<Vec<_>>(),
                l.edges
                    .iter()
                    .map(|e| (e.machine, e.from, e.to, e.bounds))
                    .collect::<Vec<_>>(),
            )
        };
        assert!(
            structure(&sliced) == structure(&at_once),
            "{what}: sliced layout's structure differs"
        );
        for (i, node) in sliced.nodes.iter().enumerate() {
            assert_eq!(
                sliced.node_index(&node.id),
                Some(i),
                "{what}: {:?}",
                node.id
            );
        }
    }
}

#[test]
fn flattening_a_big_document_is_spread_over_slices() {
    use super::budget::WorkBudget;
    use super::layout::{LayoutCache, LayoutJob};

    // Once every machine is placed, copying 1,600 nested states into one list is
    // still several slices' work, not one long step.
    let root = generated(1_600);
    let mut cache = LayoutCache::default();
    let mut job = LayoutJob::new(&root, &mut cache);
    let mut slices_after_placing = 0;
    let sliced = loop {
        // Placing is all but the last 3 % of the progress.
        if job.progress() >= 0.97 {
            slices_after_placing += 1;
        }
        assert!(slices_after_placing < 100_000, "the flattening never ends");
        if let Some(layout) = job.run(&root, &METRICS, &mut WorkBudget::units(1_000)) {
            break layout;
        }
    };
    assert!(
        slices_after_placing > 5,
        "flattened in {slices_after_placing} slices"
    );
    assert!(placed(&sliced) == placed(&Layout::of(&root, &METRICS)));
}

#[test]
fn browser_canvas_lays_out_big_documents_across_frames() {
    use graph_model::{State, StateType};

    let mut root = generated_flat(1_600);
    let mut view = CanvasView::new();
    view.set_slice_budget(Some(SliceBudget::Units(20_000)));
    // The first frame starts the layout; the canvas has nothing to show yet but the progress.
    assert!(!view.ensure_layout(&root, 1));
    assert!(view.is_laying_out());
    assert!(view.layout().nodes.is_empty());
    let mut frames = 1;
    let mut progress_before_landing = 0.0;
    while !view.ensure_layout(&root, 1) {
        frames += 1;
        assert!(frames < 10_000, "the sliced layout never landed");
        let (progress, _) = view.slice_progress().expect("a layout in progress");
        progress_before_landing = progress;
    }
    assert!(frames > 3, "laid out in {frames} frames");
    // The slice that finished the layout (progress 1 only when done) did not also show it:
    // drawing a big document the first time is the next frame's work.
    assert!(
        progress_before_landing >= 1.0,
        "landed at progress {progress_before_landing}"
    );
    assert!(!view.is_laying_out());
    assert!(placed(view.layout()) == placed(&Layout::of(&root, &METRICS)));

    // An edit is laid out in slices too, the previous layout shown meanwhile.
    let before = view.layout().nodes.len();
    let mut added = State::new("Audit", StateType::Pass);
    added.end = Some(true);
    assert!(root.insert_state(root.len(), added));
    let audit = StateId::new(MachinePath::root(), "Audit");
    let mut frames = 0;
    while !view.ensure_layout(&root, 2) {
        frames += 1;
        assert!(frames < 10_000, "the sliced layout never landed");
        assert_eq!(view.layout().nodes.len(), before);
    }
    assert!(view.state_rect(&audit).is_some());
    assert!(placed(view.layout()) == placed(&Layout::of(&root, &METRICS)));
    assert!(!view.ensure_layout(&root, 2));
}

#[test]
fn a_small_document_fits_in_the_first_slice() {
    let root = generated(100);
    let mut view = CanvasView::new();
    view.set_slice_budget(Some(SliceBudget::Units(1_000_000)));
    assert!(view.ensure_layout(&root, 1));
    assert!(!view.is_laying_out());
    assert_eq!(view.layout().nodes.len(), root.total_states());
}

#[test]
fn small_documents_are_laid_out_on_the_frame() {
    let root = generated(100);
    let mut view = CanvasView::new();
    assert!(view.ensure_layout(&root, 1));
    assert!(view.ensure_layout(&root, 2));
    assert!(!view.is_laying_out());
}

#[test]
fn ten_thousand_states_lay_out() {
    let root = generated(10_000);
    let total = root.total_states();
    assert!(total > 9_000, "{total}");
    let started = std::time::Instant::now();
    let layout = Layout::of(&root, &METRICS);
    let elapsed = started.elapsed();
    assert_eq!(layout.nodes.len(), total);
    assert_well_formed(&layout, "gen_asl 10000");
    // Debug build: generous; the release benchmark measures the real time.
    assert!(elapsed.as_secs_f32() < 20.0, "{elapsed:?}");
}

fn sample() -> StateMachine {
    machine(&json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "C",
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}]},
            "C": {"Type": "Choice", "Choices": [
                    {"Variable": "$.x", "StringEquals": "a", "Next": "P"}],
                  "Default": "D"},
            "P": {"Type": "Parallel", "Next": "D", "Branches": [
                {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": true}}},
                {"StartAt": "B2", "States": {"B2": {"Type": "Wait", "Seconds": 1, "Next": "B3"},
                                              "B3": {"Type": "Succeed"}}}
            ]},
            "D": {"Type": "Succeed"},
            "F": {"Type": "Fail", "Error": "E"}
        }
    }))
}

fn view_of(root: &StateMachine) -> CanvasView {
    let mut view = CanvasView::new();
    view.ensure_layout(root, 1);
    view
}

fn center_of(view: &CanvasView, id: &StateId) -> Pos2 {
    match view.state_rect(id) {
        Some(r) => r.center(),
        None => panic!("{id} not laid out"),
    }
}

#[test]
fn labels_and_kinds_of_edges() {
    let root = sample();
    let layout = Layout::of(&root, &METRICS);
    let label = |from: &str, t: Transition| {
        layout
            .edges
            .iter()
            .find(|e| {
                e.transition == Some(t)
                    && e.from
                        == Endpoint::State(
                            layout
                                .node_index(&StateId::root(from))
                                .unwrap_or(usize::MAX),
                        )
            })
            .map(|e| e.label.clone())
    };
    assert_eq!(
        label("C", Transition::ChoiceRule(0)),
        Some(Some("$.x == \"a\"".to_owned()))
    );
    assert_eq!(
        label("C", Transition::Default),
        Some(Some("Default".to_owned()))
    );
    assert_eq!(
        label("A", Transition::Catch(0)),
        Some(Some("States.ALL".to_owned()))
    );
    assert_eq!(label("A", Transition::Next), Some(None));
    // Parallel branches side by side inside their container.
    let p = layout.node_index(&StateId::root("P")).unwrap_or(usize::MAX);
    let branches = &layout.nodes[p].children;
    assert_eq!(branches.len(), 2);
    let (b0, b1) = (&layout.machines[branches[0]], &layout.machines[branches[1]]);
    assert!(b0.offset.x + b0.size.x <= b1.offset.x);
    assert!((b0.offset.y - b1.offset.y).abs() < 0.01);
}

#[test]
fn hit_testing() {
    let root = sample();
    let mut view = view_of(&root);
    let a = StateId::root("A");
    let b2 = StateId::new(graph_model::MachinePath::root().branch("P", 1), "B2");
    let pa = center_of(&view, &a);
    let hit = view.hit(pa, None, &[]);
    assert_eq!(
        hit,
        Hit::Node(view.layout.node_index(&a).unwrap_or(usize::MAX))
    );
    // A state inside a branch wins over its container.
    let hit = view.hit(center_of(&view, &b2), None, &[]);
    assert_eq!(
        hit,
        Hit::Node(view.layout.node_index(&b2).unwrap_or(usize::MAX))
    );
    // Empty space inside the container picks the container.
    let p_index = view
        .layout
        .node_index(&StateId::root("P"))
        .unwrap_or(usize::MAX);
    let p_rect = view.placement.nodes[p_index];
    assert_eq!(
        view.hit(p_rect.left_top() + vec2(3.0, 3.0), None, &[]),
        Hit::Node(p_index)
    );
    // Middle of an edge.
    let next = view.find_edge(&a, Transition::Next).unwrap_or(usize::MAX);
    let mut points = Vec::new();
    view.placement.edge_points(&view.layout, next, &mut points);
    let mid = super::geometry::polyline_midpoint(&points).unwrap_or(Pos2::ZERO);
    assert_eq!(view.hit(mid, None, &[]), Hit::Edge(next));
    // The selected edge's end handle, and a state's connect handle.
    let end = *points.last().unwrap_or(&Pos2::ZERO);
    assert_eq!(view.hit(end, Some(next), &[]), Hit::EdgeEnd(next));
    let a_index = view.layout.node_index(&a).unwrap_or(usize::MAX);
    let handle = super::geometry::handle_center(view.placement.nodes[a_index]);
    assert_eq!(view.hit(handle, None, &[a_index]), Hit::Handle(a_index));
    // Far away.
    assert_eq!(view.hit(pos2(-5000.0, -5000.0), None, &[]), Hit::Background);
}

#[test]
fn culling_keeps_only_visible_boxes() {
    let root = generated(1_000);
    let view = view_of(&root);
    let everything = view.placement.bounds.expand(10.0);
    assert_eq!(
        view.visible_nodes(everything).len(),
        view.layout.nodes.len()
    );
    assert_eq!(
        view.visible_edges(everything).len(),
        view.layout.edges.len()
    );
    let start = view.placement.markers[view.layout.machines[0].markers.start];
    let corner = Rect::from_center_size(start.center(), vec2(800.0, 600.0));
    let visible = view.visible_nodes(corner);
    assert!(!visible.is_empty());
    assert!(
        visible.len() < view.layout.nodes.len() / 10,
        "{}",
        visible.len()
    );
    for n in 0..view.layout.nodes.len() {
        assert_eq!(
            visible.contains(&n),
            view.placement.nodes[n].intersects(corner),
            "{}",
            view.layout.nodes[n].id
        );
    }
}

#[test]
fn pins_move_states_and_survive_relayout_of_revisions() {
    let root = sample();
    let mut view = view_of(&root);
    let a = StateId::root("A");
    let before = view.state_rect(&a).unwrap_or(Rect::NOTHING);
    view.load_positions_sidecar(&json!({"positions": [{"state": "A", "x": 900, "y": 40}]}));
    let after = view.state_rect(&a).unwrap_or(Rect::NOTHING);
    assert_eq!(after.min, pos2(900.0, 40.0));
    assert_eq!(after.size(), before.size());
    // The edges at A now run straight to their targets.
    let next = view.find_edge(&a, Transition::Next).unwrap_or(usize::MAX);
    assert!(view.placement.straight[next]);
    // A new revision keeps the pin; relayout forgets it.
    view.ensure_layout(&root, 2);
    assert_eq!(view.state_rect(&a).map(|r| r.min), Some(pos2(900.0, 40.0)));
    view.relayout();
    view.ensure_layout(&root, 3);
    assert_eq!(view.state_rect(&a), Some(before));
    assert_eq!(
        view.positions_sidecar(),
        json!({"version": 1, "positions": []})
    );
}

#[test]
fn pins_inside_containers_stay_in_their_frame() {
    let root = sample();
    let mut view = view_of(&root);
    let b1 = StateId::new(graph_model::MachinePath::root().branch("P", 0), "B1");
    view.load_positions_sidecar(&json!({"positions": [
        {"machine": [["P", 0]], "state": "B1", "x": 5000, "y": -70}
    ]}));
    let rect = view.state_rect(&b1).unwrap_or(Rect::NOTHING);
    let frame =
        view.placement.frames[view.layout.nodes[view.layout.node_index(&b1).unwrap_or(0)].machine];
    assert!(frame.contains_rect(rect), "{rect:?} {frame:?}");
}

/// Runs frames of a headless egui context showing the canvas; returns the actions of the last.
struct Harness {
    ctx: egui::Context,
    view: CanvasView,
    root: StateMachine,
    selection: Selection,
    modifiers: egui::Modifiers,
}

impl Harness {
    fn new(root: StateMachine) -> Self {
        let mut harness = Self {
            ctx: egui::Context::default(),
            view: CanvasView::new(),
            root,
            selection: Selection::default(),
            modifiers: egui::Modifiers::NONE,
        };
        harness.frame(Vec::new());
        harness.frame(Vec::new());
        harness
    }

    fn frame(&mut self, events: Vec<egui::Event>) -> Vec<CanvasAction> {
        let input = egui::RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1200.0, 800.0))),
            events: std::iter::once(egui::Event::ModifiersChanged(self.modifiers))
                .chain(events)
                .collect(),
            ..egui::RawInput::default()
        };
        let mut actions = Vec::new();
        let mut output = self.ctx.run_ui(input, |ui| {
            actions = self.view.ui_machine(
                ui,
                &self.root,
                1,
                &self.selection,
                &CanvasOverlay::default(),
            );
        });
        output.textures_delta.clear();
        actions
    }

    fn screen_of(&self, id: &StateId) -> Pos2 {
        match self.view.state_screen_rect(id) {
            Some(r) => r.center(),
            None => panic!("{id} not on screen"),
        }
    }

    fn click(&mut self, at: Pos2, modifiers: egui::Modifiers) -> Vec<CanvasAction> {
        self.modifiers = modifiers;
        self.frame(vec![egui::Event::PointerMoved(at)]);
        self.frame(vec![button(at, true, modifiers)]);
        let actions = self.frame(vec![button(at, false, modifiers)]);
        self.modifiers = egui::Modifiers::NONE;
        actions
    }

    fn drag(&mut self, from: Pos2, to: Pos2) -> Vec<CanvasAction> {
        let mut actions = Vec::new();
        actions.extend(self.frame(vec![egui::Event::PointerMoved(from)]));
        actions.extend(self.frame(vec![button(from, true, egui::Modifiers::NONE)]));
        for step in 1..=5 {
            let p = from + (to - from) * (step as f32 / 5.0);
            actions.extend(self.frame(vec![egui::Event::PointerMoved(p)]));
        }
        actions.extend(self.frame(vec![button(to, false, egui::Modifiers::NONE)]));
        actions
    }
}

fn button(pos: Pos2, pressed: bool, modifiers: egui::Modifiers) -> egui::Event {
    egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers,
    }
}

#[test]
fn clicking_selects_and_shift_click_adds() {
    let mut h = Harness::new(sample());
    let a = StateId::root("A");
    let d = StateId::root("D");
    let at = h.screen_of(&a);
    let actions = h.click(at, egui::Modifiers::NONE);
    assert!(
        actions.contains(&CanvasAction::Select(vec![a.clone()])),
        "{actions:?}"
    );
    h.selection = Selection::single(a.clone());
    let at = h.screen_of(&d);
    let actions = h.click(at, egui::Modifiers::SHIFT);
    assert!(
        actions.contains(&CanvasAction::Select(vec![a.clone(), d.clone()])),
        "{actions:?}"
    );
    // Clicking empty space clears the selection.
    let actions = h.click(pos2(5.0, 5.0), egui::Modifiers::NONE);
    assert!(
        actions.contains(&CanvasAction::Select(Vec::new())),
        "{actions:?}"
    );
}

#[test]
fn dragging_from_the_handle_connects_and_dragging_a_state_pins_it() {
    let mut h = Harness::new(sample());
    let a = StateId::root("A");
    let d = StateId::root("D");
    h.selection = Selection::single(a.clone());
    h.frame(Vec::new());
    let handle = match h.view.state_screen_rect(&a) {
        Some(r) => pos2(r.center().x, r.bottom()),
        None => panic!("A not on screen"),
    };
    let target = h.screen_of(&d);
    let actions = h.drag(handle, target);
    assert!(
        actions.contains(&CanvasAction::Apply(Command::Connect {
            machine: graph_model::MachinePath::root(),
            from: "A".to_owned(),
            transition: Transition::Next,
            to: "D".to_owned(),
        })),
        "{actions:?}"
    );
    let before = h.view.state_rect(&d).unwrap_or(Rect::NOTHING);
    let start = h.screen_of(&d);
    let actions = h.drag(start, start + vec2(120.0, 30.0));
    assert!(
        actions.contains(&CanvasAction::PositionsChanged),
        "{actions:?}"
    );
    let after = h.view.state_rect(&d).unwrap_or(Rect::NOTHING);
    let moved = after.min - before.min;
    let zoom = h.view.zoom();
    assert!(
        (moved.x - 120.0 / zoom).abs() < 1.0,
        "{moved:?} at zoom {zoom}"
    );
    assert!(h.view.positions_sidecar()["positions"][0]["state"] == "D");
}

#[test]
fn palette_drop_on_an_edge_inserts_into_the_flow() {
    let root = sample();
    let mut view = view_of(&root);
    let a = StateId::root("A");
    let next = view.find_edge(&a, Transition::Next).unwrap_or(usize::MAX);
    let mut points = Vec::new();
    view.placement.edge_points(&view.layout, next, &mut points);
    let mid = super::geometry::polyline_midpoint(&points).unwrap_or(Pos2::ZERO);
    let payload = PaletteDrop {
        state: graph_model::State::new("A", graph_model::StateType::Pass),
    };
    let action = view.drop_action(&payload, mid, &root);
    let Some(CanvasAction::Apply(insert)) = action else {
        panic!("expected an edit, got {action:?}");
    };
    assert!(matches!(
        &insert,
        Command::InsertState { state, after: Some((from, Transition::Next)), .. }
            if state.name == "A 2" && from == "A"
    ));
    // Applied, A leads to the new state and the new state on to C, as one undo step.
    let mut doc = graph_model::Document::new(root.clone());
    doc.apply(insert).unwrap_or_else(|e| panic!("{e}"));
    let after = doc.root();
    assert_eq!(
        after.state("A").and_then(|s| s.next.as_deref()),
        Some("A 2")
    );
    assert_eq!(
        after.state("A 2").and_then(|s| s.next.as_deref()),
        Some("C")
    );
    assert_eq!(doc.history().len(), 1);
    // On empty space: added and pinned where it was dropped.
    let far = pos2(3000.0, 3000.0);
    let action = view.drop_action(&payload, far, &root);
    assert!(matches!(
        action,
        Some(CanvasAction::Apply(Command::AddState { .. }))
    ));
    let pinned = view.positions_sidecar();
    assert_eq!(pinned["positions"][0]["state"], "A 2");
}

#[test]
fn states_and_edges_are_accessible_by_name() {
    let mut h = Harness::new(sample());
    h.ctx.enable_accesskit();
    let mut output = h.ctx.run_ui(egui::RawInput::default(), |ui| {
        h.view
            .ui_machine(ui, &h.root, 1, &h.selection, &CanvasOverlay::default());
    });
    output.textures_delta.clear();
    let Some(update) = output.platform_output.accesskit_update else {
        panic!("no accessibility tree");
    };
    let labels: Vec<String> = update
        .nodes
        .iter()
        .filter_map(|(_, node)| node.label().map(str::to_owned))
        .collect();
    for expected in [
        "A",
        "C",
        "P",
        "B1",
        "B2",
        "A -> C (Next)",
        "C -> D (Default)",
        "A -> F (Catch 1)",
    ] {
        assert!(
            labels.iter().any(|l| l == expected),
            "{expected} missing from {labels:?}"
        );
    }
}

#[test]
fn segments_are_clipped_to_the_view() {
    use super::geometry::clip_segment;
    let view = Rect::from_min_max(pos2(0.0, 0.0), pos2(100.0, 100.0));
    assert_eq!(
        clip_segment(pos2(50.0, -1000.0), pos2(50.0, 1000.0), view),
        Some((pos2(50.0, 0.0), pos2(50.0, 100.0)))
    );
    assert_eq!(
        clip_segment(pos2(-10.0, 50.0), pos2(20.0, 50.0), view),
        Some((pos2(0.0, 50.0), pos2(20.0, 50.0)))
    );
    assert_eq!(
        clip_segment(pos2(150.0, 0.0), pos2(150.0, 90.0), view),
        None
    );
    assert_eq!(
        clip_segment(pos2(-5.0, -5.0), pos2(-1.0, 200.0), view),
        None
    );
}

/// The canvas of `root` drawn once in a 1400 x 1000 window.
fn show<'a>(view: &'a mut CanvasView, root: &'a StateMachine) -> egui_kittest::Harness<'a> {
    let mut harness = egui_kittest::Harness::builder()
        .with_size(vec2(1400.0, 1000.0))
        .build_ui(move |ui| {
            view.ui_machine(
                ui,
                root,
                1,
                &Selection::default(),
                &CanvasOverlay::default(),
            );
        });
    harness.run();
    harness
}

#[test]
#[ignore = "writes PNGs to /tmp/canvas_*.png for looking at the drawing; needs a software GPU"]
fn render_pngs() {
    let corpus = data_dir()
        .join("corpus/real/workflows-collection/parallel-human-approval__StateMachine.asl.json");
    let corpus = std::fs::read_to_string(corpus)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .map_or_else(sample, |v| machine(&v));
    for (name, root, zoom) in [
        ("sample", sample(), None),
        ("corpus", corpus, None),
        ("gen100", generated(100), Some(1.0)),
        ("gen1000", generated(1_000), None),
    ] {
        let mut view = CanvasView::new();
        drop(show(&mut view, &root));
        if let Some(z) = zoom {
            view.zoom_by(z / view.zoom());
        }
        let mut harness = show(&mut view, &root);
        match harness.render() {
            Ok(image) => {
                let _ = image.save(format!("/tmp/canvas_{name}.png"));
            }
            Err(e) => panic!("render failed: {e}"),
        }
    }
}

#[test]
fn from_a_fit_below_the_wheel_limit_the_view_zooms_in_but_not_further_out() {
    let mut view = CanvasView::new();
    view.camera.zoom = 0.0035;
    view.zoom_by(0.5);
    assert!((view.zoom() - 0.0035).abs() < 1e-7, "{}", view.zoom());
    view.zoom_by(2.0);
    assert!((view.zoom() - 0.007).abs() < 1e-7, "{}", view.zoom());
    // Above the limit, zooming out stops at it as before.
    view.camera.zoom = 0.02;
    view.zoom_by(0.1);
    assert!((view.zoom() - MIN_ZOOM).abs() < 1e-7, "{}", view.zoom());
}
