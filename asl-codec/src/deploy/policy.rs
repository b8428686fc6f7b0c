//! The least-privilege execution role of a definition: for each Task (Parallel branches and Map
//! processors included) the IAM actions that the Step Functions developer guide's "IAM policies
//! for ..." page of its integration lists, on the resources the definition names, and `*` only
//! where the definition does not say, with a note that says why.

use serde_json::{Value, json};

use super::arn::{Piece, Resource, split_outside_placeholders, whole_placeholder};
use super::sdk;

/// One policy statement: these actions allowed on these resources.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// IAM actions (`service:Action`), sorted.
    pub actions: Vec<String>,
    /// The resources, in first-use order.
    pub resources: Vec<Resource>,
    /// An IAM `Condition` block, when the guide scopes the action by condition keys.
    pub condition: Option<Value>,
    /// Why a resource is `*` or a permission is wider than the call, for a comment.
    pub notes: Vec<String>,
    /// The states that need it.
    pub states: Vec<String>,
    /// The SAM policy template that grants exactly this, when one does.
    pub sam: Option<SamTemplate>,
}

/// A SAM policy template use: `{Name: {Parameter: value}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamTemplate {
    /// The template's name, e.g. `LambdaInvokePolicy`.
    pub name: &'static str,
    /// Its one parameter, e.g. `FunctionName`.
    pub parameter: &'static str,
    /// The parameter's value.
    pub value: Vec<Piece>,
}

/// The derived role policy, and what could not be derived.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    /// The statements, merged where actions and condition agree.
    pub grants: Vec<Grant>,
    /// Task resources that get no permission from the export, each with its reason; the
    /// exported template lists them in a comment.
    pub warnings: Vec<String>,
}

/// What else the role must allow besides the Tasks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoleFeatures {
    /// The machine logs to CloudWatch Logs.
    pub logging: bool,
    /// The machine sends traces to X-Ray.
    pub tracing: bool,
}

/// Derives the execution role's policy of `definition`, deployed as state machine `machine_name`.
pub fn derive(definition: &Value, machine_name: &str, features: RoleFeatures) -> Policy {
    let mut deriver = Deriver {
        machine_name,
        policy: Policy::default(),
    };
    deriver.machine(definition, "");
    if features.logging {
        deriver.add(
            "(logging)",
            Grant::new(
                &[
                    "logs:CreateLogDelivery",
                    "logs:DeleteLogDelivery",
                    "logs:DescribeLogGroups",
                    "logs:DescribeResourcePolicies",
                    "logs:GetLogDelivery",
                    "logs:ListLogDeliveries",
                    "logs:PutResourcePolicy",
                    "logs:UpdateLogDelivery",
                ],
                vec![Resource::Any],
            )
            .note("CloudWatch Logs log-delivery actions support no resource-level permissions"),
        );
    }
    if features.tracing {
        deriver.add(
            "(tracing)",
            Grant::new(
                &[
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                    "xray:PutTelemetryRecords",
                    "xray:PutTraceSegments",
                ],
                vec![Resource::Any],
            )
            .note("X-Ray trace actions support no resource-level permissions"),
        );
    }
    deriver.policy
}

impl Grant {
    fn new(actions: &[&str], resources: Vec<Resource>) -> Self {
        let mut actions: Vec<String> = actions.iter().map(|a| (*a).to_owned()).collect();
        actions.sort();
        actions.dedup();
        Self {
            actions,
            resources,
            condition: None,
            notes: Vec::new(),
            states: Vec::new(),
            sam: None,
        }
    }

    fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    fn notes_from(mut self, notes: &[String]) -> Self {
        self.notes.extend(notes.iter().cloned());
        self
    }

    fn sam(
        mut self,
        name: &'static str,
        parameter: &'static str,
        value: Option<Vec<Piece>>,
    ) -> Self {
        self.sam = value.map(|value| SamTemplate {
            name,
            parameter,
            value,
        });
        self
    }

    /// Whether every resource is `*`.
    pub fn is_unscoped(&self) -> bool {
        self.resources.iter().all(|r| *r == Resource::Any)
    }
}

struct Deriver<'a> {
    machine_name: &'a str,
    policy: Policy,
}

/// A field of a Task's Parameters (JSONPath) or Arguments (JSONata).
enum Field {
    /// Written in the definition.
    Literal(String),
    /// Computed at run time (`Name.$` or a `{% ... %}` expression): the reason to use `*`.
    Dynamic(String),
    Absent,
}

/// How the Task waits for its integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    RequestResponse,
    Sync,
    WaitForTaskToken,
}

impl Deriver<'_> {
    fn add(&mut self, state: &str, mut grant: Grant) {
        grant.states.push(state.to_owned());
        if grant.resources.len() > 1 && grant.resources.contains(&Resource::Any) {
            grant.resources = vec![Resource::Any];
        }
        let existing = self.policy.grants.iter_mut().find(|g| {
            g.actions == grant.actions
                && g.condition == grant.condition
                && (g.sam.is_none() == grant.sam.is_none())
                && (g.sam.is_none() || g.sam == grant.sam)
        });
        match existing {
            Some(existing) => {
                for resource in grant.resources {
                    if !existing.resources.contains(&resource) {
                        existing.resources.push(resource);
                    }
                }
                if existing.resources.len() > 1 && existing.resources.contains(&Resource::Any) {
                    existing.resources = vec![Resource::Any];
                }
                for note in grant.notes {
                    if !existing.notes.contains(&note) {
                        existing.notes.push(note);
                    }
                }
                for state in grant.states {
                    if !existing.states.contains(&state) {
                        existing.states.push(state);
                    }
                }
            }
            None => self.policy.grants.push(grant),
        }
    }

    fn warn(&mut self, state: &str, message: String) {
        self.policy.warnings.push(format!("{state}: {message}"));
    }

    /// Walks a machine (or a branch / processor) and every state in it.
    fn machine(&mut self, machine: &Value, prefix: &str) {
        let Some(states) = machine.get("States").and_then(Value::as_object) else {
            return;
        };
        for (name, state) in states {
            let label = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            match state.get("Type").and_then(Value::as_str) {
                Some("Task") => self.task(&label, state),
                Some("Parallel") => {
                    for branch in state
                        .get("Branches")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        self.machine(branch, &label);
                    }
                }
                Some("Map") => self.map(&label, state),
                _ => {}
            }
        }
    }

    fn map(&mut self, label: &str, state: &Value) {
        let processor = state.get("ItemProcessor").or_else(|| state.get("Iterator"));
        if let Some(processor) = processor {
            self.machine(processor, label);
        }
        let distributed = processor
            .and_then(|p| p.pointer("/ProcessorConfig/Mode"))
            .and_then(Value::as_str)
            == Some("DISTRIBUTED");
        if distributed {
            // Child workflow executions run as executions of this very machine.
            let own = Resource::own("states", &format!("stateMachine:{}", self.machine_name));
            self.add(label, Grant::new(&["states:StartExecution"], vec![own]));
            let executions = Resource::own("states", &format!("execution:{}/*", self.machine_name));
            self.add(
                label,
                Grant::new(
                    &["states:DescribeExecution", "states:StopExecution"],
                    vec![executions],
                ),
            );
        }
        if let Some(reader) = state.get("ItemReader") {
            self.s3_reader(label, reader);
        }
        if let Some(writer) = state.get("ResultWriter") {
            self.s3_writer(label, writer);
        }
    }

    fn s3_reader(&mut self, label: &str, reader: &Value) {
        let Some(resource) = reader.get("Resource").and_then(Value::as_str) else {
            return;
        };
        let Some((service, action, _)) = optimised(resource) else {
            return;
        };
        if service != "s3" {
            return;
        }
        let bucket = field(reader, "Bucket");
        match action.as_str() {
            "listObjectsV2" => {
                let (resource, notes) = s3_bucket(&bucket);
                self.add(
                    label,
                    Grant::new(&["s3:ListBucket"], vec![resource]).notes_from(&notes),
                );
            }
            _ => {
                let key = field(reader, "Key");
                let (resource, notes) = s3_object(&bucket, &key);
                self.add(
                    label,
                    Grant::new(&["s3:GetObject"], vec![resource]).notes_from(&notes),
                );
            }
        }
    }

    fn s3_writer(&mut self, label: &str, writer: &Value) {
        let resource = writer.get("Resource").and_then(Value::as_str);
        if resource.and_then(optimised).map(|(s, _, _)| s) != Some("s3".to_owned()) {
            return;
        }
        let bucket = field(writer, "Bucket");
        let prefix = match field(writer, "Prefix") {
            Field::Literal(prefix) => Field::Literal(format!("{}*", with_slash(&prefix))),
            Field::Absent => Field::Literal("*".to_owned()),
            dynamic => dynamic,
        };
        let (resource, notes) = s3_object(&bucket, &prefix);
        self.add(
            label,
            Grant::new(
                &[
                    "s3:AbortMultipartUpload",
                    "s3:GetObject",
                    "s3:ListMultipartUploadParts",
                    "s3:PutObject",
                ],
                vec![resource],
            )
            .notes_from(&notes),
        );
    }

    fn task(&mut self, label: &str, state: &Value) {
        let Some(resource) = state.get("Resource").and_then(Value::as_str) else {
            return;
        };
        if let Some(name) = whole_placeholder(resource) {
            self.warn(
                label,
                format!(
                    "Resource is the placeholder ${{{name}}}, whose integration is only known \
                     at deploy time; add the permissions it needs"
                ),
            );
            return;
        }
        let parts = split_outside_placeholders(resource, ':');
        if parts.len() >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function" {
            // A Lambda function ARN as the Resource (the legacy form).
            let function = Resource::from_text(&parts[..7].join(":"));
            self.lambda(label, function, Vec::new());
            return;
        }
        if parts.len() >= 6 && parts[0] == "arn" && parts[2] == "states" && parts[5] == "activity" {
            // Workers poll activities with their own credentials; the machine needs nothing.
            return;
        }
        let Some((service, action, pattern)) = optimised(resource) else {
            self.warn(
                label,
                format!(
                    "Resource `{resource}` is not a Step Functions integration ASL Studio knows"
                ),
            );
            return;
        };
        match service.as_str() {
            "lambda" if action == "invoke" => {
                let (function, notes) = lambda_function(&field(state, "FunctionName"));
                self.lambda(label, function, notes);
            }
            "glue" if action == "startJobRun" => {
                let (job, notes) = match field(state, "JobName") {
                    Field::Literal(name) => (Resource::own("glue", &format!("job/{name}")), vec![]),
                    other => any_because(&other, "JobName"),
                };
                let actions: &[&str] = if pattern == Pattern::Sync {
                    &[
                        "glue:BatchStopJobRun",
                        "glue:GetJobRun",
                        "glue:GetJobRuns",
                        "glue:StartJobRun",
                    ]
                } else {
                    &["glue:StartJobRun"]
                };
                self.add(label, Grant::new(actions, vec![job]).notes_from(&notes));
            }
            "sns" if action == "publish" => {
                let (topic, notes) = match field(state, "TopicArn") {
                    Field::Literal(arn) => (Resource::from_text(&arn), vec![]),
                    Field::Absent if has_field(state, "TargetArn") => {
                        any_because(&field(state, "TargetArn"), "TargetArn")
                    }
                    Field::Absent => (
                        Resource::Any,
                        vec![
                            "the message goes to a phone number (PhoneNumber), not a topic"
                                .to_owned(),
                        ],
                    ),
                    other => any_because(&other, "TopicArn"),
                };
                let sam = topic.own_name("sns", "");
                self.add(
                    label,
                    Grant::new(&["sns:Publish"], vec![topic])
                        .notes_from(&notes)
                        .sam("SNSPublishMessagePolicy", "TopicName", sam),
                );
            }
            "sqs" if action == "sendMessage" => {
                let (queue, notes) = match field(state, "QueueUrl") {
                    Field::Literal(url) => match queue_arn(&url) {
                        Some(arn) => (arn, vec![]),
                        None => (
                            Resource::Any,
                            vec![format!(
                                "QueueUrl `{url}` is not a literal SQS queue URL, and IAM needs the queue's ARN"
                            )],
                        ),
                    },
                    other => any_because(&other, "QueueUrl"),
                };
                self.add(
                    label,
                    Grant::new(&["sqs:SendMessage"], vec![queue]).notes_from(&notes),
                );
            }
            "dynamodb" => {
                let Some(iam) = dynamodb_action(&action) else {
                    self.warn(label, format!("unknown DynamoDB integration `{action}`"));
                    return;
                };
                let (table, notes) = match field(state, "TableName") {
                    Field::Literal(name) if name.starts_with("arn:") => {
                        (Resource::from_text(&name), vec![])
                    }
                    Field::Literal(name) => {
                        (Resource::own("dynamodb", &format!("table/{name}")), vec![])
                    }
                    other => any_because(&other, "TableName"),
                };
                self.add(label, Grant::new(&[iam], vec![table]).notes_from(&notes));
            }
            "ecs" if action == "runTask" => self.ecs(label, state, pattern),
            "events" if action == "putEvents" => self.events(label, state),
            "states" if action == "startExecution" => self.nested(label, state, pattern),
            "http" if action == "invoke" => self.http(label, state),
            "aws-sdk" => self.sdk(label, state, &action),
            "apigateway" if action == "invoke" => {
                self.add(
                    label,
                    Grant::new(&["execute-api:Invoke"], vec![Resource::Any]).note(
                        "the API is named by ApiEndpoint, Stage and Path, which ASL Studio does \
                         not turn into an execute-api ARN; narrow this by hand",
                    ),
                );
            }
            "elasticmapreduce" => {
                let Some(actions) = emr_actions(&action, pattern) else {
                    self.warn(label, format!("unknown EMR integration `{action}`"));
                    return;
                };
                self.add(
                    label,
                    Grant::new(actions, vec![Resource::Any])
                        .note("the cluster is only known at run time (ClusterId)"),
                );
                if action == "createCluster" {
                    self.add(
                        label,
                        Grant::new(&["iam:PassRole"], vec![Resource::Any]).note(
                            "the cluster's service and instance roles are passed in the \
                             request; name them here",
                        ),
                    );
                }
            }
            _ => {
                let iam = format!("{}:{}", service, capitalise(&action));
                self.add(
                    label,
                    Grant::new(&[iam.as_str()], vec![Resource::Any]).note(format!(
                        "ASL Studio has no scoped entry for the `{service}:{action}` integration; \
                         see the developer guide's \"IAM policies for\" page of this service, \
                         which may list more actions (for example for `.sync`)"
                    )),
                );
            }
        }
    }

    fn lambda(&mut self, label: &str, function: Resource, notes: Vec<String>) {
        let sam = function.own_name("lambda", "function:");
        let mut resources = vec![function.clone()];
        if function != Resource::Any {
            // Versions and aliases: `function:name:qualifier`.
            resources.push(function.with_suffix(":*"));
        }
        self.add(
            label,
            Grant::new(&["lambda:InvokeFunction"], resources)
                .notes_from(&notes)
                .sam("LambdaInvokePolicy", "FunctionName", sam),
        );
    }

    fn ecs(&mut self, label: &str, state: &Value, pattern: Pattern) {
        let (definition, notes) = match field(state, "TaskDefinition") {
            Field::Literal(text) if text.starts_with("arn:") => {
                (Resource::from_text(&text), vec![])
            }
            Field::Literal(text) if text.contains(':') => (
                Resource::own("ecs", &format!("task-definition/{text}")),
                vec![],
            ),
            // A family without a revision runs its latest revision.
            Field::Literal(text) => (
                Resource::own("ecs", &format!("task-definition/{text}:*")),
                vec![],
            ),
            other => any_because(&other, "TaskDefinition"),
        };
        self.add(
            label,
            Grant::new(&["ecs:RunTask"], vec![definition]).notes_from(&notes),
        );
        self.add(
            label,
            Grant::new(&["iam:PassRole"], vec![Resource::Any]).note(
                "the task and execution roles are named in the ECS task definition, \
                 which the state machine definition does not show",
            ),
        );
        if pattern == Pattern::Sync {
            self.add(
                label,
                Grant::new(&["ecs:DescribeTasks", "ecs:StopTask"], vec![Resource::Any])
                    .note("the task ARN is only known once the task runs"),
            );
            self.events_rule(label, "StepFunctionsGetEventsForECSTaskRule");
        }
    }

    fn events_rule(&mut self, label: &str, rule: &str) {
        self.add(
            label,
            Grant::new(
                &["events:DescribeRule", "events:PutRule", "events:PutTargets"],
                vec![Resource::own("events", &format!("rule/{rule}"))],
            ),
        );
    }

    fn events(&mut self, label: &str, state: &Value) {
        let entries = params(state)
            .and_then(|p| p.get("Entries"))
            .and_then(Value::as_array);
        let mut buses = Vec::new();
        let mut notes = Vec::new();
        match entries {
            Some(entries) if !entries.is_empty() => {
                for entry in entries {
                    match field_in(entry, "EventBusName") {
                        Field::Literal(bus) if bus.starts_with("arn:") => {
                            buses.push(Resource::from_text(&bus));
                        }
                        Field::Literal(bus) => {
                            buses.push(Resource::own("events", &format!("event-bus/{bus}")));
                        }
                        Field::Absent => {
                            buses.push(Resource::own("events", "event-bus/default"));
                        }
                        other => {
                            let (any, why) = any_because(&other, "EventBusName");
                            buses.push(any);
                            notes.extend(why);
                        }
                    }
                }
            }
            _ => {
                buses.push(Resource::Any);
                notes.push(
                    "the Entries are computed at run time, so the event bus is not known"
                        .to_owned(),
                );
            }
        }
        let sam = match buses.as_slice() {
            [single] => single.own_name("events", "event-bus/"),
            _ => None,
        };
        self.add(
            label,
            Grant::new(&["events:PutEvents"], buses)
                .notes_from(&notes)
                .sam("EventBridgePutEventsPolicy", "EventBusName", sam),
        );
    }

    fn nested(&mut self, label: &str, state: &Value, pattern: Pattern) {
        let (machine, executions, notes) = match field(state, "StateMachineArn") {
            Field::Literal(arn) => {
                let parts = split_outside_placeholders(&arn, ':');
                let executions = if parts.len() == 7 && parts[5] == "stateMachine" {
                    let mut head = parts[..5].join(":");
                    head.push_str(&format!(":execution:{}:*", parts[6]));
                    Some(Resource::from_text(&head))
                } else {
                    None
                };
                (Resource::from_text(&arn), executions, vec![])
            }
            other => {
                let (any, notes) = any_because(&other, "StateMachineArn");
                (any, Some(Resource::Any), notes)
            }
        };
        let sam = if pattern == Pattern::Sync {
            None
        } else {
            machine.own_name("states", "stateMachine:")
        };
        self.add(
            label,
            Grant::new(&["states:StartExecution"], vec![machine])
                .notes_from(&notes)
                .sam("StepFunctionsExecutionPolicy", "StateMachineName", sam),
        );
        if pattern == Pattern::Sync {
            let (executions, notes) = match executions {
                Some(executions) => (executions, notes),
                None => (
                    Resource::Any,
                    vec!["the StateMachineArn is not a plain state machine ARN, so its executions cannot be named".to_owned()],
                ),
            };
            self.add(
                label,
                Grant::new(
                    &["states:DescribeExecution", "states:StopExecution"],
                    vec![executions],
                )
                .notes_from(&notes),
            );
            self.events_rule(label, "StepFunctionsGetEventsForStepFunctionsExecutionRule");
        }
    }

    fn http(&mut self, label: &str, state: &Value) {
        let own = Resource::own("states", &format!("stateMachine:{}", self.machine_name));
        let mut grant = Grant::new(&["states:InvokeHTTPEndpoint"], vec![own]);
        let mut condition = serde_json::Map::new();
        if let Field::Literal(method) = field(state, "Method") {
            condition.insert(
                "StringEquals".into(),
                json!({ "states:HTTPMethod": method }),
            );
        }
        if let Field::Literal(endpoint) = field(state, "ApiEndpoint")
            && !endpoint.contains("${")
        {
            condition.insert(
                "StringLike".into(),
                json!({ "states:HTTPEndpoint": format!("{endpoint}*") }),
            );
        }
        if !condition.is_empty() {
            grant.condition = Some(Value::Object(condition));
        }
        self.add(label, grant);
        let connection = params(state)
            .and_then(|p| p.get("Authentication"))
            .map_or(Field::Absent, |auth| field_in(auth, "ConnectionArn"));
        let (connection, secret, notes) = match connection {
            Field::Literal(arn) => {
                // arn:aws:events:region:account:connection/Name/uuid -> its secret,
                // arn:aws:secretsmanager:region:account:secret:events!connection/Name/*.
                let parts = split_outside_placeholders(&arn, ':');
                let secret = match parts.as_slice() {
                    [_, partition, _, region, account, rest] => rest
                        .strip_prefix("connection/")
                        .and_then(|tail| tail.split('/').next())
                        .map(|name| {
                            Resource::from_text(&format!(
                                "arn:{partition}:secretsmanager:{region}:{account}:secret:events!connection/{name}/*"
                            ))
                        }),
                    _ => None,
                };
                match secret {
                    Some(secret) => (Resource::from_text(&arn), secret, vec![]),
                    None => (
                        Resource::from_text(&arn),
                        Resource::Any,
                        vec![format!(
                            "`{arn}` is not a plain EventBridge connection ARN, so its secret cannot be named"
                        )],
                    ),
                }
            }
            other => {
                let (any, notes) = any_because(&other, "Authentication.ConnectionArn");
                (any.clone(), any, notes)
            }
        };
        self.add(
            label,
            Grant::new(&["events:RetrieveConnectionCredentials"], vec![connection])
                .notes_from(&notes),
        );
        self.add(
            label,
            Grant::new(
                &[
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                ],
                vec![secret],
            )
            .notes_from(&notes),
        );
    }

    fn sdk(&mut self, label: &str, state: &Value, rest: &str) {
        let Some((service, action)) = rest.split_once(':') else {
            self.warn(label, format!("`aws-sdk:{rest}` names no service action"));
            return;
        };
        let actions = sdk::iam_actions(service, action);
        let action_refs: Vec<&str> = actions.iter().map(String::as_str).collect();
        if service == "s3" {
            let bucket = field(state, "Bucket");
            let object_level = !matches!(
                action,
                "listObjectsV2"
                    | "listObjects"
                    | "headBucket"
                    | "getBucketLocation"
                    | "listObjectVersions"
            ) && !action.contains("Bucket");
            let (resource, notes) = if object_level {
                s3_object(&bucket, &field(state, "Key"))
            } else {
                s3_bucket(&bucket)
            };
            if action == "copyObject" {
                // The source object is named by CopySource, which may be in another bucket.
                self.add(
                    label,
                    Grant::new(&action_refs, vec![Resource::Any]).note(
                        "copyObject reads the CopySource object and writes Bucket/Key; \
                         scope both by hand",
                    ),
                );
                return;
            }
            self.add(
                label,
                Grant::new(&action_refs, vec![resource]).notes_from(&notes),
            );
            return;
        }
        self.add(
            label,
            Grant::new(&action_refs, vec![Resource::Any]).note(format!(
                "aws-sdk:{service}:{action} takes its resources in API parameters that ASL \
                 Studio does not map to ARNs; narrow this by hand"
            )),
        );
    }
}

/// `(service, action, pattern)` of an optimised integration or SDK resource
/// `arn:<partition>:states:<region>:<account>:<service>:<action>[.sync[:2]|.waitForTaskToken]`;
/// for `aws-sdk` the action is `service:action`.
fn optimised(resource: &str) -> Option<(String, String, Pattern)> {
    let parts = split_outside_placeholders(resource, ':');
    if parts.len() < 7 || parts[0] != "arn" || parts[2] != "states" {
        return None;
    }
    if matches!(parts[5], "activity" | "stateMachine" | "execution") {
        return None;
    }
    let service = parts[5].to_owned();
    let rest = parts[6..].join(":");
    let (action, pattern) = if let Some(action) = rest.strip_suffix(".waitForTaskToken") {
        (action.to_owned(), Pattern::WaitForTaskToken)
    } else if let Some(action) = rest
        .strip_suffix(".sync:2")
        .or_else(|| rest.strip_suffix(".sync"))
    {
        (action.to_owned(), Pattern::Sync)
    } else {
        (rest, Pattern::RequestResponse)
    };
    Some((service, action, pattern))
}

fn params(state: &Value) -> Option<&Value> {
    state.get("Parameters").or_else(|| state.get("Arguments"))
}

fn has_field(state: &Value, name: &str) -> bool {
    !matches!(field(state, name), Field::Absent)
}

fn field(state: &Value, name: &str) -> Field {
    params(state).map_or(Field::Absent, |p| field_in(p, name))
}

/// `name` in a Parameters / Arguments object: literal, `name.$` (JSONPath) or a JSONata
/// `{% ... %}` string.
fn field_in(object: &Value, name: &str) -> Field {
    if let Some(path) = object.get(format!("{name}.$")).and_then(Value::as_str) {
        return Field::Dynamic(path.to_owned());
    }
    match object.get(name) {
        Some(Value::String(text)) => {
            let trimmed = text.trim();
            if trimmed.starts_with("{%") && trimmed.ends_with("%}") {
                Field::Dynamic(text.clone())
            } else {
                Field::Literal(text.clone())
            }
        }
        Some(other) => Field::Dynamic(other.to_string()),
        None => Field::Absent,
    }
}

/// `*` and the note that says why: the field is computed at run time or missing.
fn any_because(field: &Field, name: &str) -> (Resource, Vec<String>) {
    let why = match field {
        Field::Dynamic(expression) => {
            format!("{name} is computed at run time (`{expression}`)")
        }
        Field::Absent => format!("{name} is not set in the definition"),
        Field::Literal(text) => format!("{name} `{text}` cannot be turned into an ARN"),
    };
    (Resource::Any, vec![why])
}

fn lambda_function(name: &Field) -> (Resource, Vec<String>) {
    let Field::Literal(name) = name else {
        return any_because(name, "FunctionName");
    };
    let parts = split_outside_placeholders(name, ':');
    match parts.as_slice() {
        // Full ARN, possibly qualified: the unqualified function plus `:*` covers every qualifier.
        ["arn", _, "lambda", _, _, "function", function, ..] => {
            let _ = function;
            (Resource::from_text(&parts[..7].join(":")), vec![])
        }
        // Partial ARN `account:function:name[:qualifier]`.
        [account, "function", function, ..] => (
            Resource::Named(
                [
                    vec![
                        Piece::Text("arn:".into()),
                        Piece::Partition,
                        Piece::Text(":lambda:".into()),
                        Piece::Region,
                        Piece::Text(":".into()),
                    ],
                    super::arn::pieces(&format!("{account}:function:{function}")),
                ]
                .concat(),
            ),
            vec![],
        ),
        // A name, possibly with a qualifier `name:alias`.
        [function, ..] if whole_placeholder(function).is_some_and(is_arn_name) => {
            (Resource::from_text(function), vec![])
        }
        [function, ..] => (
            Resource::own("lambda", &format!("function:{function}")),
            vec![],
        ),
        [] => any_because(&Field::Absent, "FunctionName"),
    }
}

/// A placeholder whose name says it holds an ARN (`${WorkerArn}`), not a name.
fn is_arn_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with("arn")
}

/// `https://sqs.<region>.amazonaws.com/<account>/<name>` (also `.com.cn`, and the legacy
/// `<region>.queue.amazonaws.com`) -> the queue's ARN.
fn queue_arn(url: &str) -> Option<Resource> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let mut parts = rest.split('/');
    let host = parts.next()?;
    let account = parts.next()?;
    let name = parts.next()?;
    if parts.next().is_some_and(|p| !p.is_empty()) || account.is_empty() || name.is_empty() {
        return None;
    }
    let region = if let Some(region) = host.strip_prefix("sqs.") {
        region.split(".amazonaws.com").next()?
    } else {
        host.strip_suffix(".queue.amazonaws.com")?
    };
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    Some(Resource::from_text(&format!(
        "arn:{partition}:sqs:{region}:{account}:{name}"
    )))
}

/// The EMR integrations' IAM actions (the developer guide's "IAM policies for Amazon EMR").
fn emr_actions(action: &str, pattern: Pattern) -> Option<&'static [&'static str]> {
    let sync = pattern == Pattern::Sync;
    Some(match action {
        "createCluster" if sync => &[
            "elasticmapreduce:DescribeCluster",
            "elasticmapreduce:RunJobFlow",
            "elasticmapreduce:TerminateJobFlows",
        ],
        "createCluster" => &["elasticmapreduce:RunJobFlow"],
        "terminateCluster" if sync => &[
            "elasticmapreduce:DescribeCluster",
            "elasticmapreduce:TerminateJobFlows",
        ],
        "terminateCluster" => &["elasticmapreduce:TerminateJobFlows"],
        "addStep" if sync => &[
            "elasticmapreduce:AddJobFlowSteps",
            "elasticmapreduce:CancelSteps",
            "elasticmapreduce:DescribeStep",
        ],
        "addStep" => &["elasticmapreduce:AddJobFlowSteps"],
        "cancelStep" => &["elasticmapreduce:CancelSteps"],
        "setClusterTerminationProtection" => &["elasticmapreduce:SetTerminationProtection"],
        "modifyInstanceFleetByName" => &["elasticmapreduce:ModifyInstanceFleet"],
        "modifyInstanceGroupByName" => &["elasticmapreduce:ModifyInstanceGroups"],
        _ => return None,
    })
}

fn dynamodb_action(action: &str) -> Option<&'static str> {
    Some(match action {
        "getItem" => "dynamodb:GetItem",
        "putItem" => "dynamodb:PutItem",
        "updateItem" => "dynamodb:UpdateItem",
        "deleteItem" => "dynamodb:DeleteItem",
        _ => return None,
    })
}

fn with_slash(prefix: &str) -> String {
    if prefix.is_empty() || prefix.ends_with('/') {
        prefix.to_owned()
    } else {
        format!("{prefix}/")
    }
}

fn s3_bucket(bucket: &Field) -> (Resource, Vec<String>) {
    match bucket {
        Field::Literal(bucket) => (
            Resource::from_text(&format!("arn:aws:s3:::{bucket}")),
            vec![],
        )
            .with_partition(),
        other => any_because(other, "Bucket"),
    }
}

fn s3_object(bucket: &Field, key: &Field) -> (Resource, Vec<String>) {
    match (bucket, key) {
        (Field::Literal(bucket), Field::Literal(key)) => (
            Resource::from_text(&format!("arn:aws:s3:::{bucket}/{key}")),
            vec![],
        )
            .with_partition(),
        (Field::Literal(bucket), _) => (
            Resource::from_text(&format!("arn:aws:s3:::{bucket}/*")),
            vec![
                "the object key is computed at run time, so every object in the bucket".to_owned(),
            ],
        )
            .with_partition(),
        (other, _) => any_because(other, "Bucket"),
    }
}

trait WithPartition {
    fn with_partition(self) -> Self;
}

impl WithPartition for (Resource, Vec<String>) {
    /// S3 ARNs carry no region or account; the partition is the deploying one.
    fn with_partition(self) -> Self {
        let (resource, notes) = self;
        let resource = match resource {
            Resource::Named(mut list) => {
                if let Some(Piece::Text(first)) = list.first_mut()
                    && let Some(rest) = first.strip_prefix("arn:aws:")
                {
                    let rest = format!(":{rest}");
                    list.splice(
                        0..1,
                        [
                            Piece::Text("arn:".into()),
                            Piece::Partition,
                            Piece::Text(rest),
                        ],
                    );
                }
                Resource::Named(list)
            }
            Resource::Any => Resource::Any,
        };
        (resource, notes)
    }
}

/// `startJobRun` -> `StartJobRun`.
pub(super) fn capitalise(action: &str) -> String {
    let mut chars = action.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}
