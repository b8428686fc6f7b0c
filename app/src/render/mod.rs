//! Pictures of a workflow outside the window: SVG, PNG and Mermaid, for `asl-studio render`,
//! `asl-studio diff --format svg` and the designer's File > Export diagram.
//!
//! The picture is the canvas's: [`Scene`] takes the designer's own layout
//! ([`crate::canvas::layout`]), the same label placement and the theme's colours, so a diagram in
//! a pull request looks like the one on screen. Only text sizes differ: the window measures text
//! with egui's fonts, a file estimates them from [`METRICS`] (a viewer may pick another font).

mod history;
mod mermaid;
#[cfg(all(feature = "png", not(target_arch = "wasm32")))]
mod png;
mod svg;

use std::collections::{HashMap, HashSet};

use egui::{Pos2, Rect, Vec2};
use graph_model::{StateMachine, Transition};

use crate::canvas::geometry::{LabelRequest, place_labels};
use crate::canvas::layout::{Endpoint, Layout, Placement};
use crate::overlay::RunOverlay;
use crate::selection::StateId;
use crate::theme::{METRICS, Theme};

pub use history::{HistoryError, overlay_from_history};
pub use mermaid::to_mermaid;
#[cfg(all(feature = "png", not(target_arch = "wasm32")))]
pub use png::{PngError, to_png};
pub use svg::to_svg;

/// The longest side a PNG may have: 32,767 pixels is the most common viewers and browsers open.
pub const MAX_PNG_SIDE: f32 = 32_767.0;

/// Largest PNG pixel count (400 MB of RGBA): a big machine at a big scale must fail clearly, not
/// exhaust memory.
pub const MAX_PNG_PIXELS: f32 = 100_000_000.0;

/// The pixel size of a PNG of `svg` (a picture of [`to_svg`]) at `scale`: its `width` and
/// `height` times the scale, rounded up, as resvg sizes it. Platforms that rasterise elsewhere
/// (the browser's canvas) size their picture with this.
///
/// # Errors
/// When the SVG has no size, or the PNG would be empty or larger than [`MAX_PNG_SIDE`] a side or
/// [`MAX_PNG_PIXELS`] in all.
pub fn png_size(svg: &str, scale: f32) -> Result<(u32, u32), String> {
    let root = svg
        .find("<svg")
        .and_then(|start| svg[start..].find('>').map(|end| &svg[start..start + end]))
        .ok_or("the picture has no <svg> element")?;
    let attribute = |name: &str| {
        let key = format!(" {name}=\"");
        let start = root.find(&key)? + key.len();
        let end = root[start..].find('"')?;
        root[start..start + end].parse::<f32>().ok()
    };
    let (Some(width), Some(height)) = (attribute("width"), attribute("height")) else {
        return Err("the picture has no width and height".to_owned());
    };
    let (width, height) = (width * scale, height * scale);
    let fits = width.is_finite()
        && height.is_finite()
        && width >= 1.0
        && height >= 1.0
        && width <= MAX_PNG_SIDE
        && height <= MAX_PNG_SIDE
        && width * height <= MAX_PNG_PIXELS;
    if !fits {
        return Err(format!(
            "the picture would be {width:.0}x{height:.0} pixels; choose a scale that gives \
             between 1 and {MAX_PNG_SIDE} pixels a side and {MAX_PNG_PIXELS} pixels in all"
        ));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // Checked just above.
    Ok((width.ceil() as u32, height.ceil() as u32))
}

/// What a build without the `png` feature says when asked for a PNG.
pub const NO_PNG: &str =
    "this asl-studio was built without PNG pictures (the `png` feature); SVG and Mermaid work";

/// Widest edge label in a picture before it is cut with an ellipsis (as on the canvas).
const MAX_LABEL_WIDTH: f32 = crate::canvas::labels::MAX_LABEL_WIDTH;

/// Estimated advance of one character of label text (`small_font`), in canvas units.
fn label_char_width() -> f32 {
    METRICS.char_width * METRICS.small_font / METRICS.name_font
}

/// Height of one line of label text with its padding.
fn label_height() -> f32 {
    METRICS.small_font * 1.3 + 2.0
}

/// How a state changed between two versions of a definition (see `asl-studio diff`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffMark {
    /// The state is new.
    Added,
    /// The state's fields or transitions changed.
    Changed,
    /// The state was renamed from this name (its content may have changed too).
    Renamed(String),
}

/// Marks of a comparison drawn over the NEW definition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiffMarks {
    /// Added, changed and renamed states.
    pub states: HashMap<StateId, DiffMark>,
    /// Transitions that are new or lead somewhere else now: source state and transition.
    pub edges: HashSet<(StateId, Transition)>,
    /// What NEW no longer has (removed states and transitions), one line each, listed in a note.
    pub removed: Vec<String>,
}

/// What a picture draws over the diagram.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    /// The path a run took (`--history`).
    pub run: Option<RunOverlay>,
    /// A comparison with another version.
    pub diff: Option<DiffMarks>,
}

/// How to draw a picture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenderOptions {
    /// The dark palette instead of the light one.
    pub dark: bool,
    /// Pixels per canvas unit (PNG only; an SVG scales by itself).
    pub scale: f32,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            dark: false,
            scale: 1.0,
        }
    }
}

impl RenderOptions {
    /// The palette.
    #[must_use]
    pub fn theme(&self) -> &'static Theme {
        Theme::for_dark_mode(self.dark)
    }
}

/// An edge label placed in the picture.
#[derive(Clone, Debug)]
pub struct SceneLabel {
    /// The edge it names (index into the layout's edges).
    pub edge: usize,
    /// Where it goes (canvas units).
    pub rect: Rect,
    /// The whole text.
    pub text: String,
    /// The text drawn: cut with an ellipsis to fit [`MAX_LABEL_WIDTH`].
    pub shown: String,
}

/// A laid-out document ready to draw: the canvas's layout with nothing pinned, edge labels placed,
/// and the bounds of the whole picture.
#[derive(Debug)]
pub struct Scene {
    /// The canvas's layout.
    pub layout: Layout,
    /// Absolute positions.
    pub placement: Placement,
    /// Placed edge labels.
    pub labels: Vec<SceneLabel>,
    /// Everything drawn, with a margin.
    pub bounds: Rect,
}

/// Cuts `text` to at most `max_chars` characters, ending with an ellipsis when cut.
fn cut(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

impl Scene {
    /// Lays out `root` as the designer does (no pinned positions) and places the edge labels.
    #[must_use]
    pub fn new(root: &StateMachine) -> Self {
        let layout = Layout::of(root, &METRICS);
        let placement = Placement::new(&layout, &HashMap::new());
        let labels = place_scene_labels(&layout, &placement);
        let mut bounds = placement.bounds;
        for label in &labels {
            bounds = bounds.union(label.rect);
        }
        if !bounds.is_finite() || !bounds.is_positive() {
            bounds = Rect::from_min_size(Pos2::ZERO, METRICS.marker_size);
        }
        let bounds = bounds.expand(METRICS.machine_padding);
        Self {
            layout,
            placement,
            labels,
            bounds,
        }
    }

    /// The absolute polyline of edge `e`.
    #[must_use]
    pub fn edge_points(&self, e: usize) -> Vec<Pos2> {
        let mut points = Vec::new();
        self.placement.edge_points(&self.layout, e, &mut points);
        points
    }

    /// The state an edge leaves and its transition, when it is a transition (not a Start or End
    /// line).
    #[must_use]
    pub fn edge_transition(&self, e: usize) -> Option<(&StateId, Transition)> {
        let route = self.layout.edges.get(e)?;
        let transition = route.transition?;
        match route.from {
            Endpoint::State(n) => Some((&self.layout.nodes.get(n)?.id, transition)),
            Endpoint::Marker(_) => None,
        }
    }
}

/// Places every edge label with the canvas's placement rules (no overlaps, clear of markers,
/// arrowheads and, preferably, states).
fn place_scene_labels(layout: &Layout, placement: &Placement) -> Vec<SceneLabel> {
    let max_chars = (MAX_LABEL_WIDTH / label_char_width()).floor().max(4.0) as usize;
    let mut edges = Vec::new();
    let mut polylines = Vec::new();
    let mut sizes = Vec::new();
    let mut points = Vec::new();
    for (e, route) in layout.edges.iter().enumerate() {
        let (Some(text), Endpoint::State(from)) = (&route.label, route.from) else {
            continue;
        };
        placement.edge_points(layout, e, &mut points);
        let shown = cut(text, max_chars);
        let width = shown.chars().count() as f32 * label_char_width() + 4.0;
        edges.push((e, from, text.clone(), shown));
        polylines.push(points.clone());
        sizes.push(Vec2::new(width, label_height()));
    }
    let requests: Vec<LabelRequest<'_>> = edges
        .iter()
        .zip(&polylines)
        .zip(&sizes)
        .map(|((&(_, group, _, _), points), &size)| LabelRequest {
            points,
            size,
            group,
        })
        .collect();
    let mut hard: Vec<Rect> = placement.markers.clone();
    let arrow = METRICS.arrow_size;
    for e in 0..layout.edges.len() {
        placement.edge_points(layout, e, &mut points);
        if let Some(tip) = points.last() {
            hard.push(Rect::from_center_size(
                *tip - Vec2::new(0.0, arrow * 0.5),
                Vec2::splat(arrow),
            ));
        }
    }
    let soft: Vec<Rect> = layout
        .nodes
        .iter()
        .zip(&placement.nodes)
        .filter(|(node, _)| !node.is_container())
        .map(|(_, rect)| *rect)
        .collect();
    let rects = place_labels(&requests, &hard, &soft);
    edges
        .into_iter()
        .zip(rects)
        .map(|((edge, _, text, shown), rect)| SceneLabel {
            edge,
            rect,
            text,
            shown,
        })
        .collect()
}

/// The marks of a comparison, drawn over NEW (by `diff --format svg` and the designer's
/// Compare with file…).
#[must_use]
pub fn diff_marks(comparison: &graph_model::compare::Comparison, new: &StateMachine) -> DiffMarks {
    let mut marks = DiffMarks::default();
    let id = |state: &graph_model::compare::StateRef| {
        StateId::new(state.machine.clone(), state.name.clone())
    };
    for change in &comparison.changes {
        match change {
            graph_model::compare::Change::Added { state } => {
                marks.states.insert(id(state), DiffMark::Added);
                let transitions: Vec<Transition> = new
                    .machine_at(&state.machine)
                    .and_then(|m| m.state(&state.name))
                    .map(|s| s.transitions().into_iter().map(|(t, _)| t).collect())
                    .unwrap_or_default();
                for transition in transitions {
                    marks.edges.insert((id(state), transition));
                }
            }
            graph_model::compare::Change::Removed { state } => {
                marks.removed.push(format!("state {}", state.name))
            }
            graph_model::compare::Change::Renamed { old, new } => {
                marks
                    .states
                    .insert(id(new), DiffMark::Renamed(old.name.clone()));
            }
            graph_model::compare::Change::Field {
                state: Some(state), ..
            } => {
                marks.states.entry(id(state)).or_insert(DiffMark::Changed);
            }
            graph_model::compare::Change::Field { state: None, .. } => {}
            graph_model::compare::Change::Rewired {
                state,
                transition,
                old,
                new: target,
                ..
            } => {
                marks.states.entry(id(state)).or_insert(DiffMark::Changed);
                if target.is_some() {
                    marks.edges.insert((id(state), *transition));
                } else if let Some(old) = old {
                    marks.removed.push(format!(
                        "{} of {} (to {old})",
                        graph_model::describe_transition(*transition),
                        state.name
                    ));
                }
            }
        }
    }
    marks
}

/// Per-node and per-edge marks resolved to layout indices.
#[derive(Debug, Default)]
pub(crate) struct ResolvedMarks {
    pub run_states: HashMap<usize, crate::overlay::RunStatus>,
    pub run_retries: HashMap<usize, u32>,
    pub taken: HashSet<usize>,
    pub run_shown: bool,
    pub diff_states: HashMap<usize, DiffMark>,
    pub diff_edges: HashSet<usize>,
    pub removed: Vec<String>,
}

impl ResolvedMarks {
    pub(crate) fn new(scene: &Scene, marks: &Marks) -> Self {
        let mut out = Self::default();
        let layout = &scene.layout;
        // Edges by (state, transition), built once: a run over thousands of states asks for many.
        let mut edge_index: HashMap<(&StateId, Transition), usize> = HashMap::new();
        for e in 0..layout.edges.len() {
            if let Some(key) = scene.edge_transition(e) {
                edge_index.insert(key, e);
            }
        }
        if let Some(run) = &marks.run {
            out.run_shown = true;
            for (id, status) in &run.states {
                if let Some(n) = layout.node_index(id) {
                    out.run_states.insert(n, *status);
                }
            }
            for (id, count) in &run.retries {
                if let Some(n) = layout.node_index(id) {
                    out.run_retries.insert(n, *count);
                }
            }
            for (id, transition) in &run.taken_edges {
                if let Some(&e) = edge_index.get(&(id, *transition)) {
                    out.taken.insert(e);
                }
            }
        }
        if let Some(diff) = &marks.diff {
            for (id, mark) in &diff.states {
                if let Some(n) = layout.node_index(id) {
                    out.diff_states.insert(n, mark.clone());
                }
            }
            for (id, transition) in &diff.edges {
                if let Some(&e) = edge_index.get(&(id, *transition)) {
                    out.diff_edges.insert(e);
                }
            }
            out.removed = diff.removed.clone();
        }
        out
    }
}
