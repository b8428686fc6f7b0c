//! The headless command line: `check`, `fmt`, `convert`, `extract`, `run`. No window opens for these.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod check;
pub mod convert;
pub mod extract;
pub mod fmt;
pub mod run;

/// ASL Studio: design, check and dry-run AWS Step Functions state machines.
#[derive(Debug, Parser)]
#[command(name = "asl-studio", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// A definition or template to open in the designer (no subcommand).
    file: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check definitions and templates; print `file:line:col: error[CODE] State: message`.
    Check(check::CheckArgs),
    /// Rewrite files in the canonical layout (2-space indent, one member per line).
    Fmt(fmt::FmtArgs),
    /// Convert a definition or template between JSON and YAML.
    Convert(convert::ConvertArgs),
    /// Print the state machine definition held in a SAM / CloudFormation template.
    Extract(extract::ExtractArgs),
    /// Run a definition on an input, offline, and print the output.
    Run(Box<run::RunArgs>),
}

/// Parses the command line and runs the chosen command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Check(args)) => check::check_command(&args),
        Some(Command::Fmt(args)) => fmt::fmt_command(&args),
        Some(Command::Convert(args)) => convert::convert_command(&args),
        Some(Command::Extract(args)) => extract::extract_command(&args),
        Some(Command::Run(args)) => run::run_command(&args),
        None => asl_studio::run_native(cli.file),
    }
}

/// Exit code: the input is fine.
pub const EXIT_OK: u8 = 0;
/// Exit code: the input has errors (or, with `--check`, would change).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: the input could not be read or processed.
pub const EXIT_UNREADABLE: u8 = 2;

/// One input: a path, or `-` for standard input.
pub struct Input {
    /// How to name it in messages.
    pub display: String,
    /// The text.
    pub text: String,
    /// The format, from the extension or the content.
    pub format: asl_codec::Format,
    /// The folder that relative paths in it (SAM `DefinitionUri`) are resolved against.
    pub base_dir: PathBuf,
}

/// Whether `path` means standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Reads a path (or `-`) within the size limit; the error is a message for the user.
pub fn read_input(path: &Path) -> Result<Input, String> {
    let limit = asl_codec::ParseOptions::default().max_bytes;
    let (display, bytes, base_dir) = if is_stdin(path) {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| format!("<stdin>: cannot read: {error}"))?;
        (
            "<stdin>".to_owned(),
            bytes,
            std::env::current_dir().unwrap_or_default(),
        )
    } else {
        let display = path.display().to_string();
        let size = std::fs::metadata(path)
            .map_err(|error| format!("{display}: cannot read: {error}"))?
            .len();
        if size > limit as u64 {
            return Err(format!(
                "{display}: {size} bytes, more than the limit of {limit} bytes"
            ));
        }
        let bytes =
            std::fs::read(path).map_err(|error| format!("{display}: cannot read: {error}"))?;
        let base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        (display, bytes, base_dir)
    };
    if bytes.len() > limit {
        return Err(format!("{display}: more than the limit of {limit} bytes"));
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        format!(
            "{display}: not UTF-8 text (byte {})",
            error.utf8_error().valid_up_to()
        )
    })?;
    let format =
        asl_codec::Format::from_path(path).unwrap_or_else(|| asl_codec::Format::sniff(&text));
    Ok(Input {
        display,
        text,
        format,
        base_dir,
    })
}

/// Writes to standard output; a closed pipe is not an error worth a panic.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Writes one line to standard error.
pub fn err_line(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{text}");
}
