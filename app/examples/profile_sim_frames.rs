//! Times every frame of the whole designer (1280x800, as the browser shows it) while the simulator
//! pane runs the 10,000-item Map benchmark (tests/data/bench/map10k.*) with F5, and prints each
//! frame's CPU time with the pane's phase after it: `cargo run --example profile_sim_frames
//! [--summary]`. `--summary` runs with the Summary tab open. Where `node tests/browser/bench.mjs
//! --frames` times the same moment in Chromium, this one runs natively, where a profiler can look.

#![allow(clippy::print_stdout, reason = "a command-line profiling aid")]

use std::time::Duration;

use asl_studio::files::{MemoryFiles, ScriptedDialogs};
use asl_studio::{StartSource, StudioApp};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// CPU time this thread has run (a loaded machine inflates wall-clock frames).
#[cfg(target_os = "linux")]
#[allow(unsafe_code, reason = "std has no thread CPU clock; one libc call")]
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec and the clock id is a constant Linux supports.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &raw mut now) };
    if status != 0 {
        return Duration::ZERO;
    }
    Duration::new(
        u64::try_from(now.tv_sec).unwrap_or(0),
        u32::try_from(now.tv_nsec).unwrap_or(0),
    )
}

/// Elsewhere: the time since the process started (wall clock).
#[cfg(not(target_os = "linux"))]
fn thread_cpu_time() -> Duration {
    use std::sync::OnceLock;
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

/// Steps until the pane's run is ready (at most `limit` frames); returns (CPU ms, phase) per frame.
fn frames_until_ready(
    harness: &mut Harness<'_, StudioApp>,
    limit: usize,
) -> Vec<(f64, &'static str)> {
    let mut frames = Vec::new();
    let mut after_ready = 0;
    while frames.len() < limit && after_ready < 5 {
        let start = thread_cpu_time();
        harness.step();
        let cpu = thread_cpu_time().saturating_sub(start);
        let phase = harness.state().simulator().run_phase();
        frames.push((cpu.as_secs_f64() * 1e3, phase));
        if phase == "ready" {
            after_ready += 1;
        }
    }
    frames
}

fn main() -> Result<(), String> {
    let summary = std::env::args().any(|arg| arg == "--summary");
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/bench");
    let read = |name: &str| {
        std::fs::read_to_string(format!("{root}/{name}"))
            .map_err(|error| format!("{root}/{name}: {error}"))
    };
    let text = read("map10k.asl.json")?;
    let input = read("map10k.input.json")?;
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_theme(egui::Theme::Light)
        .allow_missing_glyphs()
        .build_eframe(|cc| {
            StudioApp::with_platform(
                Some(cc),
                StartSource::Text {
                    name: "map10k.asl.json".to_owned(),
                    text,
                },
                Box::new(MemoryFiles::default()),
                Box::new(ScriptedDialogs::default()),
            )
        });
    harness.run();
    harness.state_mut().simulator_mut().set_input_text(&input);
    harness.run();
    if summary {
        // The tab exists once the pane is open: a first run opens it.
        harness.key_press(egui::Key::F5);
        frames_until_ready(&mut harness, 100_000);
        harness.run();
        harness.get_by_label("Summary").click();
        harness.run();
    }
    harness.key_press(egui::Key::F5);
    let frames = frames_until_ready(&mut harness, 100_000);
    let first_ready = frames
        .iter()
        .position(|(_, phase)| *phase == "ready")
        .ok_or("the run did not finish")?;
    for (index, (ms, phase)) in frames.iter().enumerate() {
        let mark = if index == first_ready {
            "  <- completing frame"
        } else {
            ""
        };
        println!("frame {index:4}: {ms:7.2} ms {phase}{mark}");
    }
    let slowest = |range: &[(f64, &str)]| range.iter().map(|(ms, _)| *ms).fold(0.0, f64::max);
    println!(
        "start (F5) frame {:.2} ms; slowest while running or indexing {:.2} ms; completing frame {:.2} ms; slowest after it {:.2} ms",
        frames.first().map_or(0.0, |(ms, _)| *ms),
        slowest(frames.get(1..first_ready).unwrap_or_default()),
        frames[first_ready].0,
        slowest(frames.get(first_ready + 1..).unwrap_or_default()),
    );
    Ok(())
}
