//! The headline benchmark: an inline Map over 10,000 items (Pass -> Choice -> Pass per item, 30,001 state
//! executions), from tests/data/bench.

#![allow(missing_docs, reason = "criterion generates the bench entry points")]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use serde_json::Value;
use simulator::{Options, Status};

fn load(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/bench")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
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
    let check = simulator::run(&definition, input.clone(), &lean);
    assert_eq!(
        check.status,
        Status::Succeeded,
        "{:?} {:?}",
        check.error,
        check.cause
    );
    // The input copy is set-up, not part of the run.
    c.bench_function("map10k (no history, no trace)", |b| {
        b.iter_batched(
            || input.clone(),
            |input| simulator::run(black_box(&definition), input, &lean),
            BatchSize::LargeInput,
        )
    });
    c.bench_function("map10k (history and trace)", |b| {
        b.iter_batched(
            || input.clone(),
            |input| simulator::run(black_box(&definition), input, &full),
            BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, map10k);
criterion_main!(benches);
