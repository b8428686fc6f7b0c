//! ASL text formats to and from the document model.
//!
//! - [`SourceFile`]: a JSON or YAML definition with its text, parsed value and (JSON) the span of
//!   every value, for line:col diagnostics and format-preserving writes. JSON is checked and its
//!   spans recorded in one flat table ([`SpanTable`]); the `Value` is built only when asked for,
//!   and [`SourceFile::machine`] reads the model straight from the text.
//! - [`format_canonical`]: the one canonical layout (`asl-studio fmt`).
//! - [`template`]: state machines inside SAM / CloudFormation templates.
//! - [`load`]: the one loader: reads a file or standard input within the size limit, parses it
//!   and tells a definition from a template by its content ([`load_path`], [`load_text`]).

use serde_json::Value;

pub mod check;
pub mod deploy;
pub mod json;
pub mod lint_config;
pub mod load;
pub mod span;
pub mod template;
pub mod terraform;
pub mod write;
pub mod yaml;

pub use json::{DuplicateKey, ParseOptions, SyntaxError};
pub use load::{InputText, LoadError, Loaded, load_path, load_text};
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
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
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
    /// For YAML, the node tree with the bytes of every node (absent for an empty document).
    yaml_root: Option<yaml::Node>,
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
        let (spans, yaml_root, duplicates) = match format {
            Format::Json => {
                let scanned = json::scan(&text, options)?;
                (Some(scanned.spans), None, scanned.duplicates)
            }
            Format::Yaml => {
                let document = yaml::parse_document(&text, options)?;
                let _ = value.set(document.value);
                (None, document.root, Vec::new())
            }
        };
        Ok(Self {
            text,
            format,
            value,
            spans,
            yaml_root,
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

    /// The parsed value and the span table (JSON only), taken out of the file: for a caller
    /// that keeps both, without copying the value of a big document.
    #[must_use]
    pub fn into_value_and_spans(self) -> (Value, Option<SpanTable>) {
        let value = match self.value.into_inner() {
            Some(value) => value,
            None => self
                .spans
                .as_ref()
                .and_then(SpanTable::root)
                .map_or(Value::Null, |root| json::value_at(&self.text, root)),
        };
        (value, self.spans)
    }

    /// The text, the value if it was built already (always for YAML; for JSON only once
    /// [`Self::value`] was asked for) and the span table (JSON only), taken out of the file: for a
    /// caller that builds the value later, if ever (see [`json::value_at`]).
    pub fn into_parts(self) -> (String, Option<Value>, Option<SpanTable>) {
        (self.text, self.value.into_inner(), self.spans)
    }

    /// The spans of every value (JSON only): the root of the span table.
    pub fn spans(&self) -> Option<SpanRef<'_>> {
        self.spans.as_ref().and_then(SpanTable::root)
    }

    /// The YAML node tree (YAML only; absent for an empty document): every node with its byte
    /// range, tag, anchor and style, for callers that edit parts of the text themselves.
    pub fn yaml_tree(&self) -> Option<&yaml::Node> {
        self.yaml_root.as_ref()
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
    /// An absent target gives its nearest existing ancestor, with `exact` false. In YAML, a short
    /// tag's long-form key (`/Fn::GetAtt`) is where the tag is written.
    pub fn locate(&self, pointer: &str) -> Location {
        let (offset, exact) = match (self.spans(), &self.yaml_root) {
            (Some(spans), _) => {
                let (node, exact) = spans.lookup(self.value(), pointer);
                (
                    node.key().map_or(node.value().start, |key| key.start),
                    exact,
                )
            }
            (None, Some(root)) => yaml::locate_in(root, pointer),
            (None, None) => (0, pointer.is_empty()),
        };
        Location {
            line_col: self.line_col(offset),
            exact,
        }
    }

    /// Writes `new` in this file's format, reusing the original bytes of every unchanged subtree,
    /// so an unedited value gives the text back byte for byte. JSON uses the file's indentation,
    /// newline and colon style for changed parts. YAML keeps comments, short tags (`!Ref`,
    /// `!GetAtt`, custom `!Tag`s), quoting, key order, indentation, flow or block style, line
    /// endings and document markers; changed parts are written in block style at their
    /// siblings' indentation (flow inside flow collections), removed members take their lines
    /// and following comments along. The result always parses back to `new`: should the edited
    /// text not (an edit under an anchor that aliases elsewhere repeat), `new` is written fresh.
    pub fn write_preserving(&self, new: &Value) -> String {
        if new == self.value() {
            return self.text.clone();
        }
        match (self.spans(), &self.yaml_root) {
            (Some(spans), _) => {
                write::PreservingWriter::new(&self.text, spans).write(spans, self.value(), new)
            }
            (None, Some(root)) => {
                let edited = yaml::write_preserving(&self.text, root, self.value(), new);
                let unlimited = ParseOptions {
                    max_bytes: usize::MAX,
                    ..ParseOptions::default()
                };
                match yaml::parse_document(&edited, &unlimited) {
                    Ok(document) if document.value == *new => edited,
                    _ => format_canonical(new, self.format),
                }
            }
            (None, None) => format_canonical(new, self.format),
        }
    }

    /// Writes an edited document model back in this file's text, preserving everything the edit
    /// did not touch (see [`SourceFile::write_preserving`]).
    pub fn write_machine(&self, machine: &graph_model::StateMachine) -> String {
        self.write_preserving(&machine.to_value())
    }

    /// The canonical layout of this file (see [`format_canonical`]); JSON scalars keep their
    /// original spelling so that only whitespace changes. YAML is re-indented only (two spaces a
    /// level): comments, tags, quoting, flow collections and blank lines stay as they are.
    pub fn format_canonical(&self) -> String {
        match (self.spans(), &self.yaml_root) {
            (Some(spans), _) => {
                write::canonical_json_keeping_scalars(&self.text, spans, self.value())
            }
            (None, Some(root)) => {
                let layout = yaml::canonical(&self.text, root);
                let unlimited = ParseOptions {
                    max_bytes: usize::MAX,
                    ..ParseOptions::default()
                };
                // Re-indenting cannot change the value; should it ever, the file stays as it is.
                match yaml::parse_document(&layout, &unlimited) {
                    Ok(document) if document.value == *self.value() => layout,
                    _ => self.text.clone(),
                }
            }
            (None, None) => format_canonical(self.value(), self.format),
        }
    }

    /// This file's value written in `format`, keeping every number literal as written: the
    /// canonical layout when the format is the file's own, else a fresh document (JSON to YAML
    /// takes each number's spelling from the JSON text).
    pub fn convert_to(&self, format: Format) -> String {
        if format == self.format {
            return self.format_canonical();
        }
        match (format, self.spans()) {
            (Format::Yaml, Some(spans)) => yaml::from_json(&self.text, spans, self.value()),
            _ => format_canonical(self.value(), format),
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
