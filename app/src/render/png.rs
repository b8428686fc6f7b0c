//! PNG: the SVG picture rasterised by resvg (pure Rust, no system libraries), with text in the
//! fonts egui already bundles (Ubuntu Light for names, Noto Emoji and Hack as fallbacks), so a
//! PNG looks the same on every machine, headless CI included.

use std::sync::{Arc, OnceLock};

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg;

/// Why a PNG could not be made.
#[derive(Debug, PartialEq)]
pub enum PngError {
    /// Our own SVG did not parse (a bug: please report it).
    Svg(String),
    /// The picture at this scale has no pixels, or more than a PNG renderer can allocate.
    Size {
        /// Width in pixels.
        width: f32,
        /// Height in pixels.
        height: f32,
    },
    /// Encoding failed.
    Encode(String),
}

impl std::fmt::Display for PngError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Svg(error) => write!(f, "the picture could not be rasterised: {error}"),
            Self::Size { width, height } => write!(
                f,
                "the picture would be {width:.0}x{height:.0} pixels; choose a --scale that gives \
                 between 1 and {MAX_SIDE} pixels a side and {MAX_PIXELS} pixels in all"
            ),
            Self::Encode(error) => write!(f, "PNG encoding failed: {error}"),
        }
    }
}

impl std::error::Error for PngError {}

/// The longest side a PNG may have (see [`super::MAX_PNG_SIDE`]).
pub const MAX_SIDE: f32 = super::MAX_PNG_SIDE;

/// Largest pixel count (see [`super::MAX_PNG_PIXELS`]).
pub const MAX_PIXELS: f32 = super::MAX_PNG_PIXELS;

/// The font database, built once: egui's bundled fonts only (no system fonts are read).
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            let definitions = egui::FontDefinitions::default();
            for data in definitions.font_data.values() {
                let bytes: &[u8] = AsRef::<[u8]>::as_ref(&**data);
                db.load_font_data(bytes.to_vec());
            }
            // Every family of the SVG's font stack falls back to the first proportional font.
            let family = db
                .faces()
                .flat_map(|face| face.families.iter())
                .map(|(name, _)| name.clone())
                .find(|name| name.starts_with("Ubuntu"));
            if let Some(family) = family {
                db.set_sans_serif_family(family.clone());
                db.set_serif_family(family);
            }
            Arc::new(db)
        })
        .clone()
}

/// Rasterises an SVG made by [`super::to_svg`] at `scale` pixels per unit and encodes it as PNG.
///
/// # Errors
/// [`PngError`] when the size is out of range or the SVG does not parse.
pub fn to_png(svg: &str, scale: f32) -> Result<Vec<u8>, PngError> {
    let options = usvg::Options {
        fontdb: fonts(),
        font_family: "Ubuntu".to_owned(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| PngError::Svg(e.to_string()))?;
    let size = tree.size();
    let (width, height) = (size.width() * scale, size.height() * scale);
    let fits = scale.is_finite()
        && width >= 1.0
        && height >= 1.0
        && width <= MAX_SIDE
        && height <= MAX_SIDE
        && width * height <= MAX_PIXELS;
    if !fits {
        return Err(PngError::Size { width, height });
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // Checked just above.
    let mut pixmap = Pixmap::new(width.ceil() as u32, height.ceil() as u32)
        .ok_or(PngError::Size { width, height })?;
    resvg::render(
        &tree,
        Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PngError::Encode(e.to_string()))
}
