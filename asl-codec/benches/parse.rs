//! Parsing, checking, locating and writing 10,000- and 1,000-state definitions made by
//! `python3 tests/data/bench/gen_asl.py N` (generated at run time; it is deterministic).

#![allow(missing_docs)]

use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use asl_codec::{Format, SourceFile};
use criterion::{Criterion, criterion_group, criterion_main};

fn generated_definition(states: usize) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bench/gen_asl.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg(states.to_string())
        .output()
        .unwrap_or_else(|error| panic!("cannot run python3 {}: {error}", script.display()));
    assert!(output.status.success(), "gen_asl.py failed");
    String::from_utf8(output.stdout).unwrap_or_else(|error| panic!("gen_asl.py output: {error}"))
}

fn bench(c: &mut Criterion) {
    let text = generated_definition(10_000);
    let source = SourceFile::parse(text.as_str(), Format::Json)
        .unwrap_or_else(|error| panic!("generated definition: {error}"));
    let mut edited = source.value().clone();
    edited["Comment"] = serde_json::json!("edited");
    let mut group = c.benchmark_group(format!("10k states ({} bytes)", text.len()));
    group.sample_size(20);
    group.bench_function(
        "check (parse + model + validate, as the side-by-side harness)",
        |b| b.iter(|| asl_codec::check::first_error(black_box(text.as_str()), Format::Json)),
    );
    group.bench_function("parse with spans (no value)", |b| {
        b.iter(|| SourceFile::parse(black_box(text.as_str()), Format::Json))
    });
    group.bench_function("parse with spans, then the whole value", |b| {
        b.iter(|| {
            SourceFile::parse(black_box(text.as_str()), Format::Json)
                .map(|source| source.value().is_object())
        })
    });
    group.bench_function("serde_json::from_str (reference)", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&text)))
    });
    group.bench_function("write preserving, one edit", |b| {
        b.iter(|| source.write_preserving(black_box(&edited)))
    });
    group.bench_function("canonical layout", |b| b.iter(|| source.format_canonical()));
    group.bench_function("graph-model import", |b| b.iter(|| source.machine()));
    if let Ok(machine) = source.machine() {
        group.bench_function("validate", |b| b.iter(|| graph_model::validate(&machine)));
    }
    group.finish();

    let small = generated_definition(1_000);
    let mut group = c.benchmark_group(format!("1k states ({} bytes)", small.len()));
    group.bench_function(
        "check (parse + model + validate, as the side-by-side harness)",
        |b| b.iter(|| asl_codec::check::first_error(black_box(small.as_str()), Format::Json)),
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
