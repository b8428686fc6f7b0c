//! Runs every AWS-recorded conformance case (tests/data/conformance/cases) through the simulator and
//! compares status, output or error and cause as tests/data/conformance/README.md describes.

#![allow(
    clippy::print_stderr,
    reason = "the per-area summary is the point of this test's output"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
// Numbers compare by value (`1 == 1.0`) and object key order is ignored, as AWS compares results;
// `runner_detects_mismatches` shows it still catches a wrong output.
use simulator::intrinsics::json_equal;
use simulator::{ExecutionType, Mocks, Options, Status};

/// Cases that are known to fail, with the reason. Keep this list short.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/conformance/cases")
}

fn case_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(areas) = std::fs::read_dir(cases_dir()) else {
        return files;
    };
    for area in areas.flatten() {
        let Ok(entries) = std::fs::read_dir(area.path()) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.path().extension().is_some_and(|ext| ext == "json") {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    files
}

fn unescape_pointer_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Deletes the location `pointer` (relative to `value`) if it exists.
fn remove_pointer(value: &mut Value, pointer: &str) {
    if pointer.is_empty() {
        *value = Value::Null;
        return;
    }
    let tokens: Vec<String> = pointer
        .trim_start_matches('/')
        .split('/')
        .map(unescape_pointer_token)
        .collect();
    let Some((last, parents)) = tokens.split_last() else {
        return;
    };
    let mut current = value;
    for token in parents {
        current = match current {
            Value::Object(map) => match map.get_mut(token) {
                Some(next) => next,
                None => return,
            },
            Value::Array(items) => match token
                .parse::<usize>()
                .ok()
                .and_then(|index| items.get_mut(index))
            {
                Some(next) => next,
                None => return,
            },
            _ => return,
        };
    }
    match current {
        Value::Object(map) => {
            map.shift_remove(last);
        }
        Value::Array(items) => {
            // Deleting from an array would shift later elements; blank it on both sides instead.
            if let Some(slot) = last
                .parse::<usize>()
                .ok()
                .and_then(|index| items.get_mut(index))
            {
                *slot = Value::Null;
            }
        }
        _ => {}
    }
}

/// Runs one case; `Err` explains the mismatch.
fn check_case(case: &Value) -> Result<(), String> {
    let definition = case.get("definition").ok_or("case without definition")?;
    let input = case.get("input").cloned().unwrap_or(Value::Null);
    let mut options = Options {
        record_history: false,
        record_trace: false,
        ..Options::default()
    };
    if case.get("type").and_then(Value::as_str) == Some("EXPRESS") {
        options.execution_type = ExecutionType::Express;
    }
    if let Some(Value::Object(mocks)) = case.get("mocks") {
        options.mocks = Mocks::from_results(mocks);
    }
    let result = simulator::run(definition, input, &options);
    let expect = case.get("expect").ok_or("case without expect")?;
    let volatile: Vec<&str> = case
        .get("volatile")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let expected_status = expect
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let actual_status = match result.status {
        Status::Succeeded => "SUCCEEDED",
        Status::Failed => "FAILED",
        Status::TimedOut => "TIMED_OUT",
        Status::Aborted => "ABORTED",
        Status::Running => "RUNNING",
    };
    if expected_status != actual_status {
        return Err(format!(
            "status {actual_status} (expected {expected_status}); output {:?}, error {:?}, cause {:?}",
            result.output.as_ref().map(Value::to_string),
            result.error,
            result.cause
        ));
    }
    if expected_status == "SUCCEEDED" {
        let mut expected = expect.get("output").cloned().unwrap_or(Value::Null);
        let mut actual = result.output.unwrap_or(Value::Null);
        for pointer in &volatile {
            if let Some(relative) = pointer.strip_prefix("/expect/output") {
                remove_pointer(&mut expected, relative);
                remove_pointer(&mut actual, relative);
            }
        }
        if !json_equal(&expected, &actual) {
            return Err(format!(
                "output\n  actual:   {actual}\n  expected: {expected}"
            ));
        }
        return Ok(());
    }
    for (field, actual) in [("error", &result.error), ("cause", &result.cause)] {
        if volatile.contains(&format!("/expect/{field}").as_str()) {
            continue;
        }
        let expected = expect.get(field).and_then(Value::as_str);
        let actual = actual.as_deref().filter(|text| !text.is_empty());
        if expected != actual {
            return Err(format!(
                "{field}\n  actual:   {actual:?}\n  expected: {expected:?}"
            ));
        }
    }
    Ok(())
}

#[test]
fn every_conformance_case() {
    let files = case_files();
    assert!(
        files.len() >= 900,
        "expected the bundled conformance cases, found {}",
        files.len()
    );
    let mut per_area: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut fixed = Vec::new();
    for file in &files {
        let area = file
            .parent()
            .and_then(Path::file_name)
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = format!(
            "{area}/{}",
            file.file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let outcome = std::fs::read_to_string(file)
            .map_err(|error| error.to_string())
            .and_then(|text| {
                serde_json::from_str::<Value>(&text).map_err(|error| error.to_string())
            })
            .and_then(|case| check_case(&case));
        let entry = per_area.entry(area).or_default();
        entry.1 += 1;
        let known = KNOWN_FAILURES.iter().any(|(known, _)| *known == name);
        match outcome {
            Ok(()) => {
                entry.0 += 1;
                if known {
                    fixed.push(name);
                }
            }
            Err(message) => {
                if !known {
                    unexpected.push(format!("{name}: {message}"));
                }
            }
        }
    }
    let (passed, total) = per_area
        .values()
        .fold((0, 0), |(p, t), (ap, at)| (p + ap, t + at));
    for (area, (area_passed, area_total)) in &per_area {
        eprintln!("{area:>22}: {area_passed:>4}/{area_total}");
    }
    eprintln!("{:>22}: {passed:>4}/{total}", "total");
    for failure in &unexpected {
        eprintln!("FAIL {failure}");
    }
    assert!(
        fixed.is_empty(),
        "known failures that now pass (remove them from KNOWN_FAILURES): {fixed:?}"
    );
    assert!(
        unexpected.is_empty(),
        "{} conformance cases failed",
        unexpected.len()
    );
}

/// The comparison itself must catch a wrong output, a wrong cause and a wrong status.
#[test]
fn runner_detects_mismatches() -> Result<(), String> {
    let read = |name: &str| -> Result<Value, String> {
        let text =
            std::fs::read_to_string(cases_dir().join(name)).map_err(|error| error.to_string())?;
        serde_json::from_str(&text).map_err(|error| error.to_string())
    };
    let mut succeeded = read("base/base__state_pass_result.json")?;
    check_case(&succeeded)?;
    if let Some(output) = succeeded.pointer_mut("/expect/output") {
        *output = serde_json::json!({"something": "else"});
    }
    assert!(check_case(&succeeded).is_err());

    let mut failed = read("base/base__state_fail.json")?;
    check_case(&failed)?;
    if let Some(cause) = failed.pointer_mut("/expect/cause") {
        *cause = Value::String("another cause".to_owned());
    }
    assert!(check_case(&failed).is_err());
    if let Some(status) = failed.pointer_mut("/expect/status") {
        *status = Value::String("SUCCEEDED".to_owned());
    }
    assert!(check_case(&failed).is_err());
    Ok(())
}
