//! Terraform `.tf` files: `check`'s findings for every `aws_sfn_state_machine`, placed in the
//! `.tf` file. A finding inside a definition kept in another file (`file(...)`,
//! `templatefile(...)`) is shown at the `definition` attribute, naming that file and position,
//! because a diagnostic can only point into the document it is published for.

use std::path::Path;

use asl_codec::check::{Finding, check_terraform_machine};
use asl_codec::terraform::{TerraformError, extract};
use graph_model::Diagnostic;

use crate::analysis::Analysis;
use crate::position::PositionIndex;

/// Analyses a `.tf` file: diagnostics only (no outline: navigation is for ASL text).
pub fn analyse(text: String, base_dir: Option<&Path>) -> Analysis {
    let index = PositionIndex::new(&text);
    let mut analysis = Analysis {
        text,
        index,
        diagnostics: Vec::new(),
        machines: Vec::new(),
        source: None,
        is_template: false,
    };
    let findings = match extract(&analysis.text, base_dir) {
        Ok(machines) => machines
            .iter()
            .flat_map(|machine| {
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
                            finding.location = machine.line_col;
                            finding
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect(),
        Err(error) => vec![error_finding(&error)],
    };
    analysis.diagnostics = findings.iter().map(|f| analysis.to_lsp(f)).collect();
    analysis
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
