//! `asl-studio diff`: exit 0 for the same machine (whatever the formatting), 1 with a list of
//! changes otherwise, 2 for bad input; renames are renames; changed fields name their pointer;
//! the SVG draws NEW with the changes marked.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

mod common;

use common::{path_str as s, run, sample, stderr, stdout};

fn scratch(name: &str) -> PathBuf {
    common::scratch_dir("cli-diff", name)
}

fn sample_value() -> Value {
    let text = std::fs::read_to_string(sample()).unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    path
}

#[test]
fn a_file_compared_with_itself_is_equal_and_prints_nothing() {
    let sample = sample();
    let output = run(&["diff", s(&sample), s(&sample)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
}

#[test]
fn formatting_and_yaml_are_not_changes() {
    let dir = scratch("format");
    let compact = dir.join("compact.asl.json");
    std::fs::write(&compact, sample_value().to_string()).unwrap_or_else(|e| panic!("{e}"));
    let yaml = dir.join("sample.asl.yaml");
    let converted = run(&["convert", s(&sample()), "--to", "yaml", "-o", s(&yaml)]);
    assert!(converted.status.success(), "{}", stderr(&converted));
    for other in [&compact, &yaml] {
        let output = run(&["diff", s(&sample()), s(other)]);
        assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    }
}

#[test]
fn a_rename_is_reported_as_a_rename() {
    let dir = scratch("rename");
    let text = sample_value()
        .to_string()
        .replace("\"NotifyFailure\"", "\"AlertOperators\"");
    let renamed: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let new = write(&dir, "new.asl.json", &renamed);
    let output = run(&["diff", s(&sample()), s(&new)]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "renamed  /States/NotifyFailure -> /States/AlertOperators\n"
    );
}

#[test]
fn a_changed_field_names_its_pointer_and_both_values() {
    let dir = scratch("field");
    let mut value = sample_value();
    let first = value["StartAt"].as_str().unwrap_or_default().to_owned();
    value["States"][&first]["TimeoutSeconds"] = json!(42);
    let new = write(&dir, "new.asl.json", &value);
    let output = run(&["diff", s(&sample()), s(&new), "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["equal"], json!(false));
    assert_eq!(
        report["changes"],
        json!([{
            "kind": "changed", "state": first,
            "pointer": format!("/States/{first}/TimeoutSeconds"),
            "old": null, "new": 42
        }])
    );
}

#[test]
fn a_retargeted_transition_is_reported_as_rewired() {
    let dir = scratch("rewired");
    let mut value = sample_value();
    let first = value["StartAt"].as_str().unwrap_or_default().to_owned();
    let old_next = value["States"][&first]["Next"].clone();
    value["States"][&first]["Next"] = json!("PipelineSucceeded");
    let new = write(&dir, "new.asl.json", &value);
    let output = run(&["diff", s(&sample()), s(&new)]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        format!("rewired  /States/{first}/Next: {old_next} -> \"PipelineSucceeded\"\n")
    );
}

#[test]
fn the_svg_draws_new_with_the_changes_marked() {
    let dir = scratch("svg");
    let mut value = sample_value();
    value["States"]
        .as_object_mut()
        .map(|states| states.remove("Cleanup"));
    let text = value
        .to_string()
        .replace("\"Cleanup\"", "\"PipelineSucceeded\"")
        .replace("\"NotifyFailure\"", "\"AlertOperators\"");
    let new = write(
        &dir,
        "new.asl.json",
        &serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}")),
    );
    let out = dir.join("diff.svg");
    let output = run(&[
        "diff",
        s(&sample()),
        s(&new),
        "--format",
        "svg",
        "-o",
        s(&out),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let svg = std::fs::read_to_string(&out).unwrap_or_default();
    let document = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}"));
    let texts: Vec<&str> = document.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.contains(&"renamed from NotifyFailure"), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("state Cleanup")),
        "{texts:?}"
    );
    assert!(texts.contains(&"AlertOperators"));
}

#[test]
fn bad_input_exits_2() {
    let dir = scratch("bad");
    let broken = dir.join("broken.asl.json");
    std::fs::write(&broken, "[1, 2").unwrap_or_else(|e| panic!("{e}"));
    let output = run(&["diff", s(&sample()), s(&broken)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("broken.asl.json"),
        "{}",
        stderr(&output)
    );
    let missing = dir.join("missing.asl.json");
    let output = run(&["diff", s(&missing), s(&sample())]);
    assert_eq!(output.status.code(), Some(2));
}

/// The driver command the README gives: git passes `path old-file old-hex old-mode new-file
/// new-hex new-mode`; exit 1 ("they differ") must not stop git.
const GIT_DRIVER: &str =
    r#"sh -c 'echo "asl-studio diff $0"; "$ASL_STUDIO" diff "$1" "$4"; [ $? -le 1 ]'"#;

#[test]
fn works_as_a_git_diff_driver() {
    let dir = scratch("git");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(&dir)
            .env("ASL_STUDIO", env!("CARGO_BIN_EXE_asl-studio"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", &dir)
            .output()
            .unwrap_or_else(|error| panic!("git: {error}"))
    };
    assert!(git(&["init", "-q"]).status.success());
    std::fs::write(dir.join(".gitattributes"), "*.asl.json diff=asl\n")
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(sample(), dir.join("flow.asl.json")).unwrap_or_else(|e| panic!("{e}"));
    assert!(git(&["add", "."]).status.success());
    let commit = git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.invalid",
        "commit",
        "-qm",
        "one",
    ]);
    assert!(commit.status.success(), "{}", stderr(&commit));
    let text = sample_value()
        .to_string()
        .replace("\"NotifyFailure\"", "\"AlertOperators\"");
    std::fs::write(dir.join("flow.asl.json"), text).unwrap_or_else(|e| panic!("{e}"));
    let output = git(&["-c", &format!("diff.asl.command={GIT_DRIVER}"), "diff"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "asl-studio diff flow.asl.json\nrenamed  /States/NotifyFailure -> /States/AlertOperators\n"
    );
}
