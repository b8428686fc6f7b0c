//! Size and depth limits: large and deep inputs parse on a default 2 MiB thread stack, and
//! beyond a limit the answer is a clear error, never a crash.

use asl_codec::{Format, ParseOptions, SourceFile};

/// A machine nested `depth` levels deep: each level is a Parallel whose one branch holds the next.
fn nested_parallel(depth: usize) -> String {
    let mut text =
        String::from(r#"{"StartAt": "Leaf", "States": {"Leaf": {"Type": "Pass", "End": true}}}"#);
    for level in 0..depth {
        text = format!(
            r#"{{"StartAt": "P{level}", "States": {{"P{level}": {{"Type": "Parallel", "End": true, "Branches": [{text}]}}}}}}"#
        );
    }
    text
}

fn on_small_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(work);
    match handle.map(std::thread::JoinHandle::join) {
        Ok(Ok(value)) => value,
        _ => panic!("the worker thread failed"),
    }
}

#[test]
fn a_machine_nested_100_deep_parses_writes_and_locates_on_a_2_mib_stack() {
    let (depth_found, line) = on_small_stack(|| {
        let text = nested_parallel(100);
        let source = SourceFile::parse(text.as_str(), Format::Json).map_err(|e| e.to_string())?;
        let mut pointer = String::new();
        for level in (0..100).rev() {
            pointer.push_str(&format!("/States/P{level}/Branches/0"));
        }
        pointer.push_str("/States/Leaf/Type");
        let location = source.locate(&pointer);
        let canonical = source.format_canonical();
        let again =
            SourceFile::parse(canonical.as_str(), Format::Json).map_err(|e| e.to_string())?;
        let model = source.machine().map_err(|e| e.to_string())?;
        drop(model);
        let mut edited = source.value().clone();
        edited["Comment"] = serde_json::json!("edited");
        let written = source.write_preserving(&edited);
        let reread = SourceFile::parse(written, Format::Json).map_err(|e| e.to_string())?;
        Ok::<_, String>((
            location.exact && again.value() == source.value() && reread.value() == &edited,
            location.line_col.line,
        ))
    })
    .unwrap_or_else(|message| panic!("{message}"));
    assert!(depth_found);
    assert_eq!(line, 1);
}

#[test]
fn nesting_beyond_the_limit_is_an_error_not_a_crash() {
    let message = on_small_stack(|| {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        SourceFile::parse(deep, Format::Json)
            .err()
            .map(|e| e.message)
    });
    assert_eq!(message.as_deref(), Some("nesting deeper than 2000 levels"));
    let message = on_small_stack(|| {
        let deep = "a:\n".to_owned() + &"- ".repeat(10_000) + "x\n";
        SourceFile::parse(deep, Format::Yaml)
            .err()
            .map(|e| e.message)
    });
    // One limit and one message for JSON and YAML.
    assert_eq!(message.as_deref(), Some("nesting deeper than 2000 levels"));
}

#[test]
fn ten_thousand_states_and_fifty_megabytes_parse() {
    let mut states = Vec::new();
    for i in 0..10_000 {
        states.push(format!(
            r#""S{i}": {{"Type": "Pass", "Result": {{"padding": "{}"}}, "Next": "S{}"}}"#,
            "x".repeat(5_000),
            i + 1
        ));
    }
    states.push(r#""S10000": {"Type": "Succeed"}"#.to_owned());
    let text = format!(
        r#"{{"StartAt": "S0", "States": {{{}}}}}"#,
        states.join(",\n")
    );
    assert!(text.len() > 50_000_000, "{} bytes", text.len());
    let source = match SourceFile::parse(text.as_str(), Format::Json) {
        Ok(source) => source,
        Err(error) => panic!("{error}"),
    };
    assert_eq!(
        source.value()["States"].as_object().map(|s| s.len()),
        Some(10_001)
    );
    assert_eq!(source.locate("/States/S9999/Next").line_col.line, 10_000);
    let options = ParseOptions {
        max_bytes: 10_000_000,
        ..ParseOptions::default()
    };
    let error = SourceFile::parse_with(text, Format::Json, &options).err();
    assert!(error.is_some_and(|e| e.message.contains("more than the limit of 10000000 bytes")));
}
