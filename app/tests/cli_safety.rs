//! End-to-end regression tests of write safety, bounded reads, commands that agree, and escaped
//! output, running the built `asl-studio` binary (issue 12).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{path_str as s, read, stderr, stdout};

fn scratch(name: &str) -> PathBuf {
    common::scratch_dir("asl-studio-safety", name)
}

const VALID: &str = "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\n      \"Type\": \"Succeed\"\n    }\n  }\n}\n";
const UNFORMATTED: &str = "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Succeed\"}}}";

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_asl-studio"))
}

/// Runs the binary and fails the test if it takes more than `seconds`.
fn run_within(args: &[&str], stdin: Option<&str>, seconds: u64) -> Output {
    let mut child = common::spawn_with_input(args, stdin);
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > Duration::from_secs(seconds) => {
                let _ = child.kill();
                panic!("asl-studio {args:?} ran for more than {seconds} s");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(error) => panic!("asl-studio did not finish: {error}"),
        }
    }
    child
        .wait_with_output()
        .unwrap_or_else(|error| panic!("asl-studio output: {error}"))
}

fn run(args: &[&str]) -> Output {
    run_within(args, None, 60)
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap_or_else(|error| panic!("mkfifo: {error}"));
    assert!(made.success(), "mkfifo {}", path.display());
}

#[test]
fn fmt_writes_through_a_symbolic_link_and_the_link_stays_a_link() {
    let dir = scratch("fmt-symlink");
    let target = dir.join("real.asl.json");
    let link = dir.join("link.asl.json");
    write(&target, UNFORMATTED);
    std::os::unix::fs::symlink("real.asl.json", &link).unwrap_or_else(|e| panic!("{e}"));
    let output = run(&["fmt", s(&link)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let metadata = std::fs::symlink_metadata(&link).unwrap_or_else(|e| panic!("{e}"));
    assert!(metadata.file_type().is_symlink(), "the link was replaced");
    assert_eq!(read(&target), VALID);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn convert_output_through_a_symbolic_link_writes_its_target() {
    let dir = scratch("convert-symlink");
    let input = dir.join("in.asl.json");
    let target = dir.join("out.asl.yaml");
    let link = dir.join("link.asl.yaml");
    write(&input, VALID);
    write(&target, "old\n");
    std::os::unix::fs::symlink(&target, &link).unwrap_or_else(|e| panic!("{e}"));
    let output = run(&["convert", s(&input), "--to", "yaml", "-o", s(&link)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap_or_else(|e| panic!("{e}"))
            .file_type()
            .is_symlink()
    );
    assert!(read(&target).contains("StartAt: A"), "{}", read(&target));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_and_convert_refuse_a_fifo_or_device_without_blocking() {
    let dir = scratch("fifo");
    let input = dir.join("in.asl.json");
    let fifo = dir.join("pipe.asl.json");
    write(&input, VALID);
    mkfifo(&fifo);
    let formatted = run_within(&["fmt", s(&fifo)], None, 10);
    assert_eq!(formatted.status.code(), Some(2));
    assert!(
        stderr(&formatted).contains("not a regular file"),
        "{}",
        stderr(&formatted)
    );
    let converted = run_within(
        &["convert", s(&input), "--to", "json", "-o", s(&fifo)],
        None,
        10,
    );
    assert_eq!(converted.status.code(), Some(2));
    assert!(stderr(&converted).contains("not a regular file"));
    let device = run_within(
        &["convert", s(&input), "--to", "json", "-o", "/dev/null"],
        None,
        10,
    );
    assert_eq!(device.status.code(), Some(2));
    assert!(
        stderr(&device).contains("not a regular file"),
        "{}",
        stderr(&device)
    );
    let file_type = std::fs::symlink_metadata(&fifo).unwrap_or_else(|e| panic!("{e}"));
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(
        &file_type.file_type()
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_keeps_the_files_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = scratch("mode");
    let path = dir.join("flow.asl.json");
    write(&path, UNFORMATTED);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640))
        .unwrap_or_else(|e| panic!("{e}"));
    let output = run(&["fmt", s(&path)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mode = std::fs::metadata(&path)
        .unwrap_or_else(|e| panic!("{e}"))
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o640);
    assert_eq!(read(&path), VALID);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_keeps_hard_links_linked_and_leaves_no_temporary_file() {
    use std::os::unix::fs::MetadataExt as _;
    let dir = scratch("hardlink");
    let first = dir.join("a.asl.json");
    let second = dir.join("b.asl.json");
    write(&first, UNFORMATTED);
    std::fs::hard_link(&first, &second).unwrap_or_else(|e| panic!("{e}"));
    let output = run(&["fmt", s(&first)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        read(&second),
        VALID,
        "the other link did not see the change"
    );
    let a = std::fs::metadata(&first).unwrap_or_else(|e| panic!("{e}"));
    let b = std::fs::metadata(&second).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.ino(), b.ino());
    assert_eq!(a.nlink(), 2);
    let entries = std::fs::read_dir(&dir).map(Iterator::count).unwrap_or(0);
    assert_eq!(entries, 2, "a temporary file was left behind");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_of_the_zero_device_ends_at_once_with_not_a_regular_file() {
    let output = run_within(&["check", "/dev/zero"], None, 10);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not a regular file"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_of_endless_standard_input_stops_at_the_limit() {
    let mut child = binary()
        .args(["check", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start asl-studio: {error}"));
    let mut pipe = child.stdin.take().unwrap_or_else(|| panic!("no stdin"));
    // Feeds spaces until the command stops reading (a broken pipe ends the loop).
    let feeder = std::thread::spawn(move || {
        let block = vec![b' '; 1 << 16];
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if pipe.write_all(&block).is_err() {
                return true;
            }
        }
        false
    });
    let started = Instant::now();
    let output = child
        .wait_with_output()
        .unwrap_or_else(|error| panic!("{error}"));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(feeder.join().unwrap_or(false), "the command kept reading");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("more than the limit"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_survives() {
    let dir = scratch("output-is-input");
    let definition = dir.join("def.asl.json");
    write(&definition, VALID);
    let converted = run(&[
        "convert",
        s(&definition),
        "--to",
        "yaml",
        "-o",
        s(&definition),
    ]);
    assert_eq!(converted.status.code(), Some(2));
    assert!(
        stderr(&converted).contains("input file"),
        "{}",
        stderr(&converted)
    );
    let history = run(&["run", s(&definition), "--history", s(&definition)]);
    assert_eq!(history.status.code(), Some(2), "{}", stderr(&history));
    assert!(
        stderr(&history).contains("input file"),
        "{}",
        stderr(&history)
    );
    // The same file through another name is the same file.
    let alias = dir.join("alias.asl.json");
    std::fs::hard_link(&definition, &alias).unwrap_or_else(|e| panic!("{e}"));
    let input = dir.join("input.json");
    write(&input, "{}");
    let aliased = run(&[
        "run",
        s(&definition),
        "--input",
        s(&input),
        "--history",
        s(&input),
    ]);
    assert_eq!(aliased.status.code(), Some(2));
    let linked = run(&["convert", s(&alias), "--to", "json", "-o", s(&definition)]);
    assert_eq!(linked.status.code(), Some(2));
    assert_eq!(read(&definition), VALID);
    assert_eq!(read(&input), "{}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_convert_and_run_refuse_duplicate_keys_like_check() {
    let dir = scratch("duplicates");
    let path = dir.join("dupes.asl.json");
    let text = "{\"StartAt\": \"A\", \"States\": {\n\"A\": {\"Type\": \"Pass\", \"Result\": 1, \"End\": true},\n\"A\": {\"Type\": \"Succeed\"}}}\n";
    write(&path, text);
    let checked = run(&["check", s(&path)]);
    assert_eq!(checked.status.code(), Some(1));
    for args in [
        vec!["fmt", s(&path)],
        vec!["convert", s(&path), "--to", "yaml"],
        vec!["run", s(&path)],
    ] {
        let output = run(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stdout(&output)
        );
        let message = stderr(&output);
        assert!(
            message.contains(":3:1: error[DUPLICATE_KEY]: duplicate key `A` at /States/A"),
            "{args:?}: {message}"
        );
        assert!(stdout(&output).is_empty(), "{args:?}: {}", stdout(&output));
    }
    assert_eq!(read(&path), text, "fmt changed a file it refused");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_empty_file_is_an_error_for_every_command_and_is_left_alone() {
    let dir = scratch("empty");
    for (name, text) in [("empty.asl.yaml", ""), ("blank.asl.json", "  \n\n")] {
        let path = dir.join(name);
        write(&path, text);
        let formatted = run(&["fmt", s(&path)]);
        assert_eq!(formatted.status.code(), Some(2), "{name}");
        assert!(
            stderr(&formatted).contains("empty"),
            "{}",
            stderr(&formatted)
        );
        assert_eq!(read(&path), text, "{name} was rewritten");
        let converted = run(&["convert", s(&path), "--to", "json"]);
        assert_eq!(converted.status.code(), Some(2));
        assert!(!stdout(&converted).contains("null"));
        let checked = run(&["check", s(&path)]);
        assert_eq!(checked.status.code(), Some(1));
        assert!(
            stdout(&checked).contains("error[SYNTAX]"),
            "{}",
            stdout(&checked)
        );
        let ran = run(&["run", s(&path)]);
        assert_eq!(ran.status.code(), Some(2));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_check_checks_commented_yaml_like_any_other_file_and_never_writes() {
    // fmt once skipped YAML with comments or tags; the lossless YAML layer re-indents it instead,
    // so --check must judge it (exit 1 when it would change) and leave it as it is.
    let dir = scratch("commented");
    let path = dir.join("commented.asl.yaml");
    let text = "# keep me\nStartAt: A\nStates:\n    A: {Type: Succeed}  # the end\n";
    write(&path, text);
    let output = run(&["fmt", "--check", s(&path)]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("commented.asl.yaml"),
        "{}",
        stdout(&output)
    );
    assert_eq!(read(&path), text);
    let formatted = run(&["fmt", s(&path)]);
    assert_eq!(formatted.status.code(), Some(0), "{}", stderr(&formatted));
    let after = read(&path);
    assert!(
        after.contains("# keep me") && after.contains("# the end"),
        "{after}"
    );
    let again = run(&["fmt", "--check", s(&path)]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_escapes_control_characters_so_no_finding_line_can_be_forged() {
    let dir = scratch("forged");
    let path = dir.join("forged.asl.json");
    let forged = "X\\nforged.json:1:1: error[FAKE] Y: \\u001b[31mred";
    let text = format!(
        "{{\"StartAt\": \"A\", \"States\": {{\"A\": {{\"Type\": \"Pass\", \"Next\": \"{forged}\"}}}}}}"
    );
    write(&path, &text);
    let output = run(&["check", s(&path)]);
    assert_eq!(output.status.code(), Some(1));
    let printed = stdout(&output);
    assert!(
        !printed.contains('\u{1b}'),
        "raw escape printed: {printed:?}"
    );
    assert!(
        !printed.lines().any(|line| line.starts_with("forged.json")),
        "a forged line was printed: {printed}"
    );
    assert!(printed.contains("X\\nforged.json"), "{printed}");
    let json = run(&["check", "--format", "json", s(&path)]);
    let findings: serde_json::Value =
        serde_json::from_slice(&json.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert!(findings.to_string().contains("\\u001b[31m"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_escapes_control_characters_in_error_and_cause() {
    let dir = scratch("run-escapes");
    let path = dir.join("fail.asl.json");
    write(
        &path,
        "{\"StartAt\": \"F\", \"States\": {\"F\": {\"Type\": \"Fail\", \"Error\": \"E\\u001b]0;title\\u0007\", \"Cause\": \"one\\nexecution SUCCEEDED\"}}}",
    );
    let output = run(&["run", s(&path)]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        !message.contains('\u{1b}') && !message.contains('\u{7}'),
        "{message:?}"
    );
    assert!(
        message.contains("cause: one\\nexecution SUCCEEDED"),
        "{message}"
    );
    assert!(!message.lines().any(|line| line == "execution SUCCEEDED"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_refuses_the_jsonpath_filters_run_refuses_and_keeps_aws_bare_words() {
    let dir = scratch("filters");
    let broken = dir.join("broken.asl.json");
    write(
        &broken,
        "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"InputPath\": \"$.items[?(@.price ==)]\", \"End\": true}}}",
    );
    let checked = run(&["check", "--format", "json", s(&broken)]);
    assert_eq!(checked.status.code(), Some(1), "{}", stdout(&checked));
    let findings: serde_json::Value =
        serde_json::from_slice(&checked.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(findings[0]["pointer"], "/States/A/InputPath");
    let ran = run(&["run", s(&broken)]);
    assert_eq!(ran.status.code(), Some(2));
    // Parameters and ResultSelector are checked the same way.
    let payload = dir.join("payload.asl.json");
    write(
        &payload,
        "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"Parameters\": {\"x.$\": \"$.a[?(@.b === 1)]\"}, \"End\": true}}}",
    );
    let checked = run(&["check", "--format", "json", s(&payload)]);
    assert_eq!(checked.status.code(), Some(1), "{}", stdout(&checked));
    let findings: serde_json::Value =
        serde_json::from_slice(&checked.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(findings[0]["pointer"], "/States/A/Parameters/x.$");
    // A real deployed workflow's bare-word filter stays clean for check.
    let real = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/corpus/real/workflows-collection/textract-analyze-expense-tf__statemachine.asl.json");
    let output = run(&["check", s(&real)]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_template_with_a_getatt_substitution_checks_and_runs_alike() {
    let dir = scratch("getatt");
    let path = dir.join("template.yaml");
    write(
        &path,
        "Resources:\n  SM:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Definition:\n        StartAt: A\n        States:\n          A: {Type: Task, Resource: \"${FnArn}\", End: true}\n      DefinitionSubstitutions:\n        FnArn: !GetAtt Fn.Arn\n",
    );
    let checked = run(&["check", s(&path)]);
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
    let ran = run(&["run", s(&path), "--pass-through"]);
    assert_eq!(ran.status.code(), Some(0), "{}", stderr(&ran));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_and_fmt_check_say_so_on_success_and_keep_standard_output_clean() {
    let dir = scratch("summary");
    let path = dir.join("flow.asl.json");
    write(&path, VALID);
    let checked = run(&["check", s(&path), s(&path)]);
    assert_eq!(checked.status.code(), Some(0));
    assert_eq!(stdout(&checked), "");
    assert_eq!(stderr(&checked), "2 files checked: no errors\n");
    let formatted = run(&["fmt", "--check", s(&path)]);
    assert_eq!(formatted.status.code(), Some(0));
    assert_eq!(stdout(&formatted), "");
    assert_eq!(stderr(&formatted), "1 file: already formatted\n");
    let _ = std::fs::remove_dir_all(&dir);
}
