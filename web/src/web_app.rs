//! The running app in the page, and the functions exported to JavaScript.
//!
//! `WebApp` wraps the designer (through the [`Studio`] trait) and adds what only a browser
//! needs: files arriving from the picker or a drop, autosave to local storage with recovery after a
//! reload, share links in the URL fragment, and the first-frame signal for the loading screen.

use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;

use crate::autosave::{autosave_record, read_autosave_record};
use crate::browser;
use crate::share;
use crate::studio::{StartWith, Studio};

/// Local-storage key of the autosaved work (a [`crate::autosave`] record), written when it
/// changes.
const AUTOSAVE_KEY: &str = "asl-studio:autosave";
/// Autosave at most this often, in milliseconds: a drag produces many edits per second.
const AUTOSAVE_INTERVAL_MS: f64 = 1_000.0;

thread_local! {
    static RUNNER: RefCell<Option<eframe::WebRunner>> = const { RefCell::new(None) };
    static FIRST_FRAME_MS: Cell<Option<f64>> = const { Cell::new(None) };
}

/// The designer plus the browser's services.
struct WebApp {
    studio: Box<dyn Studio>,
    /// The document version last autosaved (or found unchanged): writing out a big document
    /// costs tens of milliseconds, too much to do every second only to compare.
    last_autosaved_version: Option<(u64, u64)>,
    last_autosaved: Option<String>,
    last_autosave_ms: f64,
    /// Whether the designer was opening or laying out a document in the last frame (the frame
    /// that installs a layout draws it for the first time: no autosave on top of that).
    busy_last_frame: bool,
}

impl WebApp {
    /// Hands files the user chose or dropped to the designer.
    fn take_incoming_files(&mut self) {
        for incoming in browser::take_incoming() {
            match incoming {
                Ok(file) => {
                    // The designer shows what is wrong with a file itself; the console keeps a copy.
                    if let Err(message) = self.studio.open_text(&file.name, &file.text) {
                        browser::warn(&format!("{}: {message}", file.name));
                    }
                }
                Err(message) => browser::warn(&message),
            }
        }
    }

    /// Writes the current definition to local storage when it changed, at most once a second: a
    /// drag makes many edits per second. A frame that comes too soon books one for later, so the
    /// last edit is saved even when nothing else happens.
    fn autosave(&mut self, ctx: &egui::Context) {
        let version = self.studio.document_version();
        if version.is_some() && version == self.last_autosaved_version {
            return;
        }
        let busy = self.studio.is_laying_out();
        if std::mem::replace(&mut self.busy_last_frame, busy) || busy {
            // Those frames are busy already; the document is saved once it is shown.
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(
                AUTOSAVE_INTERVAL_MS / 1000.0,
            ));
            return;
        }
        let since_ms = browser::now_ms() - self.last_autosave_ms;
        if since_ms < AUTOSAVE_INTERVAL_MS {
            let wait_ms = AUTOSAVE_INTERVAL_MS - since_ms;
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(wait_ms / 1000.0));
            return;
        }
        self.autosave_now();
    }

    /// Writes the current definition to local storage if it changed since the last write.
    fn autosave_now(&mut self) {
        self.last_autosave_ms = browser::now_ms();
        let version = self.studio.document_version();
        let record = autosave_record(&self.studio.document_name(), &self.studio.autosave_text());
        if self.last_autosaved.as_deref() == Some(record.as_str()) {
            self.last_autosaved_version = version;
            return;
        }
        match browser::storage_set(AUTOSAVE_KEY, &record) {
            Ok(()) => {
                self.last_autosaved = Some(record);
                self.last_autosaved_version = version;
            }
            Err(error) => browser::warn(&format!("autosave: {error}")),
        }
    }
}

impl eframe::App for WebApp {
    fn raw_input_hook(&mut self, ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        // eframe puts files dropped on the canvas into the input; on the web they carry only a
        // name, which the designer could not read from, so we read them ourselves and keep them
        // from it.
        for file in std::mem::take(&mut raw_input.dropped_files) {
            if let Some(web_file) = file.web_file() {
                browser::read_file_in_background(web_file.clone());
            }
        }
        self.studio.raw_input_hook(ctx, raw_input);
    }

    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        self.take_incoming_files();
        self.studio.logic(ctx, frame);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.studio.ui(ui, frame);
        self.autosave(ui.ctx());
        if FIRST_FRAME_MS.get().is_none() {
            // The frame's paint follows this call within the same animation frame.
            let now = browser::now_ms();
            FIRST_FRAME_MS.set(Some(now));
            browser::dispatch_document_event("asl-studio-first-frame", &JsValue::from_f64(now));
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.autosave_now();
        self.studio.save(storage);
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(&mut *self)
    }
}

/// What the page starts with: a share link in the fragment wins, then the autosaved work, then
/// the bundled sample.
fn start_source() -> StartWith {
    let fragment = browser::location_fragment();
    if !fragment.is_empty() {
        match share::decode_fragment(&fragment) {
            Ok(text) => {
                // The link has done its job: without it a reload restores the autosaved edits
                // instead of the shared original.
                if let Err(error) = browser::replace_fragment("") {
                    browser::warn(&format!("share link: {error}"));
                }
                return StartWith::Text {
                    name: "shared.asl.json".to_owned(),
                    text,
                };
            }
            Err(share::ShareLinkError::NotAShareLink) => {}
            Err(error) => browser::warn(&format!("share link: {error}")),
        }
    }
    match browser::storage_get(AUTOSAVE_KEY) {
        Ok(Some(record)) => match read_autosave_record(&record) {
            Some((name, text)) if !text.trim().is_empty() => StartWith::Text { name, text },
            _ => StartWith::Sample,
        },
        Ok(None) => StartWith::Sample,
        Err(error) => {
            browser::warn(&format!("autosave: {error}"));
            StartWith::Sample
        }
    }
}

/// Starts ASL Studio on the `<canvas>` with this id. Resolves once the app runs; its first frame
/// fires the `asl-studio-first-frame` event on `document`.
///
/// # Errors
/// When the canvas is missing, WebGL2 cannot start, or the app is already running.
#[wasm_bindgen]
pub async fn start(canvas_id: String) -> Result<(), JsValue> {
    if RUNNER.with_borrow(Option::is_some) {
        return Err(js_sys::Error::new("ASL Studio is already running on this page").into());
    }
    let canvas = browser::canvas_by_id(&canvas_id)?;
    let runner = eframe::WebRunner::new();
    let web_options = eframe::WebOptions::default();
    let source = start_source();
    runner
        .start(
            canvas,
            web_options,
            Box::new(move |cc| {
                browser::set_repaint_context(&cc.egui_ctx);
                Ok(Box::new(WebApp {
                    studio: crate::studio::create(cc, source),
                    last_autosaved_version: None,
                    last_autosaved: None,
                    last_autosave_ms: f64::NEG_INFINITY,
                    busy_last_frame: false,
                }))
            }),
        )
        .await?;
    // Leaving or reloading the page: save what the last second of edits changed.
    if let Some(window) = web_sys::window() {
        runner.add_event_listener(&window, "pagehide", |_: web_sys::Event, app_runner| {
            app_runner.app_mut::<WebApp>().autosave_now();
        })?;
    }
    RUNNER.with_borrow_mut(|slot| *slot = Some(runner));
    Ok(())
}

/// Runs `f` on the running app.
fn with_app<T>(f: impl FnOnce(&mut WebApp) -> T) -> Result<T, JsValue> {
    RUNNER.with_borrow(|runner| {
        let runner = runner
            .as_ref()
            .ok_or_else(|| js_sys::Error::new("ASL Studio is not running: call start() first"))?;
        if runner.has_panicked() {
            return Err(js_sys::Error::new("ASL Studio stopped after an internal error").into());
        }
        let mut app = runner
            .app_mut::<WebApp>()
            .ok_or_else(|| js_sys::Error::new("ASL Studio is busy drawing a frame; try again"))?;
        Ok(f(&mut app))
    })
}

fn repaint() {
    browser::request_repaint_now();
}

/// Runs `f` on the running designer (for the exports of other modules).
pub(crate) fn with_studio<T>(f: impl FnOnce(&mut dyn Studio) -> T) -> Result<T, JsValue> {
    with_app(|app| f(app.studio.as_mut()))
}

/// Opens a definition (ASL JSON or YAML, or a SAM/CloudFormation template) from text, as if the
/// user had opened a file named `name`.
///
/// # Errors
/// When the app is not running, or the text cannot be read as a definition (the message says
/// where).
#[wasm_bindgen(js_name = loadDefinition)]
pub fn load_definition(text: &str, name: Option<String>) -> Result<(), JsValue> {
    let name = name.unwrap_or_else(|| "definition.asl.json".to_owned());
    let result = with_app(|app| app.studio.open_text(&name, text))?;
    repaint();
    result.map_err(|message| js_sys::Error::new(&message).into())
}

/// The current definition as ASL JSON text (what "Save" would write).
///
/// # Errors
/// When the app is not running.
#[wasm_bindgen(js_name = currentAsl)]
pub fn current_asl() -> Result<String, JsValue> {
    with_app(|app| app.studio.current_asl())
}

/// The name of the selected state when exactly one is selected, else `undefined`.
///
/// # Errors
/// When the app is not running.
#[wasm_bindgen(js_name = selectedState)]
pub fn selected_state() -> Result<Option<String>, JsValue> {
    with_app(|app| app.studio.selected_state())
}

/// Where a top-level state is drawn, in CSS pixels of the canvas: `[x, y, width, height]`, or
/// `undefined` when it is not on screen.
///
/// # Errors
/// When the app is not running.
#[wasm_bindgen(js_name = stateRect)]
pub fn state_rect(name: &str) -> Result<Option<Vec<f32>>, JsValue> {
    with_app(|app| {
        app.studio
            .state_screen_rect(name)
            .map(|rect| vec![rect.min.x, rect.min.y, rect.width(), rect.height()])
    })
}

/// Runs the simulator on the current definition. `input` is JSON text (empty means `{}`);
/// `options` is JSON text as [`crate::simulate::options_from_json`] reads it. Returns the
/// execution result as JSON text.
///
/// # Errors
/// When the app is not running, or the input or options are not valid JSON.
#[wasm_bindgen]
pub fn simulate(input: &str, options: Option<String>) -> Result<String, JsValue> {
    let definition = current_asl()?;
    simulate_definition(&definition, input, options)
}

/// Runs the simulator on `definition` (ASL JSON text), independently of the app.
///
/// # Errors
/// When the definition, input or options are not valid JSON.
#[wasm_bindgen(js_name = simulateDefinition)]
pub fn simulate_definition(
    definition: &str,
    input: &str,
    options: Option<String>,
) -> Result<String, JsValue> {
    crate::simulate::run_json(definition, input, options.as_deref().unwrap_or(""))
        .map_err(|message| js_sys::Error::new(&message).into())
}

/// The simulator pane's state as JSON text: `phase` (`""`, `"executing"`, `"indexing"`,
/// `"ready"`), the last run's `status`, `error` and `output`, and the pane's `startError`,
/// `mockMessage`, `exportMessage` and `mockFile`.
///
/// # Errors
/// When the app is not running or has no simulator pane.
#[wasm_bindgen(js_name = simulatorState)]
pub fn simulator_state() -> Result<String, JsValue> {
    with_app(|app| app.studio.simulator_state())?
        .map(|state| state.to_string())
        .map_err(|message| js_sys::Error::new(&message).into())
}

/// Shows the Tests panel and presses its "Generate tests": a covering suite is generated on the
/// following frames (a few steps a frame), loaded as the mock file and run.
///
/// # Errors
/// When the app is not running or has no Tests panel.
#[wasm_bindgen(js_name = testsGenerate)]
pub fn tests_generate() -> Result<(), JsValue> {
    let result = with_app(|app| app.studio.tests_generate())?;
    repaint();
    result.map_err(|message| js_sys::Error::new(&message).into())
}

/// The Tests panel's state as JSON text: `busy`, `generating` (`cases`, `targetsLeft`, `rounds`,
/// or null), `generated` (`cases`, `gaps`, or null), `passed`, `failed` and `message`.
///
/// # Errors
/// When the app is not running or has no Tests panel.
#[wasm_bindgen(js_name = testsState)]
pub fn tests_state() -> Result<String, JsValue> {
    with_app(|app| app.studio.tests_state())?
        .map(|state| state.to_string())
        .map_err(|message| js_sys::Error::new(&message).into())
}

/// Presses the simulator pane's "Export history…": the last run's history downloads as
/// `execution-history.json` (AWS GetExecutionHistory JSON).
///
/// # Errors
/// When the app is not running or has no simulator pane.
#[wasm_bindgen(js_name = simulatorExportHistory)]
pub fn simulator_export_history() -> Result<(), JsValue> {
    let result = with_app(|app| app.studio.simulator_export_history())?;
    repaint();
    result.map_err(|message| js_sys::Error::new(&message).into())
}

/// Presses the simulator pane's "Open mock file…": the browser's file picker opens, and the
/// chosen AWS Step Functions Local mock file is imported into the pane on a later frame.
/// Browsers show the picker only during a user gesture.
///
/// # Errors
/// When the app is not running or has no simulator pane.
#[wasm_bindgen(js_name = simulatorOpenMockFile)]
pub fn simulator_open_mock_file() -> Result<(), JsValue> {
    let result = with_app(|app| app.studio.simulator_open_mock_file())?;
    repaint();
    result.map_err(|message| js_sys::Error::new(&message).into())
}

/// Replaces the simulator pane's input JSON text: the next run (F5) starts with it.
///
/// # Errors
/// When the app is not running or has no simulator pane.
#[wasm_bindgen(js_name = simulatorSetInput)]
pub fn simulator_set_input(text: &str) -> Result<(), JsValue> {
    let result = with_app(|app| app.studio.simulator_set_input(text))?;
    repaint();
    result.map_err(|message| js_sys::Error::new(&message).into())
}

/// What the designer shows of the document, as JSON text: `states`, `opening`, `problems`
/// (`errors`, `warnings`, `infos`) and `codeText` (the code view's text).
///
/// # Errors
/// When the app is not running or has no designer (the preview).
#[wasm_bindgen(js_name = designerState)]
pub fn designer_state() -> Result<String, JsValue> {
    with_app(|app| app.studio.designer_state())?
        .map(|state| state.to_string())
        .map_err(|message| js_sys::Error::new(&message).into())
}

/// Opens definitions over several frames (`true`, the default: [`load_definition`] returns
/// once the text is read, and checking it, indexing the code view and the layout follow a step
/// a frame) or all within the call (`false`).
///
/// # Errors
/// When the app is not running.
#[wasm_bindgen(js_name = setSpreadOpening)]
pub fn set_spread_opening(spread: bool) -> Result<(), JsValue> {
    with_app(|app| app.studio.set_spread_opening(spread))
}

/// Whether the designer is still opening or laying out the document: a big one is checked and
/// laid out a step or slice per frame (the page has one thread), with a progress bar meanwhile.
///
/// # Errors
/// When the app is not running.
#[wasm_bindgen(js_name = isLayingOut)]
pub fn is_laying_out() -> Result<bool, JsValue> {
    with_app(|app| app.studio.is_laying_out())
}

/// A link to this page that carries the current definition in its fragment.
///
/// # Errors
/// When the app is not running.
#[wasm_bindgen(js_name = shareLink)]
pub fn share_link() -> Result<String, JsValue> {
    let text = current_asl()?;
    Ok(format!(
        "{}#{}",
        browser::location_without_fragment(),
        share::encode_fragment(&text)
    ))
}

/// Puts the share link on the clipboard (asynchronously) and returns it.
///
/// # Errors
/// When the app is not running.
#[wasm_bindgen(js_name = copyShareLink)]
pub fn copy_share_link() -> Result<String, JsValue> {
    let link = share_link()?;
    browser::copy_to_clipboard(&link);
    Ok(link)
}

/// Offers the current definition as a download named `file_name`.
///
/// # Errors
/// When the app is not running or the browser refuses the download.
#[wasm_bindgen(js_name = downloadCurrent)]
pub fn download_current(file_name: Option<String>) -> Result<(), JsValue> {
    let text = current_asl()?;
    let name = file_name.unwrap_or_else(|| "state-machine.asl.json".to_owned());
    Ok(browser::download_text(&name, &text, "application/json")?)
}

/// Opens the browser's file picker; the chosen file opens in the app.
///
/// # Errors
/// When the picker cannot be made.
#[wasm_bindgen(js_name = openFilePicker)]
pub fn open_file_picker() -> Result<(), JsValue> {
    Ok(browser::open_file_picker()?)
}

/// Forgets the autosaved work (the next reload starts from the sample).
///
/// # Errors
/// When local storage is unavailable.
#[wasm_bindgen(js_name = clearAutosave)]
pub fn clear_autosave() -> Result<(), JsValue> {
    Ok(browser::storage_remove(AUTOSAVE_KEY)?)
}

/// `performance.now()` at the end of the first frame, in milliseconds since navigation started;
/// `undefined` until then.
#[wasm_bindgen(js_name = firstFrameMs)]
#[must_use]
pub fn first_frame_ms() -> Option<f64> {
    FIRST_FRAME_MS.get()
}

/// Whether the app stopped after a panic.
#[wasm_bindgen(js_name = hasPanicked)]
#[must_use]
pub fn has_panicked() -> bool {
    RUNNER.with_borrow(|runner| runner.as_ref().is_some_and(eframe::WebRunner::has_panicked))
}
