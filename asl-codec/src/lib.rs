//! ASL text formats to and from the document model.
//!
//! - [`SourceFile`]: a JSON or YAML definition with its text, parsed value and (JSON) the span of
//!   every value, for line:col diagnostics and format-preserving writes. JSON is checked and its
//!   spans recorded in one flat table ([`SpanTable`]); the `Value` is built only when asked for,
//!   and [`SourceFile::machine`] reads the model straight from the text.
//! - [`format_canonical`]: the one canonical layout (`asl-studio fmt`).
//! - [`template`]: state machines inside SAM / CloudFormation templates.
//! - [`load_path`]: reads a file and tells a definition from a template by its content.

use std::path::{Path, PathBuf};

use serde_json::Value;

pub mod check;
pub mod deploy;
pub mod json;
pub mod span;
pub mod template;
pub mod write;
pub mod yaml;

pub use json::{DuplicateKey, ParseOptions, SyntaxError};
pub use span::{LineCol, Span, SpanNode, SpanRef, SpanTable};
pub use template::{Placeholder, TemplateMachine, substitute};

/// A text format for definitions and templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JSON (`.json`, `.asl.json`).
    Json,
    /// YAML (`.yaml`, `.yml`, `.asl.yaml`).
    Yaml,
}

impl Format {
    /// The format a file name implies, if its extension says.
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "json" | "json5" => Some(Self::Json),
            "yaml" | "yml" => Some(Self::Yaml),
            _ => None,
        }
    }

    /// Guesses the format from content: JSON starts with `{` or `[`, anything else is YAML.
    pub fn sniff(text: &str) -> Self {
        let body = text.trim_start_matches('\u{feff}').trim_start();
        if body.starts_with('{') || body.starts_with('[') {
            Self::Json
        } else {
            Self::Yaml
        }
    }
}

/// A position found for a JSON pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Line and column of the value (or of its member key, when it has one).
    pub line_col: LineCol,
    /// False when the pointer's target is absent and this is its nearest existing ancestor.
    pub exact: bool,
}

/// A parsed definition: its text, its value and, for JSON, the span of every value (the value is
/// built from the text on first use).
#[derive(Debug, Clone)]
pub struct SourceFile {
    text: String,
    format: Format,
    /// For JSON, built from the text on first use: checking a file needs only the model, which
    /// [`Self::machine`] reads straight from the text.
    value: std::sync::OnceLock<Value>,
    spans: Option<SpanTable>,
    duplicates: Vec<DuplicateKey>,
    /// Built on the first line:col question: most parses never ask one.
    lines: std::sync::OnceLock<span::LineIndex>,
}

impl SourceFile {
    /// Parses `text` with the default limits.
    pub fn parse(text: impl Into<String>, format: Format) -> Result<Self, SyntaxError> {
        Self::parse_with(text, format, &ParseOptions::default())
    }

    /// Parses `text` with explicit limits.
    pub fn parse_with(
        text: impl Into<String>,
        format: Format,
        options: &ParseOptions,
    ) -> Result<Self, SyntaxError> {
        let text = text.into();
        let value = std::sync::OnceLock::new();
        let (spans, duplicates) = match format {
            Format::Json => {
                let scanned = json::scan(&text, options)?;
                (Some(scanned.spans), scanned.duplicates)
            }
            Format::Yaml => {
                let _ = value.set(yaml::parse(&text, options.max_bytes)?);
                (None, Vec::new())
            }
        };
        Ok(Self {
            text,
            format,
            value,
            spans,
            duplicates,
            lines: std::sync::OnceLock::new(),
        })
    }

    /// The original text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text's format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The parsed value.
    pub fn value(&self) -> &Value {
        self.value.get_or_init(|| match self.spans() {
            Some(root) => json::value_at(&self.text, root),
            None => Value::Null,
        })
    }

    /// The spans of every value (JSON only): the root of the span table.
    pub fn spans(&self) -> Option<SpanRef<'_>> {
        self.spans.as_ref().and_then(SpanTable::root)
    }

    /// Keys that appear twice in one object (JSON only; YAML rejects them while parsing).
    pub fn duplicate_keys(&self) -> &[DuplicateKey] {
        &self.duplicates
    }

    /// Line and column of a byte offset in the text.
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines
            .get_or_init(|| span::LineIndex::new(&self.text))
            .line_col(&self.text, offset)
    }

    /// Where the value at `pointer` is written: its member key when it has one, else the value.
    /// An absent target gives its nearest existing ancestor, with `exact` false. For YAML the
    /// position is a best effort from indentation.
    pub fn locate(&self, pointer: &str) -> Location {
        match self.spans() {
            Some(spans) => {
                let (node, exact) = spans.lookup(self.value(), pointer);
                let offset = node.key().map_or(node.value().start, |key| key.start);
                Location {
                    line_col: self.line_col(offset),
                    exact,
                }
            }
            None => {
                let (line_col, exact) = yaml::locate(&self.text, pointer);
                Location { line_col, exact }
            }
        }
    }

    /// Writes `new` in this file's format. JSON reuses the original bytes of every unchanged
    /// subtree and the file's indentation, newline and colon style for changed parts, so an
    /// unedited value gives the text back byte for byte. YAML is rewritten in block style unless
    /// the value is unchanged.
    pub fn write_preserving(&self, new: &Value) -> String {
        if new == self.value() {
            return self.text.clone();
        }
        match (self.spans(), self.format) {
            (Some(spans), Format::Json) => {
                write::PreservingWriter::new(&self.text, spans).write(spans, self.value(), new)
            }
            _ => format_canonical(new, self.format),
        }
    }

    /// Writes an edited document model back in this file's text, preserving everything the edit
    /// did not touch (see [`SourceFile::write_preserving`]).
    pub fn write_machine(&self, machine: &graph_model::StateMachine) -> String {
        self.write_preserving(&machine.to_value())
    }

    /// The canonical layout of this file (see [`format_canonical`]); JSON scalars keep their
    /// original spelling so that only whitespace changes.
    pub fn format_canonical(&self) -> String {
        match (self.spans(), self.format) {
            (Some(spans), Format::Json) => {
                write::canonical_json_keeping_scalars(&self.text, spans, self.value())
            }
            _ => format_canonical(self.value(), self.format),
        }
    }

    /// The document model of this definition.
    pub fn machine(&self) -> Result<graph_model::StateMachine, graph_model::ShapeError> {
        match self.spans() {
            // Straight from the text: no document-sized `Value` is built, only what the model keeps.
            Some(root) => {
                graph_model::StateMachine::from_source(json::TextValue::new(&self.text, root))
            }
            None => graph_model::StateMachine::from_value(self.value()),
        }
    }
}

/// The canonical text of a value: JSON as `JSON.stringify(value, null, 2)` plus a final newline
/// (one member or element per line, `{}`/`[]` when empty, LF), or block-style YAML.
pub fn format_canonical(value: &Value, format: Format) -> String {
    match format {
        Format::Json => write::canonical_json(value),
        Format::Yaml => yaml::to_yaml(value),
    }
}

/// Line and column of the value at `pointer` in `source` (nearest existing ancestor if absent).
pub fn locate(source: &SourceFile, pointer: &str) -> LineCol {
    source.locate(pointer).line_col
}

/// What a file turned out to be.
#[derive(Debug, Clone)]
pub enum Loaded {
    /// An ASL definition.
    Asl(SourceFile),
    /// A SAM / CloudFormation template with its state machines.
    Template {
        /// The template file.
        source: SourceFile,
        /// Its state machines, in resource order.
        machines: Vec<TemplateMachine>,
    },
}

/// Why a file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is larger than the limit.
    #[error("{path} is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: usize,
    },
    /// The text does not parse.
    #[error("{0}")]
    Syntax(#[from] SyntaxError),
    /// A template's machine cannot be read.
    #[error("{0}")]
    Template(#[from] template::TemplateError),
}

/// Reads a definition or template from `path`, with the default limits.
pub fn load_path(path: &Path) -> Result<Loaded, LoadError> {
    let limit = ParseOptions::default().max_bytes;
    let size = std::fs::metadata(path)
        .map_err(|source| LoadError::Io {
            path: path.to_owned(),
            source,
        })?
        .len();
    if size > limit as u64 {
        return Err(LoadError::TooLarge {
            path: path.to_owned(),
            size,
            limit,
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let format = Format::from_path(path).unwrap_or_else(|| Format::sniff(&text));
    load_text(text, format, path.parent())
}

/// Parses text as a definition or a template, telling them apart by content (a template has a
/// `Resources` object and no `States`). `base_dir` resolves SAM `DefinitionUri` paths.
pub fn load_text(
    text: impl Into<String>,
    format: Format,
    base_dir: Option<&Path>,
) -> Result<Loaded, LoadError> {
    let source = SourceFile::parse(text, format)?;
    if template::is_template(source.value()) {
        let machines = template::extract_from_value(source.value(), base_dir)?;
        Ok(Loaded::Template { source, machines })
    } else {
        Ok(Loaded::Asl(source))
    }
}
