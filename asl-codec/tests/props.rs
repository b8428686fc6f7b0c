//! Property tests: arbitrary bytes never panic the parsers, and a generated value survives
//! emit then parse in both layouts and through the preserving writer.

use asl_codec::{Format, SourceFile, format_canonical};
use proptest::prelude::*;
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e300f64..1e300f64).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        "[\\x00-\\x1f\"\\\\/]{0,4}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("\\PC{0,8}", inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = SourceFile::parse(text.as_str(), Format::Json);
        let _ = SourceFile::parse(text.as_str(), Format::Yaml);
        let _ = asl_codec::load_text(text, Format::Json, None);
    }

    #[test]
    fn json_like_noise_never_panics(text in "[\\[\\]{}:,\" 0-9a-z\\\\.eE+-]{0,200}") {
        let ours = SourceFile::parse(text.as_str(), Format::Json);
        let theirs = serde_json::from_str::<Value>(&text);
        // Strict JSON both ways: we accept exactly what serde_json accepts (duplicates aside).
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "disagree on {:?}", text);
    }

    #[test]
    fn generated_values_survive_emit_then_parse(value in json_value()) {
        let canonical = format_canonical(&value, Format::Json);
        let source = SourceFile::parse(canonical.as_str(), Format::Json);
        prop_assert!(source.is_ok());
        let source = source.map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(source.value(), &value);
        prop_assert_eq!(source.format_canonical(), canonical.clone());
        let compact = serde_json::to_string(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let compact_source = SourceFile::parse(compact, Format::Json)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(compact_source.value(), &value);
    }

    #[test]
    fn preserving_writer_gives_the_edited_value(before in json_value(), after in json_value()) {
        let wrapped_before = serde_json::json!({"a": before.clone(), "b": [before.clone(), 1]});
        let wrapped_after = serde_json::json!({"a": after.clone(), "b": [before, after]});
        let source = SourceFile::parse(format_canonical(&wrapped_before, Format::Json), Format::Json)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let written = source.write_preserving(&wrapped_after);
        let reread = SourceFile::parse(written.as_str(), Format::Json)
            .map_err(|e| TestCaseError::fail(format!("{e} in {written}")))?;
        prop_assert_eq!(reread.value(), &wrapped_after);
    }
}
