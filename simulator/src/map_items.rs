//! A Map state's items before its children start: a JSON object's key-value pairs, an ItemReader's
//! dataset read as its `ReaderConfig` says (JSON, JSON Lines, CSV with any delimiter and header
//! mode, Parquet, manifests), `MaxItems`, and ItemBatcher's batches.
//!
//! Pure functions over bytes and values: the engine resolves paths and expressions, the CLI reads
//! files, and this module decides what AWS would hand each child.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use graph_model::kind_of;

/// The child input AWS makes of one key-value pair when a Map iterates over a JSON object (ItemsPath,
/// Items, or an ItemReader's JSON file whose top level is an object), in the object's key order.
/// `$$.Map.Item.Key` and `$$.Map.Item.Value` read the two halves.
pub fn object_entries(object: Map<String, Value>) -> Vec<Value> {
    object
        .into_iter()
        .map(|(key, value)| {
            let mut pair = Map::new();
            pair.insert("Key".to_owned(), Value::String(key));
            pair.insert("Value".to_owned(), value);
            Value::Object(pair)
        })
        .collect()
}

/// A Map's items from the value its ItemsPath or Items selected: an array's elements, or an
/// object's key-value pairs (`true` with them). Anything else is not iterable.
pub fn iterable(value: Value) -> Result<(Vec<Value>, bool), Value> {
    match value {
        Value::Array(items) => Ok((items, false)),
        Value::Object(object) => Ok((object_entries(object), true)),
        other => Err(other),
    }
}

/// The dataset's format: `ReaderConfig.InputType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    /// A JSON array (or object), optionally found at `ItemsPointer`.
    Json,
    /// JSON Lines: one value per line.
    Jsonl,
    /// Delimited text: each row an object of strings.
    Csv,
    /// Apache Parquet: each row an object.
    Parquet,
    /// A manifest listing the data files (an S3 inventory `manifest.json` or an Athena manifest).
    Manifest,
}

/// Where a CSV file's column names come from: `ReaderConfig.CSVHeaderLocation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvHeader {
    /// The first row holds the names (`FIRST_ROW`, the default).
    FirstRow,
    /// `GIVEN`: `CSVHeaders` names the columns and every row is data.
    Given(Vec<String>),
}

/// An ItemReader's `ReaderConfig`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderConfig {
    /// `InputType`; `None` when the reader has no ReaderConfig (an S3 object listing), where the
    /// offline source is read as JSON, JSON Lines or CSV by its content and file name.
    pub input_type: Option<InputType>,
    /// `CSVHeaderLocation` / `CSVHeaders`.
    pub header: CsvHeader,
    /// `CSVDelimiter` as a byte.
    pub delimiter: u8,
    /// `ItemsPointer`: a JSON Pointer (RFC 6901) to the items inside a JSON file.
    pub items_pointer: Option<String>,
    /// `ManifestType`: `S3_INVENTORY` or `ATHENA_DATA`.
    pub manifest_type: Option<String>,
    /// `Transformation` `LOAD_AND_FLATTEN` (an S3 object listing): the dataset lists objects, and
    /// the items are the contents of every listed object, read as `InputType` says, one after
    /// the other. `NONE` (the default) keeps the listing's entries as the items.
    pub load_and_flatten: bool,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        Self {
            input_type: None,
            header: CsvHeader::FirstRow,
            delimiter: b',',
            items_pointer: None,
            manifest_type: None,
            load_and_flatten: false,
        }
    }
}

impl ReaderConfig {
    /// Reads the `ReaderConfig` of an `ItemReader` object (absent: the defaults). The error names
    /// the field that is wrong.
    pub fn from_item_reader(reader: &Value) -> Result<Self, String> {
        let mut config = Self::default();
        let Some(raw) = reader.get("ReaderConfig") else {
            return Ok(config);
        };
        let text = |field: &str| -> Result<Option<&str>, String> {
            match raw.get(field) {
                None => Ok(None),
                Some(Value::String(text)) => Ok(Some(text)),
                Some(_) => Err(format!("ReaderConfig.{field} must be a string")),
            }
        };
        config.input_type = match text("InputType")? {
            None => None,
            Some("JSON") => Some(InputType::Json),
            Some("JSONL") => Some(InputType::Jsonl),
            Some("CSV") => Some(InputType::Csv),
            Some("PARQUET") => Some(InputType::Parquet),
            Some("MANIFEST") => Some(InputType::Manifest),
            Some(other) => return Err(format!("ReaderConfig.InputType '{other}' is unknown")),
        };
        config.delimiter = match text("CSVDelimiter")? {
            None | Some("COMMA") => b',',
            Some("PIPE") => b'|',
            Some("SEMICOLON") => b';',
            Some("SPACE") => b' ',
            Some("TAB") => b'\t',
            Some(other) => return Err(format!("ReaderConfig.CSVDelimiter '{other}' is unknown")),
        };
        config.header = match text("CSVHeaderLocation")? {
            None | Some("FIRST_ROW") => CsvHeader::FirstRow,
            Some("GIVEN") => match raw.get("CSVHeaders") {
                Some(Value::Array(names)) => CsvHeader::Given(
                    names
                        .iter()
                        .map(|name| {
                            name.as_str().map(str::to_owned).ok_or_else(|| {
                                "ReaderConfig.CSVHeaders must be an array of strings".to_owned()
                            })
                        })
                        .collect::<Result<_, _>>()?,
                ),
                _ => {
                    return Err(
                        "ReaderConfig.CSVHeaderLocation GIVEN needs CSVHeaders (an array of strings)"
                            .to_owned(),
                    );
                }
            },
            Some(other) => {
                return Err(format!(
                    "ReaderConfig.CSVHeaderLocation '{other}' is unknown"
                ));
            }
        };
        config.items_pointer = text("ItemsPointer")?.map(str::to_owned);
        config.manifest_type = text("ManifestType")?.map(str::to_owned);
        config.load_and_flatten = match text("Transformation")? {
            None | Some("NONE") => false,
            Some("LOAD_AND_FLATTEN") => true,
            Some(other) => {
                return Err(format!("ReaderConfig.Transformation '{other}' is unknown"));
            }
        };
        Ok(config)
    }

    /// Whether the dataset is an Athena manifest: `ManifestType` ATHENA_DATA, whose listed data
    /// files are in the format `InputType` names.
    pub fn is_athena_manifest(&self) -> bool {
        self.manifest_type.as_deref() == Some("ATHENA_DATA")
    }

    /// Whether the dataset is an S3 inventory manifest (`manifest.json` listing CSV files).
    pub fn is_inventory_manifest(&self) -> bool {
        self.input_type == Some(InputType::Manifest) && !self.is_athena_manifest()
    }
}

/// A dataset given for an ItemReader when running offline: the file's bytes, the name to use in
/// errors, and, for a manifest, the data files it lists (by the key or path the manifest gives).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemSource {
    /// The file name (or other label) errors name.
    pub display: String,
    /// The dataset's bytes.
    pub bytes: Vec<u8>,
    /// A manifest's data files, by the name the manifest lists them under.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Reads a dataset as `config` says. An error is what AWS reports as `States.ItemReaderFailed`
/// (a file its reader cannot read).
pub fn read_source(config: &ReaderConfig, source: &ItemSource) -> Result<Vec<Value>, String> {
    read_dataset(config, source).map(|(items, _)| items)
}

/// [`read_source`], and whether the items are the key-value pairs of a JSON file's object.
pub fn read_dataset(
    config: &ReaderConfig,
    source: &ItemSource,
) -> Result<(Vec<Value>, bool), String> {
    let json_object = matches!(config.input_type, Some(InputType::Json) | None)
        && !config.is_athena_manifest()
        && !config.load_and_flatten
        && json_object_at(&source.bytes, config.items_pointer.as_deref());
    read_items(config, source).map(|items| (items, json_object))
}

/// Whether the JSON file holds an object where its items are (so they are key-value pairs).
fn json_object_at(bytes: &[u8], pointer: Option<&str>) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let Ok(document) = serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')) else {
        return false;
    };
    match pointer.filter(|pointer| !pointer.is_empty()) {
        Some(pointer) => document.pointer(pointer).is_some_and(Value::is_object),
        None => document.is_object(),
    }
}

fn read_items(config: &ReaderConfig, source: &ItemSource) -> Result<Vec<Value>, String> {
    let name = &source.display;
    if config.load_and_flatten {
        return read_listed_objects(config, source);
    }
    if config.is_athena_manifest() {
        return read_athena_manifest(config, source);
    }
    if config.is_inventory_manifest() {
        return read_inventory_manifest(config, source);
    }
    match config.input_type {
        Some(InputType::Json) => read_json(&text_of(source)?, config.items_pointer.as_deref())
            .map_err(|problem| format!("{name}: {problem}")),
        Some(InputType::Jsonl) => read_jsonl(&text_of(source)?).map_err(|p| format!("{name}:{p}")),
        Some(InputType::Csv) => read_csv(&text_of(source)?, &config.header, config.delimiter)
            .map_err(|problem| format!("{name}: {problem}")),
        Some(InputType::Parquet) => {
            read_parquet(&source.bytes).map_err(|problem| format!("{name}: {problem}"))
        }
        Some(InputType::Manifest) | None => read_by_content(source),
    }
}

/// A reader without a ReaderConfig (an S3 object listing, given offline as a file): a JSON array
/// (or object), else CSV when the file is named `*.csv`, else JSON Lines.
fn read_by_content(source: &ItemSource) -> Result<Vec<Value>, String> {
    let text = text_of(source)?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(items)) => return Ok(items),
        Ok(Value::Object(object)) => return Ok(object_entries(object)),
        _ => {}
    }
    let is_csv = std::path::Path::new(&source.display)
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"));
    if is_csv {
        read_csv(&text, &CsvHeader::FirstRow, b',')
            .map_err(|problem| format!("{}: {problem}", source.display))
    } else {
        read_jsonl(&text).map_err(|problem| format!("{}:{problem}", source.display))
    }
}

fn text_of(source: &ItemSource) -> Result<String, String> {
    let text = std::str::from_utf8(&source.bytes)
        .map_err(|error| format!("{}: not UTF-8 text ({error})", source.display))?;
    // Editors on Windows start text files with a byte order mark.
    Ok(text.trim_start_matches('\u{feff}').to_owned())
}

/// A JSON dataset: the array (or object, as key-value pairs) at `pointer`, or the whole document.
pub fn read_json(text: &str, pointer: Option<&str>) -> Result<Vec<Value>, String> {
    let document: Value =
        serde_json::from_str(text).map_err(|error| format!("not valid JSON: {error}"))?;
    let selected = match pointer {
        None | Some("") => document,
        Some(pointer) => document
            .pointer(pointer)
            .cloned()
            .ok_or_else(|| format!("ItemsPointer '{pointer}' selects nothing in the file"))?,
    };
    iterable(selected).map(|(items, _)| items).map_err(|other| {
        format!(
            "the items must be a JSON array or object, not {}",
            kind_of(&other)
        )
    })
}

/// A JSON Lines dataset: each non-blank line one item. The error starts with the line number.
pub fn read_jsonl(text: &str) -> Result<Vec<Value>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            serde_json::from_str(line).map_err(|error| format!("{}: {error}", number + 1))
        })
        .collect()
}

/// A CSV dataset read as AWS documents for ItemReader: each row an object of strings keyed by the
/// header; quoted fields may hold the delimiter, newlines and doubled quotes; a row with fewer
/// fields than the header gets empty strings for the missing ones, and fields beyond the header
/// are skipped. A quote that is never closed is an error (AWS cannot read the file either).
pub fn read_csv(text: &str, header: &CsvHeader, delimiter: u8) -> Result<Vec<Value>, String> {
    if let Some(line) = unterminated_quote(text, delimiter) {
        return Err(format!(
            "line {line}: a quoted field is never closed (a '\"' is missing)"
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(matches!(header, CsvHeader::FirstRow))
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let names: Vec<String> = match header {
        CsvHeader::FirstRow => reader
            .headers()
            .map_err(|error| format!("the header row: {error}"))?
            .iter()
            .map(str::to_owned)
            .collect(),
        CsvHeader::Given(names) => names.clone(),
    };
    let mut items = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| error.to_string())?;
        if record.len() == 1 && record.get(0).is_some_and(str::is_empty) {
            continue;
        }
        let row: Map<String, Value> = names
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
pub fn unterminated_quote(text: &str, delimiter: u8) -> Option<usize> {
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
        field_start = byte == delimiter || matches!(byte, b'\n' | b'\r');
    }
    opened_on
}

/// An S3 inventory manifest (`manifest.json`): its `files` are CSV files (gunzipped by whoever
/// gave them) whose columns `fileSchema` names; each row is an item. Keys are matched as listed,
/// then by their last path segment.
fn read_inventory_manifest(
    config: &ReaderConfig,
    source: &ItemSource,
) -> Result<Vec<Value>, String> {
    let name = &source.display;
    let manifest: Value = serde_json::from_str(&text_of(source)?)
        .map_err(|error| format!("{name}: not a valid S3 inventory manifest: {error}"))?;
    let schema: Vec<String> = match manifest.get("fileSchema").and_then(Value::as_str) {
        Some(schema) => schema.split(',').map(|c| c.trim().to_owned()).collect(),
        None => return Err(format!("{name}: the manifest has no fileSchema")),
    };
    let header = match &config.header {
        CsvHeader::Given(names) => CsvHeader::Given(names.clone()),
        CsvHeader::FirstRow => CsvHeader::Given(schema),
    };
    let files = manifest
        .get("files")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{name}: the manifest has no files array"))?;
    let mut items = Vec::new();
    for file in files {
        let key = file
            .get("key")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{name}: a files entry has no key"))?;
        let bytes = listed_file(source, key)?;
        let text = std::str::from_utf8(bytes)
            .map_err(|error| format!("{key}: not UTF-8 text ({error})"))?;
        items.extend(
            read_csv(text, &header, config.delimiter)
                .map_err(|problem| format!("{key}: {problem}"))?,
        );
    }
    Ok(items)
}

/// An Athena manifest: one data file (an `s3://` URI) per line, each read in the format `InputType`
/// names (CSV, JSONL or PARQUET).
fn read_athena_manifest(config: &ReaderConfig, source: &ItemSource) -> Result<Vec<Value>, String> {
    let text = text_of(source)?;
    let mut items = Vec::new();
    for key in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let bytes = listed_file(source, key)?;
        let data = ItemSource {
            display: key.to_owned(),
            bytes: bytes.to_vec(),
            files: BTreeMap::new(),
        };
        let data_config = ReaderConfig {
            manifest_type: None,
            ..config.clone()
        };
        items.extend(read_source(&data_config, &data)?);
    }
    Ok(items)
}

/// The object keys of an S3 listing: a JSON array of ListObjectsV2 entries (`{"Key": ...}`), as
/// the listing reader without LOAD_AND_FLATTEN gives them, or of plain keys.
fn listed_keys(source: &ItemSource) -> Result<Vec<String>, String> {
    let name = &source.display;
    let listing: Value = serde_json::from_str(&text_of(source)?)
        .map_err(|error| format!("{name}: the object listing is not JSON ({error})"))?;
    let Value::Array(entries) = listing else {
        return Err(format!(
            "{name}: an object listing must be a JSON array of {{\"Key\": ...}} entries"
        ));
    };
    entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            entry
                .get("Key")
                .and_then(Value::as_str)
                .or_else(|| entry.as_str())
                .map(str::to_owned)
                .ok_or_else(|| format!("{name}: listing entry {index} has no Key"))
        })
        .collect()
}

/// `Transformation` LOAD_AND_FLATTEN: every listed object (a "folder" key ending in `/` holds
/// nothing) read as `InputType` says, their items one after the other, in listing order.
fn read_listed_objects(config: &ReaderConfig, source: &ItemSource) -> Result<Vec<Value>, String> {
    let object_config = ReaderConfig {
        load_and_flatten: false,
        ..config.clone()
    };
    let mut items = Vec::new();
    for key in listed_keys(source)? {
        if key.ends_with('/') {
            continue;
        }
        let object = ItemSource {
            display: key.clone(),
            bytes: listed_file(source, &key)
                .map_err(|_| {
                    format!(
                        "{}: the listing names {key}, which was not given (put the object next to the listing)",
                        source.display
                    )
                })?
                .to_vec(),
            files: BTreeMap::new(),
        };
        items.extend(read_source(&object_config, &object)?);
    }
    Ok(items)
}

/// The bytes of a file a manifest lists: by its full key, else by its last path segment.
fn listed_file<'s>(source: &'s ItemSource, key: &str) -> Result<&'s [u8], String> {
    let base = key.rsplit('/').next().unwrap_or(key);
    source
        .files
        .get(key)
        .or_else(|| source.files.get(base))
        .map(Vec::as_slice)
        .ok_or_else(|| {
            format!(
                "{}: the manifest lists {key}, which was not given (put it next to the manifest)",
                source.display
            )
        })
}

/// The names of the data files a manifest lists, so that the caller can read them; empty for any
/// other dataset.
pub fn manifest_files(config: &ReaderConfig, source: &ItemSource) -> Vec<String> {
    if config.load_and_flatten {
        return listed_keys(source).unwrap_or_default();
    }
    let Ok(text) = text_of(source) else {
        return Vec::new();
    };
    if config.is_athena_manifest() {
        return text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect();
    }
    if config.is_inventory_manifest() {
        let manifest: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        return manifest
            .get("files")
            .and_then(Value::as_array)
            .map(|files| {
                files
                    .iter()
                    .filter_map(|file| file.get("key").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
    }
    Vec::new()
}

#[cfg(feature = "parquet")]
fn read_parquet(bytes: &[u8]) -> Result<Vec<Value>, String> {
    crate::parquet_items::read(bytes)
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(_bytes: &[u8]) -> Result<Vec<Value>, String> {
    Err("this build reads no Parquet files (the simulator's `parquet` feature is off)".to_owned())
}

/// The first `max_items` items (`MaxItems`); `None` or 0 keeps all.
pub fn limit(mut items: Vec<Value>, max_items: Option<u64>) -> Vec<Value> {
    if let Some(max) = max_items.filter(|max| *max > 0) {
        items.truncate(usize::try_from(max).unwrap_or(usize::MAX));
    }
    items
}

/// ItemBatcher's settings, resolved for one run of the state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batching {
    /// `MaxItemsPerBatch(Path)`: most items in a batch.
    pub max_items: Option<u64>,
    /// `MaxInputBytesPerBatch(Path)`: most bytes of a child's input (`{"BatchInput":..,"Items":[..]}`).
    pub max_bytes: Option<u64>,
    /// `BatchInput`, evaluated: added to every batch.
    pub batch_input: Option<Value>,
}

/// Largest batch AWS accepts when no limit is given: a child's input, 256 KiB.
pub const MAX_BATCH_BYTES: u64 = 256 * 1024;

/// Groups `items` (already through ItemSelector) into child inputs `{"BatchInput": ..., "Items":
/// [...]}` (BatchInput only when given), in order, each as full as the limits allow: at most
/// `max_items` items and at most `max_bytes` bytes of compact JSON for the whole child input (256
/// KiB when no byte limit is given). Returns the batches and how many items each holds. An item
/// that cannot fit a batch on its own is an error naming its index.
pub fn batch(items: Vec<Value>, batching: &Batching) -> Result<(Vec<Value>, Vec<u64>), String> {
    let max_items = batching
        .max_items
        .filter(|max| *max > 0)
        .unwrap_or(u64::MAX);
    let max_bytes = batching
        .max_bytes
        .filter(|max| *max > 0)
        .unwrap_or(MAX_BATCH_BYTES)
        .min(MAX_BATCH_BYTES);
    let envelope = batch_value(batching.batch_input.as_ref(), Vec::new());
    // `{"Items":[]}`: each item adds its own size, plus a comma after the first.
    let empty_size = json_size(&envelope) as u64;
    let mut batches = Vec::new();
    let mut sizes = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    let mut current_size = empty_size;
    for (index, item) in items.into_iter().enumerate() {
        let item_size = json_size(&item) as u64;
        if empty_size + item_size > max_bytes {
            return Err(format!(
                "item {index} takes {item_size} bytes, more than a batch of at most {max_bytes} bytes can hold"
            ));
        }
        let added = item_size + u64::from(!current.is_empty());
        if !current.is_empty()
            && (current.len() as u64 >= max_items || current_size + added > max_bytes)
        {
            sizes.push(current.len() as u64);
            batches.push(batch_value(
                batching.batch_input.as_ref(),
                std::mem::take(&mut current),
            ));
            current_size = empty_size;
        }
        current_size += item_size + u64::from(!current.is_empty());
        current.push(item);
    }
    if !current.is_empty() {
        sizes.push(current.len() as u64);
        batches.push(batch_value(batching.batch_input.as_ref(), current));
    }
    Ok((batches, sizes))
}

fn batch_value(batch_input: Option<&Value>, items: Vec<Value>) -> Value {
    let mut child = Map::new();
    if let Some(batch_input) = batch_input {
        child.insert("BatchInput".to_owned(), batch_input.clone());
    }
    child.insert("Items".to_owned(), Value::Array(items));
    Value::Object(child)
}

fn json_size(value: &Value) -> usize {
    serde_json::to_vec(value).map_or(0, |bytes| bytes.len())
}

#[cfg(test)]
#[path = "map_items_tests.rs"]
mod tests;
