//! Edge labels: their texts (a Choice rule's condition such as `$.x == "a"`, "Default", a Catch's
//! error names), where they go, and drawing them.
//!
//! Labels are placed along their own edges, beside the line, so that no two labels overlap and
//! none covers a state, a Start/End marker or an arrowhead; a label sits where its edge no longer
//! shares its line with the other edges leaving the same state, so it is clear which edge it
//! names. Past [`MAX_LABEL_WIDTH`] a label is cut with an ellipsis; hovering it shows it whole.

use std::collections::HashMap;

use egui::text::{LayoutJob, TextFormat, TextWrapping};
use egui::{FontId, Pos2, Rect, Vec2, pos2, vec2};
use graph_model::{ChoiceRule, ComparisonOperator, Condition, Transition};
use serde_json::Value;

use super::layout::Endpoint;
use super::view::distance_to_polyline;
use super::{Camera, CanvasView};
use crate::theme::{METRICS, Theme};

/// Longest label text kept, in characters (the tooltip of a pathological condition is not a
/// wall of text); the canvas cuts labels much shorter, by width.
const MAX_LABEL_CHARS: usize = 160;

/// Widest label on the canvas (canvas units, at 100 % zoom) before it is cut with an ellipsis.
pub const MAX_LABEL_WIDTH: f32 = 150.0;

/// Gap between a label and its edge, and between labels (canvas units).
const LABEL_GAP: f32 = 3.0;

/// A readable form of a Choice rule's condition (cut with an ellipsis only when very long).
#[must_use]
pub fn rule_label(rule: &ChoiceRule) -> String {
    elide(&condition_text(&rule.condition, 0))
}

/// The error names of a catcher, comma separated (`States.ALL`).
#[must_use]
pub fn catch_label(errors: Option<&Vec<String>>) -> String {
    match errors {
        Some(list) if !list.is_empty() => elide(&list.join(", ")),
        _ => "catch".to_owned(),
    }
}

/// Cuts a label text to [`MAX_LABEL_CHARS`] characters.
fn elide(text: &str) -> String {
    if text.chars().count() <= MAX_LABEL_CHARS {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(MAX_LABEL_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

fn condition_text(condition: &Condition, depth: usize) -> String {
    // Deeply nested rules become "…" rather than walls of text.
    if depth > 2 {
        return "…".to_owned();
    }
    match condition {
        Condition::Comparison {
            variable,
            operator,
            operand,
        } => comparison_text(variable.as_deref().unwrap_or("?"), *operator, operand),
        Condition::And(rules) => join(rules, " && ", depth),
        Condition::Or(rules) => join(rules, " || ", depth),
        Condition::Not(rule) => format!("!({})", condition_text(&rule.condition, depth + 1)),
        Condition::Jsonata(text) => {
            let inner = text.trim();
            let inner = inner
                .strip_prefix("{%")
                .and_then(|t| t.strip_suffix("%}"))
                .unwrap_or(inner);
            inner.trim().to_owned()
        }
        Condition::Malformed => "(invalid rule)".to_owned(),
    }
}

fn join(rules: &[ChoiceRule], separator: &str, depth: usize) -> String {
    let parts: Vec<String> = rules
        .iter()
        .map(|r| {
            let text = condition_text(&r.condition, depth + 1);
            if matches!(r.condition, Condition::And(_) | Condition::Or(_)) {
                format!("({text})")
            } else {
                text
            }
        })
        .collect();
    parts.join(separator)
}

fn comparison_text(variable: &str, operator: ComparisonOperator, operand: &Value) -> String {
    use ComparisonOperator as C;
    let symbol = match operator {
        C::StringEquals
        | C::StringEqualsPath
        | C::NumericEquals
        | C::NumericEqualsPath
        | C::BooleanEquals
        | C::BooleanEqualsPath
        | C::TimestampEquals
        | C::TimestampEqualsPath => "==",
        C::StringLessThan
        | C::StringLessThanPath
        | C::NumericLessThan
        | C::NumericLessThanPath
        | C::TimestampLessThan
        | C::TimestampLessThanPath => "<",
        C::StringGreaterThan
        | C::StringGreaterThanPath
        | C::NumericGreaterThan
        | C::NumericGreaterThanPath
        | C::TimestampGreaterThan
        | C::TimestampGreaterThanPath => ">",
        C::StringLessThanEquals
        | C::StringLessThanEqualsPath
        | C::NumericLessThanEquals
        | C::NumericLessThanEqualsPath
        | C::TimestampLessThanEquals
        | C::TimestampLessThanEqualsPath => "<=",
        C::StringGreaterThanEquals
        | C::StringGreaterThanEqualsPath
        | C::NumericGreaterThanEquals
        | C::NumericGreaterThanEqualsPath
        | C::TimestampGreaterThanEquals
        | C::TimestampGreaterThanEqualsPath => ">=",
        C::StringMatches => "matches",
        C::IsNull | C::IsPresent | C::IsNumeric | C::IsString | C::IsBoolean | C::IsTimestamp => {
            let what = match operator {
                C::IsNull => "null",
                C::IsPresent => "present",
                C::IsNumeric => "numeric",
                C::IsString => "string",
                C::IsBoolean => "boolean",
                _ => "timestamp",
            };
            let negated = matches!(operand, Value::Bool(false));
            return format!(
                "{variable} {} {what}",
                if negated { "is not" } else { "is" }
            );
        }
    };
    let operand_text = match operand {
        // Path operands are shown bare; literals as JSON (strings quoted).
        Value::String(s) if operator.takes_path() => s.clone(),
        other => other.to_string(),
    };
    format!("{variable} {symbol} {operand_text}")
}

/// A label to place: the polyline of its edge and the label's size (canvas units), and the
/// state its edge leaves (labels of edges from the same state are told apart).
#[derive(Clone, Copy, Debug)]
pub struct LabelRequest<'a> {
    /// The edge's polyline, source first.
    pub points: &'a [Pos2],
    /// The label's size.
    pub size: Vec2,
    /// The source state (node index), grouping sibling edges.
    pub group: usize,
}

/// Rects in a uniform grid, for "does anything here intersect" in near-constant time.
struct RectGrid {
    cell: f32,
    cells: HashMap<(i32, i32), Vec<usize>>,
    rects: Vec<Rect>,
}

impl RectGrid {
    fn new(cell: f32) -> Self {
        Self {
            cell,
            cells: HashMap::new(),
            rects: Vec::new(),
        }
    }

    #[allow(clippy::cast_possible_truncation)] // Canvas coordinates are far inside i32.
    fn span(&self, r: Rect) -> (std::ops::RangeInclusive<i32>, std::ops::RangeInclusive<i32>) {
        let cell = |v: f32| (v / self.cell).floor() as i32;
        (cell(r.min.x)..=cell(r.max.x), cell(r.min.y)..=cell(r.max.y))
    }

    fn insert(&mut self, r: Rect) {
        if !r.is_finite() || !r.is_positive() {
            return;
        }
        let index = self.rects.len();
        self.rects.push(r);
        let (xs, ys) = self.span(r);
        for x in xs {
            for y in ys.clone() {
                self.cells.entry((x, y)).or_default().push(index);
            }
        }
    }

    /// The area of `r` covered by the rects (overlaps counted once per rect).
    fn overlap(&self, r: Rect) -> f32 {
        let (xs, ys) = self.span(r);
        let mut seen: Vec<usize> = Vec::new();
        let mut area = 0.0;
        for x in xs {
            for y in ys.clone() {
                for &i in self.cells.get(&(x, y)).map_or(&[][..], Vec::as_slice) {
                    if seen.contains(&i) {
                        continue;
                    }
                    seen.push(i);
                    let both = self.rects[i].intersect(r);
                    if both.is_positive() {
                        area += both.area();
                    }
                }
            }
        }
        area
    }

    fn hits(&self, r: Rect) -> bool {
        let (xs, ys) = self.span(r);
        xs.into_iter().any(|x| {
            ys.clone().any(|y| {
                self.cells.get(&(x, y)).is_some_and(|list| {
                    list.iter()
                        .any(|&i| self.rects[i].intersect(r).is_positive())
                })
            })
        })
    }
}

/// Spots along a polyline where a label may go: for each, the point on the line and the label
/// rects beside it (right then left of a vertical run, above then below a horizontal one). The
/// last `keep_off_end` units (the arrowhead) are left alone.
fn candidate_spots(points: &[Pos2], size: Vec2, keep_off_end: f32) -> Vec<(Pos2, [Rect; 2])> {
    let mut spots = Vec::new();
    let total: f32 = points.windows(2).map(|w| w[0].distance(w[1])).sum();
    let usable = total - keep_off_end;
    if usable <= 0.0 {
        return spots;
    }
    // About 60 spots per edge at most: long edges are sampled more coarsely.
    let step = (usable / 60.0).max(4.0);
    let mut walked = 0.0;
    let mut along = step.min(usable * 0.5);
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let length = a.distance(b);
        if length <= 0.0 {
            continue;
        }
        let direction = (b - a) / length;
        while along <= (walked + length).min(usable) {
            let p = a + direction * (along - walked);
            let rects = if direction.y.abs() >= direction.x.abs() {
                let top = p.y - size.y * 0.5;
                [
                    Rect::from_min_size(pos2(p.x + LABEL_GAP + 1.0, top), size),
                    Rect::from_min_size(pos2(p.x - LABEL_GAP - 1.0 - size.x, top), size),
                ]
            } else {
                let left = p.x - size.x * 0.5;
                [
                    Rect::from_min_size(pos2(left, p.y - LABEL_GAP - size.y), size),
                    Rect::from_min_size(pos2(left, p.y + LABEL_GAP), size),
                ]
            };
            spots.push((p, rects));
            along += step;
        }
        walked += length;
    }
    spots
}

/// Whether a polyline passes through a rect.
fn crosses(points: &[Pos2], rect: Rect) -> bool {
    points
        .windows(2)
        .any(|w| super::paint::clip_segment(w[0], w[1], rect).is_some())
}

/// Places labels, in the order given, so that no two overlap: each goes to the first spot along
/// its edge that is free of the labels placed before it and of `hard` obstacles (markers,
/// arrowheads) and, preferably, of `soft` ones (states), at a point of the edge that no sibling
/// edge (same group) runs through. When no spot is free, the one overlapping least is taken.
#[must_use]
pub fn place_labels(requests: &[LabelRequest<'_>], hard: &[Rect], soft: &[Rect]) -> Vec<Rect> {
    let cell = 64.0;
    let mut hard_grid = RectGrid::new(cell);
    for r in hard {
        hard_grid.insert(*r);
    }
    let mut soft_grid = RectGrid::new(cell);
    for r in soft {
        soft_grid.insert(*r);
    }
    let mut placed = RectGrid::new(cell);
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, request) in requests.iter().enumerate() {
        groups.entry(request.group).or_default().push(i);
    }
    let mut out = Vec::with_capacity(requests.len());
    let arrow = METRICS.arrow_size + 2.0;
    for (i, request) in requests.iter().enumerate() {
        let spots = candidate_spots(request.points, request.size, arrow);
        let siblings: Vec<&[Pos2]> = groups
            .get(&request.group)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(|&&j| j != i)
            .map(|&j| requests[j].points)
            .collect();
        // A spot names its edge clearly when no sibling runs through it (sibling routes run a
        // few units apart where they share a direction) and the label crosses no sibling.
        let own = |p: Pos2| siblings.iter().all(|s| distance_to_polyline(p, s) >= 4.0);
        let clear = |r: Rect| !siblings.iter().any(|s| crosses(s, r));
        let padded = |r: Rect| r.expand(LABEL_GAP * 0.5);
        let free = |r: Rect| !placed.hits(padded(r)) && !hard_grid.hits(r.expand(1.0));
        let all = || spots.iter().flat_map(|(_, rects)| rects.iter().copied());
        let owned = || {
            spots
                .iter()
                .filter(|(p, _)| own(*p))
                .flat_map(|(_, rects)| rects.iter().copied())
        };
        let pick = owned()
            .find(|r| free(*r) && !soft_grid.hits(*r) && clear(*r))
            .or_else(|| owned().find(|r| free(*r) && !soft_grid.hits(*r)))
            .or_else(|| all().find(|r| free(*r) && !soft_grid.hits(*r)))
            .or_else(|| all().find(|r| free(*r)))
            .or_else(|| {
                all()
                    .map(|r| (placed.overlap(padded(r)) * 4.0 + hard_grid.overlap(r), r))
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, r)| r)
            });
        let rect = pick.unwrap_or_else(|| {
            // An edge too short for any spot: beside its start.
            let start = request.points.first().copied().unwrap_or(Pos2::ZERO);
            Rect::from_min_size(start + vec2(LABEL_GAP, 0.0), request.size)
        });
        placed.insert(rect);
        out.push(rect);
    }
    out
}

/// A label placed on the canvas.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PlacedLabel {
    /// The edge it names.
    pub edge: usize,
    /// Where it is drawn (canvas units).
    pub rect: Rect,
    /// The whole text (shown on hover when cut).
    pub text: String,
    /// Whether it is cut with an ellipsis at [`MAX_LABEL_WIDTH`].
    pub elided: bool,
    /// Whether it names a Catch edge (drawn in the error colour).
    pub catch: bool,
}

/// Labels placed for one layout and placement.
#[derive(Debug, Default)]
pub(crate) struct EdgeLabels {
    /// The layout's label texts by edge, taken out of the layout: the canvas draws them here.
    pub texts: Vec<Option<String>>,
    /// Placed labels, in edge order.
    pub placed: Vec<PlacedLabel>,
    /// What the placement was made for: layout key and a fingerprint of the positions.
    key: Option<((u64, usize, usize), u64)>,
    /// The part of the canvas whose labels were placed (the view with a margin around it): a
    /// large document's labels are placed only where the user looks.
    region: Option<Rect>,
}

fn label_job(text: &str, font: FontId, width: f32, color: egui::Color32) -> LayoutJob {
    let mut job = LayoutJob::single_section(
        text.to_owned(),
        TextFormat {
            font_id: font,
            color,
            ..TextFormat::default()
        },
    );
    job.wrap = TextWrapping::truncate_at_width(width);
    job
}

impl EdgeLabels {
    /// Labels with these texts (by edge), not yet placed.
    pub fn new(texts: Vec<Option<String>>) -> Self {
        Self {
            texts,
            ..Self::default()
        }
    }
}

impl CanvasView {
    /// A cheap fingerprint of where states and markers are, so labels are placed again only when
    /// something moved.
    fn placement_fingerprint(&self) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut mix = |v: f32| {
            hash ^= u64::from(v.to_bits());
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        };
        for r in self.placement.nodes.iter().chain(&self.placement.markers) {
            mix(r.min.x);
            mix(r.min.y);
            mix(r.max.x);
            mix(r.max.y);
        }
        for straight in &self.placement.straight {
            mix(f32::from(u8::from(*straight)));
        }
        hash
    }

    /// Places the edge labels in and around the view (again, if the layout or a position changed
    /// or the view moved out of the placed region).
    pub(crate) fn update_labels(&mut self, painter: &egui::Painter, view: Rect) {
        let Some(layout_key) = self.layout_key else {
            return;
        };
        let key = (layout_key, self.placement_fingerprint());
        if self.labels.key == Some(key) && self.labels.region.is_some_and(|r| r.contains_rect(view))
        {
            return;
        }
        // Half a view of margin on each side: panning a little does not place labels again, and
        // labels near the edge of the view see their neighbours just outside it.
        let region = view.expand2(view.size() * 0.5);
        let in_region = |e: usize| {
            self.placement
                .edge_bounds(&self.layout, e)
                .intersects(region)
        };
        let font = FontId::proportional(METRICS.small_font);
        let mut edges = Vec::new();
        let mut polylines = Vec::new();
        let mut sizes = Vec::new();
        let mut texts = Vec::new();
        let mut points = Vec::new();
        for (e, text) in self.labels.texts.iter().enumerate() {
            let Some(text) = text else { continue };
            if !in_region(e) {
                continue;
            }
            let route = &self.layout.edges[e];
            let Endpoint::State(from) = route.from else {
                continue;
            };
            let galley = painter.layout_job(label_job(
                text,
                font.clone(),
                MAX_LABEL_WIDTH,
                egui::Color32::PLACEHOLDER,
            ));
            self.placement.edge_points(&self.layout, e, &mut points);
            edges.push((e, from, galley.elided));
            polylines.push(points.clone());
            sizes.push(galley.size() + Vec2::splat(2.0));
            texts.push(text.clone());
        }
        let requests: Vec<LabelRequest<'_>> = edges
            .iter()
            .zip(&polylines)
            .zip(&sizes)
            .map(|((&(_, group, _), points), &size)| LabelRequest {
                points,
                size,
                group,
            })
            .collect();
        // Start/End markers and every arrowhead must stay visible; states preferably too
        // (containers hold edges and labels inside, so they are no obstacle).
        let mut hard: Vec<Rect> = self
            .placement
            .markers
            .iter()
            .filter(|r| r.intersects(region))
            .copied()
            .collect();
        let arrow = METRICS.arrow_size;
        for e in (0..self.layout.edges.len()).filter(|&e| in_region(e)) {
            self.placement.edge_points(&self.layout, e, &mut points);
            if let Some(tip) = points.last() {
                hard.push(Rect::from_center_size(
                    *tip - vec2(0.0, arrow * 0.5),
                    Vec2::splat(arrow),
                ));
            }
        }
        let soft: Vec<Rect> = self
            .layout
            .nodes
            .iter()
            .zip(&self.placement.nodes)
            .filter(|(node, rect)| !node.is_container() && rect.intersects(region))
            .map(|(_, rect)| *rect)
            .collect();
        let rects = place_labels(&requests, &hard, &soft);
        self.labels.placed = edges
            .iter()
            .zip(rects)
            .zip(texts)
            .map(|((&(edge, _, elided), rect), text)| PlacedLabel {
                edge,
                rect,
                text,
                elided,
                catch: matches!(
                    self.layout.edges[edge].transition,
                    Some(Transition::Catch(_))
                ),
            })
            .collect();
        self.labels.key = Some(key);
        self.labels.region = Some(region);
    }

    /// Draws the placed labels that are in view; hovering a cut one shows its whole text.
    pub(crate) fn paint_labels(
        &self,
        ui: &egui::Ui,
        painter: &egui::Painter,
        theme: &Theme,
        camera: Camera,
        origin: Pos2,
        view: Rect,
    ) {
        let zoom = camera.zoom;
        let font = FontId::proportional(METRICS.small_font * zoom);
        let pointer = ui.input(|i| i.pointer.hover_pos());
        let mut hovered = None;
        for label in &self.labels.placed {
            if !label.rect.intersects(view) {
                continue;
            }
            let rect = camera.rect_to_screen(origin, label.rect);
            let color = if label.catch { theme.error } else { theme.text };
            painter.rect_filled(
                rect.shrink(1.0 * zoom).expand(1.5 * zoom.min(1.0)),
                egui::CornerRadius::same(3),
                theme.label_background,
            );
            let galley = painter.layout_job(label_job(
                &label.text,
                font.clone(),
                MAX_LABEL_WIDTH * zoom,
                color,
            ));
            painter.galley(rect.min + Vec2::splat(zoom), galley, color);
            if label.elided && pointer.is_some_and(|p| rect.contains(p)) {
                hovered = Some(label);
            }
        }
        if let Some(label) = hovered {
            egui::Tooltip::always_open(
                ui.ctx().clone(),
                ui.layer_id(),
                ui.scope_id().with(("edge_label", label.edge)),
                egui::PopupAnchor::Pointer,
            )
            .show(|ui| ui.label(&label.text));
        }
    }

    /// The edge labels drawn now: each edge's text and its rect on screen (for tests and tools).
    #[must_use]
    pub fn edge_label_rects(&self) -> Vec<(String, Rect)> {
        let origin = self.last_rect.map_or(Pos2::ZERO, |r| r.min);
        self.labels
            .placed
            .iter()
            .map(|l| (l.text.clone(), self.camera.rect_to_screen(origin, l.rect)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::{pos2, vec2};
    use serde_json::json;

    fn rule(value: Value) -> ChoiceRule {
        let machine = graph_model::StateMachine::from_value(&json!({
            "StartAt": "C",
            "States": {"C": {"Type": "Choice", "Choices": [value], "Default": "C"}}
        }));
        let Ok(machine) = machine else {
            panic!("test machine is an object");
        };
        match machine.state("C").map(|s| &s.kind) {
            Some(graph_model::StateKind::Choice(c)) => {
                c.choices.clone().unwrap_or_default()[0].clone()
            }
            other => panic!("not a choice: {other:?}"),
        }
    }

    #[test]
    fn short_forms() {
        assert_eq!(
            rule_label(&rule(
                json!({"Variable": "$.x", "StringEquals": "a", "Next": "C"})
            )),
            "$.x == \"a\""
        );
        assert_eq!(
            rule_label(&rule(
                json!({"Variable": "$.n", "NumericGreaterThanPath": "$.m", "Next": "C"})
            )),
            "$.n > $.m"
        );
        assert_eq!(
            rule_label(&rule(json!({"And": [
                {"Variable": "$.f", "IsPresent": true},
                {"Not": {"Variable": "$.f", "BooleanEquals": false}}
            ], "Next": "C"}))),
            "$.f is present && !($.f == false)"
        );
        assert_eq!(
            rule_label(&rule(
                json!({"Condition": "{% $states.input.x > 1 %}", "Next": "C"})
            )),
            "$states.input.x > 1"
        );
        // Texts stay whole for the tooltip; only a pathological one is cut.
        let long = rule_label(&rule(
            json!({"Variable": "$.a_very_long_variable_name.with.parts", "StringEquals": "some long value", "Next": "C"}),
        ));
        assert_eq!(
            long,
            "$.a_very_long_variable_name.with.parts == \"some long value\""
        );
        let huge = rule_label(&rule(
            json!({"Variable": format!("$.{}", "x".repeat(400)), "IsPresent": true, "Next": "C"}),
        ));
        assert_eq!(huge.chars().count(), MAX_LABEL_CHARS);
        assert!(huge.ends_with('…'));
    }

    /// An order router: a Choice with five rules (one with a long condition) and a Default; the
    /// UI tests edit the same file.
    const ORDER_ROUTER: &str = include_str!("../../tests/data/order-router.asl.json");

    fn shown(root: &graph_model::StateMachine, zoom_steps: i32) -> CanvasView {
        let ctx = egui::Context::default();
        let mut view = CanvasView::new();
        for frame in 0..3 {
            if frame == 1 {
                view.zoom_by(1.25_f32.powi(zoom_steps));
            }
            let input = egui::RawInput {
                screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1200.0, 800.0))),
                ..egui::RawInput::default()
            };
            let mut output = ctx.run_ui(input, |ui| {
                let _ = view.ui_machine(
                    ui,
                    root,
                    1,
                    &super::super::Selection::default(),
                    &super::super::CanvasOverlay::default(),
                );
            });
            output.textures_delta.clear();
        }
        view
    }

    #[test]
    fn labels_of_a_choice_with_five_rules_neither_overlap_nor_cover_markers_or_arrows() {
        let value: Value = serde_json::from_str(ORDER_ROUTER).unwrap_or_default();
        let Ok(root) = graph_model::StateMachine::from_value(&value) else {
            panic!("the order router reads");
        };
        for zoom_steps in [0, 3] {
            let view = shown(&root, zoom_steps);
            let zoom = view.zoom();
            let labels = view.edge_label_rects();
            let mut texts: Vec<&str> = labels.iter().map(|(t, _)| t.as_str()).collect();
            texts.sort_unstable();
            assert_eq!(
                texts,
                [
                    "!($.order.paid == true)",
                    "$.order.country == \"US\"",
                    "$.order.express is present && $.order.express == true",
                    "$.order.placedAt < \"2024-01-01T00:00:00Z\"",
                    "$.order.total >= 1000",
                    "Default",
                ]
            );
            for (i, (a, ra)) in labels.iter().enumerate() {
                for (b, rb) in &labels[i + 1..] {
                    assert!(!ra.intersects(*rb), "{a:?} {ra:?} overlaps {b:?} {rb:?}");
                }
                // Clear of the Start/End markers and of every arrowhead.
                let origin = view.last_rect.map_or(Pos2::ZERO, |r| r.min);
                for marker in &view.placement.markers {
                    let m = view.camera.rect_to_screen(origin, *marker);
                    assert!(!ra.intersects(m), "{a:?} covers a marker");
                }
                let mut points = Vec::new();
                for e in 0..view.layout.edges.len() {
                    view.placement.edge_points(&view.layout, e, &mut points);
                    if let Some(tip) = points.last() {
                        let tip = view.camera.to_screen(origin, *tip);
                        assert!(!ra.contains(tip), "{a:?} covers an arrowhead");
                    }
                }
                // Next to its own edge, and no wider than the limit.
                let label = &view.labels.placed[i];
                view.placement
                    .edge_points(&view.layout, label.edge, &mut points);
                let near = points
                    .windows(2)
                    .flat_map(|w| (0..=20).map(move |k| w[0] + (w[1] - w[0]) * (k as f32 / 20.0)))
                    .map(|p| label.rect.distance_to_pos(p))
                    .fold(f32::INFINITY, f32::min);
                assert!(near <= LABEL_GAP + 2.0, "{a:?} is {near} from its edge");
                assert!(ra.width() <= (MAX_LABEL_WIDTH + 3.0) * zoom, "{a:?} {ra:?}");
            }
            // The long condition is cut with an ellipsis (its whole text is the tooltip's).
            let long = view
                .labels
                .placed
                .iter()
                .find(|l| l.text.starts_with("$.order.express"));
            assert!(long.is_some_and(|l| l.elided));
        }
    }

    #[test]
    fn labels_of_edges_sharing_one_line_are_stacked_not_piled() {
        // Three edges down the same line: no spot is "own", yet no two labels overlap.
        let line = [pos2(0.0, 0.0), pos2(0.0, 200.0)];
        let requests: Vec<LabelRequest<'_>> = (0..3)
            .map(|_| LabelRequest {
                points: &line,
                size: vec2(80.0, 12.0),
                group: 0,
            })
            .collect();
        let rects = place_labels(&requests, &[], &[]);
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                assert!(!a.intersects(*b), "{a:?} {b:?}");
            }
        }
        // A marker at the top pushes the first label below it.
        let marker = Rect::from_min_size(pos2(-30.0, 0.0), vec2(60.0, 30.0));
        let rects = place_labels(&requests[..1], &[marker], &[]);
        assert!(!rects[0].intersects(marker), "{:?}", rects[0]);
    }
}
