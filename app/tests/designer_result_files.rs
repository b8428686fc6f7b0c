//! The simulator pane lists the files a run's ResultWriter exported (manifest, SUCCEEDED_n,
//! FAILED_n) in the Summary tab and shows each when picked, also when the Map failed over its
//! tolerated failures; kept as a snapshot at 1280x800.

use asl_studio::StartSource;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

mod common;

use common::designer::{designer, run_until_ready};

/// Orders over 100 are refused; one refusal is more than the tolerated none, so the Map fails,
/// and its results are still exported (to `jobs/` in amzn-s3-demo-destination-bucket).
const ORDERS: &str = include_str!("data/orders-over-tolerance.asl.json");

#[test]
fn the_summary_lists_the_exported_result_files_and_shows_the_one_picked() {
    let mut harness = designer(
        StartSource::Text {
            name: "orders.asl.json".to_owned(),
            text: ORDERS.to_owned(),
        },
        [1280.0, 800.0],
    );
    harness.run();
    harness
        .state_mut()
        .simulator_mut()
        .set_input_text(r#"{"orders": [5, 500, 7]}"#);
    harness.key_press(egui::Key::F5);
    run_until_ready(&mut harness);
    let keys: Vec<String> = harness
        .state()
        .simulator()
        .result_files()
        .iter()
        .map(|file| file.key.clone())
        .collect();
    assert_eq!(
        keys,
        [
            "jobs/dry-run/FAILED_0.json",
            "jobs/dry-run/SUCCEEDED_0.json",
            "jobs/dry-run/manifest.json"
        ]
    );
    harness
        .get_by_role_and_label(Role::Button, "Summary")
        .click();
    harness.run();
    harness.get_by_label("Result files (3)");
    harness
        .get_by_label("Show jobs/dry-run/FAILED_0.json")
        .scroll_to_me();
    harness.run();
    harness
        .get_by_label("Show jobs/dry-run/FAILED_0.json")
        .click();
    harness.run();
    harness.get_by_label("s3://amzn-s3-demo-destination-bucket/jobs/dry-run/FAILED_0.json");
    // The failed child's execution record, pretty-printed.
    assert!(
        harness
            .query_all_by_label_contains("\"Error\": \"TooLarge\"")
            .next()
            .is_some()
    );
    harness
        .get_by_label("s3://amzn-s3-demo-destination-bucket/jobs/dry-run/FAILED_0.json")
        .scroll_to_me();
    harness.run();
    harness.snapshot("simulator_result_files_1280x800");
}
