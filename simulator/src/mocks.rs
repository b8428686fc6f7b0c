//! Task results without calling AWS: a plain map (state name -> result) and the AWS Step Functions Local
//! mock configuration format, which [`MockConfig`] reads and writes for every part of ASL Studio.

use std::collections::{BTreeMap, HashMap};
use std::ops::RangeInclusive;
use std::sync::Arc;

use graph_model::kind_of;
use serde_json::{Map, Value, json};
use thiserror::Error;

use crate::fast_hash::FastHash;

/// The member of a test case that holds its expectations (an ASL Studio extension that Step
/// Functions Local ignores; [`crate::suite`] checks them). The mock file format owns the name so that
/// reading and writing mock files needs nothing from the suite runner.
pub const EXPECT: &str = "Expect";

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

/// One entry of a mocked response: the invocations it covers (0-based, inclusive) and what they do.
#[derive(Debug, Clone, PartialEq)]
pub struct MockEntry {
    /// First invocation.
    pub first: u32,
    /// Last invocation (at least `first`).
    pub last: u32,
    /// What those invocations do, and for how long.
    pub call: MockedCall,
}

/// An AWS Step Functions Local mock configuration file, checked and in order: the one reader and
/// writer of the format in ASL Studio (the CLI, the designer's pane and the browser use it).
///
/// ```json
/// {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<Task state>": "<response>"}}}},
///  "MockedResponses": {"<response>": {
///      "0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
///      "1-2": {"Return": {"ok": true}, "DurationSeconds": 30}}}}
/// ```
///
/// `DurationSeconds` (a non-negative number) is ASL Studio's extension: the virtual time the task
/// runs. With it, a Task's `TimeoutSeconds` / `HeartbeatSeconds` can fire (`States.Timeout`), and slow
/// tasks move the clock towards the execution's time limit. Files without it run instantly.
///
/// Reading is strict, as a mistake in a mock file otherwise shows up as a puzzling run: a `Throw`
/// without an `Error` string, a response or entry that is not an object, an entry with neither (or
/// both) `Return` and `Throw`, a range such as `"5-2"` that runs backwards, and a test case naming a
/// response that does not exist are errors that name the test case and the entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MockConfig {
    /// State machine -> test case -> Task state -> the name of its mocked response.
    pub state_machines: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
    /// Mocked response name -> its entries, ordered by first invocation.
    pub responses: BTreeMap<String, Vec<MockEntry>>,
    /// State machine -> test case -> its `"Expect"` member (ASL Studio's extension, read by
    /// [`crate::suite`]; Step Functions Local ignores it), kept as written so that it survives a
    /// round trip.
    pub expectations: BTreeMap<String, BTreeMap<String, Value>>,
}

impl MockConfig {
    /// Reads and checks a mock file.
    ///
    /// # Errors
    /// What is missing or malformed, naming the test case (when one uses the response) and entry.
    pub fn parse(config: &Value) -> Result<Self, MockError> {
        let machines = config
            .get("StateMachines")
            .and_then(Value::as_object)
            .ok_or_else(|| MockError("missing 'StateMachines' object".to_owned()))?;
        let responses = config
            .get("MockedResponses")
            .and_then(Value::as_object)
            .ok_or_else(|| MockError("missing 'MockedResponses' object".to_owned()))?;
        let mut parsed = Self::default();
        for (machine, body) in machines {
            let cases = body
                .get("TestCases")
                .and_then(Value::as_object)
                .ok_or_else(|| {
                    MockError(format!(
                        "state machine '{machine}' has no 'TestCases' object"
                    ))
                })?;
            let mut parsed_cases = BTreeMap::new();
            for (case, states) in cases {
                let states = states.as_object().ok_or_else(|| {
                    MockError(format!(
                        "test case '{case}' must be an object {{\"<Task state>\": \"<response>\"}}"
                    ))
                })?;
                let mut parsed_states = BTreeMap::new();
                for (state, response) in states {
                    if state == EXPECT && response.is_object() {
                        parsed
                            .expectations
                            .entry(machine.clone())
                            .or_default()
                            .insert(case.clone(), response.clone());
                        continue;
                    }
                    let Some(response) = response.as_str() else {
                        return Err(MockError(format!(
                            "test case '{case}': state '{state}' must name a mocked response (a string)"
                        )));
                    };
                    if !responses.contains_key(response) {
                        return Err(MockError(format!(
                            "test case '{case}': state '{state}' uses the mocked response '{response}', which MockedResponses does not define"
                        )));
                    }
                    parsed_states.insert(state.clone(), response.to_owned());
                }
                parsed_cases.insert(case.clone(), parsed_states);
            }
            parsed.state_machines.insert(machine.clone(), parsed_cases);
        }
        for (name, body) in responses {
            let entries = parse_response(body).map_err(|problem| {
                MockError(format!(
                    "{}mocked response '{name}'{problem}",
                    parsed.user_of(name)
                ))
            })?;
            parsed.responses.insert(name.clone(), entries);
        }
        Ok(parsed)
    }

    /// "test case 'C' (state 'S'): " for the first test case that uses `response`, else nothing.
    fn user_of(&self, response: &str) -> String {
        self.state_machines
            .values()
            .flat_map(BTreeMap::iter)
            .find_map(|(case, states)| {
                states
                    .iter()
                    .find(|(_, used)| used.as_str() == response)
                    .map(|(state, _)| format!("test case '{case}' (state '{state}'): "))
            })
            .unwrap_or_default()
    }

    /// The test case `case` of `machine` (or of the first machine that has it): its machine name and
    /// Task state -> response mapping.
    ///
    /// # Errors
    /// No machine has that test case.
    pub fn test_case(
        &self,
        machine: Option<&str>,
        case: &str,
    ) -> Result<(&str, &BTreeMap<String, String>), MockError> {
        self.state_machines
            .iter()
            .filter(|(name, _)| machine.is_none_or(|wanted| wanted == name.as_str()))
            .find_map(|(name, cases)| cases.get(case).map(|states| (name.as_str(), states)))
            .ok_or_else(|| match machine {
                Some(machine) => MockError(format!(
                    "no test case '{case}' under StateMachines.{machine}.TestCases"
                )),
                None => MockError(format!("no test case '{case}' under StateMachines")),
            })
    }

    /// The file as JSON, entries written as `"0"` or `"1-2"`, durations only where not 0.
    pub fn to_value(&self) -> Value {
        let machines: Map<String, Value> = self
            .state_machines
            .iter()
            .map(|(machine, cases)| {
                let cases: Map<String, Value> = cases
                    .iter()
                    .map(|(case, states)| {
                        let mut states: Map<String, Value> = states
                            .iter()
                            .map(|(state, response)| (state.clone(), json!(response)))
                            .collect();
                        if let Some(expect) = self
                            .expectations
                            .get(machine)
                            .and_then(|cases| cases.get(case))
                        {
                            states.insert(EXPECT.to_owned(), expect.clone());
                        }
                        (case.clone(), Value::Object(states))
                    })
                    .collect();
                (machine.clone(), json!({ "TestCases": cases }))
            })
            .collect();
        let responses: Map<String, Value> = self
            .responses
            .iter()
            .map(|(name, entries)| {
                let entries: Map<String, Value> = entries.iter().map(entry_json).collect();
                (name.clone(), Value::Object(entries))
            })
            .collect();
        json!({ "StateMachines": machines, "MockedResponses": responses })
    }
}

fn entry_json(entry: &MockEntry) -> (String, Value) {
    let range = if entry.first == entry.last {
        entry.first.to_string()
    } else {
        format!("{}-{}", entry.first, entry.last)
    };
    let mut body = Map::new();
    match &entry.call.response {
        MockResponse::Return(value) => {
            body.insert("Return".to_owned(), value.clone());
        }
        MockResponse::Throw { error, cause } => {
            body.insert("Throw".to_owned(), json!({"Error": error, "Cause": cause}));
        }
    }
    if entry.call.duration_seconds > 0.0 {
        let seconds = entry.call.duration_seconds;
        // Whole seconds are written as integers, as people write them.
        let value = if seconds.fract() == 0.0 && seconds < 9.0e15 {
            json!(seconds as u64)
        } else {
            json!(seconds)
        };
        body.insert("DurationSeconds".to_owned(), value);
    }
    (range, Value::Object(body))
}

/// The entries of one mocked response; the error text continues "mocked response 'X'".
fn parse_response(body: &Value) -> Result<Vec<MockEntry>, String> {
    let Some(body) = body.as_object() else {
        return Err(format!(
            " must be an object of invocation entries such as {{\"0\": {{\"Return\": ...}}}}, not {}",
            kind_of(body)
        ));
    };
    let mut entries = Vec::with_capacity(body.len());
    for (range, entry) in body {
        let at = |problem: String| format!(", entry '{range}': {problem}");
        let (first, last) = parse_range(range).map_err(at)?;
        let call = parse_entry(entry).map_err(at)?;
        if let Some(overlap) = entries
            .iter()
            .find(|other: &&MockEntry| other.first <= last && first <= other.last)
        {
            return Err(at(format!(
                "invocations {}-{} are already mocked",
                overlap.first.max(first),
                overlap.last.min(last)
            )));
        }
        entries.push(MockEntry { first, last, call });
    }
    entries.sort_by_key(|entry| entry.first);
    Ok(entries)
}

fn parse_entry(entry: &Value) -> Result<MockedCall, String> {
    let Some(entry) = entry.as_object() else {
        return Err(format!(
            "must be an object with 'Return' or 'Throw', not {}",
            kind_of(entry)
        ));
    };
    let response = match (entry.get("Return"), entry.get("Throw")) {
        (Some(value), None) => MockResponse::Return(value.clone()),
        (None, Some(thrown)) => {
            let error = thrown.get("Error").and_then(Value::as_str).ok_or_else(|| {
                "'Throw' needs an 'Error' string, e.g. {\"Error\": \"Lambda.ServiceException\", \"Cause\": \"...\"}".to_owned()
            })?;
            let cause = match thrown.get("Cause") {
                None => "",
                Some(Value::String(cause)) => cause.as_str(),
                Some(other) => {
                    return Err(format!(
                        "the 'Cause' of 'Throw' must be a string, not {}",
                        kind_of(other)
                    ));
                }
            };
            MockResponse::Throw {
                error: error.to_owned(),
                cause: cause.to_owned(),
            }
        }
        (Some(_), Some(_)) => return Err("has both 'Return' and 'Throw'".to_owned()),
        (None, None) => return Err("needs 'Return' or 'Throw'".to_owned()),
    };
    let duration_seconds = match entry.get("DurationSeconds") {
        None => 0.0,
        Some(value) => value
            .as_f64()
            .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
            .ok_or_else(|| "'DurationSeconds' must be a non-negative number".to_owned())?,
    };
    Ok(MockedCall {
        response,
        duration_seconds,
    })
}

/// `"3"` or `"1-2"` (0-based invocations, inclusive).
fn parse_range(text: &str) -> Result<(u32, u32), String> {
    let number = |part: &str| {
        part.trim().parse::<u32>().map_err(|_| {
            format!("'{text}' is not an invocation number or range such as \"0\" or \"1-2\"")
        })
    };
    match text.split_once('-') {
        Some((first, last)) => {
            let (first, last) = (number(first)?, number(last)?);
            if first > last {
                return Err(format!(
                    "the range '{text}' runs backwards; write \"{last}-{first}\""
                ));
            }
            Ok((first, last))
        }
        None => {
            let single = number(text)?;
            Ok((single, single))
        }
    }
}

/// Task mocks for one run: plain results ([`Mocks::from_results`]), a test case of a Step Functions
/// Local mock file ([`Mocks::from_step_functions_local`], see [`MockConfig`] for the format and its
/// `DurationSeconds` extension), or built with [`Mocks::insert`].
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

    /// AWS Step Functions Local format: the test case `test_case` of `machine` (or of the first
    /// machine that has it). See [`MockConfig`].
    ///
    /// # Errors
    /// The file is malformed ([`MockConfig::parse`]) or has no such test case.
    pub fn from_step_functions_local(
        config: &Value,
        machine: Option<&str>,
        test_case: &str,
    ) -> Result<Self, MockError> {
        Self::from_config(&MockConfig::parse(config)?, machine, test_case)
    }

    /// The mocks of one test case of a parsed mock file.
    ///
    /// # Errors
    /// No machine has the test case `test_case`.
    pub fn from_config(
        config: &MockConfig,
        machine: Option<&str>,
        test_case: &str,
    ) -> Result<Self, MockError> {
        let (_, case) = config.test_case(machine, test_case)?;
        let mut sequences = HashMap::default();
        for (state, response) in case {
            let entries = config
                .responses
                .get(response)
                .into_iter()
                .flatten()
                .map(|entry| (entry.first, entry.last, entry.call.clone()))
                .collect();
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
