//! The designer's file traits, answered by the browser.
//!
//! A browser has no file system the page may write to, so paths say where text goes:
//! - `/opened/<name>`: a file the user chose or dropped (or a page script loaded), kept in memory;
//!   saving it again offers a download under the same name;
//! - `/downloads/<name>`: where "Save as" and "Export" answer; writing offers a download;
//! - layout sidecars (`*.layout.json`) and anything else: local storage, so reopening a file of
//!   the same name finds its layout again, and saving does not start a second download.
//!
//! Autosave is the shell's own (`web_app.rs`: every second and when the page is hidden), so the
//! designer gets no recovery path here and never shows its recovery dialog in the browser.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use asl_studio::files::{
    FileDialogs, FileStore, OpenedText, SaveOutcome, TextExchange, TextFormat, TextPurpose,
};

use crate::browser;

/// "Save as" and "Export" answer paths here.
pub const DOWNLOADS_DIR: &str = "/downloads";
/// Files the user opened are kept here.
pub const OPENED_DIR: &str = "/opened";
/// Prefix of every local-storage key we own, so we never touch another page's entries.
const STORAGE_PREFIX: &str = "asl-studio:file:";

fn storage_key(path: &Path) -> String {
    format!("{STORAGE_PREFIX}{}", path.display())
}

fn is_layout_sidecar(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".layout.json")
}

/// Whether writing `path` means offering a download.
fn is_download(path: &Path) -> bool {
    let in_dir = |dir: &str| path.parent().is_some_and(|p| p == Path::new(dir));
    (in_dir(DOWNLOADS_DIR) || in_dir(OPENED_DIR)) && !is_layout_sidecar(path)
}

fn mime_for(path: &Path) -> &'static str {
    match TextFormat::from_path(path) {
        TextFormat::Json => "application/json",
        TextFormat::Yaml => "application/yaml",
    }
}

/// A bare file name from what a browser or a caller gives, so it cannot climb out of its folder.
fn bare_name(name: &str, fallback: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .filter(|n| !n.is_empty() && *n != "." && *n != "..")
        .unwrap_or(fallback)
        .to_owned()
}

fn to_io(error: browser::BrowserError) -> io::Error {
    io::Error::other(error.to_string())
}

/// The browser's [`FileStore`]: opened files in memory, downloads, and local storage.
#[derive(Debug, Default)]
pub struct BrowserFiles {
    opened: RefCell<BTreeMap<PathBuf, String>>,
}

impl BrowserFiles {
    /// The path a file the user opened under `name` is kept at.
    #[must_use]
    pub fn opened_path(&self, name: &str) -> PathBuf {
        Path::new(OPENED_DIR).join(bare_name(name, "definition.asl.json"))
    }

    /// Keeps `text` as the file the user opened at `path` (from [`Self::opened_path`]);
    /// returns the text kept there before.
    pub fn keep_opened(&self, path: &Path, text: String) -> Option<String> {
        self.opened.borrow_mut().insert(path.to_path_buf(), text)
    }

    /// Puts back what [`Self::keep_opened`] replaced (when the new file could not be opened).
    pub fn put_back_opened(&self, path: &Path, previous: Option<String>) {
        let mut opened = self.opened.borrow_mut();
        match previous {
            Some(text) => opened.insert(path.to_path_buf(), text),
            None => opened.remove(path),
        };
    }
}

impl FileStore for BrowserFiles {
    fn read_text(&self, path: &Path) -> io::Result<String> {
        if let Some(text) = self.opened.borrow().get(path) {
            return Ok(text.clone());
        }
        if is_download(path) {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{}: a download cannot be read back", path.display()),
            ));
        }
        browser::storage_get(&storage_key(path))
            .map_err(to_io)?
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{} is not stored", path.display()),
                )
            })
    }

    fn write_atomic(&self, path: &Path, text: &str) -> io::Result<()> {
        if is_download(path) {
            let name = bare_name(&path.to_string_lossy(), "state-machine.asl.json");
            browser::download_text(&name, text, mime_for(path)).map_err(to_io)?;
            if let Some(kept) = self.opened.borrow_mut().get_mut(path) {
                text.clone_into(kept);
            }
            return Ok(());
        }
        // localStorage.setItem replaces the value whole: readers never see half of it.
        browser::storage_set(&storage_key(path), text).map_err(to_io)
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        self.opened.borrow_mut().remove(path);
        browser::storage_remove(&storage_key(path)).map_err(to_io)
    }

    fn recovery_path(&self) -> Option<PathBuf> {
        None
    }
}

/// One [`BrowserFiles`] shared by the designer (which owns its store) and the shell (which adds
/// the files the user opens).
#[derive(Debug, Clone)]
pub struct SharedFiles(pub Rc<BrowserFiles>);

impl FileStore for SharedFiles {
    fn read_text(&self, path: &Path) -> io::Result<String> {
        self.0.read_text(path)
    }

    fn write_atomic(&self, path: &Path, text: &str) -> io::Result<()> {
        self.0.write_atomic(path, text)
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        self.0.remove(path)
    }

    fn recovery_path(&self) -> Option<PathBuf> {
        self.0.recovery_path()
    }
}

/// The browser's [`FileDialogs`].
///
/// "Open" shows the browser's picker and answers `None` at once: the chosen file is read in the
/// background and handed to the designer on a later frame. "Save as" answers a download path.
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
        let mut name = bare_name(suggested_name, "state-machine");
        if !name.contains('.') {
            name = format!("{name}.{}", format.extension());
        }
        Some(Path::new(DOWNLOADS_DIR).join(name))
    }
}

/// The element id of the hidden input behind the simulator's "Open mock file…".
const MOCK_PICKER_ID: &str = "asl-studio-mock-picker";

/// The element id of the hidden input behind File > Compare with file….
const COMPARE_PICKER_ID: &str = "asl-studio-compare-picker";

thread_local! {
    /// Failures of saves that ended after their frame (a PNG the browser could not draw), for the
    /// designer's next look.
    pub(crate) static LATE_FAILURES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// Mock files read since the pane last looked (the picker answers after its frame is over).
    static MOCK_FILES: RefCell<Vec<Result<OpenedText, String>>> = const { RefCell::new(Vec::new()) };
    /// Versions to compare with, read since the designer last looked.
    static COMPARE_FILES: RefCell<Vec<Result<OpenedText, String>>> = const { RefCell::new(Vec::new()) };
}

fn deliver_compare_file(file: web_sys::File) {
    deliver_into(&COMPARE_FILES, file);
}

fn deliver_mock_file(file: web_sys::File) {
    deliver_into(&MOCK_FILES, file);
}

/// Reads `file` and queues its text (or why it could not be read) for the designer's next look.
fn deliver_into(
    queue: &'static std::thread::LocalKey<RefCell<Vec<Result<OpenedText, String>>>>,
    file: web_sys::File,
) {
    browser::read_text_then(file, move |result| {
        let result = result.map(|file| OpenedText {
            name: file.name,
            text: file.text,
        });
        queue.with_borrow_mut(|files| files.push(result));
    });
}

/// The browser's [`TextExchange`] for the panes: saving is a download, opening shows the file
/// picker and the chosen file's text reaches the pane on a later frame.
#[derive(Debug, Default, Clone, Copy)]
pub struct BrowserTextExchange;

impl TextExchange for BrowserTextExchange {
    fn save_text(&mut self, suggested_name: &str, text: &str) -> Result<SaveOutcome, String> {
        let name = bare_name(suggested_name, "download.json");
        browser::download_text(&name, text, mime_for(Path::new(&name)))
            .map(|()| SaveOutcome::Downloaded(name))
            .map_err(|error| error.to_string())
    }

    fn request_open(&mut self, purpose: TextPurpose, extensions: &[&str]) {
        let accept = extensions
            .iter()
            .map(|extension| format!(".{extension}"))
            .collect::<Vec<_>>()
            .join(",");
        let shown = match purpose {
            TextPurpose::MockFile => {
                browser::show_file_picker(MOCK_PICKER_ID, &accept, deliver_mock_file)
            }
            TextPurpose::CompareFile => {
                browser::show_file_picker(COMPARE_PICKER_ID, &accept, deliver_compare_file)
            }
        };
        if let Err(error) = shown {
            browser::warn(&error.to_string());
        }
    }

    fn take_opened(&mut self, purpose: TextPurpose) -> Option<Result<OpenedText, String>> {
        match purpose {
            TextPurpose::MockFile => {
                MOCK_FILES.with_borrow_mut(|files| (!files.is_empty()).then(|| files.remove(0)))
            }
            TextPurpose::CompareFile => {
                COMPARE_FILES.with_borrow_mut(|files| (!files.is_empty()).then(|| files.remove(0)))
            }
        }
    }

    fn save_png(
        &mut self,
        suggested_name: &str,
        svg: &str,
        scale: f32,
    ) -> Result<SaveOutcome, String> {
        let name = bare_name(suggested_name, "state-machine.png");
        let (width, height) =
            asl_studio::render::png_size(svg, scale).map_err(|error| format!("{name}: {error}"))?;
        crate::pictures::download_png(&name, svg, width, height);
        Ok(SaveOutcome::Downloaded(name))
    }

    fn take_late_failure(&mut self) -> Option<String> {
        LATE_FAILURES.with_borrow_mut(|failures| (!failures.is_empty()).then(|| failures.remove(0)))
    }
}
