//! Edge labels on the canvas: placing them for the current view (the placement itself is in
//! `geometry`, their texts in `label_text`) and drawing them.
//!
//! Labels are placed along their own edges, beside the line, so that no two labels overlap and
//! none covers a state, a Start/End marker or an arrowhead; a label sits where its edge no longer
//! shares its line with the other edges leaving the same state, so it is clear which edge it
//! names. Past [`MAX_LABEL_WIDTH`] a label is cut with an ellipsis; hovering it shows it whole.

use egui::text::{LayoutJob, TextFormat, TextWrapping};
use egui::{FontId, Pos2, Rect, Vec2, vec2};
use graph_model::Transition;

use super::geometry::{LabelRequest, place_labels};
use super::layout::Endpoint;
use super::{Camera, CanvasView};
use crate::theme::{METRICS, Theme};

/// Widest label on the canvas (canvas units, at 100 % zoom) before it is cut with an ellipsis.
pub const MAX_LABEL_WIDTH: f32 = 150.0;

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
    use crate::canvas::geometry::LABEL_GAP;
    use crate::canvas::label_text::{MAX_LABEL_CHARS, rule_label};
    use egui::{pos2, vec2};
    use graph_model::ChoiceRule;
    use serde_json::Value;
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
