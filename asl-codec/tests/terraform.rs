//! Terraform `.tf` files: reading `aws_sfn_state_machine` definitions in every form and writing an
//! edited definition back, on fixtures written after public Terraform code
//! (tests/data/terraform/SOURCES.md). python-hcl2 from the validators venv checks what we write.

use std::path::{Path, PathBuf};
use std::process::Command;

use asl_codec::terraform::{self, DefinitionForm, TerraformError, TerraformMachine};
use serde_json::{Map, Value, json};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(name: &str) -> PathBuf {
    workspace_root().join("tests/data/terraform").join(name)
}

/// A fresh copy of a fixture folder, so that written files can be read back from disk.
fn scratch_copy(name: &str) -> PathBuf {
    let target = std::env::temp_dir().join(format!(
        "asl-studio-tf-{}-{name}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&target);
    copy_dir(&fixture(name), &target);
    target
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create scratch folder");
    for entry in std::fs::read_dir(from)
        .expect("read fixture folder")
        .flatten()
    {
        let path = entry.path();
        let destination = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &destination);
        } else {
            std::fs::copy(&path, &destination).expect("copy fixture file");
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn machine<'m>(machines: &'m [TerraformMachine], address: &str) -> &'m TerraformMachine {
    machines
        .iter()
        .find(|m| m.address == address)
        .unwrap_or_else(|| {
            panic!(
                "no {address} in {:?}",
                machines.iter().map(|m| &m.address).collect::<Vec<_>>()
            )
        })
}

fn placeholder_names(machine: &TerraformMachine) -> Vec<&str> {
    machine
        .placeholders
        .iter()
        .map(|p| p.name.as_str())
        .collect()
}

/// The validators venv's python; a missing venv fails the test (run scripts/setup-validators.sh).
fn validators_python() -> PathBuf {
    let path = std::env::var_os("ASL_STUDIO_VALIDATORS_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv-validators/bin/python"));
    assert!(
        path.exists(),
        "python-hcl2 is needed: {} is missing; run `bash scripts/setup-validators.sh`",
        path.display()
    );
    path
}

const HCL2_VIEW: &str = r#"
import json, sys
import hcl2
from hcl2 import SerializationOptions
options = SerializationOptions(strip_string_quotes=True, with_comments=False)
with open(sys.argv[1]) as handle:
    document = hcl2.load(handle, serialization_options=options)
def local(name):
    for block in document.get("locals", []):
        if name in block:
            return block[name]
    return None
found = None
for resource in document.get("resource", []):
    machine = resource.get("aws_sfn_state_machine", {}).get(sys.argv[2])
    if machine is not None:
        definition = machine["definition"]
        if definition.startswith("${local.") and definition.endswith("}"):
            definition = local(definition[len("${local."):-1])
        prefix = "${jsonencode("
        if isinstance(definition, str) and definition.startswith(prefix) and definition.endswith(")}"):
            inner = definition[len(prefix):-2]
            if inner.startswith("local."):
                found = local(inner[len("local."):])
            else:
                found = hcl2.loads("v = " + inner, serialization_options=options)["v"]
        else:
            found = "not jsonencode"
print(json.dumps(found))
"#;

/// python-hcl2's reading of machine `name` in the `.tf` file at `path`: its jsonencode
/// definition as JSON, `"not jsonencode"` for other forms, null when absent. Panics when
/// python-hcl2 cannot parse the file.
fn hcl2_view(path: &Path, name: &str) -> Value {
    let output = Command::new(validators_python())
        .arg("-c")
        .arg(HCL2_VIEW)
        .arg(path)
        .arg(name)
        .output()
        .expect("run python-hcl2");
    assert!(
        output.status.success(),
        "python-hcl2 rejects {}:\n{}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("python-hcl2 view is JSON")
}

/// Renames state `from` to `to` and every `StartAt`/`Next`/`Default` naming it, keeping order.
fn rename_state(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::Object(members) => {
            let renamed: Map<String, Value> = std::mem::take(members)
                .into_iter()
                .map(|(key, mut member)| {
                    rename_state(&mut member, from, to);
                    if matches!(key.as_str(), "StartAt" | "Next" | "Default") && member == from {
                        member = Value::String(to.to_owned());
                    }
                    (key, member)
                })
                .collect();
            *members = renamed;
            if let Some(Value::Object(states)) = members.get_mut("States")
                && states.contains_key(from)
            {
                let old = std::mem::take(states);
                *states = old
                    .into_iter()
                    .map(|(key, state)| {
                        if key == from {
                            (to.to_owned(), state)
                        } else {
                            (key, state)
                        }
                    })
                    .collect();
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| rename_state(item, from, to)),
        _ => {}
    }
}

/// Asserts that `after` differs from `before` only inside `span` of `before`.
fn assert_only_span_changed(before: &str, after: &str, span: asl_codec::Span) {
    assert_eq!(
        &after[..span.start],
        &before[..span.start],
        "bytes before the definition changed"
    );
    let tail = before.len() - span.end;
    assert!(
        after.len() >= tail,
        "the written file is shorter than the text after the definition"
    );
    assert_eq!(
        &after[after.len() - tail..],
        &before[span.end..],
        "bytes after the definition changed"
    );
}

/// Edits machine `address` of `dir/file`, writes it back, and checks the round trip: only the
/// definition's bytes change, reading again gives the edited definition and the same
/// placeholders, and python-hcl2 parses the result (for jsonencode, to the same JSON). Returns
/// the written `.tf` text.
fn round_trip(dir: &Path, file: &str, address: &str, edit: impl Fn(&mut Value)) -> String {
    let tf_path = dir.join(file);
    let base = tf_path.parent().expect("fixture has a folder");
    let text = read(&tf_path);
    let machines = terraform::extract(&text, Some(base)).expect("extract");
    let before = machine(&machines, address).clone();
    let mut edited = before.definition.clone();
    edit(&mut edited);
    assert_ne!(edited, before.definition, "the edit must change something");
    let written = terraform::write_back(&text, Some(base), address, &edited).expect("write back");
    match &before.form {
        DefinitionForm::File { path } | DefinitionForm::TemplateFile { path, .. } => {
            assert_eq!(
                written.text, text,
                "a file() definition leaves the .tf file alone"
            );
            let file = written
                .file
                .as_ref()
                .expect("the referenced file is written");
            assert_eq!(&file.path, path);
            std::fs::write(&file.path, &file.text).expect("write referenced file");
        }
        _ => {
            assert!(written.file.is_none());
            assert_only_span_changed(&text, &written.text, before.span);
        }
    }
    std::fs::write(&tf_path, &written.text).expect("write .tf");
    let again = terraform::extract(&read(&tf_path), Some(base)).expect("extract the written file");
    let after = machine(&again, address);
    assert_eq!(
        after.definition, edited,
        "reading back gives the edited definition"
    );
    assert_eq!(after.form, before.form);
    assert_eq!(
        placeholder_names(after),
        placeholder_names(&before),
        "placeholders intact"
    );
    let view = hcl2_view(&tf_path, &before.name);
    if before.form == DefinitionForm::JsonEncode {
        assert_eq!(
            view, edited,
            "python-hcl2 reads the written jsonencode as our JSON"
        );
    } else {
        assert_ne!(view, Value::Null, "python-hcl2 finds the machine");
    }
    written.text
}

#[test]
fn jsonencode_definition_reads_references_as_placeholders() {
    let dir = fixture("jsonencode");
    let text = read(&dir.join("main.tf"));
    let machines = terraform::extract(&text, Some(&dir)).expect("extract");
    assert_eq!(
        machines.len(),
        1,
        "the IAM role's jsonencode policy is not a machine"
    );
    let machine = &machines[0];
    assert_eq!(machine.address, "aws_sfn_state_machine.order_intake");
    assert_eq!(machine.form, DefinitionForm::JsonEncode);
    let definition = &machine.definition;
    assert_eq!(definition["Comment"], "Order intake (${var.environment})");
    let validate = &definition["States"]["ValidateOrder"];
    assert_eq!(
        validate["Parameters"],
        json!({"FunctionName": "${aws_lambda_function.validate.arn}", "Payload.$": "$"})
    );
    assert_eq!(
        validate["Retry"][0]["ErrorEquals"][1],
        "Lambda.TooManyRequestsException"
    );
    assert_eq!(validate["Retry"][0]["MaxAttempts"], 3);
    assert_eq!(
        definition["States"]["NotifyTeam"]["TimeoutSeconds"],
        "${var.notify_timeout}"
    );
    assert_eq!(
        placeholder_names(machine),
        vec![
            "var.environment",
            "aws_lambda_function.validate.arn",
            "aws_sns_topic.orders.arn",
            "var.notify_timeout"
        ]
    );
    let function = &machine.placeholders[1];
    assert_eq!(
        function.pointers,
        vec!["/States/ValidateOrder/Parameters/FunctionName"]
    );
    assert_eq!(function.expression, "aws_lambda_function.validate.arn");
    assert_eq!(function.value, None);
    // Diagnostics point into the .tf file.
    let resource_line = text
        .lines()
        .position(|line| line.contains("FunctionName = aws_lambda_function"))
        .expect("fixture line")
        + 1;
    let at = machine.location("/States/ValidateOrder/Parameters/FunctionName");
    assert_eq!((at.line, at.column), (resource_line, 26));
    assert_eq!(machine.location("/States/Nowhere/At/All").line, {
        text.lines()
            .position(|l| l.contains("States = {"))
            .expect("line")
            + 1
    });
    assert_eq!(
        hcl2_view(&dir.join("main.tf"), "order_intake"),
        machine.definition
    );
}

#[test]
fn jsonencode_edit_keeps_comments_references_and_everything_outside() {
    let dir = scratch_copy("jsonencode");
    let written = round_trip(&dir, "main.tf", "aws_sfn_state_machine.order_intake", |d| {
        rename_state(d, "ValidateOrder", "CheckOrder");
        d["States"]["Rejected"]["Error"] = json!("OrderInvalid");
        d["States"]["IsValid"]["Choices"][0]["Next"] = json!("NotifyTeam");
    });
    assert!(written.contains("      CheckOrder = {\n"), "{written}");
    assert!(written.contains("StartAt = \"CheckOrder\""));
    assert!(written.contains("          FunctionName = aws_lambda_function.validate.arn\n"));
    assert!(written.contains("TopicArn    = aws_sns_topic.orders.arn"));
    assert!(written.contains("TimeoutSeconds = var.notify_timeout"));
    assert!(written.contains(
        "      # Rejects malformed orders before anything is charged.\n      CheckOrder"
    ));
    assert!(written.contains("Next = \"IsValid\" // the Choice below"));
    assert!(written.contains(
        "      /* SNS publish: the topic comes from this module. */\n      NotifyTeam = {"
    ));
    assert!(written.contains("        Type  = \"Fail\"\n        Error = \"OrderInvalid\"\n"));
    assert!(written.contains("Comment = \"Order intake (${var.environment})\""));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn jsonencode_edit_in_a_crlf_file_keeps_crlf_line_endings() {
    let dir = scratch_copy("jsonencode");
    let path = dir.join("main.tf");
    std::fs::write(&path, read(&path).replace('\n', "\r\n")).expect("write CRLF copy");
    let written = round_trip(&dir, "main.tf", "aws_sfn_state_machine.order_intake", |d| {
        rename_state(d, "Rejected", "Refused");
    });
    assert!(written.contains("      Refused = {\r\n"));
    assert_eq!(
        written.matches('\n').count(),
        written.matches("\r\n").count(),
        "every line ends in CRLF"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn heredoc_definitions_read_with_and_without_indent_stripping() {
    let dir = fixture("heredoc");
    let machines = terraform::extract(&read(&dir.join("main.tf")), Some(&dir)).expect("extract");
    assert_eq!(machines.len(), 2);
    let hello = machine(&machines, "aws_sfn_state_machine.hello");
    assert_eq!(
        hello.form,
        DefinitionForm::Heredoc {
            delimiter: "EOF".into(),
            strip_indent: false
        }
    );
    assert_eq!(
        hello.definition["States"]["HelloWorld"]["Resource"],
        "${aws_lambda_function.hello.arn}"
    );
    assert_eq!(
        placeholder_names(hello),
        vec!["aws_lambda_function.hello.arn"]
    );
    let batch = machine(&machines, "aws_sfn_state_machine.batch");
    assert_eq!(
        batch.form,
        DefinitionForm::Heredoc {
            delimiter: "JSON".into(),
            strip_indent: true
        }
    );
    assert_eq!(
        batch.definition["States"]["Wait"]["Seconds"],
        "${var.wait_seconds}"
    );
    assert_eq!(
        placeholder_names(batch),
        vec![
            "var.wait_seconds",
            "var.job_queue_arn",
            "var.job_definition_arn"
        ]
    );
    let text = read(&dir.join("main.tf"));
    let seconds_line = text
        .lines()
        .position(|l| l.contains("\"Seconds\""))
        .expect("line")
        + 1;
    let at = batch.location("/States/Wait/Seconds");
    assert_eq!((at.line, at.column), (seconds_line, 22));
}

#[test]
fn heredoc_edits_keep_delimiter_indentation_and_bare_interpolations() {
    let dir = scratch_copy("heredoc");
    let written = round_trip(&dir, "main.tf", "aws_sfn_state_machine.hello", |d| {
        rename_state(d, "HelloWorld", "Greet");
    });
    assert!(written.contains("  definition = <<EOF\n{\n  \"Comment\""));
    assert!(written.contains("\n    \"Greet\": {\n      \"Type\": \"Task\",\n      \"Resource\": \"${aws_lambda_function.hello.arn}\""));
    assert!(written.contains("\n}\nEOF\n}\n"));
    let written = round_trip(&dir, "main.tf", "aws_sfn_state_machine.batch", |d| {
        d["States"]["Run"]["Parameters"]["JobName"] = json!("nightly-v2");
        rename_state(d, "Run", "Submit");
    });
    assert!(written.contains("  definition = <<-JSON\n    {\n      \"StartAt\": \"Wait\""));
    assert!(
        written.contains(
            "          \"Seconds\": ${var.wait_seconds},\n          \"Next\": \"Submit\""
        )
    );
    assert!(written.contains("            \"JobName\": \"nightly-v2\","));
    assert!(written.contains("\n    }\n  JSON\n}\n"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn quoted_string_definition_round_trips() {
    let dir = scratch_copy("quoted");
    let text = read(&dir.join("main.tf"));
    let machines = terraform::extract(&text, Some(&dir)).expect("extract");
    assert_eq!(machines[0].form, DefinitionForm::String);
    assert_eq!(
        machines[0].definition["States"]["Ping"]["Result"],
        "pong from ${var.environment}"
    );
    let written = round_trip(&dir, "main.tf", "aws_sfn_state_machine.ping", |d| {
        d["States"]["Ping"]["Result"] = json!("pong \"quoted\" from ${var.environment}");
    });
    assert!(
        written.contains(r#"\"Result\":\"pong \\\"quoted\\\" from ${var.environment}\""#),
        "{written}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn file_definition_writes_the_referenced_file() {
    let dir = scratch_copy("file");
    let machines = terraform::extract(&read(&dir.join("main.tf")), Some(&dir)).expect("extract");
    let orders = machine(&machines, "aws_sfn_state_machine.orders");
    assert_eq!(
        orders.form,
        DefinitionForm::File {
            path: dir.join("definitions/orders.asl.json")
        }
    );
    assert_eq!(orders.definition["States"]["Charge"]["Next"], "Ship");
    assert_eq!(
        orders.location_file(),
        Some(dir.join("definitions/orders.asl.json").as_path())
    );
    assert_eq!(orders.location("/States/Ship").line, 14);
    round_trip(&dir, "main.tf", "aws_sfn_state_machine.orders", |d| {
        rename_state(d, "Ship", "Dispatch");
        d["Comment"] = json!("Charge, then dispatch");
    });
    let file = read(&dir.join("definitions/orders.asl.json"));
    assert!(
        file.starts_with("{\n  \"Comment\": \"Charge, then dispatch\",\n"),
        "{file}"
    );
    assert!(file.contains("\n    \"Dispatch\": {\n      \"Type\": \"Task\","));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn templatefile_variables_become_placeholders_with_literal_values() {
    let dir = fixture("templatefile");
    let machines = terraform::extract(&read(&dir.join("main.tf")), Some(&dir)).expect("extract");
    let pipeline = machine(&machines, "aws_sfn_state_machine.pipeline");
    let DefinitionForm::TemplateFile { path, variables } = &pipeline.form else {
        panic!("templatefile form expected, got {:?}", pipeline.form);
    };
    assert_eq!(path, &dir.join("templates/pipeline.asl.json.tpl"));
    let names: Vec<&str> = variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        ["table_name", "max_attempts", "crawler_lambda", "topic_arn"]
    );
    assert_eq!(
        placeholder_names(pipeline),
        vec!["crawler_lambda", "max_attempts", "table_name", "topic_arn"]
    );
    let by_name = |name: &str| {
        pipeline
            .placeholders
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("placeholder {name}"))
    };
    assert_eq!(by_name("table_name").value, Some(json!("pipeline-runs")));
    assert_eq!(by_name("max_attempts").value, Some(json!(3)));
    assert_eq!(
        by_name("max_attempts").pointers,
        vec!["/States/Crawl/Retry/0/MaxAttempts"]
    );
    assert_eq!(by_name("crawler_lambda").value, None);
    assert_eq!(
        by_name("crawler_lambda").expression,
        "aws_lambda_function.crawler.arn"
    );
    assert_eq!(by_name("topic_arn").expression, "var.alerts_topic_arn");
    assert_eq!(
        pipeline.definition["States"]["Crawl"]["Retry"][0]["MaxAttempts"],
        "${max_attempts}"
    );
}

#[test]
fn templatefile_edit_keeps_bare_variables_bare() {
    let dir = scratch_copy("templatefile");
    round_trip(&dir, "main.tf", "aws_sfn_state_machine.pipeline", |d| {
        rename_state(d, "RecordRun", "SaveRun");
        d["States"]["Alert"]["Parameters"]["Subject"] = json!("Pipeline failed");
    });
    let template = read(&dir.join("templates/pipeline.asl.json.tpl"));
    assert!(
        template.contains("\"MaxAttempts\": ${max_attempts}\n"),
        "{template}"
    );
    assert!(template.contains("\"Next\": \"SaveRun\""));
    assert!(template.contains("\"TableName\": \"${table_name}\""));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn module_folder_lists_every_machine_and_writes_each_back() {
    let dir = scratch_copy("module");
    let found = terraform::extract_dir(&dir).expect("extract_dir");
    assert_eq!(
        found.len(),
        1,
        "only the child module's main.tf holds machines"
    );
    let (path, machines) = &found[0];
    assert_eq!(path, &dir.join("modules/workflows/main.tf"));
    let addresses: Vec<&str> = machines.iter().map(|m| m.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "aws_sfn_state_machine.fan_out",
            "aws_sfn_state_machine.cleanup",
            "aws_sfn_state_machine.report",
            "aws_sfn_state_machine.audit"
        ]
    );
    // `definition = local.fan_out_definition` reads the locals entry.
    assert_eq!(machines[0].form, DefinitionForm::JsonEncode);
    assert_eq!(
        machines[0].definition["States"]["FanOut"]["ItemProcessor"]["States"]["Enqueue"]["Parameters"]
            ["QueueUrl"],
        "${var.queue_url}"
    );
    assert!(matches!(
        machines[2].form,
        DefinitionForm::TemplateFile { .. }
    ));
    assert_eq!(machines[2].placeholders[0].expression, "var.environment");

    round_trip(
        &dir,
        "modules/workflows/main.tf",
        "aws_sfn_state_machine.fan_out",
        |d| {
            d["States"]["FanOut"]["MaxConcurrency"] = json!(25);
            rename_state(
                &mut d["States"]["FanOut"]["ItemProcessor"],
                "Enqueue",
                "Send",
            );
        },
    );
    let written = round_trip(
        &dir,
        "modules/workflows/main.tf",
        "aws_sfn_state_machine.cleanup",
        |d| {
            d["States"]["Purge"]["Comment"] = json!("Empties the work queue");
        },
    );
    assert!(written.contains("MaxConcurrency = 25"));
    assert!(written.contains("            Send = {\n"));
    assert!(
        written.contains("        QueueUrl = var.queue_url\n"),
        "{written}"
    );
    round_trip(
        &dir,
        "modules/workflows/main.tf",
        "aws_sfn_state_machine.report",
        |d| {
            d["States"]["Summarise"]["Comment"] = json!("counts the items");
        },
    );
    // `jsonencode(local.audit_definition)`: the locals object is what changes.
    let written = round_trip(
        &dir,
        "modules/workflows/main.tf",
        "aws_sfn_state_machine.audit",
        |d| {
            rename_state(d, "Record", "Stamp");
        },
    );
    assert!(
        written.contains("    States = {\n      Stamp = {\n        Type       = \"Pass\""),
        "{written}"
    );
    assert!(written.contains("definition = jsonencode(local.audit_definition)\n"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn conditional_and_variable_definitions_are_listed_but_not_writable() {
    let dir = fixture("conditional");
    let text = read(&dir.join("main.tf"));
    let machines = terraform::extract(&text, Some(&dir)).expect("extract");
    assert_eq!(machines.len(), 2);
    for machine in &machines {
        assert!(!machine.is_writable());
        assert_eq!(machine.definition, Value::Null);
        let error = terraform::write_back(
            &text,
            Some(&dir),
            &machine.address,
            &json!({"StartAt": "X", "States": {}}),
        )
        .expect_err("cannot write back");
        assert!(
            matches!(error, TerraformError::NotWritable { .. }),
            "{error}"
        );
    }
    let DefinitionForm::Unsupported { reason } = &machines[0].form else {
        panic!("unsupported form expected");
    };
    assert!(reason.contains("conditional expression"), "{reason}");
    assert_eq!(machines[0].line_col.line, 14);
    let DefinitionForm::Unsupported { reason } = &machines[1].form else {
        panic!("unsupported form expected");
    };
    assert!(reason.contains("var.definition"), "{reason}");
}

#[test]
fn unknown_address_names_the_machines_there_are() {
    let dir = fixture("heredoc");
    let text = read(&dir.join("main.tf"));
    let error = terraform::write_back(&text, Some(&dir), "aws_sfn_state_machine.nope", &json!({}))
        .expect_err("no such machine");
    assert!(
        error
            .to_string()
            .contains("aws_sfn_state_machine.hello, aws_sfn_state_machine.batch"),
        "{error}"
    );
}

#[test]
fn referenced_files_may_not_leave_the_base_folder() {
    let dir = fixture("file");
    for path in [
        "../jsonencode/main.tf",
        "/etc/passwd",
        "${path.module}/../../Cargo.toml",
        "definitions/../../x.json",
    ] {
        let text = format!(
            "resource \"aws_sfn_state_machine\" \"m\" {{\n  definition = file(\"{path}\")\n}}\n"
        );
        let error = terraform::extract(&text, Some(&dir)).expect_err(path);
        assert!(
            error.to_string().contains("leaves the folder"),
            "{path}: {error}"
        );
    }
    let inside = "resource \"aws_sfn_state_machine\" \"m\" {\n  definition = file(\"definitions/../definitions/orders.asl.json\")\n}\n";
    assert!(terraform::extract(inside, Some(&dir)).is_ok());
    let error = terraform::extract(inside, None).expect_err("no base folder");
    assert!(error.to_string().contains("needs the folder"), "{error}");
}

#[test]
fn hostile_input_returns_errors_not_panics() {
    // Every prefix of every fixture: errors or machines, never a panic.
    for name in [
        "jsonencode",
        "heredoc",
        "quoted",
        "conditional",
        "module/modules/workflows",
    ] {
        let dir = fixture(name);
        let text = read(&dir.join("main.tf"));
        for end in (0..text.len()).step_by(3) {
            if text.is_char_boundary(end) {
                let _ = terraform::extract(&text[..end], Some(&dir));
            }
        }
    }
    let deep_hcl = format!(
        "resource \"aws_sfn_state_machine\" \"m\" {{\n  definition = jsonencode({}{})\n}}\n",
        "{ a = ".repeat(50_000),
        "1 }".repeat(50_000)
    );
    assert!(terraform::extract(&deep_hcl, None).is_err());
    let deep_json = format!(
        "resource \"aws_sfn_state_machine\" \"m\" {{\n  definition = <<EOF\n{}{}\nEOF\n}}\n",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    assert!(terraform::extract(&deep_json, None).is_err());
    let unterminated =
        "resource \"aws_sfn_state_machine\" \"m\" {\n  definition = <<EOF\n{\"StartAt\": \"A\"}\n";
    assert!(matches!(
        terraform::extract(unterminated, None),
        Err(TerraformError::Syntax { .. })
    ));
    let unterminated_interpolation = "resource \"aws_sfn_state_machine\" \"m\" {\n  definition = <<EOF\n{\"a\": \"${var.x\"}\nEOF\n}\n";
    assert!(terraform::extract(unterminated_interpolation, None).is_err());
    let directive = "resource \"aws_sfn_state_machine\" \"m\" {\n  definition = <<EOF\n{\"a\": \"%{ if true }x%{ endif }\"}\nEOF\n}\n";
    let error = terraform::extract(directive, None).expect_err("directive");
    assert!(error.to_string().contains("directive"), "{error}");

    // A definition too deep to write is refused, and so is a lone `%{` that HCL would read as a
    // directive: nothing is written.
    let dir = fixture("jsonencode");
    let text = read(&dir.join("main.tf"));
    let mut deep = json!(1);
    for _ in 0..100 {
        deep = json!([deep]);
    }
    let error = terraform::write_back(
        &text,
        Some(&dir),
        "order_intake",
        &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": deep, "End": true}}}),
    )
    .expect_err("too deep");
    assert!(error.to_string().contains("deeper than"), "{error}");
    let error = terraform::write_back(&text, Some(&dir), "order_intake", &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "%{ if x }", "End": true}}}))
        .expect_err("directive");
    assert!(
        matches!(error, TerraformError::NotWritable { .. }),
        "{error}"
    );
}

#[test]
fn writing_an_unchanged_definition_changes_no_byte() {
    for (name, file) in [
        ("jsonencode", "main.tf"),
        ("heredoc", "main.tf"),
        ("quoted", "main.tf"),
        ("file", "main.tf"),
        ("templatefile", "main.tf"),
        ("module", "modules/workflows/main.tf"),
    ] {
        let path = fixture(name).join(file);
        let base = path.parent().expect("folder");
        let text = read(&path);
        for machine in terraform::extract(&text, Some(base)).expect("extract") {
            let written =
                terraform::write_back(&text, Some(base), &machine.address, &machine.definition)
                    .expect("write back");
            assert_eq!(written.text, text, "{name} {}", machine.address);
            if let Some(file) = written.file {
                assert_eq!(file.text, read(&file.path), "{name} {}", machine.address);
            }
        }
    }
}

#[test]
fn comment_on_an_opening_brace_line_survives_an_edit_of_that_object() {
    let text = "resource \"aws_sfn_state_machine\" \"m\" {\n  definition = jsonencode({\n    StartAt = \"A\"\n    States = { # every state\n      A = { Type = \"Pass\", End = true }\n    }\n  })\n}\n";
    let machines = terraform::extract(text, None).expect("extract");
    let mut edited = machines[0].definition.clone();
    edited["States"]["A"]["Comment"] = json!("first");
    let written = terraform::write_back(text, None, "m", &edited).expect("write back");
    assert!(
        written
            .text
            .contains("    States = {\n      # every state\n      A = {\n"),
        "{}",
        written.text
    );
    let again = terraform::extract(&written.text, None).expect("extract again");
    assert_eq!(again[0].definition, edited);
}
