//! Editing: commands through one entry point ([`Document::apply`]), each recorded with its exact
//! inverse, and a history with undo and redo that an app can list.

mod clipboard;
mod command;
mod diff;
mod error;
mod history;
mod ops;
mod retype;
mod tx;

pub use clipboard::{copy_selection, fresh_name};
pub use command::{Command, check_state_name, describe_path, describe_transition};
pub use error::{EditError, EditReport};
pub use history::{DEFAULT_HISTORY_LIMIT, Document, HistoryEntry};
pub use retype::new_state;
