//! One simulator run: the definition and input are read and every Task mocked before the clock
//! starts; the clock covers `simulator::run` (compile + execute) only.

use std::path::Path;
use std::time::Instant;

use serde_json::{Map, Value, json};
use simulator::{ExecutionType, Mocks, Options};

use crate::definition::{mock_payload, read_json, state_names_of_type};

/// Runs `definition` on `input` as an Express execution configured as `asl-studio run` runs it (no
/// per-stage trace, no history unless asked: the peer keeps neither either),
/// writes the output to `output` and returns `{ms, status, transitions}`.
pub fn measure(definition: &Path, input: &Path, output: &Path) -> anyhow::Result<Value> {
    let definition = read_json(definition)?;
    let input = read_json(input)?;
    let results: Map<String, Value> = state_names_of_type(&definition, "Task")
        .into_iter()
        .map(|name| (name, mock_payload()))
        .collect();
    // Express: a Standard execution stops at AWS's 25,000 history events, which map10k's 30,001
    // state transitions pass (so it would fail, correctly); Express has no such limit. Its five-minute
    // limit is lifted because the peer's Wait states last 0 ms here while ours move a virtual clock.
    let options = Options::builder()
        .execution_type(ExecutionType::Express)
        .express_timeout_seconds(1e9)
        // map10k's Map result (10,000 objects) is over AWS's 256 KiB, so by default we end it with
        // States.DataLimitExceeded as AWS does; the peer has no such limit, so lift it to compare
        // the same work.
        .max_payload_bytes(usize::MAX)
        .mocks(Mocks::from_results(&results))
        .record_history(false)
        .record_trace(false)
        .build();
    let start = Instant::now();
    let result = simulator::run(&definition, input, &options);
    let ms = start.elapsed().as_secs_f64() * 1e3;
    let outcome = json!({
        "status": format!("{:?}", result.status).to_uppercase(),
        "output": result.output,
        "error": result.error,
        "cause": result.cause,
    });
    std::fs::write(output, outcome.to_string())
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", output.display()))?;
    Ok(json!({
        "ms": ms,
        "status": outcome["status"],
        "transitions": result.state_transitions,
        "events": result.event_count,
    }))
}
