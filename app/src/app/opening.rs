//! Opening a document over several frames (the browser).
//!
//! The browser has one thread, so a frame that opens a big document does nothing else until it
//! is done: for 1,500 states, reading the text, making the model, checking it and laying it out
//! took 100-200 ms in one go. There the document is made at once (the page's `loadDefinition`
//! must say at once whether the text can be read, and everything after it sees the new
//! document), and the rest is left to the frames after it, a few milliseconds a frame: checking
//! the document, then working out what its problems show (the Problems panel and the canvas's
//! marks), then the canvas's layout, which is made a slice per frame. Until then the canvas
//! shows what step it is at. What the user sees at the end is what opening at once shows. Small
//! documents (see `SPREAD_OPENING_STATES`) are opened at once.
//!
//! The code view's index of its text (where each part is) is not a step: it cost one frame of
//! 17-35 ms for 1,500 states in the browser, and the code view works it out itself when it is
//! first shown or the document is first edited (both of which cost more than a frame for such a
//! document anyway).

use graph_model::{Diagnostic, Validation};
use web_time::{Duration, Instant};

use super::StudioApp;
use super::editing::ShownDiagnostics;

/// How long one frame may check the document or work out what its problems show: with the
/// frame's drawing, well within 16 ms.
const STEP_TIME: Duration = Duration::from_millis(6);

/// States checked between two looks at the clock (a few hundred microseconds in the browser).
const STATES_PER_LOOK: usize = 25;

/// Diagnostics worked out (quick fix, the state marked) between two looks at the clock.
const DIAGNOSTICS_PER_LOOK: usize = 50;

/// What is left of opening a document, in the order it is done.
#[derive(Clone, Debug)]
pub(super) enum OpeningStep {
    /// Check the document, some states a frame.
    Validate {
        /// The document revision being checked (an edit starts the check again).
        revision: u64,
        /// How far it is.
        validation: Box<Validation>,
    },
    /// Show the diagnostics found at this revision: work out their quick fixes and the states
    /// the canvas marks, some a frame; the Problems panel and the canvas show them all at once
    /// when that is done.
    ShowProblems {
        /// The document revision they were found at.
        revision: u64,
        /// What checking found.
        diagnostics: Vec<Diagnostic>,
        /// What is worked out so far.
        shown: Box<ShownDiagnostics>,
    },
    /// Let the canvas start laying out (in a frame of its own, not after another step).
    Layout,
}

impl OpeningStep {
    /// Whether the document's problems are still being worked out (no other frame work
    /// should check the document meanwhile).
    pub(super) fn is_checking(&self) -> bool {
        matches!(self, Self::Validate { .. } | Self::ShowProblems { .. })
    }

    /// What the canvas says while this step is next.
    fn note(&self) -> &'static str {
        match self {
            Self::Validate { .. } | Self::ShowProblems { .. } => "checking the definition",
            Self::Layout => "laying out",
        }
    }
}

impl StudioApp {
    /// Leaves checking the new document to the next frames.
    pub(super) fn start_opening_steps(&mut self) {
        // The previous document's problems are not this one's.
        self.diagnostics.clear();
        self.fixes.clear();
        self.diagnostic_states = (None, Vec::new());
        self.diagnostics_revision = None;
        self.opening = Some(OpeningStep::Validate {
            revision: self.doc.revision(),
            validation: Box::default(),
        });
        self.show_opening_note();
    }

    /// Does the next step of opening the document (one a frame); the canvas lays out once all
    /// are done.
    pub(super) fn advance_opening(&mut self) {
        let Some(step) = self.opening.take() else {
            return;
        };
        match step {
            OpeningStep::Validate {
                revision,
                mut validation,
            } => {
                if revision != self.doc.revision() {
                    // Edited since: check what is there now, from the start.
                    validation = Box::default();
                }
                let started = Instant::now();
                while !validation.step(self.doc.root(), STATES_PER_LOOK)
                    && started.elapsed() < STEP_TIME
                {}
                self.opening = Some(if validation.is_done() {
                    OpeningStep::ShowProblems {
                        revision: self.doc.revision(),
                        diagnostics: self.as_listed(validation.finish()),
                        shown: Box::default(),
                    }
                } else {
                    OpeningStep::Validate {
                        revision: self.doc.revision(),
                        validation,
                    }
                });
            }
            OpeningStep::ShowProblems {
                revision,
                diagnostics,
                mut shown,
            } => {
                if revision == self.doc.revision() {
                    let started = Instant::now();
                    while shown.done() < diagnostics.len() {
                        shown.work_out(self.doc.root(), &diagnostics, DIAGNOSTICS_PER_LOOK);
                        if started.elapsed() >= STEP_TIME {
                            break;
                        }
                    }
                    if shown.done() < diagnostics.len() {
                        self.opening = Some(OpeningStep::ShowProblems {
                            revision,
                            diagnostics,
                            shown,
                        });
                    } else {
                        self.opening = Some(OpeningStep::Layout);
                        self.show_diagnostics(diagnostics, *shown);
                    }
                } else {
                    // Edited since: check what is there now.
                    self.opening = Some(OpeningStep::Layout);
                    self.refresh_diagnostics();
                }
            }
            OpeningStep::Layout => self.opening = None,
        }
        self.show_opening_note();
    }

    /// Tells the canvas whether to wait with the layout, and why.
    fn show_opening_note(&mut self) {
        let note = self.opening.as_ref().map(|step| {
            format!(
                "Opening {} states: {}…",
                self.doc.root().total_states(),
                step.note()
            )
        });
        self.canvas.set_opening_note(note);
    }

    /// Whether the document is still being opened over several frames (the browser): its
    /// problems are not worked out yet, or its layout is not started.
    #[must_use]
    pub fn is_opening(&self) -> bool {
        self.opening.is_some()
    }

    /// Opens documents over several frames (as the browser does) or at once (natively).
    pub fn set_spread_opening(&mut self, spread: bool) {
        self.spread_opening = spread;
    }
}
