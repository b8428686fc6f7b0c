//! YAML on a lossless, span-keeping layer: `saphyr-parser` events become a tree that knows the
//! bytes of every node (tags, anchors, quoting and block/flow style included), from which come the
//! value (CloudFormation short tags as their long `Fn::` forms), line:col for JSON pointers, the
//! preserving writer ([`write_preserving`]) and the re-indenting canonical layout ([`canonical`]).
//!
//! Numbers keep their literal: the value holds the nearest JSON number, and the writers copy the
//! original text of every unchanged scalar, so `1e-400` or a 30-digit integer is never rewritten.

mod edit;
pub mod emit;
mod guess;
mod layout;
pub mod tree;

use serde_json::Value;

use crate::json::{ParseOptions, SyntaxError};
use crate::span::{LineCol, SpanRef, line_col_of, pointer_segments};
pub use tree::{Content, Document, Entry, Node};

/// Parses YAML text into its tree and value, within `options`' size and depth limits (the same
/// limits as JSON). A UTF-8 byte order mark is skipped.
pub fn parse_document(text: &str, options: &ParseOptions) -> Result<Document, SyntaxError> {
    let root = tree::parse_tree(text, options)?;
    let value = match &root {
        Some(root) => tree::to_value(text, root)?,
        None => Value::Null,
    };
    Ok(Document { root, value })
}

/// Parses YAML text into a JSON value, keeping mapping order. CloudFormation short tags become
/// their long forms: `!Ref X` is `{"Ref": "X"}`, `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`,
/// `!Condition C` is `{"Condition": "C"}`, and any other `!Name v` is `{"Fn::Name": v}`.
pub fn parse(text: &str, max_bytes: usize) -> Result<Value, SyntaxError> {
    let options = ParseOptions {
        max_bytes,
        ..ParseOptions::default()
    };
    parse_document(text, &options).map(|document| document.value)
}

/// Writes a value as a YAML document (block style, key order kept).
pub fn to_yaml(value: &Value) -> String {
    emit::document(value, None, &emit::Layout::default())
}

/// Writes the value of JSON `text` (described by `spans`) as YAML, every number written with
/// its JSON literal.
pub fn from_json(text: &str, spans: SpanRef<'_>, value: &Value) -> String {
    emit::document(
        value,
        Some(emit::Literals::new(text, spans)),
        &emit::Layout::default(),
    )
}

/// `text` with its value changed from `old` to `new`, every unchanged node's bytes kept.
pub fn write_preserving(text: &str, root: &Node, old: &Value, new: &Value) -> String {
    edit::Editor::new(text, root).write(root, old, new)
}

/// The canonical layout of a YAML text: every block collection re-indented by two spaces a
/// level, everything else (comments, tags, quoting, flow collections, blank lines) as it was.
pub fn canonical(text: &str, root: &Node) -> String {
    layout::reindent(text, root)
}

/// Position of a JSON pointer: where its member key (or, for an item, the value) is written.
/// Absent targets give the nearest existing ancestor with `false`. A text that does not parse
/// gets a best effort from indentation.
pub fn locate(text: &str, pointer: &str) -> (LineCol, bool) {
    match tree::parse_tree(text, &ParseOptions::default()) {
        Ok(Some(root)) => {
            let (offset, exact) = locate_in(&root, pointer);
            (line_col_of(text, offset), exact)
        }
        _ => guess::locate(text, pointer),
    }
}

/// Byte offset of a JSON pointer's member key (or item) in the tree, and whether it was found.
pub fn locate_in(root: &Node, pointer: &str) -> (usize, bool) {
    let mut node = root;
    let mut offset = root.start;
    // A short tag stands for a one-member mapping: its key is the first segment inside it.
    let mut tag_open = node.tag.as_deref().is_some_and(|t| !tree::is_core_tag(t));
    for segment in pointer_segments(pointer) {
        if tag_open {
            match node.tag.as_deref() {
                Some(tag) if tree::long_key(tag) == segment => {
                    tag_open = false;
                    continue;
                }
                _ => return (offset, false),
            }
        }
        let next = match &node.content {
            Content::Map { entries, .. } => entries
                .iter()
                .find(|entry| {
                    matches!(&entry.key.content, Content::Scalar { text, .. } if *text == segment)
                })
                .map(|entry| (entry.key.start, &entry.value)),
            Content::Seq { items, .. } => segment
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .map(|item| (item.start, item)),
            // `!GetAtt A.B`: both parts are in the one scalar.
            Content::Scalar { .. } if matches!(segment.as_str(), "0" | "1") => {
                Some((node.content_start, node))
            }
            _ => None,
        };
        let Some((at, child)) = next else {
            return (offset, false);
        };
        offset = at;
        if !std::ptr::eq(child, node) {
            node = child;
            tag_open = node.tag.as_deref().is_some_and(|t| !tree::is_core_tag(t));
        }
    }
    (offset, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tags_become_long_forms() -> Result<(), SyntaxError> {
        let value = parse(
            "a: !Ref X\nb: !GetAtt Fn.Arn\nc: !Sub '${A}'\nd: !Join ['', [x, !Ref Y]]\ne: !Condition C\n",
            usize::MAX,
        )?;
        assert_eq!(
            value,
            serde_json::json!({
                "a": {"Ref": "X"},
                "b": {"Fn::GetAtt": ["Fn", "Arn"]},
                "c": {"Fn::Sub": "${A}"},
                "d": {"Fn::Join": ["", ["x", {"Ref": "Y"}]]},
                "e": {"Condition": "C"},
            })
        );
        Ok(())
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("a: [1, 2\nb: 3\n", usize::MAX).err();
        assert!(err.is_some_and(|e| e.location.line >= 1 && e.message.starts_with("YAML")));
    }

    #[test]
    fn duplicate_keys_and_second_documents_are_errors() {
        let duplicate = parse("a: 1\nb: 2\na: 3\n", usize::MAX).err();
        assert!(duplicate.is_some_and(|e| e.message.contains("duplicate") && e.location.line == 3));
        assert!(parse("a: 1\n---\nb: 2\n", usize::MAX).is_err());
    }

    #[test]
    fn a_closing_bracket_left_of_its_block_reads_as_libyaml_reads_it() -> Result<(), SyntaxError> {
        // From a real CloudFormation template (corpus: cfn-deequ-pipeline.yaml).
        let text = "A:\n  Key: {\n    \"x\": [1,\n      2\n  ]\n}\nB: 1\n";
        assert_eq!(
            parse(text, usize::MAX)?,
            serde_json::json!({"A": {"Key": {"x": [1, 2]}}, "B": 1})
        );
        Ok(())
    }

    #[test]
    fn locates_nested_keys_and_items() {
        let text = "StartAt: A\nStates:\n  A:\n    Type: Choice\n    Choices:\n      - Variable: $.x\n        Next: B\n      - Next: C\n  B:\n    Type: Pass\n";
        let at = |pointer: &str| {
            let (at, exact) = locate(text, pointer);
            (at.line, at.column, exact)
        };
        assert_eq!(at("/States/A/Type"), (4, 5, true));
        assert_eq!(at("/States/B"), (9, 3, true));
        assert_eq!(at("/States/A/Choices/0/Next"), (7, 9, true));
        assert_eq!(at("/States/A/Choices/1/Next"), (8, 9, true));
        assert_eq!(at("/States/A/Missing"), (3, 3, false));
        // While typing, the text may not parse: the indentation guess answers.
        assert_eq!(locate("a:\n  b: [\n", "/a/b").0.line, 2);
    }
}
