//! Validation against the bundled corpus and per-rule unit tests.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use graph_model::{Diagnostic, Severity, StateMachine, validate};
use serde_json::Value;

mod common;
use common::corpus;

/// Every JSON file under `dir`, which must exist (a missing corpus fails, not passes).
fn json_files(dir: &Path) -> Vec<PathBuf> {
    assert!(dir.is_dir(), "{} is missing", dir.display());
    common::files_ending(dir, ".json")
}

fn check_value(value: &Value) -> Vec<Diagnostic> {
    validate(&StateMachine::from_value(value).unwrap())
}

fn errors(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

/// Prints a file's errors, for the test log; whether it had any.
fn report_errors(file: &Path, errs: &[&Diagnostic]) -> bool {
    if errs.is_empty() {
        return false;
    }
    println!("{}", file.display());
    for d in errs {
        println!("   {} {} {}", d.code, d.pointer, d.message);
    }
    true
}

#[test]
fn real_corpus_has_no_errors() {
    let files = json_files(&corpus().join("real"));
    let mut bad = 0;
    let mut warnings = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        let diags = check_value(&value);
        let errs = errors(&diags);
        for d in diags.iter().filter(|d| d.severity == Severity::Warning) {
            warnings += 1;
            if std::env::var_os("SHOW_WARNINGS").is_some() {
                println!("warning {} {} {}", d.code, d.pointer, d.message);
            }
        }
        bad += usize::from(report_errors(file, &errs));
    }
    println!(
        "real corpus: {} files, {bad} with errors, {warnings} warnings",
        files.len()
    );
    assert_eq!(bad, 0);
}

#[test]
fn conformance_definitions_have_no_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/conformance/cases");
    let files = json_files(&dir);
    let mut bad = 0;
    for file in &files {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let diags = check_value(&case["definition"]);
        bad += usize::from(report_errors(file, &errors(&diags)));
    }
    println!(
        "conformance: {} AWS-run definitions, {bad} with errors",
        files.len()
    );
    assert_eq!(bad, 0);
}

/// Every invalid corpus file with the diagnostic that carries the expected problem (from
/// `invalid/EXPECTED.tsv`: statelint's message, asl-validator's or AWS's): code and pointer.
const INVALID: &[(&str, &str, &str)] = &[
    (
        "asl-validator/invalid-assign.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/ProvideTestData/Assign/top-level/array/0/child-1",
    ),
    (
        "asl-validator/invalid-cfn-definition-substitutions.asl.json",
        "INVALID_RESOURCE",
        "/States/X/Resource",
    ),
    (
        "asl-validator/invalid-choice-state-variable.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/ChoiceState/Choices/0/Variable",
    ),
    (
        "asl-validator/invalid-choice-state.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/ChoiceState/Choices/0",
    ),
    (
        "asl-validator/invalid-dupe-fields.asl.json",
        "DUPLICATE_FIELD_NAME",
        "/States/PassState/Parameters/dynamic/conflict.$",
    ),
    (
        "asl-validator/invalid-duplicate-fields-nested.asl.json",
        "DUPLICATE_FIELD_NAME",
        "/States/Publish to Slack/Parameters/slackMessage/blocks/0/text/type.$",
    ),
    (
        "asl-validator/invalid-duplicate-fields.asl.json",
        "DUPLICATE_FIELD_NAME",
        "/States/Publish to Slack/Parameters/slackMessage/channel",
    ),
    (
        "asl-validator/invalid-error-equals-type.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/Testing/Catch/0/ErrorEquals/0",
    ),
    (
        "asl-validator/invalid-error-equals.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/Testing/Catch/0",
    ),
    (
        "asl-validator/invalid-exercise-ajv-additional-properties.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/PassState/bugInputPath",
    ),
    (
        "asl-validator/invalid-exercise-ajv.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/PassState/InputPath",
    ),
    (
        "asl-validator/invalid-fail-dupe-cause.asl.json",
        "FAIL_CAUSE_PROPERTY",
        "/States/Hello/CausePath",
    ),
    (
        "asl-validator/invalid-fail-dupe-error.asl.json",
        "FAIL_ERROR_PROPERTY",
        "/States/Hello/ErrorPath",
    ),
    (
        "asl-validator/invalid-inexistant-state.asl.json",
        "MISSING_TRANSITION_TARGET",
        "/States/Start State/Next",
    ),
    (
        "asl-validator/invalid-json-path.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/Invalid1/ResultPath",
    ),
    (
        "asl-validator/invalid-jsonata-fields.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/EmptyState/Parameters",
    ),
    (
        "asl-validator/invalid-jsonata-path-fields.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/Verification/Branches/0/States/Check Identity/OutputPath",
    ),
    (
        "asl-validator/invalid-jsonata-surround-syntax-no-close.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/X/Output",
    ),
    (
        "asl-validator/invalid-jsonata-surround-syntax-no-open.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/X/Output",
    ),
    (
        "asl-validator/invalid-jsonata-syntax-arithmetic.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/X/Output",
    ),
    (
        "asl-validator/invalid-jsonata-syntax-jsonpath-in-jsonata-surround.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/X/Output",
    ),
    (
        "asl-validator/invalid-jsonata-syntax-mismatched-parens.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/X/Output",
    ),
    (
        "asl-validator/invalid-map-distributed.asl.json",
        "MAP_ITEMREADER_MAXITEM",
        "/States/Map/ItemReader/ReaderConfig/MaxItemsPath",
    ),
    (
        "asl-validator/invalid-map-dupe-state.asl.json",
        "DUPLICATE_STATE_NAME",
        "/States/Map/Iterator/States/Final State",
    ),
    (
        "asl-validator/invalid-map-item-batcher-dupe-subfields.asl.json",
        "MAP_ITEM_BATCHER",
        "/States/Map/ItemBatcher/MaxItemsPerBatchPath",
    ),
    (
        "asl-validator/invalid-map-items.asl.json",
        "MAP_ITEMS",
        "/States/ProcessAnimals/ItemsPath",
    ),
    (
        "asl-validator/invalid-map-missing-iterator.asl.json",
        "MAP_ITEM_PROCESSOR",
        "/States/Map",
    ),
    (
        "asl-validator/invalid-map-ob-link.asl.json",
        "MAP_OUTBOUND_TRANSITION_TARGET",
        "/States/Map/Iterator/States/ChoiceState/Choices/1/Next",
    ),
    (
        "asl-validator/invalid-map-tolerated-value.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/Map/ToleratedFailurePercentage",
    ),
    (
        "asl-validator/invalid-map-tolerated.asl.json",
        "MAP_TOLERATED_FAILURE",
        "/States/Map/ToleratedFailureCountPath",
    ),
    (
        "asl-validator/invalid-math-add.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/validate input/Parameters/foo.$",
    ),
    (
        "asl-validator/invalid-missing-terminal-map.asl.json",
        "MISSING_END_STATE",
        "/States/Map/Iterator/States",
    ),
    (
        "asl-validator/invalid-missing-terminal-parallel.asl.json",
        "MISSING_END_STATE",
        "/States/Parallel/Branches/0/States",
    ),
    (
        "asl-validator/invalid-missing-terminal.asl.json",
        "MISSING_END_STATE",
        "/States",
    ),
    (
        "asl-validator/invalid-next-with-end.asl.json",
        "TERMINAL_STATE_WITH_NEXT",
        "/States/Send SNS Message/Next",
    ),
    (
        "asl-validator/invalid-parallel-branch-type.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Branches/0",
    ),
    (
        "asl-validator/invalid-parallel-missing-branches.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/Parallel",
    ),
    (
        "asl-validator/invalid-parallel-ob-link.asl.json",
        "BRANCH_OUTBOUND_TRANSITION_TARGET",
        "/States/Parallel/Branches/1/States/ChoiceState/Choices/1/Next",
    ),
    (
        "asl-validator/invalid-payload-template.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/Hello, World/Parameters/lorem.$",
    ),
    (
        "asl-validator/invalid-state-name-too-long.asl.json",
        "INVALID_STATE_NAME",
        "/States/This is an exceptionally long state name that I know will fail when I try to deploy to AWS",
    ),
    (
        "asl-validator/invalid-task-alias-function.asl.json",
        "INVALID_RESOURCE",
        "/States/MissingAlias/Resource",
    ),
    (
        "asl-validator/invalid-task-credentials-null.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/X/Credentials",
    ),
    (
        "asl-validator/invalid-task-credentials-object.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/X/Credentials/expectPath.$",
    ),
    (
        "asl-validator/invalid-task-heartbeat.asl.json",
        "TASK_HEARTBEAT",
        "/States/X/HeartbeatSecondsPath",
    ),
    (
        "asl-validator/invalid-task-timout.asl.json",
        "TASK_TIMEOUT",
        "/States/X/TimeoutSecondsPath",
    ),
    (
        "asl-validator/invalid-unreachable-state.asl.json",
        "UNREACHABLE_STATE",
        "/States/Finished Choice",
    ),
    (
        "asl-validator/invalid-variable-result-path.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/Fin/ResultPath",
    ),
    (
        "asl-validator/invalid-wait-duration.asl.json",
        "WAIT_DURATION",
        "/States/wait_using_seconds/SecondsPath",
    ),
    (
        "localstack/credentials__empty_credentials.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/State0/Credentials",
    ),
    (
        "localstack/credentials__invalid_credentials_field.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/State0/Credentials",
    ),
    (
        "localstack/scenarios__escape_sequences_illegal_intrinsic_function.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/IntrinsicEscape/Parameters/parsed.$",
    ),
    (
        "localstack/scenarios__escape_sequences_illegal_intrinsic_function_2.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/IntrinsicEscape/Parameters/parsed.$",
    ),
    (
        "localstack/test_state__base_invalid_state_definition.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/ExistingButInvalidState/Type",
    ),
    (
        "localstack/validation__invalid_base_no_startat.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "",
    ),
    (
        "localstack/validation__invalid_downgrade_query_language.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/Pass/QueryLanguage",
    ),
    (
        "statelint/backoff-with-backoffrate-between-0-and-1.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/Retry/0/BackoffRate",
    ),
    (
        "statelint/backoff-with-backoffrate-negative.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/Retry/0/BackoffRate",
    ),
    (
        "statelint/backoff-with-invalid-jitter-on-retry.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/Retry/0/JitterStrategy",
    ),
    (
        "statelint/choice-with-parameters.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/Parameters",
    ),
    (
        "statelint/choice-with-resultpath.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/ResultPath",
    ),
    (
        "statelint/choice-with-resultselector.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/ResultSelector",
    ),
    (
        "statelint/empty-error-equals-on-catch.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/Catch/0/ErrorEquals",
    ),
    (
        "statelint/empty-error-equals-on-retry.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/Retry/0/ErrorEquals",
    ),
    (
        "statelint/fail-with-parameters.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/Parameters",
    ),
    (
        "statelint/fail-with-resultpath.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/ResultPath",
    ),
    (
        "statelint/fail-with-resultselector.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/ResultSelector",
    ),
    (
        "statelint/fail-with-static-and-dynamic-cause.asl.json",
        "FAIL_CAUSE_PROPERTY",
        "/States/FailState/CausePath",
    ),
    (
        "statelint/fail-with-static-and-dynamic-error.asl.json",
        "FAIL_ERROR_PROPERTY",
        "/States/FailState/ErrorPath",
    ),
    (
        "statelint/has-dupes.asl.json",
        "DUPLICATE_STATE_NAME",
        "/States/A/Branches/1/States/Sub2_1",
    ),
    (
        "statelint/invalid-backoff-with-jitter-on-retry.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/Retry/0/MaxDelaySeconds",
    ),
    (
        "statelint/invalid-function-invocation.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/ResultSelector/abc.$",
    ),
    (
        "statelint/linked-parallel.asl.json",
        "BRANCH_OUTBOUND_TRANSITION_TARGET",
        "/States/A/Branches/0/States/Sub1_1/Next",
    ),
    (
        "statelint/map-with-itemprocessor-and-iterator.asl.json",
        "MAP_ITEM_PROCESSOR",
        "/States/m/Iterator",
    ),
    (
        "statelint/map-with-null-itemspath.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/m/ItemsPath",
    ),
    (
        "statelint/map-with-parameters-and-itemselector.asl.json",
        "MAP_ITEM_SELECTOR",
        "/States/m/Parameters",
    ),
    (
        "statelint/no-terminal.asl.json",
        "MISSING_END_STATE",
        "/States",
    ),
    (
        "statelint/parameter-path-problems.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/FNORD/Parameters/f3/f5/1/f7/bad4.$",
    ),
    (
        "statelint/pass-with-intrinsic-function-inputpath.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/InputPath",
    ),
    (
        "statelint/pass-with-resultselector.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/ResultSelector",
    ),
    (
        "statelint/states-array-invocation-leftpad.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/ResultSelector/abc.$",
    ),
    (
        "statelint/succeed-with-parameters.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/Parameters",
    ),
    (
        "statelint/succeed-with-resultpath.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/ResultPath",
    ),
    (
        "statelint/succeed-with-resultselector.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/ResultSelector",
    ),
    (
        "statelint/task-with-invalid-credentials.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/Credentials",
    ),
    (
        "statelint/task-with-static-and-dynamic-heartbeat.asl.json",
        "TASK_HEARTBEAT",
        "/States/p/HeartbeatSecondsPath",
    ),
    (
        "statelint/task-with-static-and-dynamic-timeout.asl.json",
        "TASK_TIMEOUT",
        "/States/p/TimeoutSecondsPath",
    ),
    (
        "statelint/wait-with-parameters.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/Parameters",
    ),
    (
        "statelint/wait-with-resultpath.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/ResultPath",
    ),
    (
        "statelint/wait-with-resultselector.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/p/ResultSelector",
    ),
    (
        "workflows-collection/shared-fallback-state-jsonata__statemachine.asl.json",
        "SCHEMA_VALIDATION_FAILED",
        "/States/QueryLanguage",
    ),
];

/// asl-validator fixtures that only asl-validator rejects, for JSONata delimiter spacing
/// (`{%10%}`, a newline after `{% `). AWS runs published samples written `{%$f() %}` and
/// `{% $x%}`, so we accept the spacing; the expressions themselves parse.
const ACCEPTED_AS_AWS_DOES: &[&str] = &[
    "asl-validator/invalid-json-surround-syntax-extra-spaces.asl.json",
    "asl-validator/invalid-jsonata-surround-syntax-no-spaces.asl.json",
];

#[test]
fn invalid_corpus_reports_the_expected_problem() {
    let root = corpus().join("invalid");
    let mut checked = 0;
    let mut total_errors = 0;
    let mut failures = Vec::new();
    for file in json_files(&root) {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let value: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let diags = check_value(&value);
        let errs = errors(&diags);
        total_errors += errs.len();
        if ACCEPTED_AS_AWS_DOES.contains(&rel.as_str()) {
            if !errs.is_empty() {
                failures.push(format!("{rel}: expected no error, got {errs:?}"));
            }
            continue;
        }
        checked += 1;
        let Some(&(_, code, pointer)) = INVALID.iter().find(|(name, _, _)| *name == rel) else {
            failures.push(format!(
                "{rel}: not in the expectation table; errors: {errs:?}"
            ));
            continue;
        };
        if !errs.iter().any(|d| d.code == code && d.pointer == pointer) {
            failures.push(format!(
                "{rel}: expected {code} at {pointer:?}, got {errs:#?}"
            ));
        }
        for d in &errs {
            assert!(d.message.len() > 10, "{rel}: message too short: {d:?}");
        }
    }
    println!(
        "invalid corpus: {checked} files checked against the table, {total_errors} errors in all, {} accepted as AWS does",
        ACCEPTED_AS_AWS_DOES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, INVALID.len());
}

/// A generated benchmark machine of about `states` states (None when python3 is missing).
fn generated(states: usize) -> Option<StateMachine> {
    let value = generated_value(states)?;
    Some(StateMachine::from_value(&value).unwrap())
}

/// The definition `tests/data/bench/gen_asl.py` generates with `states` states.
fn generated_value(states: usize) -> Option<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bench/gen_asl.py");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(states.to_string())
        .output()
        .ok()?;
    assert!(output.status.success(), "gen_asl.py failed");
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

/// CPU time of this thread (utime + stime, in clock ticks of 10 ms): the machine is shared, so
/// wall time says little.
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// The best of a few runs: the machine is shared, one run can lose its core.
fn best_time(machine: &StateMachine) -> (std::time::Duration, Vec<Diagnostic>) {
    let mut elapsed = std::time::Duration::MAX;
    let mut diags = Vec::new();
    for _ in 0..5 {
        let started = std::time::Instant::now();
        diags = validate(machine);
        elapsed = elapsed.min(started.elapsed());
    }
    (elapsed, diags)
}

#[test]
fn ten_thousand_states_validate_fast_and_clean() {
    let Some(machine) = generated(10_000) else {
        println!("python3 not available: skipping the 10,000-state benchmark");
        return;
    };
    let states = machine.total_states();
    let (elapsed, diags) = best_time(&machine);
    println!(
        "validated {states} states in {elapsed:?} ({} diagnostics)",
        diags.len()
    );
    assert!(states >= 9_000, "{states}");
    // gen_asl.py adds a Fail state to some branches that nothing leads to (AWS rejects those); every
    // other rule finds nothing.
    let unreachable = diags
        .iter()
        .filter(|d| d.code == "UNREACHABLE_STATE")
        .count();
    let unexpected: Vec<&Diagnostic> = errors(&diags)
        .into_iter()
        .filter(|d| d.code != "UNREACHABLE_STATE")
        .collect();
    println!("{unreachable} unreachable Fail states in the generated machine");
    assert!(
        unexpected.is_empty(),
        "{:?}",
        &unexpected[..unexpected.len().min(5)]
    );
    // Measured linear (see `profile_scaling`: 22 ms CPU at 10,000 states, 49 ms at 20,000, in
    // release on a busy machine); wall time on a shared machine is too noisy for a ratio, so this
    // bound only catches a blow-up.
    assert!(elapsed.as_secs() < 3, "{elapsed:?}");
}

#[test]
#[ignore = "profiling aid: loops validate over the 10,000-state machine"]
fn profile_validate_loop() {
    let value = generated_value(10_000).unwrap();
    let machine = StateMachine::from_value(&value).unwrap();
    let started = std::time::Instant::now();
    let ticks = cpu_ticks();
    for _ in 0..100 {
        std::hint::black_box(validate(&machine));
    }
    println!(
        "100 runs: {:?} wall, {} ms CPU",
        started.elapsed(),
        (cpu_ticks() - ticks) * 10
    );
    let ticks = cpu_ticks();
    for _ in 0..10 {
        std::hint::black_box(StateMachine::from_value(&value).unwrap());
    }
    println!(
        "for scale, 10 model builds: {} ms CPU",
        (cpu_ticks() - ticks) * 10
    );
}

// ---------------------------------------------------------------------------------------------
// One test per rule, on small documents.

use serde_json::json;

/// The errors of a document as `(code, pointer)` pairs.
fn problems(doc: &Value) -> Vec<(String, String)> {
    errors(&check_value(doc))
        .into_iter()
        .map(|d| (d.code.clone(), d.pointer.clone()))
        .collect()
}

#[track_caller]
fn assert_has(doc: &Value, code: &str, pointer: &str) {
    let found = problems(doc);
    assert!(
        found.iter().any(|(c, p)| c == code && p == pointer),
        "expected {code} at {pointer:?}, got {found:#?}"
    );
}

/// [`assert_has`] for each of `pointers`.
#[track_caller]
fn assert_has_all(doc: &Value, code: &str, pointers: &[&str]) {
    for pointer in pointers {
        assert_has(doc, code, pointer);
    }
}

#[track_caller]
fn assert_clean(doc: &Value) {
    let found = check_value(doc);
    assert!(
        errors(&found).is_empty(),
        "expected no errors, got {found:#?}"
    );
}

/// A machine whose only state is `A`.
fn one(state: Value) -> Value {
    json!({"StartAt": "A", "States": {"A": state}})
}

/// A machine whose state `A` (JSONata) is the only one.
fn one_jsonata(state: Value) -> Value {
    json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": state}})
}

fn task(extra: Value) -> Value {
    let mut state =
        json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true});
    if let (Some(base), Some(more)) = (state.as_object_mut(), extra.as_object()) {
        base.extend(more.clone());
    }
    state
}

#[test]
fn start_at_must_exist_and_name_a_state() {
    assert_has(
        &json!({"States": {"A": {"Type": "Succeed"}}}),
        "SCHEMA_VALIDATION_FAILED",
        "",
    );
    assert_has(
        &json!({"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}),
        "MISSING_TRANSITION_TARGET",
        "/StartAt",
    );
    assert_has(&json!({"StartAt": "A"}), "SCHEMA_VALIDATION_FAILED", "");
    assert_has(
        &json!({"StartAt": "A", "States": {}}),
        "SCHEMA_VALIDATION_FAILED",
        "/States",
    );
    assert_has(
        &json!({"StartAt": 3, "States": {"A": {"Type": "Succeed"}}}),
        "SCHEMA_VALIDATION_FAILED",
        "/StartAt",
    );
}

#[test]
fn transitions_must_name_existing_states() {
    let doc = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "Nope"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Gone"}], "Default": "Lost"},
        "C": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Missing"}]}
    }});
    assert_has_all(
        &doc,
        "MISSING_TRANSITION_TARGET",
        &[
            "/States/A/Next",
            "/States/B/Choices/0/Next",
            "/States/B/Default",
            "/States/C/Catch/0/Next",
        ],
    );
}

#[test]
fn unreachable_states_are_errors() {
    let doc = json!({"StartAt": "A", "States": {
        "A": {"Type": "Succeed"},
        "Island": {"Type": "Pass", "End": true}
    }});
    assert_has(&doc, "UNREACHABLE_STATE", "/States/Island");
    // Reached only through a Catch: reachable.
    assert_clean(&json!({"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}]},
        "F": {"Type": "Fail"}
    }}));
}

#[test]
fn a_machine_needs_a_terminal_state() {
    let doc = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "Next": "A"}
    }});
    assert_has(&doc, "MISSING_END_STATE", "/States");
}

#[test]
fn end_and_next_are_exclusive_and_one_is_required() {
    let doc = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B", "End": true},
        "B": {"Type": "Pass"}
    }});
    assert_has(&doc, "TERMINAL_STATE_WITH_NEXT", "/States/A/Next");
    assert_has(&doc, "SCHEMA_VALIDATION_FAILED", "/States/B");
    assert_has(
        &one(json!({"Type": "Wait", "Seconds": 1, "End": false})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    );
    assert_has(
        &one(json!({"Type": "Succeed", "Next": "A"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Next",
    );
    assert_has(
        &one(json!({"Type": "Fail", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/End",
    );
}

#[test]
fn state_names_are_unique_across_nested_machines() {
    let doc = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}},
            {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}
        ]}
    }});
    assert_has(
        &doc,
        "DUPLICATE_STATE_NAME",
        "/States/P/Branches/1/States/X",
    );
    let doc = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "M", "States": {"M": {"Type": "Succeed"}}}}
    }});
    assert_has(
        &doc,
        "DUPLICATE_STATE_NAME",
        "/States/M/ItemProcessor/States/M",
    );
}

#[test]
fn nested_machines_cannot_transition_out() {
    let doc = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "After", "Branches": [
            {"StartAt": "In", "States": {"In": {"Type": "Pass", "Next": "After"}}}
        ]},
        "After": {"Type": "Map", "End": true, "Iterator": {"StartAt": "Inner", "States": {
            "Inner": {"Type": "Pass", "Next": "P"}}}}
    }});
    assert_has(
        &doc,
        "BRANCH_OUTBOUND_TRANSITION_TARGET",
        "/States/P/Branches/0/States/In/Next",
    );
    assert_has(
        &doc,
        "MAP_OUTBOUND_TRANSITION_TARGET",
        "/States/After/Iterator/States/Inner/Next",
    );
}

#[test]
fn choice_rules_need_exactly_one_operator() {
    let doc = one(json!({"Type": "Choice", "Choices": [
        {"Variable": "$.x", "Next": "A"},
        {"Variable": "$.x", "StringEquals": "a", "NumericEquals": 1, "Next": "A"},
        {"Not": {"Variable": "$.x"}, "Next": "A"}
    ], "Default": "A"}));
    assert_has_all(
        &doc,
        "SCHEMA_VALIDATION_FAILED",
        &[
            "/States/A/Choices/0",
            "/States/A/Choices/1/NumericEquals",
            "/States/A/Choices/2/Not",
        ],
    );
}

#[test]
fn choice_operands_have_the_operator_type() {
    let rules = json!([
        {"Variable": "$.x", "StringEquals": 1, "Next": "B"},
        {"Variable": "$.x", "NumericLessThan": "1", "Next": "B"},
        {"Variable": "$.x", "BooleanEquals": "true", "Next": "B"},
        {"Variable": "$.x", "TimestampEquals": "2020-01-01", "Next": "B"},
        {"Variable": "$.x", "StringEqualsPath": "x", "Next": "B"},
        {"Variable": "$.x", "IsPresent": "yes", "Next": "B"},
        {"Variable": "x", "IsNull": true, "Next": "B"},
        {"And": [{"Variable": "$.x", "NumericEquals": true}], "Next": "B"},
        {"Variable": "$.x", "TimestampGreaterThan": "2020-01-01T00:00:00Z", "Next": "B"},
        {"Variable": "$.x", "NumericEqualsPath": "$.y", "Next": "B"}
    ]);
    let doc = json!({"StartAt": "A", "States": {
        "A": {"Type": "Choice", "Choices": rules, "Default": "B"},
        "B": {"Type": "Succeed"}
    }});
    for (index, op) in [
        (0, "StringEquals"),
        (1, "NumericLessThan"),
        (2, "BooleanEquals"),
        (3, "TimestampEquals"),
        (4, "StringEqualsPath"),
        (5, "IsPresent"),
    ] {
        assert_has(
            &doc,
            "SCHEMA_VALIDATION_FAILED",
            &format!("/States/A/Choices/{index}/{op}"),
        );
    }
    assert_has(
        &doc,
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/6/Variable",
    );
    assert_has(
        &doc,
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/7/And/0/NumericEquals",
    );
    let found = problems(&doc);
    assert!(
        !found
            .iter()
            .any(|(_, p)| p.starts_with("/States/A/Choices/8")),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(_, p)| p.starts_with("/States/A/Choices/9")),
        "{found:?}"
    );
}

#[test]
fn choice_needs_choices_and_has_no_next() {
    assert_has(
        &one(json!({"Type": "Choice", "Default": "A"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    );
    assert_has(
        &one(json!({"Type": "Choice", "Choices": [], "Default": "A"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices",
    );
    let doc = one(json!({"Type": "Choice", "Next": "A",
        "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "A"}]}));
    assert_has(&doc, "SCHEMA_VALIDATION_FAILED", "/States/A/Next");
    let doc = one(json!({"Type": "Choice", "Default": "A",
        "Choices": [{"Not": {"Variable": "$.x", "IsPresent": true, "Next": "A"}, "Next": "A"}]}));
    assert_has(
        &doc,
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/0/Not/Next",
    );
}

#[test]
fn retry_fields_are_range_checked() {
    let doc = one(task(json!({"Retry": [
        {"ErrorEquals": []},
        {"ErrorEquals": ["States.ALL", "X"]},
        {"ErrorEquals": ["E"], "IntervalSeconds": 0, "MaxAttempts": -1, "BackoffRate": 0.5,
         "MaxDelaySeconds": 0, "JitterStrategy": "SOME"},
        {"ErrorEquals": ["E"], "IntervalSeconds": 1.5, "MaxAttempts": 2.5, "Bogus": 1},
        {"ErrorEquals": ["States.ALL"]},
        {"ErrorEquals": ["Last"]}
    ]})));
    for pointer in [
        "/States/A/Retry/0/ErrorEquals",
        "/States/A/Retry/1/ErrorEquals",
        "/States/A/Retry/2/IntervalSeconds",
        "/States/A/Retry/2/MaxAttempts",
        "/States/A/Retry/2/BackoffRate",
        "/States/A/Retry/2/MaxDelaySeconds",
        "/States/A/Retry/2/JitterStrategy",
        "/States/A/Retry/3/IntervalSeconds",
        "/States/A/Retry/3/MaxAttempts",
        "/States/A/Retry/3/Bogus",
        "/States/A/Retry/4/ErrorEquals",
    ] {
        assert_has(&doc, "SCHEMA_VALIDATION_FAILED", pointer);
    }
    assert_clean(&one(task(json!({"Retry": [
        {"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 3, "MaxAttempts": 0, "BackoffRate": 1.5,
         "MaxDelaySeconds": 10, "JitterStrategy": "FULL"},
        {"ErrorEquals": ["States.ALL"]}
    ]}))));
}

#[test]
fn catchers_need_error_equals_and_next() {
    let doc = json!({"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true, "Catch": [
            {"ErrorEquals": ["States.ALL"], "Next": "F"},
            {"ErrorEquals": [true], "Next": "F"},
            {"Next": "F"},
            {"ErrorEquals": ["X"]},
            {"ErrorEquals": ["Y"], "Next": "F", "ResultPath": "$$.bad"}
        ]},
        "F": {"Type": "Fail"}
    }});
    assert_has_all(
        &doc,
        "SCHEMA_VALIDATION_FAILED",
        &[
            "/States/A/Catch/0/ErrorEquals",
            "/States/A/Catch/1/ErrorEquals/0",
            "/States/A/Catch/2",
            "/States/A/Catch/3",
            "/States/A/Catch/4/ResultPath",
        ],
    );
}

#[test]
fn fields_must_be_allowed_for_the_state_type() {
    assert_has(
        &one(task(json!({"Result": 1}))),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Result",
    );
    assert_has(
        &one(json!({"Type": "Pass", "End": true, "ResultSelector": {}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/ResultSelector",
    );
    assert_has(
        &one(json!({"Type": "Succeed", "Parameters": {}})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Parameters",
    );
    assert_has(
        &one(json!({"Type": "Fail", "InputPath": "$"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/InputPath",
    );
    assert_has(
        &one(json!({"Type": "Wait", "Seconds": 1, "End": true, "Retry": []})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Retry",
    );
    assert_has(
        &one(json!({"Type": "Pass", "End": true, "Colour": "red"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Colour",
    );
    assert_has(
        &one(task(json!({"TimeoutSeconds": true}))),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/TimeoutSeconds",
    );
    assert_has(
        &json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}, "Extra": 1}),
        "SCHEMA_VALIDATION_FAILED",
        "/Extra",
    );
    assert_has(
        &json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}, "Version": "2.0"}),
        "SCHEMA_VALIDATION_FAILED",
        "/Version",
    );
}

#[test]
fn mutually_exclusive_fields() {
    assert_has(
        &one(task(
            json!({"TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t"}),
        )),
        "TASK_TIMEOUT",
        "/States/A/TimeoutSecondsPath",
    );
    assert_has(
        &one(task(
            json!({"HeartbeatSeconds": 5, "HeartbeatSecondsPath": "$.t"}),
        )),
        "TASK_HEARTBEAT",
        "/States/A/HeartbeatSecondsPath",
    );
    assert_has(
        &one(json!({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"})),
        "FAIL_ERROR_PROPERTY",
        "/States/A/ErrorPath",
    );
    assert_has(
        &one(json!({"Type": "Fail", "Cause": "C", "CausePath": "$.c"})),
        "FAIL_CAUSE_PROPERTY",
        "/States/A/CausePath",
    );
    assert_has(
        &one(json!({"Type": "Wait", "End": true})),
        "WAIT_DURATION",
        "/States/A",
    );
    assert_has(
        &one(
            json!({"Type": "Wait", "Seconds": 1, "Timestamp": "2020-01-01T00:00:00Z", "End": true}),
        ),
        "WAIT_DURATION",
        "/States/A/Timestamp",
    );
    let processor = json!({"StartAt": "I", "States": {"I": {"Type": "Succeed"}}});
    let processor2 = json!({"StartAt": "J", "States": {"J": {"Type": "Succeed"}}});
    let map = |extra: Value| {
        let mut state = json!({"Type": "Map", "End": true, "ItemProcessor": processor.clone()});
        if let (Some(base), Some(more)) = (state.as_object_mut(), extra.as_object()) {
            base.extend(more.clone());
        }
        one(state)
    };
    assert_has(
        &map(json!({"Iterator": processor2})),
        "MAP_ITEM_PROCESSOR",
        "/States/A/Iterator",
    );
    assert_has(
        &one(json!({"Type": "Map", "End": true})),
        "MAP_ITEM_PROCESSOR",
        "/States/A",
    );
    assert_has(
        &map(json!({"ItemSelector": {}, "Parameters": {}})),
        "MAP_ITEM_SELECTOR",
        "/States/A/Parameters",
    );
    assert_has(
        &map(json!({"ToleratedFailureCount": 1, "ToleratedFailureCountPath": "$.n"})),
        "MAP_TOLERATED_FAILURE",
        "/States/A/ToleratedFailureCountPath",
    );
    assert_has(
        &map(json!({"ToleratedFailurePercentage": 1, "ToleratedFailurePercentagePath": "$.n"})),
        "MAP_TOLERATED_FAILURE",
        "/States/A/ToleratedFailurePercentagePath",
    );
    assert_has(
        &map(json!({"MaxConcurrency": 1, "MaxConcurrencyPath": "$.n"})),
        "MAP_MAX_CONCURRENCY",
        "/States/A/MaxConcurrencyPath",
    );
    assert_has(
        &map(
            json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"MaxItems": 1, "MaxItemsPath": "$.m"}}}),
        ),
        "MAP_ITEMREADER_MAXITEM",
        "/States/A/ItemReader/ReaderConfig/MaxItemsPath",
    );
    assert_has(
        &map(json!({"ItemBatcher": {"MaxItemsPerBatch": 1, "MaxItemsPerBatchPath": "$.m"}})),
        "MAP_ITEM_BATCHER",
        "/States/A/ItemBatcher/MaxItemsPerBatchPath",
    );
    assert_has(
        &map(json!({"ToleratedFailurePercentage": 101})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/ToleratedFailurePercentage",
    );
    assert_has(
        &map(json!({"ItemsPath": null})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/ItemsPath",
    );
}

#[test]
fn heartbeat_must_be_below_timeout() {
    assert_has(
        &one(task(json!({"TimeoutSeconds": 10, "HeartbeatSeconds": 10}))),
        "TASK_HEARTBEAT",
        "/States/A/HeartbeatSeconds",
    );
    assert_has(
        &one(task(json!({"TimeoutSeconds": 0}))),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/TimeoutSeconds",
    );
    assert_clean(&one(task(
        json!({"TimeoutSeconds": 10, "HeartbeatSeconds": 9}),
    )));
}

#[test]
fn credentials_must_be_an_object_with_a_role() {
    assert_has(
        &one(task(json!({"Credentials": "arn"}))),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Credentials",
    );
    assert_has(
        &one_jsonata(task(json!({"Credentials": {}}))),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Credentials",
    );
    assert_has(
        &one(task(json!({"Credentials": {"RoleArn.$": "bad"}}))),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Credentials/RoleArn.$",
    );
    assert_clean(&one(task(json!({"Credentials": {"RoleArn.$": "$.role"}}))));
    assert_clean(&one_jsonata(task(
        json!({"Credentials": {"RoleArn": "{% $role %}"}}),
    )));
}

#[test]
fn path_fields_are_checked() {
    let bad = [
        (
            json!({"Type": "Pass", "End": true, "InputPath": "foo"}),
            "/States/A/InputPath",
        ),
        (
            json!({"Type": "Pass", "End": true, "ResultPath": "$.a[*]"}),
            "/States/A/ResultPath",
        ),
        (
            json!({"Type": "Pass", "End": true, "ResultPath": "$$.a"}),
            "/States/A/ResultPath",
        ),
        (
            json!({"Type": "Wait", "End": true, "SecondsPath": "$.a[?(@.x)]"}),
            "/States/A/SecondsPath",
        ),
        (
            json!({"Type": "Wait", "End": true, "Timestamp": "2020-01-01t00:00:00Z"}),
            "/States/A/Timestamp",
        ),
    ];
    for (state, pointer) in bad {
        assert_has(&one(state), "SCHEMA_VALIDATION_FAILED", pointer);
    }
    assert_clean(&one(
        json!({"Type": "Pass", "End": true, "InputPath": "$.[0]", "OutputPath": "$.[*].['bucket','key']",
        "ResultPath": null}),
    ));
    assert_clean(&one(
        json!({"Type": "Pass", "End": true, "InputPath": "$.[?(@.OU > 0)]"}),
    ));
    assert_clean(&one(
        json!({"Type": "Fail", "ErrorPath": "States.Format('E{}', $.code)", "CausePath": "$.cause"}),
    ));
}

#[test]
fn payload_templates_check_dollar_keys_everywhere() {
    let doc = one(json!({"Type": "Pass", "End": true, "Parameters": {
        "ok.$": "$.a",
        "fn.$": "States.Format('{} {}', $.a, $.b)",
        "nested": {"list": [{"deep.$": "not a path"}, [{"deeper.$": 7}]]},
        "arity.$": "States.ArrayLength()",
        "unknown.$": "States.Nope($.a)",
        "dup": 1,
        "dup.$": "$.dup",
        "context.$": "$$.Execution.Id",
        "variable.$": "$myVar.field"
    }}));
    assert_has_all(
        &doc,
        "SCHEMA_VALIDATION_FAILED",
        &[
            "/States/A/Parameters/nested/list/0/deep.$",
            "/States/A/Parameters/nested/list/1/0/deeper.$",
            "/States/A/Parameters/arity.$",
            "/States/A/Parameters/unknown.$",
        ],
    );
    assert_has(&doc, "DUPLICATE_FIELD_NAME", "/States/A/Parameters/dup.$");
    let found = problems(&doc);
    for fine in ["ok.$", "fn.$", "context.$", "variable.$"] {
        let pointer = format!("/States/A/Parameters/{fine}");
        assert!(
            !found.iter().any(|(_, p)| *p == pointer),
            "{fine}: {found:?}"
        );
    }
    assert_has(
        &one(task(
            json!({"ResultSelector": {"x.$": "States.StringToJson('{\\\"a\\\": 1}')"}}),
        )),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/ResultSelector/x.$",
    );
}

#[test]
fn jsonata_expressions_must_parse() {
    let doc = one_jsonata(json!({"Type": "Pass", "End": true,
        "Output": {"ok": "{% $states.input.a %}", "bad": "{% 1 + %}", "open": "{% $x"}}));
    assert_has(&doc, "SCHEMA_VALIDATION_FAILED", "/States/A/Output/bad");
    assert_has(&doc, "SCHEMA_VALIDATION_FAILED", "/States/A/Output/open");
    assert!(!problems(&doc).iter().any(|(_, p)| p.ends_with("/ok")));
    let doc = one_jsonata(json!({"Type": "Choice", "Default": "A",
        "Choices": [{"Condition": "{% $states.input.x = %}", "Next": "A"}]}));
    assert_has(
        &doc,
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/0/Condition",
    );
    assert_has(
        &one_jsonata(json!({"Type": "Wait", "End": true, "Seconds": "{% 1 + %}"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Seconds",
    );
    assert_clean(&one_jsonata(
        json!({"Type": "Wait", "End": true, "Seconds": "{% $states.input.n %}"}),
    ));
    // In a JSONPath state a `{% %}` string is not an expression: a number field rejects it.
    assert_has(
        &one(json!({"Type": "Wait", "End": true, "Seconds": "{% 3 %}"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Seconds",
    );
}

#[test]
fn query_languages_do_not_mix() {
    let doc = one_jsonata(
        json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
        "Parameters": {}, "InputPath": "$", "ResultPath": "$.r", "ResultSelector": {}, "OutputPath": "$",
        "TimeoutSecondsPath": "$.t"}),
    );
    for field in [
        "Parameters",
        "InputPath",
        "ResultPath",
        "ResultSelector",
        "OutputPath",
        "TimeoutSecondsPath",
    ] {
        assert_has(
            &doc,
            "SCHEMA_VALIDATION_FAILED",
            &format!("/States/A/{field}"),
        );
    }
    let doc = one(
        json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
        "Arguments": {}, "Output": {}}),
    );
    assert_has(&doc, "SCHEMA_VALIDATION_FAILED", "/States/A/Arguments");
    assert_has(&doc, "SCHEMA_VALIDATION_FAILED", "/States/A/Output");
    let doc = one(
        json!({"Type": "Choice", "Default": "A", "Choices": [{"Condition": "{% true %}", "Next": "A"}]}),
    );
    assert_has(
        &doc,
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/0/Condition",
    );
    let doc = one_jsonata(json!({"Type": "Pass", "End": true, "QueryLanguage": "JSONPath"}));
    assert_has(&doc, "SCHEMA_VALIDATION_FAILED", "/States/A/QueryLanguage");
    // Nested states without QueryLanguage use the top-level language, not their Map's.
    let doc = one(
        json!({"Type": "Map", "QueryLanguage": "JSONata", "End": true,
        "Items": "{% $states.input.list %}",
        "ItemProcessor": {"StartAt": "I", "States": {
            "I": {"Type": "Pass", "Parameters": {"v.$": "$"}, "Next": "J"},
            "J": {"Type": "Pass", "Output": "{% 1 %}", "End": true}}}}),
    );
    let found = problems(&doc);
    assert_eq!(
        found,
        vec![(
            "SCHEMA_VALIDATION_FAILED".to_owned(),
            "/States/A/ItemProcessor/States/J/Output".to_owned()
        )]
    );
    // A JSONata state inside a JSONPath machine is fine.
    assert_clean(&one(
        json!({"Type": "Pass", "End": true, "QueryLanguage": "JSONata", "Output": "{% 1 %}"}),
    ));
    assert_has(
        &one(json!({"Type": "Pass", "End": true, "QueryLanguage": "JSONPathX"})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/QueryLanguage",
    );
}

#[test]
fn state_shape_and_type() {
    assert_has(
        &one(json!({"Type": "Sleep", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Type",
    );
    assert_has(
        &one(json!({"End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    );
    assert_has(
        &json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": "oops"}}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/B",
    );
    assert_has(
        &one(json!({"Type": "Parallel", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    );
    assert_has(
        &one(json!({"Type": "Parallel", "End": true, "Branches": [1]})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Branches/0",
    );
    assert_has(
        &one(json!({"Type": "Parallel", "End": true, "Branches": []})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Branches",
    );
    assert_has(
        &one(json!({"Type": "Task", "End": true})),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    );
    let long = "N".repeat(81);
    assert_has(
        &json!({"StartAt": long, "States": {long.clone(): {"Type": "Succeed"}}}),
        "INVALID_STATE_NAME",
        &format!("/States/{long}"),
    );
}

#[test]
fn pointers_escape_state_names() {
    let doc = json!({"StartAt": "a/b~c", "States": {"a/b~c": {"Type": "Pass", "Next": "missing"}}});
    assert_has(&doc, "MISSING_TRANSITION_TARGET", "/States/a~1b~0c/Next");
}

#[test]
fn resources_are_uris() {
    assert_has(
        &one(task(json!({"Resource": "not a uri"}))),
        "INVALID_RESOURCE",
        "/States/A/Resource",
    );
    assert_has(
        &one(task(
            json!({"Resource": "arn:aws:lambda:us-east-1:1:function:f:"}),
        )),
        "INVALID_RESOURCE",
        "/States/A/Resource",
    );
    assert_has(
        &one(task(json!({"Resource": "${Fn"}))),
        "INVALID_RESOURCE",
        "/States/A/Resource",
    );
    assert_clean(&one(task(
        json!({"Resource": "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST"}),
    )));
}

#[test]
fn substitution_placeholders_are_accepted() {
    let doc = json!({"StartAt": "A", "TimeoutSeconds": "${MachineTimeout}", "States": {
        "A": {"Type": "Task", "Resource": "${MyFunctionArn}", "TimeoutSeconds": "${Timeout}",
              "HeartbeatSeconds": "${Heartbeat}", "Next": "B",
              "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": "${Attempts}", "BackoffRate": "${Rate}"}]},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": "${Limit}", "Next": "C"}], "Default": "C"},
        "C": {"Type": "Wait", "Seconds": "${Delay}", "Next": "D"},
        "D": {"Type": "Task", "Resource": {"Fn::GetAtt": ["Fn", "Arn"]}, "End": true,
              "Parameters": {"FunctionName": "${Fn}", "Payload.$": "$"}}
    }});
    assert_clean(&doc);
}

#[test]
fn aws_style_warnings() {
    let doc = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Parameters": {"literal": "$.looks.like.a.path", "fine": "text"}, "Next": "B"},
        "B": {"Type": "Pass", "Result": {"x.$": "$.never"}, "Next": "C"},
        "C": {"Type": "Fail", "Error": "$.error"}
    }});
    let diags = check_value(&doc);
    assert!(errors(&diags).is_empty(), "{diags:#?}");
    let warned = |code: &str, pointer: &str| {
        diags
            .iter()
            .any(|d| d.severity == Severity::Warning && d.code == code && d.pointer == pointer)
    };
    assert!(
        warned("NO_DOLLAR", "/States/A/Parameters/literal"),
        "{diags:#?}"
    );
    assert!(
        warned("PASS_RESULT_IS_STATIC", "/States/B/Result/x.$"),
        "{diags:#?}"
    );
    assert!(warned("NO_PATH", "/States/C/Error"), "{diags:#?}");
    assert_eq!(diags.len(), 3, "{diags:#?}");
}

#[test]
#[ignore = "profiling aid: CPU time per state at 1,000 and 10,000 states"]
fn profile_scaling() {
    for (states, runs) in [
        (1_000, 400),
        (2_500, 160),
        (5_000, 80),
        (10_000, 40),
        (20_000, 20),
    ] {
        let machine = generated(states).unwrap();
        let ticks = cpu_ticks();
        for _ in 0..runs {
            std::hint::black_box(validate(&machine));
        }
        println!(
            "{states} states: {} ms CPU per run",
            (cpu_ticks() - ticks) as f64 * 10.0 / f64::from(runs)
        );
    }
}
