//! SVG: the canvas drawn as vector shapes, with every name and label kept as text (selectable and
//! searchable in a browser) in a font stack every system has something of.

use std::fmt::Write as _;

use egui::{Color32, Pos2, Rect, pos2, vec2};
use graph_model::{StateType, Transition};

use super::{DiffMark, Marks, RenderOptions, ResolvedMarks, Scene, cut, label_char_width};
use crate::canvas::layout::MarkerKind;
use crate::overlay::RunStatus;
use crate::theme::{METRICS, Theme};

/// The font stack: the UI font egui ships first (the PNG renderer has exactly that one), then the
/// usual sans-serif faces of Windows, macOS and Linux.
pub(crate) const FONT_STACK: &str = "Ubuntu, 'Segoe UI', 'Helvetica Neue', Helvetica, Arial, 'Noto Sans', 'DejaVu Sans', sans-serif";

/// Text escaped for XML character data and attribute values. Characters XML 1.0 cannot hold at
/// all (most C0 controls) are shown as `\u{..}`, so a name with one still renders and reads.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}') => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn color(c: Color32) -> String {
    let [r, g, b, a] = c.to_srgba_unmultiplied();
    if a == 255 {
        format!("#{r:02x}{g:02x}{b:02x}")
    } else {
        format!("rgba({r},{g},{b},{:.3})", f32::from(a) / 255.0)
    }
}

/// Colour as `fill="…"` plus `fill-opacity` when translucent: resvg and browsers both read these.
fn paint(attribute: &str, c: Color32) -> String {
    let [r, g, b, a] = c.to_srgba_unmultiplied();
    if a == 255 {
        format!("{attribute}=\"#{r:02x}{g:02x}{b:02x}\"")
    } else {
        format!(
            "{attribute}=\"#{r:02x}{g:02x}{b:02x}\" {attribute}-opacity=\"{:.3}\"",
            f32::from(a) / 255.0
        )
    }
}

/// A number with at most two decimals and no trailing zeros: SVG files of big machines stay small.
/// The `x`, `y`, `width` and `height` attributes of a rectangle.
fn xywh(r: Rect) -> String {
    format!(
        "x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"",
        n(r.min.x),
        n(r.min.y),
        n(r.width()),
        n(r.height())
    )
}

fn n(v: f32) -> String {
    let rounded = (v * 100.0).round() / 100.0;
    if rounded == rounded.trunc() {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded}")
    }
}

fn points_attr(points: &[Pos2]) -> String {
    let mut out = String::new();
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{},{}", n(p.x), n(p.y));
    }
    out
}

/// The whole picture as an SVG document.
#[must_use]
pub fn to_svg(scene: &Scene, marks: &Marks, options: &RenderOptions) -> String {
    let theme = options.theme();
    let resolved = ResolvedMarks::new(scene, marks);
    let mut bounds = scene.bounds;
    let note_lines = note_lines(&resolved);
    let note_height = if note_lines.is_empty() {
        0.0
    } else {
        note_lines.len() as f32 * 16.0 + 12.0
    };
    if note_height > 0.0 {
        let widest = note_lines
            .iter()
            .map(|l| l.chars().count() as f32 * label_char_width() * 1.15)
            .fold(0.0, f32::max);
        bounds.min.y -= note_height + 8.0;
        bounds.max.x = bounds.max.x.max(bounds.min.x + widest + 40.0);
    }
    let mut out = String::with_capacity(512 + scene.layout.nodes.len() * 600);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"{x} {y} {w} {h}\" \
         font-family=\"{FONT_STACK}\" font-size=\"{fs}\">",
        x = n(bounds.min.x),
        y = n(bounds.min.y),
        w = n(bounds.width()),
        h = n(bounds.height()),
        fs = n(METRICS.name_font),
    );
    let _ = writeln!(
        out,
        "<rect {} {}/>",
        xywh(bounds),
        paint("fill", theme.background)
    );
    if !note_lines.is_empty() {
        write_note(&mut out, theme, &note_lines, bounds.min + vec2(8.0, 8.0));
    }
    for m in 0..scene.layout.machines.len() {
        if m > 0 {
            write_frame(&mut out, scene, theme, m);
        }
        let machine = &scene.layout.machines[m];
        for e in machine.edges.clone() {
            write_edge(&mut out, scene, theme, &resolved, e);
        }
        for k in machine.markers.clone() {
            write_marker(
                &mut out,
                theme,
                scene.placement.markers[k],
                scene.layout.markers[k].kind,
            );
        }
        for node in machine.nodes.clone() {
            write_node(&mut out, scene, theme, &resolved, node);
        }
    }
    for label in &scene.labels {
        let catch = matches!(
            scene.layout.edges[label.edge].transition,
            Some(Transition::Catch(_))
        );
        let text_color = if catch { theme.error } else { theme.text };
        let r = label.rect;
        let _ = write!(
            out,
            "<g class=\"label\"><rect {} rx=\"3\" {}/>\
             <text x=\"{}\" y=\"{}\" font-size=\"{}\" {}>",
            xywh(r),
            paint("fill", theme.label_background),
            n(r.min.x + 2.0),
            n(r.max.y - 4.0),
            n(METRICS.small_font),
            paint("fill", text_color),
        );
        if label.shown != label.text {
            let _ = write!(out, "<title>{}</title>", xml_escape(&label.text));
        }
        let _ = writeln!(out, "{}</text></g>", xml_escape(&label.shown));
    }
    out.push_str("</svg>\n");
    out
}

/// The lines of the note listing what the picture cannot draw: what NEW no longer has.
fn note_lines(resolved: &ResolvedMarks) -> Vec<String> {
    if resolved.removed.is_empty() {
        return Vec::new();
    }
    let mut lines = vec!["Removed in NEW:".to_owned()];
    lines.extend(resolved.removed.iter().map(|l| format!("− {l}")));
    lines
}

fn write_note(out: &mut String, theme: &Theme, lines: &[String], at: Pos2) {
    let width = lines
        .iter()
        .map(|l| l.chars().count() as f32 * label_char_width() * 1.15)
        .fold(0.0, f32::max)
        + 20.0;
    let height = lines.len() as f32 * 16.0 + 8.0;
    let _ = write!(
        out,
        "<g class=\"note\"><rect {} rx=\"4\" {} {} stroke-dasharray=\"4 3\"/>",
        xywh(Rect::from_min_size(at, vec2(width, height))),
        paint("fill", theme.frame.fill),
        paint("stroke", theme.error),
    );
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" {}>{}</text>",
            n(at.x + 8.0),
            n(at.y + 16.0 + i as f32 * 16.0),
            n(METRICS.small_font + 1.0),
            paint("fill", if i == 0 { theme.text } else { theme.error }),
            xml_escape(line)
        );
    }
    out.push_str("</g>\n");
}

fn write_frame(out: &mut String, scene: &Scene, theme: &Theme, m: usize) {
    let r = scene.placement.frames[m];
    let _ = write!(
        out,
        "<rect class=\"frame\" {} rx=\"4\" {} {}/>",
        xywh(r),
        paint("fill", theme.frame.fill),
        paint("stroke", theme.frame.stroke),
    );
    if let Some(caption) = &scene.layout.machines[m].caption {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" {}>{}</text>",
            n(r.min.x + 6.0),
            n(r.min.y + 4.0 + METRICS.small_font),
            n(METRICS.small_font),
            paint("fill", theme.text_weak),
            xml_escape(caption)
        );
    }
    out.push('\n');
}

fn write_edge(out: &mut String, scene: &Scene, theme: &Theme, marks: &ResolvedMarks, e: usize) {
    let points = scene.edge_points(e);
    if points.len() < 2 {
        return;
    }
    let route = &scene.layout.edges[e];
    let base = match route.transition {
        None | Some(Transition::Next) => theme.edge_next,
        Some(Transition::Default) => theme.edge_default,
        Some(Transition::ChoiceRule(_)) => theme.edge_choice,
        Some(Transition::Catch(_)) => theme.error,
    };
    let mut width = METRICS.edge_width;
    let color = if marks.diff_edges.contains(&e) || marks.taken.contains(&e) {
        width *= 2.0;
        theme.success
    } else if marks.run_shown {
        base.gamma_multiply(0.35)
    } else {
        base
    };
    let arrow = METRICS.arrow_size;
    let count = points.len();
    let (tip, before) = (points[count - 1], points[count - 2]);
    let direction = (tip - before).normalized();
    let mut line = points.clone();
    if (tip - before).length() > arrow {
        line[count - 1] = tip - direction * arrow * 0.8;
    }
    let dashed = matches!(route.transition, Some(Transition::Catch(_)));
    let _ = write!(
        out,
        "<polyline points=\"{}\" fill=\"none\" {} stroke-width=\"{}\"{}/>",
        points_attr(&line),
        paint("stroke", color),
        n(width),
        if dashed {
            " stroke-dasharray=\"6 4.2\""
        } else {
            ""
        }
    );
    if direction.x.is_finite() && direction.y.is_finite() && direction != egui::Vec2::ZERO {
        let side = direction.rot90() * arrow * 0.45;
        let base_point = tip - direction * arrow;
        let _ = write!(
            out,
            "<polygon points=\"{}\" {}/>",
            points_attr(&[tip, base_point + side, base_point - side]),
            paint("fill", color)
        );
    }
    out.push('\n');
}

fn write_marker(out: &mut String, theme: &Theme, r: Rect, kind: MarkerKind) {
    let text = match kind {
        MarkerKind::Start => "Start",
        MarkerKind::End => "End",
    };
    let _ = writeln!(
        out,
        "<g class=\"marker\"><rect {} rx=\"{}\" {}/>\
         <text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" {}>{text}</text></g>",
        xywh(r),
        n(r.height() * 0.5),
        paint("fill", theme.marker.fill),
        n(r.center().x),
        n(r.center().y + METRICS.small_font * 0.35),
        n(METRICS.small_font),
        paint("fill", theme.background),
    );
}

fn write_node(out: &mut String, scene: &Scene, theme: &Theme, marks: &ResolvedMarks, index: usize) {
    let node = &scene.layout.nodes[index];
    let r = scene.placement.nodes[index];
    let colors = theme.state(node.state_type);
    let mut stroke = colors.stroke;
    let mut stroke_width = 1.5;
    if let Some(status) = marks.run_states.get(&index) {
        let run_color = match status {
            RunStatus::Succeeded => Some(theme.success),
            RunStatus::Failed => Some(theme.error),
            RunStatus::Caught | RunStatus::Retried => Some(theme.retried),
            RunStatus::Entered => Some(theme.running),
            RunStatus::NotReached | RunStatus::Covered => None,
        };
        if let Some(c) = run_color {
            stroke = c;
            stroke_width = 3.0;
        }
    }
    let diff = marks.diff_states.get(&index);
    if let Some(mark) = diff {
        stroke = match mark {
            DiffMark::Added => theme.success,
            DiffMark::Changed | DiffMark::Renamed(_) => theme.warning,
        };
        stroke_width = 3.0;
    }
    let type_name = node.state_type.map_or("Unknown", StateType::as_str);
    let _ = write!(
        out,
        "<g class=\"state {}\" data-state=\"{}\">",
        type_name.to_ascii_lowercase(),
        xml_escape(&node.id.name)
    );
    let fill = paint("fill", colors.fill);
    let stroke_attr = format!(
        "{} stroke-width=\"{}\"",
        paint("stroke", stroke),
        n(stroke_width)
    );
    let rect = |out: &mut String, r: Rect, radius: f32, extra: &str| {
        let _ = write!(
            out,
            "<rect {} rx=\"{}\" {fill} {stroke_attr}{extra}/>",
            xywh(r),
            n(radius)
        );
    };
    let radius = f32::from(METRICS.corner_radius);
    match node.state_type {
        Some(StateType::Choice) => {
            let c = r.center();
            let _ = write!(
                out,
                "<polygon points=\"{}\" {fill} {stroke_attr}/>",
                points_attr(&[
                    pos2(c.x, r.top()),
                    pos2(r.right(), c.y),
                    pos2(c.x, r.bottom()),
                    pos2(r.left(), c.y)
                ])
            );
        }
        Some(StateType::Succeed | StateType::Fail) => rect(out, r, r.height() * 0.5, ""),
        Some(StateType::Map) => {
            rect(out, r.translate(vec2(4.0, 4.0)), radius, "");
            rect(out, r, radius, "");
        }
        Some(StateType::Pass) => rect(out, r, 2.0, ""),
        None => rect(out, r, radius, " stroke-dasharray=\"5 3\""),
        _ => rect(out, r, radius, ""),
    }
    // Title: icon and name, in the header of a container, centred in a box otherwise.
    let title = if node.is_container() {
        Rect::from_min_size(r.min, vec2(r.width(), METRICS.container_header))
    } else {
        r
    };
    let inset = if node.state_type == Some(StateType::Choice) {
        title.width() * 0.22
    } else {
        10.0
    };
    let icon_center = pos2(title.left() + inset + 7.0, title.center().y);
    write_icon(out, node.state_type, icon_center, 7.0, colors.stroke);
    let text_left = title.left() + inset + 20.0;
    let available = (title.right() - inset - text_left).max(8.0);
    let with_caption = !node.is_container();
    let name_baseline = if with_caption {
        title.center().y - 1.0
    } else {
        title.center().y + METRICS.name_font * 0.35
    };
    write_name(
        out,
        theme,
        &node.id.name,
        text_left,
        name_baseline,
        available,
    );
    if with_caption {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" {}>{}</text>",
            n(text_left),
            n(name_baseline + METRICS.small_font + 1.0),
            n(METRICS.small_font),
            paint("fill", theme.text_weak),
            node.state_type.map_or("Unknown type", StateType::as_str)
        );
    }
    // The diff mark sits just above the box's right end (inside, it would cover the name); the
    // retry badge inside the top-right corner, as on the canvas.
    let diff_badge = match diff {
        Some(DiffMark::Added) => Some("added".to_owned()),
        Some(DiffMark::Changed) => Some("changed".to_owned()),
        Some(DiffMark::Renamed(from)) => Some(format!("renamed from {}", cut(from, 32))),
        None => None,
    };
    if let Some(text) = diff_badge {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"end\" {}>{}</text>",
            n(r.right()),
            n(r.top() - 3.0),
            n(METRICS.small_font),
            paint("fill", stroke),
            xml_escape(&text)
        );
    }
    let retry = match marks.run_retries.get(&index) {
        Some(count) => Some((format!("retry×{count}"), theme.retried)),
        None if node.retries > 0 => Some(("retry".to_owned(), theme.text_weak)),
        None => None,
    };
    if let Some((text, c)) = retry {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"end\" {}>{}</text>",
            n(r.right() - 6.0),
            n(r.top() + 2.0 + METRICS.small_font),
            n(METRICS.small_font),
            paint("fill", c),
            xml_escape(&text)
        );
    }
    let not_reached = marks.run_shown
        && !node.is_container()
        && matches!(
            marks.run_states.get(&index),
            None | Some(RunStatus::NotReached)
        );
    if not_reached {
        let _ = write!(
            out,
            "<rect {} rx=\"{}\" {}/>",
            xywh(r),
            n(radius),
            paint("fill", theme.not_reached)
        );
    }
    out.push_str("</g>\n");
}

/// A state's name: squeezed a little when it is somewhat too wide (it stays whole, selectable
/// text), otherwise cut with an ellipsis and given whole in a `<title>` (the tooltip).
fn write_name(out: &mut String, theme: &Theme, name: &str, x: f32, baseline: f32, available: f32) {
    let estimated = name.chars().count() as f32 * METRICS.char_width;
    let fill = paint("fill", theme.text);
    if estimated <= available {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" {fill}>{}</text>",
            n(x),
            n(baseline),
            xml_escape(name)
        );
    } else if available / estimated >= 0.7 {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\" {fill}>{}</text>",
            n(x),
            n(baseline),
            n(available),
            xml_escape(name)
        );
    } else {
        let keep = (available / METRICS.char_width).floor().max(2.0) as usize;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" {fill}><title>{}</title>{}</text>",
            n(x),
            n(baseline),
            xml_escape(name),
            xml_escape(&cut(name, keep))
        );
    }
}

/// A state type's icon, drawn with lines as on the canvas (no font has to carry special glyphs).
fn write_icon(out: &mut String, state_type: Option<StateType>, c: Pos2, r: f32, c32: Color32) {
    let stroke = format!(
        "fill=\"none\" {} stroke-width=\"{}\" stroke-linecap=\"round\"",
        paint("stroke", c32),
        n((r * 0.22).max(1.0))
    );
    let line = |out: &mut String, a: Pos2, b: Pos2| {
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {stroke}/>",
            n(a.x),
            n(a.y),
            n(b.x),
            n(b.y)
        );
    };
    match state_type {
        Some(StateType::Task) => {
            let _ = write!(
                out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" {stroke}/>",
                n(c.x),
                n(c.y),
                n(r * 0.55)
            );
            for k in 0..6 {
                let a = k as f32 * std::f32::consts::PI / 3.0;
                let d = vec2(a.cos(), a.sin());
                line(out, c + d * r * 0.6, c + d * r);
            }
        }
        Some(StateType::Pass) => {
            line(out, c - vec2(r, 0.0), c + vec2(r * 0.4, 0.0));
            let _ = write!(
                out,
                "<polygon points=\"{}\" {}/>",
                points_attr(&[
                    c + vec2(r, 0.0),
                    c + vec2(r * 0.2, -r * 0.6),
                    c + vec2(r * 0.2, r * 0.6)
                ]),
                paint("fill", c32)
            );
        }
        Some(StateType::Wait) => {
            let _ = write!(
                out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" {stroke}/>",
                n(c.x),
                n(c.y),
                n(r * 0.9)
            );
            line(out, c, c - vec2(0.0, r * 0.6));
            line(out, c, c + vec2(r * 0.45, 0.0));
        }
        Some(StateType::Parallel) => {
            for dx in [-0.45, 0.45] {
                line(out, c + vec2(dx * r, -r * 0.8), c + vec2(dx * r, r * 0.8));
            }
        }
        Some(StateType::Map) => {
            for dy in [-0.6, 0.0, 0.6] {
                line(out, c + vec2(-r * 0.8, dy * r), c + vec2(r * 0.8, dy * r));
            }
        }
        Some(StateType::Succeed) => {
            let _ = write!(
                out,
                "<polyline points=\"{}\" {stroke}/>",
                points_attr(&[
                    c + vec2(-r * 0.8, 0.0),
                    c + vec2(-r * 0.2, r * 0.6),
                    c + vec2(r * 0.8, -r * 0.6)
                ])
            );
        }
        Some(StateType::Fail) => {
            line(out, c + vec2(-r, -r) * 0.7, c + vec2(r, r) * 0.7);
            line(out, c + vec2(-r, r) * 0.7, c + vec2(r, -r) * 0.7);
        }
        Some(StateType::Choice) | None => {
            let glyph = if state_type.is_some() { "?" } else { "…" };
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" {}>{glyph}</text>",
                n(c.x),
                n(c.y + r * 0.55),
                n(METRICS.name_font * 1.1),
                paint("fill", c32)
            );
        }
    }
}

/// The colour helper for callers that need the CSS form (the Mermaid class definitions).
pub(crate) fn css_color(c: Color32) -> String {
    color(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_keeps_names_readable_and_the_document_well_formed() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&apos;\\u{1}"
        );
        assert_eq!(xml_escape("État 状態"), "État 状態");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.345), "12.35");
        assert_eq!(n(-0.5), "-0.5");
    }
}
