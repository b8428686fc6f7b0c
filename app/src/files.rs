//! File access for the designer, behind two small traits so that the browser build can swap in
//! browser storage and downloads: [`FileStore`] (read, atomic write, remove) and [`FileDialogs`]
//! (choose a file to open or a place to save). Nothing here touches egui.
//!
//! Also: recognising what a file holds (an ASL definition in JSON or YAML, or a SAM/CloudFormation
//! template with one or more state machines), and the paths of the layout sidecar and of the
//! autosave recovery file.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The text format of a definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TextFormat {
    /// ASL JSON.
    #[default]
    Json,
    /// ASL YAML.
    Yaml,
}

impl TextFormat {
    /// The format a file name suggests, as the codec's loader reads it (`.yaml`/`.yml` is
    /// YAML, anything else JSON).
    #[must_use]
    pub fn from_path(path: &Path) -> Self {
        match asl_codec::Format::from_path(path) {
            Some(asl_codec::Format::Yaml) => Self::Yaml,
            _ => Self::Json,
        }
    }

    /// The usual file extension, without the dot.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Yaml => "yaml",
        }
    }

    /// A short name for menus.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Json => "ASL JSON",
            Self::Yaml => "ASL YAML",
        }
    }
}

impl From<TextFormat> for asl_codec::Format {
    fn from(format: TextFormat) -> Self {
        match format {
            TextFormat::Json => Self::Json,
            TextFormat::Yaml => Self::Yaml,
        }
    }
}

/// Reading and writing files. The native build uses the disk; the browser build can keep files in
/// browser storage and turn saves into downloads.
pub trait FileStore {
    /// Reads a whole file as UTF-8 text.
    ///
    /// # Errors
    /// When the file cannot be read or is not UTF-8.
    fn read_text(&self, path: &Path) -> std::io::Result<String>;

    /// Writes a whole file so that a crash never leaves it half written (temp file + rename).
    ///
    /// # Errors
    /// When the file cannot be written.
    fn write_atomic(&self, path: &Path, text: &str) -> std::io::Result<()>;

    /// Removes a file; a missing file is not an error.
    ///
    /// # Errors
    /// When the file exists and cannot be removed.
    fn remove(&self, path: &Path) -> std::io::Result<()>;

    /// Where the autosave recovery file lives, if this platform keeps one.
    fn recovery_path(&self) -> Option<PathBuf>;

    /// Whether a file is there (so an export does not replace it unasked). By default: whether
    /// it can be read.
    fn exists(&self, path: &Path) -> bool {
        self.read_text(path).is_ok()
    }
}

/// Choosing files. Every method may return `None` (cancelled, or no dialog available, as on a
/// headless machine); callers treat that as "the user cancelled".
pub trait FileDialogs {
    /// Asks for a definition or template to open.
    fn pick_open(&mut self) -> Option<PathBuf>;
    /// Asks where to save, suggesting a file name.
    fn pick_save(&mut self, suggested_name: &str, format: TextFormat) -> Option<PathBuf>;
    /// Asks for a folder to write several files into (an exported stack). Platforms without
    /// folders (the browser) keep the default: none.
    fn pick_folder(&mut self) -> Option<PathBuf> {
        None
    }
    /// Whether the last pick came back empty because no dialog could be shown (no desktop
    /// portal): the designer then asks for the path itself. Reading it resets it.
    fn unavailable(&mut self) -> bool {
        false
    }
}

/// The disk, for the native build.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Default, Clone, Copy)]
pub struct NativeFiles;

#[cfg(not(target_arch = "wasm32"))]
impl FileStore for NativeFiles {
    fn read_text(&self, path: &Path) -> std::io::Result<String> {
        // Through the codec's loader, so the designer refuses a FIFO or device and bounds the size
        // exactly as the command line does.
        match asl_codec::load::read_file(path, asl_codec::load::MAX_INPUT_BYTES) {
            Ok(input) => Ok(input.text),
            Err(asl_codec::LoadError::Io { source, .. }) => Err(source),
            Err(other) => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                other.to_string(),
            )),
        }
    }

    fn write_atomic(&self, path: &Path, text: &str) -> std::io::Result<()> {
        write_atomic(path, text.as_bytes())
    }

    fn remove(&self, path: &Path) -> std::io::Result<()> {
        match std::fs::remove_file(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    fn recovery_path(&self) -> Option<PathBuf> {
        data_dir().map(|dir| dir.join("asl-studio").join("recovery.json"))
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }
}

/// Writes `bytes` to a temporary file next to `path`, flushes it, then renames it over `path`, so
/// readers see either the old or the new file, never a torn one.
#[cfg(not(target_arch = "wasm32"))]
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "definition".to_owned());
    let temp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        // The temp file is ours alone; leaving it would litter the user's folder.
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// The per-user data folder (XDG on Linux, the usual places elsewhere).
#[cfg(not(target_arch = "wasm32"))]
fn data_dir() -> Option<PathBuf> {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(target_os = "windows") {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library").join("Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local").join("share")))
    }
}

/// Native file dialogs through rfd. On Linux rfd asks the desktop portal; where there is none
/// (a bare X server, a minimal window manager) the call comes back empty at once, which
/// [`FileDialogs::unavailable`] then reports so the designer can ask for a path itself.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Default, Clone, Copy)]
pub struct NativeDialogs {
    /// Whether the last call came back empty without a dialog having been shown.
    last_unavailable: bool,
}

/// A dialog that comes back empty sooner than this was never shown: nobody cancels that fast.
#[cfg(not(target_arch = "wasm32"))]
const NO_DIALOG_WITHIN: std::time::Duration = std::time::Duration::from_millis(250);

/// Set to anything but `0` to skip the system dialogs and type paths in the designer instead.
pub const NO_DIALOGS_ENV: &str = "ASL_STUDIO_NO_FILE_DIALOGS";

/// Runs a dialog; the answer, and whether no dialog could be shown.
#[cfg(not(target_arch = "wasm32"))]
fn run_dialog<T>(dialog: impl FnOnce() -> Option<T>) -> (Option<T>, bool) {
    if std::env::var_os(NO_DIALOGS_ENV).is_some_and(|v| v != "0") {
        return (None, true);
    }
    let started = std::time::Instant::now();
    let answer = dialog();
    let unavailable = answer.is_none() && started.elapsed() < NO_DIALOG_WITHIN;
    (answer, unavailable)
}

#[cfg(not(target_arch = "wasm32"))]
impl FileDialogs for NativeDialogs {
    fn pick_open(&mut self) -> Option<PathBuf> {
        let (answer, unavailable) = run_dialog(|| {
            rfd::FileDialog::new()
                .set_title("Open a state machine")
                .add_filter(
                    "ASL and templates",
                    &["json", "yaml", "yml", "template", "tf"],
                )
                .add_filter("All files", &["*"])
                .pick_file()
        });
        self.last_unavailable = unavailable;
        answer
    }

    fn pick_save(&mut self, suggested_name: &str, format: TextFormat) -> Option<PathBuf> {
        let (answer, unavailable) = run_dialog(|| {
            rfd::FileDialog::new()
                .set_title("Save the state machine")
                .set_file_name(suggested_name)
                .add_filter(format.label(), &[format.extension()])
                .save_file()
        });
        self.last_unavailable = unavailable;
        answer
    }

    fn pick_folder(&mut self) -> Option<PathBuf> {
        let (answer, unavailable) = run_dialog(|| {
            rfd::FileDialog::new()
                .set_title("Choose a folder for the stack")
                .pick_folder()
        });
        self.last_unavailable = unavailable;
        answer
    }

    fn unavailable(&mut self) -> bool {
        std::mem::take(&mut self.last_unavailable)
    }
}

/// Dialogs that answer from a script: the paths to return, in order. For tests, and for
/// platforms without dialogs.
#[derive(Debug, Default, Clone)]
pub struct ScriptedDialogs {
    /// Answers to [`FileDialogs::pick_open`], first first.
    pub open_answers: Vec<PathBuf>,
    /// Answers to [`FileDialogs::pick_save`] and [`FileDialogs::pick_folder`] (a folder is
    /// where a save goes), first first.
    pub save_answers: Vec<PathBuf>,
    /// Behave as a desktop without a portal: every pick comes back empty, unavailable.
    pub no_dialogs: bool,
}

impl FileDialogs for ScriptedDialogs {
    fn pick_open(&mut self) -> Option<PathBuf> {
        (!self.no_dialogs && !self.open_answers.is_empty()).then(|| self.open_answers.remove(0))
    }

    fn pick_save(&mut self, _suggested_name: &str, _format: TextFormat) -> Option<PathBuf> {
        (!self.save_answers.is_empty()).then(|| self.save_answers.remove(0))
    }

    fn pick_folder(&mut self) -> Option<PathBuf> {
        (!self.save_answers.is_empty()).then(|| self.save_answers.remove(0))
    }

    fn unavailable(&mut self) -> bool {
        self.no_dialogs
    }
}

/// Files kept in memory: for tests and for the browser build's first cut.
#[derive(Debug, Default)]
pub struct MemoryFiles {
    files: std::sync::Mutex<std::collections::BTreeMap<PathBuf, String>>,
}

impl MemoryFiles {
    /// The text stored at `path`, if any.
    #[must_use]
    pub fn get(&self, path: &Path) -> Option<String> {
        self.files.lock().ok()?.get(path).cloned()
    }
}

impl FileStore for MemoryFiles {
    fn read_text(&self, path: &Path) -> std::io::Result<String> {
        self.get(path)
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    }

    fn write_atomic(&self, path: &Path, text: &str) -> std::io::Result<()> {
        if let Ok(mut files) = self.files.lock() {
            files.insert(path.to_path_buf(), text.to_owned());
        }
        Ok(())
    }

    fn remove(&self, path: &Path) -> std::io::Result<()> {
        if let Ok(mut files) = self.files.lock() {
            files.remove(path);
        }
        Ok(())
    }

    fn recovery_path(&self) -> Option<PathBuf> {
        None
    }
}

/// Why a pane wants a file: each request is answered under the same purpose, so a mock file
/// never lands in another pane's hands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TextPurpose {
    /// An AWS Step Functions Local mock configuration file for the simulator pane.
    MockFile,
    /// The other version of the definition for File > Compare with file….
    CompareFile,
}

/// A small text file the user chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedText {
    /// The file's name (a full path natively, the bare name in a browser).
    pub name: String,
    /// Its contents.
    pub text: String,
}

/// What became of a request to save text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Written to this path.
    Saved(PathBuf),
    /// Offered to the browser as a download under this name.
    Downloaded(String),
    /// The user cancelled, or no dialog was available.
    Cancelled,
}

impl SaveOutcome {
    /// A short sentence for the pane's status line.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::Saved(path) => format!("Saved {}.", path.display()),
            Self::Downloaded(name) => format!("Downloaded {name}."),
            Self::Cancelled => "Not saved.".to_owned(),
        }
    }
}

/// Small text files the panes exchange with the user (mock files, run histories), apart from the
/// designer's documents: natively a dialog answers at once; in a browser the file picker answers
/// on a later frame (files are read asynchronously) and saving is a download. So opening is a
/// request, and the answer is collected with [`take_opened_text`], on the same frame or a later one.
pub trait TextExchange {
    /// Offers `text` for saving under `suggested_name` (a bare file name).
    ///
    /// # Errors
    /// A message saying what could not be written.
    fn save_text(&mut self, suggested_name: &str, text: &str) -> Result<SaveOutcome, String>;

    /// Asks the user for a file with one of `extensions` (no dots) for `purpose`; its text arrives
    /// through [`TextExchange::take_opened`].
    fn request_open(&mut self, purpose: TextPurpose, extensions: &[&str]);

    /// The file opened for `purpose` since the last call, if one arrived (an error names the file
    /// that could not be read; [`NO_OPEN_DIALOG`] says no dialog could be shown).
    fn take_opened(&mut self, purpose: TextPurpose) -> Option<Result<OpenedText, String>>;

    /// Reads the file at a path the user typed (where no dialog could be shown); its text
    /// arrives through [`TextExchange::take_opened`]. Platforms without paths ignore it.
    fn open_path(&mut self, _purpose: TextPurpose, _path: &Path) {}

    /// Offers a PNG of `svg` (a picture of [`crate::render::to_svg`]) at `scale` pixels per unit
    /// under `suggested_name`: natively resvg rasterises it and a dialog asks where it goes; a
    /// browser draws it on a canvas and downloads it (the download starts a moment later).
    ///
    /// # Errors
    /// A message saying why no PNG was made or written.
    fn save_png(
        &mut self,
        suggested_name: &str,
        _svg: &str,
        _scale: f32,
    ) -> Result<SaveOutcome, String> {
        Err(format!(
            "{suggested_name}: this platform cannot make PNG pictures"
        ))
    }

    /// A failure of work that a save started and that ended after the frame (a browser drawing a
    /// PNG in the background), for the designer to show; `None` when there is none.
    fn take_late_failure(&mut self) -> Option<String> {
        None
    }
}

/// Why a dialog did not appear, as far as the designer can tell.
pub const NO_DIALOG_REASON: &str =
    "the desktop portal (xdg-desktop-portal) is not running, or ASL_STUDIO_NO_FILE_DIALOGS is set";

/// The answer to an open request when no dialog could be shown: the pane asks for a path.
pub const NO_OPEN_DIALOG: &str = "No file dialog could be shown (the desktop portal \
    (xdg-desktop-portal) is not running, or ASL_STUDIO_NO_FILE_DIALOGS is set): type the path.";

/// Reads the file at `path` for `purpose` through the installed [`TextExchange`].
pub fn open_text_path(purpose: TextPurpose, path: &Path) {
    with_text_exchange(|exchange| exchange.open_path(purpose, path));
}

/// Native dialogs through rfd; they answer on the same frame.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Default)]
pub struct NativeTextExchange {
    answered: Vec<(TextPurpose, Result<OpenedText, String>)>,
}

/// Asks where to save through the system dialog (filtered by the name's extension) and writes
/// `bytes` there.
#[cfg(not(target_arch = "wasm32"))]
fn save_bytes_through_dialog(suggested_name: &str, bytes: &[u8]) -> Result<SaveOutcome, String> {
    let mut dialog = rfd::FileDialog::new().set_file_name(suggested_name);
    if let Some(extension) = Path::new(suggested_name)
        .extension()
        .and_then(|e| e.to_str())
    {
        dialog = dialog.add_filter(extension.to_ascii_uppercase(), &[extension]);
    }
    let (answer, unavailable) = run_dialog(|| dialog.save_file());
    let Some(path) = answer else {
        if unavailable {
            return Err(format!(
                "{suggested_name}: no save dialog could be shown ({NO_DIALOG_REASON})"
            ));
        }
        return Ok(SaveOutcome::Cancelled);
    };
    write_atomic(&path, bytes)
        .map(|()| SaveOutcome::Saved(path.clone()))
        .map_err(|error| format!("Cannot write {}: {error}", path.display()))
}

#[cfg(not(target_arch = "wasm32"))]
impl TextExchange for NativeTextExchange {
    fn save_text(&mut self, suggested_name: &str, text: &str) -> Result<SaveOutcome, String> {
        save_bytes_through_dialog(suggested_name, text.as_bytes())
    }

    fn save_png(
        &mut self,
        suggested_name: &str,
        svg: &str,
        scale: f32,
    ) -> Result<SaveOutcome, String> {
        #[cfg(feature = "png")]
        {
            let png = crate::render::to_png(svg, scale)
                .map_err(|error| format!("{suggested_name}: {error}"))?;
            save_bytes_through_dialog(suggested_name, &png)
        }
        #[cfg(not(feature = "png"))]
        {
            let _ = (svg, scale);
            Err(format!("{suggested_name}: {}", crate::render::NO_PNG))
        }
    }

    fn request_open(&mut self, purpose: TextPurpose, extensions: &[&str]) {
        let (answer, unavailable) = run_dialog(|| {
            rfd::FileDialog::new()
                .add_filter(extensions.join(", ").to_ascii_uppercase(), extensions)
                .add_filter("All files", &["*"])
                .pick_file()
        });
        let Some(path) = answer else {
            if unavailable {
                self.answered
                    .push((purpose, Err(NO_OPEN_DIALOG.to_owned())));
            }
            return;
        };
        self.open_path(purpose, &path);
    }

    fn open_path(&mut self, purpose: TextPurpose, path: &Path) {
        let answer = std::fs::read_to_string(path)
            .map(|text| OpenedText {
                name: path.display().to_string(),
                text,
            })
            .map_err(|error| format!("Cannot read {}: {error}", path.display()));
        self.answered.push((purpose, answer));
    }

    fn take_opened(&mut self, purpose: TextPurpose) -> Option<Result<OpenedText, String>> {
        let index = self.answered.iter().position(|(p, _)| *p == purpose)?;
        Some(self.answered.remove(index).1)
    }
}

thread_local! {
    /// The installed exchange; `None` until first use or [`set_text_exchange`].
    static TEXT_EXCHANGE: std::cell::RefCell<Option<Box<dyn TextExchange>>> =
        const { std::cell::RefCell::new(None) };
}

/// Installs the [`TextExchange`] the panes use on this thread (the UI thread). The browser build
/// installs its own at start; natively the rfd dialogs serve unless something else is installed.
pub fn set_text_exchange(exchange: Box<dyn TextExchange>) {
    TEXT_EXCHANGE.with_borrow_mut(|slot| *slot = Some(exchange));
}

/// Runs `f` with the installed [`TextExchange`] (the platform's default when none is).
pub fn with_text_exchange<T>(f: impl FnOnce(&mut dyn TextExchange) -> T) -> T {
    TEXT_EXCHANGE.with_borrow_mut(|slot| {
        let exchange = slot.get_or_insert_with(default_text_exchange);
        f(exchange.as_mut())
    })
}

/// Offers `text` for saving through the installed [`TextExchange`].
///
/// # Errors
/// A message saying what could not be written.
pub fn save_text(suggested_name: &str, text: &str) -> Result<SaveOutcome, String> {
    with_text_exchange(|exchange| exchange.save_text(suggested_name, text))
}

/// Offers a PNG of `svg` at `scale` through the installed [`TextExchange`].
///
/// # Errors
/// A message saying why no PNG was made or written.
pub fn save_png(suggested_name: &str, svg: &str, scale: f32) -> Result<SaveOutcome, String> {
    with_text_exchange(|exchange| exchange.save_png(suggested_name, svg, scale))
}

/// Asks the user for a file for `purpose` through the installed [`TextExchange`].
pub fn request_open_text(purpose: TextPurpose, extensions: &[&str]) {
    with_text_exchange(|exchange| exchange.request_open(purpose, extensions));
}

/// A failure of a save that finished after its frame, through the installed [`TextExchange`].
pub fn take_late_failure() -> Option<String> {
    with_text_exchange(|exchange| exchange.take_late_failure())
}

/// The file opened for `purpose` since the last call, if one arrived.
#[must_use]
pub fn take_opened_text(purpose: TextPurpose) -> Option<Result<OpenedText, String>> {
    with_text_exchange(|exchange| exchange.take_opened(purpose))
}

#[cfg(not(target_arch = "wasm32"))]
fn default_text_exchange() -> Box<dyn TextExchange> {
    Box::new(NativeTextExchange::default())
}

#[cfg(target_arch = "wasm32")]
fn default_text_exchange() -> Box<dyn TextExchange> {
    /// Stands in until the browser shell installs its exchange (it does so before the first frame).
    struct NoTextExchange;
    impl TextExchange for NoTextExchange {
        fn save_text(&mut self, suggested_name: &str, _text: &str) -> Result<SaveOutcome, String> {
            Err(format!("{suggested_name}: this page cannot save files"))
        }
        fn request_open(&mut self, _purpose: TextPurpose, _extensions: &[&str]) {}
        fn take_opened(&mut self, _purpose: TextPurpose) -> Option<Result<OpenedText, String>> {
            None
        }
    }
    Box::new(NoTextExchange)
}

/// The layout sidecar of a definition: `<definition>.layout.json` next to it.
#[must_use]
pub fn sidecar_path(definition: &Path) -> PathBuf {
    let mut name = definition
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".layout.json");
    definition.with_file_name(name)
}

/// One state machine found in a file: a plain definition, or one of a template's.
#[derive(Clone, Debug, PartialEq)]
pub struct FoundMachine {
    /// What to call it in a chooser: the template resource's logical id, or the file name.
    pub label: String,
    /// The ASL definition; `None` for a JSON definition file, whose value is read from `text`
    /// and `spans` only when something needs it (see [`Self::model`]): for a big document,
    /// building the `Value` is a good part of opening it in the browser.
    pub definition: Option<Value>,
    /// The definition's own text when the file is that definition (kept for the code view so
    /// its formatting survives), `None` for a definition taken out of a template.
    pub text: Option<String>,
    /// Where each value of `text` is, when the file was JSON and is that definition (the code
    /// view's index, made once rather than by parsing the text again).
    pub spans: Option<asl_codec::SpanTable>,
}

impl FoundMachine {
    /// The document model of the definition, read straight from its text when it has no value
    /// yet (the same model, and the same errors, as from the value).
    ///
    /// # Errors
    /// What in the definition does not fit the model.
    pub fn model(&self) -> Result<graph_model::StateMachine, graph_model::ShapeError> {
        match (&self.definition, self.text_root()) {
            (Some(definition), _) => graph_model::StateMachine::from_value(definition),
            (None, Some((text, root))) => {
                graph_model::StateMachine::from_source(asl_codec::json::TextValue::new(text, root))
            }
            (None, None) => graph_model::StateMachine::from_value(&Value::Null),
        }
    }

    /// The definition as a value, built from the text when it has none yet.
    #[must_use]
    pub fn definition(&self) -> std::borrow::Cow<'_, Value> {
        match (&self.definition, self.text_root()) {
            (Some(definition), _) => std::borrow::Cow::Borrowed(definition),
            (None, Some((text, root))) => {
                std::borrow::Cow::Owned(asl_codec::json::value_at(text, root))
            }
            (None, None) => std::borrow::Cow::Owned(Value::Null),
        }
    }

    fn text_root(&self) -> Option<(&str, asl_codec::span::SpanRef<'_>)> {
        let root = self.spans.as_ref()?.root()?;
        Some((self.text.as_deref()?, root))
    }
}

/// What a file holds.
#[derive(Clone, Debug, PartialEq)]
pub struct FoundFile {
    /// The definition's format.
    pub format: TextFormat,
    /// The state machines, one for a plain definition, one or more for a template.
    pub machines: Vec<FoundMachine>,
    /// Whether the file is a template (saving then writes the definition elsewhere).
    pub is_template: bool,
}

/// Parses a file's text through the codec's loader: ASL JSON or YAML, or a SAM/CloudFormation
/// template. `base_dir` (the file's folder) resolves a template's `DefinitionUri`.
///
/// # Errors
/// A message naming the line and column of a syntax error, or saying that the file holds no state
/// machine.
pub fn parse_file(
    label: &str,
    text: &str,
    format: TextFormat,
    base_dir: Option<&Path>,
) -> Result<FoundFile, String> {
    if asl_codec::load::is_terraform_path(Path::new(label)) {
        return parse_terraform(label, text, format, base_dir);
    }
    let loaded =
        asl_codec::load_text(text, format.into(), base_dir).map_err(|error| match error {
            // Kept without the label: the designer shows syntax errors as `line:col: message`.
            asl_codec::LoadError::Syntax(syntax) => syntax.to_string(),
            other => format!("{label}: {other}"),
        })?;
    match loaded {
        asl_codec::Loaded::Asl(source) => {
            let is_object = match source.spans() {
                Some(root) => root.kind() == asl_codec::span::SpanKind::Object,
                None => source.value().is_object(),
            };
            if !is_object {
                return Err(format!(
                    "{label}: a state machine definition must be a JSON object"
                ));
            }
            // Taken, not copied: the text of a big definition is megabytes. A JSON file's value
            // is not built here (see `FoundMachine::definition`).
            let (text, definition, spans) = source.into_parts();
            Ok(FoundFile {
                format,
                machines: vec![FoundMachine {
                    label: label.to_owned(),
                    definition,
                    text: Some(text),
                    spans,
                }],
                is_template: false,
            })
        }
        asl_codec::Loaded::Template { machines, .. } => {
            if machines.is_empty() {
                return Err(format!(
                    "{label}: the template has no AWS::StepFunctions::StateMachine or \
                     AWS::Serverless::StateMachine resource"
                ));
            }
            Ok(FoundFile {
                format,
                machines: machines
                    .into_iter()
                    .map(|m| FoundMachine {
                        label: m.logical_id,
                        definition: Some(m.definition),
                        text: None,
                        spans: None,
                    })
                    .collect(),
                is_template: true,
            })
        }
    }
}

/// The state machines of a Terraform `.tf` file, each labelled with its resource address. A
/// machine whose definition cannot be read (chosen by a conditional, passed in as a variable) is
/// left out; a file with none that can be read is an error that says why.
fn parse_terraform(
    label: &str,
    text: &str,
    format: TextFormat,
    base_dir: Option<&Path>,
) -> Result<FoundFile, String> {
    use asl_codec::terraform::{self, DefinitionForm};
    let machines =
        terraform::extract(text, base_dir).map_err(|error| format!("{label}:{error}"))?;
    let mut refused = Vec::new();
    let mut found = Vec::new();
    for machine in machines {
        match machine.form {
            DefinitionForm::Unsupported { reason } => {
                refused.push(format!("{}: {reason}", machine.address));
            }
            _ => found.push(FoundMachine {
                label: machine.address,
                definition: Some(machine.definition),
                text: None,
                spans: None,
            }),
        }
    }
    if found.is_empty() {
        return Err(if refused.is_empty() {
            format!(
                "{label}: no {} resource in this file",
                terraform::RESOURCE_TYPE
            )
        } else {
            format!(
                "{label}: no definition that can be opened:\n{}",
                refused.join("\n")
            )
        });
    }
    Ok(FoundFile {
        format,
        machines: found,
        is_template: true,
    })
}

/// Writes an exported stack's files into `dir`, each atomically, and returns their paths. Unless
/// `replace`, nothing is written when any of them already exists (the error ends with
/// `replace_hint`, how to replace them). The CLI's `export` and the
/// designer's Export stack dialog share it.
///
/// # Errors
/// A message naming the files that already exist, or the file that could not be written.
pub fn write_stack(
    store: &dyn FileStore,
    dir: &Path,
    exported: &asl_codec::deploy::Export,
    replace: bool,
    replace_hint: &str,
) -> Result<Vec<PathBuf>, String> {
    let paths: Vec<PathBuf> = exported
        .files
        .iter()
        .map(|file| dir.join(&file.name))
        .collect();
    if !replace {
        let existing: Vec<String> = paths
            .iter()
            .filter(|path| store.exists(path))
            .map(|path| path.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(format!(
                "{} already exist{}; nothing written ({replace_hint})",
                existing.join(", "),
                if existing.len() == 1 { "s" } else { "" }
            ));
        }
    }
    for (path, file) in paths.iter().zip(&exported.files) {
        store
            .write_atomic(path, &file.contents)
            .map_err(|error| format!("{}: cannot write: {error}", path.display()))?;
    }
    Ok(paths)
}

/// Parses text in the given format into a JSON value through the codec's loader, with line:col in
/// the error (an empty text is an error, not `null`).
///
/// # Errors
/// A message with the line and column of the syntax error.
pub fn parse_value(text: &str, format: TextFormat) -> Result<Value, String> {
    asl_codec::load::parse_source(text, format.into())
        .map(|source| source.value().clone())
        .map_err(|error| error.to_string())
}

/// Writes a definition in the canonical layout of a format (JSON as `JSON.stringify(v, null, 2)`).
#[must_use]
pub fn write_value(value: &Value, format: TextFormat) -> String {
    asl_codec::format_canonical(value, format.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_sits_next_to_the_definition() {
        assert_eq!(
            sidecar_path(Path::new("/tmp/flows/etl.asl.json")),
            PathBuf::from("/tmp/flows/etl.asl.json.layout.json")
        );
    }

    #[test]
    fn a_template_yields_each_inline_machine() {
        let template = r#"{"Resources": {
            "First": {"Type": "AWS::StepFunctions::StateMachine",
                      "Properties": {"Definition": {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}}},
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Second": {"Type": "AWS::StepFunctions::StateMachine",
                       "Properties": {"DefinitionString": {"Fn::Join": ["", ["{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":\"Task\",\"Resource\":\"", {"Fn::GetAtt": ["Fn", "Arn"]}, "\",\"End\":true}}}"]]}}}
        }}"#;
        let found = parse_file("t.json", template, TextFormat::Json, None).expect("valid template");
        assert!(found.is_template);
        let labels: Vec<_> = found.machines.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["First", "Second"]);
        assert!(found.machines[1].definition()["States"]["B"]["Resource"].is_string());
    }

    #[test]
    fn a_syntax_error_names_line_and_column() {
        let error = parse_file("x.json", "{\n  \"StartAt\": }", TextFormat::Json, None)
            .expect_err("broken JSON");
        assert!(error.starts_with("2:"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn the_designer_refuses_a_device_instead_of_reading_it_forever() {
        let error = NativeFiles
            .read_text(Path::new("/dev/zero"))
            .expect_err("a device is not a file");
        assert!(error.to_string().contains("not a regular file"), "{error}");
    }

    #[test]
    fn an_empty_file_does_not_open_as_null() {
        let error = parse_file("e.yaml", "", TextFormat::Yaml, None).expect_err("empty");
        assert!(error.contains("empty"), "{error}");
        assert!(parse_value(" \n", TextFormat::Json).is_err());
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("asl-studio-files-{}", std::process::id()));
        let path = dir.join("a.asl.json");
        NativeFiles.write_atomic(&path, "one").expect("write");
        NativeFiles.write_atomic(&path, "two").expect("rewrite");
        assert_eq!(NativeFiles.read_text(&path).expect("read"), "two");
        let entries = std::fs::read_dir(&dir).expect("dir").count();
        assert_eq!(entries, 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
