//! The inspector (right): a form for every field of the selected state, per type and per query
//! language, with Retry and Catch editors and inline JSON editors validated as you type; the
//! machine's settings when nothing is selected.
//!
//! The form edits a copy and reports a finished edit ([`InspectorEdit`]); the app turns it into an
//! undoable command. Text fields commit when they lose focus (Enter, Tab, or a click elsewhere),
//! so one edit is one undo step, not one per keystroke. A JSON field that does not parse keeps its
//! text (nothing typed is lost) and shows the error under it.

use std::collections::HashMap;

use graph_model::{
    Catcher, Diagnostic, NullablePath, NumberOr, QueryLanguage, Retrier, State, StateKind,
    StateMachine, StateType,
};
use serde_json::Value;

use crate::theme::Theme;

/// A finished edit from the inspector.
#[derive(Clone, Debug, PartialEq)]
pub enum InspectorEdit {
    /// Replace the selected state with this one (same name).
    State(Box<State>),
    /// Rename the selected state.
    Rename(String),
    /// The machine's settings (Comment, TimeoutSeconds, QueryLanguage) changed.
    MachineSettings(MachineSettings),
}

/// The machine-level fields the inspector edits.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct MachineSettings {
    /// `Comment`
    pub comment: Option<String>,
    /// `TimeoutSeconds`
    pub timeout_seconds: Option<NumberOr>,
    /// `QueryLanguage`
    pub query_language: Option<QueryLanguage>,
}

impl MachineSettings {
    /// The settings of a machine.
    #[must_use]
    pub fn of(machine: &StateMachine) -> Self {
        Self {
            comment: machine.comment.clone(),
            timeout_seconds: machine.timeout_seconds.clone(),
            query_language: machine.query_language,
        }
    }

    /// Writes these settings into a machine.
    pub fn apply_to(&self, machine: &mut StateMachine) {
        machine.comment.clone_from(&self.comment);
        machine.timeout_seconds.clone_from(&self.timeout_seconds);
        machine.query_language = self.query_language;
    }
}

/// Text being typed in the inspector, by field key, kept while the field has focus (and, for
/// JSON that does not parse, until it does).
#[derive(Debug, Default)]
pub struct Inspector {
    drafts: HashMap<String, String>,
    owner: String,
    /// A field to scroll to and focus (set when a problem is clicked), as a JSON pointer suffix
    /// under the state, e.g. `/Parameters`.
    pub focus_field: Option<String>,
}

/// What the inspector shows a form for.
pub struct InspectorTarget<'a> {
    /// The selected state, if exactly one is selected.
    pub state: Option<&'a State>,
    /// The machine the state lives in (or the root when nothing is selected).
    pub machine: &'a StateMachine,
    /// The query language in force for the state (its own, else the machine's, else JSONPath).
    pub language: QueryLanguage,
    /// The JSON pointer of the state (or of the machine).
    pub pointer: String,
    /// Every diagnostic of the document.
    pub diagnostics: &'a [Diagnostic],
    /// How many states are selected (for "3 states selected").
    pub selected_count: usize,
}

struct Form<'f> {
    drafts: &'f mut HashMap<String, String>,
    diagnostics: Vec<&'f Diagnostic>,
    pointer: String,
    focus_field: Option<String>,
    error_color: egui::Color32,
}

impl Inspector {
    /// Draws the inspector for a target; returns an edit when the user finished one.
    pub fn ui(&mut self, ui: &mut egui::Ui, target: &InspectorTarget<'_>) -> Option<InspectorEdit> {
        if self.owner != target.pointer {
            // Drafts belong to the state they were typed for; a JSON draft that never parsed is
            // dropped only when the user moves to another state.
            self.drafts.clear();
            self.owner.clone_from(&target.pointer);
        }
        let diagnostics = target
            .diagnostics
            .iter()
            .filter(|d| {
                d.pointer == target.pointer
                    || d.pointer.starts_with(&format!("{}/", target.pointer))
            })
            .filter(|d| target.state.is_some() || !d.pointer.contains("/States/"))
            .collect();
        let mut form = Form {
            drafts: &mut self.drafts,
            diagnostics,
            pointer: target.pointer.clone(),
            focus_field: self.focus_field.take(),
            error_color: Theme::current(ui.ctx()).error,
        };
        let mut edit = None;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| match target.state {
                Some(state) => edit = state_form(ui, &mut form, state, target),
                None if target.selected_count > 1 => {
                    ui.heading(format!("{} states selected", target.selected_count));
                    ui.label("Select one state to edit its fields.");
                }
                None => {
                    edit = machine_form(ui, &mut form, target.machine)
                        .map(InspectorEdit::MachineSettings);
                }
            });
        edit
    }
}

fn machine_form(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    machine: &StateMachine,
) -> Option<MachineSettings> {
    ui.heading("State machine");
    let mut settings = MachineSettings::of(machine);
    let mut changed = false;
    if let Some(comment) = form.optional_text(ui, "Comment", "/Comment", machine.comment.as_deref())
    {
        settings.comment = comment;
        changed = true;
    }
    if let Some(timeout) = form.number(
        ui,
        "TimeoutSeconds",
        "/TimeoutSeconds",
        machine.timeout_seconds.as_ref(),
    ) {
        settings.timeout_seconds = timeout;
        changed = true;
    }
    let mut language = machine.query_language;
    if language_combo(
        ui,
        "QueryLanguage",
        "machine-ql",
        &mut language,
        "JSONPath (default)",
    ) {
        settings.query_language = language;
        changed = true;
    }
    form.errors(ui, "/StartAt");
    ui.label(format!(
        "StartAt: {}",
        machine.start_at.as_deref().unwrap_or("(none)")
    ));
    ui.label(format!("{} states", machine.len()));
    changed.then_some(settings)
}

fn language_combo(
    ui: &mut egui::Ui,
    label: &str,
    salt: &str,
    value: &mut Option<QueryLanguage>,
    inherit: &str,
) -> bool {
    let text = |v: Option<QueryLanguage>| v.map_or(inherit.to_owned(), |l| l.as_str().to_owned());
    let before = *value;
    egui::ComboBox::new(salt, label)
        .selected_text(text(*value))
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, inherit);
            ui.selectable_value(value, Some(QueryLanguage::JsonPath), "JSONPath");
            ui.selectable_value(value, Some(QueryLanguage::Jsonata), "JSONata");
        });
    *value != before
}

#[allow(clippy::too_many_lines)] // One form, read top to bottom like the ASL spec's field tables.
fn state_form(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    state: &State,
    target: &InspectorTarget<'_>,
) -> Option<InspectorEdit> {
    let state_type = state.state_type();
    ui.heading(state_type.map_or("Unknown type", StateType::as_str));
    let mut edited = state.clone();
    let mut changed = false;

    if let Some(name) = form.text(ui, "Name", "/__name", &state.name)
        && !name.is_empty()
    {
        return Some(InspectorEdit::Rename(name));
    }
    if let Some(comment) = form.optional_text(ui, "Comment", "/Comment", state.comment.as_deref()) {
        edited.comment = comment;
        changed = true;
    }
    let mut language = state.query_language;
    if language_combo(ui, "QueryLanguage", "state-ql", &mut language, "Inherit") {
        edited.query_language = language;
        changed = true;
    }
    let jsonata = target.language == QueryLanguage::Jsonata;

    // Type-specific fields first: they say what the state does.
    match (&state.kind, &mut edited.kind) {
        (StateKind::Task(task), StateKind::Task(out)) => {
            if let Some(v) =
                form.optional_text(ui, "Resource", "/Resource", task.resource.as_deref())
            {
                out.resource = v;
                changed = true;
            }
            if let Some(v) = form.number(
                ui,
                "TimeoutSeconds",
                "/TimeoutSeconds",
                task.timeout_seconds.as_ref(),
            ) {
                out.timeout_seconds = v;
                changed = true;
            }
            if let Some(v) = form.number(
                ui,
                "HeartbeatSeconds",
                "/HeartbeatSeconds",
                task.heartbeat_seconds.as_ref(),
            ) {
                out.heartbeat_seconds = v;
                changed = true;
            }
            if !jsonata {
                if let Some(v) = form.optional_text(
                    ui,
                    "TimeoutSecondsPath",
                    "/TimeoutSecondsPath",
                    task.timeout_seconds_path.as_deref(),
                ) {
                    out.timeout_seconds_path = v;
                    changed = true;
                }
                if let Some(v) = form.optional_text(
                    ui,
                    "HeartbeatSecondsPath",
                    "/HeartbeatSecondsPath",
                    task.heartbeat_seconds_path.as_deref(),
                ) {
                    out.heartbeat_seconds_path = v;
                    changed = true;
                }
            }
            if let Some(v) = form.json(ui, "Credentials", "/Credentials", task.credentials.as_ref())
            {
                out.credentials = v;
                changed = true;
            }
        }
        (StateKind::Pass(pass), StateKind::Pass(out)) => {
            if !jsonata && let Some(v) = form.json(ui, "Result", "/Result", pass.result.as_ref()) {
                out.result = v;
                changed = true;
            }
        }
        (StateKind::Choice(choice), StateKind::Choice(out)) => {
            let names = target
                .machine
                .state_names()
                .filter(|n| *n != state.name)
                .collect::<Vec<_>>();
            if let Some(v) = target_combo(
                ui,
                "Default",
                "choice-default",
                choice.default.as_deref(),
                &names,
            ) {
                out.default = v;
                changed = true;
            }
            form.errors(ui, "/Default");
            let rules = choice.choices.as_ref().map(|rules| {
                let mut probe = State::new("probe", StateType::Choice);
                probe.kind = StateKind::Choice(graph_model::ChoiceState {
                    choices: Some(rules.clone()),
                    default: None,
                });
                rules_value(&probe)
            });
            if let Some(v) = form.json(ui, "Choices", "/Choices", rules.flatten().as_ref()) {
                match v.map(|value| parse_rules(&value)) {
                    Some(Ok(rules)) => {
                        out.choices = Some(rules);
                        changed = true;
                    }
                    Some(Err(message)) => {
                        ui.colored_label(form.error_color, message);
                    }
                    None => {
                        out.choices = None;
                        changed = true;
                    }
                }
            }
        }
        (StateKind::Wait(wait), StateKind::Wait(out)) => {
            if let Some(v) = form.number(ui, "Seconds", "/Seconds", wait.seconds.as_ref()) {
                out.seconds = v;
                changed = true;
            }
            if let Some(v) =
                form.optional_text(ui, "Timestamp", "/Timestamp", wait.timestamp.as_deref())
            {
                out.timestamp = v;
                changed = true;
            }
            if !jsonata {
                if let Some(v) = form.optional_text(
                    ui,
                    "SecondsPath",
                    "/SecondsPath",
                    wait.seconds_path.as_deref(),
                ) {
                    out.seconds_path = v;
                    changed = true;
                }
                if let Some(v) = form.optional_text(
                    ui,
                    "TimestampPath",
                    "/TimestampPath",
                    wait.timestamp_path.as_deref(),
                ) {
                    out.timestamp_path = v;
                    changed = true;
                }
            }
        }
        (StateKind::Parallel(parallel), StateKind::Parallel(out)) => {
            let count = parallel.branches.as_ref().map_or(0, Vec::len);
            ui.label(format!("{count} branches"));
            ui.horizontal(|ui| {
                if ui.button("Add branch").clicked() {
                    let branches = out.branches.get_or_insert_with(Vec::new);
                    branches.push(single_pass(&format!("Branch {} step", branches.len() + 1)));
                    changed = true;
                }
                if count > 1 && ui.button("Remove last branch").clicked() {
                    if let Some(branches) = out.branches.as_mut() {
                        branches.pop();
                    }
                    changed = true;
                }
            });
        }
        (StateKind::Map(map), StateKind::Map(out)) => {
            if jsonata {
                if let Some(v) = form.json(ui, "Items", "/Items", map.items.as_ref()) {
                    out.items = v;
                    changed = true;
                }
            } else if let Some(v) =
                form.path(ui, "ItemsPath", "/ItemsPath", map.items_path.as_ref())
            {
                out.items_path = v;
                changed = true;
            }
            if let Some(v) = form.json(
                ui,
                "ItemSelector",
                "/ItemSelector",
                map.item_selector.as_ref(),
            ) {
                out.item_selector = v;
                changed = true;
            }
            if let Some(v) = form.number(
                ui,
                "MaxConcurrency",
                "/MaxConcurrency",
                map.max_concurrency.as_ref(),
            ) {
                out.max_concurrency = v;
                changed = true;
            }
            if let Some(v) = form.number(
                ui,
                "ToleratedFailurePercentage",
                "/ToleratedFailurePercentage",
                map.tolerated_failure_percentage.as_ref(),
            ) {
                out.tolerated_failure_percentage = v;
                changed = true;
            }
            if let Some(v) = form.number(
                ui,
                "ToleratedFailureCount",
                "/ToleratedFailureCount",
                map.tolerated_failure_count.as_ref(),
            ) {
                out.tolerated_failure_count = v;
                changed = true;
            }
            if let Some(v) = form.optional_text(ui, "Label", "/Label", map.label.as_deref()) {
                out.label = v;
                changed = true;
            }
            if let Some(v) = form.json(ui, "ItemReader", "/ItemReader", map.item_reader.as_ref()) {
                out.item_reader = v;
                changed = true;
            }
            if let Some(v) = form.json(ui, "ItemBatcher", "/ItemBatcher", map.item_batcher.as_ref())
            {
                out.item_batcher = v;
                changed = true;
            }
            if let Some(v) = form.json(
                ui,
                "ResultWriter",
                "/ResultWriter",
                map.result_writer.as_ref(),
            ) {
                out.result_writer = v;
                changed = true;
            }
        }
        (StateKind::Fail(fail), StateKind::Fail(out)) => {
            if let Some(v) = form.optional_text(ui, "Error", "/Error", fail.error.as_deref()) {
                out.error = v;
                changed = true;
            }
            if let Some(v) = form.optional_text(ui, "Cause", "/Cause", fail.cause.as_deref()) {
                out.cause = v;
                changed = true;
            }
            if !jsonata {
                if let Some(v) =
                    form.optional_text(ui, "ErrorPath", "/ErrorPath", fail.error_path.as_deref())
                {
                    out.error_path = v;
                    changed = true;
                }
                if let Some(v) =
                    form.optional_text(ui, "CausePath", "/CausePath", fail.cause_path.as_deref())
                {
                    out.cause_path = v;
                    changed = true;
                }
            }
        }
        (StateKind::Unknown | StateKind::NotAnObject(_), _) => {
            ui.label("This state has no valid Type; fix it in the code view.");
        }
        _ => {}
    }

    // Transition.
    let terminal = matches!(
        state_type,
        Some(StateType::Choice | StateType::Succeed | StateType::Fail)
    );
    if !terminal && state_type.is_some() {
        ui.separator();
        let names = target
            .machine
            .state_names()
            .filter(|n| *n != state.name)
            .collect::<Vec<_>>();
        let mut end = state.end == Some(true);
        if ui.checkbox(&mut end, "End").changed() {
            edited.end = end.then_some(true);
            if end {
                edited.next = None;
            }
            changed = true;
        }
        if !end
            && let Some(next) =
                target_combo(ui, "Next", "state-next", state.next.as_deref(), &names)
        {
            edited.next = next;
            changed = true;
        }
        form.errors(ui, "/Next");
        form.errors(ui, "/End");
    }

    // Data flow, per query language.
    let has = |types: &[StateType]| state_type.is_some_and(|t| types.contains(&t));
    use StateType as T;
    ui.separator();
    if jsonata {
        if has(&[T::Task, T::Parallel])
            && let Some(v) = form.json(ui, "Arguments", "/Arguments", state.arguments.as_ref())
        {
            edited.arguments = v;
            changed = true;
        }
        if has(&[
            T::Task,
            T::Pass,
            T::Choice,
            T::Wait,
            T::Parallel,
            T::Map,
            T::Succeed,
        ]) && let Some(v) = form.json(ui, "Output", "/Output", state.output.as_ref())
        {
            edited.output = v;
            changed = true;
        }
    } else {
        if has(&[
            T::Task,
            T::Pass,
            T::Choice,
            T::Wait,
            T::Parallel,
            T::Map,
            T::Succeed,
        ]) && let Some(v) = form.path(ui, "InputPath", "/InputPath", state.input_path.as_ref())
        {
            edited.input_path = v;
            changed = true;
        }
        if has(&[T::Task, T::Pass, T::Parallel, T::Map])
            && let Some(v) = form.json(ui, "Parameters", "/Parameters", state.parameters.as_ref())
        {
            edited.parameters = v;
            changed = true;
        }
        if has(&[T::Task, T::Parallel, T::Map])
            && let Some(v) = form.json(
                ui,
                "ResultSelector",
                "/ResultSelector",
                state.result_selector.as_ref(),
            )
        {
            edited.result_selector = v;
            changed = true;
        }
        if has(&[T::Task, T::Pass, T::Parallel, T::Map])
            && let Some(v) = form.path(ui, "ResultPath", "/ResultPath", state.result_path.as_ref())
        {
            edited.result_path = v;
            changed = true;
        }
        let shapes_output = has(&[
            T::Task,
            T::Pass,
            T::Choice,
            T::Wait,
            T::Parallel,
            T::Map,
            T::Succeed,
        ]);
        if shapes_output
            && let Some(v) = form.path(ui, "OutputPath", "/OutputPath", state.output_path.as_ref())
        {
            edited.output_path = v;
            changed = true;
        }
    }
    if has(&[T::Task, T::Pass, T::Choice, T::Wait, T::Parallel, T::Map])
        && let Some(v) = form.json(ui, "Assign", "/Assign", state.assign.as_ref())
    {
        edited.assign = v;
        changed = true;
    }

    // Error handling.
    if has(&[T::Task, T::Parallel, T::Map]) {
        ui.separator();
        if retry_editor(ui, form, state, &mut edited) {
            changed = true;
        }
        ui.separator();
        let names = target
            .machine
            .state_names()
            .filter(|n| *n != state.name)
            .collect::<Vec<_>>();
        if catch_editor(ui, form, state, &mut edited, &names, jsonata) {
            changed = true;
        }
    }
    form.remaining_errors(ui);
    changed.then_some(InspectorEdit::State(Box::new(edited)))
}

fn single_pass(name: &str) -> StateMachine {
    let mut machine = StateMachine::new();
    let mut pass = State::new(name, StateType::Pass);
    pass.end = Some(true);
    machine.insert_state(0, pass);
    machine.start_at = Some(name.to_owned());
    machine
}

/// The `Choices` array of a Choice state as JSON.
fn rules_value(choice_state: &State) -> Option<Value> {
    let mut machine = StateMachine::new();
    machine.insert_state(0, choice_state.clone());
    machine.to_value().pointer("/States/probe/Choices").cloned()
}

/// Parses a `Choices` array through the model (so it reads exactly as a document would).
fn parse_rules(value: &Value) -> Result<Vec<graph_model::ChoiceRule>, String> {
    if !value.is_array() {
        return Err("Choices must be an array of rules".to_owned());
    }
    let document = serde_json::json!({"States": {"probe": {"Type": "Choice", "Choices": value}}});
    let machine = StateMachine::from_value(&document).map_err(|e| e.to_string())?;
    match machine.state("probe").map(|s| &s.kind) {
        Some(StateKind::Choice(choice)) => Ok(choice.choices.clone().unwrap_or_default()),
        _ => Err("Choices must be an array of rule objects".to_owned()),
    }
}

/// A combo of state names for a transition; returns the new target when changed.
fn target_combo(
    ui: &mut egui::Ui,
    label: &str,
    salt: &str,
    current: Option<&str>,
    names: &[&str],
) -> Option<Option<String>> {
    let mut value = current.map(str::to_owned);
    let before = value.clone();
    egui::ComboBox::new(salt, label)
        .selected_text(value.as_deref().unwrap_or("(none)"))
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut value, None, "(none)");
            if let Some(missing) = current.filter(|c| !names.contains(c)) {
                ui.selectable_value(
                    &mut value,
                    Some(missing.to_owned()),
                    format!("{missing} (missing)"),
                );
            }
            for name in names {
                ui.selectable_value(&mut value, Some((*name).to_owned()), *name);
            }
        });
    (value != before).then_some(value)
}

fn retry_editor(ui: &mut egui::Ui, form: &mut Form<'_>, state: &State, edited: &mut State) -> bool {
    let mut changed = false;
    ui.strong("Retry");
    let retriers = state.retry.clone().unwrap_or_default();
    let mut out = retriers.clone();
    let mut remove = None;
    for (index, retrier) in retriers.iter().enumerate() {
        let n = index + 1;
        let base = format!("/Retry/{index}");
        ui.push_id(("retry", index), |ui| {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.label(format!("Retrier {n}"));
                    if ui.small_button(format!("Remove retrier {n}")).clicked() {
                        remove = Some(index);
                    }
                });
                if let Some(v) = form.error_list(
                    ui,
                    &format!("Retrier {n} ErrorEquals"),
                    &format!("{base}/ErrorEquals"),
                    retrier.error_equals.as_ref(),
                ) {
                    out[index].error_equals = v;
                    changed = true;
                }
                if let Some(v) = form.number(
                    ui,
                    &format!("Retrier {n} IntervalSeconds"),
                    &format!("{base}/IntervalSeconds"),
                    retrier.interval_seconds.as_ref(),
                ) {
                    out[index].interval_seconds = v;
                    changed = true;
                }
                if let Some(v) = form.number(
                    ui,
                    &format!("Retrier {n} MaxAttempts"),
                    &format!("{base}/MaxAttempts"),
                    retrier.max_attempts.as_ref(),
                ) {
                    out[index].max_attempts = v;
                    changed = true;
                }
                if let Some(v) = form.number(
                    ui,
                    &format!("Retrier {n} BackoffRate"),
                    &format!("{base}/BackoffRate"),
                    retrier.backoff_rate.as_ref(),
                ) {
                    out[index].backoff_rate = v;
                    changed = true;
                }
                if let Some(v) = form.number(
                    ui,
                    &format!("Retrier {n} MaxDelaySeconds"),
                    &format!("{base}/MaxDelaySeconds"),
                    retrier.max_delay_seconds.as_ref(),
                ) {
                    out[index].max_delay_seconds = v;
                    changed = true;
                }
                let mut jitter = retrier.jitter_strategy.clone();
                egui::ComboBox::new(("jitter", index), format!("Retrier {n} JitterStrategy"))
                    .selected_text(jitter.as_deref().unwrap_or("(default NONE)"))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut jitter, None, "(default NONE)");
                        ui.selectable_value(&mut jitter, Some("FULL".to_owned()), "FULL");
                        ui.selectable_value(&mut jitter, Some("NONE".to_owned()), "NONE");
                    });
                if jitter != retrier.jitter_strategy {
                    out[index].jitter_strategy = jitter;
                    changed = true;
                }
            });
        });
    }
    if let Some(index) = remove {
        out.remove(index);
        changed = true;
    }
    if ui.button("Add retrier").clicked() {
        out.push(Retrier {
            interval_seconds: Some(NumberOr::int(1)),
            max_attempts: Some(NumberOr::int(3)),
            backoff_rate: Some(NumberOr::int(2)),
            ..Retrier::for_errors(&["States.ALL"])
        });
        changed = true;
    }
    if changed {
        edited.retry = (!out.is_empty() || state.retry.is_some())
            .then_some(out)
            .filter(|o| !o.is_empty());
    }
    changed
}

fn catch_editor(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    state: &State,
    edited: &mut State,
    names: &[&str],
    jsonata: bool,
) -> bool {
    let mut changed = false;
    ui.strong("Catch");
    let catchers = state.catch.clone().unwrap_or_default();
    let mut out = catchers.clone();
    let mut remove = None;
    for (index, catcher) in catchers.iter().enumerate() {
        let n = index + 1;
        let base = format!("/Catch/{index}");
        ui.push_id(("catch", index), |ui| {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.label(format!("Catcher {n}"));
                    if ui.small_button(format!("Remove catcher {n}")).clicked() {
                        remove = Some(index);
                    }
                });
                if let Some(v) = form.error_list(
                    ui,
                    &format!("Catcher {n} ErrorEquals"),
                    &format!("{base}/ErrorEquals"),
                    catcher.error_equals.as_ref(),
                ) {
                    out[index].error_equals = v;
                    changed = true;
                }
                if let Some(v) = target_combo(
                    ui,
                    &format!("Catcher {n} Next"),
                    &format!("catch-next-{index}"),
                    catcher.next.as_deref(),
                    names,
                ) {
                    out[index].next = v;
                    changed = true;
                }
                form.errors(ui, &format!("{base}/Next"));
                if jsonata {
                    if let Some(v) = form.json(
                        ui,
                        &format!("Catcher {n} Output"),
                        &format!("{base}/Output"),
                        catcher.output.as_ref(),
                    ) {
                        out[index].output = v;
                        changed = true;
                    }
                } else if let Some(v) = form.path(
                    ui,
                    &format!("Catcher {n} ResultPath"),
                    &format!("{base}/ResultPath"),
                    catcher.result_path.as_ref(),
                ) {
                    out[index].result_path = v;
                    changed = true;
                }
                if let Some(v) = form.json(
                    ui,
                    &format!("Catcher {n} Assign"),
                    &format!("{base}/Assign"),
                    catcher.assign.as_ref(),
                ) {
                    out[index].assign = v;
                    changed = true;
                }
            });
        });
    }
    if let Some(index) = remove {
        out.remove(index);
        changed = true;
    }
    if ui.button("Add catcher").clicked() {
        let next = names.first().map_or_else(String::new, |n| (*n).to_owned());
        out.push(Catcher::for_errors(&["States.ALL"], next));
        changed = true;
    }
    if changed {
        edited.catch = Some(out).filter(|o| !o.is_empty());
    }
    changed
}

impl Form<'_> {
    fn key(&self, field: &str) -> String {
        format!("{}{field}", self.pointer)
    }

    /// Shows the diagnostics whose pointer is this field or under it.
    fn errors(&mut self, ui: &mut egui::Ui, field: &str) {
        let pointer = self.key(field);
        let nested = format!("{pointer}/");
        let (here, rest): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
            std::mem::take(&mut self.diagnostics)
                .into_iter()
                .partition(|d| d.pointer == pointer || d.pointer.starts_with(&nested));
        for diagnostic in here {
            let color = Theme::current(ui.ctx()).severity(diagnostic.severity);
            ui.colored_label(color, format!("• {}", diagnostic.message));
        }
        self.diagnostics = rest;
    }

    /// Diagnostics about the state that no field showed.
    fn remaining_errors(&mut self, ui: &mut egui::Ui) {
        if self.diagnostics.is_empty() {
            return;
        }
        ui.separator();
        for diagnostic in std::mem::take(&mut self.diagnostics) {
            let color = Theme::current(ui.ctx()).severity(diagnostic.severity);
            ui.colored_label(color, format!("• {}", diagnostic.message));
        }
    }

    /// A single-line text field that commits on losing focus. Returns the new text when it
    /// differs from `current`.
    fn text(
        &mut self,
        ui: &mut egui::Ui,
        label: &str,
        field: &str,
        current: &str,
    ) -> Option<String> {
        let key = self.key(field);
        let mut text = self
            .drafts
            .get(&key)
            .cloned()
            .unwrap_or_else(|| current.to_owned());
        let label_response = ui.label(label);
        let response = ui
            .add(egui::TextEdit::singleline(&mut text).desired_width(f32::INFINITY))
            .labelled_by(label_response.id);
        if self.focus_field.as_deref() == Some(field) {
            response.request_focus();
            response.scroll_to_me(Some(egui::Align::Center));
            self.focus_field = None;
        }
        self.errors(ui, field);
        if response.has_focus() {
            self.drafts.insert(key, text);
            None
        } else {
            self.drafts.remove(&key);
            (response.lost_focus() && text != current).then_some(text)
        }
    }

    /// A text field for an optional string: empty means absent.
    fn optional_text(
        &mut self,
        ui: &mut egui::Ui,
        label: &str,
        field: &str,
        current: Option<&str>,
    ) -> Option<Option<String>> {
        self.text(ui, label, field, current.unwrap_or_default())
            .map(|t| (!t.is_empty()).then_some(t))
    }

    /// A path field where `null` is meaningful: empty is absent, `null` is JSON null.
    fn path(
        &mut self,
        ui: &mut egui::Ui,
        label: &str,
        field: &str,
        current: Option<&NullablePath>,
    ) -> Option<Option<NullablePath>> {
        let shown = match current {
            None => String::new(),
            Some(NullablePath::Null) => "null".to_owned(),
            Some(NullablePath::Path(p)) => p.clone(),
        };
        self.text(ui, label, field, &shown).map(|t| match t.trim() {
            "" => None,
            "null" => Some(NullablePath::Null),
            _ => Some(NullablePath::Path(t)),
        })
    }

    /// A number field; text that is not a number is kept as an expression (JSONata `{% %}` or a
    /// `${...}` placeholder), which validation then judges.
    fn number(
        &mut self,
        ui: &mut egui::Ui,
        label: &str,
        field: &str,
        current: Option<&NumberOr>,
    ) -> Option<Option<NumberOr>> {
        let shown = match current {
            None => String::new(),
            Some(NumberOr::Number(n)) => n.to_string(),
            Some(NumberOr::Expr(e)) => e.clone(),
        };
        self.text(ui, label, field, &shown).map(|t| {
            let t = t.trim().to_owned();
            if t.is_empty() {
                return None;
            }
            match serde_json::from_str::<Value>(&t) {
                Ok(Value::Number(n)) => Some(NumberOr::Number(n)),
                _ => Some(NumberOr::Expr(t)),
            }
        })
    }

    /// A comma-separated list of error names (`ErrorEquals`).
    fn error_list(
        &mut self,
        ui: &mut egui::Ui,
        label: &str,
        field: &str,
        current: Option<&Vec<String>>,
    ) -> Option<Option<Vec<String>>> {
        let shown = current.map(|v| v.join(", ")).unwrap_or_default();
        self.text(ui, label, field, &shown).map(|t| {
            let items: Vec<String> = t
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            (!items.is_empty()).then_some(items)
        })
    }

    /// An inline JSON editor validated as you type. Empty text removes the field. Text that does
    /// not parse stays in the editor, with the error under it, until it parses.
    fn json(
        &mut self,
        ui: &mut egui::Ui,
        label: &str,
        field: &str,
        current: Option<&Value>,
    ) -> Option<Option<Value>> {
        let key = self.key(field);
        let current_text = current
            .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
            .unwrap_or_default();
        let mut text = self
            .drafts
            .get(&key)
            .cloned()
            .unwrap_or_else(|| current_text.clone());
        let label_response = ui.label(label);
        let rows = text.lines().count().clamp(1, 12);
        let response = ui
            .add(
                egui::TextEdit::multiline(&mut text)
                    .code_editor()
                    .desired_rows(rows)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label_response.id);
        if self.focus_field.as_deref() == Some(field) {
            response.request_focus();
            response.scroll_to_me(Some(egui::Align::Center));
            self.focus_field = None;
        }
        let parsed = if text.trim().is_empty() {
            Ok(None)
        } else {
            asl_codec::json::parse(&text, &asl_codec::json::ParseOptions::default())
                .map(|p| Some(p.value))
                .map_err(|e| e.to_string())
        };
        if let Err(message) = &parsed {
            ui.colored_label(self.error_color, format!("JSON {message}"));
        }
        self.errors(ui, field);
        match parsed {
            Ok(value) if !response.has_focus() => {
                self.drafts.remove(&key);
                (response.lost_focus() && value.as_ref() != current).then_some(value)
            }
            _ => {
                if text != current_text {
                    self.drafts.insert(key, text);
                }
                None
            }
        }
    }
}
