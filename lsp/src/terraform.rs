//! Terraform `.tf` files: `check`'s findings for every `aws_sfn_state_machine`, placed in the
//! `.tf` file. A finding inside a definition kept in another file (`file(...)`,
//! `templatefile(...)`) is shown at the `definition` attribute, naming that file and position,
//! because a diagnostic can only point into the document it is published for.
//!
//! Such a finding also carries, as related information, its place in the referenced file (a
//! link editors show under the diagnostic), and go to definition on the path string of
//! `file("...")` or `templatefile("...")` opens that file.
//!
//! Definitions written in the `.tf` file itself (`jsonencode`, heredoc, and quoted JSON, mapped
//! through its escapes) also get an outline, so that go to definition, references, rename,
//! symbols and hover work on their state names as in an `.asl.json` file.

use std::path::{Path, PathBuf};

use asl_codec::LineCol;
use asl_codec::check::{Finding, check_terraform_machine};
use asl_codec::terraform::{DefinitionForm, TerraformError, TerraformMachine, extract};
use graph_model::{Diagnostic, escape_pointer};
use lsp_types::DiagnosticRelatedInformation;
use serde_json::Value;

use crate::analysis::{Analysis, ByteSpan, Machine, Reference, StateInfo, assigned_variables};
use crate::position::{PositionIndex, token_end};

/// Analyses a `.tf` file: diagnostics, and the outline of each definition written in it.
pub fn analyse(text: String, base_dir: Option<&Path>) -> Analysis {
    // Like a template: one outline per machine, labelled with its resource address.
    let mut analysis = Analysis::unanalysed(text, true);
    let extracted = extract(&analysis.text, base_dir);
    if let Ok(machines) = &extracted {
        let outliner = Outliner {
            text: &analysis.text,
            index: &analysis.index,
        };
        analysis.machines = machines
            .iter()
            .filter_map(|machine| {
                let mut outline = match machine.form {
                    DefinitionForm::JsonEncode | DefinitionForm::Heredoc { .. } => {
                        outliner.machine(machine, &machine.definition, "")
                    }
                    // A quoted string's JSON is escaped (`\"`): mapped through its escapes.
                    DefinitionForm::String => crate::embedded::outline_quoted(
                        &analysis.text,
                        machine.span.start,
                        machine.span.end,
                    )?,
                    _ => return None,
                };
                outline.label = Some(machine.address.clone());
                Some(outline)
            })
            .collect();
    }
    // Where each finding in a referenced file really is, by the message it is published with.
    let mut elsewhere: Vec<(String, lsp_types::Location)> = Vec::new();
    let findings = match extracted {
        Ok(machines) => {
            analysis.links = machines
                .iter()
                .filter_map(|machine| file_link(&analysis.text, machine))
                .collect();
            machines
                .iter()
                .flat_map(|machine| {
                    let mut referenced = ReferencedFile::default();
                    check_terraform_machine(machine)
                        .into_iter()
                        .map(|found| match found.file {
                            None => found.finding,
                            Some(file) => {
                                let mut finding = found.finding;
                                finding.diagnostic.message = format!(
                                    "{}:{}: {}",
                                    file.display(),
                                    finding.location,
                                    finding.diagnostic.message
                                );
                                if let Some(location) = referenced.location(&file, finding.location)
                                {
                                    elsewhere.push((finding.diagnostic.message.clone(), location));
                                }
                                finding.location = machine.line_col;
                                finding
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .collect()
        }
        Err(error) => vec![error_finding(&error)],
    };
    let findings = crate::analysis::apply_lint_config(findings, base_dir);
    analysis.diagnostics = findings
        .iter()
        .map(|finding| {
            let mut diagnostic = analysis.to_lsp(finding);
            if let Some((_, location)) = elsewhere
                .iter()
                .find(|(message, _)| *message == diagnostic.message)
            {
                // Editors list it under the diagnostic, as a link to the line in that file.
                diagnostic.related_information = Some(vec![DiagnosticRelatedInformation {
                    location: location.clone(),
                    message: "the finding in the definition file".to_owned(),
                }]);
            }
            diagnostic
        })
        .collect();
    analysis.findings = findings;
    analysis
}

/// The path string of a `file("...")` or `templatefile("...")` definition, and the file it names.
fn file_link(text: &str, machine: &TerraformMachine) -> Option<(ByteSpan, PathBuf)> {
    let (DefinitionForm::File { path } | DefinitionForm::TemplateFile { path, .. }) = &machine.form
    else {
        return None;
    };
    let expression = text.get(machine.span.start..machine.span.end)?;
    let quote = machine.span.start + expression.find('"')?;
    Some(((quote, token_end(text, quote)), path.clone()))
}

/// A referenced definition file, read once, to place its findings.
#[derive(Default)]
struct ReferencedFile {
    read: Option<(PathBuf, String, PositionIndex)>,
}

impl ReferencedFile {
    /// Where `at` is in `file`, as an LSP location; `None` when the file cannot be read again.
    fn location(&mut self, file: &Path, at: LineCol) -> Option<lsp_types::Location> {
        if self.read.as_ref().is_none_or(|(path, _, _)| path != file) {
            let text = std::fs::read_to_string(file).ok()?;
            let index = PositionIndex::new(&text);
            self.read = Some((file.to_path_buf(), text, index));
        }
        let (_, text, index) = self.read.as_ref()?;
        let offset = index.offset_of_line_col(text, at.line, at.column);
        let uri = crate::file_uri(file)?;
        Some(lsp_types::Location::new(
            uri,
            index.range(text, offset, token_end(text, offset)),
        ))
    }
}

/// A file that cannot be read as Terraform: one error where reading stopped.
fn error_finding(error: &TerraformError) -> Finding {
    let (machine, location) = match error {
        TerraformError::Syntax { line_col, .. } => (None, *line_col),
        TerraformError::Machine {
            address, line_col, ..
        } => (Some(address.clone()), *line_col),
        _ => (None, asl_codec::LineCol { line: 1, column: 1 }),
    };
    Finding {
        machine,
        diagnostic: Diagnostic::error("TERRAFORM", "", error.to_string()),
        location,
        exact: true,
    }
}

/// Builds outlines from a Terraform machine's pointer positions.
struct Outliner<'t> {
    text: &'t str,
    index: &'t PositionIndex,
}

impl Outliner<'_> {
    /// The byte offset where the value at `pointer` starts, when the reader recorded it (and not
    /// only an ancestor's).
    fn value_start(&self, machine: &TerraformMachine, pointer: &str) -> Option<usize> {
        let at: LineCol = machine.location(pointer);
        let parent = pointer.rfind('/').map_or("", |i| &pointer[..i]);
        if pointer.is_empty() || at == machine.location(parent) {
            return None;
        }
        Some(self.index.offset_of_line_col(self.text, at.line, at.column))
    }

    /// The member key written before the value at byte `value`: `Key = `, `"Key" = ` or
    /// `"Key": `.
    fn key_before(&self, value: usize) -> Option<ByteSpan> {
        let head = self.text.get(..value)?.trim_end();
        let head = head.strip_suffix(['=', ':'])?.trim_end();
        let end = head.len();
        if head.ends_with('"') {
            let start = head[..end - 1].rfind('"')?;
            return Some((start, end));
        }
        let start = head
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
            .last()
            .map(|(i, _)| i)?;
        Some((start, end))
    }

    /// The end of the object or array starting at byte `start` (quoted strings skipped).
    fn closing(&self, start: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut index = start;
        while let Some(&byte) = bytes.get(index) {
            match byte {
                b'"' => {
                    index = token_end(self.text, index);
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return index + 1;
                    }
                }
                _ => {}
            }
            index += 1;
        }
        self.text.len()
    }

    fn reference(
        &self,
        machine: &TerraformMachine,
        value: &Value,
        pointer: &str,
        field: &str,
        label: String,
        from: Option<&str>,
    ) -> Option<Reference> {
        let target = value.get(field)?.as_str()?;
        let start = self.value_start(machine, &format!("{pointer}/{field}"))?;
        Some(Reference {
            field: label,
            target: target.to_owned(),
            from: from.map(str::to_owned),
            span: (start, token_end(self.text, start)),
        })
    }

    fn machine(&self, tf: &TerraformMachine, value: &Value, pointer: &str) -> Machine {
        let mut machine = Machine {
            start_at: self.reference(tf, value, pointer, "StartAt", "StartAt".to_owned(), None),
            ..Machine::default()
        };
        let Some(states) = value.get("States").and_then(Value::as_object) else {
            return machine;
        };
        for (name, state) in states {
            let state_pointer = format!("{pointer}/States/{}", escape_pointer(name));
            let Some(start) = self.value_start(tf, &state_pointer) else {
                continue;
            };
            let Some(key) = self.key_before(start) else {
                continue;
            };
            let body = (key.0, self.closing(start));
            machine
                .states
                .push(self.state(tf, name, state, &state_pointer, key, body));
        }
        machine
    }

    fn state(
        &self,
        tf: &TerraformMachine,
        name: &str,
        state: &Value,
        pointer: &str,
        key: ByteSpan,
        body: ByteSpan,
    ) -> StateInfo {
        let from = Some(name);
        let mut references = Vec::new();
        for field in ["Next", "Default"] {
            references.extend(self.reference(tf, state, pointer, field, field.to_owned(), from));
        }
        for list in ["Choices", "Catch"] {
            let items = state.get(list).and_then(Value::as_array);
            for (i, item) in items.into_iter().flatten().enumerate() {
                references.extend(self.reference(
                    tf,
                    item,
                    &format!("{pointer}/{list}/{i}"),
                    "Next",
                    format!("{list}[{i}].Next"),
                    from,
                ));
            }
        }
        let mut children = Vec::new();
        let branches = state.get("Branches").and_then(Value::as_array);
        for (i, branch) in branches.into_iter().flatten().enumerate() {
            let mut child = self.machine(tf, branch, &format!("{pointer}/Branches/{i}"));
            child.label = Some(format!("Branch {}", i + 1));
            children.push(child);
        }
        for field in ["ItemProcessor", "Iterator"] {
            if let Some(processor) = state.get(field) {
                let mut child = self.machine(tf, processor, &format!("{pointer}/{field}"));
                child.label = Some(field.to_owned());
                children.push(child);
            }
        }
        StateInfo {
            name: name.to_owned(),
            type_name: state
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            key,
            body,
            references,
            children,
            missing_transition: None,
            assigned: assigned_variables(state),
        }
    }
}
