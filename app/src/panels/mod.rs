//! The panels around the canvas, one per file, each a small `*_ui` function or component.

pub mod code;
pub mod find;
pub mod history;
pub mod inspector;
pub mod palette;
pub mod placeholders;
pub mod problems;
