//! One state of a machine, every ASL field typed, in both query languages.

use serde_json::{Map, Value};

use crate::fields::{Extras, JsonKind, JsonSource, NullablePath, NumberOr, Reader, Writer};
use crate::machine::StateMachine;

/// The query language of a machine or state (`QueryLanguage`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QueryLanguage {
    /// `"JSONPath"`, the default.
    JsonPath,
    /// `"JSONata"`.
    Jsonata,
}

impl QueryLanguage {
    /// The spelling ASL uses.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JsonPath => "JSONPath",
            Self::Jsonata => "JSONata",
        }
    }

    /// Parses ASL's spelling; anything else is not a query language.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "JSONPath" => Some(Self::JsonPath),
            "JSONata" => Some(Self::Jsonata),
            _ => None,
        }
    }
}

/// The eight ASL state types, as a plain tag (for palettes, filters and type changes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StateType {
    /// `Task`
    Task,
    /// `Pass`
    Pass,
    /// `Choice`
    Choice,
    /// `Wait`
    Wait,
    /// `Parallel`
    Parallel,
    /// `Map`
    Map,
    /// `Succeed`
    Succeed,
    /// `Fail`
    Fail,
}

impl StateType {
    /// Every state type, in palette order.
    pub const ALL: [Self; 8] = [
        Self::Task,
        Self::Pass,
        Self::Choice,
        Self::Wait,
        Self::Parallel,
        Self::Map,
        Self::Succeed,
        Self::Fail,
    ];

    /// The `Type` value in ASL.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Task => "Task",
            Self::Pass => "Pass",
            Self::Choice => "Choice",
            Self::Wait => "Wait",
            Self::Parallel => "Parallel",
            Self::Map => "Map",
            Self::Succeed => "Succeed",
            Self::Fail => "Fail",
        }
    }

    /// Parses an ASL `Type` value.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// Whether ASL lets this type end the machine with `End` or by being terminal.
    #[must_use]
    pub fn is_terminal_type(self) -> bool {
        matches!(self, Self::Succeed | Self::Fail)
    }
}

/// One state: its name, the fields every state type may carry, and its type-specific fields.
///
/// Fields that ASL allows only on some types (say `Parameters` on a `Fail`) are still held here when
/// a document has them, so that nothing is lost; validation reports them.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The state's name: its key in `States`.
    pub name: String,
    /// `Comment`
    pub comment: Option<String>,
    /// `QueryLanguage` at state level.
    pub query_language: Option<QueryLanguage>,
    /// `Next`
    pub next: Option<String>,
    /// `End`
    pub end: Option<bool>,
    /// `InputPath`
    pub input_path: Option<NullablePath>,
    /// `OutputPath`
    pub output_path: Option<NullablePath>,
    /// `ResultPath`
    pub result_path: Option<NullablePath>,
    /// `Parameters` (JSONPath payload template; on Map the legacy name of `ItemSelector`).
    pub parameters: Option<Value>,
    /// `Arguments` (JSONata).
    pub arguments: Option<Value>,
    /// `ResultSelector`
    pub result_selector: Option<Value>,
    /// `Output` (JSONata).
    pub output: Option<Value>,
    /// `Assign` (variables, both query languages).
    pub assign: Option<Value>,
    /// `Retry`
    pub retry: Option<Vec<Retrier>>,
    /// `Catch`
    pub catch: Option<Vec<Catcher>>,
    /// The type and its own fields.
    pub kind: StateKind,
    /// Unknown members and source key order.
    pub extras: Extras,
}

/// The type-specific part of a state.
// Each state is stored once, in its graph node; boxing Map's fields would save a few hundred bytes
// per state at the price of an indirection and a clumsier API everywhere states are built.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum StateKind {
    /// `Task`
    Task(TaskState),
    /// `Pass`
    Pass(PassState),
    /// `Choice`
    Choice(ChoiceState),
    /// `Wait`
    Wait(WaitState),
    /// `Parallel`
    Parallel(ParallelState),
    /// `Map`
    Map(MapState),
    /// `Succeed`
    Succeed,
    /// `Fail`
    Fail(FailState),
    /// `Type` missing or not one of the eight; the raw `Type` value (if any) stays in the extras.
    Unknown,
    /// The state's value in `States` was not a JSON object at all; kept verbatim.
    NotAnObject(Value),
}

/// `Task` fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaskState {
    /// `Resource`
    pub resource: Option<String>,
    /// `TimeoutSeconds`
    pub timeout_seconds: Option<NumberOr>,
    /// `TimeoutSecondsPath`
    pub timeout_seconds_path: Option<String>,
    /// `HeartbeatSeconds`
    pub heartbeat_seconds: Option<NumberOr>,
    /// `HeartbeatSecondsPath`
    pub heartbeat_seconds_path: Option<String>,
    /// `Credentials`
    pub credentials: Option<Value>,
}

/// `Pass` fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PassState {
    /// `Result`
    pub result: Option<Value>,
}

/// `Choice` fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChoiceState {
    /// `Choices`
    pub choices: Option<Vec<ChoiceRule>>,
    /// `Default`
    pub default: Option<String>,
}

/// `Wait` fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WaitState {
    /// `Seconds`
    pub seconds: Option<NumberOr>,
    /// `SecondsPath`
    pub seconds_path: Option<String>,
    /// `Timestamp`
    pub timestamp: Option<String>,
    /// `TimestampPath`
    pub timestamp_path: Option<String>,
}

/// `Parallel` fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParallelState {
    /// `Branches`: each one a nested machine.
    pub branches: Option<Vec<StateMachine>>,
}

/// Which member name holds a Map's processor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProcessorField {
    /// `ItemProcessor` (current).
    #[default]
    ItemProcessor,
    /// `Iterator` (legacy).
    Iterator,
}

impl ProcessorField {
    /// The member name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ItemProcessor => "ItemProcessor",
            Self::Iterator => "Iterator",
        }
    }
}

/// `Map` fields, inline and distributed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MapState {
    /// `ItemProcessor` or `Iterator`: the nested machine run for each item.
    pub processor: Option<Box<StateMachine>>,
    /// Which of the two names the processor was written under.
    pub processor_field: ProcessorField,
    /// `ItemsPath`
    pub items_path: Option<NullablePath>,
    /// `Items` (JSONata, or a JSON array).
    pub items: Option<Value>,
    /// `ItemSelector`
    pub item_selector: Option<Value>,
    /// `ItemReader` (distributed).
    pub item_reader: Option<Value>,
    /// `ItemBatcher` (distributed).
    pub item_batcher: Option<Value>,
    /// `ResultWriter` (distributed).
    pub result_writer: Option<Value>,
    /// `MaxConcurrency`
    pub max_concurrency: Option<NumberOr>,
    /// `MaxConcurrencyPath`
    pub max_concurrency_path: Option<String>,
    /// `ToleratedFailureCount`
    pub tolerated_failure_count: Option<NumberOr>,
    /// `ToleratedFailureCountPath`
    pub tolerated_failure_count_path: Option<String>,
    /// `ToleratedFailurePercentage`
    pub tolerated_failure_percentage: Option<NumberOr>,
    /// `ToleratedFailurePercentagePath`
    pub tolerated_failure_percentage_path: Option<String>,
    /// `Label`
    pub label: Option<String>,
}

impl MapState {
    /// Whether the processor runs in `DISTRIBUTED` mode (child workflow executions of their own,
    /// with ItemReader, ItemBatcher and ResultWriter).
    #[must_use]
    pub fn is_distributed(&self) -> bool {
        self.processor
            .as_ref()
            .is_some_and(|processor| processor.is_distributed_processor())
    }
}

/// `Fail` fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FailState {
    /// `Error`
    pub error: Option<String>,
    /// `Cause`
    pub cause: Option<String>,
    /// `ErrorPath`
    pub error_path: Option<String>,
    /// `CausePath`
    pub cause_path: Option<String>,
}

/// One `Retry` entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Retrier {
    /// `ErrorEquals`
    pub error_equals: Option<Vec<String>>,
    /// `IntervalSeconds`
    pub interval_seconds: Option<NumberOr>,
    /// `MaxAttempts`
    pub max_attempts: Option<NumberOr>,
    /// `BackoffRate`
    pub backoff_rate: Option<NumberOr>,
    /// `MaxDelaySeconds`
    pub max_delay_seconds: Option<NumberOr>,
    /// `JitterStrategy` (`FULL` or `NONE`).
    pub jitter_strategy: Option<String>,
    /// `Comment`
    pub comment: Option<String>,
    /// Unknown members and source key order.
    pub extras: Extras,
}

/// One `Catch` entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catcher {
    /// `ErrorEquals`
    pub error_equals: Option<Vec<String>>,
    /// `Next`
    pub next: Option<String>,
    /// `ResultPath`
    pub result_path: Option<NullablePath>,
    /// `Output` (JSONata).
    pub output: Option<Value>,
    /// `Assign`
    pub assign: Option<Value>,
    /// `Comment`
    pub comment: Option<String>,
    /// Unknown members and source key order.
    pub extras: Extras,
}

/// Every JSONPath Choice comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // The variant names are the ASL operator names.
pub enum ComparisonOperator {
    StringEquals,
    StringEqualsPath,
    StringLessThan,
    StringLessThanPath,
    StringGreaterThan,
    StringGreaterThanPath,
    StringLessThanEquals,
    StringLessThanEqualsPath,
    StringGreaterThanEquals,
    StringGreaterThanEqualsPath,
    StringMatches,
    NumericEquals,
    NumericEqualsPath,
    NumericLessThan,
    NumericLessThanPath,
    NumericGreaterThan,
    NumericGreaterThanPath,
    NumericLessThanEquals,
    NumericLessThanEqualsPath,
    NumericGreaterThanEquals,
    NumericGreaterThanEqualsPath,
    BooleanEquals,
    BooleanEqualsPath,
    TimestampEquals,
    TimestampEqualsPath,
    TimestampLessThan,
    TimestampLessThanPath,
    TimestampGreaterThan,
    TimestampGreaterThanPath,
    TimestampLessThanEquals,
    TimestampLessThanEqualsPath,
    TimestampGreaterThanEquals,
    TimestampGreaterThanEqualsPath,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
}

impl ComparisonOperator {
    /// Every operator.
    pub const ALL: [Self; 39] = {
        use ComparisonOperator as C;
        [
            C::StringEquals,
            C::StringEqualsPath,
            C::StringLessThan,
            C::StringLessThanPath,
            C::StringGreaterThan,
            C::StringGreaterThanPath,
            C::StringLessThanEquals,
            C::StringLessThanEqualsPath,
            C::StringGreaterThanEquals,
            C::StringGreaterThanEqualsPath,
            C::StringMatches,
            C::NumericEquals,
            C::NumericEqualsPath,
            C::NumericLessThan,
            C::NumericLessThanPath,
            C::NumericGreaterThan,
            C::NumericGreaterThanPath,
            C::NumericLessThanEquals,
            C::NumericLessThanEqualsPath,
            C::NumericGreaterThanEquals,
            C::NumericGreaterThanEqualsPath,
            C::BooleanEquals,
            C::BooleanEqualsPath,
            C::TimestampEquals,
            C::TimestampEqualsPath,
            C::TimestampLessThan,
            C::TimestampLessThanPath,
            C::TimestampGreaterThan,
            C::TimestampGreaterThanPath,
            C::TimestampLessThanEquals,
            C::TimestampLessThanEqualsPath,
            C::TimestampGreaterThanEquals,
            C::TimestampGreaterThanEqualsPath,
            C::IsNull,
            C::IsPresent,
            C::IsNumeric,
            C::IsString,
            C::IsBoolean,
            C::IsTimestamp,
        ]
    };

    /// The ASL member name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        use ComparisonOperator as C;
        match self {
            C::StringEquals => "StringEquals",
            C::StringEqualsPath => "StringEqualsPath",
            C::StringLessThan => "StringLessThan",
            C::StringLessThanPath => "StringLessThanPath",
            C::StringGreaterThan => "StringGreaterThan",
            C::StringGreaterThanPath => "StringGreaterThanPath",
            C::StringLessThanEquals => "StringLessThanEquals",
            C::StringLessThanEqualsPath => "StringLessThanEqualsPath",
            C::StringGreaterThanEquals => "StringGreaterThanEquals",
            C::StringGreaterThanEqualsPath => "StringGreaterThanEqualsPath",
            C::StringMatches => "StringMatches",
            C::NumericEquals => "NumericEquals",
            C::NumericEqualsPath => "NumericEqualsPath",
            C::NumericLessThan => "NumericLessThan",
            C::NumericLessThanPath => "NumericLessThanPath",
            C::NumericGreaterThan => "NumericGreaterThan",
            C::NumericGreaterThanPath => "NumericGreaterThanPath",
            C::NumericLessThanEquals => "NumericLessThanEquals",
            C::NumericLessThanEqualsPath => "NumericLessThanEqualsPath",
            C::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            C::NumericGreaterThanEqualsPath => "NumericGreaterThanEqualsPath",
            C::BooleanEquals => "BooleanEquals",
            C::BooleanEqualsPath => "BooleanEqualsPath",
            C::TimestampEquals => "TimestampEquals",
            C::TimestampEqualsPath => "TimestampEqualsPath",
            C::TimestampLessThan => "TimestampLessThan",
            C::TimestampLessThanPath => "TimestampLessThanPath",
            C::TimestampGreaterThan => "TimestampGreaterThan",
            C::TimestampGreaterThanPath => "TimestampGreaterThanPath",
            C::TimestampLessThanEquals => "TimestampLessThanEquals",
            C::TimestampLessThanEqualsPath => "TimestampLessThanEqualsPath",
            C::TimestampGreaterThanEquals => "TimestampGreaterThanEquals",
            C::TimestampGreaterThanEqualsPath => "TimestampGreaterThanEqualsPath",
            C::IsNull => "IsNull",
            C::IsPresent => "IsPresent",
            C::IsNumeric => "IsNumeric",
            C::IsString => "IsString",
            C::IsBoolean => "IsBoolean",
            C::IsTimestamp => "IsTimestamp",
        }
    }

    /// Parses an ASL member name.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.as_str() == text)
    }

    /// Whether the operand is a path to compare against (the `*Path` variants).
    #[must_use]
    pub fn takes_path(self) -> bool {
        self.as_str().ends_with("Path")
    }

    /// What the operator compares the Variable with, which decides how its operand is checked
    /// and edited.
    #[must_use]
    pub fn operand_kind(self) -> OperandKind {
        use ComparisonOperator as C;
        if self.takes_path() {
            return OperandKind::Path;
        }
        match self {
            C::NumericEquals
            | C::NumericLessThan
            | C::NumericGreaterThan
            | C::NumericLessThanEquals
            | C::NumericGreaterThanEquals => OperandKind::Number,
            C::TimestampEquals
            | C::TimestampLessThan
            | C::TimestampGreaterThan
            | C::TimestampLessThanEquals
            | C::TimestampGreaterThanEquals => OperandKind::Timestamp,
            C::BooleanEquals
            | C::IsNull
            | C::IsPresent
            | C::IsNumeric
            | C::IsString
            | C::IsBoolean
            | C::IsTimestamp => OperandKind::Boolean,
            _ => OperandKind::String,
        }
    }
}

/// What a comparison operator's operand is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperandKind {
    /// A reference path (the `*Path` operators).
    Path,
    /// A string (`String*`, `StringMatches`).
    String,
    /// A number (`Numeric*`).
    Number,
    /// An ISO-8601 timestamp string (`Timestamp*`).
    Timestamp,
    /// `true` or `false` (`BooleanEquals`, `Is*`).
    Boolean,
}

/// The test of a Choice rule (top level or nested inside And/Or/Not).
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// `Variable` compared with one operator.
    Comparison {
        /// `Variable` (a path); `None` when missing.
        variable: Option<String>,
        /// The operator.
        operator: ComparisonOperator,
        /// The operand as written (a literal, or a path for `*Path` operators).
        operand: Value,
    },
    /// `And`
    And(Vec<ChoiceRule>),
    /// `Or`
    Or(Vec<ChoiceRule>),
    /// `Not`
    Not(Box<ChoiceRule>),
    /// `Condition` (JSONata), the text as written including `{% %}`.
    Jsonata(String),
    /// Zero operators, or more than one: every member stays in the rule's extras for validation to report.
    Malformed,
}

/// One rule of a Choice state, or a nested rule inside `And`/`Or`/`Not` (which has no `Next`).
#[derive(Clone, Debug, PartialEq)]
pub struct ChoiceRule {
    /// The test.
    pub condition: Condition,
    /// `Next` (top-level rules only).
    pub next: Option<String>,
    /// `Comment`
    pub comment: Option<String>,
    /// `Assign`
    pub assign: Option<Value>,
    /// `Output` (JSONata).
    pub output: Option<Value>,
    /// Unknown members and source key order.
    pub extras: Extras,
}

impl State {
    /// A new state of the given type with no fields but its transition.
    #[must_use]
    pub fn new(name: impl Into<String>, state_type: StateType) -> Self {
        let kind = match state_type {
            StateType::Task => StateKind::Task(TaskState::default()),
            StateType::Pass => StateKind::Pass(PassState::default()),
            StateType::Choice => StateKind::Choice(ChoiceState::default()),
            StateType::Wait => StateKind::Wait(WaitState::default()),
            StateType::Parallel => StateKind::Parallel(ParallelState::default()),
            StateType::Map => StateKind::Map(MapState::default()),
            StateType::Succeed => StateKind::Succeed,
            StateType::Fail => StateKind::Fail(FailState::default()),
        };
        Self {
            name: name.into(),
            comment: None,
            query_language: None,
            next: None,
            end: None,
            input_path: None,
            output_path: None,
            result_path: None,
            parameters: None,
            arguments: None,
            result_selector: None,
            output: None,
            assign: None,
            retry: None,
            catch: None,
            kind,
            extras: Extras {
                order: vec!["Type".into()],
                unknown: Map::new(),
            },
        }
    }

    /// The state's type, or `None` when its `Type` is missing or unknown.
    #[must_use]
    pub fn state_type(&self) -> Option<StateType> {
        Some(match &self.kind {
            StateKind::Task(_) => StateType::Task,
            StateKind::Pass(_) => StateType::Pass,
            StateKind::Choice(_) => StateType::Choice,
            StateKind::Wait(_) => StateType::Wait,
            StateKind::Parallel(_) => StateType::Parallel,
            StateKind::Map(_) => StateType::Map,
            StateKind::Succeed => StateType::Succeed,
            StateKind::Fail(_) => StateType::Fail,
            StateKind::Unknown | StateKind::NotAnObject(_) => return None,
        })
    }

    /// The nested machines this state owns: Parallel branches, or the Map processor.
    #[must_use]
    pub fn children(&self) -> Vec<&StateMachine> {
        match &self.kind {
            StateKind::Parallel(p) => p.branches.iter().flatten().collect(),
            StateKind::Map(m) => m.processor.iter().map(AsRef::as_ref).collect(),
            _ => Vec::new(),
        }
    }

    /// Mutable access to the nested machines this state owns.
    pub fn children_mut(&mut self) -> Vec<&mut StateMachine> {
        match &mut self.kind {
            StateKind::Parallel(p) => p.branches.iter_mut().flatten().collect(),
            StateKind::Map(m) => m.processor.iter_mut().map(AsMut::as_mut).collect(),
            _ => Vec::new(),
        }
    }

    /// The transition a run took from this state to `target`: a Catch when the state failed
    /// (`caught`), otherwise another one; the first leading there when none is of that kind.
    #[must_use]
    pub fn transition_taken_to(&self, target: &str, caught: bool) -> Option<crate::Transition> {
        let candidates: Vec<crate::Transition> = self
            .transitions()
            .into_iter()
            .filter(|(_, next)| *next == target)
            .map(|(transition, _)| transition)
            .collect();
        let is_catch =
            |transition: &crate::Transition| matches!(transition, crate::Transition::Catch(_));
        candidates
            .iter()
            .find(|transition| is_catch(transition) == caught)
            .or_else(|| candidates.first())
            .copied()
    }

    /// Every state name this state transitions to, with the kind of transition, in document order.
    #[must_use]
    pub fn transitions(&self) -> Vec<(crate::Transition, &str)> {
        use crate::Transition;
        let mut out = Vec::new();
        if let StateKind::Choice(choice) = &self.kind {
            for (index, rule) in choice.choices.iter().flatten().enumerate() {
                if let Some(next) = &rule.next {
                    out.push((Transition::ChoiceRule(index), next.as_str()));
                }
            }
            if let Some(default) = &choice.default {
                out.push((Transition::Default, default.as_str()));
            }
        }
        if let Some(next) = &self.next {
            out.push((Transition::Next, next.as_str()));
        }
        for (index, catcher) in self.catch.iter().flatten().enumerate() {
            if let Some(next) = &catcher.next {
                out.push((Transition::Catch(index), next.as_str()));
            }
        }
        out
    }

    /// Points every transition that targets `from` at `to` instead; returns how many changed.
    pub fn retarget_all(&mut self, from: &str, to: &str) -> usize {
        let mut changed = 0;
        let mut swap = |slot: &mut Option<String>| {
            if slot.as_deref() == Some(from) {
                *slot = Some(to.to_owned());
                changed += 1;
            }
        };
        swap(&mut self.next);
        if let StateKind::Choice(choice) = &mut self.kind {
            swap(&mut choice.default);
            for rule in choice.choices.iter_mut().flatten() {
                swap(&mut rule.next);
            }
        }
        for catcher in self.catch.iter_mut().flatten() {
            swap(&mut catcher.next);
        }
        changed
    }

    /// The slot holding a given transition's target, if the state has that transition.
    pub fn transition_slot(
        &mut self,
        transition: crate::Transition,
    ) -> Option<&mut Option<String>> {
        use crate::Transition;
        match transition {
            Transition::Next => Some(&mut self.next),
            Transition::Default => match &mut self.kind {
                StateKind::Choice(c) => Some(&mut c.default),
                _ => None,
            },
            Transition::ChoiceRule(i) => match &mut self.kind {
                StateKind::Choice(c) => c
                    .choices
                    .as_mut()
                    .and_then(|rules| rules.get_mut(i))
                    .map(|r| &mut r.next),
                _ => None,
            },
            Transition::Catch(i) => self
                .catch
                .as_mut()
                .and_then(|c| c.get_mut(i))
                .map(|c| &mut c.next),
        }
    }

    pub(crate) fn from_value<'a, S: JsonSource<'a>>(name: &str, value: S) -> Self {
        if value.kind() != JsonKind::Object {
            let mut state = Self::new(name, StateType::Pass);
            state.kind = StateKind::NotAnObject(value.to_value());
            state.extras = Extras::default();
            return state;
        }
        let mut r = Reader::new(value);
        let state_type = r.peek_string("Type").as_deref().and_then(StateType::parse);
        if state_type.is_some() {
            r.string("Type");
        }
        let kind = match state_type {
            Some(StateType::Task) => StateKind::Task(TaskState {
                resource: r.string("Resource"),
                timeout_seconds: r.number_or("TimeoutSeconds"),
                timeout_seconds_path: r.string("TimeoutSecondsPath"),
                heartbeat_seconds: r.number_or("HeartbeatSeconds"),
                heartbeat_seconds_path: r.string("HeartbeatSecondsPath"),
                credentials: r.any("Credentials"),
            }),
            Some(StateType::Pass) => StateKind::Pass(PassState {
                result: r.any("Result"),
            }),
            Some(StateType::Choice) => StateKind::Choice(ChoiceState {
                choices: r
                    .object_array("Choices")
                    .map(|rules| rules.into_iter().map(ChoiceRule::from_object).collect()),
                default: r.string("Default"),
            }),
            Some(StateType::Wait) => StateKind::Wait(WaitState {
                seconds: r.number_or("Seconds"),
                seconds_path: r.string("SecondsPath"),
                timestamp: r.string("Timestamp"),
                timestamp_path: r.string("TimestampPath"),
            }),
            Some(StateType::Parallel) => StateKind::Parallel(ParallelState {
                branches: r.object_array("Branches").map(|branches| {
                    branches
                        .into_iter()
                        .map(StateMachine::from_object)
                        .collect::<Vec<_>>()
                }),
            }),
            Some(StateType::Map) => {
                let (processor, processor_field) = if let Some(p) = r.object("ItemProcessor") {
                    (Some(p), ProcessorField::ItemProcessor)
                } else {
                    (r.object("Iterator"), ProcessorField::Iterator)
                };
                StateKind::Map(MapState {
                    processor: processor.map(|p| Box::new(StateMachine::from_object(p))),
                    processor_field,
                    items_path: r.nullable_path("ItemsPath"),
                    items: r.any("Items"),
                    item_selector: r.any("ItemSelector"),
                    item_reader: r.any("ItemReader"),
                    item_batcher: r.any("ItemBatcher"),
                    result_writer: r.any("ResultWriter"),
                    max_concurrency: r.number_or("MaxConcurrency"),
                    max_concurrency_path: r.string("MaxConcurrencyPath"),
                    tolerated_failure_count: r.number_or("ToleratedFailureCount"),
                    tolerated_failure_count_path: r.string("ToleratedFailureCountPath"),
                    tolerated_failure_percentage: r.number_or("ToleratedFailurePercentage"),
                    tolerated_failure_percentage_path: r.string("ToleratedFailurePercentagePath"),
                    label: r.string("Label"),
                })
            }
            Some(StateType::Succeed) => StateKind::Succeed,
            Some(StateType::Fail) => StateKind::Fail(FailState {
                error: r.string("Error"),
                cause: r.string("Cause"),
                error_path: r.string("ErrorPath"),
                cause_path: r.string("CausePath"),
            }),
            None => StateKind::Unknown,
        };
        Self {
            name: name.to_owned(),
            comment: r.string("Comment"),
            query_language: r
                .peek_string("QueryLanguage")
                .as_deref()
                .and_then(QueryLanguage::parse)
                .inspect(|_| {
                    r.string("QueryLanguage");
                }),
            next: r.string("Next"),
            end: r.boolean("End"),
            input_path: r.nullable_path("InputPath"),
            output_path: r.nullable_path("OutputPath"),
            result_path: r.nullable_path("ResultPath"),
            parameters: r.any("Parameters"),
            arguments: r.any("Arguments"),
            result_selector: r.any("ResultSelector"),
            output: r.any("Output"),
            assign: r.any("Assign"),
            retry: r
                .object_array("Retry")
                .map(|items| items.into_iter().map(Retrier::from_object).collect()),
            catch: r
                .object_array("Catch")
                .map(|items| items.into_iter().map(Catcher::from_object).collect()),
            kind,
            extras: r.finish(),
        }
    }

    pub(crate) fn to_value(&self) -> Value {
        let mut w = Writer::new();
        match self.state_type() {
            Some(t) => w.put("Type", Value::String(t.as_str().to_owned())),
            None => {
                if let StateKind::NotAnObject(raw) = &self.kind {
                    return raw.clone();
                }
            }
        }
        w.string("Comment", self.comment.as_ref());
        if let Some(ql) = self.query_language {
            w.put("QueryLanguage", Value::String(ql.as_str().to_owned()));
        }
        match &self.kind {
            StateKind::Task(t) => {
                w.string("Resource", t.resource.as_ref());
                w.value("Credentials", t.credentials.as_ref());
                w.number_or("TimeoutSeconds", t.timeout_seconds.as_ref());
                w.string("TimeoutSecondsPath", t.timeout_seconds_path.as_ref());
                w.number_or("HeartbeatSeconds", t.heartbeat_seconds.as_ref());
                w.string("HeartbeatSecondsPath", t.heartbeat_seconds_path.as_ref());
            }
            StateKind::Pass(p) => w.value("Result", p.result.as_ref()),
            StateKind::Choice(c) => {
                if let Some(rules) = &c.choices {
                    w.put(
                        "Choices",
                        Value::Array(rules.iter().map(ChoiceRule::to_value).collect()),
                    );
                }
                w.string("Default", c.default.as_ref());
            }
            StateKind::Wait(wait) => {
                w.number_or("Seconds", wait.seconds.as_ref());
                w.string("SecondsPath", wait.seconds_path.as_ref());
                w.string("Timestamp", wait.timestamp.as_ref());
                w.string("TimestampPath", wait.timestamp_path.as_ref());
            }
            StateKind::Parallel(p) => {
                if let Some(branches) = &p.branches {
                    w.put(
                        "Branches",
                        Value::Array(branches.iter().map(StateMachine::to_value).collect()),
                    );
                }
            }
            StateKind::Map(m) => {
                w.value("ItemReader", m.item_reader.as_ref());
                w.nullable_path("ItemsPath", m.items_path.as_ref());
                w.value("Items", m.items.as_ref());
                w.value("ItemSelector", m.item_selector.as_ref());
                w.value("ItemBatcher", m.item_batcher.as_ref());
                w.number_or("MaxConcurrency", m.max_concurrency.as_ref());
                w.string("MaxConcurrencyPath", m.max_concurrency_path.as_ref());
                w.number_or("ToleratedFailureCount", m.tolerated_failure_count.as_ref());
                w.string(
                    "ToleratedFailureCountPath",
                    m.tolerated_failure_count_path.as_ref(),
                );
                w.number_or(
                    "ToleratedFailurePercentage",
                    m.tolerated_failure_percentage.as_ref(),
                );
                w.string(
                    "ToleratedFailurePercentagePath",
                    m.tolerated_failure_percentage_path.as_ref(),
                );
                w.string("Label", m.label.as_ref());
                if let Some(processor) = &m.processor {
                    w.put(m.processor_field.as_str(), processor.to_value());
                }
                w.value("ResultWriter", m.result_writer.as_ref());
            }
            StateKind::Fail(f) => {
                w.string("Error", f.error.as_ref());
                w.string("ErrorPath", f.error_path.as_ref());
                w.string("Cause", f.cause.as_ref());
                w.string("CausePath", f.cause_path.as_ref());
            }
            StateKind::Succeed | StateKind::Unknown | StateKind::NotAnObject(_) => {}
        }
        w.nullable_path("InputPath", self.input_path.as_ref());
        w.value("Parameters", self.parameters.as_ref());
        w.value("Arguments", self.arguments.as_ref());
        w.value("ResultSelector", self.result_selector.as_ref());
        w.nullable_path("ResultPath", self.result_path.as_ref());
        w.nullable_path("OutputPath", self.output_path.as_ref());
        w.value("Output", self.output.as_ref());
        w.value("Assign", self.assign.as_ref());
        if let Some(retry) = &self.retry {
            w.put(
                "Retry",
                Value::Array(retry.iter().map(Retrier::to_value).collect()),
            );
        }
        if let Some(catch) = &self.catch {
            w.put(
                "Catch",
                Value::Array(catch.iter().map(Catcher::to_value).collect()),
            );
        }
        w.string("Next", self.next.as_ref());
        w.boolean("End", self.end);
        Value::Object(w.finish(&self.extras))
    }
}

/// What Retry and Catch entries share: `ErrorEquals`, `Comment` and the unknown members, read and
/// written around the entry's own members.
trait ErrorEntry: Default {
    /// The entry's own members (its shared ones left at their defaults).
    fn read_own<'a, S: JsonSource<'a>>(r: &mut Reader<'a, S>) -> Self;
    /// Writes the entry's own members, in AWS's order.
    fn write_own(&self, w: &mut Writer);
    /// `ErrorEquals`, `Comment` and the unknown members.
    fn shared(&self) -> (Option<&Vec<String>>, Option<&String>, &Extras);
    /// The same, to fill in after reading.
    fn shared_mut(&mut self) -> (&mut Option<Vec<String>>, &mut Option<String>, &mut Extras);

    /// Reads an entry: the shared members, then the entry's own.
    fn from_object<'a, S: JsonSource<'a>>(object: S) -> Self {
        let mut r = Reader::new(object);
        let error_equals = r.string_array("ErrorEquals");
        let comment = r.string("Comment");
        let mut entry = Self::read_own(&mut r);
        let (entry_errors, entry_comment, entry_extras) = entry.shared_mut();
        *entry_errors = error_equals;
        *entry_comment = comment;
        *entry_extras = r.finish();
        entry
    }

    /// Writes an entry: `Comment`, `ErrorEquals`, then the entry's own members.
    fn to_value(&self) -> Value {
        let (error_equals, comment, extras) = self.shared();
        let mut w = Writer::new();
        w.string("Comment", comment);
        w.string_array("ErrorEquals", error_equals);
        self.write_own(&mut w);
        Value::Object(w.finish(extras))
    }
}

/// [`ErrorEntry::shared`] and [`ErrorEntry::shared_mut`] for a type whose shared members are the
/// fields `error_equals`, `comment` and `extras` (both Retrier and Catcher).
macro_rules! shared_entry_members {
    () => {
        fn shared(&self) -> (Option<&Vec<String>>, Option<&String>, &Extras) {
            (
                self.error_equals.as_ref(),
                self.comment.as_ref(),
                &self.extras,
            )
        }

        fn shared_mut(&mut self) -> (&mut Option<Vec<String>>, &mut Option<String>, &mut Extras) {
            (&mut self.error_equals, &mut self.comment, &mut self.extras)
        }
    };
}

fn owned_errors(errors: &[&str]) -> Option<Vec<String>> {
    Some(errors.iter().map(|e| (*e).to_owned()).collect())
}

impl MapState {
    /// The reference paths that may stand for a number field (`MaxConcurrencyPath`,
    /// `ToleratedFailureCountPath`, `ToleratedFailurePercentagePath`), with their member names.
    #[must_use]
    pub fn number_paths(&self) -> [(&'static str, Option<&str>); 3] {
        [
            ("MaxConcurrencyPath", self.max_concurrency_path.as_deref()),
            (
                "ToleratedFailureCountPath",
                self.tolerated_failure_count_path.as_deref(),
            ),
            (
                "ToleratedFailurePercentagePath",
                self.tolerated_failure_percentage_path.as_deref(),
            ),
        ]
    }
}

impl Retrier {
    /// A retrier for the given errors with AWS's defaults left implicit.
    #[must_use]
    pub fn for_errors(errors: &[&str]) -> Self {
        Self {
            error_equals: owned_errors(errors),
            ..Self::default()
        }
    }
}

impl ErrorEntry for Retrier {
    fn read_own<'a, S: JsonSource<'a>>(r: &mut Reader<'a, S>) -> Self {
        Self {
            interval_seconds: r.number_or("IntervalSeconds"),
            max_attempts: r.number_or("MaxAttempts"),
            backoff_rate: r.number_or("BackoffRate"),
            max_delay_seconds: r.number_or("MaxDelaySeconds"),
            jitter_strategy: r.string("JitterStrategy"),
            ..Self::default()
        }
    }

    fn write_own(&self, w: &mut Writer) {
        w.number_or("IntervalSeconds", self.interval_seconds.as_ref());
        w.number_or("MaxAttempts", self.max_attempts.as_ref());
        w.number_or("BackoffRate", self.backoff_rate.as_ref());
        w.number_or("MaxDelaySeconds", self.max_delay_seconds.as_ref());
        w.string("JitterStrategy", self.jitter_strategy.as_ref());
    }

    shared_entry_members!();
}

impl Catcher {
    /// A catcher for the given errors leading to `next`.
    #[must_use]
    pub fn for_errors(errors: &[&str], next: impl Into<String>) -> Self {
        Self {
            error_equals: owned_errors(errors),
            next: Some(next.into()),
            ..Self::default()
        }
    }
}

impl ErrorEntry for Catcher {
    fn read_own<'a, S: JsonSource<'a>>(r: &mut Reader<'a, S>) -> Self {
        Self {
            next: r.string("Next"),
            result_path: r.nullable_path("ResultPath"),
            output: r.any("Output"),
            assign: r.any("Assign"),
            ..Self::default()
        }
    }

    fn write_own(&self, w: &mut Writer) {
        w.nullable_path("ResultPath", self.result_path.as_ref());
        w.value("Output", self.output.as_ref());
        w.value("Assign", self.assign.as_ref());
        w.string("Next", self.next.as_ref());
    }

    shared_entry_members!();
}

impl ChoiceRule {
    /// A rule with the given condition leading to `next`.
    #[must_use]
    pub fn new(condition: Condition, next: Option<String>) -> Self {
        Self {
            condition,
            next,
            comment: None,
            assign: None,
            output: None,
            extras: Extras::default(),
        }
    }

    pub(crate) fn from_object<'a, S: JsonSource<'a>>(object: S) -> Self {
        let mut operators = object
            .members()
            .filter_map(|(key, _)| Self::operator_name(&key));
        let single = match (operators.next(), operators.next()) {
            (Some(single), None) => Some(single),
            _ => None,
        };
        let mut r = Reader::new(object);
        let condition = single.and_then(|operator| Self::read_condition(&mut r, operator));
        let condition = match condition {
            Some(c) => c,
            None => Condition::Malformed,
        };
        Self {
            condition,
            next: r.string("Next"),
            comment: r.string("Comment"),
            assign: r.any("Assign"),
            output: r.any("Output"),
            extras: r.finish(),
        }
    }

    /// The static spelling of a member name that holds a rule's condition.
    fn operator_name(key: &str) -> Option<&'static str> {
        match key {
            "And" => Some("And"),
            "Or" => Some("Or"),
            "Not" => Some("Not"),
            "Condition" => Some("Condition"),
            other => ComparisonOperator::parse(other).map(ComparisonOperator::as_str),
        }
    }

    fn read_condition<'a, S: JsonSource<'a>>(
        r: &mut Reader<'a, S>,
        operator: &'static str,
    ) -> Option<Condition> {
        match operator {
            "And" | "Or" => {
                let rules: Vec<ChoiceRule> = r
                    .object_array(operator)?
                    .into_iter()
                    .map(Self::from_object)
                    .collect();
                Some(if operator == "And" {
                    Condition::And(rules)
                } else {
                    Condition::Or(rules)
                })
            }
            "Not" => Some(Condition::Not(Box::new(Self::from_object(
                r.object("Not")?,
            )))),
            "Condition" => r.string("Condition").map(Condition::Jsonata),
            name => {
                let op = ComparisonOperator::parse(name)?;
                let operand = r.any(name)?;
                Some(Condition::Comparison {
                    variable: r.string("Variable"),
                    operator: op,
                    operand,
                })
            }
        }
    }

    pub(crate) fn to_value(&self) -> Value {
        let mut w = Writer::new();
        w.string("Comment", self.comment.as_ref());
        match &self.condition {
            Condition::Comparison {
                variable,
                operator,
                operand,
            } => {
                w.string("Variable", variable.as_ref());
                w.put(operator.as_str(), operand.clone());
            }
            Condition::And(rules) => w.put(
                "And",
                Value::Array(rules.iter().map(Self::to_value).collect()),
            ),
            Condition::Or(rules) => w.put(
                "Or",
                Value::Array(rules.iter().map(Self::to_value).collect()),
            ),
            Condition::Not(rule) => w.put("Not", rule.to_value()),
            Condition::Jsonata(text) => w.put("Condition", Value::String(text.clone())),
            Condition::Malformed => {}
        }
        w.value("Assign", self.assign.as_ref());
        w.value("Output", self.output.as_ref());
        w.string("Next", self.next.as_ref());
        Value::Object(w.finish(&self.extras))
    }
}
