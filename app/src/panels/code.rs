//! The code view: the ASL text beside the canvas, kept in sync both ways.
//!
//! The document is the source of truth while the text parses. Typing text that parses to a
//! different definition reports it ([`CodeEvent::Edited`]) and the app makes it an undoable
//! replace of the root. Text that does not parse never blocks: it stays as typed, the error is
//! shown, and the canvas keeps the last valid graph. When the document changes from elsewhere
//! (canvas, inspector, undo), the text is rewritten, keeping the formatting of unchanged parts.

use asl_codec::span::{SpanChildren, SpanNode};
use serde_json::Value;

use crate::files::{TextFormat, parse_value, write_value};
use crate::theme::Theme;

/// What happened in the code view this frame.
#[derive(Clone, Debug, PartialEq)]
pub enum CodeEvent {
    /// The text parses to a definition different from the document's.
    Edited(Value),
    /// The text cursor moved into the text of a state: its JSON pointer.
    CursorInState(String),
}

/// The code view's text and what it knows about it.
#[derive(Debug, Default)]
pub struct CodeView {
    text: String,
    format: TextFormat,
    /// The value the text stood for when it last parsed (`None` with a `span_table`: not built
    /// yet, see [`Self::load_unindexed`]).
    value: Option<Value>,
    spans: Option<SpanNode>,
    /// Why the text does not parse, with line:col.
    pub syntax_error: Option<String>,
    highlight_pointer: Option<String>,
    /// The spans are still to be worked out from the text (see [`Self::load_unindexed`]).
    unindexed: bool,
    /// The span table of the loaded text, when its reader made one (turned into `spans`).
    span_table: Option<asl_codec::SpanTable>,
    scroll_pending: bool,
    last_cursor: Option<usize>,
}

impl CodeView {
    /// The current text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The format of the text.
    #[must_use]
    pub fn format(&self) -> TextFormat {
        self.format
    }

    /// Starts over with a file's own text (kept byte for byte) and its value.
    pub fn load(&mut self, text: String, value: Value, format: TextFormat) {
        self.format = format;
        self.text = text;
        self.value = Some(value);
        self.syntax_error = None;
        self.reindex();
    }

    /// [`Self::load`] without indexing the text yet: the browser opens a big document over
    /// several frames, and indexing its text is one of them ([`Self::index`]). Whatever needs
    /// the spans before then indexes first. `span_table` is the text's span table when the
    /// file's reader made one (then the text is not parsed again). Without `value`, the value
    /// is built from `span_table` when first needed: opening a big document in the browser
    /// then does not pay for it, and may never (until the code view is shown or the document
    /// edited).
    pub fn load_unindexed(
        &mut self,
        text: String,
        value: Option<Value>,
        format: TextFormat,
        span_table: Option<asl_codec::SpanTable>,
    ) {
        self.format = format;
        self.text = text;
        self.span_table = span_table.filter(|_| format == TextFormat::Json);
        self.value = value;
        if self.value.is_none() && self.span_table.is_none() {
            // Nothing to build it from later: read it now.
            self.value = parse_value(&self.text, format).ok();
        }
        self.syntax_error = None;
        self.spans = None;
        self.unindexed = true;
    }

    /// Builds the value of a text loaded without one, from its span table.
    fn ensure_value(&mut self) {
        if self.value.is_none()
            && let Some(root) = self
                .span_table
                .as_ref()
                .and_then(asl_codec::SpanTable::root)
        {
            self.value = Some(asl_codec::json::value_at(&self.text, root));
        }
    }

    /// Works out the spans of a text loaded by [`Self::load_unindexed`]; returns whether there
    /// was anything to do.
    pub fn index(&mut self) -> bool {
        if !self.unindexed {
            return false;
        }
        self.ensure_value();
        match (self.span_table.take(), &self.value) {
            (Some(table), Some(value)) => {
                self.spans = Some(table.to_tree(value));
                self.unindexed = false;
            }
            _ => self.reindex(),
        }
        true
    }

    /// Switches the text format, rewriting the text.
    pub fn set_format(&mut self, format: TextFormat) {
        self.ensure_value();
        if format != self.format
            && let Some(value) = self.value.clone()
        {
            self.format = format;
            self.text = write_value(&value, format);
            self.syntax_error = None;
            self.reindex();
        }
    }

    /// Brings the text in line with the document's value. Does nothing when the text already
    /// stands for it (so typing is not disturbed) or when the text has a syntax error and the
    /// document has not changed since (the user's text is kept).
    pub fn sync_from(&mut self, document: &Value) {
        self.ensure_value();
        if self.value.as_ref() == Some(document) {
            return;
        }
        // The old text's spans keep its formatting.
        self.index();
        self.text = match (&self.spans, self.format, &self.value) {
            (Some(spans), TextFormat::Json, Some(old)) if self.syntax_error.is_none() => {
                preserve_json(&self.text, spans, old, document)
            }
            _ => write_value(document, self.format),
        };
        self.value = Some(document.clone());
        self.syntax_error = None;
        self.reindex();
    }

    /// Selects what to highlight: the JSON pointer of the selected state.
    pub fn highlight(&mut self, pointer: Option<String>) {
        if pointer != self.highlight_pointer {
            self.scroll_pending = pointer.is_some();
            self.highlight_pointer = pointer;
        }
    }

    fn reindex(&mut self) {
        self.unindexed = false;
        self.span_table = None;
        self.spans = match self.format {
            TextFormat::Json => {
                asl_codec::json::parse(&self.text, &asl_codec::json::ParseOptions::default())
                    .ok()
                    .map(|p| p.spans)
            }
            TextFormat::Yaml => None,
        };
    }

    /// Replaces the text as if the user typed it (used by tests and by paste of a whole file).
    pub fn set_text(&mut self, text: String) -> Option<CodeEvent> {
        self.text = text;
        self.reparse()
    }

    fn reparse(&mut self) -> Option<CodeEvent> {
        // The value of the text before this edit, which the new one is compared with.
        self.ensure_value();
        match parse_value(&self.text, self.format) {
            Ok(value) => {
                self.syntax_error = None;
                self.reindex();
                if self.value.as_ref() == Some(&value) {
                    None
                } else {
                    self.value = Some(value.clone());
                    Some(CodeEvent::Edited(value))
                }
            }
            Err(message) => {
                self.syntax_error = Some(message);
                None
            }
        }
    }

    /// The byte range of the highlighted state's text, if known.
    fn highlight_range(&self) -> Option<std::ops::Range<usize>> {
        let pointer = self.highlight_pointer.as_deref()?;
        match self.format {
            TextFormat::Json => {
                let spans = self.spans.as_ref()?;
                let (node, found) = spans.lookup(pointer);
                let start = node.key.map_or(node.value.start, |k| k.start);
                found.then_some(start..node.value.end)
            }
            TextFormat::Yaml => {
                let (at, found) = asl_codec::yaml::locate(&self.text, pointer);
                if !found {
                    return None;
                }
                let start = self
                    .text
                    .split_inclusive('\n')
                    .take(at.line.saturating_sub(1))
                    .map(str::len)
                    .sum::<usize>();
                let end = self.text[start..]
                    .find('\n')
                    .map_or(self.text.len(), |e| start + e);
                Some(start..end)
            }
        }
    }

    /// Draws the editor; returns what the user did.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Vec<CodeEvent> {
        // Highlighting the selected state and the cursor's state need the spans.
        self.index();
        let mut events = Vec::new();
        let theme = Theme::current(ui.ctx());
        ui.horizontal(|ui| {
            ui.strong("Code");
            let mut format = self.format;
            ui.selectable_value(&mut format, TextFormat::Json, "JSON");
            ui.selectable_value(&mut format, TextFormat::Yaml, "YAML");
            if format != self.format {
                self.set_format(format);
            }
        });
        if let Some(error) = &self.syntax_error {
            ui.colored_label(theme.error, error);
        }
        let highlight = self.highlight_range();
        let highlight_color = theme.selection_fill;
        // Code is not wrapped: lines keep their shape and the view scrolls sideways.
        let mut layouter = |ui: &egui::Ui, buffer: &dyn egui::TextBuffer, _wrap_width: f32| {
            let text = buffer.as_str();
            let font = egui::TextStyle::Monospace.resolve(ui.style());
            let color = ui.visuals().text_color();
            let mut job = egui::text::LayoutJob::default();
            let plain = egui::TextFormat::simple(font.clone(), color);
            let marked = egui::TextFormat {
                background: highlight_color,
                ..plain.clone()
            };
            match highlight.clone().filter(|r| {
                r.end <= text.len()
                    && text.is_char_boundary(r.start)
                    && text.is_char_boundary(r.end)
            }) {
                Some(range) => {
                    job.append(&text[..range.start], 0.0, plain.clone());
                    job.append(&text[range.clone()], 0.0, marked);
                    job.append(&text[range.end..], 0.0, plain);
                }
                None => job.append(text, 0.0, plain),
            }
            job.wrap.max_width = f32::INFINITY;
            ui.fonts_mut(|f| f.layout_job(job))
        };
        let label = ui.label("ASL text");
        let mut scroll_target = None;
        // A multi-line field shrinks to the width it is given and clips what is wider, so it is
        // given the width of its longest line: the scroll area then scrolls sideways to it.
        let text_width = layouter(ui, &self.text, f32::INFINITY).size().x;
        let margin = ui.spacing().button_padding.x * 2.0 + 8.0;
        egui::ScrollArea::both()
            .id_salt("code-scroll")
            // Shown always: a long line must look scrollable, not cut.
            .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let width = (text_width + margin).max(ui.clip_rect().width());
                let layout = egui::Layout::top_down(egui::Align::LEFT);
                let size = egui::vec2(width, ui.available_height());
                let output = ui
                    .allocate_ui_with_layout(size, layout, |ui| {
                        ui.set_min_width(width);
                        egui::TextEdit::multiline(&mut self.text)
                            .id(egui::Id::unique("asl-code-editor"))
                            .code_editor()
                            .desired_width(width)
                            .layouter(&mut layouter)
                            .show(ui)
                    })
                    .inner;
                let response = output.response.response.clone().labelled_by(label.id);
                if response.changed() {
                    events.extend(self.reparse_after_typing());
                }
                if self.scroll_pending
                    && let Some(range) = &highlight
                {
                    let char_index = self
                        .text
                        .get(..range.start)
                        .map_or(0, |s| s.chars().count());
                    let rect = output
                        .galley
                        .pos_from_cursor(egui::text::CCursor::new(char_index));
                    scroll_target = Some(rect.translate(output.galley_pos.to_vec2()));
                    self.scroll_pending = false;
                }
                if response.has_focus()
                    && let Some(range) = output.cursor_range
                {
                    let char_index = range.primary.index.0;
                    if self.last_cursor != Some(char_index) {
                        self.last_cursor = Some(char_index);
                        let byte = self
                            .text
                            .char_indices()
                            .nth(char_index)
                            .map_or(self.text.len(), |(b, _)| b);
                        if let Some(pointer) = self.state_at(byte)
                            && self.highlight_pointer.as_deref() != Some(pointer.as_str())
                        {
                            self.highlight_pointer = Some(pointer.clone());
                            events.push(CodeEvent::CursorInState(pointer));
                        }
                    }
                }
                if let Some(rect) = scroll_target {
                    ui.scroll_to_rect(rect, Some(egui::Align::TOP));
                }
            });
        events
    }

    fn reparse_after_typing(&mut self) -> Option<CodeEvent> {
        self.reparse()
    }

    /// The pointer of the innermost state whose text contains a byte offset (JSON only).
    #[must_use]
    pub fn state_at(&self, offset: usize) -> Option<String> {
        let spans = self.spans.as_ref()?;
        let mut best = None;
        find_state(spans, offset, String::new(), &mut best);
        best
    }
}

/// Walks the spans: a member of a `States` object whose span contains `offset` is a state.
fn find_state(node: &SpanNode, offset: usize, pointer: String, best: &mut Option<String>) {
    let SpanChildren::Object(members) = &node.children else {
        if let SpanChildren::Array(items) = &node.children {
            for (index, item) in items.iter().enumerate() {
                if item.value.start <= offset && offset <= item.value.end {
                    find_state(item, offset, format!("{pointer}/{index}"), best);
                }
            }
        }
        return;
    };
    for (key, member) in members {
        let start = member.key.map_or(member.value.start, |k| k.start);
        if !(start <= offset && offset <= member.value.end) {
            continue;
        }
        let child = format!("{pointer}/{}", asl_codec::span::escape_segment(key));
        if key == "States"
            && let SpanChildren::Object(states) = &member.children
        {
            for (name, state) in states {
                let state_start = state.key.map_or(state.value.start, |k| k.start);
                if state_start <= offset && offset <= state.value.end {
                    let state_pointer =
                        format!("{child}/{}", asl_codec::span::escape_segment(name));
                    *best = Some(state_pointer.clone());
                    find_state(state, offset, state_pointer, best);
                }
            }
        } else {
            find_state(member, offset, child, best);
        }
    }
}

/// Rewrites JSON text for a new value, keeping the original text of every unchanged state and
/// the file's indentation where possible.
fn preserve_json(text: &str, spans: &SpanNode, old: &Value, new: &Value) -> String {
    let writer = asl_codec::write::PreservingWriter::new(text, spans);
    writer.write(spans, old, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"B\"},\n    \"B\": {\"Type\": \"Succeed\"}\n  }\n}\n";

    fn loaded() -> CodeView {
        let mut view = CodeView::default();
        let value = parse_value(TEXT, TextFormat::Json).expect("valid");
        view.load(TEXT.to_owned(), value, TextFormat::Json);
        view
    }

    #[test]
    fn the_cursor_inside_a_state_names_it() {
        let view = loaded();
        let offset = TEXT.find("Succeed").expect("in text");
        assert_eq!(view.state_at(offset).as_deref(), Some("/States/B"));
        assert_eq!(view.state_at(2), None);
    }

    #[test]
    fn text_indexed_from_its_readers_span_table_finds_what_a_fresh_parse_finds() {
        let source =
            asl_codec::SourceFile::parse(TEXT, asl_codec::Format::Json).expect("valid JSON");
        let (value, table) = source.into_value_and_spans();
        assert!(table.is_some(), "JSON has a span table");
        let mut view = CodeView::default();
        view.load_unindexed(TEXT.to_owned(), Some(value), TextFormat::Json, table);
        assert_eq!(
            view.state_at(TEXT.find("Succeed").expect("in text")),
            None,
            "not yet"
        );
        assert!(view.index());
        assert!(!view.index(), "indexed once");
        let fresh = loaded();
        for offset in 0..TEXT.len() {
            assert_eq!(view.state_at(offset), fresh.state_at(offset), "at {offset}");
        }
        assert_eq!(view.spans, fresh.spans);
    }

    #[test]
    fn broken_text_is_kept_and_reported_then_a_fix_is_an_edit() {
        let mut view = loaded();
        let broken = TEXT.replace("\"Succeed\"}", "\"Succeed\"");
        assert_eq!(view.set_text(broken.clone()), None);
        assert!(view.syntax_error.is_some());
        assert_eq!(view.text(), broken);
        let fixed = TEXT.replace("Succeed", "Fail");
        match view.set_text(fixed) {
            Some(CodeEvent::Edited(value)) => assert_eq!(value["States"]["B"]["Type"], "Fail"),
            other => panic!("expected an edit, got {other:?}"),
        }
    }

    #[test]
    fn a_document_change_keeps_the_text_of_untouched_states() {
        let mut view = loaded();
        let mut value = parse_value(TEXT, TextFormat::Json).expect("valid");
        value["States"]["B"]["Comment"] = Value::String("done".to_owned());
        view.sync_from(&value);
        assert!(
            view.text()
                .contains("\"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}"),
            "{}",
            view.text()
        );
        assert_eq!(
            parse_value(view.text(), TextFormat::Json).expect("valid"),
            value
        );
    }

    /// A view opened the browser's way: the text and its span table, no value yet.
    fn loaded_without_value() -> CodeView {
        let source =
            asl_codec::SourceFile::parse(TEXT, asl_codec::Format::Json).expect("valid JSON");
        let (text, value, table) = source.into_parts();
        assert!(value.is_none(), "parsing JSON builds no value");
        let mut view = CodeView::default();
        view.load_unindexed(text, None, TextFormat::Json, table);
        view
    }

    #[test]
    fn a_view_loaded_without_a_value_builds_the_same_one_when_needed() {
        let mut view = loaded_without_value();
        assert!(view.index());
        assert_eq!(view.value, loaded().value);
        assert_eq!(view.spans, loaded().spans);
    }

    #[test]
    fn a_view_loaded_without_a_value_keeps_untouched_states_on_a_document_change() {
        let mut value = parse_value(TEXT, TextFormat::Json).expect("valid");
        value["States"]["B"]["Comment"] = Value::String("done".to_owned());
        let mut lazy = loaded_without_value();
        lazy.sync_from(&value);
        let mut eager = loaded();
        eager.sync_from(&value);
        assert_eq!(lazy.text(), eager.text());
        assert!(
            lazy.text()
                .contains("\"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}")
        );
    }

    #[test]
    fn a_view_loaded_without_a_value_reports_only_real_edits() {
        let mut view = loaded_without_value();
        assert_eq!(
            view.set_text(TEXT.to_owned()),
            None,
            "the same text is no edit"
        );
        let mut view = loaded_without_value();
        match view.set_text(TEXT.replace("Succeed", "Fail")) {
            Some(CodeEvent::Edited(value)) => assert_eq!(value["States"]["B"]["Type"], "Fail"),
            other => panic!("expected an edit, got {other:?}"),
        }
        let mut view = loaded_without_value();
        view.set_format(TextFormat::Yaml);
        assert_eq!(
            parse_value(view.text(), TextFormat::Yaml).expect("valid YAML"),
            parse_value(TEXT, TextFormat::Json).expect("valid")
        );
    }
}
