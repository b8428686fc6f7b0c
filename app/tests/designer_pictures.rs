//! The designer's File > Export diagram > PNG and the asynchronous File > Compare with file… (the
//! browser's file picker answers on a later frame): both go through the platform's
//! `TextExchange`, faked here as the browser behaves.

mod common;

use common::designer::{sample_app as designer, sample_text};

use std::cell::RefCell;
use std::rc::Rc;

use asl_studio::StartSource;
use asl_studio::app::{DiagramExport, DiagramFormat};
use asl_studio::files::{OpenedText, SaveOutcome, TextExchange, TextPurpose, set_text_exchange};
use asl_studio::render::{Marks, RenderOptions, Scene, png_size, to_svg};
use egui_kittest::kittest::Queryable;

/// What the fake browser was asked and what it holds back.
#[derive(Default)]
struct Log {
    pngs: Vec<(String, String, f32)>,
    requested: Vec<(TextPurpose, Vec<String>)>,
    /// The file the user picks; it is handed over only once `arrived` is set (a later frame).
    picked: Option<OpenedText>,
    arrived: bool,
    /// Saves that failed after their frame (a PNG the browser could not draw).
    late_failures: Vec<String>,
}

/// A browser-like exchange: PNGs are recorded (a download), opened files arrive later.
struct LateBrowser(Rc<RefCell<Log>>);

impl TextExchange for LateBrowser {
    fn save_text(&mut self, suggested_name: &str, _text: &str) -> Result<SaveOutcome, String> {
        Ok(SaveOutcome::Downloaded(suggested_name.to_owned()))
    }

    fn request_open(&mut self, purpose: TextPurpose, extensions: &[&str]) {
        let extensions = extensions.iter().map(|e| (*e).to_owned()).collect();
        self.0.borrow_mut().requested.push((purpose, extensions));
    }

    fn take_opened(&mut self, purpose: TextPurpose) -> Option<Result<OpenedText, String>> {
        let mut log = self.0.borrow_mut();
        if purpose != TextPurpose::CompareFile || !log.arrived {
            return None;
        }
        log.picked.take().map(Ok)
    }

    fn save_png(
        &mut self,
        suggested_name: &str,
        svg: &str,
        scale: f32,
    ) -> Result<SaveOutcome, String> {
        png_size(svg, scale)?;
        self.0
            .borrow_mut()
            .pngs
            .push((suggested_name.to_owned(), svg.to_owned(), scale));
        Ok(SaveOutcome::Downloaded(suggested_name.to_owned()))
    }

    fn take_late_failure(&mut self) -> Option<String> {
        let mut log = self.0.borrow_mut();
        (!log.late_failures.is_empty()).then(|| log.late_failures.remove(0))
    }
}

fn install_late_browser() -> Rc<RefCell<Log>> {
    let log = Rc::new(RefCell::new(Log::default()));
    set_text_exchange(Box::new(LateBrowser(Rc::clone(&log))));
    log
}

#[test]
fn export_png_hands_the_themed_picture_and_scale_to_the_platform() {
    let log = install_late_browser();
    let mut app = designer();
    app.export_diagram(DiagramExport {
        format: DiagramFormat::Png,
        dark: true,
        scale: 3.0,
    });
    let pngs = std::mem::take(&mut log.borrow_mut().pngs);
    let [(name, svg, scale)] = pngs.as_slice() else {
        panic!("one PNG expected, got {}", pngs.len());
    };
    assert_eq!(name, "sample.png");
    assert!((scale - 3.0).abs() < f32::EPSILON);
    let machine = app.document().root();
    let dark = to_svg(
        &Scene::new(machine),
        &Marks::default(),
        &RenderOptions {
            dark: true,
            scale: 3.0,
        },
    );
    assert_eq!(
        svg, &dark,
        "the PNG is drawn from the dark SVG of the document"
    );
    assert_eq!(app.status(), Some("Downloaded sample.png."));
}

#[test]
fn png_size_is_the_svg_size_times_the_scale_and_refuses_absurd_scales() {
    let app = designer();
    let svg = to_svg(
        &Scene::new(app.document().root()),
        &Marks::default(),
        &RenderOptions::default(),
    );
    let (w1, h1) = png_size(&svg, 1.0).unwrap_or_else(|e| panic!("{e}"));
    let (w2, h2) = png_size(&svg, 2.0).unwrap_or_else(|e| panic!("{e}"));
    assert!(w1 > 100 && h1 > 100, "{w1}x{h1}");
    assert!(
        w2.abs_diff(2 * w1) <= 1 && h2.abs_diff(2 * h1) <= 1,
        "{w2}x{h2}"
    );
    assert!(png_size(&svg, 0.0).is_err());
    assert!(png_size(&svg, 1000.0).is_err());
    assert!(png_size("<p>not a picture</p>", 1.0).is_err());
}

/// The browser rasterises with its canvas at [`png_size`]; resvg must draw the same size.
#[cfg(feature = "png")]
#[test]
fn png_size_matches_the_png_resvg_draws() {
    let app = designer();
    let svg = to_svg(
        &Scene::new(app.document().root()),
        &Marks::default(),
        &RenderOptions::default(),
    );
    for scale in [0.5, 1.0, 2.0, 3.0] {
        let png = asl_studio::render::to_png(&svg, scale).unwrap_or_else(|e| panic!("{e}"));
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap_or_else(|e| panic!("{e}"));
        let info = reader.info();
        assert_eq!(
            Ok((info.width, info.height)),
            png_size(&svg, scale),
            "scale {scale}"
        );
    }
}

#[test]
fn compare_waits_for_the_file_and_marks_the_changes_when_it_arrives() {
    let log = install_late_browser();
    let mut app = designer();
    let old = sample_text().replace("\"NotifyFailure\"", "\"AlertOperators\"");
    log.borrow_mut().picked = Some(OpenedText {
        name: "old.asl.json".to_owned(),
        text: old,
    });

    app.request_compare_file();
    let requested = log.borrow().requested.clone();
    assert_eq!(requested.len(), 1);
    assert_eq!(requested[0].0, TextPurpose::CompareFile);
    assert!(requested[0].1.contains(&"json".to_owned()));
    // The picker has not answered yet: pending, nothing marked.
    app.poll_compare_file();
    assert!(app.is_compare_pending());
    assert!(!app.is_comparing());
    assert_eq!(app.comparison_marks(), None);

    // A later frame: the file has been read.
    log.borrow_mut().arrived = true;
    app.poll_compare_file();
    assert!(!app.is_compare_pending());
    assert!(app.is_comparing());
    assert_eq!(
        app.status(),
        Some("Compared with old.asl.json: 1 change(s)")
    );
    let marks = app
        .comparison_marks()
        .unwrap_or_else(|| panic!("marks are shown"));
    let marked: Vec<_> = marks.states.keys().map(|id| id.name.as_str()).collect();
    assert_eq!(marked, ["NotifyFailure"], "the renamed state is marked");
}

#[test]
fn a_compare_file_that_is_not_a_definition_ends_the_wait_without_comparing() {
    let log = install_late_browser();
    let mut app = designer();
    log.borrow_mut().picked = Some(OpenedText {
        name: "notes.json".to_owned(),
        text: "[1, 2".to_owned(),
    });
    log.borrow_mut().arrived = true;
    app.request_compare_file();
    app.poll_compare_file();
    assert!(!app.is_compare_pending());
    assert!(!app.is_comparing());
}

#[test]
fn the_export_diagram_menu_keeps_theme_and_scale_choices_open_and_png_exports_with_them() {
    let log = install_late_browser();
    let mut harness = common::designer::designer(StartSource::Sample, [1280.0, 800.0]);
    harness.run();
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Export diagram").click();
    harness.run();
    // Choosing the theme keeps the submenu open, so the format can be picked next.
    harness.get_by_label("Dark").click();
    harness.run();
    harness.get_by_label("PNG…").click();
    harness.run();
    assert!(
        harness.query_by_label("PNG…").is_none(),
        "the menu closes after an export"
    );
    let pngs = std::mem::take(&mut log.borrow_mut().pngs);
    let [(name, svg, scale)] = pngs.as_slice() else {
        panic!("one PNG expected, got {}", pngs.len());
    };
    assert!(name.ends_with(".png"), "{name}");
    assert!(
        (scale - 2.0).abs() < f32::EPSILON,
        "2 pixels a unit at first"
    );
    let machine = harness.state().document().root();
    let dark = to_svg(
        &Scene::new(machine),
        &Marks::default(),
        &RenderOptions {
            dark: true,
            scale: 2.0,
        },
    );
    assert_eq!(svg, &dark, "drawn in the dark theme chosen in the menu");
}

#[test]
fn a_png_the_browser_fails_to_draw_after_the_frame_is_shown_to_the_user() {
    let log = install_late_browser();
    let mut harness = common::designer::designer(StartSource::Sample, [1280.0, 800.0]);
    harness.run();
    let failure = "etl-pipeline.png: could not make the PNG picture: the canvas is too large";
    log.borrow_mut().late_failures.push(failure.to_owned());
    harness.run();
    harness.get_by_label_contains("the canvas is too large");
    assert!(log.borrow().late_failures.is_empty(), "collected once");
}
