//! The length of a value's compact JSON text, counted without building the text.
//!
//! Every state's output is measured against the 256 KiB payload limit, and the history budget
//! measures every payload it keeps. Serialising into a counting writer costs a call per token;
//! this walk counts the text directly, several times faster, and stops as soon as the limit is
//! passed, so measuring a document never costs more than the limit's worth of text.

use serde_json::Value;

/// The length of the compact JSON text of `value` (as `serde_json::to_string` writes it), counted
/// without building it. Counting stops once it passes `limit`: the answer is then some number
/// above `limit`.
pub(crate) fn json_size_up_to(value: &Value, limit: usize) -> usize {
    let mut counter = Counter { counted: 0, limit };
    // An early stop only means the answer is above the limit, which `counted` already says.
    let _complete = counter.value(value);
    counter.counted
}

/// The compact JSON text of `value` when it is at most `limit` bytes long, else `None`; writing
/// stops as soon as the text passes the limit.
pub(crate) fn compact_up_to(value: &Value, limit: usize) -> Option<String> {
    struct Bounded {
        text: Vec<u8>,
        limit: usize,
    }
    impl std::io::Write for Bounded {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if self.text.len() + bytes.len() > self.limit {
                return Err(std::io::Error::other("over the limit"));
            }
            self.text.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut writer = Bounded {
        text: Vec::new(),
        limit,
    };
    serde_json::to_writer(&mut writer, value).ok()?;
    String::from_utf8(writer.text).ok()
}

/// Counting passed the limit.
struct Passed;

struct Counter {
    counted: usize,
    limit: usize,
}

impl Counter {
    fn add(&mut self, bytes: usize) -> Result<(), Passed> {
        self.counted = self.counted.saturating_add(bytes);
        if self.counted > self.limit {
            Err(Passed)
        } else {
            Ok(())
        }
    }

    fn value(&mut self, value: &Value) -> Result<(), Passed> {
        match value {
            Value::Null => self.add(4),
            Value::Bool(true) => self.add(4),
            Value::Bool(false) => self.add(5),
            Value::Number(number) => self.add(number_len(number)),
            Value::String(text) => self.add(string_len(text)),
            Value::Array(items) => {
                // Brackets and the commas between items.
                self.add(2 + items.len().saturating_sub(1))?;
                items.iter().try_for_each(|item| self.value(item))
            }
            Value::Object(map) => {
                // Braces, the commas between members and a colon for each.
                self.add(2 + map.len().saturating_sub(1) + map.len())?;
                map.iter().try_for_each(|(key, item)| {
                    self.add(string_len(key))?;
                    self.value(item)
                })
            }
        }
    }
}

/// The length of `text` as a JSON string literal, quotes included, escaped as serde_json escapes
/// it: `"` `\` and the short control escapes take two bytes, other control characters six.
fn string_len(text: &str) -> usize {
    let escapes: usize = text
        .bytes()
        .map(|byte| match byte {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
            0x00..=0x1f => 5,
            _ => 0,
        })
        .sum();
    text.len() + 2 + escapes
}

/// The length of a number as serde_json writes it (integers in full, floats the shortest way
/// that reads back the same).
fn number_len(number: &serde_json::Number) -> usize {
    if let Some(unsigned) = number.as_u64() {
        digits(unsigned)
    } else if let Some(signed) = number.as_i64() {
        1 + digits(signed.unsigned_abs())
    } else {
        // Rare in payloads and at most 24 characters: the writer's own text is the reference.
        number.to_string().len()
    }
}

fn digits(mut number: u64) -> usize {
    let mut count = 1;
    while number >= 10 {
        number /= 10;
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_what_serde_json_writes() {
        let values = [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(-7),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.5),
            json!(1e300),
            json!(-0.000123),
            json!("plain"),
            json!("quote \" backslash \\ newline \n tab \t bell \u{7} nul \u{0} é 😀"),
            json!([]),
            json!({}),
            json!([1, [2, []], {"a": {}}]),
            json!({"k\"ey": [null, true, "x"], "": {"nested": [1.25, -3]}}),
        ];
        for value in values {
            let text = value.to_string();
            assert_eq!(json_size_up_to(&value, usize::MAX), text.len(), "{text}");
            assert_eq!(json_size_up_to(&value, text.len()), text.len(), "{text}");
            if !text.is_empty() {
                assert!(
                    json_size_up_to(&value, text.len() - 1) > text.len() - 1,
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn compact_text_only_within_the_limit() {
        let value = json!({"a": [1, "two", null]});
        let text = value.to_string();
        assert_eq!(compact_up_to(&value, text.len()), Some(text.clone()));
        assert_eq!(compact_up_to(&value, text.len() - 1), None);
    }

    #[test]
    fn stops_counting_past_the_limit() {
        let long = json!(vec!["x".repeat(100); 10_000]);
        let counted = json_size_up_to(&long, 1_000);
        assert!(counted > 1_000 && counted < 20_000, "{counted}");
    }
}
