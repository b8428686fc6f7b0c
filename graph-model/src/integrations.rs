//! The service integrations a Task's `Resource` can name: the catalogue the designer's palette
//! and the language server's completion offer, and what a Resource ARN means (which service,
//! which action, which integration pattern). Plain data, so that every front end agrees.

/// One service integration, as the palette and completion offer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Integration {
    /// The Task's `Resource`, with the `aws` partition and no region or account (Step Functions
    /// fills them in).
    pub resource: &'static str,
    /// What to call it: the service and the API action.
    pub label: &'static str,
    /// One line on what it does.
    pub hint: &'static str,
}

const fn integration(
    resource: &'static str,
    label: &'static str,
    hint: &'static str,
) -> Integration {
    Integration {
        resource,
        label,
        hint,
    }
}

/// The integrations offered, the designer palette's first (in its order), then the other
/// optimised integrations and patterns Step Functions documents.
pub const CATALOGUE: &[Integration] = &[
    integration(
        "arn:aws:states:::lambda:invoke",
        "Lambda Invoke",
        "Invoke a Lambda function",
    ),
    integration(
        "arn:aws:states:::glue:startJobRun.sync",
        "Glue StartJobRun.sync",
        "Run a Glue job and wait for it",
    ),
    integration(
        "arn:aws:states:::sns:publish",
        "SNS Publish",
        "Publish a message to a topic",
    ),
    integration(
        "arn:aws:states:::sqs:sendMessage",
        "SQS SendMessage",
        "Send a message to a queue",
    ),
    integration(
        "arn:aws:states:::dynamodb:putItem",
        "DynamoDB PutItem",
        "Write an item to a table",
    ),
    integration(
        "arn:aws:states:::dynamodb:getItem",
        "DynamoDB GetItem",
        "Read an item from a table",
    ),
    integration(
        "arn:aws:states:::ecs:runTask.sync",
        "ECS RunTask.sync",
        "Run an ECS task and wait for it",
    ),
    integration(
        "arn:aws:states:::events:putEvents",
        "EventBridge PutEvents",
        "Send events to a bus",
    ),
    integration(
        "arn:aws:states:::states:startExecution.sync:2",
        "Step Functions StartExecution",
        "Start another state machine and wait for it",
    ),
    integration(
        "arn:aws:states:::http:invoke",
        "HTTP Invoke",
        "Call an HTTPS API",
    ),
    integration(
        "arn:aws:states:::aws-sdk:s3:listBuckets",
        "SDK action",
        "Call any AWS SDK action",
    ),
    integration(
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Lambda Invoke.waitForTaskToken",
        "Invoke a Lambda function and wait for it to return the task token",
    ),
    integration(
        "arn:aws:states:::sns:publish.waitForTaskToken",
        "SNS Publish.waitForTaskToken",
        "Publish a message and wait for the task token",
    ),
    integration(
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "SQS SendMessage.waitForTaskToken",
        "Send a message and wait for the task token",
    ),
    integration(
        "arn:aws:states:::dynamodb:updateItem",
        "DynamoDB UpdateItem",
        "Update an item of a table",
    ),
    integration(
        "arn:aws:states:::dynamodb:deleteItem",
        "DynamoDB DeleteItem",
        "Delete an item from a table",
    ),
    integration(
        "arn:aws:states:::ecs:runTask",
        "ECS RunTask",
        "Start an ECS task and move on",
    ),
    integration(
        "arn:aws:states:::ecs:runTask.waitForTaskToken",
        "ECS RunTask.waitForTaskToken",
        "Run an ECS task and wait for the task token",
    ),
    integration(
        "arn:aws:states:::glue:startJobRun",
        "Glue StartJobRun",
        "Start a Glue job and move on",
    ),
    integration(
        "arn:aws:states:::batch:submitJob.sync",
        "Batch SubmitJob.sync",
        "Run a Batch job and wait for it",
    ),
    integration(
        "arn:aws:states:::athena:startQueryExecution.sync",
        "Athena StartQueryExecution.sync",
        "Run an Athena query and wait for it",
    ),
    integration(
        "arn:aws:states:::codebuild:startBuild.sync",
        "CodeBuild StartBuild.sync",
        "Run a CodeBuild build and wait for it",
    ),
    integration(
        "arn:aws:states:::events:putEvents.waitForTaskToken",
        "EventBridge PutEvents.waitForTaskToken",
        "Send events and wait for the task token",
    ),
    integration(
        "arn:aws:states:::states:startExecution",
        "Step Functions StartExecution (no wait)",
        "Start another state machine and move on",
    ),
    integration(
        "arn:aws:states:::states:startExecution.sync",
        "Step Functions StartExecution.sync",
        "Start another state machine and wait for it (output as a JSON string)",
    ),
    integration(
        "arn:aws:states:::states:startExecution.waitForTaskToken",
        "Step Functions StartExecution.waitForTaskToken",
        "Start another state machine and wait for the task token",
    ),
    integration(
        "arn:aws:states:::apigateway:invoke",
        "API Gateway Invoke",
        "Call an API Gateway API",
    ),
    integration(
        "arn:aws:states:::bedrock:invokeModel",
        "Bedrock InvokeModel",
        "Invoke a Bedrock model",
    ),
];

/// How Step Functions waits on a Task's call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Calls the API and moves on when it answers.
    RequestResponse,
    /// `.sync`: waits for the job it started to finish.
    Sync,
    /// `.sync:2`: as `.sync`, with the child's output parsed as JSON.
    Sync2,
    /// `.waitForTaskToken`: pauses until the task token comes back.
    WaitForTaskToken,
}

impl Pattern {
    /// The pattern's name and what it does, one sentence.
    pub fn describe(self) -> &'static str {
        match self {
            Pattern::RequestResponse => {
                "Request Response: Step Functions calls the API and moves on as soon as it answers."
            }
            Pattern::Sync => {
                "Run a Job (.sync): Step Functions starts the job and waits for it to complete."
            }
            Pattern::Sync2 => {
                "Run a Job (.sync:2): Step Functions waits for the job to complete; the output is \
                 parsed JSON rather than a JSON string."
            }
            Pattern::WaitForTaskToken => {
                "Wait for a Callback (.waitForTaskToken): the state pauses until SendTaskSuccess or \
                 SendTaskFailure is called with the task token ($$.Task.Token, or \
                 $states.context.Task.Token in JSONata), or until its timeout."
            }
        }
    }
}

/// What a Task's `Resource` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceKind {
    /// An optimised integration `arn:<partition>:states:::<service>:<action>[pattern]`.
    Optimised {
        /// `lambda`, `sns`, `states`, ...
        service: String,
        /// `invoke`, `publish`, `startExecution`, ...
        action: String,
        /// How Step Functions waits.
        pattern: Pattern,
    },
    /// An AWS SDK integration `arn:<partition>:states:::aws-sdk:<service>:<action>[pattern]`.
    Sdk {
        /// The SDK's service name (`s3`, `ec2`, ...).
        service: String,
        /// The API action, camelCased.
        action: String,
        /// How Step Functions waits.
        pattern: Pattern,
    },
    /// A Lambda function ARN named directly (the legacy form: request-response, the function's
    /// result is the state's result).
    LambdaFunction,
    /// An activity ARN: a worker polls GetActivityTask and answers with the task token.
    Activity,
}

/// What `resource` names, or `None` when it is not a Step Functions resource ARN (a placeholder,
/// an expression, a typo).
pub fn describe_resource(resource: &str) -> Option<ResourceKind> {
    let parts: Vec<&str> = resource.split(':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return None;
    }
    match (parts[2], parts[5]) {
        ("lambda", "function") => return Some(ResourceKind::LambdaFunction),
        ("states", "activity") => return Some(ResourceKind::Activity),
        ("states", _) if parts.len() >= 7 && parts[3].is_empty() && parts[4].is_empty() => {}
        _ => return None,
    }
    let rest = parts[6..].join(":");
    let (action, pattern) = if let Some(action) = rest.strip_suffix(".waitForTaskToken") {
        (action, Pattern::WaitForTaskToken)
    } else if let Some(action) = rest.strip_suffix(".sync:2") {
        (action, Pattern::Sync2)
    } else if let Some(action) = rest.strip_suffix(".sync") {
        (action, Pattern::Sync)
    } else {
        (rest.as_str(), Pattern::RequestResponse)
    };
    if action.is_empty() {
        return None;
    }
    if parts[5] == "aws-sdk" {
        let (service, action) = action.split_once(':')?;
        return Some(ResourceKind::Sdk {
            service: service.to_owned(),
            action: action.to_owned(),
            pattern,
        });
    }
    Some(ResourceKind::Optimised {
        service: parts[5].to_owned(),
        action: action.to_owned(),
        pattern,
    })
}

/// The catalogue entry whose resource is `resource` in any partition.
pub fn catalogue_entry(resource: &str) -> Option<&'static Integration> {
    let rest = resource.strip_prefix("arn:")?;
    let (_, rest) = rest.split_once(':')?;
    CATALOGUE
        .iter()
        .find(|entry| entry.resource.strip_prefix("arn:aws:") == Some(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_resource_describes_itself_as_an_integration() {
        for entry in CATALOGUE {
            assert!(
                matches!(
                    describe_resource(entry.resource),
                    Some(ResourceKind::Optimised { .. } | ResourceKind::Sdk { .. })
                ),
                "{}",
                entry.resource
            );
            assert_eq!(catalogue_entry(entry.resource), Some(entry));
        }
    }

    #[test]
    fn patterns_are_read_from_the_suffix() {
        assert_eq!(
            describe_resource("arn:aws-us-gov:states:::states:startExecution.sync:2"),
            Some(ResourceKind::Optimised {
                service: "states".to_owned(),
                action: "startExecution".to_owned(),
                pattern: Pattern::Sync2,
            })
        );
        assert_eq!(
            describe_resource("arn:aws:states:::aws-sdk:s3:getObject.waitForTaskToken"),
            Some(ResourceKind::Sdk {
                service: "s3".to_owned(),
                action: "getObject".to_owned(),
                pattern: Pattern::WaitForTaskToken,
            })
        );
        assert_eq!(
            describe_resource("arn:aws:lambda:us-east-1:123456789012:function:f"),
            Some(ResourceKind::LambdaFunction)
        );
        assert_eq!(
            describe_resource("arn:aws:states:us-east-1:1:activity:a"),
            Some(ResourceKind::Activity)
        );
        assert_eq!(describe_resource("${FunctionArn}"), None);
        assert_eq!(describe_resource("arn:aws:states:::lambda:"), None);
    }
}
