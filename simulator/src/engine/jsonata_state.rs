//! Running a state whose QueryLanguage is JSONata: Arguments, Output and Assign around each state
//! type's work.

use std::borrow::Cow;
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::choice;
use crate::error::Raised;
use crate::expr::JsonataScope;
use crate::plan::{Assign, FailField, Kind, State, WaitSpec, jsonata_expression};
use crate::template::{Scope, compact};
use crate::timestamp;

use super::containers::{ContainerKind, Items, new_container};
use super::jsonpath_state::fail_field_jsonpath;
use super::state::{
    flow_to, no_choice_matched, raw_text, resolve_dynamic, seconds_to_millis, whole_input,
};
use super::task::task_limits;
use super::{Assignments, Execution, Flow, Out};

impl Execution {
    pub(super) fn run_jsonata(
        &self,
        depth: usize,
        state: &State,
    ) -> Result<(Flow, Assignments), Raised> {
        let input = self.input_at(depth);
        let scope = self.jsonata_scope(depth, state, input, &[], None);
        let make_context = || self.context_value(depth, state, None);
        let path_scope = self.scope(depth, input, &make_context);
        match &state.kind {
            Kind::Pass { .. } | Kind::Succeed => {
                let assignments = jsonata_assign(state.assign.as_ref(), &scope)?;
                let output = match &state.output {
                    Some(output) => Out::New(scope.template(output, "Output")?),
                    None => Out::Same,
                };
                let flow = if matches!(state.kind, Kind::Succeed) {
                    Flow::End {
                        output,
                        delay_millis: 0,
                    }
                } else {
                    flow_to(state, output, 0)
                };
                Ok((flow, assignments))
            }
            Kind::Task {
                resource,
                timeout,
                heartbeat,
            } => {
                let arguments = match &state.arguments {
                    Some(arguments) => Cow::Owned(scope.template(arguments, "Arguments")?),
                    None => Cow::Borrowed(input),
                };
                self.trace_stage(depth, "arguments", || arguments.clone().into_owned());
                let limits = task_limits(
                    timeout.as_ref(),
                    heartbeat.as_ref(),
                    &path_scope,
                    Some(&scope),
                )?;
                let result = self
                    .invoke_task(depth, state, resource, &arguments, limits)?
                    .into_owned();
                self.trace_stage(depth, "result", || result.clone());
                self.jsonata_finish(depth, state, input, result)
            }
            Kind::Choice { rules, default } => {
                let mut evaluate = |condition: &Value| -> Result<bool, Raised> {
                    let value = match condition {
                        Value::String(text) => match jsonata_expression(text) {
                            Some(expression) => scope.expression(expression, "Condition")?,
                            None => condition.clone(),
                        },
                        other => other.clone(),
                    };
                    value.as_bool().ok_or_else(|| {
                        Raised::located(
                            "States.QueryEvaluationError",
                            format!(
                                "The JSONata expression specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '{}' for value: {}",
                                crate::intrinsics::kind_name(&value),
                                compact(&value)
                            ),
                        )
                    })
                };
                let mut chosen = None;
                for rule in rules {
                    if choice::holds(&rule.condition, &path_scope, &mut evaluate)? {
                        chosen = Some((rule.next, rule.assign.as_ref(), rule.output.as_ref()));
                        break;
                    }
                }
                let (next, assign, output) = match chosen {
                    Some(found) => found,
                    None => match default {
                        Some(default) => (*default, state.assign.as_ref(), state.output.as_ref()),
                        None => return Err(no_choice_matched()),
                    },
                };
                let assignments = jsonata_assign(assign, &scope)?;
                let output = match output {
                    Some(output) => Out::New(scope.template(output, "Output")?),
                    None => Out::Same,
                };
                Ok((Flow::chosen(next, output), assignments))
            }
            Kind::Wait(spec) => {
                let delay_millis = self.wait_delay_jsonata(spec, &scope, &path_scope)?;
                let assignments = jsonata_assign(state.assign.as_ref(), &scope)?;
                let output = match &state.output {
                    Some(output) => Out::New(scope.template(output, "Output")?),
                    None => Out::Same,
                };
                Ok((flow_to(state, output, delay_millis), assignments))
            }
            Kind::Fail { error, cause } => {
                let error = fail_field_jsonata(error, "Error", &scope, &path_scope)?;
                let cause = fail_field_jsonata(cause, "Cause", &scope, &path_scope)?;
                Err(Raised::plain(error, cause))
            }
            Kind::Parallel { branches } => {
                let arguments = match &state.arguments {
                    Some(arguments) => Rc::new(scope.template(arguments, "Arguments")?),
                    None => self.raw_input(depth),
                };
                Ok((
                    Flow::Start(Box::new(new_container(
                        ContainerKind::Parallel {
                            branches: branches.clone(),
                        },
                        arguments,
                        Items::Owned(Vec::new()),
                    ))),
                    None,
                ))
            }
            Kind::Map(spec) => {
                let items = if spec.item_reader.is_some() {
                    Items::Owned(self.reader_items(state)?)
                } else {
                    match &spec.items {
                        Some(Value::String(text)) if jsonata_expression(text).is_some() => {
                            let expression = jsonata_expression(text).unwrap_or_default();
                            match scope.expression(expression, "Items")? {
                                Value::Array(items) => Items::Owned(items),
                                other => {
                                    let failure = crate::jsonata::JsonataError::unexpected_type(
                                        expression, "Items", "array", &other,
                                    );
                                    return Err(Raised::located(failure.error, failure.cause));
                                }
                            }
                        }
                        Some(literal) => match scope.template(literal, "Items")? {
                            Value::Array(items) => Items::Owned(items),
                            other => {
                                return Err(Raised::located(
                                    "States.QueryEvaluationError",
                                    format!(
                                        "Map state input must be an array but was: {}",
                                        compact(&other)
                                    ),
                                ));
                            }
                        },
                        None => match input {
                            Value::Array(items) => Items::Shared {
                                source: self.raw_input(depth),
                                path: whole_input(),
                                count: items.len(),
                            },
                            other => {
                                return Err(Raised::located(
                                    "States.QueryEvaluationError",
                                    format!(
                                        "Map state input must be an array but was: {}",
                                        compact(other)
                                    ),
                                ));
                            }
                        },
                    }
                };
                let kind = self.map_kind(spec, &path_scope, Some(&scope))?;
                Ok((
                    Flow::Start(Box::new(new_container(kind, self.raw_input(depth), items))),
                    None,
                ))
            }
        }
    }

    pub(super) fn jsonata_finish(
        &self,
        depth: usize,
        state: &State,
        input: &Value,
        result: Value,
    ) -> Result<(Flow, Assignments), Raised> {
        let scope = self.jsonata_scope(depth, state, input, &[("result", &result)], None);
        let assignments = jsonata_assign(state.assign.as_ref(), &scope)?;
        let output = match &state.output {
            Some(output) => scope.template(output, "Output")?,
            None => result,
        };
        Ok((flow_to(state, Out::New(output), 0), assignments))
    }

    pub(super) fn wait_delay_jsonata(
        &self,
        spec: &WaitSpec,
        scope: &JsonataScope<'_>,
        path_scope: &Scope<'_>,
    ) -> Result<i64, Raised> {
        match spec {
            WaitSpec::Seconds(dynamic) => {
                let value = resolve_dynamic(dynamic, "Seconds", path_scope, Some(scope))?;
                match value.as_i64() {
                    Some(seconds) if seconds >= 0 => seconds_to_millis(seconds as f64),
                    _ => Err(Raised::located(
                        "States.QueryEvaluationError",
                        format!(
                            "The JSONata expression specified for the field 'Seconds' returned an unexpected result type. Expected 'integer', but was '{}' for value: {}",
                            crate::intrinsics::kind_name(&value),
                            compact(&value)
                        ),
                    )),
                }
            }
            WaitSpec::Timestamp(dynamic) => {
                let value = resolve_dynamic(dynamic, "Timestamp", path_scope, Some(scope))?;
                let text = raw_text(&value);
                match value.as_str().and_then(timestamp::parse) {
                    Some(nanos) => self.until(nanos),
                    None => Err(Raised::located(
                        "States.QueryEvaluationError",
                        format!(
                            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {text}"
                        ),
                    )),
                }
            }
        }
    }
}

pub(super) fn jsonata_assign(
    assign: Option<&Assign>,
    scope: &JsonataScope<'_>,
) -> Result<Assignments, Raised> {
    match assign {
        None => Ok(None),
        Some(Assign::Jsonata(value)) => match &**value {
            Value::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (name, member) in map {
                    out.insert(
                        name.clone(),
                        scope.template(member, &format!("Assign/{name}"))?,
                    );
                }
                Ok(Some(out))
            }
            Value::String(text) => match jsonata_expression(text) {
                Some(expression) => match scope.expression(expression, "Assign")? {
                    Value::Object(map) => Ok(Some(map)),
                    _ => Err(Raised::located(
                        "States.QueryEvaluationError",
                        "Assign must evaluate to an object",
                    )),
                },
                None => Err(Raised::runtime("Assign must be an object")),
            },
            _ => Err(Raised::runtime("Assign must be an object")),
        },
        Some(Assign::JsonPath(template)) => match template.literal_object() {
            Some(map) => Ok(Some(map.clone())),
            None => Err(Raised::runtime("a JSONPath Assign in a JSONata state")),
        },
    }
}

pub(super) fn fail_field_jsonata(
    field: &FailField,
    name: &str,
    scope: &JsonataScope<'_>,
    path_scope: &Scope<'_>,
) -> Result<Option<String>, Raised> {
    match field {
        FailField::Absent => Ok(None),
        FailField::Literal(text) => Ok(Some(text.clone())),
        FailField::Jsonata(expression) => {
            let value = scope.expression(expression, name)?;
            Ok(Some(raw_text(&value)))
        }
        FailField::Path { .. } => fail_field_jsonpath(field, name, path_scope),
    }
}
