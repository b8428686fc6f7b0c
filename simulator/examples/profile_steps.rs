//! The slowest `Execution::step` of a run recorded as the designer pane records it (history and
//! trace on): `profile_steps <definition> <input> [transitions per step]`.

#![allow(clippy::print_stdout, reason = "a command-line profiling aid")]

use std::time::{Duration, Instant};

use serde_json::Value;
use simulator::{Execution, ExecutionType, Options, StepOutcome};

fn read(path: &str) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("{path}: {error}"))?;
    serde_json::from_str(&text).map_err(|error| format!("{path}: {error}"))
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(definition), Some(input)) = (args.get(1), args.get(2)) else {
        return Err("usage: profile_steps <definition.json> <input.json> [chunk]".to_owned());
    };
    let chunk: u64 = args.get(3).and_then(|text| text.parse().ok()).unwrap_or(64);
    let options = Options {
        execution_type: ExecutionType::Express,
        ..Options::default()
    };
    let mut execution = Execution::new(&read(definition)?, read(input)?, options)
        .map_err(|error| error.to_string())?;
    let (mut slowest, mut slowest_at, mut steps, mut total) =
        (Duration::ZERO, 0, 0, Duration::ZERO);
    loop {
        let start = Instant::now();
        let outcome = execution.step(chunk);
        let took = start.elapsed();
        total += took;
        if took > slowest {
            (slowest, slowest_at) = (took, steps);
        }
        steps += 1;
        if outcome == StepOutcome::Finished {
            break;
        }
    }
    let result = execution.into_result();
    println!(
        "status={:?} steps={steps} total={total:?} slowest={slowest:?} at step {slowest_at}",
        result.map(|result| result.status),
    );
    Ok(())
}
