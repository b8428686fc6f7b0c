//! Runs the map10k benchmark a fixed number of times without statistics, so that its CPU time can be
//! measured with `perf stat` or `time` on a loaded machine (wall-clock benchmarks are unreliable there):
//! `cargo bench -p simulator --bench map10k_cpu` prints the runs; divide the user time by them.
//! The input copies are made before the timed loop.

#![allow(missing_docs, clippy::print_stdout, reason = "a measurement binary")]

use serde_json::Value;
use simulator::{Options, Status};

mod common;

use common::load;

const RUNS: u32 = 50;

fn main() {
    let definition = load("map10k.asl.json");
    let input = load("map10k.input.json");
    // `map10k_cpu -- full` records history and trace too.
    let full = std::env::args().any(|argument| argument == "full");
    let lean = Options {
        record_history: full,
        record_trace: full,
        max_history_events: u64::MAX,
        max_payload_bytes: usize::MAX,
        ..Options::default()
    };
    let inputs: Vec<Value> = (0..RUNS).map(|_| input.clone()).collect();
    let started = std::time::Instant::now();
    for input in inputs {
        let result = simulator::run(&definition, input, &lean);
        assert_eq!(result.status, Status::Succeeded);
    }
    let elapsed = started.elapsed();
    println!(
        "{RUNS} runs, {:.2} ms wall per run",
        elapsed.as_secs_f64() * 1000.0 / f64::from(RUNS)
    );
}
