//! Thin wrappers over the browser APIs the studio uses: local storage, downloads, the file
//! picker, the clipboard, the URL fragment, timing and DOM events. Each returns a `Result` whose
//! error names what failed, so callers can show it instead of panicking.

use std::cell::RefCell;
use std::collections::VecDeque;

use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;

/// A browser call that failed, with what we were doing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{action}: {detail}")]
pub struct BrowserError {
    /// What we tried ("write local storage").
    pub action: &'static str,
    /// What the browser said.
    pub detail: String,
}

impl BrowserError {
    fn new(action: &'static str, value: &JsValue) -> Self {
        Self {
            action,
            detail: describe(value),
        }
    }

    fn missing(action: &'static str, what: &str) -> Self {
        Self {
            action,
            detail: format!("{what} is not available"),
        }
    }
}

impl From<BrowserError> for JsValue {
    fn from(error: BrowserError) -> Self {
        js_sys::Error::new(&error.to_string()).into()
    }
}

/// A JavaScript value (usually an `Error`) as text.
#[must_use]
pub fn describe(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

fn window(action: &'static str) -> Result<web_sys::Window, BrowserError> {
    web_sys::window().ok_or_else(|| BrowserError::missing(action, "window"))
}

fn document(action: &'static str) -> Result<web_sys::Document, BrowserError> {
    window(action)?
        .document()
        .ok_or_else(|| BrowserError::missing(action, "document"))
}

fn local_storage(action: &'static str) -> Result<web_sys::Storage, BrowserError> {
    window(action)?
        .local_storage()
        .map_err(|e| BrowserError::new(action, &e))?
        .ok_or_else(|| BrowserError::missing(action, "localStorage"))
}

/// Milliseconds since the page started loading (`performance.now()`), or 0 without a clock.
#[must_use]
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The page's canvas with this element id.
///
/// # Errors
/// When there is no such element or it is not a canvas.
pub fn canvas_by_id(id: &str) -> Result<web_sys::HtmlCanvasElement, BrowserError> {
    const ACTION: &str = "find the canvas";
    document(ACTION)?
        .get_element_by_id(id)
        .ok_or_else(|| BrowserError::missing(ACTION, &format!("an element with id '{id}'")))?
        .dyn_into::<web_sys::HtmlCanvasElement>()
        .map_err(|_| BrowserError::missing(ACTION, &format!("a <canvas> with id '{id}'")))
}

/// Reads a local-storage entry.
///
/// # Errors
/// When local storage is unavailable (private mode, disabled).
pub fn storage_get(key: &str) -> Result<Option<String>, BrowserError> {
    const ACTION: &str = "read local storage";
    local_storage(ACTION)?
        .get_item(key)
        .map_err(|e| BrowserError::new(ACTION, &e))
}

/// Writes a local-storage entry.
///
/// # Errors
/// When local storage is unavailable or full (quota).
pub fn storage_set(key: &str, value: &str) -> Result<(), BrowserError> {
    const ACTION: &str = "write local storage";
    local_storage(ACTION)?
        .set_item(key, value)
        .map_err(|e| BrowserError::new(ACTION, &e))
}

/// Removes a local-storage entry; a missing one is fine.
///
/// # Errors
/// When local storage is unavailable.
pub fn storage_remove(key: &str) -> Result<(), BrowserError> {
    const ACTION: &str = "remove from local storage";
    local_storage(ACTION)?
        .remove_item(key)
        .map_err(|e| BrowserError::new(ACTION, &e))
}

/// Offers `text` to the user as a downloaded file named `file_name`.
///
/// # Errors
/// When the browser refuses to make the blob or the link.
pub fn download_text(file_name: &str, text: &str, mime: &str) -> Result<(), BrowserError> {
    const ACTION: &str = "start the download";
    let err = |e: JsValue| BrowserError::new(ACTION, &e);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(err)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(err)?;
    let document = document(ACTION)?;
    let anchor = document
        .create_element("a")
        .map_err(err)?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| BrowserError::missing(ACTION, "<a> elements"))?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    // The click has handed the blob to the download manager; keeping the URL would leak it.
    web_sys::Url::revoke_object_url(&url).map_err(err)?;
    Ok(())
}

/// Puts `text` on the system clipboard (asynchronously; failures are logged).
pub fn copy_to_clipboard(text: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = wasm_bindgen_futures::JsFuture::from(promise).await {
            warn(&format!(
                "copy to the clipboard failed: {}",
                describe(&error)
            ));
        }
    });
}

/// The URL fragment without its `#` (empty when there is none).
#[must_use]
pub fn location_fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|hash| hash.strip_prefix('#').map(str::to_owned).unwrap_or(hash))
        .unwrap_or_default()
}

/// The page's address without its fragment.
#[must_use]
pub fn location_without_fragment() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    let href = location.href().unwrap_or_default();
    match href.split_once('#') {
        Some((base, _)) => base.to_owned(),
        None => href,
    }
}

/// Replaces the URL fragment without adding a history entry (`fragment` without `#`; empty
/// removes it).
///
/// # Errors
/// When the history API refuses.
pub fn replace_fragment(fragment: &str) -> Result<(), BrowserError> {
    const ACTION: &str = "update the address";
    let url = if fragment.is_empty() {
        location_without_fragment()
    } else {
        format!("{}#{fragment}", location_without_fragment())
    };
    window(ACTION)?
        .history()
        .map_err(|e| BrowserError::new(ACTION, &e))?
        .replace_state_with_url(&JsValue::NULL, "", Some(&url))
        .map_err(|e| BrowserError::new(ACTION, &e))
}

/// Fires a `CustomEvent` named `name` on `document`, for the page's own script and for tests.
pub fn dispatch_document_event(name: &str, detail: &JsValue) {
    let Ok(document) = document("dispatch an event") else {
        return;
    };
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = document.dispatch_event(&event);
    }
}

/// A file the user chose or dropped, read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingFile {
    /// The file's name (browsers give no folder).
    pub name: String,
    /// Its contents.
    pub text: String,
}

thread_local! {
    /// Files that have finished reading and wait for the next frame to hand them to the app.
    static INCOMING: RefCell<VecDeque<Result<IncomingFile, String>>> = const { RefCell::new(VecDeque::new()) };
}

/// Takes the files read since the last call (errors say which file could not be read).
#[must_use]
pub fn take_incoming() -> Vec<Result<IncomingFile, String>> {
    INCOMING.with_borrow_mut(|queue| queue.drain(..).collect())
}

fn push_incoming(item: Result<IncomingFile, String>) {
    INCOMING.with_borrow_mut(|queue| queue.push_back(item));
}

thread_local! {
    static REPAINT: RefCell<Option<egui::Context>> = const { RefCell::new(None) };
}

/// Remembers the egui context so that asynchronous reads can wake the app.
pub fn set_repaint_context(ctx: &egui::Context) {
    REPAINT.with_borrow_mut(|slot| *slot = Some(ctx.clone()));
}

/// Asks for a frame soon (after a change made from JavaScript or by a background read).
pub fn request_repaint_now() {
    REPAINT.with_borrow(|slot| {
        if let Some(ctx) = slot {
            ctx.request_repaint();
        }
    });
}

/// Reads a browser `File` as UTF-8 text in the background; the result arrives through
/// [`take_incoming`].
pub fn read_file_in_background(file: web_sys::File) {
    read_text_then(file, push_incoming);
}

/// Reads a browser `File` as UTF-8 text in the background and hands the result (or what went
/// wrong, naming the file) to `deliver`, then asks for a frame.
pub fn read_text_then(
    file: web_sys::File,
    deliver: impl FnOnce(Result<IncomingFile, String>) + 'static,
) {
    wasm_bindgen_futures::spawn_local(async move {
        let name = file.name();
        let result = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(text) => text
                .as_string()
                .map(|text| IncomingFile {
                    name: name.clone(),
                    text,
                })
                .ok_or_else(|| format!("{name}: the browser gave no text")),
            Err(error) => Err(format!("{name}: {}", describe(&error))),
        };
        deliver(result);
        request_repaint_now();
    });
}

/// Opens the browser's file picker for the designer's "Open". The chosen file arrives later
/// through [`take_incoming`].
///
/// Browsers only open the picker shortly after a user gesture; a click in the app is one, since
/// the frame that handles it runs within the browser's activation window.
///
/// # Errors
/// When the hidden input cannot be made.
pub fn open_file_picker() -> Result<(), BrowserError> {
    show_file_picker(
        "asl-studio-file-picker",
        ".json,.yaml,.yml,.template,.asl,application/json,text/yaml",
        read_file_in_background,
    )
}

thread_local! {
    /// The hidden `<input type=file>` elements behind the pickers, by element id, made once each.
    static PICKERS: RefCell<Vec<(&'static str, web_sys::HtmlInputElement)>> = const { RefCell::new(Vec::new()) };
}

/// Shows the browser's file picker through a hidden `<input type=file>` with element id
/// `input_id` (made on first use) that accepts `accept`; each chosen file goes to `on_file`.
///
/// # Errors
/// When the hidden input cannot be made.
pub fn show_file_picker(
    input_id: &'static str,
    accept: &str,
    on_file: fn(web_sys::File),
) -> Result<(), BrowserError> {
    const ACTION: &str = "open the file picker";
    let existing = PICKERS.with_borrow(|pickers| {
        pickers
            .iter()
            .find(|(id, _)| *id == input_id)
            .map(|(_, input)| input.clone())
    });
    let input = match existing {
        Some(input) => input,
        None => {
            let document = document(ACTION)?;
            let input = document
                .create_element("input")
                .map_err(|e| BrowserError::new(ACTION, &e))?
                .dyn_into::<web_sys::HtmlInputElement>()
                .map_err(|_| BrowserError::missing(ACTION, "<input> elements"))?;
            input.set_type("file");
            input.set_accept(accept);
            input.set_id(input_id);
            let _ = input.style().set_property("display", "none");
            let on_change =
                Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                    let Some(input) = event
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                    else {
                        return;
                    };
                    if let Some(files) = input.files() {
                        for index in 0..files.length() {
                            if let Some(file) = files.get(index) {
                                on_file(file);
                            }
                        }
                    }
                    // Choosing the same file again must fire `change` again.
                    input.set_value("");
                });
            input.set_onchange(Some(on_change.as_ref().unchecked_ref()));
            // The input lives as long as the page, and so must its handler.
            on_change.forget();
            if let Some(body) = document.body() {
                body.append_child(&input)
                    .map_err(|e| BrowserError::new(ACTION, &e))?;
            }
            PICKERS.with_borrow_mut(|pickers| pickers.push((input_id, input.clone())));
            input
        }
    };
    input.click();
    Ok(())
}

/// Writes a warning to the browser console (where the page's developer looks).
pub fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}
