//! Test suites: the test cases of an AWS Step Functions Local mock configuration, each run by the
//! simulator and checked against its expectations, with the coverage of the whole suite.
//!
//! Expectations are ASL Studio's extension: an `"Expect"` object inside a test case (Step
//! Functions Local ignores it, and [`MockConfig`] keeps it), or the same objects by case name in
//! a file beside the mock file:
//!
//! ```json
//! "HappyPath": {
//!   "DownloadFile": "DownloadOk",
//!   "Expect": {
//!     "Input": {"key": "a.csv"},
//!     "Status": "SUCCEEDED",
//!     "Output": {"done": true},
//!     "OutputContains": {"done": true},
//!     "Error": "States.TaskFailed", "Cause": "...",
//!     "Path": ["DownloadFile", "TransformFile", "Cleanup"],
//!     "ItemReaderItems": {"ProcessFiles": [{"Key": "a.csv"}]},
//!     "ItemReaderErrors": {"ProcessOther": "the bucket is gone"}
//!   }
//! }
//! ```
//!
//! `Input` is the execution input the case runs on (default `{}`) and `ItemReaderItems` the items
//! each named Map state's ItemReader reads (as `asl-studio run --items` gives them), or in
//! `ItemReaderErrors` the cause of the States.ItemReaderFailed it raises instead; every other member is checked
//! when present: `Output` must equal the output, `OutputContains` must be contained in it (objects
//! member by member, recursively; anything else equal), `Path` lists the states entered, in the
//! order of the history.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value, json};
use thiserror::Error;

use crate::coverage::{self, Coverage};
use crate::error::DefinitionError;
use crate::mocks::{MockConfig, Mocks};
use crate::types::{ExecutionResult, Options, Status};

pub use crate::mocks::EXPECT;

/// What a test case expects of its run. Absent members are not checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Expectation {
    /// The execution input (not checked: the case runs on it). Default `{}`.
    pub input: Option<Value>,
    /// The status the run ends with.
    pub status: Option<Status>,
    /// The exact output.
    pub output: Option<Value>,
    /// A part of the output: objects member by member, recursively; anything else equal.
    pub output_contains: Option<Value>,
    /// The error name of a failed run.
    pub error: Option<String>,
    /// The cause of a failed run.
    pub cause: Option<String>,
    /// The states entered, in order.
    pub path: Option<Vec<String>>,
    /// The items each Map state's ItemReader reads, by state name (not checked: the case runs on
    /// them).
    pub item_reader_items: Option<BTreeMap<String, Vec<Value>>>,
    /// The cause of the States.ItemReaderFailed each Map state's ItemReader raises, by state name
    /// (not checked: the case runs with them).
    pub item_reader_errors: Option<BTreeMap<String, String>>,
}

impl Expectation {
    /// Whether any member is checked against the run (`Input` and the ItemReader members only set
    /// the run up): a case that checks nothing passes whatever its run does.
    #[must_use]
    pub fn checks_anything(&self) -> bool {
        self.status.is_some()
            || self.output.is_some()
            || self.output_contains.is_some()
            || self.error.is_some()
            || self.cause.is_some()
            || self.path.is_some()
    }
}

const MEMBERS: [&str; 9] = [
    "Input",
    "Status",
    "Output",
    "OutputContains",
    "Error",
    "Cause",
    "Path",
    "ItemReaderItems",
    "ItemReaderErrors",
];

impl Expectation {
    /// Reads an `"Expect"` object; unknown members and wrong types are errors (a misspelt
    /// expectation would otherwise pass silently).
    ///
    /// # Errors
    /// What is wrong, naming the member.
    pub fn parse(value: &Value) -> Result<Self, String> {
        let Some(object) = value.as_object() else {
            return Err("must be an object".to_owned());
        };
        if let Some(unknown) = object.keys().find(|key| !MEMBERS.contains(&key.as_str())) {
            return Err(format!(
                "unknown member '{unknown}' (expected one of {})",
                MEMBERS.join(", ")
            ));
        }
        let text = |name: &str| -> Result<Option<String>, String> {
            match object.get(name) {
                None => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(_) => Err(format!("'{name}' must be a string")),
            }
        };
        let status = match text("Status")?.as_deref() {
            None => None,
            Some("SUCCEEDED") => Some(Status::Succeeded),
            Some("FAILED") => Some(Status::Failed),
            Some("TIMED_OUT") => Some(Status::TimedOut),
            Some("ABORTED") => Some(Status::Aborted),
            Some(other) => {
                return Err(format!(
                    "'Status' must be SUCCEEDED, FAILED, TIMED_OUT or ABORTED, not '{other}'"
                ));
            }
        };
        let path = match object.get("Path") {
            None => None,
            Some(Value::Array(names)) => Some(
                names
                    .iter()
                    .map(|name| name.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| "'Path' must be an array of state names".to_owned())?,
            ),
            Some(_) => return Err("'Path' must be an array of state names".to_owned()),
        };
        Ok(Self {
            input: object.get("Input").cloned(),
            status,
            output: object.get("Output").cloned(),
            output_contains: object.get("OutputContains").cloned(),
            error: text("Error")?,
            cause: text("Cause")?,
            path,
            item_reader_items: by_state(object, "ItemReaderItems", "[items]", |items| {
                items.as_array().cloned()
            })?,
            item_reader_errors: by_state(object, "ItemReaderErrors", "\"cause\"", |cause| {
                cause.as_str().map(str::to_owned)
            })?,
        })
    }

    /// The `"Expect"` object.
    pub fn to_value(&self) -> Value {
        let mut object = Map::new();
        if let Some(input) = &self.input {
            object.insert("Input".to_owned(), input.clone());
        }
        if let Some(status) = self.status {
            object.insert("Status".to_owned(), json!(status));
        }
        if let Some(output) = &self.output {
            object.insert("Output".to_owned(), output.clone());
        }
        if let Some(contains) = &self.output_contains {
            object.insert("OutputContains".to_owned(), contains.clone());
        }
        if let Some(error) = &self.error {
            object.insert("Error".to_owned(), json!(error));
        }
        if let Some(cause) = &self.cause {
            object.insert("Cause".to_owned(), json!(cause));
        }
        if let Some(path) = &self.path {
            object.insert("Path".to_owned(), json!(path));
        }
        if let Some(items) = &self.item_reader_items {
            object.insert("ItemReaderItems".to_owned(), json!(items));
        }
        if let Some(errors) = &self.item_reader_errors {
            object.insert("ItemReaderErrors".to_owned(), json!(errors));
        }
        Value::Object(object)
    }

    /// What the run did that this expectation does not allow, one line each (empty: it passes).
    pub fn check(&self, result: &ExecutionResult, path: &[&str]) -> Vec<String> {
        let mut failures = Vec::new();
        if let Some(status) = self.status
            && status != result.status
        {
            let mut line = format!(
                "status: expected {}, got {}",
                status_text(status),
                status_text(result.status)
            );
            if let Some(error) = &result.error {
                line.push_str(&format!(" ({error}"));
                if let Some(cause) = result.cause.as_deref().filter(|cause| !cause.is_empty()) {
                    line.push_str(&format!(": {cause}"));
                }
                line.push(')');
            }
            failures.push(line);
        }
        let actual = result.output.as_ref().unwrap_or(&Value::Null);
        if let Some(expected) = &self.output
            && let Some(difference) = difference(expected, actual, false, "")
        {
            failures.push(format!("output: {difference}"));
        }
        if let Some(expected) = &self.output_contains
            && let Some(difference) = difference(expected, actual, true, "")
        {
            failures.push(format!(
                "output does not contain the expected part: {difference}"
            ));
        }
        for (name, expected, actual) in [
            ("error", &self.error, &result.error),
            ("cause", &self.cause, &result.cause),
        ] {
            if let Some(expected) = expected
                && Some(expected) != actual.as_ref()
            {
                failures.push(format!(
                    "{name}: expected {}, got {}",
                    json!(expected),
                    actual
                        .as_ref()
                        .map_or("none".to_owned(), |a| json!(a).to_string())
                ));
            }
        }
        if let Some(expected) = &self.path
            && let Some(line) = path_difference(expected, path)
        {
            failures.push(line);
        }
        failures
    }
}

/// The member `name`, an object `{"<Map state>": <shape>}` each of whose values `read` accepts.
fn by_state<T>(
    object: &Map<String, Value>,
    name: &str,
    shape: &str,
    read: fn(&Value) -> Option<T>,
) -> Result<Option<BTreeMap<String, T>>, String> {
    let Some(value) = object.get(name) else {
        return Ok(None);
    };
    let wrong = || format!("'{name}' must be an object {{\"<Map state>\": {shape}}}");
    let members = value.as_object().ok_or_else(wrong)?;
    members
        .iter()
        .map(|(state, member)| Ok((state.clone(), read(member).ok_or_else(wrong)?)))
        .collect::<Result<_, String>>()
        .map(Some)
}

fn status_text(status: Status) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn path_difference(expected: &[String], actual: &[&str]) -> Option<String> {
    let at = expected
        .iter()
        .zip(actual)
        .position(|(expected, actual)| expected != actual);
    match at {
        Some(step) => Some(format!(
            "path: state {} expected '{}', entered '{}' (entered: {})",
            step + 1,
            expected.get(step).map_or("", String::as_str),
            actual.get(step).copied().unwrap_or_default(),
            actual.join(" > ")
        )),
        None if expected.len() != actual.len() => Some(format!(
            "path: expected {} states, entered {} (entered: {})",
            expected.len(),
            actual.len(),
            actual.join(" > ")
        )),
        None => None,
    }
}

/// Where `actual` first differs from `expected` (as a JSON pointer), or `None` when it matches.
/// With `subset`, an expected object only needs its own members in the actual one.
fn difference(expected: &Value, actual: &Value, subset: bool, at: &str) -> Option<String> {
    let place = if at.is_empty() { "/" } else { at };
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, value) in want {
                let pointer = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match have.get(key) {
                    Some(found) => {
                        if let Some(found) = difference(value, found, subset, &pointer) {
                            return Some(found);
                        }
                    }
                    None => return Some(format!("{pointer} is missing")),
                }
            }
            if !subset && let Some(extra) = have.keys().find(|key| !want.contains_key(*key)) {
                return Some(format!(
                    "{at}/{} is not expected",
                    extra.replace('~', "~0").replace('/', "~1")
                ));
            }
            None
        }
        (Value::Array(want), Value::Array(have)) if want.len() == have.len() => want
            .iter()
            .zip(have)
            .enumerate()
            .find_map(|(index, (want, have))| {
                difference(want, have, subset, &format!("{at}/{index}"))
            }),
        // Numbers compare by value: 1 and 1.0 are the same output.
        (Value::Number(want), Value::Number(have)) if want.as_f64() == have.as_f64() => None,
        _ if expected == actual => None,
        _ => Some(format!(
            "at {place} expected {}, got {}",
            short(expected),
            short(actual)
        )),
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}

/// A suite problem: the file, machine or an expectation is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct SuiteError(pub String);

/// One test case: its mocks and expectations.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// The test case name.
    pub name: String,
    /// Its Task mocks.
    pub mocks: Mocks,
    /// What it expects.
    pub expect: Expectation,
}

/// The test cases of one state machine of a mock configuration.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The state machine name in the mock file.
    pub machine: String,
    /// The cases, in the file's order.
    pub cases: Vec<TestCase>,
}

impl Suite {
    /// The test cases of `machine` (default: the file's only machine, or the one named `hint`,
    /// e.g. the definition's file name), with the expectations of the file and of `beside`, an
    /// object `{"<case>": {"Status": ...}}`.
    ///
    /// # Errors
    /// No such machine (or several and no way to choose), an expectation that cannot be read, or
    /// one in both places, or one for a case that does not exist.
    pub fn from_config(
        config: &MockConfig,
        machine: Option<&str>,
        hint: Option<&str>,
        beside: Option<&Value>,
    ) -> Result<Self, SuiteError> {
        let names: Vec<&str> = config.state_machines.keys().map(String::as_str).collect();
        let chosen = match machine {
            Some(wanted) => names.iter().find(|name| **name == wanted).copied().ok_or_else(|| {
                SuiteError(format!(
                    "no state machine '{wanted}' under StateMachines (the file has {})",
                    list(&names)
                ))
            })?,
            None if names.len() == 1 => names.first().copied().unwrap_or_default(),
            None => hint
                .and_then(|hint| names.iter().find(|name| **name == hint).copied())
                .ok_or_else(|| {
                    SuiteError(format!(
                        "the mock file describes {} state machines ({}); choose one with --state-machine",
                        names.len(),
                        list(&names)
                    ))
                })?,
        };
        let cases = config
            .state_machines
            .get(chosen)
            .cloned()
            .unwrap_or_default();
        let inline = config.expectations.get(chosen).cloned().unwrap_or_default();
        let mut outside: BTreeMap<String, Value> = BTreeMap::new();
        if let Some(beside) = beside {
            let Some(object) = beside.as_object() else {
                return Err(SuiteError(
                    "the expectations file must be an object {\"<test case>\": {\"Status\": ...}}"
                        .to_owned(),
                ));
            };
            for (case, expect) in object {
                if !cases.contains_key(case) {
                    return Err(SuiteError(format!(
                        "the expectations file names the test case '{case}', which StateMachines.{chosen}.TestCases does not have"
                    )));
                }
                if inline.contains_key(case) {
                    return Err(SuiteError(format!(
                        "test case '{case}' has expectations both in the mock file and beside it; keep one"
                    )));
                }
                outside.insert(case.clone(), expect.clone());
            }
        }
        let mut parsed = Vec::with_capacity(cases.len());
        for case in cases.keys() {
            let expect = match inline.get(case).or_else(|| outside.get(case)) {
                Some(value) => Expectation::parse(value).map_err(|problem| {
                    SuiteError(format!("test case '{case}': {EXPECT}: {problem}"))
                })?,
                None => Expectation::default(),
            };
            let mocks = Mocks::from_config(config, Some(chosen), case)
                .map_err(|error| SuiteError(error.to_string()))?;
            parsed.push(TestCase {
                name: case.clone(),
                mocks,
                expect,
            });
        }
        Ok(Self {
            machine: chosen.to_owned(),
            cases: parsed,
        })
    }
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// One case's run and verdict.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    /// The test case name.
    pub name: String,
    /// What did not match (empty: passed).
    pub failures: Vec<String>,
    /// The states entered, in order.
    pub path: Vec<String>,
    /// The run (history and trace recorded).
    pub result: ExecutionResult,
}

impl CaseOutcome {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs one case: `options` with the case's mocks, history and trace recorded.
pub fn run_case(definition: &Value, case: &TestCase, options: &Options) -> CaseOutcome {
    let mut item_reader_items = options.item_reader_items.clone();
    item_reader_items.extend(case.expect.item_reader_items.clone().unwrap_or_default());
    let mut item_reader_errors = options.item_reader_errors.clone();
    item_reader_errors.extend(case.expect.item_reader_errors.clone().unwrap_or_default());
    let options = Options {
        mocks: case.mocks.clone(),
        item_reader_items,
        item_reader_errors,
        record_history: true,
        record_trace: true,
        ..options.clone()
    };
    let input = case
        .expect
        .input
        .clone()
        .unwrap_or_else(|| Value::Object(Map::new()));
    let result = crate::run(definition, input, &options);
    let path = coverage::entered_states(&result);
    let failures = case.expect.check(&result, &path);
    let path = path.into_iter().map(str::to_owned).collect();
    CaseOutcome {
        name: case.name.clone(),
        failures,
        path,
        result,
    }
}

/// Every case's outcome and the suite's coverage.
#[derive(Debug, Clone)]
pub struct SuiteOutcome {
    /// In the suite's order.
    pub cases: Vec<CaseOutcome>,
    /// Of all cases together.
    pub coverage: Coverage,
}

impl SuiteOutcome {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|case| case.passed()).count()
    }

    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }
}

/// Runs the cases of `suite` named in `only` (all when empty).
///
/// # Errors
/// The definition cannot be compiled, or `only` names a case the suite does not have.
pub fn run_suite(
    definition: &Value,
    suite: &Suite,
    only: &[String],
    options: &Options,
) -> Result<SuiteOutcome, SuiteError> {
    let mut coverage = Coverage::new(definition)
        .map_err(|error: DefinitionError| SuiteError(format!("the definition: {error}")))?;
    if let Some(missing) = only
        .iter()
        .find(|name| !suite.cases.iter().any(|case| &case.name == *name))
    {
        return Err(SuiteError(format!(
            "no test case '{missing}' under StateMachines.{}.TestCases",
            suite.machine
        )));
    }
    let mut cases = Vec::new();
    for case in &suite.cases {
        if !only.is_empty() && !only.contains(&case.name) {
            continue;
        }
        let outcome = run_case(definition, case, options);
        coverage.record(&outcome.result);
        cases.push(outcome);
    }
    Ok(SuiteOutcome { cases, coverage })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Value, Value) {
        let definition = json!({
            "StartAt": "Call",
            "States": {
                "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "ResultPath": "$.called",
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}], "Next": "Done"},
                "Done": {"Type": "Succeed"},
                "Oops": {"Type": "Fail", "Error": "Broken", "Cause": "it broke"}
            }
        });
        let config = json!({
            "StateMachines": {"M": {"TestCases": {
                "Works": {"Call": "Ok", "Expect": {
                    "Input": {"id": 7}, "Status": "SUCCEEDED",
                    "OutputContains": {"called": {"ok": true}}, "Path": ["Call", "Done"]}},
                "Breaks": {"Call": "Boom"}
            }}},
            "MockedResponses": {
                "Ok": {"0": {"Return": {"ok": true}}},
                "Boom": {"0": {"Throw": {"Error": "E", "Cause": "c"}}}
            }
        });
        (definition, config)
    }

    #[test]
    fn expectations_in_the_file_and_beside_it_are_checked() -> Result<(), String> {
        let (definition, config) = sample();
        let parsed = MockConfig::parse(&config).map_err(|error| error.to_string())?;
        // The extension survives a round trip through the mock file's writer.
        assert_eq!(
            parsed.to_value()["StateMachines"]["M"]["TestCases"]["Works"]["Expect"]["Status"],
            json!("SUCCEEDED")
        );
        let beside =
            json!({"Breaks": {"Status": "FAILED", "Error": "Broken", "Path": ["Call", "Done"]}});
        let suite = Suite::from_config(&parsed, None, None, Some(&beside))
            .map_err(|error| error.to_string())?;
        let outcome = run_suite(&definition, &suite, &[], &Options::default())
            .map_err(|error| error.to_string())?;
        assert_eq!((outcome.passed(), outcome.failed()), (1, 1));
        let broken = outcome
            .cases
            .iter()
            .find(|case| case.name == "Breaks")
            .ok_or("no Breaks")?;
        assert_eq!(
            broken.failures,
            vec!["path: state 2 expected 'Done', entered 'Oops' (entered: Call > Oops)"]
        );
        let report = outcome.coverage.report();
        assert_eq!((report.states.covered, report.states.total), (3, 3));
        assert_eq!((report.catchers.covered, report.catchers.total), (1, 1));
        Ok(())
    }

    #[test]
    fn a_case_gives_a_maps_item_reader_its_items_or_its_failure() -> Result<(), String> {
        let definition = json!({
            "StartAt": "Each",
            "States": {
                "Each": {"Type": "Map", "End": true,
                    "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                        "ReaderConfig": {"InputType": "JSON"},
                        "Parameters": {"Bucket": "b", "Key": "k"}},
                    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"},
                        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
                    "Catch": [{"ErrorEquals": ["States.ItemReaderFailed"], "Next": "Unread"}]},
                "Unread": {"Type": "Fail", "Error": "Unread"}
            }
        });
        let config = json!({"StateMachines": {"M": {"TestCases": {
            "Reads": {"Expect": {"ItemReaderItems": {"Each": [1, 2]}, "Output": [1, 2]}},
            "CannotRead": {"Expect": {"ItemReaderErrors": {"Each": "gone"},
                "Path": ["Each", "Unread"]}}
        }}}, "MockedResponses": {}});
        let parsed = MockConfig::parse(&config).map_err(|error| error.to_string())?;
        let suite = Suite::from_config(&parsed, None, None, None).map_err(|error| error.0)?;
        let outcome = run_suite(&definition, &suite, &[], &Options::default())
            .map_err(|error| error.to_string())?;
        let failures: Vec<&Vec<String>> = outcome.cases.iter().map(|case| &case.failures).collect();
        assert_eq!((outcome.passed(), outcome.failed()), (2, 0), "{failures:?}");
        assert_eq!(
            Expectation::parse(&json!({"ItemReaderItems": {"Each": 1}})),
            Err("'ItemReaderItems' must be an object {\"<Map state>\": [items]}".to_owned())
        );
        Ok(())
    }

    #[test]
    fn misspelt_expectations_and_unknown_cases_are_refused() -> Result<(), String> {
        let (_, mut config) = sample();
        config["StateMachines"]["M"]["TestCases"]["Works"]["Expect"]["Stauts"] = json!("FAILED");
        let parsed = MockConfig::parse(&config).map_err(|error| error.to_string())?;
        let error = Suite::from_config(&parsed, None, None, None)
            .err()
            .ok_or("accepted")?;
        assert!(
            error
                .0
                .contains("test case 'Works': Expect: unknown member 'Stauts'")
        );
        let beside = json!({"Nope": {}});
        let (_, config) = sample();
        let parsed = MockConfig::parse(&config).map_err(|error| error.to_string())?;
        assert!(Suite::from_config(&parsed, None, None, Some(&beside)).is_err());
        assert!(Suite::from_config(&parsed, Some("Other"), None, None).is_err());
        Ok(())
    }

    #[test]
    fn output_subset_compares_members_recursively() {
        let actual = json!({"a": {"b": 1, "c": [1, 2]}, "d": "x"});
        assert_eq!(difference(&json!({"a": {"b": 1}}), &actual, true, ""), None);
        assert_eq!(
            difference(&json!({"a": {"b": 2}}), &actual, true, ""),
            Some("at /a/b expected 2, got 1".to_owned())
        );
        assert_eq!(
            difference(&json!({"a": {"b": 1}}), &actual, false, ""),
            Some("/a/c is not expected".to_owned())
        );
        assert_eq!(
            difference(&json!({"q": 1}), &actual, true, ""),
            Some("/q is missing".to_owned())
        );
        assert_eq!(difference(&json!(1.0), &json!(1), false, ""), None);
    }
}
