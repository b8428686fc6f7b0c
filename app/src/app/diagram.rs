//! File > Export diagram and File > Compare with file…: the pictures `asl-studio render` and
//! `asl-studio diff --format svg` make, from the designer (the browser downloads them).

use super::*;
use crate::render::{DiffMarks, Marks, RenderOptions, Scene};

/// A picture format the designer exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagramFormat {
    /// SVG, text kept as text.
    Svg,
    /// PNG at the chosen scale (resvg natively, the browser's canvas on the web).
    Png,
    /// A Mermaid flowchart.
    Mermaid,
}

impl DiagramFormat {
    fn extension(self) -> &'static str {
        match self {
            Self::Svg => "svg",
            Self::Png => "png",
            Self::Mermaid => "mmd",
        }
    }
}

/// One picture the user asked for in File > Export diagram: the CLI's `--to`, `--theme` and
/// `--scale`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiagramExport {
    /// The format.
    pub format: DiagramFormat,
    /// The dark palette instead of the light one.
    pub dark: bool,
    /// PNG pixels per canvas unit (ignored by SVG and Mermaid).
    pub scale: f32,
}

/// The theme and scale chosen in the Export diagram menu, kept in egui's memory for the session
/// (`None`: follow the window's theme).
#[derive(Clone, Copy, Debug, PartialEq)]
struct DiagramChoices {
    dark: Option<bool>,
    scale: f32,
}

impl Default for DiagramChoices {
    fn default() -> Self {
        // 2 pixels a unit: sharp on high-density screens and in documents.
        Self {
            dark: None,
            scale: 2.0,
        }
    }
}

/// The PNG scales the menu offers, as the CLI's `--scale` (a finer value is the CLI's job).
const PNG_SCALE_RANGE: std::ops::RangeInclusive<f32> = 0.5..=8.0;

/// The Export diagram submenu: theme and PNG scale, then one button per format. Clicks on the
/// choices keep the menu open; a format button closes it and returns the export.
pub(super) fn export_diagram_menu(ui: &mut egui::Ui) -> Option<DiagramExport> {
    use egui::containers::menu::{MenuConfig, SubMenuButton};
    let config = MenuConfig::new().close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside);
    SubMenuButton::new("Export diagram")
        .config(config)
        .ui(ui, |ui| {
            let id = egui::Id::unique("asl-studio-export-diagram-choices");
            let mut choices: DiagramChoices = ui.data(|d| d.get_temp(id)).unwrap_or_default();
            let mut dark = choices.dark.unwrap_or(ui.visuals().dark_mode);
            ui.horizontal(|ui| {
                ui.label("Theme");
                ui.radio_value(&mut dark, false, "Light");
                ui.radio_value(&mut dark, true, "Dark");
            });
            if choices.dark.is_some() || dark != ui.visuals().dark_mode {
                choices.dark = Some(dark);
            }
            ui.horizontal(|ui| {
                let label = ui.label("PNG scale");
                ui.add(
                    egui::DragValue::new(&mut choices.scale)
                        .range(PNG_SCALE_RANGE)
                        .speed(0.05)
                        .suffix("×"),
                )
                .labelled_by(label.id);
            });
            ui.data_mut(|d| d.insert_temp(id, choices));
            ui.separator();
            let mut chosen = None;
            for (format, label) in [
                (DiagramFormat::Svg, "SVG…"),
                (DiagramFormat::Png, "PNG…"),
                (DiagramFormat::Mermaid, "Mermaid…"),
            ] {
                if ui.button(label).clicked() {
                    chosen = Some(DiagramExport {
                        format,
                        dark,
                        scale: choices.scale,
                    });
                    ui.close();
                }
            }
            chosen
        })
        .1
        .and_then(|shown| shown.inner)
}

/// The version the canvas is compared with.
#[derive(Debug)]
pub(super) struct Comparing {
    /// The file's name, for the status line.
    pub name: String,
    /// Its machine.
    pub old: StateMachine,
}

impl StudioApp {
    /// Writes the picture of the document (with the comparison's marks, when one is shown) in
    /// the chosen theme, through the platform's save dialog or a browser download.
    pub fn export_diagram(&mut self, export: DiagramExport) {
        let root = self.doc.root();
        let scene = Scene::new(root);
        let marks = Marks {
            run: None,
            diff: self.diff_marks(),
        };
        let options = RenderOptions {
            dark: export.dark,
            scale: export.scale,
        };
        let stem = self
            .file
            .name
            .split('.')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("state-machine");
        let name = format!("{stem}.{}", export.format.extension());
        let saved = match export.format {
            DiagramFormat::Svg => {
                crate::files::save_text(&name, &crate::render::to_svg(&scene, &marks, &options))
            }
            DiagramFormat::Mermaid => {
                crate::files::save_text(&name, &crate::render::to_mermaid(&scene, &marks, &options))
            }
            DiagramFormat::Png => crate::files::save_png(
                &name,
                &crate::render::to_svg(&scene, &marks, &options),
                export.scale,
            ),
        };
        match saved {
            Ok(outcome) => self.status = Some(outcome.message()),
            Err(error) => self.modal = Some(Modal::Error(error)),
        }
    }

    /// Asks for another version of the definition and marks what changed on the canvas: added
    /// states green, changed and renamed ones orange, new or rewired transitions green, and what
    /// is gone in the status line. Natively the dialog answers at once; the browser's picker
    /// answers on a later frame (see [`Self::request_compare_file`]).
    pub(super) fn compare_with_file(&mut self) {
        if cfg!(target_arch = "wasm32") {
            self.request_compare_file();
            return;
        }
        let Some(path) = self.dialogs.pick_open() else {
            return;
        };
        match self.store.read_text(&path) {
            Ok(text) => self.compare_with_text(&path.display().to_string(), &text),
            Err(error) => {
                self.modal = Some(Modal::Error(format!(
                    "Cannot read {}: {error}",
                    path.display()
                )));
            }
        }
    }

    /// Asks the platform's [`crate::files::TextExchange`] for the file to compare with; the
    /// comparison starts when the file arrives ([`Self::poll_compare_file`], every frame).
    /// Until then the status line says the designer is waiting.
    pub fn request_compare_file(&mut self) {
        self.compare_pending = true;
        self.status = Some("Choose the file to compare with…".to_owned());
        crate::files::request_open_text(
            crate::files::TextPurpose::CompareFile,
            &["json", "yaml", "yml", "template"],
        );
    }

    /// Starts the comparison when the requested file has arrived (called every frame; cheap).
    pub fn poll_compare_file(&mut self) {
        let Some(answer) = crate::files::take_opened_text(crate::files::TextPurpose::CompareFile)
        else {
            return;
        };
        self.compare_pending = false;
        match answer {
            Ok(file) => self.compare_with_text(&file.name, &file.text),
            Err(error) => self.modal = Some(Modal::Error(error)),
        }
    }

    /// Whether a file to compare with was asked for and has not arrived yet.
    #[must_use]
    pub fn is_compare_pending(&self) -> bool {
        self.compare_pending
    }

    /// The marks the canvas shows for the comparison (`None` when none is shown), as
    /// `asl-studio diff --format svg` draws them.
    #[must_use]
    pub fn comparison_marks(&self) -> Option<DiffMarks> {
        self.diff_marks()
    }

    /// Compares the document with a definition's text (the other version): see
    /// [`Self::compare_with_file`].
    pub fn compare_with_text(&mut self, name: &str, text: &str) {
        let format = asl_codec::Format::from_path(Path::new(name))
            .unwrap_or_else(|| asl_codec::Format::sniff(text));
        let loaded = asl_codec::load::load_text(text, format, None);
        let machine = match loaded {
            Ok(asl_codec::Loaded::Asl(source)) => {
                StateMachine::from_value(source.value()).map_err(|error| format!("{name}: {error}"))
            }
            Ok(asl_codec::Loaded::Template { machines, .. }) => match machines.into_iter().next() {
                Some(machine) => StateMachine::from_value(&machine.definition)
                    .map_err(|error| format!("{name}: {error}")),
                None => Err(format!("{name}: the template holds no state machine")),
            },
            Err(error) => Err(format!("{name}: {error}")),
        };
        match machine {
            Ok(old) => {
                self.comparing = Some(Comparing {
                    name: name.to_owned(),
                    old,
                });
                self.status = Some(self.comparison_summary());
            }
            Err(message) => self.modal = Some(Modal::Error(message)),
        }
    }

    /// Stops showing the comparison.
    pub(super) fn stop_comparing(&mut self) {
        self.comparing = None;
        self.compare_pending = false;
        self.status = Some("Comparison closed".to_owned());
    }

    /// Whether a comparison is shown on the canvas.
    #[must_use]
    pub fn is_comparing(&self) -> bool {
        self.comparing.is_some()
    }

    /// The marks of the comparison against the document as it is now (edits update them).
    pub(super) fn diff_marks(&self) -> Option<DiffMarks> {
        let comparing = self.comparing.as_ref()?;
        let comparison = graph_model::compare::compare(&comparing.old, self.doc.root());
        Some(crate::render::diff_marks(&comparison, self.doc.root()))
    }

    fn comparison_summary(&self) -> String {
        let Some(comparing) = &self.comparing else {
            return String::new();
        };
        let comparison = graph_model::compare::compare(&comparing.old, self.doc.root());
        if comparison.is_equal() {
            return format!("Same machine as {}", comparing.name);
        }
        let marks = crate::render::diff_marks(&comparison, self.doc.root());
        let mut summary = format!(
            "Compared with {}: {} change(s)",
            comparing.name,
            comparison.changes.len()
        );
        if !marks.removed.is_empty() {
            summary.push_str(&format!("; gone: {}", marks.removed.join(", ")));
        }
        summary
    }
}
