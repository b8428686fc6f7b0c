//! `asl-studio check` on templates whose `${...}` placeholders and `DefinitionSubstitutions` are out
//! of step: warnings naming the machine, the placeholder and a line:col, and the exit code of a
//! clean check (warnings are not errors).

mod common;

use common::{corpus_template as corpus, path_str, run, stdout};

const VIDEO_TRANSCRIPTION: &str =
    "stepfunctions-examples/sam__demo-video-transcription__template.yml";

#[test]
fn check_warns_about_an_unused_substitution_in_a_corpus_template() {
    let template = corpus(VIDEO_TRANSCRIPTION);
    let output = run(&["check", path_str(&template)]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains(
            ":63:11: warning[UNUSED_SUBSTITUTION] StateMachineProcessVideoFile: \
             DefinitionSubstitutions entry `ApplicationRoleArn`"
        ),
        "{text}"
    );
    assert!(!text.contains("PLACEHOLDER_WITHOUT_VALUE"), "{text}");
}

#[test]
fn check_warns_about_a_placeholder_without_a_value() {
    let dir = std::env::temp_dir().join(format!("asl-studio-placeholders-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| panic!("{error}"));
    let template = dir.join("template.yaml");
    // The corpus template with the entry its `${S3BucketName}` needs taken out.
    let text = std::fs::read_to_string(corpus(VIDEO_TRANSCRIPTION))
        .unwrap_or_else(|error| panic!("{error}"))
        .replace("          S3BucketName: !Ref DataBucket\n", "");
    std::fs::write(&template, text).unwrap_or_else(|error| panic!("{error}"));
    let output = run(&["check", "--format", "json", path_str(&template)]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let findings: serde_json::Value =
        serde_json::from_str(&stdout(&output)).unwrap_or_else(|error| panic!("{error}"));
    let missing: Vec<&serde_json::Value> = findings
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == "PLACEHOLDER_WITHOUT_VALUE")
        .collect();
    assert_eq!(missing.len(), 1, "{findings:#}");
    let finding = missing[0];
    assert_eq!(finding["severity"], "warning");
    assert_eq!(finding["machine"], "StateMachineProcessVideoFile");
    assert_eq!(
        finding["pointer"],
        "/States/GetSampleVideo/Parameters/Bucket"
    );
    // `Bucket: "${S3BucketName}"` under GetSampleVideo's Parameters.
    assert_eq!(
        (&finding["line"], &finding["column"]),
        (&71.into(), &15.into())
    );
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("${S3BucketName}")),
        "{finding}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
