//! `asl-studio test`: runs the test cases of a Step Functions Local mock configuration against a
//! definition, checks their expectations and reports the suite's coverage (text, JSON, JUnit XML
//! or TAP); with `--generate`, writes a suite that covers the definition.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Value, json};
use simulator::coverage::{CoverageReport, Tally};
use simulator::suite::{self, CaseOutcome, Suite, SuiteOutcome};
use simulator::{ExecutionType, MockConfig, Options, Status};

use super::run::{RunArgs, read_definition, read_json, refuse_invalid};
use super::write::write_output;
use super::{EXIT_FINDINGS, EXIT_UNREADABLE, err_line, escape_control, out};

/// Arguments of `asl-studio test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// The definition under test: ASL JSON or YAML, or a SAM / CloudFormation template.
    pub definition: PathBuf,
    /// The suite: an AWS Step Functions Local mock configuration whose test cases carry an
    /// `"Expect"` member (see README).
    #[arg(long, value_name = "FILE", required_unless_present = "generate")]
    pub mocks: Option<PathBuf>,
    /// Run only this test case (repeatable).
    #[arg(long = "test-case", value_name = "NAME")]
    pub test_cases: Vec<String>,
    /// The state machine of the mock file (default: its only one, or the one named like the definition file).
    #[arg(long, value_name = "NAME")]
    pub state_machine: Option<String>,
    /// Expectations kept beside the mock file: `{"<test case>": {"Status": ...}}`. Default:
    /// `<mocks>.expect.json` when it exists (e.g. `sample.mocks.expect.json`).
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
    /// How to report: `text`, `json`, `junit` (JUnit XML) or `tap` (TAP version 13).
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "json", "junit", "tap"])]
    pub format: String,
    /// Write a covering suite to `-o FILE` instead of running one (and, beside it,
    /// `FILE.teststate.json`: per-Task mocks for the TestState API).
    #[arg(long, requires = "output", conflicts_with = "mocks")]
    pub generate: bool,
    /// Where `--generate` writes the suite.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The state machine to test when the template holds several (its logical id).
    #[arg(long, value_name = "MACHINE")]
    pub name: Option<String>,
    /// Values for `${Name}` placeholders: a JSON object `{"Name": "value"}`.
    #[arg(long, value_name = "FILE")]
    pub substitutions: Option<PathBuf>,
    /// Workflow type: `standard` or `express`.
    #[arg(long = "type", value_name = "TYPE", default_value = "standard", value_parser = ["standard", "express"])]
    pub execution_type: String,
    /// Seed for retry jitter, `States.UUID`, `States.MathRandom` and `$random()`.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// Each case's work budget (see `asl-studio run --help`).
    #[arg(long, value_name = "N", default_value_t = simulator::DEFAULT_MAX_TRANSITIONS)]
    pub max_transitions: u64,
}

/// Runs `asl-studio test`: exit 0 when every case passes (or the suite was written), 1 when one
/// fails, 2 when an input cannot be read or is wrong.
pub fn test_command(args: &TestArgs) -> ExitCode {
    let outcome = if args.generate {
        generate(args)
    } else {
        run_tests(args)
    };
    match outcome {
        Ok(code) => code,
        Err(message) => {
            err_line(&message);
            ExitCode::from(EXIT_UNREADABLE)
        }
    }
}

fn load_definition(args: &TestArgs) -> Result<Value, String> {
    let run_args = RunArgs {
        definition: args.definition.clone(),
        name: args.name.clone(),
        substitutions: args.substitutions.clone(),
        input: None,
        mocks: None,
        test_case: None,
        state_machine: None,
        execution_type: args.execution_type.clone(),
        seed: args.seed,
        pass_through: false,
        items: Vec::new(),
        results: None,
        history: None,
        max_transitions: args.max_transitions,
    };
    let definition = read_definition(&run_args)?;
    refuse_invalid(&args.definition.display().to_string(), &definition)?;
    Ok(definition)
}

fn options(args: &TestArgs) -> Options {
    let mut options = Options {
        seed: args.seed,
        max_transitions: args.max_transitions,
        execution_type: if args.execution_type == "express" {
            ExecutionType::Express
        } else {
            ExecutionType::Standard
        },
        ..Options::default()
    };
    if let Some(name) = machine_hint(&args.definition) {
        options.state_machine_name = name;
    }
    options
}

/// The definition's file name without `.json`/`.yaml` and `.asl`: the machine name a mock file
/// most likely uses for it.
fn machine_hint(definition: &Path) -> Option<String> {
    definition
        .file_stem()
        .and_then(|stem| stem.to_str())
        .map(|stem| stem.trim_end_matches(".asl").to_owned())
}

/// `sample.mocks.json` -> `sample.mocks.expect.json`.
fn beside(mocks: &Path, suffix: &str) -> PathBuf {
    let stem = mocks
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    mocks.with_file_name(format!("{stem}.{suffix}.json"))
}

fn run_tests(args: &TestArgs) -> Result<ExitCode, String> {
    let Some(mocks_path) = &args.mocks else {
        return Err("asl-studio test needs --mocks FILE (or --generate -o FILE)".to_owned());
    };
    let definition = load_definition(args)?;
    let config = read_json(mocks_path)?;
    let display = escape_control(&mocks_path.display().to_string()).into_owned();
    let config = MockConfig::parse(&config).map_err(|error| format!("{display}: {error}"))?;
    let expect_path = match &args.expect {
        Some(path) => Some(path.clone()),
        None => Some(beside(mocks_path, "expect")).filter(|path| path.is_file()),
    };
    let outside = match &expect_path {
        Some(path) => Some(read_json(path)?),
        None => None,
    };
    let hint = machine_hint(&args.definition);
    let suite = Suite::from_config(
        &config,
        args.state_machine.as_deref(),
        hint.as_deref(),
        outside.as_ref(),
    )
    .map_err(|error| format!("{display}: {error}"))?;
    let outcome = suite::run_suite(&definition, &suite, &args.test_cases, &options(args))
        .map_err(|error| format!("{display}: {error}"))?;
    let report = outcome.coverage.report();
    let text = match args.format.as_str() {
        "json" => {
            serde_json::to_string_pretty(&json_report(&outcome, &report)).unwrap_or_default() + "\n"
        }
        "junit" => junit(&suite.machine, &outcome),
        "tap" => tap(&outcome),
        _ => text_report(&outcome, &report, &suite),
    };
    out(&text);
    Ok(if outcome.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    })
}

fn status_name(status: Status) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn case_json(case: &CaseOutcome) -> Value {
    let mut body = json!({
        "name": case.name,
        "passed": case.passed(),
        "status": status_name(case.result.status),
        "path": case.path,
        "failures": case.failures,
    });
    if let Some(object) = body.as_object_mut() {
        if let Some(output) = &case.result.output {
            object.insert("output".to_owned(), output.clone());
        }
        if let Some(error) = &case.result.error {
            object.insert("error".to_owned(), json!(error));
        }
        if let Some(cause) = &case.result.cause {
            object.insert("cause".to_owned(), json!(cause));
        }
    }
    body
}

fn json_report(outcome: &SuiteOutcome, report: &CoverageReport) -> Value {
    json!({
        "passed": outcome.passed(),
        "failed": outcome.failed(),
        "cases": outcome.cases.iter().map(case_json).collect::<Vec<_>>(),
        "coverage": report,
    })
}

fn tally_line(name: &str, tally: &Tally) -> String {
    format!(
        "  {name:<13} {}/{} ({:.0} %)",
        tally.covered,
        tally.total,
        tally.percent()
    )
}

fn text_report(outcome: &SuiteOutcome, report: &CoverageReport, suite: &Suite) -> String {
    let mut text = String::new();
    for case in &outcome.cases {
        let verdict = if case.passed() { "PASS" } else { "FAIL" };
        text.push_str(&format!(
            "{verdict} {} ({}, {} states)\n",
            escape_control(&case.name),
            status_name(case.result.status),
            case.path.len()
        ));
        for failure in &case.failures {
            text.push_str(&format!("     {}\n", escape_control(failure)));
        }
    }
    let cases = outcome.cases.len();
    text.push_str(&format!(
        "{cases} {}: {} passed, {} failed\n",
        if cases == 1 { "case" } else { "cases" },
        outcome.passed(),
        outcome.failed()
    ));
    let unchecked: Vec<&str> = outcome
        .cases
        .iter()
        .filter(|ran| {
            suite
                .cases
                .iter()
                .any(|case| case.name == ran.name && !case.expect.checks_anything())
        })
        .map(|ran| ran.name.as_str())
        .collect();
    if !unchecked.is_empty() {
        text.push_str(&format!(
            "warning: {} checked nothing (no Status, Output, OutputContains, Error, Cause or Path in \
             its Expect): it passes whatever its run does\n",
            escape_control(&unchecked.join(", "))
        ));
    }
    text.push_str("coverage:\n");
    let tallies = [
        ("states", &report.states),
        ("choice rules", &report.choice_rules),
        ("catchers", &report.catchers),
        ("retriers", &report.retriers),
        ("branches", &report.branches),
    ];
    for (name, tally) in tallies {
        text.push_str(&tally_line(name, tally));
        text.push('\n');
    }
    let uncovered: Vec<&str> = tallies
        .iter()
        .flat_map(|(_, tally)| tally.uncovered.iter().map(String::as_str))
        .collect();
    if !uncovered.is_empty() {
        text.push_str(&format!(
            "not covered: {}\n",
            escape_control(&uncovered.join(", "))
        ));
    }
    for (_, tally) in tallies {
        for item in &tally.unreachable {
            text.push_str(&format!(
                "unreachable: {}: {}\n",
                escape_control(&item.item),
                escape_control(&item.reason)
            ));
        }
    }
    text
}

/// Text for an XML attribute or element: the five markup characters escaped, and characters XML
/// 1.0 cannot hold at all (most control characters) written as `\u{..}`.
fn xml_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(c),
            c if c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}') => {
                escaped.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => escaped.push(c),
        }
    }
    escaped
}

fn junit(machine: &str, outcome: &SuiteOutcome) -> String {
    let seconds = |case: &CaseOutcome| case.result.duration_millis as f64 / 1000.0;
    let total: f64 = outcome.cases.iter().map(seconds).sum();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<testsuites name=\"asl-studio test\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{total:.3}\">\n",
        outcome.cases.len(),
        outcome.failed()
    ));
    xml.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{total:.3}\">\n",
        xml_text(machine),
        outcome.cases.len(),
        outcome.failed()
    ));
    for case in &outcome.cases {
        // The time is the run's virtual duration: what the workflow would take on AWS.
        xml.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
            xml_text(&case.name),
            xml_text(machine),
            seconds(case)
        ));
        if case.passed() {
            xml.push_str("/>\n");
            continue;
        }
        xml.push_str(">\n");
        let first = case.failures.first().map_or("", String::as_str);
        xml.push_str(&format!(
            "      <failure message=\"{}\" type=\"ExpectationFailed\">{}</failure>\n",
            xml_text(first),
            xml_text(&case.failures.join("\n"))
        ));
        xml.push_str(&format!(
            "      <system-out>path: {}</system-out>\n",
            xml_text(&case.path.join(" > "))
        ));
        xml.push_str("    </testcase>\n");
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

/// A TAP description: one line, and no `#` (it would start a directive).
fn tap_text(text: &str) -> String {
    escape_control(text).replace('#', "\\#")
}

fn tap(outcome: &SuiteOutcome) -> String {
    let mut text = format!("TAP version 13\n1..{}\n", outcome.cases.len());
    for (number, case) in outcome.cases.iter().enumerate() {
        let verdict = if case.passed() { "ok" } else { "not ok" };
        text.push_str(&format!(
            "{verdict} {} - {}\n",
            number + 1,
            tap_text(&case.name)
        ));
        if !case.passed() {
            // A YAML block (TAP 13): each failure a single-quoted scalar.
            text.push_str("  ---\n  failures:\n");
            for failure in &case.failures {
                text.push_str(&format!(
                    "    - '{}'\n",
                    escape_control(failure).replace('\'', "''")
                ));
            }
            text.push_str(&format!(
                "  status: {}\n  ...\n",
                status_name(case.result.status)
            ));
        }
    }
    text
}

fn generate(args: &TestArgs) -> Result<ExitCode, String> {
    let Some(output) = &args.output else {
        return Err("--generate needs -o FILE".to_owned());
    };
    let teststate_path = beside(output, "teststate");
    let inputs: Vec<&Path> = [Some(&args.definition), args.substitutions.as_ref()]
        .into_iter()
        .flatten()
        .map(PathBuf::as_path)
        .collect();
    super::refuse_output_among_inputs("-o", output, &inputs)?;
    super::refuse_output_among_inputs("-o", &teststate_path, &inputs)?;
    let definition = load_definition(args)?;
    let machine = machine_hint(&args.definition).unwrap_or_else(|| "StateMachine".to_owned());
    let generated = simulator::generate::generate(&definition, &machine, &options(args))
        .map_err(|error| format!("{}: {error}", args.definition.display()))?;
    let suite_text =
        serde_json::to_string_pretty(&generated.config.to_value()).unwrap_or_default() + "\n";
    write_output(output, &suite_text)?;
    let teststate_text =
        serde_json::to_string_pretty(&generated.test_state_mocks).unwrap_or_default() + "\n";
    write_output(&teststate_path, &teststate_text)?;
    let report = &generated.coverage;
    let mut text = format!(
        "wrote {} test {} to {} and TestState mocks to {}\n",
        generated.cases,
        if generated.cases == 1 {
            "case"
        } else {
            "cases"
        },
        escape_control(&output.display().to_string()),
        escape_control(&teststate_path.display().to_string())
    );
    for (name, tally) in [
        ("states", &report.states),
        ("choice rules", &report.choice_rules),
        ("catchers", &report.catchers),
        ("retriers", &report.retriers),
        ("branches", &report.branches),
    ] {
        text.push_str(&tally_line(name, tally));
        text.push('\n');
    }
    for gap in &generated.gaps {
        text.push_str(&format!(
            "not covered: {}: {}\n",
            escape_control(&gap.item),
            escape_control(&gap.reason)
        ));
    }
    out(&text);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_escapes_markup_and_characters_xml_cannot_hold() {
        assert_eq!(
            xml_text("a<b & \"c\" 'd'\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;\\u{1}"
        );
    }

    #[test]
    fn tap_descriptions_cannot_start_a_directive_or_a_new_line() {
        assert_eq!(tap_text("a # SKIP\nok 2"), "a \\# SKIP\\nok 2");
    }
}
