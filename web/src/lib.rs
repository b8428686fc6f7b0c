//! ASL Studio in the browser: the wasm-bindgen entry point and the browser glue.
//!
//! The page (`web/index.html` + `web/loader.js`) calls [`start`] with its canvas id; the other
//! exported functions let the page, embedders and the browser tests drive the running app: load a
//! definition, read the current ASL, read the selection, run the simulator, make a share link.
//!
//! What touches the browser is compiled for `wasm32` only. On other targets this crate is the
//! plain-Rust [`share`] codec, [`autosave`] record and [`simulate`] bridge, which `cargo test`
//! checks natively.

pub mod autosave;
pub mod share;
pub mod simulate;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(all(target_arch = "wasm32", feature = "studio"))]
mod files;
#[cfg(all(target_arch = "wasm32", feature = "studio"))]
mod pictures;
#[cfg(all(target_arch = "wasm32", not(feature = "studio")))]
mod preview;
#[cfg(target_arch = "wasm32")]
pub mod studio;
#[cfg(target_arch = "wasm32")]
mod web_app;

#[cfg(all(target_arch = "wasm32", feature = "studio"))]
pub use pictures::{compare_with_file, comparison_state, export_diagram};
#[cfg(target_arch = "wasm32")]
pub use web_app::*;
