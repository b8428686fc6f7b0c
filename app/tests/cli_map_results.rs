//! `asl-studio run --results DIR` when a Distributed Map fails over its tolerated failures: the
//! run fails with States.ExceedToleratedFailureThreshold, and the folder still gets what AWS
//! exports then (the manifest, SUCCEEDED_0 and FAILED_0 at their S3 keys).

use serde_json::{Value, json};

mod common;

use common::{path_str, run, scratch_dir, stderr};

/// Orders over 100 are refused; one refusal is more than the tolerated none.
const ORDERS: &str = include_str!("data/orders-over-tolerance.asl.json");

#[test]
fn a_map_over_its_tolerated_failures_still_writes_its_results_folder() {
    let dir = scratch_dir("asl-studio-cli-map-results", "tolerance");
    let machine = dir.join("orders.asl.json");
    let input = dir.join("input.json");
    std::fs::write(&machine, ORDERS).unwrap_or_else(|error| panic!("definition: {error}"));
    std::fs::write(&input, r#"{"orders": [5, 500, 7]}"#)
        .unwrap_or_else(|error| panic!("input: {error}"));
    let results = dir.join("out");
    let results_arg = results.display().to_string();
    let output = run(&[
        "run",
        path_str(&machine),
        "--input",
        path_str(&input),
        "--results",
        &results_arg,
    ]);
    let stderr = stderr(&output);
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
