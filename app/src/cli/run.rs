//! `asl-studio run`: a dry run of a definition on an input.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;
use simulator::{Mocks, Options, Status};

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
    /// The dataset of a Map state's ItemReader: `STATE=FILE`, read as the state's ReaderConfig says
    /// (JSON with ItemsPointer, JSONL, CSV with any CSVDelimiter and CSVHeaderLocation, PARQUET, or a
    /// MANIFEST whose listed files lie next to it); without a ReaderConfig, a JSON array, JSON
    /// Lines, or CSV with a header row.
    #[arg(long = "items", value_name = "STATE=FILE")]
    pub items: Vec<String>,
    /// Write what the run's ResultWriters export to S3 into this folder, each file at its S3 key
    /// (`<Prefix>/<map run>/manifest.json`, `SUCCEEDED_0.json`, ...).
    #[arg(long, value_name = "DIR")]
    pub results: Option<PathBuf>,
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

pub(super) fn read_json(path: &Path) -> Result<Value, String> {
    let input = read_input(path)?;
    // Editors on Windows save JSON with a byte order mark; the definition reader accepts it, so
    // the input, mock and substitution files do too.
    serde_json::from_str(input.text.trim_start_matches('\u{feff}'))
        .map_err(|error| format!("{}: {error}", input.display))
}

/// Reads the definition (ASL or a template's machine) and fills its `${...}` placeholders: first with
/// the values the template gives, then with the user's `--substitutions`.
pub(super) fn read_definition(args: &RunArgs) -> Result<Value, String> {
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
pub(super) fn refuse_invalid(display: &str, definition: &Value) -> Result<(), String> {
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
    let mut builder = Options::builder()
        .max_transitions(args.max_transitions)
        .seed(args.seed)
        .pass_through(args.pass_through)
        .record_trace(false)
        .record_history(args.history.is_some())
        .express(args.execution_type == "express");
    if let Some(name) = args.definition.file_stem().and_then(|stem| stem.to_str()) {
        builder = builder.state_machine_name(name.trim_end_matches(".asl"));
    }
    if let Some(path) = &args.mocks {
        let config = read_json(path)?;
        builder = builder.mocks(match (&args.test_case, &config) {
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
        });
    }
    for spec in &args.items {
        let Some((state, file)) = spec.split_once('=') else {
            return Err(format!("--items {spec}: expected STATE=FILE"));
        };
        let Some(reader) = item_reader_of(&definition, state) else {
            return Err(format!(
                "--items {spec}: the definition has no Map state named {state} with an ItemReader"
            ));
        };
        builder = builder.reader_source(state, read_item_source(Path::new(file), reader)?);
    }
    let options = builder.build();
    Ok((definition, input, options))
}

/// The `ItemReader` of the Map state named `name`, at any depth (Parallel branches, Map processors).
fn item_reader_of<'d>(definition: &'d Value, name: &str) -> Option<&'d Value> {
    let states = definition.get("States")?.as_object()?;
    for (state_name, state) in states {
        if state_name == name
            && let Some(reader) = state.get("ItemReader")
        {
            return Some(reader);
        }
        let nested = state
            .get("Branches")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(state.get("ItemProcessor"))
            .chain(state.get("Iterator"));
        for machine in nested {
            if let Some(reader) = item_reader_of(machine, name) {
                return Some(reader);
            }
        }
    }
    None
}

/// Reads the dataset file (any bytes: Parquet is binary) and, for a manifest, the data files it
/// lists, found next to it by their last path segment (`.gz` files are gunzipped, as S3 inventory
/// writes them). A file that cannot be read is an error (exit 2); a file AWS's reader would
/// refuse fails the Map state with `States.ItemReaderFailed` when it runs.
fn read_item_source(
    path: &Path,
    reader: &Value,
) -> Result<simulator::map_items::ItemSource, String> {
    use simulator::map_items::{ItemSource, ReaderConfig, manifest_files};
    if path.is_dir() {
        return folder_listing(path);
    }
    let bytes = read_bytes(path)?;
    let mut source = ItemSource {
        display: path.display().to_string(),
        bytes,
        ..ItemSource::default()
    };
    // A ReaderConfig the validator let through but the reader refuses fails the state at run time.
    let Ok(config) = ReaderConfig::from_item_reader(reader) else {
        return Ok(source);
    };
    let folder = path.parent().unwrap_or_else(|| Path::new("."));
    for key in manifest_files(&config, &source) {
        let name = key.rsplit('/').next().unwrap_or(&key).to_owned();
        let listed = folder.join(&name);
        let Ok(bytes) = read_bytes(&listed) else {
            // Left out: the simulator names the missing file when the Map state runs.
            continue;
        };
        let bytes = if name.ends_with(".gz") {
            gunzip(&bytes).map_err(|error| format!("{}: {error}", listed.display()))?
        } else {
            bytes
        };
        source.files.insert(name, bytes);
    }
    Ok(source)
}

/// A folder given for an S3 object listing (`listObjectsV2`): its files, in name order, listed as
/// ListObjectsV2 entries (`Key`, `Size`), each file's bytes kept for `LOAD_AND_FLATTEN`.
fn folder_listing(folder: &Path) -> Result<simulator::map_items::ItemSource, String> {
    let entries =
        std::fs::read_dir(folder).map_err(|error| format!("{}: {error}", folder.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .filter_map(|entry| entry.file_name().to_str().map(str::to_owned))
        .collect();
    names.sort();
    let mut source = simulator::map_items::ItemSource {
        display: folder.display().to_string(),
        ..Default::default()
    };
    let mut listing = Vec::with_capacity(names.len());
    for name in names {
        let bytes = read_bytes(&folder.join(&name))?;
        listing.push(serde_json::json!({"Key": name, "Size": bytes.len()}));
        source.files.insert(name, bytes);
    }
    source.bytes = serde_json::to_vec(&listing).map_err(|error| error.to_string())?;
    Ok(source)
}

/// A dataset file's bytes: a regular file (not a FIFO or device that would never end) of at most
/// the loader's input limit.
fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let limit = asl_codec::load::MAX_INPUT_BYTES;
    let metadata =
        std::fs::metadata(path).map_err(|error| format!("{}: {error}", path.display()))?;
    if !metadata.is_file() {
        return Err(format!("{}: not a regular file", path.display()));
    }
    let file = std::fs::File::open(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("{}: {error}", path.display()))?;
    if bytes.len() > limit {
        return Err(format!(
            "{}: more than {limit} bytes, the most an input may hold",
            path.display()
        ));
    }
    Ok(bytes)
}

fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut text)?;
    Ok(text)
}

/// Writes each exported file at `dir/<key>` (a key that would leave `dir` is refused), as the
/// designer's "Save results to folder…" does.
fn write_results(dir: &Path, files: &[simulator::result_writer::ResultFile]) -> Result<(), String> {
    asl_studio::simulate::result_files_ui::save_result_files(dir, files)
        .map(|_| ())
        .map_err(|error| format!("--results: {error}"))
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
    let mut code = report_outcome(&result);
    if let Some(dir) = &args.results
        && let Err(message) = write_results(dir, &result.result_files)
    {
        err_line(&message);
        code = ExitCode::from(EXIT_UNREADABLE);
    }
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
