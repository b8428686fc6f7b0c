//! ASL Studio's designer: the eframe app shared by the native binary and the browser build.

pub mod app;
pub mod canvas;
pub mod commands_palette;
pub mod export_dialog;
pub mod files;
pub mod keyboard;
pub mod overlay;
pub mod panels;
pub mod render;
pub mod sample;
pub mod selection;
pub mod simulate;
pub mod templates;
pub mod theme;

pub use app::{StartSource, StudioApp};

/// Opens the designer window: the bundled sample when `file` is `None`, else that file.
#[cfg(not(target_arch = "wasm32"))]
#[must_use]
pub fn run_native(file: Option<std::path::PathBuf>) -> std::process::ExitCode {
    let source = file.map_or(StartSource::Sample, StartSource::File);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("ASL Studio")
            .with_inner_size([1400.0, 860.0])
            .with_min_inner_size([640.0, 400.0])
            .with_drag_and_drop(true)
            // Keys work from the first frame, without a click into the window first.
            .with_active(true),
        ..Default::default()
    };
    let result = eframe::run_native(
        "ASL Studio",
        options,
        Box::new(move |cc| Ok(Box::new(StudioApp::new(Some(cc), source)))),
    );
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // The window could not open (no display, no GPU driver): say so on stderr.
            #[allow(clippy::print_stderr)]
            {
                eprintln!("asl-studio: cannot open the designer window: {error}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}
