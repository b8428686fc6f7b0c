//! `asl-studio run --items STATE=FOLDER` for an S3 object listing (`s3:listObjectsV2`): the folder
//! stands for the listed prefix. With `ReaderConfig.Transformation` LOAD_AND_FLATTEN each object
//! is loaded and its items flattened into the Map's items; without, the items are the listing.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{Value, json};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "asl-studio-cli-map-listing-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("orders"))
        .unwrap_or_else(|error| panic!("scratch folder: {error}"));
    dir
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_asl-studio"))
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run asl-studio: {error}"))
}

fn machine(reader_config: Value) -> String {
    json!({
        "StartAt": "Orders",
        "States": {"Orders": {
            "Type": "Map",
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:listObjectsV2",
                "ReaderConfig": reader_config,
                "Parameters": {"Bucket": "amzn-s3-demo-bucket", "Prefix": "orders/"}
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Echo",
                "States": {"Echo": {"Type": "Pass", "End": true}}
            },
            "End": true
        }}
    })
    .to_string()
}

fn run_over_orders(name: &str, reader_config: Value) -> Value {
    let dir = scratch(name);
    let orders = dir.join("orders");
    let write = |file: &str, text: &str| {
        std::fs::write(orders.join(file), text).unwrap_or_else(|error| panic!("{file}: {error}"));
    };
    write("2024-02.jsonl", "{\"id\": 3}\n");
    write("2024-01.jsonl", "{\"id\": 1}\n{\"id\": 2}\n");
    let definition = dir.join("orders.asl.json");
    std::fs::write(&definition, machine(reader_config))
        .unwrap_or_else(|error| panic!("definition: {error}"));
    let input = dir.join("input.json");
    std::fs::write(&input, "{}").unwrap_or_else(|error| panic!("input: {error}"));
    let items = format!("Orders={}", orders.display());
    let output = run(&[
        "run",
        &definition.display().to_string(),
        "--input",
        &input.display().to_string(),
        "--items",
        &items,
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| panic!("output: {error}"))
}

#[test]
fn load_and_flatten_over_a_folder_gives_every_objects_items_in_key_order() {
    let output = run_over_orders(
        "flatten",
        json!({"InputType": "JSONL", "Transformation": "LOAD_AND_FLATTEN"}),
    );
    assert_eq!(output, json!([{"id": 1}, {"id": 2}, {"id": 3}]));
}

#[test]
fn without_load_and_flatten_a_folder_gives_the_listing_itself() {
    let output = run_over_orders("listing", json!({"Transformation": "NONE"}));
    assert_eq!(
        output,
        json!([
            {"Key": "2024-01.jsonl", "Size": 20},
            {"Key": "2024-02.jsonl", "Size": 10}
        ])
    );
}
