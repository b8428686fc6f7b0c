//! SAM and CloudFormation templates.
//!
//! SAM references the ASL file (`DefinitionUri`), which `sam deploy` uploads. Plain
//! CloudFormation inlines the definition as a `Definition` mapping with
//! `DefinitionSubstitutions`: that deploys with `aws cloudformation deploy` alone (a
//! `DefinitionS3Location` would need a packaging step to upload the file), and unlike a
//! `Fn::Sub` `DefinitionString` it keeps the definition readable and the `${...}` placeholders
//! exactly as in the ASL file (`Fn::Sub` would also claim every other `${` in the text).

use serde_json::{Map, Value, json};

use super::arn::{Piece, Resource};
use super::policy::{Grant, Policy};
use super::yaml_out::{self, Comments};
use super::{Placeholders, Stack, Target, TargetFiles, asl_file_name};
use crate::{Format, format_canonical};

pub(super) fn export(stack: &Stack<'_>) -> TargetFiles {
    let (definition, options) = (stack.definition, stack.options);
    let (policy, placeholders) = (stack.policy, stack.placeholders);
    let sam = options.target == Target::Sam;
    let asl_name = asl_file_name(&options.name);
    let mut comments = Comments::new();
    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    if sam {
        template.insert("Transform".into(), json!("AWS::Serverless-2016-10-31"));
    }
    template.insert(
        "Description".into(),
        json!(format!(
            "State machine {} (exported by ASL Studio)",
            options.name
        )),
    );
    let parameters: Map<String, Value> = placeholders
        .parameters()
        .map(|entry| {
            (
                entry.parameter.clone(),
                json!({"Type": "String", "Description": entry.description()}),
            )
        })
        .collect();
    if !parameters.is_empty() {
        template.insert("Parameters".into(), Value::Object(parameters));
    }

    let mut resources = Map::new();
    let mut machine = Map::new();
    let substitutions: Map<String, Value> = placeholders
        .entries
        .iter()
        .map(|entry| {
            let value = match &entry.pseudo {
                Some(piece) => json!({"Ref": pseudo_name(piece)}),
                None => json!({"Ref": entry.parameter}),
            };
            (entry.name.clone(), value)
        })
        .collect();
    let machine_pointer = "/Resources/StateMachine";
    if sam {
        machine.insert("Name".into(), json!(options.name));
        machine.insert("Type".into(), json!(options.machine_type.api_name()));
        machine.insert("DefinitionUri".into(), json!(asl_name));
    } else {
        machine.insert("StateMachineName".into(), json!(options.name));
        machine.insert(
            "StateMachineType".into(),
            json!(options.machine_type.api_name()),
        );
        machine.insert(
            "RoleArn".into(),
            json!({"Fn::GetAtt": ["StateMachineRole", "Arn"]}),
        );
        machine.insert("Definition".into(), definition.clone());
        comments.insert(
            format!("{machine_pointer}/Properties/Definition"),
            vec![format!(
                "The definition of {asl_name}, inline so that `aws cloudformation deploy` needs no packaging step."
            )],
        );
    }
    if !substitutions.is_empty() {
        machine.insert(
            "DefinitionSubstitutions".into(),
            Value::Object(substitutions),
        );
    }
    if sam {
        let (policies, policy_comments) = sam_policies(policy, placeholders);
        for (pointer, lines) in policy_comments {
            comments.insert(
                format!("{machine_pointer}/Properties/Policies{pointer}"),
                lines,
            );
        }
        machine.insert("Policies".into(), Value::Array(policies));
    }
    if options.logging {
        let destination = json!([{"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": ["StateMachineLogGroup", "Arn"]}}}]);
        let key = if sam {
            "Logging"
        } else {
            "LoggingConfiguration"
        };
        machine.insert(
            key.into(),
            json!({"Level": "ALL", "IncludeExecutionData": false, "Destinations": destination}),
        );
    }
    if options.tracing {
        let key = if sam {
            "Tracing"
        } else {
            "TracingConfiguration"
        };
        machine.insert(key.into(), json!({"Enabled": true}));
    }
    if sam {
        let mut events = Map::new();
        if let Some(expression) = &options.schedule {
            // SAM's ScheduleV2 event makes the AWS::Scheduler::Schedule and the role it assumes.
            events.insert(
                "Schedule".into(),
                json!({"Type": "ScheduleV2", "Properties": {"ScheduleExpression": expression}}),
            );
        }
        if let Some(pattern) = &options.event_pattern {
            // SAM's EventBridgeRule event makes the AWS::Events::Rule and the role it assumes.
            events.insert(
                "EventRule".into(),
                json!({"Type": "EventBridgeRule", "Properties": {"Pattern": pattern}}),
            );
        }
        if !events.is_empty() {
            machine.insert("Events".into(), Value::Object(events));
        }
    }
    let machine_type = if sam {
        "AWS::Serverless::StateMachine"
    } else {
        "AWS::StepFunctions::StateMachine"
    };
    resources.insert(
        "StateMachine".into(),
        json!({"Type": machine_type, "Properties": machine}),
    );

    if !sam {
        let (role, role_comments) = execution_role(policy, placeholders);
        for (pointer, lines) in role_comments {
            comments.insert(format!("/Resources/StateMachineRole{pointer}"), lines);
        }
        resources.insert("StateMachineRole".into(), role);
    }
    if options.logging {
        resources.insert(
            "StateMachineLogGroup".into(),
            json!({"Type": "AWS::Logs::LogGroup", "Properties": {
                "LogGroupName": format!("/aws/vendedlogs/states/{}", options.name),
                "RetentionInDays": 30,
            }}),
        );
    }
    if !sam {
        if let Some(expression) = &options.schedule {
            resources.insert(
                "Schedule".into(),
                json!({"Type": "AWS::Scheduler::Schedule", "Properties": {
                    "ScheduleExpression": expression,
                    "FlexibleTimeWindow": {"Mode": "OFF"},
                    "Target": {
                        "Arn": {"Ref": "StateMachine"},
                        "RoleArn": {"Fn::GetAtt": ["ScheduleRole", "Arn"]},
                    },
                }}),
            );
            resources.insert("ScheduleRole".into(), start_role("scheduler.amazonaws.com"));
        }
        if let Some(pattern) = &options.event_pattern {
            resources.insert(
                "EventRule".into(),
                json!({"Type": "AWS::Events::Rule", "Properties": {
                    "EventPattern": pattern,
                    "State": "ENABLED",
                    "Targets": [{
                        "Id": "StateMachine",
                        "Arn": {"Ref": "StateMachine"},
                        "RoleArn": {"Fn::GetAtt": ["EventRuleRole", "Arn"]},
                    }],
                }}),
            );
            resources.insert("EventRuleRole".into(), start_role("events.amazonaws.com"));
        }
    }
    template.insert("Resources".into(), Value::Object(resources));
    template.insert(
        "Outputs".into(),
        json!({"StateMachineArn": {"Value": {"Ref": "StateMachine"}}}),
    );

    let mut header = vec![
        format!("State machine {} exported by ASL Studio.", options.name),
        if sam {
            "Deploy: sam deploy --guided".to_owned()
        } else {
            format!(
                "Deploy: aws cloudformation deploy --template-file template.yaml --stack-name {} --capabilities CAPABILITY_IAM{}",
                options.name,
                if placeholders.parameters().next().is_some() {
                    " --parameter-overrides Name=Value ..."
                } else {
                    ""
                }
            )
        },
    ];
    for warning in &policy.warnings {
        header.push(format!("No permission derived for {warning}"));
    }
    let text = yaml_out::write(&Value::Object(template), &header, &comments);
    TargetFiles {
        template_name: "template.yaml",
        template: text,
        asl: format_canonical(definition, Format::Json),
    }
}

fn pseudo_name(piece: &Piece) -> &'static str {
    match piece {
        Piece::Region => "AWS::Region",
        Piece::Account => "AWS::AccountId",
        _ => "AWS::Partition",
    }
}

/// A resource name as a template value: a string, or `Fn::Sub` over parameters and pseudo
/// parameters.
fn resource_value(resource: &Resource, placeholders: &Placeholders) -> Value {
    match resource {
        Resource::Any => json!("*"),
        Resource::Named(list) => pieces_value(list, placeholders),
    }
}

fn pieces_value(list: &[Piece], placeholders: &Placeholders) -> Value {
    if let [Piece::Placeholder(name)] = list
        && let Some(entry) = placeholders.get(name).filter(|e| e.pseudo.is_none())
    {
        return json!({"Ref": entry.parameter});
    }
    let mut text = String::new();
    let mut substituted = false;
    for piece in list {
        match piece {
            // `${` in literal text would start a substitution; `${!` writes it literally.
            Piece::Text(literal) => text.push_str(&literal.replace("${", "${!")),
            Piece::Placeholder(name) => {
                substituted = true;
                match placeholders.get(name) {
                    Some(entry) => text.push_str(&format!("${{{}}}", entry.parameter)),
                    None => text.push_str(&format!("${{!{name}}}")),
                }
            }
            pseudo => {
                substituted = true;
                text.push_str(&format!("${{{}}}", pseudo_name(pseudo)));
            }
        }
    }
    if substituted {
        json!({"Fn::Sub": text})
    } else {
        json!(text)
    }
}

fn statement(grant: &Grant, placeholders: &Placeholders) -> Value {
    let resources: Vec<Value> = grant
        .resources
        .iter()
        .map(|r| resource_value(r, placeholders))
        .collect();
    let mut statement = Map::new();
    statement.insert("Effect".into(), json!("Allow"));
    statement.insert("Action".into(), json!(grant.actions));
    statement.insert(
        "Resource".into(),
        match resources.as_slice() {
            [single] => single.clone(),
            _ => Value::Array(resources),
        },
    );
    if let Some(condition) = &grant.condition {
        statement.insert("Condition".into(), condition.clone());
    }
    Value::Object(statement)
}

/// The comment lines of a grant: who needs it and why it is as wide as it is.
pub(super) fn grant_comment(grant: &Grant) -> Vec<String> {
    let mut lines = vec![format!("For {}", grant.states.join(", "))];
    for note in &grant.notes {
        lines.push(format!("Resource `*` or wider: {note}"));
    }
    lines
}

/// SAM `Policies`: a policy template where one grants exactly the derived statement, a
/// `Statement` entry for the rest. Returns the list and comments by pointer under it.
fn sam_policies(
    policy: &Policy,
    placeholders: &Placeholders,
) -> (Vec<Value>, Vec<(String, Vec<String>)>) {
    let mut list = Vec::new();
    let mut comments = Vec::new();
    let mut statements = Vec::new();
    let mut statement_comments = Vec::new();
    for grant in &policy.grants {
        match &grant.sam {
            Some(template) => {
                let index = list.len();
                list.push(json!({template.name: {template.parameter: pieces_value(&template.value, placeholders)}}));
                comments.push((format!("/{index}"), grant_comment(grant)));
            }
            None => {
                statement_comments.push((statements.len(), grant_comment(grant)));
                statements.push(statement(grant, placeholders));
            }
        }
    }
    if !statements.is_empty() {
        let index = list.len();
        for (statement_index, lines) in statement_comments {
            comments.push((format!("/{index}/Statement/{statement_index}"), lines));
        }
        list.push(json!({"Statement": statements}));
    }
    (list, comments)
}

fn execution_role(
    policy: &Policy,
    placeholders: &Placeholders,
) -> (Value, Vec<(String, Vec<String>)>) {
    let mut properties = Map::new();
    properties.insert(
        "AssumeRolePolicyDocument".into(),
        assume_role("states.amazonaws.com"),
    );
    let mut comments = Vec::new();
    if !policy.grants.is_empty() {
        let statements: Vec<Value> = policy
            .grants
            .iter()
            .enumerate()
            .map(|(index, grant)| {
                comments.push((
                    format!("/Properties/Policies/0/PolicyDocument/Statement/{index}"),
                    grant_comment(grant),
                ));
                statement(grant, placeholders)
            })
            .collect();
        properties.insert(
            "Policies".into(),
            json!([{
                "PolicyName": "StateMachinePermissions",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
            }]),
        );
    }
    (
        json!({"Type": "AWS::IAM::Role", "Properties": properties}),
        comments,
    )
}

fn assume_role(service: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
        }],
    })
}

/// The role a trigger assumes to start the machine.
fn start_role(service: &str) -> Value {
    json!({"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": assume_role(service),
        "Policies": [{
            "PolicyName": "StartStateMachine",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Action": "states:StartExecution",
                "Resource": {"Ref": "StateMachine"},
            }]},
        }],
    }})
}
