//! Opening a document over several frames (what the browser does, one step a frame) ends where
//! opening it at once does: the same document, code view text, problems and layout.

mod common;

use std::path::{Path, PathBuf};

use asl_studio::{StartSource, StudioApp};
use common::designer::designer_shown;
use egui_kittest::Harness;

/// A machine of `states` Lambda tasks in a chain, every tenth a Choice that may end early: a
/// Lambda invoke without Retry is a warning with a quick fix, so Problems has hundreds of rows.
fn generated(states: usize) -> String {
    let mut members = Vec::new();
    for i in 0..states {
        let next = if i + 1 == states {
            "\"End\": true".to_owned()
        } else {
            format!("\"Next\": \"Step{:04}\"", i + 1)
        };
        let state = if i % 10 == 9 {
            format!(
                "\"Step{i:04}\": {{\"Type\": \"Choice\", \"Choices\": [{{\"Variable\": \"$.done\", \
                 \"BooleanEquals\": true, \"Next\": \"Finished\"}}], \"Default\": \"Step{:04}\"}}",
                (i + 1).min(states - 1)
            )
        } else {
            format!(
                "\"Step{i:04}\": {{\"Type\": \"Task\", \"Resource\": \
                 \"arn:aws:states:::lambda:invoke\", \"Parameters\": {{\"FunctionName\": \
                 \"step-{i}\", \"Payload.$\": \"$\"}}, {next}}}"
            )
        };
        members.push(state);
    }
    members.push("\"Finished\": {\"Type\": \"Succeed\"}".to_owned());
    format!(
        "{{\n  \"Comment\": \"generated\",\n  \"StartAt\": \"Step0000\",\n  \"States\": {{\n    {}\n  }}\n}}\n",
        members.join(",\n    ")
    )
}

/// Where the test "opens" its file from: nothing is read from or written to it.
fn path() -> PathBuf {
    std::env::temp_dir().join("asl-studio-spread-opening/generated.asl.json")
}

fn designer(spread: bool) -> Harness<'static, StudioApp> {
    let mut harness = designer_shown(StartSource::Empty, [1280.0, 800.0]);
    harness.state_mut().set_spread_opening(spread);
    harness
}

/// Runs frames until the designer has opened and laid out the document; returns how many.
fn frames_until_shown(harness: &mut Harness<'_, StudioApp>) -> usize {
    let mut frames = 0;
    while frames < 100 {
        harness.step();
        frames += 1;
        if !harness.state().is_opening() && !harness.state().canvas().is_laying_out() {
            break;
        }
    }
    frames
}

fn state_rects(app: &StudioApp, names: &[&str]) -> Vec<Option<egui::Rect>> {
    names
        .iter()
        .map(|name| {
            app.canvas().state_rect(&asl_studio::canvas::StateId {
                machine: graph_model::MachinePath::root(),
                name: (*name).to_owned(),
            })
        })
        .collect()
}

#[test]
fn a_document_opened_over_several_frames_ends_as_one_opened_at_once() {
    let text = generated(300);
    let mut at_once = designer(false);
    at_once
        .state_mut()
        .open_text_at(&path(), &text)
        .expect("opens");
    assert!(!at_once.state().is_opening());
    frames_until_shown(&mut at_once);

    let mut spread = designer(true);
    spread
        .state_mut()
        .open_text_at(&path(), &text)
        .expect("opens");
    // The document is there at once (the page's calls after loadDefinition see it); checking it
    // is left to the next frames.
    assert!(spread.state().is_opening());
    assert_eq!(spread.state().document().root().total_states(), 301);
    assert!(spread.state().diagnostics().is_empty());
    let frames = frames_until_shown(&mut spread);
    assert!(frames >= 2, "opened in {frames} frame(s)");

    let (a, b) = (at_once.state(), spread.state());
    assert_eq!(
        b.document().root().to_value(),
        a.document().root().to_value()
    );
    assert_eq!(b.code_text(), a.code_text());
    assert_eq!(b.code_text(), text, "the file's own text, byte for byte");
    assert!(
        a.diagnostics().len() >= 270,
        "{} problems",
        a.diagnostics().len()
    );
    assert_eq!(b.diagnostics(), a.diagnostics());
    assert_eq!(b.window_title(), a.window_title());
    let names = ["Step0000", "Step0150", "Step0299", "Finished"];
    let rects = state_rects(a, &names);
    assert!(rects.iter().all(Option::is_some), "{rects:?}");
    assert_eq!(state_rects(b, &names), rects);
}

#[test]
fn an_edit_in_the_frames_after_opening_keeps_the_files_formatting() {
    // The code view's text is indexed when first needed (not while opening); an edit in the
    // frames after opening must still rewrite only what changed, as it does after opening at
    // once.
    let text = generated(300).replace("  \"StartAt\"", "      \"StartAt\"");
    let mut spread = designer(true);
    spread
        .state_mut()
        .open_text_at(&path(), &text)
        .expect("opens");
    spread.step();
    assert!(spread.state().is_opening(), "still opening after one frame");
    let mut at_once = designer(false);
    at_once
        .state_mut()
        .open_text_at(&path(), &text)
        .expect("opens");
    for harness in [&mut spread, &mut at_once] {
        harness
            .state_mut()
            .add_from_palette(asl_studio::panels::palette::Template::Flow(
                graph_model::StateType::Pass,
            ));
        frames_until_shown(harness);
    }
    let edited = spread.state().code_text().to_owned();
    assert!(
        edited.contains("      \"StartAt\""),
        "the odd indentation is kept"
    );
    assert!(edited.contains("\"Pass\""), "the new state is in the text");
    assert_eq!(edited, at_once.state().code_text());
}

#[test]
fn a_small_document_is_opened_within_the_call_even_when_spreading() {
    let mut app = designer(true);
    app.state_mut()
        .open_text_at(&path(), &generated(50))
        .expect("opens");
    assert!(!app.state().is_opening());
    assert!(!app.state().diagnostics().is_empty(), "checked at once");
}

#[test]
fn text_that_cannot_be_read_is_refused_and_leaves_the_open_document_alone() {
    let mut app = designer(true);
    let text = generated(5);
    app.state_mut().open_text_at(&path(), &text).expect("opens");
    frames_until_shown(&mut app);
    let before = app.state().document().root().to_value();
    let broken = app
        .state_mut()
        .open_text_at(Path::new("/opened/broken.asl.json"), "{\"StartAt\": ");
    let message = broken.expect_err("refused");
    assert!(message.contains("1:"), "says where: {message}");
    let not_a_machine = app
        .state_mut()
        .open_text_at(Path::new("/opened/list.asl.json"), "[1, 2]");
    assert!(not_a_machine.is_err());
    assert_eq!(app.state().document().root().to_value(), before);
    assert!(!app.state().is_opening());
    assert!(app.state().window_title().starts_with("generated.asl.json"));
}
