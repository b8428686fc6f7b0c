//! The app's file traits, answered by the browser.
//!
//! A browser has no file system the page may write to, so paths name where text goes:
//! - `/downloads/<name>`: writing offers the text as a download named `<name>` ("Save" and
//!   "Export"); layout sidecars (`*.layout.json`) stay in local storage instead, so saving does not
//!   start a second download and reopening a file of the same name finds its layout again;
//! - anything else, and the autosave recovery file: local storage, so it survives a reload.

use std::io;
use std::path::{Path, PathBuf};

use asl_studio::files::{FileDialogs, FileStore, TextFormat};

use crate::browser;

/// Saves go here; see the module doc.
pub const DOWNLOADS_DIR: &str = "/downloads";
/// The autosave recovery file (in local storage).
pub const RECOVERY_PATH: &str = "/local/recovery.json";
/// Prefix of every local-storage key we own, so we never touch another page's entries.
const STORAGE_PREFIX: &str = "asl-studio:";

fn storage_key(path: &Path) -> String {
    format!("{STORAGE_PREFIX}{}", path.display())
}

fn is_layout_sidecar(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".layout.json")
}

fn in_dir(path: &Path, dir: &str) -> bool {
    path.parent().is_some_and(|p| p == Path::new(dir))
}

fn mime_for(path: &Path) -> &'static str {
    match TextFormat::from_path(path) {
        TextFormat::Json => "application/json",
        TextFormat::Yaml => "application/yaml",
    }
}

fn to_io(error: browser::BrowserError) -> io::Error {
    io::Error::other(error.to_string())
}

/// The browser's [`FileStore`]: downloads and local storage.
#[derive(Debug, Default, Clone, Copy)]
pub struct BrowserFiles;

impl FileStore for BrowserFiles {
    fn read_text(&self, path: &Path) -> io::Result<String> {
        let key = if in_dir(path, DOWNLOADS_DIR) && !is_layout_sidecar(path) {
            // A download cannot be read back; the app only re-reads what it saved for layouts.
            return Err(io::Error::new(io::ErrorKind::NotFound, "downloads cannot be read back"));
        } else {
            storage_key(path)
        };
        browser::storage_get(&key)
            .map_err(to_io)?
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{} is not stored", path.display())))
    }

    fn write_atomic(&self, path: &Path, text: &str) -> io::Result<()> {
        if in_dir(path, DOWNLOADS_DIR) && !is_layout_sidecar(path) {
            let name = path
                .file_name()
                .map_or_else(|| "definition.json".to_owned(), |n| n.to_string_lossy().into_owned());
            return browser::download_text(&name, text, mime_for(path)).map_err(to_io);
        }
        // localStorage.setItem replaces the value whole: readers never see half of it.
        browser::storage_set(&storage_key(path), text).map_err(to_io)
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        browser::storage_remove(&storage_key(path)).map_err(to_io)
    }

    fn recovery_path(&self) -> Option<PathBuf> {
        Some(PathBuf::from(RECOVERY_PATH))
    }
}

/// The browser's [`FileDialogs`].
///
/// "Open" shows the browser's picker and answers `None` at once: the chosen file is read in the
/// background and handed to the app on a later frame. "Save" answers a download path at once.
#[derive(Debug, Default, Clone, Copy)]
pub struct BrowserDialogs;

impl FileDialogs for BrowserDialogs {
    fn pick_open(&mut self) -> Option<PathBuf> {
        if let Err(error) = browser::open_file_picker() {
            browser::warn(&error.to_string());
        }
        None
    }

    fn pick_save(&mut self, suggested_name: &str, format: TextFormat) -> Option<PathBuf> {
        let mut name = suggested_name
            .rsplit(['/', '\\'])
            .next()
            .filter(|n| !n.is_empty())
            .unwrap_or("state-machine")
            .to_owned();
        if !name.contains('.') {
            name = format!("{name}.{}", format.extension());
        }
        Some(Path::new(DOWNLOADS_DIR).join(name))
    }
}
