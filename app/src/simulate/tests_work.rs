//! The Tests panel's long work, off the frame: Run all and Generate tests take seconds on a big
//! machine (generating for 1,000 states about 9 s), and a window that waits on them freezes.
//!
//! Natively the work runs on a worker thread, as the canvas lays out a big document: a named
//! thread, a channel the panel reads each frame, and a result nobody waits for once the work is
//! cancelled. The browser has no threads: there Run all runs one case per frame, and generation,
//! one call into the simulator that cannot be split, runs on the frame after the click (which
//! said it was under way). The cases, verdicts and coverage are those of
//! `simulator::suite::run_suite` either way: the same cases run in the same order.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};

use graph_model::StateMachine;
use serde_json::Value;
use simulator::coverage::{Coverage, CoverageReport};
use simulator::generate::Generated;
use simulator::suite::{Suite, TestCase};
use simulator::{Options, Status};

use super::history_json;
use crate::overlay::RunOverlay;

/// One case's run, as the panel shows it.
#[derive(Clone, Debug)]
pub(super) struct CaseRan {
    pub name: String,
    pub status: Status,
    pub failures: Vec<String>,
    pub path: Vec<String>,
    /// The states it entered and the transitions it took.
    pub reached: RunOverlay,
}

/// A suite's cases run one at a time, its coverage gathered as they go: what the worker loops
/// over, and what the browser advances once per frame.
pub(super) struct SuiteRunner {
    definition: Value,
    /// The machine the history is mapped onto (the document as it was when the run started).
    root: StateMachine,
    cases: Vec<TestCase>,
    options: Options,
    coverage: Coverage,
    ran: Vec<CaseRan>,
}

impl SuiteRunner {
    /// Prepares every case of `suite` on `definition` (the ASL of `root`, placeholders
    /// substituted).
    ///
    /// # Errors
    /// The simulator cannot compile the definition.
    pub fn new(
        definition: Value,
        root: StateMachine,
        suite: Suite,
        options: Options,
    ) -> Result<Self, String> {
        let coverage =
            Coverage::new(&definition).map_err(|error| format!("the definition: {error}"))?;
        Ok(Self {
            definition,
            root,
            cases: suite.cases,
            options,
            coverage,
            ran: Vec::new(),
        })
    }

    /// How many cases the suite has.
    pub fn total(&self) -> usize {
        self.cases.len()
    }

    /// How many have run.
    pub fn finished(&self) -> usize {
        self.ran.len()
    }

    /// Runs the next case, if any is left.
    pub fn step(&mut self) {
        let Some(case) = self.cases.get(self.ran.len()) else {
            return;
        };
        let outcome = simulator::suite::run_case(&self.definition, case, &self.options);
        self.coverage.record(&outcome.result);
        let reached =
            crate::render::overlay_from_history(&self.root, &history_json(&outcome.result))
                .unwrap_or_default();
        self.ran.push(CaseRan {
            name: outcome.name,
            status: outcome.result.status,
            failures: outcome.failures,
            path: outcome.path,
            reached,
        });
    }

    /// Whether every case has run.
    pub fn is_done(&self) -> bool {
        self.ran.len() >= self.cases.len()
    }

    /// The cases' runs, in the suite's order, and the suite's coverage.
    pub fn finish(self) -> (Vec<CaseRan>, Box<CoverageReport>) {
        (self.ran, Box::new(self.coverage.report()))
    }
}

/// What finished work hands back.
pub(super) enum Done {
    /// Run all's cases and coverage.
    Ran(Vec<CaseRan>, Box<CoverageReport>),
    /// A generated suite, or why there is none.
    Generated(Result<Box<Generated>, String>),
}

/// What the worker sends.
enum Message {
    /// This many cases have run.
    Progress(usize),
    Done(Done),
}

/// Where the work happens.
enum Place {
    /// On a worker thread; the flag asks it to stop after the case it is running.
    Worker {
        receiver: Receiver<Message>,
        stop: Arc<AtomicBool>,
    },
    /// On the frames: one case per frame (the browser).
    Frames(Box<SuiteRunner>),
    /// Generation on the frame after the one that said it was under way (the browser).
    GenerateHere {
        definition: Value,
        machine: String,
        options: Box<Options>,
    },
    /// Over: nothing left to hand back.
    Over,
}

/// Work under way. Dropping it cancels it: a worker stops after its current case (a generation
/// runs to its end unseen; the simulator's generator cannot be interrupted).
pub(super) struct Work {
    place: Place,
    finished: usize,
    total: usize,
}

impl Work {
    /// Runs `runner`'s cases: on a worker thread when `threaded`, else one per [`Self::poll`].
    ///
    /// # Errors
    /// No thread could be started.
    pub fn run_all(runner: SuiteRunner, threaded: bool) -> Result<Self, String> {
        let total = runner.total();
        let place = if threaded {
            spawn(move |sender, stop| {
                let mut runner = runner;
                while !runner.is_done() {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    runner.step();
                    if sender.send(Message::Progress(runner.finished())).is_err() {
                        return;
                    }
                }
                let (cases, report) = runner.finish();
                // The panel may have cancelled meanwhile; then nobody needs the result.
                let _ignored = sender.send(Message::Done(Done::Ran(cases, report)));
            })?
        } else {
            Place::Frames(Box::new(runner))
        };
        Ok(Self {
            place,
            finished: 0,
            total,
        })
    }

    /// Generates a covering suite for `definition`: on a worker thread when `threaded`, else on
    /// the next [`Self::poll`].
    ///
    /// # Errors
    /// No thread could be started.
    pub fn generate(
        definition: Value,
        machine: String,
        options: Options,
        threaded: bool,
    ) -> Result<Self, String> {
        let place = if threaded {
            spawn(move |sender, _stop| {
                let generated = generate(&definition, &machine, &options);
                let _ignored = sender.send(Message::Done(Done::Generated(generated)));
            })?
        } else {
            Place::GenerateHere {
                definition,
                machine,
                options: Box::new(options),
            }
        };
        Ok(Self {
            place,
            finished: 0,
            total: 0,
        })
    }

    /// (cases run, cases in all); (0, 0) while generating.
    pub fn progress(&self) -> (usize, usize) {
        (self.finished, self.total)
    }

    /// Whether the frames do the work (the browser): the window must keep drawing frames.
    pub fn on_frames(&self) -> bool {
        !matches!(self.place, Place::Worker { .. })
    }

    /// Takes what the worker sent, or does one frame's share of the work; the result once the
    /// work is over.
    pub fn poll(&mut self) -> Option<Result<Done, String>> {
        match &mut self.place {
            Place::Worker { receiver, .. } => loop {
                match receiver.try_recv() {
                    Ok(Message::Progress(finished)) => self.finished = finished,
                    Ok(Message::Done(done)) => {
                        self.finished = self.total;
                        self.place = Place::Over;
                        return Some(Ok(done));
                    }
                    Err(TryRecvError::Empty) => return None,
                    Err(TryRecvError::Disconnected) => {
                        self.place = Place::Over;
                        return Some(Err(
                            "The worker stopped without a result (see the log).".to_owned()
                        ));
                    }
                }
            },
            Place::Frames(runner) => {
                runner.step();
                self.finished = runner.finished();
                if !runner.is_done() {
                    return None;
                }
                match std::mem::replace(&mut self.place, Place::Over) {
                    Place::Frames(runner) => {
                        let (cases, report) = runner.finish();
                        Some(Ok(Done::Ran(cases, report)))
                    }
                    _ => None,
                }
            }
            Place::GenerateHere { .. } => match std::mem::replace(&mut self.place, Place::Over) {
                Place::GenerateHere {
                    definition,
                    machine,
                    options,
                } => Some(Ok(Done::Generated(generate(
                    &definition,
                    &machine,
                    &options,
                )))),
                _ => None,
            },
            Place::Over => None,
        }
    }
}

impl Drop for Work {
    fn drop(&mut self) {
        if let Place::Worker { stop, .. } = &self.place {
            stop.store(true, Ordering::Relaxed);
        }
    }
}

fn generate(
    definition: &Value,
    machine: &str,
    options: &Options,
) -> Result<Box<Generated>, String> {
    simulator::generate::generate(definition, machine, options)
        .map(Box::new)
        .map_err(|error| format!("Cannot generate tests: {error}"))
}

/// Starts `work` on a worker thread with the sending end of its channel and its stop flag.
fn spawn(
    work: impl FnOnce(std::sync::mpsc::Sender<Message>, Arc<AtomicBool>) + Send + 'static,
) -> Result<Place, String> {
    let stop = Arc::new(AtomicBool::new(false));
    let (sender, receiver) = std::sync::mpsc::channel();
    let flag = Arc::clone(&stop);
    std::thread::Builder::new()
        .name("asl-studio-tests".to_owned())
        .spawn(move || work(sender, flag))
        .map_err(|error| format!("Cannot start a worker thread: {error}"))?;
    Ok(Place::Worker { receiver, stop })
}
