//! Task results without calling AWS: a plain map (state name -> result) and the AWS Step Functions Local
//! mock configuration format.

use std::collections::HashMap;

use serde_json::{Map, Value};
use thiserror::Error;

/// What a mocked Task invocation does.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum MockResponse {
    /// The task succeeds with this raw result.
    Return(Value),
    /// The task fails with this error and cause.
    Throw {
        /// Error name.
        error: String,
        /// Cause text.
        cause: String,
    },
}

/// A mock configuration problem.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("mock configuration: {0}")]
pub struct MockError(pub String);

/// Task mocks for one run.
#[derive(Debug, Clone, Default)]
pub struct Mocks {
    /// State name -> the same raw result for every invocation.
    results: HashMap<String, Value>,
    /// State name -> responses by invocation number (0-based), from a Step Functions Local config.
    sequences: HashMap<String, Vec<(u32, u32, MockResponse)>>,
}

impl Mocks {
    /// No mocks.
    pub fn new() -> Self {
        Self::default()
    }

    /// The conformance form: `{ "<Task state name>": <raw result> }`.
    pub fn from_results(results: &Map<String, Value>) -> Self {
        Self {
            results: results
                .iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
            sequences: HashMap::new(),
        }
    }

    /// AWS Step Functions Local format: `StateMachines.<machine>.TestCases.<case>.<state> -> response name`
    /// and `MockedResponses.<name>."0"` / `"1-2"` -> `{Return}` or `{Throw: {Error, Cause}}`. With no
    /// machine name, the first machine that has the test case is used.
    pub fn from_step_functions_local(
        config: &Value,
        machine: Option<&str>,
        test_case: &str,
    ) -> Result<Self, MockError> {
        let machines = config
            .get("StateMachines")
            .and_then(Value::as_object)
            .ok_or_else(|| MockError("missing 'StateMachines' object".to_owned()))?;
        let case = machines
            .iter()
            .filter(|(name, _)| machine.is_none_or(|wanted| wanted == name.as_str()))
            .find_map(|(_, body)| body.get("TestCases").and_then(|cases| cases.get(test_case)))
            .and_then(Value::as_object)
            .ok_or_else(|| MockError(format!("no test case '{test_case}' under StateMachines")))?;
        let responses = config
            .get("MockedResponses")
            .and_then(Value::as_object)
            .ok_or_else(|| MockError("missing 'MockedResponses' object".to_owned()))?;
        let mut sequences = HashMap::new();
        for (state, response_name) in case {
            let response_name = response_name.as_str().ok_or_else(|| {
                MockError(format!(
                    "test case '{test_case}': state '{state}' must name a response"
                ))
            })?;
            let response = responses
                .get(response_name)
                .and_then(Value::as_object)
                .ok_or_else(|| MockError(format!("no mocked response '{response_name}'")))?;
            let mut entries = Vec::new();
            for (range, body) in response {
                let (first, last) = parse_range(range).ok_or_else(|| {
                    MockError(format!(
                        "response '{response_name}': bad invocation range '{range}'"
                    ))
                })?;
                let mock = if let Some(value) = body.get("Return") {
                    MockResponse::Return(value.clone())
                } else if let Some(thrown) = body.get("Throw") {
                    MockResponse::Throw {
                        error: thrown
                            .get("Error")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        cause: thrown
                            .get("Cause")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                    }
                } else {
                    return Err(MockError(format!(
                        "response '{response_name}' invocation '{range}' needs 'Return' or 'Throw'"
                    )));
                };
                entries.push((first, last, mock));
            }
            sequences.insert(state.clone(), entries);
        }
        Ok(Self {
            results: HashMap::new(),
            sequences,
        })
    }

    /// The response for the `invocation`-th (0-based) call of the Task state `state`.
    pub fn response(&self, state: &str, invocation: u32) -> Option<MockResponse> {
        if let Some(result) = self.results.get(state) {
            return Some(MockResponse::Return(result.clone()));
        }
        let entries = self.sequences.get(state)?;
        entries
            .iter()
            .find(|(first, last, _)| (*first..=*last).contains(&invocation))
            .or_else(|| entries.iter().max_by_key(|(_, last, _)| *last))
            .map(|(_, _, response)| response.clone())
    }
}

fn parse_range(text: &str) -> Option<(u32, u32)> {
    match text.split_once('-') {
        Some((first, last)) => Some((first.trim().parse().ok()?, last.trim().parse().ok()?)),
        None => {
            let single = text.trim().parse().ok()?;
            Some((single, single))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn step_functions_local_sequences() -> Result<(), MockError> {
        let config = json!({
            "StateMachines": {"M": {"TestCases": {"HappyPath": {"Call": "Flaky"}}}},
            "MockedResponses": {"Flaky": {
                "0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
                "1-2": {"Return": {"ok": true}}
            }}
        });
        let mocks = Mocks::from_step_functions_local(&config, Some("M"), "HappyPath")?;
        assert!(matches!(
            mocks.response("Call", 0),
            Some(MockResponse::Throw { .. })
        ));
        assert_eq!(
            mocks.response("Call", 2),
            Some(MockResponse::Return(json!({"ok": true})))
        );
        assert_eq!(mocks.response("Other", 0), None);
        assert!(Mocks::from_step_functions_local(&config, None, "Missing").is_err());
        Ok(())
    }
}
