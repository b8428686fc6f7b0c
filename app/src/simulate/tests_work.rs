//! The Tests panel's long work, off the frame: Run all and Generate tests take seconds on a big
//! machine (generating for 1,000 states about 9 s), and a window that waits on them freezes.
//!
//! Natively the work runs on a worker thread, as the canvas lays out a big document: a named
//! thread, a channel the panel reads each frame, and a stop flag the worker reads between two
//! cases or two generation steps, so Cancel ends the thread. The browser has no threads: there
//! Run all runs one case per frame, and generation runs steps of `simulator::generate::Generation`
//! (each at most a slice of one run of the definition or one solve) until the frame's time budget is
//! spent. The cases, verdicts and coverage are those of `simulator::suite::run_suite`, and the
//! generated suite that of `simulator::generate::generate`, either way.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};

use graph_model::StateMachine;
use serde_json::Value;
use simulator::coverage::{Coverage, CoverageReport};
use simulator::generate::{Generated, Generation, Progress, Step};
use simulator::suite::{Suite, TestCase};
use simulator::{Options, Status};

use super::history_json;
use crate::canvas::SliceBudget;
use crate::canvas::budget::WorkBudget;
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
    /// Where the generation stands after a step.
    Generating(Progress),
    Done(Done),
}

/// Where the work happens.
enum Place {
    /// On a worker thread; the flag asks it to stop after the case or generation step it is
    /// running.
    Worker {
        receiver: Receiver<Message>,
        stop: Arc<AtomicBool>,
    },
    /// On the frames: one case per frame (the browser).
    Frames(Box<SuiteRunner>),
    /// Generation on the frames: each frame steps it until `budget` is spent (the browser).
    GenerateOnFrames {
        generation: Box<Generation<'static>>,
        budget: SliceBudget,
    },
    /// A result known when the work started (a definition the generator refuses), handed back
    /// on the next poll.
    Ready(Done),
    /// Over: nothing left to hand back.
    Over,
}

/// Work under way. Dropping it cancels it: a worker stops after its current case or generation
/// step, and its thread ends.
pub(super) struct Work {
    place: Place,
    finished: usize,
    total: usize,
    /// Where the generation under way stands (`None` before its first step, and for Run all).
    generating: Option<Progress>,
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
            generating: None,
        })
    }

    /// Generates a covering suite for `definition`: on a worker thread when `threaded`, else a
    /// few steps per [`Self::poll`], as many as fit in `frame_budget`.
    ///
    /// # Errors
    /// No thread could be started.
    pub fn generate(
        definition: Value,
        machine: String,
        options: Options,
        threaded: bool,
        frame_budget: SliceBudget,
    ) -> Result<Self, String> {
        let place = if threaded {
            spawn(move |sender, stop| {
                let generated = match Generation::new(&definition, &machine, &options) {
                    Ok(generation) => generate_until_stopped(generation, &sender, &stop),
                    Err(error) => Some(Err(cannot_generate(&error))),
                };
                if let Some(generated) = generated {
                    let _ignored = sender.send(Message::Done(Done::Generated(generated)));
                }
            })?
        } else {
            match Generation::owning(definition, &machine, &options) {
                Ok(generation) => Place::GenerateOnFrames {
                    generation: Box::new(generation),
                    budget: frame_budget,
                },
                Err(error) => Place::Ready(Done::Generated(Err(cannot_generate(&error)))),
            }
        };
        Ok(Self {
            place,
            finished: 0,
            total: 0,
            generating: None,
        })
    }

    /// (cases run, cases in all); (0, 0) while generating.
    pub fn progress(&self) -> (usize, usize) {
        (self.finished, self.total)
    }

    /// Where the generation under way stands, once its first step is done.
    pub fn generation(&self) -> Option<Progress> {
        self.generating
    }

    /// Asks a worker to stop after the case or generation step it is running; its thread then
    /// ends without a result. Work on the frames simply is not polled again.
    pub fn cancel(&self) {
        if let Place::Worker { stop, .. } = &self.place {
            stop.store(true, Ordering::Relaxed);
        }
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
                    Ok(Message::Generating(progress)) => self.generating = Some(progress),
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
            Place::GenerateOnFrames { generation, budget } => {
                let mut budget = match *budget {
                    SliceBudget::Time(time) => WorkBudget::time(time),
                    SliceBudget::Units(units) => WorkBudget::units(units),
                };
                // At least one step a frame, then as many as the budget allows (a step is one
                // unit, and the clock is read after each: a step can take many milliseconds).
                loop {
                    match generation.step() {
                        Step::Working(progress) => self.generating = Some(progress),
                        Step::Done(progress) => {
                            self.generating = Some(progress);
                            break;
                        }
                    }
                    if !(budget.spend(1) && budget.checkpoint()) {
                        return None;
                    }
                }
                match std::mem::replace(&mut self.place, Place::Over) {
                    Place::GenerateOnFrames { generation, .. } => {
                        Some(Ok(Done::Generated(Ok(Box::new(generation.finish())))))
                    }
                    _ => None,
                }
            }
            Place::Ready(_) => match std::mem::replace(&mut self.place, Place::Over) {
                Place::Ready(done) => Some(Ok(done)),
                _ => None,
            },
            Place::Over => None,
        }
    }
}

impl Drop for Work {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// Steps `generation` to its end on the worker, telling the panel where it stands after each
/// step; `None` when `stop` was raised or the panel is gone (nobody wants the suite then).
fn generate_until_stopped(
    mut generation: Generation<'_>,
    sender: &std::sync::mpsc::Sender<Message>,
    stop: &AtomicBool,
) -> Option<Result<Box<Generated>, String>> {
    loop {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        match generation.step() {
            Step::Working(progress) => sender.send(Message::Generating(progress)).ok()?,
            Step::Done(_) => return Some(Ok(Box::new(generation.finish()))),
        }
    }
}

fn cannot_generate(error: &simulator::DefinitionError) -> String {
    format!("Cannot generate tests: {error}")
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use serde_json::json;

    use super::*;

    /// A chain of `count` Choice states, each with three rules on a field of its own: a
    /// generation of many short steps (each tries one rule).
    fn many_choices(count: usize) -> Value {
        let mut states = serde_json::Map::new();
        for position in 0..count {
            let next = if position + 1 == count {
                "Done".to_owned()
            } else {
                format!("Check{}", position + 1)
            };
            let field = format!("$.value{position}");
            states.insert(
                format!("Check{position}"),
                json!({"Type": "Choice", "Choices": [
                    {"Variable": field, "NumericGreaterThan": 10, "Next": next},
                    {"Variable": field, "StringEquals": "ten", "Next": next},
                    {"Variable": field, "BooleanEquals": true, "Next": next}
                ], "Default": next}),
            );
        }
        states.insert("Done".to_owned(), json!({"Type": "Succeed"}));
        json!({"StartAt": "Check0", "States": states})
    }

    /// Polls `work` until `ready` holds of its generation's progress, or a minute passes.
    fn wait_for(work: &mut Work, ready: impl Fn(Progress) -> bool) -> Result<Progress, String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if work.poll().is_some() {
                return Err("the generation ended before it was cancelled".to_owned());
            }
            if let Some(progress) = work.generation().filter(|progress| ready(*progress)) {
                return Ok(progress);
            }
            if Instant::now() > deadline {
                return Err(format!("no progress: {:?}", work.generation()));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn cancel_ends_the_generation_worker_after_its_current_step() -> Result<(), String> {
        let mut work = Work::generate(
            many_choices(40),
            "M".to_owned(),
            Options::default(),
            true,
            SliceBudget::Units(1),
        )?;
        let at_cancel = wait_for(&mut work, |progress| progress.cases >= 3)?;
        assert!(
            at_cancel.targets_left > 50,
            "most of the work is left: {at_cancel:?}"
        );
        work.cancel();
        let cancelled = Instant::now();
        // The worker's channel closes when its thread ends; a generation that ran on would
        // hand back its suite instead.
        loop {
            match work.poll() {
                Some(Err(_)) => break,
                Some(Ok(_)) => return Err("the cancelled generation ran to its end".to_owned()),
                None if cancelled.elapsed() > Duration::from_secs(5) => {
                    return Err(format!(
                        "the worker still runs 5 s after Cancel: {:?}",
                        work.generation()
                    ));
                }
                None => std::thread::sleep(Duration::from_millis(1)),
            }
        }
        let last = work.generation().map_or(0, |progress| progress.cases);
        assert!(
            last <= at_cancel.cases + 2,
            "at most the step under way finished after Cancel: {at_cancel:?}, then {last} cases"
        );
        Ok(())
    }

    #[test]
    fn generation_on_the_frames_takes_one_step_a_frame_on_a_one_unit_budget() -> Result<(), String>
    {
        let definition = many_choices(3);
        let direct = simulator::generate::generate(&definition, "M", &Options::default())
            .map_err(|error| error.to_string())?;
        let mut work = Work::generate(
            definition,
            "M".to_owned(),
            Options::default(),
            false,
            SliceBudget::Units(1),
        )?;
        let mut frames = 0;
        let mut seen = Vec::new();
        let generated = loop {
            frames += 1;
            if let Some(done) = work.poll() {
                break done;
            }
            let progress = work.generation().ok_or("a step a frame")?;
            // One run a frame: the first case's runs (each filling in a value a Choice reads)
            // come before any round over the rules.
            if seen.last() != Some(&progress) {
                seen.push(progress);
            }
            if frames > 1_000 {
                return Err("the frames never end the generation".to_owned());
            }
        };
        let Ok(Done::Generated(Ok(generated))) = generated else {
            return Err("no suite".to_owned());
        };
        assert_eq!(generated.config.to_value(), direct.config.to_value());
        let first = seen
            .iter()
            .find(|progress| progress.cases > 0)
            .ok_or("no first case")?;
        assert_eq!((first.cases, first.rounds), (1, 0), "the first case");
        // The first case's runs, then at least a run per rule tried (some are covered on the
        // way).
        assert!(frames > 9, "{frames} frames");
        Ok(())
    }
}
