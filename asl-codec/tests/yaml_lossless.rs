//! The lossless YAML layer: parse + write_preserving keeps every byte the edit did not touch, on
//! every YAML file of the corpus and on the cases that used to lose data (tab comments, short
//! tags, number literals, deep nesting, CRLF).

use std::path::{Path, PathBuf};

use asl_codec::yaml::{Content, Node};
use asl_codec::{Format, ParseOptions, SourceFile};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A named change to a document's value.
type Edit<'a> = Box<dyn Fn(&mut Value) + 'a>;

fn corpus_yaml() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/corpus");
    let mut found = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml")
            ) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_corpus_yaml_round_trips_byte_for_byte() -> TestResult {
    let files = corpus_yaml();
    assert!(files.len() >= 40, "corpus YAML files: {}", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path)?;
        let source = SourceFile::parse(text.as_str(), Format::Yaml)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        assert_eq!(
            source.write_preserving(source.value()),
            text,
            "{}",
            path.display()
        );
        // Writing a copy (not the same Value) must go through the editor and still give the text.
        let copy: Value = source.value().clone();
        let mut touched = copy.clone();
        if let Value::Object(map) = &mut touched {
            map.insert("AslStudioProbe".to_owned(), json!(1));
        }
        let edited = source.write_preserving(&touched);
        let back = SourceFile::parse(edited.as_str(), Format::Yaml)?;
        assert_eq!(back.value(), &touched, "{}", path.display());
        assert_eq!(back.write_preserving(&copy), text, "{}", path.display());
    }
    Ok(())
}

/// The pointer of the first object with `StartAt` and `States` (the definition).
fn find_definition(value: &Value, pointer: String) -> Option<String> {
    match value {
        Value::Object(map) => {
            if map.get("StartAt").is_some_and(Value::is_string)
                && map.get("States").is_some_and(Value::is_object)
            {
                return Some(pointer);
            }
            map.iter().find_map(|(key, member)| {
                find_definition(
                    member,
                    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")),
                )
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| find_definition(item, format!("{pointer}/{i}"))),
        _ => None,
    }
}

/// The node of a mapping member by key path, with the member's key start.
fn member<'n>(root: &'n Node, path: &[&str]) -> Option<(usize, &'n Node)> {
    let mut node = root;
    let mut start = root.start;
    for segment in path {
        let Content::Map { entries, .. } = &node.content else {
            return None;
        };
        let entry = entries
            .iter()
            .find(|e| matches!(&e.key.content, Content::Scalar { text, .. } if text == segment))?;
        start = entry.key.start;
        node = &entry.value;
    }
    Some((start, node))
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count()
}

/// Asserts that `edited` equals `text` on every line before `first` and after `last` (0-based
/// line numbers in `text`).
fn assert_outside_unchanged(text: &str, edited: &str, first: usize, last: usize, what: &str) {
    let old: Vec<&str> = text.lines().collect();
    let new: Vec<&str> = edited.lines().collect();
    let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let tail = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    assert!(
        head >= first,
        "{what}: line {} changed (edit starts at {})",
        head + 1,
        first + 1
    );
    assert!(
        tail >= old.len() - last - 1,
        "{what}: a line after the edited node changed (edited node ends at line {})",
        last + 1
    );
}

#[test]
fn edits_in_every_corpus_definition_keep_the_other_lines() -> TestResult {
    let mut edited_files = 0;
    for path in corpus_yaml() {
        let text = std::fs::read_to_string(&path)?;
        let source = SourceFile::parse(text.as_str(), Format::Yaml)?;
        let Some(definition) = find_definition(source.value(), String::new()) else {
            continue;
        };
        let document = asl_codec::yaml::parse_document(&text, &ParseOptions::default())?;
        let Some(root) = &document.root else {
            continue;
        };
        let segments: Vec<String> = definition
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let states_value = source
            .value()
            .pointer(&format!("{definition}/States"))
            .and_then(Value::as_object)
            .ok_or("no States")?;
        let Some(state) = states_value.keys().next_back().cloned() else {
            continue;
        };
        let mut keys: Vec<&str> = segments.iter().map(String::as_str).collect();
        keys.push("States");
        keys.push(&state);
        let Some((key_start, node)) = member(root, &keys) else {
            // The definition is inside a tag (`!Sub` string) or written as JSON text.
            continue;
        };
        let (first, last) = (line_of(&text, key_start), line_of(&text, node.end));
        let states_pointer = format!("{definition}/States");
        let edits: Vec<(&str, Edit<'_>)> = vec![
            (
                "rename",
                Box::new(|v: &mut Value| {
                    if let Some(Value::Object(states)) = v.pointer_mut(&states_pointer) {
                        let renamed: serde_json::Map<String, Value> = std::mem::take(states)
                            .into_iter()
                            .map(|(k, s)| {
                                if k == state {
                                    (format!("{k}Renamed"), s)
                                } else {
                                    (k, s)
                                }
                            })
                            .collect();
                        *states = renamed;
                    }
                }),
            ),
            (
                "change a field",
                Box::new(|v: &mut Value| {
                    if let Some(Value::Object(s)) = v.pointer_mut(&format!(
                        "{states_pointer}/{}",
                        state.replace('~', "~0").replace('/', "~1")
                    )) {
                        let other = if s.get("Type") == Some(&json!("Pass")) {
                            "Succeed"
                        } else {
                            "Pass"
                        };
                        s.insert("Type".to_owned(), json!(other));
                    }
                }),
            ),
            (
                "add a member",
                Box::new(|v: &mut Value| {
                    if let Some(Value::Object(s)) = v.pointer_mut(&format!(
                        "{states_pointer}/{}",
                        state.replace('~', "~0").replace('/', "~1")
                    )) {
                        s.insert(
                            "Comment".to_owned(),
                            json!("edited: by the test # not a comment"),
                        );
                    }
                }),
            ),
            (
                "remove a state",
                Box::new(|v: &mut Value| {
                    if let Some(Value::Object(states)) = v.pointer_mut(&states_pointer) {
                        states.shift_remove(&state);
                    }
                }),
            ),
        ];
        for (what, edit) in &edits {
            if *what == "remove a state" && states_value.len() == 1 {
                // Removing the only state rewrites its parent as `States: {}`.
                continue;
            }
            let mut new = source.value().clone();
            edit(&mut new);
            assert_ne!(&new, source.value(), "{what} in {}", path.display());
            let written = source.write_preserving(&new);
            let back = SourceFile::parse(written.as_str(), Format::Yaml)
                .map_err(|e| format!("{what} in {}: {e}\n{written}", path.display()))?;
            assert_eq!(back.value(), &new, "{what} in {}", path.display());
            assert_outside_unchanged(
                &text,
                &written,
                first,
                last,
                &format!("{what} of state {state} in {}", path.display()),
            );
        }
        edited_files += 1;
    }
    assert!(edited_files >= 20, "definitions edited: {edited_files}");
    Ok(())
}

#[test]
fn a_comment_after_a_tab_is_kept() -> TestResult {
    let text =
        "StartAt: A\t# first\nStates:\n  A:\t# the only state\n    Type: Pass\n    End: true\n";
    let source = SourceFile::parse(text, Format::Yaml)?;
    let mut new = source.value().clone();
    new["States"]["A"]["Comment"] = json!("x");
    let written = source.write_preserving(&new);
    assert!(written.contains("StartAt: A\t# first\n"), "{written}");
    assert!(written.contains("  A:\t# the only state\n"), "{written}");
    assert_eq!(
        SourceFile::parse(written.as_str(), Format::Yaml)?.value(),
        &new
    );
    Ok(())
}

#[test]
fn short_tags_are_kept_in_block_and_flow_style() -> TestResult {
    let text = "A: !Ref Bucket\nB: !GetAtt Fn.Arn\nC: !Sub '${A}-x'\nD: !Join ['', [x, !Ref Y]]\nE: !Custom {a: 1}\nF: !If\n  - Cond\n  - 1\n  - 2\nG: 1\n";
    let source = SourceFile::parse(text, Format::Yaml)?;
    assert_eq!(
        source.value()["D"],
        json!({"Fn::Join": ["", ["x", {"Ref": "Y"}]]})
    );
    let mut new = source.value().clone();
    new["G"] = json!(2);
    let written = source.write_preserving(&new);
    assert_eq!(written, text.replace("G: 1", "G: 2"));
    // Changing inside a tag keeps the tag, in flow and in block style.
    new["D"]["Fn::Join"][1][1]["Ref"] = json!("Z");
    new["F"]["Fn::If"][2] = json!(3);
    new["B"] = json!({"Fn::GetAtt": ["Other", "Arn"]});
    let written = source.write_preserving(&new);
    assert!(
        written.contains("D: !Join ['', [x, !Ref Z]]\n"),
        "{written}"
    );
    assert!(
        written.contains("F: !If\n  - Cond\n  - 1\n  - 3\n"),
        "{written}"
    );
    assert!(written.contains("B: !GetAtt Other.Arn\n"), "{written}");
    assert!(written.contains("E: !Custom {a: 1}\n"), "{written}");
    assert_eq!(
        SourceFile::parse(written.as_str(), Format::Yaml)?.value(),
        &new
    );
    Ok(())
}

#[test]
fn quoting_style_is_kept_for_changed_scalars() -> TestResult {
    let text = "a: 'single'\nb: \"double\"\nc: plain\n";
    let source = SourceFile::parse(text, Format::Yaml)?;
    let new = json!({"a": "one's", "b": "two", "c": "true"});
    let written = source.write_preserving(&new);
    assert_eq!(written, "a: 'one''s'\nb: \"two\"\nc: 'true'\n");
    assert_eq!(
        SourceFile::parse(written.as_str(), Format::Yaml)?.value(),
        &new
    );
    Ok(())
}

#[test]
fn json_number_literals_survive_conversion_to_yaml() -> TestResult {
    let text = r#"{"big": 123456789012345678901234567890, "tiny": 1e-400, "n": [1.50, -0]}"#;
    let source = SourceFile::parse(text, Format::Json)?;
    let yaml = source.convert_to(Format::Yaml);
    assert!(
        yaml.contains("big: 123456789012345678901234567890\n"),
        "{yaml}"
    );
    assert!(yaml.contains("tiny: 1e-400\n"), "{yaml}");
    assert!(yaml.contains("- 1.50\n"), "{yaml}");
    let back = SourceFile::parse(yaml.as_str(), Format::Yaml)?;
    assert_eq!(back.value(), source.value());
    Ok(())
}

#[test]
fn yaml_number_literals_are_never_rewritten() -> TestResult {
    let text = "big: 123456789012345678901234567890\ntiny: 1e-400\nhex: 0x1F\nother: 1\n";
    let source = SourceFile::parse(text, Format::Yaml)?;
    let mut new = source.value().clone();
    new["other"] = json!(2);
    let written = source.write_preserving(&new);
    assert_eq!(written, text.replace("other: 1", "other: 2"));
    assert_eq!(source.format_canonical(), text);
    Ok(())
}

fn nested_json(levels: usize) -> String {
    format!("{}1{}", "[".repeat(levels), "]".repeat(levels))
}

#[test]
fn json_nested_129_levels_converts_to_yaml_that_reads_back() -> TestResult {
    let source = SourceFile::parse(nested_json(129), Format::Json)?;
    let yaml = source.convert_to(Format::Yaml);
    let back = SourceFile::parse(yaml.as_str(), Format::Yaml)?;
    assert_eq!(back.value(), source.value());
    Ok(())
}

#[test]
fn one_depth_limit_for_json_and_yaml_with_the_same_error() -> TestResult {
    let options = ParseOptions {
        max_depth: 129,
        ..ParseOptions::default()
    };
    assert!(SourceFile::parse_with(nested_json(129), Format::Json, &options).is_ok());
    let yaml = SourceFile::parse(nested_json(129), Format::Json)?.convert_to(Format::Yaml);
    assert!(SourceFile::parse_with(yaml.as_str(), Format::Yaml, &options).is_ok());
    let json_error = SourceFile::parse_with(nested_json(130), Format::Json, &options)
        .err()
        .ok_or("130 JSON levels accepted")?;
    let yaml_error = SourceFile::parse_with(nested_json(130), Format::Yaml, &options)
        .err()
        .ok_or("130 YAML levels accepted")?;
    assert_eq!(json_error.message, "nesting deeper than 129 levels");
    assert_eq!(yaml_error.message, json_error.message);
    Ok(())
}

#[test]
fn crlf_line_endings_are_kept() -> TestResult {
    let text = "StartAt: A\r\nStates:\r\n  A:\r\n    Type: Pass # why\r\n    End: true\r\n";
    let source = SourceFile::parse(text, Format::Yaml)?;
    let mut new = source.value().clone();
    new["States"]["A"]["Comment"] = json!("c");
    new["States"]["B"] = json!({"Type": "Succeed"});
    let written = source.write_preserving(&new);
    assert!(!written.replace("\r\n", "").contains('\n'), "{written:?}");
    assert!(written.starts_with("StartAt: A\r\nStates:\r\n  A:\r\n    Type: Pass # why\r\n"));
    assert_eq!(
        SourceFile::parse(written.as_str(), Format::Yaml)?.value(),
        &new
    );
    Ok(())
}

#[test]
fn removed_members_take_their_trailing_comment_along() -> TestResult {
    let text = "---\na: 1 # about a\n# more about a\nb: 2\nc: 3\n...\n";
    let source = SourceFile::parse(text, Format::Yaml)?;
    let written = source.write_preserving(&json!({"b": 2, "c": 3}));
    assert_eq!(written, "---\nb: 2\nc: 3\n...\n");
    let written = source.write_preserving(&json!({"a": 1, "c": 3}));
    assert_eq!(written, "---\na: 1 # about a\n# more about a\nc: 3\n...\n");
    Ok(())
}

#[test]
fn added_items_and_members_are_block_style_at_the_sibling_indentation() -> TestResult {
    let text = "List:\n    - a\n    - b: 1\n      c: 2\nFlow: [1, 2]\n";
    let source = SourceFile::parse(text, Format::Yaml)?;
    let new = json!({"List": ["a", {"b": 1, "c": 2}, {"d": [1, 2]}], "Flow": [1, 2, {"e": 3}]});
    let written = source.write_preserving(&new);
    assert_eq!(
        written,
        "List:\n    - a\n    - b: 1\n      c: 2\n    - d:\n        - 1\n        - 2\nFlow: [1, 2, {e: 3}]\n"
    );
    assert_eq!(
        SourceFile::parse(written.as_str(), Format::Yaml)?.value(),
        &new
    );
    Ok(())
}

#[test]
fn locate_gives_real_positions_for_flow_and_tags() -> TestResult {
    let text = "# c\nA: {x: [1, !Ref B]}\nC:\n  - D: !GetAtt E.F\n";
    let source = SourceFile::parse(text, Format::Yaml)?;
    let at = |p: &str| {
        let l = source.locate(p);
        (l.line_col.line, l.line_col.column, l.exact)
    };
    assert_eq!(at("/A/x/1/Ref"), (2, 12, true));
    assert_eq!(at("/C/0/D/Fn::GetAtt/1"), (4, 16, true));
    assert_eq!(at("/C/0/D"), (4, 5, true));
    assert_eq!(at("/C/0/Missing"), (4, 5, false));
    Ok(())
}

#[test]
fn canonical_layout_reindents_and_keeps_comments_and_tags() -> TestResult {
    let text =
        "# top\nA:\n    B: !Ref X   # why\n    C:\n    - 1\n    - [2, 3]\n    D: |\n        line\n";
    let source = SourceFile::parse(text, Format::Yaml)?;
    let layout = source.format_canonical();
    assert_eq!(
        layout,
        "# top\nA:\n  B: !Ref X   # why\n  C:\n    - 1\n    - [2, 3]\n  D: |\n      line\n"
    );
    assert_eq!(
        SourceFile::parse(layout.as_str(), Format::Yaml)?.value(),
        source.value()
    );
    Ok(())
}

#[test]
fn hostile_yaml_is_an_error_not_a_panic() {
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
    let error = SourceFile::parse(laughs, Format::Yaml).err();
    assert!(error.is_some_and(|e| e.message.contains("alias")));
    assert!(SourceFile::parse("[".repeat(100_000), Format::Yaml).is_err());
    assert!(SourceFile::parse("- ".repeat(100_000), Format::Yaml).is_err());
    for path in corpus_yaml().iter().take(6) {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let cuts: Vec<usize> = (0..text.len())
            .step_by(97)
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        for cut in cuts {
            if let Ok(source) = SourceFile::parse(&text[..cut], Format::Yaml) {
                let _ = source.write_preserving(&json!({"x": 1}));
                let _ = source.format_canonical();
            }
        }
    }
}

#[test]
fn aliases_expand_for_the_value_and_keep_their_text_on_write() -> TestResult {
    let text = "base: &b {Type: Pass}\nuse: *b\nother: 1\n";
    let source = SourceFile::parse(text, Format::Yaml)?;
    assert_eq!(source.value()["use"], json!({"Type": "Pass"}));
    let mut new = source.value().clone();
    new["other"] = json!(2);
    assert_eq!(
        source.write_preserving(&new),
        text.replace("other: 1", "other: 2")
    );
    Ok(())
}

/// Runs `work` on a thread with `megabytes` of stack, as a worker thread (2 MiB) or the
/// command line's main thread (8 MiB) has.
fn on_stack<T: Send + 'static>(megabytes: usize, work: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new()
        .stack_size(megabytes * 1024 * 1024)
        .spawn(work);
    match handle.map(std::thread::JoinHandle::join) {
        Ok(Ok(value)) => value,
        _ => panic!("the worker thread failed"),
    }
}

/// JSON nested `levels` deep converted to YAML, read back, edited at the innermost value,
/// written and laid out canonically.
fn deep_round_trip(levels: usize) -> Result<(), String> {
    let source = SourceFile::parse(nested_json(levels), Format::Json).map_err(|e| e.to_string())?;
    let yaml = source.convert_to(Format::Yaml);
    let back = SourceFile::parse(yaml.as_str(), Format::Yaml).map_err(|e| e.to_string())?;
    if back.value() != source.value() {
        return Err("the YAML reads back differently".to_owned());
    }
    let new = SourceFile::parse(nested_json(levels).replace('1', "2"), Format::Json)
        .map_err(|e| e.to_string())?
        .value()
        .clone();
    let written = back.write_preserving(&new);
    let reread = SourceFile::parse(written.as_str(), Format::Yaml).map_err(|e| e.to_string())?;
    if reread.value() != &new {
        return Err("the edit reads back differently".to_owned());
    }
    if back.format_canonical() != yaml {
        return Err("the converted YAML is not in the canonical layout".to_owned());
    }
    Ok(())
}

#[test]
fn deep_yaml_converts_edits_and_lays_out_on_small_stacks() {
    // A machine nested 100 deep is about 500 levels: fine on a 2 MiB worker thread.
    assert_eq!(on_stack(2, || deep_round_trip(500)), Ok(()));
    // The depth limit itself, on the command line's 8 MiB main thread.
    let limit = asl_codec::json::DEFAULT_MAX_DEPTH;
    assert_eq!(on_stack(8, move || deep_round_trip(limit)), Ok(()));
}

#[test]
fn an_edit_under_an_anchor_that_is_aliased_still_reads_back_as_the_edit() -> TestResult {
    let text = "# keep\nbase: &b {Type: Pass}\nuse: *b\n";
    let source = SourceFile::parse(text, Format::Yaml)?;
    let new = json!({"base": {"Type": "Succeed"}, "use": {"Type": "Pass"}});
    let written = source.write_preserving(&new);
    assert_eq!(
        SourceFile::parse(written.as_str(), Format::Yaml)?.value(),
        &new
    );
    Ok(())
}

#[test]
fn strings_that_yaml_1_1_readers_misread_are_quoted() -> TestResult {
    let text = r#"{"Version": "2012-10-17", "Time": "1:30", "Yes": "yes", "Octal": "012", "Arn": "arn:aws:states:::lambda:invoke"}"#;
    let yaml = SourceFile::parse(text, Format::Json)?.convert_to(Format::Yaml);
    assert_eq!(
        yaml,
        "Version: '2012-10-17'\nTime: '1:30'\n'Yes': 'yes'\nOctal: '012'\nArn: arn:aws:states:::lambda:invoke\n"
    );
    Ok(())
}

#[test]
fn a_changed_block_scalar_stays_a_literal_block() -> TestResult {
    let text = "Resources:\n  M:\n    DefinitionString: !Sub |\n      {\n        \"StartAt\": \"A\"\n      }\n    Name: x\n";
    let source = SourceFile::parse(text, Format::Yaml)?;
    let mut new = source.value().clone();
    new["Resources"]["M"]["DefinitionString"]["Fn::Sub"] = json!("{\n  \"StartAt\": \"B\"\n}\n");
    let written = source.write_preserving(&new);
    assert_eq!(written, text.replace("\"A\"", "\"B\""));
    Ok(())
}
