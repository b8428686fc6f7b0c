//! `asl-studio lsp` spoken to over stdio with Content-Length framing, as an editor does, on corpus
//! files; and Neovim's built-in LSP client driving the same binary (tests/lsp/nvim_e2e.lua).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::corpus;
use common::lsp::{
    Client, TestResult, at, diagnostic_with_code, is_diagnostics_for, position_of, started_on,
    strings_at, uri_of, workspace_root,
};
use serde_json::{Value, json};

/// One finding: line, column (1-based characters), code, severity, message.
type Row = (u64, u64, String, String, String);

/// `asl-studio check --format json` on a file: (line, column, code, severity, message) per finding.
fn check_rows(path: &Path) -> Result<Vec<Row>, Box<dyn std::error::Error>> {
    let output = Command::new(env!("CARGO_BIN_EXE_asl-studio"))
        .args(["check", "--format", "json"])
        .arg(path)
        .output()?;
    let rows: Value = serde_json::from_slice(&output.stdout)?;
    Ok(rows
        .as_array()
        .ok_or("check printed no array")?
        .iter()
        .map(|row| {
            (
                row["line"].as_u64().unwrap_or(0),
                row["column"].as_u64().unwrap_or(0),
                row["code"].as_str().unwrap_or_default().to_owned(),
                row["severity"].as_str().unwrap_or_default().to_owned(),
                row["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect())
}

/// The LSP diagnostics in the same shape (columns back to 1-based characters of the line).
fn lsp_rows(diagnostics: &Value, text: &str) -> Vec<Row> {
    let lines: Vec<&str> = text.split('\n').collect();
    diagnostics
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|d| {
            let line = d["range"]["start"]["line"].as_u64().unwrap_or(0) as usize;
            let units = d["range"]["start"]["character"].as_u64().unwrap_or(0) as usize;
            let line_text = lines.get(line).copied().unwrap_or_default();
            let line_text = line_text.strip_prefix('\u{feff}').unwrap_or(line_text);
            let mut seen = 0;
            let mut column = 1;
            for ch in line_text.chars() {
                if seen >= units {
                    break;
                }
                seen += ch.len_utf16();
                column += 1;
            }
            let severity = match d["severity"].as_u64() {
                Some(1) => "error",
                Some(2) => "warning",
                _ => "info",
            };
            (
                line as u64 + 1,
                column,
                d["code"].as_str().unwrap_or_default().to_owned(),
                severity.to_owned(),
                d["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn assert_same_as_check(client: &mut Client, path: &Path) -> TestResult {
    let text = std::fs::read_to_string(path)?;
    let uri = client.open(path, &text)?;
    let published = client.diagnostics(&uri)?;
    let mut expected = check_rows(path)?;
    let mut actual = lsp_rows(&published["diagnostics"], &text);
    expected.sort();
    actual.sort();
    assert_eq!(actual, expected, "{}", path.display());
    Ok(())
}

#[test]
fn lifecycle_initialize_shutdown_exit() -> TestResult {
    let client = Client::start()?;
    client.shutdown()
}

#[test]
fn diagnostics_match_check_on_definitions_yaml_and_templates() -> TestResult {
    let mut client = Client::start()?;
    let files = [
        "invalid/asl-validator/invalid-inexistant-state.asl.json",
        "invalid/asl-validator/invalid-missing-terminal.asl.json",
        "invalid/statelint/has-dupes.asl.json",
        "real/stepfunctions-examples/sam__app-kyc-with-eventbridge__kyc.asl.yaml",
        "templates/workflows-collection/saga-pattern-sam__template.yaml",
        "templates/localstack/tests__aws__templates__sfn_nested_sync2.json",
    ];
    for file in files {
        assert_same_as_check(&mut client, &corpus(file))?;
    }
    // The invalid ones do report something, so the comparison above compared findings.
    let path = corpus(files[0]);
    let text = std::fs::read_to_string(&path)?;
    let uri = client.open(&path, &text)?;
    let published = client.diagnostics(&uri)?;
    let missing = diagnostic_with_code(&published, "MISSING_TRANSITION_TARGET")?;
    // Where check puts it (the `"Next"` key), as wide as the key.
    assert_eq!(
        missing["range"]["start"],
        json!({"line": 5, "character": 6})
    );
    assert_eq!(missing["range"]["end"], json!({"line": 5, "character": 12}));
    assert_eq!(missing["severity"], 1);
    client.shutdown()
}

#[test]
fn diagnostics_come_once_for_the_latest_of_queued_changes() -> TestResult {
    let mut client = Client::start()?;
    let path = std::env::temp_dir().join("asl-studio-lsp-queued.asl.json");
    let uri = uri_of(&path);
    let mut message = String::new();
    let mut send = |value: Value| {
        let body = value.to_string();
        message.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    };
    send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "json", "version": 1,
        "text": "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}}}"}}}),
    );
    for version in 2..=6 {
        // Each version points at another missing state; only the last is to be reported.
        let text = format!(
            "{{\"StartAt\": \"A\", \"States\": {{\"A\": {{\"Type\": \"Pass\", \"Next\": \"V{version}\"}}}}}}"
        );
        send(
            json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}]}}),
        );
    }
    // One write: the server finds all six queued when it looks.
    client.stdin.write_all(message.as_bytes())?;
    client.stdin.flush()?;
    let published = client.diagnostics(&uri)?;
    assert_eq!(published["version"], 6, "{published}");
    let messages: Vec<&str> = strings_at(&published["diagnostics"], "message");
    assert!(messages.iter().any(|m| m.contains("V6")), "{messages:?}");
    // An incremental change: replace `V6` by `A`, which exists (a cycle has no terminal state,
    // so the transition error goes and another stays).
    let range = json!({"start": {"line": 0, "character": 55}, "end": {"line": 0, "character": 57}});
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 7},
               "contentChanges": [{"range": range, "text": "A"}]}),
    )?;
    let published = client.diagnostics(&uri)?;
    assert_eq!(published["version"], 7);
    let codes: Vec<&str> = strings_at(&published["diagnostics"], "code");
    assert!(!codes.contains(&"MISSING_TRANSITION_TARGET"), "{codes:?}");
    assert!(
        client.pending.iter().all(|m| !is_diagnostics_for(m, &uri)),
        "a superseded version was published: {:?}",
        client.pending
    );
    client.shutdown()
}

#[test]
fn definition_references_rename_on_the_sample() -> TestResult {
    let (mut client, text, uri) = started_on(&workspace_root().join("app/assets/sample.asl.json"))?;
    // `"Next": "Cleanup"` of NotifyFailure -> the key `"Cleanup"`.
    let reference = position_of(&text, "\"Cleanup\"", 1)?;
    let location = client.request("textDocument/definition", at(&uri, reference.clone()))?;
    let key = position_of(&text, "\"Cleanup\": {", 0)?;
    assert_eq!(
        location["range"]["start"]["line"], key["line"],
        "{location}"
    );
    assert_eq!(location["range"]["start"]["character"], 4);

    let mut params = at(&uri, reference.clone());
    params["context"] = json!({"includeDeclaration": false});
    let references = client.request("textDocument/references", params)?;
    // TransformFile's Next and NotifyFailure's Next.
    assert_eq!(references.as_array().map(Vec::len), Some(2), "{references}");

    let mut params = at(&uri, reference.clone());
    params["newName"] = json!("CleanUp Staging");
    let edit = client.request("textDocument/rename", params)?;
    let edits = edit["changes"][&uri]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edits.len(), 3, "{edit}");
    assert!(edits.iter().all(|e| e["newText"] == "\"CleanUp Staging\""));

    for (taken_or_invalid, reason) in [("DownloadFile", "already exists"), ("", "empty")] {
        let mut params = at(&uri, reference.clone());
        params["newName"] = json!(taken_or_invalid);
        let refused = client.request_raw("textDocument/rename", params)?;
        let error = refused
            .err()
            .ok_or("a rename to a taken or empty name was accepted")?;
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains(reason),
            "{error}"
        );
    }
    client.shutdown()
}

#[test]
fn symbols_nest_parallel_branches_and_map_processors() -> TestResult {
    let (mut client, text, uri) =
        started_on(&corpus("real/asl-validator/valid-map-nested.asl.json"))?;
    let symbols = client.symbols(&uri)?;
    let machine = serde_json::from_str::<Value>(&text)?;
    let states = machine["States"].as_object().ok_or("no States")?;
    let names: Vec<&str> = strings_at(&symbols, "name");
    assert_eq!(names, states.keys().map(String::as_str).collect::<Vec<_>>());
    let map = symbols
        .as_array()
        .and_then(|all| all.iter().find(|s| s["detail"] == "Map"))
        .ok_or("no Map symbol")?;
    let processor = &map["children"][0];
    assert!(
        processor["name"] == "ItemProcessor" || processor["name"] == "Iterator",
        "{processor}"
    );
    assert!(
        !processor["children"]
            .as_array()
            .map(Vec::is_empty)
            .unwrap_or(true),
        "{map}"
    );
    client.shutdown()
}

#[test]
fn hover_names_type_and_callers_and_explains_fields() -> TestResult {
    let (mut client, text, uri) = started_on(&workspace_root().join("app/assets/sample.asl.json"))?;
    let value = client.hover(&uri, position_of(&text, "\"Cleanup\": {", 0)?)?;
    assert!(value.contains("Task state"), "{value}");
    assert!(
        value.contains("`TransformFile` (Next)") && value.contains("`NotifyFailure` (Next)"),
        "{value}"
    );
    let value = client.hover(&uri, position_of(&text, "\"ResultSelector\"", 0)?)?;
    assert!(value.contains("raw result"), "{value}");
    client.shutdown()
}

#[test]
fn completion_offers_states_fields_types_and_intrinsics() -> TestResult {
    let (mut client, text, uri) = started_on(&workspace_root().join("app/assets/sample.asl.json"))?;
    let labels = |result: &Value| -> Vec<String> {
        strings_at(result, "label")
            .into_iter()
            .map(str::to_owned)
            .collect()
    };
    // (where, what it offers, what it does not)
    let cases: [(&str, &[&str], &[&str]); 3] = [
        // Inside `"Next": "TransformFile"`, after the opening quote: the states.
        ("\"TransformFile\"", &["Cleanup", "PipelineFailed"], &[]),
        // A `Type` value: the state types.
        ("\"Task\"", &["Parallel", "Map"], &[]),
        // A key position in DownloadFile (a Task): its fields.
        ("\"ResultPath\"", &["HeartbeatSeconds"], &["Choices"]),
    ];
    for (needle, offered, not_offered) in cases {
        let position = position_of(&text, needle, 0)?;
        let items = labels(&client.request("textDocument/completion", at(&uri, position))?);
        for label in offered {
            assert!(
                items.iter().any(|item| item == label),
                "{needle}: {items:?}"
            );
        }
        for label in not_offered {
            assert!(
                !items.iter().any(|item| item == label),
                "{needle}: {items:?}"
            );
        }
    }
    // After `States.` in an intrinsic.
    let edited = text.replacen("\"Payload.$\": \"$\"", "\"Payload.$\": \"States.\"", 1);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": edited}]}),
    )?;
    let mut after = position_of(&edited, "States.\"", 0)?;
    after["character"] = json!(after["character"].as_u64().unwrap_or(0) + 6);
    let items = labels(&client.request("textDocument/completion", at(&uri, after))?);
    assert!(items.contains(&"States.Format".to_owned()), "{items:?}");
    client.shutdown()
}

#[test]
fn formatting_gives_fmts_layout() -> TestResult {
    let mut client = Client::start()?;
    let path = corpus("invalid/asl-validator/invalid-inexistant-state.asl.json");
    let compact = "{\"StartAt\":\"Start State\",\"States\":{\"Start State\":{\"Type\":\"Pass\",\"End\":true}}}";
    let uri = client.open(&path, compact)?;
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    )?;
    let formatted = edits[0]["newText"].as_str().unwrap_or_default();
    let canonical =
        asl_codec::SourceFile::parse(compact, asl_codec::Format::Json)?.format_canonical();
    assert_eq!(formatted, canonical);
    assert!(formatted.contains("\n  \"States\": {\n"), "{formatted}");
    client.shutdown()
}

#[test]
fn code_actions_fix_a_misspelt_next_and_add_a_missing_end() -> TestResult {
    let mut client = Client::start()?;
    let path = std::env::temp_dir().join("asl-studio-lsp-actions.asl.json");
    let text = "{\n  \"StartAt\": \"Download\",\n  \"States\": {\n    \"Download\": {\n      \"Type\": \"Pass\",\n      \"Next\": \"Transfrom\"\n    },\n    \"Transform\": {\n      \"Type\": \"Pass\"\n    }\n  }\n}\n";
    let uri = client.open(&path, text)?;
    let misspelt = position_of(text, "\"Transfrom\"", 0)?;
    let actions = client.code_actions(&uri, &misspelt)?;
    let fix = &actions[0];
    assert_eq!(
        fix["title"], "Change `Transfrom` to `Transform`",
        "{actions}"
    );
    assert_eq!(fix["edit"]["changes"][&uri][0]["newText"], "\"Transform\"");
    let inside = position_of(text, "\"Type\": \"Pass\"\n    }", 0)?;
    let actions = client.code_actions(&uri, &inside)?;
    let add_end = actions
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|a| a["title"] == "Add \"End\": true to `Transform`")
        })
        .ok_or_else(|| format!("no End action: {actions}"))?;
    let edit = &add_end["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], ",\n      \"End\": true");
    assert_eq!(edit["range"]["start"], json!({"line": 8, "character": 20}));
    client.shutdown()
}

#[test]
fn yaml_and_template_machines_navigate_in_the_host_file() -> TestResult {
    let (mut client, text, uri) = started_on(&corpus(
        "templates/workflows-collection/saga-pattern-sam__template.yaml",
    ))?;
    let symbols = client.symbols(&uri)?;
    let machine = &symbols[0];
    assert_eq!(machine["detail"], "state machine", "{symbols}");
    let children = machine["children"].as_array().cloned().unwrap_or_default();
    assert!(children.len() > 3, "{symbols}");
    // Every state symbol's selection is the state's key in the template.
    for child in &children {
        let line = child["selectionRange"]["start"]["line"]
            .as_u64()
            .unwrap_or(0) as usize;
        let name = child["name"].as_str().unwrap_or_default();
        let line_text = text.lines().nth(line).unwrap_or_default();
        assert!(
            line_text.trim_start().starts_with(name),
            "{name} at line {line}: {line_text}"
        );
    }
    client.shutdown()
}

#[test]
fn neovim_receives_diagnostics_jumps_and_renames() -> TestResult {
    let nvim = Command::new("nvim").arg("--version").output();
    let Ok(version) = nvim else {
        return Err(
            "nvim is not installed: run `bash scripts/setup.sh` (apt-get install neovim)".into(),
        );
    };
    assert!(version.status.success());
    let root = workspace_root();
    let scratch = std::env::temp_dir().join(format!("asl-studio-nvim-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let file = scratch.join("inexistant.asl.json");
    std::fs::copy(
        corpus("invalid/asl-validator/invalid-inexistant-state.asl.json"),
        &file,
    )?;
    let output = Command::new("nvim")
        .args(["--headless", "-n", "-i", "NONE", "-u"])
        .arg(root.join("tests/lsp/nvim_e2e.lua"))
        .env("ASL_STUDIO_BIN", env!("CARGO_BIN_EXE_asl-studio"))
        .env("ASL_STUDIO_FILE", &file)
        .env("XDG_STATE_HOME", &scratch)
        .env("XDG_DATA_HOME", &scratch)
        .stdin(Stdio::null())
        .output()?;
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "nvim failed ({}): {log}",
        output.status
    );
    assert!(log.contains("E2E OK"), "{log}");
    let renamed = std::fs::read_to_string(&file)?;
    assert!(
        renamed.contains("\"Begin\": {") && renamed.contains("\"StartAt\": \"Begin\""),
        "{renamed}"
    );
    Ok(())
}
