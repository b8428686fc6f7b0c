//! The inspector's forms for a Distributed Map's ItemBatcher and for the HTTP Task's request
//! (Headers, QueryParameters, RequestBody, Transform), driven as a user would: each finished
//! edit changes the document as AWS's reference spells it, is one undo step named for what it
//! did, and the forms are kept as snapshots at 1280x800.

use asl_studio::{StartSource, StudioApp};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use serde_json::{Value, json};

mod common;

use common::designer::{click_in_view, designer, pick};

/// The designer on `source` at the smallest window size users have, after its first frame.
fn opened(source: StartSource) -> Harness<'static, StudioApp> {
    let mut harness = designer(source, [1280.0, 800.0]);
    harness.run();
    harness
}

/// Adds a state from the palette (it is then selected).
fn add_from_palette(harness: &mut Harness<'_, StudioApp>, entry: &str) {
    harness.get_by_label(entry).click();
    harness.run();
}

fn press(harness: &mut Harness<'_, StudioApp>, key: egui::Key) {
    harness.key_press(key);
    harness.run();
}

/// Types `text` over the field labelled `label` and leaves it with `leave` (Enter for a line,
/// Escape for the multi-line JSON editor), which finishes the edit.
fn type_into(harness: &mut Harness<'_, StudioApp>, label: &str, text: &str, leave: egui::Key) {
    harness.get_by_label(label).scroll_to_me();
    harness.run();
    harness.get_by_label(label).focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run();
    if text.is_empty() {
        press(harness, egui::Key::Backspace);
    } else {
        harness.get_by_label(label).type_text(text);
        harness.run();
    }
    press(harness, leave);
}

/// Selects a state through Find (Ctrl+F), as a keyboard user would; a Map's box on the canvas
/// holds its processor's states, so a click at its middle would select one of those.
fn find(harness: &mut Harness<'_, StudioApp>, name: &str) {
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run();
    harness.get_by_label("Find").type_text(name);
    harness.run();
    press(harness, egui::Key::Enter);
    press(harness, egui::Key::Escape);
    let selected: Vec<String> = harness
        .state()
        .selection()
        .states
        .iter()
        .map(|id| id.name.clone())
        .collect();
    assert_eq!(selected, [name]);
}

fn state_value(harness: &Harness<'_, StudioApp>, name: &str) -> Value {
    harness.state().document().root().to_value()["States"][name].clone()
}

fn undo_label(harness: &Harness<'_, StudioApp>) -> String {
    harness
        .state()
        .document()
        .undo_label()
        .unwrap_or_default()
        .to_owned()
}

fn codes(harness: &Harness<'_, StudioApp>) -> Vec<String> {
    harness
        .state()
        .diagnostics()
        .iter()
        .map(|d| format!("{} {}", d.code, d.pointer))
        .collect()
}

fn undo(harness: &mut Harness<'_, StudioApp>) {
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.run();
}

#[test]
fn the_item_batcher_form_writes_each_limit_and_batch_input_as_named_undo_steps() {
    let mut harness = opened(StartSource::Empty);
    add_from_palette(&mut harness, "Add Distributed Map");
    let start = harness.state().document().history_cursor();

    type_into(
        &mut harness,
        "ItemBatcher MaxItemsPerBatch",
        "2",
        egui::Key::Enter,
    );
    assert_eq!(
        state_value(&harness, "DistributedMap")["ItemBatcher"],
        json!({"MaxItemsPerBatch": 2})
    );
    assert_eq!(
        undo_label(&harness),
        "Set ItemBatcher MaxItemsPerBatch of \"DistributedMap\""
    );
    type_into(
        &mut harness,
        "ItemBatcher MaxInputBytesPerBatch",
        "262144",
        egui::Key::Enter,
    );
    // BatchInput, AWS's documented example: JSON that every batch carries next to Items.
    type_into(
        &mut harness,
        "ItemBatcher BatchInput",
        r#"{"factCheck": "December 2022"}"#,
        egui::Key::Escape,
    );
    assert_eq!(
        state_value(&harness, "DistributedMap")["ItemBatcher"],
        json!({"MaxItemsPerBatch": 2, "MaxInputBytesPerBatch": 262144,
               "BatchInput": {"factCheck": "December 2022"}})
    );
    assert_eq!(
        undo_label(&harness),
        "Set ItemBatcher BatchInput of \"DistributedMap\""
    );
    assert_eq!(codes(&harness), Vec::<String>::new());

    // The Path form reads the limit from the input; with both set, validation points at it.
    type_into(
        &mut harness,
        "ItemBatcher MaxItemsPerBatchPath",
        "$.batchSize",
        egui::Key::Enter,
    );
    assert_eq!(
        state_value(&harness, "DistributedMap")["ItemBatcher"]["MaxItemsPerBatchPath"],
        "$.batchSize"
    );
    assert!(
        codes(&harness)
            .iter()
            .any(|c| c.contains("/States/DistributedMap/ItemBatcher")),
        "{:?}",
        codes(&harness)
    );
    harness
        .get_by_label("ItemBatcher MaxItemsPerBatch")
        .scroll_to_me();
    harness.run();
    harness.snapshot("inspector_item_batcher_1280x800");

    // Emptying a field removes the member; emptying them all removes ItemBatcher.
    type_into(
        &mut harness,
        "ItemBatcher MaxItemsPerBatchPath",
        "",
        egui::Key::Enter,
    );
    assert_eq!(
        undo_label(&harness),
        "Clear ItemBatcher MaxItemsPerBatchPath of \"DistributedMap\""
    );
    assert_eq!(codes(&harness), Vec::<String>::new());

    // Each edit was one undo step: undo them all and there is no ItemBatcher again.
    assert_eq!(harness.state().document().history_cursor(), start + 5);
    for _ in 0..5 {
        undo(&mut harness);
    }
    assert!(
        state_value(&harness, "DistributedMap")
            .get("ItemBatcher")
            .is_none()
    );
}

const JSONATA_MACHINE: &str = r#"{
  "QueryLanguage": "JSONata",
  "StartAt": "Fan out",
  "States": {
    "Fan out": {
      "Type": "Map",
      "Items": "{% $states.input.items %}",
      "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Work",
        "States": {"Work": {"Type": "Pass", "End": true}}
      },
      "MaxConcurrency": 10,
      "ToleratedFailurePercentage": 5,
      "Next": "Notify"
    },
    "Notify": {
      "Type": "Task",
      "Resource": "arn:aws:states:::http:invoke",
      "Arguments": {
        "ApiEndpoint": "https://api.example.com/notify",
        "Method": "POST",
        "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/notify/0000"}
      },
      "End": true
    }
  }
}
"#;

#[test]
fn a_jsonata_batcher_takes_expressions_and_has_no_path_fields() {
    let mut harness = opened(StartSource::Text {
        name: "fan-out.asl.json".to_owned(),
        text: JSONATA_MACHINE.to_owned(),
    });
    find(&mut harness, "Fan out");
    assert!(
        harness
            .query_by_label("ItemBatcher MaxItemsPerBatchPath")
            .is_none()
    );
    assert!(
        harness
            .query_by_label("ItemBatcher MaxInputBytesPerBatchPath")
            .is_none()
    );
    type_into(
        &mut harness,
        "ItemBatcher MaxItemsPerBatch",
        "{% $states.input.batchSize %}",
        egui::Key::Enter,
    );
    assert_eq!(
        state_value(&harness, "Fan out")["ItemBatcher"],
        json!({"MaxItemsPerBatch": "{% $states.input.batchSize %}"})
    );
    assert_eq!(codes(&harness), Vec::<String>::new());
}

#[test]
fn the_http_form_builds_headers_query_body_and_transform_into_parameters() {
    let mut harness = opened(StartSource::Empty);
    add_from_palette(&mut harness, "Add HTTP Invoke");
    let start = harness.state().document().history_cursor();
    let parameters =
        |h: &Harness<'_, StudioApp>| state_value(h, "HTTPInvoke")["Parameters"].clone();

    click_in_view(&mut harness, Role::Button, "Add header");
    assert_eq!(undo_label(&harness), "Add header of \"HTTPInvoke\"");
    type_into(
        &mut harness,
        "Header 1 name",
        "Content-Type",
        egui::Key::Enter,
    );
    assert_eq!(
        undo_label(&harness),
        "Rename header \"X-Header\" to \"Content-Type\" of \"HTTPInvoke\""
    );
    type_into(
        &mut harness,
        "Header 1 value",
        "application/x-www-form-urlencoded",
        egui::Key::Enter,
    );
    click_in_view(&mut harness, Role::Button, "Add query parameter");
    type_into(
        &mut harness,
        "Query parameter 1 name",
        "page",
        egui::Key::Enter,
    );
    type_into(
        &mut harness,
        "Query parameter 1 value",
        "2",
        egui::Key::Enter,
    );
    type_into(
        &mut harness,
        "RequestBody",
        r#"{"tags": ["a", "b"]}"#,
        egui::Key::Escape,
    );
    pick(&mut harness, "Method", "POST");
    pick(&mut harness, "Transform RequestBodyEncoding", "URL_ENCODED");
    pick(&mut harness, "RequestEncodingOptions ArrayFormat", "COMMAS");
    assert_eq!(
        undo_label(&harness),
        "Set RequestEncodingOptions ArrayFormat of \"HTTPInvoke\""
    );
    assert_eq!(
        parameters(&harness),
        json!({
            "ApiEndpoint": "https://api.example.com/items",
            "Method": "POST",
            "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/my-connection/0000"},
            "Headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "QueryParameters": {"page": "2"},
            "RequestBody": {"tags": ["a", "b"]},
            "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                          "RequestEncodingOptions": {"ArrayFormat": "COMMAS"}}
        })
    );
    assert_eq!(codes(&harness), Vec::<String>::new());
    harness
        .get_by_role_and_label(Role::ComboBox, "RequestEncodingOptions ArrayFormat")
        .scroll_to_me();
    harness.run();
    harness.snapshot("inspector_http_request_1280x800");

    // A second header renamed to the first one's name is refused, saying why; nothing changes.
    click_in_view(&mut harness, Role::Button, "Add header");
    let before = harness.state().document().history_cursor();
    type_into(
        &mut harness,
        "Header 2 name",
        "Content-Type",
        egui::Key::Enter,
    );
    assert_eq!(harness.state().document().history_cursor(), before);
    harness
        .get_by_label("There is already a header \"Content-Type\": the name was left as it was.");
    click_in_view(&mut harness, Role::Button, "Remove header 2");
    assert_eq!(
        parameters(&harness)["Headers"],
        json!({"Content-Type": "application/x-www-form-urlencoded"})
    );

    // Removing the only header drops Headers; one undo brings it back.
    click_in_view(&mut harness, Role::Button, "Remove header 1");
    assert_eq!(
        undo_label(&harness),
        "Remove header \"Content-Type\" of \"HTTPInvoke\""
    );
    assert!(parameters(&harness).get("Headers").is_none());
    undo(&mut harness);
    assert_eq!(
        parameters(&harness)["Headers"],
        json!({"Content-Type": "application/x-www-form-urlencoded"})
    );
    // Every edit above was one step (the ten that built the request, the header added and
    // removed again; the refused rename none).
    assert_eq!(harness.state().document().history_cursor(), start + 12);
}

#[test]
fn a_jsonata_http_task_is_edited_in_its_arguments() {
    let mut harness = opened(StartSource::Text {
        name: "fan-out.asl.json".to_owned(),
        text: JSONATA_MACHINE.to_owned(),
    });
    find(&mut harness, "Notify");
    click_in_view(&mut harness, Role::Button, "Add query parameter");
    type_into(
        &mut harness,
        "Query parameter 1 value",
        "{% $states.input.id %}",
        egui::Key::Enter,
    );
    pick(
        &mut harness,
        "RequestEncodingOptions ArrayFormat",
        "BRACKETS",
    );
    let arguments = state_value(&harness, "Notify")["Arguments"].clone();
    assert_eq!(
        arguments["QueryParameters"],
        json!({"name": "{% $states.input.id %}"})
    );
    assert_eq!(
        arguments["Transform"],
        json!({"RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}})
    );
    assert!(state_value(&harness, "Notify").get("Parameters").is_none());
    assert_eq!(codes(&harness), Vec::<String>::new());
}
