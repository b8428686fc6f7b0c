//! `asl-studio embed`: the inverse of `extract`. Writes a definition into the SAM /
//! CloudFormation template (or the `DefinitionUri` file) that holds the machine, changing only the
//! definition's own text.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use asl_codec::template::{STATE_MACHINE_TYPES, WriteTarget, is_template, write_back};
use asl_codec::{SourceFile, terraform};
use serde_json::Value;

use super::write::write_output;
use super::{EXIT_OK, EXIT_UNREADABLE, err_line, is_stdin, out, read_input};

/// Arguments of `asl-studio embed`.
#[derive(Debug, clap::Args)]
pub struct EmbedArgs {
    /// The ASL definition to write (JSON or YAML); `-` reads standard input.
    pub definition: PathBuf,
    /// The template that holds the state machine (SAM or CloudFormation, JSON or YAML).
    #[arg(long)]
    pub into: PathBuf,
    /// The logical id of the state machine to write (needed when the template has several).
    #[arg(long)]
    pub name: Option<String>,
    /// Write the result here instead of in place; `-` prints it.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

/// Writes the definition into the template; 0 when written (or already there), 2 when the input
/// is bad or the machine's form cannot be written back (nothing is written then).
pub fn embed_command(args: &EmbedArgs) -> ExitCode {
    match embed(args) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(message) => {
            err_line(&message);
            ExitCode::from(EXIT_UNREADABLE)
        }
    }
}

/// Whether `path` is a Terraform file, written through the Terraform layer instead.
fn is_terraform(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("tf"))
}

fn embed(args: &EmbedArgs) -> Result<(), String> {
    if is_stdin(&args.into) {
        return Err("--into must name a template file, not standard input".to_owned());
    }
    let definition = read_definition(&args.definition)?;
    if is_terraform(&args.into) {
        return embed_into_terraform(args, &definition);
    }
    let input = read_input(&args.into)?;
    let template = SourceFile::parse(input.text.as_str(), input.format).map_err(|error| {
        format!(
            "{}:{}: error[SYNTAX]: {}",
            input.display, error.location, error.message
        )
    })?;
    if !is_template(template.value()) {
        return Err(format!(
            "{}: not a SAM or CloudFormation template (no `Resources` object); `embed` writes into a template",
            input.display
        ));
    }
    let logical_id = choose_machine(template.value(), args.name.as_deref(), &input.display)?;
    let result = write_back(&template, Some(&input.base_dir), &logical_id, &definition)
        .map_err(|error| format!("{}: {error}", input.display))?;
    let (destination, original_text) = match &result.target {
        WriteTarget::Template => (
            args.output.clone().unwrap_or_else(|| args.into.clone()),
            input.text.clone(),
        ),
        WriteTarget::DefinitionFile(path) => (
            args.output.clone().unwrap_or_else(|| path.clone()),
            std::fs::read_to_string(path).unwrap_or_default(),
        ),
    };
    let own_file = match &result.target {
        WriteTarget::DefinitionFile(path) => Some(path.as_path()),
        WriteTarget::Template => None,
    };
    refuse_overwriting(&args.definition, &destination, own_file)?;
    let mut report = String::new();
    let written_into = match &result.target {
        WriteTarget::Template => format!("`{logical_id}` in {}", input.display),
        WriteTarget::DefinitionFile(path) => format!(
            "{} (the DefinitionUri of `{logical_id}` in {})",
            path.display(),
            input.display
        ),
    };
    if is_stdin(&destination) {
        out(&result.text);
    } else if args.output.is_none() && result.text == original_text {
        let _ = writeln!(report, "{written_into}: already holds this definition");
    } else {
        write_output(&destination, &result.text)?;
        let _ = write!(
            report,
            "wrote {} into {written_into}",
            display_name(&args.definition)
        );
        if args.output.is_some() {
            let _ = write!(report, ", saved as {}", destination.display());
        }
        report.push('\n');
    }
    for note in &result.notes {
        let _ = writeln!(report, "note: {note}");
    }
    if is_stdin(&destination) {
        if !report.is_empty() {
            err_line(report.trim_end());
        }
    } else {
        out(&report);
    }
    Ok(())
}

/// Writes into an `aws_sfn_state_machine` of a `.tf` file, in the form its definition is written
/// in (`jsonencode`, heredoc, string, `file`, `templatefile`); for `file`/`templatefile` the
/// referenced file is written and the `.tf` file stays as it is.
fn embed_into_terraform(args: &EmbedArgs, definition: &Value) -> Result<(), String> {
    let input = read_input(&args.into)?;
    let machines = terraform::extract(&input.text, Some(&input.base_dir))
        .map_err(|error| format!("{}: {error}", input.display))?;
    let address = match (&args.name, machines.as_slice()) {
        (Some(name), _) => name.clone(),
        (None, []) => {
            return Err(format!(
                "{}: no `{}` resource in this file",
                input.display,
                terraform::RESOURCE_TYPE
            ));
        }
        (None, [single]) => single.address.clone(),
        (None, several) => {
            let mut listing = format!(
                "{}: {} state machines; choose one with --name:\n",
                input.display,
                several.len()
            );
            for machine in several {
                let _ = writeln!(listing, "  {}", machine.address);
            }
            return Err(listing.trim_end().to_owned());
        }
    };
    let result = terraform::write_back(&input.text, Some(&input.base_dir), &address, definition)
        .map_err(|error| format!("{}: {error}", input.display))?;
    let (destination, text, original, written_into) = match &result.file {
        Some(file) => (
            args.output.clone().unwrap_or_else(|| file.path.clone()),
            file.text.as_str(),
            std::fs::read_to_string(&file.path).unwrap_or_default(),
            format!(
                "{} (the definition file of `{address}` in {})",
                file.path.display(),
                input.display
            ),
        ),
        None => (
            args.output.clone().unwrap_or_else(|| args.into.clone()),
            result.text.as_str(),
            input.text.clone(),
            format!("`{address}` in {}", input.display),
        ),
    };
    let own_file = result.file.as_ref().map(|file| file.path.clone());
    refuse_overwriting(&args.definition, &destination, own_file.as_deref())?;
    if is_stdin(&destination) {
        out(text);
    } else if args.output.is_none() && text == original {
        out(&format!("{written_into}: already holds this definition\n"));
    } else {
        write_output(&destination, text)?;
        let mut report = format!(
            "wrote {} into {written_into}",
            display_name(&args.definition)
        );
        if args.output.is_some() {
            let _ = write!(report, ", saved as {}", destination.display());
        }
        report.push('\n');
        out(&report);
    }
    Ok(())
}

fn display_name(path: &Path) -> String {
    if is_stdin(path) {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads the definition to embed: it must parse and be a state machine, not a template.
fn read_definition(path: &Path) -> Result<Value, String> {
    let input = read_input(path)?;
    let source = SourceFile::parse(input.text.as_str(), input.format).map_err(|error| {
        format!(
            "{}:{}: error[SYNTAX]: {}",
            input.display, error.location, error.message
        )
    })?;
    if !source.duplicate_keys().is_empty() {
        let keys: Vec<String> = source
            .duplicate_keys()
            .iter()
            .map(|duplicate| format!("`{}`", duplicate.key))
            .collect();
        return Err(format!(
            "{}: duplicate keys {}; only one value per key can be written",
            input.display,
            keys.join(", ")
        ));
    }
    let value = source.value().clone();
    if is_template(&value) {
        return Err(format!(
            "{}: this is a template, not a state machine definition; extract one with `asl-studio extract`",
            input.display
        ));
    }
    if !value.get("States").is_some_and(Value::is_object) {
        return Err(format!(
            "{}: not a state machine definition (no `States` object)",
            input.display
        ));
    }
    Ok(value)
}

/// The logical id to write into: `--name`, or the template's only state machine.
fn choose_machine(template: &Value, name: Option<&str>, display: &str) -> Result<String, String> {
    let machines: Vec<(&String, &str)> = template
        .get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(id, resource)| {
            let kind = resource.get("Type")?.as_str()?;
            STATE_MACHINE_TYPES.contains(&kind).then_some((id, kind))
        })
        .collect();
    if let Some(name) = name {
        return Ok(name.to_owned());
    }
    match machines.as_slice() {
        [] => Err(format!("{display}: no state machine in this template")),
        [(id, _)] => Ok((*id).clone()),
        several => {
            let mut listing = format!(
                "{display}: {} state machines; choose one with --name:\n",
                several.len()
            );
            for (id, kind) in several {
                let _ = writeln!(listing, "  {id} ({kind})");
            }
            Err(listing.trim_end().to_owned())
        }
    }
}

/// Writing over the definition being embedded would lose it, unless the file written is the
/// machine's own definition file (then the definition is being saved where it lives).
fn refuse_overwriting(
    definition: &Path,
    destination: &Path,
    own_definition_file: Option<&Path>,
) -> Result<(), String> {
    if is_stdin(definition) || is_stdin(destination) {
        return Ok(());
    }
    let (Ok(definition), Ok(destination)) = (definition.canonicalize(), destination.canonicalize())
    else {
        return Ok(());
    };
    let own_file = own_definition_file
        .and_then(|path| path.canonicalize().ok())
        .is_some_and(|path| path == destination);
    if definition == destination && !own_file {
        return Err(format!(
            "{}: the output is the definition being embedded; refusing to overwrite it",
            destination.display()
        ));
    }
    Ok(())
}
