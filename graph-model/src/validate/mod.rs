//! Semantic validation of an ASL document, as AWS's `ValidateStateMachineDefinition` and statelint do.
//!
//! [`validate`] walks every machine of the document (the top level, each Parallel branch, each Map
//! processor) once, so the work is linear in the size of the document. Each finding is a
//! [`Diagnostic`] whose pointer names the offending member, e.g. `/States/A/Retry/0/BackoffRate`.

mod choice;
pub(crate) mod distributed;
mod fields;
pub(crate) mod lint;
mod resumable;
mod state;
mod values;

pub use resumable::Validation;

pub use values::kind_of;

use crate::diagnostic::{Diagnostic, Severity};
use crate::hasher::FnvMap;
use crate::machine::{MachinePath, StateMachine};
use crate::state::{QueryLanguage, StateKind};

/// The diagnostic codes validation emits. AWS's own where it has one, else ours in the same style
/// (several follow asl-validator's names).
pub(crate) mod codes {
    /// A field is missing, not allowed, of the wrong type or out of range (AWS).
    pub(crate) const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";
    /// `StartAt`, `Next`, `Default` or a Catcher names a state that does not exist (AWS).
    pub(crate) const MISSING_TARGET: &str = "MISSING_TRANSITION_TARGET";
    /// No state ends the machine (AWS).
    pub(crate) const MISSING_END: &str = "MISSING_END_STATE";
    /// The same state name appears twice in the document, nested machines included (AWS).
    pub(crate) const DUPLICATE_STATE: &str = "DUPLICATE_STATE_NAME";
    /// A state name longer than AWS allows (AWS).
    pub(crate) const INVALID_STATE_NAME: &str = "INVALID_STATE_NAME";
    /// A Task `Resource` that is not a valid URI / Lambda ARN (AWS).
    pub(crate) const INVALID_RESOURCE: &str = "INVALID_RESOURCE";
    /// A state no transition leads to.
    pub(crate) const UNREACHABLE: &str = "UNREACHABLE_STATE";
    /// `End: true` together with `Next`.
    pub(crate) const TERMINAL_WITH_NEXT: &str = "TERMINAL_STATE_WITH_NEXT";
    /// A state inside a Parallel branch transitions out of its branch.
    pub(crate) const BRANCH_OUTBOUND: &str = "BRANCH_OUTBOUND_TRANSITION_TARGET";
    /// A state inside a Map processor transitions out of its processor.
    pub(crate) const MAP_OUTBOUND: &str = "MAP_OUTBOUND_TRANSITION_TARGET";
    /// Two payload-template keys collide once `.$` is stripped.
    pub(crate) const DUPLICATE_FIELD_NAME: &str = "DUPLICATE_FIELD_NAME";
    /// Both `TimeoutSeconds` and `TimeoutSecondsPath`.
    pub(crate) const TASK_TIMEOUT: &str = "TASK_TIMEOUT";
    /// Both `HeartbeatSeconds` and `HeartbeatSecondsPath`, or a heartbeat not below the timeout.
    pub(crate) const TASK_HEARTBEAT: &str = "TASK_HEARTBEAT";
    /// Both `Error` and `ErrorPath`.
    pub(crate) const FAIL_ERROR: &str = "FAIL_ERROR_PROPERTY";
    /// Both `Cause` and `CausePath`.
    pub(crate) const FAIL_CAUSE: &str = "FAIL_CAUSE_PROPERTY";
    /// Not exactly one of `Seconds`, `SecondsPath`, `Timestamp`, `TimestampPath`.
    pub(crate) const WAIT_DURATION: &str = "WAIT_DURATION";
    /// Not exactly one of `ItemProcessor`, `Iterator`.
    pub(crate) const MAP_ITEM_PROCESSOR: &str = "MAP_ITEM_PROCESSOR";
    /// Both `ItemSelector` and `Parameters`.
    pub(crate) const MAP_ITEM_SELECTOR: &str = "MAP_ITEM_SELECTOR";
    /// Both `ToleratedFailureCount`/`Percentage` and its `Path` twin.
    pub(crate) const MAP_TOLERATED_FAILURE: &str = "MAP_TOLERATED_FAILURE";
    /// Both `MaxConcurrency` and `MaxConcurrencyPath`.
    pub(crate) const MAP_MAX_CONCURRENCY: &str = "MAP_MAX_CONCURRENCY";
    /// Both `Items` and `ItemsPath`.
    pub(crate) const MAP_ITEMS: &str = "MAP_ITEMS";
    /// Warning: a payload field without `.$` whose value looks like a path or intrinsic (AWS).
    pub(crate) const NO_DOLLAR: &str = "NO_DOLLAR";
    /// Warning: a field whose value looks like a path, but whose name does not end in `Path` (AWS).
    pub(crate) const NO_PATH: &str = "NO_PATH";
    /// Warning: a Pass state's `Result` holds a path, which is never evaluated (AWS).
    pub(crate) const PASS_RESULT_IS_STATIC: &str = "PASS_RESULT_IS_STATIC";
    /// Both `MaxItems` and `MaxItemsPath` in an ItemReader's ReaderConfig.
    pub(crate) const MAP_ITEMREADER_MAXITEM: &str = "MAP_ITEMREADER_MAXITEM";
    /// Both a batch limit and its `Path` twin in an ItemBatcher.
    pub(crate) const MAP_ITEM_BATCHER: &str = "MAP_ITEM_BATCHER";
    /// Warning: a workflow variable read where some path reaches the read before any Assign sets it.
    pub(crate) const VARIABLE_READ_BEFORE_ASSIGN: &str = "VARIABLE_READ_BEFORE_ASSIGN";
    /// Warning: a workflow variable assigned and never read.
    pub(crate) const VARIABLE_NEVER_READ: &str = "VARIABLE_NEVER_READ";
    /// Warning: `$states.result` or `$states.errorOutput` read in an Assign or Output where it does
    /// not exist.
    pub(crate) const STATES_FIELD_UNAVAILABLE: &str = "STATES_FIELD_UNAVAILABLE";
    /// Warning: a Step Functions-only JSONata function called with the wrong number of arguments.
    pub(crate) const JSONATA_FUNCTION_ARITY: &str = "JSONATA_FUNCTION_ARITY";
    /// Warning: a Lambda invoke that does not retry Lambda's transient errors.
    pub(crate) const LAMBDA_RETRY: &str = "LAMBDA_RETRY";
    /// Warning: a `.waitForTaskToken` Task without HeartbeatSeconds or TimeoutSeconds.
    pub(crate) const TASK_TOKEN_TIMEOUT: &str = "TASK_TOKEN_TIMEOUT";
    /// Warning: a Distributed Map without ToleratedFailureCount/Percentage.
    pub(crate) const DISTRIBUTED_MAP_TOLERANCE: &str = "DISTRIBUTED_MAP_TOLERANCE";
    /// Warning: a Distributed Map without MaxConcurrency.
    pub(crate) const DISTRIBUTED_MAP_CONCURRENCY: &str = "DISTRIBUTED_MAP_CONCURRENCY";
}

/// The codes of the warnings [`validate`] gives beyond AWS's own three (`NO_DOLLAR`, `NO_PATH`,
/// `PASS_RESULT_IS_STATIC`); each can be turned off in `asl-studio.toml`.
pub const LINT_CODES: [&str; 8] = [
    codes::VARIABLE_READ_BEFORE_ASSIGN,
    codes::VARIABLE_NEVER_READ,
    codes::STATES_FIELD_UNAVAILABLE,
    codes::JSONATA_FUNCTION_ARITY,
    codes::LAMBDA_RETRY,
    codes::TASK_TOKEN_TIMEOUT,
    codes::DISTRIBUTED_MAP_TOLERANCE,
    codes::DISTRIBUTED_MAP_CONCURRENCY,
];

/// The pointer of member `token` of the value at `pointer` (RFC 6901 escaping of `~` and `/`).
pub(crate) fn child(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    if token.contains(['~', '/']) {
        out.push_str(&token.replace('~', "~0").replace('/', "~1"));
    } else {
        out.push_str(token);
    }
    out
}

/// Appends `token` escaped as a JSON pointer reference token.
fn push_escaped(out: &mut String, token: &str) {
    if token.contains(['~', '/']) {
        out.push_str(&token.replace('~', "~0").replace('/', "~1"));
    } else {
        out.push_str(token);
    }
}

/// The pointer of state `name` of the machine at `machine_pointer`.
pub(crate) fn state_pointer(machine_pointer: &str, name: &str) -> String {
    let mut out = String::with_capacity(machine_pointer.len() + name.len() + 8);
    out.push_str(machine_pointer);
    out.push_str("/States/");
    if name.contains(['~', '/']) {
        out.push_str(&name.replace('~', "~0").replace('/', "~1"));
    } else {
        out.push_str(name);
    }
    out
}

/// The longest state name AWS accepts.
const MAX_STATE_NAME: usize = 80;

/// Checks a whole document and returns every problem found, in document order per machine. An empty
/// list means AWS would accept the definition (as far as it can be told without calling AWS).
///
/// [`Validation`] does the same a bounded number of states at a time.
#[must_use]
pub fn validate(machine: &StateMachine) -> Vec<Diagnostic> {
    let mut validation = Validation::new();
    while !validation.step(machine, usize::MAX) {}
    validation.finish()
}

/// Every machine of the document, the top level first, then each nested one after the machine
/// that holds it (the order diagnostics come in).
fn machines_of(machine: &StateMachine) -> Vec<MachineInfo<'_>> {
    let root_ql = machine.query_language.unwrap_or(QueryLanguage::JsonPath);
    let mut machines = Vec::new();
    collect(
        machine,
        (MachinePath::root(), String::new()),
        Scope::Root,
        root_ql,
        &mut machines,
    );
    machines
}

/// Where each state name is first declared (the index of its machine); with a sink, reports
/// every name declared again.
fn declared_names<'m>(
    machines: &[MachineInfo<'m>],
    mut sink: Option<&mut Sink<'m>>,
) -> FnvMap<String, usize> {
    let mut declared: FnvMap<String, usize> = FnvMap::default();
    declared.reserve(machines.iter().map(|info| info.machine.len()).sum());
    for (id, info) in machines.iter().enumerate() {
        for name in info.machine.state_names() {
            if let Some(&first) = declared.get(name) {
                let Some(sink) = sink.as_deref_mut() else {
                    continue;
                };
                let first_pointer = &machines[first].pointer;
                sink.state = Some(name);
                sink.error(
                    codes::DUPLICATE_STATE,
                    &info.state_pointer(name),
                    format!(
                        "State name \"{name}\" is already used at {}/States; names must be unique across the whole state machine, nested machines included",
                        if first_pointer.is_empty() { "" } else { first_pointer.as_str() }
                    ),
                );
            } else {
                declared.insert(name.to_owned(), id);
            }
        }
    }
    declared
}

/// A Map's `Label` must be unique within the state machine definition (AWS's Distributed Map
/// reference): the Map Run is named after it.
fn check_labels_unique<'m>(sink: &mut Sink<'m>, machines: &[MachineInfo<'m>]) {
    let mut seen: FnvMap<&str, &str> = FnvMap::default();
    for info in machines {
        for state in info.machine.states() {
            let StateKind::Map(map) = &state.kind else {
                continue;
            };
            let Some(label) = map.label.as_deref() else {
                continue;
            };
            if let Some(first) = seen.insert(label, &state.name) {
                sink.state = Some(&state.name);
                sink.error(
                    codes::SCHEMA,
                    &format!("{}/Label", info.state_pointer(&state.name)),
                    format!(
                        "Label \"{label}\" of Map state \"{}\" is already the label of \"{first}\"; labels must be unique in the state machine",
                        state.name
                    ),
                );
            }
        }
    }
    sink.state = None;
}

/// Where a machine sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    Root,
    Branch,
    Processor,
}

/// One machine of the document with what is known about its place.
pub(crate) struct MachineInfo<'m> {
    pub(crate) machine: &'m StateMachine,
    /// JSON pointer of the machine object.
    pub(crate) pointer: String,
    pub(crate) scope: Scope,
    /// The query language its states inherit.
    pub(crate) ql: QueryLanguage,
    /// Where it is in the document (how [`Validation`] finds it again at its next step).
    pub(crate) path: MachinePath,
}

impl MachineInfo<'_> {
    pub(crate) fn state_pointer(&self, name: &str) -> String {
        state_pointer(&self.pointer, name)
    }
}

fn collect<'m>(
    machine: &'m StateMachine,
    (path, pointer): (MachinePath, String),
    scope: Scope,
    ql: QueryLanguage,
    out: &mut Vec<MachineInfo<'m>>,
) {
    let mut nested = Vec::new();
    for state in machine.states() {
        // A state without QueryLanguage uses the top-level one, also inside a Map or Parallel whose
        // own QueryLanguage differs (AWS and CDK documentation: "it will use the query language
        // specified in the top-level queryLanguage field").
        let state_ql = ql;
        if !matches!(state.kind, StateKind::Parallel(_) | StateKind::Map(_)) {
            continue;
        }
        let state_pointer = state_pointer(&pointer, &state.name);
        match &state.kind {
            StateKind::Parallel(p) => {
                for (index, branch) in p.branches.iter().flatten().enumerate() {
                    nested.push((
                        branch,
                        path.branch(&state.name, index),
                        format!("{state_pointer}/Branches/{index}"),
                        Scope::Branch,
                        state_ql,
                    ));
                }
            }
            StateKind::Map(m) => {
                if let Some(processor) = &m.processor {
                    nested.push((
                        processor.as_ref(),
                        path.processor(&state.name),
                        format!("{state_pointer}/{}", m.processor_field.as_str()),
                        Scope::Processor,
                        state_ql,
                    ));
                }
            }
            _ => {}
        }
    }
    out.push(MachineInfo {
        machine,
        pointer,
        scope,
        ql,
        path,
    });
    for (child, child_path, child_pointer, child_scope, child_ql) in nested {
        collect(
            child,
            (child_path, child_pointer),
            child_scope,
            child_ql,
            out,
        );
    }
}

/// Collects diagnostics, tagging each with the state being checked.
#[derive(Default)]
pub(crate) struct Sink<'m> {
    pub(crate) out: Vec<Diagnostic>,
    pub(crate) state: Option<&'m str>,
}

impl Sink<'_> {
    pub(crate) fn error(&mut self, code: &str, pointer: &str, message: impl Into<String>) {
        self.push(code, Severity::Error, pointer, message.into());
    }

    pub(crate) fn warning(&mut self, code: &str, pointer: &str, message: impl Into<String>) {
        self.push(code, Severity::Warning, pointer, message.into());
    }

    fn push(&mut self, code: &str, severity: Severity, pointer: &str, message: String) {
        self.out.push(Diagnostic {
            code: code.to_owned(),
            severity,
            message,
            state: self.state.map(str::to_owned),
            pointer: pointer.to_owned(),
        });
    }
}

/// What a transition's target check needs to know about the document.
pub(crate) struct Targets<'a, 'm> {
    pub(crate) info: &'a MachineInfo<'m>,
    pub(crate) declared: &'a FnvMap<String, usize>,
}

impl Targets<'_, '_> {
    /// Reports a transition (`Next`, `Default`, a rule's or a catcher's `Next`) whose target is not a
    /// state of this machine.
    ///
    /// `pointer` and `from` (what the transition is called in messages) are built only on failure:
    /// this runs for every transition of the document.
    pub(crate) fn check(
        &self,
        sink: &mut Sink<'_>,
        target: &str,
        pointer: impl FnOnce() -> String,
        from: impl FnOnce() -> String,
    ) {
        if self.info.machine.contains(target) {
            return;
        }
        let (pointer, from) = (pointer(), from());
        let elsewhere = self.declared.contains_key(target);
        let (code, message) = match (self.info.scope, elsewhere) {
            (Scope::Branch, true) => (
                codes::BRANCH_OUTBOUND,
                format!(
                    "{from} of state \"{}\" names \"{target}\", which is outside this Parallel branch; a branch can only transition to its own states",
                    sink.state.unwrap_or_default()
                ),
            ),
            (Scope::Processor, true) => (
                codes::MAP_OUTBOUND,
                format!(
                    "{from} of state \"{}\" names \"{target}\", which is outside this Map processor; a processor can only transition to its own states",
                    sink.state.unwrap_or_default()
                ),
            ),
            (Scope::Root, true) => (
                codes::MISSING_TARGET,
                format!(
                    "{from} of state \"{}\" names \"{target}\", which is inside a nested machine (Parallel branch or Map processor) and cannot be entered from here",
                    sink.state.unwrap_or_default()
                ),
            ),
            (_, false) => (
                codes::MISSING_TARGET,
                format!(
                    "{from} of state \"{}\" names \"{target}\", but no state has that name",
                    sink.state.unwrap_or_default()
                ),
            ),
        };
        sink.error(code, &pointer, message);
    }
}

/// The machine-wide checks that come before its states (its own fields, `StartAt`, `States`).
/// `None` when it has no states to check; else whether `StartAt` names one of them.
fn check_machine_head<'m>(
    sink: &mut Sink<'m>,
    info: &MachineInfo<'m>,
    declared: &FnvMap<String, usize>,
) -> Option<bool> {
    let machine = info.machine;
    let at = |field: &str| format!("{}/{field}", info.pointer);
    sink.state = None;
    fields::check_machine_fields(sink, info);

    let mut start_ok = false;
    match &machine.start_at {
        Some(start) if machine.contains(start) => start_ok = true,
        Some(start) => {
            let targets = Targets { info, declared };
            targets.check(sink, start, || at("StartAt"), || "StartAt".to_owned());
            // `Targets::check` names a state; StartAt has none, so say it plainly.
            if let Some(last) = sink.out.last_mut() {
                last.message = format!(
                    "StartAt names \"{start}\", but this machine has no state of that name"
                );
            }
        }
        None if machine.extras.contains("StartAt") => {}
        None => sink.error(
            codes::SCHEMA,
            &info.pointer,
            "The field \"StartAt\" is required but missing",
        ),
    }
    if !machine.has_states_object() {
        if !machine.extras.contains("States") {
            sink.error(
                codes::SCHEMA,
                &info.pointer,
                "The field \"States\" is required but missing",
            );
        }
        return None;
    }
    if machine.is_empty() {
        sink.error(
            codes::SCHEMA,
            &at("States"),
            "\"States\" must contain at least one state",
        );
        return None;
    }
    Some(start_ok)
}

/// Checks the states of a machine from the `skip`th, at most `count` of them; returns whether
/// any of them ends the machine.
fn check_machine_states<'m>(
    sink: &mut Sink<'m>,
    info: &MachineInfo<'m>,
    root_ql: QueryLanguage,
    declared: &FnvMap<String, usize>,
    (skip, count): (usize, usize),
) -> bool {
    let targets = Targets { info, declared };
    let mut has_terminal = false;
    // One buffer for every state's pointer: most states need it only to pass it on.
    let mut pointer = String::new();
    for state in info.machine.states().skip(skip).take(count) {
        sink.state = Some(&state.name);
        pointer.clear();
        pointer.push_str(&info.pointer);
        pointer.push_str("/States/");
        push_escaped(&mut pointer, &state.name);
        let pointer = pointer.as_str();
        if state.name.chars().count() > MAX_STATE_NAME {
            sink.error(
                codes::INVALID_STATE_NAME,
                pointer,
                format!(
                    "State name \"{}\" is {} characters long; AWS allows at most {MAX_STATE_NAME}",
                    state.name,
                    state.name.chars().count()
                ),
            );
        }
        if state.end == Some(true) || matches!(state.kind, StateKind::Succeed | StateKind::Fail(_))
        {
            has_terminal = true;
        }
        state::check_state(sink, info, state, pointer, root_ql, &targets);
    }
    sink.state = None;
    has_terminal
}

/// The machine-wide checks that need every state seen: a terminal state, reachability.
fn check_machine_tail<'m>(
    sink: &mut Sink<'m>,
    info: &MachineInfo<'m>,
    has_terminal: bool,
    start_ok: bool,
) {
    let machine = info.machine;
    sink.state = None;
    if !has_terminal {
        sink.error(
            codes::MISSING_END,
            &format!("{}/States", info.pointer),
            "No terminal state: at least one state must have \"End\": true or be a Succeed or Fail state",
        );
    }
    if start_ok {
        let reachable = machine.reachable_mask();
        for (node, state) in machine.nodes_and_states() {
            let reached = reachable.get(node.index()).copied().unwrap_or(false);
            let not_an_object = matches!(state.kind, StateKind::NotAnObject(_));
            if !not_an_object && !reached {
                sink.state = Some(&state.name);
                sink.error(
                    codes::UNREACHABLE,
                    &info.state_pointer(&state.name),
                    format!(
                        "State \"{}\" is not reachable: no transition from StartAt leads to it",
                        state.name
                    ),
                );
            }
        }
        sink.state = None;
    }
}
