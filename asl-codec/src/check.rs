//! Diagnostics with line and column: the document model's validation plus what only the text
//! shows (duplicate keys), each mapped from its JSON pointer to a position in the file.

use std::path::Path;

use graph_model::{Diagnostic, Severity};
use serde_json::Value;

use crate::span::LineCol;
use crate::span::escape_segment;
use crate::template::{
    DefinitionOrigin, TemplateError, TemplateMachine, check_placeholders, extract_from_value,
};
use crate::terraform::{DefinitionForm, TerraformError, TerraformMachine};
use crate::{Loaded, SourceFile};

/// A diagnostic placed in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The template machine's logical id; `None` for a plain definition.
    pub machine: Option<String>,
    /// The diagnostic; its pointer is into the ASL definition.
    pub diagnostic: Diagnostic,
    /// Where it is in the file.
    pub location: LineCol,
    /// False when the pointer's target is absent and `location` is its nearest existing ancestor
    /// (or, for a definition held in a string, the string itself).
    pub exact: bool,
}

/// Diagnostics of one definition value: the document model's shape and validation.
pub fn validate_definition(definition: &Value) -> Vec<Diagnostic> {
    match graph_model::StateMachine::from_value(definition) {
        Ok(machine) => graph_model::validate(&machine),
        Err(error) => vec![Diagnostic::error(
            "SCHEMA_VALIDATION_FAILED",
            "",
            error.to_string(),
        )],
    }
}

/// Duplicate keys, as diagnostics: a duplicate state name is `DUPLICATE_STATE_NAME` (the code
/// graph-model uses for names repeated across levels), any other duplicate key `DUPLICATE_KEY`.
/// Both are errors: AWS rejects them.
pub fn duplicate_key_diagnostics(source: &SourceFile) -> Vec<Diagnostic> {
    source
        .duplicate_keys()
        .iter()
        .map(|duplicate| {
            let parent = duplicate
                .pointer
                .rsplit_once('/')
                .map_or("", |(parent, _)| parent);
            let is_state = parent == "/States" || parent.ends_with("/States");
            let (code, what) = if is_state {
                ("DUPLICATE_STATE_NAME", "state name")
            } else {
                ("DUPLICATE_KEY", "key")
            };
            let at = source.line_col(duplicate.first.start);
            let diagnostic = Diagnostic::error(
                code,
                duplicate.pointer.clone(),
                format!(
                    "duplicate {what} `{}` (first at {at}; the later one is ignored)",
                    duplicate.key
                ),
            );
            if is_state {
                diagnostic.in_state(duplicate.key.clone())
            } else {
                diagnostic
            }
        })
        .collect()
}

/// Why `text` is not an acceptable definition, or `None`: the first syntax error, duplicate key,
/// shape error (not an object) or validation error, in that order. This is the whole check the
/// side-by-side benchmark times against asl-validator (`bench/harness/src/validate.rs`); it builds
/// no document `Value`, only the spans and the model.
pub fn first_error(text: &str, format: crate::Format) -> Option<String> {
    let source = match SourceFile::parse(text, format) {
        Ok(source) => source,
        Err(error) => return Some(format!("syntax: {}", error.message)),
    };
    if let Some(duplicate) = duplicate_key_diagnostics(&source).first() {
        return Some(format!("{}: {}", duplicate.code, duplicate.message));
    }
    let machine = match source.machine() {
        Ok(machine) => machine,
        Err(error) => return Some(format!("shape: {error}")),
    };
    graph_model::validate(&machine)
        .into_iter()
        .find(|diagnostic| diagnostic.severity == Severity::Error)
        .map(|diagnostic| {
            format!(
                "{} at {}: {}",
                diagnostic.code, diagnostic.pointer, diagnostic.message
            )
        })
}

/// Every finding of a loaded file: a definition, or each machine of a template in turn.
pub fn check_loaded(loaded: &Loaded) -> Vec<Finding> {
    match loaded {
        Loaded::Asl(source) => {
            let mut diagnostics = duplicate_key_diagnostics(source);
            diagnostics.extend(validate_definition(source.value()));
            let mut findings: Vec<Finding> = diagnostics
                .into_iter()
                .map(|diagnostic| {
                    let location = source.locate(&diagnostic.pointer);
                    Finding {
                        machine: None,
                        diagnostic,
                        location: location.line_col,
                        exact: location.exact,
                    }
                })
                .collect();
            // Duplicate keys point at the ignored occurrence: that is the line to fix.
            for (finding, duplicate) in findings.iter_mut().zip(source.duplicate_keys()) {
                finding.location = source.line_col(duplicate.duplicate.start);
                finding.exact = true;
            }
            sort(&mut findings);
            findings
        }
        Loaded::Template { source, machines } => {
            let mut findings = Vec::new();
            for machine in machines {
                findings.extend(check_template_machine(source, machine));
            }
            findings
        }
    }
}

/// The findings of one template machine, placed in the template file.
pub fn check_template_machine(template: &SourceFile, machine: &TemplateMachine) -> Vec<Finding> {
    let mut findings: Vec<Finding> = validate_definition(&machine.definition)
        .into_iter()
        .map(|diagnostic| {
            let (location, exact) = match machine.origin {
                DefinitionOrigin::Inline => {
                    let found =
                        template.locate(&format!("{}{}", machine.pointer, diagnostic.pointer));
                    (found.line_col, found.exact)
                }
                _ => (template.locate(&machine.pointer).line_col, false),
            };
            Finding {
                machine: Some(machine.logical_id.clone()),
                diagnostic,
                location,
                exact,
            }
        })
        .collect();
    findings.extend(placeholder_findings(template, machine));
    sort(&mut findings);
    findings
}

/// The findings of a template read as it is, machine by machine, so that one machine whose
/// definition cannot be read is an error of its own (`TEMPLATE`, at its resource) and does not hide
/// the others. `each_machine` sees every machine that was read, after its findings (the language
/// server outlines them).
pub fn check_template_resources(
    source: &SourceFile,
    base_dir: Option<&Path>,
    mut each_machine: impl FnMut(&TemplateMachine),
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(resources) = source.value().get("Resources").and_then(Value::as_object) else {
        return findings;
    };
    for (logical_id, resource) in resources {
        let single = serde_json::json!({ "Resources": { logical_id.clone(): resource.clone() } });
        match extract_from_value(&single, base_dir) {
            Ok(machines) => {
                for machine in &machines {
                    findings.extend(check_template_machine(source, machine));
                    each_machine(machine);
                }
            }
            Err(error) => {
                let pointer = format!("/Resources/{}", graph_model::escape_pointer(logical_id));
                let message = match error {
                    TemplateError::Machine { message, .. } => message,
                    other => other.to_string(),
                };
                findings.push(Finding {
                    machine: Some(logical_id.clone()),
                    diagnostic: Diagnostic::error("TEMPLATE", pointer.clone(), message),
                    location: source.locate(&pointer).line_col,
                    exact: true,
                });
            }
        }
    }
    findings
}

/// Placeholders and `DefinitionSubstitutions` out of step, as warnings: AWS accepts both, but a
/// placeholder without a value reaches Step Functions literally and an unused substitution is
/// usually a renamed placeholder.
pub fn placeholder_findings(template: &SourceFile, machine: &TemplateMachine) -> Vec<Finding> {
    let check = check_placeholders(template.value(), machine);
    let mut findings = Vec::new();
    for name in &check.missing {
        let pointer = check
            .placeholders
            .iter()
            .find(|placeholder| &placeholder.name == name)
            .and_then(|placeholder| placeholder.pointers.first())
            .cloned()
            .unwrap_or_default();
        // Only an inline definition has its own positions in the template; a definition in a
        // string or another file is placed at the property that holds it.
        let (location, exact) = match machine.origin {
            DefinitionOrigin::Inline => {
                let found = template.locate(&format!("{}{pointer}", machine.pointer));
                (found.line_col, found.exact)
            }
            _ => (template.locate(&machine.pointer).line_col, false),
        };
        findings.push(Finding {
            machine: Some(machine.logical_id.clone()),
            diagnostic: Diagnostic::warning(
                "PLACEHOLDER_WITHOUT_VALUE",
                pointer,
                format!(
                    "placeholder `${{{name}}}` has no value: add `{name}` to DefinitionSubstitutions \
                     (Step Functions would receive it literally)"
                ),
            ),
            location,
            exact,
        });
    }
    for name in &check.unused {
        let found = template.locate(&format!(
            "/Resources/{}/Properties/DefinitionSubstitutions/{}",
            escape_segment(&machine.logical_id),
            escape_segment(name)
        ));
        findings.push(Finding {
            machine: Some(machine.logical_id.clone()),
            diagnostic: Diagnostic::warning(
                "UNUSED_SUBSTITUTION",
                "",
                format!(
                    "DefinitionSubstitutions entry `{name}` is not used by any `${{{name}}}` \
                     placeholder in the definition"
                ),
            ),
            location: found.line_col,
            exact: found.exact,
        });
    }
    findings
}

/// A finding of a Terraform machine and the file it is in: the `.tf` file (`None`), or the file a
/// `file(...)` / `templatefile(...)` definition is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerraformFinding {
    /// The referenced definition file, when the finding is there rather than in the `.tf` file.
    pub file: Option<std::path::PathBuf>,
    /// The finding; its `machine` is the resource address.
    pub finding: Finding,
}

/// The findings of every `aws_sfn_state_machine` in a `.tf` file: a definition in a form that
/// cannot be read is itself an error at the `definition` attribute.
///
/// # Errors
/// When the file is not valid HCL or a referenced file cannot be read.
pub fn check_terraform(
    text: &str,
    base_dir: Option<&std::path::Path>,
) -> Result<Vec<TerraformFinding>, TerraformError> {
    let machines = crate::terraform::extract(text, base_dir)?;
    Ok(machines.iter().flat_map(check_terraform_machine).collect())
}

/// The findings of one Terraform machine, placed in the file its definition is written in.
pub fn check_terraform_machine(machine: &TerraformMachine) -> Vec<TerraformFinding> {
    if let DefinitionForm::Unsupported { reason } = &machine.form {
        return vec![TerraformFinding {
            file: None,
            finding: Finding {
                machine: Some(machine.address.clone()),
                diagnostic: Diagnostic::error("TERRAFORM", "", reason.clone()),
                location: machine.line_col,
                exact: true,
            },
        }];
    }
    let file = machine.location_file().map(std::path::Path::to_path_buf);
    let mut findings: Vec<Finding> = validate_definition(&machine.definition)
        .into_iter()
        .map(|diagnostic| Finding {
            machine: Some(machine.address.clone()),
            location: machine.location(&diagnostic.pointer),
            diagnostic,
            exact: true,
        })
        .collect();
    sort(&mut findings);
    findings
        .into_iter()
        .map(|finding| TerraformFinding {
            file: file.clone(),
            finding,
        })
        .collect()
}

fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.location
            .cmp(&b.location)
            .then(a.diagnostic.severity.cmp(&b.diagnostic.severity))
    });
}

/// Whether any finding is an error.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|finding| finding.diagnostic.severity == Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Format, load_text};

    #[test]
    fn duplicate_state_names_are_errors_at_the_second_key() -> Result<(), crate::LoadError> {
        let text = "{\"StartAt\": \"A\", \"States\": {\n\"A\": {\"Type\": \"Succeed\"},\n\"A\": {\"Type\": \"Pass\", \"End\": true}}}";
        let loaded = load_text(text, Format::Json, None)?;
        let findings = check_loaded(&loaded);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].diagnostic.code, "DUPLICATE_STATE_NAME");
        assert_eq!(findings[0].diagnostic.state.as_deref(), Some("A"));
        assert_eq!(findings[0].location, LineCol { line: 3, column: 1 });
        Ok(())
    }

    const OUT_OF_STEP: &str = "Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: ${FunctionArn}
            Parameters:
              Table: ${TableName}
            End: true
      DefinitionSubstitutions:
        FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:f
        OldTable: orders
";

    #[test]
    fn placeholders_out_of_step_with_substitutions_are_warnings() -> Result<(), crate::LoadError> {
        let loaded = load_text(OUT_OF_STEP, Format::Yaml, None)?;
        let findings = check_loaded(&loaded);
        let codes: Vec<(&str, Severity, LineCol)> = findings
            .iter()
            .map(|f| {
                (
                    f.diagnostic.code.as_str(),
                    f.diagnostic.severity,
                    f.location,
                )
            })
            .collect();
        assert_eq!(
            codes,
            [
                (
                    "PLACEHOLDER_WITHOUT_VALUE",
                    Severity::Warning,
                    LineCol {
                        line: 12,
                        column: 15
                    }
                ),
                (
                    "UNUSED_SUBSTITUTION",
                    Severity::Warning,
                    LineCol {
                        line: 16,
                        column: 9
                    }
                ),
            ]
        );
        assert!(findings[0].diagnostic.message.contains("${TableName}"));
        assert!(findings[1].diagnostic.message.contains("OldTable"));
        assert!(
            findings
                .iter()
                .all(|f| f.machine.as_deref() == Some("Machine"))
        );
        assert!(!has_errors(&findings), "warnings are not errors");
        Ok(())
    }

    #[test]
    fn placeholders_with_values_give_no_warning() -> Result<(), crate::LoadError> {
        let text = OUT_OF_STEP
            .replace("${TableName}", "${FunctionArn}")
            .replace("        OldTable: orders\n", "");
        let findings = check_loaded(&load_text(&text, Format::Yaml, None)?);
        assert_eq!(findings, []);
        Ok(())
    }
}
