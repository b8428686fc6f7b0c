//! One run of the simulator inside the window: the execution advanced in time-boxed slices (the
//! browser has no threads, and a frame must stay short), then its history indexed in slices, then a
//! cursor that moves through the recorded events.
//!
//! Runs are deterministic (virtual clock, seeded randomness, fixed mocks), so "pause at the next
//! state" and "move back in time" are both positions of the cursor in the one recorded run:
//! Step, Continue and Run to here never re-execute anything.

use std::collections::BTreeSet;
use std::time::Duration;

use graph_model::StateMachine;
use serde_json::Value;
use simulator::{Execution, ExecutionResult, Options, StepOutcome};
use web_time::Instant;

use super::timeline::{Timeline, TimelineBuilder};

/// Steps (states, or branch/iteration starts and ends) run between two looks at the clock.
const STEP_CHUNK: u64 = 16;
/// Events or trace entries indexed between two looks at the clock.
const INDEX_CHUNK: usize = 256;

/// Where the cursor should go once the run is recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Goal {
    /// The last event.
    End,
    /// The next state entered.
    NextState,
    /// The next entry of one of these states (breakpoints), else the end.
    Breakpoints(BTreeSet<String>),
    /// The next entry of this state, else the end.
    State(String),
}

/// What the session is doing.
pub enum Phase {
    /// The execution is advancing.
    Running(Box<Execution>),
    /// The run has ended; its history is being indexed.
    Indexing(Box<TimelineBuilder>),
    /// Ready for time travel.
    Ready(Box<Timeline>),
    /// Nothing (a transient state while switching phases).
    Empty,
}

/// A run in the pane.
pub struct Session {
    phase: Phase,
    /// The definition the run used, for the index.
    root: StateMachine,
    /// Position in the history (an index into the events), once there is one.
    pub cursor: Option<usize>,
    pending: Option<Goal>,
    /// Steps advanced so far.
    pub steps: u64,
    /// Frames (slices) the run took.
    pub slices: u64,
    /// Wall-clock time spent in slices.
    pub busy: Duration,
    /// What the run was made from (document revision and pane configuration), to tell a stale run.
    pub fingerprint: u64,
    /// A remark for the user about the last goal (e.g. a breakpoint never reached).
    pub note: Option<String>,
}

impl Session {
    /// Prepares a run of `definition` (the ASL of `root`, placeholders substituted) on `input`.
    ///
    /// # Errors
    /// The simulator refuses the definition; the message says where.
    pub fn start(
        definition: &Value,
        root: StateMachine,
        input: Value,
        options: Options,
        fingerprint: u64,
        goal: Goal,
    ) -> Result<Self, String> {
        let execution =
            Execution::new(definition, input, options).map_err(|error| error.to_string())?;
        Ok(Self {
            phase: Phase::Running(Box::new(execution)),
            root,
            cursor: None,
            pending: Some(goal),
            steps: 0,
            slices: 0,
            busy: Duration::ZERO,
            fingerprint,
            note: None,
        })
    }

    /// Whether the run or its indexing is still going.
    #[must_use]
    pub fn is_busy(&self) -> bool {
        !matches!(self.phase, Phase::Ready(_))
    }

    /// Whether the execution itself is still going.
    #[must_use]
    pub fn is_executing(&self) -> bool {
        matches!(self.phase, Phase::Running(_))
    }

    /// Indexing progress (0 to 1) while indexing.
    #[must_use]
    pub fn indexing_progress(&self) -> Option<f32> {
        match &self.phase {
            Phase::Indexing(builder) => Some(builder.progress()),
            _ => None,
        }
    }

    /// The recorded run, once indexed.
    #[must_use]
    pub fn timeline(&self) -> Option<&Timeline> {
        match &self.phase {
            Phase::Ready(timeline) => Some(timeline),
            _ => None,
        }
    }

    /// The run's outcome, once indexed.
    #[must_use]
    pub fn result(&self) -> Option<&ExecutionResult> {
        self.timeline().map(|timeline| &timeline.result)
    }

    /// Advances for at most about `budget` of wall-clock time; returns whether more work remains.
    pub fn advance(&mut self, budget: Duration) -> bool {
        let started = Instant::now();
        let deadline = started + budget;
        loop {
            match std::mem::replace(&mut self.phase, Phase::Empty) {
                Phase::Running(mut execution) => {
                    let outcome = execution.step(STEP_CHUNK);
                    self.steps += STEP_CHUNK;
                    self.phase = if outcome == StepOutcome::Finished {
                        match execution.into_result() {
                            Some(result) => Phase::Indexing(Box::new(TimelineBuilder::new(
                                result,
                                self.root.clone(),
                            ))),
                            None => Phase::Empty,
                        }
                    } else {
                        Phase::Running(execution)
                    };
                }
                Phase::Indexing(mut builder) => {
                    if builder.advance(INDEX_CHUNK) {
                        self.phase = Phase::Ready(Box::new(builder.finish()));
                        // The goal goes with the step that readies the run: a ready session is
                        // never advanced again, so a slice whose time ran out right here would
                        // leave the cursor nowhere (a loaded machine did, now and then).
                        if let Some(goal) = self.pending.take() {
                            self.go(&goal);
                        }
                    } else {
                        self.phase = Phase::Indexing(builder);
                    }
                }
                Phase::Ready(timeline) => {
                    self.phase = Phase::Ready(timeline);
                    if let Some(goal) = self.pending.take() {
                        self.go(&goal);
                    }
                    break;
                }
                Phase::Empty => break,
            }
            if Instant::now() >= deadline {
                break;
            }
        }
        self.slices += 1;
        self.busy += started.elapsed();
        self.is_busy()
    }

    /// Stops the run: it ends ABORTED, and what was recorded stays viewable.
    pub fn stop(&mut self) {
        if let Phase::Running(execution) = &mut self.phase {
            execution.cancel();
        }
    }

    /// Moves the cursor to `goal` now if the run is recorded, else once it is.
    pub fn go(&mut self, goal: &Goal) {
        let Some(timeline) = self.timeline() else {
            self.pending = Some(goal.clone());
            return;
        };
        let last = timeline.events().len().checked_sub(1);
        let cursor = self.cursor;
        let (target, note) = match goal {
            Goal::End => (last, None),
            Goal::NextState => match timeline.next_entered(cursor, |_| true) {
                Some(found) => (Some(found), None),
                None => (last, None),
            },
            Goal::Breakpoints(names) => {
                match timeline.next_entered(cursor, |name| names.contains(name)) {
                    Some(found) => (Some(found), None),
                    None => (
                        last,
                        (!names.is_empty())
                            .then(|| "No breakpoint was hit: the run went to its end.".to_owned()),
                    ),
                }
            }
            Goal::State(name) => match timeline.next_entered(cursor, |entered| entered == name) {
                Some(found) => (Some(found), None),
                None => (
                    last,
                    Some(format!(
                        "'{name}' was not reached after this point: the run went to its end."
                    )),
                ),
            },
        };
        self.cursor = target;
        self.note = note;
    }

    /// Moves the cursor to the previous state entered.
    pub fn step_back(&mut self) {
        if let (Some(timeline), Some(cursor)) = (self.timeline(), self.cursor) {
            self.cursor = Some(timeline.previous_entered(cursor).unwrap_or(0));
            self.note = None;
        }
    }

    /// Puts the cursor on event `position` (clamped to the history).
    pub fn set_cursor(&mut self, position: usize) {
        if let Some(timeline) = self.timeline() {
            self.cursor = timeline
                .events()
                .len()
                .checked_sub(1)
                .map(|last| position.min(last));
            self.note = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn finish(session: &mut Session) {
        while session.advance(Duration::from_millis(50)) {}
    }

    /// A session of `definition` on `{}` with default options, going for `goal`.
    fn start(definition: &Value, goal: Goal) -> Result<Session, String> {
        let root = StateMachine::from_value(definition).map_err(|error| error.to_string())?;
        Session::start(definition, root, json!({}), Options::default(), 1, goal)
    }

    #[test]
    fn runs_in_slices_and_travels_in_time() -> Result<(), String> {
        let definition = json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
                "B": {"Type": "Pass", "Result": 2, "ResultPath": "$.b", "Next": "C"},
                "C": {"Type": "Succeed"}
            }
        });
        let mut session = start(&definition, Goal::State("B".to_owned()))?;
        finish(&mut session);
        let timeline = session.timeline().ok_or("no timeline")?;
        let cursor = session.cursor.ok_or("no cursor")?;
        assert_eq!(timeline.events()[cursor].event_type, "PassStateEntered");
        assert_eq!(
            timeline.event_state(cursor).map(|id| id.name.as_str()),
            Some("B")
        );
        // The state of the event under the cursor.
        let at_cursor = |session: &Session| -> Result<Option<String>, String> {
            let cursor = session.cursor.ok_or("no cursor")?;
            Ok(session
                .timeline()
                .and_then(|t| t.event_state(cursor))
                .map(|id| id.name.clone()))
        };
        session.go(&Goal::NextState);
        assert_eq!(at_cursor(&session)?.as_deref(), Some("C"));
        session.step_back();
        session.step_back();
        assert_eq!(at_cursor(&session)?.as_deref(), Some("A"));
        session.go(&Goal::State("Missing".to_owned()));
        assert!(session.note.is_some());
        Ok(())
    }

    #[test]
    fn the_goal_is_reached_however_short_the_slices() -> Result<(), String> {
        // A zero budget is a machine so loaded that every slice ends after one chunk of work,
        // including the one that finishes indexing.
        let definition = json!({
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Next": "B"},
                "B": {"Type": "Succeed"}
            }
        });
        let mut session = start(&definition, Goal::End)?;
        while session.advance(Duration::ZERO) {}
        let last = session
            .timeline()
            .ok_or("no timeline")?
            .events()
            .len()
            .checked_sub(1);
        assert!(last.is_some());
        assert_eq!(session.cursor, last, "the cursor is on the last event");
        Ok(())
    }

    #[test]
    fn stop_cancels_an_endless_run() -> Result<(), String> {
        // Express runs have no history limit, and a loop without Wait never moves the clock.
        let definition = json!({
            "StartAt": "Loop",
            "States": {"Loop": {"Type": "Pass", "Next": "Loop"}}
        });
        let root = StateMachine::from_value(&definition).map_err(|error| error.to_string())?;
        let options = Options {
            execution_type: simulator::ExecutionType::Express,
            record_history: false,
            ..Options::default()
        };
        let mut session = Session::start(&definition, root, json!({}), options, 1, Goal::End)?;
        assert!(session.advance(Duration::from_millis(5)));
        assert!(session.is_executing());
        session.stop();
        finish(&mut session);
        assert_eq!(
            session.result().map(|result| result.status),
            Some(simulator::Status::Aborted)
        );
        Ok(())
    }
}
