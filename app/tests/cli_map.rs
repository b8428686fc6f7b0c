//! `asl-studio run` with a Distributed Map's newer fields (issue #16): `--items` in every
//! ReaderConfig format, and `--results DIR` writing what a ResultWriter exports.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

mod common;

use common::{assert_contains, assert_item_reader_failed, run, text, write_file as write};

fn scratch(name: &str) -> PathBuf {
    common::scratch_dir("asl-studio-cli-map", name)
}

/// The run's output as JSON, after checking it succeeded.
fn output_of(output: &Output) -> Value {
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("output is not JSON ({error}): {}", text(&output.stdout)))
}

/// A definition whose Distributed Map `Rows` reads with `reader_config` and echoes each item.
fn reader_machine(dir: &Path, reader_config: Value) -> String {
    let definition = json!({
        "StartAt": "Rows",
        "States": {"Rows": {
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": reader_config,
                "Parameters": {"Bucket": "amzn-s3-demo-bucket", "Key": "dataset"}
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Row",
                "States": {"Row": {"Type": "Pass", "End": true}}
            },
            "End": true
        }}
    });
    write(dir, "map.asl.json", definition.to_string())
}

fn items_arg(file: &str) -> String {
    format!("Rows={file}")
}

#[test]
fn items_json_with_items_pointer() {
    let dir = scratch("json");
    let machine = reader_machine(
        &dir,
        json!({"InputType": "JSON", "ItemsPointer": "/data/rows"}),
    );
    let file = write(
        &dir,
        "rows.json",
        r#"{"data": {"rows": [{"id": 1}, {"id": 2}]}}"#,
    );
    let output = run(&["run", &machine, "--items", &items_arg(&file)]);
    assert_eq!(output_of(&output), json!([{"id": 1}, {"id": 2}]));
}

#[test]
fn items_jsonl_with_max_items() {
    let dir = scratch("jsonl");
    let machine = reader_machine(&dir, json!({"InputType": "JSONL", "MaxItems": 2}));
    let file = write(&dir, "rows.jsonl", "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n");
    let output = run(&["run", &machine, "--items", &items_arg(&file)]);
    assert_eq!(output_of(&output), json!([{"id": 1}, {"id": 2}]));
}

#[test]
fn items_csv_with_every_delimiter_and_both_header_locations() {
    let dir = scratch("csv");
    for (name, delimiter) in [
        ("COMMA", ","),
        ("PIPE", "|"),
        ("SEMICOLON", ";"),
        ("SPACE", " "),
        ("TAB", "\t"),
    ] {
        let first_row = reader_machine(
            &dir,
            json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": name}),
        );
        let file = write(
            &dir,
            "ratings.csv",
            format!("userId{delimiter}rating\n1{delimiter}3.5\n"),
        );
        let output = run(&["run", &first_row, "--items", &items_arg(&file)]);
        assert_eq!(
            output_of(&output),
            json!([{"userId": "1", "rating": "3.5"}]),
            "{name}"
        );
        let given = reader_machine(
            &dir,
            json!({
                "InputType": "CSV",
                "CSVHeaderLocation": "GIVEN",
                "CSVHeaders": ["userId", "rating"],
                "CSVDelimiter": name
            }),
        );
        let output = run(&["run", &given, "--items", &items_arg(&file)]);
        assert_eq!(
            output_of(&output),
            json!([{"userId": "userId", "rating": "rating"}, {"userId": "1", "rating": "3.5"}]),
            "{name} GIVEN"
        );
    }
}

#[test]
fn items_parquet() {
    let dir = scratch("parquet");
    let machine = reader_machine(&dir, json!({"InputType": "PARQUET"}));
    let file = write(&dir, "rows.parquet", parquet_rows());
    let output = run(&["run", &machine, "--items", &items_arg(&file)]);
    assert_eq!(
        output_of(&output),
        json!([{"id": 1, "name": "apple"}, {"id": 2, "name": "pear"}])
    );
}

/// A two-row Parquet file, Snappy-compressed as Athena and Spark write them.
fn parquet_rows() -> Vec<u8> {
    use parquet::basic::Compression;
    use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use std::sync::Arc;
    let schema = parquet::schema::parser::parse_message_type(
        "message item { required int64 id; required binary name (UTF8); }",
    )
    .unwrap_or_else(|error| panic!("schema: {error}"));
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut bytes = Vec::new();
    let mut writer = SerializedFileWriter::new(&mut bytes, Arc::new(schema), Arc::new(properties))
        .unwrap_or_else(|error| panic!("writer: {error}"));
    let mut group = writer
        .next_row_group()
        .unwrap_or_else(|error| panic!("row group: {error}"));
    let mut ids = group
        .next_column()
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no id column"));
    ids.typed::<Int64Type>()
        .write_batch(&[1, 2], None, None)
        .unwrap_or_else(|error| panic!("ids: {error}"));
    ids.close().unwrap_or_else(|error| panic!("ids: {error}"));
    let mut names = group
        .next_column()
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no name column"));
    names
        .typed::<ByteArrayType>()
        .write_batch(
            &[ByteArray::from("apple"), ByteArray::from("pear")],
            None,
            None,
        )
        .unwrap_or_else(|error| panic!("names: {error}"));
    names
        .close()
        .unwrap_or_else(|error| panic!("names: {error}"));
    group
        .close()
        .unwrap_or_else(|error| panic!("group: {error}"));
    writer
        .close()
        .unwrap_or_else(|error| panic!("close: {error}"));
    bytes
}

#[test]
fn items_s3_inventory_manifest_with_gzipped_csv_next_to_it() {
    use std::io::Write as _;
    let dir = scratch("manifest");
    let machine = reader_machine(&dir, json!({"InputType": "MANIFEST"}));
    let manifest = write(
        &dir,
        "manifest.json",
        json!({
            "sourceBucket": "amzn-s3-demo-source-bucket",
            "fileFormat": "CSV",
            "fileSchema": "Bucket, Key, Size",
            "files": [{"key": "inventory/data/part-1.csv.gz", "size": 60}]
        })
        .to_string(),
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"\"amzn-s3-demo-source-bucket\",\"photos/a.jpg\",\"1024\"\n")
        .unwrap_or_else(|error| panic!("gzip: {error}"));
    let gzipped = gz.finish().unwrap_or_else(|error| panic!("gzip: {error}"));
    write(&dir, "part-1.csv.gz", gzipped);
    let output = run(&["run", &machine, "--items", &items_arg(&manifest)]);
    assert_eq!(
        output_of(&output),
        json!([{"Bucket": "amzn-s3-demo-source-bucket", "Key": "photos/a.jpg", "Size": "1024"}])
    );
}

#[test]
fn items_for_a_state_without_an_item_reader_is_refused() {
    let dir = scratch("nostate");
    let machine = reader_machine(&dir, json!({"InputType": "JSON"}));
    let file = write(&dir, "rows.json", "[1]");
    let output = run(&["run", &machine, "--items", &format!("Nope={file}")]);
    assert_eq!(output.status.code(), Some(2));
    assert_contains(
        &text(&output.stderr),
        "the definition has no Map state named Nope with an ItemReader",
    );
}

#[test]
fn a_dataset_aws_cannot_read_fails_the_map_with_item_reader_failed() {
    let dir = scratch("badjson");
    let machine = reader_machine(
        &dir,
        json!({"InputType": "JSON", "ItemsPointer": "/missing"}),
    );
    let file = write(&dir, "rows.json", r#"{"rows": []}"#);
    let output = run(&["run", &machine, "--items", &items_arg(&file)]);
    assert_item_reader_failed(&output, "ItemsPointer '/missing' selects nothing");
}

/// A Distributed Map over `$.orders` that batches two items a child and exports its results.
fn writer_machine(dir: &Path, prefix: &str) -> String {
    let definition = json!({
        "StartAt": "Orders",
        "States": {"Orders": {
            "Type": "Map",
            "ItemsPath": "$.orders",
            "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"run": "nightly"}},
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Count",
                "States": {"Count": {"Type": "Pass", "Parameters": {"count.$": "States.ArrayLength($.Items)"}, "End": true}}
            },
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "amzn-s3-demo-destination-bucket", "Prefix": prefix},
                "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"}
            },
            "End": true
        }}
    });
    write(dir, "orders.asl.json", definition.to_string())
}

#[test]
fn results_dir_gets_the_manifest_and_result_files_at_their_s3_keys() {
    let dir = scratch("results");
    let machine = writer_machine(&dir, "jobs");
    let input = write(&dir, "input.json", r#"{"orders": [1, 2, 3]}"#);
    let results = dir.join("out");
    let results_arg = results.display().to_string();
    let output = run(&[
        "run",
        &machine,
        "--input",
        &input,
        "--results",
        &results_arg,
    ]);
    assert_eq!(
        output_of(&output),
        json!({
            "MapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:orders/Orders:dry-run",
            "ResultWriterDetails": {
                "Bucket": "amzn-s3-demo-destination-bucket",
                "Key": "jobs/dry-run/manifest.json"
            }
        })
    );
    let read = |name: &str| {
        std::fs::read_to_string(results.join("jobs/dry-run").join(name))
            .unwrap_or_else(|error| panic!("{name}: {error}"))
    };
    assert_eq!(read("SUCCEEDED_0.jsonl"), "{\"count\":2}\n{\"count\":1}\n");
    let manifest: Value = serde_json::from_str(&read("manifest.json"))
        .unwrap_or_else(|error| panic!("manifest: {error}"));
    assert_eq!(
        manifest["ResultFiles"]["SUCCEEDED"],
        json!([{"Key": "jobs/dry-run/SUCCEEDED_0.jsonl", "Size": 24}])
    );
    assert_eq!(
        manifest["DestinationBucket"],
        "amzn-s3-demo-destination-bucket"
    );
}

#[test]
fn results_keys_that_would_leave_the_folder_are_refused() {
    let dir = scratch("escape");
    let machine = writer_machine(&dir, "../outside");
    let input = write(&dir, "input.json", r#"{"orders": [1]}"#);
    let results = dir.join("out").display().to_string();
    let output = run(&["run", &machine, "--input", &input, "--results", &results]);
    assert_eq!(output.status.code(), Some(2));
    assert_contains(
        &text(&output.stderr),
        "is not a relative path inside the folder",
    );
    assert!(!dir.join("outside").exists());
}
