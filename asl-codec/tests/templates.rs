//! Templates end to end: SAM `DefinitionUri` files next to the template, YAML short tags in an
//! inline definition, and diagnostics placed on the template's lines.

use asl_codec::check::check_loaded;
use asl_codec::template::DefinitionOrigin;
use asl_codec::{Format, LineCol, Loaded, load_path, load_text};

const SAM_YAML: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  FromFile:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/flow.asl.yaml
      DefinitionSubstitutions:
        WorkerArn: !GetAtt Worker.Arn
  Inline:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: !GetAtt Worker.Arn
            Next: Nowhere
";

#[test]
fn definition_uri_is_read_relative_to_the_template() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("asl-codec-sam-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("statemachine"))?;
    std::fs::write(dir.join("template.yaml"), SAM_YAML)?;
    std::fs::write(
        dir.join("statemachine/flow.asl.yaml"),
        "StartAt: Work\nStates:\n  Work:\n    Type: Task\n    Resource: ${WorkerArn}\n    End: true\n",
    )?;
    let loaded = load_path(&dir.join("template.yaml"));
    let _ = std::fs::remove_dir_all(&dir);
    let Loaded::Template { machines, .. } = loaded? else {
        return Err("not read as a template".into());
    };
    assert_eq!(machines.len(), 2);
    let from_file = &machines[0];
    assert_eq!(from_file.logical_id, "FromFile");
    assert!(matches!(from_file.origin, DefinitionOrigin::Uri(_)));
    assert_eq!(from_file.placeholders[0].name, "WorkerArn");
    assert_eq!(
        from_file.placeholders[0].pointers,
        ["/States/Work/Resource"]
    );
    assert_eq!(
        from_file.placeholders[0].value,
        Some(serde_json::json!({"Fn::GetAtt": ["Worker", "Arn"]}))
    );
    assert_eq!(
        machines[1].definition["States"]["Call"]["Resource"],
        "${Worker.Arn}"
    );
    Ok(())
}

#[test]
fn diagnostics_in_an_inline_yaml_definition_point_at_template_lines()
-> Result<(), Box<dyn std::error::Error>> {
    let inline_only = SAM_YAML.replace(
        "  FromFile:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: statemachine/flow.asl.yaml\n      DefinitionSubstitutions:\n        WorkerArn: !GetAtt Worker.Arn\n",
        "",
    );
    let loaded = load_text(inline_only, Format::Yaml, None)?;
    let findings = check_loaded(&loaded);
    let missing = findings
        .iter()
        .find(|f| f.diagnostic.pointer == "/States/Call/Next")
        .ok_or_else(|| format!("no finding on Next: {findings:?}"))?;
    assert_eq!(missing.machine.as_deref(), Some("Inline"));
    assert_eq!(
        missing.location,
        LineCol {
            line: 13,
            column: 13
        }
    );
    assert!(missing.exact);
    Ok(())
}

#[test]
fn diagnostics_in_a_json_template_point_at_the_definition() -> Result<(), Box<dyn std::error::Error>>
{
    let text = r#"{
  "Resources": {
    "M": {
      "Type": "AWS::StepFunctions::StateMachine",
      "Properties": {
        "Definition": {
          "StartAt": "A",
          "States": {
            "A": {"Type": "Pass", "Next": "Gone"}
          }
        }
      }
    }
  }
}"#;
    let findings = check_loaded(&load_text(text, Format::Json, None)?);
    let missing = findings
        .iter()
        .find(|f| f.diagnostic.pointer == "/States/A/Next")
        .ok_or_else(|| format!("no finding on Next: {findings:?}"))?;
    assert_eq!(
        missing.location,
        LineCol {
            line: 9,
            column: 35
        }
    );
    Ok(())
}
