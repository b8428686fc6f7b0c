//! A state machine: its top-level fields and its states as a graph whose edges are the transitions.

use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use serde_json::{Map, Value};

use crate::fields::{Extras, JsonKind, JsonSource, NumberOr, Reader, Writer};
use crate::state::{QueryLanguage, State, StateKind};

/// State name to node. FNV rather than SipHash: names are short, every transition of every
/// machine is looked up here (edges, validation), and a colliding name costs only time.
type NameMap = crate::hasher::FnvMap<String, NodeIndex>;

/// The kind of a transition edge, so the canvas and validation can tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transition {
    /// `Next`
    Next,
    /// A Choice state's `Default`.
    Default,
    /// A Choice rule's `Next`, by the rule's index in `Choices`.
    ChoiceRule(usize),
    /// A catcher's `Next`, by its index in `Catch`.
    Catch(usize),
}

/// The document handed to [`StateMachine::from_value`] was not a JSON object.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a state machine definition must be a JSON object, found {found}")]
pub struct ShapeError {
    /// What was found instead ("an array", "a string", ...).
    pub found: &'static str,
}

/// A state machine: the top level, a Parallel branch, or a Map processor.
///
/// States live in a [`StableDiGraph`] so that node ids stay valid across deletes; the edges mirror
/// the transition fields of the states (`Next`, `Default`, Choice rules, Catchers) that name an
/// existing state of the same machine. A transition to a missing name stays in its field (nothing is
/// lost) and has no edge; validation reports it.
#[derive(Clone, Debug, Default)]
pub struct StateMachine {
    /// `Comment`
    pub comment: Option<String>,
    /// `StartAt`
    pub start_at: Option<String>,
    /// `TimeoutSeconds` (top level only).
    pub timeout_seconds: Option<NumberOr>,
    /// `Version` (top level only).
    pub version: Option<String>,
    /// `QueryLanguage` (top level only).
    pub query_language: Option<QueryLanguage>,
    /// `ProcessorConfig` (Map processors only).
    pub processor_config: Option<Value>,
    /// Whether the source had a `States` object (an empty one counts).
    has_states: bool,
    graph: StableDiGraph<State, Transition>,
    order: Vec<NodeIndex>,
    by_name: NameMap,
    /// Unknown members and source key order.
    pub extras: Extras,
}

impl PartialEq for StateMachine {
    fn eq(&self, other: &Self) -> bool {
        self.comment == other.comment
            && self.start_at == other.start_at
            && self.timeout_seconds == other.timeout_seconds
            && self.version == other.version
            && self.query_language == other.query_language
            && self.processor_config == other.processor_config
            && self.has_states == other.has_states
            && self.extras == other.extras
            && self.states().eq(other.states())
    }
}

impl StateMachine {
    /// An empty machine with a `States` object and no states.
    #[must_use]
    pub fn new() -> Self {
        Self {
            has_states: true,
            extras: Extras {
                order: vec!["StartAt".into(), "States".into()],
                unknown: Map::new(),
            },
            ..Self::default()
        }
    }

    /// Whether this machine is a Map processor whose `ProcessorConfig.Mode` is `DISTRIBUTED`.
    #[must_use]
    pub fn is_distributed_processor(&self) -> bool {
        self.processor_config
            .as_ref()
            .and_then(|config| config.get("Mode"))
            .and_then(Value::as_str)
            == Some("DISTRIBUTED")
    }

    /// Builds the model from an ASL document. Tolerant: only a non-object fails; every unknown or
    /// mistyped member is kept for [`Self::to_value`] and reported by validation.
    ///
    /// # Errors
    /// [`ShapeError`] when `value` is not a JSON object.
    pub fn from_value(value: &Value) -> Result<Self, ShapeError> {
        Self::from_source(value)
    }

    /// Like [`Self::from_value`], reading any [`JsonSource`]: `asl-codec` reads the model straight
    /// from the source text this way, without building the document's `Value` first.
    ///
    /// # Errors
    /// [`ShapeError`] when `source` is not a JSON object.
    pub fn from_source<'a, S: JsonSource<'a>>(source: S) -> Result<Self, ShapeError> {
        match source.kind() {
            JsonKind::Object => Ok(Self::from_object(source)),
            other => Err(ShapeError {
                found: kind_name(other),
            }),
        }
    }

    /// Like [`Self::from_value`], for a caller that has no further use for the document. The
    /// model is read from the document without copying it as a whole (only what the model keeps
    /// is copied), so this is the same work as [`Self::from_value`] plus freeing `value`.
    ///
    /// # Errors
    /// [`ShapeError`] when `value` is not a JSON object.
    pub fn from_value_owned(value: Value) -> Result<Self, ShapeError> {
        Self::from_value(&value)
    }

    pub(crate) fn from_object<'a, S: JsonSource<'a>>(object: S) -> Self {
        let mut r = Reader::new(object);
        let states = r.object("States");
        let mut machine = Self {
            comment: r.string("Comment"),
            start_at: r.string("StartAt"),
            timeout_seconds: r.number_or("TimeoutSeconds"),
            version: r.string("Version"),
            query_language: r
                .peek_string("QueryLanguage")
                .as_deref()
                .and_then(QueryLanguage::parse),
            processor_config: None,
            has_states: states.is_some(),
            graph: StableDiGraph::default(),
            order: Vec::new(),
            by_name: NameMap::default(),
            extras: Extras::default(),
        };
        if machine.query_language.is_some() {
            r.string("QueryLanguage");
        }
        machine.processor_config = r.any("ProcessorConfig");
        machine.extras = r.finish();
        // Sized up front: growing the name map re-hashes (re-reads) every name so far.
        let count = states.map_or(0, |states| states.members().count());
        machine.order.reserve(count);
        machine.by_name.reserve(count);
        machine.graph.reserve_nodes(count);
        machine.graph.reserve_edges(count);
        for (name, value) in states.into_iter().flat_map(JsonSource::members) {
            let node = machine.graph.add_node(State::from_value(&name, value));
            machine.order.push(node);
            machine.by_name.insert(name.into_owned(), node);
        }
        machine.rebuild_edges();
        machine
    }

    /// The ASL document for this machine. For an unedited document this is the value it was built
    /// from, with the same key order.
    #[must_use]
    pub fn to_value(&self) -> Value {
        let mut w = Writer::new();
        w.string("Comment", self.comment.as_ref());
        if let Some(ql) = self.query_language {
            w.put("QueryLanguage", Value::String(ql.as_str().to_owned()));
        }
        w.value("ProcessorConfig", self.processor_config.as_ref());
        w.string("StartAt", self.start_at.as_ref());
        if self.has_states || !self.order.is_empty() {
            let mut states = Map::with_capacity(self.order.len());
            for state in self.states() {
                states.insert(state.name.clone(), state.to_value());
            }
            w.put("States", Value::Object(states));
        }
        w.number_or("TimeoutSeconds", self.timeout_seconds.as_ref());
        w.string("Version", self.version.as_ref());
        Value::Object(w.finish(&self.extras))
    }

    /// Whether the document had a `States` object.
    #[must_use]
    pub fn has_states_object(&self) -> bool {
        self.has_states
    }

    /// Sets whether [`Self::to_value`] writes a `States` object when the machine has no states, so
    /// that undoing the first insertion into a machine that had none gives back the same document.
    pub fn set_has_states_object(&mut self, has_states: bool) {
        self.has_states = has_states;
    }

    /// The states in document order.
    pub fn states(&self) -> impl Iterator<Item = &State> + '_ {
        self.order.iter().filter_map(|&n| self.graph.node_weight(n))
    }

    /// The states in document order with their graph nodes.
    pub(crate) fn nodes_and_states(&self) -> impl Iterator<Item = (NodeIndex, &State)> + '_ {
        self.order
            .iter()
            .filter_map(|&n| Some((n, self.graph.node_weight(n)?)))
    }

    /// The state names in document order.
    pub fn state_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.states().map(|s| s.name.as_str())
    }

    /// How many states this machine has (not counting nested machines).
    #[must_use]
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether this machine has no states.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The state of that name at this level.
    #[must_use]
    pub fn state(&self, name: &str) -> Option<&State> {
        self.by_name
            .get(name)
            .and_then(|&n| self.graph.node_weight(n))
    }

    /// Whether a state of that name exists at this level.
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// The graph node of a state.
    #[must_use]
    pub fn node(&self, name: &str) -> Option<NodeIndex> {
        self.by_name.get(name).copied()
    }

    /// The position of a state in document order.
    #[must_use]
    pub fn position(&self, name: &str) -> Option<usize> {
        let node = self.node(name)?;
        self.order.iter().position(|&n| n == node)
    }

    /// The graph: node weights are the states, edge weights the transition kinds.
    #[must_use]
    pub fn graph(&self) -> &StableDiGraph<State, Transition> {
        &self.graph
    }

    /// Changes one state in place and keeps the graph's edges in step with its transition fields.
    /// Renaming through this is not allowed (the name is restored); use [`Self::rename_state`].
    pub fn update_state<R>(
        &mut self,
        name: &str,
        change: impl FnOnce(&mut State) -> R,
    ) -> Option<R> {
        let node = self.node(name)?;
        let state = self.graph.node_weight_mut(node)?;
        let result = change(state);
        state.name = name.to_owned();
        self.rebuild_edges();
        Some(result)
    }

    /// Inserts a state at a position in document order (clamped to the end). Returns `false` and
    /// leaves the machine as it was when the name is taken.
    pub fn insert_state(&mut self, position: usize, state: State) -> bool {
        let inserted = self.insert_state_deferred(position, state);
        if inserted {
            self.rebuild_edges();
        }
        inserted
    }

    /// Removes a state and returns it with the position it had. Transitions that pointed at it stay
    /// in their fields (dangling) so the caller decides how to repair them.
    pub fn remove_state(&mut self, name: &str) -> Option<(usize, State)> {
        let node = self.by_name.remove(name)?;
        let position = self.order.iter().position(|&n| n == node)?;
        self.order.remove(position);
        let state = self.graph.remove_node(node)?;
        self.rebuild_edges();
        Some((position, state))
    }

    /// Renames a state and every reference to it at this level (StartAt, Next, Default, Choice rules,
    /// Catchers). Nested machines are separate scopes in ASL and are not touched. Returns `false`
    /// when `from` is missing or `to` is taken.
    pub fn rename_state(&mut self, from: &str, to: &str) -> bool {
        if from == to {
            return self.contains(from);
        }
        if self.contains(to) {
            return false;
        }
        let Some(node) = self.by_name.remove(from) else {
            return false;
        };
        if let Some(state) = self.graph.node_weight_mut(node) {
            state.name = to.to_owned();
        }
        self.by_name.insert(to.to_owned(), node);
        self.retarget_references(from, to);
        true
    }

    /// Points every transition (and StartAt) that names `from` at `to`. Returns how many changed.
    pub fn retarget_references(&mut self, from: &str, to: &str) -> usize {
        let mut changed = 0;
        if self.start_at.as_deref() == Some(from) {
            self.start_at = Some(to.to_owned());
            changed += 1;
        }
        for &node in &self.order {
            if let Some(state) = self.graph.node_weight_mut(node) {
                changed += state.retarget_all(from, to);
            }
        }
        self.rebuild_edges();
        changed
    }

    /// Moves a state to another position in document order.
    pub fn move_state(&mut self, name: &str, position: usize) -> bool {
        let Some(from) = self.position(name) else {
            return false;
        };
        let node = self.order.remove(from);
        self.order.insert(position.min(self.order.len()), node);
        true
    }

    /// Every state reachable from `StartAt` through transitions, at this level.
    #[must_use]
    pub fn reachable(&self) -> std::collections::HashSet<NodeIndex> {
        let seen = self.reachable_mask();
        self.order
            .iter()
            .copied()
            .filter(|node| seen.get(node.index()).copied().unwrap_or(false))
            .collect()
    }

    /// [`Self::reachable`] as one flag per node index (no hashing; for validation).
    pub(crate) fn reachable_mask(&self) -> Vec<bool> {
        let mut seen = vec![false; petgraph::visit::NodeIndexable::node_bound(&self.graph)];
        let Some(start) = self.start_at.as_deref().and_then(|s| self.node(s)) else {
            return seen;
        };
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            if let Some(flag) = seen.get_mut(node.index())
                && !*flag
            {
                *flag = true;
                stack.extend(self.graph.neighbors(node));
            }
        }
        seen
    }

    /// The machine at a nested path (the root for an empty path).
    #[must_use]
    pub fn machine_at(&self, path: &MachinePath) -> Option<&StateMachine> {
        let mut machine = self;
        for step in &path.0 {
            let state = machine.state(step.state())?;
            machine = match (step, &state.kind) {
                (PathStep::Branch { index, .. }, StateKind::Parallel(p)) => {
                    p.branches.as_ref()?.get(*index)?
                }
                (PathStep::Processor { .. }, StateKind::Map(m)) => m.processor.as_deref()?,
                _ => return None,
            };
        }
        Some(machine)
    }

    /// Mutable access to the machine at a nested path.
    pub fn machine_at_mut(&mut self, path: &MachinePath) -> Option<&mut StateMachine> {
        let mut machine = self;
        for step in &path.0 {
            let node = machine.node(step.state())?;
            let state = machine.graph.node_weight_mut(node)?;
            machine = match (step, &mut state.kind) {
                (PathStep::Branch { index, .. }, StateKind::Parallel(p)) => {
                    p.branches.as_mut()?.get_mut(*index)?
                }
                (PathStep::Processor { .. }, StateKind::Map(m)) => m.processor.as_deref_mut()?,
                _ => return None,
            };
        }
        Some(machine)
    }

    /// Every machine in the document with its path, the root first, depth first in document order.
    #[must_use]
    pub fn all_machines(&self) -> Vec<(MachinePath, &StateMachine)> {
        let mut out = Vec::new();
        self.push_machines(MachinePath::root(), &mut out);
        out
    }

    /// Pushes this machine (at `path`), then each nested one, depth first in document order.
    fn push_machines<'m>(&'m self, path: MachinePath, out: &mut Vec<(MachinePath, &'m Self)>) {
        let at = out.len();
        out.push((path, self));
        for state in self.states() {
            match &state.kind {
                StateKind::Parallel(p) => {
                    for (i, branch) in p.branches.iter().flatten().enumerate() {
                        let branch_path = out[at].0.branch(&state.name, i);
                        branch.push_machines(branch_path, out);
                    }
                }
                StateKind::Map(m) => {
                    if let Some(processor) = &m.processor {
                        let processor_path = out[at].0.processor(&state.name);
                        processor.push_machines(processor_path, out);
                    }
                }
                _ => {}
            }
        }
    }

    /// How many states the whole document has, nested machines included.
    ///
    /// Counted without listing the machines: the designer shows it in every frame.
    #[must_use]
    pub fn total_states(&self) -> usize {
        self.len()
            + self
                .states()
                .map(|state| match &state.kind {
                    StateKind::Parallel(p) => {
                        p.branches.iter().flatten().map(Self::total_states).sum()
                    }
                    StateKind::Map(m) => m.processor.as_deref().map_or(0, Self::total_states),
                    _ => 0,
                })
                .sum::<usize>()
    }

    /// [`Self::insert_state`] without recomputing the edges. For the editing commands, which make
    /// many primitive edits and then call [`Self::rebuild_all_edges`] once.
    pub(crate) fn insert_state_deferred(&mut self, position: usize, state: State) -> bool {
        if self.by_name.contains_key(&state.name) {
            return false;
        }
        let name = state.name.clone();
        let node = self.graph.add_node(state);
        self.order.insert(position.min(self.order.len()), node);
        self.by_name.insert(name, node);
        self.has_states = true;
        true
    }

    /// [`Self::remove_state`] without recomputing the edges (see [`Self::insert_state_deferred`]).
    pub(crate) fn remove_state_deferred(&mut self, name: &str) -> Option<(usize, State)> {
        let node = *self.by_name.get(name)?;
        let position = self.order.iter().position(|&n| n == node)?;
        self.by_name.remove(name);
        self.order.remove(position);
        let state = self.graph.remove_node(node)?;
        Some((position, state))
    }

    /// A state to change in place, edges left stale (see [`Self::insert_state_deferred`]). The
    /// caller must not change its name.
    pub(crate) fn state_mut_deferred(&mut self, name: &str) -> Option<&mut State> {
        let node = self.node(name)?;
        self.graph.node_weight_mut(node)
    }

    /// Recomputes the edges of this machine and of every machine nested in it.
    pub(crate) fn rebuild_all_edges(&mut self) {
        self.rebuild_edges();
        for &node in &self.order {
            if let Some(state) = self.graph.node_weight_mut(node) {
                for child in state.children_mut() {
                    child.rebuild_all_edges();
                }
            }
        }
    }

    /// Recomputes the edges from the states' transition fields. Cheap (linear in transitions), and
    /// the one place edges are made, so they can never disagree with the fields.
    pub(crate) fn rebuild_edges(&mut self) {
        self.graph.clear_edges();
        let mut edges = Vec::new();
        for &node in &self.order {
            if let Some(state) = self.graph.node_weight(node) {
                for (kind, target) in state.transitions() {
                    if let Some(&to) = self.by_name.get(target) {
                        edges.push((node, to, kind));
                    }
                }
            }
        }
        for (from, to, kind) in edges {
            self.graph.add_edge(from, to, kind);
        }
    }
}

/// One step from a machine into a nested machine.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// Into branch `index` of the Parallel state `state`.
    Branch {
        /// The Parallel state's name.
        state: String,
        /// The branch index.
        index: usize,
    },
    /// Into the processor of the Map state `state`.
    Processor {
        /// The Map state's name.
        state: String,
    },
}

impl PathStep {
    /// The name of the state that owns the nested machine.
    #[must_use]
    pub fn state(&self) -> &str {
        match self {
            Self::Branch { state, .. } | Self::Processor { state } => state,
        }
    }
}

/// Where a machine sits in the document: the steps from the root into nested machines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct MachinePath(pub Vec<PathStep>);

impl MachinePath {
    /// The top-level machine.
    #[must_use]
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// This path extended into a Parallel branch.
    #[must_use]
    pub fn branch(&self, state: &str, index: usize) -> Self {
        let mut steps = self.0.clone();
        steps.push(PathStep::Branch {
            state: state.to_owned(),
            index,
        });
        Self(steps)
    }

    /// This path extended into a Map processor.
    #[must_use]
    pub fn processor(&self, state: &str) -> Self {
        let mut steps = self.0.clone();
        steps.push(PathStep::Processor {
            state: state.to_owned(),
        });
        Self(steps)
    }

    /// Whether this is the top-level machine.
    #[must_use]
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The JSON pointer (RFC 6901) of this machine's object inside the root document.
    #[must_use]
    pub fn pointer(&self, root: &StateMachine) -> String {
        let mut pointer = String::new();
        let mut machine = Some(root);
        for step in &self.0 {
            pointer.push_str("/States/");
            pointer.push_str(&escape_pointer(step.state()));
            let state = machine.and_then(|m| m.state(step.state()));
            match step {
                PathStep::Branch { index, .. } => {
                    pointer.push_str(&format!("/Branches/{index}"));
                    machine = state.and_then(|s| match &s.kind {
                        StateKind::Parallel(p) => p.branches.as_ref()?.get(*index),
                        _ => None,
                    });
                }
                PathStep::Processor { .. } => {
                    let (field, nested) = match state.map(|s| &s.kind) {
                        Some(StateKind::Map(m)) => {
                            (m.processor_field.as_str(), m.processor.as_deref())
                        }
                        _ => ("ItemProcessor", None),
                    };
                    pointer.push('/');
                    pointer.push_str(field);
                    machine = nested;
                }
            }
        }
        pointer
    }

    /// The JSON pointer of a state of this machine.
    #[must_use]
    pub fn state_pointer(&self, root: &StateMachine, state: &str) -> String {
        format!("{}/States/{}", self.pointer(root), escape_pointer(state))
    }
}

/// Escapes one JSON pointer reference token (RFC 6901: `~` as `~0`, `/` as `~1`).
#[must_use]
pub fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn kind_name(kind: JsonKind) -> &'static str {
    match kind {
        JsonKind::Null => "null",
        JsonKind::Bool => "a boolean",
        JsonKind::Number => "a number",
        JsonKind::String => "a string",
        JsonKind::Array => "an array",
        JsonKind::Object => "an object",
    }
}
