//! The palette (left): the eight state types and the common service integrations, each a ready
//! state with sensible default fields. Drag an entry onto the canvas, or click it to add it after
//! the selection.

use graph_model::{NullablePath, NumberOr, QueryLanguage, Retrier, State, StateKind, StateType};
use serde_json::{Value, json};

/// One palette entry: a label, a group, and how to make its state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaletteEntry {
    /// What the entry shows (also its accessible name).
    pub label: &'static str,
    /// A one-line description (tooltip).
    pub hint: &'static str,
    /// What it makes.
    pub template: Template,
}

/// What a palette entry makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// A bare state of a type.
    Flow(StateType),
    /// A Map in distributed mode reading a CSV file from S3 and writing its results back, with
    /// the limits the warning rules ask for.
    DistributedMap,
    /// A Task calling a service integration.
    Service(Service),
}

/// The service integrations offered in the palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // Each variant is named after the AWS API action it calls.
pub enum Service {
    LambdaInvoke,
    GlueStartJobRunSync,
    SnsPublish,
    SqsSendMessage,
    DynamoDbPutItem,
    DynamoDbGetItem,
    EcsRunTaskSync,
    EventBridgePutEvents,
    StepFunctionsStartExecution,
    HttpInvoke,
    SdkAction,
}

/// Every palette entry, in display order: flow states first, then services.
pub const ENTRIES: &[PaletteEntry] = &[
    flow(
        StateType::Task,
        "Task",
        "Run work: a Lambda, a service API or an activity",
    ),
    flow(
        StateType::Pass,
        "Pass",
        "Pass input to output, optionally shaping it",
    ),
    flow(StateType::Choice, "Choice", "Branch on conditions"),
    flow(
        StateType::Wait,
        "Wait",
        "Wait for a time or until a timestamp",
    ),
    flow(
        StateType::Parallel,
        "Parallel",
        "Run branches at the same time",
    ),
    flow(StateType::Map, "Map", "Run the same steps for each item"),
    flow(StateType::Succeed, "Succeed", "Stop successfully"),
    flow(StateType::Fail, "Fail", "Stop with an error"),
    PaletteEntry {
        label: "Distributed Map",
        hint: "Run child workflows over a large S3 dataset (CSV, JSON, JSONL, Parquet, manifest)",
        template: Template::DistributedMap,
    },
    service(
        Service::LambdaInvoke,
        "Lambda Invoke",
        "Invoke a Lambda function",
    ),
    service(
        Service::GlueStartJobRunSync,
        "Glue StartJobRun.sync",
        "Run a Glue job and wait for it",
    ),
    service(
        Service::SnsPublish,
        "SNS Publish",
        "Publish a message to a topic",
    ),
    service(
        Service::SqsSendMessage,
        "SQS SendMessage",
        "Send a message to a queue",
    ),
    service(
        Service::DynamoDbPutItem,
        "DynamoDB PutItem",
        "Write an item to a table",
    ),
    service(
        Service::DynamoDbGetItem,
        "DynamoDB GetItem",
        "Read an item from a table",
    ),
    service(
        Service::EcsRunTaskSync,
        "ECS RunTask.sync",
        "Run an ECS task and wait for it",
    ),
    service(
        Service::EventBridgePutEvents,
        "EventBridge PutEvents",
        "Send events to a bus",
    ),
    service(
        Service::StepFunctionsStartExecution,
        "Step Functions StartExecution",
        "Start another state machine and wait for it",
    ),
    service(Service::HttpInvoke, "HTTP Invoke", "Call an HTTPS API"),
    service(Service::SdkAction, "SDK action", "Call any AWS SDK action"),
];

const fn flow(state_type: StateType, label: &'static str, hint: &'static str) -> PaletteEntry {
    PaletteEntry {
        label,
        hint,
        template: Template::Flow(state_type),
    }
}

const fn service(service: Service, label: &'static str, hint: &'static str) -> PaletteEntry {
    PaletteEntry {
        label,
        hint,
        template: Template::Service(service),
    }
}

impl Template {
    /// The base of the new state's name ("Lambda Invoke" becomes "LambdaInvoke", then
    /// "LambdaInvoke 2" if taken).
    #[must_use]
    pub fn base_name(self) -> String {
        match self {
            Self::Flow(t) => t.as_str().to_owned(),
            Self::DistributedMap => "DistributedMap".to_owned(),
            Self::Service(s) => {
                let label = ENTRIES
                    .iter()
                    .find(|e| e.template == Self::Service(s))
                    .map_or("Task", |e| e.label);
                label
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(|w| {
                        let mut chars = w.chars();
                        chars.next().map_or_else(String::new, |first| {
                            first.to_ascii_uppercase().to_string() + chars.as_str()
                        })
                    })
                    .collect()
            }
        }
    }

    /// Makes the state, named `name`, for a machine in the given query language. It ends the
    /// machine (`End: true`) where its type needs a transition; the caller links it.
    #[must_use]
    pub fn make(self, name: &str, language: QueryLanguage) -> State {
        let jsonata = language == QueryLanguage::Jsonata;
        match self {
            Self::Flow(state_type) => flow_state(name, state_type, jsonata),
            Self::DistributedMap => distributed_map_state(name, jsonata),
            Self::Service(service) => service_state(name, service, jsonata),
        }
    }
}

fn flow_state(name: &str, state_type: StateType, jsonata: bool) -> State {
    let mut state = State::new(name, state_type);
    match &mut state.kind {
        StateKind::Task(task) => {
            task.resource = Some("arn:aws:states:::lambda:invoke".to_owned());
            let payload = if jsonata {
                json!({"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:my-function", "Payload": "{% $states.input %}"})
            } else {
                json!({"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:my-function", "Payload.$": "$"})
            };
            set_payload(&mut state, payload, jsonata);
        }
        StateKind::Choice(choice) => {
            choice.choices = Some(Vec::new());
        }
        StateKind::Wait(wait) => {
            wait.seconds = Some(NumberOr::int(5));
        }
        StateKind::Parallel(parallel) => {
            parallel.branches = Some(vec![
                single_pass_machine("Branch 1"),
                single_pass_machine("Branch 2"),
            ]);
        }
        StateKind::Map(map) => {
            map.processor = Some(Box::new(single_pass_machine("Process item")));
            if jsonata {
                map.items = Some(Value::String("{% $states.input.items %}".to_owned()));
            } else {
                map.items_path = Some(NullablePath::Path("$.items".to_owned()));
            }
            map.max_concurrency = Some(NumberOr::int(10));
        }
        StateKind::Fail(fail) => {
            fail.error = Some("States.Failed".to_owned());
            fail.cause = Some("Describe what went wrong".to_owned());
        }
        StateKind::Pass(_)
        | StateKind::Succeed
        | StateKind::Unknown
        | StateKind::NotAnObject(_) => {}
    }
    if needs_transition(state_type) {
        state.end = Some(true);
    }
    state
}

/// Whether a state of this type needs `Next` or `End` (Choice, Succeed and Fail do not).
#[must_use]
pub fn needs_transition(state_type: StateType) -> bool {
    !matches!(
        state_type,
        StateType::Choice | StateType::Succeed | StateType::Fail
    )
}

fn single_pass_machine(state_name: &str) -> graph_model::StateMachine {
    let mut machine = graph_model::StateMachine::new();
    let mut pass = State::new(state_name, StateType::Pass);
    pass.end = Some(true);
    machine.insert_state(0, pass);
    machine.start_at = Some(state_name.to_owned());
    machine
}

/// The Distributed Map entry: the developer guide's CSV reader (headers in the first row), a
/// result writer, and the failure tolerance and concurrency the warning rules ask for.
fn distributed_map_state(name: &str, jsonata: bool) -> State {
    let mut state = State::new(name, StateType::Map);
    let payload = if jsonata { "Arguments" } else { "Parameters" };
    if let StateKind::Map(map) = &mut state.kind {
        let mut processor = single_pass_machine("Process item");
        processor.processor_config =
            Some(json!({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}));
        map.processor = Some(Box::new(processor));
        map.item_reader = Some(json!({
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
            payload: {"Bucket": "amzn-s3-demo-bucket", "Key": "data/items.csv"}
        }));
        map.result_writer = Some(json!({
            "Resource": "arn:aws:states:::s3:putObject",
            payload: {"Bucket": "amzn-s3-demo-bucket", "Prefix": "results"},
            "WriterConfig": {"OutputType": "JSON", "Transformation": "COMPACT"}
        }));
        map.max_concurrency = Some(NumberOr::int(100));
        map.tolerated_failure_percentage = Some(NumberOr::int(5));
        map.label = Some("Items".to_owned());
    }
    state.end = Some(true);
    state
}

fn set_payload(state: &mut State, payload: Value, jsonata: bool) {
    if jsonata {
        state.arguments = Some(payload);
    } else {
        state.parameters = Some(payload);
    }
}

fn service_state(name: &str, service: Service, jsonata: bool) -> State {
    let mut state = State::new(name, StateType::Task);
    // Field values that read a path from the input are spelled per query language.
    let from_input = |key: &str, path: &str, expr: &str| -> (String, Value) {
        if jsonata {
            (key.to_owned(), Value::String(format!("{{% {expr} %}}")))
        } else {
            (format!("{key}.$"), Value::String(path.to_owned()))
        }
    };
    let object =
        |pairs: Vec<(String, Value)>| -> Value { Value::Object(pairs.into_iter().collect()) };
    let literal = |key: &str, value: Value| (key.to_owned(), value);
    let (resource, payload) = match service {
        Service::LambdaInvoke => (
            "arn:aws:states:::lambda:invoke",
            object(vec![
                literal(
                    "FunctionName",
                    json!("arn:aws:lambda:us-east-1:123456789012:function:my-function"),
                ),
                from_input("Payload", "$", "$states.input"),
            ]),
        ),
        Service::GlueStartJobRunSync => (
            "arn:aws:states:::glue:startJobRun.sync",
            object(vec![literal("JobName", json!("my-glue-job"))]),
        ),
        Service::SnsPublish => (
            "arn:aws:states:::sns:publish",
            object(vec![
                literal(
                    "TopicArn",
                    json!("arn:aws:sns:us-east-1:123456789012:my-topic"),
                ),
                from_input("Message", "$", "$string($states.input)"),
            ]),
        ),
        Service::SqsSendMessage => (
            "arn:aws:states:::sqs:sendMessage",
            object(vec![
                literal(
                    "QueueUrl",
                    json!("https://sqs.us-east-1.amazonaws.com/123456789012/my-queue"),
                ),
                from_input("MessageBody", "$", "$states.input"),
            ]),
        ),
        Service::DynamoDbPutItem => (
            "arn:aws:states:::dynamodb:putItem",
            object(vec![
                literal("TableName", json!("my-table")),
                literal(
                    "Item",
                    if jsonata {
                        json!({"id": {"S": "{% $states.input.id %}"}})
                    } else {
                        json!({"id": {"S.$": "$.id"}})
                    },
                ),
            ]),
        ),
        Service::DynamoDbGetItem => (
            "arn:aws:states:::dynamodb:getItem",
            object(vec![
                literal("TableName", json!("my-table")),
                literal(
                    "Key",
                    if jsonata {
                        json!({"id": {"S": "{% $states.input.id %}"}})
                    } else {
                        json!({"id": {"S.$": "$.id"}})
                    },
                ),
            ]),
        ),
        Service::EcsRunTaskSync => (
            "arn:aws:states:::ecs:runTask.sync",
            object(vec![
                literal("LaunchType", json!("FARGATE")),
                literal(
                    "Cluster",
                    json!("arn:aws:ecs:us-east-1:123456789012:cluster/my-cluster"),
                ),
                literal(
                    "TaskDefinition",
                    json!("arn:aws:ecs:us-east-1:123456789012:task-definition/my-task:1"),
                ),
            ]),
        ),
        Service::EventBridgePutEvents => (
            "arn:aws:states:::events:putEvents",
            object(vec![literal(
                "Entries",
                json!([{"Detail": {"Message": "Hello from Step Functions"}, "DetailType": "MyDetailType", "EventBusName": "default", "Source": "my.source"}]),
            )]),
        ),
        Service::StepFunctionsStartExecution => (
            "arn:aws:states:::states:startExecution.sync:2",
            object(vec![
                literal(
                    "StateMachineArn",
                    json!("arn:aws:states:us-east-1:123456789012:stateMachine:my-child"),
                ),
                from_input("Input", "$", "$states.input"),
            ]),
        ),
        Service::HttpInvoke => (
            "arn:aws:states:::http:invoke",
            object(vec![
                literal("ApiEndpoint", json!("https://api.example.com/items")),
                literal("Method", json!("GET")),
                literal(
                    "Authentication",
                    json!({"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/my-connection/0000"}),
                ),
            ]),
        ),
        Service::SdkAction => (
            "arn:aws:states:::aws-sdk:s3:listBuckets",
            object(Vec::new()),
        ),
    };
    if let StateKind::Task(task) = &mut state.kind {
        task.resource = Some(resource.to_owned());
    }
    set_payload(&mut state, payload, jsonata);
    if matches!(service, Service::LambdaInvoke) {
        state.retry = Some(vec![Retrier {
            interval_seconds: Some(NumberOr::int(1)),
            max_attempts: Some(NumberOr::int(3)),
            backoff_rate: Some(NumberOr::int(2)),
            ..Retrier::for_errors(&[
                "Lambda.ServiceException",
                "Lambda.AWSLambdaException",
                "Lambda.SdkClientException",
                "Lambda.TooManyRequestsException",
            ])
        }]);
    }
    state.end = Some(true);
    state
}

/// A name not yet used in `taken`: `base`, else `base 2`, `base 3`, ...
#[must_use]
pub fn unique_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base} {n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| base.to_owned())
}

/// Draws the palette. Returns the entry the user clicked (to add after the selection); dragging
/// an entry sets the canvas's drop payload through `drag_payload`.
pub fn palette_ui<P: std::any::Any + Send + Sync>(
    ui: &mut egui::Ui,
    drag_payload: impl Fn(Template) -> P,
) -> Option<Template> {
    let mut clicked = None;
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading("Flow");
        let mut services_shown = false;
        for entry in ENTRIES {
            if matches!(entry.template, Template::Service(_)) && !services_shown {
                services_shown = true;
                ui.separator();
                ui.heading("Services");
            }
            let button = egui::Button::new(entry.label).sense(egui::Sense::click_and_drag());
            let response = ui
                .add_sized([ui.available_width(), 0.0], button)
                .on_hover_text(format!(
                    "{} (click to add after the selection, or drag onto the canvas)",
                    entry.hint
                ));
            // The accessible name says what the button does, and keeps it apart from a canvas
            // state that happens to carry the same name.
            let accessible = format!("Add {}", entry.label);
            response
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &accessible));
            if response.drag_started() {
                response.dnd_set_drag_payload(drag_payload(entry.template));
            }
            if response.clicked() {
                clicked = Some(entry.template);
            }
        }
    });
    clicked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_makes_a_state_that_round_trips_in_both_languages() {
        for entry in ENTRIES {
            for language in [QueryLanguage::JsonPath, QueryLanguage::Jsonata] {
                let name = entry.template.base_name();
                let state = entry.template.make(&name, language);
                assert_eq!(state.name, name);
                let mut machine = graph_model::StateMachine::new();
                machine.start_at = Some(name.clone());
                assert!(machine.insert_state(0, state.clone()));
                let again = graph_model::StateMachine::from_value(&machine.to_value())
                    .expect("a machine is an object");
                assert_eq!(again.to_value(), machine.to_value(), "{}", entry.label);
                assert_eq!(
                    again.state(&name).map(|s| s.state_type()),
                    Some(state.state_type())
                );
            }
        }
    }

    #[test]
    fn the_distributed_map_entry_validates_without_errors_or_warnings() {
        for language in [QueryLanguage::JsonPath, QueryLanguage::Jsonata] {
            let state = Template::DistributedMap.make("DistributedMap", language);
            let mut machine = graph_model::StateMachine::new();
            machine.query_language = Some(language);
            machine.start_at = Some(state.name.clone());
            assert!(machine.insert_state(0, state));
            let diagnostics = graph_model::validate(&machine);
            assert!(diagnostics.is_empty(), "{language:?}: {diagnostics:#?}");
            let value = machine.to_value();
            assert_eq!(
                value["States"]["DistributedMap"]["ItemProcessor"]["ProcessorConfig"]["Mode"],
                "DISTRIBUTED"
            );
        }
    }

    #[test]
    fn service_names_are_camel_cased_labels() {
        assert_eq!(
            Template::Service(Service::LambdaInvoke).base_name(),
            "LambdaInvoke"
        );
        assert_eq!(
            Template::Service(Service::GlueStartJobRunSync).base_name(),
            "GlueStartJobRunSync"
        );
        assert_eq!(
            unique_name("Pass", |n| n == "Pass" || n == "Pass 2"),
            "Pass 3"
        );
    }
}
