//! The files a run's ResultWriters exported (the manifest, SUCCEEDED_n, FAILED_n, PENDING_n), in
//! the Summary tab: each listed with its S3 key and size, shown when picked, and saved — natively
//! into a folder the user picks (at their keys, as `asl-studio run --results DIR` writes them),
//! in a browser as downloads.

use std::path::Path;

use simulator::result_writer::ResultFile;

use super::SimulatorPane;

/// Which file is shown and what the last save did, kept in egui's memory so that the pane's own
/// state needs no field for them.
#[derive(Clone, Debug, Default)]
struct FilesView {
    shown: Option<usize>,
    message: Option<String>,
}

/// Writes each file at `folder/<key>`, refusing a key that would leave the folder; returns how
/// many were written.
///
/// # Errors
/// The key that would leave the folder, or the file that could not be written.
pub fn save_result_files(folder: &Path, files: &[ResultFile]) -> Result<usize, String> {
    for file in files {
        let Some(relative) = file.relative_path() else {
            return Err(format!(
                "the ResultWriter key '{}' is not a relative path inside the folder",
                file.key
            ));
        };
        let target = folder.join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|error| format!("{}: {error}", parent.display()))?;
        }
        std::fs::write(&target, &file.contents)
            .map_err(|error| format!("Cannot write {}: {error}", target.display()))?;
    }
    Ok(files.len())
}

impl SimulatorPane {
    /// The files the recorded run's ResultWriters exported (empty without a run or an export).
    #[must_use]
    pub fn result_files(&self) -> &[ResultFile] {
        self.result().map_or(&[], |result| &result.result_files)
    }

    /// The result files' section of the Summary tab; nothing when the run exported none.
    pub(super) fn result_files_ui(&self, ui: &mut egui::Ui) {
        if self.result_files().is_empty() {
            return;
        }
        let id = ui.make_persistent_id("result_files");
        let mut view: FilesView = ui.data_mut(|data| data.get_temp(id).unwrap_or_default());
        let files = self.result_files();
        ui.separator();
        ui.strong(format!("Result files ({})", files.len()));
        ui.weak("What the ResultWriter exported to Amazon S3, at its keys.");
        for (index, file) in files.iter().enumerate() {
            ui.horizontal(|ui| {
                let picked = view.shown == Some(index);
                let response = ui
                    .selectable_label(picked, file.file_name())
                    .on_hover_text(format!("s3://{}/{}", file.bucket, file.key))
                    .accessible_name(format!("Show {}", file.key));
                if response.clicked() {
                    view.shown = (!picked).then_some(index);
                }
                ui.weak(format!("{} bytes", file.contents.len()));
                if ui
                    .small_button(download_label())
                    .accessible_name(format!("{} {}", download_label(), file.key))
                    .clicked()
                {
                    view.message = Some(
                        match crate::files::save_text(file.file_name(), &file.contents) {
                            Ok(outcome) => outcome.message(),
                            Err(error) => error,
                        },
                    );
                }
            });
        }
        #[cfg(not(target_arch = "wasm32"))]
        if ui.button("Save results to folder…").clicked() {
            view.message = pick_folder().map(|folder| match save_result_files(&folder, files) {
                Ok(count) => format!("Saved {count} files under {}.", folder.display()),
                Err(error) => error,
            });
        }
        if let Some(message) = &view.message {
            ui.label(message);
        }
        if let Some(file) = view.shown.and_then(|index| files.get(index)) {
            ui.label(format!("s3://{}/{}", file.bucket, file.key));
            egui::Frame::group(ui.style()).show(ui, |ui| {
                egui::ScrollArea::both()
                    .id_salt("simulator_result_file")
                    .max_height(240.0)
                    .show(ui, |ui| {
                        ui.add(egui::Label::new(
                            egui::RichText::new(pretty(file)).monospace(),
                        ));
                    });
            });
        }
        ui.data_mut(|data| data.insert_temp(id, view));
    }
}

/// The button that saves one file: a save dialog natively, a download in a browser.
fn download_label() -> &'static str {
    if cfg!(target_arch = "wasm32") {
        "Download"
    } else {
        "Save…"
    }
}

/// A JSON file pretty-printed for reading; JSON Lines (and anything else) as written.
fn pretty(file: &ResultFile) -> String {
    serde_json::from_str::<serde_json::Value>(&file.contents)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| file.contents.clone())
}

/// Asks for the folder to save the results into.
#[cfg(not(target_arch = "wasm32"))]
fn pick_folder() -> Option<std::path::PathBuf> {
    rfd::FileDialog::new().pick_folder()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(key: &str, contents: &str) -> ResultFile {
        ResultFile {
            bucket: "amzn-s3-demo-destination-bucket".to_owned(),
            key: key.to_owned(),
            contents: contents.to_owned(),
        }
    }

    #[test]
    fn saving_writes_each_file_at_its_key_and_refuses_keys_outside_the_folder() {
        let folder =
            std::env::temp_dir().join(format!("asl-studio-result-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        let files = [
            file("jobs/run/SUCCEEDED_0.json", "[1]"),
            file("jobs/run/manifest.json", "{}"),
        ];
        assert_eq!(save_result_files(&folder, &files), Ok(2));
        assert_eq!(
            std::fs::read_to_string(folder.join("jobs/run/SUCCEEDED_0.json")).ok(),
            Some("[1]".to_owned())
        );
        let outside = [file("../escaped.json", "{}")];
        assert!(save_result_files(&folder, &outside).is_err());
        assert!(!folder.join("../escaped.json").exists());
        let _ = std::fs::remove_dir_all(&folder);
    }

    #[test]
    fn json_files_are_shown_pretty_and_json_lines_as_written() {
        assert_eq!(pretty(&file("a.json", "{\"a\":1}")), "{\n  \"a\": 1\n}");
        assert_eq!(
            pretty(&file("a.jsonl", "{\"a\":1}\n{\"a\":2}\n")),
            "{\"a\":1}\n{\"a\":2}\n"
        );
    }
}
