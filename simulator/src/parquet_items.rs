//! Parquet datasets for an ItemReader (`InputType` PARQUET): each row one item, a JSON object of its
//! columns. Built only with the `parquet` feature (the native CLI and designer; see the README for
//! what it costs the browser build).

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use serde_json::{Map, Number, Value};

/// The rows of a Parquet file as JSON objects, in file order.
pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Value>, String> {
    let reader = SerializedFileReader::new(bytes::Bytes::copy_from_slice(bytes))
        .map_err(|error| format!("not a readable Parquet file: {error}"))?;
    let rows = reader
        .get_row_iter(None)
        .map_err(|error| format!("cannot read the Parquet rows: {error}"))?;
    let mut items = Vec::new();
    for (index, row) in rows.enumerate() {
        let row = row.map_err(|error| format!("row {index}: {error}"))?;
        let object: Map<String, Value> = row
            .get_column_iter()
            .map(|(name, field)| (name.clone(), field_value(field)))
            .collect();
        items.push(Value::Object(object));
    }
    Ok(items)
}

/// A column value as JSON: numbers and booleans as themselves, text as strings, binary as base64,
/// dates, times and decimals in their usual text form, groups, lists and maps nested.
fn field_value(field: &Field) -> Value {
    use base64::Engine as _;
    let float = |n: f64| Number::from_f64(n).map_or(Value::Null, Value::Number);
    match field {
        Field::Null => Value::Null,
        Field::Bool(b) => Value::Bool(*b),
        Field::Byte(n) => Value::from(*n),
        Field::Short(n) => Value::from(*n),
        Field::Int(n) => Value::from(*n),
        Field::Long(n) => Value::from(*n),
        Field::UByte(n) => Value::from(*n),
        Field::UShort(n) => Value::from(*n),
        Field::UInt(n) => Value::from(*n),
        Field::ULong(n) => Value::from(*n),
        Field::Float16(n) => float(f64::from(*n)),
        Field::Float(n) => float(f64::from(*n)),
        Field::Double(n) => float(*n),
        Field::Str(text) => Value::String(text.clone()),
        Field::Bytes(bytes) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(bytes.data()))
        }
        Field::Group(row) => Value::Object(
            row.get_column_iter()
                .map(|(name, field)| (name.clone(), field_value(field)))
                .collect(),
        ),
        Field::ListInternal(list) => {
            Value::Array(list.elements().iter().map(field_value).collect())
        }
        Field::MapInternal(map) => Value::Object(
            map.entries()
                .iter()
                .map(|(key, value)| {
                    let key = match field_value(key) {
                        Value::String(text) => text,
                        other => other.to_string(),
                    };
                    (key, field_value(value))
                })
                .collect(),
        ),
        // Decimal, Date, Time* and Timestamp*: the reader's own text form.
        other => Value::String(other.to_string().trim_matches('"').to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use parquet::basic::Compression;
    use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use serde_json::json;

    use super::*;

    /// A Snappy-compressed file of two rows (`id` INT64, `name` UTF8), as Athena or Spark write them.
    fn sample() -> Result<Vec<u8>, parquet::errors::ParquetError> {
        let schema = Arc::new(parse_message_type(
            "message item { required int64 id; required binary name (UTF8); }",
        )?);
        let properties = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .build(),
        );
        let mut bytes = Vec::new();
        let mut writer = SerializedFileWriter::new(&mut bytes, schema, properties)?;
        let mut group = writer.next_row_group()?;
        if let Some(mut column) = group.next_column()? {
            column
                .typed::<Int64Type>()
                .write_batch(&[1, 2], None, None)?;
            column.close()?;
        }
        if let Some(mut column) = group.next_column()? {
            let names = [ByteArray::from("apple"), ByteArray::from("pear")];
            column
                .typed::<ByteArrayType>()
                .write_batch(&names, None, None)?;
            column.close()?;
        }
        group.close()?;
        writer.close()?;
        Ok(bytes)
    }

    #[test]
    fn snappy_parquet_rows_become_objects() -> Result<(), String> {
        let bytes = sample().map_err(|error| error.to_string())?;
        assert_eq!(
            read(&bytes)?,
            vec![
                json!({"id": 1, "name": "apple"}),
                json!({"id": 2, "name": "pear"})
            ]
        );
        Ok(())
    }

    #[test]
    fn a_file_that_is_not_parquet_is_refused() {
        let error = read(b"id,name\n1,apple\n");
        assert!(
            error
                .as_ref()
                .is_err_and(|e| e.starts_with("not a readable Parquet file")),
            "{error:?}"
        );
    }
}
