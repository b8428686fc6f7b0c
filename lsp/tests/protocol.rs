//! The server spoken to over an in-memory connection (the same messages an editor sends over
//! stdio; app/tests/cli_lsp.rs covers the framing with the built binary), on corpus files in YAML
//! and templates.

mod common;

use common::{Session, TestResult, corpus, position};
use serde_json::{Value, json};

fn line_of(text: &str, line: &Value) -> String {
    text.lines()
        .nth(line.as_u64().unwrap_or(u64::MAX) as usize)
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn yaml_definition_jumps_from_next_to_the_state_key_inside_a_branch() -> TestResult {
    let mut session = Session::start()?;
    let path = corpus("real/stepfunctions-examples/sam__app-kyc-with-eventbridge__kyc.asl.yaml");
    let (uri, text) = session.open(&path)?;
    let next = position(&text, "Next: Identity check completed", 0, 8)?;
    let location = session.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": next}),
    )?;
    let line = line_of(&text, &location["range"]["start"]["line"]);
    assert_eq!(line.trim_end(), "  Identity check completed:", "{location}");
    // The StartAt of a branch names a state of that branch.
    let start = position(&text, "StartAt: Agency security clearance", 0, 10)?;
    let location = session.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": start}),
    )?;
    let line = line_of(&text, &location["range"]["start"]["line"]);
    assert_eq!(line.trim(), "Agency security clearance:", "{location}");
    Ok(())
}

#[test]
fn yaml_rename_edits_the_key_and_every_reference_as_plain_scalars() -> TestResult {
    let mut session = Session::start()?;
    let path = corpus("real/stepfunctions-examples/sam__app-kyc-with-eventbridge__kyc.asl.yaml");
    let (uri, text) = session.open(&path)?;
    let key = position(&text, "  Identity check completed:", 0, 4)?;
    let edit = session.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": key, "newName": "Identity checked"}),
    )?;
    let edits = edit["changes"][&uri]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let references = text.matches("Next: Identity check completed").count();
    assert_eq!(edits.len(), references + 1, "{edit}");
    for edit in &edits {
        assert_eq!(edit["newText"], "Identity checked");
        let range = &edit["range"];
        let line = line_of(&text, &range["start"]["line"]);
        let from = range["start"]["character"].as_u64().unwrap_or(0) as usize;
        let to = range["end"]["character"].as_u64().unwrap_or(0) as usize;
        assert_eq!(
            line.get(from..to),
            Some("Identity check completed"),
            "{line}"
        );
    }
    Ok(())
}

#[test]
fn json_template_machine_positions_are_in_the_template() -> TestResult {
    let mut session = Session::start()?;
    // The corpus's inline-Definition templates are YAML; the same template as JSON.
    let yaml = std::fs::read_to_string(corpus(
        "templates/stepfunctions-examples/sam__demo-asl-features__template.yaml",
    ))?;
    let value = asl_codec::SourceFile::parse(yaml, asl_codec::Format::Yaml)?
        .value()
        .clone();
    let text = asl_codec::format_canonical(&value, asl_codec::Format::Json);
    let uri = "file:///virtual/template.json";
    session.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": text}}),
    )?;
    let symbols = session.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    )?;
    let machines = symbols.as_array().cloned().unwrap_or_default();
    assert!(!machines.is_empty(), "{symbols}");
    let mut checked = 0;
    for machine in &machines {
        for state in machine["children"].as_array().cloned().unwrap_or_default() {
            let name = state["name"].as_str().unwrap_or_default();
            let line = line_of(&text, &state["selectionRange"]["start"]["line"]);
            assert!(line.contains(&format!("\"{name}\": {{")), "{name}: {line}");
            checked += 1;
        }
    }
    assert!(checked > 3, "{symbols}");
    Ok(())
}

#[test]
fn yaml_quick_fixes_add_end_at_the_state_indentation_and_fix_a_misspelt_next() -> TestResult {
    let mut session = Session::start()?;
    let text = "StartAt: Download\nStates:\n  Download:\n    Type: Pass\n    Next: Transfrom\n  Transform:\n    Type: Pass\n    Comment: last\n";
    let uri = "file:///virtual/flow.asl.yaml";
    session.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
    )?;
    let misspelt = position(text, "Transfrom", 0, 2)?;
    let actions = session.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": misspelt, "end": misspelt},
               "context": {"diagnostics": []}}),
    )?;
    assert_eq!(
        actions[0]["title"], "Change `Transfrom` to `Transform`",
        "{actions}"
    );
    assert_eq!(
        actions[0]["edit"]["changes"][uri][0]["newText"],
        "Transform"
    );
    let inside = position(text, "Comment: last", 0, 2)?;
    let actions = session.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": inside, "end": inside},
               "context": {"diagnostics": []}}),
    )?;
    let edit = &actions[0]["edit"]["changes"][uri][0];
    assert_eq!(edit["newText"], "    End: true\n", "{actions}");
    assert_eq!(edit["range"]["start"], json!({"line": 7, "character": 0}));
    Ok(())
}
