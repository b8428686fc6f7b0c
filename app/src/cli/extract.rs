//! `asl-studio extract`: the definition of a state machine held in a SAM / CloudFormation template.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use asl_codec::load::parse_source;
use asl_codec::template::{TemplateMachine, extract_from_value};
use asl_codec::{Format, LoadError, format_canonical};

use super::{EXIT_OK, EXIT_UNREADABLE, err_line, escape_control, load_error_line, out, read_input};

/// Arguments of `asl-studio extract`.
#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// The template (JSON or YAML, cdk.out `*.template.json` included); `-` reads standard input.
    pub template: PathBuf,
    /// The logical id of the state machine to print.
    #[arg(long)]
    pub name: Option<String>,
    /// Print every machine: a JSON object from logical id to definition.
    #[arg(long, conflicts_with = "name")]
    pub all: bool,
    /// The format to print the definition in.
    #[arg(long, value_enum, default_value_t = super::convert::Target::Json)]
    pub to: super::convert::Target,
    /// Instead of the definition, list each use of a `${Name}` placeholder, one per line:
    /// logical id, placeholder, JSON pointer, and the value the template gives it (JSON), tab-separated.
    #[arg(long)]
    pub placeholders: bool,
}

/// Prints the chosen definition; 2 when the template cannot be read or the machine is not
/// named among several.
pub fn extract_command(args: &ExtractArgs) -> ExitCode {
    let input = match read_input(&args.template) {
        Ok(input) => input,
        Err(message) => {
            err_line(&message);
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let display = escape_control(&input.display).into_owned();
    let machines = match parse_source(input.text.as_str(), input.format)
        .map_err(LoadError::from)
        .and_then(|source| {
            extract_from_value(source.value(), Some(&input.base_dir)).map_err(LoadError::from)
        }) {
        Ok(machines) => machines,
        Err(error) => {
            err_line(&load_error_line(&display, &error));
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let format = match args.to {
        super::convert::Target::Json => Format::Json,
        super::convert::Target::Yaml => Format::Yaml,
    };
    let chosen: Vec<&TemplateMachine> = match (&args.name, args.all) {
        (Some(name), _) => match machines.iter().find(|m| &m.logical_id == name) {
            Some(machine) => vec![machine],
            None => {
                err_line(&escape_control(&format!(
                    "{display}: no state machine named `{name}`; there are: {}",
                    names(&machines)
                )));
                return ExitCode::from(EXIT_UNREADABLE);
            }
        },
        (None, true) => machines.iter().collect(),
        (None, false) => match machines.as_slice() {
            [] => {
                err_line(&format!("{display}: no state machine in this template"));
                return ExitCode::from(EXIT_UNREADABLE);
            }
            [single] => vec![single],
            several => {
                let mut listing = format!(
                    "{display}: {} state machines; choose one with --name or print all with --all:\n",
                    several.len()
                );
                for machine in several {
                    let _ = writeln!(
                        listing,
                        "  {} ({})",
                        escape_control(&machine.logical_id),
                        escape_control(&machine.resource_type)
                    );
                }
                err_line(listing.trim_end());
                return ExitCode::from(EXIT_UNREADABLE);
            }
        },
    };
    if args.placeholders {
        let mut text = String::new();
        for machine in &chosen {
            for placeholder in &machine.placeholders {
                let value = placeholder
                    .value
                    .as_ref()
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                for pointer in &placeholder.pointers {
                    // Tab-separated fields: a tab or newline inside one would shift the columns.
                    let _ = writeln!(
                        text,
                        "{}\t${{{}}}\t{}\t{}",
                        escape_control(&machine.logical_id),
                        escape_control(&placeholder.name),
                        escape_control(pointer),
                        escape_control(&value)
                    );
                }
            }
        }
        out(&text);
        return ExitCode::from(EXIT_OK);
    }
    let value = if args.all {
        serde_json::Value::Object(
            chosen
                .iter()
                .map(|m| (m.logical_id.clone(), m.definition.clone()))
                .collect(),
        )
    } else {
        chosen
            .first()
            .map(|m| m.definition.clone())
            .unwrap_or_default()
    };
    out(&format_canonical(&value, format));
    ExitCode::from(EXIT_OK)
}

fn names(machines: &[TemplateMachine]) -> String {
    machines
        .iter()
        .map(|m| m.logical_id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
