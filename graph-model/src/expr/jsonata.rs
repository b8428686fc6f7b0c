//! JSONata expressions in ASL: a string field whose whole value is `{% expression %}`.

/// The expression inside a `{% ... %}` string, trimmed, or `None` when `text` is not a JSONata
/// expression (it must start with `{%` and end with `%}`; anything else is a literal string).
pub fn jsonata_body(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("{%")?.strip_suffix("%}")?;
    Some(inner.trim())
}

/// Checks that `expr` (the text inside `{% %}`) is syntactically valid JSONata. The error carries
/// JSONata's own code and message, e.g. `S0207: Unexpected end of expression`.
pub fn check_syntax(expr: &str) -> Result<(), String> {
    if expr.trim().is_empty() {
        return Err("the JSONata expression is empty".to_string());
    }
    jsonata_core::parser::parse(expr)
        .map(|_| ())
        .map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_whole_string_expressions_only() {
        assert_eq!(jsonata_body("{% $states.input %}"), Some("$states.input"));
        assert_eq!(jsonata_body("{%1%}"), Some("1"));
        assert_eq!(jsonata_body("{%%}"), Some(""));
        assert_eq!(jsonata_body(" {% 1 %}"), None);
        assert_eq!(jsonata_body("{% 1 %} "), None);
        assert_eq!(jsonata_body("text {% 1 %}"), None);
        assert_eq!(jsonata_body("{%"), None);
        assert_eq!(jsonata_body("plain"), None);
    }

    #[test]
    fn syntax_errors_are_reported_with_codes() {
        assert!(check_syntax("$states.input.a + 1").is_ok());
        assert!(check_syntax("$partition($states.input.list, 2)").is_ok());
        assert!(check_syntax("{'foo': 'bar'}").is_ok());
        assert!(check_syntax("$fn := function($x){$x}").is_ok());
        let error = check_syntax("1 +").expect_err("incomplete");
        assert!(error.contains("S0207"), "{error}");
        assert!(check_syntax("(1").is_err());
        assert!(check_syntax("'unterminated").is_err());
        assert!(check_syntax("  ").is_err());
    }
}

#[cfg(test)]
mod corpus_tests {
    use super::*;
    use crate::expr::intrinsic;
    use asl_studio_tests::data_dir;
    use serde_json::Value;
    use std::path::PathBuf;

    /// Every (key, string value) pair in a JSON document.
    fn strings<'a>(value: &'a Value, key: &'a str, out: &mut Vec<(&'a str, &'a str)>) {
        match value {
            Value::String(text) => out.push((key, text)),
            Value::Array(items) => items.iter().for_each(|item| strings(item, key, out)),
            // A Pass state's Result is literal data: its `.$` keys are never evaluated.
            Value::Object(map) => map
                .iter()
                .filter(|(k, _)| k.as_str() != "Result")
                .for_each(|(k, v)| strings(v, k, out)),
            _ => {}
        }
    }

    /// Documents from the conformance cases (their definitions) and the valid corpus.
    fn documents(subdirs: &[&str]) -> Vec<(PathBuf, Value)> {
        let mut files = Vec::new();
        for subdir in subdirs {
            files.extend(asl_studio_tests::files_under(subdir, &[".json"]));
        }
        assert!(!files.is_empty(), "no test data under {subdirs:?}");
        files
            .into_iter()
            .filter_map(|path| {
                let text = std::fs::read_to_string(&path).ok()?;
                let value: Value = serde_json::from_str(&text).ok()?;
                let value = value.get("definition").cloned().unwrap_or(value);
                Some((path, value))
            })
            .collect()
    }

    #[test]
    fn every_recorded_and_published_expression_is_accepted() {
        let mut intrinsics = 0;
        let mut expressions = 0;
        for (path, document) in documents(&["conformance/cases", "corpus/real"]) {
            let mut found = Vec::new();
            strings(&document, "", &mut found);
            for (key, text) in found {
                // `${...}` is a CloudFormation substitution, replaced before AWS sees the text.
                if key.ends_with(".$")
                    && intrinsic::looks_like_intrinsic(text)
                    && !text.contains("${")
                {
                    intrinsics += 1;
                    if let Err(error) = intrinsic::validate(text) {
                        panic!("{}: {text}: {error}", path.display());
                    }
                }
                if let Some(body) = jsonata_body(text) {
                    expressions += 1;
                    if let Err(error) = check_syntax(body) {
                        panic!("{}: {text}: {error}", path.display());
                    }
                }
            }
        }
        assert!(intrinsics > 300, "only {intrinsics} intrinsic calls found");
        assert!(
            expressions > 300,
            "only {expressions} JSONata expressions found"
        );
    }

    #[test]
    fn invalid_fixtures_are_rejected() {
        let dir = data_dir().join("corpus/invalid");
        let read = |name: &str| -> Value {
            let text = std::fs::read_to_string(dir.join(name))
                .unwrap_or_else(|error| panic!("{name}: {error}"));
            serde_json::from_str(&text).unwrap_or_else(|error| panic!("{name}: {error}"))
        };
        let document = read("statelint/invalid-function-invocation.asl.json");
        let call = document["States"]["p"]["ResultSelector"]["abc.$"]
            .as_str()
            .unwrap_or_default();
        assert!(intrinsic::validate(call).is_err(), "{call}");
        // AWS: "The value for the field 'parsed.$' must be a valid JSONPath or a valid intrinsic
        // function call": `\"` is not an escape AWS allows in an intrinsic string.
        for name in [
            "localstack/scenarios__escape_sequences_illegal_intrinsic_function.asl.json",
            "localstack/scenarios__escape_sequences_illegal_intrinsic_function_2.asl.json",
        ] {
            let document = read(name);
            let call = document["States"]["IntrinsicEscape"]["Parameters"]["parsed.$"]
                .as_str()
                .unwrap_or_default();
            assert!(intrinsic::validate(call).is_err(), "{name}: {call}");
        }
        for name in [
            "asl-validator/invalid-jsonata-syntax-mismatched-parens.asl.json",
            "asl-validator/invalid-jsonata-syntax-arithmetic.asl.json",
        ] {
            let document = read(name);
            let output = document["States"]["X"]["Output"]
                .as_str()
                .unwrap_or_default();
            let body = jsonata_body(output).unwrap_or_else(|| panic!("{name}: {output}"));
            assert!(check_syntax(body).is_err(), "{name}: {body}");
        }
        // Not a whole `{% %}` expression, so a literal string rather than JSONata.
        let document = read("asl-validator/invalid-jsonata-surround-syntax-no-close.asl.json");
        assert_eq!(
            jsonata_body(
                document["States"]["X"]["Output"]
                    .as_str()
                    .unwrap_or_default()
            ),
            None
        );
    }
}
