//! A Terraform module: `main.tf` with the state machine, its role (an
//! `aws_iam_policy_document` whose statements carry comments), triggers, logging, and the ASL
//! file it reads with `file(...)`, or `templatefile(...)` when the definition has placeholders
//! (each one a Terraform variable).

use std::fmt::Write as _;

use serde_json::Value;

use super::arn::{Piece, Resource};
use super::cloudformation::grant_comment;
use super::policy::Grant;
use super::{Placeholders, Stack, TargetFiles, asl_file_name};
use crate::{Format, format_canonical};

pub(super) fn export(stack: &Stack<'_>) -> TargetFiles {
    let (definition, options) = (stack.definition, stack.options);
    let (policy, placeholders) = (stack.policy, stack.placeholders);
    let asl_name = asl_file_name(&options.name);
    let mut tf = String::new();
    let _ = writeln!(
        tf,
        "# State machine {} exported by ASL Studio.",
        options.name
    );
    let _ = writeln!(tf, "# Deploy: terraform init && terraform apply");
    for warning in &policy.warnings {
        let _ = writeln!(tf, "# No permission derived for {warning}");
    }
    tf.push_str(
        "\nterraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.0\"\n    }\n  }\n}\n",
    );
    for entry in placeholders.parameters() {
        let _ = write!(
            tf,
            "\nvariable \"{}\" {{\n  type        = string\n  description = {}\n}}\n",
            entry.parameter,
            string(&entry.description())
        );
    }

    // The deploying account's own values, declared only when something uses them.
    let mut uses = PseudoUse::default();
    for entry in &placeholders.entries {
        uses.note(entry.pseudo.as_ref());
    }
    for grant in &policy.grants {
        for resource in &grant.resources {
            if let Resource::Named(list) = resource {
                for piece in list {
                    uses.note(Some(piece));
                }
            }
        }
    }

    let definition_expression = if placeholders.entries.is_empty() {
        format!("file(\"${{path.module}}/{asl_name}\")")
    } else {
        let mut call = format!("templatefile(\"${{path.module}}/{asl_name}\", {{\n");
        for entry in &placeholders.entries {
            let value = match &entry.pseudo {
                Some(piece) => pseudo_expression(piece).to_owned(),
                None => format!("var.{}", entry.parameter),
            };
            let _ = writeln!(call, "    {} = {value}", template_variable(entry));
        }
        call.push_str("  })");
        call
    };

    let _ = write!(
        tf,
        "\nresource \"aws_sfn_state_machine\" \"this\" {{\n  name       = {}\n  type       = \"{}\"\n  role_arn   = aws_iam_role.state_machine.arn\n  definition = {definition_expression}\n",
        string(&options.name),
        options.machine_type.api_name()
    );
    if options.logging {
        tf.push_str(
            "\n  logging_configuration {\n    log_destination        = \"${aws_cloudwatch_log_group.state_machine.arn}:*\"\n    include_execution_data = false\n    level                  = \"ALL\"\n  }\n",
        );
    }
    if options.tracing {
        tf.push_str("\n  tracing_configuration {\n    enabled = true\n  }\n");
    }
    tf.push_str("}\n");

    tf.push_str(&assume_role_document("states", "states.amazonaws.com"));
    tf.push_str(
        "\nresource \"aws_iam_role\" \"state_machine\" {\n  assume_role_policy = data.aws_iam_policy_document.assume_states.json\n}\n",
    );
    if !policy.grants.is_empty() {
        tf.push_str("\ndata \"aws_iam_policy_document\" \"state_machine\" {\n");
        for grant in &policy.grants {
            tf.push_str(&statement(grant, placeholders));
        }
        tf.push_str("}\n");
        tf.push_str(
            "\nresource \"aws_iam_role_policy\" \"state_machine\" {\n  role   = aws_iam_role.state_machine.id\n  policy = data.aws_iam_policy_document.state_machine.json\n}\n",
        );
    }
    if options.logging {
        let _ = write!(
            tf,
            "\nresource \"aws_cloudwatch_log_group\" \"state_machine\" {{\n  name              = {}\n  retention_in_days = 30\n}}\n",
            string(&format!("/aws/vendedlogs/states/{}", options.name))
        );
    }
    if let Some(expression) = &options.schedule {
        let _ = write!(
            tf,
            "\nresource \"aws_scheduler_schedule\" \"this\" {{\n  schedule_expression = {}\n\n  flexible_time_window {{\n    mode = \"OFF\"\n  }}\n\n  target {{\n    arn      = aws_sfn_state_machine.this.arn\n    role_arn = aws_iam_role.schedule.arn\n  }}\n}}\n",
            string(expression)
        );
        tf.push_str(&start_role("schedule", "scheduler.amazonaws.com"));
    }
    if let Some(pattern) = &options.event_pattern {
        let _ = write!(
            tf,
            "\nresource \"aws_cloudwatch_event_rule\" \"this\" {{\n  event_pattern = jsonencode({})\n}}\n",
            expression(pattern, 1)
        );
        tf.push_str(
            "\nresource \"aws_cloudwatch_event_target\" \"this\" {\n  rule     = aws_cloudwatch_event_rule.this.name\n  arn      = aws_sfn_state_machine.this.arn\n  role_arn = aws_iam_role.event_rule.arn\n}\n",
        );
        tf.push_str(&start_role("event_rule", "events.amazonaws.com"));
    }
    if uses.partition {
        tf.push_str("\ndata \"aws_partition\" \"current\" {}\n");
    }
    if uses.region {
        tf.push_str("\ndata \"aws_region\" \"current\" {}\n");
    }
    if uses.account {
        tf.push_str("\ndata \"aws_caller_identity\" \"current\" {}\n");
    }
    tf.push_str("\noutput \"state_machine_arn\" {\n  value = aws_sfn_state_machine.this.arn\n}\n");

    let asl = if placeholders.entries.is_empty() {
        format_canonical(definition, Format::Json)
    } else {
        format_canonical(&for_templatefile(definition, placeholders), Format::Json)
    };
    TargetFiles {
        template_name: "main.tf",
        template: tf,
        asl,
    }
}

#[derive(Default)]
struct PseudoUse {
    partition: bool,
    region: bool,
    account: bool,
}

impl PseudoUse {
    fn note(&mut self, piece: Option<&Piece>) {
        match piece {
            Some(Piece::Partition) => self.partition = true,
            Some(Piece::Region) => self.region = true,
            Some(Piece::Account) => self.account = true,
            _ => {}
        }
    }
}

fn pseudo_expression(piece: &Piece) -> &'static str {
    match piece {
        Piece::Region => "data.aws_region.current.name",
        Piece::Account => "data.aws_caller_identity.current.account_id",
        _ => "data.aws_partition.current.partition",
    }
}

/// The templatefile variable of a placeholder: a Terraform identifier.
fn template_variable(entry: &super::PlaceholderEntry) -> String {
    match &entry.pseudo {
        Some(Piece::Partition) => "AWS_Partition".to_owned(),
        Some(Piece::Region) => "AWS_Region".to_owned(),
        Some(Piece::Account) => "AWS_AccountId".to_owned(),
        _ => entry.parameter.clone(),
    }
}

/// The definition as a `templatefile` template: each placeholder renamed to its variable,
/// and every other `${` or `%{` escaped (`$${`, `%%{`) so that Terraform leaves it alone.
fn for_templatefile(value: &Value, placeholders: &Placeholders) -> Value {
    match value {
        Value::String(text) => Value::String(template_text(text, placeholders)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| for_templatefile(item, placeholders))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| {
                    (
                        template_text(key, placeholders),
                        for_templatefile(item, placeholders),
                    )
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn template_text(text: &str, placeholders: &Placeholders) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(['$', '%']) {
        out.push_str(&rest[..start]);
        let here = &rest[start..];
        if let Some(after) = here.strip_prefix("${") {
            let entry = after
                .find('}')
                .and_then(|end| placeholders.get(&after[..end]).map(|e| (e, end)));
            match entry {
                Some((entry, end)) => {
                    out.push_str(&format!("${{{}}}", template_variable(entry)));
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str("$${");
                    rest = after;
                }
            }
        } else if let Some(after) = here.strip_prefix("%{") {
            out.push_str("%%{");
            rest = after;
        } else {
            out.push_str(&here[..1]);
            rest = &here[1..];
        }
    }
    out.push_str(rest);
    out
}

/// An HCL quoted string: JSON's escapes, plus `$${` and `%%{` so that nothing interpolates.
fn string(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned());
    quoted.replace("${", "$${").replace("%{", "%%{")
}

/// An HCL string whose pieces interpolate the deploy-time values.
fn resource(resource: &Resource, placeholders: &Placeholders) -> String {
    let Resource::Named(list) = resource else {
        return "\"*\"".to_owned();
    };
    let mut out = String::from("\"");
    for piece in list {
        match piece {
            Piece::Text(text) => {
                let quoted = string(text);
                out.push_str(&quoted[1..quoted.len() - 1]);
            }
            Piece::Placeholder(name) => match placeholders.get(name) {
                Some(entry) if entry.pseudo.is_none() => {
                    out.push_str(&format!("${{var.{}}}", entry.parameter));
                }
                _ => out.push_str(&format!("$${{{name}}}")),
            },
            pseudo => out.push_str(&format!("${{{}}}", pseudo_expression(pseudo))),
        }
    }
    out.push('"');
    out
}

fn statement(grant: &Grant, placeholders: &Placeholders) -> String {
    let mut out = String::from("\n");
    for line in grant_comment(grant) {
        let _ = writeln!(out, "  # {line}");
    }
    let actions: Vec<String> = grant.actions.iter().map(|a| string(a)).collect();
    let resources: Vec<String> = grant
        .resources
        .iter()
        .map(|r| resource(r, placeholders))
        .collect();
    let _ = write!(
        out,
        "  statement {{\n    actions   = [{}]\n    resources = [{}]\n",
        actions.join(", "),
        resources.join(", ")
    );
    if let Some(Value::Object(tests)) = &grant.condition {
        for (test, variables) in tests {
            if let Value::Object(variables) = variables {
                for (variable, values) in variables {
                    let values: Vec<String> = match values {
                        Value::Array(items) => items.iter().map(|v| expression(v, 0)).collect(),
                        other => vec![expression(other, 0)],
                    };
                    let _ = write!(
                        out,
                        "\n    condition {{\n      test     = {}\n      variable = {}\n      values   = [{}]\n    }}\n",
                        string(test),
                        string(variable),
                        values.join(", ")
                    );
                }
            }
        }
    }
    out.push_str("  }\n");
    out
}

fn assume_role_document(name: &str, service: &str) -> String {
    format!(
        "\ndata \"aws_iam_policy_document\" \"assume_{name}\" {{\n  statement {{\n    actions = [\"sts:AssumeRole\"]\n\n    principals {{\n      type        = \"Service\"\n      identifiers = [\"{service}\"]\n    }}\n  }}\n}}\n"
    )
}

/// The role a trigger assumes to start the machine.
fn start_role(name: &str, service: &str) -> String {
    let mut out = assume_role_document(name, service);
    let _ = write!(
        out,
        "\nresource \"aws_iam_role\" \"{name}\" {{\n  assume_role_policy = data.aws_iam_policy_document.assume_{name}.json\n}}\n\nresource \"aws_iam_role_policy\" \"{name}\" {{\n  role = aws_iam_role.{name}.id\n  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{\n      Effect   = \"Allow\"\n      Action   = \"states:StartExecution\"\n      Resource = aws_sfn_state_machine.this.arn\n    }}]\n  }})\n}}\n"
    );
    out
}

/// A JSON value as an HCL expression (objects with quoted keys), indented by `depth` levels.
fn expression(value: &Value, depth: usize) -> String {
    let pad = "  ".repeat(depth + 1);
    let close = "  ".repeat(depth);
    match value {
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Object(map) => {
            let mut out = String::from("{\n");
            for (key, item) in map {
                let _ = writeln!(
                    out,
                    "{pad}{} = {}",
                    string(key),
                    expression(item, depth + 1)
                );
            }
            out.push_str(&close);
            out.push('}');
            out
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|i| expression(i, depth + 1)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::String(text) => string(text),
        other => other.to_string(),
    }
}
