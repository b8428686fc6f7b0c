//! Canvas benchmarks: CPU time of one frame (egui pass plus tessellation, no GPU) at 100, 1,000
//! and 10,000 states, fitted to the screen and zoomed in to 100 %; and layout time at the same
//! sizes. Inputs come from `tests/data/bench/gen_asl.py`.
//!
//! Run: `cargo bench -p asl-studio --bench frame`.

#![allow(missing_docs, clippy::print_stderr)] // criterion's macros generate undocumented items.

use std::hint::black_box;
use std::path::Path;

use asl_studio::canvas::layout::Layout;
use asl_studio::canvas::{CanvasOverlay, CanvasView, Selection};
use asl_studio::theme::METRICS;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use egui::{Pos2, Rect, vec2};
use graph_model::StateMachine;

const SIZES: [usize; 3] = [100, 1_000, 10_000];

fn generated(states: usize) -> Option<StateMachine> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bench/gen_asl.py");
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(states.to_string())
        .output()
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    StateMachine::from_value(&value).ok()
}

fn input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))),
        ..egui::RawInput::default()
    }
}

/// One frame: the egui pass with the canvas, then tessellation.
fn frame(ctx: &egui::Context, view: &mut CanvasView, root: &StateMachine) -> usize {
    let mut output = ctx.run_ui(input(), |ui| {
        view.ui_machine(
            ui,
            root,
            1,
            &Selection::default(),
            &CanvasOverlay::default(),
        );
    });
    // No GPU here: the font atlas updates are dropped on purpose.
    output.textures_delta.clear();
    ctx.tessellate(output.shapes, output.pixels_per_point).len()
}

fn benches(c: &mut Criterion) {
    let machines: Vec<(usize, StateMachine)> = SIZES
        .iter()
        .filter_map(|&n| match generated(n) {
            Some(m) => Some((n, m)),
            None => {
                eprintln!("could not generate {n} states (python3 missing?)");
                None
            }
        })
        .collect();

    let mut layout = c.benchmark_group("layout");
    layout.sample_size(10);
    for (n, root) in &machines {
        layout.bench_with_input(BenchmarkId::from_parameter(n), root, |b, root| {
            b.iter(|| black_box(Layout::of(root, &METRICS)));
        });
    }
    layout.finish();

    let mut frames = c.benchmark_group("frame");
    frames.sample_size(20);
    for (n, root) in &machines {
        let ctx = egui::Context::default();
        let mut view = CanvasView::new();
        // The first frames lay out and fit the view.
        frame(&ctx, &mut view, root);
        frame(&ctx, &mut view, root);
        frames.bench_with_input(BenchmarkId::new("fit", n), root, |b, root| {
            b.iter(|| black_box(frame(&ctx, &mut view, root)));
        });
        view.zoom_by(1.0 / view.zoom());
        frame(&ctx, &mut view, root);
        frames.bench_with_input(BenchmarkId::new("zoom100", n), root, |b, root| {
            b.iter(|| black_box(frame(&ctx, &mut view, root)));
        });
    }
    frames.finish();
}

criterion_group!(canvas, benches);
criterion_main!(canvas);
