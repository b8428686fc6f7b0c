//! `asl-studio extract`: the definition of a state machine held in a SAM / CloudFormation template.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use asl_codec::template::{TemplateMachine, extract};
use asl_codec::{Format, format_canonical};

use super::{EXIT_OK, EXIT_UNREADABLE, err_line, out, read_input};

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
    let machines = match extract(&input.text, input.format, Some(&input.base_dir)) {
        Ok(machines) => machines,
        Err(error) => {
            err_line(&format!("{}: {error}", input.display));
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
                err_line(&format!(
                    "{}: no state machine named `{name}`; there are: {}",
                    input.display,
                    names(&machines)
                ));
                return ExitCode::from(EXIT_UNREADABLE);
            }
        },
        (None, true) => machines.iter().collect(),
        (None, false) => match machines.as_slice() {
            [] => {
                err_line(&format!(
                    "{}: no state machine in this template",
                    input.display
                ));
                return ExitCode::from(EXIT_UNREADABLE);
            }
            [single] => vec![single],
            several => {
                let mut listing = format!(
                    "{}: {} state machines; choose one with --name or print all with --all:\n",
                    input.display,
                    several.len()
                );
                for machine in several {
                    let _ = writeln!(
                        listing,
                        "  {} ({})",
                        machine.logical_id, machine.resource_type
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
                    let _ = writeln!(
                        text,
                        "{}\t${{{}}}\t{pointer}\t{value}",
                        machine.logical_id, placeholder.name
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
