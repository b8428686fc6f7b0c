//! Completion and hover inside values (Resource ARNs from the integration catalogue, JSONata's
//! Step Functions functions, `$states` members, variables assigned upstream), Terraform files and
//! YAML `DefinitionString` blocks, spoken to over an in-memory connection, on corpus files.

mod common;

use std::path::Path;

use common::{Session, TestResult, corpus, position, terraform};
use serde_json::{Value, json};

fn labels(items: &Value) -> Vec<String> {
    let list = items.get("items").unwrap_or(items);
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["label"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn completion_at(
    session: &mut Session,
    uri: &str,
    position: Value,
) -> Result<Value, Box<dyn std::error::Error>> {
    session.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position}),
    )
}

const SUMMARIZE: &str =
    "real/stepfunctions-examples/sam__app-meeting-summarization__summarize_transcription.asl.yaml";

#[test]
fn yaml_resource_completion_offers_the_catalogue_over_what_was_typed() -> TestResult {
    let mut session = Session::start()?;
    let (uri, text) = session.open(&corpus(SUMMARIZE))?;
    // The cursor after `Resource: arn:aws:states:::` of the Lambda task.
    let at = position(&text, "arn:aws:states:::lambda:invoke", 0, 17)?;
    let items = completion_at(&mut session, &uri, at.clone())?;
    let names = labels(&items);
    for wanted in [
        "arn:aws:states:::lambda:invoke",
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::aws-sdk:s3:listBuckets",
    ] {
        assert!(names.iter().any(|n| n == wanted), "{wanted} in {names:?}");
    }
    // The edit replaces the typed `arn:aws:states:::`, which editors do not see as one word.
    let list = items.get("items").unwrap_or(&items);
    let edit = &list[0]["textEdit"]["range"];
    let typed_from = position(&text, "arn:aws:states:::lambda:invoke", 0, 0)?;
    assert_eq!(edit["start"], typed_from, "{edit}");
    assert_eq!(edit["end"], at, "{edit}");
    Ok(())
}

#[test]
fn yaml_resource_hover_names_the_integration_and_its_pattern() -> TestResult {
    let mut session = Session::start()?;
    let (uri, text) = session.open(&corpus(SUMMARIZE))?;
    let at = position(
        &text,
        "arn:aws:states:::states:startExecution.sync:2",
        0,
        20,
    )?;
    let hover = session.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at}),
    )?;
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("service `states`"), "{value}");
    assert!(value.contains("action `startExecution`"), "{value}");
    assert!(value.contains("Run a Job (.sync:2)"), "{value}");
    let at = position(&text, "arn:aws:states:::bedrock:invokeModel", 0, 20)?;
    let hover = session.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at}),
    )?;
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("Request Response"), "{value}");
    Ok(())
}

#[test]
fn jsonata_completion_offers_step_functions_functions_and_upstream_variables_only() -> TestResult {
    let mut session = Session::start()?;
    let (uri, text) = session.open(&corpus(SUMMARIZE))?;
    // In `Create Prompt From Transcription`, after `{% $` of `$inbucket`.
    let at = position(&text, "\"{% $inbucket %}\"", 0, 5)?;
    let names = labels(&completion_at(&mut session, &uri, at)?);
    for wanted in [
        "$partition",
        "$range",
        "$hash",
        "$random",
        "$uuid",
        "$parse",
        "$states",
        "$inbucket",
        "$inkey",
        "$jobname",
    ] {
        assert!(names.iter().any(|n| n == wanted), "{wanted} in {names:?}");
    }
    // Assigned by this very state (and read only downstream): not yet set here.
    assert!(!names.iter().any(|n| n == "$prompt_file"), "{names:?}");
    // Downstream, it is.
    let at = position(&text, "\"{% $prompt_file.s3uri %}\"", 0, 5)?;
    let names = labels(&completion_at(&mut session, &uri, at)?);
    assert!(names.iter().any(|n| n == "$prompt_file"), "{names:?}");
    Ok(())
}

#[test]
fn jsonata_completion_after_states_dot_offers_its_members() -> TestResult {
    let mut session = Session::start()?;
    let (uri, text) = session.open(&corpus(SUMMARIZE))?;
    let at = position(&text, "$states.context.Execution.Id", 0, 8)?;
    let names = labels(&completion_at(&mut session, &uri, at)?);
    assert_eq!(
        names,
        [
            "$states.input",
            "$states.result",
            "$states.errorOutput",
            "$states.context"
        ]
    );
    Ok(())
}

#[test]
fn jsonpath_variable_completion_sees_outer_scopes_and_strips_the_dollar_suffix() -> TestResult {
    let mut session = Session::start()?;
    let path = corpus("real/localstack/assign__base_reference_in_iterator_outer_scope.asl.json");
    let (uri, text) = session.open(&path)?;
    // In the innermost Map's `Summate`, after the `$` of `$bias`.
    let at = position(&text, "$bias)", 0, 1)?;
    let names = labels(&completion_at(&mut session, &uri, at)?);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["$bias", "$xCurrent", "$yCurrent", "$zCurrent"],
        "{names:?}"
    );
    Ok(())
}

/// A published diagnostic: 0-based line, code, message.
type Row = (u64, String, String);

/// `(0-based line, code, message)` of `check`'s findings for a `.tf` text, as the server should
/// publish them: a finding in a referenced file at the `definition`, naming the file.
fn check_rows(text: &str, path: &Path) -> Result<Vec<Row>, Box<dyn std::error::Error>> {
    let machines = asl_codec::terraform::extract(text, path.parent())?;
    let mut rows = Vec::new();
    for machine in &machines {
        for found in asl_codec::check::check_terraform_machine(machine) {
            let (line, message) = match &found.file {
                None => (
                    found.finding.location.line,
                    found.finding.diagnostic.message.clone(),
                ),
                Some(file) => (
                    machine.line_col.line,
                    format!(
                        "{}:{}: {}",
                        file.display(),
                        found.finding.location,
                        found.finding.diagnostic.message
                    ),
                ),
            };
            rows.push((
                line as u64 - 1,
                found.finding.diagnostic.code.clone(),
                message,
            ));
        }
    }
    Ok(rows)
}

fn published_rows(diagnostics: &[Value]) -> Vec<Row> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap_or(u64::MAX),
                d["code"].as_str().unwrap_or_default().to_owned(),
                d["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn terraform_jsonencode_diagnostics_point_at_the_line_in_the_tf_file() -> TestResult {
    let session = Session::start()?;
    let path = terraform("jsonencode/main.tf");
    let text = std::fs::read_to_string(&path)?.replace(
        "Next = \"IsValid\" // the Choice below",
        "Next = \"IsValidd\" // the Choice below",
    );
    let uri = session.open_text(&path, &text)?;
    let diagnostics = session.diagnostics(&uri)?;
    let rows = published_rows(&diagnostics);
    assert_eq!(rows, check_rows(&text, &path)?);
    let typo_line = text[..text.find("\"IsValidd\"").unwrap_or(0)]
        .matches('\n')
        .count() as u64;
    let error = diagnostics
        .iter()
        .find(|d| d["severity"] == json!(1))
        .ok_or("an error for the misspelt Next")?;
    assert_eq!(error["range"]["start"]["line"], json!(typo_line), "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("IsValidd"),
        "{error}"
    );
    Ok(())
}

#[test]
fn terraform_file_definition_findings_are_shown_at_the_definition_naming_the_file() -> TestResult {
    let session = Session::start()?;
    // A copy of the module whose referenced definition names a state that does not exist.
    let dir = std::env::temp_dir().join(format!("asl-lsp-tf-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("definitions"))?;
    let definition = std::fs::read_to_string(terraform("file/definitions/orders.asl.json"))?;
    let (first_next, _) = definition
        .match_indices("\"Next\": \"")
        .next()
        .ok_or("a Next in the definition")?;
    let broken = format!(
        "{}\"Next\": \"Nowhere\", \"Unused\": \"{}",
        &definition[..first_next],
        &definition[first_next + "\"Next\": \"".len()..]
    );
    std::fs::write(dir.join("definitions/orders.asl.json"), broken)?;
    let path = dir.join("main.tf");
    let text = std::fs::read_to_string(terraform("file/main.tf"))?;
    std::fs::write(&path, &text)?;
    let uri = session.open_text(&path, &text)?;
    let diagnostics = session.diagnostics(&uri)?;
    let _ = std::fs::remove_dir_all(&dir);
    let rows = published_rows(&diagnostics);
    let definition_line = text[..text.find("definition =").unwrap_or(0)]
        .matches('\n')
        .count() as u64;
    assert!(
        rows.iter()
            .any(|(line, _, message)| *line == definition_line
                && message.contains("orders.asl.json:")
                && message.contains("Nowhere")),
        "{rows:?}"
    );
    Ok(())
}

#[test]
fn terraform_syntax_error_is_one_diagnostic_where_parsing_stopped() -> TestResult {
    let session = Session::start()?;
    let path = terraform("jsonencode/main.tf");
    let text = std::fs::read_to_string(&path)?.replace("States = {", "States = {{");
    let uri = session.open_text(&path, &text)?;
    let diagnostics = session.diagnostics(&uri)?;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], json!("TERRAFORM"));
    assert_eq!(diagnostics[0]["severity"], json!(1));
    Ok(())
}

fn line_at(text: &str, line: &Value) -> String {
    text.lines()
        .nth(line.as_u64().unwrap_or(u64::MAX) as usize)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[test]
fn terraform_jsonencode_navigation_definition_references_rename_and_symbols() -> TestResult {
    let mut session = Session::start()?;
    let path = terraform("jsonencode/main.tf");
    let text = std::fs::read_to_string(&path)?;
    let uri = session.open_text(&path, &text)?;
    let at = |needle: &str, shift: usize| position(&text, needle, 0, shift);
    let location = session.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": at("Next = \"IsValid\"", 9)?}),
    )?;
    assert_eq!(
        line_at(&text, &location["range"]["start"]["line"]),
        "IsValid = {"
    );
    let references = session.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": at("NotifyTeam = {", 2)?,
               "context": {"includeDeclaration": false}}),
    )?;
    let lines: Vec<String> = references
        .as_array()
        .map(|all| {
            all.iter()
                .map(|r| line_at(&text, &r["range"]["start"]["line"]))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(lines, ["Next          = \"NotifyTeam\""]);
    let edit = session.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": at("Default = \"Rejected\"", 12)?,
               "newName": "RejectOrder"}),
    )?;
    let edits = edit["changes"][uri.as_str()]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut renamed: Vec<(String, String)> = edits
        .iter()
        .map(|e| {
            (
                line_at(&text, &e["range"]["start"]["line"]),
                e["newText"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    renamed.sort();
    assert_eq!(
        renamed,
        [
            (
                "Default = \"Rejected\"".to_owned(),
                "\"RejectOrder\"".to_owned()
            ),
            ("Rejected = {".to_owned(), "RejectOrder".to_owned()),
        ]
    );
    // A name that is no HCL identifier is written as a string key.
    let edit = session.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": at("Rejected = {", 2)?,
               "newName": "Reject order"}),
    )?;
    let texts: Vec<&str> = edit["changes"][uri.as_str()]
        .as_array()
        .map(|all| all.iter().filter_map(|e| e["newText"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(texts, ["\"Reject order\"", "\"Reject order\""]);
    let symbols = session.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    )?;
    assert_eq!(
        symbols[0]["name"],
        json!("aws_sfn_state_machine.order_intake")
    );
    let states: Vec<&str> = symbols[0]["children"]
        .as_array()
        .map(|all| all.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        states,
        ["ValidateOrder", "IsValid", "NotifyTeam", "Rejected"]
    );
    Ok(())
}

#[test]
fn terraform_heredoc_definition_jumps_inside_the_indented_json() -> TestResult {
    let mut session = Session::start()?;
    let path = terraform("heredoc/main.tf");
    let text = std::fs::read_to_string(&path)?;
    let uri = session.open_text(&path, &text)?;
    let location = session.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri},
               "position": position(&text, "\"Next\": \"Run\"", 0, 10)?}),
    )?;
    assert_eq!(
        line_at(&text, &location["range"]["start"]["line"]),
        "\"Run\": {"
    );
    assert_eq!(
        location["range"]["start"]["character"],
        position(&text, "\"Run\": {", 0, 0)?["character"]
    );
    Ok(())
}

#[test]
fn definition_string_block_in_a_yaml_template_navigates_in_the_template() -> TestResult {
    let mut session = Session::start()?;
    let path = corpus("templates/workflows-collection/call-microservice-apigw__template.yml");
    let (uri, text) = session.open(&path)?;
    let location = session.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri},
               "position": position(&text, "\"Next\": \"Call Successful?\"", 0, 12)?}),
    )?;
    assert_eq!(
        line_at(&text, &location["range"]["start"]["line"]),
        "\"Call Successful?\": {"
    );
    assert_eq!(
        location["range"]["start"]["character"],
        position(&text, "\"Call Successful?\": {", 0, 0)?["character"]
    );
    let edit = session.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri},
               "position": position(&text, "\"Notify Success\": {", 0, 3)?,
               "newName": "Notify OK"}),
    )?;
    let mut lines: Vec<String> = edit["changes"][uri.as_str()]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|e| line_at(&text, &e["range"]["start"]["line"]))
                .collect()
        })
        .unwrap_or_default();
    lines.sort();
    assert_eq!(
        lines,
        ["\"Next\": \"Notify Success\"", "\"Notify Success\": {"]
    );
    // The plain `|` block of another template.
    let path = corpus(
        "templates/localstack/tests__aws__templates__statemachine_machine_logging_configuration.yml",
    );
    let (uri, text) = session.open(&path)?;
    let location = session.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri},
               "position": position(&text, "\"StartAt\": \"S0\"", 0, 13)?}),
    )?;
    assert_eq!(
        line_at(&text, &location["range"]["start"]["line"]),
        "\"S0\": {"
    );
    Ok(())
}

#[test]
fn terraform_resource_hover_and_completion_work_in_jsonencode() -> TestResult {
    let mut session = Session::start()?;
    let path = terraform("jsonencode/main.tf");
    let text = std::fs::read_to_string(&path)?;
    let uri = session.open_text(&path, &text)?;
    let at = position(&text, "arn:aws:states:::sns:publish", 0, 22)?;
    let hover = session.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at}),
    )?;
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("service `sns`, action `publish`"), "{value}");
    let at = position(&text, "arn:aws:states:::sns:publish", 0, 17)?;
    let names = labels(&completion_at(&mut session, &uri, at)?);
    assert!(
        names
            .iter()
            .any(|n| n == "arn:aws:states:::sns:publish.waitForTaskToken"),
        "{names:?}"
    );
    Ok(())
}

#[test]
fn hover_on_expression_names_explains_functions_states_members_and_variables() -> TestResult {
    let mut session = Session::start()?;
    let (uri, text) = session.open(&corpus(SUMMARIZE))?;
    let mut hover_at = |needle: &str, shift: usize| -> Result<String, Box<dyn std::error::Error>> {
        let hover = session.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position(&text, needle, 0, shift)?}),
        )?;
        Ok(hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    };
    let value = hover_at("$states.context.Execution.Id", 10)?;
    assert!(value.starts_with("**$states.context**"), "{value}");
    let value = hover_at("\"{% $inbucket %}\"", 6)?;
    assert_eq!(
        value,
        "**$inbucket**: variable, assigned in `Prepare Configuration`"
    );
    let value = hover_at("$prompt_file.s3uri", 3)?;
    assert_eq!(
        value,
        "**$prompt_file**: variable, assigned in `Create Prompt From Transcription`"
    );
    Ok(())
}

#[test]
fn context_object_completion_in_jsonpath_and_jsonata() -> TestResult {
    let mut session = Session::start()?;
    let path = corpus("real/workflows-collection/human-task-reminder__statemachine.asl.yaml");
    let (uri, text) = session.open(&path)?;
    let at = position(&text, "token.$: $$.Task.Token", 0, 12)?;
    let names = labels(&completion_at(&mut session, &uri, at)?);
    assert!(names.iter().any(|n| n == "$$.Task.Token"), "{names:?}");
    assert!(names.iter().any(|n| n == "$$.Map.Item.Value"), "{names:?}");
    let (uri, text) = session.open(&corpus(SUMMARIZE))?;
    let at = position(&text, "$states.context.Execution.Id", 0, 16)?;
    let names = labels(&completion_at(&mut session, &uri, at)?);
    assert!(
        names.iter().any(|n| n == "$states.context.Execution.Id"),
        "{names:?}"
    );
    Ok(())
}

#[test]
fn jsonata_completion_inside_an_expression_folded_over_lines_in_a_template() -> TestResult {
    let mut session = Session::start()?;
    let path = corpus("templates/workflows-collection/bedrock-evaluations-sam__template.yaml");
    let (uri, text) = session.open(&path)?;
    // `$uuid()` on the second line of `{%$lowercase('EvaluationJob' & $KnowledgeBaseId &`.
    let at = position(&text, "$uuid()) %}", 0, 1)?;
    let names = labels(&completion_at(&mut session, &uri, at)?);
    assert!(names.iter().any(|n| n == "$uuid"), "{names:?}");
    assert!(names.iter().any(|n| n == "$states"), "{names:?}");
    assert!(names.iter().any(|n| n == "$KnowledgeBaseId"), "{names:?}");
    // Past the closing `%}`, on the next member, nothing JSONata is offered.
    let at = position(&text, "ApplicationType: RagEvaluation", 0, 20)?;
    let names = labels(&completion_at(&mut session, &uri, at)?);
    assert!(!names.iter().any(|n| n == "$uuid"), "{names:?}");
    Ok(())
}
