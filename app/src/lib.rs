//! ASL Studio's designer: the eframe app shared by the native binary and the browser build.

pub mod canvas;
pub mod commands_palette;
pub mod files;
pub mod keyboard;
pub mod panels;
pub mod sample;
pub mod theme;
