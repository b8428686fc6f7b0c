//! `asl-studio lsp`: the language server on standard input and output (see the asl-studio-lsp crate).

use std::process::ExitCode;

use super::{EXIT_OK, EXIT_UNREADABLE, err_line};

/// Arguments of `asl-studio lsp`.
#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Accepted for editors that pass it (VS Code's language client does); stdio is the only
    /// transport.
    #[arg(long)]
    pub stdio: bool,
}

/// Serves one editor until it says `exit`; 2 when the connection breaks.
pub fn lsp_command(_args: &LspArgs) -> ExitCode {
    match asl_studio_lsp::run_stdio() {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(error) => {
            err_line(&format!("asl-studio lsp: {error}"));
            ExitCode::from(EXIT_UNREADABLE)
        }
    }
}
