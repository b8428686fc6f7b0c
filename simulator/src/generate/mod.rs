//! Test suite generation: inputs and per-attempt Task mocks that cover a definition's states,
//! Choice rules, Catch handlers and Retry rules, with the expectations the simulator observed.
//!
//! The simulator is the oracle. A first case runs on `{}` with every Task returning `{}`; a path
//! the run finds missing (a ResultSelector, Parameters or Choice reading `$.x` that is not there)
//! is filled in where it comes from, found by walking the data flow backwards (OutputPath,
//! ResultPath, ResultSelector and Parameters of the states before, up to the execution input or a
//! Task's mocked result). Then, for each item not yet covered, a case that reaches its state is
//! changed to take it: a Choice rule's condition is solved over the Choice's input
//! ([`crate::solve`]) and the values are placed at their source; a Catch or Retry gets a Task that
//! throws an error it handles (inside a Parallel or Map, a Task of a branch). A changed case is
//! kept when its run covers the item. What stays uncovered is listed with the reason.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use graph_model::expr::jsonpath::{self, Path, Root, Segment, Selector};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::coverage::{self, Coverage, CoverageReport, Item};
use crate::error::DefinitionError;
use crate::mocks::{MockConfig, MockEntry, MockResponse, MockedCall, Mocks};
use crate::plan::{self, Kind, Plan};
use crate::solve;
use crate::suite::Expectation;
use crate::types::{ExecutionResult, Options, Status};

mod joint;
#[cfg(test)]
mod joint_tests;
mod loops;
mod missing;
use missing::{MATH_RANDOM_END, Missing, placeholder_for, placeholder_for_intrinsic, read_under};
mod sources;
use sources::{Encoding, Invocations, Source, apply, first_item, items_path, name_segment};
mod steps;
mod take;
use steps::Search;
pub use steps::{Generation, Progress, Step};

/// How much work generation spends on one definition.
struct Limits {
    /// Work budget of each generated run: a case that loops longer is not kept.
    transitions: u64,
    /// Rounds over the uncovered items: a case made in one round can reach states that no
    /// case reached before, whose items the next round takes on.
    rounds: usize,
    /// Missing paths filled in per case before giving up: each fill is one more run, and a
    /// case that still misses a value after this many reads one no input can provide.
    repairs: usize,
    /// Cases kept only as hosts for later rounds (they never end, so the suite leaves them out).
    hosts_only: usize,
}

const LIMITS: Limits = Limits {
    transitions: 5_000,
    rounds: 4,
    repairs: 24,
    hosts_only: 8,
};

/// An item the suite does not cover, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The item's label, e.g. `Route.Choices[2]`.
    pub item: String,
    /// Why no generated case covers it.
    pub reason: String,
}

/// A generated suite.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The Step Functions Local mock configuration, expectations under each case's `"Expect"`.
    pub config: MockConfig,
    /// Number of test cases.
    pub cases: usize,
    /// The same mocks in the shape of the TestState API: one request per Task and distinct
    /// response (`stateName`, `definition`, `input`, `mock.result` or `mock.errorOutput`,
    /// `stateConfiguration`).
    pub test_state_mocks: Value,
    /// Coverage of the generated suite.
    pub coverage: CoverageReport,
    /// Reachable items left uncovered, with reasons.
    pub gaps: Vec<Gap>,
}

/// Writes a suite for `definition` under the state machine name `machine`.
///
/// # Errors
/// The definition cannot be compiled.
pub fn generate(
    definition: &Value,
    machine: &str,
    options: &Options,
) -> Result<Generated, DefinitionError> {
    let mut generation = Generation::new(definition, machine, options)?;
    while let Step::Working(_) = generation.step() {}
    Ok(generation.finish())
}

/// A value a Choice's solution sets, with the places it can come from (nearest first).
type Routed = (Vec<Source>, Option<Value>);

/// One case under construction: the input and, per Task, its response for each invocation (the
/// last repeats).
#[derive(Debug, Clone, PartialEq)]
struct Candidate {
    input: Value,
    mocks: BTreeMap<String, Vec<MockResponse>>,
    /// Per Map state, the cause of the States.ItemReaderFailed its ItemReader raises.
    reader_errors: BTreeMap<String, String>,
}

/// What the generator knows of a state besides its compiled form.
#[derive(Debug, Clone)]
struct StateInfo {
    body: Value,
    /// The Parallel or Map state whose branch or processor holds it.
    container: Option<String>,
    /// Which branch of the Parallel holds it (0 in a Map's processor).
    branch: usize,
    is_start: bool,
    /// The states that lead to it: (name, through catcher n).
    predecessors: Vec<(String, Option<usize>)>,
}

struct Generator<'a> {
    /// Borrowed by [`generate`], owned by a generation that lives across frames.
    definition: Cow<'a, Value>,
    /// How deep the source walk is in the results of nested Parallel and Map states.
    nesting: std::cell::Cell<usize>,
    /// Why the last source walk stopped at a Map's ItemSelector, if it did.
    dead_end: std::cell::Cell<Option<String>>,
    /// The intrinsic the last step back through a Pass's Parameters went through, if any.
    step_encoding: std::cell::Cell<Option<Encoding>>,
    plan: Plan,
    states: HashMap<String, StateInfo>,
    tasks: Vec<String>,
    options: Options,
    /// The items given to each Map whose ItemReader the options do not feed (a dry run cannot read
    /// S3); every case records them in its `ItemReaderItems` so that it runs the same way.
    reader_items: BTreeMap<String, Vec<Value>>,
    empty: Coverage,
    /// Slices of runs of the definition and solves of a Choice done so far: what a step's share
    /// is counted in.
    work: std::cell::Cell<u64>,
    /// Runs no longer needed, freed a share a step.
    litter: std::cell::RefCell<Vec<ExecutionResult>>,
}

impl<'a> Generator<'a> {
    fn new(definition: Cow<'a, Value>, options: &Options) -> Result<Self, DefinitionError> {
        let plan = plan::compile(&definition)?;
        let empty = Coverage::new(&definition)?;
        let mut states = HashMap::new();
        collect_states(&definition, None, &mut states);
        let tasks = plan
            .machines
            .iter()
            .flat_map(|machine| &machine.states)
            .filter(|state| matches!(state.kind, Kind::Task { .. }))
            .map(|state| state.name.clone())
            .collect();
        let reader_items: BTreeMap<String, Vec<Value>> = states
            .iter()
            .filter(|(name, info)| {
                info.body.get("ItemReader").is_some()
                    && !options.item_reader_items.contains_key(*name)
                    && !options.item_reader_sources.contains_key(*name)
            })
            .map(|(name, _)| (name.clone(), vec![json!({})]))
            .collect();
        let mut item_reader_items = options.item_reader_items.clone();
        item_reader_items.extend(reader_items.clone());
        let options = Options {
            item_reader_items,
            record_history: true,
            record_trace: true,
            max_transitions: options.max_transitions.min(LIMITS.transitions),
            mocks: Mocks::new(),
            ..options.clone()
        };
        Ok(Self {
            definition,
            nesting: std::cell::Cell::new(0),
            step_encoding: std::cell::Cell::new(None),
            dead_end: std::cell::Cell::new(None),
            plan,
            states,
            tasks,
            options,
            reader_items,
            empty,
            work: std::cell::Cell::new(0),
            litter: std::cell::RefCell::new(Vec::new()),
        })
    }

    /// A run of `candidate`, ready to step.
    fn start_run(&self, candidate: &Candidate) -> Result<crate::Execution, DefinitionError> {
        let mut options = self.options.clone();
        options.mocks = mocks_of(candidate);
        options
            .item_reader_errors
            .extend(candidate.reader_errors.clone());
        crate::Execution::new(&self.definition, candidate.input.clone(), options)
    }

    /// Counts one slice of a run, or one solve.
    fn spend(&self) {
        self.work.set(self.work.get() + 1);
    }

    fn covers(&self, result: &ExecutionResult, item: &Item) -> bool {
        let mut probe = self.empty.clone();
        probe.record(result);
        probe.is_covered(item)
    }

    /// The first case before its repair: the input `{}` with every Task returning `{}`.
    fn base_case(&self) -> Candidate {
        Candidate {
            input: Value::Object(Map::new()),
            reader_errors: BTreeMap::new(),
            mocks: self
                .tasks
                .iter()
                .map(|task| {
                    (
                        task.clone(),
                        vec![MockResponse::Return(Value::Object(Map::new()))],
                    )
                })
                .collect(),
        }
    }

    /// The search from the first case, repaired (missing paths filled in).
    fn first_case(&self, base: Candidate, result: ExecutionResult) -> Search {
        let mut coverage = self.empty.clone();
        // Only cases that end count: one that loops forever is kept as a host only.
        if ended(&result) {
            coverage.record(&result);
        }
        Search {
            coverage,
            kept: vec![(base, result, "happy path".to_owned())],
            reasons: BTreeMap::new(),
            hosts_only: 0,
            rounds: 0,
            targets: None,
            taking: None,
            progress: false,
            extra_hosts: Vec::new(),
            over: false,
        }
    }

    /// The suite: the cases that end, their coverage, and the items left with the reasons.
    fn conclude(&self, machine: &str, search: Search) -> Generated {
        let Search {
            mut kept, reasons, ..
        } = search;
        // A case that never ends (the first one, in a polling loop) only served as a host: the
        // suite keeps the cases that end, and its coverage is theirs.
        kept.retain(|(_, result, _)| ended(result));
        let mut coverage = self.empty.clone();
        for (_, result, _) in &kept {
            coverage.record(result);
        }
        let gaps = coverage
            .uncovered()
            .into_iter()
            .map(|item| Gap {
                item: item.label(),
                reason: reasons.get(item).cloned().unwrap_or_else(|| match item {
                    _ if reasons.is_empty() && kept.is_empty() => {
                        "no generated case ends within the generation budget".to_owned()
                    }
                    Item::State { state } => format!(
                        "no generated case reaches '{state}' (see the items that lead to it)"
                    ),
                    _ => format!("no generated case reaches its state '{}'", item.state()),
                }),
            })
            .collect();
        let report = coverage.report();
        self.write(machine, &kept, report, gaps)
    }

    /// Why a changed case no longer reaches the item: the Choice where it left the host's path,
    /// when the values it was given make that Choice take another way.
    fn turned_away(&self, host: &ExecutionResult, changed: &ExecutionResult) -> Option<String> {
        let (before, after) = (
            coverage::entered_states(host),
            coverage::entered_states(changed),
        );
        let split = before
            .iter()
            .zip(&after)
            .position(|(one, other)| one != other)?;
        let choice = before.get(split.checked_sub(1)?)?;
        (self.states.get(*choice)?.body.get("Type") == Some(&json!("Choice"))).then(|| {
            format!(
                "the values found for it make the earlier Choice '{choice}' take another way, and solving that Choice again while keeping them did not lead the run there either"
            )
        })
    }

    /// The candidate with a value at the source of a missing path.
    fn fill(&self, candidate: &Candidate, missing: &Missing) -> Option<Candidate> {
        let path = jsonpath::parse(&missing.path).ok()?;
        if !path.is_definite() {
            return None;
        }
        let info = self.states.get(&missing.state)?;
        // The whole path the state reads (the error names the first member missing), and the
        // intrinsic it is given to, which decides what kind of value it needs.
        let read = ["ResultSelector", "Parameters", "ItemSelector"]
            .into_iter()
            .find_map(|field| {
                info.body
                    .get(field)
                    .and_then(|template| read_under(template, &path))
                    .map(|read| (field, read))
            });
        let placeholder = match &read {
            _ if missing.field == MATH_RANDOM_END => json!(2),
            Some((_, (_, Some(function)))) => placeholder_for_intrinsic(function),
            _ => placeholder_for(&info.body, missing),
        };
        let selector_read = read
            .as_ref()
            .filter(|(field, _)| *field == "ResultSelector")
            .map(|(_, (full, _))| full.clone());
        let path = match &read {
            Some((_, (full, _))) => full.clone(),
            None => path,
        };
        let field_is = |name: &str| {
            info.body
                .get(name)
                .and_then(Value::as_str)
                .and_then(|text| jsonpath::parse(text).ok())
                .is_some_and(|field| field == path)
        };
        let context_rest = |prefix: &[&str]| -> Option<Vec<Segment>> {
            let wanted: Vec<Segment> = prefix.iter().map(|name| name_segment(name)).collect();
            (path.root == Root::Context)
                .then(|| {
                    path.segments
                        .strip_prefix(wanted.as_slice())
                        .map(<[Segment]>::to_vec)
                })
                .flatten()
        };
        let sources = if let Some(rest) = context_rest(&["Execution", "Input"]) {
            vec![Source::Input(Path {
                root: Root::Input,
                segments: rest,
            })]
        } else if let Some(rest) = context_rest(&["Map", "Item", "Value"]) {
            let effective = first_item(&info.body, &rest)?;
            let raw = self.raw_path(&missing.state, &effective)?;
            self.sources(&missing.state, raw)
        } else if path.root != Root::Input {
            return None;
        } else if let Some(full) =
            selector_read.filter(|_| info.body.get("Type") == Some(&json!("Task")))
        {
            vec![Source::Mock(missing.state.clone(), full)]
        } else if field_is("InputPath") {
            self.sources(&missing.state, path)
        } else if field_is("OutputPath") {
            let mut found = Vec::new();
            self.step_encoding.set(None);
            if let Some((state, raw)) = self.before_output_path(&missing.state, &path, &mut found) {
                let encodings = self.step_encoding.take().into_iter().collect();
                found.extend(self.encoded_sources(&state, raw, encodings));
            }
            found
        } else {
            let raw = self.raw_path(&missing.state, &path)?;
            self.sources(&missing.state, raw)
        };
        sources.into_iter().find_map(|source| {
            let mut patched = candidate.clone();
            apply(
                &mut patched,
                &source,
                Some(placeholder.clone()),
                Invocations::All,
            );
            (patched != *candidate).then_some(patched)
        })
    }

    /// Candidates that may cover `item`, made from a kept case that reaches its state.
    fn attempts(
        &self,
        item: &Item,
        candidate: &Candidate,
        result: &ExecutionResult,
    ) -> Result<Vec<Candidate>, String> {
        match item {
            Item::ChoiceRule { state, index } => {
                self.choice_attempts(state, Some(*index), candidate, result)
            }
            Item::ChoiceDefault { state } => self.choice_attempts(state, None, candidate, result),
            Item::Catcher { state, index } => self.error_attempts(state, *index, true, candidate),
            Item::Retrier { state, index } => self.error_attempts(state, *index, false, candidate),
            Item::Processor { state } => self.processor_attempts(state, candidate),
            Item::Branch { state, index } => Err(self.branch_reason(state, *index, result)),
            Item::State { state } => Err(format!("no generated case reaches '{state}'")),
        }
    }

    fn choice_attempts(
        &self,
        state: &str,
        target: Option<usize>,
        candidate: &Candidate,
        result: &ExecutionResult,
    ) -> Result<Vec<Candidate>, String> {
        let rules = self.choice_rules(state)?;
        let entry = result
            .trace
            .iter()
            .find(|entry| entry.state == state)
            .ok_or_else(|| format!("no generated case reaches its state '{state}'"))?;
        let effective = joint::choice_input(entry);
        self.spend();
        let solutions = solve::solutions(rules, target, &effective, &candidate.input)?;
        if solutions.iter().any(Vec::is_empty) {
            // The host takes it already but never ends: a Task that always fails keeps it
            // going round; failing once lets the loop end.
            let settled = self.settled(candidate);
            if settled != *candidate {
                return Ok(vec![settled]);
            }
            if !ended(result) {
                return Err(self.never_ends(result));
            }
            return Err(
                "the condition already holds on the input it was given, yet the run went elsewhere (an earlier visit, or an error in the rule)"
                    .to_owned(),
            );
        }
        let mut attempts = Vec::new();
        let mut unrouted = None;
        for assignments in solutions {
            match self.route(state, assignments) {
                Ok(routed) => self.routed_attempts(candidate, &routed, &mut attempts),
                Err(reason) => unrouted = unrouted.or(Some(reason)),
            }
        }
        if let (true, Some(reason)) = (attempts.is_empty(), unrouted) {
            return Err(reason);
        }
        let settled_attempts: Vec<Candidate> = attempts
            .iter()
            .map(|attempt| self.settled(attempt))
            .filter(|attempt| !attempts.contains(attempt))
            .collect();
        attempts.extend(settled_attempts);
        Ok(attempts)
    }

    /// A Choice state's compiled rules.
    fn choice_rules(&self, state: &str) -> Result<&[crate::choice::ChoiceRule], String> {
        self.plan
            .machines
            .iter()
            .flat_map(|machine| &machine.states)
            .find(|compiled| compiled.name == state)
            .and_then(|compiled| match &compiled.kind {
                Kind::Choice { rules, .. } => Some(rules.as_slice()),
                _ => None,
            })
            .ok_or_else(|| format!("'{state}' is not a Choice state"))
    }

    /// The candidate with every Task that fails on each call failing only until its retries are
    /// spent (so that its catcher still runs), then returning `{}`: a loop back through it
    /// (wait, then try again) then ends.
    fn settled(&self, candidate: &Candidate) -> Candidate {
        let mut settled = candidate.clone();
        for (task, sequence) in &mut settled.mocks {
            if let Some(thrown @ MockResponse::Throw { .. }) = sequence.last().cloned() {
                let more = self.calls_until_caught(task).saturating_sub(1);
                sequence.extend(std::iter::repeat_n(thrown, more));
                sequence.push(MockResponse::Return(Value::Object(Map::new())));
            }
        }
        settled
    }

    /// Calls of a Task that fail before its catcher runs: one, and one more per retry its Retry
    /// rules allow (at most, as if each error matched them all).
    fn calls_until_caught(&self, task: &str) -> usize {
        let retries: u64 = self
            .states
            .get(task)
            .and_then(|info| info.body.get("Retry"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|retrier| {
                retrier
                    .get("MaxAttempts")
                    .and_then(Value::as_u64)
                    .unwrap_or(3)
            })
            .sum();
        usize::try_from(retries.min(24)).unwrap_or(24) + 1
    }

    /// The sources of each value a Choice's solution sets.
    fn route(
        &self,
        state: &str,
        assignments: Vec<solve::Assignment>,
    ) -> Result<Vec<Routed>, String> {
        let mut routed = Vec::new();
        for (path, value) in assignments {
            if path.root == Root::Context {
                // `$$.Execution.Input.rest`: the solver only returns such context paths.
                let rest = path.segments.get(2..).unwrap_or_default().to_vec();
                let input = Path {
                    root: Root::Input,
                    segments: rest,
                };
                routed.push((vec![Source::Input(input)], value));
                continue;
            }
            let raw = self
                .raw_path(state, &path)
                .ok_or_else(|| format!("the InputPath of '{state}' cannot be traced back"))?;
            self.dead_end.set(None);
            let sources = self.sources(state, raw);
            if sources.is_empty() {
                return Err(self.dead_end.take().unwrap_or_else(|| format!(
                    "the value at {path} of its input is computed by a state the generator cannot invert (no input or mocked result reaches it)"
                )));
            }
            routed.push((sources, value));
        }
        Ok(routed)
    }

    /// Why an iteration's input never holds `path`: its Map's ItemSelector builds it and has no
    /// such member.
    fn not_selected(&self, container: &str, path: &Path) -> Option<String> {
        let body = &self.states.get(container)?.body;
        let selector = body
            .get("ItemSelector")
            .or_else(|| body.get("Parameters"))
            .filter(|_| body.get("Type") == Some(&json!("Map")))?
            .as_object()?;
        let Some(Segment::Child(Selector::Name(first))) = path.segments.first() else {
            return None;
        };
        if selector.contains_key(first) || selector.contains_key(&format!("{first}.$")) {
            return None;
        }
        let members: Vec<&str> = selector
            .keys()
            .map(|key| key.trim_end_matches(".$"))
            .collect();
        Some(format!(
            "it reads {path}, but the ItemSelector of Map '{container}' gives each iteration only {{{}}}: no input makes that member exist",
            members.join(", ")
        ))
    }

    /// Candidates with the routed values placed: a mocked result changed for every invocation;
    /// for the first only, the later ones as before (a polling loop goes round once, then
    /// leaves as the host case did); from the second on; and the same through the other sources
    /// found.
    fn routed_attempts(
        &self,
        candidate: &Candidate,
        routed: &[Routed],
        attempts: &mut Vec<Candidate>,
    ) {
        let variants = [
            (0, Invocations::All),
            (0, Invocations::FirstThenAsBefore),
            (0, Invocations::FromSecond),
            (1, Invocations::All),
            (2, Invocations::All),
        ];
        for (variant, invocations) in variants {
            let mut attempt = candidate.clone();
            for (sources, value) in routed {
                let source = sources.get(variant).or_else(|| sources.last());
                if let Some(source) = source {
                    apply(&mut attempt, source, value.clone(), invocations);
                }
            }
            if !attempts.contains(&attempt) && attempt != *candidate {
                attempts.push(attempt);
            }
        }
    }

    fn error_attempts(
        &self,
        state: &str,
        index: usize,
        catch: bool,
        candidate: &Candidate,
    ) -> Result<Vec<Candidate>, String> {
        let body = self.body(state)?;
        let resource = body
            .get("Resource")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if body
            .get("Parameters")
            .is_some_and(|parameters| parameters.to_string().contains("\"$$.Task.Token\""))
            && !resource.ends_with(".waitForTaskToken")
            && !crate::engine::is_unresolved_placeholder(resource)
        {
            return Err(format!(
                "its Parameters read $$.Task.Token, which a Task has only with a .waitForTaskToken Resource, and its Resource {resource} is not one (an unresolved substitution: give its value with --substitutions)"
            ));
        }
        let member = if catch { "Catch" } else { "Retry" };
        let handlers = body
            .get(member)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let errors = |handler: Option<&Value>| -> Vec<String> {
            handler
                .and_then(|handler| handler.get("ErrorEquals"))
                .and_then(Value::as_array)
                .map(|names| {
                    names
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        if !catch
            && handlers
                .get(index)
                .and_then(|retrier| retrier.get("MaxAttempts"))
                .and_then(Value::as_u64)
                == Some(0)
        {
            return Err(
                "its MaxAttempts is 0: it takes the errors it names but never retries them, so no run exercises it"
                    .to_owned(),
            );
        }
        let own = errors(handlers.get(index));
        let earlier: Vec<String> = handlers
            .iter()
            .take(index)
            .flat_map(|handler| errors(Some(handler)))
            .collect();
        let throwers: Vec<String> = match body.get("Type").and_then(Value::as_str) {
            Some("Task") => vec![state.to_owned()],
            Some("Parallel" | "Map") => self.inner_tasks(state),
            _ => Vec::new(),
        };
        let mut attempts = Vec::new();
        // A Map whose ItemReader the generator feeds can be made to fail reading instead.
        if self.reader_items.contains_key(state)
            && handled(&own, "States.ItemReaderFailed")
            && !handled(&earlier, "States.ItemReaderFailed")
        {
            let mut failing = candidate.clone();
            failing.reader_errors.insert(
                state.to_owned(),
                format!("generated: States.ItemReaderFailed for {state}.{member}[{index}]"),
            );
            attempts.push(failing);
        }
        if throwers.is_empty() && attempts.is_empty() {
            let takes = |error: &str| handled(&own, error) && !handled(&earlier, error);
            return Err(self.unreached_fail(state, &takes));
        }
        for thrower in throwers.iter().take(3) {
            let inner_catch: Vec<String> = if thrower == state {
                Vec::new()
            } else {
                self.states
                    .get(thrower)
                    .and_then(|info| info.body.get("Catch"))
                    .and_then(Value::as_array)
                    .map(|catchers| {
                        catchers
                            .iter()
                            .flat_map(|catcher| errors(Some(catcher)))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let Some(error) = pick_error(&own, &earlier, &inner_catch) else {
                continue;
            };
            let thrown = MockResponse::Throw {
                error: error.clone(),
                cause: format!("generated: {error} for {state}.{member}[{index}]"),
            };
            // Fails once, then behaves as before: a retry succeeds, and a handler that leads
            // back to the Task (initialise, then try again) ends the loop.
            let mut once = candidate.clone();
            let sequence = once.mocks.entry(thrower.clone()).or_default();
            if sequence.is_empty() {
                sequence.push(MockResponse::Return(Value::Object(Map::new())));
            }
            if !catch && thrower == state {
                sequence.insert(0, thrown);
                attempts.push(once);
                continue;
            }
            let failures = self.calls_until_caught(thrower);
            sequence.splice(0..0, std::iter::repeat_n(thrown.clone(), failures));
            let mut always = candidate.clone();
            always.mocks.insert(thrower.clone(), vec![thrown]);
            attempts.push(always);
            attempts.push(once);
        }
        if attempts.is_empty() {
            return Err(format!(
                "no error name found that {state}.{member}[{index}] handles and no handler before it (or inside) does"
            ));
        }
        Ok(attempts)
    }

    /// The definition's text of a state.
    fn body(&self, state: &str) -> Result<&Value, String> {
        self.states
            .get(state)
            .map(|info| &info.body)
            .ok_or_else(|| format!("no state '{state}'"))
    }

    fn processor_attempts(
        &self,
        state: &str,
        candidate: &Candidate,
    ) -> Result<Vec<Candidate>, String> {
        let body = self.body(state)?;
        if body.get("ItemReader").is_some() {
            return Err(
                "its items come from an ItemReader (S3): the generated cases give it one empty item and do not solve item values"
                    .to_owned(),
            );
        }
        let items = items_path(body).map_err(|text| match text {
            Some(text) => format!("its ItemsPath {text} cannot be traced back"),
            None => "its items are a JSONata expression".to_owned(),
        })?;
        let raw = self
            .raw_path(state, &items)
            .ok_or_else(|| "its InputPath cannot be traced back".to_owned())?;
        let sources = self.sources(state, raw);
        if sources.is_empty() {
            return Err("its items are computed by a state the generator cannot invert".to_owned());
        }
        Ok(sources
            .iter()
            .map(|source| {
                let mut attempt = candidate.clone();
                apply(&mut attempt, source, Some(json!([{}])), Invocations::All);
                attempt
            })
            .collect())
    }

    /// The Task states inside a Parallel's branches or a Map's processor, outermost first.
    fn inner_tasks(&self, container: &str) -> Vec<String> {
        let mut inner: Vec<(&String, &StateInfo)> = self
            .states
            .iter()
            .filter(|(_, info)| {
                info.body.get("Type") == Some(&json!("Task")) && self.is_inside(info, container)
            })
            .collect();
        inner.sort_by_key(|(name, info)| (!info.is_start, (*name).clone()));
        inner.into_iter().map(|(name, _)| name.clone()).collect()
    }

    fn is_inside(&self, info: &StateInfo, container: &str) -> bool {
        let mut current = info.container.clone();
        while let Some(name) = current {
            if name == container {
                return true;
            }
            current = self
                .states
                .get(&name)
                .and_then(|outer| outer.container.clone());
        }
        false
    }

    /// The suite file and the TestState requests.
    fn write(
        &self,
        machine: &str,
        kept: &[(Candidate, ExecutionResult, String)],
        coverage: CoverageReport,
        gaps: Vec<Gap>,
    ) -> Generated {
        let mut config = MockConfig::default();
        let mut names: HashMap<String, String> = HashMap::new();
        let mut requests = Vec::new();
        let mut requested = HashSet::new();
        let width = kept.len().to_string().len().max(2);
        for (position, (candidate, result, label)) in kept.iter().enumerate() {
            let case = format!("{:0width$} {label}", position + 1);
            let entered: HashSet<&str> = coverage::entered_states(result).into_iter().collect();
            let mut case_mocks = BTreeMap::new();
            for (task, sequence) in &candidate.mocks {
                if !entered.contains(task.as_str()) || sequence.is_empty() {
                    continue;
                }
                let entries = entries_of(sequence);
                let key = format!(
                    "{task}\u{0}{}",
                    serde_json::to_string(&entries_json(&entries)).unwrap_or_default()
                );
                let name = match names.get(&key) {
                    Some(name) => name.clone(),
                    None => {
                        let count = names
                            .keys()
                            .filter(|known| known.starts_with(&format!("{task}\u{0}")))
                            .count();
                        let name = if count == 0 {
                            task.clone()
                        } else {
                            format!("{task} #{}", count + 1)
                        };
                        names.insert(key, name.clone());
                        config.responses.insert(name.clone(), entries);
                        name
                    }
                };
                case_mocks.insert(task.clone(), name);
                for (attempt, response) in sequence.iter().enumerate() {
                    let request_key = (task.clone(), format!("{response:?}"), attempt.min(1));
                    if !requested.insert(request_key) {
                        continue;
                    }
                    requests.push(self.test_state_request(&case, task, response, attempt, result));
                }
            }
            config
                .state_machines
                .entry(machine.to_owned())
                .or_default()
                .insert(case.clone(), case_mocks);
            let path: Vec<String> = coverage::entered_states(result)
                .into_iter()
                .map(str::to_owned)
                .collect();
            let expect = Expectation {
                input: Some(candidate.input.clone()),
                status: Some(result.status),
                output: result
                    .output
                    .clone()
                    .filter(|_| result.status == Status::Succeeded),
                output_contains: None,
                error: result.error.clone(),
                cause: result.cause.clone(),
                path: Some(path),
                item_reader_items: (!self.reader_items.is_empty())
                    .then(|| self.reader_items.clone()),
                item_reader_errors: (!candidate.reader_errors.is_empty())
                    .then(|| candidate.reader_errors.clone()),
            };
            config
                .expectations
                .entry(machine.to_owned())
                .or_default()
                .insert(case, expect.to_value());
        }
        Generated {
            config,
            cases: kept.len(),
            test_state_mocks: json!({ "TestStateRequests": requests }),
            coverage,
            gaps,
        }
    }

    fn test_state_request(
        &self,
        case: &str,
        task: &str,
        response: &MockResponse,
        attempt: usize,
        result: &ExecutionResult,
    ) -> Value {
        let definition = self
            .states
            .get(task)
            .map(|info| info.body.to_string())
            .unwrap_or_default();
        let input = result
            .trace
            .iter()
            .find(|entry| entry.state == task)
            .and_then(|entry| entry.stages.first())
            .map_or_else(|| "{}".to_owned(), |stage| stage.value.to_string());
        let mock = match response {
            MockResponse::Return(value) => json!({"result": value.to_string()}),
            MockResponse::Throw { error, cause } => {
                json!({"errorOutput": {"error": error, "cause": cause}})
            }
        };
        json!({
            "case": case,
            "stateName": task,
            "definition": definition,
            "input": input,
            "mock": mock,
            "stateConfiguration": {"retrierRetryCount": attempt},
        })
    }
}

/// Consecutive equal responses as one entry `"first-last"`.
fn entries_of(sequence: &[MockResponse]) -> Vec<MockEntry> {
    let mut entries: Vec<MockEntry> = Vec::new();
    for (position, response) in sequence.iter().enumerate() {
        let invocation = u32::try_from(position).unwrap_or(u32::MAX);
        match entries.last_mut() {
            Some(last) if last.call.response == *response => last.last = invocation,
            _ => entries.push(MockEntry {
                first: invocation,
                last: invocation,
                call: MockedCall {
                    response: response.clone(),
                    duration_seconds: 0.0,
                },
            }),
        }
    }
    entries
}

fn entries_json(entries: &[MockEntry]) -> Value {
    let config = MockConfig {
        responses: BTreeMap::from([("r".to_owned(), entries.to_vec())]),
        ..MockConfig::default()
    };
    config.to_value()["MockedResponses"]["r"].clone()
}

fn mocks_of(candidate: &Candidate) -> Mocks {
    let mut mocks = Mocks::new();
    for (state, sequence) in &candidate.mocks {
        for (position, response) in sequence.iter().enumerate() {
            let invocation = u32::try_from(position).unwrap_or(u32::MAX);
            mocks.insert(
                state.clone(),
                invocation..=invocation,
                response.clone(),
                0.0,
            );
        }
    }
    mocks
}

/// An error name the handler's `ErrorEquals` matches and none of `earlier` (handlers before it)
/// nor `inner` (catchers of the Task that throws it, inside a Parallel or Map) does.
fn pick_error(own: &[String], earlier: &[String], inner: &[String]) -> Option<String> {
    let mut candidates: Vec<String> = own
        .iter()
        .filter(|name| !matches!(name.as_str(), "States.ALL" | "States.TaskFailed"))
        .cloned()
        .collect();
    if own
        .iter()
        .any(|name| matches!(name.as_str(), "States.ALL" | "States.TaskFailed"))
    {
        candidates.extend(["Generated.Failure", "Generated.OtherFailure"].map(str::to_owned));
    }
    candidates
        .into_iter()
        .find(|name| !handled(earlier, name) && !handled(inner, name))
}

fn handled(names: &[String], error: &str) -> bool {
    names.iter().any(|name| match name.as_str() {
        "States.ALL" => true,
        "States.TaskFailed" => error != "States.Timeout",
        other => other == error,
    })
}

/// Whether the run ended by itself rather than on the generation's work budget.
fn ended(result: &ExecutionResult) -> bool {
    !result
        .cause
        .as_deref()
        .is_some_and(|cause| cause.contains("its work budget"))
}

/// Every state of the definition (nested ones too) with its container and predecessors.
fn collect_states(
    machine: &Value,
    container: Option<(&str, usize)>,
    states: &mut HashMap<String, StateInfo>,
) {
    let Some(body) = machine.get("States").and_then(Value::as_object) else {
        return;
    };
    let start = machine
        .get("StartAt")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut predecessors: HashMap<String, Vec<(String, Option<usize>)>> = HashMap::new();
    for (name, state) in body {
        let mut targets: Vec<(&str, Option<usize>)> = Vec::new();
        targets.extend(
            state
                .get("Next")
                .and_then(Value::as_str)
                .map(|next| (next, None)),
        );
        targets.extend(
            state
                .get("Default")
                .and_then(Value::as_str)
                .map(|next| (next, None)),
        );
        for rule in state
            .get("Choices")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            targets.extend(
                rule.get("Next")
                    .and_then(Value::as_str)
                    .map(|next| (next, None)),
            );
        }
        for (position, catcher) in state
            .get("Catch")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            targets.extend(
                catcher
                    .get("Next")
                    .and_then(Value::as_str)
                    .map(|next| (next, Some(position))),
            );
        }
        for (target, through) in targets {
            predecessors
                .entry(target.to_owned())
                .or_default()
                .push((name.clone(), through));
        }
    }
    for (name, state) in body {
        states.insert(
            name.clone(),
            StateInfo {
                body: state.clone(),
                container: container.map(|(name, _)| name.to_owned()),
                branch: container.map_or(0, |(_, branch)| branch),
                is_start: name == start,
                predecessors: predecessors.remove(name).unwrap_or_default(),
            },
        );
        for (position, branch) in state
            .get("Branches")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            collect_states(branch, Some((name, position)), states);
        }
        if let Some(processor) = state.get("ItemProcessor").or_else(|| state.get("Iterator")) {
            collect_states(processor, Some((name, 0)), states);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::{Suite, run_suite};

    fn generated(definition: &Value) -> Result<(Generated, crate::suite::SuiteOutcome), String> {
        let generated =
            generate(definition, "M", &Options::default()).map_err(|e| e.to_string())?;
        let config = MockConfig::parse(&generated.config.to_value()).map_err(|e| e.to_string())?;
        let suite = Suite::from_config(&config, None, None, None).map_err(|e| e.to_string())?;
        let outcome =
            run_suite(definition, &suite, &[], &Options::default()).map_err(|e| e.to_string())?;
        Ok((generated, outcome))
    }

    #[test]
    fn a_polling_loop_gets_its_exit_and_every_handler() -> Result<(), String> {
        let definition = json!({
            "StartAt": "Start",
            "States": {
                "Start": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "ResultSelector": {"job.$": "$.Payload.jobId"}, "ResultPath": "$.started",
                    "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 2}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
                    "Next": "Poll"},
                "Poll": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"job.$": "$.started.job"},
                    "ResultSelector": {"state.$": "$.Payload.state"}, "ResultPath": "$.status",
                    "Next": "Done?"},
                "Done?": {"Type": "Choice", "Choices": [
                    {"Variable": "$.status.state", "StringEquals": "SUCCEEDED", "Next": "Ok"},
                    {"Variable": "$.status.state", "StringMatches": "FAIL*", "Next": "Failed"},
                    {"And": [{"Variable": "$.priority", "IsPresent": true},
                             {"Variable": "$.priority", "NumericGreaterThan": 5}], "Next": "Ok"}
                ], "Default": "Wait"},
                "Wait": {"Type": "Wait", "Seconds": 10, "Next": "Poll"},
                "Ok": {"Type": "Succeed"},
                "Failed": {"Type": "Fail", "Error": "Job.Failed"}
            }
        });
        let (generated, outcome) = generated(&definition)?;
        assert_eq!(
            outcome.failed(),
            0,
            "{:?}",
            outcome
                .cases
                .iter()
                .map(|c| &c.failures)
                .collect::<Vec<_>>()
        );
        let report = generated.coverage;
        assert_eq!(
            report.states.covered, report.states.total,
            "{:?}",
            generated.gaps
        );
        assert_eq!(
            report.choice_rules.covered, report.choice_rules.total,
            "{:?}",
            generated.gaps
        );
        assert_eq!((report.catchers.covered, report.retriers.covered), (1, 1));
        // The suite's own coverage, computed again when it runs, agrees.
        assert_eq!(outcome.coverage.report(), report);
        let throws_for_the_retry = |request: &Value| {
            request["mock"]["errorOutput"]["error"] == json!("Lambda.TooManyRequestsException")
        };
        assert!(
            generated.test_state_mocks["TestStateRequests"]
                .as_array()
                .is_some_and(|requests| requests.iter().any(throws_for_the_retry))
        );
        Ok(())
    }

    #[test]
    fn a_catch_on_a_parallel_is_reached_through_a_task_of_a_branch() -> Result<(), String> {
        let definition = json!({
            "StartAt": "Both",
            "States": {
                "Both": {"Type": "Parallel", "Branches": [
                    {"StartAt": "Left", "States": {"Left": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}},
                    {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": true}}}
                ], "Catch": [{"ErrorEquals": ["Custom.Error"], "Next": "Caught"}], "End": true},
                "Caught": {"Type": "Succeed"}
            }
        });
        let (generated, outcome) = generated(&definition)?;
        assert_eq!(outcome.failed(), 0);
        assert_eq!(
            generated.coverage.catchers.covered, 1,
            "{:?}",
            generated.gaps
        );
        assert_eq!(generated.coverage.states.covered, 4);
        Ok(())
    }
}
