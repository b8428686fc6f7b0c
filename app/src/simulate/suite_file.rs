//! Saving edited mocks back into the mock file they came from: only the edited test case and the
//! mocked responses it uses change; every other test case, its `Expect` member, every unknown
//! member and the file's own layout are kept (through asl-codec's preserving writer, so an
//! unedited file is written back byte for byte).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::mocks::{AttemptMock, MockSet};

/// The name a mock file goes by when it has none of its own (typed into the pane, generated).
pub const DEFAULT_NAME: &str = "MockConfigFile.json";

/// The mock file the pane's test cases came from, as read.
#[derive(Clone, Debug, PartialEq)]
pub struct SuiteFile {
    /// Its name: a path natively, the bare name in a browser.
    pub name: String,
    /// Its text, as read (or as last saved).
    pub text: String,
    /// Expectations kept beside it (`<name>.expect.json`): `{"<test case>": {"Status": ...}}`.
    pub expect: Option<Value>,
}

impl SuiteFile {
    /// The bare file name, for a save dialog or a download.
    #[must_use]
    pub fn file_name(&self) -> String {
        std::path::Path::new(&self.name)
            .file_name()
            .map_or_else(|| self.name.clone(), |n| n.to_string_lossy().into_owned())
    }
}

/// `text` (a mock file) with test case `case` of `machine` mocking as `mocks` does. A state whose
/// attempts did not change keeps its response as written (ranges and `DurationSeconds` included);
/// a changed one rewrites its response when no other test case uses it, else gets a response of
/// its own; a state without mocks any more leaves the test case.
///
/// # Errors
/// The text is not a mock file with that test case, or an edited result is not JSON (the
/// message names the state and attempt).
pub fn write_back(
    text: &str,
    machine: &str,
    case: &str,
    mocks: &MockSet,
) -> Result<String, String> {
    let source = asl_codec::SourceFile::parse(text, asl_codec::Format::Json)
        .map_err(|error| format!("the mock file is not JSON: {error}"))?;
    let original = source.value();
    let config = simulator::MockConfig::parse(original).map_err(|error| error.to_string())?;
    let before = MockSet::from_test_case(&config, machine, case)?;
    let uses = response_uses(original);
    let mut edited = original.clone();
    let mut new_responses: Vec<(String, Value)> = Vec::new();
    let mut taken: Vec<String> = uses.keys().cloned().collect();
    {
        let Some(case_object) = edited
            .pointer_mut(&format!(
                "/StateMachines/{}/TestCases/{}",
                escape(machine),
                escape(case)
            ))
            .and_then(Value::as_object_mut)
        else {
            return Err(format!(
                "the mock file has no test case '{case}' under StateMachines.{machine}.TestCases"
            ));
        };
        for (state, attempts) in &mocks.states {
            if before
                .attempts(state)
                .is_some_and(|old| same_attempts(old, attempts))
            {
                continue;
            }
            let entries = entries(state, attempts)?;
            let current = case_object
                .get(state)
                .and_then(Value::as_str)
                .map(str::to_owned);
            let name = match current {
                Some(name) if uses.get(&name).copied().unwrap_or(0) <= 1 => name,
                _ => {
                    let name = unique(&format!("{case}{state}"), &taken);
                    taken.push(name.clone());
                    case_object.insert(state.clone(), Value::String(name.clone()));
                    name
                }
            };
            new_responses.push((name, entries));
        }
        for state in before.states.keys() {
            if !mocks.states.contains_key(state) {
                case_object.remove(state);
            }
        }
    }
    if let Some(responses) = edited
        .get_mut("MockedResponses")
        .and_then(Value::as_object_mut)
    {
        for (name, entries) in new_responses {
            responses.insert(name, entries);
        }
    }
    Ok(source.write_preserving(&edited))
}

/// How many test cases (of every machine) name each mocked response.
fn response_uses(config: &Value) -> HashMap<String, usize> {
    let mut uses = HashMap::new();
    for machine in config
        .get("StateMachines")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::values)
    {
        for case in machine
            .get("TestCases")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(Map::values)
        {
            for name in case
                .as_object()
                .into_iter()
                .flat_map(Map::values)
                .filter_map(Value::as_str)
            {
                *uses.entry(name.to_owned()).or_insert(0) += 1;
            }
        }
    }
    for name in config
        .get("MockedResponses")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::keys)
    {
        uses.entry(name.clone()).or_insert(0);
    }
    uses
}

/// Attempts that mock alike: results compare as JSON values, not as the text typed.
fn same_attempts(old: &[AttemptMock], new: &[AttemptMock]) -> bool {
    old.len() == new.len()
        && old.iter().zip(new).all(|(old, new)| {
            matches!((old.to_mock_response(), new.to_mock_response()), (Ok(a), Ok(b)) if a == b)
        })
}

/// A response's entries: one per attempt, runs of equal attempts as one range (`"0-1"`).
fn entries(state: &str, attempts: &[AttemptMock]) -> Result<Value, String> {
    let mut bodies = Vec::with_capacity(attempts.len());
    for (index, attempt) in attempts.iter().enumerate() {
        let body = attempt
            .to_response()
            .map_err(|message| format!("mock of '{state}', attempt {}: {message}", index + 1))?;
        bodies.push(body);
    }
    let mut object = Map::new();
    let mut start = 0;
    while let Some(body) = bodies.get(start) {
        let mut end = start;
        while bodies.get(end + 1) == Some(body) {
            end += 1;
        }
        let key = if end == start {
            start.to_string()
        } else {
            format!("{start}-{end}")
        };
        object.insert(key, body.clone());
        start = end + 1;
    }
    Ok(Value::Object(object))
}

/// `wanted`, or `wanted2`, `wanted3`… whichever no response has.
fn unique(wanted: &str, taken: &[String]) -> String {
    let free = |name: &str| !taken.iter().any(|t| t == name);
    if free(wanted) {
        return wanted.to_owned();
    }
    (2..)
        .map(|n| format!("{wanted}{n}"))
        .find(|name| free(name))
        .unwrap_or_else(|| wanted.to_owned())
}

/// A JSON pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}
