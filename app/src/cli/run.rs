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
    /// The run's work budget: steps (states run, branches and iterations started or ended) after
    /// which the dry run stops, so that a loop that never waits or a runaway nested Map ends.
    #[arg(long, value_name = "N", default_value_t = simulator::DEFAULT_MAX_TRANSITIONS)]
    pub max_transitions: u64,
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
    // Editors on Windows save JSON with a byte order mark; the definition reader accepts it, so
    // the input, mock and substitution files do too.
    serde_json::from_str(input.text.trim_start_matches('\u{feff}'))
        .map_err(|error| format!("{}: {error}", input.display))
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

pub(super) fn pick_machine(
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
    let limit = Options::default().max_payload_bytes;
    if let Some(path) = &args.input {
        let size = serde_json::to_string(&input).map_or(0, |text| text.len());
        if size > limit {
            // AWS's StartExecution refuses such an input; so does the dry run, before any state
            // copies or splits it.
            return Err(format!(
                "{}: the execution input is {size} bytes, more than the {limit} bytes AWS accepts",
                path.display()
            ));
        }
    }
    let mut options = Options {
        max_transitions: args.max_transitions,
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
        match read_items(Path::new(file))? {
            Ok(items) => {
                options.item_reader_items.insert(state.to_owned(), items);
            }
            Err(cause) => {
                options.item_reader_errors.insert(state.to_owned(), cause);
            }
        }
    }
    Ok((definition, input, options))
}

/// Items from a JSON array, JSON Lines, or CSV with a header row (each row an object of strings).
/// The outer error is a file that cannot be read (exit 2); the inner one a CSV file AWS's item
/// reader would refuse, which fails the Map state with `States.ItemReaderFailed` as on AWS.
fn read_items(path: &Path) -> Result<Result<Vec<Value>, String>, String> {
    let input = read_input(path)?;
    let text = input.text.trim_start_matches('\u{feff}');
    if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) {
        return Ok(Ok(items));
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
            .collect::<Result<Vec<_>, _>>()
            .map(Ok);
    }
    Ok(csv_items(text).map_err(|problem| format!("{}: {problem}", input.display)))
}

/// CSV rows as objects keyed by the header row, read as AWS documents for ItemReader: quoted
/// fields may hold commas, newlines and doubled quotes; a row with fewer fields than the header
/// gets empty strings for the missing ones, and fields beyond the header are skipped. A quote that
/// is never closed is an error (AWS cannot read the file either).
fn csv_items(text: &str) -> Result<Vec<Value>, String> {
    if let Some(line) = unterminated_quote(text) {
        return Err(format!(
            "line {line}: a quoted field is never closed (a '\"' is missing)"
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|error| format!("the header row: {error}"))?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut items = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| error.to_string())?;
        if record.len() == 1 && record.get(0).is_some_and(str::is_empty) {
            continue;
        }
        let row: serde_json::Map<String, Value> = header
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let cell = record.get(index).unwrap_or_default();
                (name.clone(), Value::String(cell.to_owned()))
            })
            .collect();
        items.push(Value::Object(row));
    }
    Ok(items)
}

/// The line of a quote that opens a field and is never closed, if any. (The `csv` crate ends such a
/// field silently at the end of the file, which would hide a truncated file.)
fn unterminated_quote(text: &str) -> Option<usize> {
    let mut line = 1;
    let mut opened_on = None;
    let mut field_start = true;
    let mut bytes = text.bytes().peekable();
    while let Some(byte) = bytes.next() {
        if byte == b'\n' {
            line += 1;
        }
        if opened_on.is_some() {
            if byte == b'"' {
                if bytes.peek() == Some(&b'"') {
                    bytes.next();
                } else {
                    opened_on = None;
                }
            }
            continue;
        }
        if byte == b'"' && field_start {
            opened_on = Some(line);
        }
        field_start = matches!(byte, b',' | b'\n' | b'\r');
    }
    opened_on
}

/// Writes the history as pretty JSON, streamed: a long run's events are not copied into one string.
fn write_history(path: &Path, history: &[simulator::HistoryEvent]) -> Result<(), String> {
    use std::io::Write as _;
    let file = std::fs::File::create(path)
        .map_err(|error| format!("{}: cannot write the history: {error}", path.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut writer, history)
        .map_err(std::io::Error::from)
        .and_then(|()| writer.write_all(b"\n"))
        .and_then(|()| writer.flush())
        .map_err(|error| format!("{}: cannot write the history: {error}", path.display()))
}

fn execute(args: &RunArgs, definition: &Value, input: Value, options: &Options) -> ExitCode {
    let result = simulator::run(definition, input, options);
    // The outcome comes first: a history that cannot be written must not hide the run's result.
    let code = report_outcome(&result);
    let Some(path) = &args.history else {
        return code;
    };
    if result.truncated_payloads > 0 || result.dropped_events > 0 {
        err_line(&format!(
            "{}: the history is bounded: {} event payload(s) marked truncated, {} event(s) after the first {} left out",
            path.display(),
            result.truncated_payloads,
            result.dropped_events,
            options.max_recorded_events
        ));
    }
    match write_history(path, &result.history) {
        Ok(()) => code,
        Err(message) => {
            err_line(&message);
            ExitCode::from(EXIT_UNREADABLE)
        }
    }
}

/// Prints the output (success) or the status, error and cause, and returns the exit code.
fn report_outcome(result: &simulator::ExecutionResult) -> ExitCode {
    match result.status {
        Status::Succeeded => {
            let output = result.output.as_ref().unwrap_or(&Value::Null);
            out(&(serde_json::to_string_pretty(output).unwrap_or_default() + "\n"));
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
    fn csv_items_read_quoted_newlines_and_ragged_rows_as_aws_does() -> Result<(), String> {
        let items =
            csv_items("id,note,extra\n1,\"two\nlines, and \"\"quotes\"\"\",x\n2\n3,a,b,c\n")?;
        assert_eq!(
            items,
            vec![
                serde_json::json!({"id": "1", "note": "two\nlines, and \"quotes\"", "extra": "x"}),
                serde_json::json!({"id": "2", "note": "", "extra": ""}),
                serde_json::json!({"id": "3", "note": "a", "extra": "b"}),
            ]
        );
        Ok(())
    }

    #[test]
    fn csv_items_refuse_an_unterminated_quote() {
        assert_eq!(
            csv_items("id,note\n1,\"never closed\n2,b\n"),
            Err("line 2: a quoted field is never closed (a '\"' is missing)".to_owned())
        );
        assert_eq!(unterminated_quote("a,b\n5\" tall,x\n"), None);
    }
}
