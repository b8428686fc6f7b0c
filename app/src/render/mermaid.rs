//! Mermaid: a `flowchart` for Markdown documents and pull requests (GitHub and GitLab draw it).
//!
//! Node ids are generated (`s12`, `m3_start`), never state names, so no name can clash with
//! Mermaid's keywords (`end`, `subgraph`, `style`...); names appear only inside quoted labels,
//! where [`mermaid_text`] writes every character Mermaid would read as syntax as an entity code.
//! Parallel and Map states are subgraphs holding one subgraph per branch (or the processor), each
//! with its own Start and End, as on the canvas.

use std::fmt::Write as _;

use graph_model::{StateType, Transition};

use super::svg::css_color;
use super::{DiffMark, Marks, RenderOptions, ResolvedMarks, Scene};
use crate::canvas::layout::{Endpoint, MarkerKind};
use crate::overlay::RunStatus;

/// Text for a quoted Mermaid label: quotes, `#`, `<`, `>`, `&`, backticks (which start a Markdown
/// string) and `|` (edge label delimiters) as `#code;` entities, line breaks as spaces, other
/// control characters shown as `\u{..}`.
#[must_use]
pub fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn class_name(state_type: Option<StateType>) -> &'static str {
    match state_type {
        Some(StateType::Task) => "task",
        Some(StateType::Pass) => "pass",
        Some(StateType::Choice) => "choice",
        Some(StateType::Wait) => "wait",
        Some(StateType::Parallel) => "parallel",
        Some(StateType::Map) => "map",
        Some(StateType::Succeed) => "succeed",
        Some(StateType::Fail) => "fail",
        None => "unknown",
    }
}

/// The whole document as a Mermaid `flowchart`, in the theme's colours.
#[must_use]
pub fn to_mermaid(scene: &Scene, marks: &Marks, options: &RenderOptions) -> String {
    let theme = options.theme();
    let resolved = ResolvedMarks::new(scene, marks);
    let layout = &scene.layout;
    let mut out = String::from("flowchart TD\n");
    let state_classes = [
        Some(StateType::Task),
        Some(StateType::Pass),
        Some(StateType::Choice),
        Some(StateType::Wait),
        Some(StateType::Parallel),
        Some(StateType::Map),
        Some(StateType::Succeed),
        Some(StateType::Fail),
        None,
    ]
    .map(|state_type| (class_name(state_type), theme.state(state_type), theme.text));
    let other_classes = [
        ("marker", theme.marker, theme.background),
        ("frame", theme.frame, theme.text_weak),
    ];
    for (name, colors, text) in state_classes.into_iter().chain(other_classes) {
        let _ = writeln!(
            out,
            "  classDef {name} fill:{},stroke:{},color:{}",
            css_color(colors.fill),
            css_color(colors.stroke),
            css_color(text)
        );
    }
    for (name, c) in [
        ("ran", theme.success),
        ("failed", theme.error),
        ("caught", theme.retried),
        ("entered", theme.running),
        ("added", theme.success),
        ("changed", theme.warning),
    ] {
        let _ = writeln!(
            out,
            "  classDef {name} stroke:{},stroke-width:3px",
            css_color(c)
        );
    }
    write_machine(&mut out, scene, &resolved, 0, 1);
    // Edges last, at the top level: an edge written inside a subgraph would pull its nodes in.
    let mut link_styles: Vec<(usize, String)> = Vec::new();
    let mut link = 0;
    for (e, route) in layout.edges.iter().enumerate() {
        let Some(from) = endpoint_id(scene, route.from) else {
            continue;
        };
        let Some(to) = endpoint_id(scene, route.to) else {
            continue;
        };
        let catch = matches!(route.transition, Some(Transition::Catch(_)));
        let arrow = if catch { "-.->" } else { "-->" };
        match &route.label {
            Some(label) => {
                let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", mermaid_text(label));
            }
            None => {
                let _ = writeln!(out, "  {from} {arrow} {to}");
            }
        }
        let base = match route.transition {
            None | Some(Transition::Next) => None,
            Some(Transition::Default) => Some(theme.edge_default),
            Some(Transition::ChoiceRule(_)) => Some(theme.edge_choice),
            Some(Transition::Catch(_)) => Some(theme.error),
        };
        if resolved.taken.contains(&e) || resolved.diff_edges.contains(&e) {
            link_styles.push((
                link,
                format!("stroke:{},stroke-width:3px", css_color(theme.success)),
            ));
        } else if let Some(c) = base {
            link_styles.push((link, format!("stroke:{}", css_color(c))));
        }
        link += 1;
    }
    for (index, style) in link_styles {
        let _ = writeln!(out, "  linkStyle {index} {style}");
    }
    for line in &resolved.removed {
        let _ = writeln!(out, "  %% removed in NEW: {}", mermaid_text(line));
    }
    out
}

/// The Mermaid id of an edge's end: a state, a container's subgraph, or a marker.
fn endpoint_id(scene: &Scene, end: Endpoint) -> Option<String> {
    match end {
        Endpoint::State(n) => Some(format!("s{n}")),
        Endpoint::Marker(k) => {
            let marker = scene.layout.markers.get(k)?;
            Some(match marker.kind {
                MarkerKind::Start => format!("m{}_start", marker.machine),
                MarkerKind::End => format!("m{}_end", marker.machine),
            })
        }
    }
}

fn write_machine(out: &mut String, scene: &Scene, marks: &ResolvedMarks, m: usize, depth: usize) {
    let layout = &scene.layout;
    let indent = "  ".repeat(depth);
    let machine = &layout.machines[m];
    for k in machine.markers.clone() {
        let id = endpoint_id(scene, Endpoint::Marker(k)).unwrap_or_default();
        let text = match layout.markers[k].kind {
            MarkerKind::Start => "Start",
            MarkerKind::End => "End",
        };
        // Only markers that have a line: an End nothing reaches would float alone.
        let used = layout.edges[machine.edges.clone()]
            .iter()
            .any(|e| e.from == Endpoint::Marker(k) || e.to == Endpoint::Marker(k));
        if used {
            let _ = writeln!(out, "{indent}{id}([\"{text}\"]):::marker");
        }
    }
    for index in machine.nodes.clone() {
        let node = &layout.nodes[index];
        let name = mermaid_text(&node.id.name);
        let class = class_name(node.state_type);
        let id = format!("s{index}");
        if node.is_container() {
            let _ = writeln!(out, "{indent}subgraph {id} [\"{name}\"]");
            let _ = writeln!(out, "{indent}  direction TB");
            for &child in &node.children {
                let caption = layout.machines[child]
                    .caption
                    .clone()
                    .unwrap_or_else(|| "Processor".to_owned());
                let _ = writeln!(
                    out,
                    "{indent}  subgraph m{child} [\"{}\"]",
                    mermaid_text(&caption)
                );
                let _ = writeln!(out, "{indent}    direction TB");
                write_machine(out, scene, marks, child, depth + 2);
                let _ = writeln!(out, "{indent}  end");
                let _ = writeln!(out, "{indent}  class m{child} frame");
            }
            let _ = writeln!(out, "{indent}end");
            let _ = writeln!(out, "{indent}class {id} {class}");
        } else {
            let shape = match node.state_type {
                Some(StateType::Choice) => format!("{{\"{name}\"}}"),
                Some(StateType::Succeed | StateType::Fail) => format!("([\"{name}\"])"),
                _ => format!("[\"{name}\"]"),
            };
            let _ = writeln!(out, "{indent}{id}{shape}:::{class}");
        }
        let extra = match (marks.diff_states.get(&index), marks.run_states.get(&index)) {
            (Some(DiffMark::Added), _) => Some("added"),
            (Some(_), _) => Some("changed"),
            (None, Some(RunStatus::Succeeded)) => Some("ran"),
            (None, Some(RunStatus::Failed)) => Some("failed"),
            (None, Some(RunStatus::Caught | RunStatus::Retried)) => Some("caught"),
            (None, Some(RunStatus::Entered)) => Some("entered"),
            _ => None,
        };
        if let Some(extra) = extra {
            let _ = writeln!(out, "{indent}class {id} {extra}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mermaid_text_escapes_every_character_mermaid_reads_as_syntax() {
        assert_eq!(
            mermaid_text("a \"b\" #1 <c> & `d` | e\nf"),
            "a #quot;b#quot; #35;1 #lt;c#gt; #amp; #96;d#96; #124; e f"
        );
        assert_eq!(mermaid_text("end [x] (y) {z} 状態"), "end [x] (y) {z} 状態");
    }
}
