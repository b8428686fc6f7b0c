//! Drawing: frames, edges, states, markers, overlays, drag previews and the minimap. Only what
//! intersects the view is drawn; below a readable zoom, states are plain boxes without text.

use std::collections::HashMap;

use egui::epaint::{CornerRadius, Shape, Stroke, StrokeKind};
use egui::text::{LayoutJob, TextFormat, TextWrapping};
use egui::{Align2, FontId, Painter, Pos2, Rect, Sense, Ui, Vec2, pos2, vec2};
use graph_model::{Severity, StateType, Transition};

use super::geometry::{clip_segment, handle_center};
use super::layout::{Endpoint, MarkerKind};
use super::view::Hit;
use super::{Camera, CanvasOverlay, CanvasView, Drag};
use crate::overlay::RunStatus;
use crate::theme::{METRICS, Theme};

/// Everything one frame's painting needs.
pub(crate) struct Frame<'a> {
    pub painter: &'a Painter,
    pub theme: &'static Theme,
    pub origin: Pos2,
    pub camera: Camera,
    /// The visible part of the canvas, in canvas coordinates.
    pub view: Rect,
    /// Whether text is large enough to draw.
    pub readable: bool,
    pub selected_nodes: &'a [usize],
    pub selected_edge: Option<usize>,
    pub hover: Hit,
    pub handles: &'a [usize],
    pub overlay: &'a CanvasOverlay,
}

impl Frame<'_> {
    fn screen(&self, p: Pos2) -> Pos2 {
        self.camera.to_screen(self.origin, p)
    }

    fn screen_rect(&self, r: Rect) -> Rect {
        self.camera.rect_to_screen(self.origin, r)
    }

    fn zoom(&self) -> f32 {
        self.camera.zoom
    }
}

/// Per-node extras gathered once per frame from the overlay.
#[derive(Default)]
struct NodeMarks {
    severity: HashMap<usize, Severity>,
    run: HashMap<usize, RunStatus>,
    retried: HashMap<usize, u32>,
    /// File > Compare with file…: added, changed and renamed states.
    diff: HashMap<usize, crate::render::DiffMark>,
}

impl CanvasView {
    pub(crate) fn paint(&mut self, f: &Frame<'_>) {
        let painter = f.painter;
        let theme = f.theme;
        painter.rect_filled(painter.clip_rect(), CornerRadius::ZERO, theme.background);
        self.paint_grid(f);

        let mut marks = NodeMarks::default();
        for (id, severity) in &f.overlay.diagnostics {
            if let Some(n) = self.layout.node_index(id) {
                let worst = marks.severity.entry(n).or_insert(*severity);
                *worst = (*worst).min(*severity);
            }
        }
        let mut taken = Vec::new();
        if let Some(run) = &f.overlay.run {
            for (id, status) in &run.states {
                if let Some(n) = self.layout.node_index(id) {
                    marks.run.insert(n, *status);
                }
            }
            for (id, count) in &run.retries {
                if let Some(n) = self.layout.node_index(id) {
                    marks.retried.insert(n, *count);
                }
            }
            for (id, transition) in &run.taken_edges {
                if let Some(e) = self.find_edge(id, *transition) {
                    taken.push(e);
                }
            }
        }
        let run_shown = f.overlay.run.is_some();
        let mut changed_edges = Vec::new();
        if let Some(diff) = &f.overlay.diff {
            for (id, mark) in &diff.states {
                if let Some(n) = self.layout.node_index(id) {
                    marks.diff.insert(n, mark.clone());
                }
            }
            for (id, transition) in &diff.edges {
                if let Some(e) = self.find_edge(id, *transition) {
                    changed_edges.push(e);
                }
            }
        }

        let mut points = std::mem::take(&mut self.scratch);
        for m in 0..self.layout.machines.len() {
            let frame = self.placement.frames[m];
            if m > 0 {
                if !frame.intersects(f.view) {
                    continue;
                }
                self.paint_frame(f, m);
            }
            let machine = &self.layout.machines[m];
            // Edges shorter than a pixel or two on screen are invisible anyway.
            let min_extent = 1.5 / f.zoom();
            for e in machine.edges.clone() {
                let bounds = self.placement.edge_bounds(&self.layout, e);
                if !bounds.intersects(f.view)
                    || (bounds.width() < min_extent && bounds.height() < min_extent)
                {
                    continue;
                }
                self.placement.edge_points(&self.layout, e, &mut points);
                let emphasis = if f.selected_edge == Some(e) {
                    Emphasis::Selected
                } else if f.hover == Hit::Edge(e) || f.hover == Hit::EdgeEnd(e) {
                    Emphasis::Hovered
                } else if (run_shown && taken.contains(&e)) || changed_edges.contains(&e) {
                    Emphasis::Taken
                } else if run_shown {
                    Emphasis::Faded
                } else {
                    Emphasis::Normal
                };
                self.paint_edge(f, e, &points, emphasis);
            }
            for k in machine.markers.clone() {
                let rect = self.placement.markers[k];
                if rect.intersects(f.view) {
                    paint_marker(f, rect, self.layout.markers[k].kind);
                }
            }
            // Zoomed out, plain states go into one mesh of flat quads: no per-shape tessellation.
            let mut boxes = egui::Mesh::default();
            for n in machine.nodes.clone() {
                if !self.placement.nodes[n].intersects(f.view) {
                    continue;
                }
                let node = &self.layout.nodes[n];
                let plain = !f.readable
                    && !node.is_container()
                    && !f.selected_nodes.contains(&n)
                    && !marks.severity.contains_key(&n)
                    && !marks.run.contains_key(&n)
                    && !marks.diff.contains_key(&n);
                if plain {
                    boxes.add_colored_rect(
                        f.screen_rect(self.placement.nodes[n]),
                        theme.state(node.state_type).stroke,
                    );
                } else {
                    self.paint_node(f, n, &marks);
                }
            }
            if !boxes.is_empty() {
                f.painter.add(Shape::mesh(boxes));
            }
        }
        self.scratch = points;
        self.paint_interaction(f);
    }

    fn paint_grid(&self, f: &Frame<'_>) {
        let spacing = 32.0 * f.zoom();
        if spacing < 12.0 {
            return;
        }
        let clip = f.painter.clip_rect();
        let start = f.screen(Pos2::ZERO);
        let first_x = start.x + ((clip.left() - start.x) / spacing).ceil() * spacing;
        let first_y = start.y + ((clip.top() - start.y) / spacing).ceil() * spacing;
        let mut shapes = Vec::new();
        let mut y = first_y;
        while y < clip.bottom() {
            let mut x = first_x;
            while x < clip.right() {
                shapes.push(Shape::rect_filled(
                    Rect::from_center_size(pos2(x, y), Vec2::splat(1.5)),
                    CornerRadius::ZERO,
                    f.theme.grid,
                ));
                x += spacing;
            }
            y += spacing;
        }
        f.painter.extend(shapes);
    }

    /// A branch or processor frame inside its container.
    fn paint_frame(&self, f: &Frame<'_>, m: usize) {
        let rect = f.screen_rect(self.placement.frames[m]);
        let colors = f.theme.frame;
        let radius = corner(f, 4.0);
        f.painter.rect(
            rect,
            radius,
            colors.fill,
            Stroke::new(1.0, colors.stroke),
            StrokeKind::Inside,
        );
        if let (true, Some(caption)) = (f.readable, &self.layout.machines[m].caption) {
            f.painter.text(
                rect.left_top() + vec2(6.0, 4.0) * f.zoom(),
                Align2::LEFT_TOP,
                caption,
                FontId::proportional(METRICS.small_font * f.zoom()),
                f.theme.text_weak,
            );
        }
    }

    fn paint_edge(&self, f: &Frame<'_>, e: usize, canvas_points: &[Pos2], emphasis: Emphasis) {
        if canvas_points.len() < 2 {
            return;
        }
        let route = &self.layout.edges[e];
        let theme = f.theme;
        let base = match route.transition {
            None | Some(Transition::Next) => theme.edge_next,
            Some(Transition::Default) => theme.edge_default,
            Some(Transition::ChoiceRule(_)) => theme.edge_choice,
            Some(Transition::Catch(_)) => theme.error,
        };
        let zoom = f.zoom();
        let mut width = (METRICS.edge_width * zoom.min(1.5)).max(1.0);
        let color = match emphasis {
            Emphasis::Normal => base,
            Emphasis::Selected => {
                width *= 2.0;
                theme.selection
            }
            Emphasis::Hovered => {
                width *= 1.6;
                theme.hover
            }
            Emphasis::Taken => {
                width *= 2.0;
                theme.success
            }
            Emphasis::Faded => base.gamma_multiply(0.35),
        };
        let points = screen_polyline(f, canvas_points);
        let stroke = Stroke::new(width, color);
        // Shorten the last segment so the line ends at the arrowhead's base.
        let arrow = (METRICS.arrow_size * zoom.min(1.5)).max(3.0);
        let draw_arrow = zoom > 0.15;
        let mut line = points.clone();
        let n = line.len();
        let (tip, before) = (line[n - 1], line[n - 2]);
        let direction = (tip - before).normalized();
        if draw_arrow && (tip - before).length() > arrow {
            line[n - 1] = tip - direction * arrow * 0.8;
        }
        // Zoomed out, Catch edges are solid (their colour still tells them apart): dashes would
        // cost hundreds of shapes per edge.
        if f.readable && matches!(route.transition, Some(Transition::Catch(_))) {
            // Dash only what is on screen: a long Catch edge would otherwise become thousands of
            // dashes per frame.
            let dash = (6.0 * zoom.min(1.5)).max(2.0);
            let clip = f.painter.clip_rect().expand(arrow);
            let mut shapes = Vec::new();
            for w in line.windows(2) {
                if let Some((a, b)) = clip_segment(w[0], w[1], clip) {
                    shapes.extend(Shape::dashed_line(&[a, b], stroke, dash, dash * 0.7));
                }
            }
            f.painter.extend(shapes);
        } else {
            // Only the runs of segments that reach the screen: a long edge zoomed in would
            // otherwise be tessellated along its whole length, off screen included.
            let clip = f.painter.clip_rect().expand(arrow + width);
            let mut run: Vec<Pos2> = Vec::new();
            for w in line.windows(2) {
                if Rect::from_two_pos(w[0], w[1]).intersects(clip) {
                    if run.is_empty() {
                        run.push(w[0]);
                    }
                    run.push(w[1]);
                } else if !run.is_empty() {
                    f.painter.add(Shape::line(std::mem::take(&mut run), stroke));
                }
            }
            if run.len() >= 2 {
                f.painter.add(Shape::line(run, stroke));
            }
        }
        if draw_arrow && direction != Vec2::ZERO {
            let side = direction.rot90() * arrow * 0.45;
            let base_point = tip - direction * arrow;
            f.painter.add(Shape::convex_polygon(
                vec![tip, base_point + side, base_point - side],
                color,
                Stroke::NONE,
            ));
        }
    }

    fn paint_node(&self, f: &Frame<'_>, n: usize, marks: &NodeMarks) {
        let node = &self.layout.nodes[n];
        let rect = f.screen_rect(self.placement.nodes[n]);
        let theme = f.theme;
        let colors = theme.state(node.state_type);
        let zoom = f.zoom();
        let selected = f.selected_nodes.contains(&n);
        let hovered = f.hover == Hit::Node(n) || f.hover == Hit::Handle(n);
        let mut stroke = Stroke::new((1.5 * zoom.min(1.5)).max(1.0), colors.stroke);
        if let Some(severity) = marks.severity.get(&n) {
            stroke = Stroke::new(stroke.width * 1.6, theme.severity(*severity));
        }
        if let Some(status) = marks.run.get(&n) {
            stroke = match status {
                RunStatus::Succeeded => Stroke::new(stroke.width * 2.0, theme.success),
                RunStatus::Failed => Stroke::new(stroke.width * 2.0, theme.error),
                RunStatus::Caught | RunStatus::Retried => {
                    Stroke::new(stroke.width * 2.0, theme.retried)
                }
                RunStatus::Entered => Stroke::new(stroke.width * 2.0, theme.running),
                RunStatus::NotReached | RunStatus::Covered => stroke,
            };
        }
        if let Some(mark) = marks.diff.get(&n) {
            let color = match mark {
                crate::render::DiffMark::Added => theme.success,
                _ => theme.warning,
            };
            stroke = Stroke::new(stroke.width * 2.0, color);
        }

        if !f.readable {
            // Simplified: a flat box in the type's colour, no text.
            if node.is_container() {
                f.painter.rect(
                    rect,
                    CornerRadius::ZERO,
                    colors.fill,
                    stroke,
                    StrokeKind::Inside,
                );
            } else {
                f.painter
                    .rect_filled(rect, CornerRadius::ZERO, colors.stroke);
            }
            if selected {
                f.painter.rect_stroke(
                    rect.expand(2.0),
                    CornerRadius::ZERO,
                    Stroke::new(2.0, theme.selection),
                    StrokeKind::Outside,
                );
            }
            return;
        }

        let radius = corner(f, f32::from(METRICS.corner_radius));
        match node.state_type {
            Some(StateType::Choice) => {
                let c = rect.center();
                let diamond = vec![
                    pos2(c.x, rect.top()),
                    pos2(rect.right(), c.y),
                    pos2(c.x, rect.bottom()),
                    pos2(rect.left(), c.y),
                ];
                f.painter
                    .add(Shape::convex_polygon(diamond, colors.fill, stroke));
            }
            Some(StateType::Succeed | StateType::Fail) => {
                let pill = CornerRadius::same(clamp_u8(rect.height() * 0.5));
                f.painter
                    .rect(rect, pill, colors.fill, stroke, StrokeKind::Inside);
            }
            Some(StateType::Map) => {
                // A second box behind: "many items".
                let behind = rect.translate(vec2(4.0, 4.0) * zoom);
                f.painter
                    .rect(behind, radius, colors.fill, stroke, StrokeKind::Inside);
                f.painter
                    .rect(rect, radius, colors.fill, stroke, StrokeKind::Inside);
            }
            Some(StateType::Pass) => {
                f.painter.rect(
                    rect,
                    corner(f, 2.0),
                    colors.fill,
                    stroke,
                    StrokeKind::Inside,
                );
            }
            None => {
                f.painter.rect_filled(rect, radius, colors.fill);
                let outline = [
                    rect.left_top(),
                    rect.right_top(),
                    rect.right_bottom(),
                    rect.left_bottom(),
                    rect.left_top(),
                ];
                f.painter
                    .extend(Shape::dashed_line(&outline, stroke, 5.0 * zoom, 3.0 * zoom));
            }
            _ => {
                f.painter
                    .rect(rect, radius, colors.fill, stroke, StrokeKind::Inside);
            }
        }

        // Title: icon and name (in the header of containers, centred otherwise).
        let name_font = FontId::proportional(METRICS.name_font * zoom);
        let icon_font = FontId::proportional(METRICS.name_font * 1.1 * zoom);
        let title_rect = if node.is_container() {
            Rect::from_min_size(
                rect.min,
                vec2(rect.width(), METRICS.container_header * zoom),
            )
        } else {
            rect
        };
        let inset = if node.state_type == Some(StateType::Choice) {
            title_rect.width() * super::layout::CHOICE_INSET
        } else {
            10.0 * zoom
        };
        let icon_pos = pos2(title_rect.left() + inset, title_rect.center().y);
        paint_icon(
            f.painter,
            node.state_type,
            icon_pos + vec2(7.0 * zoom, 0.0),
            7.0 * zoom,
            colors.stroke,
            icon_font,
        );
        let text_left = icon_pos.x + 20.0 * zoom;
        let max_width = (title_rect.right() - inset - text_left).max(8.0);
        let mut job = LayoutJob::single_section(
            node.id.name.clone(),
            TextFormat {
                font_id: name_font,
                color: theme.text,
                ..TextFormat::default()
            },
        );
        // Boxes grow with their names up to a limit; longer names wrap to a second line and
        // only then are cut (the full name shows on hover).
        job.wrap = TextWrapping {
            max_width,
            max_rows: if node.is_container() { 1 } else { 2 },
            break_anywhere: false,
            overflow_character: Some('…'),
        };
        let galley = f.painter.layout_job(job);
        let caption_height = if node.is_container() || METRICS.small_font * zoom < 7.0 {
            0.0
        } else {
            METRICS.small_font * zoom
        };
        let text_pos = pos2(
            text_left,
            title_rect.center().y - (galley.size().y + caption_height) * 0.5,
        );
        let name_height = galley.size().y;
        f.painter.galley(text_pos, galley, theme.text);
        if caption_height > 0.0 {
            let caption = node.state_type.map_or("Unknown type", StateType::as_str);
            f.painter.text(
                pos2(text_left, text_pos.y + name_height),
                Align2::LEFT_TOP,
                caption,
                FontId::proportional(METRICS.small_font * zoom),
                theme.text_weak,
            );
        }

        // Badges at the top-right corner: retries, diagnostics, run retries.
        let mut badge_x = rect.right() - 6.0 * zoom;
        let badge_y = rect.top() + 2.0 * zoom;
        let badge_font = FontId::proportional(METRICS.small_font * zoom);
        if let Some(severity) = marks.severity.get(&n) {
            let c = pos2(badge_x - 4.0 * zoom, badge_y + 5.0 * zoom);
            f.painter
                .circle_filled(c, 4.0 * zoom, theme.severity(*severity));
            badge_x -= 12.0 * zoom;
        }
        if let Some(mark) = marks.diff.get(&n) {
            let (text, color) = match mark {
                crate::render::DiffMark::Added => ("added".to_owned(), theme.success),
                crate::render::DiffMark::Changed => ("changed".to_owned(), theme.warning),
                crate::render::DiffMark::Renamed(from) => {
                    (format!("renamed from {from}"), theme.warning)
                }
            };
            let galley = f.painter.layout_no_wrap(text, badge_font.clone(), color);
            let width = galley.size().x;
            f.painter.galley(
                pos2(
                    badge_x - width,
                    badge_y - METRICS.small_font * zoom - 2.0 * zoom,
                ),
                galley,
                color,
            );
        }
        let retry_text = match marks.retried.get(&n) {
            Some(count) => Some(format!("retry×{count}")),
            None if node.retries > 0 => Some("retry".to_owned()),
            None => None,
        };
        if let Some(text) = retry_text {
            let color = if marks.retried.contains_key(&n) {
                theme.retried
            } else {
                theme.text_weak
            };
            f.painter.text(
                pos2(badge_x, badge_y),
                Align2::RIGHT_TOP,
                text,
                badge_font,
                color,
            );
        }
        if marks.run.get(&n) == Some(&RunStatus::NotReached)
            || (f.overlay.run.is_some() && !marks.run.contains_key(&n))
        {
            f.painter.rect_filled(rect, radius, theme.not_reached);
        }
        if selected || hovered {
            let (width, color) = if selected {
                (2.0, theme.selection)
            } else {
                (1.5, theme.hover)
            };
            f.painter.rect_stroke(
                rect.expand(3.0),
                radius,
                Stroke::new(width, color),
                StrokeKind::Outside,
            );
        }
        if f.handles.contains(&n)
            && !matches!(node.state_type, Some(StateType::Succeed | StateType::Fail))
        {
            let c = f.screen(handle_center(self.placement.nodes[n]));
            let r = METRICS
                .handle_radius
                .min(METRICS.handle_radius * zoom.max(0.6));
            f.painter
                .circle(c, r, theme.background, Stroke::new(1.5, theme.selection));
        }
    }

    fn paint_interaction(&self, f: &Frame<'_>) {
        let theme = f.theme;
        let Some(pointer) = self.pointer else {
            return;
        };
        match &self.drag {
            Some(Drag::Lasso { start, .. }) => {
                let rect = f.screen_rect(Rect::from_two_pos(*start, pointer));
                f.painter.rect(
                    rect,
                    CornerRadius::ZERO,
                    theme.selection_fill,
                    Stroke::new(1.0, theme.selection),
                    StrokeKind::Inside,
                );
            }
            Some(Drag::Connect { from }) => {
                let start = f.screen(handle_center(self.placement.nodes[*from]));
                let end = f.screen(pointer);
                f.painter
                    .line_segment([start, end], Stroke::new(2.0, theme.selection));
                f.painter.circle_filled(end, 4.0, theme.selection);
            }
            Some(Drag::Retarget { edge }) => {
                let route = &self.layout.edges[*edge];
                let start = match route.from {
                    Endpoint::State(n) => handle_center(self.placement.nodes[n]),
                    Endpoint::Marker(k) => self.placement.markers[k].center(),
                };
                f.painter.extend(Shape::dashed_line(
                    &[f.screen(start), f.screen(pointer)],
                    Stroke::new(2.0, theme.selection),
                    6.0,
                    4.0,
                ));
            }
            _ => {}
        }
        if let Some(e) = f.selected_edge {
            let mut points = Vec::new();
            self.placement.edge_points(&self.layout, e, &mut points);
            if let Some(end) = points.last() {
                f.painter.circle(
                    f.screen(*end),
                    METRICS.handle_radius,
                    theme.background,
                    Stroke::new(1.5, theme.selection),
                );
            }
        }
    }

    /// The minimap in the bottom-right corner; click or drag in it to move the view.
    pub(crate) fn minimap_ui(&mut self, ui: &mut Ui, canvas: Rect, theme: &Theme) {
        let bounds = self.placement.bounds;
        if self.layout.nodes.is_empty() || !bounds.is_positive() {
            return;
        }
        let Some(mini) = minimap_rect(canvas) else {
            return;
        };
        let size = mini.size();
        let response = ui.interact(
            mini,
            ui.scope_id().with("asl_canvas_minimap"),
            Sense::click_and_drag(),
        );
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, "Minimap"));
        let scale = ((size.x - 8.0) / bounds.width()).min((size.y - 8.0) / bounds.height());
        let content = Rect::from_center_size(mini.center(), bounds.size() * scale);
        let to_mini = |p: Pos2| content.min + (p - bounds.min) * scale;
        let from_mini = |p: Pos2| bounds.min + (p - content.min) / scale;
        if (response.clicked() || response.dragged())
            && let Some(p) = response.interact_pointer_pos()
        {
            let target = from_mini(p);
            self.camera.offset = canvas.size() * 0.5 - target.to_vec2() * self.camera.zoom;
        }
        let painter = ui.painter_at(canvas);
        painter.rect(
            mini,
            CornerRadius::same(4),
            theme.minimap_background,
            Stroke::new(1.0, theme.frame.stroke),
            StrokeKind::Inside,
        );
        // The top level only: containers stand for everything inside them.
        // One mesh of flat quads: thousands of top-level states would otherwise be as many shapes
        // to tessellate every frame.
        let mut boxes = egui::Mesh::default();
        for n in self.layout.machines[0].nodes.clone() {
            let r = self.placement.nodes[n];
            let colors = theme.state(self.layout.nodes[n].state_type);
            boxes.add_colored_rect(
                Rect::from_min_max(to_mini(r.min), to_mini(r.max)),
                colors.stroke,
            );
        }
        if !boxes.is_empty() {
            painter.add(Shape::mesh(boxes));
        }
        let origin = canvas.min;
        let view = Rect::from_min_max(
            self.camera.to_canvas(origin, canvas.min),
            self.camera.to_canvas(origin, canvas.max),
        );
        let shown = Rect::from_min_max(to_mini(view.min), to_mini(view.max)).intersect(mini);
        painter.rect_stroke(
            shown,
            CornerRadius::ZERO,
            Stroke::new(1.5, theme.minimap_viewport),
            StrokeKind::Inside,
        );
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Emphasis {
    Normal,
    Selected,
    Hovered,
    Taken,
    Faded,
}

fn paint_marker(f: &Frame<'_>, rect: Rect, kind: MarkerKind) {
    let rect = f.screen_rect(rect);
    let colors = f.theme.marker;
    let pill = CornerRadius::same(clamp_u8(rect.height() * 0.5));
    f.painter.rect_filled(rect, pill, colors.fill);
    if f.readable {
        let text = match kind {
            MarkerKind::Start => "Start",
            MarkerKind::End => "End",
        };
        f.painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            text,
            FontId::proportional(METRICS.small_font * f.zoom()),
            f.theme.background,
        );
    }
}

/// An edge's polyline on screen, without the points that draw nothing: points under half a pixel
/// from the last one kept, and the middle points of straight runs (a long edge passes through a
/// dummy at every layer it spans, two collinear points each).
fn screen_polyline(f: &Frame<'_>, canvas_points: &[Pos2]) -> Vec<Pos2> {
    let mut out: Vec<Pos2> = Vec::with_capacity(canvas_points.len());
    let last = canvas_points.len().saturating_sub(1);
    for (i, p) in canvas_points.iter().enumerate() {
        let p = f.screen(*p);
        if let Some(&kept) = out.last()
            && i != last
            && (p - kept).length_sq() < 0.25
        {
            continue;
        }
        if let [.., a, b] = out[..] {
            let straight = ((a.x - b.x).abs() < 0.01 && (b.x - p.x).abs() < 0.01)
                || ((a.y - b.y).abs() < 0.01 && (b.y - p.y).abs() < 0.01);
            let onward = (b - a).dot(p - b) > 0.0;
            if straight && onward {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// A state type's icon, drawn with lines (no font has to carry special glyphs): a gear for Task,
/// an arrow for Pass, `?` for Choice, a clock for Wait, bars for Parallel, a list for Map, a tick
/// for Succeed, a cross for Fail.
fn paint_icon(
    painter: &Painter,
    state_type: Option<StateType>,
    c: Pos2,
    r: f32,
    color: egui::Color32,
    font: FontId,
) {
    let stroke = Stroke::new((r * 0.22).max(1.0), color);
    match state_type {
        Some(StateType::Task) => {
            painter.circle_stroke(c, r * 0.55, stroke);
            for k in 0..6 {
                let a = k as f32 * std::f32::consts::PI / 3.0;
                let d = vec2(a.cos(), a.sin());
                painter.line_segment([c + d * r * 0.6, c + d * r], stroke);
            }
        }
        Some(StateType::Pass) => {
            painter.line_segment([c - vec2(r, 0.0), c + vec2(r * 0.4, 0.0)], stroke);
            painter.add(Shape::convex_polygon(
                vec![
                    c + vec2(r, 0.0),
                    c + vec2(r * 0.2, -r * 0.6),
                    c + vec2(r * 0.2, r * 0.6),
                ],
                color,
                Stroke::NONE,
            ));
        }
        Some(StateType::Wait) => {
            painter.circle_stroke(c, r * 0.9, stroke);
            painter.line_segment([c, c - vec2(0.0, r * 0.6)], stroke);
            painter.line_segment([c, c + vec2(r * 0.45, 0.0)], stroke);
        }
        Some(StateType::Parallel) => {
            for dx in [-0.45, 0.45] {
                painter.line_segment(
                    [c + vec2(dx * r, -r * 0.8), c + vec2(dx * r, r * 0.8)],
                    stroke,
                );
            }
        }
        Some(StateType::Map) => {
            for dy in [-0.6, 0.0, 0.6] {
                painter.line_segment(
                    [c + vec2(-r * 0.8, dy * r), c + vec2(r * 0.8, dy * r)],
                    stroke,
                );
            }
        }
        Some(StateType::Succeed) => {
            painter.line(
                vec![
                    c + vec2(-r * 0.8, 0.0),
                    c + vec2(-r * 0.2, r * 0.6),
                    c + vec2(r * 0.8, -r * 0.6),
                ],
                stroke,
            );
        }
        Some(StateType::Fail) => {
            painter.line_segment([c + vec2(-r, -r) * 0.7, c + vec2(r, r) * 0.7], stroke);
            painter.line_segment([c + vec2(-r, r) * 0.7, c + vec2(r, -r) * 0.7], stroke);
        }
        Some(StateType::Choice) => {
            painter.text(c, Align2::CENTER_CENTER, "?", font, color);
        }
        None => {
            painter.text(c, Align2::CENTER_CENTER, "…", font, color);
        }
    }
}

fn corner(f: &Frame<'_>, radius: f32) -> CornerRadius {
    CornerRadius::same(clamp_u8(radius * f.zoom()))
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // Clamped to 0..=255 first.
fn clamp_u8(v: f32) -> u8 {
    v.clamp(0.0, 255.0) as u8
}

/// Where the minimap goes in a canvas: its bottom-right corner (`None`: the canvas is too small).
pub(crate) fn minimap_rect(canvas: Rect) -> Option<Rect> {
    // A narrow canvas (code view and inspector open) must not lose a quarter of its area to the
    // overview, so the minimap shrinks with it.
    let size = METRICS.minimap_size.min(canvas.size() * 0.2);
    let mini = Rect::from_min_size(canvas.max - size - vec2(10.0, 10.0), size);
    canvas.contains_rect(mini).then_some(mini)
}
