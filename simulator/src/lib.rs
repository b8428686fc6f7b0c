//! The dry-run engine for Amazon States Language state machines.
//!
//! [`run`] executes a definition (ASL JSON as a `serde_json::Value`) on an input, offline and
//! deterministically: Task results come from [`Mocks`], Wait and Retry move a virtual clock, and random
//! choices follow [`Options::seed`]. [`Execution`] does the same in slices (`step`), for callers without
//! threads (the browser) and for cancellation. The result carries the status, output or error and
//! cause, an AWS-shaped event history, a per-state trace of the data flow and a cost estimate.

mod choice;
mod concurrency;
pub mod coverage;
mod engine;
mod error;
mod expr;
mod fast_hash;
pub mod generate;
mod interner;
pub mod intrinsics;
mod json_size;
pub mod jsonata;
mod jsonata_steps;
pub mod map_items;
mod mocks;
mod options_builder;
#[cfg(feature = "parquet")]
mod parquet_items;
mod path;
mod plan;
pub mod result_writer;
mod solve;
pub mod suite;
mod template;
mod timestamp;
mod types;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

pub use engine::Execution;
pub use error::DefinitionError;
pub use mocks::{MockConfig, MockEntry, MockError, MockResponse, MockedCall, Mocks};
pub use options_builder::OptionsBuilder;
pub use types::{
    DEFAULT_MAX_TRANSITIONS, Decision, ExecutionResult, ExecutionType, HistoryEvent, Options,
    PriceTable, STANDARD_TIMEOUT_SECONDS, StateTrace, Status, StepOutcome, TraceStage,
};

/// Runs `definition` on `input` to the end. A definition that cannot be compiled gives a FAILED result
/// with the error `States.Runtime` and a cause naming where the definition is wrong.
pub fn run(
    definition: &serde_json::Value,
    input: serde_json::Value,
    options: &Options,
) -> ExecutionResult {
    match Execution::new(definition, input, options.clone()) {
        Ok(execution) => execution.run_to_end(),
        Err(error) => not_compiled(&error),
    }
}

/// The result of a run whose definition cannot be compiled.
pub(crate) fn not_compiled(error: &DefinitionError) -> ExecutionResult {
    ExecutionResult::not_run(
        Status::Failed,
        Some("States.Runtime".to_owned()),
        Some(format!("Invalid definition: {error}")),
    )
}
