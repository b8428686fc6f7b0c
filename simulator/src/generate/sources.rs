//! Where the values a state reads come from: the walk back from a state's input, through the
//! states before it (OutputPath, ResultPath, ResultSelector, Parameters, the results of Parallel
//! and Map states, a branch's or an iteration's input), to the execution input or a Task's mocked
//! result, and the placing of a wanted value there (through the intrinsic that computes it).

use std::collections::{HashSet, VecDeque};

use graph_model::expr::jsonpath::{
    self, CompareOp, FilterExpr, Operand, Path, Root, Segment, Selector,
};
use serde_json::{Map, Value, json};

use super::{Candidate, Generator};
use crate::mocks::MockResponse;
use crate::solve::place;

/// Where a value of a state's input comes from.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Source {
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
pub(super) enum Encoding {
    /// `States.StringToJson`: the argument is the JSON text of a document, read at these segments.
    JsonText(Vec<Segment>),
    /// `States.JsonToString`: the argument is the value whose JSON text is read.
    JsonOf,
    /// `States.ArrayLength`: the argument is an array of the wanted length.
    Length,
    /// `States.MathAdd(path, step)`: the argument is the wanted number less the step.
    Plus(f64),
    /// A filter `[?(@.member == value)]`: the argument is a list whose items carry that value,
    /// the wanted one at `rest` (`[i].more`, or the whole filtered list when empty).
    Filtered {
        member: Vec<Segment>,
        value: Value,
        rest: Vec<Segment>,
    },
}

impl Generator<'_> {
    /// `path` of a state's effective input as a path of its raw input (its InputPath before it).
    pub(super) fn raw_path(&self, state: &str, path: &Path) -> Option<Path> {
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
    pub(super) fn sources(&self, state: &str, path: Path) -> Vec<Source> {
        self.encoded_sources(state, path, Vec::new())
    }

    /// [`Self::sources`] of a value that `encodings` (nearest first) turn into the one wanted.
    pub(super) fn encoded_sources(
        &self,
        state: &str,
        path: Path,
        encodings: Vec<Encoding>,
    ) -> Vec<Source> {
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
    pub(super) fn container_input(&self, container: &str, path: &Path) -> Option<(String, Path)> {
        let body = &self.states.get(container)?.body;
        let effective = match body.get("Type").and_then(Value::as_str) {
            Some("Parallel") => match body.get("Parameters") {
                Some(parameters) => invert(parameters, &path.segments)?,
                None => path.clone(),
            },
            Some("Map") => {
                let item = match body.get("ItemSelector").or_else(|| body.get("Parameters")) {
                    Some(selector) => {
                        let Some(source) = invert(selector, &path.segments) else {
                            self.dead_end.set(self.not_selected(container, path));
                            return None;
                        };
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
    pub(super) fn through(
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
    pub(super) fn before_output_path(
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
                        let (in_result, encoding) = read_by(body.get("ResultSelector"), rest)?;
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
                        self.iteration_sources(state, kind, rest, found);
                        None
                    }
                    "Pass" if body.get("Result").is_some() => None,
                    "Pass" => {
                        let (effective, encoding) = read_by(body.get("Parameters"), rest)?;
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
    pub(super) fn iteration_sources(
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
}

/// Which invocations of a mocked Task a change applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Invocations {
    All,
    /// A new first invocation with the change, then the old sequence.
    FirstThenAsBefore,
    /// The second and later ones (the first keeps its result, so that a loop goes round once).
    FromSecond,
}

/// Places (or removes) a value at a source: the execution input, or some of a Task's mocked
/// results.
pub(super) fn apply(
    candidate: &mut Candidate,
    source: &Source,
    value: Option<Value>,
    invocations: Invocations,
) {
    apply_with(candidate, source, &|_| value.clone(), invocations);
}

/// [`apply`] with the value made from what the source holds now.
pub(super) fn apply_with(
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

/// The path a template (Parameters, ResultSelector, ItemSelector) reads the member at `segments`
/// of its output from: `{"a.$": "$.x"}` makes `a.b` come from `$.x.b`.
pub(super) fn invert(template: &Value, segments: &[Segment]) -> Option<Path> {
    match invert_encoded(template, segments)? {
        (path, None) => Some(path),
        (_, Some(_)) => None,
    }
}

/// [`invert`], also through `States.StringToJson(path)` and `States.JsonToString(path)`: the
/// path they read and how the value there becomes the member's.
pub(super) fn invert_encoded(
    template: &Value,
    segments: &[Segment],
) -> Option<(Path, Option<Encoding>)> {
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
        let mut source = jsonpath::parse(text).ok()?;
        if matches!(source.root, Root::Variable(_) | Root::Current) {
            return None;
        }
        if !source.is_definite() {
            // `$.list[?(@.kind == 'x')]`: the list gets items of that kind.
            let (member, value) = match source.segments.pop() {
                Some(Segment::Child(Selector::Filter(filter))) => equality(&filter)?,
                _ => return None,
            };
            if encoding.is_some() || !source.is_definite() {
                return None;
            }
            let filtered = Encoding::Filtered {
                member,
                value,
                rest: rest.to_vec(),
            };
            return Some((source, Some(filtered)));
        }
        return Some(match encoding {
            Some(encoding) => (source, Some(encoding)),
            None => (join(&source, rest), None),
        });
    }
    invert_encoded(object.get(name)?, rest)
}

/// `@.a.b == literal` (either way round): the member's path and the literal.
fn equality(filter: &FilterExpr) -> Option<(Vec<Segment>, Value)> {
    let FilterExpr::Compare(left, CompareOp::Eq, right) = filter else {
        return None;
    };
    let (path, literal) = match (left, right) {
        (Operand::Path(path), Operand::Literal(literal))
        | (Operand::Literal(literal), Operand::Path(path)) => (path, literal),
        _ => return None,
    };
    (path.root == Root::Current && path.is_definite())
        .then(|| (path.segments.clone(), literal.clone()))
}

/// What a template (or, without one, the value itself) reads to make its member at `segments`.
pub(super) fn read_by(
    template: Option<&Value>,
    segments: &[Segment],
) -> Option<(Path, Option<Encoding>)> {
    match template {
        Some(template) => invert_encoded(template, segments),
        None => Some((
            Path {
                root: Root::Input,
                segments: segments.to_vec(),
            },
            None,
        )),
    }
}

/// The value an intrinsic's argument needs so that it computes `wanted`, given what the argument
/// holds now.
pub(super) fn encode(
    encoding: &Encoding,
    existing: Option<&Value>,
    wanted: Option<Value>,
) -> Option<Value> {
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
        Encoding::Filtered {
            member,
            value,
            rest,
        } => {
            let mut items = existing
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            match rest.split_first() {
                None => items = wanted?.as_array()?.clone(),
                Some((Segment::Child(Selector::Index(index)), more)) => {
                    let index = usize::try_from(*index).ok()?;
                    if items.len() <= index {
                        items.resize(index + 1, Value::Object(Map::new()));
                    }
                    let more = Path {
                        root: Root::Input,
                        segments: more.to_vec(),
                    };
                    place(items.get_mut(index)?, &more, wanted);
                }
                Some(_) => return None,
            }
            // Every item passes the filter, so the filtered list is the list itself.
            let member = Path {
                root: Root::Input,
                segments: member.clone(),
            };
            for item in &mut items {
                place(item, &member, Some(value.clone()));
            }
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
pub(super) fn items_path(body: &Value) -> Result<Path, Option<String>> {
    match body.get("ItemsPath") {
        Some(Value::String(text)) => definite(text).ok_or_else(|| Some(text.clone())),
        None => Ok(root_path()),
        Some(_) => Err(None),
    }
}

/// The path of `member` of a Map's first item, in the Map's effective input.
pub(super) fn first_item(body: &Value, member: &[Segment]) -> Option<Path> {
    let mut path = items_path(body).ok()?;
    path.segments.push(Segment::Child(Selector::Index(0)));
    path.segments.extend_from_slice(member);
    Some(path)
}

pub(super) fn definite(text: &str) -> Option<Path> {
    jsonpath::parse(text)
        .ok()
        .filter(|path| path.is_definite() && path.root == Root::Input)
}

pub(super) fn join(prefix: &Path, rest: &[Segment]) -> Path {
    let mut segments = prefix.segments.clone();
    segments.extend_from_slice(rest);
    Path {
        root: prefix.root.clone(),
        segments,
    }
}

pub(super) fn root_path() -> Path {
    Path {
        root: Root::Input,
        segments: Vec::new(),
    }
}

pub(super) fn name_segment(name: &str) -> Segment {
    Segment::Child(Selector::Name(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str) -> Segment {
        name_segment(name)
    }

    #[test]
    fn an_intrinsic_in_a_result_selector_is_inverted_to_what_its_argument_must_hold() {
        let selector = json!({
            "payload.$": "States.StringToJson($.Payload.body)",
            "text.$": "States.JsonToString($.Item)",
            "count.$": "States.ArrayLength($.Item.L)",
            "next.$": "States.MathAdd($.n, -1)"
        });
        let (path, encoding) = invert_encoded(&selector, &[member("payload"), member("count")])
            .unwrap_or_else(|| (root_path(), None));
        assert_eq!(path.to_string(), "$['Payload']['body']");
        let encoding = encoding.unwrap_or(Encoding::JsonOf);
        // The wanted count goes into the JSON text the Task returns, beside what it held.
        let text = encode(&encoding, Some(&json!("{\"other\":1}")), Some(json!(4)));
        let parsed: Value =
            serde_json::from_str(text.as_ref().and_then(Value::as_str).unwrap_or(""))
                .unwrap_or_default();
        assert_eq!(parsed, json!({"other": 1, "count": 4}));
        let (_, length) =
            invert_encoded(&selector, &[member("count")]).unwrap_or((root_path(), None));
        let items = encode(&length.unwrap_or(Encoding::JsonOf), None, Some(json!(3)));
        assert_eq!(
            items.as_ref().and_then(Value::as_array).map(Vec::len),
            Some(3)
        );
        let (_, plus) = invert_encoded(&selector, &[member("next")]).unwrap_or((root_path(), None));
        assert_eq!(
            encode(&plus.unwrap_or(Encoding::JsonOf), None, Some(json!(5))),
            Some(json!(6))
        );
        // A string that is not JSON stays a string: its JSON text still matches `*Z*`.
        let (_, json_of) =
            invert_encoded(&selector, &[member("text")]).unwrap_or((root_path(), None));
        assert_eq!(json_of, Some(Encoding::JsonOf));
        assert_eq!(
            encode(&Encoding::JsonOf, None, Some(json!("aZb"))),
            Some(json!("aZb"))
        );
        // A filtered list: its items get the member the filter asks for.
        let pass = json!({"Columns.$": "$.Tasks[?(@.TaskType == 'Map')]"});
        let (path, filtered) = invert_encoded(
            &pass,
            &[
                member("Columns"),
                Segment::Child(Selector::Index(0)),
                member("kind"),
            ],
        )
        .unwrap_or((root_path(), None));
        assert_eq!(path.to_string(), "$['Tasks']");
        let tasks = encode(
            &filtered.unwrap_or(Encoding::JsonOf),
            None,
            Some(json!("int")),
        );
        assert_eq!(tasks, Some(json!([{"TaskType": "Map", "kind": "int"}])));
        // A member under JsonToString's text cannot be inverted.
        assert!(invert_encoded(&selector, &[member("text"), member("x")]).is_none());
    }
}
