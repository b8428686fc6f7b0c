//! File > Export diagram and File > Compare with file…: the pictures `asl-studio render` and
//! `asl-studio diff --format svg` make, from the designer (the browser downloads them).

use super::*;
use crate::render::{DiffMarks, Marks, RenderOptions, Scene};

/// A picture format the designer exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagramFormat {
    /// SVG, text kept as text.
    Svg,
    /// A Mermaid flowchart.
    Mermaid,
}

impl DiagramFormat {
    fn extension(self) -> &'static str {
        match self {
            Self::Svg => "svg",
            Self::Mermaid => "mmd",
        }
    }
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
    /// Writes the picture of the document (with the comparison's marks, when one is shown) in the
    /// current theme, through the platform's save dialog or a browser download.
    pub(super) fn export_diagram(&mut self, format: DiagramFormat, dark: bool) {
        let root = self.doc.root();
        let scene = Scene::new(root);
        let marks = Marks {
            run: None,
            diff: self.diff_marks(),
        };
        let options = RenderOptions { dark, scale: 1.0 };
        let text = match format {
            DiagramFormat::Svg => crate::render::to_svg(&scene, &marks, &options),
            DiagramFormat::Mermaid => crate::render::to_mermaid(&scene, &marks, &options),
        };
        let stem = self
            .file
            .name
            .split('.')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("state-machine");
        let name = format!("{stem}.{}", format.extension());
        match crate::files::save_text(&name, &text) {
            Ok(outcome) => self.status = Some(outcome.message()),
            Err(error) => self.modal = Some(Modal::Error(error)),
        }
    }

    /// Asks for another version of the definition and marks what changed on the canvas: added
    /// states green, changed and renamed ones orange, new or rewired transitions green, and what
    /// is gone in the status line.
    pub(super) fn compare_with_file(&mut self) {
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
