//! Choice states: rules, operators and their operand types, in both query languages.

use serde_json::Value;

use super::state::{StateCtx, check_assign};
use super::values::{
    self, PathKind, check_jsonata_tree, is_placeholder_value, kind_of, path_problem,
};
use super::{Sink, Targets, codes};
use crate::state::{ChoiceRule, ChoiceState, ComparisonOperator, Condition, OperandKind, State};

fn is_operator(key: &str) -> bool {
    ComparisonOperator::parse(key).is_some() || matches!(key, "And" | "Or" | "Not" | "Condition")
}

pub(crate) fn check_choice(
    sink: &mut Sink<'_>,
    state: &State,
    choice: &ChoiceState,
    ctx: &StateCtx<'_>,
    targets: &Targets<'_, '_>,
) {
    let name = ctx.name;
    match &choice.choices {
        None if state.extras.contains("Choices") => {}
        None => sink.error(
            codes::SCHEMA,
            ctx.pointer,
            format!("Choice state \"{name}\" does not have the required field \"Choices\""),
        ),
        Some(rules) if rules.is_empty() => sink.error(
            codes::SCHEMA,
            &ctx.at("Choices"),
            format!("Choices of state \"{name}\" must contain at least one rule"),
        ),
        Some(rules) => {
            for (index, rule) in rules.iter().enumerate() {
                let pointer = format!("{}/Choices/{index}", ctx.pointer);
                match &rule.next {
                    Some(next) => targets.check(
                        sink,
                        next,
                        || format!("{pointer}/Next"),
                        || format!("Choices[{index}].Next"),
                    ),
                    None if rule.extras.contains("Next") => {}
                    None => sink.error(
                        codes::SCHEMA,
                        &pointer,
                        format!("Choices[{index}] of state \"{name}\" does not have the required field \"Next\""),
                    ),
                }
                check_rule(sink, rule, &pointer, true, ctx);
            }
        }
    }
    if let Some(default) = &choice.default {
        targets.check(sink, default, || ctx.at("Default"), || "Default".to_owned());
    }
}

fn check_rule(
    sink: &mut Sink<'_>,
    rule: &ChoiceRule,
    pointer: &str,
    top: bool,
    ctx: &StateCtx<'_>,
) {
    let name = ctx.name;
    let jsonata = ctx.jsonata();
    if !top {
        for (field, present) in [
            ("Next", rule.next.is_some()),
            ("Assign", rule.assign.is_some()),
            ("Output", rule.output.is_some()),
        ] {
            if present {
                sink.error(
                    codes::SCHEMA,
                    &format!("{pointer}/{field}"),
                    format!("A nested Choice rule (inside And/Or/Not) of state \"{name}\" must not have \"{field}\""),
                );
            }
        }
    } else {
        if let Some(assign) = &rule.assign {
            check_assign(sink, assign, &format!("{pointer}/Assign"), jsonata, name);
        }
        if let Some(output) = &rule.output {
            if jsonata {
                check_jsonata_tree(sink, output, &format!("{pointer}/Output"), &|| {
                    format!("Output of a Choice rule of state \"{name}\"")
                });
            } else {
                sink.error(
                    codes::SCHEMA,
                    &format!("{pointer}/Output"),
                    format!("Field \"Output\" of a Choice rule of state \"{name}\" belongs to JSONata states, but this state uses JSONPath"),
                );
            }
        }
    }
    let malformed = matches!(rule.condition, Condition::Malformed);
    match &rule.condition {
        Condition::Comparison {
            variable,
            operator,
            operand,
        } => {
            let op_pointer = format!("{pointer}/{}", operator.as_str());
            if jsonata {
                sink.error(
                    codes::SCHEMA,
                    &op_pointer,
                    format!("Choice rule of state \"{name}\" uses the JSONPath operator \"{}\" in a JSONata state (use \"Condition\")", operator.as_str()),
                );
            } else {
                match variable {
                    Some(text) => {
                        if let Some(problem) = path_problem(text, PathKind::Reference) {
                            sink.error(
                                codes::SCHEMA,
                                &format!("{pointer}/Variable"),
                                format!("Field \"Variable\" \"{text}\" of a Choice rule of state \"{name}\" {problem}"),
                            );
                        }
                    }
                    None if rule.extras.contains("Variable") => {}
                    None => sink.error(
                        codes::SCHEMA,
                        pointer,
                        format!("Choice rule with \"{}\" of state \"{name}\" does not have the required field \"Variable\"", operator.as_str()),
                    ),
                }
                check_operand(sink, *operator, operand, &op_pointer, name);
            }
        }
        Condition::And(rules) | Condition::Or(rules) => {
            let op = if matches!(rule.condition, Condition::And(_)) {
                "And"
            } else {
                "Or"
            };
            if jsonata {
                sink.error(
                    codes::SCHEMA,
                    &format!("{pointer}/{op}"),
                    format!("Choice rule of state \"{name}\" uses the JSONPath operator \"{op}\" in a JSONata state (use \"Condition\")"),
                );
            } else if rules.is_empty() {
                sink.error(
                    codes::SCHEMA,
                    &format!("{pointer}/{op}"),
                    format!("\"{op}\" of a Choice rule of state \"{name}\" must contain at least one rule"),
                );
            }
            for (index, nested) in rules.iter().enumerate() {
                check_rule(sink, nested, &format!("{pointer}/{op}/{index}"), false, ctx);
            }
        }
        Condition::Not(nested) => {
            if jsonata {
                sink.error(
                    codes::SCHEMA,
                    &format!("{pointer}/Not"),
                    format!("Choice rule of state \"{name}\" uses the JSONPath operator \"Not\" in a JSONata state (use \"Condition\")"),
                );
            }
            check_rule(sink, nested, &format!("{pointer}/Not"), false, ctx);
        }
        Condition::Jsonata(text) => {
            let at = format!("{pointer}/Condition");
            if !jsonata {
                sink.error(
                    codes::SCHEMA,
                    &at,
                    format!("Field \"Condition\" of a Choice rule of state \"{name}\" belongs to JSONata states, but this state uses JSONPath"),
                );
            } else if !values::is_jsonata(text) && !values::has_placeholder(text) {
                sink.error(
                    codes::SCHEMA,
                    &at,
                    format!("Condition \"{text}\" of a Choice rule of state \"{name}\" must be a JSONata expression written as {{% ... %}}"),
                );
            } else {
                check_jsonata_tree(sink, &Value::String(text.clone()), &at, &|| {
                    format!("Condition of a Choice rule of state \"{name}\"")
                });
            }
        }
        Condition::Malformed => {
            // AWS accepts a constant boolean Condition in a JSONata state (recorded).
            let constant = jsonata
                && rule.extras.get("Condition").is_some_and(Value::is_boolean)
                && rule
                    .extras
                    .unknown
                    .keys()
                    .filter(|key| is_operator(key))
                    .count()
                    == 1;
            if !constant {
                report_malformed(sink, rule, pointer, name);
            }
        }
    }
    for (key, value) in &rule.extras.unknown {
        if malformed && (is_operator(key) || key == "Variable") {
            continue;
        }
        let member = super::child(pointer, key);
        if matches!(key.as_str(), "Next" | "Comment" | "Variable") {
            if !is_placeholder_value(value) {
                sink.error(
                    codes::SCHEMA,
                    &member,
                    format!("Field \"{key}\" of a Choice rule of state \"{name}\" must be a string, found {}", kind_of(value)),
                );
            }
        } else {
            sink.error(
                codes::SCHEMA,
                &member,
                format!("Field \"{key}\" is not allowed in a Choice rule of state \"{name}\""),
            );
        }
    }
}

fn report_malformed(sink: &mut Sink<'_>, rule: &ChoiceRule, pointer: &str, name: &str) {
    let operators: Vec<(&String, &Value)> = rule
        .extras
        .unknown
        .iter()
        .filter(|(key, _)| is_operator(key))
        .collect();
    match operators.as_slice() {
        [] => sink.error(
            codes::SCHEMA,
            pointer,
            format!("Choice rule of state \"{name}\" has no comparison operator (or And/Or/Not/Condition)"),
        ),
        [(key, value)] => {
            let expected = match key.as_str() {
                "And" | "Or" => "a non-empty array of rule objects",
                "Not" => "a rule object",
                _ => "a string holding a JSONata expression",
            };
            sink.error(
                codes::SCHEMA,
                &super::child(pointer, key),
                format!("\"{key}\" of a Choice rule of state \"{name}\" must be {expected}, found {}", kind_of(value)),
            );
        }
        [_, (second, _), ..] => {
            let names: Vec<&str> = operators.iter().map(|(key, _)| key.as_str()).collect();
            sink.error(
                codes::SCHEMA,
                &super::child(pointer, second),
                format!(
                    "Choice rule of state \"{name}\" must have exactly one operator, found {}: {}",
                    names.len(),
                    names.join(", ")
                ),
            );
        }
    }
}

fn check_operand(
    sink: &mut Sink<'_>,
    operator: ComparisonOperator,
    operand: &Value,
    pointer: &str,
    name: &str,
) {
    if is_placeholder_value(operand) {
        return;
    }
    let op = operator.as_str();
    let expect = |sink: &mut Sink<'_>, ok: bool, what: &str| {
        if !ok {
            sink.error(
                codes::SCHEMA,
                pointer,
                format!(
                    "\"{op}\" of a Choice rule of state \"{name}\" must be {what}, found {}",
                    describe(operand)
                ),
            );
        }
    };
    if operator.takes_path() {
        match operand.as_str() {
            Some(text) => {
                if let Some(problem) = path_problem(text, PathKind::Reference) {
                    sink.error(
                        codes::SCHEMA,
                        pointer,
                        format!(
                            "\"{op}\" \"{text}\" of a Choice rule of state \"{name}\" {problem}"
                        ),
                    );
                }
            }
            None => expect(sink, false, "a path string"),
        }
        return;
    }
    match operator.operand_kind() {
        OperandKind::String => expect(sink, operand.is_string(), "a string"),
        OperandKind::Number => expect(sink, operand.is_number(), "a number"),
        OperandKind::Boolean => expect(sink, operand.is_boolean(), "a boolean"),
        OperandKind::Timestamp => expect(
            sink,
            operand.as_str().is_some_and(values::is_timestamp),
            "an ISO-8601 timestamp string such as 2016-03-14T01:59:00Z",
        ),
        // Checked above.
        OperandKind::Path => {}
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => format!("the string \"{s}\""),
        Value::Number(n) => format!("the number {n}"),
        Value::Bool(b) => format!("the boolean {b}"),
        other => kind_of(other).to_owned(),
    }
}
