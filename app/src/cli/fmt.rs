//! `asl-studio fmt`: the canonical layout, written in place atomically.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use asl_codec::SourceFile;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, err_line, is_stdin, out, read_input};

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

/// Formats every file; returns 0, 1 (with `--check`: something would change) or 2 (unreadable).
pub fn fmt_command(args: &FmtArgs) -> ExitCode {
    let mut code = EXIT_OK;
    let mut would_change = String::new();
    for path in &args.files {
        let input = match read_input(path) {
            Ok(input) => input,
            Err(message) => {
                err_line(&message);
                code = code.max(EXIT_UNREADABLE);
                continue;
            }
        };
        let source = match SourceFile::parse(input.text.as_str(), input.format) {
            Ok(source) => source,
            Err(error) => {
                err_line(&format!(
                    "{}:{}: error[SYNTAX]: {}",
                    input.display, error.location, error.message
                ));
                code = code.max(EXIT_UNREADABLE);
                continue;
            }
        };
        let formatted = source.format_canonical();
        let changed = formatted != input.text;
        if args.check {
            if changed {
                let _ = writeln!(would_change, "{}", input.display);
                code = code.max(EXIT_FINDINGS);
            }
        } else if is_stdin(path) {
            out(&formatted);
        } else if changed && let Err(error) = write_atomically(path, &formatted) {
            err_line(&format!("{}: cannot write: {error}", input.display));
            code = code.max(EXIT_UNREADABLE);
        }
    }
    out(&would_change);
    ExitCode::from(code)
}

/// Writes `text` to a temporary file beside `path` and renames it over `path`, so that readers
/// never see a half-written file and a failure leaves the original intact.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.asl-studio-{}.tmp", std::process::id()));
    let result = (|| {
        std::fs::write(&temp, text)?;
        if let Ok(metadata) = std::fs::metadata(path) {
            std::fs::set_permissions(&temp, metadata.permissions())?;
        }
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
