//! The designer's File > Compare with file…: the other version is read through the dialogs and the
//! store, and the status line says what changed (the canvas marks the same states as
//! `asl-studio diff --format svg`).

mod common;

use common::designer::{sample_app as designer, sample_text};

#[test]
fn comparing_with_a_renamed_version_reports_one_change() {
    let mut app = designer();
    let old = sample_text().replace("\"NotifyFailure\"", "\"AlertOperators\"");
    app.compare_with_text("old.asl.json", &old);
    assert!(app.is_comparing());
    assert_eq!(
        app.status(),
        Some("Compared with old.asl.json: 1 change(s)")
    );
}

#[test]
fn comparing_with_the_same_definition_says_so() {
    let mut app = designer();
    app.compare_with_text("same.asl.json", &sample_text());
    assert_eq!(app.status(), Some("Same machine as same.asl.json"));
}

#[test]
fn a_removed_state_is_named_in_the_status_line() {
    let mut app = designer();
    // OLD has a state the document lacks.
    let mut old: serde_json::Value =
        serde_json::from_str(&sample_text()).unwrap_or_else(|e| panic!("{e}"));
    old["States"]["Audit"] = serde_json::json!({"Type": "Wait", "Seconds": 1, "End": true});
    app.compare_with_text("old.asl.json", &old.to_string());
    let status = app.status().unwrap_or_default().to_owned();
    assert!(status.contains("gone: state Audit"), "{status}");
}

#[test]
fn a_file_that_is_not_a_definition_is_refused_without_comparing() {
    let mut app = designer();
    app.compare_with_text("other.asl.json", "[1, 2");
    assert!(!app.is_comparing());
}
