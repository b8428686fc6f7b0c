//! File > New from template: a gallery of real workflow patterns, each bundled with a sample
//! input and an AWS Step Functions Local mock file whose `HappyPath` test case succeeds, so F5
//! runs it at once. The definitions come from aws-samples/step-functions-workflows-collection
//! (MIT-0); app/assets/templates/SOURCES.md says which file each one is and what was changed.

use std::collections::HashMap;

use serde_json::Value;

/// One template of the gallery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Template {
    /// Its folder under app/assets/templates, and the stem of the file name it opens as.
    pub id: &'static str,
    /// The name shown in the gallery.
    pub title: &'static str,
    /// What the workflow does, in a sentence or two.
    pub description: &'static str,
    /// The ASL definition.
    pub definition: &'static str,
    /// The sample execution input.
    pub input: &'static str,
    /// The Step Functions Local mock file (test cases `HappyPath` and, for most, a failure).
    pub mocks: &'static str,
    /// The items a Distributed Map's ItemReader reads, by Map state name.
    pub items: Option<&'static str>,
    /// Whether it is an Express workflow.
    pub express: bool,
}

impl Template {
    /// The file name the definition opens under.
    #[must_use]
    pub fn file_name(&self) -> String {
        format!("{}.asl.json", self.id)
    }

    /// The ItemReader items by Map state name (none when the file is missing or malformed).
    #[must_use]
    pub fn reader_items(&self) -> HashMap<String, Vec<Value>> {
        self.items
            .and_then(|text| serde_json::from_str::<HashMap<String, Vec<Value>>>(text).ok())
            .unwrap_or_default()
    }

    /// How many states the definition has, nested ones included.
    #[must_use]
    pub fn state_count(&self) -> usize {
        serde_json::from_str::<Value>(self.definition)
            .ok()
            .and_then(|value| graph_model::StateMachine::from_value(&value).ok())
            .map_or(0, |machine| machine.total_states())
    }
}

/// The gallery, in the order it shows them.
pub const TEMPLATES: [Template; 10] = [
    Template {
        id: "etl-glue-crawler",
        title: "ETL with a Glue crawler",
        description: "A Distributed Map decompresses every raw file of an S3 prefix in batches, a Glue crawler catalogues the data (polled until READY), then Athena queries it.",
        definition: include_str!("../assets/templates/etl-glue-crawler/statemachine.asl.json"),
        input: include_str!("../assets/templates/etl-glue-crawler/input.json"),
        mocks: include_str!("../assets/templates/etl-glue-crawler/mocks.json"),
        items: Some(include_str!(
            "../assets/templates/etl-glue-crawler/items.json"
        )),
        express: false,
    },
    Template {
        id: "glue-workflow-poller",
        title: "Glue workflow, polled until done",
        description: "Starts a Glue workflow run, waits and polls its status in a loop, checks its statistics, then starts the next run through a child execution.",
        definition: include_str!("../assets/templates/glue-workflow-poller/statemachine.asl.json"),
        input: include_str!("../assets/templates/glue-workflow-poller/input.json"),
        mocks: include_str!("../assets/templates/glue-workflow-poller/mocks.json"),
        items: None,
        express: false,
    },
    Template {
        id: "saga-compensation",
        title: "Saga with compensation",
        description: "Books a flight and a car, takes the payment and confirms both; any failure runs the compensating steps (refund, cancel the car, cancel the flight) in reverse order.",
        definition: include_str!("../assets/templates/saga-compensation/statemachine.asl.json"),
        input: include_str!("../assets/templates/saga-compensation/input.json"),
        mocks: include_str!("../assets/templates/saga-compensation/mocks.json"),
        items: None,
        express: false,
    },
    Template {
        id: "fan-out-map",
        title: "Fan-out over messages with a Map",
        description: "Reads a batch of SQS messages, then a Map handles each one: write it to DynamoDB, delete it from the queue, publish it to SNS.",
        definition: include_str!("../assets/templates/fan-out-map/statemachine.asl.json"),
        input: include_str!("../assets/templates/fan-out-map/input.json"),
        mocks: include_str!("../assets/templates/fan-out-map/mocks.json"),
        items: None,
        express: false,
    },
    Template {
        id: "human-approval",
        title: "Human approval with a task token",
        description: "Sends the request to an approver with .waitForTaskToken and waits up to an hour for the answer; approved, rejected and failed answers go their own ways.",
        definition: include_str!("../assets/templates/human-approval/statemachine.asl.json"),
        input: include_str!("../assets/templates/human-approval/input.json"),
        mocks: include_str!("../assets/templates/human-approval/mocks.json"),
        items: None,
        express: false,
    },
    Template {
        id: "express-api",
        title: "Express workflow behind an API",
        description: "A synchronous Express workflow an API Gateway route calls: three Lambda functions compute the sum, the average and the extremes of the posted numbers in parallel.",
        definition: include_str!("../assets/templates/express-api/statemachine.asl.json"),
        input: include_str!("../assets/templates/express-api/input.json"),
        mocks: include_str!("../assets/templates/express-api/mocks.json"),
        items: None,
        express: true,
    },
    Template {
        id: "distributed-map-s3-csv",
        title: "Distributed Map over a CSV file in S3",
        description: "A Distributed Map reads the rows of a CSV object in S3 and starts one Express child execution per row, up to 100 at a time.",
        definition: include_str!(
            "../assets/templates/distributed-map-s3-csv/statemachine.asl.json"
        ),
        input: include_str!("../assets/templates/distributed-map-s3-csv/input.json"),
        mocks: include_str!("../assets/templates/distributed-map-s3-csv/mocks.json"),
        items: Some(include_str!(
            "../assets/templates/distributed-map-s3-csv/items.json"
        )),
        express: false,
    },
    Template {
        id: "eventbridge-s3-trigger",
        title: "EventBridge-triggered file summariser",
        description: "An EventBridge rule on S3 Object Created starts the workflow with the event; a Choice on the object key picks the ingest function by file type, then the text is summarised.",
        definition: include_str!(
            "../assets/templates/eventbridge-s3-trigger/statemachine.asl.json"
        ),
        input: include_str!("../assets/templates/eventbridge-s3-trigger/input.json"),
        mocks: include_str!("../assets/templates/eventbridge-s3-trigger/mocks.json"),
        items: None,
        express: false,
    },
    Template {
        id: "jsonata-variables",
        title: "JSONata workflow with variables",
        description: "A JSONata child workflow: Assign keeps the paging parameters in variables, an HTTP task fetches one page of records, a Map reshapes each row, and the page goes back to the parent with its task token.",
        definition: include_str!("../assets/templates/jsonata-variables/statemachine.asl.json"),
        input: include_str!("../assets/templates/jsonata-variables/input.json"),
        mocks: include_str!("../assets/templates/jsonata-variables/mocks.json"),
        items: None,
        express: false,
    },
    Template {
        id: "retry-backoff",
        title: "Retry with exponential backoff",
        description: "A Lambda call retried up to six times with exponential backoff on transient errors; when the retries run out, the Catch ends the run in Fail (the Fails test case).",
        definition: include_str!("../assets/templates/retry-backoff/statemachine.asl.json"),
        input: include_str!("../assets/templates/retry-backoff/input.json"),
        mocks: include_str!("../assets/templates/retry-backoff/mocks.json"),
        items: None,
        express: false,
    },
];

/// The gallery window: a card per template.
#[derive(Debug, Default)]
pub struct TemplateGallery {
    /// Whether the gallery is shown.
    pub open: bool,
    /// State counts, computed once when the gallery first opens.
    counts: Vec<usize>,
}

impl TemplateGallery {
    /// Shows the gallery.
    pub fn show(&mut self) {
        self.open = true;
    }

    /// Draws the gallery; returns the index of the template chosen.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<usize> {
        if !self.open {
            return None;
        }
        if self.counts.is_empty() {
            self.counts = TEMPLATES.iter().map(Template::state_count).collect();
        }
        let mut chosen = None;
        let mut close = false;
        let screen = ctx.content_rect();
        let width = (screen.width() - 80.0).clamp(320.0, crate::theme::PANELS.gallery_max_width);
        let columns = if width > 900.0 { 3 } else { 2 };
        egui::Modal::new(egui::Id::unique("asl-studio-template-gallery")).show(ctx, |ui| {
            ui.set_width(width);
            ui.horizontal(|ui| {
                ui.heading("New from template");
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    close = ui.button("Close").clicked();
                });
            });
            ui.label(
                "Real workflow patterns from aws-samples/step-functions-workflows-collection \
                 (MIT-0), each with a sample input and test cases: press F5 after opening one.",
            );
            ui.separator();
            let card_width = (width - 12.0 * (columns as f32 - 1.0)) / columns as f32;
            // As tall as the window allows: a scroll area would otherwise start at its minimum.
            let height = (screen.height() - 220.0).max(200.0);
            egui::ScrollArea::vertical()
                .max_height(height)
                .min_scrolled_height(height)
                .show(ui, |ui| {
                    egui::Grid::new("template-cards")
                        .num_columns(columns)
                        .spacing([12.0, 12.0])
                        .show(ui, |ui| {
                            for (index, template) in TEMPLATES.iter().enumerate() {
                                let count = self.counts.get(index).copied().unwrap_or(0);
                                if card_ui(ui, template, count, card_width) {
                                    chosen = Some(index);
                                }
                                if index % columns == columns - 1 {
                                    ui.end_row();
                                }
                            }
                        });
                });
        });
        if close || chosen.is_some() || ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.open = false;
        }
        chosen
    }
}

/// One card; returns whether its template was chosen.
fn card_ui(ui: &mut egui::Ui, template: &Template, state_count: usize, width: f32) -> bool {
    let mut chosen = false;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(width - 14.0);
        ui.set_min_height(crate::theme::PANELS.gallery_card_height);
        ui.vertical(|ui| {
            ui.strong(template.title);
            let kind = if template.express {
                "Express"
            } else {
                "Standard"
            };
            ui.weak(format!("{state_count} states · {kind}"));
            ui.label(template.description);
            chosen = ui
                .button(format!("Open {}", template.title))
                .on_hover_text(template.file_name())
                .clicked();
        });
    });
    chosen
}
