//! `asl-studio run`: a dry run of a definition on an input.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;
use simulator::{ExecutionType, Mocks, Options, Status};

use super::{EXIT_FINDINGS, EXIT_UNREADABLE, err_line, out, read_input};

/// Arguments of `asl-studio run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The definition to run: ASL JSON or YAML, or a SAM / CloudFormation template (`-` reads standard input).
    pub definition: std::path::PathBuf,
    /// The state machine to run when the template holds several (its logical id).
    #[arg(long, value_name = "MACHINE")]
    pub name: Option<String>,
    /// Values for `${Name}` placeholders: a JSON object `{"Name": "value"}`. They take precedence over
    /// the DefinitionSubstitutions a template gives.
    #[arg(long, value_name = "FILE")]
    pub substitutions: Option<PathBuf>,
    /// The execution input (JSON), or `-` for standard input. Default: `{}`.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Task results: a JSON object `{"<Task state>": <result>}`, or an AWS Step Functions Local mock
    /// configuration (then `--test-case` names the test case).
    #[arg(long, value_name = "FILE")]
    pub mocks: Option<PathBuf>,
    /// The test case of a Step Functions Local mock configuration.
    #[arg(long, value_name = "NAME", requires = "mocks")]
    pub test_case: Option<String>,
    /// The state machine of a Step Functions Local mock configuration (default: the first that has the test case).
    #[arg(long, value_name = "NAME", requires = "test_case")]
    pub state_machine: Option<String>,
    /// Workflow type: `standard` or `express`.
    #[arg(long = "type", value_name = "TYPE", default_value = "standard", value_parser = ["standard", "express"])]
    pub execution_type: String,
    /// Seed for retry jitter, `States.UUID`, `States.MathRandom` and `$random()`.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// A Task without a mock returns its input instead of failing.
    #[arg(long)]
    pub pass_through: bool,
    /// Items for a Map state with an ItemReader: `STATE=FILE` (a JSON array, JSON Lines, or CSV with a header row).
    #[arg(long = "items", value_name = "STATE=FILE")]
    pub items: Vec<String>,
    /// Write the execution history (AWS GetExecutionHistory events, JSON) to this file.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
}

/// Runs `asl-studio run` and returns its exit code: 0 when the execution succeeds, 1 when it fails (error
/// and cause on standard error), 2 when the files cannot be read.
pub fn run_command(args: &RunArgs) -> ExitCode {
    match prepare(args) {
        Ok((definition, input, options)) => execute(args, &definition, input, &options),
        Err(message) => {
            err_line(&message);
            ExitCode::from(EXIT_UNREADABLE)
        }
    }
}

fn read_json(path: &Path) -> Result<Value, String> {
    let input = read_input(path)?;
    serde_json::from_str(&input.text).map_err(|error| format!("{}: {error}", input.display))
}

/// Reads the definition (ASL or a template's machine) and fills its `${...}` placeholders: first with
/// the values the template gives, then with the user's `--substitutions`.
fn read_definition(args: &RunArgs) -> Result<Value, String> {
    let file = read_input(&args.definition)?;
    let loaded = asl_codec::load::load(&file)
        .and_then(|loaded| asl_codec::load::refuse_duplicate_keys(loaded.source()).map(|()| loaded))
        .map_err(|error| super::load_error_line(&super::escape_control(&file.display), &error))?;
    let mut values: HashMap<String, String> = HashMap::new();
    let definition = match loaded {
        asl_codec::Loaded::Asl(source) => source.value().clone(),
        asl_codec::Loaded::Template { machines, .. } => {
            let machine = pick_machine(&file.display, machines, args.name.as_deref())?;
            for placeholder in &machine.placeholders {
                // An intrinsic (`!GetAtt Fn.Arn`) cannot be resolved offline: the placeholder stays,
                // as `check` validates it, instead of becoming the intrinsic's JSON text.
                if let Some(value) = placeholder
                    .value
                    .as_ref()
                    .filter(|v| !v.is_object() && !v.is_array())
                {
                    values.insert(placeholder.name.clone(), substitution_text(value));
                }
            }
            machine.definition
        }
    };
    if let Some(path) = &args.substitutions {
        let Value::Object(given) = read_json(path)? else {
            return Err(format!(
                "{}: substitutions must be a JSON object {{\"Name\": \"value\"}}",
                path.display()
            ));
        };
        for (name, value) in given {
            values.insert(name, substitution_text(&value));
        }
    }
    Ok(if values.is_empty() {
        definition
    } else {
        asl_codec::substitute(&definition, &values)
    })
}

fn pick_machine(
    display: &str,
    machines: Vec<asl_codec::TemplateMachine>,
    name: Option<&str>,
) -> Result<asl_codec::TemplateMachine, String> {
    let ids: Vec<String> = machines.iter().map(|m| m.logical_id.clone()).collect();
    let mut machines = machines.into_iter();
    match (name, ids.len()) {
        (_, 0) => Err(format!("{display}: the template holds no state machine")),
        (None, 1) => machines
            .next()
            .ok_or_else(|| format!("{display}: the template holds no state machine")),
        (None, _) => Err(format!(
            "{display}: the template holds several state machines ({}); choose one with --name",
            ids.join(", ")
        )),
        (Some(wanted), _) => machines.find(|m| m.logical_id == wanted).ok_or_else(|| {
            format!(
                "{display}: no state machine named {wanted}; the template has {}",
                ids.join(", ")
            )
        }),
    }
}

/// A substitution value as the text that replaces `${Name}`: strings as they are, anything else
/// (a number, or an intrinsic the template could not resolve) as JSON.
fn substitution_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// AWS would refuse to create a machine with validation errors, so a dry run refuses too, saying why.
fn refuse_invalid(display: &str, definition: &Value) -> Result<(), String> {
    let machine = graph_model::StateMachine::from_value(definition)
        .map_err(|error| format!("{display}: {error}"))?;
    let errors: Vec<String> = graph_model::validate(&machine)
        .into_iter()
        .filter(|d| d.severity == graph_model::Severity::Error)
        .map(|d| {
            let state = d.state.map(|s| format!(" {s}:")).unwrap_or_default();
            super::escape_control(&format!(
                "{display}: error[{}]{state} {} (at {})",
                d.code, d.message, d.pointer
            ))
            .into_owned()
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n{display}: the definition has errors and cannot run (see `asl-studio check`)",
            errors.join("\n")
        ))
    }
}

fn prepare(args: &RunArgs) -> Result<(Value, Value, Options), String> {
    if let Some(history) = &args.history {
        let items = args
            .items
            .iter()
            .filter_map(|spec| spec.split_once('='))
            .map(|(_, file)| Path::new(file));
        let inputs: Vec<&Path> = [
            Some(&args.definition),
            args.input.as_ref(),
            args.mocks.as_ref(),
            args.substitutions.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(PathBuf::as_path)
        .chain(items)
        .collect();
        super::refuse_output_among_inputs("--history", history, &inputs)?;
    }
    let definition = read_definition(args)?;
    refuse_invalid(&args.definition.display().to_string(), &definition)?;
    let input = match &args.input {
        Some(path) => read_json(path)?,
        None => Value::Object(serde_json::Map::new()),
    };
    let mut options = Options {
        seed: args.seed,
        pass_through: args.pass_through,
        record_trace: false,
        record_history: args.history.is_some(),
        execution_type: if args.execution_type == "express" {
            ExecutionType::Express
        } else {
            ExecutionType::Standard
        },
        ..Options::default()
    };
    if let Some(name) = args.definition.file_stem().and_then(|stem| stem.to_str()) {
        options.state_machine_name = name.trim_end_matches(".asl").to_owned();
    }
    if let Some(path) = &args.mocks {
        let config = read_json(path)?;
        options.mocks = match (&args.test_case, &config) {
            (Some(test_case), _) => {
                Mocks::from_step_functions_local(&config, args.state_machine.as_deref(), test_case)
                    .map_err(|error| format!("{}: {error}", path.display()))?
            }
            (None, Value::Object(map)) if map.contains_key("StateMachines") => {
                return Err(format!(
                    "{}: a Step Functions Local mock configuration needs --test-case NAME",
                    path.display()
                ));
            }
            (None, Value::Object(map)) => Mocks::from_results(map),
            (None, _) => return Err(format!("{}: mocks must be a JSON object", path.display())),
        };
    }
    for spec in &args.items {
        let Some((state, file)) = spec.split_once('=') else {
            return Err(format!("--items {spec}: expected STATE=FILE"));
        };
        let items = read_items(Path::new(file))?;
        options.item_reader_items.insert(state.to_owned(), items);
    }
    Ok((definition, input, options))
}

/// Items from a JSON array, JSON Lines, or CSV with a header row (each row an object of strings).
fn read_items(path: &Path) -> Result<Vec<Value>, String> {
    let input = read_input(path)?;
    let text = input.text.trim_start_matches('\u{feff}');
    if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) {
        return Ok(items);
    }
    let is_csv = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"));
    if !is_csv {
        return text
            .lines()
            .filter(|line| !line.trim().is_empty())
            .enumerate()
            .map(|(number, line)| {
                serde_json::from_str(line)
                    .map_err(|error| format!("{}:{}: {error}", input.display, number + 1))
            })
            .collect();
    }
    let mut rows = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(split_csv_line);
    let Some(header) = rows.next() else {
        return Ok(Vec::new());
    };
    Ok(rows
        .map(|cells| {
            Value::Object(
                header
                    .iter()
                    .cloned()
                    .zip(cells.into_iter().map(Value::String))
                    .collect::<serde_json::Map<_, _>>(),
            )
        })
        .collect())
}

/// Splits one CSV line; double quotes group commas and `""` is a quote.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (other, _) => cell.push(other),
        }
    }
    cells.push(cell);
    cells
}

fn execute(args: &RunArgs, definition: &Value, input: Value, options: &Options) -> ExitCode {
    let result = simulator::run(definition, input, options);
    if let Some(path) = &args.history {
        let text = serde_json::to_string_pretty(&result.history).unwrap_or_default();
        if let Err(error) = std::fs::write(path, text + "\n") {
            err_line(&format!(
                "{}: cannot write the history: {error}",
                path.display()
            ));
            return ExitCode::from(EXIT_UNREADABLE);
        }
    }
    match result.status {
        Status::Succeeded => {
            let output = result.output.unwrap_or(Value::Null);
            out(&(serde_json::to_string_pretty(&output).unwrap_or_default() + "\n"));
            ExitCode::SUCCESS
        }
        status => {
            let status = serde_json::to_value(status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            err_line(&format!("execution {status}"));
            if let Some(error) = &result.error {
                err_line(&super::escape_control(&format!("error: {error}")));
            }
            if let Some(cause) = &result.cause {
                err_line(&super::escape_control(&format!("cause: {cause}")));
            }
            ExitCode::from(EXIT_FINDINGS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_respect_quotes() {
        assert_eq!(
            split_csv_line(r#"a,"b,c","say ""hi""",d"#),
            vec!["a", "b,c", r#"say "hi""#, "d"]
        );
        assert_eq!(split_csv_line(""), vec![""]);
    }
}
