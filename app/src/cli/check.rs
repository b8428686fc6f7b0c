//! `asl-studio check`: diagnostics with line and column, machine by machine for templates.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use asl_codec::Loaded;
use asl_codec::check::{Finding, check_loaded, check_template_resources, has_errors};
use asl_codec::lint_config::{ConfigError, LintConfig};
use asl_codec::load::{Kind, detect, is_terraform_path, parse_source};
use asl_codec::terraform::TerraformError;
use graph_model::{Diagnostic, Severity};

use super::{EXIT_FINDINGS, EXIT_OK, err_line, escape_control, out, read_input_or_report};

/// Arguments of `asl-studio check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Definitions (ASL JSON/YAML) or templates to check; `-` reads standard input.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output: `text` (one line per finding) or `json` (one array, for tools).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Exit 1 when there are warnings too (those `asl-studio.toml` leaves on), not only errors.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// How `check` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// `file:line:col: error[CODE] State: message`.
    Text,
    /// A JSON array of findings.
    Json,
}

/// One printed finding.
struct Row {
    file: String,
    finding: Finding,
}

/// Checks every file and returns the exit code: 0 clean, 1 errors (or warnings with
/// `--deny-warnings`), 2 unreadable input.
pub fn check_command(args: &CheckArgs) -> ExitCode {
    let mut rows = Vec::new();
    let mut code = EXIT_OK;
    let fails = |findings: &[Finding]| {
        has_errors(findings)
            || (args.deny_warnings
                && findings
                    .iter()
                    .any(|finding| finding.diagnostic.severity == Severity::Warning))
    };
    for path in &args.files {
        let Some(input) = read_input_or_report(path, &mut code) else {
            continue;
        };
        // The settings next to the definition (for standard input, in the current directory).
        let config = match LintConfig::for_dir(&input.base_dir) {
            Ok(config) => config,
            Err(error) => {
                code = code.max(EXIT_FINDINGS);
                rows.push(config_row(&error));
                LintConfig::default()
            }
        };
        if is_terraform_path(path) {
            let found: Vec<(Option<String>, Finding)> = check_terraform_text(&input)
                .into_iter()
                .filter(|(_, finding)| config.keeps(&finding.diagnostic))
                .collect();
            let findings: Vec<Finding> = found.iter().map(|(_, f)| f.clone()).collect();
            if fails(&findings) {
                code = code.max(EXIT_FINDINGS);
            }
            rows.extend(found.into_iter().map(|(file, finding)| Row {
                file: file.unwrap_or_else(|| input.display.clone()),
                finding,
            }));
            continue;
        }
        let findings = config.filter(check_text(&input));
        if fails(&findings) {
            code = code.max(EXIT_FINDINGS);
        }
        rows.extend(findings.into_iter().map(|finding| Row {
            file: input.display.clone(),
            finding,
        }));
    }
    match args.format {
        OutputFormat::Text => {
            let mut text = String::new();
            for row in &rows {
                let _ = writeln!(text, "{}", text_line(row));
            }
            out(&text);
            let warnings = rows
                .iter()
                .filter(|row| row.finding.diagnostic.severity == Severity::Warning)
                .count();
            if code == EXIT_OK && warnings > 0 {
                err_line(&format!(
                    "{}: no errors, {}",
                    count(args.files.len(), "file checked", "files checked"),
                    count(warnings, "warning", "warnings")
                ));
            } else if code == EXIT_OK {
                // On standard error, so standard output stays the findings alone for tools.
                err_line(&format!(
                    "{}: no errors",
                    count(args.files.len(), "file checked", "files checked")
                ));
            }
        }
        OutputFormat::Json => {
            let json: Vec<serde_json::Value> = rows.iter().map(json_row).collect();
            out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            ));
        }
    }
    ExitCode::from(code)
}

/// Findings of one text: a syntax error, or the diagnostics of the definition or of each
/// machine of a template (a machine that cannot be read is itself an error).
/// Findings of a `.tf` file, each with the file it is in when that is a referenced definition
/// file; a file that is not valid HCL is one syntax finding.
fn check_terraform_text(input: &super::Input) -> Vec<(Option<String>, Finding)> {
    match asl_codec::check::check_terraform(&input.text, Some(&input.base_dir)) {
        Ok(found) => found
            .into_iter()
            .map(|found| (found.file.map(|f| f.display().to_string()), found.finding))
            .collect(),
        Err(error) => {
            let (location, message) = match &error {
                TerraformError::Syntax { line_col, message } => (*line_col, message.clone()),
                other => (asl_codec::LineCol { line: 1, column: 1 }, other.to_string()),
            };
            vec![(
                None,
                Finding {
                    machine: None,
                    diagnostic: Diagnostic::error("TERRAFORM", "", message),
                    location,
                    exact: true,
                },
            )]
        }
    }
}

fn check_text(input: &super::Input) -> Vec<Finding> {
    let base_dir = input.base_dir.as_path();
    let source = match parse_source(input.text.as_str(), input.format) {
        Ok(source) => source,
        Err(error) => {
            return vec![Finding {
                machine: None,
                diagnostic: Diagnostic::error("SYNTAX", "", error.message),
                location: error.location,
                exact: true,
            }];
        }
    };
    if detect(&source) == Kind::Definition {
        return check_loaded(&Loaded::Asl(source));
    }
    check_template_resources(&source, Some(base_dir), |_| {})
}

/// An unusable `asl-studio.toml`, as a finding of its own file.
fn config_row(error: &ConfigError) -> Row {
    Row {
        file: error.path.display().to_string(),
        finding: Finding {
            machine: None,
            diagnostic: Diagnostic::error("CONFIG", "", error.message.clone()),
            location: asl_codec::LineCol {
                line: error.line.max(1),
                column: 1,
            },
            exact: true,
        },
    }
}

fn text_line(row: &Row) -> String {
    let finding = &row.finding;
    let diagnostic = &finding.diagnostic;
    let subject = match (&finding.machine, &diagnostic.state) {
        (Some(machine), Some(state)) => format!(" {machine}/{state}"),
        (Some(machine), None) => format!(" {machine}"),
        (None, Some(state)) => format!(" {state}"),
        (None, None) => String::new(),
    };
    // Names, messages and file names come from the user's files: escaped, so none of them can
    // forge a finding line of its own or drive the terminal.
    format!(
        "{}:{}:{}: {}[{}]{}: {}",
        escape_control(&row.file),
        finding.location.line,
        finding.location.column,
        severity_name(diagnostic.severity),
        diagnostic.code,
        escape_control(&subject),
        escape_control(&diagnostic.message)
    )
}

fn severity_name(severity: Severity) -> &'static str {
    severity.as_str()
}

fn json_row(row: &Row) -> serde_json::Value {
    let finding = &row.finding;
    let diagnostic = &finding.diagnostic;
    serde_json::json!({
        "file": row.file,
        "line": finding.location.line,
        "column": finding.location.column,
        "severity": severity_name(diagnostic.severity),
        "code": diagnostic.code,
        "machine": finding.machine,
        "state": diagnostic.state,
        "pointer": diagnostic.pointer,
        "message": diagnostic.message,
    })
}

/// `1 file checked`, `3 files checked`.
pub(super) fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
