//! The newer Distributed Map and HTTP Task fields, on the examples of AWS's developer guide
//! ("ItemReader (Map)", "ResultWriter (Map)", "Distributed Map state fields", "Call HTTPS APIs",
//! "Retrying after an error"): each example validates, and a value outside what the reference
//! allows is an error at its JSON pointer.

use graph_model::{Diagnostic, Severity, StateMachine, validate};
use serde_json::{Value, json};

fn errors(document: &Value) -> Vec<Diagnostic> {
    let machine = StateMachine::from_value(document).unwrap_or_else(|e| panic!("{e}"));
    validate(&machine)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

fn pointers(document: &Value) -> Vec<String> {
    errors(document).into_iter().map(|d| d.pointer).collect()
}

/// A Distributed Map with the given extra members.
fn distributed(query_language: &str, extra: Value) -> Value {
    let mut map = json!({"Type": "Map",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}},
        "End": true});
    if let (Some(map), Some(extra)) = (map.as_object_mut(), extra.as_object()) {
        map.extend(extra.clone());
    }
    json!({"QueryLanguage": query_language, "StartAt": "Each", "States": {"Each": map}})
}

const MAP: &str = "/States/Each";

#[test]
fn item_reader_examples_of_the_developer_guide_validate() {
    let csv_first_row = json!({"ItemReader": {
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "amzn-s3-demo-bucket", "Key": "csvDataset/ratings.csv",
                       "VersionId": "BcK42coT2jE1234VHLUvBV1yLNod2OEt"}}});
    assert_eq!(
        pointers(&distributed("JSONPath", csv_first_row)),
        Vec::<String>::new()
    );
    let csv_given_jsonata = json!({"ItemReader": {
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN",
                         "CSVHeaders": ["userId", "movieId", "rating", "timestamp"],
                         "CSVDelimiter": "SEMICOLON", "MaxItems": 100},
        "Resource": "arn:aws:states:::s3:getObject",
        "Arguments": {"Bucket": "amzn-s3-demo-bucket", "Key": "csvDataset/ratings.csv"}}});
    assert_eq!(
        pointers(&distributed("JSONata", csv_given_jsonata)),
        Vec::<String>::new()
    );
    let manifest = json!({"ItemReader": {
        "ReaderConfig": {"InputType": "MANIFEST"},
        "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "amzn-s3-demo-destination-bucket",
                       "Key": "destination-prefix/amzn-s3-demo-bucket/config-id/YYYY-MM-DDTHH-MMZ/manifest.json"}}});
    assert_eq!(
        pointers(&distributed("JSONPath", manifest)),
        Vec::<String>::new()
    );
    let athena = json!({"ItemReader": {
        "ReaderConfig": {"ManifestType": "ATHENA_DATA", "InputType": "PARQUET"},
        "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "amzn-s3-demo-bucket", "Key": "athena/query-id-manifest.csv"}}});
    assert_eq!(
        pointers(&distributed("JSONPath", athena)),
        Vec::<String>::new()
    );
    let jsonl_pointer = json!({"ItemReader": {
        "ReaderConfig": {"InputType": "JSON", "ItemsPointer": "/facilities/0/items",
                         "MaxItemsPath": "$.limit"},
        "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "amzn-s3-demo-bucket", "Key": "data.json"}}});
    assert_eq!(
        pointers(&distributed("JSONPath", jsonl_pointer)),
        Vec::<String>::new()
    );
    for delimiter in ["COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"] {
        let doc = distributed(
            "JSONPath",
            json!({"ItemReader": {
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": delimiter},
            "Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket": "b", "Key": "k.csv"}}}),
        );
        assert_eq!(pointers(&doc), Vec::<String>::new(), "{delimiter}");
    }
}

#[test]
fn reader_config_values_outside_the_reference_are_errors_at_their_field() {
    let reader = |config: Value| {
        distributed(
            "JSONPath",
            json!({"ItemReader": {"ReaderConfig": config,
            "Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket": "b", "Key": "k"}}}),
        )
    };
    let at = |field: &str| format!("{MAP}/ItemReader/ReaderConfig/{field}");
    assert_eq!(
        pointers(&reader(json!({"InputType": "XML"}))),
        [at("InputType")]
    );
    assert_eq!(
        pointers(&reader(
            json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": ","})
        )),
        [at("CSVDelimiter")]
    );
    assert_eq!(
        pointers(&reader(
            json!({"InputType": "CSV", "CSVHeaderLocation": "GIVEN"})
        )),
        [at("CSVHeaderLocation")]
    );
    assert_eq!(
        pointers(&reader(
            json!({"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["a", 1]})
        )),
        [at("CSVHeaders/1")]
    );
    assert_eq!(
        pointers(&reader(json!({"InputType": "CSV", "ManifestType": "CSV"}))),
        [at("ManifestType")]
    );
    assert_eq!(
        pointers(&reader(
            json!({"InputType": "JSON", "ItemsPointer": "items"})
        )),
        [at("ItemsPointer")]
    );
    assert_eq!(
        pointers(&reader(
            json!({"InputType": "JSON", "MaxItems": 100_000_001})
        )),
        [at("MaxItems")]
    );
    assert_eq!(
        pointers(&reader(json!({"InputType": "JSON", "MaxItems": 2.5}))),
        [at("MaxItems")]
    );
    assert_eq!(
        pointers(&reader(json!({"InputType": "JSON", "Delimiter": "COMMA"}))),
        [at("Delimiter")]
    );
    // Both MaxItems and MaxItemsPath: the existing MAP_ITEMREADER_MAXITEM error.
    let both = errors(&reader(json!({"MaxItems": 1, "MaxItemsPath": "$.n"})));
    assert_eq!(both.len(), 1);
    assert_eq!(both[0].code, "MAP_ITEMREADER_MAXITEM");
}

#[test]
fn result_writer_config_example_validates_and_other_values_are_errors() {
    let writer = |config: Value| {
        distributed(
            "JSONata",
            json!({"ResultWriter": {"WriterConfig": config,
            "Resource": "arn:aws:states:::s3:putObject",
            "Arguments": {"Bucket": "amzn-s3-demo-destination-bucket", "Prefix": "csvProcessJobs"}}}),
        )
    };
    for (output, transformation) in [("JSON", "FLATTEN"), ("JSONL", "COMPACT"), ("JSON", "NONE")] {
        let doc = writer(json!({"Transformation": transformation, "OutputType": output}));
        assert_eq!(
            pointers(&doc),
            Vec::<String>::new(),
            "{output} {transformation}"
        );
    }
    let at = |field: &str| format!("{MAP}/ResultWriter/WriterConfig/{field}");
    assert_eq!(
        pointers(&writer(json!({"OutputType": "CSV"}))),
        [at("OutputType")]
    );
    assert_eq!(
        pointers(&writer(json!({"Transformation": "flatten"}))),
        [at("Transformation")]
    );
    assert_eq!(
        pointers(&writer(json!({"Compression": "GZIP"}))),
        [at("Compression")]
    );
}

#[test]
fn tolerated_failure_paths_and_label_follow_the_reference() {
    let ok = distributed(
        "JSONPath",
        json!({
        "ToleratedFailurePercentagePath": "$.toleratedFailurePercentage",
        "ToleratedFailureCountPath": "$.toleratedFailureCount",
        "MaxConcurrencyPath": "$.concurrency",
        "Label": "CSVBatchProcessing"}),
    );
    assert_eq!(pointers(&ok), Vec::<String>::new());
    let bad_path = distributed(
        "JSONPath",
        json!({"ToleratedFailureCountPath": "$.items[*]"}),
    );
    assert_eq!(
        pointers(&bad_path),
        [format!("{MAP}/ToleratedFailureCountPath")]
    );
    for label in [
        "has space",
        "a/b",
        "x".repeat(41).as_str(),
        "brace{",
        "star*",
    ] {
        let doc = distributed("JSONPath", json!({"Label": label}));
        assert_eq!(pointers(&doc), [format!("{MAP}/Label")], "{label}");
    }
    let forty = distributed("JSONPath", json!({"Label": "x".repeat(40)}));
    assert_eq!(pointers(&forty), Vec::<String>::new());
    // Unique in the whole definition, nested Maps included.
    let mut twice = distributed("JSONPath", json!({"Label": "Batch"}));
    twice["States"]["Each"]["ItemProcessor"]["States"]["Item"] = json!({"Type": "Map", "Label": "Batch",
        "ItemProcessor": {"StartAt": "In", "States": {"In": {"Type": "Pass", "End": true}}}, "End": true});
    assert_eq!(
        pointers(&twice),
        ["/States/Each/ItemProcessor/States/Item/Label"]
    );
}

#[test]
fn retry_max_delay_and_jitter_follow_the_reference() {
    let task = |retrier: Value| {
        json!({"StartAt": "T", "States": {"T": {"Type": "Task",
            "Resource": "arn:aws:states:::sns:publish", "End": true, "Retry": [retrier]}}})
    };
    let documented = task(
        json!({"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 3,
        "MaxAttempts": 2, "BackoffRate": 1.5, "MaxDelaySeconds": 10, "JitterStrategy": "FULL"}),
    );
    assert_eq!(pointers(&documented), Vec::<String>::new());
    let none = task(json!({"ErrorEquals": ["States.ALL"], "JitterStrategy": "NONE"}));
    assert_eq!(pointers(&none), Vec::<String>::new());
    let bad = task(
        json!({"ErrorEquals": ["States.ALL"], "JitterStrategy": "HALF", "MaxDelaySeconds": 0}),
    );
    assert_eq!(
        pointers(&bad),
        [
            "/States/T/Retry/0/MaxDelaySeconds",
            "/States/T/Retry/0/JitterStrategy"
        ]
    );
}

fn http(query_language: &str, arguments: Value) -> Value {
    let field = if query_language == "JSONata" {
        "Arguments"
    } else {
        "Parameters"
    };
    json!({"QueryLanguage": query_language, "StartAt": "Call HTTPS API", "States": {"Call HTTPS API": {
        "Type": "Task", "Resource": "arn:aws:states:::http:invoke", field: arguments, "End": true}}})
}

/// Regression: the validator once listed `COMMA`; AWS's reference (and the CDK's
/// `URLEncodingFormat`) spell it `COMMAS`, and a definition using it must validate.
#[test]
fn every_documented_array_format_validates_including_commas() {
    for format in ["INDICES", "REPEAT", "COMMAS", "BRACKETS"] {
        let arguments = json!({"ApiEndpoint": "https://example.com/form", "Method": "POST",
            "Authentication": {"ConnectionArn": "arn:aws:events:us-east-2:123456789012:connection/c/1"},
            "RequestBody": {"tags": ["a", "b"]},
            "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                          "RequestEncodingOptions": {"ArrayFormat": format}}});
        assert_eq!(
            pointers(&http("JSONPath", arguments)),
            Vec::<String>::new(),
            "{format}"
        );
    }
    let singular = json!({"ApiEndpoint": "https://example.com/form", "Method": "POST",
        "Authentication": {"ConnectionArn": "arn:aws:events:us-east-2:123456789012:connection/c/1"},
        "Transform": {"RequestEncodingOptions": {"ArrayFormat": "COMMA"}}});
    assert_eq!(
        pointers(&http("JSONPath", singular)),
        ["/States/Call HTTPS API/Parameters/Transform/RequestEncodingOptions/ArrayFormat"]
    );
}

#[test]
fn http_task_example_validates_and_missing_or_unknown_values_are_errors() {
    let documented = json!({
        "ApiEndpoint": "https://api.stripe.com/v1/customers",
        "Authentication": {"ConnectionArn": "arn:aws:events:us-east-2:123456789012:connection/Stripe/81210c42-8af1-456b-9c4a-6ff02fc664ac"},
        "Method": "GET"});
    assert_eq!(
        pointers(&http("JSONPath", documented.clone())),
        Vec::<String>::new()
    );
    let encoded = json!({"ApiEndpoint": "https://example.com/form", "Method": "POST",
        "Authentication": {"ConnectionArn": "arn:aws:events:us-east-2:123456789012:connection/c/1"},
        "RequestBody": {"a": [1, 2]},
        "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                      "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}}});
    assert_eq!(
        pointers(&http("JSONata", encoded.clone())),
        Vec::<String>::new()
    );
    let at = "/States/Call HTTPS API/Parameters";
    let mut no_method = documented.clone();
    if let Some(object) = no_method.as_object_mut() {
        object.remove("Method");
    }
    assert_eq!(pointers(&http("JSONPath", no_method)), [at]);
    let mut bad_method = documented.clone();
    bad_method["Method"] = json!("FETCH");
    assert_eq!(
        pointers(&http("JSONPath", bad_method)),
        [format!("{at}/Method")]
    );
    let mut no_connection = documented;
    if let Some(object) = no_connection.as_object_mut() {
        object.remove("Authentication");
    }
    assert_eq!(pointers(&http("JSONPath", no_connection)), [at]);
    let mut bad_format = encoded;
    bad_format["Transform"]["RequestEncodingOptions"]["ArrayFormat"] = json!("SEMICOLON");
    assert_eq!(
        pointers(&http("JSONata", bad_format)),
        ["/States/Call HTTPS API/Arguments/Transform/RequestEncodingOptions/ArrayFormat"]
    );
    // A JSONata expression or `.$` path computes the member: not checked against the list.
    let computed = json!({"ApiEndpoint": "{% $url %}", "Method": "{% $states.input.method %}",
        "InvocationConfig": {"ConnectionArn": "{% $arn %}"}});
    assert_eq!(pointers(&http("JSONata", computed)), Vec::<String>::new());
}

#[test]
fn load_and_flatten_is_valid_on_an_s3_listing_only_and_not_with_a_manifest() {
    let reader = |resource: &str, config: Value| {
        distributed(
            "JSONPath",
            json!({"ItemReader": {"ReaderConfig": config, "Resource": resource,
                "Parameters": {"Bucket": "amzn-s3-demo-bucket", "Prefix": "orders/"}}}),
        )
    };
    let at = |field: &str| format!("{MAP}/ItemReader/ReaderConfig/{field}");
    let list = "arn:aws:states:::s3:listObjectsV2";
    let flatten = json!({"InputType": "JSONL", "Transformation": "LOAD_AND_FLATTEN"});
    assert_eq!(
        pointers(&reader(list, flatten.clone())),
        Vec::<String>::new()
    );
    assert_eq!(
        pointers(&reader(list, json!({"Transformation": "NONE"}))),
        Vec::<String>::new()
    );
    assert_eq!(
        pointers(&reader("arn:aws:states:::s3:getObject", flatten)),
        [at("Transformation")]
    );
    assert_eq!(
        pointers(&reader(
            list,
            json!({"InputType": "MANIFEST", "Transformation": "LOAD_AND_FLATTEN"})
        )),
        [at("InputType")]
    );
    assert_eq!(
        pointers(&reader(list, json!({"Transformation": "FLATTEN"}))),
        [at("Transformation")]
    );
}
