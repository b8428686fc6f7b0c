//! One step of a state, the same for both query languages: entering it, applying where it leads
//! (next state, end, or a Parallel/Map to start), leaving it; the context object and the scopes
//! expressions see; reading fields that may be literals, paths or expressions.

use std::rc::Rc;

use graph_model::expr::jsonpath::{Path, Root};
use serde_json::{Map, Value, json};

use crate::concurrency::TailStart;
use crate::error::Raised;
use crate::expr::JsonataScope;
use crate::path::{self as jpath, Found};
use crate::plan::{Dynamic, Kind, Language, ResultPathField, State};
use crate::template::{Scope, compact};
use crate::timestamp;
use crate::types::{StateTrace, TraceStage};

use super::events::{detail, entered_event, exited_event};
use super::{Assignments, Entered, Execution, Flow, Out};

/// Longest Wait AWS accepts, in seconds (a signed 32-bit count of seconds).
pub(super) const MAX_WAIT_SECONDS: f64 = 2_147_483_647.0;

/// A Resource that is a `${Name}` substitution no value was given for (a definition from a SAM or
/// CDK project, run on its own). It may stand for a `.waitForTaskToken` integration, whose Task has
/// `$$.Task.Token`; its mock stands in for the call either way, so the dry run gives it the token
/// rather than failing on a placeholder AWS never sees.
pub(crate) fn is_unresolved_placeholder(resource: &str) -> bool {
    resource
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .is_some_and(|name| !name.is_empty() && !name.contains(['$', '{', '}']))
}

impl Execution {
    pub(super) fn context_value(
        &self,
        depth: usize,
        state: &State,
        item: Option<(usize, &Value, bool)>,
    ) -> Value {
        let Some(frame) = self.stack.get(depth) else {
            return Value::Null;
        };
        let entered = frame
            .entered
            .map_or(self.clock_millis.get(), |entered| entered.millis);
        let mut state_object = Map::new();
        state_object.insert("Name".to_owned(), Value::String(state.name.clone()));
        state_object.insert(
            "EnteredTime".to_owned(),
            Value::String(timestamp::format_millis(entered)),
        );
        if matches!(state.kind, Kind::Task { .. }) {
            state_object.insert("RetryCount".to_owned(), json!(frame.retry_count));
        }
        let mut context = Map::new();
        context.insert(
            "Execution".to_owned(),
            json!({
                "Id": self.execution_arn,
                "Input": *self.execution_input,
                "StartTime": timestamp::format_millis(self.options.start_time_millis),
                "Name": self.options.execution_name,
                "RoleArn": self.options.role_arn,
                "RedriveCount": 0,
            }),
        );
        context.insert(
            "StateMachine".to_owned(),
            json!({"Id": self.state_machine_arn, "Name": self.options.state_machine_name}),
        );
        context.insert("State".to_owned(), Value::Object(state_object));
        if let Some((index, value, from_object)) = item {
            context.insert(
                "Map".to_owned(),
                super::map_run::item_context(index, value, from_object),
            );
        }
        if let Kind::Task { resource, .. } = &state.kind
            && (resource.ends_with(".waitForTaskToken") || is_unresolved_placeholder(resource))
        {
            context.insert("Task".to_owned(), json!({"Token": self.options.task_token}));
        }
        Value::Object(context)
    }

    pub(super) fn jsonata_scope(
        &self,
        depth: usize,
        state: &State,
        input: &Value,
        extra: &[(&str, &Value)],
        item: Option<(usize, &Value, bool)>,
    ) -> JsonataScope<'_> {
        let mut states = Map::new();
        states.insert("input".to_owned(), input.clone());
        states.insert("context".to_owned(), self.context_value(depth, state, item));
        for (key, value) in extra {
            states.insert((*key).to_owned(), (*value).clone());
        }
        let variables = self
            .stack
            .get(depth)
            .map_or(&self.no_variables, |frame| &*frame.variables);
        let seed = self.random.borrow_mut().next_u64();
        JsonataScope {
            states: Value::Object(states),
            variables,
            seed,
        }
    }

    pub(super) fn run_state(&mut self, depth: usize) {
        let plan = Rc::clone(&self.plan);
        let Some(frame) = self.stack.get(depth) else {
            return;
        };
        let Some(state) = plan.state(frame.machine, frame.state) else {
            self.fail_execution(
                Some("States.Runtime".to_owned()),
                Some("state index out of range".to_owned()),
            );
            return;
        };
        if frame.entered.is_none() {
            self.enter_state(depth, state);
        }
        let outcome = match state.language {
            Language::JsonPath => self.run_jsonpath(depth, state),
            Language::Jsonata => self.run_jsonata(depth, state),
        };
        match outcome {
            Ok((flow, assignments)) => self.apply_flow(depth, state, flow, assignments),
            Err(raised) => self.handle_error(depth, state, raised),
        }
    }

    pub(super) fn enter_state(&mut self, depth: usize, state: &State) {
        self.transitions += 1;
        let event_id = self.emit(depth, entered_event(&state.kind), || {
            let mut body = Map::new();
            body.insert("name".to_owned(), json!(state.name));
            let input = self.stack.get(depth).map(|frame| &*frame.input);
            self.put_payload(&mut body, "input", input.unwrap_or(&Value::Null));
            detail("stateEnteredEventDetails", Value::Object(body))
        });
        let millis = self.clock_millis.get();
        if self.inside_container(depth) {
            self.log.borrow_mut().note_entered();
        }
        if self.options.record_trace {
            let mut log = self.log.borrow_mut();
            let index = log.trace.len();
            let (scope, input) = match self.stack.get(depth) {
                Some(frame) => (frame.scope.to_string(), (*frame.input).clone()),
                None => (String::new(), Value::Null),
            };
            log.trace.push(StateTrace {
                state: state.name.clone(),
                scope,
                entered_event_id: event_id,
                stages: vec![TraceStage {
                    stage: "input",
                    value: input,
                }],
                error: None,
                cause: None,
                decisions: Vec::new(),
            });
            if let Some(frame) = self.stack.get(depth) {
                frame.trace_index.set(Some(index));
            }
        }
        if let Some(frame) = self.stack.get_mut(depth) {
            frame.entered = Some(Entered { event_id, millis });
            // Reuses the frame's buffer: a Task with a Retry is entered at almost every step.
            frame.attempts.clear();
            frame.attempts.resize(state.retry.len(), 0);
            frame.retry_count = 0;
        }
    }

    pub(super) fn apply_flow(
        &mut self,
        depth: usize,
        state: &State,
        flow: Flow,
        assignments: Assignments,
    ) {
        if let Some(assignments) = assignments {
            self.trace_stage(depth, "assign", || Value::Object(assignments.clone()));
            if let Some(frame) = self.stack.get_mut(depth) {
                let variables = Rc::make_mut(&mut frame.variables);
                for (name, value) in assignments {
                    variables.insert(name, value);
                }
            }
        }
        match flow {
            Flow::Start(mut container) => {
                if self.options.record_trace
                    && state.language == Language::JsonPath
                    && state.result_selector.is_none()
                {
                    container.traced_results = Some(Vec::with_capacity(container.total()));
                }
                self.start_container_events(depth, state, &container);
                let tail = TailStart::begin(&mut self.log.borrow_mut());
                container.schedule.begin(self.clock_millis.get(), tail);
                if let Some(frame) = self.stack.get_mut(depth) {
                    frame.container = Some(container);
                }
            }
            Flow::Next {
                next,
                output,
                delay_millis,
            } => {
                let Some(output) = self.leave_state(depth, state, output, delay_millis) else {
                    return;
                };
                if let Some(frame) = self.stack.get_mut(depth) {
                    frame.state = next;
                    if let Out::New(value) = output {
                        frame.input = Rc::new(value);
                    }
                    frame.entered = None;
                    frame.container = None;
                }
            }
            Flow::End {
                output,
                delay_millis,
            } => {
                let Some(output) = self.leave_state(depth, state, output, delay_millis) else {
                    return;
                };
                let value = match output {
                    Out::New(value) => value,
                    Out::Same | Out::Merge(_) | Out::Nest(..) => {
                        let shared = self
                            .stack
                            .get_mut(depth)
                            .map(|frame| {
                                std::mem::replace(&mut frame.input, Rc::clone(&self.placeholder))
                            })
                            .unwrap_or_default();
                        Rc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone())
                    }
                };
                self.complete_frame(depth, Ok(value));
            }
        }
    }

    /// What every state that ends does: checks the output's size, moves the clock (a Wait), builds a
    /// merged output, records the exit. `None` when the state failed instead (handled) or the run
    /// timed out.
    pub(super) fn leave_state(
        &mut self,
        depth: usize,
        state: &State,
        output: Out,
        delay_millis: i64,
    ) -> Option<Out> {
        if let Out::New(value) = &output
            && let Err(raised) = self.check_size(state, value)
        {
            self.handle_error(depth, state, raised);
            return None;
        }
        if !self.advance_clock(delay_millis) {
            return None;
        }
        let output = self.merge_result(depth, state, output);
        self.exit_state(depth, state, &output);
        Some(output)
    }

    /// Turns `Out::Merge` into the frame's input with the result in place (`Out::New`). The input is
    /// moved out of the frame when nothing else holds it, so a growing document is not copied at
    /// every state.
    pub(super) fn merge_result(&mut self, depth: usize, state: &State, output: Out) -> Out {
        if let Out::Nest(around, size) = output {
            return self.nest_input(depth, state, around, size);
        }
        let Out::Merge(result) = output else {
            return output;
        };
        let ResultPathField::Path { path, .. } = &state.result_path else {
            return Out::New(result);
        };
        let Some(frame) = self.stack.get_mut(depth) else {
            return Out::New(result);
        };
        let shared = std::mem::replace(&mut frame.input, Rc::clone(&self.placeholder));
        let mut target = Rc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone());
        // `finish_jsonpath` checked with `can_set` that this fits.
        let _placed = jpath::set(&mut target, path, result);
        Out::New(target)
    }

    /// Places the frame's input, moved, into `around` (its copy with `null` at the ResultPath),
    /// and makes the result the frame's input (`Out::Same`), remembering its size.
    fn nest_input(&mut self, depth: usize, state: &State, mut around: Value, size: usize) -> Out {
        let (ResultPathField::Path { path, .. }, Some(frame)) =
            (&state.result_path, self.stack.get_mut(depth))
        else {
            return Out::New(around);
        };
        let shared = std::mem::replace(&mut frame.input, Rc::clone(&self.placeholder));
        let input = Rc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone());
        // `pass_nesting_its_input` made the place with `copy_around`, so this cannot fail.
        let _placed = jpath::set(&mut around, path, input);
        let output = Rc::new(around);
        // The weak reference keeps the allocation, so no other value can take its address.
        *self.nested_size.borrow_mut() = Some((Rc::downgrade(&output), size));
        frame.input = output;
        Out::Same
    }

    pub(super) fn exit_state(&self, depth: usize, state: &State, output: &Out) {
        let same_input = Value::Null;
        let output = match output {
            Out::New(value) => value,
            Out::Same | Out::Merge(_) | Out::Nest(..) => self
                .stack
                .get(depth)
                .map_or(&same_input, |frame| &*frame.input),
        };
        self.trace_stage(depth, "output", || output.clone());
        if let Some(exited) = exited_event(&state.kind) {
            self.emit(depth, exited, || {
                let mut body = Map::new();
                body.insert("name".to_owned(), json!(state.name));
                self.put_payload(&mut body, "output", output);
                detail("stateExitedEventDetails", Value::Object(body))
            });
        }
    }

    pub(super) fn scope<'a>(
        &'a self,
        depth: usize,
        input: &'a Value,
        make_context: &'a dyn Fn() -> Value,
    ) -> Scope<'a> {
        let variables = self
            .stack
            .get(depth)
            .map_or(&self.no_variables, |frame| &*frame.variables);
        Scope::new(input, variables, make_context, &self.random)
    }

    /// The input of the frame at `depth` (null when there is none).
    pub(super) fn input_at(&self, depth: usize) -> &Value {
        self.stack
            .get(depth)
            .map_or(&Value::Null, |frame| &*frame.input)
    }

    pub(super) fn raw_input(&self, depth: usize) -> Rc<Value> {
        self.stack
            .get(depth)
            .map(|frame| Rc::clone(&frame.input))
            .unwrap_or_default()
    }

    pub(super) fn until(&self, nanos: i128) -> Result<i64, Raised> {
        let now_nanos = i128::from(self.clock_millis.get()) * 1_000_000;
        let delay_nanos = (nanos - now_nanos).max(0);
        if delay_nanos / 1_000_000_000 > MAX_WAIT_SECONDS as i128 {
            return Err(Raised::runtime("Wait state delay is too long."));
        }
        Ok(i64::try_from(delay_nanos / 1_000_000).unwrap_or(i64::MAX))
    }
}

pub(super) fn whole_input() -> Path {
    Path {
        root: Root::Input,
        segments: Vec::new(),
    }
}

pub(super) fn flow_to(state: &State, output: Out, delay_millis: i64) -> Flow {
    match state.next {
        Some(next) => Flow::Next {
            next,
            output,
            delay_millis,
        },
        None => Flow::End {
            output,
            delay_millis,
        },
    }
}

pub(super) fn no_choice_matched() -> Raised {
    Raised::located("States.NoChoiceMatched", "No Matches!")
}

pub(super) fn lookup_or_runtime(
    scope: &Scope<'_>,
    text: &str,
    path: &Path,
) -> Result<Value, Raised> {
    scope
        .lookup(path)
        .map(Found::into_owned)
        .map_err(|missing| Raised::runtime(format!("Invalid path '{text}' : {}", missing.message)))
}

/// A value as AWS quotes it in causes: strings bare, everything else as compact JSON.
pub(super) fn raw_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => compact(other),
    }
}

pub(super) fn as_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|float| float.fract() == 0.0 && float.abs() < 9.0e15)
                .map(|float| float as i64)
        }),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn as_float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn resolve_dynamic(
    dynamic: &Dynamic,
    field: &str,
    scope: &Scope<'_>,
    jsonata: Option<&JsonataScope<'_>>,
) -> Result<Value, Raised> {
    match dynamic {
        Dynamic::Literal(value) => Ok((**value).clone()),
        Dynamic::Path { text, path } => lookup_or_runtime(scope, text, path),
        Dynamic::Jsonata(expression) => match jsonata {
            Some(jsonata) => jsonata.expression(expression, field),
            None => Err(Raised::runtime(format!(
                "a JSONata expression for '{field}' in a JSONPath state"
            ))),
        },
    }
}

pub(super) fn seconds_to_millis(seconds: f64) -> Result<i64, Raised> {
    if seconds > MAX_WAIT_SECONDS {
        return Err(Raised::runtime("Wait state delay is too long."));
    }
    Ok((seconds.max(0.0) * 1000.0).round() as i64)
}
