//! `fmt` and `convert` on YAML through the lossless layer: comments, short tags and number
//! literals survive, running the built `asl-studio` binary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_asl-studio"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start asl-studio: {error}"));
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(stdin.unwrap_or("").as_bytes());
    }
    child
        .wait_with_output()
        .unwrap_or_else(|error| panic!("asl-studio did not finish: {error}"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("asl-studio-cli-yaml-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
    dir
}

fn path_str(path: &Path) -> &str {
    path.to_str()
        .unwrap_or_else(|| panic!("non-UTF-8 path {}", path.display()))
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
