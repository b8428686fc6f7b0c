use serde_json::json;

use super::*;

fn source(display: &str, text: &str) -> ItemSource {
    ItemSource {
        display: display.to_owned(),
        bytes: text.as_bytes().to_vec(),
        files: BTreeMap::new(),
    }
}

/// A listing or manifest given with the objects it names.
fn with_files(display: &str, text: &str, files: &[(&str, &str)]) -> ItemSource {
    let mut given = source(display, text);
    for (name, contents) in files {
        given
            .files
            .insert((*name).to_owned(), contents.as_bytes().to_vec());
    }
    given
}

fn config(reader_config: Value) -> Result<ReaderConfig, String> {
    ReaderConfig::from_item_reader(&json!({"ReaderConfig": reader_config}))
}

#[test]
fn an_object_becomes_key_value_pairs_in_key_order() {
    // The ItemsPath page's nested example: iterating over `$.servers.web`.
    let web = json!({
        "server1": {"port": 80, "status": "active"},
        "server2": {"port": 8080, "status": "inactive"}
    });
    let (items, from_object) = iterable(web)
        .map_err(|_| "not iterable")
        .unwrap_or_default();
    assert!(from_object);
    assert_eq!(
        items,
        vec![
            json!({"Key": "server1", "Value": {"port": 80, "status": "active"}}),
            json!({"Key": "server2", "Value": {"port": 8080, "status": "inactive"}}),
        ]
    );
    assert_eq!(iterable(json!("text")), Err(json!("text")));
    assert_eq!(
        iterable(json!([1, 2])),
        Ok((vec![json!(1), json!(2)], false))
    );
}

#[test]
fn csv_reads_every_delimiter_aws_names() -> Result<(), String> {
    for (name, delimiter) in [
        ("COMMA", ","),
        ("PIPE", "|"),
        ("SEMICOLON", ";"),
        ("SPACE", " "),
        ("TAB", "\t"),
    ] {
        let config = config(json!({"InputType": "CSV", "CSVDelimiter": name}))?;
        let text = format!(
            "userId{d}movieId{d}rating\n1{d}307{d}3.5\n1{d}\"48{d}1\"{d}4.0\n",
            d = delimiter
        );
        let items = read_source(&config, &source("ratings.csv", &text))?;
        assert_eq!(
            items,
            vec![
                json!({"userId": "1", "movieId": "307", "rating": "3.5"}),
                json!({"userId": "1", "movieId": format!("48{delimiter}1"), "rating": "4.0"}),
            ],
            "CSVDelimiter {name}"
        );
    }
    Ok(())
}

#[test]
fn csv_given_headers_read_the_first_row_as_data() -> Result<(), String> {
    let config = config(json!({
        "InputType": "CSV",
        "CSVHeaderLocation": "GIVEN",
        "CSVHeaders": ["userId", "movieId", "rating", "timestamp"]
    }))?;
    let items = read_source(
        &config,
        &source("r.csv", "1,307,3.5,1256677221\n1,481,3.5,1256677456\n"),
    )?;
    assert_eq!(
        items,
        vec![
            json!({"userId": "1", "movieId": "307", "rating": "3.5", "timestamp": "1256677221"}),
            json!({"userId": "1", "movieId": "481", "rating": "3.5", "timestamp": "1256677456"}),
        ]
    );
    Ok(())
}

#[test]
fn csv_config_errors_name_the_field() {
    assert_eq!(
        config(json!({"InputType": "CSV", "CSVHeaderLocation": "GIVEN"})),
        Err(
            "ReaderConfig.CSVHeaderLocation GIVEN needs CSVHeaders (an array of strings)"
                .to_owned()
        )
    );
    assert_eq!(
        config(json!({"InputType": "CSV", "CSVDelimiter": "COLON"})),
        Err("ReaderConfig.CSVDelimiter 'COLON' is unknown".to_owned())
    );
    assert_eq!(
        config(json!({"InputType": "XML"})),
        Err("ReaderConfig.InputType 'XML' is unknown".to_owned())
    );
}

#[test]
fn csv_reads_quoted_newlines_and_ragged_rows_as_aws_does() -> Result<(), String> {
    let items = read_csv(
        "id,note,extra\n1,\"two\nlines, and \"\"quotes\"\"\",x\n2\n3,a,b,c\n",
        &CsvHeader::FirstRow,
        b',',
    )?;
    assert_eq!(
        items,
        vec![
            json!({"id": "1", "note": "two\nlines, and \"quotes\"", "extra": "x"}),
            json!({"id": "2", "note": "", "extra": ""}),
            json!({"id": "3", "note": "a", "extra": "b"}),
        ]
    );
    Ok(())
}

#[test]
fn csv_refuses_an_unterminated_quote_with_any_delimiter() {
    assert_eq!(
        read_csv(
            "id,note\n1,\"never closed\n2,b\n",
            &CsvHeader::FirstRow,
            b','
        ),
        Err("line 2: a quoted field is never closed (a '\"' is missing)".to_owned())
    );
    assert_eq!(unterminated_quote("a|b\n1|\"open\n", b'|'), Some(2));
    assert_eq!(unterminated_quote("a,b\n5\" tall,x\n", b','), None);
}

#[test]
fn json_items_pointer_selects_a_nested_array_or_object() -> Result<(), String> {
    let text = r#"{"data": {"orders": [{"id": 1}, {"id": 2}], "byId": {"a": 1}}}"#;
    assert_eq!(
        read_json(text, Some("/data/orders"))?,
        vec![json!({"id": 1}), json!({"id": 2})]
    );
    assert_eq!(
        read_json(text, Some("/data/byId"))?,
        vec![json!({"Key": "a", "Value": 1})]
    );
    assert_eq!(
        read_json(text, Some("/data/missing")),
        Err("ItemsPointer '/data/missing' selects nothing in the file".to_owned())
    );
    assert_eq!(
        read_json(r#"{"n": 5}"#, Some("/n")),
        Err("the items must be a JSON array or object, not a number".to_owned())
    );
    Ok(())
}

#[test]
fn json_lines_read_one_item_a_line_and_name_a_bad_line() -> Result<(), String> {
    let config = config(json!({"InputType": "JSONL"}))?;
    assert_eq!(
        read_source(&config, &source("a.jsonl", "{\"a\":1}\n\n[2]\n\"three\"\n"))?,
        vec![json!({"a": 1}), json!([2]), json!("three")]
    );
    let error = read_source(&config, &source("a.jsonl", "{\"a\":1}\n{oops\n"));
    assert!(
        error.as_ref().is_err_and(|e| e.starts_with("a.jsonl:2: ")),
        "{error:?}"
    );
    Ok(())
}

#[test]
fn max_items_keeps_the_first_items() {
    let items: Vec<Value> = (0..5).map(|n| json!(n)).collect();
    assert_eq!(limit(items.clone(), Some(2)), vec![json!(0), json!(1)]);
    assert_eq!(limit(items.clone(), Some(0)).len(), 5);
    assert_eq!(limit(items, None).len(), 5);
}

#[test]
fn item_batcher_groups_items_with_batch_input_as_the_aws_guide_shows() -> Result<(), String> {
    // The ItemBatcher page's example: fact-check statements, BatchInput {"factCheck": "TRUE"}.
    let statements = vec![
        json!({"verdict": "true", "statement_date": "6/11/2008", "statement_source": "speech"}),
        json!({"verdict": "false", "statement_date": "6/7/2022", "statement_source": "television"}),
        json!({"verdict": "true", "statement_date": "5/18/2016", "statement_source": "news"}),
    ];
    let batching = Batching {
        max_items: Some(2),
        max_bytes: None,
        batch_input: Some(json!({"factCheck": "TRUE"})),
    };
    let (batches, sizes) = batch(statements.clone(), &batching)?;
    assert_eq!(sizes, vec![2, 1]);
    assert_eq!(
        batches,
        vec![
            json!({"BatchInput": {"factCheck": "TRUE"}, "Items": [statements[0], statements[1]]}),
            json!({"BatchInput": {"factCheck": "TRUE"}, "Items": [statements[2]]}),
        ]
    );
    Ok(())
}

#[test]
fn item_batcher_fills_batches_up_to_the_byte_limit_of_the_whole_child_input() -> Result<(), String>
{
    // `{"Items":[1,2,3]}` is 17 bytes; `{"Items":[1,2]}` 15.
    let items = vec![json!(1), json!(2), json!(3), json!(4)];
    let by_bytes = Batching {
        max_bytes: Some(15),
        ..Batching::default()
    };
    let (batches, sizes) = batch(items.clone(), &by_bytes)?;
    assert_eq!(sizes, vec![2, 2]);
    assert_eq!(batches[0], json!({"Items": [1, 2]}));
    // Both limits: whichever is reached first closes the batch.
    let both = Batching {
        max_items: Some(3),
        max_bytes: Some(17),
        batch_input: None,
    };
    assert_eq!(batch(items.clone(), &both)?.1, vec![3, 1]);
    let too_small = Batching {
        max_bytes: Some(11),
        ..Batching::default()
    };
    assert_eq!(
        batch(items, &too_small),
        Err("item 0 takes 1 bytes, more than a batch of at most 11 bytes can hold".to_owned())
    );
    Ok(())
}

#[test]
fn an_inventory_manifest_reads_its_listed_csv_files_with_the_schema_columns() -> Result<(), String>
{
    let manifest = r#"{
        "sourceBucket": "amzn-s3-demo-source-bucket",
        "destinationBucket": "arn:aws:s3:::amzn-s3-demo-inventory",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size, LastModifiedDate",
        "files": [{"key": "inventory/data/part-1.csv.gz", "size": 2147, "MD5checksum": "x"}]
    }"#;
    let mut given = source("manifest.json", manifest);
    given.files.insert(
        "part-1.csv.gz".to_owned(),
        b"\"amzn-s3-demo-source-bucket\",\"a.txt\",\"12\",\"2024-01-01T00:00:00.000Z\"\n".to_vec(),
    );
    let config = config(json!({"InputType": "MANIFEST"}))?;
    assert_eq!(
        manifest_files(&config, &given),
        vec!["inventory/data/part-1.csv.gz".to_owned()]
    );
    assert_eq!(
        read_source(&config, &given)?,
        vec![json!({
            "Bucket": "amzn-s3-demo-source-bucket",
            "Key": "a.txt",
            "Size": "12",
            "LastModifiedDate": "2024-01-01T00:00:00.000Z"
        })]
    );
    given.files.clear();
    assert_eq!(
        read_source(&config, &given),
        Err("manifest.json: the manifest lists inventory/data/part-1.csv.gz, which was not given (put it next to the manifest)".to_owned())
    );
    Ok(())
}

#[test]
fn an_athena_manifest_reads_each_listed_file_in_the_input_type() -> Result<(), String> {
    let mut given = source(
        "q-manifest.csv",
        "s3://results/q/part-0\ns3://results/q/part-1\n",
    );
    given
        .files
        .insert("part-0".to_owned(), b"{\"n\":1}\n".to_vec());
    given
        .files
        .insert("part-1".to_owned(), b"{\"n\":2}\n".to_vec());
    let config = config(json!({"ManifestType": "ATHENA_DATA", "InputType": "JSONL"}))?;
    assert_eq!(manifest_files(&config, &given).len(), 2);
    assert_eq!(
        read_source(&config, &given)?,
        vec![json!({"n": 1}), json!({"n": 2})]
    );
    Ok(())
}

#[test]
fn a_reader_without_config_reads_by_content() -> Result<(), String> {
    let plain = ReaderConfig::default();
    assert_eq!(
        read_source(&plain, &source("x.json", "[1,2]"))?,
        vec![json!(1), json!(2)]
    );
    assert_eq!(
        read_source(&plain, &source("x.csv", "a\n1\n"))?,
        vec![json!({"a": "1"})]
    );
    assert_eq!(
        read_source(&plain, &source("x.jsonl", "1\n2\n"))?,
        vec![json!(1), json!(2)]
    );
    Ok(())
}

#[test]
fn load_and_flatten_reads_every_listed_object_and_concatenates_their_items() -> Result<(), String> {
    // A ListObjectsV2 listing of a prefix holding two JSON Lines objects and a "folder" key.
    let mut given = with_files(
        "listing.json",
        r#"[{"Key": "orders/", "Size": 0},
            {"Key": "orders/2024-01.jsonl", "Size": 30},
            {"Key": "orders/2024-02.jsonl", "Size": 15}]"#,
        &[
            ("2024-01.jsonl", "{\"id\": 1}\n{\"id\": 2}\n"),
            ("2024-02.jsonl", "{\"id\": 3}\n"),
        ],
    );
    let flatten = config(json!({"InputType": "JSONL", "Transformation": "LOAD_AND_FLATTEN"}))?;
    assert!(flatten.load_and_flatten);
    assert_eq!(
        manifest_files(&flatten, &given),
        vec![
            "orders/".to_owned(),
            "orders/2024-01.jsonl".to_owned(),
            "orders/2024-02.jsonl".to_owned()
        ]
    );
    assert_eq!(
        read_dataset(&flatten, &given)?,
        (
            vec![json!({"id": 1}), json!({"id": 2}), json!({"id": 3})],
            false
        )
    );
    // NONE (and no Transformation) keeps the listing's entries as the items.
    let listing = config(json!({"Transformation": "NONE"}))?;
    assert!(!listing.load_and_flatten);
    assert_eq!(read_source(&listing, &given)?.len(), 3);
    // An object the listing names but nobody gave is named in the error.
    given.files.remove("2024-02.jsonl");
    assert_eq!(
        read_source(&flatten, &given),
        Err("listing.json: the listing names orders/2024-02.jsonl, which was not given (put the object next to the listing)".to_owned())
    );
    assert_eq!(
        config(json!({"Transformation": "FLATTEN"})),
        Err("ReaderConfig.Transformation 'FLATTEN' is unknown".to_owned())
    );
    Ok(())
}

#[test]
fn load_and_flatten_reads_csv_objects_each_with_its_own_header_row() -> Result<(), String> {
    let given = with_files(
        "listing.json",
        r#"["a.csv", "b.csv"]"#,
        &[("a.csv", "id,name\n1,ann\n"), ("b.csv", "id,name\n2,bob\n")],
    );
    let flatten = config(json!({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW",
        "Transformation": "LOAD_AND_FLATTEN"}))?;
    assert_eq!(
        read_source(&flatten, &given)?,
        vec![
            json!({"id": "1", "name": "ann"}),
            json!({"id": "2", "name": "bob"})
        ]
    );
    Ok(())
}
