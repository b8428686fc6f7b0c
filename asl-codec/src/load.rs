//! The one way into the codec from a file or standard input: read within a byte limit, refuse what
//! is not a regular file, tell JSON from YAML, parse, and tell a definition from a template.
//!
//! Every reader (the CLI's commands, the designer, the corpus tests) goes through here, so a limit
//! or a refusal is decided once. Steps stay separate so a caller can stop where it needs to:
//! [`read_input`] gives the text ([`InputText`]), [`parse_source`] the parsed file,
//! [`detect`] what kind of document it is, and [`load`] all of it as a [`Loaded`].
//!
//! A new kind of document (a Terraform `.tf` file, another template dialect) is a new [`Kind`] and
//! a new [`Loaded`] variant: [`detect`] recognises it, [`load_source`] builds it, and every `match`
//! on `Loaded` then fails to compile until it says what to do with the new kind.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::json::{DEFAULT_MAX_BYTES, SyntaxError};
use crate::span::LineCol;
use crate::template::{self, TemplateMachine};
use crate::{Format, SourceFile};

/// Largest file or standard input accepted, in bytes (64 MiB). Counted on the bytes actually read:
/// file metadata cannot be trusted (`/proc` files report 0, devices and pipes have no size).
pub const MAX_INPUT_BYTES: usize = DEFAULT_MAX_BYTES;

/// How standard input is named on the command line.
pub const STDIN_NAME: &str = "-";

/// Text read from a file or standard input, not parsed yet.
#[derive(Debug, Clone)]
pub struct InputText {
    /// How to name it in messages: the path as given, or `<stdin>`.
    pub display: String,
    /// The file read, `None` for standard input.
    pub path: Option<PathBuf>,
    /// The text (a leading byte order mark is kept; the parsers skip it).
    pub text: String,
    /// The format, from the file's extension or else from the content.
    pub format: Format,
    /// The folder that relative paths inside it (SAM `DefinitionUri`) are resolved against: the
    /// file's folder, or the working folder for standard input.
    pub base_dir: PathBuf,
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

impl Loaded {
    /// The parsed file itself (the definition, or the whole template).
    pub fn source(&self) -> &SourceFile {
        match self {
            Self::Asl(source) | Self::Template { source, .. } => source,
        }
    }
}

/// The kinds of document the loader tells apart by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An ASL definition (it has `States`, or nothing marks it as anything else).
    Definition,
    /// A SAM / CloudFormation template (a `Resources` object and no `States`).
    Template,
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
    /// A directory, FIFO, device or socket where a file was expected.
    #[error("{path}: not a regular file ({kind})")]
    NotRegularFile {
        /// The path as given.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// More bytes than the limit were read.
    #[error("{display}: more than the limit of {limit} bytes")]
    TooLarge {
        /// The file, or `<stdin>`.
        display: String,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not UTF-8.
    #[error("{display}: not UTF-8 text (byte {offset})")]
    NotUtf8 {
        /// The file, or `<stdin>`.
        display: String,
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The text does not parse (an empty file is a syntax error too).
    #[error("{0}")]
    Syntax(#[from] SyntaxError),
    /// A key appears twice in one object: writing the file would silently drop one of them.
    #[error(
        "{location}: duplicate key `{key}` at {pointer} (first at {first}); refusing to drop either"
    )]
    DuplicateKey {
        /// The key, decoded.
        key: String,
        /// JSON pointer of the member.
        pointer: String,
        /// Where the repeated key is.
        location: LineCol,
        /// Where the first one is.
        first: LineCol,
    },
    /// A template's machine cannot be read.
    #[error("{0}")]
    Template(#[from] template::TemplateError),
}

/// Whether `path` names a Terraform file (`.tf`), read through [`crate::terraform`] rather than as
/// a definition or template.
pub fn is_terraform_path(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("tf"))
}

/// Whether `path` means standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN_NAME
}

/// What a path is when it is not a regular file, following symbolic links (`None`: a regular
/// file). Checked before a file is opened, so a FIFO never blocks the reader or writer.
///
/// # Errors
/// When the path cannot be examined (missing, no permission).
pub fn non_regular_kind(path: &Path) -> std::io::Result<Option<&'static str>> {
    let file_type = std::fs::metadata(path)?.file_type();
    Ok(describe_non_regular(file_type))
}

/// What a file type is when it is not a regular file (`None`: a regular file), for messages such
/// as "not a regular file (a FIFO)". Writers use it too, so reads and writes refuse alike.
pub fn describe_non_regular(file_type: std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return Some("a FIFO");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a file")
}

/// Reads a path, or standard input for `-`, within [`MAX_INPUT_BYTES`].
///
/// # Errors
/// See [`read_file`] and [`read_stdin`].
pub fn read_input(path: &Path) -> Result<InputText, LoadError> {
    if is_stdin(path) {
        read_stdin(MAX_INPUT_BYTES)
    } else {
        read_file(path, MAX_INPUT_BYTES)
    }
}

/// Reads a regular file within `limit` bytes.
///
/// # Errors
/// When the path is not a regular file, cannot be read, holds more than `limit` bytes or is not
/// UTF-8.
pub fn read_file(path: &Path, limit: usize) -> Result<InputText, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let not_regular = |kind| LoadError::NotRegularFile {
        path: path.to_owned(),
        kind,
    };
    if let Some(kind) = non_regular_kind(path).map_err(io)? {
        return Err(not_regular(kind));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // The path may have been swapped between the check and the open.
    if let Some(kind) = describe_non_regular(file.metadata().map_err(io)?.file_type()) {
        return Err(not_regular(kind));
    }
    let display = path.display().to_string();
    let bytes = read_bounded(file, limit, &display).map_err(|error| match error {
        Bounded::Io(source) => io(source),
        Bounded::TooLarge(error) => error,
    })?;
    let text = utf8(bytes, &display)?;
    let format = Format::from_path(path).unwrap_or_else(|| Format::sniff(&text));
    let base_dir = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok(InputText {
        display,
        path: Some(path.to_owned()),
        text,
        format,
        base_dir,
    })
}

/// Reads standard input within `limit` bytes; input that never ends stops at the limit.
///
/// # Errors
/// When standard input cannot be read, holds more than `limit` bytes or is not UTF-8.
pub fn read_stdin(limit: usize) -> Result<InputText, LoadError> {
    let display = "<stdin>".to_owned();
    let bytes =
        read_bounded(std::io::stdin().lock(), limit, &display).map_err(|error| match error {
            Bounded::Io(source) => LoadError::Io {
                path: PathBuf::from(&display),
                source,
            },
            Bounded::TooLarge(error) => error,
        })?;
    let text = utf8(bytes, &display)?;
    let format = Format::sniff(&text);
    Ok(InputText {
        display,
        path: None,
        text,
        format,
        base_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
    })
}

enum Bounded {
    Io(std::io::Error),
    TooLarge(LoadError),
}

/// Reads at most `limit + 1` bytes: one more than allowed proves the input is too large without
/// reading the rest of it (an endless stream included).
fn read_bounded(reader: impl Read, limit: usize, display: &str) -> Result<Vec<u8>, Bounded> {
    let mut bytes = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(Bounded::Io)?;
    if bytes.len() > limit {
        return Err(Bounded::TooLarge(LoadError::TooLarge {
            display: display.to_owned(),
            limit,
        }));
    }
    Ok(bytes)
}

fn utf8(bytes: Vec<u8>, display: &str) -> Result<String, LoadError> {
    String::from_utf8(bytes).map_err(|error| LoadError::NotUtf8 {
        display: display.to_owned(),
        offset: error.utf8_error().valid_up_to(),
    })
}

/// Parses text as one file: an empty (or whitespace-only) text is a syntax error, not `null`.
///
/// # Errors
/// The first syntax error, with its line and column.
pub fn parse_source(text: impl Into<String>, format: Format) -> Result<SourceFile, SyntaxError> {
    let text = text.into();
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(SyntaxError {
            message: "the file is empty; a definition or template is a JSON or YAML object"
                .to_owned(),
            offset: 0,
            location: LineCol { line: 1, column: 1 },
        });
    }
    SourceFile::parse(text, format)
}

/// What kind of document a parsed file is, by its content.
pub fn detect(source: &SourceFile) -> Kind {
    let is_template = match source.spans() {
        // Read from the text's top-level keys: a definition's `Value` is not built just to tell
        // (for a big one that is most of the cost of opening it in the browser).
        Some(root) => {
            use graph_model::{JsonKind, JsonSource as _};
            let root = crate::json::TextValue::new(source.text(), root);
            root.member("Resources")
                .is_some_and(|(_, resources)| resources.kind() == JsonKind::Object)
                && root.member("States").is_none()
        }
        None => template::is_template(source.value()),
    };
    if is_template {
        Kind::Template
    } else {
        Kind::Definition
    }
}

/// Builds the [`Loaded`] of a parsed file. `base_dir` resolves SAM `DefinitionUri` paths.
///
/// # Errors
/// When a template's machine cannot be read.
pub fn load_source(source: SourceFile, base_dir: Option<&Path>) -> Result<Loaded, LoadError> {
    match detect(&source) {
        Kind::Definition => Ok(Loaded::Asl(source)),
        Kind::Template => {
            let machines = template::extract_from_value(source.value(), base_dir)?;
            Ok(Loaded::Template { source, machines })
        }
    }
}

/// Parses and loads text already read (see [`read_input`]).
///
/// # Errors
/// A syntax error, or a template machine that cannot be read.
pub fn load(input: &InputText) -> Result<Loaded, LoadError> {
    let source = parse_source(input.text.as_str(), input.format)?;
    load_source(source, Some(&input.base_dir))
}

/// Reads a definition or template from `path` (or standard input for `-`), with the default limits.
///
/// # Errors
/// See [`read_input`] and [`load`].
pub fn load_path(path: &Path) -> Result<Loaded, LoadError> {
    load(&read_input(path)?)
}

/// Parses text as a definition or a template, telling them apart by content (a template has a
/// `Resources` object and no `States`). `base_dir` resolves SAM `DefinitionUri` paths.
///
/// # Errors
/// A syntax error, or a template machine that cannot be read.
pub fn load_text(
    text: impl Into<String>,
    format: Format,
    base_dir: Option<&Path>,
) -> Result<Loaded, LoadError> {
    load_source(parse_source(text, format)?, base_dir)
}

/// Refuses a file with a key written twice in one object, for commands that write the file back
/// (`fmt`, `convert`) or act on it (`run`): they would silently keep only one of the two.
///
/// # Errors
/// The first duplicate key, with its JSON pointer and line:col.
pub fn refuse_duplicate_keys(source: &SourceFile) -> Result<(), LoadError> {
    match source.duplicate_keys().first() {
        None => Ok(()),
        Some(duplicate) => Err(LoadError::DuplicateKey {
            key: duplicate.key.clone(),
            pointer: duplicate.pointer.clone(),
            location: source.line_col(duplicate.duplicate.start),
            first: source.line_col(duplicate.first.start),
        }),
    }
}

/// [`parse_source`] for a command that writes the file back (`fmt`, `convert`): a key written
/// twice is refused too (see [`refuse_duplicate_keys`]).
///
/// # Errors
/// The first syntax error, or the first duplicate key.
pub fn parse_refusing_duplicate_keys(
    text: impl Into<String>,
    format: Format,
) -> Result<SourceFile, LoadError> {
    let source = parse_source(text, format)?;
    refuse_duplicate_keys(&source)?;
    Ok(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(text: &str, format: Format) -> Kind {
        let source = parse_source(text, format).expect("parses");
        detect(&source)
    }

    #[test]
    fn json_and_yaml_tell_template_from_definition_alike() {
        let cases = [
            (
                r#"{"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine"}}}"#,
                Kind::Template,
            ),
            // A definition that happens to have a `Resources` member is still a definition.
            (
                r#"{"StartAt": "A", "States": {}, "Resources": {}}"#,
                Kind::Definition,
            ),
            (
                r#"{"Resources": ["not", "an", "object"]}"#,
                Kind::Definition,
            ),
            (
                r#"{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}"#,
                Kind::Definition,
            ),
            (r#"["not an object"]"#, Kind::Definition),
            // Written with an escape, the key is still `Resources`.
            (r#"{"Re\u0073ources": {}}"#, Kind::Template),
        ];
        for (text, expected) in cases {
            assert_eq!(kind_of(text, Format::Json), expected, "JSON {text}");
            // JSON is YAML: the YAML reader (which builds a value) must agree.
            assert_eq!(kind_of(text, Format::Yaml), expected, "YAML {text}");
        }
    }

    #[test]
    fn telling_a_json_definition_apart_builds_no_value() {
        let source =
            parse_source(r#"{"StartAt": "A", "States": {}}"#, Format::Json).expect("parses");
        assert_eq!(detect(&source), Kind::Definition);
        assert!(
            source.value.get().is_none(),
            "detect built the document's Value"
        );
        let (text, value, spans) = source.into_parts();
        assert!(text.starts_with("{\"StartAt\""));
        assert!(value.is_none());
        assert!(spans.is_some());
    }
}
