//! Task results without calling AWS: a plain map (state name -> result) and the AWS Step Functions Local
//! mock configuration format.

use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::sync::Arc;

use serde_json::{Map, Value};
use thiserror::Error;

use crate::plan::FastHash;

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

/// One mocked Task invocation: what it does and how long it runs on the virtual clock.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MockedCall {
    /// The result or error.
    pub response: MockResponse,
    /// Virtual seconds the task runs before it returns or throws (0 = instantly). A Task whose
    /// `TimeoutSeconds` or `HeartbeatSeconds` is shorter fails with `States.Timeout` at that instant
    /// instead (mocks send no heartbeats).
    pub duration_seconds: f64,
}

/// A mock configuration problem.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("mock configuration: {0}")]
pub struct MockError(pub String);

/// Task mocks for one run.
///
/// Besides the plain conformance form ([`Mocks::from_results`]) this reads the AWS Step Functions Local
/// mock file ([`Mocks::from_step_functions_local`]) with one ASL Studio extension: an invocation entry may
/// carry `"DurationSeconds": <non-negative number>` next to its `Return` or `Throw`, the virtual time the
/// task runs. With it, a Task's `TimeoutSeconds` / `HeartbeatSeconds` can fire (`States.Timeout`), and slow
/// tasks move the clock towards the execution's `TimeoutSeconds` or Express's five minutes. Step Functions
/// Local files without the field behave exactly as before (duration 0):
///
/// ```json
/// {"MockedResponses": {"SlowLambda": {
///     "0": {"Return": {"StatusCode": 200}, "DurationSeconds": 400},
///     "1": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "down"}, "DurationSeconds": 2}}}}
/// ```
///
/// Programmatically, [`Mocks::insert`] takes the same duration.
#[derive(Debug, Clone, Default)]
pub struct Mocks {
    // Shared: `Options` (and so the mocks) are cloned for every run.
    // Looked up at every Task invocation, so hashed cheaply (the names are the run's own).
    /// State name -> the same raw result for every invocation.
    results: Arc<HashMap<String, Value, FastHash>>,
    /// State name -> responses by invocation number (0-based, inclusive ranges), with their durations.
    sequences: Arc<HashMap<String, Vec<InvocationRange>, FastHash>>,
}

/// First and last invocation (0-based, inclusive) and what they do.
type InvocationRange = (u32, u32, MockedCall);

impl Mocks {
    /// No mocks.
    pub fn new() -> Self {
        Self::default()
    }

    /// The conformance form: `{ "<Task state name>": <raw result> }`.
    pub fn from_results(results: &Map<String, Value>) -> Self {
        Self {
            results: Arc::new(
                results
                    .iter()
                    .map(|(name, value)| (name.clone(), value.clone()))
                    .collect(),
            ),
            sequences: Arc::default(),
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
        let mut sequences = HashMap::default();
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
                let duration_seconds = match body.get("DurationSeconds") {
                    None => 0.0,
                    Some(value) => value
                        .as_f64()
                        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
                        .ok_or_else(|| {
                            MockError(format!(
                                "response '{response_name}' invocation '{range}': 'DurationSeconds' must be a non-negative number"
                            ))
                        })?,
                };
                entries.push((
                    first,
                    last,
                    MockedCall {
                        response: mock,
                        duration_seconds,
                    },
                ));
            }
            sequences.insert(state.clone(), entries);
        }
        Ok(Self {
            results: Arc::default(),
            sequences: Arc::new(sequences),
        })
    }

    /// Mocks the Task state `state` for the (0-based) `invocations`: each returns or throws `response`
    /// after `duration_seconds` of virtual time. Replaces the plain result given for `state`, if any.
    pub fn insert(
        &mut self,
        state: impl Into<String>,
        invocations: RangeInclusive<u32>,
        response: MockResponse,
        duration_seconds: f64,
    ) {
        let state = state.into();
        Arc::make_mut(&mut self.results).remove(&state);
        Arc::make_mut(&mut self.sequences)
            .entry(state)
            .or_default()
            .push((
                *invocations.start(),
                *invocations.end(),
                MockedCall {
                    response,
                    duration_seconds: if duration_seconds.is_finite() {
                        duration_seconds.max(0.0)
                    } else {
                        0.0
                    },
                },
            ));
    }

    /// Whether the Task state `state` has a mock.
    pub fn contains(&self, state: &str) -> bool {
        self.results.contains_key(state) || self.sequences.contains_key(state)
    }

    /// The response for the `invocation`-th (0-based) call of the Task state `state`.
    pub fn response(&self, state: &str, invocation: u32) -> Option<MockResponse> {
        self.call(state, invocation).map(|call| call.response)
    }

    /// The response and its virtual duration for the `invocation`-th (0-based) call of `state`. Past the
    /// last range given, the last response repeats (as Step Functions Local does).
    pub fn call(&self, state: &str, invocation: u32) -> Option<MockedCall> {
        self.call_ref(state, invocation).map(|call| match call {
            CallRef::Plain(result) => MockedCall {
                response: MockResponse::Return(result.clone()),
                duration_seconds: 0.0,
            },
            CallRef::Sequenced(call) => call.clone(),
        })
    }

    /// The result given for every invocation of `state` ([`Mocks::from_results`]), if any.
    pub(crate) fn plain_result(&self, state: &str) -> Option<&Value> {
        self.results.get(state)
    }

    /// [`Mocks::call`] without copying the response: the engine only reads a result that a
    /// ResultSelector reshapes.
    pub(crate) fn call_ref(&self, state: &str, invocation: u32) -> Option<CallRef<'_>> {
        if let Some(result) = self.results.get(state) {
            return Some(CallRef::Plain(result));
        }
        let entries = self.sequences.get(state)?;
        entries
            .iter()
            .find(|(first, last, _)| (*first..=*last).contains(&invocation))
            .or_else(|| entries.iter().max_by_key(|(_, last, _)| *last))
            .map(|(_, _, call)| CallRef::Sequenced(call))
    }
}

/// A mocked call as stored, borrowed from [`Mocks`].
pub(crate) enum CallRef<'a> {
    /// A plain result ([`Mocks::from_results`]): returned at once.
    Plain(&'a Value),
    /// An entry of a sequence.
    Sequenced(&'a MockedCall),
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
        assert_eq!(
            mocks.call("Call", 1).map(|call| call.duration_seconds),
            Some(0.0)
        );
        Ok(())
    }

    #[test]
    fn durations_from_the_extension_field_and_insert() -> Result<(), MockError> {
        let config = json!({
            "StateMachines": {"M": {"TestCases": {"Slow": {"Call": "SlowThenFast"}}}},
            "MockedResponses": {"SlowThenFast": {
                "0": {"Return": {"ok": false}, "DurationSeconds": 400},
                "1": {"Throw": {"Error": "E", "Cause": "c"}, "DurationSeconds": 2.5}
            }}
        });
        let mocks = Mocks::from_step_functions_local(&config, None, "Slow")?;
        assert_eq!(
            mocks.call("Call", 0).map(|call| call.duration_seconds),
            Some(400.0)
        );
        assert_eq!(
            mocks.call("Call", 1).map(|call| call.duration_seconds),
            Some(2.5)
        );
        let mut bad = config.clone();
        bad["MockedResponses"]["SlowThenFast"]["0"]["DurationSeconds"] = json!(-1);
        assert!(Mocks::from_step_functions_local(&bad, None, "Slow").is_err());
        let mut built = Mocks::new();
        built.insert("Call", 0..=1, MockResponse::Return(json!(1)), 30.0);
        assert_eq!(
            built.call("Call", 1),
            Some(MockedCall {
                response: MockResponse::Return(json!(1)),
                duration_seconds: 30.0
            })
        );
        Ok(())
    }
}
