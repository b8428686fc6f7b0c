//! The Distributed Map's settings as form fields rather than raw JSON: the `Path` forms of the
//! limits (JSONPath), ItemReader's ReaderConfig (InputType, the CSV header location, headers and
//! delimiter, MaxItems, ManifestType, ItemsPointer), ItemBatcher (MaxItemsPerBatch,
//! MaxInputBytesPerBatch, their `Path` forms in JSONPath, BatchInput) and ResultWriter's
//! WriterConfig (OutputType, Transformation), with the values of AWS's ItemReader, ItemBatcher and
//! ResultWriter reference.

use graph_model::{MapState, NumberOr, READER_CONFIG_CHOICES, WRITER_CONFIG_CHOICES};
use serde_json::Value;

use super::json_slot::Slot;
use super::{At, Form};

/// The Distributed Map fields; returns the undo step's label when one changed. Shown before the
/// raw JSON editors of ItemReader, ItemBatcher and ResultWriter, so that a diagnostic of a member
/// shows at its field.
pub(super) fn distributed_map_editor(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    jsonata: bool,
    out: &mut MapState,
) -> Option<String> {
    let mut step = None;
    if !jsonata {
        let paths = [
            ("MaxConcurrencyPath", &mut out.max_concurrency_path),
            (
                "ToleratedFailurePercentagePath",
                &mut out.tolerated_failure_percentage_path,
            ),
            (
                "ToleratedFailureCountPath",
                &mut out.tolerated_failure_count_path,
            ),
        ];
        for (member, slot) in paths {
            if form.member(ui, At::TOP, member, slot) {
                step = Some(format!("Set {member}"));
            }
        }
    }
    step = reader_form(ui, form, jsonata, &mut out.item_reader).or(step);
    step = batcher_form(ui, form, jsonata, &mut out.item_batcher).or(step);
    ui.strong("ResultWriter WriterConfig");
    let mut writer = Slot {
        root: &mut out.result_writer,
        pointer: "/ResultWriter",
    };
    for (member, choices) in WRITER_CONFIG_CHOICES {
        let label = format!("WriterConfig {member}");
        step = form
            .slot_choice(ui, &mut writer, &["WriterConfig", member], &label, choices)
            .or(step);
    }
    step
}

/// ItemReader's ReaderConfig.
fn reader_form(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    jsonata: bool,
    item_reader: &mut Option<Value>,
) -> Option<String> {
    ui.strong("ItemReader ReaderConfig");
    let mut reader = Slot {
        root: item_reader,
        pointer: "/ItemReader",
    };
    let mut step = None;
    for (member, choices) in READER_CONFIG_CHOICES {
        let label = format!("ReaderConfig {member}");
        step = form
            .slot_choice(ui, &mut reader, &["ReaderConfig", member], &label, choices)
            .or(step);
    }
    step = form
        .slot::<Option<Vec<String>>>(
            ui,
            &mut reader,
            &["ReaderConfig", "CSVHeaders"],
            "ReaderConfig CSVHeaders",
        )
        .or(step);
    step = form
        .slot::<Option<NumberOr>>(
            ui,
            &mut reader,
            &["ReaderConfig", "MaxItems"],
            "ReaderConfig MaxItems",
        )
        .or(step);
    let text_members: &[&str] = if jsonata {
        &["ItemsPointer"]
    } else {
        &["MaxItemsPath", "ItemsPointer"]
    };
    for member in text_members {
        let label = format!("ReaderConfig {member}");
        step = form
            .slot::<Option<String>>(ui, &mut reader, &["ReaderConfig", member], &label)
            .or(step);
    }
    step
}

/// ItemBatcher: the two limits (a number, or in JSONata an expression; in JSONPath also a
/// `Path` reading it from the input) and BatchInput, the JSON every batch carries.
fn batcher_form(
    ui: &mut egui::Ui,
    form: &mut Form<'_>,
    jsonata: bool,
    item_batcher: &mut Option<Value>,
) -> Option<String> {
    ui.strong("ItemBatcher");
    let mut batcher = Slot {
        root: item_batcher,
        pointer: "/ItemBatcher",
    };
    let mut step = None;
    for limit in ["MaxItemsPerBatch", "MaxInputBytesPerBatch"] {
        let label = format!("ItemBatcher {limit}");
        step = form
            .slot::<Option<NumberOr>>(ui, &mut batcher, &[limit], &label)
            .or(step);
        if !jsonata {
            let path = format!("{limit}Path");
            let label = format!("ItemBatcher {path}");
            step = form
                .slot::<Option<String>>(ui, &mut batcher, &[&path], &label)
                .or(step);
        }
    }
    form.slot::<Option<Value>>(ui, &mut batcher, &["BatchInput"], "ItemBatcher BatchInput")
        .or(step)
}
