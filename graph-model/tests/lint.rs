//! The warning rules: each with a definition that fires and one that must not, and the quick
//! fixes applied through `Document::apply` silencing what they fix.

use graph_model::{Diagnostic, Document, Severity, StateMachine, quick_fix, validate};
use serde_json::{Value, json};

fn machine(value: &Value) -> StateMachine {
    StateMachine::from_value(value).unwrap_or_else(|e| panic!("{e}"))
}

/// The diagnostics of `code` (after checking the document has no errors but `allow_errors`).
fn findings(value: &Value, code: &str) -> Vec<Diagnostic> {
    validate(&machine(value))
        .into_iter()
        .filter(|d| d.code == code)
        .collect()
}

fn assert_no_errors(value: &Value) {
    let errors: Vec<_> = validate(&machine(value))
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

const LAMBDA: &str = "arn:aws:states:::lambda:invoke";

/// A machine of one state, `name`: `state` with the members of `extra` added.
fn only_state(name: &str, mut state: Value, extra: Value) -> Value {
    if let (Some(state), Some(extra)) = (state.as_object_mut(), extra.as_object()) {
        state.extend(extra.clone());
    }
    json!({"StartAt": name, "States": {name: state}})
}

/// The definition after applying the quick fix of `finding`.
fn fixed_by_quick_fix(doc: &Value, finding: &Diagnostic) -> Value {
    let root = machine(doc);
    let fix = quick_fix(&root, finding).unwrap_or_else(|| panic!("a fix"));
    let mut document = Document::new(root);
    document
        .apply(fix.command)
        .unwrap_or_else(|e| panic!("{e}"));
    document.root().to_value()
}

fn lambda_task(retry: Value) -> Value {
    let mut task = json!({"Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "f"}, "End": true});
    if !retry.is_null() {
        task["Retry"] = retry;
    }
    json!({"StartAt": "Call", "States": {"Call": task}})
}

#[test]
fn lambda_invoke_without_transient_retry_warns_at_its_resource() {
    let doc = lambda_task(Value::Null);
    assert_no_errors(&doc);
    let found = findings(&doc, "LAMBDA_RETRY");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].severity, Severity::Warning);
    assert_eq!(found[0].pointer, "/States/Call/Resource");
    assert_eq!(found[0].state.as_deref(), Some("Call"));
    assert!(found[0].message.contains("Lambda.TooManyRequestsException"));
    // A direct function ARN is a Lambda invoke too; a retry of only some errors names the rest.
    let direct = json!({"StartAt": "F", "States": {"F": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true,
        "Retry": [{"ErrorEquals": ["Lambda.ServiceException"]}]}}});
    let found = findings(&direct, "LAMBDA_RETRY");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].pointer, "/States/F/Retry");
    assert!(!found[0].message.contains("Lambda.ServiceException,"));
}

#[test]
fn lambda_invoke_with_the_recommended_retry_or_a_catch_all_retry_is_quiet() {
    let recommended = lambda_task(json!([{"ErrorEquals": [
        "Lambda.ServiceException", "Lambda.AWSLambdaException",
        "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
        "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2}]));
    assert_eq!(findings(&recommended, "LAMBDA_RETRY"), []);
    let all = lambda_task(json!([{"ErrorEquals": ["States.ALL"]}]));
    assert_eq!(findings(&all, "LAMBDA_RETRY"), []);
    // Not a Lambda invoke at all.
    let sns = json!({"StartAt": "P", "States": {"P": {"Type": "Task",
        "Resource": "arn:aws:states:::sns:publish", "End": true}}});
    assert_eq!(findings(&sns, "LAMBDA_RETRY"), []);
    // MaxAttempts 0 lists the errors but retries nothing.
    let zero = lambda_task(json!([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]));
    assert_eq!(findings(&zero, "LAMBDA_RETRY").len(), 1);
}

#[test]
fn the_lambda_retry_fix_adds_the_retrier_first_and_silences_the_warning() {
    let doc = lambda_task(json!([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]));
    let diagnostic = findings(&doc, "LAMBDA_RETRY").remove(0);
    let fixed = fixed_by_quick_fix(&doc, &diagnostic);
    assert_eq!(
        fixed["States"]["Call"]["Retry"][0],
        json!({"ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException",
            "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
            "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2, "JitterStrategy": "FULL"})
    );
    assert_eq!(
        fixed["States"]["Call"]["Retry"][1]["ErrorEquals"],
        json!(["States.ALL"])
    );
    assert_no_errors(&fixed);
    assert_eq!(findings(&fixed, "LAMBDA_RETRY"), []);
}

fn token_task(extra: Value) -> Value {
    let task = json!({"Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "End": true});
    only_state("Wait for approval", task, extra)
}

#[test]
fn task_token_wait_without_timeout_warns_and_its_fix_adds_one() {
    let doc = token_task(json!({}));
    assert_no_errors(&doc);
    let found = findings(&doc, "TASK_TOKEN_TIMEOUT");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].pointer, "/States/Wait for approval/Resource");
    let fixed = fixed_by_quick_fix(&doc, &found[0]);
    assert_eq!(
        fixed["States"]["Wait for approval"]["TimeoutSeconds"],
        json!(3600)
    );
    assert_eq!(findings(&fixed, "TASK_TOKEN_TIMEOUT"), []);
}

#[test]
fn task_token_wait_with_a_heartbeat_or_timeout_path_is_quiet() {
    for extra in [
        json!({"HeartbeatSeconds": 600}),
        json!({"TimeoutSeconds": 3600}),
        json!({"TimeoutSecondsPath": "$.timeout"}),
    ] {
        let doc = token_task(extra);
        assert_no_errors(&doc);
        assert_eq!(findings(&doc, "TASK_TOKEN_TIMEOUT"), []);
    }
}

fn distributed(extra: Value) -> Value {
    let map = json!({"Type": "Map", "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}}, "End": true});
    only_state("Each", map, extra)
}

#[test]
fn distributed_map_without_tolerance_or_concurrency_warns_for_each() {
    let doc = distributed(json!({}));
    assert_no_errors(&doc);
    assert_eq!(findings(&doc, "DISTRIBUTED_MAP_TOLERANCE").len(), 1);
    assert_eq!(findings(&doc, "DISTRIBUTED_MAP_CONCURRENCY").len(), 1);
    assert_eq!(
        findings(&doc, "DISTRIBUTED_MAP_TOLERANCE")[0].pointer,
        "/States/Each"
    );
    let half = distributed(json!({"ToleratedFailurePercentage": 5}));
    assert_eq!(findings(&half, "DISTRIBUTED_MAP_TOLERANCE"), []);
    assert_eq!(findings(&half, "DISTRIBUTED_MAP_CONCURRENCY").len(), 1);
}

#[test]
fn distributed_map_with_limits_and_inline_map_are_quiet() {
    let doc =
        distributed(json!({"ToleratedFailureCountPath": "$.tolerated", "MaxConcurrency": 100}));
    assert_no_errors(&doc);
    assert_eq!(findings(&doc, "DISTRIBUTED_MAP_TOLERANCE"), []);
    assert_eq!(findings(&doc, "DISTRIBUTED_MAP_CONCURRENCY"), []);
    let inline = json!({"StartAt": "Each", "States": {"Each": {"Type": "Map",
        "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}},
        "End": true}}});
    assert_eq!(findings(&inline, "DISTRIBUTED_MAP_TOLERANCE"), []);
}

#[test]
fn catch_all_not_last_is_an_error_and_its_fix_moves_it_to_the_end() {
    let doc = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": true,
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"},
                        {"ErrorEquals": ["States.Timeout"], "Next": "Late"}]},
        "Failed": {"Type": "Fail"}, "Late": {"Type": "Fail"}}});
    let errors: Vec<_> = validate(&machine(&doc))
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].pointer, "/States/T/Catch/0/ErrorEquals");
    let fixed = fixed_by_quick_fix(&doc, &errors[0]);
    assert_eq!(
        fixed["States"]["T"]["Catch"][1]["ErrorEquals"],
        json!(["States.ALL"])
    );
    assert_no_errors(&fixed);
}

fn jsonata(states: Value) -> Value {
    json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": states})
}

#[test]
fn a_variable_read_on_a_path_that_skips_its_assign_warns() {
    // Choice: one rule assigns `$tier`, the default path does not; "Use" reads it.
    let doc = jsonata(json!({
        "A": {"Type": "Choice",
              "Choices": [{"Condition": "{% $states.input.vip %}", "Assign": {"tier": "gold"}, "Next": "Use"}],
              "Default": "Use"},
        "Use": {"Type": "Pass", "Output": "{% $tier %}", "End": true}}));
    assert_no_errors(&doc);
    let found = findings(&doc, "VARIABLE_READ_BEFORE_ASSIGN");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].pointer, "/States/Use/Output");
    assert_eq!(found[0].state.as_deref(), Some("Use"));
    assert!(found[0].message.contains("$tier"));
}

#[test]
fn a_variable_assigned_on_every_path_or_outside_a_map_is_quiet() {
    let doc = jsonata(json!({
        "A": {"Type": "Pass", "Assign": {"tier": "gold", "items": [1, 2]}, "Next": "Each"},
        "Each": {"Type": "Map", "Items": "{% $items %}",
                 "ItemProcessor": {"StartAt": "In", "States": {
                     "In": {"Type": "Pass", "Output": "{% $tier & $states.input %}", "End": true}}},
                 "End": true}}));
    assert_no_errors(&doc);
    assert_eq!(findings(&doc, "VARIABLE_READ_BEFORE_ASSIGN"), []);
    assert_eq!(findings(&doc, "VARIABLE_NEVER_READ"), []);
    // JSONPath reads of a variable count the same way.
    let path = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"id.$": "$.id"}, "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"id.$": "$id"}, "End": true}}});
    assert_no_errors(&path);
    assert_eq!(findings(&path, "VARIABLE_READ_BEFORE_ASSIGN"), []);
    assert_eq!(findings(&path, "VARIABLE_NEVER_READ"), []);
}

#[test]
fn a_variable_assigned_and_never_read_warns_at_its_assign_key() {
    let doc = jsonata(json!({
        "A": {"Type": "Pass", "Assign": {"used": 1, "unused": 2}, "Next": "B"},
        "B": {"Type": "Pass", "Output": "{% $used %}", "End": true}}));
    assert_no_errors(&doc);
    let found = findings(&doc, "VARIABLE_NEVER_READ");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].pointer, "/States/A/Assign/unused");
}

#[test]
fn states_result_outside_a_result_and_error_output_outside_a_catch_warn() {
    let doc = jsonata(json!({
        "A": {"Type": "Pass", "Output": "{% $states.result %}", "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
              "Arguments": {"TopicArn": "t", "Message": "m"},
              "Assign": {"r": "{% $states.errorOutput %}"},
              "Output": "{% $r %}",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.result %}", "Next": "F"}],
              "End": true},
        "F": {"Type": "Fail"}}));
    assert_no_errors(&doc);
    let pointers: Vec<String> = findings(&doc, "STATES_FIELD_UNAVAILABLE")
        .into_iter()
        .map(|d| d.pointer)
        .collect();
    assert_eq!(
        pointers,
        [
            "/States/A/Output",
            "/States/T/Assign/r",
            "/States/T/Catch/0/Output"
        ]
    );
}

#[test]
fn states_result_in_a_task_and_error_output_in_a_catch_are_quiet() {
    let doc = jsonata(json!({
        "A": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
              "Arguments": {"TopicArn": "t", "Message": "m"},
              "Output": "{% $states.result.MessageId %}",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}", "Next": "F"}],
              "End": true},
        "F": {"Type": "Fail"}}));
    assert_no_errors(&doc);
    assert_eq!(findings(&doc, "STATES_FIELD_UNAVAILABLE"), []);
}

#[test]
fn step_functions_jsonata_functions_with_the_wrong_argument_count_warn() {
    let doc = jsonata(json!({
        "A": {"Type": "Pass", "Output": {
            "chunks": "{% $partition([1, 2, 3]) %}",
            "id": "{% $uuid('seed') %}",
            "piped": "{% [1, 2, 3] ~> $partition(2) %}",
            "random": "{% $random(7) %}",
            "range": "{% $range(0, 10, 2) %}",
            "hash": "{% $hash('a', 'SHA-256') %}",
            "parsed": "{% $parse('{}') %}"}, "End": true}}));
    assert_no_errors(&doc);
    let found: Vec<String> = findings(&doc, "JSONATA_FUNCTION_ARITY")
        .into_iter()
        .map(|d| d.pointer)
        .collect();
    assert_eq!(found, ["/States/A/Output/chunks", "/States/A/Output/id"]);
}

#[test]
fn integral_numbers_written_with_a_fraction_or_exponent_are_integers() {
    // `100.0` and `1e2` have integral values (JSON Schema's "integer"); `1.5` and `1e-1` do not.
    let text = r#"{"StartAt": "T", "TimeoutSeconds": 1e3, "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:::sns:publish", "TimeoutSeconds": 100.0, "HeartbeatSeconds": 1E1,
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3.0, "IntervalSeconds": 2e0}],
        "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 5.00, "End": true}}}"#;
    let value: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"));
    assert_no_errors(&value);
    for (field, bad) in [("TimeoutSeconds", "100.5"), ("TimeoutSeconds", "1e-1")] {
        let text = text.replace("\"TimeoutSeconds\": 100.0", &format!("\"{field}\": {bad}"));
        let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        let errors: Vec<_> = validate(&machine(&value))
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(
            errors
                .iter()
                .any(|e| e.pointer == "/States/T/TimeoutSeconds"
                    && e.message.contains("must be an integer")),
            "{bad}: {errors:#?}"
        );
    }
    // Still a range check on the value: 1e9 seconds is over AWS's maximum.
    let text = text.replace("\"TimeoutSeconds\": 100.0", "\"TimeoutSeconds\": 1e9");
    let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        validate(&machine(&value))
            .iter()
            .any(|d| d.severity == Severity::Error && d.message.contains("maximum"))
    );
}

#[test]
fn a_variable_read_by_an_item_reader_max_items_path_counts_as_read() {
    // localstack's assign__map_state_reference_in_max_items_path: `MaxItemsPath: "$maxItems"`.
    let doc = json!({"StartAt": "Start", "States": {
        "Start": {"Type": "Pass", "Assign": {"maxItems": "2"}, "Next": "Each"},
        "Each": {"Type": "Map", "MaxConcurrency": 1,
            "ItemReader": {"ReaderConfig": {"InputType": "JSON", "MaxItemsPath": "$maxItems"},
                "Resource": "arn:aws:states:::s3:getObject",
                "Parameters": {"Bucket.$": "$.Bucket", "Key.$": "$.Key", "LiteralPath": "$notRead"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}});
    assert_no_errors(&doc);
    assert_eq!(findings(&doc, "VARIABLE_NEVER_READ"), []);
    assert_eq!(findings(&doc, "VARIABLE_READ_BEFORE_ASSIGN"), []);
}

#[test]
fn a_distributed_map_child_cannot_read_outer_variables_but_an_inline_one_can() {
    let doc = |mode: &str| {
        jsonata(json!({
            "A": {"Type": "Pass", "Assign": {"tier": "gold"}, "Next": "Each"},
            "Each": {"Type": "Map", "Items": "{% [1, 2] %}", "MaxConcurrency": 2,
                     "ToleratedFailureCount": 0,
                     "ItemProcessor": {"ProcessorConfig": {"Mode": mode}, "StartAt": "In", "States": {
                         "In": {"Type": "Pass", "Output": "{% $tier %}", "End": true}}},
                     "End": true}}))
    };
    let inline = doc("INLINE");
    assert_no_errors(&inline);
    assert_eq!(findings(&inline, "VARIABLE_READ_BEFORE_ASSIGN"), []);
    let distributed = doc("DISTRIBUTED");
    let found = findings(&distributed, "VARIABLE_READ_BEFORE_ASSIGN");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].pointer,
        "/States/Each/ItemProcessor/States/In/Output"
    );
}
