//! The server spoken to over an in-memory connection (the same messages an editor sends over
//! stdio; app/tests/cli_lsp.rs covers the framing with the built binary), on corpus files in YAML
//! and templates.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn corpus(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/corpus")
        .join(relative)
}

struct Session {
    client: Connection,
    thread: Option<std::thread::JoinHandle<()>>,
    next_id: i32,
}

impl Session {
    fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || {
            let _ = asl_studio_lsp::serve(&server, Duration::from_millis(20));
        });
        let mut session = Self {
            client,
            thread: Some(thread),
            next_id: 0,
        };
        session.request("initialize", json!({"capabilities": {}}))?;
        session.notify("initialized", json!({}))?;
        Ok(session)
    }

    fn notify(&self, method: &str, params: Value) -> Result<(), Box<dyn std::error::Error>> {
        self.client
            .sender
            .send(Message::Notification(Notification::new(
                method.to_owned(),
                params,
            )))?;
        Ok(())
    }

    fn request(
        &mut self,
        method: &str,
        params: Value,
    ) -> Result<Value, Box<dyn std::error::Error>> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.client.sender.send(Message::Request(Request::new(
            id.clone(),
            method.to_owned(),
            params,
        )))?;
        loop {
            match self.client.receiver.recv_timeout(Duration::from_secs(30))? {
                Message::Response(response) if response.id == id => {
                    return response
                        .response_result
                        .map_err(|error| format!("{method}: {}", error.message).into());
                }
                _ => {}
            }
        }
    }

    fn open(&self, path: &Path) -> Result<(String, String), Box<dyn std::error::Error>> {
        let text = std::fs::read_to_string(path)?;
        let uri = format!("file://{}", path.display()).replace(' ', "%20");
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        )?;
        Ok((uri, text))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.request("shutdown", Value::Null);
        let _ = self.notify("exit", Value::Null);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// 0-based line and UTF-16 character of the `nth` occurrence of `needle`, plus `shift`.
fn position(text: &str, needle: &str, nth: usize, shift: usize) -> Result<Value, String> {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i)
        .ok_or_else(|| format!("`{needle}` not found"))?;
    let line = text[..offset].matches('\n').count();
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    Ok(json!({"line": line, "character": text[start..offset].encode_utf16().count() + shift}))
}

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

/// `text` with one LSP edit applied (ASCII text: characters are bytes).
fn apply_edit(text: &str, edit: &Value) -> Result<String, String> {
    let offset = |position: &Value| -> Result<usize, String> {
        let line = position["line"].as_u64().ok_or("no line")? as usize;
        let character = position["character"].as_u64().ok_or("no character")? as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        Ok(start + character)
    };
    let start = offset(&edit["range"]["start"])?;
    let end = offset(&edit["range"]["end"])?;
    let new_text = edit["newText"].as_str().ok_or("no newText")?;
    Ok(format!("{}{new_text}{}", &text[..start], &text[end..]))
}

#[test]
fn yaml_quick_fix_adds_the_lambda_retry_in_place_and_keeps_the_rest() -> TestResult {
    let mut session = Session::start()?;
    let text = "# order flow\nStartAt: Charge\nStates:\n  Charge:\n    Type: Task\n    Resource: arn:aws:states:::lambda:invoke\n    Arguments:\n      FunctionName: charge\n    End: true\nQueryLanguage: JSONata\n";
    let uri = "file:///virtual/charge.asl.yaml";
    session.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
    )?;
    let at = position(text, "Resource", 0, 1)?;
    let actions = session.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": at, "end": at},
               "context": {"diagnostics": []}}),
    )?;
    let fix = actions
        .as_array()
        .and_then(|all| {
            all.iter().find(|a| {
                a["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Add a Retry"))
            })
        })
        .ok_or_else(|| format!("no Retry fix in {actions}"))?;
    assert_eq!(fix["diagnostics"][0]["code"], "LAMBDA_RETRY");
    let fixed = apply_edit(text, &fix["edit"]["changes"][uri][0])?;
    assert!(
        fixed.starts_with("# order flow\nStartAt: Charge\n"),
        "{fixed}"
    );
    assert!(fixed.ends_with("QueryLanguage: JSONata\n"), "{fixed}");
    // The fixed text offers the fix no more.
    let fixed_uri = "file:///virtual/charge-fixed.asl.yaml";
    session.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": fixed_uri, "languageId": "yaml", "version": 1, "text": fixed}}),
    )?;
    let at = position(&fixed, "Resource", 0, 1)?;
    let again = session.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": fixed_uri}, "range": {"start": at, "end": at},
               "context": {"diagnostics": []}}),
    )?;
    assert!(
        !again.to_string().contains("Add a Retry"),
        "{fixed}\n{again}"
    );
    // Written in the file's own YAML layout, under the state, every other line kept.
    assert!(
        fixed.contains(
            "    End: true\n    Retry:\n      - ErrorEquals:\n          - Lambda.ServiceException\n"
        ),
        "{fixed}"
    );
    assert!(fixed.contains("        JitterStrategy: FULL\n"), "{fixed}");
    Ok(())
}

impl Session {
    /// The next diagnostics published for `uri` (other messages are skipped).
    fn diagnostics_for(&self, uri: &str) -> Result<Value, Box<dyn std::error::Error>> {
        loop {
            if let Message::Notification(note) =
                self.client.receiver.recv_timeout(Duration::from_secs(30))?
                && note.method == "textDocument/publishDiagnostics"
                && note.params["uri"] == uri
            {
                return Ok(note.params["diagnostics"].clone());
            }
        }
    }
}

#[test]
fn asl_studio_toml_next_to_the_file_turns_a_warning_off_in_the_editor() -> TestResult {
    let dir = std::env::temp_dir().join(format!("asl-studio-lsp-toml-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let text = "StartAt: Charge\nStates:\n  Charge:\n    Type: Task\n    Resource: arn:aws:states:::lambda:invoke\n    Parameters:\n      FunctionName: charge\n    End: true\n";
    let file = dir.join("charge.asl.yaml");
    std::fs::write(&file, text)?;
    let session = Session::start()?;
    let (uri, _) = session.open(&file)?;
    let codes = |diagnostics: &Value| -> Vec<String> {
        diagnostics
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|d| d["code"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(codes(&session.diagnostics_for(&uri)?), ["LAMBDA_RETRY"]);
    std::fs::write(
        dir.join("asl-studio.toml"),
        "[lint]\ndisable = [\"LAMBDA_RETRY\"]\n",
    )?;
    let quiet = dir.join("quiet.asl.yaml");
    std::fs::write(&quiet, text)?;
    let (quiet_uri, _) = session.open(&quiet)?;
    assert_eq!(
        codes(&session.diagnostics_for(&quiet_uri)?),
        Vec::<String>::new()
    );
    Ok(())
}
