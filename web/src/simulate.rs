//! Running the simulator for JavaScript callers: options arrive as JSON, results leave as JSON.

use serde_json::{Map, Value};

/// Builds simulator options from the JSON a caller passes (every member optional):
/// `{ "mocks": { "<Task state>": <result> }, "passThrough": bool, "seed": n, "express": bool,
///    "recordHistory": bool, "recordTrace": bool,
///    "mockConfig": <AWS Step Functions Local mock file>, "testCase": "<name>", "stateMachine": "<name>" }`.
/// `mockConfig` (with `testCase`, and `stateMachine` to choose among several) gives Task results per
/// invocation, including thrown errors; it replaces `mocks`.
///
/// # Errors
/// When the text is not JSON or a member has the wrong type; the message names the member.
pub fn options_from_json(text: &str) -> Result<simulator::Options, String> {
    let mut builder = simulator::Options::builder();
    let mut mock_config: Option<&Value> = None;
    let mut test_case: Option<&str> = None;
    let mut machine: Option<&str> = None;
    if text.trim().is_empty() {
        return Ok(builder.build());
    }
    let value: Value = serde_json::from_str(text).map_err(|e| format!("options: {e}"))?;
    let Value::Object(members) = value else {
        return Err("options: expected a JSON object".to_owned());
    };
    for (name, value) in &members {
        builder = match name.as_str() {
            "mocks" => {
                let mocks: &Map<String, Value> = value
                    .as_object()
                    .ok_or("options.mocks: expected an object of Task state name -> result")?;
                builder.mocks(simulator::Mocks::from_results(mocks))
            }
            "passThrough" => builder.pass_through(bool_member(name, value)?),
            "express" => builder.express(bool_member(name, value)?),
            "recordHistory" => builder.record_history(bool_member(name, value)?),
            "recordTrace" => builder.record_trace(bool_member(name, value)?),
            "seed" => builder.seed(
                value
                    .as_u64()
                    .ok_or("options.seed: expected a non-negative integer")?,
            ),
            "mockConfig" => {
                mock_config = Some(value);
                builder
            }
            "testCase" => {
                test_case = Some(
                    value
                        .as_str()
                        .ok_or("options.testCase: expected a string")?,
                );
                builder
            }
            "stateMachine" => {
                machine = Some(
                    value
                        .as_str()
                        .ok_or("options.stateMachine: expected a string")?,
                );
                builder
            }
            other => return Err(format!("options.{other}: unknown option")),
        };
    }
    match (mock_config, test_case) {
        (Some(config), Some(case)) => {
            builder = builder.mocks(
                simulator::Mocks::from_step_functions_local(config, machine, case)
                    .map_err(|e| format!("options.mockConfig: {}", e.0))?,
            );
        }
        (Some(_), None) => {
            return Err("options.testCase: needed with options.mockConfig".to_owned());
        }
        (None, Some(_)) => {
            return Err("options.mockConfig: needed with options.testCase".to_owned());
        }
        (None, None) => {}
    }
    Ok(builder.build())
}

fn bool_member(name: &str, value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| format!("options.{name}: expected true or false"))
}

/// Runs `definition` (ASL JSON text) on `input` (JSON text) and returns the result as JSON text.
///
/// # Errors
/// When the definition, the input or the options are not valid JSON; a definition that is JSON but
/// not a valid state machine gives a FAILED result instead, as the simulator reports it.
pub fn run_json(definition: &str, input: &str, options: &str) -> Result<String, String> {
    let definition: Value =
        serde_json::from_str(definition).map_err(|e| format!("definition: {e}"))?;
    let input: Value = if input.trim().is_empty() {
        Value::Object(Map::new())
    } else {
        serde_json::from_str(input).map_err(|e| format!("input: {e}"))?
    };
    let options = options_from_json(options)?;
    let result = simulator::run(&definition, input, &options);
    serde_json::to_string(&result).map_err(|e| format!("result: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(relative: &str) -> Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/data/conformance/cases")
            .join(relative);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Runs a recorded AWS execution through the JSON bridge, as JavaScript would call it.
    fn run_case(case: &Value) -> Value {
        let mut options = Map::new();
        if let Some(mocks) = case.get("mocks") {
            options.insert("mocks".to_owned(), mocks.clone());
        }
        if case.get("type").and_then(Value::as_str) == Some("EXPRESS") {
            options.insert("express".to_owned(), Value::Bool(true));
        }
        let result = run_json(
            &case["definition"].to_string(),
            &case["input"].to_string(),
            &Value::Object(options).to_string(),
        )
        .expect("the case is valid JSON");
        serde_json::from_str(&result).expect("the bridge returns JSON")
    }

    #[test]
    fn recorded_successes_and_failures_come_back_as_aws_recorded_them() {
        for name in [
            "base/base__state_pass_result.json",
            "base/base__state_fail.json",
        ] {
            let case = case(name);
            let result = run_case(&case);
            assert_eq!(result["status"], case["expect"]["status"], "{name}");
            if case["expect"]["status"] == "SUCCEEDED" {
                assert_eq!(result["output"], case["expect"]["output"], "{name}");
            } else {
                assert_eq!(result["error"], case["expect"]["error"], "{name}");
            }
            assert!(
                result["stateTransitions"].as_u64().is_some_and(|n| n > 0),
                "{name}"
            );
        }
    }

    #[test]
    fn bad_json_and_bad_options_name_what_is_wrong() {
        let ok = r#"{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}"#;
        assert!(run_json("{", "{}", "").is_err_and(|e| e.starts_with("definition:")));
        assert!(run_json(ok, "[1,", "").is_err_and(|e| e.starts_with("input:")));
        assert!(run_json(ok, "{}", r#"{"seed":-1}"#).is_err_and(|e| e.contains("options.seed")));
        assert!(run_json(ok, "{}", r#"{"speed":1}"#).is_err_and(|e| e.contains("options.speed")));
        assert!(run_json(ok, "{}", r#"{"mocks":[]}"#).is_err_and(|e| e.contains("options.mocks")));
        let result: Value =
            serde_json::from_str(&run_json(ok, "", "").expect("runs")).expect("JSON");
        assert_eq!(result["status"], "SUCCEEDED");
        assert_eq!(result["output"], serde_json::json!({}));
    }

    #[test]
    fn the_bundled_sample_takes_its_failure_branch_when_the_glue_job_throws() {
        let sample = include_str!("../../app/assets/sample.asl.json");
        let options = serde_json::json!({
            "testCase": "GlueFails",
            "mockConfig": {
                "StateMachines": { "Etl": { "TestCases": { "GlueFails": {
                    "DownloadFile": "Downloaded", "TransformFile": "GlueThrows",
                    "NotifyFailure": "Published", "Cleanup": "Deleted"
                } } } },
                "MockedResponses": {
                    "Downloaded": { "0": { "Return": { "StatusCode": 200, "Payload": { "bucket": "b", "key": "k.csv" } } } },
                    "GlueThrows": { "0": { "Throw": { "Error": "Glue.AWSGlueException", "Cause": "job crashed" } } },
                    "Published": { "0": { "Return": { "MessageId": "m-1" } } },
                    "Deleted": { "0": { "Return": {} } }
                }
            }
        });
        let result = run_json(
            sample,
            r#"{"source":"s3://landing/k.csv"}"#,
            &options.to_string(),
        )
        .expect("runs");
        let result: Value = serde_json::from_str(&result).expect("JSON");
        assert_eq!(result["status"], "FAILED", "{result}");
        assert_eq!(result["error"], "ETL.TransformFailed");
        assert!(
            run_json(sample, "{}", r#"{"testCase":"x"}"#).is_err_and(|e| e.contains("mockConfig"))
        );
    }

    #[test]
    fn an_invalid_machine_is_a_failed_run_not_an_error() {
        let result = run_json(r#"{"StartAt":"Nowhere","States":{}}"#, "{}", "").expect("runs");
        let result: Value = serde_json::from_str(&result).expect("JSON");
        assert_eq!(result["status"], "FAILED");
        assert_eq!(result["error"], "States.Runtime");
    }
}
