//! Running a state whose QueryLanguage is JSONPath: InputPath, Parameters, ResultSelector,
//! ResultPath, OutputPath and Assign around each state type's work.

use std::borrow::Cow;
use std::rc::Rc;

use graph_model::expr::jsonpath::Root;
use serde_json::{Map, Value};

use crate::choice;
use crate::error::{Raised, Severity};
use crate::path::{self as jpath, Found};
use crate::plan::{
    Assign, DataPath, Dynamic, FailField, Kind, MapSpec, ResultPathField, State, WaitSpec,
};
use crate::template::{Scope, Template, compact, too_expensive};
use crate::timestamp;
use crate::types::Decision;

use super::containers::{ContainerKind, Items, new_container};
use super::payload::{data_limit, few_values, json_size_up_to, might_exceed};
use super::state::{
    flow_to, lookup_or_runtime, no_choice_matched, raw_text, seconds_to_millis, whole_input,
};
use super::task::task_limits;
use super::{Assignments, Execution, Flow, Out};

/// Documents of at most this many values are copied for ResultPath rather than moved: copying a
/// small value is cheap, and measured faster than reshaping the moved one (map10k's items).
pub(super) const SMALL_DOCUMENT: usize = 16;

impl Execution {
    /// A Pass state without Result or Parameters whose ResultPath places its input inside itself
    /// (`"$.extra"`) grows the document at every pass of a loop. Copying the whole input as the
    /// result would make such a loop quadratic; instead only what lies around the ResultPath is
    /// copied, and the output's size is measured from its two parts. `None` when the state is
    /// not of that shape (or is traced, which needs the values), for the general path.
    fn pass_nesting_its_input(
        &self,
        state: &State,
        raw: &Value,
    ) -> Option<Result<(Flow, Assignments), Raised>> {
        let ResultPathField::Path { path, .. } = &state.result_path else {
            return None;
        };
        if self.options.record_trace
            || state.parameters.is_some()
            || state.assign.is_some()
            || !matches!(state.input_path, DataPath::Whole)
            || !matches!(state.output_path, DataPath::Whole)
            || !matches!(state.kind, Kind::Pass { result: None, .. })
        {
            return None;
        }
        let around = jpath::copy_around(raw, path)?;
        let limit = self.options.max_payload_bytes;
        // `around` holds `null` (4 bytes) where the input goes; each count is exact up to the limit.
        let around_size = json_size_up_to(&around, limit.saturating_add(4)).saturating_sub(4);
        let known = match &*self.nested_size.borrow() {
            Some((nested, size)) if std::ptr::eq(nested.as_ptr(), raw) => Some(*size),
            _ => None,
        };
        let raw_size = known.unwrap_or_else(|| json_size_up_to(raw, limit));
        let size = around_size.saturating_add(raw_size);
        if size > limit {
            return Some(Err(data_limit(&state.name)));
        }
        Some(Ok((flow_to(state, Out::Nest(around, size), 0), None)))
    }

    pub(super) fn run_jsonpath(
        &self,
        depth: usize,
        state: &State,
    ) -> Result<(Flow, Assignments), Raised> {
        let make_context = || self.context_value(depth, state, None);
        let raw = self.input_at(depth);
        let root_scope = self.scope(depth, raw, &make_context);
        let effective = apply_input_path(&state.input_path, &root_scope)?;
        if !matches!(state.input_path, DataPath::Whole) {
            self.trace_stage(depth, "afterInputPath", || effective.clone().into_owned());
        }
        let scope = root_scope.with_input(&effective);
        let shared_effective = || match &effective {
            Cow::Borrowed(_) => self.raw_input(depth),
            Cow::Owned(value) => Rc::new(value.clone()),
        };
        match &state.kind {
            Kind::Pass {
                result,
                result_size,
            } => {
                if let Some(nested) = self.pass_nesting_its_input(state, raw) {
                    return nested;
                }
                let value = if let Some(parameters) = &state.parameters {
                    let rendered = scope.render(parameters)?;
                    self.trace_stage(depth, "afterParameters", || rendered.clone());
                    rendered
                } else if let Some(result) = result {
                    if *result_size > self.options.max_payload_bytes {
                        return Err(data_limit(&state.name));
                    }
                    (**result).clone()
                } else {
                    effective.clone().into_owned()
                };
                self.finish_jsonpath(depth, state, &root_scope, value, false, None)
            }
            Kind::Task {
                resource,
                timeout,
                heartbeat,
            } => {
                // A mocked Task's arguments are only shown (history, trace) or passed through, so
                // when none of that happens they are checked, not built.
                let arguments_unread = !self.options.record_history
                    && !self.options.record_trace
                    && self.options.mocks.contains(&state.name);
                let arguments = match &state.parameters {
                    Some(parameters) if arguments_unread => {
                        scope.check(parameters)?;
                        Cow::Owned(Value::Null)
                    }
                    Some(parameters) => {
                        let rendered = scope.render(parameters)?;
                        self.trace_stage(depth, "afterParameters", || rendered.clone());
                        Cow::Owned(rendered)
                    }
                    None => Cow::Borrowed(&*effective),
                };
                let limits = task_limits(timeout.as_ref(), heartbeat.as_ref(), &scope, None)?;
                let result = self.invoke_task(depth, state, resource, &arguments, limits)?;
                // A ResultSelector only reads the result: it is rendered from the mock's own
                // value, which is then not copied at all.
                let (result, with_selector) = match &state.result_selector {
                    Some(selector) => {
                        let rendered = root_scope.with_input(&result).render(selector)?;
                        self.trace_stage(depth, "afterResultSelector", || rendered.clone());
                        (rendered, false)
                    }
                    None => (result.into_owned(), true),
                };
                self.finish_jsonpath(depth, state, &root_scope, result, with_selector, None)
            }
            Kind::Choice { rules, default } => {
                let mut no_jsonata = |_: &Value| -> Result<bool, Raised> {
                    Err(Raised::runtime("a JSONata Condition in a JSONPath state"))
                };
                let mut chosen = None;
                for (index, rule) in rules.iter().enumerate() {
                    if choice::holds(&rule.condition, &scope, &mut no_jsonata)? {
                        self.note_decision(depth, Decision::ChoiceRule { index });
                        chosen = Some((rule.next, rule.assign.as_ref()));
                        break;
                    }
                }
                let (next, assign) = match chosen {
                    Some(found) => found,
                    None => match default {
                        Some(default) => {
                            self.note_decision(depth, Decision::ChoiceDefault);
                            (*default, state.assign.as_ref())
                        }
                        None => return Err(no_choice_matched()),
                    },
                };
                let assignments = jsonpath_assign(assign, &scope)?;
                let output = output_of(&state.output_path, &root_scope, effective)?;
                Ok((Flow::chosen(next, output), assignments))
            }
            Kind::Wait(spec) => {
                let delay_millis = self.wait_delay_jsonpath(spec, &scope)?;
                let assignments = jsonpath_assign(state.assign.as_ref(), &scope)?;
                let output = output_of(&state.output_path, &root_scope, effective)?;
                Ok((flow_to(state, output, delay_millis), assignments))
            }
            Kind::Succeed => {
                let output = output_of(&state.output_path, &root_scope, effective)?;
                Ok((
                    Flow::End {
                        output,
                        delay_millis: 0,
                    },
                    None,
                ))
            }
            Kind::Fail { error, cause } => {
                let error = fail_field_jsonpath(error, "ErrorPath", &scope)?;
                let cause = fail_field_jsonpath(cause, "CausePath", &scope)?;
                Err(Raised::plain(error, cause))
            }
            Kind::Parallel { branches } => {
                let input = match &state.parameters {
                    Some(parameters) => {
                        let rendered = scope.render(parameters)?;
                        self.trace_stage(depth, "afterParameters", || rendered.clone());
                        Rc::new(rendered)
                    }
                    None => shared_effective(),
                };
                let kind = ContainerKind::Parallel {
                    branches: branches.clone(),
                };
                Ok((
                    Flow::Start(Box::new(new_container(
                        kind,
                        input,
                        Items::Owned(Vec::new()),
                    ))),
                    None,
                ))
            }
            Kind::Map(spec) => {
                let kind = self.map_kind(spec, &scope, None)?;
                let (items, from_object) = match (&effective, &spec.items_path, &spec.item_reader) {
                    (Cow::Borrowed(_), Some(DataPath::Path(named)), None)
                        if named.root == Root::Input && named.is_definite() =>
                    {
                        self.shared_items(depth, &named.text, &named.path, &scope)?
                    }
                    (Cow::Borrowed(_), None, None) => {
                        self.shared_items(depth, "$", &whole_input(), &scope)?
                    }
                    _ => {
                        let (items, from_object) = self.map_items_jsonpath(state, spec, &scope)?;
                        (Items::Owned(items), from_object)
                    }
                };
                let input = shared_effective();
                let (items, shape) =
                    self.shape_map(depth, state, spec, items, from_object, &input, &scope, None)?;
                let mut container = new_container(kind, input, items);
                container.shape = shape;
                Ok((Flow::Start(Box::new(container)), None))
            }
        }
    }

    /// ResultSelector, ResultPath, OutputPath and Assign, for a state that produced `result`.
    pub(super) fn finish_jsonpath(
        &self,
        depth: usize,
        state: &State,
        root_scope: &Scope<'_>,
        result: Value,
        with_selector: bool,
        traced_result: Option<Value>,
    ) -> Result<(Flow, Assignments), Raised> {
        let selected = match (&state.result_selector, with_selector) {
            (Some(selector), true) => {
                let rendered = root_scope.with_input(&result).render(selector)?;
                self.trace_stage(depth, "afterResultSelector", || rendered.clone());
                rendered
            }
            _ => result,
        };
        // A copy made ahead of time (a Map's or Parallel's results) only stands for the result when no
        // ResultSelector changed it.
        let traced_result =
            traced_result.filter(|_| state.result_selector.is_none() || !with_selector);
        self.trace_stage(depth, "result", || {
            traced_result.unwrap_or_else(|| selected.clone())
        });
        let assignments =
            jsonpath_assign(state.assign.as_ref(), &root_scope.with_input(&selected))?;
        if let ResultPathField::Path { path, .. } = &state.result_path
            && matches!(state.output_path, DataPath::Whole)
            && !self.options.record_trace
            && !few_values(root_scope.input, SMALL_DOCUMENT)
            && jpath::can_set(root_scope.input, path)
            && !might_exceed(root_scope.input, self.options.max_payload_bytes / 2)
            && !might_exceed(&selected, self.options.max_payload_bytes / 2)
        {
            // The input is the frame's own value: let `apply_flow` move it and place the result,
            // instead of copying the whole document here.
            return Ok((flow_to(state, Out::Merge(selected), 0), assignments));
        }
        let combined = apply_result_path(&state.result_path, root_scope.input, selected)?;
        if !matches!(state.result_path, ResultPathField::Replace) {
            self.trace_stage(depth, "afterResultPath", || combined.clone().into_owned());
        }
        let output = output_of(&state.output_path, root_scope, combined)?;
        Ok((flow_to(state, output, 0), assignments))
    }

    pub(super) fn wait_delay_jsonpath(
        &self,
        spec: &WaitSpec,
        scope: &Scope<'_>,
    ) -> Result<i64, Raised> {
        match spec {
            WaitSpec::Seconds(Dynamic::Literal(value)) => {
                seconds_to_millis(value.as_f64().unwrap_or(0.0))
            }
            WaitSpec::Seconds(Dynamic::Path { text, path }) => {
                let value = scope.lookup(path).map(Found::into_owned).map_err(|_| {
                    Raised::runtime(format!(
                        "The SecondsPath parameter does not reference an input value: {text}"
                    ))
                })?;
                let Some(seconds) = value.as_i64().or_else(|| value.as_u64().map(|_| i64::MAX))
                else {
                    return Err(Raised::runtime(format!(
                        "The SecondsPath parameter cannot be parsed as a long value: {text} == {}",
                        raw_text(&value)
                    )));
                };
                if seconds < 0 {
                    return Err(Raised::runtime(format!(
                        "The SecondsPath parameter references a negative value: {text} == {seconds}"
                    )));
                }
                seconds_to_millis(seconds as f64)
            }
            WaitSpec::Timestamp(Dynamic::Literal(value)) => {
                let text = value.as_str().unwrap_or_default();
                let Some(nanos) = timestamp::parse(text) else {
                    return Err(Raised::runtime(format!(
                        "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {text}"
                    )));
                };
                self.until(nanos)
            }
            WaitSpec::Timestamp(Dynamic::Path { text, path }) => {
                let value = scope.lookup(path).map(Found::into_owned).map_err(|_| {
                    Raised::runtime(format!(
                        "The TimestampPath parameter does not reference an input value: {text}"
                    ))
                })?;
                let parsed = value.as_str().and_then(timestamp::parse);
                let Some(nanos) = parsed else {
                    return Err(Raised::runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {text} == {}",
                        raw_text(&value)
                    )));
                };
                self.until(nanos)
            }
            WaitSpec::Seconds(Dynamic::Jsonata(_)) | WaitSpec::Timestamp(Dynamic::Jsonata(_)) => {
                Err(Raised::runtime(
                    "a JSONata expression in a JSONPath Wait state",
                ))
            }
        }
    }

    pub(super) fn map_items_jsonpath(
        &self,
        state: &State,
        spec: &MapSpec,
        scope: &Scope<'_>,
    ) -> Result<(Vec<Value>, bool), Raised> {
        if spec.item_reader.is_some() {
            return self.reader_items(state, spec, scope, None);
        }
        let items = match &spec.items_path {
            None | Some(DataPath::Whole) => scope.input.clone(),
            Some(DataPath::Null) => Value::Object(Map::new()),
            Some(DataPath::Path(named)) => scope
                .lookup(&named.path)
                .map(Found::into_owned)
                .map_err(|missing| {
                    Raised::runtime(format!(
                        "Invalid path '{}' : {}",
                        named.text, missing.message
                    ))
                })?,
        };
        crate::map_items::iterable(items).map_err(|other| {
            Raised::runtime(format!(
                "Map state input must be an array but was: {}",
                compact(&other)
            ))
        })
    }
}

pub(super) fn apply_input_path<'a>(
    field: &DataPath,
    scope: &Scope<'a>,
) -> Result<Cow<'a, Value>, Raised> {
    match field {
        DataPath::Whole => Ok(Cow::Borrowed(scope.input)),
        DataPath::Null => Ok(Cow::Owned(Value::Object(Map::new()))),
        DataPath::Path(path) => lookup_or_runtime(scope, &path.text, path).map(Cow::Owned),
    }
}

/// OutputPath applied to `current` (the value `scope` stands for): `Same` when nothing changes it, so that
/// the caller can reuse the value it already holds.
pub(super) fn output_of(
    field: &DataPath,
    scope: &Scope<'_>,
    current: Cow<'_, Value>,
) -> Result<Out, Raised> {
    match field {
        DataPath::Whole => Ok(match current {
            Cow::Borrowed(_) => Out::Same,
            Cow::Owned(value) => Out::New(value),
        }),
        DataPath::Null => Ok(Out::New(Value::Object(Map::new()))),
        DataPath::Path(path) => {
            let current_scope = scope.with_input(&current);
            lookup_or_runtime(&current_scope, &path.text, path).map(Out::New)
        }
    }
}

pub(super) fn apply_result_path<'a>(
    field: &ResultPathField,
    raw: &'a Value,
    result: Value,
) -> Result<Cow<'a, Value>, Raised> {
    match field {
        ResultPathField::Replace => Ok(Cow::Owned(result)),
        ResultPathField::Discard => Ok(Cow::Borrowed(raw)),
        ResultPathField::Path { path } => {
            let mut target = raw.clone();
            jpath::set(&mut target, path, result).map_err(|_| Raised {
                error: Some("States.ResultPathMatchFailure".to_owned()),
                cause: Some(format!(
                    "Unable to apply ReferencePath {} to input '{}'",
                    path.text,
                    compact(raw)
                )),
                severity: Severity::Normal,
                located: true,
            })?;
            Ok(Cow::Owned(target))
        }
    }
}

pub(super) fn jsonpath_assign(
    assign: Option<&Assign>,
    scope: &Scope<'_>,
) -> Result<Assignments, Raised> {
    match assign {
        None => Ok(None),
        Some(Assign::JsonPath(template)) => match scope.render(template)? {
            Value::Object(map) => Ok(Some(map)),
            _ => Err(Raised::runtime("Assign must be an object")),
        },
        Some(Assign::Jsonata(_)) => Err(Raised::runtime("a JSONata Assign in a JSONPath state")),
    }
}

pub(super) fn fail_field_jsonpath(
    field: &FailField,
    name: &str,
    scope: &Scope<'_>,
) -> Result<Option<String>, Raised> {
    match field {
        FailField::Absent => Ok(None),
        FailField::Literal(text) => Ok(Some(text.clone())),
        FailField::Path { text, template } => {
            let value = match &**template {
                Template::Path { path, .. } => scope.lookup(path).map(Found::into_owned).map_err(|missing| {
                    if missing.too_expensive {
                        return too_expensive(name, text);
                    }
                    Raised::runtime(format!(
                        "The JSONPath '{text}' specified for the field '{name}' could not be found in the input '{}'",
                        compact(scope.input)
                    ))
                })?,
                other => scope.render(other)?,
            };
            Ok(Some(raw_text(&value)))
        }
        FailField::Jsonata(_) => Err(Raised::runtime(
            "a JSONata expression in a JSONPath Fail state",
        )),
    }
}
