//! `asl-studio extract`: the definition of a state machine held in a SAM / CloudFormation template
//! or a Terraform `.tf` file.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use asl_codec::load::{is_terraform_path, parse_source};
use asl_codec::template::{Placeholder, extract_from_value};
use asl_codec::terraform::{self, DefinitionForm};
use asl_codec::{Format, LoadError, format_canonical};
use serde_json::Value;

use super::{EXIT_OK, EXIT_UNREADABLE, err_line, escape_control, load_error_line, out, read_input};

/// Arguments of `asl-studio extract`.
#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// The template (JSON or YAML, cdk.out `*.template.json` included) or Terraform `.tf` file; `-`
    /// reads standard input.
    pub template: PathBuf,
    /// The logical id of the state machine to print (Terraform: `aws_sfn_state_machine.NAME` or
    /// `NAME`).
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
    let machines = if is_terraform_path(&args.template) {
        match terraform::extract(&input.text, Some(&input.base_dir)) {
            Ok(machines) => machines
                .into_iter()
                .map(Extracted::from_terraform)
                .collect(),
            Err(error) => {
                err_line(&escape_control(&format!("{display}:{error}")));
                return ExitCode::from(EXIT_UNREADABLE);
            }
        }
    } else {
        match parse_source(input.text.as_str(), input.format)
            .map_err(LoadError::from)
            .and_then(|source| {
                extract_from_value(source.value(), Some(&input.base_dir)).map_err(LoadError::from)
            }) {
            Ok(machines) => machines
                .into_iter()
                .map(|machine| Extracted {
                    id: machine.logical_id,
                    kind: machine.resource_type,
                    definition: machine.definition,
                    placeholders: machine.placeholders,
                    refused: None,
                })
                .collect::<Vec<_>>(),
            Err(error) => {
                err_line(&load_error_line(&display, &error));
                return ExitCode::from(EXIT_UNREADABLE);
            }
        }
    };
    let format = match args.to {
        super::convert::Target::Json => Format::Json,
        super::convert::Target::Yaml => Format::Yaml,
    };
    let chosen: Vec<&Extracted> = match (&args.name, args.all) {
        (Some(name), _) => match machines.iter().find(|m| m.answers_to(name)) {
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
                        escape_control(&machine.id),
                        escape_control(&machine.kind)
                    );
                }
                err_line(listing.trim_end());
                return ExitCode::from(EXIT_UNREADABLE);
            }
        },
    };
    if let Some(refused) = chosen.iter().find(|machine| machine.refused.is_some()) {
        err_line(&escape_control(&format!(
            "{display}: `{}`: {}",
            refused.id,
            refused.refused.as_deref().unwrap_or_default()
        )));
        return ExitCode::from(EXIT_UNREADABLE);
    }
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
                        escape_control(&machine.id),
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
                .map(|m| (m.id.clone(), m.definition.clone()))
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

/// A machine found in a template or `.tf` file, as `extract` prints it.
struct Extracted {
    /// The logical id, or the Terraform resource address.
    id: String,
    /// The resource type.
    kind: String,
    definition: Value,
    placeholders: Vec<Placeholder>,
    /// Why the definition cannot be read (a Terraform form such as a conditional).
    refused: Option<String>,
}

impl Extracted {
    fn from_terraform(machine: terraform::TerraformMachine) -> Self {
        let refused = match &machine.form {
            DefinitionForm::Unsupported { reason } => Some(reason.clone()),
            _ => None,
        };
        Self {
            placeholders: machine
                .placeholders
                .iter()
                .map(terraform::TerraformPlaceholder::to_placeholder)
                .collect(),
            id: machine.address,
            kind: terraform::RESOURCE_TYPE.to_owned(),
            definition: machine.definition,
            refused,
        }
    }

    /// Whether `--name` names this machine: the logical id, or a Terraform address with or
    /// without its resource type.
    fn answers_to(&self, name: &str) -> bool {
        self.id == name
            || (self.kind == terraform::RESOURCE_TYPE
                && self.id.strip_prefix("aws_sfn_state_machine.") == Some(name))
    }
}

fn names(machines: &[Extracted]) -> String {
    machines
        .iter()
        .map(|m| m.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
