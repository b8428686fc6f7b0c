//! Pictures in the browser: File > Export diagram > PNG rasterised by the browser's own canvas
//! (SVG → `<img>` → `<canvas>` → `toBlob`), so the wasm carries no rasteriser (README, "Pictures":
//! resvg compiled to wasm was measured and costs download size for the same picture), and the
//! functions the page and the browser tests use to export pictures and compare versions.

use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::browser::{self, BrowserError};

/// The family the SVG's font stack names first (`render::svg::FONT_STACK`).
const PICTURE_FONT_FAMILY: &str = "Ubuntu";
/// egui's bundled font of that family (what resvg draws native PNGs with).
const PICTURE_FONT_KEY: &str = "Ubuntu-Light";

/// The SVG with egui's Ubuntu Light embedded as a web font: an SVG drawn as an image may load no
/// other file, and without it each browser would fall back to its own sans-serif, so the PNG
/// would not match the native one (resvg draws with exactly this font).
fn with_embedded_font(svg: &str) -> String {
    use base64::Engine as _;
    let definitions = egui::FontDefinitions::default();
    let (Some(font), Some(root_end)) = (
        definitions.font_data.get(PICTURE_FONT_KEY),
        svg.find("<svg")
            .and_then(|start| svg[start..].find('>').map(|end| start + end + 1)),
    ) else {
        return svg.to_owned();
    };
    let bytes: &[u8] = AsRef::<[u8]>::as_ref(&**font);
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let style = format!(
        "<defs><style>@font-face{{font-family:\"{PICTURE_FONT_FAMILY}\";\
         src:url(data:font/ttf;base64,{encoded}) format(\"truetype\")}}</style></defs>"
    );
    let mut out = String::with_capacity(svg.len() + style.len());
    out.push_str(&svg[..root_end]);
    out.push_str(&style);
    out.push_str(&svg[root_end..]);
    out
}

fn js_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// Draws the SVG on a `width` x `height` canvas and encodes it as PNG (resolves when done).
async fn rasterise(svg: String, width: u32, height: u32) -> Result<web_sys::Blob, JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| js_error("no document"))?;
    let parts = js_sys::Array::of1(&JsValue::from_str(&svg));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let image = document
        .create_element("img")?
        .dyn_into::<web_sys::HtmlImageElement>()
        .map_err(|_| js_error("no <img> elements"))?;
    image.set_src(&url);
    let decoded = JsFuture::from(image.decode()).await;
    // The image holds its pixels now (or failed); the URL is no longer needed either way.
    let _ = web_sys::Url::revoke_object_url(&url);
    decoded?;
    let canvas = document
        .create_element("canvas")?
        .dyn_into::<web_sys::HtmlCanvasElement>()
        .map_err(|_| js_error("no <canvas> elements"))?;
    canvas.set_width(width);
    canvas.set_height(height);
    let context = canvas
        .get_context("2d")?
        .ok_or_else(|| js_error("no 2D canvas context"))?
        .dyn_into::<web_sys::CanvasRenderingContext2d>()
        .map_err(|_| js_error("no 2D canvas context"))?;
    // Drawn at the final size, so the browser rasterises the vectors at that size (sharp text).
    context.draw_image_with_html_image_element_and_dw_and_dh(
        &image,
        0.0,
        0.0,
        f64::from(width),
        f64::from(height),
    )?;
    let encoded = js_sys::Promise::new(&mut |resolve, reject| {
        let on_blob = Closure::once_into_js(move |blob: JsValue| {
            let _ = if blob.is_null() {
                reject.call1(&JsValue::NULL, &js_error("the canvas gave no PNG"))
            } else {
                resolve.call1(&JsValue::NULL, &blob)
            };
        });
        // `toBlob` defaults to PNG.
        let _ = canvas.to_blob(on_blob.unchecked_ref());
    });
    JsFuture::from(encoded)
        .await?
        .dyn_into::<web_sys::Blob>()
        .map_err(|_| js_error("the canvas gave no PNG"))
}

fn download_blob(file_name: &str, blob: &web_sys::Blob) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| js_error("no document"))?;
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let anchor = document
        .create_element("a")?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| js_error("no <a> elements"))?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    web_sys::Url::revoke_object_url(&url)
}

/// Offers the PNG of `svg` at `width` x `height` pixels as a download named `file_name`. The
/// browser decodes and draws the picture in the background, so the download starts a moment
/// later; a failure then is logged to the console and shown by the designer, with the file's name.
pub fn download_png(file_name: &str, svg: &str, width: u32, height: u32) {
    let svg = with_embedded_font(svg);
    let name = file_name.to_owned();
    wasm_bindgen_futures::spawn_local(async move {
        let done = match rasterise(svg, width, height).await {
            Ok(blob) => download_blob(&name, &blob),
            Err(error) => Err(error),
        };
        if let Err(error) = done {
            let error = BrowserError {
                action: "make the PNG picture",
                detail: browser::describe(&error),
            };
            let message = format!("{name}: {error}");
            browser::warn(&message);
            crate::files::LATE_FAILURES.with_borrow_mut(|failures| failures.push(message));
        }
    });
}

/// File > Export diagram: `format` is `svg`, `png` or `mermaid`; `dark` picks the dark theme,
/// `scale` the PNG's pixels per canvas unit (as `asl-studio render --theme --scale`). The
/// picture downloads (a PNG a moment later, once the browser has drawn it).
///
/// # Errors
/// When the app is not running, or the format is unknown.
#[wasm_bindgen(js_name = exportDiagram)]
pub fn export_diagram(format: &str, dark: Option<bool>, scale: Option<f32>) -> Result<(), JsValue> {
    let result = crate::web_app::with_studio(|studio| {
        studio.export_diagram(format, dark.unwrap_or(false), scale.unwrap_or(1.0))
    })?;
    browser::request_repaint_now();
    result.map_err(|message| js_error(&message))
}

/// File > Compare with file…: the browser's file picker opens; the chosen version is compared
/// with the document when the browser has read it (a later frame), see [`comparison_state`].
///
/// # Errors
/// When the app is not running or has no designer.
#[wasm_bindgen(js_name = compareWithFile)]
pub fn compare_with_file() -> Result<(), JsValue> {
    let result = crate::web_app::with_studio(|studio| studio.compare_with_file())?;
    browser::request_repaint_now();
    result.map_err(|message| js_error(&message))
}

/// The comparison as JSON text: `pending` (a file was asked for and has not arrived),
/// `comparing`, `status` (the status line), `states` (marked state name → `added`, `changed` or
/// `renamed from <old name>`), `edges` (how many transitions are marked) and `removed`.
///
/// # Errors
/// When the app is not running or has no designer.
#[wasm_bindgen(js_name = comparisonState)]
pub fn comparison_state() -> Result<String, JsValue> {
    crate::web_app::with_studio(|studio| studio.comparison_state())?
        .map(|state| state.to_string())
        .map_err(|message| js_error(&message))
}
