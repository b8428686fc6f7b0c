//! The execution plan: an ASL definition (JSON) compiled into states by index, with paths and
//! templates parsed once, so the run loop never looks at the raw definition again. This module holds
//! the plan's types; [`compile`] builds them, with the crate's interner (`crate::interner`) sharing
//! the paths and strings a definition repeats and `recent.rs` the templates and Retry/Catch lists.
//! The plan imports the Choice rules and templates, never the other way round.

mod compile;
mod recent;

use std::rc::Rc;

use graph_model::expr::jsonpath::Path;
use serde_json::Value;

use crate::choice::ChoiceRule;
use crate::template::Template;

pub(crate) use crate::interner::{Language, NamedPath};
pub(crate) use crate::template::Assign;
pub(crate) use compile::{compile, jsonata_expression};

/// A state's InputPath / OutputPath, or a Map's ItemsPath: one pointer for a path, as every state
/// has the first two.
#[derive(Debug, Clone)]
pub(crate) enum DataPath {
    /// Absent: `$`.
    Whole,
    /// `null`: `{}`.
    Null,
    Path(Rc<NamedPath>),
}

/// ResultPath.
#[derive(Debug, Clone)]
pub(crate) enum ResultPathField {
    /// Absent or `$`: the result replaces the input.
    Replace,
    /// `null`: the result is discarded.
    Discard,
    Path {
        path: Rc<NamedPath>,
    },
}

/// A number that is given literally, through a reference path, or by a JSONata expression.
#[derive(Debug, Clone)]
pub(crate) enum Dynamic {
    Literal(Box<Value>),
    Path { text: String, path: Rc<Path> },
    Jsonata(String),
}

/// A retrier.
#[derive(Debug, Clone)]
pub(crate) struct Retrier {
    pub(crate) errors: Vec<Rc<str>>,
    pub(crate) interval_seconds: f64,
    pub(crate) max_attempts: u32,
    pub(crate) backoff_rate: f64,
    pub(crate) max_delay_seconds: Option<f64>,
    pub(crate) full_jitter: bool,
}

/// A catcher.
#[derive(Debug, Clone)]
pub(crate) struct Catcher {
    pub(crate) errors: Vec<Rc<str>>,
    pub(crate) next: usize,
    pub(crate) result_path: ResultPathField,
    pub(crate) assign: Option<Assign>,
    pub(crate) output: Option<Box<Value>>,
}

/// Wait parameters.
#[derive(Debug, Clone)]
pub(crate) enum WaitSpec {
    Seconds(Dynamic),
    Timestamp(Dynamic),
}

/// Fail state's Error/Cause.
#[derive(Debug, Clone)]
pub(crate) enum FailField {
    Absent,
    Literal(String),
    /// ErrorPath / CausePath (JSONPath; may also be an intrinsic function).
    Path {
        text: String,
        template: Box<Template>,
    },
    Jsonata(String),
}

/// Map-specific fields.
#[derive(Debug, Clone)]
pub(crate) struct MapSpec {
    pub(crate) processor: usize,
    pub(crate) items_path: Option<DataPath>,
    /// JSONata `Items` (literal array or expression string).
    pub(crate) items: Option<Value>,
    pub(crate) item_selector: Option<Rc<Template>>,
    /// JSONata `ItemSelector`.
    pub(crate) item_selector_jsonata: Option<Value>,
    pub(crate) max_concurrency: Option<Dynamic>,
    pub(crate) distributed: bool,
    pub(crate) tolerated_count: Option<Dynamic>,
    pub(crate) tolerated_percentage: Option<Dynamic>,
    pub(crate) label: Option<String>,
    pub(crate) item_reader: Option<Value>,
    /// ItemReader `ReaderConfig.MaxItems` / `MaxItemsPath`.
    pub(crate) reader_max_items: Option<Dynamic>,
    pub(crate) item_batcher: Option<Box<BatcherSpec>>,
    pub(crate) result_writer: Option<Box<WriterPlan>>,
}

/// A Distributed Map's ItemBatcher (see `map_items::batch`).
#[derive(Debug, Clone)]
pub(crate) struct BatcherSpec {
    pub(crate) max_items: Option<Dynamic>,
    pub(crate) max_bytes: Option<Dynamic>,
    /// JSONPath `BatchInput` (a payload template).
    pub(crate) batch_input: Option<Rc<Template>>,
    /// JSONata `BatchInput`.
    pub(crate) batch_input_jsonata: Option<Value>,
}

/// A Distributed Map's ResultWriter (see `result_writer`).
#[derive(Debug, Clone)]
pub(crate) struct WriterPlan {
    pub(crate) spec: crate::result_writer::WriterSpec,
    /// JSONPath `Parameters` (Bucket, Prefix).
    pub(crate) parameters: Option<Rc<Template>>,
    /// JSONata `Arguments`.
    pub(crate) arguments: Option<Value>,
}

/// What a state does.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Pass {
        result: Option<Box<Value>>,
        result_size: usize,
    },
    Task {
        resource: Rc<str>,
        timeout: Option<Dynamic>,
        heartbeat: Option<Dynamic>,
    },
    Choice {
        rules: Vec<ChoiceRule>,
        default: Option<usize>,
    },
    Wait(WaitSpec),
    Succeed,
    Fail {
        error: FailField,
        cause: FailField,
    },
    Parallel {
        branches: Vec<usize>,
    },
    Map(Box<MapSpec>),
}

/// One compiled state.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) language: Language,
    /// `None`: End (or a terminal state type).
    pub(crate) next: Option<usize>,
    pub(crate) input_path: DataPath,
    pub(crate) output_path: DataPath,
    pub(crate) result_path: ResultPathField,
    pub(crate) parameters: Option<Rc<Template>>,
    pub(crate) result_selector: Option<Rc<Template>>,
    pub(crate) assign: Option<Assign>,
    // Boxed, like the other fields only some states have: a compiled state is allocated for every
    // state on every run, and its size is pages a cold process has to fault in.
    /// JSONata `Arguments`.
    pub(crate) arguments: Option<Box<Value>>,
    /// JSONata `Output`.
    pub(crate) output: Option<Box<Value>>,
    /// Shared with every state whose `Retry` is spelled the same (generated definitions repeat one).
    pub(crate) retry: Rc<[Retrier]>,
    /// Shared like `retry`.
    pub(crate) catch: Rc<[Catcher]>,
}

/// A machine: the top level, a Parallel branch or a Map processor.
#[derive(Debug, Clone)]
pub(crate) struct Machine {
    pub(crate) states: Vec<State>,
    pub(crate) start: usize,
}

/// All machines of a definition; machine 0 is the top level.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) machines: Vec<Machine>,
    /// The top-level `TimeoutSeconds`: the run times out when the virtual clock passes it.
    pub(crate) timeout_seconds: Option<f64>,
}

impl Plan {
    /// The state at position `state` of machine `machine`.
    pub(crate) fn state(&self, machine: usize, state: usize) -> Option<&State> {
        self.machines
            .get(machine)
            .and_then(|machine| machine.states.get(state))
    }
}
