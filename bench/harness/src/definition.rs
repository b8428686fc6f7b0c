//! What the benchmarks need to know about a definition without the document model: the names of
//! its Task and Wait states at every depth (to mock them identically for us and the peer).

use serde_json::Value;

/// Names of the states of `kind` (`"Task"`, `"Wait"`) anywhere in the definition, in document order.
pub fn state_names_of_type(definition: &Value, kind: &str) -> Vec<String> {
    let mut names = Vec::new();
    collect(definition, kind, &mut names);
    names
}

fn collect(machine: &Value, kind: &str, names: &mut Vec<String>) {
    let Some(states) = machine.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        if state.get("Type").and_then(Value::as_str) == Some(kind) {
            names.push(name.clone());
        }
        if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
            for branch in branches {
                collect(branch, kind, names);
            }
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(processor) = state.get(key) {
                collect(processor, kind, names);
            }
        }
    }
}

/// The raw result every mocked Lambda Task returns (the generated Tasks select `$.Payload`).
pub fn mock_payload() -> Value {
    serde_json::json!({ "Payload": { "ok": true, "source": "mock" }, "StatusCode": 200 })
}

/// Reads and parses a JSON file, naming the file on failure.
pub fn read_json(path: &std::path::Path) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not JSON: {e}", path.display()))
}
