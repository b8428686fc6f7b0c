//! `asl-studio test`: suites run from Step Functions Local mock files with expectations, in every
//! report format, and generated suites on the sample and on the corpus (they pass, they cover,
//! and they fail when a Choice comparison is flipped).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

mod common;

use common::{path_str as text, run, stderr, stdout};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    common::scratch_dir("asl-studio-suites", name)
}

/// `asl-studio test DEFINITION --mocks MOCKS` with `more` arguments.
fn run_suite(definition: &Path, mocks: &Path, more: &[&str]) -> Output {
    let mut arguments = vec!["test", text(definition), "--mocks", text(mocks)];
    arguments.extend_from_slice(more);
    run(&arguments)
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn write_json(path: &Path, value: &Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    std::fs::write(path, text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
}

/// The sample's mock file with its expectations inline, one of them wrong (HappyPath expects
/// the failure path), in a folder of its own.
fn sample_suite_with_one_wrong_expectation(name: &str) -> (PathBuf, PathBuf) {
    let dir = scratch(name);
    let mut config = read_json(&sample("sample.mocks.json"));
    let beside = read_json(&sample("sample.mocks.expect.json"));
    let cases = &mut config["StateMachines"]["EtlPipeline"]["TestCases"];
    for (case, expect) in beside.as_object().into_iter().flatten() {
        cases[case]["Expect"] = expect.clone();
    }
    cases["HappyPath"]["Expect"]["Status"] = json!("FAILED");
    cases["HappyPath"]["Expect"]["Path"] = json!(["DownloadFile", "TransformFile <&>"]);
    let mocks = dir.join("suite.json");
    write_json(&mocks, &config);
    let definition = dir.join("sample.asl.json");
    std::fs::copy(sample("sample.asl.json"), &definition)
        .unwrap_or_else(|error| panic!("copy: {error}"));
    (definition, mocks)
}

#[test]
fn the_sample_suite_passes_with_the_expectations_kept_beside_its_mock_file() {
    let output = run_suite(
        &sample("sample.asl.json"),
        &sample("sample.mocks.json"),
        &[],
    );
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}{}", stderr(&output));
    assert!(
        report.contains("PASS HappyPath (SUCCEEDED, 5 states)"),
        "{report}"
    );
    assert!(report.contains("4 cases: 4 passed, 0 failed"), "{report}");
    assert!(report.contains("states        7/7 (100 %)"), "{report}");
    assert!(report.contains("catchers      1/1 (100 %)"), "{report}");
}

#[test]
fn json_report_has_the_documented_shape_and_names_each_failure() {
    let (definition, mocks) = sample_suite_with_one_wrong_expectation("json");
    let output = run_suite(&definition, &mocks, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|error| panic!("not JSON: {error}\n{}", stdout(&output)));
    assert_eq!(report["passed"], json!(3));
    assert_eq!(report["failed"], json!(1));
    for category in ["states", "choice_rules", "catchers", "retriers"] {
        let tally = &report["coverage"][category];
        assert!(
            tally["covered"].is_u64() && tally["total"].is_u64(),
            "{category}: {tally}"
        );
    }
    assert_eq!(
        report["coverage"]["states"],
        json!({"covered": 7, "total": 7})
    );
    let happy = report["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|case| case["name"] == json!("HappyPath")))
        .cloned()
        .unwrap_or_default();
    assert_eq!(happy["passed"], json!(false));
    let failures: Vec<&str> = happy["failures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(failures[0].starts_with("status: expected FAILED, got SUCCEEDED"));
    assert!(
        failures[1]
            .starts_with("path: state 2 expected 'TransformFile <&>', entered 'TransformFile'")
    );
}

#[test]
fn junit_report_is_xml_a_ci_parser_reads() {
    let (definition, mocks) = sample_suite_with_one_wrong_expectation("junit");
    let output = run_suite(&definition, &mocks, &["--format", "junit"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let xml = dir_file(&definition, "report.xml");
    std::fs::write(&xml, &output.stdout).unwrap_or_else(|error| panic!("{error}"));
    // Python's XML parser (what CI plugins such as junitparser use) reads it back.
    let script = r#"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suite = root.find("testsuite")
cases = suite.findall("testcase")
failed = [c.get("name") for c in cases if c.find("failure") is not None]
print(suite.get("tests"), suite.get("failures"), len(cases), ",".join(failed))
print(cases[[c.get("name") for c in cases].index("HappyPath")].find("failure").text)
"#;
    let parsed = Command::new("python3")
        .args(["-c", script, text(&xml)])
        .output()
        .unwrap_or_else(|error| panic!("python3 is needed to check the XML: {error}"));
    let result = stdout(&parsed);
    assert!(parsed.status.success(), "{}\n{}", result, stderr(&parsed));
    let mut lines = result.lines();
    assert_eq!(lines.next(), Some("4 1 4 HappyPath"));
    assert_eq!(
        lines.next(),
        Some("status: expected FAILED, got SUCCEEDED"),
        "the failure text keeps '<&>' as written: {result}"
    );
    assert!(result.contains("entered 'TransformFile'"), "{result}");
    assert!(result.contains("'TransformFile <&>'"), "{result}");
}

fn dir_file(beside: &Path, name: &str) -> PathBuf {
    beside
        .parent()
        .map_or_else(|| PathBuf::from(name), |dir| dir.join(name))
}

/// Checks TAP version 13: the version line, the plan, numbered test lines in order, YAML
/// blocks ("  ---" .. "  ...") only after a test line. Returns (ok, not ok) counts.
fn check_tap(report: &str) -> Result<(usize, usize), String> {
    let mut lines = report.lines();
    if lines.next() != Some("TAP version 13") {
        return Err("first line is not 'TAP version 13'".to_owned());
    }
    let plan = lines.next().ok_or("no plan")?;
    let planned: usize = plan
        .strip_prefix("1..")
        .and_then(|count| count.parse().ok())
        .ok_or(format!("bad plan line {plan:?}"))?;
    let (mut ok, mut not_ok, mut in_yaml, mut number) = (0, 0, false, 0);
    for line in lines {
        if in_yaml {
            if line == "  ..." {
                in_yaml = false;
            } else if !line.starts_with("  ") {
                return Err(format!("YAML block line not indented: {line:?}"));
            }
            continue;
        }
        if line == "  ---" {
            if number == 0 {
                return Err("YAML block before any test line".to_owned());
            }
            in_yaml = true;
            continue;
        }
        let (passed, rest) = if let Some(rest) = line.strip_prefix("not ok ") {
            (false, rest)
        } else if let Some(rest) = line.strip_prefix("ok ") {
            (true, rest)
        } else {
            return Err(format!("not a test line: {line:?}"));
        };
        number += 1;
        let (digits, description) = rest
            .split_once(" - ")
            .ok_or(format!("no ' - ' in {line:?}"))?;
        if digits.parse::<usize>().ok() != Some(number) {
            return Err(format!("test {number} numbered {digits}"));
        }
        if description.contains('#') && !description.contains("\\#") {
            return Err(format!("unescaped directive in {line:?}"));
        }
        if passed {
            ok += 1;
        } else {
            not_ok += 1;
        }
    }
    if in_yaml {
        return Err("unterminated YAML block".to_owned());
    }
    if number != planned {
        return Err(format!("planned {planned}, ran {number}"));
    }
    Ok((ok, not_ok))
}

#[test]
fn tap_report_follows_the_tap_13_grammar() {
    let (definition, mocks) = sample_suite_with_one_wrong_expectation("tap");
    let output = run_suite(&definition, &mocks, &["--format", "tap"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = stdout(&output);
    assert_eq!(check_tap(&report), Ok((3, 1)), "{report}");
    assert!(report.contains("not ok 3 - HappyPath"), "{report}");
    // The checker has teeth: a plan that does not match is refused.
    assert!(check_tap(&report.replace("1..4", "1..5")).is_err());
}

#[test]
fn test_case_picks_cases_and_bad_input_exits_2() {
    let (definition, mocks) = sample_suite_with_one_wrong_expectation("filter");
    let only = run_suite(
        &definition,
        &mocks,
        &["--test-case", "GlueFails", "--test-case", "LambdaRetried"],
    );
    assert_eq!(only.status.code(), Some(0), "{}", stderr(&only));
    assert!(stdout(&only).contains("2 cases: 2 passed, 0 failed"));
    let missing = run_suite(&definition, &mocks, &["--test-case", "Nope"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no test case 'Nope'"),
        "{}",
        stderr(&missing)
    );
    let mut config = read_json(&mocks);
    config["StateMachines"]["EtlPipeline"]["TestCases"]["GlueFails"]["Expect"]["Stauts"] =
        json!("FAILED");
    write_json(&mocks, &config);
    let misspelt = run_suite(&definition, &mocks, &[]);
    assert_eq!(misspelt.status.code(), Some(2));
    assert!(
        stderr(&misspelt).contains("test case 'GlueFails': Expect: unknown member 'Stauts'"),
        "{}",
        stderr(&misspelt)
    );
    let absent = run_suite(&definition, Path::new("/nonexistent/mocks.json"), &[]);
    assert_eq!(absent.status.code(), Some(2));
}

/// Generates a suite with the CLI, runs it, and returns the JSON report and the generator's
/// "not covered: LABEL: reason" lines.
fn generate_and_run(definition: &Path, dir: &Path) -> (Value, Vec<String>, PathBuf) {
    let name = definition
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let suite = dir.join(format!("{name}.suite.json"));
    let generated = run(&["test", text(definition), "--generate", "-o", text(&suite)]);
    assert_eq!(
        generated.status.code(),
        Some(0),
        "{name}: {}",
        stderr(&generated)
    );
    let gaps = stdout(&generated)
        .lines()
        .filter_map(|line| line.strip_prefix("not covered: "))
        .map(str::to_owned)
        .collect();
    let output = run_suite(definition, &suite, &["--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|error| panic!("{name}: {error}: {}", stderr(&output)));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{name}: the generated suite fails: {report}"
    );
    (report, gaps, suite)
}

/// The first Choice comparison of the definition turned into its opposite (`<` into `>=`,
/// an equality or a glob into its negation, an `Is...` test into its contrary).
fn flip_first_comparison(value: &mut Value) -> bool {
    const SWAPS: [(&str, &str); 2] = [
        ("LessThan", "GreaterThanEquals"),
        ("GreaterThan", "LessThanEquals"),
    ];
    match value {
        Value::Object(map) => {
            if map.contains_key("Variable") {
                let keys: Vec<String> = map.keys().cloned().collect();
                for key in keys {
                    if key.starts_with("Is")
                        && let Some(Value::Bool(flag)) = map.get_mut(&key)
                    {
                        *flag = !*flag;
                        return true;
                    }
                    for (from, to) in SWAPS.iter().flat_map(|(a, b)| [(a, b), (b, a)]) {
                        for family in ["String", "Numeric", "Timestamp"] {
                            for suffix in ["", "Path"] {
                                if key == format!("{family}{from}{suffix}")
                                    && let Some(operand) = map.remove(&key)
                                {
                                    map.insert(format!("{family}{to}{suffix}"), operand);
                                    return true;
                                }
                            }
                        }
                    }
                    if key.contains("Equals") || key.starts_with("StringMatches") {
                        let leaf = Value::Object(std::mem::take(map));
                        map.insert("Not".to_owned(), leaf);
                        return true;
                    }
                }
                false
            } else {
                // Choices before anything else, so that a Choice state's rule is what flips.
                map.values_mut().any(flip_first_comparison)
            }
        }
        Value::Array(items) => items.iter_mut().any(flip_first_comparison),
        _ => false,
    }
}

/// Moves `Next` (and `Comment`) from a flipped leaf back to the rule: a `Not` wrapping the whole
/// rule would otherwise hold its `Next`.
fn keep_next_on_the_rule(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(inner)) = map.get_mut("Not")
                && let Some(next) = inner.remove("Next")
            {
                map.insert("Next".to_owned(), next);
            }
            map.values_mut().for_each(keep_next_on_the_rule);
        }
        Value::Array(items) => items.iter_mut().for_each(keep_next_on_the_rule),
        _ => {}
    }
}

fn flipped_copy(definition: &Path, dir: &Path) -> Option<PathBuf> {
    let mut value = read_json(definition);
    if !flip_first_comparison(&mut value) {
        return None;
    }
    keep_next_on_the_rule(&mut value);
    let path = dir.join("flipped.asl.json");
    write_json(&path, &value);
    Some(path)
}

#[test]
fn the_generated_sample_suite_covers_everything_and_has_teeth() {
    let dir = scratch("generated-sample");
    let definition = dir.join("sample.asl.json");
    std::fs::copy(sample("sample.asl.json"), &definition).unwrap_or_else(|error| panic!("{error}"));
    let (report, gaps, suite) = generate_and_run(&definition, &dir);
    assert!(gaps.is_empty(), "{gaps:?}");
    for category in ["states", "choice_rules", "catchers", "retriers"] {
        let tally = &report["coverage"][category];
        assert_eq!(tally["covered"], tally["total"], "{category}: {tally}");
    }
    // The TestState requests beside the suite carry a result or an error per Task.
    let requests = read_json(&dir.join("sample.asl.json.suite.teststate.json"));
    let requests = requests["TestStateRequests"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        requests
            .iter()
            .any(|r| r["stateName"] == json!("TransformFile")
                && r["mock"]["errorOutput"]["error"].is_string())
    );
    assert!(
        requests
            .iter()
            .all(|r| r["mock"]["result"].is_string() || r["mock"]["errorOutput"].is_object())
    );
    let flipped = flipped_copy(&definition, &dir).unwrap_or_else(|| panic!("nothing to flip"));
    let output = run_suite(&flipped, &suite, &["--state-machine", "sample"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(stdout(&output).contains("FAIL "), "{}", stdout(&output));
}

fn corpus_with_choice_and_catch() -> Vec<PathBuf> {
    let corpus = root().join("tests/data/corpus");
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv"))
        .unwrap_or_else(|error| panic!("MANIFEST.tsv: {error}"));
    manifest
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let uses = fields.get(6)?;
            let path = fields.first()?;
            (fields.get(7) == Some(&"valid") && uses.contains("Choice") && uses.contains("Catch"))
                .then(|| corpus.join(path))
        })
        .collect()
}

/// A corpus definition as the CLI loads it (`.asl.json` or `.asl.yaml`, no substitutions).
fn load_corpus_definition(path: &Path) -> Result<Value, String> {
    match asl_codec::load::load_path(path).map_err(|error| error.to_string())? {
        asl_codec::Loaded::Asl(source) => Ok(source.value().clone()),
        asl_codec::Loaded::Template { .. } => Err("a template, not a definition".to_owned()),
    }
}

/// What generating and running a suite for one corpus definition gave.
struct CorpusResult {
    states: (usize, usize),
    rules: (usize, usize),
    gaps: Vec<simulator::generate::Gap>,
    /// Whether flipping the first Choice comparison fails a generated case (`None`: not tried).
    teeth: Option<bool>,
}

impl CorpusResult {
    fn meets_bar(&self) -> bool {
        self.states.0 == self.states.1 && self.rules.0 * 10 >= self.rules.1 * 9
    }
}

/// Generates a suite for one definition through the library, runs it as written to disk (the
/// configuration's JSON parsed back), and checks that it passes and lists every item it leaves
/// uncovered; for a definition meeting the bar, that a flipped Choice comparison fails a case.
fn generate_in_process(path: &Path) -> Result<CorpusResult, String> {
    use simulator::suite::{Suite, run_suite};
    let definition = load_corpus_definition(path)?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let machine = name
        .trim_end_matches(".json")
        .trim_end_matches(".yaml")
        .trim_end_matches(".asl")
        .to_owned();
    let options = simulator::Options {
        state_machine_name: machine.clone(),
        ..simulator::Options::default()
    };
    let generated = simulator::generate::generate(&definition, &machine, &options)
        .map_err(|error| format!("generate: {error}"))?;
    let written = generated.config.to_value();
    let config = simulator::MockConfig::parse(&written).map_err(|error| error.to_string())?;
    let suite = Suite::from_config(&config, Some(&machine), None, None)
        .map_err(|error| error.to_string())?;
    let outcome = run_suite(&definition, &suite, &[], &options).map_err(|e| e.to_string())?;
    if outcome.failed() > 0 {
        let failures: Vec<String> = outcome
            .cases
            .iter()
            .filter(|case| !case.passed())
            .map(|case| format!("{}: {:?}", case.name, case.failures))
            .collect();
        return Err(format!("the generated suite fails: {failures:?}"));
    }
    let report = outcome.coverage.report();
    // Every item the suite leaves uncovered is listed by the generator with its reason.
    for tally in [
        &report.states,
        &report.choice_rules,
        &report.catchers,
        &report.retriers,
        &report.branches,
    ] {
        for item in &tally.uncovered {
            if !generated.gaps.iter().any(|gap| &gap.item == item) {
                return Err(format!("{item} is uncovered but not listed"));
            }
        }
    }
    let mut result = CorpusResult {
        states: (report.states.covered, report.states.total),
        rules: (report.choice_rules.covered, report.choice_rules.total),
        gaps: generated.gaps,
        teeth: None,
    };
    if result.meets_bar() && result.rules.1 > 0 {
        let mut flipped = definition.clone();
        if !flip_first_comparison(&mut flipped) {
            return Err("nothing to flip".to_owned());
        }
        keep_next_on_the_rule(&mut flipped);
        let outcome = run_suite(&flipped, &suite, &[], &options).map_err(|e| e.to_string())?;
        result.teeth = Some(outcome.failed() > 0);
    }
    Ok(result)
}

/// The corpus definitions whose generated suite covers every reachable state and at least 90 %
/// of Choice rules: the bar of issue #17, held for each of them.
const MEETING_THE_BAR: &[&str] = &[
    "comment__comments_as_per_docs.asl.json",
    "sam__app-control-concurrency-with-dynamodb__dynamodb-semaphore-cleanfromincomplete.asl.json",
    "sam__app-control-concurrency-with-dynamodb__dynamodb-semaphore.asl.json",
    "sam__app-decompose-for-parallelism__distributor.asl.json",
    "sam__app-decompose-for-parallelism__main.asl.json",
    "sam__app-decompose-for-parallelism__test-result-recorder.asl.json",
    "sam__app-local-testing-mock-config__local_testing.asl.json",
    "sam__app-meeting-summarization__aquire-lock.asl.yaml",
    "sam__app-meeting-summarization__release-lock.asl.yaml",
    "sam__app-order-management__ship-order.asl.json",
    "sam__app-sfn-appflow-integration__CreateCatalogTable.asl.json",
    "sam__demo-generate-steady-state-events__event_emitter.asl.yaml",
    "account-vending-machine__statemachine.asl.json",
    "app-control-concurrency-with-dynamodb-tf__dynamodb-semaphore-cleanfromincomplete.asl.json",
    "app-control-concurrency-with-dynamodb-tf__dynamodb-semaphore.asl.json",
    "calling-async-api-callback__workflow_AsyncAPICallbackPattern.asl.json",
    "either-or-parallel-pattern__statemachine.asl.json",
    "explicit-failure-with-parallel-states__statemachine.asl.json",
    "idempotent-workflow-sam__statemachine.asl.json",
    "idempotent-workflow__statemachine.asl.json",
    "ingest-and-analyze-historical-storm-events__statemachine.asl.json",
    "parallel-agent-early-stopping__main.asl.json",
    "parallel-agent-early-stopping__worker.asl.json",
    "quorum-with-parallel-pattern__statemachine.asl.json",
    "redshift-serverless-unload__statemachine.asl.json",
    "s3-glacier-multi-file-restore-sam__statemachine.asl.json",
    "sfn-cfn-stacksets-workflow-cdk__statemachine.asl.json",
    "sfn-rds-to-aurora-migrate-postgres-cdk__statemachine.asl.json",
    "sfn-sns-task-timer__TaskTimer.asl.json",
    "step-functions-lambda-version-cleanup__statemachine.asl.json",
    "step-functions-load-testing__load-orchestrator-statemachine.asl.json",
    "webhook-provider__statemachine.asl.json",
];
/// Covered states and Choice rules over all of those definitions, as last measured.
const COVERED_STATES: usize = 380;
const COVERED_RULES: usize = 122;

#[test]
fn generated_suites_pass_on_every_corpus_definition_with_a_choice_and_a_catch() {
    let definitions = corpus_with_choice_and_catch();
    assert!(definitions.len() >= 30, "{} definitions", definitions.len());
    let mut errors = Vec::new();
    let mut full = Vec::new();
    let mut summary = Vec::new();
    let (mut states, mut rules) = ((0, 0), (0, 0));
    for definition in &definitions {
        let name = definition
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let result = match generate_in_process(definition) {
            Ok(result) => result,
            Err(error) => {
                errors.push(format!("{name}: {error}"));
                continue;
            }
        };
        states = (states.0 + result.states.0, states.1 + result.states.1);
        rules = (rules.0 + result.rules.0, rules.1 + result.rules.1);
        let mut line = format!(
            "{} {name}: states {}/{}, choice rules {}/{}",
            if result.meets_bar() { "MEETS" } else { "below" },
            result.states.0,
            result.states.1,
            result.rules.0,
            result.rules.1
        );
        for gap in &result.gaps {
            line.push_str(&format!("\n    {}: {}", gap.item, gap.reason));
        }
        summary.push(line);
        if result.meets_bar() {
            full.push(name.clone());
            // The tests have teeth: a flipped comparison fails at least one generated case.
            if result.teeth == Some(false) {
                errors.push(format!(
                    "{name}: flipping its first Choice comparison fails no generated case"
                ));
            }
        } else if MEETING_THE_BAR.contains(&name.as_str()) {
            errors.push(format!("{name} no longer meets the bar"));
        }
    }
    let report = format!(
        "{} of {} definitions: every state and >= 90 % of Choice rules covered; overall states {}/{}, Choice rules {}/{}\n{}",
        full.len(),
        definitions.len(),
        states.0,
        states.1,
        rules.0,
        rules.1,
        summary.join("\n")
    );
    // Per-file results (covered counts and every gap with its reason) for whoever works on the
    // generator: target/tmp/generated-corpus-summary.txt.
    let summary_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("generated-corpus-summary.txt");
    std::fs::write(&summary_path, &report).unwrap_or_default();
    assert!(errors.is_empty(), "{errors:#?}\n{report}");
    // Guards the generator's reach as measured when this test was last changed.
    assert!(full.len() >= MEETING_THE_BAR.len(), "{report}");
    assert!(
        states.0 >= COVERED_STATES && rules.0 >= COVERED_RULES,
        "covered states or Choice rules fell below {COVERED_STATES} / {COVERED_RULES}: {report}"
    );
}

#[test]
fn a_case_that_checks_nothing_passes_with_a_warning_naming_it() {
    let dir = scratch("unchecked");
    let mocks = dir.join("mocks.json");
    let mut config = read_json(&sample("sample.mocks.json"));
    let expect = read_json(&sample("sample.mocks.expect.json"));
    let cases = &mut config["StateMachines"]["EtlPipeline"]["TestCases"];
    for (name, expected) in expect.as_object().into_iter().flatten() {
        cases[name]["Expect"] = expected.clone();
    }
    // GlueFails sets its run up (an input) but checks nothing of it.
    cases["GlueFails"]["Expect"] = json!({"Input": {"source": "s3://bucket/key.csv"}});
    write_json(&mocks, &config);
    let output = run_suite(&sample("sample.asl.json"), &mocks, &[]);
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(report.contains("4 cases: 4 passed, 0 failed"), "{report}");
    assert!(
        report.contains("warning: GlueFails checked nothing"),
        "{report}"
    );
    // One case: the singular.
    let only = run_suite(
        &sample("sample.asl.json"),
        &mocks,
        &["--test-case", "HappyPath"],
    );
    let report = stdout(&only);
    assert!(report.contains("1 case: 1 passed, 0 failed"), "{report}");
    assert!(!report.contains("warning:"), "{report}");
}
