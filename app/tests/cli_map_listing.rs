//! `asl-studio run --items STATE=FOLDER` for an S3 object listing (`s3:listObjectsV2`): the folder
//! stands for the listed prefix. With `ReaderConfig.Transformation` LOAD_AND_FLATTEN each object
//! is loaded and its items flattened into the Map's items; without, the items are the listing.

use serde_json::{Value, json};

mod common;

use common::{path_str, run, scratch_dir};

/// A Distributed Map over the objects under `orders/` (ListObjectsV2), echoing each item.
const LISTING: &str = include_str!("data/orders-listing.asl.json");

/// The definition with `reader_config` as its ItemReader's ReaderConfig.
fn machine(reader_config: Value) -> String {
    let mut definition: Value =
        serde_json::from_str(LISTING).unwrap_or_else(|error| panic!("definition: {error}"));
    definition["States"]["Orders"]["ItemReader"]["ReaderConfig"] = reader_config;
    definition.to_string()
}

fn run_over_orders(name: &str, reader_config: Value) -> Value {
    let dir = scratch_dir("asl-studio-cli-map-listing", name);
    let orders = dir.join("orders");
    std::fs::create_dir_all(&orders).unwrap_or_else(|error| panic!("orders: {error}"));
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
        path_str(&definition),
        "--input",
        path_str(&input),
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
