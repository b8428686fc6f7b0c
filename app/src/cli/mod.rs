//! The headless command line: `check`, `fmt`, `convert`, `extract`, `run`. No window opens for these.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod check;
pub mod convert;
pub mod diff;
pub mod embed;
pub mod export;
pub mod extract;
pub mod fmt;
pub mod lsp;
pub mod render;
pub mod run;
pub mod test;
pub mod write;

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
    /// Print the state machine definition held in a SAM / CloudFormation template or a Terraform file.
    Extract(extract::ExtractArgs),
    /// Run a definition on an input, offline, and print the output.
    Run(Box<run::RunArgs>),
    /// Write a definition back into the SAM / CloudFormation template or Terraform file that holds it.
    Embed(embed::EmbedArgs),
    /// Write a deployable SAM, CloudFormation or Terraform stack for a definition.
    Export(export::ExportArgs),
    /// Serve editors over the Language Server Protocol on standard input and output.
    Lsp(lsp::LspArgs),
    /// Run a definition's test suite (a Step Functions Local mock file with expectations) and report coverage; or generate one.
    Test(Box<test::TestArgs>),
    /// Draw a definition as SVG, PNG or a Mermaid flowchart, as the designer's canvas shows it.
    Render(Box<render::RenderArgs>),
    /// Compare two versions of a definition: states added, removed and renamed, fields changed, transitions rewired.
    Diff(Box<diff::DiffArgs>),
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
        Some(Command::Embed(args)) => embed::embed_command(&args),
        Some(Command::Export(args)) => export::export_command(&args),
        Some(Command::Lsp(args)) => lsp::lsp_command(&args),
        Some(Command::Test(args)) => test::test_command(&args),
        Some(Command::Render(args)) => render::render_command(&args),
        Some(Command::Diff(args)) => diff::diff_command(&args),
        None => asl_studio::run_native(cli.file),
    }
}

/// Exit code: the input is fine.
pub const EXIT_OK: u8 = 0;
/// Exit code: the input has errors (or, with `--check`, would change).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: the input could not be read or processed.
pub const EXIT_UNREADABLE: u8 = 2;

/// One input read by the codec's loader: a path, or `-` for standard input.
pub type Input = asl_codec::InputText;

/// Whether `path` means standard input.
pub fn is_stdin(path: &Path) -> bool {
    asl_codec::load::is_stdin(path)
}

/// Reads a path (or `-`) through the codec's loader (size limit, regular files only, UTF-8);
/// the error is a message for the user.
pub fn read_input(path: &Path) -> Result<Input, String> {
    asl_codec::load::read_input(path)
        .map_err(|error| escape_control(&error.to_string()).into_owned())
}

/// [`read_input`] for a command over several files: when `path` cannot be read, prints why,
/// raises `code` to [`EXIT_UNREADABLE`] and returns `None`, so that the command goes on with the
/// next file.
pub fn read_input_or_report(path: &Path, code: &mut u8) -> Option<Input> {
    match read_input(path) {
        Ok(input) => Some(input),
        Err(message) => {
            err_line(&message);
            *code = (*code).max(EXIT_UNREADABLE);
            None
        }
    }
}

/// One line for an input the loader refused: `file:line:col: error[CODE]: message` for a syntax
/// error or a duplicate key, `file: message` otherwise. `display` is already escaped.
pub fn load_error_line(display: &str, error: &asl_codec::LoadError) -> String {
    use asl_codec::LoadError;
    let line = match error {
        LoadError::Syntax(syntax) => {
            format!(
                "{display}:{}: error[SYNTAX]: {}",
                syntax.location, syntax.message
            )
        }
        LoadError::DuplicateKey {
            key,
            pointer,
            location,
            first,
        } => format!(
            "{display}:{location}: error[DUPLICATE_KEY]: duplicate key `{key}` at {pointer} \
             (first at {first}); refusing to drop either (see `asl-studio check`)"
        ),
        other => format!("{display}: {other}"),
    };
    escape_control(&line).into_owned()
}

/// Whether two paths name the same existing file (through links, hard links included).
pub fn same_file(a: &Path, b: &Path) -> bool {
    if is_stdin(a) || is_stdin(b) {
        return false;
    }
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        #[cfg(unix)]
        (Ok(a), Ok(b)) => {
            use std::os::unix::fs::MetadataExt as _;
            a.dev() == b.dev() && a.ino() == b.ino()
        }
        #[cfg(not(unix))]
        (Ok(_), Ok(_)) => match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        },
        _ => false,
    }
}

/// Refuses an output file that is one of the command's inputs: writing it would destroy the input.
pub fn refuse_output_among_inputs(
    option: &str,
    output: &Path,
    inputs: &[&Path],
) -> Result<(), String> {
    match inputs.iter().find(|input| same_file(output, input)) {
        Some(input) => Err(escape_control(&format!(
            "{option} {}: this is the input file {}; refusing to overwrite it",
            output.display(),
            input.display()
        ))
        .into_owned()),
        None => Ok(()),
    }
}

/// Text made safe for a terminal: control characters (newlines, escapes, DEL, C1) and the
/// invisible bidirectional overrides are written as `\n`, `\t`, `\r` or `\u{..}`, so a state
/// name or error cause can neither forge a line of output nor drive the terminal. Every
/// human-readable line the CLI prints about user data goes through this; JSON output does not
/// need it (the JSON writer escapes control characters itself).
pub fn escape_control(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' => escaped.push_str("\\t"),
            c if unsafe_char(c) => escaped.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => escaped.push(c),
        }
    }
    std::borrow::Cow::Owned(escaped)
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
