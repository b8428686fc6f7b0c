//! The headline benchmark: an inline Map over 10,000 items (Pass -> Choice -> Pass per item, 30,001 state
//! executions), from tests/data/bench; and a full execution of a 1,000-state definition made by
//! `tests/data/bench/gen_asl.py 1000 --depth 0` with every Task mocked.

#![allow(missing_docs, reason = "criterion generates the bench entry points")]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use serde_json::Value;
use simulator::{Options, Status};

mod common;

use common::load;

/// Fails the benchmark unless the run succeeds: a benchmark of a failing run measures nothing.
fn assert_succeeds(definition: &Value, input: &Value, options: &Options) {
    let check = simulator::run(definition, input.clone(), options);
    assert_eq!(
        check.status,
        Status::Succeeded,
        "{:?} {:?}",
        check.error,
        check.cause
    );
}

/// Benchmarks runs of `definition` on copies of `input`; the copy is set-up, not part of the run.
fn bench_runs(
    c: &mut Criterion,
    name: &str,
    (definition, input, options): (&Value, &Value, &Options),
    size: BatchSize,
) {
    c.bench_function(name, |b| {
        b.iter_batched(
            || input.clone(),
            |input| simulator::run(black_box(definition), input, options),
            size,
        )
    });
}

fn map10k(c: &mut Criterion) {
    let definition = load("map10k.asl.json");
    let input = load("map10k.input.json");
    // AWS itself would stop this run: 80,000 history events and a 350 KB Map result exceed its quotas.
    // The benchmark lifts both to measure the engine.
    let unlimited = Options {
        max_history_events: u64::MAX,
        max_payload_bytes: usize::MAX,
        ..Options::default()
    };
    let lean = Options {
        record_history: false,
        record_trace: false,
        ..unlimited.clone()
    };
    let full = unlimited;
    assert_succeeds(&definition, &input, &lean);
    bench_runs(
        c,
        "map10k (no history, no trace)",
        (&definition, &input, &lean),
        BatchSize::LargeInput,
    );
    bench_runs(
        c,
        "map10k (history and trace)",
        (&definition, &input, &full),
        BatchSize::LargeInput,
    );
}

/// Every Task state of the definition, at any depth, mocked with one Lambda-shaped result.
fn mock_every_task(definition: &Value) -> simulator::Mocks {
    fn collect(value: &Value, out: &mut serde_json::Map<String, Value>) {
        match value {
            Value::Object(object) => {
                if let Some(Value::Object(states)) = object.get("States") {
                    for (name, state) in states {
                        if state.get("Type").and_then(Value::as_str) == Some("Task") {
                            out.insert(
                                name.clone(),
                                serde_json::json!({"Payload": {"ok": true}, "StatusCode": 200}),
                            );
                        }
                    }
                }
                object.values().for_each(|v| collect(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    let mut results = serde_json::Map::new();
    collect(definition, &mut results);
    simulator::Mocks::from_results(&results)
}

fn generated_1000(c: &mut Criterion) {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bench/gen_asl.py");
    let generated = std::process::Command::new("python3")
        .arg(&script)
        .args(["1000", "--depth", "0"])
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", script.display()));
    let definition: Value = serde_json::from_slice(&generated.stdout)
        .unwrap_or_else(|error| panic!("gen_asl.py output: {error}"));
    let options = Options {
        mocks: mock_every_task(&definition),
        record_history: false,
        record_trace: false,
        ..Options::default()
    };
    let input = serde_json::json!({"n": -1, "flag": false, "payload": {"x": 1}, "items": []});
    assert_succeeds(&definition, &input, &options);
    bench_runs(
        c,
        "gen 1,000 states, all Tasks mocked",
        (&definition, &input, &options),
        BatchSize::SmallInput,
    );
}

criterion_group!(benches, map10k, generated_1000);
criterion_main!(benches);
