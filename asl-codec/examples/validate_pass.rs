//! The parse + validate pass that the side-by-side harness times (`bench/harness/src/validate.rs`),
//! as a small binary for profiling: `cargo run --release -p asl-codec --example validate_pass --
//! FILE [PASSES]` prints the median time of one pass. Run it under `valgrind --tool=callgrind`
//! with PASSES = 1 for instruction counts.

#![allow(missing_docs, clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use asl_codec::Format;
use asl_codec::check::first_error;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: validate_pass FILE [PASSES]")?;
    let passes: usize = args.next().map_or(Ok(20), |n| n.parse())?;
    let text = std::fs::read_to_string(&path)?;
    let format = Format::from_path(std::path::Path::new(&path)).unwrap_or(Format::sniff(&text));
    let mut times = Vec::with_capacity(passes);
    let mut reason = None;
    for _ in 0..passes.max(1) {
        let start = Instant::now();
        reason = first_error(&text, format);
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "median {:.2} ms, min {:.2} ms over {} passes; first error: {}",
        times[times.len() / 2],
        times[0],
        times.len(),
        reason.as_deref().unwrap_or("none")
    );
    Ok(())
}
