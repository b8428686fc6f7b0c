//! Designer frame CPU time without a GPU: the canvas (`asl_studio::canvas::CanvasView`) drawn in a
//! 1280x800 egui context, each frame = `Context::run_ui` (egui layout, our painting) plus
//! `Context::tessellate` (shapes to triangles), which is all the CPU work of a frame before the GPU.
//! The first frame (layout of the document, font atlas) is reported apart.

use std::path::Path;
use std::time::Instant;

use asl_studio::canvas::{CanvasOverlay, CanvasView, Selection};
use egui::{Pos2, RawInput, Rect, vec2};
use graph_model::StateMachine;
use serde_json::{Value, json};

use crate::definition::read_json;
use crate::stats::median;

/// Frames measured per view (after the warm-up frames).
const FRAMES: usize = 30;
/// Frames drawn and thrown away first (fit, font atlas growth).
const WARM_UP: usize = 3;

struct Harness {
    ctx: egui::Context,
    machine: StateMachine,
    view: CanvasView,
    selection: Selection,
    overlay: CanvasOverlay,
}

impl Harness {
    fn frame(&mut self) -> (f64, usize) {
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))),
            ..RawInput::default()
        };
        let start = Instant::now();
        let output = self.ctx.run_ui(input, |ui| {
            egui::CentralPanel::default().show(ui, |ui| {
                let _actions =
                    self.view
                        .ui_machine(ui, &self.machine, 1, &self.selection, &self.overlay);
            });
        });
        let primitives = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        let vertices = primitives
            .iter()
            .map(|p| match &p.primitive {
                egui::epaint::Primitive::Mesh(mesh) => mesh.vertices.len(),
                egui::epaint::Primitive::Callback(_) => 0,
            })
            .sum();
        (start.elapsed().as_secs_f64() * 1e3, vertices)
    }

    fn measure(&mut self) -> (f64, usize) {
        for _ in 0..WARM_UP {
            self.frame();
        }
        let mut times = Vec::with_capacity(FRAMES);
        let mut vertices = 0;
        for _ in 0..FRAMES {
            let (ms, v) = self.frame();
            times.push(ms);
            vertices = v;
        }
        (median(&times).unwrap_or(f64::NAN), vertices)
    }
}

/// Median frame time with the whole diagram fitted to the window, and zoomed in to 100 %.
pub fn measure(definition: &Path) -> anyhow::Result<Value> {
    let value = read_json(definition)?;
    let machine = StateMachine::from_value(&value)?;
    let mut harness = Harness {
        ctx: egui::Context::default(),
        machine,
        view: CanvasView::new(),
        selection: Selection::default(),
        overlay: CanvasOverlay::default(),
    };
    let (first_ms, _) = harness.frame();
    let fit_zoom = harness.view.zoom();
    let (fit_ms, fit_vertices) = harness.measure();
    harness.view.zoom_by(1.0 / harness.view.zoom());
    let (zoomed_ms, zoomed_vertices) = harness.measure();
    Ok(json!({
        "first_ms": first_ms,
        "fit_ms": fit_ms,
        "fit_zoom": fit_zoom,
        "fit_vertices": fit_vertices,
        "zoomed_ms": zoomed_ms,
        "zoomed_zoom": harness.view.zoom(),
        "zoomed_vertices": zoomed_vertices,
    }))
}
