//! A Distributed Map's ResultWriter: its children's results in the shape `WriterConfig` chooses
//! (Transformation NONE, COMPACT or FLATTEN; OutputType JSON or JSONL), returned as the state's
//! result or, when it exports to Amazon S3, as the files AWS writes (`manifest.json`,
//! `SUCCEEDED_0.json`, `FAILED_0.json`) and the `{"MapRunArn", "ResultWriterDetails"}` result.
//!
//! Pure: the engine hands it the children's runs; whoever runs the simulator writes the files.

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::timestamp;

/// `WriterConfig.Transformation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transformation {
    /// Each child's execution record (ARN, input, output, status, dates) unchanged.
    None,
    /// Each child's output.
    Compact,
    /// Each child's output, an array's elements spliced in.
    Flatten,
}

/// `WriterConfig.OutputType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputType {
    /// One JSON array per file.
    Json,
    /// JSON Lines: one result per line.
    Jsonl,
}

/// A ResultWriter, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterSpec {
    /// The transformation (NONE when exporting without a WriterConfig, else COMPACT).
    pub transformation: Transformation,
    /// The files' format.
    pub output_type: OutputType,
    /// Whether it exports to S3 (`Resource` given): the state's result then names the manifest.
    pub exports: bool,
}

impl WriterSpec {
    /// Reads a `ResultWriter` object. The error names the field that is wrong.
    pub fn from_value(writer: &Value) -> Result<Self, String> {
        let exports = writer.get("Resource").is_some();
        let config = writer.get("WriterConfig");
        let text = |field: &str| -> Result<Option<&str>, String> {
            match config.and_then(|config| config.get(field)) {
                None => Ok(None),
                Some(Value::String(text)) => Ok(Some(text)),
                Some(_) => Err(format!(
                    "ResultWriter.WriterConfig.{field} must be a string"
                )),
            }
        };
        let transformation = match text("Transformation")? {
            // AWS: NONE is the default when exporting with no WriterConfig; COMPACT otherwise.
            None if exports => Transformation::None,
            None | Some("COMPACT") => Transformation::Compact,
            Some("NONE") => Transformation::None,
            Some("FLATTEN") => Transformation::Flatten,
            Some(other) => {
                return Err(format!(
                    "ResultWriter.WriterConfig.Transformation '{other}' is unknown"
                ));
            }
        };
        let output_type = match text("OutputType")? {
            None | Some("JSON") => OutputType::Json,
            Some("JSONL") => OutputType::Jsonl,
            Some(other) => {
                return Err(format!(
                    "ResultWriter.WriterConfig.OutputType '{other}' is unknown"
                ));
            }
        };
        Ok(Self {
            transformation,
            output_type,
            exports,
        })
    }
}

/// One child workflow execution of a Distributed Map, as the writer reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildRun {
    /// The child's input (after ItemSelector and ItemBatcher).
    pub input: Value,
    /// Its output, or its error and cause.
    pub outcome: Result<Value, (Option<String>, Option<String>)>,
    /// When it started and stopped, on the virtual clock (epoch milliseconds).
    pub start_millis: i64,
    /// See `start_millis`.
    pub stop_millis: i64,
}

/// The names AWS gives a Map Run's children: `<state machine>/<label>` and the run's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapRun {
    /// `arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<id>`.
    pub arn: String,
    /// `arn:aws:states:<region>:<account>:stateMachine:<machine>/<label>`: the children's machine.
    pub child_state_machine_arn: String,
    /// `arn:aws:states:<region>:<account>:execution:<machine>/<label>`: the children's ARN stem.
    pub child_execution_stem: String,
    /// The run's id (the ARN's last segment): the folder its results go in.
    pub id: String,
}

/// A file a ResultWriter writes: its S3 bucket, key and contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultFile {
    /// The bucket `Parameters`/`Arguments` named.
    pub bucket: String,
    /// The object key: `<Prefix>/<map run id>/<file>`.
    pub key: String,
    /// The file's text.
    pub contents: String,
}

impl ResultFile {
    /// The key as a path inside a folder the results are saved to, or `None` when it would leave
    /// that folder (an absolute key, `..`) or is empty. Keys come from the definition and its
    /// input, so whoever writes the files checks them here first.
    #[must_use]
    pub fn relative_path(&self) -> Option<&std::path::Path> {
        let path = std::path::Path::new(&self.key);
        let inside = path
            .components()
            .all(|part| matches!(part, std::path::Component::Normal(_)));
        (inside && !self.key.is_empty()).then_some(path)
    }

    /// The file's name: the key's last segment (`SUCCEEDED_0.json`).
    #[must_use]
    pub fn file_name(&self) -> &str {
        self.key.rsplit('/').next().unwrap_or(&self.key)
    }
}

/// A deterministic child name in the form of the UUIDs AWS gives them.
fn child_name(index: usize) -> String {
    format!("00000000-0000-4000-8000-{index:012x}")
}

/// The execution record AWS writes for a child under Transformation NONE (and for every failed
/// child whatever the transformation): DescribeExecution's fields, payloads as JSON text.
pub fn execution_record(run: &ChildRun, index: usize, map_run: &MapRun) -> Value {
    let name = child_name(index);
    let mut record = Map::new();
    record.insert(
        "ExecutionArn".to_owned(),
        Value::String(format!("{}:{name}", map_run.child_execution_stem)),
    );
    record.insert("Input".to_owned(), Value::String(compact(&run.input)));
    record.insert("InputDetails".to_owned(), json!({"Included": true}));
    record.insert("Name".to_owned(), Value::String(name));
    match &run.outcome {
        Ok(output) => {
            record.insert("Output".to_owned(), Value::String(compact(output)));
            record.insert("OutputDetails".to_owned(), json!({"Included": true}));
        }
        Err((error, cause)) => {
            if let Some(error) = error {
                record.insert("Error".to_owned(), Value::String(error.clone()));
            }
            if let Some(cause) = cause {
                record.insert("Cause".to_owned(), Value::String(cause.clone()));
            }
        }
    }
    record.insert("RedriveCount".to_owned(), json!(0));
    let status = if run.outcome.is_ok() {
        "SUCCEEDED"
    } else {
        "FAILED"
    };
    record.insert("RedriveStatus".to_owned(), json!("NOT_REDRIVABLE"));
    record.insert(
        "RedriveStatusReason".to_owned(),
        Value::String(if run.outcome.is_ok() {
            "Execution is SUCCEEDED and cannot be redriven".to_owned()
        } else {
            "Execution is a child of a Map Run and must be redriven with its parent".to_owned()
        }),
    );
    record.insert(
        "StartDate".to_owned(),
        Value::String(timestamp::format_millis(run.start_millis)),
    );
    record.insert(
        "StateMachineArn".to_owned(),
        Value::String(map_run.child_state_machine_arn.clone()),
    );
    record.insert("Status".to_owned(), Value::String(status.to_owned()));
    record.insert(
        "StopDate".to_owned(),
        Value::String(timestamp::format_millis(run.stop_millis)),
    );
    Value::Object(record)
}

/// The children's results in the transformation's shape, in item order. A failed child keeps its
/// execution record whatever the transformation, as AWS documents.
pub fn transform(
    runs: &[ChildRun],
    transformation: Transformation,
    map_run: &MapRun,
) -> Vec<Value> {
    let mut results = Vec::with_capacity(runs.len());
    for (index, run) in runs.iter().enumerate() {
        shape(index, run, transformation, map_run, &mut results);
    }
    results
}

/// Adds child `index`'s result, in the transformation's shape, to `results`.
fn shape(
    index: usize,
    run: &ChildRun,
    transformation: Transformation,
    map_run: &MapRun,
    results: &mut Vec<Value>,
) {
    match (&run.outcome, transformation) {
        (Ok(output), Transformation::Compact) => results.push(output.clone()),
        (Ok(Value::Array(outputs)), Transformation::Flatten) => {
            results.extend(outputs.iter().cloned());
        }
        (Ok(output), Transformation::Flatten) => results.push(output.clone()),
        _ => results.push(execution_record(run, index, map_run)),
    }
}

/// What a ResultWriter makes of a finished Map Run: the state's result, and the files (none when
/// it does not export). `bucket` and `prefix` come from its evaluated `Parameters`/`Arguments`.
pub fn write(
    spec: &WriterSpec,
    runs: &[ChildRun],
    map_run: &MapRun,
    bucket: &str,
    prefix: &str,
) -> (Value, Vec<ResultFile>) {
    if !spec.exports {
        return (
            Value::Array(transform(runs, spec.transformation, map_run)),
            Vec::new(),
        );
    }
    let folder = if prefix.is_empty() {
        map_run.id.clone()
    } else {
        format!("{}/{}", prefix.trim_end_matches('/'), map_run.id)
    };
    let extension = match spec.output_type {
        OutputType::Json => "json",
        OutputType::Jsonl => "jsonl",
    };
    let numbered = || runs.iter().enumerate();
    let succeeded: Vec<(usize, &ChildRun)> =
        numbered().filter(|(_, run)| run.outcome.is_ok()).collect();
    let failed: Vec<(usize, &ChildRun)> =
        numbered().filter(|(_, run)| run.outcome.is_err()).collect();
    let mut files = Vec::new();
    let mut listed = Map::new();
    for (status, group) in [
        ("FAILED", failed),
        ("PENDING", Vec::new()),
        ("SUCCEEDED", succeeded),
    ] {
        let mut entries = Vec::new();
        if !group.is_empty() {
            let mut results = Vec::new();
            for (index, run) in &group {
                shape(*index, run, spec.transformation, map_run, &mut results);
            }
            let contents = render(&results, spec.output_type);
            let key = format!("{folder}/{status}_0.{extension}");
            entries.push(json!({"Key": key, "Size": contents.len()}));
            files.push(ResultFile {
                bucket: bucket.to_owned(),
                key,
                contents,
            });
        }
        listed.insert(status.to_owned(), Value::Array(entries));
    }
    let manifest_key = format!("{folder}/manifest.json");
    let manifest = json!({
        "DestinationBucket": bucket,
        "MapRunArn": map_run.arn,
        "ResultFiles": Value::Object(listed),
    });
    files.push(ResultFile {
        bucket: bucket.to_owned(),
        key: manifest_key.clone(),
        contents: serde_json::to_string(&manifest).unwrap_or_default(),
    });
    let result = json!({
        "MapRunArn": map_run.arn,
        "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key},
    });
    (result, files)
}

fn render(results: &[Value], output_type: OutputType) -> String {
    match output_type {
        OutputType::Json => serde_json::to_string(results).unwrap_or_default(),
        OutputType::Jsonl => results
            .iter()
            .map(|result| compact(result) + "\n")
            .collect(),
    }
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
#[path = "result_writer_tests.rs"]
mod tests;
