//! `asl-studio embed`: writing a definition back into the SAM / CloudFormation template that holds
//! it, on copies of corpus templates, running the built binary.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

mod common;

use common::{corpus_template as corpus, path_str, read, run, stderr, stdout};

/// A fresh scratch folder for the files a test rewrites.
fn scratch(name: &str) -> PathBuf {
    common::scratch_dir("asl-studio-embed", name)
}

fn copy_into(dir: &Path, relative: &str) -> PathBuf {
    let source = corpus(relative);
    let name = source.file_name().unwrap_or_default();
    let target = dir.join(name);
    std::fs::copy(&source, &target).unwrap_or_else(|error| panic!("{relative}: {error}"));
    target
}

/// `asl-studio embed DEFINITION --into TEMPLATE` with `more` arguments.
fn embed(definition: &Path, template: &Path, more: &[&str]) -> Output {
    let mut arguments = vec!["embed", path_str(definition), "--into", path_str(template)];
    arguments.extend_from_slice(more);
    run(&arguments)
}

/// The definition `extract` prints for one machine.
fn extract(template: &Path, name: &str) -> Value {
    let output = run(&["extract", path_str(template), "--name", name]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).unwrap_or_else(|error| panic!("{error}"))
}

fn write_json(path: &Path, value: &Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    std::fs::write(path, text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
}

/// The template's value without one machine's definition properties, to compare everything else.
fn without_definition(template: &Value, logical_id: &str) -> Value {
    let mut template = template.clone();
    if let Some(Value::Object(properties)) =
        template.pointer_mut(&format!("/Resources/{logical_id}/Properties"))
    {
        properties.remove("DefinitionString");
        properties.remove("Definition");
    }
    template
}

const NESTED: &str = "localstack/tests__aws__templates__sfn_nested_sync2.json";
const CHILD: &str = "childMachineC2BF6790";

#[test]
fn embed_writes_into_a_json_template_in_place_and_says_join_became_sub() {
    let dir = scratch("json");
    let template = copy_into(&dir, NESTED);
    let before = read(&template);
    let mut definition = extract(&template, CHILD);
    definition["Comment"] = json!("edited in ASL Studio");
    let definition_path = dir.join("child.asl.json");
    write_json(&definition_path, &definition);
    let output = embed(&definition_path, &template, &["--name", CHILD]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let said = stdout(&output);
    assert!(said.contains(&format!("into `{CHILD}`")), "{said}");
    assert!(
        said.contains("Fn::Join") && said.contains("Fn::Sub"),
        "{said}"
    );
    assert_eq!(extract(&template, CHILD), definition);
    let old: Value = serde_json::from_str(&before).unwrap_or_default();
    let new: Value = serde_json::from_str(&read(&template)).unwrap_or_default();
    assert_eq!(
        without_definition(&old, CHILD),
        without_definition(&new, CHILD)
    );
    // The first lines, before any machine, are the same bytes.
    let head = before.find(&format!("\"{CHILD}\"")).unwrap_or(0);
    assert_eq!(&read(&template)[..head], &before[..head]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn embed_without_name_lists_the_machines_and_writes_nothing() {
    let dir = scratch("several");
    let template = copy_into(&dir, NESTED);
    let before = read(&template);
    let definition_path = dir.join("child.asl.json");
    write_json(&definition_path, &extract(&template, CHILD));
    let output = embed(&definition_path, &template, &[]);
    assert_eq!(output.status.code(), Some(2));
    let said = stderr(&output);
    assert!(said.contains("--name"), "{said}");
    assert!(
        said.contains(CHILD) && said.contains("parentMachineFFF9E148"),
        "{said}"
    );
    assert_eq!(read(&template), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn embed_into_a_sam_yaml_template_re_extracts_as_written() {
    let dir = scratch("yaml");
    let template = copy_into(
        &dir,
        "stepfunctions-examples/sam__demo-forecast-service-integration__template__template.yaml",
    );
    let name = "ForecastWorkflowStateMachine";
    let mut definition = extract(&template, name);
    definition["Comment"] = json!("edited");
    let definition_path = dir.join("forecast.asl.json");
    write_json(&definition_path, &definition);
    let output = embed(&definition_path, &template, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(extract(&template, name), definition);
    // The placeholders still get their values from DefinitionSubstitutions.
    let listing = run(&["extract", path_str(&template), "--placeholders"]);
    assert!(
        stdout(&listing).contains("Fn::GetAtt"),
        "{}",
        stdout(&listing)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn embed_with_output_leaves_the_template_alone() {
    let dir = scratch("output");
    let template = copy_into(&dir, NESTED);
    let before = read(&template);
    let mut definition = extract(&template, CHILD);
    definition["TimeoutSeconds"] = json!(60);
    let definition_path = dir.join("child.asl.json");
    write_json(&definition_path, &definition);
    let out = dir.join("out.json");
    let output = embed(
        &definition_path,
        &template,
        &["--name", CHILD, "-o", path_str(&out)],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(read(&template), before);
    assert_eq!(extract(&out, CHILD), definition);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn embed_refuses_a_cdk_generated_machine_and_shows_the_from_file_line() {
    let dir = scratch("cdk");
    let template = copy_into(&dir, "workflows-collection/scatter-gather__out.yaml");
    let before = read(&template);
    let definition_path = dir.join("m.asl.json");
    write_json(
        &definition_path,
        &extract(&template, "StateMachine2E01A3A5"),
    );
    let output = embed(&definition_path, &template, &[]);
    assert_eq!(output.status.code(), Some(2));
    let said = stderr(&output);
    assert!(said.contains("generated by the CDK"), "{said}");
    assert!(said.contains("DefinitionBody.fromFile("), "{said}");
    assert_eq!(read(&template), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn embed_refuses_bad_input_with_exit_2_and_writes_nothing() {
    let dir = scratch("bad");
    let template = copy_into(&dir, NESTED);
    let before = read(&template);
    let broken = dir.join("broken.asl.json");
    std::fs::write(&broken, "{\"StartAt\": ").unwrap_or_else(|error| panic!("{error}"));
    let not_asl = dir.join("list.json");
    std::fs::write(&not_asl, "[1, 2]").unwrap_or_else(|error| panic!("{error}"));
    let cases: [(&Path, &str); 3] = [
        (&broken, "error[SYNTAX]"),
        (&not_asl, "not a state machine definition"),
        (&template, "this is a template"),
    ];
    for (definition, expected) in cases {
        let output = embed(definition, &template, &["--name", CHILD]);
        assert_eq!(output.status.code(), Some(2), "{}", definition.display());
        assert!(stderr(&output).contains(expected), "{}", stderr(&output));
    }
    let missing = embed(&broken, &dir.join("nowhere.yaml"), &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(read(&template), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn embed_refuses_a_form_it_cannot_write_back_and_names_it() {
    let dir = scratch("fn-if");
    let definition = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}});
    let template = dir.join("template.json");
    write_json(
        &template,
        &json!({"Conditions": {"Prod": {"Fn::Equals": ["a", "a"]}}, "Resources": {"Machine": {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {"DefinitionString": {"Fn::If": ["Prod", "{}", "{}"]}}}}}),
    );
    let before = read(&template);
    let definition_path = dir.join("a.asl.json");
    write_json(&definition_path, &definition);
    let output = embed(&definition_path, &template, &[]);
    assert_eq!(output.status.code(), Some(2));
    let said = stderr(&output);
    assert!(
        said.contains("`Machine`") && said.contains("Fn::If"),
        "{said}"
    );
    assert!(said.contains("nothing was written"), "{said}");
    assert_eq!(read(&template), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn embed_writes_the_definition_uri_file_and_refuses_one_outside_the_folder() {
    let dir = scratch("uri");
    std::fs::create_dir_all(dir.join("sam/statemachine")).unwrap_or_else(|e| panic!("{e}"));
    let sam = |uri: &str| {
        format!(
            "Transform: AWS::Serverless-2016-10-31\n# the workflow\nResources:\n  Flow:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: {uri}\n"
        )
    };
    let template = dir.join("sam/template.yaml");
    std::fs::write(&template, sam("statemachine/flow.asl.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let flow = dir.join("sam/statemachine/flow.asl.yaml");
    std::fs::write(
        &flow,
        "StartAt: Work\nStates:\n  Work:\n    Type: Pass\n    End: true\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let definition =
        json!({"StartAt": "Work", "States": {"Work": {"Type": "Pass", "Result": 1, "End": true}}});
    let definition_path = dir.join("edited.asl.json");
    write_json(&definition_path, &definition);
    let template_before = read(&template);
    let output = embed(&definition_path, &template, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("flow.asl.yaml"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        read(&template),
        template_before,
        "the template itself is untouched"
    );
    assert_eq!(extract(&template, "Flow"), definition);
    assert!(
        !read(&flow).trim_start().starts_with('{'),
        "still YAML: {}",
        read(&flow)
    );

    std::fs::write(&template, sam("../edited.asl.json")).unwrap_or_else(|e| panic!("{e}"));
    let outside_before = read(&definition_path);
    let output = embed(&definition_path, &template, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("outside the template's folder"),
        "{}",
        stderr(&output)
    );
    assert_eq!(read(&definition_path), outside_before);
    let extracted = run(&["extract", path_str(&template)]);
    assert_eq!(extracted.status.code(), Some(2));
    assert!(stdout(&extracted).is_empty(), "{}", stdout(&extracted));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A copy of one of the Terraform fixtures (tests/data/terraform/NAME) in a scratch folder.
fn terraform_fixture(name: &str) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/terraform")
        .join(name);
    let dir = scratch(&format!("tf-{name}"));
    copy_tree(&source, &dir);
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|error| panic!("{}: {error}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|error| panic!("{error}")) {
        let entry = entry.unwrap_or_else(|error| panic!("{error}"));
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|error| panic!("{error}"));
        }
    }
}

/// The lines of `after` that are not in `before`, in order (a line-level view of what changed).
fn added_lines<'a>(before: &str, after: &'a str) -> Vec<&'a str> {
    let old: std::collections::HashSet<&str> = before.lines().collect();
    after.lines().filter(|line| !old.contains(line)).collect()
}

#[test]
fn embed_into_terraform_jsonencode_changes_only_the_definition_and_extract_reads_it_back() {
    let dir = terraform_fixture("jsonencode");
    let main_tf = dir.join("main.tf");
    let before = read(&main_tf);
    let mut definition = extract(&main_tf, "order_intake");
    definition["Comment"] = json!("Order intake, edited in ASL Studio");
    let definition_path = dir.join("edited.asl.json");
    write_json(&definition_path, &definition);
    let output = embed(&definition_path, &main_tf, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("aws_sfn_state_machine.order_intake"),
        "{}",
        stdout(&output)
    );
    let after = read(&main_tf);
    // Only the Comment line changed; references such as `aws_lambda_function.validate.arn` and
    // the HCL comments stay as written.
    assert_eq!(
        added_lines(&before, &after),
        ["    Comment = \"Order intake, edited in ASL Studio\""]
    );
    assert_eq!(before.lines().count(), after.lines().count());
    assert!(after.contains("FunctionName = aws_lambda_function.validate.arn"));
    assert_eq!(extract(&main_tf, "order_intake"), definition);
    let check = run(&["check", path_str(&main_tf)]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn embed_into_a_terraform_file_reference_writes_the_referenced_file() {
    let dir = terraform_fixture("file");
    let main_tf = dir.join("main.tf");
    let tf_before = read(&main_tf);
    let listing = run(&["extract", path_str(&main_tf), "--all"]);
    assert_eq!(listing.status.code(), Some(0), "{}", stderr(&listing));
    let all: Value = serde_json::from_str(&stdout(&listing)).unwrap_or_else(|e| panic!("{e}"));
    let (address, definition) = all
        .as_object()
        .and_then(|machines| machines.iter().next())
        .unwrap_or_else(|| panic!("no machine in {all}"));
    let mut definition = definition.clone();
    definition["Comment"] = json!("edited");
    let definition_path = dir.join("edited.asl.json");
    write_json(&definition_path, &definition);
    let output = embed(&definition_path, &main_tf, &["--name", address]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        read(&main_tf),
        tf_before,
        "the .tf file itself must not change"
    );
    assert!(
        stdout(&output).contains("orders.asl.json"),
        "{}",
        stdout(&output)
    );
    assert_eq!(extract(&main_tf, address), definition);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn terraform_forms_that_cannot_be_written_back_are_refused_and_checked_as_errors() {
    let dir = terraform_fixture("conditional");
    let main_tf = dir.join("main.tf");
    let before = read(&main_tf);
    let check = run(&["check", path_str(&main_tf)]);
    assert_eq!(check.status.code(), Some(1), "{}", stdout(&check));
    assert!(
        stdout(&check).contains("error[TERRAFORM]"),
        "{}",
        stdout(&check)
    );
    let definition_path = dir.join("a.asl.json");
    write_json(
        &definition_path,
        &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}),
    );
    let listing = embed(&definition_path, &main_tf, &[]);
    // Several machines or one that cannot be written: either way exit 2 and nothing written.
    assert_eq!(listing.status.code(), Some(2), "{}", stderr(&listing));
    assert_eq!(read(&main_tf), before);
    let empty = dir.join("empty.tf");
    std::fs::write(&empty, "# no machines here\n").unwrap_or_else(|e| panic!("{e}"));
    let output = embed(&definition_path, &empty, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("aws_sfn_state_machine"),
        "{}",
        stderr(&output)
    );
    assert_eq!(read(&empty), "# no machines here\n");
    let _ = std::fs::remove_dir_all(&dir);
}
