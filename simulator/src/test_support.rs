//! What the crate's unit tests share: reading an AWS-recorded conformance case, and the random
//! edits the never-panic tests make to real expressions.

use std::path::Path;

use serde_json::{Map, Value};

/// A conformance case file and the `States` of its definition.
pub(crate) fn conformance_case(path: &Path) -> (Value, Map<String, Value>) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let case: Value =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let states = case["definition"]["States"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    (case, states)
}

/// `source` after `edits` random edits, each inserting a character of `alphabet`, removing one
/// or cutting the rest off; `pick(bound)` draws a number below `bound`.
pub(crate) fn mutated(
    source: &str,
    edits: usize,
    alphabet: &[char],
    pick: &mut impl FnMut(usize) -> usize,
) -> String {
    let mut chars: Vec<char> = source.chars().collect();
    for _ in 0..edits {
        let at = pick(chars.len() + 1);
        match pick(3) {
            0 => chars.insert(at, alphabet[pick(alphabet.len())]),
            1 if at < chars.len() => {
                chars.remove(at);
            }
            _ => chars.truncate(at),
        }
    }
    chars.into_iter().collect()
}
