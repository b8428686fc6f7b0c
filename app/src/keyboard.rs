//! Every user action of the designer, with its name (for menus and the command palette) and its
//! keyboard shortcut, and the mapping from a frame's key presses to actions.

use egui::{Key, KeyboardShortcut, Modifiers};

/// Something the user can do from a menu, a shortcut, or the command palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // Each variant's meaning is its `name()`.
pub enum Action {
    New,
    /// File > New from template: the gallery.
    NewFromTemplate,
    Open,
    Save,
    SaveAs,
    ExportJson,
    ExportYaml,
    Undo,
    Redo,
    Copy,
    Cut,
    Paste,
    Duplicate,
    Delete,
    SelectAll,
    Rename,
    Find,
    CommandPalette,
    ZoomIn,
    ZoomOut,
    ZoomFit,
    ZoomToSelection,
    Relayout,
    SelectPrevious,
    SelectNext,
    SelectUp,
    SelectDown,
    ToggleCode,
    ToggleProblems,
    ToggleHistory,
    Quit,
}

impl Action {
    /// Every action, in command palette order.
    pub const ALL: [Self; 31] = [
        Self::New,
        Self::NewFromTemplate,
        Self::Open,
        Self::Save,
        Self::SaveAs,
        Self::ExportJson,
        Self::ExportYaml,
        Self::Undo,
        Self::Redo,
        Self::Copy,
        Self::Cut,
        Self::Paste,
        Self::Duplicate,
        Self::Delete,
        Self::SelectAll,
        Self::Rename,
        Self::Find,
        Self::CommandPalette,
        Self::ZoomIn,
        Self::ZoomOut,
        Self::ZoomFit,
        Self::ZoomToSelection,
        Self::Relayout,
        Self::SelectPrevious,
        Self::SelectNext,
        Self::SelectUp,
        Self::SelectDown,
        Self::ToggleCode,
        Self::ToggleProblems,
        Self::ToggleHistory,
        Self::Quit,
    ];

    /// The name shown in menus and the command palette.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::New => "New state machine",
            Self::NewFromTemplate => "New from template…",
            Self::Open => "Open…",
            Self::Save => "Save",
            Self::SaveAs => "Save as…",
            Self::ExportJson => "Export as ASL JSON…",
            Self::ExportYaml => "Export as ASL YAML…",
            Self::Undo => "Undo",
            Self::Redo => "Redo",
            Self::Copy => "Copy",
            Self::Cut => "Cut",
            Self::Paste => "Paste",
            Self::Duplicate => "Duplicate",
            Self::Delete => "Delete",
            Self::SelectAll => "Select all",
            Self::Rename => "Rename state",
            Self::Find => "Find a state…",
            Self::CommandPalette => "Command palette…",
            Self::ZoomIn => "Zoom in",
            Self::ZoomOut => "Zoom out",
            Self::ZoomFit => "Zoom to fit",
            Self::ZoomToSelection => "Zoom to selection",
            Self::Relayout => "Lay out again",
            Self::SelectPrevious => "Select previous state",
            Self::SelectNext => "Select next state",
            Self::SelectUp => "Select the state before",
            Self::SelectDown => "Select the state after",
            Self::ToggleCode => "Show or hide the code view",
            Self::ToggleProblems => "Show or hide problems",
            Self::ToggleHistory => "Show or hide history",
            Self::Quit => "Quit",
        }
    }

    /// The shortcut, if the action has one. Redo has a second one (Ctrl+Y), see [`Self::extra_shortcut`].
    #[must_use]
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        let command = |key| KeyboardShortcut::new(Modifiers::COMMAND, key);
        let command_shift = |key| KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, key);
        let plain = |key| KeyboardShortcut::new(Modifiers::NONE, key);
        Some(match self {
            Self::New => command(Key::N),
            Self::Open => command(Key::O),
            Self::Save => command(Key::S),
            Self::SaveAs => command_shift(Key::S),
            Self::Undo => command(Key::Z),
            Self::Redo => command_shift(Key::Z),
            Self::Duplicate => command(Key::D),
            Self::Delete => plain(Key::Delete),
            Self::SelectAll => command(Key::A),
            Self::Rename => plain(Key::F2),
            Self::Find => command(Key::F),
            Self::CommandPalette => command(Key::K),
            Self::ZoomIn => plain(Key::Plus),
            Self::ZoomOut => plain(Key::Minus),
            Self::ZoomFit => plain(Key::Num0),
            Self::SelectPrevious => plain(Key::ArrowLeft),
            Self::SelectNext => plain(Key::ArrowRight),
            Self::SelectUp => plain(Key::ArrowUp),
            Self::SelectDown => plain(Key::ArrowDown),
            Self::Quit => command(Key::Q),
            // Copy, cut and paste arrive as egui's Copy/Cut/Paste events, not as key presses.
            Self::Copy => command(Key::C),
            Self::Cut => command(Key::X),
            Self::Paste => command(Key::V),
            Self::NewFromTemplate
            | Self::ExportJson
            | Self::ExportYaml
            | Self::ZoomToSelection
            | Self::Relayout
            | Self::ToggleCode
            | Self::ToggleProblems
            | Self::ToggleHistory => return None,
        })
    }

    /// A second shortcut: Ctrl+Y for redo.
    #[must_use]
    pub fn extra_shortcut(self) -> Option<KeyboardShortcut> {
        match self {
            Self::Redo => Some(KeyboardShortcut::new(Modifiers::COMMAND, Key::Y)),
            _ => None,
        }
    }

    /// The shortcut as text for menus ("Ctrl+S").
    #[must_use]
    pub fn shortcut_text(self, ctx: &egui::Context) -> String {
        self.shortcut()
            .map(|s| ctx.format_shortcut(&s))
            .unwrap_or_default()
    }

    /// Whether the action only makes sense when keyboard focus is not in a text field (the
    /// text field wants those keys itself).
    #[must_use]
    pub fn yields_to_text_fields(self) -> bool {
        matches!(
            self,
            Self::Delete
                | Self::SelectAll
                | Self::Undo
                | Self::Redo
                | Self::Copy
                | Self::Cut
                | Self::Paste
                | Self::ZoomIn
                | Self::ZoomOut
                | Self::ZoomFit
                | Self::SelectPrevious
                | Self::SelectNext
                | Self::SelectUp
                | Self::SelectDown
                | Self::Rename
                | Self::Duplicate
        )
    }
}

/// What the keyboard asked for this frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyboardRequests {
    /// Actions whose shortcut was pressed, in order.
    pub actions: Vec<Action>,
    /// Text pasted from the system clipboard, if a paste happened.
    pub pasted: Option<String>,
}

/// Takes this frame's shortcuts out of the input. When a text field has focus, keys the text
/// field needs (arrows, Delete, Ctrl+Z, copy/paste...) are left to it.
pub fn read_shortcuts(ctx: &egui::Context, text_has_focus: bool) -> KeyboardRequests {
    let mut requests = KeyboardRequests::default();
    ctx.input_mut(|input| {
        // Clipboard actions arrive as events (the platform turns Ctrl+C into Event::Copy).
        if !text_has_focus {
            let mut kept = Vec::with_capacity(input.events.len());
            for event in input.events.drain(..) {
                match event {
                    egui::Event::Copy => requests.actions.push(Action::Copy),
                    egui::Event::Cut => requests.actions.push(Action::Cut),
                    egui::Event::Paste(text) => {
                        requests.actions.push(Action::Paste);
                        requests.pasted = Some(text);
                    }
                    other => kept.push(other),
                }
            }
            input.events = kept;
        }
        // Longer shortcuts first, so Ctrl+Shift+Z is not taken as Ctrl+Z.
        let mut ordered: Vec<(Action, KeyboardShortcut)> = Action::ALL
            .iter()
            .filter(|a| !matches!(a, Action::Copy | Action::Cut | Action::Paste))
            .flat_map(|&a| {
                a.shortcut()
                    .into_iter()
                    .chain(a.extra_shortcut())
                    .map(move |s| (a, s))
            })
            .collect();
        ordered.sort_by_key(|(_, s)| {
            std::cmp::Reverse(s.modifiers.shift as u8 + s.modifiers.alt as u8)
        });
        for (action, shortcut) in ordered {
            if text_has_focus && action.yields_to_text_fields() {
                continue;
            }
            if input.consume_shortcut(&shortcut) {
                requests.actions.push(action);
            }
        }
        // `+` is often typed as Shift+= ; egui reports it as Key::Plus or Key::Equals.
        if !text_has_focus
            && (input.consume_key(Modifiers::SHIFT, Key::Equals)
                || input.consume_key(Modifiers::NONE, Key::Equals))
        {
            requests.actions.push(Action::ZoomIn);
        }
    });
    requests
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_distinct_name_and_shortcuts_do_not_clash() {
        let mut names = std::collections::HashSet::new();
        let mut shortcuts = std::collections::HashSet::new();
        for action in Action::ALL {
            assert!(names.insert(action.name()), "{action:?}");
            for s in action.shortcut().into_iter().chain(action.extra_shortcut()) {
                assert!(
                    shortcuts.insert((s.modifiers.command, s.modifiers.shift, s.logical_key)),
                    "{action:?}"
                );
            }
        }
    }
}
