//! The record the page autosaves the open definition in (local storage).
//!
//! The first line is [`AUTOSAVE_HEADER`], the second the name as a JSON string, the rest the
//! text as it is. Earlier versions wrote `{"name": ..., "text": ...}`, which is still read:
//! escaping a definition of a megabyte into a JSON string took a frame of its own.

/// The first line of an autosave record.
pub const AUTOSAVE_HEADER: &str = "asl-studio-autosave 2";

/// The autosave record of `text` under `name`.
#[must_use]
pub fn autosave_record(name: &str, text: &str) -> String {
    let name = serde_json::Value::from(name).to_string();
    let mut record = String::with_capacity(AUTOSAVE_HEADER.len() + name.len() + text.len() + 2);
    record.push_str(AUTOSAVE_HEADER);
    record.push('\n');
    record.push_str(&name);
    record.push('\n');
    record.push_str(text);
    record
}

/// The name and text of an autosave record, of this version or the earlier JSON one; `None`
/// when it is neither.
#[must_use]
pub fn read_autosave_record(record: &str) -> Option<(String, String)> {
    if let Some(rest) = record
        .strip_prefix(AUTOSAVE_HEADER)
        .and_then(|rest| rest.strip_prefix('\n'))
    {
        let (name, text) = rest.split_once('\n')?;
        let name: String = serde_json::from_str(name).ok()?;
        return Some((name, text.to_owned()));
    }
    let record: serde_json::Value = serde_json::from_str(record).ok()?;
    Some((
        record["name"].as_str()?.to_owned(),
        record["text"].as_str()?.to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_gives_back_its_name_and_text_byte_for_byte() {
        let text =
            "{\n  \"StartAt\": \"A\",\r\n\t\"States\": {\"A\": {\"Type\": \"Succeed\"}}\n}\n\n";
        for name in ["mine.asl.json", "odd\nname \"quoted\" ✓.yaml", ""] {
            let record = autosave_record(name, text);
            assert_eq!(
                read_autosave_record(&record),
                Some((name.to_owned(), text.to_owned()))
            );
        }
    }

    #[test]
    fn a_record_of_the_earlier_json_form_is_still_read() {
        let old = serde_json::json!({"name": "old.asl.json", "text": "{\"StartAt\": \"A\"}"});
        assert_eq!(
            read_autosave_record(&old.to_string()),
            Some(("old.asl.json".to_owned(), "{\"StartAt\": \"A\"}".to_owned()))
        );
    }

    #[test]
    fn anything_else_is_no_record() {
        assert_eq!(read_autosave_record(""), None);
        assert_eq!(read_autosave_record("not json"), None);
        assert_eq!(read_autosave_record("{\"name\": \"x\"}"), None);
        assert_eq!(read_autosave_record(AUTOSAVE_HEADER), None);
        assert_eq!(
            read_autosave_record(&format!("{AUTOSAVE_HEADER}\nnot-json-name\n{{}}")),
            None
        );
    }
}
