//! The ASL document model: a state machine whose states and transitions form a petgraph graph, with
//! Parallel branches and Map processors as nested machines owned by their state.
//!
//! Every ASL field is typed ([`State`], [`StateKind`] and the per-type structs), in both query
//! languages; anything the model does not know is kept as it came ([`Extras`]), so that
//! [`StateMachine::from_value`] then [`StateMachine::to_value`] gives back the same document with the
//! same key order. No UI, no I/O: text formats live in `asl-codec`.

pub mod compare;
mod diagnostic;
mod edit;
pub mod expr;
mod fields;
mod hasher;
pub mod integrations;
mod lookup;
mod machine;
mod quickfix;
mod state;
mod validate;

pub use diagnostic::{Diagnostic, Severity};
pub use edit::{
    Command, DEFAULT_HISTORY_LIMIT, Document, EditError, EditReport, HistoryEntry,
    check_state_name, copy_selection, describe_path, describe_transition, fresh_name, new_state,
};
pub use fields::{Extras, JsonKind, JsonSource, NullablePath, NumberOr};
pub use lookup::{PointedState, pointer_tokens};
pub use machine::{MachinePath, PathStep, ShapeError, StateMachine, Transition, escape_pointer};
pub use petgraph::stable_graph::NodeIndex;
pub use quickfix::{QuickFix, TASK_TOKEN_TIMEOUT_SECONDS, quick_fix};
pub use state::{
    Catcher, ChoiceRule, ChoiceState, ComparisonOperator, Condition, FailState, MapState,
    OperandKind, ParallelState, PassState, ProcessorField, QueryLanguage, Retrier, State,
    StateKind, StateType, TaskState, WaitState,
};
pub use validate::distributed::{
    ARRAY_FORMATS, HTTP_METHODS, READER_CONFIG_CHOICES, REQUEST_BODY_ENCODINGS,
    WRITER_CONFIG_CHOICES,
};
pub use validate::lint::{LAMBDA_TRANSIENT_ERRORS, is_lambda_invoke, unretried_lambda_errors};
pub use validate::{LINT_CODES, Validation, kind_of, validate};
