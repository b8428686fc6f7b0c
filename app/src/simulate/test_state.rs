//! Test one state, as AWS's TestState API does: the selected state alone, on an input, with its
//! mocks. It runs a one-state definition: the state with `Next` removed and `End: true`; where it
//! would transition elsewhere (a Choice rule or Default, a Catch) the target becomes a stub that ends
//! the run, so the chosen next state can be reported.

use serde_json::{Map, Value, json};
use simulator::{Options, StateTrace, Status};

/// What testing one state gave.
#[derive(Clone, Debug, PartialEq)]
pub struct TestOutcome {
    /// The state tested.
    pub state: String,
    /// How it ended: SUCCEEDED, FAILED, ...
    pub status: Status,
    /// The state's output when it produced one.
    pub output: Option<Value>,
    /// The error when it failed.
    pub error: Option<String>,
    /// The cause when it failed.
    pub cause: Option<String>,
    /// Where it would go next (a Choice's chosen branch, a Catch's target, or its `Next`).
    pub next: Option<String>,
    /// The state's data flow.
    pub trace: Option<StateTrace>,
}

/// Name of the stub that stands for "the state's own Next".
fn stub() -> Value {
    json!({"Type": "Pass", "End": true})
}

/// The one-state definition testing `state` (its ASL object) named `name`; `query_language` is the
/// machine's `QueryLanguage`, which the state inherits.
///
/// # Errors
/// The state is not an object.
pub fn one_state_definition(
    name: &str,
    state: &Value,
    query_language: Option<&Value>,
) -> Result<Value, String> {
    let Value::Object(object) = state else {
        return Err(format!("state '{name}' is not a JSON object"));
    };
    let mut tested = object.clone();
    let mut states = Map::new();
    let mut add_stub = |target: Option<&Value>| {
        if let Some(Value::String(target)) = target
            && target != name
        {
            states.insert(target.clone(), stub());
        }
    };
    let is_choice = tested.get("Type").and_then(Value::as_str) == Some("Choice");
    if is_choice {
        for rule in tested
            .get("Choices")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            add_stub(rule.get("Next"));
        }
        add_stub(tested.get("Default"));
    } else {
        let terminal = matches!(
            tested.get("Type").and_then(Value::as_str),
            Some("Succeed" | "Fail")
        );
        if !terminal {
            tested.remove("Next");
            tested.insert("End".to_owned(), Value::Bool(true));
        }
    }
    for catcher in tested
        .get("Catch")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        add_stub(catcher.get("Next"));
    }
    let mut definition = Map::new();
    if let Some(language) = query_language {
        definition.insert("QueryLanguage".to_owned(), language.clone());
    }
    definition.insert("StartAt".to_owned(), Value::String(name.to_owned()));
    states.insert(name.to_owned(), Value::Object(tested));
    definition.insert("States".to_owned(), Value::Object(states));
    Ok(Value::Object(definition))
}

/// Runs the state called `name` (its ASL object `state`) on `input`.
///
/// # Errors
/// The state is not an object, or the simulator refuses the one-state definition.
pub fn test_state(
    name: &str,
    state: &Value,
    query_language: Option<&Value>,
    input: Value,
    options: &Options,
) -> Result<TestOutcome, String> {
    let definition = one_state_definition(name, state, query_language)?;
    let execution = simulator::Execution::new(&definition, input, options.clone())
        .map_err(|error| format!("cannot test '{name}': {error}"))?;
    let result = execution.run_to_end();
    let trace = result
        .trace
        .iter()
        .find(|entry| entry.state == name && entry.scope.is_empty())
        .cloned();
    let next = result
        .trace
        .iter()
        .skip_while(|entry| !(entry.state == name && entry.scope.is_empty()))
        .find(|entry| entry.scope.is_empty() && entry.state != name)
        .map(|entry| entry.state.clone())
        .or_else(|| state.get("Next").and_then(Value::as_str).map(str::to_owned));
    let output = trace
        .as_ref()
        .and_then(|trace| {
            trace
                .stages
                .iter()
                .rev()
                .find(|stage| stage.stage == "output")
        })
        .map(|stage| stage.value.clone());
    Ok(TestOutcome {
        state: name.to_owned(),
        status: result.status,
        output,
        error: result.error,
        cause: result.cause,
        next,
        trace,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_reports_its_chosen_branch() -> Result<(), String> {
        let choice = json!({
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Big"}],
            "Default": "Small"
        });
        let outcome = test_state("Pick", &choice, None, json!({"n": 9}), &Options::default())?;
        assert_eq!(outcome.next.as_deref(), Some("Big"));
        assert_eq!(outcome.output, Some(json!({"n": 9})));
        let outcome = test_state("Pick", &choice, None, json!({"n": 1}), &Options::default())?;
        assert_eq!(outcome.next.as_deref(), Some("Small"));
        Ok(())
    }

    #[test]
    fn a_pass_runs_alone_and_keeps_its_next_for_the_report() -> Result<(), String> {
        let pass =
            json!({"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.r", "Next": "Elsewhere"});
        let outcome = test_state("P", &pass, None, json!({"a": 0}), &Options::default())?;
        assert_eq!(outcome.status, Status::Succeeded);
        assert_eq!(outcome.output, Some(json!({"a": 0, "r": {"x": 1}})));
        assert_eq!(outcome.next.as_deref(), Some("Elsewhere"));
        Ok(())
    }
}
