//! `asl-studio convert`: JSON to YAML and back (definitions and whole templates).

use std::path::PathBuf;
use std::process::ExitCode;

use asl_codec::Format;
use asl_codec::load::parse_refusing_duplicate_keys;

use super::write::write_output;
use super::{
    EXIT_OK, EXIT_UNREADABLE, err_line, escape_control, load_error_line, out, read_input,
    refuse_output_among_inputs,
};

/// Arguments of `asl-studio convert`.
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    /// The file to convert; `-` reads standard input.
    pub file: PathBuf,
    /// The format to write.
    #[arg(long, value_enum)]
    pub to: Target,
    /// Write here instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

/// A format to convert to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// JSON in the canonical layout.
    Json,
    /// Block-style YAML.
    Yaml,
}

/// Converts one file; returns 0, or 2 when it cannot be read, parsed or written.
pub fn convert_command(args: &ConvertArgs) -> ExitCode {
    let input = match read_input(&args.file) {
        Ok(input) => input,
        Err(message) => {
            err_line(&message);
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let display = escape_control(&input.display).into_owned();
    if let Some(output) = &args.output
        && let Err(message) = refuse_output_among_inputs("-o", output, &[args.file.as_path()])
    {
        err_line(&message);
        return ExitCode::from(EXIT_UNREADABLE);
    }
    let source = match parse_refusing_duplicate_keys(input.text.as_str(), input.format) {
        Ok(source) => source,
        Err(error) => {
            err_line(&load_error_line(&display, &error));
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let target = match args.to {
        Target::Json => Format::Json,
        Target::Yaml => Format::Yaml,
    };
    let text = source.convert_to(target);
    match &args.output {
        Some(path) => match write_output(path, &text) {
            Ok(()) => ExitCode::from(EXIT_OK),
            Err(message) => {
                err_line(&escape_control(&message));
                ExitCode::from(EXIT_UNREADABLE)
            }
        },
        None => {
            out(&text);
            ExitCode::from(EXIT_OK)
        }
    }
}
