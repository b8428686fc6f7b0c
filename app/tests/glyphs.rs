//! Every character the designer's own text uses is drawn from the fonts egui bundles: a missing
//! glyph shows as an empty box (the simulator's remove button once showed U+2716 that way). The
//! test reads the string and char literals of app/src (the command line's output goes to a
//! terminal, not through these fonts, so app/src/cli is left out, and so is app/src/render, whose
//! SVG, PNG and Mermaid text is drawn by a browser or resvg with their own fonts) and asks egui's fonts for each
//! character that is not ASCII.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The characters of the string and char literals of Rust source `text` (escapes decoded, comments
/// skipped), with the line each appears on.
fn literal_chars(text: &str) -> Vec<(char, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            '/' if at(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && at(i + 1) == '/') {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 2;
            }
            'r' if (at(i + 1) == '"' || at(i + 1) == '#')
                && !at(i.wrapping_sub(1)).is_alphanumeric()
                && at(i.wrapping_sub(1)) != '_' =>
            {
                // A raw string: r"..." or r#"..."#.
                let mut j = i + 1;
                let mut hashes = 0;
                while at(j) == '#' {
                    hashes += 1;
                    j += 1;
                }
                if at(j) != '"' {
                    i += 1;
                    continue;
                }
                j += 1;
                loop {
                    if j >= chars.len() {
                        break;
                    }
                    if chars[j] == '"' && (0..hashes).all(|k| at(j + 1 + k) == '#') {
                        j += 1 + hashes;
                        break;
                    }
                    if chars[j] == '\n' {
                        line += 1;
                    }
                    out.push((chars[j], line));
                    j += 1;
                }
                i = j;
            }
            '"' => {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != '"' {
                    if chars[j] == '\\' {
                        let (decoded, next) = escape(&chars, j);
                        if let Some(d) = decoded {
                            out.push((d, line));
                        }
                        j = next;
                        continue;
                    }
                    if chars[j] == '\n' {
                        line += 1;
                    }
                    out.push((chars[j], line));
                    j += 1;
                }
                i = j + 1;
            }
            '\'' => {
                // A char literal ('x', '\n', '\u{2716}'), else a lifetime.
                if at(i + 1) == '\\' {
                    let (decoded, next) = escape(&chars, i + 1);
                    if at(next) == '\'' {
                        if let Some(d) = decoded {
                            out.push((d, line));
                        }
                        i = next + 1;
                        continue;
                    }
                } else if at(i + 2) == '\'' {
                    out.push((at(i + 1), line));
                    i += 3;
                    continue;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// Decodes the escape at `chars[start]` (a backslash): the char and the index after it.
fn escape(chars: &[char], start: usize) -> (Option<char>, usize) {
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    match at(start + 1) {
        'u' if at(start + 2) == '{' => {
            let mut end = start + 3;
            while end < chars.len() && chars[end] != '}' {
                end += 1;
            }
            let hex: String = chars[start + 3..end.min(chars.len())].iter().collect();
            let decoded = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
            (decoded, end + 1)
        }
        // A line continuation: the newline and leading spaces are not text.
        '\n' => (None, start + 2),
        other => (Some(other), start + 2),
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("app/src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|n| n == "cli" || n == "render")
            {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The characters egui's bundled fonts lack, among `chars`.
fn missing_from_bundled_fonts(chars: impl IntoIterator<Item = char>) -> Vec<char> {
    let ctx = egui::Context::default();
    // Fonts are loaded by the first pass.
    let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
    output.textures_delta.clear();
    let font = egui::FontId::proportional(14.0);
    ctx.fonts_mut(|fonts| {
        chars
            .into_iter()
            .filter(|&c| !c.is_ascii() && !fonts.has_glyph(&font, c))
            .collect()
    })
}

#[test]
fn the_checker_finds_a_glyph_the_fonts_lack() {
    let found =
        literal_chars("ui.small_button(\"\u{2716}\"); let x = '\\u{2716}'; // ✖ in a comment");
    assert_eq!(found.iter().filter(|(c, _)| *c == '\u{2716}').count(), 2);
    assert_eq!(
        missing_from_bundled_fonts(['\u{2716}', '×', '…']),
        ['\u{2716}']
    );
}

#[test]
fn every_character_of_the_designers_text_is_in_the_bundled_fonts() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 40, "found {} source files", files.len());
    let mut used: BTreeMap<char, String> = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("utf-8 source");
        for (c, line) in literal_chars(&text) {
            if !c.is_ascii() {
                let shown = file.strip_prefix(&src).unwrap_or(file).display();
                used.entry(c).or_insert_with(|| format!("{shown}:{line}"));
            }
        }
    }
    assert!(used.contains_key(&'…'), "the scan reads the literals");
    let missing: Vec<String> = missing_from_bundled_fonts(used.keys().copied())
        .into_iter()
        .map(|c| format!("U+{:04X} {c} at {}", u32::from(c), used[&c]))
        .collect();
    assert!(
        missing.is_empty(),
        "characters missing from egui's bundled fonts: {missing:#?}"
    );
}
