//! `asl-studio run --results DIR` when a Distributed Map fails over its tolerated failures: the
//! run fails with States.ExceedToleratedFailureThreshold, and the folder still gets what AWS
//! exports then (the manifest, SUCCEEDED_0 and FAILED_0 at their S3 keys).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "asl-studio-cli-map-results-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("scratch folder: {error}"));
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|error| panic!("{name}: {error}"));
    path.display().to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_asl-studio"))
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run asl-studio: {error}"))
}

#[test]
fn a_map_over_its_tolerated_failures_still_writes_its_results_folder() {
    let dir = scratch("tolerance");
    // Orders over 100 are refused; one refusal is more than the tolerated none.
    let definition = json!({
        "StartAt": "Orders",
        "States": {"Orders": {
            "Type": "Map",
            "ItemsPath": "$.orders",
            "ToleratedFailureCount": 0,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Check",
                "States": {
                    "Check": {"Type": "Choice", "Choices": [
                        {"Variable": "$", "NumericGreaterThan": 100, "Next": "Refuse"}
                    ], "Default": "Accept"},
                    "Refuse": {"Type": "Fail", "Error": "TooLarge", "Cause": "over 100"},
                    "Accept": {"Type": "Pass", "Parameters": {"accepted.$": "$"}, "End": true}
                }
            },
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "amzn-s3-demo-destination-bucket", "Prefix": "jobs"},
                "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}
            },
            "End": true
        }}
    });
    let machine = write(&dir, "orders.asl.json", &definition.to_string());
    let input = write(&dir, "input.json", r#"{"orders": [5, 500, 7]}"#);
    let results = dir.join("out");
    let results_arg = results.display().to_string();
    let output = run(&[
        "run",
        &machine,
        "--input",
        &input,
        "--results",
        &results_arg,
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("States.ExceedToleratedFailureThreshold"),
        "{stderr}"
    );
    let read = |name: &str| -> Value {
        let text = std::fs::read_to_string(results.join("jobs/dry-run").join(name))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{name}: {error}"))
    };
    // COMPACT keeps the outputs of the children that succeeded...
    assert_eq!(
        read("SUCCEEDED_0.json"),
        json!([{"accepted": 5}, {"accepted": 7}])
    );
    // ...and a failed child's execution record, whatever the transformation.
    let failed = read("FAILED_0.json");
    assert_eq!(failed[0]["Status"], "FAILED");
    assert_eq!(failed[0]["Error"], "TooLarge");
    assert_eq!(failed[0]["Input"], "500");
    let manifest = read("manifest.json");
    assert_eq!(
        manifest["ResultFiles"]["FAILED"][0]["Key"],
        "jobs/dry-run/FAILED_0.json"
    );
    assert_eq!(manifest["ResultFiles"]["PENDING"], json!([]));
}
