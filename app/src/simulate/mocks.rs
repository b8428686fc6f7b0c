//! The mock editor's model: per Task state, what each attempt returns or throws, so that Retry and
//! Catch can be exercised. It reads and writes the AWS Step Functions Local mock configuration file
//! through the simulator's one reader and writer of it ([`simulator::MockConfig`]), and hands the
//! mocks to the simulator as [`simulator::Mocks`].

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// Largest number of attempts one imported invocation range expands to (a range such as `"0-999"`
/// would otherwise fill the editor with identical rows).
const MAX_EXPANDED_ATTEMPTS: u32 = 25;

/// What one attempt of a mocked Task does.
#[derive(Clone, Debug, PartialEq)]
pub enum AttemptMock {
    /// The task succeeds; `text` is the raw result as JSON text (edited by the user).
    Return {
        /// The result, as JSON text.
        text: String,
    },
    /// The task fails with this error and cause.
    Throw {
        /// Error name, e.g. `Glue.AWSGlueException`.
        error: String,
        /// Cause text.
        cause: String,
    },
}

impl AttemptMock {
    /// A successful attempt returning `value`.
    #[must_use]
    pub fn returning(value: &Value) -> Self {
        Self::Return {
            text: serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".to_owned()),
        }
    }

    /// A failing attempt.
    #[must_use]
    pub fn throwing(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self::Throw {
            error: error.into(),
            cause: cause.into(),
        }
    }

    /// This attempt as the simulator's mocked response.
    ///
    /// # Errors
    /// The result text is not JSON: the message says so, with its line and column.
    pub fn to_mock_response(&self) -> Result<simulator::MockResponse, String> {
        match self {
            Self::Return { text } => serde_json::from_str::<Value>(text)
                .map(simulator::MockResponse::Return)
                .map_err(|error| format!("the result is not JSON: {error}")),
            Self::Throw { error, cause } => Ok(simulator::MockResponse::Throw {
                error: error.clone(),
                cause: cause.clone(),
            }),
        }
    }

    /// The attempt a mocked response stands for.
    #[must_use]
    pub fn from_mock_response(response: &simulator::MockResponse) -> Self {
        match response {
            simulator::MockResponse::Return(value) => Self::returning(value),
            simulator::MockResponse::Throw { error, cause } => Self::throwing(error, cause),
        }
    }

    /// This attempt as a Step Functions Local response body (`{"Return": ..}` or `{"Throw": ..}`).
    ///
    /// # Errors
    /// The result text is not JSON: the message says so, with its line and column.
    pub fn to_response(&self) -> Result<Value, String> {
        match self {
            Self::Return { text } => serde_json::from_str::<Value>(text)
                .map(|value| json!({ "Return": value }))
                .map_err(|error| format!("the result is not JSON: {error}")),
            Self::Throw { error, cause } => {
                Ok(json!({ "Throw": { "Error": error, "Cause": cause } }))
            }
        }
    }
}

/// Mocks for every Task state, edited in the pane.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MockSet {
    /// Task state name -> its attempts in order; the last one repeats for later invocations.
    pub states: BTreeMap<String, Vec<AttemptMock>>,
    /// A Task without a mock returns its input instead of failing the run.
    pub pass_through: bool,
}

/// Name of the test case written to and preferred when reading a Step Functions Local file.
pub const TEST_CASE: &str = "DryRun";

impl MockSet {
    /// The mocks of `state`, if any.
    #[must_use]
    pub fn attempts(&self, state: &str) -> Option<&[AttemptMock]> {
        self.states.get(state).map(Vec::as_slice)
    }

    /// Replaces the mocks of `state` (an empty list removes them).
    pub fn set(&mut self, state: &str, attempts: Vec<AttemptMock>) {
        if attempts.is_empty() {
            self.states.remove(state);
        } else {
            self.states.insert(state.to_owned(), attempts);
        }
    }

    /// The Step Functions Local mock configuration of these mocks, for the machine `machine`.
    ///
    /// # Errors
    /// A result is not JSON: the message names the state and attempt.
    pub fn to_step_functions_local(&self, machine: &str) -> Result<Value, String> {
        Ok(self.to_config(machine)?.to_value())
    }

    /// These mocks as a mock file (the simulator's model of it): test case [`TEST_CASE`] of
    /// `machine`, one response `<state>Mock` per state, one entry per attempt.
    fn to_config(&self, machine: &str) -> Result<simulator::MockConfig, String> {
        let mut config = simulator::MockConfig::default();
        let mut case = BTreeMap::new();
        for (state, attempts) in &self.states {
            let response_name = format!("{state}Mock");
            let mut entries = Vec::with_capacity(attempts.len());
            for (index, attempt) in attempts.iter().enumerate() {
                let response = attempt.to_mock_response().map_err(|message| {
                    format!("mock of '{state}', attempt {}: {message}", index + 1)
                })?;
                let invocation = u32::try_from(index).unwrap_or(u32::MAX);
                entries.push(simulator::MockEntry {
                    first: invocation,
                    last: invocation,
                    call: simulator::MockedCall {
                        response,
                        duration_seconds: 0.0,
                    },
                });
            }
            case.insert(state.clone(), response_name.clone());
            config.responses.insert(response_name, entries);
        }
        config.state_machines.insert(
            machine.to_owned(),
            BTreeMap::from([(TEST_CASE.to_owned(), case)]),
        );
        Ok(config)
    }

    /// The mocks the simulator runs with.
    ///
    /// # Errors
    /// A result is not JSON, or the configuration is refused by the simulator.
    pub fn to_simulator(&self) -> Result<simulator::Mocks, String> {
        if self.states.is_empty() {
            return Ok(simulator::Mocks::new());
        }
        let config = self.to_config("StateMachine")?;
        simulator::Mocks::from_config(&config, None, TEST_CASE).map_err(|error| error.to_string())
    }

    /// Reads a Step Functions Local mock file (with the simulator's reader, so the pane and `run
    /// --mocks` agree on every file): the test case `DryRun` if present, else the first test case
    /// of the first machine. Invocation ranges (`"1-2"`) become one attempt each.
    ///
    /// # Errors
    /// What is missing or malformed, and where.
    pub fn from_step_functions_local(config: &Value) -> Result<Self, String> {
        let config = simulator::MockConfig::parse(config).map_err(|error| error.to_string())?;
        let cases = config.state_machines.values();
        let mut chosen = None;
        for cases in cases {
            if let Some(case) = cases.get(TEST_CASE) {
                chosen = Some(case);
                break;
            }
            if chosen.is_none() {
                chosen = cases.values().next();
            }
        }
        let case = chosen.ok_or(
            "mock configuration: the mock file has no test case under StateMachines.*.TestCases",
        )?;
        Ok(Self::from_case(&config, case))
    }

    /// The mocks of test case `case` of `machine` in a mock file.
    ///
    /// # Errors
    /// The file has no such test case.
    pub fn from_test_case(
        config: &simulator::MockConfig,
        machine: &str,
        case: &str,
    ) -> Result<Self, String> {
        let (_, states) = config
            .test_case(Some(machine), case)
            .map_err(|error| error.to_string())?;
        Ok(Self::from_case(config, states))
    }

    /// The mocks of one test case (Task state -> mocked response name). Invocation ranges
    /// (`"1-2"`) become one attempt each.
    fn from_case(
        config: &simulator::MockConfig,
        case: &std::collections::BTreeMap<String, String>,
    ) -> Self {
        let mut set = Self::default();
        for (state, response_name) in case {
            let mut attempts = Vec::new();
            for entry in config.responses.get(response_name).into_iter().flatten() {
                let attempt = AttemptMock::from_mock_response(&entry.call.response);
                let count = entry
                    .last
                    .saturating_sub(entry.first)
                    .saturating_add(1)
                    .min(MAX_EXPANDED_ATTEMPTS);
                for _ in 0..count {
                    attempts.push(attempt.clone());
                }
            }
            set.set(state, attempts);
        }
        set
    }

    /// The mocks as saved in the sidecar.
    #[must_use]
    pub fn sidecar(&self) -> Value {
        let states: Map<String, Value> = self
            .states
            .iter()
            .map(|(state, attempts)| {
                let attempts = attempts
                    .iter()
                    .map(|attempt| match attempt {
                        AttemptMock::Return { text } => json!({ "return": text }),
                        AttemptMock::Throw { error, cause } => {
                            json!({ "error": error, "cause": cause })
                        }
                    })
                    .collect();
                (state.clone(), Value::Array(attempts))
            })
            .collect();
        json!({ "passThrough": self.pass_through, "states": states })
    }

    /// Reads what [`Self::sidecar`] wrote; anything unrecognised is skipped.
    #[must_use]
    pub fn from_sidecar(value: &Value) -> Self {
        let mut set = Self {
            pass_through: value
                .get("passThrough")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            ..Self::default()
        };
        for (state, attempts) in value
            .get("states")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let attempts: Vec<AttemptMock> = attempts
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|attempt| {
                    if let Some(text) = attempt.get("return").and_then(Value::as_str) {
                        Some(AttemptMock::Return {
                            text: text.to_owned(),
                        })
                    } else {
                        attempt.get("error").and_then(Value::as_str).map(|error| {
                            AttemptMock::throwing(
                                error,
                                attempt
                                    .get("cause")
                                    .and_then(Value::as_str)
                                    .unwrap_or_default(),
                            )
                        })
                    }
                })
                .collect();
            set.set(state, attempts);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_step_functions_local() -> Result<(), String> {
        let mut set = MockSet::default();
        set.set(
            "TransformFile",
            vec![
                AttemptMock::throwing("Glue.AWSGlueException", "job failed"),
                AttemptMock::returning(&json!({"ok": 1})),
            ],
        );
        set.set(
            "DownloadFile",
            vec![AttemptMock::returning(&json!({"Payload": {"bucket": "b"}}))],
        );
        let file = set.to_step_functions_local("Etl")?;
        assert_eq!(
            file["StateMachines"]["Etl"]["TestCases"]["DryRun"]["TransformFile"],
            "TransformFileMock"
        );
        assert_eq!(
            file["MockedResponses"]["TransformFileMock"]["0"]["Throw"]["Error"],
            "Glue.AWSGlueException"
        );
        let back = MockSet::from_step_functions_local(&file)?;
        assert_eq!(back.states.len(), 2);
        assert_eq!(back.attempts("TransformFile").map(<[_]>::len), Some(2));
        let mocks = set.to_simulator()?;
        assert!(matches!(
            mocks.response("TransformFile", 0),
            Some(simulator::MockResponse::Throw { .. })
        ));
        assert_eq!(
            mocks.response("TransformFile", 5),
            Some(simulator::MockResponse::Return(json!({"ok": 1})))
        );
        Ok(())
    }

    #[test]
    fn imports_ranges_and_reports_missing_parts() -> Result<(), String> {
        let file = json!({
            "StateMachines": {"M": {"TestCases": {"Happy": {"Call": "Flaky"}}}},
            "MockedResponses": {"Flaky": {
                "0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
                "1-2": {"Return": {"ok": true}}
            }}
        });
        let set = MockSet::from_step_functions_local(&file)?;
        assert_eq!(set.attempts("Call").map(<[_]>::len), Some(3));
        let error = MockSet::from_step_functions_local(&json!({"StateMachines": {}}));
        assert_eq!(
            error,
            Err("mock configuration: missing 'MockedResponses' object".to_owned())
        );
        let bad_result = MockSet {
            states: BTreeMap::from([(
                "A".to_owned(),
                vec![AttemptMock::Return {
                    text: "{oops".to_owned(),
                }],
            )]),
            pass_through: false,
        };
        assert!(
            bad_result
                .to_simulator()
                .is_err_and(|message| message.contains("mock of 'A', attempt 1"))
        );
        Ok(())
    }

    #[test]
    fn sidecar_round_trip() {
        let mut set = MockSet {
            pass_through: true,
            ..MockSet::default()
        };
        set.set(
            "A",
            vec![
                AttemptMock::throwing("E", "C"),
                AttemptMock::Return {
                    text: "[1]".to_owned(),
                },
            ],
        );
        assert_eq!(MockSet::from_sidecar(&set.sidecar()), set);
    }

    #[test]
    fn the_pane_refuses_what_run_refuses() {
        for (entry, expected) in [
            (
                json!({"5-2": {"Return": 1}}),
                "entry '5-2': the range '5-2' runs backwards",
            ),
            (
                json!({"0": {"Throw": {"Cause": "c"}}}),
                "entry '0': 'Throw' needs an 'Error' string",
            ),
            (
                json!({"0": "oops"}),
                "entry '0': must be an object with 'Return' or 'Throw'",
            ),
        ] {
            let file = json!({
                "StateMachines": {"M": {"TestCases": {"Happy": {"Call": "Flaky"}}}},
                "MockedResponses": {"Flaky": entry}
            });
            let pane = MockSet::from_step_functions_local(&file)
                .err()
                .unwrap_or_default();
            let run = simulator::Mocks::from_step_functions_local(&file, None, "Happy")
                .err()
                .map(|error| error.to_string())
                .unwrap_or_default();
            assert_eq!(pane, run);
            assert!(
                pane.contains("test case 'Happy' (state 'Call'): mocked response 'Flaky', ")
                    && pane.contains(expected),
                "{pane}"
            );
        }
    }
}
