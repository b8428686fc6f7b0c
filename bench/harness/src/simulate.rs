//! One simulator run: the definition and input are read and every Task mocked before the clock
//! starts; the clock covers `simulator::run` (compile + execute) only.

use std::path::Path;
use std::time::Instant;

use serde_json::{Map, Value, json};
use simulator::{Mocks, Options};

use crate::definition::{mock_payload, read_json, state_names_of_type};

/// Runs `definition` on `input` with the product's default options (history and trace recorded),
/// writes the output to `output` and returns `{ms, status, transitions}`.
pub fn measure(definition: &Path, input: &Path, output: &Path) -> anyhow::Result<Value> {
    let definition = read_json(definition)?;
    let input = read_json(input)?;
    let results: Map<String, Value> = state_names_of_type(&definition, "Task")
        .into_iter()
        .map(|name| (name, mock_payload()))
        .collect();
    let options = Options {
        mocks: Mocks::from_results(&results),
        ..Options::default()
    };
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
