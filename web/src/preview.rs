//! A small stand-in for the designer (built without the `studio` feature): it shows the
//! definition's top-level states as boxes that can be clicked, and keeps the definition as JSON.
//! It exists so that the browser shell, build and tests can be checked on their own.

use std::collections::HashMap;

use serde_json::Value;

use crate::studio::{StartWith, Studio};

const SAMPLE: &str = include_str!("../../app/assets/sample.asl.json");

struct Preview {
    name: String,
    definition: Value,
    selected: Option<String>,
    drawn: HashMap<String, egui::Rect>,
    error: Option<String>,
}

fn parse(text: &str) -> Result<Value, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not ASL JSON: {e}"))?;
    if value.get("States").and_then(Value::as_object).is_none() {
        return Err("not a state machine: no \"States\" object".to_owned());
    }
    Ok(value)
}

/// The preview, in place of the designer.
pub fn create(cc: &eframe::CreationContext<'_>, start: StartWith) -> Box<dyn Studio> {
    cc.egui_ctx.set_theme(egui::Theme::Light);
    let (name, text) = match start {
        StartWith::Sample => ("etl-pipeline.asl.json".to_owned(), SAMPLE.to_owned()),
        StartWith::Text { name, text } => (name, text),
    };
    let mut preview = Preview {
        name: String::new(),
        definition: Value::Null,
        selected: None,
        drawn: HashMap::new(),
        error: None,
    };
    if let Err(error) = preview.open_text(&name, &text) {
        preview.error = Some(error);
        let _ = preview.open_text("etl-pipeline.asl.json", SAMPLE);
    }
    Box::new(preview)
}

impl Studio for Preview {
    fn open_text(&mut self, name: &str, text: &str) -> Result<(), String> {
        let definition = parse(text)?;
        self.name = name.to_owned();
        self.definition = definition;
        self.selected = None;
        self.drawn.clear();
        self.error = None;
        Ok(())
    }

    fn current_asl(&self) -> String {
        serde_json::to_string_pretty(&self.definition).unwrap_or_default()
    }

    fn document_name(&self) -> String {
        self.name.clone()
    }

    fn selected_state(&self) -> Option<String> {
        self.selected.clone()
    }

    fn state_screen_rect(&self, name: &str) -> Option<egui::Rect> {
        self.drawn.get(name).copied()
    }
}

impl eframe::App for Preview {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::Panel::top("preview_top").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.strong("ASL Studio (preview)");
                ui.label(&self.name);
                if let Some(error) = &self.error {
                    ui.colored_label(egui::Color32::DARK_RED, error);
                }
            });
        });
        egui::CentralPanel::default().show(ui, |ui| {
            let states: Vec<(String, String)> = self
                .definition
                .get("States")
                .and_then(Value::as_object)
                .map(|states| {
                    states
                        .iter()
                        .map(|(name, state)| {
                            let kind = state.get("Type").and_then(Value::as_str).unwrap_or("?");
                            (name.clone(), kind.to_owned())
                        })
                        .collect()
                })
                .unwrap_or_default();
            self.drawn.clear();
            egui::ScrollArea::vertical().show(ui, |ui| {
                for (name, kind) in states {
                    let selected = self.selected.as_deref() == Some(name.as_str());
                    let response = ui.add_sized(
                        [220.0, 44.0],
                        egui::Button::selectable(selected, format!("{name}\n{kind}")),
                    );
                    if response.clicked() {
                        self.selected = Some(name.clone());
                    }
                    self.drawn.insert(name, response.rect);
                    ui.add_space(12.0);
                }
            });
        });
    }
}
