//! The Map state's newer fields end to end: iteration over objects, ItemReader datasets,
//! ItemBatcher and ResultWriter, on the AWS developer guide's examples.

use serde_json::{Value, json};
use simulator::map_items::ItemSource;
use simulator::{ExecutionResult, Options, Status};

fn run(definition: &Value, input: Value, options: &Options) -> ExecutionResult {
    simulator::run(definition, input, options)
}

fn succeeded(result: &ExecutionResult) -> Result<&Value, String> {
    match (&result.status, &result.output) {
        (Status::Succeeded, Some(output)) => Ok(output),
        _ => Err(format!(
            "expected success, got {:?}: {:?} {:?}",
            result.status, result.error, result.cause
        )),
    }
}

fn options_with_items(state: &str, display: &str, text: &str) -> Options {
    Options::builder()
        .reader_source(
            state,
            ItemSource {
                display: display.to_owned(),
                bytes: text.as_bytes().to_vec(),
                ..ItemSource::default()
            },
        )
        .build()
}

/// A Distributed Map over `$.items` whose child returns its input, with `extra` members.
fn distributed(extra: Value) -> Value {
    let mut map = json!({
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Echo",
            "States": {"Echo": {"Type": "Pass", "End": true}}
        },
        "End": true
    });
    if let (Some(map), Some(extra)) = (map.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            map.insert(key.clone(), value.clone());
        }
    }
    json!({"StartAt": "Map", "States": {"Map": map}})
}

#[test]
fn items_path_over_an_object_iterates_its_key_value_pairs() -> Result<(), String> {
    // The ItemsPath page's nested configuration example.
    let definition = json!({
        "StartAt": "Servers",
        "States": {"Servers": {
            "Type": "Map",
            "ItemsPath": "$.servers.web",
            "ItemProcessor": {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": true}}},
            "End": true
        }}
    });
    let input = json!({
        "environment": "production",
        "servers": {
            "web": {
                "server1": {"port": 80, "status": "active"},
                "server2": {"port": 8080, "status": "inactive"}
            },
            "database": {"primary": {"host": "db1.example.com", "port": 5432}}
        }
    });
    let result = run(&definition, input, &Options::default());
    assert_eq!(
        succeeded(&result)?,
        &json!([
            {"Key": "server1", "Value": {"port": 80, "status": "active"}},
            {"Key": "server2", "Value": {"port": 8080, "status": "inactive"}}
        ])
    );
    Ok(())
}

#[test]
fn item_selector_reads_the_pair_key_and_value_from_the_context() -> Result<(), String> {
    let definition = json!({
        "StartAt": "Map",
        "States": {"Map": {
            "Type": "Map",
            "ItemsPath": "$.limits",
            "ItemSelector": {
                "name.$": "$$.Map.Item.Key",
                "limit.$": "$$.Map.Item.Value",
                "index.$": "$$.Map.Item.Index"
            },
            "ItemProcessor": {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": true}}},
            "End": true
        }}
    });
    let result = run(
        &definition,
        json!({"limits": {"cpu": 2, "memory": 512}}),
        &Options::default(),
    );
    assert_eq!(
        succeeded(&result)?,
        &json!([
            {"name": "cpu", "limit": 2, "index": 0},
            {"name": "memory", "limit": 512, "index": 1}
        ])
    );
    Ok(())
}

#[test]
fn jsonata_items_that_are_an_object_still_fail_as_aws_recorded() {
    // The conformance recordings (map_state_items_*__object, 2024-11) are the AWS evidence for
    // JSONata; the guide documents object iteration for ItemsPath only.
    let definition = json!({
        "QueryLanguage": "JSONata",
        "StartAt": "Map",
        "States": {"Map": {
            "Type": "Map",
            "Items": "{% $states.input.limits %}",
            "ItemProcessor": {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": true}}},
            "End": true
        }}
    });
    let result = run(
        &definition,
        json!({"limits": {"cpu": 2}}),
        &Options::default(),
    );
    assert_eq!(result.error.as_deref(), Some("States.QueryEvaluationError"));
}

#[test]
fn an_item_that_is_neither_array_nor_object_still_fails() {
    let definition = json!({
        "StartAt": "Map",
        "States": {"Map": {
            "Type": "Map",
            "ItemsPath": "$.n",
            "ItemProcessor": {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": true}}},
            "End": true
        }}
    });
    let result = run(&definition, json!({"n": 5}), &Options::default());
    assert_eq!(result.status, Status::Failed);
    assert_eq!(result.error.as_deref(), Some("States.Runtime"));
}

#[test]
fn max_items_per_batch_two_over_three_items_gives_two_batches() -> Result<(), String> {
    // Issue 16's repro: each child got one item instead of `{"Items": [...]}` batches.
    let definition = distributed(json!({
        "ItemsPath": "$.items",
        "ItemBatcher": {"MaxItemsPerBatch": 2}
    }));
    let result = run(
        &definition,
        json!({"items": ["a", "b", "c"]}),
        &Options::default(),
    );
    assert_eq!(
        succeeded(&result)?,
        &json!([{"Items": ["a", "b"]}, {"Items": ["c"]}])
    );
    Ok(())
}

#[test]
fn batch_input_and_path_limits_come_from_the_state_input() -> Result<(), String> {
    // The ItemBatcher page's example: BatchInput added to every batch; ItemSelector runs per item
    // before batching.
    let definition = distributed(json!({
        "ItemsPath": "$.statements",
        "ItemSelector": {"verdict.$": "$$.Map.Item.Value.verdict", "index.$": "$$.Map.Item.Index"},
        "ItemBatcher": {
            "MaxItemsPerBatchPath": "$.batchSize",
            "MaxInputBytesPerBatchPath": "$.batchBytes",
            "BatchInput": {"factCheck": "TRUE", "source.$": "$.source"}
        }
    }));
    let input = json!({
        "batchSize": 10,
        "batchBytes": 256,
        "source": "speech",
        "statements": [{"verdict": "true"}, {"verdict": "false"}, {"verdict": "true"}]
    });
    let result = run(&definition, input, &Options::default());
    assert_eq!(
        succeeded(&result)?,
        &json!([{
            "BatchInput": {"factCheck": "TRUE", "source": "speech"},
            "Items": [
                {"verdict": "true", "index": 0},
                {"verdict": "false", "index": 1},
                {"verdict": "true", "index": 2}
            ]
        }])
    );
    let bad = json!({"batchSize": "ten", "batchBytes": 256, "source": "s", "statements": []});
    let failed = run(&definition, bad, &Options::default());
    assert_eq!(failed.error.as_deref(), Some("States.Runtime"));
    assert!(
        failed
            .cause
            .as_deref()
            .is_some_and(|cause| cause.contains("MaxItemsPerBatchPath")),
        "{:?}",
        failed.cause
    );
    Ok(())
}

#[test]
fn a_failed_batch_counts_all_its_items_against_the_tolerance() {
    let child = json!({
        "StartAt": "Check",
        "States": {
            "Check": {"Type": "Choice", "Choices": [
                {"Variable": "$.Items[0]", "NumericEquals": 1, "Next": "Boom"}
            ], "Default": "Done"},
            "Boom": {"Type": "Fail", "Error": "Boom", "Cause": "c"},
            "Done": {"Type": "Succeed"}
        }
    });
    let mut definition = distributed(json!({
        "ItemsPath": "$.items",
        "ItemBatcher": {"MaxItemsPerBatch": 2},
        "ToleratedFailureCount": 1
    }));
    definition["States"]["Map"]["ItemProcessor"]["StartAt"] = child["StartAt"].clone();
    definition["States"]["Map"]["ItemProcessor"]["States"] = child["States"].clone();
    let input = json!({"items": [1, 2, 3, 4, 5]});
    // Batch [1, 2] fails: two failed items exceed a tolerated count of one...
    let over = run(&definition, input.clone(), &Options::default());
    assert_eq!(
        over.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    // ...and are 40% of five items, within a tolerated 40%.
    definition["States"]["Map"]
        .as_object_mut()
        .map(|map| map.remove("ToleratedFailureCount"));
    definition["States"]["Map"]["ToleratedFailurePercentage"] = json!(40);
    let within = run(&definition, input, &Options::default());
    assert_eq!(within.status, Status::Succeeded, "{:?}", within.cause);
}

#[test]
fn a_result_writer_preview_returns_the_shaped_results() -> Result<(), String> {
    let definition = distributed(json!({
        "ItemsPath": "$.orders",
        "ResultWriter": {"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}}
    }));
    let input = json!({"orders": [[{"order_id": "1"}, {"order_id": "2"}], [{"order_id": "3"}]]});
    let result = run(&definition, input, &Options::default());
    assert_eq!(
        succeeded(&result)?,
        &json!([{"order_id": "1"}, {"order_id": "2"}, {"order_id": "3"}])
    );
    assert!(result.result_files.is_empty());
    Ok(())
}

#[test]
fn a_result_writer_export_returns_the_map_run_and_manifest_key() -> Result<(), String> {
    let definition = distributed(json!({
        "ItemsPath": "$.orders",
        "Label": "Orders",
        "ResultWriter": {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "amzn-s3-demo-destination-bucket", "Prefix.$": "$.prefix"}
        }
    }));
    let options = Options::builder().state_machine_name("csvProcess").build();
    let input = json!({"prefix": "csvProcessJobs", "orders": [{"order_id": "1"}]});
    let result = run(&definition, input, &options);
    let arn = "arn:aws:states:us-east-1:123456789012:mapRun:csvProcess/Orders:dry-run";
    assert_eq!(
        succeeded(&result)?,
        &json!({
            "MapRunArn": arn,
            "ResultWriterDetails": {
                "Bucket": "amzn-s3-demo-destination-bucket",
                "Key": "csvProcessJobs/dry-run/manifest.json"
            }
        })
    );
    let keys: Vec<&str> = result.result_files.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "csvProcessJobs/dry-run/SUCCEEDED_0.json",
            "csvProcessJobs/dry-run/manifest.json"
        ]
    );
    // No WriterConfig when exporting: Transformation NONE, each child's execution record.
    let records: Value =
        serde_json::from_str(&result.result_files[0].contents).map_err(|e| e.to_string())?;
    assert_eq!(records[0]["Input"], "{\"order_id\":\"1\"}");
    assert_eq!(records[0]["Output"], "{\"order_id\":\"1\"}");
    assert_eq!(records[0]["Status"], "SUCCEEDED");
    assert_eq!(
        records[0]["StateMachineArn"],
        "arn:aws:states:us-east-1:123456789012:stateMachine:csvProcess/Orders"
    );
    Ok(())
}

#[test]
fn an_item_reader_reads_its_dataset_as_the_reader_config_says() -> Result<(), String> {
    let definition = distributed(json!({
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {
                "InputType": "CSV",
                "CSVHeaderLocation": "GIVEN",
                "CSVHeaders": ["userId", "movieId"],
                "CSVDelimiter": "SEMICOLON",
                "MaxItemsPath": "$.max"
            },
            "Parameters": {"Bucket": "b", "Key": "ratings.csv"}
        }
    }));
    let options = options_with_items("Map", "ratings.csv", "1;307\n1;481\n2;10\n");
    let result = run(&definition, json!({"max": 2}), &options);
    assert_eq!(
        succeeded(&result)?,
        &json!([{"userId": "1", "movieId": "307"}, {"userId": "1", "movieId": "481"}])
    );
    Ok(())
}

#[test]
fn a_json_item_reader_with_items_pointer_over_an_object_gives_pairs() -> Result<(), String> {
    let definition = distributed(json!({
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON", "ItemsPointer": "/regions"},
            "Parameters": {"Bucket": "b", "Key": "regions.json"}
        },
        "ItemSelector": {"region.$": "$$.Map.Item.Key", "zones.$": "$$.Map.Item.Value"}
    }));
    let options = options_with_items(
        "Map",
        "regions.json",
        r#"{"regions": {"eu-west-1": 3, "us-east-1": 6}}"#,
    );
    let result = run(&definition, json!({}), &options);
    assert_eq!(
        succeeded(&result)?,
        &json!([{"region": "eu-west-1", "zones": 3}, {"region": "us-east-1", "zones": 6}])
    );
    Ok(())
}

#[test]
fn an_unreadable_dataset_fails_the_map_with_item_reader_failed() {
    let definition = distributed(json!({
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSONL"},
            "Parameters": {"Bucket": "b", "Key": "a.jsonl"}
        }
    }));
    let options = options_with_items("Map", "a.jsonl", "{\"a\":1}\n{broken\n");
    let result = run(&definition, json!({}), &options);
    assert_eq!(result.error.as_deref(), Some("States.ItemReaderFailed"));
    assert!(
        result
            .cause
            .as_deref()
            .is_some_and(|cause| cause.starts_with("a.jsonl:2: ")),
        "{:?}",
        result.cause
    );
}

/// A Distributed Map over `$.orders` whose child fails on an order marked `"bad": true`, exporting
/// its results to S3 (the ResultWriter page's example bucket and prefix).
fn exporting_map_failing_on_bad_orders(tolerance: Value) -> Value {
    let mut definition = distributed(json!({
        "ItemsPath": "$.orders",
        "Label": "Orders",
        "ResultWriter": {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "amzn-s3-demo-destination-bucket", "Prefix": "csvProcessJobs"}
        }
    }));
    if let (Some(map), Some(tolerance)) = (
        definition["States"]["Map"].as_object_mut(),
        tolerance.as_object(),
    ) {
        for (key, value) in tolerance {
            map.insert(key.clone(), value.clone());
        }
    }
    definition["States"]["Map"]["ItemProcessor"]["StartAt"] = json!("Check");
    definition["States"]["Map"]["ItemProcessor"]["States"] = json!({
        "Check": {"Type": "Choice", "Choices": [
            {"And": [{"Variable": "$.bad", "IsPresent": true},
                     {"Variable": "$.bad", "BooleanEquals": true}], "Next": "Reject"}
        ], "Default": "Accept"},
        "Reject": {"Type": "Fail", "Error": "OrderRejected", "Cause": "bad order"},
        "Accept": {"Type": "Succeed"}
    });
    definition
}

#[test]
fn over_the_tolerated_failures_the_results_and_manifest_are_still_exported() -> Result<(), String> {
    let definition = exporting_map_failing_on_bad_orders(json!({"ToleratedFailureCount": 0}));
    let input = json!({"orders": [
        {"order_id": "1"}, {"order_id": "2", "bad": true}, {"order_id": "3"}
    ]});
    let options = Options::builder().state_machine_name("csvProcess").build();
    let result = run(&definition, input, &options);
    assert_eq!(result.status, Status::Failed);
    assert_eq!(
        result.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    let file = |key: &str| {
        result
            .result_files
            .iter()
            .find(|f| f.key == key)
            .ok_or_else(|| format!("no {key} among {:?}", result.result_files))
            .and_then(|f| serde_json::from_str::<Value>(&f.contents).map_err(|e| e.to_string()))
    };
    // Every child ran: one FAILED file, one SUCCEEDED file, nothing PENDING.
    let failed = file("csvProcessJobs/dry-run/FAILED_0.json")?;
    assert_eq!(failed.as_array().map(Vec::len), Some(1));
    assert_eq!(failed[0]["Status"], "FAILED");
    assert_eq!(failed[0]["Error"], "OrderRejected");
    assert_eq!(failed[0]["Cause"], "bad order");
    assert_eq!(failed[0]["Input"], "{\"order_id\":\"2\",\"bad\":true}");
    assert!(failed[0].get("Output").is_none());
    let succeeded = file("csvProcessJobs/dry-run/SUCCEEDED_0.json")?;
    assert_eq!(succeeded.as_array().map(Vec::len), Some(2));
    let manifest = file("csvProcessJobs/dry-run/manifest.json")?;
    assert_eq!(
        manifest["DestinationBucket"],
        "amzn-s3-demo-destination-bucket"
    );
    assert_eq!(
        manifest["MapRunArn"],
        "arn:aws:states:us-east-1:123456789012:mapRun:csvProcess/Orders:dry-run"
    );
    assert_eq!(
        manifest["ResultFiles"]["FAILED"][0]["Key"],
        "csvProcessJobs/dry-run/FAILED_0.json"
    );
    assert_eq!(manifest["ResultFiles"]["PENDING"], json!([]));
    assert_eq!(
        manifest["ResultFiles"]["SUCCEEDED"][0]["Key"],
        "csvProcessJobs/dry-run/SUCCEEDED_0.json"
    );
    Ok(())
}

#[test]
fn a_map_that_fails_for_another_reason_exports_nothing() {
    // An unreadable dataset fails the Map before any child runs: there is nothing to export.
    let mut definition = exporting_map_failing_on_bad_orders(json!({}));
    definition["States"]["Map"]["ItemsPath"] = json!("$.missing");
    let result = run(&definition, json!({"orders": []}), &Options::default());
    assert_eq!(result.status, Status::Failed);
    assert!(result.result_files.is_empty(), "{:?}", result.result_files);
}
