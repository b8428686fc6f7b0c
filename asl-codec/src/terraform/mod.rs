//! Step Functions state machines in Terraform `.tf` files: `resource "aws_sfn_state_machine"`
//! blocks, their `definition` read as ASL and written back in the form it was written in.
//!
//! Forms read and written back:
//! - `jsonencode({...})`: the HCL object becomes JSON. Expressions inside it (`var.x`,
//!   `aws_lambda_function.f.arn`) read as `"${expr}"` placeholders and are written back as the
//!   expression while the value is unchanged.
//! - a heredoc (`<<EOF` / `<<-EOF`) or a quoted string holding JSON, with `${...}` interpolations
//!   kept as placeholders.
//! - `file("...")` and `templatefile("...", {...})`: the referenced file, which must lie inside
//!   the base folder; it is returned for the caller to write, not written here.
//! - `local.NAME` naming a `locals` entry of the same file in one of the forms above, and
//!   `jsonencode(local.NAME)` of an object kept in `locals` (a write then changes that object).
//!
//! Anything else (a conditional, a variable, another function) is listed with
//! [`DefinitionForm::Unsupported`] and is refused by [`write_back`]. The file is parsed with
//! `hcl-edit`, which keeps byte spans; writing replaces only the definition's own bytes.

mod hcl_value;
mod json_template;

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::Body;
use hcl_edit::template::Element;
use serde_json::Value;

use crate::span::{LineCol, LineIndex, Span, escape_segment, pointer_segments};
use hcl_value::{MAX_WRITE_DEPTH, Reader, SourceNode, Writer, depth_exceeds, quote};
use json_template::{TemplatedJson, interpolations};

/// The Terraform resource type of a Step Functions state machine.
pub const RESOURCE_TYPE: &str = "aws_sfn_state_machine";

/// Largest `.tf` or referenced definition file read, in bytes.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// How a machine's `definition` is written in the `.tf` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefinitionForm {
    /// `jsonencode({...})` with an HCL object.
    JsonEncode,
    /// A heredoc holding JSON; `strip_indent` for `<<-`.
    Heredoc {
        /// The delimiter word (`EOF`).
        delimiter: String,
        /// `<<-`: the lines are indented in the file and Terraform strips the indentation.
        strip_indent: bool,
    },
    /// A quoted string holding JSON.
    String,
    /// `file("...")`: the JSON file at `path`.
    File {
        /// The file, under the base folder.
        path: PathBuf,
    },
    /// `templatefile("...", {...})`: the template at `path` and the call's variables.
    TemplateFile {
        /// The template, under the base folder.
        path: PathBuf,
        /// The variables the call passes, in the order written.
        variables: Vec<TemplateVariable>,
    },
    /// A form that cannot be read or written back; `reason` says why, for the user.
    Unsupported {
        /// Why, naming the expression.
        reason: String,
    },
}

/// A variable passed to `templatefile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateVariable {
    /// The variable's name.
    pub name: String,
    /// Its value when it is a literal (`"lit"`, `3`).
    pub value: Option<Value>,
    /// The expression as written (`aws_lambda_function.f.arn`, `"lit"`).
    pub expression: String,
}

/// A `${...}` placeholder in a definition read from Terraform.
#[derive(Debug, Clone, PartialEq)]
pub struct TerraformPlaceholder {
    /// The text between `${` and `}`: a Terraform expression, or a `templatefile` variable.
    pub name: String,
    /// JSON pointers (into the definition) of every string or key that uses it.
    pub pointers: Vec<String>,
    /// Its value, when a `templatefile` variable gives it a literal.
    pub value: Option<Value>,
    /// The Terraform expression that fills it: the `templatefile` variable's expression, or the
    /// name itself for an interpolation in the `.tf` file.
    pub expression: String,
}

impl TerraformPlaceholder {
    /// The same placeholder in the form template extraction uses.
    pub fn to_placeholder(&self) -> crate::Placeholder {
        crate::Placeholder {
            name: self.name.clone(),
            pointers: self.pointers.clone(),
            value: self.value.clone(),
        }
    }
}

/// One `aws_sfn_state_machine` resource found in a `.tf` file.
#[derive(Debug, Clone, PartialEq)]
pub struct TerraformMachine {
    /// `aws_sfn_state_machine.<name>`.
    pub address: String,
    /// The resource name (the block's second label).
    pub name: String,
    /// The ASL definition; `Value::Null` when the form is [`DefinitionForm::Unsupported`].
    pub definition: Value,
    /// Every placeholder the definition uses, in order of first use.
    pub placeholders: Vec<TerraformPlaceholder>,
    /// How the definition is written.
    pub form: DefinitionForm,
    /// The bytes of the definition expression in the `.tf` file (for `local.NAME`, of the
    /// `locals` entry's expression).
    pub span: Span,
    /// Where the definition expression starts in the `.tf` file.
    pub line_col: LineCol,
    /// Where each JSON pointer's value starts; in the referenced file for `file`/`templatefile`.
    locations: Vec<(String, LineCol)>,
}

impl TerraformMachine {
    /// Whether [`write_back`] can write this machine.
    pub fn is_writable(&self) -> bool {
        !matches!(self.form, DefinitionForm::Unsupported { .. })
    }

    /// The file that [`Self::location`] positions refer to: the referenced file for `file` and
    /// `templatefile`, `None` for the `.tf` file itself.
    pub fn location_file(&self) -> Option<&Path> {
        match &self.form {
            DefinitionForm::File { path } | DefinitionForm::TemplateFile { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Where the value at JSON `pointer` is written, or its nearest written ancestor; the
    /// definition's own position when nothing closer is known.
    pub fn location(&self, pointer: &str) -> LineCol {
        let mut segments = pointer_segments(pointer);
        loop {
            let candidate: String = segments
                .iter()
                .map(|segment| format!("/{}", escape_segment(segment)))
                .collect();
            if let Some((_, line_col)) = self.locations.iter().find(|(p, _)| *p == candidate) {
                return *line_col;
            }
            if segments.pop().is_none() {
                return self.line_col;
            }
        }
    }
}

/// A file written by [`write_back`] for a `file`/`templatefile` definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// The file to replace.
    pub path: PathBuf,
    /// Its new content.
    pub text: String,
}

/// The result of [`write_back`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerraformWrite {
    /// The `.tf` text: only the definition's bytes differ (unchanged for `file`/`templatefile`).
    pub text: String,
    /// The referenced file's new content, for `file`/`templatefile`.
    pub file: Option<WrittenFile>,
}

/// Why a `.tf` file or one of its machines cannot be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TerraformError {
    /// The file is not valid HCL.
    #[error("{line_col}: {message}")]
    Syntax {
        /// Where parsing stopped.
        line_col: LineCol,
        /// What the parser expected.
        message: String,
    },
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("{bytes} bytes, more than the limit of {MAX_FILE_BYTES} bytes")]
    TooLarge {
        /// The file's size.
        bytes: usize,
    },
    /// One machine's definition cannot be read.
    #[error("{address} at {line_col}: {message}")]
    Machine {
        /// The resource address.
        address: String,
        /// Where, in the `.tf` file or (for a referenced file's JSON) in that file.
        line_col: LineCol,
        /// What is wrong.
        message: String,
    },
    /// No machine has that address.
    #[error("no `{address}` in the file (machines: {})", available.join(", "))]
    NotFound {
        /// The address asked for.
        address: String,
        /// The addresses there are.
        available: Vec<String>,
    },
    /// The machine's definition cannot be written back; nothing was changed.
    #[error("{address}: cannot write the definition back: {reason}")]
    NotWritable {
        /// The resource address.
        address: String,
        /// Why.
        reason: String,
    },
    /// A referenced file cannot be read, or its path is refused.
    #[error("{}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// Where relative paths resolve and how files are read.
struct Context<'a> {
    /// `path.module`: the folder of the `.tf` file.
    module_dir: Option<&'a Path>,
    /// `path.root`, and the folder no referenced file may leave.
    root_dir: Option<&'a Path>,
    /// A file given in place of the one on disk (the one [`write_back`] is about to write).
    overlay: Option<&'a WrittenFile>,
}

impl Context<'_> {
    fn read(&self, path: &Path) -> Result<String, TerraformError> {
        if let Some(overlay) = self.overlay
            && overlay.path == path
        {
            return Ok(overlay.text.clone());
        }
        read_limited(path)
    }
}

fn read_limited(path: &Path) -> Result<String, TerraformError> {
    let fail = |message: String| TerraformError::File {
        path: path.to_owned(),
        message,
    };
    let metadata = std::fs::metadata(path).map_err(|error| fail(error.to_string()))?;
    if metadata.len() > MAX_FILE_BYTES as u64 {
        return Err(fail(format!(
            "{} bytes, more than the limit of {MAX_FILE_BYTES} bytes",
            metadata.len()
        )));
    }
    std::fs::read_to_string(path).map_err(|error| fail(error.to_string()))
}

/// What [`write_back`] needs besides the machine.
enum Detail {
    Unsupported,
    JsonEncode {
        root: SourceNode,
        bare: BTreeSet<String>,
    },
    /// A heredoc body or a quoted string in the `.tf` file.
    Templated {
        /// The bytes replaced on writing.
        replace: Range<usize>,
        /// For `<<-`: the indentation put back before every line.
        indent: Option<String>,
        /// A quoted string (else a heredoc body).
        quoted: bool,
        json: TemplatedJson,
    },
    File {
        path: PathBuf,
        json: TemplatedJson,
    },
}

struct Found {
    machine: TerraformMachine,
    detail: Detail,
}

/// Every `aws_sfn_state_machine` in `text`, in file order. `base_dir` is the `.tf` file's folder:
/// `file`/`templatefile` paths resolve against it and may not leave it; without it such machines
/// are an error.
pub fn extract(
    text: &str,
    base_dir: Option<&Path>,
) -> Result<Vec<TerraformMachine>, TerraformError> {
    let context = Context {
        module_dir: base_dir,
        root_dir: base_dir,
        overlay: None,
    };
    Ok(find_all(text, &context)?
        .into_iter()
        .map(|found| found.machine)
        .collect())
}

/// Every `aws_sfn_state_machine` in the `.tf` files under `dir` (its modules' folders included;
/// hidden folders such as `.terraform` skipped), by file in path order. `path.module` is each
/// file's folder; no referenced file may leave `dir`.
pub fn extract_dir(dir: &Path) -> Result<Vec<(PathBuf, Vec<TerraformMachine>)>, TerraformError> {
    let mut files = Vec::new();
    collect_tf_files(dir, 0, &mut files)?;
    files.sort();
    let mut found = Vec::new();
    for path in files {
        let text = read_limited(&path)?;
        let context = Context {
            module_dir: path.parent(),
            root_dir: Some(dir),
            overlay: None,
        };
        let machines: Vec<TerraformMachine> = find_all(&text, &context)
            .map_err(|error| in_file(&path, error))?
            .into_iter()
            .map(|found| found.machine)
            .collect();
        if !machines.is_empty() {
            found.push((path, machines));
        }
    }
    Ok(found)
}

fn in_file(path: &Path, error: TerraformError) -> TerraformError {
    match error {
        TerraformError::File { .. } => error,
        other => TerraformError::File {
            path: path.to_owned(),
            message: other.to_string(),
        },
    }
}

/// Module trees are shallow; a deeper one is most likely a symlink loop.
const MAX_DIR_DEPTH: usize = 16;

fn collect_tf_files(
    dir: &Path,
    depth: usize,
    out: &mut Vec<PathBuf>,
) -> Result<(), TerraformError> {
    if depth > MAX_DIR_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|error| TerraformError::File {
        path: dir.to_owned(),
        message: error.to_string(),
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && !hidden {
            collect_tf_files(&path, depth + 1, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "tf") {
            out.push(path);
        }
    }
    Ok(())
}

/// Writes `new_definition` into machine `address` (`aws_sfn_state_machine.NAME` or `NAME`) in the
/// form it is written in, changing only the definition's own bytes. For `file`/`templatefile`
/// the referenced file's new text is returned in [`TerraformWrite::file`] and the `.tf` text is
/// unchanged. The result is read back before it is returned: a definition that would not read
/// back as `new_definition` is an error, and nothing is written.
pub fn write_back(
    text: &str,
    base_dir: Option<&Path>,
    address: &str,
    new_definition: &Value,
) -> Result<TerraformWrite, TerraformError> {
    let context = Context {
        module_dir: base_dir,
        root_dir: base_dir,
        overlay: None,
    };
    let found = find_all(text, &context)?;
    let available: Vec<String> = found.iter().map(|f| f.machine.address.clone()).collect();
    let Some(Found { machine, detail }) = found
        .into_iter()
        .find(|found| found.machine.address == address || found.machine.name == address)
    else {
        return Err(TerraformError::NotFound {
            address: address.to_owned(),
            available,
        });
    };
    let refuse = |reason: String| TerraformError::NotWritable {
        address: machine.address.clone(),
        reason,
    };
    if depth_exceeds(new_definition, MAX_WRITE_DEPTH) {
        return Err(refuse(format!(
            "the definition nests deeper than {MAX_WRITE_DEPTH} levels"
        )));
    }
    let mut written = TerraformWrite {
        text: text.to_owned(),
        file: None,
    };
    match detail {
        Detail::Unsupported => {
            let reason = match &machine.form {
                DefinitionForm::Unsupported { reason } => reason.clone(),
                _ => "its form is not supported".to_owned(),
            };
            return Err(refuse(reason));
        }
        Detail::JsonEncode { root, bare } => {
            let indent = line_indent(text, machine.span.start);
            let writer = Writer {
                text,
                bare: &bare,
                indent_unit: &indent_unit(text, &root, indent),
            };
            let mut object = String::new();
            writer.write(new_definition, Some(&root), indent, &mut object);
            // New lines follow the file's line endings (reused text already does).
            if text
                .get(root.span.clone())
                .is_some_and(|t| t.contains("\r\n"))
            {
                object = object.replace("\r\n", "\n").replace('\n', "\r\n");
            }
            written.text.replace_range(root.span.clone(), &object);
        }
        Detail::Templated {
            replace,
            indent,
            quoted,
            json,
        } => {
            let encoded = json_template::encode(&json, new_definition).map_err(refuse)?;
            let body = if quoted {
                quote(&encoded)
            } else if let Some(indent) = indent {
                reindent(&encoded, &indent)
            } else {
                encoded
            };
            written.text.replace_range(replace, &body);
        }
        Detail::File { path, json } => {
            let encoded = json_template::encode(&json, new_definition).map_err(refuse)?;
            written.file = Some(WrittenFile {
                path,
                text: encoded,
            });
        }
    }
    let check = Context {
        overlay: written.file.as_ref(),
        ..context
    };
    let again = find_all(&written.text, &check)
        .map_err(|error| refuse(format!("the written file would not read back: {error}")))?;
    let Some(again) = again
        .into_iter()
        .find(|f| f.machine.address == machine.address)
    else {
        return Err(refuse("the written file lost the resource".to_owned()));
    };
    if again.machine.definition != *new_definition {
        let pointer = first_difference(&again.machine.definition, new_definition, String::new());
        return Err(refuse(format!(
            "the written definition would read back differently at `{pointer}` \
             (a `%{{` template directive or an interpolation Terraform cannot parse?)"
        )));
    }
    Ok(written)
}

/// The pointer of the first place two values differ.
fn first_difference(a: &Value, b: &Value, pointer: String) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            for (key, value) in x {
                let child = format!("{pointer}/{}", escape_segment(key));
                match y.get(key) {
                    Some(other) if other != value => return first_difference(value, other, child),
                    None => return child,
                    _ => {}
                }
            }
            pointer
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find(|(_, (p, q))| p != q)
            .map_or(pointer.clone(), |(index, (p, q))| {
                first_difference(p, q, format!("{pointer}/{index}"))
            }),
        _ => pointer,
    }
}

/// The indentation of the line holding byte `offset`.
fn line_indent(text: &str, offset: usize) -> &str {
    let start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = text.get(start..).unwrap_or("");
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// One level of indentation as the object writes it (two spaces when it cannot tell).
fn indent_unit(text: &str, root: &SourceNode, base: &str) -> String {
    if let hcl_value::SourceChildren::Object { entries, .. } = &root.children
        && let Some(first) = entries.first()
    {
        let inner = line_indent(text, first.node.span.start);
        if let Some(unit) = inner.strip_prefix(base)
            && !unit.is_empty()
        {
            return unit.to_owned();
        }
    }
    "  ".to_owned()
}

fn reindent(text: &str, indent: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        if !line.trim().is_empty() {
            out.push_str(indent);
        }
        out.push_str(line);
    }
    out
}

fn parse_body(text: &str) -> Result<Body, TerraformError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(TerraformError::TooLarge { bytes: text.len() });
    }
    hcl_edit::parser::parse_body(text).map_err(|error| TerraformError::Syntax {
        line_col: LineCol {
            line: error.location().line(),
            column: error.location().column(),
        },
        message: error.message().to_owned(),
    })
}

fn find_all(text: &str, context: &Context<'_>) -> Result<Vec<Found>, TerraformError> {
    let body = parse_body(text)?;
    let lines = LineIndex::new(text);
    let mut found = Vec::new();
    for block in body.blocks() {
        if block.ident.as_str() != "resource" || block.labels.len() != 2 {
            continue;
        }
        if block.labels[0].as_str() != RESOURCE_TYPE {
            continue;
        }
        let name = block.labels[1].as_str().to_owned();
        let address = format!("{RESOURCE_TYPE}.{name}");
        let block_start = block.span().map_or(0, |span| span.start);
        let Some(attribute) = block.body.get_attribute("definition") else {
            found.push(unsupported(
                address,
                name,
                block_start..block_start,
                "the resource has no `definition` attribute".to_owned(),
                text,
                &lines,
            ));
            continue;
        };
        let expression = resolve_local(&body, &attribute.value);
        found.push(read_machine(
            text, &lines, &body, address, name, expression, context,
        )?);
    }
    Ok(found)
}

/// `local.NAME` as the `locals` entry it names, when the file has it.
fn resolve_local<'b>(body: &'b Body, expression: &'b Expression) -> &'b Expression {
    let Expression::Traversal(traversal) = expression else {
        return expression;
    };
    let (Expression::Variable(root), [operator]) =
        (&traversal.expr, traversal.operators.as_slice())
    else {
        return expression;
    };
    let TraversalOperator::GetAttr(name) = operator.value() else {
        return expression;
    };
    if root.as_str() != "local" {
        return expression;
    }
    body.blocks()
        .filter(|block| block.ident.as_str() == "locals")
        .find_map(|block| block.body.get_attribute(name.as_str()))
        .map_or(expression, |attribute| &attribute.value)
}

fn unsupported(
    address: String,
    name: String,
    span: Range<usize>,
    reason: String,
    text: &str,
    lines: &LineIndex,
) -> Found {
    Found {
        machine: TerraformMachine {
            address,
            name,
            definition: Value::Null,
            placeholders: Vec::new(),
            form: DefinitionForm::Unsupported { reason },
            span: Span::new(span.start, span.end),
            line_col: lines.line_col(text, span.start),
            locations: Vec::new(),
        },
        detail: Detail::Unsupported,
    }
}

#[allow(clippy::too_many_arguments)]
fn read_machine(
    text: &str,
    lines: &LineIndex,
    body: &Body,
    address: String,
    name: String,
    expression: &Expression,
    context: &Context<'_>,
) -> Result<Found, TerraformError> {
    let span = expression.span().unwrap_or_default();
    let source = text.get(span.clone()).unwrap_or("").trim();
    let fail = |offset: usize, message: String| TerraformError::Machine {
        address: address.clone(),
        line_col: lines.line_col(text, offset),
        message,
    };
    let shown = shorten(source);
    // A machine whose definition this file holds (not a file it names).
    let in_place = |definition: Value,
                    form: DefinitionForm,
                    written: Range<usize>,
                    line_col: LineCol,
                    locations: Vec<(String, LineCol)>,
                    detail: Detail| Found {
        machine: machine(
            address.clone(),
            name.clone(),
            definition,
            &[],
            form,
            written,
            line_col,
            locations,
        ),
        detail,
    };
    let reason = match expression {
        Expression::FuncCall(call) if call.name.namespace.is_empty() => {
            // `jsonencode(local.definition)`: the object is in the `locals` block.
            let args: Vec<&Expression> = call
                .args
                .iter()
                .map(|arg| resolve_local(body, arg))
                .collect();
            match (call.name.name.as_str(), args.as_slice()) {
                ("jsonencode", [Expression::Object(_)]) => {
                    let mut reader = Reader::new(text);
                    let root = reader
                        .read(args[0], "")
                        .map_err(|(offset, message)| fail(offset, message))?;
                    let locations = reader
                        .locations
                        .iter()
                        .map(|(pointer, offset)| (pointer.clone(), lines.line_col(text, *offset)))
                        .collect();
                    let definition = root.value.clone();
                    // The bytes a write changes: the call, or the `locals` object it names.
                    let written_span = if root.span.start >= span.start && root.span.end <= span.end
                    {
                        span.clone()
                    } else {
                        root.span.clone()
                    };
                    return Ok(in_place(
                        definition,
                        DefinitionForm::JsonEncode,
                        written_span,
                        lines.line_col(text, span.start),
                        locations,
                        Detail::JsonEncode {
                            root,
                            bare: reader.bare,
                        },
                    ));
                }
                ("jsonencode", _) => {
                    format!("`{shown}` encodes something other than an object written in place")
                }
                ("file", [path]) | ("templatefile", [path, _]) => {
                    let templated = args.len() == 2;
                    match static_path(text, path) {
                        Some(raw) => {
                            return read_file_machine(
                                text,
                                lines,
                                address,
                                name,
                                span,
                                &raw,
                                args.get(1).copied(),
                                templated,
                                context,
                            );
                        }
                        None => format!("the file path in `{shown}` is computed"),
                    }
                }
                (function, _) => format!("the definition is built by `{function}(...)`"),
            }
        }
        Expression::HeredocTemplate(heredoc) => {
            let whole = text.get(span.clone()).unwrap_or("");
            let header_end = whole.find('\n').unwrap_or(whole.len());
            let strip_indent = whole.starts_with("<<-");
            let closing = whole.trim_end().rfind('\n').unwrap_or(header_end);
            if closing <= header_end {
                return Err(fail(span.start, "the heredoc is empty".to_owned()));
            }
            let body = span.start + header_end + 1..span.start + closing + 1;
            let raw = text.get(body.clone()).unwrap_or("");
            let (stripped, indent, strip_map) = if strip_indent {
                strip_common_indent(raw, body.start)
            } else {
                (
                    raw.to_owned(),
                    None,
                    json_template::OffsetMap::identity(body.start),
                )
            };
            let json = json_template::decode(&stripped, true).map_err(|(offset, message)| {
                fail(strip_map.map(offset), format!("heredoc JSON: {message}"))
            })?;
            let locations = locations_of(&json, |offset| {
                lines.line_col(text, strip_map.map(json.offsets.map(offset)))
            });
            let form = DefinitionForm::Heredoc {
                delimiter: heredoc.delimiter.as_str().to_owned(),
                strip_indent,
            };
            let definition = json.value.clone();
            return Ok(in_place(
                definition,
                form,
                span.clone(),
                lines.line_col(text, span.start),
                locations,
                Detail::Templated {
                    replace: body,
                    indent: if strip_indent { indent } else { None },
                    quoted: false,
                    json,
                },
            ));
        }
        Expression::String(_) | Expression::StringTemplate(_) => {
            let reader = Reader::new(text);
            let template = reader
                .string_text(expression)
                .map_err(|(offset, message)| fail(offset, message))?;
            let json = json_template::decode(&template, true)
                .map_err(|(_, message)| fail(span.start, format!("string JSON: {message}")))?;
            let at = lines.line_col(text, span.start);
            let locations = locations_of(&json, |_| at);
            let definition = json.value.clone();
            return Ok(in_place(
                definition,
                DefinitionForm::String,
                span.clone(),
                at,
                locations,
                Detail::Templated {
                    replace: span,
                    indent: None,
                    quoted: true,
                    json,
                },
            ));
        }
        Expression::Conditional(_) => format!(
            "a conditional expression (`{shown}`) chooses the definition; edit it in the .tf file"
        ),
        Expression::Traversal(_) | Expression::Variable(_) => format!(
            "the definition comes from `{shown}`, which this file does not hold as a literal"
        ),
        _ => format!("`{shown}` is not a definition form ASL Studio can read"),
    };
    Ok(unsupported(address, name, span, reason, text, lines))
}

#[allow(clippy::too_many_arguments)]
fn machine(
    address: String,
    name: String,
    definition: Value,
    variables: &[TemplateVariable],
    form: DefinitionForm,
    span: Range<usize>,
    line_col: LineCol,
    locations: Vec<(String, LineCol)>,
) -> TerraformMachine {
    let placeholders = placeholders_of(&definition, variables);
    TerraformMachine {
        address,
        name,
        definition,
        placeholders,
        form,
        span: Span::new(span.start, span.end),
        line_col,
        locations,
    }
}

#[allow(clippy::too_many_arguments)]
fn read_file_machine(
    text: &str,
    lines: &LineIndex,
    address: String,
    name: String,
    span: Range<usize>,
    raw_path: &str,
    variables: Option<&Expression>,
    templated: bool,
    context: &Context<'_>,
) -> Result<Found, TerraformError> {
    let at = lines.line_col(text, span.start);
    let fail = |message: String| TerraformError::Machine {
        address: address.clone(),
        line_col: at,
        message,
    };
    let path = resolve_path(raw_path, context).map_err(fail)?;
    let content = context.read(&path)?;
    let json = json_template::decode(&content, templated).map_err(|(offset, message)| {
        TerraformError::File {
            path: path.clone(),
            message: format!(
                "{}: {message} (the definition of {address})",
                crate::span::line_col_of(&content, offset)
            ),
        }
    })?;
    let file_lines = LineIndex::new(&content);
    let locations = locations_of(&json, |offset| {
        file_lines.line_col(&content, json.offsets.map(offset))
    });
    let variables = match variables {
        Some(expression) => template_variables(text, expression),
        None => Vec::new(),
    };
    let form = if templated {
        DefinitionForm::TemplateFile {
            path: path.clone(),
            variables: variables.clone(),
        }
    } else {
        DefinitionForm::File { path: path.clone() }
    };
    let definition = json.value.clone();
    Ok(Found {
        machine: machine(
            address, name, definition, &variables, form, span, at, locations,
        ),
        detail: Detail::File { path, json },
    })
}

/// The `templatefile` variables map, each with its literal value where it has one.
fn template_variables(text: &str, expression: &Expression) -> Vec<TemplateVariable> {
    let Expression::Object(object) = expression else {
        return Vec::new();
    };
    object
        .iter()
        .map(|(key, value)| {
            let name = match key {
                ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                ObjectKey::Expression(Expression::String(string)) => string.value().clone(),
                ObjectKey::Expression(other) => source_of(text, other).to_owned(),
            };
            let written = source_of(text, value.expr()).to_owned();
            let mut reader = Reader::new(text);
            let literal = reader
                .read(value.expr(), "")
                .ok()
                .filter(|node| reader.bare.is_empty() && !contains_interpolation(&node.value))
                .map(|node| node.value);
            TemplateVariable {
                name,
                value: literal,
                expression: written,
            }
        })
        .collect()
}

fn contains_interpolation(value: &Value) -> bool {
    match value {
        Value::String(text) => !interpolations(text).is_empty(),
        Value::Array(items) => items.iter().any(contains_interpolation),
        Value::Object(members) => members
            .iter()
            .any(|(key, value)| !interpolations(key).is_empty() || contains_interpolation(value)),
        _ => false,
    }
}

fn source_of<'t>(text: &'t str, expression: &Expression) -> &'t str {
    expression
        .span()
        .and_then(|span| text.get(span))
        .unwrap_or("")
        .trim()
}

fn shorten(source: &str) -> String {
    let one_line = source.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        format!("{}...", one_line.chars().take(57).collect::<String>())
    } else {
        one_line
    }
}

/// The path of `file(...)`/`templatefile(...)` when it is a literal, optionally starting with
/// `${path.module}`, `${path.root}` or `${path.cwd}`.
fn static_path(text: &str, expression: &Expression) -> Option<String> {
    match expression {
        Expression::String(string) => Some(string.value().clone()),
        Expression::StringTemplate(template) => {
            let mut out = String::new();
            for (index, element) in template.iter().enumerate() {
                match element {
                    Element::Literal(literal) => out.push_str(literal.value()),
                    Element::Interpolation(interpolation) if index == 0 => {
                        let inner = source_of(text, &interpolation.expr);
                        if !matches!(inner, "path.module" | "path.root" | "path.cwd") {
                            return None;
                        }
                        out.push_str(&format!("${{{inner}}}"));
                    }
                    _ => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// Resolves a `file`/`templatefile` path under the context's folders, refusing one that leaves
/// the root folder (by `..`, an absolute path or a symlink).
fn resolve_path(raw: &str, context: &Context<'_>) -> Result<PathBuf, String> {
    let (Some(module_dir), Some(root_dir)) = (context.module_dir, context.root_dir) else {
        return Err(format!(
            "reading `{raw}` needs the folder of the .tf file, and none was given"
        ));
    };
    let (base, rest) = if let Some(rest) = raw.strip_prefix("${path.module}") {
        (module_dir, rest.trim_start_matches('/'))
    } else if let Some(rest) = raw
        .strip_prefix("${path.root}")
        .or_else(|| raw.strip_prefix("${path.cwd}"))
    {
        (root_dir, rest.trim_start_matches('/'))
    } else {
        (root_dir, raw)
    };
    let refuse = || format!("`{raw}` leaves the folder {}", root_dir.display());
    let mut relative: Vec<std::ffi::OsString> = match base.strip_prefix(root_dir) {
        Ok(inside) => inside.iter().map(ToOwned::to_owned).collect(),
        Err(_) => Vec::new(),
    };
    for component in Path::new(rest).components() {
        match component {
            Component::Normal(part) => relative.push(part.to_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                relative.pop().ok_or_else(refuse)?;
            }
            Component::RootDir | Component::Prefix(_) => return Err(refuse()),
        }
    }
    let mut path = root_dir.to_path_buf();
    path.extend(relative);
    // A symlink inside the folder may still point out of it.
    if let (Ok(real), Ok(real_root)) = (path.canonicalize(), root_dir.canonicalize())
        && !real.starts_with(&real_root)
    {
        return Err(refuse());
    }
    Ok(path)
}

/// Strips the indentation common to every non-blank line, as `<<-` does; returns the text, the
/// indentation removed, and a map from the stripped text back to the file.
fn strip_common_indent(
    raw: &str,
    file_start: usize,
) -> (String, Option<String>, json_template::OffsetMap) {
    let indent_of = |line: &str| line.len() - line.trim_start_matches([' ', '\t']).len();
    let common = raw
        .split_inclusive('\n')
        .filter(|line| !line.trim().is_empty())
        .map(indent_of)
        .min()
        .unwrap_or(0);
    let prefix = raw
        .split_inclusive('\n')
        .find(|line| !line.trim().is_empty())
        .map(|line| line[..common].to_owned());
    let mut out = String::with_capacity(raw.len());
    let mut map = json_template::OffsetMap::default();
    let mut line_start = 0usize;
    for line in raw.split_inclusive('\n') {
        let cut = common.min(indent_of(line));
        map.push(out.len(), file_start + line_start + cut);
        out.push_str(&line[cut..]);
        line_start += line.len();
    }
    (out, prefix, map)
}

fn locations_of(
    json: &TemplatedJson,
    mut at: impl FnMut(usize) -> LineCol,
) -> Vec<(String, LineCol)> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), &json.spans)];
    while let Some((pointer, node)) = stack.pop() {
        out.push((pointer.clone(), at(node.value.start)));
        match &node.children {
            crate::span::SpanChildren::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    stack.push((format!("{pointer}/{index}"), item));
                }
            }
            crate::span::SpanChildren::Object(members) => {
                for (key, member) in members {
                    stack.push((format!("{pointer}/{}", escape_segment(key)), member));
                }
            }
            _ => {}
        }
    }
    out
}

/// Every `${...}` in the definition's strings and keys, with the `templatefile` variable that
/// fills it where there is one.
fn placeholders_of(
    definition: &Value,
    variables: &[TemplateVariable],
) -> Vec<TerraformPlaceholder> {
    let mut found: Vec<TerraformPlaceholder> = Vec::new();
    let mut add = |text: &str, pointer: &str| {
        for (name, _) in interpolations(text) {
            if let Some(existing) = found.iter_mut().find(|p| p.name == name) {
                if existing.pointers.last().map(String::as_str) != Some(pointer) {
                    existing.pointers.push(pointer.to_owned());
                }
                continue;
            }
            let variable = variables.iter().find(|v| v.name == name);
            found.push(TerraformPlaceholder {
                name: name.to_owned(),
                pointers: vec![pointer.to_owned()],
                value: variable.and_then(|v| v.value.clone()),
                expression: variable.map_or_else(|| name.to_owned(), |v| v.expression.clone()),
            });
        }
    };
    let mut stack = vec![(String::new(), definition)];
    while let Some((pointer, value)) = stack.pop() {
        match value {
            Value::String(text) => add(text, &pointer),
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate().rev() {
                    stack.push((format!("{pointer}/{index}"), item));
                }
            }
            Value::Object(members) => {
                let mut children = Vec::new();
                for (key, member) in members {
                    let child = format!("{pointer}/{}", escape_segment(key));
                    add(key, &child);
                    children.push((child, member));
                }
                stack.extend(children.into_iter().rev());
            }
            _ => {}
        }
    }
    found
}
