//! `SourceFile::machine` reads the model straight from the text (no document `Value`); it must
//! give exactly the model that `StateMachine::from_value` builds from the parsed value, and the
//! value built on demand must equal serde_json's, for every JSON file of the bundled corpus.

use asl_codec::{Format, SourceFile};
use graph_model::StateMachine;

#[test]
fn the_model_read_from_text_equals_the_model_read_from_the_value() {
    let corpus = asl_studio_tests::data_dir().join("corpus");
    let files = asl_studio_tests::files_under("corpus", &[".json"]);
    assert!(
        files.len() > 300,
        "corpus not found at {}",
        corpus.display()
    );
    let mut compared = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let Ok(source) = SourceFile::parse(text.as_str(), Format::Json) else {
            assert!(
                serde_json::from_str::<serde_json::Value>(&text).is_err(),
                "{} parses with serde_json but not with us",
                path.display()
            );
            continue;
        };
        // Built lazily from the spans; duplicate keys keep their first member (serde_json keeps
        // the last), so compare only where there are none.
        if source.duplicate_keys().is_empty() {
            let theirs: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            assert_eq!(source.value(), &theirs, "{}", path.display());
        }
        let from_text = source.machine();
        let from_value = StateMachine::from_value(source.value());
        assert_eq!(from_text, from_value, "{}", path.display());
        if let Ok(machine) = from_text {
            assert_eq!(&machine.to_value(), source.value(), "{}", path.display());
        }
        compared += 1;
    }
    assert!(compared > 300, "only {compared} files compared");
}

#[test]
fn escaped_keys_and_strings_read_the_same_from_text() -> Result<(), asl_codec::SyntaxError> {
    let text = r#"{"Start\u0041t": "A", "States": {"A\/1": {"Type": "Pass", "Result": {"k\n": ["\u00e9", 1e2, -0, true, null]}, "End": true}, "A": {"Type": "Succeed", "Comment": "x\"y"}}, "X": 18446744073709551615}"#;
    let source = SourceFile::parse(text, Format::Json)?;
    let theirs: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    assert_eq!(source.value(), &theirs);
    let from_text = source.machine();
    assert_eq!(from_text, StateMachine::from_value(&theirs));
    let machine = from_text.map_err(|_| asl_codec::SyntaxError {
        message: "not an object".to_owned(),
        offset: 0,
        location: asl_codec::LineCol { line: 1, column: 1 },
    })?;
    assert_eq!(machine.start_at.as_deref(), Some("A"));
    assert!(machine.contains("A/1"));
    Ok(())
}
