//! The rules of a Choice state as a form: one group per rule with its test (Variable, operator and
//! a value typed to the operator, And/Or/Not nesting; a Condition for JSONata), Next, Comment,
//! Assign and Output; rules added, removed and moved; a raw JSON editor per rule for whatever the
//! form cannot show (unknown members stay in the rule either way).

use graph_model::{
    ChoiceRule, ChoiceState, ComparisonOperator, Condition, OperandKind, StateMachine,
};
use serde_json::Value;

use super::{At, Form, ItemChange, ListEditor, named_button, store, target_combo};

/// The operand to keep when the operator changes: the old one when it still fits, else a value of
/// the right type (a number typed as text becomes that number).
fn converted_operand(operator: ComparisonOperator, old: &Value) -> Value {
    match (operator.operand_kind(), old) {
        (OperandKind::Boolean, Value::Bool(_))
        | (OperandKind::Number, Value::Number(_))
        | (OperandKind::String | OperandKind::Timestamp, Value::String(_)) => old.clone(),
        (OperandKind::Path, Value::String(s)) if s.starts_with('$') => old.clone(),
        (OperandKind::Path, _) => Value::String("$.other".to_owned()),
        (OperandKind::Boolean, _) => Value::Bool(true),
        (OperandKind::Number, Value::String(s)) => s
            .trim()
            .parse::<serde_json::Number>()
            .map_or_else(|_| Value::from(0), Value::Number),
        (OperandKind::Number, _) => Value::from(0),
        (OperandKind::Timestamp, _) => Value::String("2024-01-01T00:00:00Z".to_owned()),
        (OperandKind::String, Value::Number(n)) => Value::String(n.to_string()),
        (OperandKind::String, _) => Value::String(String::new()),
    }
}

/// A new test to fill in: `$.field == "value"` (JSONPath) or `{% true %}` (JSONata).
fn placeholder_condition(jsonata: bool) -> Condition {
    if jsonata {
        Condition::Jsonata("{% true %}".to_owned())
    } else {
        Condition::Comparison {
            variable: Some("$.field".to_owned()),
            operator: ComparisonOperator::StringEquals,
            operand: Value::String("value".to_owned()),
        }
    }
}

/// One rule as its ASL JSON, written by the model exactly as the document would be.
fn rule_value(rule: &ChoiceRule) -> Value {
    let mut probe = graph_model::State::new("probe", graph_model::StateType::Choice);
    probe.kind = graph_model::StateKind::Choice(ChoiceState {
        choices: Some(vec![rule.clone()]),
        default: None,
    });
    let mut machine = StateMachine::new();
    machine.insert_state(0, probe);
    machine
        .to_value()
        .pointer("/States/probe/Choices/0")
        .cloned()
        .unwrap_or(Value::Null)
}

/// Reads one rule through the model (so it reads exactly as a document would).
fn parse_rule(value: &Value) -> Result<ChoiceRule, String> {
    if !value.is_object() {
        return Err("A Choice rule must be a JSON object".to_owned());
    }
    let document = serde_json::json!({"States": {"probe": {"Type": "Choice", "Choices": [value]}}});
    let machine = StateMachine::from_value(&document).map_err(|e| e.to_string())?;
    match machine.state("probe").map(|s| &s.kind) {
        Some(graph_model::StateKind::Choice(choice)) => choice
            .choices
            .as_ref()
            .and_then(|rules| rules.first().cloned())
            .ok_or_else(|| "A Choice rule must be a JSON object".to_owned()),
        _ => Err("A Choice rule must be a JSON object".to_owned()),
    }
}

/// The list of rules of a Choice state. Returns, when `out` changed, the rule added or removed if
/// that was all.
pub(super) fn choice_rules_editor(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    choice: &ChoiceState,
    out: &mut ChoiceState,
    names: &[&str],
    jsonata: bool,
) -> Option<Option<ItemChange<ChoiceRule>>> {
    ui.strong("Choices");
    let rules = choice.choices.clone().unwrap_or_default();
    let edit = ListEditor::new("Rule", "/Choices").show(
        ui,
        form,
        &rules,
        |ui, form, at, index, rule, out| {
            rule_editor(ui, form, at, index, rule, out, names, jsonata)
        },
        || {
            let next = names.first().map(|n| (*n).to_owned());
            ChoiceRule::new(placeholder_condition(jsonata), next)
        },
    );
    form.errors(ui, "/Choices");
    // An emptied list stays an empty array (validation says a rule is needed) rather than
    // silently losing the field.
    let (rules, only) = edit?;
    out.choices = Some(rules);
    Some(only)
}

/// One rule: its test as a form (or as JSON, when asked or when the form cannot show it), Next,
/// Comment, Assign and Output. Unknown members are kept as they are.
#[allow(clippy::too_many_arguments)] // The list's item context plus the state's.
fn rule_editor(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    at: At<'_>,
    index: usize,
    rule: &ChoiceRule,
    out: &mut ChoiceRule,
    names: &[&str],
    jsonata: bool,
) -> bool {
    let raw_id = ui.scope_id().with(("raw", &form.pointer));
    let malformed = matches!(rule.condition, Condition::Malformed);
    let mut raw = ui.data(|d| d.get_temp::<bool>(raw_id)).unwrap_or(false);
    if malformed {
        ui.label("The form cannot show this rule's test; edit its JSON.");
    } else if ui
        .checkbox(&mut raw, "Edit as JSON")
        .accessible_name(at.label("raw JSON"))
        .changed()
    {
        ui.data_mut(|d| d.insert_temp(raw_id, raw));
    }
    if raw || malformed {
        let edit = form.json(ui, &at.label("JSON"), at.pointer, Some(&rule_value(rule)));
        return match edit.flatten().map(|value| parse_rule(&value)) {
            Some(Ok(parsed)) => store(out, Some(parsed)),
            Some(Err(message)) => {
                ui.colored_label(form.error_color, message);
                false
            }
            // Emptied: nothing to store (Remove takes a rule away).
            None => false,
        };
    }
    let mut changed = condition_editor(ui, form, at.label, at.pointer, rule, out, jsonata);
    changed |= store(
        &mut out.next,
        target_combo(
            ui,
            &at.label("Next"),
            &format!("choice-next-{index}"),
            rule.next.as_deref(),
            names,
        ),
    );
    form.errors(ui, &at.field("Next"));
    // The less used fields fold away while empty, so a long list of rules stays readable.
    let used = rule.comment.is_some() || rule.assign.is_some() || rule.output.is_some();
    let more = if jsonata {
        "Comment, Assign, Output"
    } else {
        "Comment, Assign"
    };
    egui::CollapsingHeader::new(more)
        .id_salt((form.pointer.as_str(), index, "more"))
        .default_open(used)
        .show(ui, |ui| {
            changed |= form.member(ui, at, "Comment", &mut out.comment);
            changed |= form.member(ui, at, "Assign", &mut out.assign);
            if jsonata || rule.output.is_some() {
                changed |= form.member(ui, at, "Output", &mut out.output);
            }
        });
    let kept: Vec<&str> = rule.extras.unknown.keys().map(String::as_str).collect();
    if !kept.is_empty() {
        ui.weak(format!("Also kept: {} (edit as JSON)", kept.join(", ")));
    }
    changed
}

/// The test of one rule (top-level or nested). `label` names its fields ("Rule 1", "Rule 1.2");
/// `field` is its JSON pointer under the state. Writes into `out.condition`; returns whether it
/// changed.
fn condition_editor(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    label: &str,
    field: &str,
    rule: &ChoiceRule,
    out: &mut ChoiceRule,
    jsonata: bool,
) -> bool {
    let jsonpath_test = matches!(
        rule.condition,
        Condition::Comparison { .. } | Condition::And(_) | Condition::Or(_) | Condition::Not(_)
    );
    if jsonata && !jsonpath_test {
        let current = match &rule.condition {
            Condition::Jsonata(text) => text.as_str(),
            _ => "",
        };
        if let Some(text) = form.text(
            ui,
            &format!("{label} Condition"),
            &format!("{field}/Condition"),
            current,
        ) {
            out.condition = Condition::Jsonata(text);
            return true;
        }
        return false;
    }
    if jsonata
        && ui
            .button("Use a JSONata Condition")
            .on_hover_text("JSONata states test rules with a Condition expression")
            .clicked()
    {
        out.condition = placeholder_condition(true);
        return true;
    }
    let mut changed = false;
    if let Some(condition) = kind_combo(ui, label, &rule.condition) {
        out.condition = condition;
        changed = true;
    }
    match &rule.condition {
        Condition::Comparison { .. } => {
            if let Some(condition) = comparison_editor(ui, form, label, field, &rule.condition) {
                out.condition = condition;
                changed = true;
            }
        }
        Condition::And(children) | Condition::Or(children) => {
            let op = if matches!(rule.condition, Condition::And(_)) {
                "And"
            } else {
                "Or"
            };
            if let Some(children) =
                children_editor(ui, form, label, &format!("{field}/{op}"), children)
            {
                out.condition = if op == "And" {
                    Condition::And(children)
                } else {
                    Condition::Or(children)
                };
                changed = true;
            }
        }
        Condition::Not(child) => {
            let mut edited = (**child).clone();
            let child_label = format!("{label} not");
            let child_field = format!("{field}/Not");
            let inner = ui
                .indent(("not", field), |ui| {
                    condition_editor(
                        ui,
                        form,
                        &child_label,
                        &child_field,
                        child,
                        &mut edited,
                        false,
                    )
                })
                .inner;
            if inner {
                out.condition = Condition::Not(Box::new(edited));
                changed = true;
            }
        }
        Condition::Jsonata(text) => {
            // A Condition in a JSONPath state: shown so that validation's complaint has a place.
            ui.label(format!("Condition {text}"));
            form.errors(ui, &format!("{field}/Condition"));
        }
        Condition::Malformed => {}
    }
    changed
}

/// The kind of test: one comparison, or And / Or / Not of nested tests. Returns the converted
/// condition when the user picks another kind (the current test is kept inside when it can be).
fn kind_combo(ui: &mut egui::Ui, label: &str, condition: &Condition) -> Option<Condition> {
    let current = match condition {
        Condition::Comparison { .. } => "Comparison",
        Condition::And(_) => "And",
        Condition::Or(_) => "Or",
        Condition::Not(_) => "Not",
        Condition::Jsonata(_) => "Condition (JSONata)",
        Condition::Malformed => "(invalid)",
    };
    let mut picked = current;
    egui::ComboBox::new(("kind", label), format!("{label} test"))
        .selected_text(current)
        .show_ui(ui, |ui| {
            for kind in ["Comparison", "And", "Or", "Not"] {
                ui.selectable_value(&mut picked, kind, kind);
            }
        });
    (picked != current).then(|| with_kind(condition, picked))
}

/// A test turned into another kind, keeping the current test inside when it can: a comparison
/// becomes the first test of an And/Or or the test under a Not, and back.
fn with_kind(condition: &Condition, kind: &str) -> Condition {
    let nested = |c: &Condition| ChoiceRule::new(c.clone(), None);
    let children = match condition {
        Condition::And(children) | Condition::Or(children) => children.clone(),
        Condition::Not(child) => vec![(**child).clone()],
        other => vec![nested(other)],
    };
    let first = children
        .first()
        .map_or_else(|| placeholder_condition(false), |c| c.condition.clone());
    match kind {
        "And" => Condition::And(children),
        "Or" => Condition::Or(children),
        "Not" => Condition::Not(Box::new(nested(&first))),
        _ => match first {
            comparison @ Condition::Comparison { .. } => comparison,
            _ => placeholder_condition(false),
        },
    }
}

/// Variable, operator and value of one comparison. Returns the new condition when one changed.
fn comparison_editor(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    label: &str,
    field: &str,
    comparison: &Condition,
) -> Option<Condition> {
    let Condition::Comparison {
        variable,
        operator,
        operand,
    } = comparison
    else {
        return None;
    };
    let (operator, mut variable) = (*operator, variable.clone());
    let mut operator_out = operator;
    let mut operand_out = operand.clone();
    let mut changed = false;
    let at = At {
        label,
        pointer: field,
    };
    changed |= form.member(ui, at, "Variable", &mut variable);
    egui::ComboBox::new(("operator", label), format!("{label} operator"))
        .selected_text(operator.as_str())
        .height(crate::theme::PANELS.operator_list_height)
        .show_ui(ui, |ui| {
            for candidate in ComparisonOperator::ALL {
                ui.selectable_value(&mut operator_out, candidate, candidate.as_str());
            }
        });
    if operator_out != operator {
        operand_out = converted_operand(operator_out, operand);
        changed = true;
    }
    let value_label = format!("{label} value");
    let value_field = format!("{field}/{}", operator.as_str());
    match operator_out.operand_kind() {
        OperandKind::Boolean => {
            let mut value = operand_out.clone();
            egui::ComboBox::new(("value", label), value_label.as_str())
                .selected_text(value.to_string())
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut value, Value::Bool(true), "true");
                    ui.selectable_value(&mut value, Value::Bool(false), "false");
                });
            if value != operand_out {
                operand_out = value;
                changed = true;
            }
            form.errors(ui, &value_field);
        }
        kind => {
            let shown = match &operand_out {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if let Some(text) = form.text(ui, &value_label, &value_field, &shown) {
                operand_out = match kind {
                    // Not a number: kept as typed, and validation says what is wrong.
                    OperandKind::Number => text
                        .trim()
                        .parse::<serde_json::Number>()
                        .map_or(Value::String(text), Value::Number),
                    _ => Value::String(text),
                };
                changed = true;
            }
        }
    }
    changed.then_some(Condition::Comparison {
        variable,
        operator: operator_out,
        operand: operand_out,
    })
}

/// The nested tests of an And / Or: each with its own editor and a Remove button, and a button
/// to add one. Returns the new list when it changed.
fn children_editor(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    label: &str,
    field: &str,
    children: &[ChoiceRule],
) -> Option<Vec<ChoiceRule>> {
    let mut edited = children.to_vec();
    let mut changed = false;
    let mut remove = None;
    ui.indent(("children", field), |ui| {
        for (index, child) in children.iter().enumerate() {
            let child_label = format!("{label}.{}", index + 1);
            let child_field = format!("{field}/{index}");
            ui.push_id(index, |ui| {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(&child_label);
                        if named_button(ui, "Remove", &format!("Remove {child_label}")) {
                            remove = Some(index);
                        }
                    });
                    if condition_editor(
                        ui,
                        form,
                        &child_label,
                        &child_field,
                        child,
                        &mut edited[index],
                        false,
                    ) {
                        changed = true;
                    }
                    form.errors(ui, &child_field);
                });
            });
        }
        if named_button(ui, "Add condition", &format!("Add condition to {label}")) {
            edited.push(ChoiceRule::new(placeholder_condition(false), None));
            changed = true;
        }
    });
    if let Some(index) = remove {
        edited.remove(index);
        changed = true;
    }
    changed.then_some(edited)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_rule_survives_the_trip_through_json_with_unknown_members() {
        let value = json!({
            "Variable": "$.n",
            "NumericGreaterThan": 3,
            "Next": "Done",
            "Comment": "big",
            "XFuture": {"kept": true}
        });
        let rule = parse_rule(&value).expect("an object parses");
        assert_eq!(rule.next.as_deref(), Some("Done"));
        assert_eq!(rule_value(&rule), value);
        assert!(parse_rule(&json!([1])).is_err());
    }

    #[test]
    fn changing_the_operator_keeps_what_still_fits() {
        use ComparisonOperator as C;
        assert_eq!(
            converted_operand(C::NumericLessThanEquals, &json!("42")),
            json!(42)
        );
        assert_eq!(
            converted_operand(C::StringMatches, &json!("a*")),
            json!("a*")
        );
        assert_eq!(converted_operand(C::IsPresent, &json!("a")), json!(true));
        assert_eq!(
            converted_operand(C::BooleanEquals, &json!(false)),
            json!(false)
        );
        assert_eq!(
            converted_operand(C::NumericEqualsPath, &json!("$.limit")),
            json!("$.limit")
        );
        assert_eq!(
            converted_operand(C::StringEqualsPath, &json!("x")),
            json!("$.other")
        );
        // Every operator has an editor whose default value validates as the right type.
        for operator in ComparisonOperator::ALL {
            let value = converted_operand(operator, &Value::Null);
            match operator.operand_kind() {
                OperandKind::Boolean => assert!(value.is_boolean(), "{operator:?}"),
                OperandKind::Number => assert!(value.is_number(), "{operator:?}"),
                _ => assert!(value.is_string(), "{operator:?}"),
            }
        }
    }

    #[test]
    fn switching_kinds_nests_the_current_test() {
        let comparison = placeholder_condition(false);
        let and = with_kind(&comparison, "And");
        let Condition::And(children) = &and else {
            panic!("not an And: {and:?}");
        };
        assert_eq!(children[0].condition, comparison);
        let or = with_kind(&and, "Or");
        assert!(matches!(&or, Condition::Or(c) if c.len() == 1));
        let not = with_kind(&or, "Not");
        assert!(matches!(&not, Condition::Not(c) if c.condition == comparison));
        assert_eq!(with_kind(&not, "Comparison"), comparison);
    }
}
