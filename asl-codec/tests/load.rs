//! The one loader: bounded reads, non-regular files refused before they are opened, empty files,
//! duplicate keys, format and kind detection.

use std::path::{Path, PathBuf};
use std::time::Duration;

use asl_codec::load::{
    Kind, MAX_INPUT_BYTES, detect, load, parse_source, read_file, read_input, refuse_duplicate_keys,
};
use asl_codec::{Format, LineCol, LoadError, Loaded, load_path, load_text};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("asl-codec-load-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
    dir
}

fn corpus(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/corpus")
        .join(relative)
}

/// Runs `read` on another thread and fails the test if it has not answered within five seconds.
fn within_seconds<T: Send + 'static>(read: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(read());
    });
    receiver
        .recv_timeout(Duration::from_secs(5))
        .unwrap_or_else(|_| panic!("the loader blocked for more than five seconds"))
}

#[test]
fn the_zero_device_is_refused_as_not_a_regular_file_at_once() {
    let result = within_seconds(|| read_input(Path::new("/dev/zero")));
    match result {
        Err(LoadError::NotRegularFile { kind, .. }) => assert_eq!(kind, "a character device"),
        other => panic!("expected NotRegularFile, got {other:?}"),
    }
    let message = read_input(Path::new("/dev/zero"))
        .map(|_| ())
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert!(message.contains("not a regular file"), "{message}");
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = scratch("fifo");
    let fifo = dir.join("pipe.asl.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap_or_else(|error| panic!("mkfifo: {error}"));
    assert!(made.success());
    let path = fifo.clone();
    let result = within_seconds(move || load_path(&path).map(|_| ()));
    match result {
        Err(LoadError::NotRegularFile { kind, .. }) => assert_eq!(kind, "a FIFO"),
        other => panic!("expected NotRegularFile, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_is_refused_as_not_a_regular_file() {
    let dir = scratch("directory");
    assert!(matches!(
        read_input(&dir),
        Err(LoadError::NotRegularFile {
            kind: "a directory",
            ..
        })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_size_limit_counts_bytes_read_not_file_metadata() {
    // /proc files report a size of 0 in their metadata but hold text: a check on metadata passes
    // them whatever their length.
    let proc_file = Path::new("/proc/self/status");
    if proc_file.exists() {
        match read_file(proc_file, 16) {
            Err(LoadError::TooLarge { limit, .. }) => assert_eq!(limit, 16),
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }
    let dir = scratch("limit");
    let path = dir.join("big.asl.json");
    std::fs::write(&path, "{\"StartAt\": \"A\"}").unwrap_or_else(|error| panic!("{error}"));
    assert!(matches!(
        read_file(&path, 10),
        Err(LoadError::TooLarge { limit: 10, .. })
    ));
    assert!(read_file(&path, 17).is_ok());
    assert_eq!(MAX_INPUT_BYTES, 64 * 1024 * 1024);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_empty_or_blank_file_is_a_syntax_error_not_null() {
    for (text, format) in [
        ("", Format::Json),
        ("", Format::Yaml),
        ("  \n\t\n", Format::Yaml),
        ("\u{feff}\n", Format::Json),
    ] {
        match parse_source(text, format) {
            Err(error) => {
                assert!(error.message.contains("empty"), "{}", error.message);
                assert_eq!(error.location, LineCol { line: 1, column: 1 });
            }
            Ok(source) => panic!("{text:?} parsed as {:?}", source.value()),
        }
        assert!(matches!(
            load_text(text, format, None),
            Err(LoadError::Syntax(_))
        ));
    }
}

#[test]
fn duplicate_keys_are_refused_with_key_pointer_and_line_col() {
    let text = "{\"StartAt\": \"A\", \"States\": {\n  \"A\": {\"Type\": \"Pass\", \"End\": true,\n    \"End\": false}}}";
    let source = parse_source(text, Format::Json).unwrap_or_else(|error| panic!("{error}"));
    match refuse_duplicate_keys(&source) {
        Err(LoadError::DuplicateKey {
            key,
            pointer,
            location,
            first,
        }) => {
            assert_eq!(key, "End");
            assert_eq!(pointer, "/States/A/End");
            assert_eq!(location, LineCol { line: 3, column: 5 });
            assert_eq!(
                first,
                LineCol {
                    line: 2,
                    column: 25
                }
            );
        }
        other => panic!("expected DuplicateKey, got {other:?}"),
    }
    let clean = parse_source("{\"a\": 1}", Format::Json).unwrap_or_else(|error| panic!("{error}"));
    assert!(refuse_duplicate_keys(&clean).is_ok());
}

#[test]
fn a_definition_and_a_template_are_told_apart_by_content() -> Result<(), LoadError> {
    let definition = load_path(&corpus("real/asl-validator/valid-choice-state.asl.json"))?;
    assert!(matches!(definition, Loaded::Asl(_)));
    assert_eq!(detect(definition.source()), Kind::Definition);
    let template = load_path(&corpus(
        "templates/localstack/tests__aws__templates__sfn_nested_sync2.json",
    ))?;
    assert_eq!(detect(template.source()), Kind::Template);
    let Loaded::Template { machines, .. } = template else {
        panic!("not recognised as a template");
    };
    assert!(!machines.is_empty());
    Ok(())
}

#[test]
fn a_file_without_a_known_extension_is_sniffed_and_a_bom_is_accepted() -> Result<(), LoadError> {
    let dir = scratch("sniff");
    let yaml = dir.join("flow.definition");
    std::fs::write(&yaml, "StartAt: A\nStates:\n  A:\n    Type: Succeed\n")
        .unwrap_or_else(|error| panic!("{error}"));
    let input = read_input(&yaml)?;
    assert_eq!(input.format, Format::Yaml);
    assert_eq!(input.base_dir, dir);
    assert!(matches!(load(&input)?, Loaded::Asl(_)));
    let json = dir.join("flow");
    std::fs::write(
        &json,
        "\u{feff}{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Succeed\"}}}",
    )
    .unwrap_or_else(|error| panic!("{error}"));
    let loaded = load_path(&json)?;
    assert_eq!(loaded.source().format(), Format::Json);
    assert_eq!(loaded.source().value()["StartAt"], "A");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[test]
fn a_missing_file_names_its_path() {
    let error = read_input(Path::new("/nonexistent/flow.asl.json"))
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert!(error.contains("/nonexistent/flow.asl.json"), "{error}");
}
