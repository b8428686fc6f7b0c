//! The answers to editor requests, each from one document's [`Analysis`].

use std::collections::HashMap;

use asl_codec::Format;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CompletionItem, CompletionItemKind,
    DocumentSymbol, Hover, HoverContents, Location, MarkupContent, MarkupKind, Position, Range,
    SymbolKind, TextEdit, Uri, WorkspaceEdit,
};

use crate::analysis::{Analysis, ByteSpan, Hit, Machine, StateInfo};
use crate::docs;

/// Go to definition: from a state name (reference or key) to its state's key.
///
/// On the path of a `.tf` file's `file("...")` or `templatefile("...")`: the file it names.
pub fn definition(analysis: &Analysis, uri: &Uri, position: Position) -> Option<Location> {
    let offset = analysis.offset(position);
    if let Some((_, path)) = analysis
        .links
        .iter()
        .find(|(span, _)| span.0 <= offset && offset <= span.1)
    {
        let start = Position::new(0, 0);
        return Some(Location::new(
            crate::file_uri(path)?,
            Range::new(start, start),
        ));
    }
    let hit = analysis.hit(offset)?;
    let state = hit.machine().state(hit.name())?;
    Some(Location::new(uri.clone(), analysis.range(state.key)))
}

/// Find references: every transition into the state named under the cursor (and, when asked,
/// its key).
pub fn references(
    analysis: &Analysis,
    uri: &Uri,
    position: Position,
    include_declaration: bool,
) -> Vec<Location> {
    let Some(hit) = analysis.hit(analysis.offset(position)) else {
        return Vec::new();
    };
    let machine = hit.machine();
    let name = hit.name();
    let mut spans: Vec<ByteSpan> = Vec::new();
    if include_declaration && let Some(state) = machine.state(name) {
        spans.push(state.key);
    }
    spans.extend(
        machine
            .references()
            .filter(|reference| reference.target == name)
            .map(|reference| reference.span),
    );
    spans
        .into_iter()
        .map(|span| Location::new(uri.clone(), analysis.range(span)))
        .collect()
}

/// The range and current name of the state under the cursor, for `prepareRename`.
pub fn prepare_rename(analysis: &Analysis, position: Position) -> Option<Range> {
    let hit = analysis.hit(analysis.offset(position))?;
    let state = hit.machine().state(hit.name())?;
    Some(match hit {
        Hit::State(..) => analysis.range(state.key),
        Hit::Reference(_, reference) => analysis.range(reference.span),
    })
}

/// Rename a state: its key and every reference to it in its machine, as one edit; refused with
/// the reason when the new name is invalid or taken.
pub fn rename(
    analysis: &Analysis,
    uri: &Uri,
    position: Position,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    let hit = analysis.hit(analysis.offset(position)).ok_or(
        "no state name here: put the cursor on a state's name or on a Next, Default or StartAt",
    )?;
    let machine = hit.machine();
    let old = hit.name();
    let state = machine
        .state(old)
        .ok_or_else(|| format!("there is no state `{old}` to rename"))?;
    graph_model::check_state_name(new_name).map_err(|error| error.to_string())?;
    if new_name == old {
        return Ok(WorkspaceEdit::default());
    }
    let root = analysis.root_of(machine).unwrap_or(machine);
    if root.has_name_anywhere(new_name) {
        return Err(format!(
            "cannot rename `{old}` to `{new_name}`: a state called `{new_name}` already exists"
        ));
    }
    let mut spans = vec![state.key];
    spans.extend(
        machine
            .references()
            .filter(|reference| reference.target == old)
            .map(|reference| reference.span),
    );
    let edits = spans
        .into_iter()
        .map(|span| TextEdit::new(analysis.range(span), spelled_like(analysis, span, new_name)))
        .collect();
    Ok(WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)])))
}

/// Whether byte `at` of `text` lies inside a single-quoted YAML scalar that opens its line's value
/// (`Key: '...`) and is still open at `at` (`''` is an escaped quote, a lone `'` closes it).
fn in_single_quoted_yaml_scalar(text: &str, at: usize) -> bool {
    let Some(before) = text.get(..at) else {
        return false;
    };
    let line = &before[before.rfind('\n').map_or(0, |newline| newline + 1)..];
    let Some(colon) = line.find(": ") else {
        return false;
    };
    let Some(inner) = line[colon + 2..].trim_start().strip_prefix('\'') else {
        return false;
    };
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next_if_eq(&'\'').is_none() {
            return false;
        }
    }
    true
}

/// `name` written the way the text at `span` writes its string: JSON string syntax, unless it is
/// an unquoted or single-quoted YAML scalar that can stay so.
fn spelled_like(analysis: &Analysis, span: ByteSpan, name: &str) -> String {
    let old = analysis.text.get(span.0..span.1).unwrap_or_default();
    let json = serde_json::to_string(name).unwrap_or_else(|_| format!("\"{name}\""));
    if old.starts_with('"') {
        // JSON inside a one-line single-quoted YAML scalar (`DefinitionString: '{"StartAt": ...}'`):
        // YAML writes a `'` there as `''`, so a name with an apostrophe would otherwise end the scalar.
        if in_single_quoted_yaml_scalar(&analysis.text, span.0) {
            return json.replace('\'', "''");
        }
        return json;
    }
    // Inside a JSON string literal (a JSON template's DefinitionString): the JSON string, escaped
    // once more.
    if old.starts_with("\\\"") {
        let escaped = serde_json::to_string(&json).unwrap_or_default();
        return escaped
            .get(1..escaped.len().saturating_sub(1))
            .unwrap_or_default()
            .to_owned();
    }
    let plain_is_safe = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
        && !name.starts_with([' ', '-'])
        && !name.ends_with(' ');
    // An HCL object key (`Name = {` in a Terraform `jsonencode`) is an identifier or a string.
    let hcl_key = analysis
        .text
        .get(span.1..)
        .is_some_and(|after| after.trim_start_matches([' ', '\t']).starts_with('='));
    if old.starts_with('\'') {
        format!("'{}'", name.replace('\'', "''"))
    } else if hcl_key {
        let identifier = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
        if identifier { name.to_owned() } else { json }
    } else if plain_is_safe {
        name.to_owned()
    } else {
        json
    }
}

/// The states as an outline, nested for Parallel branches and Map processors.
pub fn document_symbols(analysis: &Analysis) -> Vec<DocumentSymbol> {
    fn machine_symbols(analysis: &Analysis, machine: &Machine) -> Vec<DocumentSymbol> {
        machine
            .states
            .iter()
            .map(|state| state_symbol(analysis, state))
            .collect()
    }
    #[allow(deprecated)] // `deprecated` is a required field of the struct, not our use.
    fn symbol(
        name: String,
        detail: Option<String>,
        kind: SymbolKind,
        range: Range,
        selection: Range,
        children: Vec<DocumentSymbol>,
    ) -> DocumentSymbol {
        DocumentSymbol {
            name,
            detail,
            kind,
            tags: None,
            deprecated: None,
            range,
            selection_range: selection,
            children: Some(children),
        }
    }
    fn state_symbol(analysis: &Analysis, state: &StateInfo) -> DocumentSymbol {
        let kind = match state.type_name.as_str() {
            "Task" => SymbolKind::FUNCTION,
            "Choice" => SymbolKind::ENUM,
            "Parallel" | "Map" => SymbolKind::NAMESPACE,
            "Succeed" | "Fail" => SymbolKind::EVENT,
            _ => SymbolKind::OBJECT,
        };
        let range = analysis.range(state.body);
        let selection = analysis.range(state.key);
        let children = state
            .children
            .iter()
            .map(|child| {
                symbol(
                    child.label.clone().unwrap_or_default(),
                    None,
                    SymbolKind::PACKAGE,
                    range,
                    selection,
                    machine_symbols(analysis, child),
                )
            })
            .collect();
        symbol(
            name_or_placeholder(&state.name),
            Some(state.type_name.clone()),
            kind,
            range,
            selection,
            children,
        )
    }
    if analysis.is_template {
        analysis
            .machines
            .iter()
            .filter_map(|machine| {
                let first = machine.states.first()?;
                let last = machine.states.last()?;
                let range = analysis.range((first.key.0, last.body.1));
                Some(symbol(
                    machine.label.clone().unwrap_or_default(),
                    Some("state machine".to_owned()),
                    SymbolKind::MODULE,
                    range,
                    analysis.range(first.key),
                    machine_symbols(analysis, machine),
                ))
            })
            .collect()
    } else {
        analysis
            .machines
            .iter()
            .flat_map(|machine| machine_symbols(analysis, machine))
            .collect()
    }
}

/// Editors reject an empty symbol name.
fn name_or_placeholder(name: &str) -> String {
    if name.is_empty() {
        "(empty name)".to_owned()
    } else {
        name.to_owned()
    }
}

/// Hover: for a state name, its type and where it is entered from; for a field, what it means.
pub fn hover(analysis: &Analysis, position: Position) -> Option<Hover> {
    let offset = analysis.offset(position);
    let markdown = if let Some(hit) = analysis.hit(offset) {
        let machine = hit.machine();
        let name = hit.name();
        match machine.state(name) {
            Some(state) => {
                let mut entered: Vec<String> = machine
                    .references()
                    .filter(|reference| reference.target == name)
                    .map(|reference| match &reference.from {
                        Some(from) => format!("`{from}` ({})", reference.field),
                        None => "the start (StartAt)".to_owned(),
                    })
                    .collect();
                entered.dedup();
                let entered = if entered.is_empty() {
                    "nothing: no transition leads here".to_owned()
                } else {
                    entered.join(", ")
                };
                format!(
                    "**{name}**: {} state\n\nEntered from: {entered}",
                    state.type_name
                )
            }
            None => format!("No state `{name}` in this machine."),
        }
    } else if let Some(text) = resource_hover_at(analysis, offset) {
        text
    } else if let Some(text) = crate::expressions::expression_hover(analysis, offset) {
        text
    } else {
        let word = key_at(&analysis.text, offset)?;
        let doc = docs::field_doc(&word)?;
        let mut text = format!("**{}**: {}", doc.name, doc.meaning);
        if !doc.values.is_empty() {
            text.push_str("\n\nValues: ");
            text.push_str(
                &doc.values
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        text
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: None,
    })
}

/// Hover on a `Resource` value: the integration and its pattern.
fn resource_hover_at(analysis: &Analysis, offset: usize) -> Option<String> {
    let text = &analysis.text;
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    crate::expressions::resource_hover(&text[line_start..line_end], offset - line_start)
}

/// The member key under `offset`: a word followed (after its closing quote, if any) by `:`.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let offset = offset.min(text.len());
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    let word = text.get(start..end)?;
    let after = text[end..]
        .trim_start_matches(['"', '\''])
        .trim_start_matches([' ', '\t']);
    (!word.is_empty() && after.starts_with(':')).then(|| word.to_owned())
}

/// Completion from the text before the cursor on its line, so that it works while the document
/// is being typed and does not parse; state names and types come from `outline` (the last version
/// that parsed).
///
/// In a Terraform file (`terraform`), a member is also written `Key = value` (`jsonencode`), and
/// only the definitions are ASL: elsewhere in the file nothing but Resource and expression
/// completion is offered.
pub fn completion(
    text: &str,
    position: Position,
    outline: &Analysis,
    terraform: bool,
) -> Vec<CompletionItem> {
    let index = crate::position::PositionIndex::new(text);
    let offset = index.offset(text, position);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let separators: &[char] = if terraform { &[':', '='] } else { &[':'] };
    let field = value_field(before, separators);
    if let Some(items) =
        crate::expressions::completion(&text[..offset], field.as_deref(), position, offset, outline)
    {
        return items;
    }
    if terraform
        && outline
            .innermost_machine(offset.min(outline.text.len()))
            .is_none()
    {
        return Vec::new();
    }
    let in_string_value = field.is_some();
    let item = |label: &str, kind: CompletionItemKind, detail: Option<String>| CompletionItem {
        label: label.to_owned(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    };
    match field.as_deref() {
        Some("Next" | "Default" | "StartAt") => {
            let offset = offset.min(outline.text.len());
            let machine = match (field.as_deref(), outline.enclosing_state(offset)) {
                // StartAt names a state of the machine (or branch) that holds it, not of the
                // state around it.
                (Some("StartAt"), _) | (_, None) => outline
                    .innermost_machine(offset)
                    .or(outline.machines.first()),
                (_, Some((machine, _))) => Some(machine),
            };
            machine
                .map(|machine| {
                    machine
                        .states
                        .iter()
                        .map(|s| {
                            item(
                                &s.name,
                                CompletionItemKind::REFERENCE,
                                Some(s.type_name.clone()),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        }
        Some("Type") => docs::STATE_TYPES
            .iter()
            .map(|t| item(t, CompletionItemKind::ENUM_MEMBER, None))
            .collect(),
        Some(name) if docs::field_doc(name).is_some_and(|doc| !doc.values.is_empty()) => {
            docs::field_doc(name)
                .map(|doc| {
                    doc.values
                        .iter()
                        .map(|v| item(v, CompletionItemKind::ENUM_MEMBER, None))
                        .collect()
                })
                .unwrap_or_default()
        }
        _ if before.contains("States.") || (in_string_value && before.contains(".$")) => {
            docs::INTRINSICS
                .iter()
                .map(|(name, doc)| {
                    item(name, CompletionItemKind::FUNCTION, Some((*doc).to_owned()))
                })
                .collect()
        }
        Some(_) => Vec::new(),
        None => {
            let type_name = outline
                .enclosing_state(offset.min(outline.text.len()))
                .map(|(_, state)| state.type_name.clone())
                .unwrap_or_default();
            docs::fields_for(&type_name)
                .iter()
                .map(|name| {
                    item(
                        name,
                        CompletionItemKind::FIELD,
                        docs::field_doc(name).map(|doc| doc.meaning.to_owned()),
                    )
                })
                .collect()
        }
    }
}

/// When the text before the cursor is inside a member's value, that member's name; `separators`
/// are what may stand between a key and its value.
fn value_field(before: &str, separators: &[char]) -> Option<String> {
    let colon = before.rfind(separators)?;
    // `\"Next\":` inside a JSON string (a JSON template's DefinitionString) ends in `\"` too.
    let key = before[..colon]
        .trim_end()
        .trim_end_matches(['"', '\''])
        .trim_end_matches('\\');
    let start = key
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$'))
        .map_or(0, |i| i + 1);
    let name = &key[start..];
    (!name.is_empty()).then(|| name.to_owned())
}

/// Quick fixes at `range`: a misspelt state name changed to the nearest existing one; a missing
/// `End` or `Next` added; and the graph model's fixes for the diagnostics there (add the Retry a
/// Lambda invoke lacks, a timeout for a task-token wait, ...), written back in place.
pub fn code_actions(
    analysis: &Analysis,
    uri: &Uri,
    range: Range,
    format: Format,
) -> Vec<CodeActionOrCommand> {
    let start = analysis.offset(range.start);
    let end = analysis.offset(range.end);
    let overlaps = |span: ByteSpan| span.0 <= end && start <= span.1;
    let mut actions = Vec::new();
    let edit = |span: ByteSpan, text: String| {
        WorkspaceEdit::new(HashMap::from([(
            uri.clone(),
            vec![TextEdit::new(analysis.range(span), text)],
        )]))
    };
    let mut visit = Vec::from_iter(analysis.machines.iter());
    while let Some(machine) = visit.pop() {
        for reference in machine.references().filter(|r| overlaps(r.span)) {
            if machine.state(&reference.target).is_some() {
                continue;
            }
            if let Some(nearest) = nearest_name(machine, &reference.target) {
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Change `{}` to `{nearest}`", reference.target),
                    kind: Some(CodeActionKind::QUICKFIX),
                    edit: Some(edit(
                        reference.span,
                        spelled_like(analysis, reference.span, nearest),
                    )),
                    is_preferred: Some(true),
                    ..CodeAction::default()
                }));
            }
        }
        for (position, state) in machine.states.iter().enumerate() {
            visit.extend(state.children.iter());
            let Some(insertion) = state.missing_transition.as_ref() else {
                continue;
            };
            if !overlaps(state.body) {
                continue;
            }
            let member = |key: &str, value: String| match format {
                Format::Json => format!(",\n{}\"{key}\": {value}", insertion.indent),
                Format::Yaml => format!("{}{key}: {value}\n", insertion.indent),
            };
            let at = (insertion.offset, insertion.offset);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Add \"End\": true to `{}`", state.name),
                kind: Some(CodeActionKind::QUICKFIX),
                edit: Some(edit(at, member("End", "true".to_owned()))),
                ..CodeAction::default()
            }));
            if let Some(following) = machine.states.get(position + 1) {
                let quoted = serde_json::to_string(&following.name).unwrap_or_default();
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Add \"Next\": \"{}\" to `{}`", following.name, state.name),
                    kind: Some(CodeActionKind::QUICKFIX),
                    edit: Some(edit(at, member("Next", quoted))),
                    ..CodeAction::default()
                }));
            }
        }
    }
    actions.extend(model_fixes(analysis, uri, range));
    actions
}

/// The graph model's quick fixes for the diagnostics overlapping `range`, each applied to the
/// model and written back with the preserving writer, as the one edit that covers what changed.
/// Plain definitions only: a template's machine is written through its template.
fn model_fixes(analysis: &Analysis, uri: &Uri, range: Range) -> Vec<CodeActionOrCommand> {
    let Some(source) = analysis.source.as_ref().filter(|_| !analysis.is_template) else {
        return Vec::new();
    };
    let Ok(machine) = source.machine() else {
        return Vec::new();
    };
    let overlaps = |other: &Range| other.start <= range.end && range.start <= other.end;
    let mut actions = Vec::new();
    for (diagnostic, finding) in analysis.diagnostics.iter().zip(&analysis.findings) {
        if !overlaps(&diagnostic.range) {
            continue;
        }
        let Some(fix) = graph_model::quick_fix(&machine, &finding.diagnostic) else {
            continue;
        };
        let mut document = graph_model::Document::new(machine.clone());
        if document.apply(fix.command).is_err() {
            continue;
        }
        let fixed = source.write_machine(document.root());
        let Some((span, replacement)) = changed_span(&analysis.text, &fixed) else {
            continue;
        };
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: fix.title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            edit: Some(WorkspaceEdit::new(HashMap::from([(
                uri.clone(),
                vec![TextEdit::new(analysis.range(span), replacement)],
            )]))),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    actions
}

/// The byte span of `old` that differs from `new` and its replacement (common prefix and suffix
/// trimmed on character boundaries); `None` when they are equal.
fn changed_span(old: &str, new: &str) -> Option<(ByteSpan, String)> {
    if old == new {
        return None;
    }
    let prefix = old
        .char_indices()
        .zip(new.chars())
        .find(|((_, a), b)| a != b)
        .map_or(old.len().min(new.len()), |((index, _), _)| index);
    let prefix = floor_boundary(new, prefix);
    let suffix = old[prefix..]
        .chars()
        .rev()
        .zip(new[prefix..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum::<usize>();
    Some((
        (prefix, old.len() - suffix),
        new[prefix..new.len() - suffix].to_owned(),
    ))
}

fn floor_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// The state of `machine` whose name is nearest `wanted` by edit distance (ties: the first).
fn nearest_name<'m>(machine: &'m Machine, wanted: &str) -> Option<&'m str> {
    machine
        .states
        .iter()
        .map(|state| (edit_distance(&state.name, wanted), state.name.as_str()))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// Levenshtein distance, by characters, case-sensitive.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

/// Formatting: the whole document in `fmt`'s canonical layout (nothing when it does not parse or
/// is already canonical).
pub fn format(analysis: &Analysis) -> Vec<TextEdit> {
    let Some(source) = analysis.source.as_ref() else {
        return Vec::new();
    };
    let formatted = source.format_canonical();
    if formatted == analysis.text {
        return Vec::new();
    }
    vec![TextEdit::new(
        analysis.range((0, analysis.text.len())),
        formatted,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_span_is_the_smallest_differing_middle() {
        assert_eq!(changed_span("abc", "abc"), None);
        assert_eq!(
            changed_span("{\"a\": 1}", "{\"a\": 1, \"b\": 2}"),
            Some(((7, 7), ", \"b\": 2".to_owned()))
        );
        assert_eq!(changed_span("aéb", "aèb"), Some(((1, 3), "è".to_owned())));
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("Publish", "Pubilsh"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn value_field_names_the_member_being_typed() {
        assert_eq!(
            value_field("  \"Next\": \"Pro", &[':']).as_deref(),
            Some("Next")
        );
        assert_eq!(value_field("    Type: Ta", &[':']).as_deref(), Some("Type"));
        assert_eq!(value_field("    \"Ty", &[':']), None);
        assert_eq!(
            value_field(
                r#""{\"StartAt\":\"A\",\"States\":{\"A\":{\"Next\":\"B"#,
                &[':']
            )
            .as_deref(),
            Some("Next")
        );
        assert_eq!(
            value_field("        Default = \"Rej", &[':', '=']).as_deref(),
            Some("Default")
        );
    }
}
