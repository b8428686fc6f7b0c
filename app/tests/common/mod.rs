//! Helpers the app's test binaries share: running the built `asl-studio` binary and reading what it
//! printed, corpus files, scratch folders; and, in [`designer`], the designer under egui_kittest.

// Each test binary compiles this module and uses only the part it needs.
#![allow(dead_code)]

pub mod designer;
pub mod lsp;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// A file of the shared corpus (`tests/data/corpus/<relative>`).
pub fn corpus(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/corpus")
        .join(relative)
}

/// The bundled sample definition (`app/assets/sample.asl.json`).
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample.asl.json")
}

/// A template of the corpus (`tests/data/corpus/templates/<relative>`).
pub fn corpus_template(relative: &str) -> PathBuf {
    corpus("templates").join(relative)
}

/// Runs the built binary with `args` and nothing on its standard input.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_asl-studio"))
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run asl-studio: {error}"))
}

/// Starts the built binary with `args`, writes `stdin` (or nothing) to its standard input and
/// closes it; standard output and error are piped.
pub fn spawn_with_input(args: &[&str], stdin: Option<&str>) -> Child {
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
}

/// Runs the built binary with `args`, writing `stdin` (or nothing) to its standard input.
pub fn run_with_input(args: &[&str], stdin: Option<&str>) -> Output {
    spawn_with_input(args, stdin)
        .wait_with_output()
        .unwrap_or_else(|error| panic!("asl-studio did not finish: {error}"))
}

/// What the binary printed on standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What the binary printed on standard error.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh, empty scratch folder `<temp>/<prefix>-<name>-<process id>` for the files a test writes.
pub fn scratch_dir(prefix: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
    dir
}

/// [`scratch_dir`] holding `files` (name, text).
pub fn scratch_with_files(prefix: &str, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = scratch_dir(prefix, name);
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap_or_else(|error| panic!("{file}: {error}"));
    }
    dir
}

/// Writes `bytes` to `dir/name`; returns the path as an argument of the binary.
pub fn write_file(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|error| panic!("{name}: {error}"));
    path.display().to_string()
}

/// Bytes the binary printed, as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `path` as an argument of the binary.
pub fn path_str(path: &Path) -> &str {
    path.to_str()
        .unwrap_or_else(|| panic!("non-UTF-8 path {}", path.display()))
}

/// The text of a file the test expects to exist.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The run exited 1 with `States.ItemReaderFailed` (a Map's dataset AWS cannot read), saying
/// `detail`.
#[track_caller]
pub fn assert_item_reader_failed(output: &Output, detail: &str) {
    let stderr = stderr(output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_contains(&stderr, "error: States.ItemReaderFailed");
    assert_contains(&stderr, detail);
}

/// Fails the test, showing `text`, unless `text` contains `needle`.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "{needle:?} is not in:\n{text}");
}
