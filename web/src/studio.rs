//! What the browser shell needs from the designer, as one trait.
//!
//! With the `studio` feature (the default) it is implemented for ASL Studio's designer
//! ([`asl_studio::app::StudioApp`]). Without it, a small built-in preview stands in, so the
//! browser build and its tests can be worked on while the designer does not build for the web.

/// The designer as the browser shell drives it.
pub trait Studio: eframe::App {
    /// Opens `text` (ASL JSON or YAML, or a template) as if from a file named `name`.
    ///
    /// # Errors
    /// A message saying what is wrong with the text and where.
    fn open_text(&mut self, name: &str, text: &str) -> Result<(), String>;

    /// The current definition as ASL JSON text (what "Save" writes).
    fn current_asl(&self) -> String;

    /// The name the definition is shown under (its file name).
    fn document_name(&self) -> String;

    /// The selected state's name when exactly one state is selected.
    fn selected_state(&self) -> Option<String>;

    /// Where a top-level state was drawn in the last frame, in points (CSS pixels).
    fn state_screen_rect(&self, name: &str) -> Option<egui::Rect>;

    /// The simulator pane's state as JSON: `phase` (`""`, `"executing"`, `"indexing"`,
    /// `"ready"`), the last run's `status`, `error`, `output`, and the pane's `startError`,
    /// `mockMessage`, `exportMessage` and `mockFile` (the mock file text it shows).
    ///
    /// # Errors
    /// When there is no simulator (the preview).
    fn simulator_state(&self) -> Result<serde_json::Value, String> {
        Err("this build has no simulator pane".to_owned())
    }

    /// The simulator pane's "Export history…" (a download).
    ///
    /// # Errors
    /// When there is no simulator (the preview).
    fn simulator_export_history(&mut self) -> Result<(), String> {
        Err("this build has no simulator pane".to_owned())
    }

    /// The simulator pane's "Open mock file…" (the file picker; the file is imported on a later
    /// frame).
    ///
    /// # Errors
    /// When there is no simulator (the preview).
    fn simulator_open_mock_file(&mut self) -> Result<(), String> {
        Err("this build has no simulator pane".to_owned())
    }

    /// File > Export diagram in `format` (`svg`, `png`, `mermaid`), theme and PNG scale.
    ///
    /// # Errors
    /// When the format is unknown, or there is no designer (the preview).
    fn export_diagram(&mut self, _format: &str, _dark: bool, _scale: f32) -> Result<(), String> {
        Err("this build has no diagram export".to_owned())
    }

    /// File > Compare with file… (the file picker; the comparison starts on a later frame).
    ///
    /// # Errors
    /// When there is no designer (the preview).
    fn compare_with_file(&mut self) -> Result<(), String> {
        Err("this build cannot compare versions".to_owned())
    }

    /// The comparison as JSON: `pending`, `comparing`, `status`, `states` (name → mark),
    /// `edges` (how many marked) and `removed`.
    ///
    /// # Errors
    /// When there is no designer (the preview).
    fn comparison_state(&self) -> Result<serde_json::Value, String> {
        Err("this build cannot compare versions".to_owned())
    }

    /// Replaces the simulator pane's input JSON text (what the next run starts with).
    ///
    /// # Errors
    /// When there is no simulator (the preview).
    fn simulator_set_input(&mut self, _text: &str) -> Result<(), String> {
        Err("this build has no simulator pane".to_owned())
    }

    /// Whether the designer is still opening or laying out the document (big ones take
    /// several frames).
    fn is_laying_out(&self) -> bool {
        false
    }

    /// The Tests panel's "Generate tests" (the panel is shown; the work runs on later frames).
    ///
    /// # Errors
    /// When there is no designer (the preview).
    fn tests_generate(&mut self) -> Result<(), String> {
        Err("this build has no Tests panel".to_owned())
    }

    /// The Tests panel as JSON: `busy`, `generating` (`cases`, `targetsLeft`, `rounds` of the
    /// generation under way, or null), `generated` (`cases`, `gaps` of the last suite made, or
    /// null), `passed` and `failed` (the last Run all's verdicts) and `message`.
    ///
    /// # Errors
    /// When there is no designer (the preview).
    fn tests_state(&self) -> Result<serde_json::Value, String> {
        Err("this build has no Tests panel".to_owned())
    }

    /// What the designer shows of the document, as JSON: `states` (nested ones included),
    /// `opening` (still being opened over frames), `problems` (`errors`, `warnings`, `infos`, as
    /// the status bar counts them) and `codeText` (the code view's text).
    ///
    /// # Errors
    /// When there is no designer (the preview).
    fn designer_state(&self) -> Result<serde_json::Value, String> {
        Err("this build has no designer".to_owned())
    }

    /// Opens documents over several frames (`true`, the browser's default: `loadDefinition`
    /// returns once the document is read) or all in the one call (`false`).
    fn set_spread_opening(&mut self, _spread: bool) {}

    /// Changes whenever the document does (a newly opened one included); `None` when it cannot
    /// be told, so that the caller must look at the text itself.
    fn document_version(&self) -> Option<(u64, u64)> {
        None
    }

    /// The current definition as JSON text for the autosave: [`Self::current_asl`], or the
    /// text the designer already has for it (the same definition by value) when that is
    /// cheaper than writing it out again.
    fn autosave_text(&self) -> String {
        self.current_asl()
    }
}

/// What the page opens at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartWith {
    /// The bundled sample.
    Sample,
    /// A definition from a share link or the autosave, under a display name.
    Text {
        /// The name shown for it.
        name: String,
        /// The definition.
        text: String,
    },
}

#[cfg(feature = "studio")]
mod designer {
    use std::rc::Rc;

    use asl_studio::app::{StartSource, StudioApp};
    use asl_studio::files::{TextFormat, write_value};

    use super::{StartWith, Studio};
    use crate::files::{BrowserDialogs, BrowserFiles, BrowserTextExchange, SharedFiles};

    /// The designer and the store its files go through, which we also fill with opened files.
    struct Designer {
        app: StudioApp,
        files: Rc<BrowserFiles>,
    }

    impl eframe::App for Designer {
        fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
            self.app.logic(ctx, frame);
        }

        fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
            self.app.ui(ui, frame);
        }

        fn save(&mut self, storage: &mut dyn eframe::Storage) {
            self.app.save(storage);
        }

        fn on_exit(&mut self, gl: Option<&eframe::glow::Context>) {
            self.app.on_exit(gl);
        }

        fn raw_input_hook(&mut self, ctx: &egui::Context, raw_input: &mut egui::RawInput) {
            self.app.raw_input_hook(ctx, raw_input);
        }
    }

    impl Studio for Designer {
        fn open_text(&mut self, name: &str, text: &str) -> Result<(), String> {
            // Kept in our store, as if the user had opened a file there (Save writes it back, a
            // template's placeholders are read back while it opens); read once, and what is
            // wrong with it comes back to the caller.
            let path = self.files.opened_path(name);
            let previous = self.files.keep_opened(&path, text.to_owned());
            let opened = self.app.open_text_at(&path, text);
            if opened.is_err() {
                self.files.put_back_opened(&path, previous);
            }
            opened
        }

        fn current_asl(&self) -> String {
            write_value(&self.app.document().root().to_value(), TextFormat::Json)
        }

        fn document_name(&self) -> String {
            // The window title is "<name>[*] — ASL Studio".
            let title = self.app.window_title();
            let name = title.split(" — ").next().unwrap_or_default();
            name.trim_end_matches('*').to_owned()
        }

        fn selected_state(&self) -> Option<String> {
            let selection = self.app.selection();
            match (selection.states.len(), selection.states.first()) {
                (1, Some(id)) => Some(id.name.clone()),
                _ => None,
            }
        }

        fn state_screen_rect(&self, name: &str) -> Option<egui::Rect> {
            let id = asl_studio::canvas::StateId {
                machine: graph_model::MachinePath::root(),
                name: name.to_owned(),
            };
            self.app.canvas().state_screen_rect(&id)
        }

        fn simulator_state(&self) -> Result<serde_json::Value, String> {
            let pane = self.app.simulator();
            let result = pane.result();
            Ok(serde_json::json!({
                "phase": pane.run_phase(),
                "status": result.map(|r| asl_studio::simulate::status_name(r.status)),
                "error": result.and_then(|r| r.error.clone()),
                "output": result.and_then(|r| r.output.clone()),
                "startError": pane.start_error(),
                "mockMessage": pane.mock_message(),
                "exportMessage": pane.export_message(),
                "mockFile": pane.mock_file_text(),
            }))
        }

        fn simulator_export_history(&mut self) -> Result<(), String> {
            self.app.simulator_mut().export_history();
            Ok(())
        }

        fn simulator_open_mock_file(&mut self) -> Result<(), String> {
            self.app.simulator_mut().open_mock_file();
            Ok(())
        }

        fn export_diagram(&mut self, format: &str, dark: bool, scale: f32) -> Result<(), String> {
            use asl_studio::app::{DiagramExport, DiagramFormat};
            let format = match format {
                "svg" => DiagramFormat::Svg,
                "png" => DiagramFormat::Png,
                "mermaid" => DiagramFormat::Mermaid,
                other => return Err(format!("{other}: not a diagram format (svg, png, mermaid)")),
            };
            if !(scale.is_finite() && scale > 0.0) {
                return Err(format!("scale {scale}: must be a number above 0"));
            }
            self.app.export_diagram(DiagramExport {
                format,
                dark,
                scale,
            });
            Ok(())
        }

        fn compare_with_file(&mut self) -> Result<(), String> {
            self.app.request_compare_file();
            Ok(())
        }

        fn comparison_state(&self) -> Result<serde_json::Value, String> {
            use asl_studio::render::DiffMark;
            let marks = self.app.comparison_marks();
            let states: serde_json::Map<String, serde_json::Value> = marks
                .iter()
                .flat_map(|marks| &marks.states)
                .map(|(id, mark)| {
                    let mark = match mark {
                        DiffMark::Added => "added".to_owned(),
                        DiffMark::Changed => "changed".to_owned(),
                        DiffMark::Renamed(old) => format!("renamed from {old}"),
                    };
                    (id.name.clone(), mark.into())
                })
                .collect();
            Ok(serde_json::json!({
                "pending": self.app.is_compare_pending(),
                "comparing": self.app.is_comparing(),
                "status": self.app.status(),
                "states": states,
                "edges": marks.as_ref().map_or(0, |m| m.edges.len()),
                "removed": marks.as_ref().map(|m| m.removed.clone()).unwrap_or_default(),
            }))
        }

        fn simulator_set_input(&mut self, text: &str) -> Result<(), String> {
            self.app.simulator_mut().set_input_text(text);
            Ok(())
        }

        fn is_laying_out(&self) -> bool {
            self.app.is_opening() || self.app.canvas().is_laying_out()
        }

        fn document_version(&self) -> Option<(u64, u64)> {
            Some(self.app.document_version())
        }

        fn designer_state(&self) -> Result<serde_json::Value, String> {
            use graph_model::Severity;
            let count = |severity: Severity| {
                self.app
                    .diagnostics()
                    .iter()
                    .filter(|d| d.severity == severity)
                    .count()
            };
            Ok(serde_json::json!({
                "states": self.app.document().root().total_states(),
                "opening": self.app.is_opening(),
                "problems": {
                    "errors": count(Severity::Error),
                    "warnings": count(Severity::Warning),
                    "infos": count(Severity::Info),
                },
                "codeText": self.app.code_text(),
            }))
        }

        fn set_spread_opening(&mut self, spread: bool) {
            self.app.set_spread_opening(spread);
        }

        fn autosave_text(&self) -> String {
            match self.app.json_text_at_hand() {
                Some(text) => text.to_owned(),
                None => self.current_asl(),
            }
        }

        fn tests_generate(&mut self) -> Result<(), String> {
            self.app.generate_tests();
            Ok(())
        }

        fn tests_state(&self) -> Result<serde_json::Value, String> {
            let tests = self.app.tests();
            let verdicts = tests.verdicts();
            Ok(serde_json::json!({
                "busy": tests.is_busy(),
                "generating": tests.generation_progress().map(|progress| serde_json::json!({
                    "cases": progress.cases,
                    "targetsLeft": progress.targets_left,
                    "rounds": progress.rounds,
                })),
                "generated": tests.generated().map(|generated| serde_json::json!({
                    "cases": generated.cases,
                    "gaps": generated.gaps.len(),
                })),
                "passed": verdicts.iter().filter(|case| case.passed()).count(),
                "failed": verdicts.iter().filter(|case| !case.passed()).count(),
                "message": tests.message(),
            }))
        }
    }

    /// The designer, set up for the browser.
    pub fn create(cc: &eframe::CreationContext<'_>, start: StartWith) -> Box<dyn Studio> {
        let source = match start {
            StartWith::Sample => StartSource::Sample,
            StartWith::Text { name, text } => StartSource::Text { name, text },
        };
        // The simulator pane's mock files and history exports go through the browser too.
        asl_studio::files::set_text_exchange(Box::new(BrowserTextExchange));
        let files = Rc::new(BrowserFiles::default());
        let app = StudioApp::with_platform(
            Some(cc),
            source,
            Box::new(SharedFiles(Rc::clone(&files))),
            Box::new(BrowserDialogs),
        );
        Box::new(Designer { app, files })
    }
}

#[cfg(feature = "studio")]
pub use designer::create;

#[cfg(not(feature = "studio"))]
pub use crate::preview::create;
