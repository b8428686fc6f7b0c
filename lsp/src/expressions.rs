//! Completion and hover inside values: a Task's `Resource` (the integration catalogue, and
//! which integration and pattern an ARN names), JSONata `{% %}` expressions (JSONata's
//! function library, Step Functions' own functions, `$states` and its members, variables) and
//! JSONPath variable references.
//!
//! Everything works from the text before the cursor on its line, so that it answers while the
//! document is being typed; items carry a text edit over what was typed, because `:` and `$`
//! are not word characters in most editors and a plain insertion would duplicate them.

use graph_model::integrations::{CATALOGUE, ResourceKind, catalogue_entry, describe_resource};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, Position, Range,
    TextEdit,
};

use crate::analysis::Analysis;
use crate::docs;

/// Completion for the value being typed, when the cursor is in a `Resource` value, a JSONata
/// expression or a JSONPath variable reference; `None` elsewhere. `text_before` is the document
/// up to the cursor, `field` the member whose value the cursor is in, `offset` the cursor's byte
/// offset in the text `outline` analysed.
pub fn completion(
    text_before: &str,
    field: Option<&str>,
    position: Position,
    offset: usize,
    outline: &Analysis,
) -> Option<Vec<CompletionItem>> {
    let before = &text_before[text_before.rfind('\n').map_or(0, |i| i + 1)..];
    if let Some(start) = resource_value_start(before) {
        let typed = &before[start..];
        let range = typed_range(position, typed);
        return Some(
            CATALOGUE
                .iter()
                .map(|entry| {
                    edit_item(
                        entry.resource,
                        CompletionItemKind::VALUE,
                        format!("{}: {}", entry.label, entry.hint),
                        range,
                    )
                })
                .collect(),
        );
    }
    let token = trailing_token(before);
    let range = typed_range(position, token);
    let context_items = |prefix: &str| -> Vec<CompletionItem> {
        docs::CONTEXT_FIELDS
            .iter()
            .map(|(field, meaning)| {
                edit_item(
                    &format!("{prefix}{field}"),
                    CompletionItemKind::PROPERTY,
                    (*meaning).to_owned(),
                    range,
                )
            })
            .collect()
    };
    // A YAML block or folded scalar can spread an expression over several lines.
    if in_jsonata(text_before) {
        if token.starts_with("$states.context.") {
            return Some(context_items("$states.context."));
        }
        if token.starts_with("$states.") {
            return Some(
                docs::STATES_MEMBERS
                    .iter()
                    .map(|(member, meaning)| {
                        edit_item(
                            &format!("$states.{member}"),
                            CompletionItemKind::PROPERTY,
                            (*meaning).to_owned(),
                            range,
                        )
                    })
                    .collect(),
            );
        }
        if !(token.is_empty() || token.starts_with('$')) {
            return None;
        }
        let mut items: Vec<CompletionItem> = docs::JSONATA_FUNCTIONS
            .iter()
            .map(|(name, doc)| {
                edit_item(name, CompletionItemKind::FUNCTION, (*doc).to_owned(), range)
            })
            .collect();
        items.extend(crate::jsonata::library().map(|builtin| CompletionItem {
            documentation: Some(Documentation::String(builtin.doc.to_owned())),
            ..edit_item(
                builtin.name,
                CompletionItemKind::FUNCTION,
                builtin.signature.to_owned(),
                range,
            )
        }));
        items.push(edit_item(
            "$states",
            CompletionItemKind::VARIABLE,
            "The reserved variable: input, result, errorOutput, context.".to_owned(),
            range,
        ));
        items.extend(variable_items(outline, offset, range));
        return Some(items);
    }
    if token.starts_with("$$.") && field.is_some() {
        return Some(context_items("$$."));
    }
    let takes_path = field.is_some_and(|field| {
        field.ends_with(".$")
            || field == "Variable"
            || (field.ends_with("Path") && field != "ResultPath")
    });
    let is_variable_start = token == "$"
        || (token.starts_with('$')
            && token[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && token[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'));
    if takes_path && is_variable_start {
        return Some(variable_items(outline, offset, range));
    }
    None
}

/// Hover on a `Resource` value: the integration it names and how Step Functions waits on it.
pub fn resource_hover(line: &str, column: usize) -> Option<String> {
    let before = line.get(..column)?;
    let start = resource_value_start(before)?;
    let value = &line[start..];
    let end = value.find(['"', '\'', ',', '#']).unwrap_or(value.len());
    let resource = value[..end].trim();
    let kind = describe_resource(resource)?;
    let listed = catalogue_entry(resource)
        .map(|entry| format!(" ({}: {})", entry.label, entry.hint))
        .unwrap_or_default();
    let text = match kind {
        ResourceKind::Optimised {
            service,
            action,
            pattern,
        } => format!(
            "**Resource**: optimised integration, service `{service}`, action `{action}`{listed}\n\n\
             Pattern: {}",
            pattern.describe()
        ),
        ResourceKind::Sdk {
            service,
            action,
            pattern,
        } => format!(
            "**Resource**: AWS SDK integration, service `{service}`, API action `{action}`{listed}\n\n\
             Pattern: {}",
            pattern.describe()
        ),
        ResourceKind::LambdaFunction => "**Resource**: a Lambda function named directly. \
             Pattern: Request Response; the function's result is the state's result (the \
             `lambda:invoke` integration wraps it in a Payload instead)."
            .to_owned(),
        ResourceKind::Activity => "**Resource**: an activity. A worker polls GetActivityTask \
             and answers with SendTaskSuccess or SendTaskFailure and the task token."
            .to_owned(),
    };
    Some(text)
}

/// Hover on a `$` name in an expression: a Step Functions JSONata function, a `$states` member,
/// or a variable and the state that assigns it. `offset` is in `analysis`'s text.
pub fn expression_hover(analysis: &Analysis, offset: usize) -> Option<String> {
    let text = &analysis.text;
    let offset = offset.min(text.len());
    let is_token = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.');
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_token(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_token(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    let token = text.get(start..end)?;
    // `$a.b`: the name is `$a`; `$.a` and `$$.a` are paths, not names.
    let name = token.split('.').next()?;
    if !name.starts_with('$') || name.len() < 2 || name.starts_with("$$") {
        return None;
    }
    if name == "$states" {
        let member = token.split('.').nth(1).unwrap_or_default();
        return Some(
            match docs::STATES_MEMBERS.iter().find(|(m, _)| *m == member) {
                Some((member, meaning)) => format!("**$states.{member}**: {meaning}"),
                None => "**$states**: the reserved variable of a JSONata state: `input`, \
                         `result`, `errorOutput`, `context`."
                    .to_owned(),
            },
        );
    }
    if let Some((_, doc)) = docs::JSONATA_FUNCTIONS.iter().find(|(f, _)| *f == name) {
        return Some(format!("**{name}** (Step Functions): {doc}"));
    }
    if let Some(builtin) = crate::jsonata::builtin_named(name) {
        return Some(format!(
            "**{}** (JSONata): {}",
            builtin.signature, builtin.doc
        ));
    }
    let variable = &name[1..];
    visible_variables(analysis, offset)
        .into_iter()
        .find(|(known, _)| known == variable)
        .map(|(_, state)| format!("**{name}**: variable, assigned in `{state}`"))
}

/// Where the value of a `Resource` member starts in `before`, when the cursor is inside it.
fn resource_value_start(before: &str) -> Option<usize> {
    let at = before.rfind("Resource")?;
    if before[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    let after_key = at + "Resource".len();
    let rest = &before[after_key..];
    let rest_trimmed = rest.trim_start_matches(['"', '\'']).trim_start();
    // `:` in JSON and YAML, `=` in a Terraform `jsonencode` object.
    let rest_trimmed = rest_trimmed.strip_prefix([':', '='])?.trim_start();
    let (quote, value) = match rest_trimmed.strip_prefix(['"', '\'']) {
        Some(value) => (true, value),
        None => (false, rest_trimmed),
    };
    if value.contains(['"', '\'', ',']) || (!quote && value.contains(' ')) {
        return None;
    }
    Some(before.len() - value.len())
}

/// Whether the cursor is inside a `{% ... %}` expression (not yet closed before it).
fn in_jsonata(before: &str) -> bool {
    before
        .rfind("{%")
        .is_some_and(|open| !before[open..].contains("%}"))
}

/// The expression token being typed: the trailing run of word characters, `$` and `.`.
fn trailing_token(before: &str) -> &str {
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'))
        .last()
        .map_or(before.len(), |(i, _)| i);
    &before[start..]
}

/// The range of `typed`, which ends at `position` on its line.
fn typed_range(position: Position, typed: &str) -> Range {
    let width = typed.encode_utf16().count() as u32;
    Range::new(
        Position::new(position.line, position.character.saturating_sub(width)),
        position,
    )
}

fn edit_item(
    label: &str,
    kind: CompletionItemKind,
    detail: String,
    range: Range,
) -> CompletionItem {
    CompletionItem {
        label: label.to_owned(),
        kind: Some(kind),
        detail: Some(detail),
        filter_text: Some(label.to_owned()),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
            range,
            label.to_owned(),
        ))),
        ..CompletionItem::default()
    }
}

fn variable_items(outline: &Analysis, offset: usize, range: Range) -> Vec<CompletionItem> {
    visible_variables(outline, offset)
        .into_iter()
        .map(|(name, state)| {
            edit_item(
                &format!("${name}"),
                CompletionItemKind::VARIABLE,
                format!("assigned in `{state}`"),
                range,
            )
        })
        .collect()
}

/// The variables a state at `offset` can read: those assigned by the states that can run before
/// it in its machine, and, for a state inside a branch or Map processor, those visible to the
/// state that holds it. Each with the (first) state that assigns it.
pub fn visible_variables(outline: &Analysis, offset: usize) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for (machine, state) in outline.enclosing_chain(offset.min(outline.text.len())) {
        // Every state from which `state` can be reached, walking transitions backwards.
        let mut upstream: Vec<&str> = Vec::new();
        let mut frontier = vec![state.name.as_str()];
        while let Some(target) = frontier.pop() {
            for reference in machine.references() {
                let Some(from) = reference.from.as_deref() else {
                    continue;
                };
                if reference.target == target && !upstream.contains(&from) {
                    upstream.push(from);
                    frontier.push(from);
                }
            }
        }
        for candidate in &machine.states {
            if !upstream.contains(&candidate.name.as_str()) {
                continue;
            }
            for name in &candidate.assigned {
                if !found.iter().any(|(known, _)| known == name) {
                    found.push((name.clone(), candidate.name.clone()));
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_value_start_finds_the_value_in_json_and_yaml() {
        let json = "      \"Resource\": \"arn:aws:states:::lam";
        assert_eq!(
            resource_value_start(json).map(|i| &json[i..]),
            Some("arn:aws:states:::lam")
        );
        let yaml = "    Resource: arn:aws:states:::s";
        assert_eq!(
            resource_value_start(yaml).map(|i| &yaml[i..]),
            Some("arn:aws:states:::s")
        );
        assert_eq!(
            resource_value_start("  \"Resource\": \"x\", \"Next\": \""),
            None
        );
        assert_eq!(resource_value_start("  \"ResourceArn\": \""), None);
        let hcl = "        Resource = \"arn:aws:states:::sns:";
        assert_eq!(
            resource_value_start(hcl).map(|i| &hcl[i..]),
            Some("arn:aws:states:::sns:")
        );
    }

    #[test]
    fn jsonata_is_open_until_its_closing_delimiter() {
        assert!(in_jsonata("\"Output\": \"{% $states."));
        assert!(!in_jsonata("\"Output\": \"{% $x %}\", \"A\": \"$"));
        assert_eq!(trailing_token("\"{% $states.in"), "$states.in");
    }

    #[test]
    fn hover_names_the_pattern_of_a_callback_resource() {
        let line = "  \"Resource\": \"arn:aws:states:::sqs:sendMessage.waitForTaskToken\",";
        let text = resource_hover(line, 30).unwrap_or_default();
        assert!(text.contains("service `sqs`"), "{text}");
        assert!(text.contains(".waitForTaskToken"), "{text}");
    }
}
