//! `asl-studio fmt`: the canonical layout, written in place (see [`super::write`] for how links,
//! modes and owners are kept).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use asl_codec::load::parse_refusing_duplicate_keys;

use super::write::write_output;
use super::{
    EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, err_line, escape_control, is_stdin, load_error_line,
    out, read_input_or_report,
};

/// Arguments of `asl-studio fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Files to format in place; `-` formats standard input to standard output.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Change nothing; list the files that would change and exit 1 if any would.
    #[arg(long)]
    pub check: bool,
}

/// Formats every file; returns 0, 1 (with `--check`: something would change) or 2 (unreadable,
/// not a regular file, a syntax error or a duplicate key, or the file cannot be written).
pub fn fmt_command(args: &FmtArgs) -> ExitCode {
    let mut code = EXIT_OK;
    let mut checked = 0usize;
    let mut would_change = String::new();
    for path in &args.files {
        let Some(input) = read_input_or_report(path, &mut code) else {
            continue;
        };
        let display = escape_control(&input.display).into_owned();
        let source = match parse_refusing_duplicate_keys(input.text.as_str(), input.format) {
            Ok(source) => source,
            Err(error) => {
                err_line(&load_error_line(&display, &error));
                code = code.max(EXIT_UNREADABLE);
                continue;
            }
        };
        checked += 1;
        let formatted = source.format_canonical();
        let changed = formatted != input.text;
        if args.check {
            if changed {
                let _ = writeln!(would_change, "{display}");
                code = code.max(EXIT_FINDINGS);
            }
        } else if is_stdin(path) {
            out(&formatted);
        } else if changed && let Err(message) = write_output(path, &formatted) {
            err_line(&escape_control(&message));
            code = code.max(EXIT_UNREADABLE);
        }
    }
    out(&would_change);
    if args.check && code == EXIT_OK && checked > 0 {
        // On standard error, so standard output stays the list of files that would change.
        err_line(&format!(
            "{}: already formatted",
            super::check::count(checked, "file", "files")
        ));
    }
    ExitCode::from(code)
}
