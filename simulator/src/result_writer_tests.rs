use serde_json::json;

use super::*;

fn map_run() -> MapRun {
    MapRun {
        arn: "arn:aws:states:us-east-1:123456789012:mapRun:csvProcess/Map:ad9b5f27".to_owned(),
        child_state_machine_arn:
            "arn:aws:states:us-east-1:123456789012:stateMachine:csvProcess/Map".to_owned(),
        child_execution_stem: "arn:aws:states:us-east-1:123456789012:execution:csvProcess/Map"
            .to_owned(),
        id: "ad9b5f27".to_owned(),
    }
}

/// The ResultWriter page's example: each child returns an array of two orders.
fn orders_run(first: u32) -> ChildRun {
    ChildRun {
        input: json!({"order_id": first.to_string()}),
        outcome: Ok(json!([
            {"customer_id": "145538", "order_id": first.to_string()},
            {"customer_id": "898037", "order_id": (first + 1).to_string()}
        ])),
        start_millis: 1_738_633_790_099,
        stop_millis: 1_738_633_790_163,
    }
}

fn failed_run() -> ChildRun {
    ChildRun {
        input: json!({"order_id": "9"}),
        outcome: Err((Some("Boom".to_owned()), Some("no stock".to_owned()))),
        start_millis: 1_738_633_790_099,
        stop_millis: 1_738_633_790_163,
    }
}

#[test]
fn none_keeps_each_child_execution_record_as_the_aws_guide_shows() {
    let results = transform(&[orders_run(100_000)], Transformation::None, &map_run());
    assert_eq!(
        results,
        vec![json!({
            "ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:csvProcess/Map:00000000-0000-4000-8000-000000000000",
            "Input": "{\"order_id\":\"100000\"}",
            "InputDetails": {"Included": true},
            "Name": "00000000-0000-4000-8000-000000000000",
            "Output": "[{\"customer_id\":\"145538\",\"order_id\":\"100000\"},{\"customer_id\":\"898037\",\"order_id\":\"100001\"}]",
            "OutputDetails": {"Included": true},
            "RedriveCount": 0,
            "RedriveStatus": "NOT_REDRIVABLE",
            "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
            "StartDate": "2025-02-04T01:49:50.099Z",
            "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:csvProcess/Map",
            "Status": "SUCCEEDED",
            "StopDate": "2025-02-04T01:49:50.163Z"
        })]
    );
}

#[test]
fn compact_returns_the_outputs_and_flatten_splices_arrays() {
    let runs = [orders_run(100_000), orders_run(100_002)];
    assert_eq!(
        transform(&runs, Transformation::Compact, &map_run()),
        vec![
            json!([{"customer_id": "145538", "order_id": "100000"}, {"customer_id": "898037", "order_id": "100001"}]),
            json!([{"customer_id": "145538", "order_id": "100002"}, {"customer_id": "898037", "order_id": "100003"}]),
        ]
    );
    assert_eq!(
        transform(&runs, Transformation::Flatten, &map_run()),
        vec![
            json!({"customer_id": "145538", "order_id": "100000"}),
            json!({"customer_id": "898037", "order_id": "100001"}),
            json!({"customer_id": "145538", "order_id": "100002"}),
            json!({"customer_id": "898037", "order_id": "100003"}),
        ]
    );
}

#[test]
fn a_failed_child_keeps_its_record_whatever_the_transformation() {
    let runs = [orders_run(1), failed_run()];
    let flattened = transform(&runs, Transformation::Flatten, &map_run());
    assert_eq!(flattened.len(), 3);
    assert_eq!(flattened[2]["Status"], "FAILED");
    assert_eq!(flattened[2]["Error"], "Boom");
    assert_eq!(flattened[2]["Cause"], "no stock");
    assert_eq!(flattened[2]["Name"], "00000000-0000-4000-8000-000000000001");
    assert!(flattened[2].get("Output").is_none());
}

#[test]
fn writer_config_defaults_follow_the_aws_guide() -> Result<(), String> {
    let preview = WriterSpec::from_value(&json!({"WriterConfig": {"OutputType": "JSONL"}}))?;
    assert_eq!(preview.transformation, Transformation::Compact);
    assert!(!preview.exports);
    let export = WriterSpec::from_value(&json!({
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "b", "Prefix": "p"}
    }))?;
    assert_eq!(export.transformation, Transformation::None);
    assert_eq!(export.output_type, OutputType::Json);
    assert_eq!(
        WriterSpec::from_value(&json!({"WriterConfig": {"Transformation": "SQUASH"}})),
        Err("ResultWriter.WriterConfig.Transformation 'SQUASH' is unknown".to_owned())
    );
    Ok(())
}

#[test]
fn a_preview_writer_returns_the_shaped_results_as_the_state_result() -> Result<(), String> {
    let spec = WriterSpec::from_value(
        &json!({"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}}),
    )?;
    let (result, files) = write(&spec, &[orders_run(1)], &map_run(), "", "");
    assert!(files.is_empty());
    assert_eq!(result.as_array().map(Vec::len), Some(2));
    Ok(())
}

#[test]
fn an_export_writes_manifest_and_result_files_named_as_aws_names_them() -> Result<(), String> {
    let spec = WriterSpec::from_value(&json!({
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "amzn-s3-demo-destination-bucket", "Prefix": "csvProcessJobs"},
        "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}
    }))?;
    let runs = [orders_run(1), failed_run()];
    let (result, files) = write(
        &spec,
        &runs,
        &map_run(),
        "amzn-s3-demo-destination-bucket",
        "csvProcessJobs",
    );
    assert_eq!(
        result,
        json!({
            "MapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:csvProcess/Map:ad9b5f27",
            "ResultWriterDetails": {
                "Bucket": "amzn-s3-demo-destination-bucket",
                "Key": "csvProcessJobs/ad9b5f27/manifest.json"
            }
        })
    );
    let keys: Vec<&str> = files.iter().map(|file| file.key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "csvProcessJobs/ad9b5f27/FAILED_0.json",
            "csvProcessJobs/ad9b5f27/SUCCEEDED_0.json",
            "csvProcessJobs/ad9b5f27/manifest.json",
        ]
    );
    let succeeded: Value = serde_json::from_str(&files[1].contents).map_err(|e| e.to_string())?;
    assert_eq!(
        succeeded,
        json!([[{"customer_id": "145538", "order_id": "1"}, {"customer_id": "898037", "order_id": "2"}]])
    );
    let manifest: Value = serde_json::from_str(&files[2].contents).map_err(|e| e.to_string())?;
    assert_eq!(
        manifest,
        json!({
            "DestinationBucket": "amzn-s3-demo-destination-bucket",
            "MapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:csvProcess/Map:ad9b5f27",
            "ResultFiles": {
                "FAILED": [{"Key": "csvProcessJobs/ad9b5f27/FAILED_0.json", "Size": files[0].contents.len()}],
                "PENDING": [],
                "SUCCEEDED": [{"Key": "csvProcessJobs/ad9b5f27/SUCCEEDED_0.json", "Size": files[1].contents.len()}]
            }
        })
    );
    Ok(())
}

#[test]
fn jsonl_writes_one_result_a_line() -> Result<(), String> {
    let spec = WriterSpec::from_value(&json!({
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "b"},
        "WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSONL"}
    }))?;
    let (result, files) = write(&spec, &[orders_run(1)], &map_run(), "b", "");
    assert_eq!(
        result["ResultWriterDetails"]["Key"],
        "ad9b5f27/manifest.json"
    );
    assert_eq!(files[0].key, "ad9b5f27/SUCCEEDED_0.jsonl");
    assert_eq!(
        files[0].contents,
        "{\"customer_id\":\"145538\",\"order_id\":\"1\"}\n{\"customer_id\":\"898037\",\"order_id\":\"2\"}\n"
    );
    Ok(())
}

#[test]
fn a_key_that_would_leave_the_results_folder_has_no_relative_path() {
    let file = |key: &str| ResultFile {
        bucket: "b".to_owned(),
        key: key.to_owned(),
        contents: String::new(),
    };
    let inside = file("jobs/dry-run/manifest.json");
    assert_eq!(
        inside.relative_path(),
        Some(std::path::Path::new("jobs/dry-run/manifest.json"))
    );
    assert_eq!(inside.file_name(), "manifest.json");
    for outside in [
        "../outside/manifest.json",
        "/etc/manifest.json",
        "jobs/../../x",
        "",
    ] {
        assert_eq!(file(outside).relative_path(), None, "{outside}");
    }
}
