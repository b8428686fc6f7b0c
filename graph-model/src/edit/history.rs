//! The edited document: the machine plus its undo history.

use super::command::Command;
use super::error::{EditError, EditReport};
use super::ops::{Op, Touched};
use super::tx::Tx;
use crate::StateMachine;

/// How many undo steps a document keeps unless told otherwise.
pub const DEFAULT_HISTORY_LIMIT: usize = 1000;

/// One step of the history, as an app lists it ("Rename A to B").
#[derive(Clone, Debug)]
pub struct HistoryEntry {
    /// What the step did, in words.
    pub label: String,
    /// Before the cursor: the edits that undo the step, in the order they were made (applied in
    /// reverse). From the cursor on: the edits that redo it, in order.
    ops: Vec<Op>,
}

/// A state machine being edited: every change goes through [`Document::apply`] (or undo/redo), so
/// that each one can be undone.
#[derive(Clone, Debug)]
pub struct Document {
    root: StateMachine,
    history: Vec<HistoryEntry>,
    cursor: usize,
    revision: u64,
    report: EditReport,
    limit: usize,
    /// The history cursor when the document was last saved; `None` once that state is unreachable.
    saved: Option<usize>,
}

/// Applies edits in order, returning their inverses in the same order; on failure, undoes those
/// already applied. Either way the graph's edges are recomputed once at the end.
fn run_sequence(
    root: &mut StateMachine,
    ops: impl Iterator<Item = Op>,
) -> Result<Vec<Op>, EditError> {
    let mut done = Vec::new();
    let mut touched = Touched::default();
    for op in ops {
        match op.apply(root) {
            Ok(inverse) => {
                touched.record(&inverse, root);
                done.push(inverse);
            }
            Err(error) => {
                while let Some(inverse) = done.pop() {
                    if let Ok(op) = inverse.apply(root) {
                        touched.record(&op, root);
                    }
                }
                touched.rebuild(root);
                return Err(error);
            }
        }
    }
    touched.rebuild(root);
    Ok(done)
}

impl Document {
    /// A document with no history.
    #[must_use]
    pub fn new(root: StateMachine) -> Self {
        Self {
            root,
            history: Vec::new(),
            cursor: 0,
            revision: 0,
            report: EditReport::default(),
            limit: DEFAULT_HISTORY_LIMIT,
            saved: Some(0),
        }
    }

    /// The machine as it stands.
    #[must_use]
    pub fn root(&self) -> &StateMachine {
        &self.root
    }

    /// The machine, dropping the history.
    #[must_use]
    pub fn into_root(self) -> StateMachine {
        self.root
    }

    /// Applies a command as one undo step labelled by [`Command::label`].
    ///
    /// # Errors
    /// Why the command was refused; the document is then unchanged.
    pub fn apply(&mut self, command: Command) -> Result<(), EditError> {
        let label = command.label();
        self.apply_labeled(command, label)
    }

    /// Applies a command as one undo step with the given label. A command that changes nothing (say
    /// renaming a state to its own name) succeeds without adding a step.
    ///
    /// # Errors
    /// Why the command was refused; the document is then unchanged.
    pub fn apply_labeled(
        &mut self,
        command: Command,
        label: impl Into<String>,
    ) -> Result<(), EditError> {
        let mut tx = Tx::new(&mut self.root);
        match tx.execute(command) {
            Ok(()) => {
                let (ops, report) = tx.finish();
                self.report = report;
                if ops.is_empty() {
                    return Ok(());
                }
                if self.saved.is_some_and(|saved| saved > self.cursor) {
                    self.saved = None;
                }
                self.history.truncate(self.cursor);
                self.history.push(HistoryEntry {
                    label: label.into(),
                    ops,
                });
                self.cursor += 1;
                self.trim();
                self.revision += 1;
                Ok(())
            }
            Err(error) => {
                tx.rollback();
                self.report = EditReport::default();
                Err(error)
            }
        }
    }

    /// Replaces the whole machine as one undo step (say after the code view's text was edited).
    pub fn replace_root(&mut self, root: StateMachine, label: &str) {
        // Replacing the root cannot fail: there is nothing to look up.
        let _cannot_fail = self.apply_labeled(Command::ReplaceRoot { root }, label);
    }

    /// Undoes the last step; `false` when there is none.
    pub fn undo(&mut self) -> bool {
        let Some(index) = self.cursor.checked_sub(1) else {
            return false;
        };
        let ops = std::mem::take(&mut self.history[index].ops);
        match run_sequence(&mut self.root, ops.into_iter().rev()) {
            Ok(mut redo) => {
                redo.reverse();
                self.history[index].ops = redo;
                self.cursor = index;
                self.changed();
                true
            }
            Err(_) => {
                // Only a history out of step with the document gets here; it cannot be trusted.
                self.clear_history();
                false
            }
        }
    }

    /// Redoes the step after the cursor; `false` when there is none.
    pub fn redo(&mut self) -> bool {
        let index = self.cursor;
        let Some(entry) = self.history.get_mut(index) else {
            return false;
        };
        let ops = std::mem::take(&mut entry.ops);
        match run_sequence(&mut self.root, ops.into_iter()) {
            Ok(undo) => {
                self.history[index].ops = undo;
                self.cursor = index + 1;
                self.changed();
                true
            }
            Err(_) => {
                self.clear_history();
                false
            }
        }
    }

    /// Whether [`Self::undo`] has a step to undo.
    #[must_use]
    pub fn can_undo(&self) -> bool {
        self.cursor > 0
    }

    /// Whether [`Self::redo`] has a step to redo.
    #[must_use]
    pub fn can_redo(&self) -> bool {
        self.cursor < self.history.len()
    }

    /// Every step, oldest first: those before [`Self::history_cursor`] are done, the rest undone.
    #[must_use]
    pub fn history(&self) -> &[HistoryEntry] {
        &self.history
    }

    /// How many steps of [`Self::history`] are done.
    #[must_use]
    pub fn history_cursor(&self) -> usize {
        self.cursor
    }

    /// The label of the step [`Self::undo`] would undo.
    #[must_use]
    pub fn undo_label(&self) -> Option<&str> {
        let index = self.cursor.checked_sub(1)?;
        self.history.get(index).map(|e| e.label.as_str())
    }

    /// The label of the step [`Self::redo`] would redo.
    #[must_use]
    pub fn redo_label(&self) -> Option<&str> {
        self.history.get(self.cursor).map(|e| e.label.as_str())
    }

    /// A counter that grows on every change (apply, undo, redo), so views can cache what they derive.
    #[must_use]
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// What the last successful [`Self::apply`] created and could not repair.
    #[must_use]
    pub fn last_report(&self) -> &EditReport {
        &self.report
    }

    /// Keeps at most `limit` steps (at least one), forgetting the oldest.
    pub fn set_history_limit(&mut self, limit: usize) {
        self.limit = limit.max(1);
        self.trim();
    }

    /// Forgets every step; the machine stays as it is.
    pub fn clear_history(&mut self) {
        self.saved = (self.saved == Some(self.cursor)).then_some(0);
        self.history.clear();
        self.cursor = 0;
    }

    /// Records that the document as it stands was saved.
    pub fn mark_saved(&mut self) {
        self.saved = Some(self.cursor);
    }

    /// Whether the document differs from what was last saved (or from what it was opened with),
    /// as far as history can tell: undoing back to the saved state makes it unmodified again.
    #[must_use]
    pub fn is_modified(&self) -> bool {
        self.saved != Some(self.cursor)
    }

    fn changed(&mut self) {
        self.revision += 1;
        self.report = EditReport::default();
    }

    fn trim(&mut self) {
        if self.history.len() <= self.limit {
            return;
        }
        let excess = self.history.len() - self.limit;
        // Forget redo steps first: they are the least likely to be wanted.
        let drop_redo = excess.min(self.history.len() - self.cursor);
        self.history.truncate(self.history.len() - drop_redo);
        let drop_undo = excess - drop_redo;
        self.history.drain(..drop_undo);
        self.cursor -= drop_undo;
        // The saved state stays reachable only if it lies within the steps kept.
        self.saved = self
            .saved
            .and_then(|saved| saved.checked_sub(drop_undo))
            .filter(|&saved| saved <= self.history.len());
    }
}
