//! Times `simulator::run` on a definition and input as the bench harness does (Express, every Task
//! mocked with the same payload, no history, no trace): `profile_run <definition> <input> [runs]`.
//! Used with `valgrind --tool=callgrind` to find where a run spends its instructions.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line profiling aid"
)]

use std::time::Instant;

use serde_json::{Map, Value, json};
use simulator::{ExecutionType, Mocks, Options};

fn task_names(machine: &Value, names: &mut Vec<String>) {
    let Some(states) = machine.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        if state.get("Type").and_then(Value::as_str) == Some("Task") {
            names.push(name.clone());
        }
        for branch in state
            .get("Branches")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            task_names(branch, names);
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(processor) = state.get(key) {
                task_names(processor, names);
            }
        }
    }
}

fn read(path: &str) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("{path}: {error}"))?;
    serde_json::from_str(&text).map_err(|error| format!("{path}: {error}"))
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(definition), Some(input)) = (args.get(1), args.get(2)) else {
        return Err("usage: profile_run <definition.json> <input.json> [runs]".to_owned());
    };
    let runs: u32 = args.get(3).and_then(|text| text.parse().ok()).unwrap_or(1);
    let definition = read(definition)?;
    let input = read(input)?;
    let mut names = Vec::new();
    task_names(&definition, &mut names);
    let results: Map<String, Value> = names
        .into_iter()
        .map(|name| {
            (
                name,
                json!({"Payload": {"ok": true, "source": "mock"}, "StatusCode": 200}),
            )
        })
        .collect();
    let options = Options {
        execution_type: if std::env::var_os("STANDARD").is_some() {
            ExecutionType::Standard
        } else {
            ExecutionType::Express
        },
        max_history_events: u64::MAX,
        express_timeout_seconds: 1e9,
        max_payload_bytes: usize::MAX,
        mocks: Mocks::from_results(&results),
        record_history: false,
        record_trace: false,
        ..Options::default()
    };
    let mut best = f64::MAX;
    let mut total = 0.0;
    let mut last = None;
    for _ in 0..runs {
        let input = input.clone();
        let start = Instant::now();
        let result = simulator::run(&definition, input, &options);
        let elapsed = start.elapsed().as_secs_f64() * 1e6;
        best = best.min(elapsed);
        total += elapsed;
        last = Some(result);
    }
    if let Some(result) = last {
        println!(
            "{:?} transitions={} best={best:.1}us mean={:.1}us",
            result.status,
            result.state_transitions,
            total / f64::from(runs.max(1))
        );
    }
    Ok(())
}
