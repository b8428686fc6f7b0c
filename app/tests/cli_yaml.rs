//! `fmt` and `convert` on YAML through the lossless layer: comments, short tags and number
//! literals survive, running the built `asl-studio` binary.

use std::path::PathBuf;

mod common;

use common::{path_str, run_with_input as run, stderr, stdout};

fn scratch(name: &str) -> PathBuf {
    common::scratch_dir("asl-studio-cli-yaml", name)
}

#[test]
fn fmt_reindents_yaml_and_keeps_comments_tags_and_quoting() {
    let dir = scratch("fmt");
    let file = dir.join("template.yaml");
    let text = "# the stack\nResources:\n    Machine:   # the one machine\n        Type: AWS::Serverless::StateMachine\n        Properties:\n            Role: !GetAtt Role.Arn\t# a tab before this comment\n            Name: 'quoted'\n";
    std::fs::write(&file, text).unwrap_or_else(|error| panic!("{error}"));
    let output = run(&["fmt", path_str(&file)], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap_or_default(),
        "# the stack\nResources:\n  Machine:   # the one machine\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Role: !GetAtt Role.Arn\t# a tab before this comment\n      Name: 'quoted'\n"
    );
    let again = run(&["fmt", "--check", path_str(&file)], None);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
}

#[test]
fn convert_to_yaml_keeps_number_literals_and_nesting_reads_back() {
    let json = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"big": 123456789012345678901234567890, "tiny": 1e-400}, "End": true}}}"#;
    let output = run(&["convert", "-", "--to", "yaml"], Some(json));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let yaml = stdout(&output);
    assert!(
        yaml.contains("big: 123456789012345678901234567890\n"),
        "{yaml}"
    );
    assert!(yaml.contains("tiny: 1e-400\n"), "{yaml}");
    let deep = format!("{}1{}", "[".repeat(129), "]".repeat(129));
    let converted = run(&["convert", "-", "--to", "yaml"], Some(&deep));
    assert_eq!(converted.status.code(), Some(0), "{}", stderr(&converted));
    let back = run(&["convert", "-", "--to", "json"], Some(&stdout(&converted)));
    assert_eq!(back.status.code(), Some(0), "{}", stderr(&back));
    // serde_json stops at 128 levels: the codec reads both sides.
    let read = |text: &str| {
        asl_codec::SourceFile::parse(text, asl_codec::Format::Json)
            .map(|source| source.value().clone())
            .unwrap_or_else(|error| panic!("{error}"))
    };
    assert_eq!(read(&stdout(&back)), read(&deep));
}
