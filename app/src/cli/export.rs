//! `asl-studio export`: a deployable SAM, CloudFormation or Terraform stack from a definition.

use std::path::PathBuf;
use std::process::ExitCode;

use asl_codec::deploy::{ExportOptions, MachineType, Target, export, name_from_file_stem};

use asl_studio::files::{NativeFiles, write_stack};

use super::{EXIT_OK, EXIT_UNREADABLE, err_line, out, read_input};

/// The stack dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportTarget {
    /// AWS SAM: `template.yaml` with `DefinitionUri` (deploy with `sam deploy --guided`).
    Sam,
    /// CloudFormation: `template.yaml` with the definition inline (`aws cloudformation deploy`).
    Cloudformation,
    /// Terraform: `main.tf` reading the ASL file (`terraform apply`).
    Terraform,
}

/// Standard or Express.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportType {
    /// A Standard workflow.
    Standard,
    /// An Express workflow.
    Express,
}

/// Arguments of `asl-studio export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The definition (JSON or YAML); `-` reads standard input.
    pub definition: PathBuf,
    /// The stack dialect.
    #[arg(long, value_enum)]
    pub to: ExportTarget,
    /// The folder to write the template and the ASL file into (created if missing).
    #[arg(short = 'o', long = "out")]
    pub out: PathBuf,
    /// The state machine's name (default: from the definition's file name).
    #[arg(long)]
    pub name: Option<String>,
    /// Standard or Express workflow.
    #[arg(long = "type", value_enum, default_value_t = ExportType::Standard)]
    pub machine_type: ExportType,
    /// Start the machine on an EventBridge Scheduler schedule: `rate(5 minutes)`, `cron(0 12 * * ? *)`.
    #[arg(long)]
    pub schedule: Option<String>,
    /// Start the machine on events matching this EventBridge event pattern (a JSON file).
    #[arg(long)]
    pub event_pattern: Option<PathBuf>,
    /// Log executions to a CloudWatch Logs log group.
    #[arg(long)]
    pub logging: bool,
    /// Trace executions with X-Ray.
    #[arg(long)]
    pub tracing: bool,
    /// Replace files that already exist in the folder.
    #[arg(long)]
    pub force: bool,
}

/// Writes the stack; 2 when an input is unreadable or invalid, or a file would be overwritten.
pub fn export_command(args: &ExportArgs) -> ExitCode {
    match run(args) {
        Ok(written) => {
            out(&written);
            ExitCode::from(EXIT_OK)
        }
        Err(message) => {
            err_line(&message);
            ExitCode::from(EXIT_UNREADABLE)
        }
    }
}

fn run(args: &ExportArgs) -> Result<String, String> {
    let input = read_input(&args.definition)?;
    let source = asl_codec::SourceFile::parse(input.text.as_str(), input.format)
        .map_err(|error| format!("{}:{}: {}", input.display, error.location, error.message))?;
    if asl_codec::template::is_template(source.value()) {
        return Err(format!(
            "{}: this is a template; extract a definition first (asl-studio extract)",
            input.display
        ));
    }
    let event_pattern = match &args.event_pattern {
        Some(path) => {
            let pattern = read_input(path)?;
            let parsed = asl_codec::SourceFile::parse(pattern.text.as_str(), pattern.format)
                .map_err(|error| {
                    format!("{}:{}: {}", pattern.display, error.location, error.message)
                })?;
            Some((pattern.display, parsed.value().clone()))
        }
        None => None,
    };
    let name = match &args.name {
        Some(name) => name.clone(),
        None => name_from_file_stem(
            &args
                .definition
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        ),
    };
    let options = ExportOptions {
        target: match args.to {
            ExportTarget::Sam => Target::Sam,
            ExportTarget::Cloudformation => Target::CloudFormation,
            ExportTarget::Terraform => Target::Terraform,
        },
        name,
        machine_type: match args.machine_type {
            ExportType::Standard => MachineType::Standard,
            ExportType::Express => MachineType::Express,
        },
        schedule: args.schedule.clone(),
        event_pattern: event_pattern.as_ref().map(|(_, value)| value.clone()),
        logging: args.logging,
        tracing: args.tracing,
    };
    let exported =
        export(source.value(), &options).map_err(|error| match (&error, &event_pattern) {
            (asl_codec::deploy::ExportError::EventPattern { .. }, Some((display, _))) => {
                format!("{display}: {error}")
            }
            _ => format!("{}: {error}", input.display),
        })?;

    std::fs::create_dir_all(&args.out)
        .map_err(|error| format!("{}: cannot create the folder: {error}", args.out.display()))?;
    let written = write_stack(
        &NativeFiles,
        &args.out,
        &exported,
        args.force,
        "use --force to replace",
    )?;
    let mut report = String::new();
    for path in &written {
        report.push_str(&format!("wrote {}\n", path.display()));
    }
    for warning in &exported.warnings {
        err_line(&format!("warning: no permission derived for {warning}"));
    }
    Ok(report)
}
