//! The right half of the pane: the recorded run (events, data flow, Test state, summary).

use std::collections::BTreeSet;

use graph_model::Document;
use serde_json::Value;

use super::dataflow::{dataflow_ui, json_ui};
use super::session::Session;
use super::timeline::event_data;
use super::{
    EventDataCache, ResultTab, Reveal, SimulatorAction, SimulatorPane, cost_estimates, status_name,
};
use crate::selection::StateId;
use crate::theme::Theme;

impl SimulatorPane {
    pub(super) fn results_ui(
        &mut self,
        ui: &mut egui::Ui,
        doc: &Document,
        selected: Option<&StateId>,
        actions: &mut Vec<SimulatorAction>,
    ) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.result_tab, ResultTab::Events, "Events");
            ui.selectable_value(&mut self.result_tab, ResultTab::DataFlow, "Data flow");
            ui.selectable_value(&mut self.result_tab, ResultTab::TestState, "Test state");
            ui.selectable_value(&mut self.result_tab, ResultTab::Summary, "Summary");
        });
        match self.result_tab {
            ResultTab::Events => self.events_ui(ui, actions),
            ResultTab::DataFlow => {
                egui::ScrollArea::both()
                    .id_salt("simulator_dataflow")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        self.dataflow_tab_ui(ui, selected);
                    });
            }
            ResultTab::TestState => {
                egui::ScrollArea::both()
                    .id_salt("simulator_test")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        self.test_state_ui(ui, doc, selected);
                    });
            }
            ResultTab::Summary => {
                egui::ScrollArea::vertical()
                    .id_salt("simulator_summary")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        self.summary_ui(ui);
                    });
            }
        }
    }

    fn events_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<SimulatorAction>) {
        let Some(session) = &self.session else {
            ui.weak("Run the definition to see its events.");
            return;
        };
        let Some(timeline) = session.timeline() else {
            ui.weak("The run is in progress…");
            return;
        };
        let count = timeline.events().len();
        if count == 0 {
            ui.weak("This run recorded no events.");
            return;
        }
        let mut cursor = session.cursor.unwrap_or(0).min(count - 1);
        let mut moved = false;
        ui.horizontal(|ui| {
            let label = ui.label("Event");
            let mut number = cursor + 1;
            let slider = ui
                .add(egui::Slider::new(&mut number, 1..=count))
                .labelled_by(label.id);
            if slider.changed() {
                cursor = number - 1;
                moved = true;
                self.scroll_to_cursor = true;
            }
        });
        // Map iteration pickers: which iteration of each Map the canvas and data flow show.
        let counts: Vec<(String, usize)> = timeline
            .iteration_counts()
            .into_iter()
            .map(|(name, count)| (name.to_owned(), count))
            .collect();
        for (map, iterations) in &counts {
            ui.horizontal(|ui| {
                let mut follow = !self.picked_iterations.contains_key(map);
                if ui
                    .checkbox(&mut follow, format!("{map}: follow the current iteration"))
                    .changed()
                {
                    if follow {
                        self.picked_iterations.remove(map);
                    } else {
                        self.picked_iterations.insert(map.clone(), 0);
                    }
                }
                if let Some(picked) = self.picked_iterations.get_mut(map) {
                    let label = ui.label(format!("{map} iteration"));
                    ui.add(egui::Slider::new(picked, 0..=iterations.saturating_sub(1)))
                        .labelled_by(label.id);
                }
            });
        }
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        let mut clicked = None;
        let list_height = (ui.available_height() * 0.55).max(row_height * 4.0);
        let mut scroll = egui::ScrollArea::vertical()
            .id_salt("simulator_events")
            .max_height(list_height)
            .auto_shrink([false, true]);
        if self.scroll_to_cursor {
            let spacing = ui.spacing().item_spacing.y;
            scroll = scroll
                .vertical_scroll_offset(((cursor as f32) - 3.0).max(0.0) * (row_height + spacing));
            self.scroll_to_cursor = false;
        }
        let start_millis = timeline
            .events()
            .first()
            .map(|event| event.timestamp.clone())
            .unwrap_or_default();
        scroll.show_rows(ui, row_height, count, |ui, rows| {
            for position in rows {
                let event = &timeline.events()[position];
                let state = timeline
                    .event_state(position)
                    .map_or("", |id| id.name.as_str());
                let text = format!("{:>5}  {:<30} {}", event.id, event.event_type, state);
                let response = ui.add(
                    egui::Button::selectable(
                        position == cursor,
                        egui::RichText::new(text).monospace(),
                    )
                    .min_size(egui::vec2(ui.available_width(), row_height - 4.0)),
                );
                if response.clicked() {
                    clicked = Some(position);
                }
                response.on_hover_text(format!("{} (started {start_millis})", event.timestamp));
            }
        });
        if let Some(position) = clicked {
            cursor = position;
            moved = true;
            self.list_focused = true;
            if let Some(id) = timeline.event_state(position) {
                actions.push(SimulatorAction::Select(id.clone()));
            }
        }
        ui.separator();
        if self.revealed(Reveal::DETAILS) {
            let data = event_data_cached(
                &mut self.event_data_cache,
                session,
                self.session_serial,
                cursor,
            );
            event_details_ui(ui, session, cursor, data);
        } else {
            // Drawn on the next frame (the pane asks for it).
            ui.weak("…");
        }
        if moved && let Some(session) = &mut self.session {
            session.set_cursor(cursor);
        }
    }

    fn dataflow_tab_ui(&self, ui: &mut egui::Ui, selected: Option<&StateId>) {
        let theme = Theme::current(ui.ctx());
        let Some(session) = &self.session else {
            ui.weak("Run the definition, then select a state to see its data flow.");
            return;
        };
        let (Some(timeline), Some(cursor)) = (session.timeline(), session.cursor) else {
            ui.weak("The run is in progress…");
            return;
        };
        // The selected state, else the state of the event under the cursor.
        let state = selected
            .cloned()
            .or_else(|| timeline.event_state(cursor).cloned());
        let Some(state) = state else {
            ui.weak("Select a state to see its data flow.");
            return;
        };
        let shown = self.shown_iterations();
        match timeline.trace_for(&state, cursor, &shown) {
            Some(trace) => {
                let variables = timeline.variables_before(trace);
                if let Some(entry) = timeline.trace().get(trace) {
                    dataflow_ui(ui, entry, &variables, theme);
                }
            }
            None => {
                ui.weak(format!(
                    "{} has not run by event {} (in the iterations shown).",
                    state.name,
                    cursor + 1
                ));
            }
        }
    }

    fn test_state_ui(&mut self, ui: &mut egui::Ui, doc: &Document, selected: Option<&StateId>) {
        let theme = Theme::current(ui.ctx());
        let Some(state) = selected.cloned() else {
            ui.weak("Select one state to test it alone, as AWS's TestState does.");
            self.outcome_ui(ui, theme);
            return;
        };
        // The state's input in the run as of the cursor, else the sample input.
        let from_run = self.session.as_ref().and_then(|session| {
            let timeline = session.timeline()?;
            let trace = timeline.trace_for(&state, session.cursor?, &self.shown_iterations())?;
            timeline
                .trace()
                .get(trace)?
                .stages
                .first()
                .map(|stage| stage.value.clone())
        });
        let source = if from_run.is_some() {
            "its input in the run at this event"
        } else {
            "the sample input"
        };
        ui.label(format!(
            "Test {} alone on {source}, with its mocks.",
            state.name
        ));
        if ui.button(format!("Test state {}", state.name)).clicked() {
            let input = from_run.or_else(|| serde_json::from_str::<Value>(self.input_text()).ok());
            match input {
                Some(input) => self.test_state(doc, &state, input),
                None => self.test_outcome = Some(Err("The input is not valid JSON.".to_owned())),
            }
        }
        self.outcome_ui(ui, theme);
    }

    fn outcome_ui(&self, ui: &mut egui::Ui, theme: &Theme) {
        match &self.test_outcome {
            None => {}
            Some(Err(error)) => {
                ui.colored_label(theme.error, error);
            }
            Some(Ok(outcome)) => {
                ui.separator();
                ui.horizontal(|ui| {
                    ui.strong(format!("Test of {}:", outcome.state));
                    let color = if outcome.status == simulator::Status::Succeeded {
                        theme.success
                    } else {
                        theme.error
                    };
                    ui.colored_label(color, status_name(outcome.status));
                    if let Some(next) = &outcome.next {
                        ui.label(format!("Next: {next}"));
                    }
                });
                if let Some(error) = &outcome.error {
                    ui.colored_label(theme.error, format!("Error: {error}"));
                }
                if let Some(cause) = &outcome.cause {
                    ui.colored_label(theme.error, format!("Cause: {cause}"));
                }
                if let Some(output) = &outcome.output {
                    ui.label("Output");
                    json_ui(ui, output, &BTreeSet::new(), theme.selection_fill);
                    ui.label(format!("Test output: {}", compact(output)));
                }
                if let Some(trace) = &outcome.trace {
                    dataflow_ui(ui, trace, &serde_json::Map::new(), theme);
                }
            }
        }
    }

    fn summary_ui(&mut self, ui: &mut egui::Ui) {
        let theme = Theme::current(ui.ctx());
        let Some(result) = self.result() else {
            ui.weak("Run the definition to see its summary.");
            return;
        };
        let (standard, express) = cost_estimates(result);
        let color = if result.status == simulator::Status::Succeeded {
            theme.success
        } else {
            theme.error
        };
        let figures = result_figures(result, standard, express);
        let mut copy_output = false;
        // The pane's columns are justified; text here is read, not stretched to the width.
        let clicks = ui
            .with_layout(egui::Layout::top_down(egui::Align::LEFT), |ui| {
                ui.horizontal(|ui| {
                    ui.strong("Status");
                    ui.colored_label(color, status_name(result.status));
                });
                if let Some(output) = &result.output {
                    ui.horizontal(|ui| {
                        ui.strong("Output");
                        copy_output = ui.small_button("Copy output").clicked();
                    });
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        egui::ScrollArea::horizontal()
                            .id_salt("simulator_summary_output")
                            .show(ui, |ui| {
                                json_ui(ui, output, &BTreeSet::new(), theme.selection_fill);
                            });
                    });
                }
                if let Some(error) = &result.error {
                    ui.horizontal_wrapped(|ui| {
                        ui.strong("Error");
                        ui.colored_label(theme.error, error);
                    });
                }
                if let Some(cause) = &result.cause {
                    ui.horizontal_wrapped(|ui| {
                        ui.strong("Cause");
                        ui.colored_label(theme.error, cause);
                    });
                }
                for line in figures {
                    ui.label(line);
                }
                ui.horizontal(|ui| {
                    (
                        ui.button("Copy history JSON").clicked(),
                        ui.button("Export history…").clicked(),
                    )
                })
                .inner
            })
            .inner;
        // What a click copies is printed on the click: pretty-printing a 25,000-event history
        // every frame, to have it ready, made each frame of the Summary tab cost about 100 ms.
        if copy_output && let Some(output) = self.result().and_then(|result| result.output.as_ref())
        {
            let pretty = serde_json::to_string_pretty(output).unwrap_or_default();
            ui.ctx().copy_text(pretty);
            self.export_message = Some("Output copied to the clipboard.".to_owned());
        }
        let (copy_history, export_history) = clicks;
        if copy_history && let Some(json) = self.history_json() {
            ui.ctx().copy_text(json);
            self.export_message = Some("History copied to the clipboard.".to_owned());
        }
        if export_history {
            self.export_history();
        }
        ui.with_layout(egui::Layout::top_down(egui::Align::LEFT), |ui| {
            if let Some(message) = &self.export_message {
                ui.label(message);
            }
            self.result_files_ui(ui);
        });
    }
}

/// The run's figures: transitions, events, virtual duration and estimated cost.
fn result_figures(result: &simulator::ExecutionResult, standard: f64, express: f64) -> [String; 4] {
    [
        format!("State transitions: {}", result.state_transitions),
        format!("History events: {}", result.event_count),
        format!(
            "Virtual duration: {}",
            duration_text(result.duration_millis)
        ),
        format!("Estimated cost: ${standard:.6} as Standard, ${express:.8} as Express"),
    ]
}

/// The data of the event at `cursor`, parsed once per run and position: the Map state's exit
/// event of map10k carries 10,000 results, which took a frame to parse again every frame.
fn event_data_cached<'c>(
    cache: &'c mut Option<EventDataCache>,
    session: &Session,
    serial: u64,
    cursor: usize,
) -> Option<&'c (&'static str, Value)> {
    let key = (serial, cursor);
    if cache.as_ref().is_none_or(|(cached, _)| *cached != key) {
        let data = session
            .timeline()
            .and_then(|timeline| timeline.events().get(cursor))
            .and_then(event_data);
        *cache = Some((key, data));
    }
    cache.as_ref().and_then(|(_, data)| data.as_ref())
}

/// The event under the cursor and the data it carries (`data`, from [`event_data_cached`]).
fn event_details_ui(
    ui: &mut egui::Ui,
    session: &Session,
    cursor: usize,
    data: Option<&(&'static str, Value)>,
) {
    let Some(timeline) = session.timeline() else {
        return;
    };
    let Some(event) = timeline.events().get(cursor) else {
        return;
    };
    let state = timeline
        .event_state(cursor)
        .map(ToString::to_string)
        .unwrap_or_else(|| "(execution)".to_owned());
    ui.label(format!(
        "Event {} {} of {state} at {}",
        event.id, event.event_type, event.timestamp
    ));
    egui::ScrollArea::both()
        .id_salt("simulator_event_data")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            // Left-aligned: the pane's justified columns would stretch the text across.
            ui.with_layout(egui::Layout::top_down(egui::Align::LEFT), |ui| match data {
                Some((field, value)) => {
                    ui.strong(format!("Data ({field})"));
                    let theme = Theme::current(ui.ctx());
                    json_ui(ui, value, &BTreeSet::new(), theme.selection_fill);
                }
                None => {
                    ui.weak("This event carries no data.");
                }
            });
        });
}

/// One-line JSON, cut when long.
fn compact(value: &Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    if text.len() > 300 {
        let cut = (0..=300)
            .rev()
            .find(|index| text.is_char_boundary(*index))
            .unwrap_or(0);
        format!("{}…", &text[..cut])
    } else {
        text
    }
}

/// A virtual duration for people: `850 ms`, `12.5 s`, `3 min 20 s`.
fn duration_text(millis: i64) -> String {
    if millis < 1000 {
        format!("{millis} ms")
    } else if millis < 60_000 {
        format!("{:.1} s", millis as f64 / 1000.0)
    } else {
        format!("{} min {} s", millis / 60_000, (millis % 60_000) / 1000)
    }
}
