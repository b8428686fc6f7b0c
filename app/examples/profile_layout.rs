//! Times the designer's auto-layout (`Layout::of` + `Placement::new`) of a definition, from scratch
//! and again after an edit that changes no box or transition (every machine taken from the
//! cache): `profile_layout <definition.json> [runs]`. Used with `perf record` to find where layout
//! spends its time on large machines.

#![allow(clippy::print_stdout, reason = "a command-line profiling aid")]

use std::collections::HashMap;
use std::time::Instant;

use asl_studio::canvas::layout::{Layout, LayoutCache, Placement};
use graph_model::StateMachine;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        return Err("usage: profile_layout <definition.json> [runs]".to_owned());
    };
    let runs: usize = args.get(2).and_then(|text| text.parse().ok()).unwrap_or(5);
    let text = std::fs::read_to_string(path).map_err(|error| format!("{path}: {error}"))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| format!("{path}: {error}"))?;
    let machine = StateMachine::from_value(&value).map_err(|error| format!("{path}: {error}"))?;
    let pins = HashMap::new();
    let mut fresh = Vec::with_capacity(runs);
    let mut cached = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let mut cache = LayoutCache::default();
        let start = Instant::now();
        let layout = Layout::of_cached(&machine, &asl_studio::theme::METRICS, &mut cache);
        let placement = Placement::new(&layout, &pins);
        fresh.push(start.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box((layout, placement));
        let start = Instant::now();
        let layout = Layout::of_cached(&machine, &asl_studio::theme::METRICS, &mut cache);
        let placement = Placement::new(&layout, &pins);
        cached.push(start.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box((layout, placement));
    }
    // What the frame pays to hand a big document to the layout worker.
    let start = Instant::now();
    let copy = machine.clone();
    let clone_ms = start.elapsed().as_secs_f64() * 1e3;
    std::hint::black_box(copy);
    println!("copying the document for the layout worker: {clone_ms:.2} ms");
    fresh.sort_by(f64::total_cmp);
    cached.sort_by(f64::total_cmp);
    println!(
        "{} states: from scratch median {:.2} ms (best {:.2}); unchanged graph median {:.2} ms (best {:.2}); {} runs",
        machine.total_states(),
        fresh[fresh.len() / 2],
        fresh[0],
        cached[cached.len() / 2],
        cached[0],
        fresh.len()
    );
    Ok(())
}
