//! The derived execution role allows exactly what each integration needs, per the Step
//! Functions developer guide's "IAM policies for ..." pages: one table row per integration,
//! the expected (action, resource) pairs in full, so a missing or an extra permission fails.

use std::collections::BTreeSet;

use asl_codec::deploy::{RoleFeatures, derive};
use serde_json::{Value, json};

const OWN: &str = "${AWS::Partition}";
const REGION: &str = "${AWS::Region}";
const ACCOUNT: &str = "${AWS::AccountId}";

fn own(service: &str, rest: &str) -> String {
    format!("arn:{OWN}:{service}:{REGION}:{ACCOUNT}:{rest}")
}

fn task(resource: &str, parameters: Value) -> Value {
    json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": resource, "Parameters": parameters, "End": true
    }}})
}

/// (action, resource) pairs a policy allows.
type Allowed = BTreeSet<(String, String)>;

/// Every (action, resource) pair the derived policy allows.
fn allowed(definition: &Value) -> Allowed {
    derive(definition, "M", RoleFeatures::default())
        .grants
        .iter()
        .flat_map(|grant| {
            grant.actions.iter().flat_map(move |action| {
                grant
                    .resources
                    .iter()
                    .map(move |resource| (action.clone(), resource.to_string()))
            })
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Allowed {
    list.iter()
        .map(|(a, r)| ((*a).to_owned(), (*r).to_owned()))
        .collect()
}

const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:work";

#[test]
fn each_integration_is_allowed_exactly_its_documented_actions() {
    let ecs_rule = own("events", "rule/StepFunctionsGetEventsForECSTaskRule");
    let sfn_rule = own(
        "events",
        "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
    );
    let table = own("dynamodb", "table/orders");
    let child = "arn:aws:states:us-east-1:123456789012:stateMachine:child";
    let child_runs = "arn:aws:states:us-east-1:123456789012:execution:child:*";
    let glue_job = own("glue", "job/nightly");
    let named_function = own("lambda", "function:work");
    let rows: Vec<(&str, Value, Allowed)> = vec![
        (
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": FUNCTION, "Payload.$": "$"}),
            pairs(&[
                ("lambda:InvokeFunction", FUNCTION),
                ("lambda:InvokeFunction", &format!("{FUNCTION}:*")),
            ]),
        ),
        (
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            json!({"FunctionName": format!("{FUNCTION}:live")}),
            pairs(&[
                ("lambda:InvokeFunction", FUNCTION),
                ("lambda:InvokeFunction", &format!("{FUNCTION}:*")),
            ]),
        ),
        (
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": "work:live"}),
            pairs(&[
                ("lambda:InvokeFunction", &named_function),
                ("lambda:InvokeFunction", &format!("{named_function}:*")),
            ]),
        ),
        (
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName.$": "$.fn"}),
            pairs(&[("lambda:InvokeFunction", "*")]),
        ),
        (
            FUNCTION,
            json!({}),
            pairs(&[
                ("lambda:InvokeFunction", FUNCTION),
                ("lambda:InvokeFunction", &format!("{FUNCTION}:*")),
            ]),
        ),
        (
            "arn:aws:states:::glue:startJobRun",
            json!({"JobName": "nightly"}),
            pairs(&[("glue:StartJobRun", &glue_job)]),
        ),
        (
            "arn:aws:states:::glue:startJobRun.sync",
            json!({"JobName": "nightly"}),
            pairs(&[
                ("glue:StartJobRun", &glue_job),
                ("glue:GetJobRun", &glue_job),
                ("glue:GetJobRuns", &glue_job),
                ("glue:BatchStopJobRun", &glue_job),
            ]),
        ),
        (
            "arn:aws:states:::sns:publish",
            json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts", "Message.$": "$"}),
            pairs(&[("sns:Publish", "arn:aws:sns:us-east-1:123456789012:alerts")]),
        ),
        (
            "arn:aws:states:::sqs:sendMessage",
            json!({"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs", "MessageBody.$": "$"}),
            pairs(&[("sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:jobs")]),
        ),
        (
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            json!({"QueueUrl": "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/jobs"}),
            pairs(&[(
                "sqs:SendMessage",
                "arn:aws-cn:sqs:cn-north-1:123456789012:jobs",
            )]),
        ),
        (
            "arn:aws:states:::dynamodb:getItem",
            json!({"TableName": "orders"}),
            pairs(&[("dynamodb:GetItem", &table)]),
        ),
        (
            "arn:aws:states:::dynamodb:putItem",
            json!({"TableName": "orders"}),
            pairs(&[("dynamodb:PutItem", &table)]),
        ),
        (
            "arn:aws:states:::dynamodb:updateItem",
            json!({"TableName": "orders"}),
            pairs(&[("dynamodb:UpdateItem", &table)]),
        ),
        (
            "arn:aws:states:::dynamodb:deleteItem",
            json!({"TableName": "arn:aws:dynamodb:us-east-1:123456789012:table/orders"}),
            pairs(&[(
                "dynamodb:DeleteItem",
                "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            )]),
        ),
        (
            "arn:aws:states:::ecs:runTask",
            json!({"TaskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/crunch:3", "Cluster": "c"}),
            pairs(&[
                (
                    "ecs:RunTask",
                    "arn:aws:ecs:us-east-1:123456789012:task-definition/crunch:3",
                ),
                ("iam:PassRole", "*"),
            ]),
        ),
        (
            "arn:aws:states:::ecs:runTask.sync",
            json!({"TaskDefinition": "crunch"}),
            pairs(&[
                ("ecs:RunTask", &own("ecs", "task-definition/crunch:*")),
                ("iam:PassRole", "*"),
                ("ecs:DescribeTasks", "*"),
                ("ecs:StopTask", "*"),
                ("events:PutTargets", &ecs_rule),
                ("events:PutRule", &ecs_rule),
                ("events:DescribeRule", &ecs_rule),
            ]),
        ),
        (
            "arn:aws:states:::events:putEvents",
            json!({"Entries": [{"Detail.$": "$", "DetailType": "d", "Source": "s"}]}),
            pairs(&[("events:PutEvents", &own("events", "event-bus/default"))]),
        ),
        (
            "arn:aws:states:::events:putEvents.waitForTaskToken",
            json!({"Entries": [{"EventBusName": "arn:aws:events:us-east-1:123456789012:event-bus/orders"}]}),
            pairs(&[(
                "events:PutEvents",
                "arn:aws:events:us-east-1:123456789012:event-bus/orders",
            )]),
        ),
        (
            "arn:aws:states:::states:startExecution",
            json!({"StateMachineArn": child}),
            pairs(&[("states:StartExecution", child)]),
        ),
        (
            "arn:aws:states:::states:startExecution.sync:2",
            json!({"StateMachineArn": child}),
            pairs(&[
                ("states:StartExecution", child),
                ("states:DescribeExecution", child_runs),
                ("states:StopExecution", child_runs),
                ("events:PutTargets", &sfn_rule),
                ("events:PutRule", &sfn_rule),
                ("events:DescribeRule", &sfn_rule),
            ]),
        ),
        (
            "arn:aws:states:::http:invoke",
            json!({"ApiEndpoint": "https://api.example.com/v1", "Method": "POST",
                   "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/Example/1a2b"}}),
            pairs(&[
                (
                    "states:InvokeHTTPEndpoint",
                    &own("states", "stateMachine:M"),
                ),
                (
                    "events:RetrieveConnectionCredentials",
                    "arn:aws:events:us-east-1:123456789012:connection/Example/1a2b",
                ),
                (
                    "secretsmanager:GetSecretValue",
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/Example/*",
                ),
                (
                    "secretsmanager:DescribeSecret",
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/Example/*",
                ),
            ]),
        ),
        (
            "arn:aws:states:::aws-sdk:s3:getObject",
            json!({"Bucket": "inbox", "Key.$": "$.key"}),
            pairs(&[("s3:GetObject", &format!("arn:{OWN}:s3:::inbox/*"))]),
        ),
        (
            "arn:aws:states:::aws-sdk:s3:listObjectsV2",
            json!({"Bucket": "inbox"}),
            pairs(&[("s3:ListBucket", &format!("arn:{OWN}:s3:::inbox"))]),
        ),
        (
            "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
            json!({"TaskToken.$": "$.t"}),
            pairs(&[("states:SendTaskSuccess", "*")]),
        ),
        (
            "arn:aws:states:::aws-sdk:bedrockagent:startIngestionJob",
            json!({}),
            pairs(&[("bedrock:StartIngestionJob", "*")]),
        ),
        (
            "arn:aws:states:::lambda:invoke",
            json!({"FunctionName": "${WorkerArn}"}),
            pairs(&[
                ("lambda:InvokeFunction", "${WorkerArn}"),
                ("lambda:InvokeFunction", "${WorkerArn}:*"),
            ]),
        ),
        (
            "arn:${AWS::Partition}:states:::dynamodb:putItem",
            json!({"TableName": "${Table}"}),
            pairs(&[("dynamodb:PutItem", &own("dynamodb", "table/${Table}"))]),
        ),
        (
            "arn:aws:states:::apigateway:invoke",
            json!({"ApiEndpoint": "abc.execute-api.us-east-1.amazonaws.com", "Method": "GET"}),
            pairs(&[("execute-api:Invoke", "*")]),
        ),
        (
            "arn:aws:states:::elasticmapreduce:addStep.sync",
            json!({"ClusterId.$": "$.cluster"}),
            pairs(&[
                ("elasticmapreduce:AddJobFlowSteps", "*"),
                ("elasticmapreduce:CancelSteps", "*"),
                ("elasticmapreduce:DescribeStep", "*"),
            ]),
        ),
        (
            "arn:aws:states:us-east-1:123456789012:activity:review",
            json!({}),
            pairs(&[]),
        ),
    ];
    for (resource, parameters, expected) in rows {
        let definition = task(resource, parameters.clone());
        assert_eq!(
            allowed(&definition),
            expected,
            "{resource} with {parameters}"
        );
    }
}

#[test]
fn jsonata_arguments_computed_at_run_time_fall_back_to_star_with_a_reason() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "{% $states.input.fn %}"}, "End": true}}});
    let policy = derive(&definition, "M", RoleFeatures::default());
    assert_eq!(
        allowed(&definition),
        pairs(&[("lambda:InvokeFunction", "*")])
    );
    assert!(
        policy.grants[0].notes[0].contains("computed at run time"),
        "{:?}",
        policy.grants
    );
}

#[test]
fn tasks_inside_parallel_branches_and_map_processors_are_included() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "Put", "States": {"Put": {"Type": "Task", "End": true,
                "Resource": "arn:aws:states:::dynamodb:putItem", "Parameters": {"TableName": "orders"}}}}}}},
        {"StartAt": "Old", "States": {"Old": {"Type": "Map", "End": true, "Iterator": {
            "StartAt": "Send", "States": {"Send": {"Type": "Task", "End": true,
                "Resource": "arn:aws:states:::sns:publish", "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:1:t"}}}}}}}
    ]}}});
    assert_eq!(
        allowed(&definition),
        pairs(&[
            ("dynamodb:PutItem", &own("dynamodb", "table/orders")),
            ("sns:Publish", "arn:aws:sns:us-east-1:1:t"),
        ])
    );
    let policy = derive(&definition, "M", RoleFeatures::default());
    assert_eq!(policy.grants[0].states, ["P/M/Put"]);
}

#[test]
fn distributed_map_may_start_child_executions_of_its_own_machine_and_use_its_s3_reader_and_writer()
{
    let definition = json!({"StartAt": "Fan", "States": {"Fan": {"Type": "Map", "End": true,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV"},
                       "Parameters": {"Bucket": "inbox", "Key": "items.csv"}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "results", "Prefix": "runs"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work", "States": {"Work": {"Type": "Task", "End": true,
                "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": FUNCTION}}}}}}});
    let results = format!("arn:{OWN}:s3:::results/runs/*");
    let children = own("states", "execution:M/*");
    assert_eq!(
        allowed(&definition),
        pairs(&[
            ("lambda:InvokeFunction", FUNCTION),
            ("lambda:InvokeFunction", &format!("{FUNCTION}:*")),
            ("states:StartExecution", &own("states", "stateMachine:M")),
            ("states:DescribeExecution", &children),
            ("states:StopExecution", &children),
            ("s3:GetObject", &format!("arn:{OWN}:s3:::inbox/items.csv")),
            ("s3:PutObject", &results),
            ("s3:GetObject", &results),
            ("s3:ListMultipartUploadParts", &results),
            ("s3:AbortMultipartUpload", &results),
        ])
    );
}

#[test]
fn a_resource_chosen_by_placeholder_gets_no_permission_and_a_warning() {
    let definition = task("${SubmitAction}", json!({}));
    let policy = derive(&definition, "M", RoleFeatures::default());
    assert!(policy.grants.is_empty());
    assert_eq!(policy.warnings.len(), 1);
    assert!(policy.warnings[0].starts_with("T: Resource is the placeholder ${SubmitAction}"));
}

#[test]
fn sam_policy_templates_are_chosen_only_for_resources_of_the_stacks_own_account() {
    let by_name = task(
        "arn:aws:states:::lambda:invoke",
        json!({"FunctionName": "work"}),
    );
    let policy = derive(&by_name, "M", RoleFeatures::default());
    assert_eq!(
        policy.grants[0].sam.as_ref().map(|t| t.name),
        Some("LambdaInvokePolicy")
    );
    let by_arn = task(
        "arn:aws:states:::lambda:invoke",
        json!({"FunctionName": FUNCTION}),
    );
    let policy = derive(&by_arn, "M", RoleFeatures::default());
    assert_eq!(
        policy.grants[0].sam, None,
        "an ARN in a named account is not the stack's own"
    );
    let default_bus = task(
        "arn:aws:states:::events:putEvents",
        json!({"Entries": [{"Source": "s"}]}),
    );
    let policy = derive(&default_bus, "M", RoleFeatures::default());
    assert_eq!(
        policy.grants[0].sam.as_ref().map(|t| t.name),
        Some("EventBridgePutEventsPolicy")
    );
}

#[test]
fn logging_and_tracing_add_their_documented_actions() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let policy = derive(
        &definition,
        "M",
        RoleFeatures {
            logging: true,
            tracing: true,
        },
    );
    let actions: Vec<&str> = policy
        .grants
        .iter()
        .flat_map(|g| g.actions.iter().map(String::as_str))
        .collect();
    assert!(
        actions.contains(&"logs:CreateLogDelivery") && actions.contains(&"xray:PutTraceSegments")
    );
    assert!(
        policy.grants.iter().all(|g| !g.notes.is_empty()),
        "each `*` says why"
    );
}
