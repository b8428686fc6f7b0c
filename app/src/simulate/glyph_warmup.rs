//! Rasterises the monospace glyphs the finished run's views use while the run is still going.
//!
//! The events list and the event's JSON are the first monospace text of a session: in the frames
//! that first show them, egui rasterised (and hinted) every glyph at each of its four sub-pixel
//! offsets, a few milliseconds natively and most of the completing frame in the browser. A run
//! long enough to take several frames leaves room in each for a few glyphs, and egui keeps a
//! rasterised glyph for the whole session, so the completing frames only lay the text out.

use egui::{Color32, FontId, TextStyle};

/// Characters whose glyphs are rasterised per frame, each at its four sub-pixel offsets. Hinting
/// dominates: in the browser eight characters took a fifth of the frame that started map10k
/// (which no longer warms up). Four finish the printable ASCII in 24 frames; map10k's run takes
/// about 35 in the browser.
const CHARS_PER_FRAME: usize = 4;

/// How many times each glyph is repeated: a monospace advance is not a whole number of pixels, so
/// four copies in a row land on the four sub-pixel bins egui rasterises a glyph at.
const COPIES: usize = 4;

/// The printable ASCII characters: what JSON, event names and timestamps are written with.
fn printable() -> impl Iterator<Item = char> {
    (b' '..=b'~').map(char::from)
}

/// Where the warm-up is: the next character to rasterise.
#[derive(Debug, Default)]
pub struct GlyphWarmup {
    next: usize,
}

impl GlyphWarmup {
    /// Whether every glyph has been rasterised.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.next >= printable().count()
    }

    /// Rasterises the next few glyphs in the fonts the run's views use: the monospace text style
    /// (the events list) and the 12 px monospace font of JSON values.
    pub fn step(&mut self, ctx: &egui::Context) {
        if self.is_done() {
            return;
        }
        let chunk: String = printable()
            .skip(self.next)
            .take(CHARS_PER_FRAME)
            .flat_map(|c| std::iter::repeat_n(c, COPIES))
            .collect();
        self.next += CHARS_PER_FRAME;
        let style_font = ctx
            .global_style()
            .text_styles
            .get(&TextStyle::Monospace)
            .cloned();
        let json_font = FontId::monospace(crate::simulate::dataflow::JSON_FONT_SIZE);
        ctx.fonts_mut(|fonts| {
            for font in style_font.into_iter().chain([json_font]) {
                // The galley is dropped: what stays is the glyphs in egui's font atlas.
                let _galley = fonts.layout_no_wrap(chunk.clone(), font, Color32::WHITE);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_ends_once_every_printable_character_is_drawn() {
        let ctx = egui::Context::default();
        let mut warmup = GlyphWarmup::default();
        let mut frames = 0;
        while !warmup.is_done() {
            // Fonts exist only inside a pass; no painter takes the glyph atlas's updates here.
            let mut output = ctx.run_ui(egui::RawInput::default(), |ui| warmup.step(ui.ctx()));
            output.textures_delta.clear();
            frames += 1;
            assert!(frames <= 95, "still warming up after {frames} frames");
        }
        assert_eq!(frames, 95_usize.div_ceil(CHARS_PER_FRAME));
    }
}
