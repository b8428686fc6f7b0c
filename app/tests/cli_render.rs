//! `asl-studio render`: every real corpus definition becomes an SVG that parses and names every
//! state, a PNG that is not blank and a Mermaid flowchart (checked further in Chromium by
//! tests/browser/mermaid.mjs); options, history colouring and bad input behave.
//! Every test here draws a PNG too, so the file needs the `png` feature (on by default).
#![cfg(feature = "png")]

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use asl_studio::render::{Marks, RenderOptions, Scene, to_mermaid, to_png, to_svg};
use graph_model::StateMachine;

mod common;

use common::{run, sample, stderr};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scratch(name: &str) -> PathBuf {
    common::scratch_dir("cli-render", name)
}

/// Every definition file under a corpus folder.
fn corpus_files(folder: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![repo().join("tests/data/corpus").join(folder)];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains(".asl."))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn load(path: &Path) -> Option<StateMachine> {
    let loaded = asl_codec::load::load_path(path).ok()?;
    match loaded {
        asl_codec::Loaded::Asl(source) => StateMachine::from_value(source.value()).ok(),
        asl_codec::Loaded::Template { .. } => None,
    }
}

/// Every state name of a document, nested machines included.
fn all_names(machine: &StateMachine) -> Vec<String> {
    machine
        .all_machines()
        .into_iter()
        .flat_map(|(_, m)| m.state_names().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// The text an SVG shows or names: every text node (names cut with an ellipsis are whole in
/// their `<title>`).
fn svg_texts(svg: &str) -> Result<HashSet<String>, String> {
    let document = roxmltree::Document::parse(svg).map_err(|e| e.to_string())?;
    Ok(document
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .map(str::to_owned)
        .collect())
}

/// How the SVG writes a name (XML escaping undone by the parser; control characters shown).
fn shown_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Whether a PNG has at least two different pixel colours (a blank picture has one).
fn png_has_content(png: &[u8]) -> bool {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let Ok(mut reader) = decoder.read_info() else {
        return false;
    };
    let Some(size) = reader.output_buffer_size() else {
        return false;
    };
    let mut pixels = vec![0; size];
    let Ok(info) = reader.next_frame(&mut pixels) else {
        return false;
    };
    let bytes = &pixels[..info.buffer_size()];
    let channels = info.color_type.samples();
    let first = &bytes[..channels];
    let different = bytes.chunks(channels).filter(|p| *p != first).count();
    // More than a stray pixel: boxes, lines and text cover a good share of any diagram.
    different * 100 > bytes.len() / channels
}

#[test]
fn every_real_corpus_definition_renders_to_svg_png_and_mermaid() {
    let files = corpus_files("real");
    assert!(files.len() > 300, "corpus not found: {} files", files.len());
    let mermaid_dir = std::env::var_os("ASL_STUDIO_MERMAID_OUT").map(PathBuf::from);
    let options = RenderOptions::default();
    let mut failures = Vec::new();
    let mut rendered = 0;
    for (index, path) in files.iter().enumerate() {
        let Some(machine) = load(path) else {
            failures.push(format!("{}: does not load", path.display()));
            continue;
        };
        let scene = Scene::new(&machine);
        let svg = to_svg(&scene, &Marks::default(), &options);
        match svg_texts(&svg) {
            Ok(texts) => {
                let joined: String = texts.iter().cloned().collect::<Vec<_>>().join("\n");
                for name in all_names(&machine) {
                    let shown = shown_name(&name);
                    if !texts.contains(&shown) && !joined.contains(&shown) {
                        failures.push(format!("{}: SVG lacks state {name:?}", path.display()));
                    }
                }
            }
            Err(error) => failures.push(format!("{}: SVG does not parse: {error}", path.display())),
        }
        match to_png(&svg, 1.0) {
            Ok(png) if png_has_content(&png) => {}
            Ok(_) => failures.push(format!("{}: PNG is blank", path.display())),
            Err(error) => failures.push(format!("{}: PNG: {error}", path.display())),
        }
        let mermaid = to_mermaid(&scene, &Marks::default(), &options);
        if !mermaid.starts_with("flowchart TD\n") {
            failures.push(format!("{}: not a flowchart", path.display()));
        }
        if let Some(dir) = &mermaid_dir {
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(dir.join(format!("{index:03}.mmd")), &mermaid);
        }
        rendered += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(rendered, files.len());
}

#[test]
fn render_writes_each_format_of_the_sample_from_the_command_line() {
    let dir = scratch("formats");
    let sample = sample();
    for (format, file) in [
        ("svg", "sample.svg"),
        ("png", "sample.png"),
        ("mermaid", "sample.mmd"),
    ] {
        let out = dir.join(file);
        let output = run(&[
            "render",
            sample.to_str().unwrap_or_default(),
            "--to",
            format,
            "-o",
            out.to_str().unwrap_or_default(),
        ]);
        assert!(output.status.success(), "{format}: {}", stderr(&output));
        let bytes = std::fs::read(&out).unwrap_or_default();
        match format {
            "svg" => {
                let texts = svg_texts(&String::from_utf8_lossy(&bytes))
                    .unwrap_or_else(|e| panic!("SVG: {e}"));
                for name in ["DownloadFile", "DidTransformFail", "PipelineSucceeded"] {
                    assert!(texts.contains(name), "{name} missing");
                }
                assert!(texts.contains("Start") && texts.contains("End"));
            }
            "png" => {
                assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
                assert!(png_has_content(&bytes), "blank PNG");
            }
            _ => {
                let text = String::from_utf8_lossy(&bytes);
                assert!(text.starts_with("flowchart TD"), "{text}");
                assert!(text.contains("\"DownloadFile\""), "{text}");
            }
        }
    }
}

#[test]
fn the_format_follows_the_output_extension_and_the_scale_sizes_the_png() {
    let dir = scratch("scale");
    let sample = sample();
    let small = dir.join("small.png");
    let large = dir.join("large.png");
    for (out, scale) in [(&small, "1"), (&large, "2")] {
        let output = run(&[
            "render",
            sample.to_str().unwrap_or_default(),
            "--scale",
            scale,
            "-o",
            out.to_str().unwrap_or_default(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let width = |path: &Path| {
        let bytes = std::fs::read(path).unwrap_or_default();
        // IHDR: width is the big-endian u32 at byte 16.
        bytes
            .get(16..20)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    assert!(width(&small) > 100);
    let ratio = f64::from(width(&large)) / f64::from(width(&small));
    assert!((ratio - 2.0).abs() < 0.02, "scale 2 gave {ratio}x");
}

#[test]
fn dark_theme_uses_the_designers_dark_background() {
    let output = run(&[
        "render",
        sample().to_str().unwrap_or_default(),
        "--theme",
        "dark",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let svg = String::from_utf8_lossy(&output.stdout);
    // DARK.background is rgb(24, 26, 30).
    assert!(svg.contains("fill=\"#181a1e\""), "{svg}");
}

#[test]
fn names_that_break_markup_survive_in_svg_and_mermaid() {
    let dir = scratch("names");
    let names = [
        "a \"quoted\" <tag> & 'apos'",
        "end",
        "subgraph [x] (y) {z} | #1 `tick`",
        "状態 ✓ émoji 🚀",
        "new\nline",
    ];
    let mut states = serde_json::Map::new();
    for (i, name) in names.iter().enumerate() {
        let mut state = serde_json::json!({"Type": "Pass"});
        match names.get(i + 1) {
            Some(next) => state["Next"] = serde_json::json!(next),
            None => state["End"] = serde_json::json!(true),
        }
        states.insert((*name).to_owned(), state);
    }
    let definition = serde_json::json!({"StartAt": names[0], "States": states});
    let file = dir.join("names.asl.json");
    std::fs::write(&file, definition.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let svg = run(&["render", file.to_str().unwrap_or_default(), "--to", "svg"]);
    assert!(svg.status.success(), "{}", stderr(&svg));
    let texts = svg_texts(&String::from_utf8_lossy(&svg.stdout)).unwrap_or_else(|e| panic!("{e}"));
    let joined: String = texts.into_iter().collect::<Vec<_>>().join("\n");
    for name in names {
        assert!(joined.contains(&shown_name(name)), "{name:?} missing");
    }
    let mermaid = run(&[
        "render",
        file.to_str().unwrap_or_default(),
        "--to",
        "mermaid",
    ]);
    let text = String::from_utf8_lossy(&mermaid.stdout);
    assert!(
        text.contains("[\"a #quot;quoted#quot; #lt;tag#gt; #amp; 'apos'\"]"),
        "{text}"
    );
    assert!(text.contains("[\"end\"]"), "{text}");
    assert!(
        !text.contains("\nline"),
        "a newline in a name must not break the line: {text}"
    );
}

#[test]
fn history_colours_the_path_the_run_took() {
    let dir = scratch("history");
    let sample = sample();
    let history = dir.join("history.json");
    let input = dir.join("input.json");
    std::fs::write(&input, r#"{"bucket": "b", "key": "k"}"#).unwrap_or_else(|e| panic!("{e}"));
    let ran = run(&[
        "run",
        sample.to_str().unwrap_or_default(),
        "--pass-through",
        "--input",
        input.to_str().unwrap_or_default(),
        "--history",
        history.to_str().unwrap_or_default(),
    ]);
    assert!(history.exists(), "no history written: {}", stderr(&ran));
    let plain = run(&["render", sample.to_str().unwrap_or_default()]);
    let coloured = run(&[
        "render",
        sample.to_str().unwrap_or_default(),
        "--history",
        history.to_str().unwrap_or_default(),
    ]);
    assert!(coloured.status.success(), "{}", stderr(&coloured));
    let plain = String::from_utf8_lossy(&plain.stdout);
    let coloured = String::from_utf8_lossy(&coloured.stdout);
    // LIGHT.success (rgb 30,150,60) marks the states that ran and the edges taken.
    assert!(!plain.contains("#1e963c"), "plain picture already coloured");
    assert!(coloured.contains("#1e963c"), "{coloured}");
}

#[test]
fn bad_input_exits_2_with_the_file_named() {
    let dir = scratch("bad");
    let broken = dir.join("broken.asl.json");
    std::fs::write(&broken, "{\"StartAt\": ").unwrap_or_else(|e| panic!("{e}"));
    let output = run(&["render", broken.to_str().unwrap_or_default()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("broken.asl.json"),
        "{}",
        stderr(&output)
    );
    let history = dir.join("history.json");
    std::fs::write(&history, "{\"not\": \"events\"}").unwrap_or_else(|e| panic!("{e}"));
    let output = run(&[
        "render",
        sample().to_str().unwrap_or_default(),
        "--history",
        history.to_str().unwrap_or_default(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("history events"),
        "{}",
        stderr(&output)
    );
    let output = run(&[
        "render",
        sample().to_str().unwrap_or_default(),
        "--to",
        "png",
        "--scale",
        "0",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn render_refuses_to_overwrite_its_input() {
    let dir = scratch("self");
    let copy = dir.join("copy.asl.json");
    std::fs::copy(sample(), &copy).unwrap_or_else(|e| panic!("{e}"));
    let before = std::fs::read(&copy).unwrap_or_default();
    let output = run(&[
        "render",
        copy.to_str().unwrap_or_default(),
        "-o",
        copy.to_str().unwrap_or_default(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read(&copy).unwrap_or_default(), before);
}
