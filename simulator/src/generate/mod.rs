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

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use graph_model::expr::jsonpath::{self, Path, Root, Segment, Selector};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::coverage::{self, Coverage, CoverageReport, Item};
use crate::error::DefinitionError;
use crate::mocks::{MockConfig, MockEntry, MockResponse, MockedCall, Mocks};
use crate::plan::{self, Kind, Plan};
use crate::solve::{self, place};
use crate::suite::Expectation;
use crate::types::{ExecutionResult, Options, Status};

mod missing;
use missing::{Missing, missing_path, placeholder_for, placeholder_for_intrinsic, read_under};

/// Work budget of each generated run: a case that loops longer is not kept.
const GENERATION_BUDGET: u64 = 5_000;
/// Rounds over the uncovered items: a case made in one round can reach states that no case
/// reached before, whose items the next round takes on.
const ROUNDS: usize = 4;
/// Missing paths filled in per case before giving up: each fill is one more run, and a case
/// that still misses a value after this many reads one no input can provide.
const REPAIRS: usize = 24;
/// Cases kept only as hosts for later rounds (they never end, so the suite leaves them out).
const MAX_HOSTS_ONLY: usize = 8;

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
    let generator = Generator::new(definition, options)?;
    Ok(generator.run(machine))
}

/// One case under construction: the input and, per Task, its response for each invocation (the
/// last repeats).
#[derive(Debug, Clone, PartialEq)]
struct Candidate {
    input: Value,
    mocks: BTreeMap<String, Vec<MockResponse>>,
}

/// Where a value of a state's input comes from.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    /// The execution input, at this path.
    Input(Path),
    /// A Task's mocked result, at this path.
    Mock(String, Path),
    /// What an intrinsic of a ResultSelector computes from a source: the source gets the value
    /// that makes the intrinsic give the wanted one.
    Encoded(Box<Source>, Encoding),
}

/// How an intrinsic turns its argument into the value a state reads.
#[derive(Debug, Clone, PartialEq)]
enum Encoding {
    /// `States.StringToJson`: the argument is the JSON text of a document, read at these segments.
    JsonText(Vec<Segment>),
    /// `States.JsonToString`: the argument is the value whose JSON text is read.
    JsonOf,
    /// `States.ArrayLength`: the argument is an array of the wanted length.
    Length,
    /// `States.MathAdd(path, step)`: the argument is the wanted number less the step.
    Plus(f64),
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
    definition: &'a Value,
    /// How deep the source walk is in the results of nested Parallel and Map states.
    nesting: std::cell::Cell<usize>,
    /// The intrinsic the last step back through a Pass's Parameters went through, if any.
    step_encoding: std::cell::Cell<Option<Encoding>>,
    plan: Plan,
    states: HashMap<String, StateInfo>,
    tasks: Vec<String>,
    options: Options,
    empty: Coverage,
}

impl<'a> Generator<'a> {
    fn new(definition: &'a Value, options: &Options) -> Result<Self, DefinitionError> {
        let plan = plan::compile(definition)?;
        let empty = Coverage::new(definition)?;
        let mut states = HashMap::new();
        collect_states(definition, None, &mut states);
        let tasks = plan
            .machines
            .iter()
            .flat_map(|machine| &machine.states)
            .filter(|state| matches!(state.kind, Kind::Task { .. }))
            .map(|state| state.name.clone())
            .collect();
        let options = Options {
            record_history: true,
            record_trace: true,
            max_transitions: options.max_transitions.min(GENERATION_BUDGET),
            mocks: Mocks::new(),
            ..options.clone()
        };
        Ok(Self {
            definition,
            nesting: std::cell::Cell::new(0),
            step_encoding: std::cell::Cell::new(None),
            plan,
            states,
            tasks,
            options,
            empty,
        })
    }

    fn execute(&self, candidate: &Candidate) -> ExecutionResult {
        let mut options = self.options.clone();
        options.mocks = mocks_of(candidate);
        crate::run(self.definition, candidate.input.clone(), &options)
    }

    fn covers(&self, result: &ExecutionResult, item: &Item) -> bool {
        let mut probe = self.empty.clone();
        probe.record(result);
        probe.is_covered(item)
    }

    fn run(&self, machine: &str) -> Generated {
        let base = Candidate {
            input: Value::Object(Map::new()),
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
        };
        let mut coverage = self.empty.clone();
        let mut kept: Vec<(Candidate, ExecutionResult, String)> = Vec::new();
        let (base, result) = self.repair(base);
        // Only cases that end count: one that loops forever is kept as a host only.
        if ended(&result) {
            coverage.record(&result);
        }
        kept.push((base, result, "happy path".to_owned()));
        let mut reasons: BTreeMap<Item, String> = BTreeMap::new();
        let mut hosts_only = 0;
        for _ in 0..ROUNDS {
            let mut progress = false;
            let mut extra_hosts = Vec::new();
            let targets: Vec<Item> = coverage.uncovered().into_iter().cloned().collect();
            for item in targets {
                if coverage.is_covered(&item) || matches!(item, Item::State { .. }) {
                    continue;
                }
                // Cases that end make better hosts: a change that takes the item once can then
                // leave as the host did.
                let mut hosts: Vec<usize> = kept
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, result, _))| {
                        coverage::entered_states(result).contains(&item.state())
                    })
                    .map(|(position, _)| position)
                    .collect();
                hosts.sort_by_key(|&position| {
                    !kept
                        .get(position)
                        .is_some_and(|(_, result, _)| ended(result))
                });
                hosts.truncate(3);
                if hosts.is_empty() {
                    reasons.insert(
                        item.clone(),
                        format!("no generated case reaches its state '{}'", item.state()),
                    );
                    continue;
                }
                let mut found = None;
                let mut fallback_host = None;
                let mut last_reason = String::new();
                for host in hosts {
                    let Some((candidate, result, _)) = kept.get(host) else {
                        continue;
                    };
                    match self.attempts(&item, candidate, result) {
                        Err(reason) => last_reason = reason,
                        Ok(attempts) => {
                            last_reason = "the changes found for it (input values, mocked results) did not lead the run there: a value it reads is computed by a state the generator cannot invert".to_owned();
                            for attempt in attempts {
                                let (attempt, result) = self.repair(attempt);
                                if !ended(&result) {
                                    last_reason = "the case that takes it never ends within the generation budget (a loop that keeps going)".to_owned();
                                    // Kept as a host: a later round can also end the loop
                                    // that follows (two polling loops in a row).
                                    if fallback_host.is_none() && self.covers(&result, &item) {
                                        fallback_host = Some((attempt, result));
                                    }
                                    continue;
                                }
                                if self.covers(&result, &item) {
                                    found = Some((attempt, result));
                                    break;
                                }
                            }
                        }
                    }
                    if found.is_some() {
                        break;
                    }
                }
                match found {
                    Some((candidate, result)) => {
                        coverage.record(&result);
                        kept.push((candidate, result, item.label()));
                        reasons.remove(&item);
                        progress = true;
                    }
                    None => {
                        reasons.insert(item.clone(), last_reason);
                        if let Some((attempt, result)) = fallback_host
                            && hosts_only < MAX_HOSTS_ONLY
                        {
                            hosts_only += 1;
                            extra_hosts.push((attempt, result, item.label()));
                        }
                    }
                }
            }
            progress |= !extra_hosts.is_empty();
            kept.append(&mut extra_hosts);
            if !progress {
                break;
            }
        }
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

    /// Runs the candidate, filling in the paths the run finds missing, until it finds none (or
    /// cannot fill one in).
    fn repair(&self, mut candidate: Candidate) -> (Candidate, ExecutionResult) {
        let mut result = self.execute(&candidate);
        let mut seen = HashSet::new();
        for _ in 0..REPAIRS {
            let Some(missing) = missing_path(&result) else {
                break;
            };
            if !seen.insert(missing.clone()) {
                break;
            }
            let Some(patched) = self.fill(&candidate, &missing) else {
                break;
            };
            candidate = patched;
            result = self.execute(&candidate);
        }
        (candidate, result)
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

    /// `path` of a state's effective input as a path of its raw input (its InputPath before it).
    fn raw_path(&self, state: &str, path: &Path) -> Option<Path> {
        let info = self.states.get(state)?;
        match info.body.get("InputPath") {
            None => Some(path.clone()),
            Some(Value::String(text)) => {
                let prefix = definite(text)?;
                Some(join(&prefix, &path.segments))
            }
            Some(_) => None,
        }
    }

    /// Where a value at `path` of `state`'s raw input can come from, nearest first.
    fn sources(&self, state: &str, path: Path) -> Vec<Source> {
        self.encoded_sources(state, path, Vec::new())
    }

    /// [`Self::sources`] of a value that `encodings` (nearest first) turn into the one wanted.
    fn encoded_sources(&self, state: &str, path: Path, encodings: Vec<Encoding>) -> Vec<Source> {
        let mut found = Vec::new();
        let mut queue = VecDeque::from([(state.to_owned(), path, encodings)]);
        let mut visited = HashSet::new();
        let wrap = |source: Source, encodings: &[Encoding]| {
            encodings.iter().rev().fold(source, |inner, encoding| {
                Source::Encoded(Box::new(inner), encoding.clone())
            })
        };
        while let Some((state, path, encodings)) = queue.pop_front() {
            if visited.len() > 64 || found.len() >= 6 {
                break;
            }
            if !visited.insert((state.clone(), path.to_string())) {
                continue;
            }
            let Some(info) = self.states.get(&state) else {
                continue;
            };
            if info.is_start {
                match &info.container {
                    None => found.push(wrap(Source::Input(path.clone()), &encodings)),
                    Some(container) => {
                        if let Some((state, path)) = self.container_input(container, &path) {
                            queue.push_back((state, path, encodings.clone()));
                        }
                    }
                }
            }
            for (predecessor, through) in &info.predecessors {
                self.step_encoding.set(None);
                let before = found.len();
                let step = self.through(predecessor, *through, &path, &mut found);
                for source in found.iter_mut().skip(before) {
                    let placeholder = Source::Input(root_path());
                    *source = wrap(std::mem::replace(source, placeholder), &encodings);
                }
                if let Some((state, path)) = step {
                    let mut encodings = encodings.clone();
                    encodings.extend(self.step_encoding.take());
                    queue.push_back((state, path, encodings));
                }
            }
        }
        found
    }

    /// A branch's (or an iteration's) input at `path`, as a path of the container's raw input.
    fn container_input(&self, container: &str, path: &Path) -> Option<(String, Path)> {
        let body = &self.states.get(container)?.body;
        let effective = match body.get("Type").and_then(Value::as_str) {
            Some("Parallel") => match body.get("Parameters") {
                Some(parameters) => invert(parameters, &path.segments)?,
                None => path.clone(),
            },
            Some("Map") => {
                let item = match body.get("ItemSelector").or_else(|| body.get("Parameters")) {
                    Some(selector) => {
                        let source = invert(selector, &path.segments)?;
                        match source.root {
                            Root::Context => {
                                let rest = source.segments.strip_prefix(&[
                                    name_segment("Map"),
                                    name_segment("Item"),
                                    name_segment("Value"),
                                ])?;
                                Some(rest.to_vec())
                            }
                            _ => {
                                return self
                                    .raw_path(container, &source)
                                    .map(|raw| (container.to_owned(), raw));
                            }
                        }
                    }
                    None => Some(path.segments.clone()),
                }?;
                first_item(body, &item)?
            }
            _ => return None,
        };
        let raw = self.raw_path(container, &effective)?;
        Some((container.to_owned(), raw))
    }

    /// Back through one transition: the value at `path` of the next state's input, produced by
    /// `state`. A Task result ends the walk as a mock source.
    fn through(
        &self,
        state: &str,
        through_catch: Option<usize>,
        path: &Path,
        found: &mut Vec<Source>,
    ) -> Option<(String, Path)> {
        let body = &self.states.get(state)?.body;
        if body.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata")
            || self.definition.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata")
        {
            return None;
        }
        if let Some(position) = through_catch {
            let catcher = body.get("Catch")?.get(position)?;
            return match catcher.get("ResultPath") {
                Some(Value::Null) => Some((state.to_owned(), path.clone())),
                Some(Value::String(text)) => {
                    let target = definite(text)?;
                    (!path.segments.starts_with(&target.segments))
                        .then(|| (state.to_owned(), path.clone()))
                }
                _ => None,
            };
        }
        let output = match body.get("OutputPath") {
            None => path.clone(),
            Some(Value::String(text)) => join(&definite(text)?, &path.segments),
            Some(_) => return None,
        };
        self.before_output_path(state, &output, found)
    }

    /// Back through a state's ResultPath: `output` is a path of the document OutputPath reads
    /// (the raw input with the result placed in it).
    fn before_output_path(
        &self,
        state: &str,
        output: &Path,
        found: &mut Vec<Source>,
    ) -> Option<(String, Path)> {
        let body = &self.states.get(state)?.body;
        let output = output.clone();
        let kind = body.get("Type").and_then(Value::as_str).unwrap_or_default();
        match kind {
            "Choice" | "Wait" | "Succeed" => {
                Some((state.to_owned(), self.raw_path(state, &output)?))
            }
            "Task" | "Pass" | "Parallel" | "Map" => {
                let result_path = match body.get("ResultPath") {
                    Some(Value::Null) => return Some((state.to_owned(), output)),
                    Some(Value::String(text)) => definite(text)?,
                    None => root_path(),
                    Some(_) => return None,
                };
                let Some(rest) = output
                    .segments
                    .strip_prefix(result_path.segments.as_slice())
                else {
                    return Some((state.to_owned(), output));
                };
                match kind {
                    "Task" => {
                        let (in_result, encoding) = match body.get("ResultSelector") {
                            Some(selector) => invert_encoded(selector, rest)?,
                            None => (
                                Path {
                                    root: Root::Input,
                                    segments: rest.to_vec(),
                                },
                                None,
                            ),
                        };
                        if in_result.root == Root::Input {
                            let mock = Source::Mock(state.to_owned(), in_result);
                            found.push(match encoding {
                                Some(encoding) => Source::Encoded(Box::new(mock), encoding),
                                None => mock,
                            });
                        }
                        None
                    }
                    "Map" | "Parallel" if body.get("ResultSelector").is_none() => {
                        self.from_iterations(state, kind, rest, found);
                        None
                    }
                    "Pass" if body.get("Result").is_some() => None,
                    "Pass" => {
                        let (effective, encoding) = match body.get("Parameters") {
                            Some(parameters) => invert_encoded(parameters, rest)?,
                            None => (
                                Path {
                                    root: Root::Input,
                                    segments: rest.to_vec(),
                                },
                                None,
                            ),
                        };
                        self.step_encoding.set(encoding);
                        (effective.root == Root::Input)
                            .then(|| self.raw_path(state, &effective))
                            .flatten()
                            .map(|raw| (state.to_owned(), raw))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Sources of a value at `rest` (`[i].more`) of a Map's or Parallel's result: what its
    /// processor's (branch i's) last states output at `more`.
    fn from_iterations(
        &self,
        container: &str,
        kind: &str,
        rest: &[Segment],
        found: &mut Vec<Source>,
    ) {
        let Some((Segment::Child(Selector::Index(index)), more)) = rest.split_first() else {
            return;
        };
        let wanted_branch = if kind == "Parallel" {
            usize::try_from(*index).ok()
        } else {
            Some(0)
        };
        // Nested containers are few; a deeper walk is a cycle through a loop around them.
        if self.nesting.get() > 4 {
            return;
        }
        self.nesting.set(self.nesting.get() + 1);
        let inner = Path {
            root: Root::Input,
            segments: more.to_vec(),
        };
        let mut last_states: Vec<&String> = self
            .states
            .iter()
            .filter(|(_, info)| {
                info.container.as_deref() == Some(container)
                    && Some(info.branch) == wanted_branch
                    && (info.body.get("End") == Some(&Value::Bool(true))
                        || info.body.get("Type") == Some(&json!("Succeed")))
            })
            .map(|(name, _)| name)
            .collect();
        last_states.sort();
        for last in last_states {
            self.step_encoding.set(None);
            if let Some((state, path)) = self.through(last, None, &inner, found) {
                let encodings = self.step_encoding.take().into_iter().collect();
                let more = self.encoded_sources(&state, path, encodings);
                found.extend(more);
            }
        }
        self.nesting.set(self.nesting.get() - 1);
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
            Item::Branch { state, .. } => Err(format!(
                "its Parallel state '{state}' is entered, but a branch before it fails first"
            )),
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
        let rules = self
            .plan
            .machines
            .iter()
            .flat_map(|machine| &machine.states)
            .find(|compiled| compiled.name == state)
            .and_then(|compiled| match &compiled.kind {
                Kind::Choice { rules, .. } => Some(rules),
                _ => None,
            })
            .ok_or_else(|| format!("'{state}' is not a Choice state"))?;
        let entry = result
            .trace
            .iter()
            .find(|entry| entry.state == state)
            .ok_or_else(|| format!("no generated case reaches its state '{state}'"))?;
        let effective = entry
            .stages
            .iter()
            .find(|stage| stage.stage == "afterInputPath")
            .or_else(|| entry.stages.first())
            .map(|stage| stage.value.clone())
            .unwrap_or(Value::Null);
        let solutions = solve::solutions(rules, target, &effective, &candidate.input)?;
        if solutions.iter().any(Vec::is_empty) {
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
        Ok(attempts)
    }

    /// The sources of each value a Choice's solution sets.
    fn route(
        &self,
        state: &str,
        assignments: Vec<solve::Assignment>,
    ) -> Result<Vec<(Vec<Source>, Option<Value>)>, String> {
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
            let sources = self.sources(state, raw);
            if sources.is_empty() {
                return Err(format!(
                    "the value at {path} of its input is computed by a state the generator cannot invert (no input or mocked result reaches it)"
                ));
            }
            routed.push((sources, value));
        }
        Ok(routed)
    }

    /// Candidates with the routed values placed: a mocked result changed for every invocation;
    /// for the first only, the later ones as before (a polling loop goes round once, then
    /// leaves as the host case did); from the second on; and the same through the other sources
    /// found.
    fn routed_attempts(
        &self,
        candidate: &Candidate,
        routed: &[(Vec<Source>, Option<Value>)],
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
        let body = &self
            .states
            .get(state)
            .ok_or_else(|| format!("no state '{state}'"))?
            .body;
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
        if throwers.is_empty() {
            return Err(format!(
                "nothing in '{state}' can be made to fail: it holds no Task whose mock could throw"
            ));
        }
        let mut attempts = Vec::new();
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
            let mut attempt = candidate.clone();
            let sequence = attempt.mocks.entry(thrower.clone()).or_default();
            if !catch && thrower == state {
                // Fails once, then behaves as before: the retry succeeds and the run goes on.
                let before = if sequence.is_empty() {
                    vec![MockResponse::Return(Value::Object(Map::new()))]
                } else {
                    sequence.clone()
                };
                *sequence = std::iter::once(thrown).chain(before).collect();
            } else {
                *sequence = vec![thrown];
            }
            attempts.push(attempt);
        }
        if attempts.is_empty() {
            return Err(format!(
                "no error name found that {state}.{member}[{index}] handles and no handler before it (or inside) does"
            ));
        }
        Ok(attempts)
    }

    fn processor_attempts(
        &self,
        state: &str,
        candidate: &Candidate,
    ) -> Result<Vec<Candidate>, String> {
        let body = &self
            .states
            .get(state)
            .ok_or_else(|| format!("no state '{state}'"))?
            .body;
        if body.get("ItemReader").is_some() {
            return Err(
                "its items come from an ItemReader (S3), which a generated case does not provide"
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

/// Which invocations of a mocked Task a change applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Invocations {
    All,
    /// A new first invocation with the change, then the old sequence.
    FirstThenAsBefore,
    /// The second and later ones (the first keeps its result, so that a loop goes round once).
    FromSecond,
}

/// Places (or removes) a value at a source: the execution input, or some of a Task's mocked
/// results.
fn apply(
    candidate: &mut Candidate,
    source: &Source,
    value: Option<Value>,
    invocations: Invocations,
) {
    apply_with(candidate, source, &|_| value.clone(), invocations);
}

/// [`apply`] with the value made from what the source holds now.
fn apply_with(
    candidate: &mut Candidate,
    source: &Source,
    value_for: &dyn Fn(Option<&Value>) -> Option<Value>,
    invocations: Invocations,
) {
    let placed = |doc: &mut Value, path: &Path| {
        let existing = crate::path::evaluate(path, doc)
            .ok()
            .map(crate::path::Found::into_owned);
        place(doc, path, value_for(existing.as_ref()));
    };
    match source {
        Source::Encoded(inner, encoding) => {
            let wanted = value_for(None);
            apply_with(
                candidate,
                inner,
                &|existing| encode(encoding, existing, wanted.clone()),
                invocations,
            );
        }
        Source::Input(path) => placed(&mut candidate.input, path),
        Source::Mock(task, path) => {
            let sequence = candidate.mocks.entry(task.clone()).or_default();
            if sequence.is_empty() {
                sequence.push(MockResponse::Return(Value::Object(Map::new())));
            }
            let from = match invocations {
                Invocations::All => 0,
                Invocations::FirstThenAsBefore => {
                    let first = sequence.first().cloned();
                    if let Some(first) = first {
                        sequence.insert(0, first);
                    }
                    0
                }
                Invocations::FromSecond => {
                    if sequence.len() < 2 {
                        let last = sequence.last().cloned();
                        sequence.extend(last);
                    }
                    1
                }
            };
            let until = match invocations {
                Invocations::FirstThenAsBefore => 1,
                _ => sequence.len(),
            };
            for response in sequence.iter_mut().take(until).skip(from) {
                if let MockResponse::Return(result) = response {
                    placed(result, path);
                }
            }
        }
    }
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

/// The path a template (Parameters, ResultSelector, ItemSelector) reads the member at `segments`
/// of its output from: `{"a.$": "$.x"}` makes `a.b` come from `$.x.b`.
fn invert(template: &Value, segments: &[Segment]) -> Option<Path> {
    match invert_encoded(template, segments)? {
        (path, None) => Some(path),
        (_, Some(_)) => None,
    }
}

/// [`invert`], also through `States.StringToJson(path)` and `States.JsonToString(path)`: the
/// path they read and how the value there becomes the member's.
fn invert_encoded(template: &Value, segments: &[Segment]) -> Option<(Path, Option<Encoding>)> {
    let (first, rest) = segments.split_first()?;
    let Segment::Child(Selector::Name(name)) = first else {
        return None;
    };
    let object = template.as_object()?;
    if let Some(Value::String(text)) = object.get(&format!("{name}.$")) {
        let argument = |function: &str| {
            text.trim()
                .strip_prefix(function)
                .and_then(|call| call.strip_prefix('('))
                .and_then(|call| call.strip_suffix(')'))
                .map(str::trim)
        };
        let (text, encoding) = if let Some(inner) = argument("States.StringToJson") {
            (inner, Some(Encoding::JsonText(rest.to_vec())))
        } else if let Some(inner) = argument("States.JsonToString") {
            if !rest.is_empty() {
                return None;
            }
            (inner, Some(Encoding::JsonOf))
        } else if let Some(inner) = argument("States.ArrayLength") {
            if !rest.is_empty() {
                return None;
            }
            (inner, Some(Encoding::Length))
        } else if let Some(inner) = argument("States.MathAdd") {
            let (path, step) = inner.rsplit_once(',')?;
            let step: f64 = step.trim().parse().ok()?;
            if !rest.is_empty() {
                return None;
            }
            (path.trim(), Some(Encoding::Plus(step)))
        } else {
            (text.as_str(), None)
        };
        let source = jsonpath::parse(text).ok()?;
        if !source.is_definite() || matches!(source.root, Root::Variable(_) | Root::Current) {
            return None;
        }
        return Some(match encoding {
            Some(encoding) => (source, Some(encoding)),
            None => (join(&source, rest), None),
        });
    }
    invert_encoded(object.get(name)?, rest)
}

/// The value an intrinsic's argument needs so that it computes `wanted`, given what the argument
/// holds now.
fn encode(encoding: &Encoding, existing: Option<&Value>, wanted: Option<Value>) -> Option<Value> {
    match encoding {
        Encoding::JsonText(segments) => {
            let mut document = existing
                .and_then(Value::as_str)
                .and_then(|text| serde_json::from_str(text).ok())
                .filter(Value::is_object)
                .unwrap_or_else(|| Value::Object(Map::new()));
            let path = Path {
                root: Root::Input,
                segments: segments.clone(),
            };
            place(&mut document, &path, wanted);
            Some(Value::String(document.to_string()))
        }
        Encoding::Length => {
            let length = wanted.as_ref().and_then(Value::as_u64)?;
            let mut items = existing
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let filler = items.first().cloned().unwrap_or_else(|| json!("item"));
            items.resize(usize::try_from(length).ok()?, filler);
            Some(Value::Array(items))
        }
        Encoding::Plus(step) => {
            let number = wanted.as_ref().and_then(Value::as_f64)? - step;
            Some(if number.fract() == 0.0 && number.abs() < 1e15 {
                json!(number as i64)
            } else {
                json!(number)
            })
        }
        // Text that is not JSON stays a string: its JSON text holds it between quotes, which
        // still satisfies a glob such as `*Z*`.
        Encoding::JsonOf => wanted.map(|value| match value {
            Value::String(text) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
            other => other,
        }),
    }
}

/// The path of a Map's items in its effective input, or the ItemsPath that is not a definite
/// path of the input (`None`: not a string at all).
fn items_path(body: &Value) -> Result<Path, Option<String>> {
    match body.get("ItemsPath") {
        Some(Value::String(text)) => definite(text).ok_or_else(|| Some(text.clone())),
        None => Ok(root_path()),
        Some(_) => Err(None),
    }
}

/// The path of `member` of a Map's first item, in the Map's effective input.
fn first_item(body: &Value, member: &[Segment]) -> Option<Path> {
    let mut path = items_path(body).ok()?;
    path.segments.push(Segment::Child(Selector::Index(0)));
    path.segments.extend_from_slice(member);
    Some(path)
}

fn definite(text: &str) -> Option<Path> {
    jsonpath::parse(text)
        .ok()
        .filter(|path| path.is_definite() && path.root == Root::Input)
}

fn join(prefix: &Path, rest: &[Segment]) -> Path {
    let mut segments = prefix.segments.clone();
    segments.extend_from_slice(rest);
    Path {
        root: prefix.root.clone(),
        segments,
    }
}

fn root_path() -> Path {
    Path {
        root: Root::Input,
        segments: Vec::new(),
    }
}

fn name_segment(name: &str) -> Segment {
    Segment::Child(Selector::Name(name.to_owned()))
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
