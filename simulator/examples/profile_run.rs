//! Times `simulator::run` on a definition and input as the bench harness does (Express, every Task
//! mocked with the same payload, no history, no trace): `profile_run <definition> <input> [runs]`.
//! Used with `valgrind --tool=callgrind` to find where a run spends its instructions.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    unsafe_code,
    reason = "a command-line profiling aid; the counting allocator only forwards to `System`"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use serde_json::{Map, Value, json};
use simulator::{Mocks, Options};

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

/// The system allocator, counting: bytes live now, the most live at once, and allocations made.
struct Counting;

/// Counting is on with `COUNT_ALLOCATIONS` set: its atomic operations slow every allocation.
static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to `System` unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !COUNTING.load(Ordering::Relaxed) {
            // SAFETY: same contract as the caller's.
            return unsafe { System.alloc(layout) };
        }
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    // Forwarded too, so that growing in place stays possible as without the wrapper.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(live, Ordering::Relaxed);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Minor page faults of this process so far (Linux; 0 elsewhere): a cold run pays for every page
/// its allocations touch first.
fn minor_faults() -> u64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // Fields after the parenthesised command name; minflt is the 10th field overall.
            let rest = stat.rsplit_once(')')?.1;
            rest.split_whitespace().nth(7)?.parse().ok()
        })
        .unwrap_or(0)
}

fn read(path: &str) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("{path}: {error}"))?;
    serde_json::from_str(&text).map_err(|error| format!("{path}: {error}"))
}

fn main() -> Result<(), String> {
    COUNTING.store(
        std::env::var_os("COUNT_ALLOCATIONS").is_some(),
        Ordering::Relaxed,
    );
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
    let options = Options::builder()
        .express(std::env::var_os("STANDARD").is_none())
        .mocks(Mocks::from_results(&results))
        .max_history_events(u64::MAX)
        .express_timeout_seconds(1e9)
        .max_payload_bytes(usize::MAX)
        .record_history(false)
        .record_trace(false)
        .build();
    if std::env::var_os("PHASES").is_some() {
        // One cold run split into compile (`Execution::new`), execution, and dropping the result.
        let faults = minor_faults();
        let start = Instant::now();
        let execution = simulator::Execution::new(&definition, input.clone(), options.clone())
            .map_err(|error| error.to_string())?;
        let compiled = start.elapsed().as_secs_f64() * 1e6;
        let faults_compiled = minor_faults();
        let result = execution.run_to_end();
        let ran = start.elapsed().as_secs_f64() * 1e6;
        let faults_ran = minor_faults();
        drop(result);
        let dropped = start.elapsed().as_secs_f64() * 1e6;
        println!(
            "compile={compiled:.1}us ({} faults) run={:.1}us ({} faults) drop={:.1}us",
            faults_compiled.saturating_sub(faults),
            ran - compiled,
            faults_ran.saturating_sub(faults_compiled),
            dropped - ran
        );
        return Ok(());
    }
    if std::env::var_os("COMPILE_ONLY").is_some() {
        // What compiling alone allocates (the plan stays live for the whole run).
        let live = LIVE.load(Ordering::Relaxed);
        let allocations = ALLOCATIONS.load(Ordering::Relaxed);
        let execution = simulator::Execution::new(&definition, input.clone(), options.clone());
        println!(
            "compile: live={}KiB allocations={} ok={}",
            LIVE.load(Ordering::Relaxed).saturating_sub(live) / 1024,
            ALLOCATIONS
                .load(Ordering::Relaxed)
                .saturating_sub(allocations),
            execution.is_ok()
        );
        return Ok(());
    }
    let faults_before = minor_faults();
    let live_before = LIVE.load(Ordering::Relaxed);
    PEAK.store(live_before, Ordering::Relaxed);
    let allocations_before = ALLOCATIONS.load(Ordering::Relaxed);
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
    let faults = minor_faults().saturating_sub(faults_before);
    let peak_kib = PEAK.load(Ordering::Relaxed).saturating_sub(live_before) / 1024;
    let allocations = ALLOCATIONS
        .load(Ordering::Relaxed)
        .saturating_sub(allocations_before)
        / usize::try_from(runs.max(1)).unwrap_or(1);
    if let Some(result) = last {
        println!(
            "{:?} transitions={} best={best:.1}us mean={:.1}us minor_faults={faults} peak_live={peak_kib}KiB allocations_per_run={allocations}",
            result.status,
            result.state_transitions,
            total / f64::from(runs.max(1))
        );
    }
    Ok(())
}
