//! `asl-studio run`: a dry run of a definition on an input.

use std::process::ExitCode;

/// Arguments of `asl-studio run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The definition (ASL JSON/YAML) to run.
    pub definition: std::path::PathBuf,
}

/// Runs `asl-studio run` and returns its exit code.
pub fn run_command(_args: &RunArgs) -> ExitCode {
    ExitCode::SUCCESS
}
