//! Workflow variables and `$states`: a variable read where some path reaches it before any
//! Assign sets it (a nested machine sees what was set before its state, except a Distributed
//! Map's child workflows, which see nothing of the outer scopes), a variable assigned and never read, `$states.result` / `$states.errorOutput`
//! read where that field does not exist, and Step Functions' own JSONata functions called with
//! the wrong number of arguments.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::facts::{ExprFacts, STEP_FUNCTIONS_FUNCTIONS, jsonata_facts, jsonpath_reads};
use crate::diagnostic::Diagnostic;
use crate::expr::jsonata::jsonata_body;
use crate::fields::{NullablePath, NumberOr};
use crate::machine::{StateMachine, Transition};
use crate::state::{Condition, QueryLanguage, State, StateKind};
use crate::validate::codes;
use crate::validate::{child, state_pointer};

/// Which `$states` fields exist where an expression is evaluated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StatesScope {
    /// Not an Assign or Output: not checked.
    Unchecked,
    /// Assign/Output of a Task, Parallel or Map: `result` exists, `errorOutput` does not.
    Result,
    /// Assign/Output of a catcher: `errorOutput` exists, `result` does not.
    ErrorOutput,
    /// Assign/Output of any other state or of a Choice rule: neither exists.
    Neither,
}

/// One expression of a state, with where it is.
struct Found {
    pointer: String,
    facts: ExprFacts,
    scope: StatesScope,
}

/// One Assign member: the variable it sets and where.
struct Assignment {
    name: String,
    pointer: String,
    state: String,
}

/// Everything the variable rules report, for the whole document.
pub(crate) fn check(root: &StateMachine, out: &mut Vec<Diagnostic>) {
    let root_ql = root.query_language.unwrap_or(QueryLanguage::JsonPath);
    let mut all_reads: HashSet<String> = HashSet::new();
    let mut assignments = Vec::new();
    check_machine(
        root,
        "",
        root_ql,
        &BTreeSet::new(),
        out,
        &mut all_reads,
        &mut assignments,
    );
    for assignment in assignments {
        if !all_reads.contains(&assignment.name) {
            out.push(
                Diagnostic::warning(
                    codes::VARIABLE_NEVER_READ,
                    assignment.pointer,
                    format!(
                        "Variable `${}` is assigned in state \"{}\" but never read anywhere in the state machine",
                        assignment.name, assignment.state
                    ),
                )
                .in_state(assignment.state),
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn check_machine(
    machine: &StateMachine,
    pointer: &str,
    root_ql: QueryLanguage,
    inherited: &BTreeSet<String>,
    out: &mut Vec<Diagnostic>,
    all_reads: &mut HashSet<String>,
    assignments: &mut Vec<Assignment>,
) {
    let entry = definitely_assigned(machine, inherited);
    for state in machine.states() {
        let ql = state.query_language.unwrap_or(root_ql);
        let jsonata = ql == QueryLanguage::Jsonata;
        let at = state_pointer(pointer, &state.name);
        let found = expressions(state, &at, jsonata);
        let assigned_on_entry = entry.get(state.name.as_str());
        let mut reported: HashSet<&str> = HashSet::new();
        for expression in &found {
            for name in &expression.facts.reads {
                all_reads.insert(name.clone());
                if let Some(Some(set)) = assigned_on_entry
                    && !set.contains(name)
                    && reported.insert(name)
                {
                    out.push(read_before_assign(state, name, &expression.pointer));
                }
            }
            states_fields(state, expression, out);
            arity(state, expression, out);
        }
        for (name, pointer) in assignment_sites(state, &at) {
            assignments.push(Assignment {
                name,
                pointer,
                state: state.name.clone(),
            });
        }
        // A nested machine sees the variables set before its state is entered; what it assigns
        // stays inside it.
        let Some(Some(set)) = assigned_on_entry else {
            for child_machine in state.children() {
                // Unreachable: still read for the never-read rule, nothing reported inside.
                collect_reads(child_machine, root_ql, all_reads);
            }
            continue;
        };
        match &state.kind {
            StateKind::Parallel(parallel) => {
                for (index, branch) in parallel.branches.iter().flatten().enumerate() {
                    let branch_pointer = format!("{at}/Branches/{index}");
                    check_machine(
                        branch,
                        &branch_pointer,
                        root_ql,
                        set,
                        out,
                        all_reads,
                        assignments,
                    );
                }
            }
            StateKind::Map(map) => {
                if let Some(processor) = &map.processor {
                    let processor_pointer = format!("{at}/{}", map.processor_field.as_str());
                    // A Distributed Map's child workflows run as executions of their own: they
                    // cannot read the variables of the scopes around them.
                    let distributed = processor.is_distributed_processor();
                    let empty = BTreeSet::new();
                    check_machine(
                        processor,
                        &processor_pointer,
                        root_ql,
                        if distributed { &empty } else { set },
                        out,
                        all_reads,
                        assignments,
                    );
                }
            }
            _ => {}
        }
    }
}

/// Reads of a machine nobody can reach, so that their variables still count as read.
fn collect_reads(machine: &StateMachine, root_ql: QueryLanguage, all_reads: &mut HashSet<String>) {
    for state in machine.states() {
        let jsonata = state.query_language.unwrap_or(root_ql) == QueryLanguage::Jsonata;
        for expression in expressions(state, "", jsonata) {
            all_reads.extend(expression.facts.reads);
        }
        for child_machine in state.children() {
            collect_reads(child_machine, root_ql, all_reads);
        }
    }
}

fn read_before_assign(state: &State, name: &str, pointer: &str) -> Diagnostic {
    Diagnostic::warning(
        codes::VARIABLE_READ_BEFORE_ASSIGN,
        pointer,
        format!(
            "State \"{}\" reads `${name}`, but some path reaches it before any Assign sets `{name}` (the read fails with States.QueryEvaluationError there)",
            state.name
        ),
    )
    .in_state(state.name.clone())
}

fn states_fields(state: &State, expression: &Found, out: &mut Vec<Diagnostic>) {
    let missing = |field: &str| match expression.scope {
        StatesScope::Unchecked => false,
        StatesScope::Result => field == "errorOutput",
        StatesScope::ErrorOutput => field == "result",
        StatesScope::Neither => field == "result" || field == "errorOutput",
    };
    let mut seen = HashSet::new();
    for field in &expression.facts.states_fields {
        if missing(field) && seen.insert(field) {
            let why = if field == "errorOutput" {
                "`$states.errorOutput` exists only in a Catch's Assign and Output"
            } else {
                "`$states.result` exists only in the Assign and Output of a Task, Parallel or Map (not in a Catch)"
            };
            out.push(
                Diagnostic::warning(
                    codes::STATES_FIELD_UNAVAILABLE,
                    expression.pointer.clone(),
                    format!(
                        "State \"{}\" reads `$states.{field}` where it does not exist: {why}",
                        state.name
                    ),
                )
                .in_state(state.name.clone()),
            );
        }
    }
}

fn arity(state: &State, expression: &Found, out: &mut Vec<Diagnostic>) {
    for (name, count) in &expression.facts.calls {
        let Some((_, min, max)) = STEP_FUNCTIONS_FUNCTIONS
            .iter()
            .find(|(known, _, _)| known == name)
        else {
            continue;
        };
        if (*min..=*max).contains(count) {
            continue;
        }
        let expected = if min == max {
            format!("{min}")
        } else {
            format!("{min} or {max}")
        };
        out.push(
            Diagnostic::warning(
                codes::JSONATA_FUNCTION_ARITY,
                expression.pointer.clone(),
                format!(
                    "State \"{}\" calls `${name}` with {count} argument{}; Step Functions' `${name}` takes {expected}",
                    state.name,
                    if *count == 1 { "" } else { "s" }
                ),
            )
            .in_state(state.name.clone()),
        );
    }
}

/// For each state reachable from `StartAt`, the variables every path to it has assigned
/// (`Some`); `None` or absent for states no path reaches. A forward must-analysis: a state's set
/// is the intersection over its incoming transitions of what holds after them.
fn definitely_assigned<'m>(
    machine: &'m StateMachine,
    inherited: &BTreeSet<String>,
) -> HashMap<&'m str, Option<BTreeSet<String>>> {
    let mut sets: HashMap<&str, Option<BTreeSet<String>>> = HashMap::new();
    let Some(start) = machine.start_at.as_deref().and_then(|s| machine.state(s)) else {
        return sets;
    };
    sets.insert(start.name.as_str(), Some(inherited.clone()));
    let mut work = vec![start.name.as_str()];
    while let Some(name) = work.pop() {
        let Some(state) = machine.state(name) else {
            continue;
        };
        let Some(Some(entry)) = sets.get(name).cloned() else {
            continue;
        };
        for (transition, target) in state.transitions() {
            let Some(target_state) = machine.state(target) else {
                continue;
            };
            let mut after = entry.clone();
            after.extend(assigned_by(state, transition));
            let slot = sets.entry(target_state.name.as_str()).or_insert(None);
            let changed = match slot {
                None => {
                    *slot = Some(after);
                    true
                }
                Some(current) => {
                    let before = current.len();
                    current.retain(|v| after.contains(v));
                    current.len() != before
                }
            };
            if changed {
                work.push(target_state.name.as_str());
            }
        }
    }
    sets
}

/// The variables a transition sets: the state's Assign for `Next` and a Choice's `Default`, the
/// rule's for a Choice rule, the catcher's for a Catch.
fn assigned_by(state: &State, transition: Transition) -> Vec<String> {
    let assign = match transition {
        Transition::Next | Transition::Default => state.assign.as_ref(),
        Transition::ChoiceRule(index) => match &state.kind {
            StateKind::Choice(choice) => choice
                .choices
                .as_ref()
                .and_then(|rules| rules.get(index))
                .and_then(|rule| rule.assign.as_ref()),
            _ => None,
        },
        Transition::Catch(index) => state
            .catch
            .as_ref()
            .and_then(|catchers| catchers.get(index))
            .and_then(|catcher| catcher.assign.as_ref()),
    };
    assign
        .and_then(Value::as_object)
        .map(|members| members.keys().map(|key| variable_name(key)).collect())
        .unwrap_or_default()
}

/// An Assign key's variable: JSONPath states write `name.$` for an evaluated value.
fn variable_name(key: &str) -> String {
    key.strip_suffix(".$").unwrap_or(key).to_owned()
}

/// Every Assign member of a state (its own, its Choice rules', its catchers'), with its pointer.
fn assignment_sites(state: &State, at: &str) -> Vec<(String, String)> {
    let mut sites = Vec::new();
    let mut add = |assign: Option<&Value>, pointer: String| {
        if let Some(members) = assign.and_then(Value::as_object) {
            for key in members.keys() {
                sites.push((variable_name(key), child(&pointer, key)));
            }
        }
    };
    add(state.assign.as_ref(), format!("{at}/Assign"));
    if let StateKind::Choice(choice) = &state.kind {
        for (index, rule) in choice.choices.iter().flatten().enumerate() {
            add(rule.assign.as_ref(), format!("{at}/Choices/{index}/Assign"));
        }
    }
    for (index, catcher) in state.catch.iter().flatten().enumerate() {
        add(
            catcher.assign.as_ref(),
            format!("{at}/Catch/{index}/Assign"),
        );
    }
    sites
}

/// Collects the expressions of one state's fields.
struct Collector {
    jsonata: bool,
    found: Vec<Found>,
}

impl Collector {
    /// A field that is one path or expression (InputPath, `*Path`, Choice `Variable`, ...).
    fn text(&mut self, text: &str, pointer: String, scope: StatesScope) {
        if !text.contains('$') {
            return;
        }
        let facts = if self.jsonata {
            match jsonata_body(text).and_then(jsonata_facts) {
                Some(facts) => facts,
                None => return,
            }
        } else {
            ExprFacts {
                reads: jsonpath_reads(text),
                ..ExprFacts::default()
            }
        };
        if facts != ExprFacts::default() {
            self.found.push(Found {
                pointer,
                facts,
                scope,
            });
        }
    }

    /// A template (Parameters, Arguments, Output, Assign, ...): JSONata strings in a JSONata
    /// state, the values of `.$` keys in a JSONPath one. With `settings`, a JSONPath member whose
    /// name ends in `Path` is a path too (ItemReader's `MaxItemsPath`, ItemBatcher's
    /// `MaxItemsPerBatchPath`, ...), as it is in these settings objects but not in a payload.
    fn walk(&mut self, value: &Value, pointer: &str, scope: StatesScope, settings: bool) {
        match value {
            Value::String(text) if self.jsonata => self.text(text, pointer.to_owned(), scope),
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.walk(item, &format!("{pointer}/{index}"), scope, settings);
                }
            }
            Value::Object(members) => {
                for (key, item) in members {
                    let at = child(pointer, key);
                    match item {
                        Value::String(text)
                            if !self.jsonata
                                && (key.ends_with(".$") || (settings && key.ends_with("Path"))) =>
                        {
                            self.text(text, at, scope);
                        }
                        // A payload nested in the settings is a payload again.
                        _ => self.walk(item, &at, scope, settings && key != "Parameters"),
                    }
                }
            }
            _ => {}
        }
    }

    fn value(&mut self, value: &Value, pointer: &str, scope: StatesScope) {
        self.walk(value, pointer, scope, false);
    }

    fn optional(&mut self, value: Option<&Value>, pointer: String, scope: StatesScope) {
        if let Some(value) = value {
            self.value(value, &pointer, scope);
        }
    }

    /// ItemReader, ItemBatcher, ResultWriter: settings objects holding `*Path` members.
    fn settings(&mut self, value: Option<&Value>, pointer: String) {
        if let Some(value) = value {
            self.walk(value, &pointer, StatesScope::Unchecked, true);
        }
    }

    fn path(&mut self, path: Option<&NullablePath>, pointer: String) {
        if let Some(NullablePath::Path(text)) = path {
            self.text(text, pointer, StatesScope::Unchecked);
        }
    }

    fn string(&mut self, text: Option<&str>, pointer: String) {
        if let Some(text) = text {
            self.text(text, pointer, StatesScope::Unchecked);
        }
    }

    fn number(&mut self, number: Option<&NumberOr>, pointer: String) {
        if let Some(NumberOr::Expr(text)) = number {
            self.text(text, pointer, StatesScope::Unchecked);
        }
    }

    fn condition(&mut self, condition: &Condition, pointer: &str) {
        match condition {
            Condition::Comparison {
                variable,
                operator,
                operand,
            } => {
                self.string(variable.as_deref(), format!("{pointer}/Variable"));
                if operator.takes_path()
                    && let Value::String(text) = operand
                {
                    self.text(
                        text,
                        format!("{pointer}/{}", operator.as_str()),
                        StatesScope::Unchecked,
                    );
                }
            }
            Condition::And(rules) | Condition::Or(rules) => {
                let field = if matches!(condition, Condition::And(_)) {
                    "And"
                } else {
                    "Or"
                };
                for (index, rule) in rules.iter().enumerate() {
                    self.condition(&rule.condition, &format!("{pointer}/{field}/{index}"));
                }
            }
            Condition::Not(rule) => self.condition(&rule.condition, &format!("{pointer}/Not")),
            Condition::Jsonata(text) => {
                self.text(text, format!("{pointer}/Condition"), StatesScope::Unchecked);
            }
            Condition::Malformed => {}
        }
    }
}

/// Every expression in a state's fields.
fn expressions(state: &State, at: &str, jsonata: bool) -> Vec<Found> {
    use StatesScope::Unchecked;
    let mut c = Collector {
        jsonata,
        found: Vec::new(),
    };
    let own = match &state.kind {
        StateKind::Task(_) | StateKind::Parallel(_) | StateKind::Map(_) => StatesScope::Result,
        _ => StatesScope::Neither,
    };
    c.path(state.input_path.as_ref(), format!("{at}/InputPath"));
    c.path(state.output_path.as_ref(), format!("{at}/OutputPath"));
    c.optional(
        state.parameters.as_ref(),
        format!("{at}/Parameters"),
        Unchecked,
    );
    c.optional(
        state.arguments.as_ref(),
        format!("{at}/Arguments"),
        Unchecked,
    );
    c.optional(
        state.result_selector.as_ref(),
        format!("{at}/ResultSelector"),
        Unchecked,
    );
    c.optional(state.output.as_ref(), format!("{at}/Output"), own);
    c.optional(state.assign.as_ref(), format!("{at}/Assign"), own);
    for (index, catcher) in state.catch.iter().flatten().enumerate() {
        let pointer = format!("{at}/Catch/{index}");
        c.optional(
            catcher.output.as_ref(),
            format!("{pointer}/Output"),
            StatesScope::ErrorOutput,
        );
        c.optional(
            catcher.assign.as_ref(),
            format!("{pointer}/Assign"),
            StatesScope::ErrorOutput,
        );
    }
    match &state.kind {
        StateKind::Task(task) => {
            c.number(
                task.timeout_seconds.as_ref(),
                format!("{at}/TimeoutSeconds"),
            );
            c.string(
                task.timeout_seconds_path.as_deref(),
                format!("{at}/TimeoutSecondsPath"),
            );
            c.number(
                task.heartbeat_seconds.as_ref(),
                format!("{at}/HeartbeatSeconds"),
            );
            c.string(
                task.heartbeat_seconds_path.as_deref(),
                format!("{at}/HeartbeatSecondsPath"),
            );
            c.optional(
                task.credentials.as_ref(),
                format!("{at}/Credentials"),
                Unchecked,
            );
        }
        StateKind::Wait(wait) => {
            c.number(wait.seconds.as_ref(), format!("{at}/Seconds"));
            c.string(wait.seconds_path.as_deref(), format!("{at}/SecondsPath"));
            c.string(wait.timestamp.as_deref(), format!("{at}/Timestamp"));
            c.string(
                wait.timestamp_path.as_deref(),
                format!("{at}/TimestampPath"),
            );
        }
        StateKind::Map(map) => {
            c.path(map.items_path.as_ref(), format!("{at}/ItemsPath"));
            c.optional(map.items.as_ref(), format!("{at}/Items"), Unchecked);
            c.optional(
                map.item_selector.as_ref(),
                format!("{at}/ItemSelector"),
                Unchecked,
            );
            c.settings(map.item_reader.as_ref(), format!("{at}/ItemReader"));
            c.settings(map.item_batcher.as_ref(), format!("{at}/ItemBatcher"));
            c.settings(map.result_writer.as_ref(), format!("{at}/ResultWriter"));
            c.number(map.max_concurrency.as_ref(), format!("{at}/MaxConcurrency"));
            c.number(
                map.tolerated_failure_count.as_ref(),
                format!("{at}/ToleratedFailureCount"),
            );
            c.number(
                map.tolerated_failure_percentage.as_ref(),
                format!("{at}/ToleratedFailurePercentage"),
            );
            for (field, value) in map.number_paths() {
                c.string(value, format!("{at}/{field}"));
            }
        }
        StateKind::Fail(fail) => {
            c.string(fail.error_path.as_deref(), format!("{at}/ErrorPath"));
            c.string(fail.cause_path.as_deref(), format!("{at}/CausePath"));
            if jsonata {
                c.string(fail.error.as_deref(), format!("{at}/Error"));
                c.string(fail.cause.as_deref(), format!("{at}/Cause"));
            }
        }
        StateKind::Choice(choice) => {
            for (index, rule) in choice.choices.iter().flatten().enumerate() {
                let pointer = format!("{at}/Choices/{index}");
                c.condition(&rule.condition, &pointer);
                c.optional(
                    rule.assign.as_ref(),
                    format!("{pointer}/Assign"),
                    StatesScope::Neither,
                );
                c.optional(
                    rule.output.as_ref(),
                    format!("{pointer}/Output"),
                    StatesScope::Neither,
                );
            }
        }
        StateKind::Parallel(_)
        | StateKind::Pass(_)
        | StateKind::Succeed
        | StateKind::Unknown
        | StateKind::NotAnObject(_) => {}
    }
    c.found
}
