//! The inspector (right): a form for every field of the selected state, per type and per query
//! language, with Retry and Catch editors and inline JSON editors validated as you type; the
//! machine's settings when nothing is selected.
//!
//! The form edits a copy and reports a finished edit ([`InspectorEdit`]); the app turns it into an
//! undoable command. Text fields commit when they lose focus (Enter, Tab, or a click elsewhere),
//! so one edit is one undo step, not one per keystroke. A JSON field that does not parse keeps its
//! text (nothing typed is lost) and shows the error under it.

use std::collections::HashMap;

use egui::Ui;
use graph_model::{
    Catcher, ChoiceRule, Command, Diagnostic, MachinePath, NullablePath, NumberOr, QueryLanguage,
    Retrier, State, StateKind, StateMachine, StateType,
};
use serde_json::Value;

use crate::theme::Theme;

mod choice;
mod distributed;
mod http;
mod json_slot;

use choice::choice_rules_editor;
use distributed::distributed_map_editor;
use http::{http_task_editor, is_http_task};

/// A finished edit from the inspector.
#[derive(Clone, Debug, PartialEq)]
pub enum InspectorEdit {
    /// Replace the selected state with this one (same name).
    State(Box<State>),
    /// An edit the model has its own command for (adding or removing a catcher, retrier, Choice
    /// rule or branch), so that the undo history names it.
    Command(Box<Command>),
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
    /// Why the name typed in the Name field was refused (shown under it until the next edit).
    name_refusal: Option<String>,
}

/// What the inspector shows a form for.
pub struct InspectorTarget<'a> {
    /// The selected state, if exactly one is selected.
    pub state: Option<&'a State>,
    /// The machine the state lives in (or the root when nothing is selected).
    pub machine: &'a StateMachine,
    /// Where that machine is in the document.
    pub path: MachinePath,
    /// The query language in force for the state (its own, else the machine's, else JSONPath).
    pub language: QueryLanguage,
    /// The JSON pointer of the state (or of the machine).
    pub pointer: String,
    /// Every diagnostic of the document.
    pub diagnostics: &'a [Diagnostic],
    /// How many states are selected (for "3 states selected").
    pub selected_count: usize,
}

/// Where a group of fields sits: a field's label is the group's label and the member name
/// ("Retrier 1 MaxAttempts"), its pointer the group's pointer and the member
/// ("/Retry/0/MaxAttempts"). The state's own fields are at [`At::TOP`].
#[derive(Clone, Copy)]
struct At<'a> {
    label: &'a str,
    pointer: &'a str,
}

impl At<'_> {
    const TOP: At<'static> = At {
        label: "",
        pointer: "",
    };

    fn label(self, member: &str) -> String {
        if self.label.is_empty() {
            member.to_owned()
        } else {
            format!("{} {member}", self.label)
        }
    }

    fn field(self, member: &str) -> String {
        format!("{}/{member}", self.pointer)
    }
}

/// A field's value type, with the editor that shows it.
trait FieldValue: Sized {
    /// Shows the editor of this value; returns the new value when an edit is finished.
    fn edit(&self, form: &mut Form<'_>, ui: &mut Ui, label: &str, field: &str) -> Option<Self>;
}

impl<T: TextValue> FieldValue for Option<T> {
    fn edit(&self, form: &mut Form<'_>, ui: &mut Ui, label: &str, field: &str) -> Option<Self> {
        form.line(ui, label, field, self.as_ref())
    }
}

impl FieldValue for Option<Value> {
    fn edit(&self, form: &mut Form<'_>, ui: &mut Ui, label: &str, field: &str) -> Option<Self> {
        form.json(ui, label, field, self.as_ref())
    }
}

/// A value edited as one line of text.
trait TextValue: Sized {
    /// The text the field shows.
    fn show(&self) -> String;
    /// The value of finished text; `None` (nothing typed) removes the field.
    fn parse(text: String) -> Option<Self>;
}

/// An optional string: empty means absent.
impl TextValue for String {
    fn show(&self) -> String {
        self.clone()
    }
    fn parse(text: String) -> Option<Self> {
        (!text.is_empty()).then_some(text)
    }
}

/// A path where `null` is meaningful: empty is absent, `null` is JSON null.
impl TextValue for NullablePath {
    fn show(&self) -> String {
        match self {
            NullablePath::Null => "null".to_owned(),
            NullablePath::Path(p) => p.clone(),
        }
    }
    fn parse(text: String) -> Option<Self> {
        match text.trim() {
            "" => None,
            "null" => Some(NullablePath::Null),
            _ => Some(NullablePath::Path(text)),
        }
    }
}

/// A number; text that is not a number is kept as an expression (JSONata `{% %}` or a
/// `${...}` placeholder), which validation then judges.
impl TextValue for NumberOr {
    fn show(&self) -> String {
        match self {
            NumberOr::Number(n) => n.to_string(),
            NumberOr::Expr(e) => e.clone(),
        }
    }
    fn parse(text: String) -> Option<Self> {
        let text = text.trim().to_owned();
        if text.is_empty() {
            return None;
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Number(n)) => Some(NumberOr::Number(n)),
            _ => Some(NumberOr::Expr(text)),
        }
    }
}

/// A comma-separated list (`ErrorEquals`, `CSVHeaders`).
impl TextValue for Vec<String> {
    fn show(&self) -> String {
        self.join(", ")
    }
    fn parse(text: String) -> Option<Self> {
        let items: Vec<String> = text
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        (!items.is_empty()).then_some(items)
    }
}

/// Writes a finished edit into its slot; returns whether there was one.
fn store<T>(slot: &mut T, edit: Option<T>) -> bool {
    edit.map(|value| *slot = value).is_some()
}

struct Form<'f> {
    drafts: &'f mut HashMap<String, String>,
    name_refusal: Option<&'f str>,
    diagnostics: Vec<&'f Diagnostic>,
    pointer: String,
    focus_field: Option<String>,
    error_color: egui::Color32,
}

impl Inspector {
    /// Shows why a rename typed in the Name field was refused, under the field.
    pub fn refuse_rename(&mut self, reason: impl Into<String>) {
        self.name_refusal = Some(reason.into());
    }

    /// Draws the inspector for a target; returns an edit when the user finished one.
    pub fn ui(&mut self, ui: &mut egui::Ui, target: &InspectorTarget<'_>) -> Option<InspectorEdit> {
        if self.owner != target.pointer {
            // Drafts belong to the state they were typed for; a JSON draft that never parsed is
            // dropped only when the user moves to another state.
            self.drafts.clear();
            self.name_refusal = None;
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
            name_refusal: self.name_refusal.as_deref(),
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
        if edit.is_some() {
            self.name_refusal = None;
        }
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
    if let Some(comment) = form.line(ui, "Comment", "/Comment", machine.comment.as_ref()) {
        settings.comment = comment;
        changed = true;
    }
    if let Some(timeout) = form.line(
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
    // An add or remove in one of the lists, when the form saw one this frame.
    let mut list_edit = None;
    // What a form of JSON members did ("Add header"), named in the undo history.
    let mut step: Option<String> = None;
    let top = At::TOP;

    if let Some(name) = form.text(ui, "Name", "/__name", &state.name) {
        return Some(InspectorEdit::Rename(name));
    }
    if let Some(reason) = form.name_refusal {
        ui.colored_label(form.error_color, reason);
    }
    changed |= form.member(ui, top, "Comment", &mut edited.comment);
    let mut language = state.query_language;
    if language_combo(ui, "QueryLanguage", "state-ql", &mut language, "Inherit") {
        edited.query_language = language;
        changed = true;
    }
    let jsonata = target.language == QueryLanguage::Jsonata;
    // The states a transition of this one can go to.
    let names = target
        .machine
        .state_names()
        .filter(|n| *n != state.name)
        .collect::<Vec<_>>();

    // Type-specific fields first: they say what the state does.
    match (&state.kind, &mut edited.kind) {
        (StateKind::Task(_), StateKind::Task(out)) => {
            changed |= form.member(ui, top, "Resource", &mut out.resource);
            changed |= form.member(ui, top, "TimeoutSeconds", &mut out.timeout_seconds);
            changed |= form.member(ui, top, "HeartbeatSeconds", &mut out.heartbeat_seconds);
            if !jsonata {
                changed |=
                    form.member(ui, top, "TimeoutSecondsPath", &mut out.timeout_seconds_path);
                changed |= form.member(
                    ui,
                    top,
                    "HeartbeatSecondsPath",
                    &mut out.heartbeat_seconds_path,
                );
            }
            changed |= form.member(ui, top, "Credentials", &mut out.credentials);
        }
        (StateKind::Pass(_), StateKind::Pass(out)) if !jsonata => {
            changed |= form.member(ui, top, "Result", &mut out.result);
        }
        (StateKind::Choice(choice), StateKind::Choice(out)) => {
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
            ui.separator();
            if let Some(only) = choice_rules_editor(ui, form, choice, out, &names, jsonata) {
                list_edit = only.map(ListItemEdit::Rule);
                changed = true;
            }
        }
        (StateKind::Wait(_), StateKind::Wait(out)) => {
            changed |= form.member(ui, top, "Seconds", &mut out.seconds);
            changed |= form.member(ui, top, "Timestamp", &mut out.timestamp);
            if !jsonata {
                changed |= form.member(ui, top, "SecondsPath", &mut out.seconds_path);
                changed |= form.member(ui, top, "TimestampPath", &mut out.timestamp_path);
            }
        }
        (StateKind::Parallel(parallel), StateKind::Parallel(out)) => {
            let count = parallel.branches.as_ref().map_or(0, Vec::len);
            ui.label(format!("{count} branches"));
            ui.horizontal(|ui| {
                if ui.button("Add branch").clicked() {
                    let branches = out.branches.get_or_insert_with(Vec::new);
                    let branch = single_pass(&format!("Branch {} step", branches.len() + 1));
                    branches.push(branch.clone());
                    list_edit = Some(ListItemEdit::Branch(ItemChange::Added(branch)));
                    changed = true;
                }
                if count > 1 && ui.button("Remove last branch").clicked() {
                    if let Some(branches) = out.branches.as_mut() {
                        branches.pop();
                    }
                    list_edit = Some(ListItemEdit::Branch(ItemChange::Removed(count - 1)));
                    changed = true;
                }
            });
        }
        (StateKind::Map(_), StateKind::Map(out)) => {
            if jsonata {
                changed |= form.member(ui, top, "Items", &mut out.items);
            } else {
                changed |= form.member(ui, top, "ItemsPath", &mut out.items_path);
            }
            changed |= form.member(ui, top, "ItemSelector", &mut out.item_selector);
            let limits = [
                ("MaxConcurrency", &mut out.max_concurrency),
                (
                    "ToleratedFailurePercentage",
                    &mut out.tolerated_failure_percentage,
                ),
                ("ToleratedFailureCount", &mut out.tolerated_failure_count),
            ];
            for (member, slot) in limits {
                changed |= form.member(ui, top, member, slot);
            }
            changed |= form.member(ui, top, "Label", &mut out.label);
            let has_distributed_fields = out.item_reader.is_some()
                || out.item_batcher.is_some()
                || out.result_writer.is_some();
            if out.is_distributed() || has_distributed_fields {
                step = distributed_map_editor(ui, form, jsonata, out).or(step);
            }
            changed |= form.member(ui, top, "ItemReader", &mut out.item_reader);
            changed |= form.member(ui, top, "ItemBatcher", &mut out.item_batcher);
            changed |= form.member(ui, top, "ResultWriter", &mut out.result_writer);
        }
        (StateKind::Fail(_), StateKind::Fail(out)) => {
            let mut members = vec![("Error", &mut out.error), ("Cause", &mut out.cause)];
            if !jsonata {
                members.push(("ErrorPath", &mut out.error_path));
                members.push(("CausePath", &mut out.cause_path));
            }
            for (member, slot) in members {
                changed |= form.member(ui, top, member, slot);
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
    // Every type but Fail shapes its output (Output in JSONata, InputPath/OutputPath in JSONPath).
    if let StateKind::Task(task) = &edited.kind
        && is_http_task(task.resource.as_deref())
    {
        let (payload, field) = if jsonata {
            (&mut edited.arguments, "Arguments")
        } else {
            (&mut edited.parameters, "Parameters")
        };
        step = http_task_editor(ui, form, payload, field).or(step);
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
    ui.separator();
    if jsonata {
        if has(&[T::Task, T::Parallel]) {
            changed |= form.member(ui, top, "Arguments", &mut edited.arguments);
        }
        if shapes_output {
            changed |= form.member(ui, top, "Output", &mut edited.output);
        }
    } else {
        if shapes_output {
            changed |= form.member(ui, top, "InputPath", &mut edited.input_path);
        }
        if has(&[T::Task, T::Pass, T::Parallel, T::Map]) {
            changed |= form.member(ui, top, "Parameters", &mut edited.parameters);
        }
        if has(&[T::Task, T::Parallel, T::Map]) {
            changed |= form.member(ui, top, "ResultSelector", &mut edited.result_selector);
        }
        if has(&[T::Task, T::Pass, T::Parallel, T::Map]) {
            changed |= form.member(ui, top, "ResultPath", &mut edited.result_path);
        }
        if shapes_output {
            changed |= form.member(ui, top, "OutputPath", &mut edited.output_path);
        }
    }
    if has(&[T::Task, T::Pass, T::Choice, T::Wait, T::Parallel, T::Map]) {
        changed |= form.member(ui, top, "Assign", &mut edited.assign);
    }

    // Error handling.
    if has(&[T::Task, T::Parallel, T::Map]) {
        ui.separator();
        let retry = (&state.retry, &mut edited.retry);
        let retry_edit = ListEditor::new("Retrier", "/Retry").show_member(
            ui,
            form,
            retry,
            retrier_form,
            new_retrier,
        );
        if let Some(only) = retry_edit {
            list_edit = only.map(ListItemEdit::Retrier);
            changed = true;
        }
        ui.separator();
        let catch = (&state.catch, &mut edited.catch);
        let catch_edit = ListEditor::new("Catcher", "/Catch").show_member(
            ui,
            form,
            catch,
            catcher_form(&names, jsonata),
            || {
                let next = names.first().map_or_else(String::new, |n| (*n).to_owned());
                Catcher::for_errors(&["States.ALL"], next)
            },
        );
        if let Some(only) = catch_edit {
            list_edit = only.map(ListItemEdit::Catcher);
            changed = true;
        }
    }
    form.remaining_errors(ui);
    if !changed && step.is_none() {
        return None;
    }
    Some(match (list_edit, step) {
        (Some(list_edit), _) => list_edit.into_edit(state, edited, &target.path),
        (None, Some(step)) => InspectorEdit::Command(Box::new(Command::Batch {
            label: format!("{step} of \"{}\"", state.name),
            commands: vec![Command::ReplaceState {
                machine: target.path.clone(),
                name: state.name.clone(),
                state: edited,
            }],
        })),
        (None, None) => InspectorEdit::State(Box::new(edited)),
    })
}

/// An item added to the end of a list, or removed from it.
#[derive(Clone, Debug)]
enum ItemChange<T> {
    Added(T),
    Removed(usize),
}

/// An add or remove in one of the state's lists, which the model has a command for.
enum ListItemEdit {
    Catcher(ItemChange<Catcher>),
    Retrier(ItemChange<Retrier>),
    Rule(ItemChange<ChoiceRule>),
    Branch(ItemChange<StateMachine>),
}

/// The model's add (at the end) or remove command for an [`ItemChange`] of a state's indexed
/// list (`AddCatcher`/`RemoveCatcher`, ...); `$item` names the add command's item member.
macro_rules! indexed_list_command {
    ($change:expr, $machine:expr, $name:expr, $add:ident($item:ident), $remove:ident) => {
        match $change {
            ItemChange::Added($item) => Command::$add {
                machine: $machine,
                name: $name,
                $item,
                index: None,
            },
            ItemChange::Removed(index) => Command::$remove {
                machine: $machine,
                name: $name,
                index,
            },
        }
    };
}

impl ListItemEdit {
    /// The command for this change when it is all that changed between `state` and `edited`;
    /// otherwise (another field was finished in the same frame) the whole edited state.
    fn into_edit(self, state: &State, edited: State, path: &MachinePath) -> InspectorEdit {
        let (machine, name) = (path.clone(), state.name.clone());
        // `state` with only this list taken from `edited`.
        let mut only_list = state.clone();
        // A list member of the state itself (Retry, Catch): the command, and whether the edit
        // emptied the list.
        macro_rules! state_list {
            ($change:expr, $list:ident, $add:ident($item:ident), $remove:ident) => {{
                only_list.$list.clone_from(&edited.$list);
                let command = indexed_list_command!($change, machine, name, $add($item), $remove);
                (command, edited.$list.is_none())
            }};
        }
        let (command, emptied) = match self {
            Self::Catcher(change) => state_list!(change, catch, AddCatcher(catcher), RemoveCatcher),
            Self::Retrier(change) => state_list!(change, retry, AddRetrier(retrier), RemoveRetrier),
            Self::Rule(change) => {
                if let (StateKind::Choice(only), StateKind::Choice(out)) =
                    (&mut only_list.kind, &edited.kind)
                {
                    only.choices.clone_from(&out.choices);
                }
                let command = indexed_list_command!(
                    change,
                    machine,
                    name,
                    AddChoiceRule(rule),
                    RemoveChoiceRule
                );
                (command, false)
            }
            Self::Branch(change) => {
                if let (StateKind::Parallel(only), StateKind::Parallel(out)) =
                    (&mut only_list.kind, &edited.kind)
                {
                    only.branches.clone_from(&out.branches);
                }
                let command = match change {
                    ItemChange::Added(branch) => Command::AddBranch {
                        machine,
                        state: name,
                        branch,
                    },
                    ItemChange::Removed(index) => Command::RemoveBranch {
                        machine,
                        state: name,
                        index,
                    },
                };
                (command, false)
            }
        };
        if only_list != edited {
            return InspectorEdit::State(Box::new(edited));
        }
        if !emptied {
            return InspectorEdit::Command(Box::new(command));
        }
        // The form drops an emptied Retry or Catch member, where the remove command leaves `[]`:
        // remove, then drop the member, as one step named for the removal.
        InspectorEdit::Command(Box::new(Command::Batch {
            label: command.label(),
            commands: vec![
                command,
                Command::ReplaceState {
                    machine: path.clone(),
                    name: state.name.clone(),
                    state: edited,
                },
            ],
        }))
    }
}

fn single_pass(name: &str) -> StateMachine {
    let mut machine = StateMachine::new();
    let mut pass = State::new(name, StateType::Pass);
    pass.end = Some(true);
    machine.insert_state(0, pass);
    machine.start_at = Some(name.to_owned());
    machine
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

/// A list of items (retriers, catchers, Choice rules), where order matters: each in its own group
/// headed "Retrier 2" with Up, Down and Remove buttons, then an Add button. The buttons are
/// named for screen readers and tests ("Remove retrier 2", "Move rule 3 up").
struct ListEditor<'a> {
    /// Heading of an item, before its number ("Retrier").
    title: &'a str,
    /// The item in button names ("retrier").
    noun: String,
    /// JSON pointer of the list under the state ("/Retry").
    pointer: &'a str,
}

impl<'a> ListEditor<'a> {
    /// The list at `pointer` whose items are headed `title`.
    fn new(title: &'a str, pointer: &'a str) -> Self {
        Self {
            title,
            noun: title.to_lowercase(),
            pointer,
        }
    }

    /// Shows the list; `item_ui` edits one item (the original and its copy to change, with the
    /// item's labels and pointer) and says whether it changed it. Returns the new list when
    /// anything changed, with the item added or removed when that was the only change.
    fn show<T: Clone>(
        &self,
        ui: &mut egui::Ui,
        form: &mut Form<'_>,
        items: &[T],
        mut item_ui: impl FnMut(&mut egui::Ui, &mut Form<'_>, At<'_>, usize, &T, &mut T) -> bool,
        new_item: impl FnOnce() -> T,
    ) -> Option<(Vec<T>, Option<ItemChange<T>>)> {
        let mut out = items.to_vec();
        let mut changed = false;
        let mut only = None;
        let mut list_change = None;
        for (index, item) in items.iter().enumerate() {
            let n = index + 1;
            let label = format!("{} {n}", self.title);
            let pointer = format!("{}/{index}", self.pointer);
            let at = At {
                label: &label,
                pointer: &pointer,
            };
            ui.push_id((self.pointer, index), |ui| {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.horizontal(|ui| {
                        ui.label(&label);
                        let noun = &self.noun;
                        if index > 0 && named_button(ui, "Up", &format!("Move {noun} {n} up")) {
                            list_change = Some(ListChange::Swap(index - 1));
                        }
                        if n < items.len()
                            && named_button(ui, "Down", &format!("Move {noun} {n} down"))
                        {
                            list_change = Some(ListChange::Swap(index));
                        }
                        if named_button(ui, "Remove", &format!("Remove {noun} {n}")) {
                            list_change = Some(ListChange::Remove(index));
                        }
                    });
                    changed |= item_ui(ui, form, at, index, item, &mut out[index]);
                    form.errors(ui, &pointer);
                });
            });
        }
        let items_edited = changed;
        match list_change {
            Some(ListChange::Remove(index)) => {
                out.remove(index);
                only = (!items_edited).then_some(ItemChange::Removed(index));
                changed = true;
            }
            Some(ListChange::Swap(index)) if index + 1 < out.len() => {
                out.swap(index, index + 1);
                changed = true;
            }
            _ => {}
        }
        if ui.button(format!("Add {}", self.noun)).clicked() {
            let item = new_item();
            out.push(item.clone());
            only = (!changed).then_some(ItemChange::Added(item));
            changed = true;
        }
        changed.then_some((out, only))
    }
}

impl ListEditor<'_> {
    /// [`Self::show`] for a list member of the state (Retry, Catch), headed by its name: `list`
    /// is the member as it is and where the edited list goes, dropped when emptied. Returns,
    /// when the list changed, the item added or removed if that was all.
    fn show_member<T: Clone>(
        &self,
        ui: &mut egui::Ui,
        form: &mut Form<'_>,
        (list, out): (&Option<Vec<T>>, &mut Option<Vec<T>>),
        item_ui: impl FnMut(&mut egui::Ui, &mut Form<'_>, At<'_>, usize, &T, &mut T) -> bool,
        new_item: impl FnOnce() -> T,
    ) -> Option<Option<ItemChange<T>>> {
        ui.strong(self.pointer.trim_start_matches('/'));
        let items = list.clone().unwrap_or_default();
        let (items, only) = self.show(ui, form, &items, item_ui, new_item)?;
        *out = Some(items).filter(|items| !items.is_empty());
        Some(only)
    }
}

/// A change to the order or number of items, applied after the list is drawn.
#[derive(Clone, Copy)]
enum ListChange {
    Remove(usize),
    /// Swap the item with the next one.
    Swap(usize),
}

/// A small button with a spoken name of its own ("Remove rule 2"), since its text alone
/// ("Remove") is ambiguous.
fn named_button(ui: &mut egui::Ui, text: &str, name: &str) -> bool {
    ui.small_button(text).accessible_name(name).clicked()
}

/// One retrier's fields; returns whether one changed.
fn retrier_form(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    at: At<'_>,
    index: usize,
    retrier: &Retrier,
    out: &mut Retrier,
) -> bool {
    let mut changed = form.member(ui, at, "ErrorEquals", &mut out.error_equals);
    changed |= form.member(ui, at, "IntervalSeconds", &mut out.interval_seconds);
    changed |= form.member(ui, at, "MaxAttempts", &mut out.max_attempts);
    changed |= form.member(ui, at, "BackoffRate", &mut out.backoff_rate);
    changed |= form.member(ui, at, "MaxDelaySeconds", &mut out.max_delay_seconds);
    let mut jitter = retrier.jitter_strategy.clone();
    egui::ComboBox::new(("jitter", index), at.label("JitterStrategy"))
        .selected_text(jitter.as_deref().unwrap_or("(default NONE)"))
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut jitter, None, "(default NONE)");
            ui.selectable_value(&mut jitter, Some("FULL".to_owned()), "FULL");
            ui.selectable_value(&mut jitter, Some("NONE".to_owned()), "NONE");
        });
    changed
        | store(
            &mut out.jitter_strategy,
            (jitter != retrier.jitter_strategy).then_some(jitter),
        )
}

/// The retrier the Add button appends: every error, AWS's defaults written out.
fn new_retrier() -> Retrier {
    Retrier {
        interval_seconds: Some(NumberOr::int(1)),
        max_attempts: Some(NumberOr::int(3)),
        backoff_rate: Some(NumberOr::int(2)),
        ..Retrier::for_errors(&["States.ALL"])
    }
}

/// One catcher's fields (Next picks one of `names`); the editor says whether one changed.
fn catcher_form<'n>(
    names: &'n [&'n str],
    jsonata: bool,
) -> impl FnMut(&mut egui::Ui, &mut Form<'_>, At<'_>, usize, &Catcher, &mut Catcher) -> bool + 'n {
    move |ui, form, at, index, catcher, out| {
        let mut changed = form.member(ui, at, "ErrorEquals", &mut out.error_equals);
        changed |= store(
            &mut out.next,
            target_combo(
                ui,
                &at.label("Next"),
                &format!("catch-next-{index}"),
                catcher.next.as_deref(),
                names,
            ),
        );
        form.errors(ui, &at.field("Next"));
        if jsonata {
            changed |= form.member(ui, at, "Output", &mut out.output);
        } else {
            changed |= form.member(ui, at, "ResultPath", &mut out.result_path);
        }
        changed | form.member(ui, at, "Assign", &mut out.assign)
    }
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

    /// A one-line field for a value shown as text; empty text removes the value.
    fn line<T: TextValue>(
        &mut self,
        ui: &mut egui::Ui,
        label: &str,
        field: &str,
        current: Option<&T>,
    ) -> Option<Option<T>> {
        let shown = current.map(T::show).unwrap_or_default();
        self.text(ui, label, field, &shown).map(|t| T::parse(t))
    }

    /// Edits a member of a group in place, with the editor of its type; returns whether a
    /// finished edit was written.
    fn member<T: FieldValue>(
        &mut self,
        ui: &mut egui::Ui,
        at: At<'_>,
        member: &str,
        slot: &mut T,
    ) -> bool {
        let edit = slot.edit(self, ui, &at.label(member), &at.field(member));
        store(slot, edit)
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
