//! The language server's value-level and host-file features, spoken to over stdio with the built
//! `asl-studio lsp` as an editor does, on corpus files: Resource ARN completion and hover, JSONata
//! completion (its function library, Step Functions' functions, `$states` members, upstream
//! variables) and hover, Terraform `.tf` diagnostics, navigation, rename and completion, YAML and
//! JSON `DefinitionString` navigation and rename, and the lint warnings' quick fixes.

mod common;

use std::path::Path;
use std::process::Command;

use common::corpus;
use common::lsp::{
    Client, TestResult, apply_edits, at, diagnostic_with_code, line_at, position, started_on,
    terraform_example,
};
use common::scratch_dir;
use serde_json::{Value, json};

const SUMMARIZE: &str =
    "real/stepfunctions-examples/sam__app-meeting-summarization__summarize_transcription.asl.yaml";

const LOAN_BROKER: &str =
    "templates/localstack/tests__aws__cdk_templates__LoanBroaker__LoanBroker-RecipientList.json";

/// `asl-studio check --format json` on `path`: (line, code) of each finding, sorted.
fn check_lines(path: &Path) -> Result<Vec<(u64, String)>, Box<dyn std::error::Error>> {
    let output = Command::new(env!("CARGO_BIN_EXE_asl-studio"))
        .args(["check", "--format", "json"])
        .arg(path)
        .output()?;
    let rows: Value = serde_json::from_slice(&output.stdout)?;
    let mut lines: Vec<(u64, String)> = rows
        .as_array()
        .ok_or("check printed no array")?
        .iter()
        .map(|row| {
            (
                row["line"].as_u64().unwrap_or(0),
                row["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    lines.sort();
    Ok(lines)
}

/// The published diagnostics as (1-based line, code), sorted, to compare with [`check_lines`].
fn published_lines(published: &Value) -> Vec<(u64, String)> {
    let mut lines: Vec<(u64, String)> = published["diagnostics"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap_or(u64::MAX) + 1,
                d["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    lines.sort();
    lines
}

/// Each edit of a list as `line it starts on (trimmed) => new text`, sorted.
fn edited_lines(text: &str, edits: &Value) -> Vec<String> {
    let mut lines: Vec<String> = edits
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|e| {
            format!(
                "{} => {}",
                line_at(text, &e["range"]["start"]["line"]),
                e["newText"].as_str().unwrap_or_default()
            )
        })
        .collect();
    lines.sort();
    lines
}

/// Where go to definition from `shift` characters into `needle` leads: the start of the range.
fn definition_start(
    client: &mut Client,
    uri: &str,
    text: &str,
    needle: &str,
    shift: usize,
) -> Result<Value, Box<dyn std::error::Error>> {
    let location = client.request(
        "textDocument/definition",
        at(uri, position(text, needle, 0, shift)?),
    )?;
    Ok(location["range"]["start"].clone())
}

/// Fails unless every label of `wanted` (separated by spaces) is in `offered`.
fn assert_offers(offered: &[String], wanted: &str) {
    for label in wanted.split_whitespace() {
        assert!(
            offered.iter().any(|item| item == label),
            "{label} not in {offered:?}"
        );
    }
}

#[test]
fn resource_completion_offers_the_catalogue_replacing_the_typed_arn() -> TestResult {
    let (mut client, text, uri) = started_on(&corpus(SUMMARIZE))?;
    // After `Resource: arn:aws:states:::` of the Lambda task.
    let cursor = position(&text, "arn:aws:states:::lambda:invoke", 0, 17)?;
    let answer = client.request("textDocument/completion", at(&uri, cursor.clone()))?;
    let items = answer.get("items").unwrap_or(&answer);
    let offered = common::lsp::labels(items);
    assert_offers(
        &offered,
        "arn:aws:states:::lambda:invoke arn:aws:states:::lambda:invoke.waitForTaskToken
         arn:aws:states:::states:startExecution.sync:2 arn:aws:states:::aws-sdk:s3:listBuckets",
    );
    // Editors do not take `arn:aws:states:::` as one word: the edit replaces all of it.
    let range = &items[0]["textEdit"]["range"];
    assert_eq!(
        range["start"],
        position(&text, "arn:aws:states:::lambda:invoke", 0, 0)?
    );
    assert_eq!(range["end"], cursor);
    client.shutdown()
}

#[test]
fn resource_hover_names_the_integration_and_its_pattern_in_yaml_and_terraform() -> TestResult {
    let (mut client, text, uri) = started_on(&corpus(SUMMARIZE))?;
    let cases = [
        (
            "arn:aws:states:::states:startExecution.sync:2",
            [
                "service `states`",
                "action `startExecution`",
                "Run a Job (.sync:2)",
            ],
        ),
        (
            "arn:aws:states:::bedrock:invokeModel",
            [
                "service `bedrock`",
                "action `invokeModel`",
                "Request Response",
            ],
        ),
    ];
    for (resource, wanted) in cases {
        let hover = client.hover(&uri, position(&text, resource, 0, 20)?)?;
        for part in wanted {
            assert!(hover.contains(part), "{resource}: {hover}");
        }
    }
    let path = terraform_example("jsonencode/main.tf");
    let text = std::fs::read_to_string(&path)?;
    let uri = client.open(&path, &text)?;
    let hover = client.hover(
        &uri,
        position(&text, "arn:aws:states:::sns:publish", 0, 22)?,
    )?;
    assert!(hover.contains("service `sns`, action `publish`"), "{hover}");
    client.shutdown()
}

#[test]
fn jsonata_completion_offers_the_function_library_step_functions_functions_and_upstream_variables()
-> TestResult {
    let (mut client, text, uri) = started_on(&corpus(SUMMARIZE))?;
    // In `Create Prompt From Transcription`, after `{% $` of `$inbucket`.
    let cursor = position(&text, "\"{% $inbucket %}\"", 0, 5)?;
    let answer = client.request("textDocument/completion", at(&uri, cursor.clone()))?;
    let offered = common::lsp::labels(&answer);
    // JSONata's own library; Step Functions' functions and the reserved variable; the variables
    // `Prepare Configuration` assigns before this state runs.
    assert_offers(
        &offered,
        "$string $length $substring $sum $map $filter $reduce $formatNumber $toMillis
         $partition $range $hash $random $uuid $parse $states
         $inbucket $inkey $jobname",
    );
    // Step Functions has no `$eval`; `$random` is offered once, as Step Functions' seeded one.
    assert!(!offered.iter().any(|l| l == "$eval"), "{offered:?}");
    assert_eq!(offered.iter().filter(|l| *l == "$random").count(), 1);
    // Assigned by this very state: not yet set where it reads.
    assert!(!offered.iter().any(|l| l == "$prompt_file"), "{offered:?}");
    let substring = answer
        .as_array()
        .and_then(|items| items.iter().find(|item| item["label"] == "$substring"))
        .ok_or("no $substring item")?;
    assert_eq!(substring["detail"], "$substring(str, start, length?)");
    assert!(
        substring["documentation"]
            .as_str()
            .is_some_and(|doc| doc.contains("characters of str")),
        "{substring}"
    );
    assert_eq!(substring["textEdit"]["range"]["end"], cursor);
    // Downstream of the state that assigns it, the variable is offered.
    let downstream =
        client.completion_labels(&uri, position(&text, "\"{% $prompt_file.s3uri %}\"", 0, 5)?)?;
    assert_offers(&downstream, "$prompt_file");
    // After `$states.`, its four members and nothing else.
    let members =
        client.completion_labels(&uri, position(&text, "$states.context.Execution.Id", 0, 8)?)?;
    assert_eq!(
        members,
        [
            "$states.input",
            "$states.result",
            "$states.errorOutput",
            "$states.context"
        ]
    );
    let context = client.completion_labels(
        &uri,
        position(&text, "$states.context.Execution.Id", 0, 16)?,
    )?;
    assert_offers(
        &context,
        "$states.context.Execution.Id $states.context.Task.Token",
    );
    client.shutdown()
}

#[test]
fn jsonpath_variable_completion_sees_the_variables_of_outer_scopes() -> TestResult {
    let path = corpus("real/localstack/assign__base_reference_in_iterator_outer_scope.asl.json");
    let (mut client, text, uri) = started_on(&path)?;
    // In the innermost Map's `Summate`, after the `$` of `$bias`.
    let mut offered = client.completion_labels(&uri, position(&text, "$bias)", 0, 1)?)?;
    offered.sort();
    assert_eq!(offered, ["$bias", "$xCurrent", "$yCurrent", "$zCurrent"]);
    client.shutdown()
}

#[test]
fn hover_on_dollar_names_explains_builtins_states_members_and_variables() -> TestResult {
    let (mut client, text, uri) = started_on(&corpus(SUMMARIZE))?;
    let cases = [
        ("$states.context.Execution.Id", 10, "**$states.context**"),
        (
            "\"{% $inbucket %}\"",
            6,
            "**$inbucket**: variable, assigned in `Prepare Configuration`",
        ),
        (
            "$prompt_file.s3uri",
            3,
            "**$prompt_file**: variable, assigned in `Create Prompt From Transcription`",
        ),
    ];
    for (needle, shift, starts) in cases {
        let hover = client.hover(&uri, position(&text, needle, 0, shift)?)?;
        assert!(hover.starts_with(starts), "{needle}: {hover}");
    }
    // A built-in of JSONata's library, in a JSONata expression of a template.
    let path = corpus("templates/workflows-collection/bedrock-evaluations-sam__template.yaml");
    let text = std::fs::read_to_string(&path)?;
    let uri = client.open(&path, &text)?;
    let hover = client.hover(&uri, position(&text, "$lowercase(", 0, 3)?)?;
    assert_eq!(hover, "**$lowercase(str)** (JSONata): str in lower case.");
    let hover = client.hover(&uri, position(&text, "$uuid()", 0, 2)?)?;
    assert!(hover.starts_with("**$uuid** (Step Functions)"), "{hover}");
    client.shutdown()
}

#[test]
fn terraform_jsonencode_diagnostics_are_those_of_check_at_the_tf_lines() -> TestResult {
    let dir = scratch_dir("asl-lsp-features", "tf-diagnostics");
    let path = dir.join("main.tf");
    let text = std::fs::read_to_string(terraform_example("jsonencode/main.tf"))?.replace(
        "Next = \"IsValid\" // the Choice below",
        "Next = \"IsValidd\" // the Choice below",
    );
    std::fs::write(&path, &text)?;
    let mut client = Client::start()?;
    let uri = client.open(&path, &text)?;
    let published = client.diagnostics(&uri)?;
    let lines = published_lines(&published);
    assert_eq!(lines, check_lines(&path)?);
    let typo_line = text[..text.find("\"IsValidd\"").unwrap_or(0)]
        .matches('\n')
        .count() as u64
        + 1;
    assert!(
        lines
            .iter()
            .any(|(line, code)| *line == typo_line && code == "MISSING_TRANSITION_TARGET"),
        "{lines:?}"
    );
    client.shutdown()
}

#[test]
fn terraform_completion_offers_the_machines_state_names_and_the_state_types() -> TestResult {
    let path = terraform_example("jsonencode/main.tf");
    let (mut client, text, uri) = started_on(&path)?;
    // Inside the quotes of `Next = "IsValid"` and of `Default = "Rejected"`.
    for needle in ["Next = \"IsValid\"", "Default = \"Rejected\""] {
        let shift = needle.find('"').unwrap_or(0) + 1;
        let offered = client.completion_labels(&uri, position(&text, needle, 0, shift)?)?;
        assert_eq!(
            offered,
            ["ValidateOrder", "IsValid", "NotifyTeam", "Rejected"],
            "{needle}"
        );
    }
    let offered = client.completion_labels(&uri, position(&text, "Type     = \"Task\"", 0, 12)?)?;
    assert_offers(&offered, "Task Choice Parallel Map Wait");
    // Outside the definition, in the `aws_iam_role` policy, nothing of ASL.
    let offered =
        client.completion_labels(&uri, position(&text, "Effect    = \"Allow\"", 0, 13)?)?;
    assert!(offered.is_empty(), "{offered:?}");

    let path = terraform_example("heredoc/main.tf");
    let text = std::fs::read_to_string(&path)?;
    let uri = client.open(&path, &text)?;
    // Each heredoc machine offers its own states.
    let offered = client.completion_labels(&uri, position(&text, "\"Next\": \"Run\"", 0, 9)?)?;
    assert_eq!(offered, ["Wait", "Run"]);
    let offered =
        client.completion_labels(&uri, position(&text, "\"StartAt\": \"HelloWorld\"", 0, 12)?)?;
    assert_eq!(offered, ["HelloWorld", "Done"]);
    let offered = client.completion_labels(&uri, position(&text, "\"Type\": \"Wait\"", 0, 9)?)?;
    assert_offers(&offered, "Task Succeed Fail Pass");
    client.shutdown()
}

const PATH_BASED_ON_DATA: &str = "templates/localstack/\
    tests__aws__services__stepfunctions__v2__scenarios__templates__path-based-on-data.yaml";

const MACHINE_WITH_ACTIVITY: &str =
    "templates/localstack/tests__aws__templates__statemachine_machine_with_activity.yml";

/// The rename of `Ping` in tests/data/terraform/quoted/main.tf: both edits are on its one line.
const QUOTED_RENAMED: &str = r#"definition = "{\"StartAt\":\"Ping\",\"States\":{\"Ping\":{\"Type\":\"Pass\",\"Result\":\"pong from ${var.environment}\",\"End\":true}}}" => \"Ping pong\""#;

#[test]
fn definition_and_rename_in_terraform_definitions_and_yaml_definition_strings() -> TestResult {
    // Each case: the file; go to definition from `shift` characters into a needle lands at the
    // start of another; a rename at `shift` characters into a needle, to a new name, makes these
    // edits (`line => new text`).
    #[rustfmt::skip]
    let cases = json!([
        // An HCL object in `jsonencode`: keys are identifiers, so the key is renamed bare.
        [terraform_example("jsonencode/main.tf"), "Next = \"IsValid\"", 9, "IsValid = {", "Default = \"Rejected\"", 12,
         "RejectOrder", ["Default = \"Rejected\" => \"RejectOrder\"", "Rejected = { => RejectOrder"]],
        // JSON in an indented heredoc (`<<-`).
        [terraform_example("heredoc/main.tf"), "\"Next\": \"Run\"", 10, "\"Run\": {", "\"Run\": {", 2,
         "Run job", ["\"Next\": \"Run\" => \"Run job\"", "\"Run\": { => \"Run job\""]],
        // A quoted JSON string: positions and the new name go through its `\"` escapes.
        [terraform_example("quoted/main.tf"), "\\\"StartAt\\\":\\\"Ping", 14, "\\\"Ping\\\":{", "\\\"Ping\\\":{", 3,
         "Ping pong", [QUOTED_RENAMED, QUOTED_RENAMED]],
        // One-line quoted YAML scalars, single- (`''` escapes) and double-quoted (`\"`): the
        // lines are long, so only the number of edits is compared.
        [corpus(PATH_BASED_ON_DATA), "\"Default\":\"DEFAULT_STATE", 12, "\"DEFAULT_STATE\":{",
         "\"DEFAULT_STATE\":{", 3, "Otherwise", 2],
        // A new name with an apostrophe, inside the single-quoted scalar: written `''`.
        [corpus(PATH_BASED_ON_DATA), "\"Default\":\"DEFAULT_STATE", 12, "\"DEFAULT_STATE\":{",
         "\"DEFAULT_STATE\":{", 3, "Don't know", 2],
        [corpus(MACHINE_WITH_ACTIVITY), "\\\"Next\\\": \\\"World", 14, "\\\"World\\\": {", "\\\"World\\\": {", 4,
         "Planet", 2],
        // A `DefinitionString: !Sub |` block of a SAM template.
        [corpus("templates/workflows-collection/call-microservice-apigw__template.yml"),
         "\"Next\": \"Call Successful?\"", 12, "\"Call Successful?\": {", "\"Notify Success\": {", 3, "Notify OK",
         ["\"Next\": \"Notify Success\" => \"Notify OK\"", "\"Notify Success\": { => \"Notify OK\""]],
    ]);
    let mut client = Client::start()?;
    let dir = scratch_dir("asl-lsp-features", "renamed");
    for case in cases.as_array().map(Vec::as_slice).unwrap_or_default() {
        let word = |i: usize| case[i].as_str().unwrap_or_default();
        let shift = |i: usize| case[i].as_u64().unwrap_or_default() as usize;
        let file = std::path::PathBuf::from(word(0));
        let text = std::fs::read_to_string(&file)?;
        let uri = client.open(&file, &text)?;
        assert_eq!(
            definition_start(&mut client, &uri, &text, word(1), shift(2))?,
            position(&text, word(3), 0, 0)?,
            "{}",
            file.display()
        );
        let edits = client.rename_edits(&uri, position(&text, word(4), 0, shift(5))?, word(6))?;
        match case[7].as_u64() {
            Some(count) => assert_eq!(edits.as_array().map(Vec::len), Some(count as usize)),
            None => assert_eq!(json!(edited_lines(&text, &edits)), case[7]),
        }
        // Renamed, the file checks as before: no transition is left dangling.
        let renamed = dir.join(file.file_name().ok_or("no file name")?);
        std::fs::write(&renamed, apply_edits(&text, &edits))?;
        assert_eq!(check_lines(&renamed)?, check_lines(&file)?);
    }
    client.shutdown()
}

#[test]
fn json_template_definition_string_navigates_and_renames_through_the_escapes() -> TestResult {
    let path = corpus(LOAN_BROKER);
    let (mut client, text, uri) = started_on(&path)?;
    let next = "\\\"Next\\\":\\\"Fetch Bank Addresses from database\\\"";
    let key = "\\\"Fetch Bank Addresses from database\\\":{";
    // From the Next (written `\"Next\":\"Fetch ...\"` in the template) to the state's key.
    assert_eq!(
        definition_start(&mut client, &uri, &text, next, 14)?,
        position(&text, key, 0, 0)?
    );
    let mut params = at(&uri, position(&text, key, 0, 4)?);
    params["context"] = json!({"includeDeclaration": false});
    let references = client.request("textDocument/references", params)?;
    let starts: Vec<&Value> = references
        .as_array()
        .map(|all| all.iter().map(|r| &r["range"]["start"]).collect())
        .unwrap_or_default();
    assert_eq!(starts, [&position(&text, next, 0, 9)?]);
    // Completion inside the escaped string: the machine's states after `\"Next\":\"`.
    let offered = client.completion_labels(&uri, position(&text, next, 0, 13)?)?;
    assert!(
        offered.contains(&"Fetch Bank Addresses from database".to_owned())
            // The Map's item processor has states of its own, not offered out here.
            && !offered.contains(&"Get individual bank quotes".to_owned()),
        "{offered:?}"
    );
    // The outline names the template's machine and its states.
    let symbols = client.symbols(&uri)?;
    let machine = symbols
        .as_array()
        .and_then(|all| all.iter().find(|s| s["name"] == "LoanBroker641FC9A8"))
        .ok_or_else(|| format!("no LoanBroker machine: {symbols}"))?;
    assert_eq!(
        machine["children"][0]["name"],
        "Get Credit Score from credit bureau"
    );
    // Rename: written with escaped quotes, so the template stays valid JSON and the definition
    // names the new state.
    let edits = client.rename_edits(&uri, position(&text, key, 0, 4)?, "Fetch \"bank\" list")?;
    assert_eq!(edits.as_array().map(Vec::len), Some(2), "{edits}");
    let renamed = apply_edits(&text, &edits);
    let template: Value = serde_json::from_str(&renamed)?;
    let parts = &template["Resources"]["LoanBroker641FC9A8"]["Properties"]["DefinitionString"]["Fn::Join"]
        [1];
    let literal: String = parts
        .as_array()
        .map(|all| all.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        literal.contains("\"Next\":\"Fetch \\\"bank\\\" list\"")
            && literal.contains("\"Fetch \\\"bank\\\" list\":{"),
        "{literal}"
    );
    let dir = scratch_dir("asl-lsp-features", "json-template");
    let renamed_path = dir.join("template.json");
    std::fs::write(&renamed_path, &renamed)?;
    assert_eq!(check_lines(&renamed_path)?, check_lines(&path)?);
    // A misspelt Next in the escaped string is offered the nearest state, written escaped.
    let misspelt = text.replacen(
        "Fetch Bank Addresses from database\\\",\\\"Type",
        "Fetch Bank Adresses from database\\\",\\\"Type",
        1,
    );
    assert_ne!(misspelt, text);
    client.change(&uri, 2, &misspelt)?;
    let typo = position(&misspelt, "\\\"Fetch Bank Adresses", 0, 3)?;
    let actions = client.code_actions(&uri, &typo)?;
    let change = &actions[0]["edit"]["changes"][&uri];
    assert_eq!(
        actions[0]["title"],
        "Change `Fetch Bank Adresses from database` to `Fetch Bank Addresses from database`"
    );
    assert_eq!(apply_edits(&misspelt, change), text);
    client.shutdown()
}

#[test]
fn lint_warning_quick_fixes_add_the_retry_and_the_timeout_and_clear_the_warnings() -> TestResult {
    let path = corpus(
        "real/workflows-collection/inventory-management-sam__create-purchase-order-statemachine.asl.json",
    );
    let (mut client, text, uri) = started_on(&path)?;
    let published = client.diagnostics(&uri)?;
    let codes = |published: &Value| -> Vec<String> {
        published_lines(published)
            .into_iter()
            .map(|(_, code)| code)
            .collect()
    };
    assert_eq!(codes(&published), ["LAMBDA_RETRY", "TASK_TOKEN_TIMEOUT"]);
    // Where the editor shows the warnings (both on the Task's `Resource`).
    let warned = published["diagnostics"][0]["range"]["start"].clone();
    assert_eq!(
        line_at(&text, &warned["line"]).get(..11),
        Some("\"Resource\":")
    );
    let actions = client.code_actions(&uri, &warned)?;
    let titles: Vec<&str> = actions
        .as_array()
        .map(|all| all.iter().filter_map(|a| a["title"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        titles,
        [
            "Add a Retry for Lambda's transient errors to \"Send Purchase Order Email\"",
            "Add \"TimeoutSeconds\": 3600 to \"Send Purchase Order Email\"",
        ]
    );
    // Each fix applied as the editor would: its warning goes, and nothing else changes.
    let mut version = 1;
    for (action, cleared) in actions
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .zip(["LAMBDA_RETRY", "TASK_TOKEN_TIMEOUT"])
    {
        assert_eq!(action["kind"], "quickfix");
        assert_eq!(action["diagnostics"][0]["code"], cleared);
        let fixed = apply_edits(&text, &action["edit"]["changes"][&uri]);
        version += 1;
        client.change(&uri, version, &fixed)?;
        let published = client.diagnostics(&uri)?;
        let left = codes(&published);
        assert_eq!(left.len(), 1, "{left:?}");
        assert!(!left.iter().any(|code| code == cleared), "{left:?}");
        serde_json::from_str::<Value>(&fixed)?;
    }
    client.shutdown()
}

#[test]
fn terraform_file_definitions_link_to_the_referenced_file_and_its_finding() -> TestResult {
    // A copy of the `file(...)` module whose definition sends Charge to a state that is not there.
    let dir = scratch_dir("asl-lsp-features", "tf-file");
    std::fs::create_dir_all(dir.join("definitions"))?;
    let definition = std::fs::read_to_string(terraform_example(
        "file/definitions/orders.asl.json",
    ))?
    .replacen("\"Next\": \"Ship\"", "\"Next\": \"Shipp\"", 1);
    let definition_path = dir.join("definitions/orders.asl.json");
    std::fs::write(&definition_path, &definition)?;
    let path = dir.join("main.tf");
    let text = std::fs::read_to_string(terraform_example("file/main.tf"))?;
    std::fs::write(&path, &text)?;
    let mut client = Client::start()?;
    let uri = client.open(&path, &text)?;
    let definition_uri = common::lsp::uri_of(&definition_path);
    // Go to definition on the path opens the file.
    let location = client.request(
        "textDocument/definition",
        at(&uri, position(&text, "/definitions/orders", 0, 3)?),
    )?;
    assert_eq!(location["uri"], definition_uri.as_str(), "{location}");
    // The finding is shown at `definition =`, and links to its line in the referenced file.
    let published = client.diagnostics(&uri)?;
    let missing = diagnostic_with_code(&published, "MISSING_TRANSITION_TARGET")?;
    assert_eq!(
        line_at(&text, &missing["range"]["start"]["line"]),
        "definition = file(\"${path.module}/definitions/orders.asl.json\")"
    );
    let related = &missing["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], definition_uri.as_str(), "{missing}");
    assert_eq!(
        line_at(&definition, &related["range"]["start"]["line"]),
        "\"Next\": \"Shipp\""
    );
    // The same for `templatefile(...)`.
    let path = terraform_example("templatefile/main.tf");
    let text = std::fs::read_to_string(&path)?;
    let uri = client.open(&path, &text)?;
    let location = client.request(
        "textDocument/definition",
        at(&uri, position(&text, "/templates/pipeline", 0, 3)?),
    )?;
    assert_eq!(
        location["uri"],
        common::lsp::uri_of(&terraform_example(
            "templatefile/templates/pipeline.asl.json.tpl"
        ))
        .as_str()
    );
    client.shutdown()
}
