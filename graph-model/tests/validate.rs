//! Validation against the bundled corpus and per-rule unit tests.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use graph_model::{Diagnostic, Severity, StateMachine, validate};
use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/corpus")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
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

#[test]
fn real_corpus_has_no_errors() {
    let files = json_files(&corpus().join("real"));
    let mut bad = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        let diags = check_value(&value);
        let errs = errors(&diags);
        if !errs.is_empty() {
            bad += 1;
            println!("{}", file.display());
            for d in errs {
                println!("   {} {} {}", d.code, d.pointer, d.message);
            }
        }
    }
    println!("real corpus: {} files, {bad} with errors", files.len());
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
        let errs = errors(&diags);
        if !errs.is_empty() {
            bad += 1;
            println!("{}", file.display());
            for d in errs {
                println!("   {} {} {}", d.code, d.pointer, d.message);
            }
        }
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

#[test]
fn ten_thousand_states_validate_fast_and_clean() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bench/gen_asl.py");
    let Ok(output) = std::process::Command::new("python3")
        .arg(&script)
        .arg("10000")
        .output()
    else {
        println!("python3 not available: skipping the 10,000-state benchmark");
        return;
    };
    assert!(output.status.success(), "gen_asl.py failed");
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    let machine = StateMachine::from_value(&value).unwrap();
    let states = machine.total_states();
    // The best of a few runs: the machine is shared, one run can lose its core.
    let mut elapsed = std::time::Duration::MAX;
    let mut diags = Vec::new();
    for _ in 0..5 {
        let started = std::time::Instant::now();
        diags = validate(&machine);
        elapsed = elapsed.min(started.elapsed());
    }
    println!(
        "validated {states} states in {elapsed:?} ({} diagnostics)",
        diags.len()
    );
    assert!(states >= 9_000, "{states}");
    // gen_asl.py adds a Fail state to some branches that nothing leads to (AWS rejects those); every
    // other rule finds nothing.
    let unreachable = diags.iter().filter(|d| d.code == "UNREACHABLE_STATE").count();
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
    // Linear work takes a few ms (release); a quadratic pass would take seconds even here.
    assert!(elapsed.as_millis() < 1_000, "{elapsed:?}");
}

#[test]
#[ignore = "profiling aid: loops validate over the 10,000-state machine"]
fn profile_validate_loop() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bench/gen_asl.py");
    let output = std::process::Command::new("python3").arg(&script).arg("10000").output().unwrap();
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    let machine = StateMachine::from_value(&value).unwrap();
    let started = std::time::Instant::now();
    for _ in 0..30 {
        std::hint::black_box(validate(&machine));
    }
    println!("30 runs: {:?}", started.elapsed());
}
