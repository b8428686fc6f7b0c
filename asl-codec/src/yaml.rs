//! YAML in and out through `yaml_serde`, with CloudFormation short tags mapped to their long
//! `Fn::` forms, and a best-effort line:col for JSON pointers into block-style YAML.

use serde_json::{Map, Number, Value};

use crate::json::SyntaxError;
use crate::span::{LineCol, escape_segment, line_col_of, pointer_segments};

/// Parses YAML text into a JSON value, keeping mapping order. CloudFormation short tags become
/// their long forms: `!Ref X` is `{"Ref": "X"}`, `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`,
/// `!Condition C` is `{"Condition": "C"}`, and any other `!Name v` is `{"Fn::Name": v}`.
pub fn parse(text: &str, max_bytes: usize) -> Result<Value, SyntaxError> {
    if text.len() > max_bytes {
        return Err(SyntaxError {
            message: format!(
                "input is {} bytes, more than the limit of {max_bytes} bytes",
                text.len()
            ),
            offset: 0,
            location: LineCol { line: 1, column: 1 },
        });
    }
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let yaml: yaml_serde::Value = yaml_serde::from_str(body).map_err(|error| {
        let (offset, location) = match error.location() {
            Some(at) => (
                at.index(),
                LineCol {
                    line: at.line(),
                    column: at.column(),
                },
            ),
            None => (0, LineCol { line: 1, column: 1 }),
        };
        let message = error.to_string();
        // yaml_serde appends " at line L column C"; the location is reported separately.
        let message = match message.find(" at line ") {
            Some(cut) => message[..cut].to_owned(),
            None => message,
        };
        SyntaxError {
            message: format!("YAML: {message}"),
            offset,
            location,
        }
    })?;
    let mut path = Vec::new();
    to_json(yaml, &mut path).map_err(|message| {
        let pointer: String = path
            .iter()
            .map(|s| format!("/{}", escape_segment(s)))
            .collect();
        let location = locate(text, &pointer).0;
        SyntaxError {
            message: format!(
                "{message} at {}",
                if pointer.is_empty() { "/" } else { &pointer }
            ),
            offset: 0,
            location,
        }
    })
}

fn to_json(yaml: yaml_serde::Value, path: &mut Vec<String>) -> Result<Value, String> {
    Ok(match yaml {
        yaml_serde::Value::Null => Value::Null,
        yaml_serde::Value::Bool(b) => Value::Bool(b),
        yaml_serde::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(Number::from(i))
            } else if let Some(u) = n.as_u64() {
                Value::Number(Number::from(u))
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Value::Number(
                    Number::from_f64(f)
                        .ok_or_else(|| format!("YAML number {n} has no JSON equivalent"))?,
                )
            }
        }
        yaml_serde::Value::String(s) => Value::String(s),
        yaml_serde::Value::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                path.push(i.to_string());
                out.push(to_json(item, path)?);
                path.pop();
            }
            Value::Array(out)
        }
        yaml_serde::Value::Mapping(mapping) => {
            let mut out = Map::new();
            for (key, value) in mapping {
                let key = match key {
                    yaml_serde::Value::String(s) => s,
                    yaml_serde::Value::Number(n) => n.to_string(),
                    yaml_serde::Value::Bool(b) => b.to_string(),
                    yaml_serde::Value::Null => "null".to_owned(),
                    _ => return Err("a mapping key that is not a scalar".to_owned()),
                };
                path.push(key.clone());
                let value = to_json(value, path)?;
                path.pop();
                out.insert(key, value);
            }
            Value::Object(out)
        }
        yaml_serde::Value::Tagged(tagged) => {
            let name = tagged.tag.to_string();
            let name = name.trim_start_matches('!').to_owned();
            let inner = to_json(tagged.value, path)?;
            let (long, inner) = match name.as_str() {
                "Ref" | "Condition" => (name.clone(), inner),
                "GetAtt" => {
                    let inner = match inner {
                        Value::String(s) => match s.split_once('.') {
                            Some((resource, attribute)) => Value::Array(vec![
                                Value::String(resource.to_owned()),
                                Value::String(attribute.to_owned()),
                            ]),
                            None => Value::String(s),
                        },
                        other => other,
                    };
                    ("Fn::GetAtt".to_owned(), inner)
                }
                _ => (format!("Fn::{name}"), inner),
            };
            let mut map = Map::new();
            map.insert(long, inner);
            Value::Object(map)
        }
    })
}

/// Writes a value as YAML (block style, key order kept).
pub fn to_yaml(value: &Value) -> String {
    yaml_serde::to_string(value).unwrap_or_else(|error| format!("# cannot write YAML: {error}\n"))
}

/// Best-effort position of a JSON pointer in block-style YAML: follows `key:` lines and `- `
/// items by indentation. Returns the deepest position found and whether the whole pointer was.
pub fn locate(text: &str, pointer: &str) -> (LineCol, bool) {
    let lines: Vec<(usize, &str)> = {
        let mut offset = 0;
        text.split_inclusive('\n')
            .map(|line| {
                let start = offset;
                offset += line.len();
                (start, line.trim_end_matches(['\n', '\r']))
            })
            .collect()
    };
    let indent_of = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let meaningful = |line: &str| {
        let t = line.trim_start();
        !t.is_empty() && !t.starts_with('#') && t != "---"
    };
    // Cursor: (index of the line where the current node starts, column of its content, offset).
    let mut line_index = 0;
    while line_index < lines.len() && !meaningful(lines[line_index].1) {
        line_index += 1;
    }
    let mut best = (0usize, true);
    let mut parent_indent: isize = -1;
    let mut content_col: Option<usize> = None;
    for segment in pointer_segments(pointer) {
        let mut found = None;
        let mut array_count = 0usize;
        let want_index: Option<usize> = segment.parse().ok();
        // The node's children may start on the node's own line after `key: ` or `- `.
        let mut i = line_index;
        let mut first = true;
        while i < lines.len() {
            let (start, line) = lines[i];
            if !meaningful(line) {
                i += 1;
                continue;
            }
            let indent = indent_of(line);
            let col = if first {
                content_col.unwrap_or(indent)
            } else {
                indent
            };
            if !first && (indent as isize) <= parent_indent {
                break;
            }
            let rest = line.get(col..).unwrap_or("");
            if let Some(index) = want_index
                && let Some(after_dash) = rest.strip_prefix('-')
                && (after_dash.is_empty() || after_dash.starts_with(' '))
                && (first || indent as isize > parent_indent)
            {
                if array_count == index {
                    let skip = 1 + (after_dash.len() - after_dash.trim_start().len());
                    found = Some((i, col + skip, start + col));
                    break;
                }
                array_count += 1;
            } else if key_matches(rest, &segment) {
                found = Some((i, col, start + col));
                break;
            }
            first = false;
            i += 1;
        }
        let Some((found_line, found_col, offset)) = found else {
            return (line_col_of(text, best.0), false);
        };
        best = (offset, true);
        parent_indent = found_col as isize - if want_index.is_some() { 1 } else { 0 };
        let line = lines[found_line].1;
        // After `key:` the value may continue on the same line (a `- ` item or an inline map).
        let rest = &line[found_col..];
        let after_key = if want_index.is_some() {
            Some(0)
        } else {
            rest.find(':').map(|colon| {
                colon + 1 + (rest[colon + 1..].len() - rest[colon + 1..].trim_start().len())
            })
        };
        match after_key {
            Some(skip) if found_col + skip < line.len() => {
                line_index = found_line;
                content_col = Some(found_col + skip);
            }
            _ => {
                line_index = found_line + 1;
                content_col = None;
            }
        }
        if want_index.is_none() {
            parent_indent = found_col as isize;
        }
    }
    (line_col_of(text, best.0), best.1)
}

fn key_matches(rest: &str, key: &str) -> bool {
    for quoted in [key.to_owned(), format!("\"{key}\""), format!("'{key}'")] {
        if let Some(after) = rest.strip_prefix(quoted.as_str())
            && after.trim_start().starts_with(':')
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tags_become_long_forms() -> Result<(), SyntaxError> {
        let value = parse(
            "a: !Ref X\nb: !GetAtt Fn.Arn\nc: !Sub '${A}'\nd: !Join ['', [x, !Ref Y]]\n",
            usize::MAX,
        )?;
        assert_eq!(
            value,
            serde_json::json!({
                "a": {"Ref": "X"},
                "b": {"Fn::GetAtt": ["Fn", "Arn"]},
                "c": {"Fn::Sub": "${A}"},
                "d": {"Fn::Join": ["", ["x", {"Ref": "Y"}]]},
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
    fn locates_nested_keys_and_items() {
        let text = "StartAt: A\nStates:\n  A:\n    Type: Choice\n    Choices:\n      - Variable: $.x\n        Next: B\n      - Next: C\n  B:\n    Type: Pass\n";
        assert_eq!(
            locate(text, "/States/A/Type"),
            (LineCol { line: 4, column: 5 }, true)
        );
        assert_eq!(
            locate(text, "/States/B"),
            (LineCol { line: 9, column: 3 }, true)
        );
        assert_eq!(
            locate(text, "/States/A/Choices/0/Next"),
            (LineCol { line: 7, column: 9 }, true)
        );
        assert_eq!(
            locate(text, "/States/A/Choices/1/Next"),
            (LineCol { line: 8, column: 9 }, true)
        );
        assert_eq!(
            locate(text, "/States/A/Missing"),
            (LineCol { line: 3, column: 3 }, false)
        );
    }
}
