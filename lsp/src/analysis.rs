//! One document version, analysed once: `check`'s findings as LSP diagnostics, and an outline of
//! every machine (states, their key positions and every transition into them) that navigation,
//! rename, symbols, hover and code actions answer from.

use std::path::{Path, PathBuf};

use asl_codec::check::{Finding, check_loaded, check_template_resources};
use asl_codec::lint_config::LintConfig;
use asl_codec::template::{DefinitionOrigin, is_template};
use asl_codec::{Format, Loaded, SourceFile, SpanRef};
use graph_model::{Diagnostic, Severity};
use lsp_types::{DiagnosticSeverity, NumberOrString};
use serde_json::Value;

use crate::position::{PositionIndex, token_end};

/// A byte range `start..end` in the document text.
pub type ByteSpan = (usize, usize);

/// A string naming a state: a `Next`, `Default`, `StartAt` or Catch `Next` value.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The field, as a user reads it: `Next`, `Default`, `StartAt`, `Choices[0].Next`, `Catch[1].Next`.
    pub field: String,
    /// The state named.
    pub target: String,
    /// The state the reference is written in (`None` for `StartAt`).
    pub from: Option<String>,
    /// The string, quotes included when it has them.
    pub span: ByteSpan,
}

/// One state of a machine.
#[derive(Debug, Clone)]
pub struct StateInfo {
    /// The state's name.
    pub name: String,
    /// Its `Type` as written.
    pub type_name: String,
    /// The member key, quotes included when it has them.
    pub key: ByteSpan,
    /// From the key to the end of the state's object (YAML: to the next state's key).
    pub body: ByteSpan,
    /// Its transitions.
    pub references: Vec<Reference>,
    /// Parallel branches and the Map processor.
    pub children: Vec<Machine>,
    /// For a state that needs `Next` or `End` and has neither: where and how to add one.
    pub missing_transition: Option<Insertion>,
    /// The variables its `Assign` fields (its own, its Choice rules' and its catchers') set.
    pub assigned: Vec<String>,
}

/// Where a new member goes in an object, and the indentation its siblings use.
#[derive(Debug, Clone)]
pub struct Insertion {
    /// The byte offset to insert at.
    pub offset: usize,
    /// The indentation of the object's members.
    pub indent: String,
}

/// A machine: the top level, a Parallel branch or a Map processor.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    /// What to call it in the outline: a template's logical id, `Branch 1`, `ItemProcessor`.
    pub label: Option<String>,
    /// Its `StartAt`.
    pub start_at: Option<Reference>,
    /// Its states, in document order.
    pub states: Vec<StateInfo>,
}

impl Machine {
    /// The state called `name` at this level.
    pub fn state(&self, name: &str) -> Option<&StateInfo> {
        self.states.iter().find(|state| state.name == name)
    }

    /// Every reference at this level (StartAt first), not those of nested machines.
    pub fn references(&self) -> impl Iterator<Item = &Reference> + '_ {
        self.start_at
            .iter()
            .chain(self.states.iter().flat_map(|state| state.references.iter()))
    }

    /// Whether any state at any depth is called `name` (AWS wants names unique in the whole machine).
    pub fn has_name_anywhere(&self, name: &str) -> bool {
        self.states.iter().any(|state| {
            state.name == name
                || state
                    .children
                    .iter()
                    .any(|child| child.has_name_anywhere(name))
        })
    }
}

/// A document version, analysed.
#[derive(Debug)]
pub struct Analysis {
    /// The text analysed.
    pub text: String,
    /// Its position index.
    pub index: PositionIndex,
    /// The findings of `asl-studio check`, as LSP diagnostics.
    pub diagnostics: Vec<lsp_types::Diagnostic>,
    /// The same findings as `check` has them (one per diagnostic, in the same order), for quick
    /// fixes.
    pub findings: Vec<Finding>,
    /// The top-level machines (one for a definition, one per inline template machine).
    pub machines: Vec<Machine>,
    /// The parsed text, when it parses.
    pub source: Option<SourceFile>,
    /// Whether the text is a SAM / CloudFormation template.
    pub is_template: bool,
    /// Paths written in the text that name a definition kept in another file (a `.tf` file's
    /// `file("...")` and `templatefile("...")`): the string, and the file it names.
    pub links: Vec<(ByteSpan, PathBuf)>,
}

/// What is under a position.
#[derive(Debug, Clone, Copy)]
pub enum Hit<'a> {
    /// A state's key.
    State(&'a Machine, &'a StateInfo),
    /// A reference to a state.
    Reference(&'a Machine, &'a Reference),
}

impl Hit<'_> {
    /// The machine (level) the name belongs to.
    pub fn machine(&self) -> &Machine {
        match self {
            Hit::State(machine, _) | Hit::Reference(machine, _) => machine,
        }
    }

    /// The state name under the position.
    pub fn name(&self) -> &str {
        match self {
            Hit::State(_, state) => &state.name,
            Hit::Reference(_, reference) => &reference.target,
        }
    }
}

impl Analysis {
    /// `text` indexed, with nothing found in it yet.
    pub(crate) fn unanalysed(text: String, is_template: bool) -> Self {
        let index = PositionIndex::new(&text);
        Self {
            text,
            index,
            diagnostics: Vec::new(),
            findings: Vec::new(),
            machines: Vec::new(),
            source: None,
            is_template,
            links: Vec::new(),
        }
    }

    /// Analyses `text`; `format` comes from the file name (or the content); `base_dir` resolves a
    /// SAM `DefinitionUri`.
    pub fn new(text: String, format: Format, base_dir: Option<&Path>) -> Self {
        let mut analysis = Self::unanalysed(text, false);
        let source = match SourceFile::parse(analysis.text.clone(), format) {
            Ok(source) => source,
            Err(error) => {
                let finding = Finding {
                    machine: None,
                    diagnostic: Diagnostic::error("SYNTAX", "", error.message),
                    location: error.location,
                    exact: true,
                };
                analysis.diagnostics = vec![analysis.to_lsp(&finding)];
                return analysis;
            }
        };
        let (findings, machines) = if is_template(source.value()) {
            analysis.is_template = true;
            let checked = check_template(&source, base_dir, &analysis.text, &analysis.index);
            analysis.source = Some(source);
            checked
        } else {
            let machine = outline_definition(&source, &analysis.text, &analysis.index);
            let loaded = Loaded::Asl(source);
            let findings = check_loaded(&loaded);
            if let Loaded::Asl(source) = loaded {
                analysis.source = Some(source);
            }
            (findings, vec![machine])
        };
        let findings = apply_lint_config(findings, base_dir);
        analysis.diagnostics = findings.iter().map(|f| analysis.to_lsp(f)).collect();
        analysis.findings = findings;
        analysis.machines = machines;
        analysis
    }

    /// A finding of `check` as an LSP diagnostic in this text.
    pub(crate) fn to_lsp(&self, finding: &Finding) -> lsp_types::Diagnostic {
        let diagnostic = &finding.diagnostic;
        let start = self.index.offset_of_line_col(
            &self.text,
            finding.location.line,
            finding.location.column,
        );
        let end = token_end(&self.text, start);
        lsp_types::Diagnostic {
            range: self.index.range(&self.text, start, end),
            severity: Some(match diagnostic.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Info => DiagnosticSeverity::INFORMATION,
            }),
            code: Some(NumberOrString::String(diagnostic.code.clone())),
            source: Some("asl-studio".to_owned()),
            message: diagnostic.message.clone(),
            data: Some(serde_json::json!({
                "machine": finding.machine,
                "state": diagnostic.state,
                "pointer": diagnostic.pointer,
            })),
            ..lsp_types::Diagnostic::default()
        }
    }

    /// The LSP range of a byte span.
    pub fn range(&self, span: ByteSpan) -> lsp_types::Range {
        self.index.range(&self.text, span.0, span.1)
    }

    /// The byte offset of an LSP position.
    pub fn offset(&self, position: lsp_types::Position) -> usize {
        self.index.offset(&self.text, position)
    }

    /// The state key or reference at byte `offset` (its end included, where a cursor often sits).
    pub fn hit(&self, offset: usize) -> Option<Hit<'_>> {
        fn search(machine: &Machine, offset: usize) -> Option<Hit<'_>> {
            let inside = |span: ByteSpan| span.0 <= offset && offset <= span.1;
            if let Some(start) = machine.start_at.as_ref().filter(|r| inside(r.span)) {
                return Some(Hit::Reference(machine, start));
            }
            for state in &machine.states {
                if inside(state.key) {
                    return Some(Hit::State(machine, state));
                }
                if let Some(reference) = state.references.iter().find(|r| inside(r.span)) {
                    return Some(Hit::Reference(machine, reference));
                }
                if inside(state.body) {
                    for child in &state.children {
                        if let Some(hit) = search(child, offset) {
                            return Some(hit);
                        }
                    }
                }
            }
            None
        }
        self.machines
            .iter()
            .find_map(|machine| search(machine, offset))
    }

    /// The innermost machine (top level, branch or Map processor) that byte `offset` is in: from
    /// its `StartAt` or first state to the end of its last state.
    pub fn innermost_machine(&self, offset: usize) -> Option<&Machine> {
        fn holds(machine: &Machine, offset: usize) -> bool {
            let first = machine.states.first().map(|state| state.key.0);
            let start = match (machine.start_at.as_ref(), first) {
                (Some(start_at), Some(first)) => start_at.span.0.min(first),
                (Some(start_at), None) => start_at.span.0,
                (None, Some(first)) => first,
                (None, None) => return false,
            };
            let end = machine.states.last().map_or(start, |state| state.body.1);
            start <= offset && offset <= end
        }
        let mut found = self
            .machines
            .iter()
            .find(|machine| holds(machine, offset))?;
        while let Some(inner) = found
            .states
            .iter()
            .flat_map(|state| state.children.iter())
            .find(|child| holds(child, offset))
        {
            found = inner;
        }
        Some(found)
    }

    /// The states whose bodies hold byte `offset`, outermost first, each with its machine.
    pub fn enclosing_chain(&self, offset: usize) -> Vec<(&Machine, &StateInfo)> {
        let mut chain = Vec::new();
        let mut level: Vec<&Machine> = self.machines.iter().collect();
        while let Some((machine, state)) = level.iter().find_map(|machine| {
            machine
                .states
                .iter()
                .filter(|state| state.body.0 <= offset && offset <= state.body.1)
                .min_by_key(|state| state.body.1 - state.body.0)
                .map(|state| (*machine, state))
        }) {
            chain.push((machine, state));
            level = state.children.iter().collect();
        }
        chain
    }

    /// The innermost state whose body holds byte `offset`, with its machine.
    pub fn enclosing_state(&self, offset: usize) -> Option<(&Machine, &StateInfo)> {
        fn search(machine: &Machine, offset: usize) -> Option<(&Machine, &StateInfo)> {
            let state = machine
                .states
                .iter()
                .filter(|state| state.body.0 <= offset && offset <= state.body.1)
                .min_by_key(|state| state.body.1 - state.body.0)?;
            state
                .children
                .iter()
                .find_map(|child| search(child, offset))
                .or(Some((machine, state)))
        }
        self.machines
            .iter()
            .find_map(|machine| search(machine, offset))
    }

    /// The top-level machine that holds `machine` (itself when it is one).
    pub fn root_of(&self, machine: &Machine) -> Option<&Machine> {
        fn holds(root: &Machine, wanted: &Machine) -> bool {
            std::ptr::eq(root, wanted)
                || root
                    .states
                    .iter()
                    .flat_map(|state| state.children.iter())
                    .any(|child| holds(child, wanted))
        }
        self.machines.iter().find(|root| holds(root, machine))
    }
}

/// `asl-studio check` on a template, machine by machine so that one unreadable definition does not
/// hide the others, plus the outline of every inline machine.
fn check_template(
    source: &SourceFile,
    base_dir: Option<&Path>,
    text: &str,
    index: &PositionIndex,
) -> (Vec<Finding>, Vec<Machine>) {
    let mut outlines = Vec::new();
    let findings = check_template_resources(source, base_dir, |machine| {
        if machine.origin == DefinitionOrigin::Inline
            && let Some(definition) = source.value().pointer(&machine.pointer)
        {
            let cursor = match source.spans() {
                Some(root) => match root.lookup(source.value(), &machine.pointer) {
                    (node, true) => Some(Cursor::Json(node)),
                    _ => None,
                },
                None => Some(Cursor::Yaml(machine.pointer.clone())),
            };
            if let Some(cursor) = cursor {
                let walker = Walker {
                    source,
                    text,
                    index,
                };
                let mut outline = walker.machine(definition, &cursor);
                outline.label = Some(machine.logical_id.clone());
                outlines.push(outline);
            }
        } else if let (DefinitionOrigin::String | DefinitionOrigin::Join, Some(definition_text)) =
            (&machine.origin, machine.text.as_deref())
            && let Some(root) = source.spans()
        {
            // A JSON template: the definition is written as escaped string literals.
            if let (node, true) = root.lookup(source.value(), &machine.pointer)
                && let Some(value) = source.value().pointer(&machine.pointer)
                && let Some(mut outline) =
                    crate::embedded::outline_escaped(definition_text, text, value, node)
            {
                outline.label = Some(machine.logical_id.clone());
                outlines.push(outline);
            }
        } else if machine.origin == DefinitionOrigin::String
            && let Some(definition_text) = machine.text.as_deref()
        {
            let at = source.locate(&machine.pointer).line_col;
            let from = index.offset_of_line_col(text, at.line, at.column);
            if let Some(mut outline) = crate::embedded::outline(definition_text, text, from)
                .or_else(|| crate::embedded::outline_yaml_scalar(definition_text, text, from))
            {
                outline.label = Some(machine.logical_id.clone());
                outlines.push(outline);
            }
        }
    });
    (findings, outlines)
}

pub(crate) fn outline_definition(
    source: &SourceFile,
    text: &str,
    index: &PositionIndex,
) -> Machine {
    let cursor = match source.spans() {
        Some(root) => Cursor::Json(root),
        None => Cursor::Yaml(String::new()),
    };
    Walker {
        source,
        text,
        index,
    }
    .machine(source.value(), &cursor)
}

/// The names a state's `Assign` objects set: its own, and those of its Choice rules and catchers,
/// which apply when that transition is taken.
pub(crate) fn assigned_variables(state: &Value) -> Vec<String> {
    let nested = ["Choices", "Catch"]
        .into_iter()
        .filter_map(|list| state.get(list).and_then(Value::as_array))
        .flatten();
    let mut names: Vec<String> = std::iter::once(state)
        .chain(nested)
        .filter_map(|holder| holder.get("Assign").and_then(Value::as_object))
        // A JSONPath state spells a computed value's key `name.$`; the variable is `name`.
        .flat_map(|assign| assign.keys())
        .map(|key| key.strip_suffix(".$").unwrap_or(key).to_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Where a value is: a node of the JSON span table, or (YAML) its pointer in the host file.
#[derive(Debug, Clone)]
enum Cursor<'s> {
    Json(SpanRef<'s>),
    Yaml(String),
}

struct Walker<'s> {
    source: &'s SourceFile,
    text: &'s str,
    index: &'s PositionIndex,
}

impl<'s> Walker<'s> {
    fn child(&self, cursor: &Cursor<'s>, value: &Value, key: &str) -> Option<Cursor<'s>> {
        match cursor {
            Cursor::Json(node) => {
                let position = match value {
                    Value::Object(map) => map.keys().position(|k| k == key)?,
                    Value::Array(items) => {
                        key.parse::<usize>().ok().filter(|i| *i < items.len())?
                    }
                    _ => return None,
                };
                node.child_at(position).map(Cursor::Json)
            }
            Cursor::Yaml(pointer) => Some(Cursor::Yaml(format!(
                "{pointer}/{}",
                graph_model::escape_pointer(key)
            ))),
        }
    }

    fn yaml_start(&self, pointer: &str) -> Option<usize> {
        let location = self.source.locate(pointer);
        location.exact.then(|| {
            self.index.offset_of_line_col(
                self.text,
                location.line_col.line,
                location.line_col.column,
            )
        })
    }

    fn key_span(&self, cursor: &Cursor<'s>) -> Option<ByteSpan> {
        match cursor {
            Cursor::Json(node) => node.key().map(|span| (span.start, span.end)),
            Cursor::Yaml(pointer) => {
                let start = self.yaml_start(pointer)?;
                // A `- ` item marker is where an element starts, not a key.
                let start = if self.text[start..].starts_with("- ") {
                    start + 2
                } else {
                    start
                };
                Some((start, token_end(self.text, start)))
            }
        }
    }

    fn scalar_span(&self, cursor: &Cursor<'s>) -> Option<ByteSpan> {
        match cursor {
            Cursor::Json(node) => Some((node.value().start, node.value().end)),
            Cursor::Yaml(_) => {
                let (_, key_end) = self.key_span(cursor)?;
                let rest = &self.text[key_end..];
                let colon = rest.find(':').filter(|i| !rest[..*i].contains('\n'))?;
                let after = key_end + colon + 1;
                let skipped = self.text[after..]
                    .find(|c: char| c != ' ' && c != '\t')
                    .map(|i| after + i)?;
                if self.text[skipped..].starts_with(['\n', '\r', '#']) {
                    return None;
                }
                Some((skipped, token_end(self.text, skipped)))
            }
        }
    }

    fn reference(
        &self,
        cursor: &Cursor<'s>,
        value: &Value,
        field: &str,
        label: String,
        from: Option<&str>,
    ) -> Option<Reference> {
        let target = value.get(field)?.as_str()?;
        let child = self.child(cursor, value, field)?;
        Some(Reference {
            field: label,
            target: target.to_owned(),
            from: from.map(str::to_owned),
            span: self.scalar_span(&child)?,
        })
    }

    fn machine(&self, value: &Value, cursor: &Cursor<'s>) -> Machine {
        let mut machine = Machine {
            start_at: self.reference(cursor, value, "StartAt", "StartAt".to_owned(), None),
            ..Machine::default()
        };
        let Some(states) = value.get("States").and_then(Value::as_object) else {
            return machine;
        };
        let Some(states_cursor) = self.child(cursor, value, "States") else {
            return machine;
        };
        // JSON: walk the members and their spans side by side (one pass, not a lookup per state).
        let json_children: Option<Vec<SpanRef<'s>>> = match &states_cursor {
            Cursor::Json(node) => Some(node.children().collect()),
            Cursor::Yaml(_) => None,
        };
        for (position, (name, state)) in states.iter().enumerate() {
            let state_cursor = match (&json_children, &states_cursor) {
                (Some(children), _) => match children.get(position) {
                    Some(node) => Cursor::Json(*node),
                    None => continue,
                },
                (None, Cursor::Yaml(pointer)) => {
                    Cursor::Yaml(format!("{pointer}/{}", graph_model::escape_pointer(name)))
                }
                (None, Cursor::Json(_)) => continue,
            };
            let Some(key) = self.key_span(&state_cursor) else {
                continue;
            };
            let body = match &state_cursor {
                Cursor::Json(node) => (key.0, node.value().end),
                Cursor::Yaml(_) => (key.0, self.text.len()),
            };
            machine
                .states
                .push(self.state(name, state, &state_cursor, key, body));
        }
        if matches!(states_cursor, Cursor::Yaml(_)) {
            // A YAML state runs to the next state's key.
            let starts: Vec<usize> = machine.states.iter().map(|s| s.key.0).collect();
            for (i, state) in machine.states.iter_mut().enumerate() {
                if let Some(next) = starts.get(i + 1) {
                    state.body.1 = *next;
                }
            }
        }
        machine
    }

    fn state(
        &self,
        name: &str,
        state: &Value,
        cursor: &Cursor<'s>,
        key: ByteSpan,
        body: ByteSpan,
    ) -> StateInfo {
        let type_name = state
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut references = Vec::new();
        let from = Some(name);
        references.extend(self.reference(cursor, state, "Next", "Next".to_owned(), from));
        references.extend(self.reference(cursor, state, "Default", "Default".to_owned(), from));
        for list in ["Choices", "Catch"] {
            let Some(items) = state.get(list).and_then(Value::as_array) else {
                continue;
            };
            let Some(list_cursor) = self.child(cursor, state, list) else {
                continue;
            };
            let list_value = state.get(list).unwrap_or(&Value::Null);
            for (i, item) in items.iter().enumerate() {
                if let Some(item_cursor) = self.child(&list_cursor, list_value, &i.to_string()) {
                    references.extend(self.reference(
                        &item_cursor,
                        item,
                        "Next",
                        format!("{list}[{i}].Next"),
                        from,
                    ));
                }
            }
        }
        let mut children = Vec::new();
        if let (Some(branches), Some(branches_cursor)) = (
            state.get("Branches").and_then(Value::as_array),
            self.child(cursor, state, "Branches"),
        ) {
            let list_value = state.get("Branches").unwrap_or(&Value::Null);
            for (i, branch) in branches.iter().enumerate() {
                if let Some(branch_cursor) =
                    self.child(&branches_cursor, list_value, &i.to_string())
                {
                    let mut child = self.machine(branch, &branch_cursor);
                    child.label = Some(format!("Branch {}", i + 1));
                    children.push(child);
                }
            }
        }
        for field in ["ItemProcessor", "Iterator"] {
            if let (Some(processor), Some(processor_cursor)) =
                (state.get(field), self.child(cursor, state, field))
            {
                let mut child = self.machine(processor, &processor_cursor);
                child.label = Some(field.to_owned());
                children.push(child);
            }
        }
        let needs_transition = matches!(
            type_name.as_str(),
            "Task" | "Pass" | "Wait" | "Parallel" | "Map"
        ) && state.get("Next").is_none()
            && state.get("End").is_none();
        let missing_transition = if needs_transition {
            self.insertion(cursor, state)
        } else {
            None
        };
        StateInfo {
            name: name.to_owned(),
            type_name,
            key,
            body,
            references,
            children,
            missing_transition,
            assigned: assigned_variables(state),
        }
    }

    /// Where a new member of the state object goes: after its last member (JSON), or on the line
    /// after its `Type` (YAML).
    fn insertion(&self, cursor: &Cursor<'s>, state: &Value) -> Option<Insertion> {
        match cursor {
            Cursor::Json(node) => {
                let last = node.children().last()?;
                let key_start = last.key()?.start;
                let line_start = self.text[..key_start].rfind('\n').map_or(0, |i| i + 1);
                let indent = &self.text[line_start..key_start];
                let indent = if indent.trim().is_empty() {
                    indent.to_owned()
                } else {
                    String::new()
                };
                Some(Insertion {
                    offset: last.value().end,
                    indent,
                })
            }
            Cursor::Yaml(_) => {
                let type_cursor = self.child(cursor, state, "Type")?;
                let (start, _) = self.key_span(&type_cursor)?;
                let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
                let indent = self.text[line_start..start].replace('-', " ");
                let line_end = self.text[start..].find('\n').map(|i| start + i + 1)?;
                Some(Insertion {
                    offset: line_end,
                    indent,
                })
            }
        }
    }
}

/// Drops the warnings an `asl-studio.toml` next to the file turns off, as `check` does; an unusable
/// one is itself reported, at the top of the document.
pub(crate) fn apply_lint_config(findings: Vec<Finding>, base_dir: Option<&Path>) -> Vec<Finding> {
    let config = base_dir.map_or_else(|| Ok(LintConfig::default()), LintConfig::for_dir);
    match config {
        Ok(config) => config.filter(findings),
        Err(error) => {
            let mut findings = findings;
            findings.insert(
                0,
                Finding {
                    machine: None,
                    diagnostic: Diagnostic::error("CONFIG", "", error.to_string()),
                    location: asl_codec::LineCol { line: 1, column: 1 },
                    exact: false,
                },
            );
            findings
        }
    }
}
