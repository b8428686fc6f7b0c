//! Exported stacks pass the real tools: SAM templates transform with aws-sam-translator and
//! the result passes cfn-lint, CloudFormation templates pass cfn-lint, Terraform modules parse
//! with python-hcl2 and deploy exactly the exported definition. Run over the bundled sample and
//! the real corpus (every definition with a Parallel or Map, plus enough others to cover every
//! kind of Task integration in the corpus). The tools come from the validators venv
//! (`bash scripts/setup-validators.sh`); without it these tests fail.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use asl_codec::deploy::{ExportOptions, MachineType, Target, export};
use asl_codec::{Format, SourceFile, format_canonical};
use serde_json::{Value, json};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn validators_python() -> PathBuf {
    if let Some(path) = std::env::var_os("ASL_STUDIO_VALIDATORS_PYTHON") {
        return PathBuf::from(path);
    }
    let path = workspace_root().join(".venv-validators/bin/python");
    assert!(
        path.exists(),
        "{} is missing: run `bash scripts/setup-validators.sh` (or set ASL_STUDIO_VALIDATORS_PYTHON)",
        path.display()
    );
    path
}

struct Case {
    label: String,
    definition: Value,
    /// Exported to every target; else to one, chosen by its position (keeps the test short).
    all_targets: bool,
}

fn load(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    let format = Format::from_path(path).unwrap_or_else(|| Format::sniff(&text));
    let source = SourceFile::parse(text, format).ok()?;
    let value = source.value().clone();
    value
        .get("States")
        .is_some_and(Value::is_object)
        .then_some(value)
}

/// Every Task resource kind in a definition: `service:action` of integrations (pattern
/// suffix dropped), `lambda-arn`, `activity`, or `other`, plus the Map modes and S3 readers.
fn kinds(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if map.get("Type").and_then(Value::as_str) == Some("Task")
                && let Some(resource) = map.get("Resource").and_then(Value::as_str)
            {
                out.insert(kind_of(resource));
            }
            if let Some(mode) = map.get("Mode").and_then(Value::as_str) {
                out.insert(format!("map:{mode}"));
            }
            for key in ["ItemReader", "ResultWriter"] {
                if let Some(resource) = map
                    .get(key)
                    .and_then(|r| r.get("Resource"))
                    .and_then(Value::as_str)
                {
                    out.insert(format!("{key}:{}", kind_of(resource)));
                }
            }
            for item in map.values() {
                kinds(item, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| kinds(item, out)),
        _ => {}
    }
}

fn kind_of(resource: &str) -> String {
    let parts: Vec<&str> = resource.split(':').collect();
    if resource.contains(":states:::")
        || (parts.len() > 6 && parts.get(2) == Some(&"states") && parts[5] != "activity")
    {
        let tail = resource.rsplit(":::").next().unwrap_or(resource);
        let tail = tail.split(".sync").next().unwrap_or(tail);
        let tail = tail.trim_end_matches(".waitForTaskToken");
        if let Some(sdk) = tail.strip_prefix("aws-sdk:") {
            return format!("aws-sdk:{}", sdk.split(':').next().unwrap_or(sdk));
        }
        return tail.to_owned();
    }
    if resource.contains(":lambda:") {
        return "lambda-arn".to_owned();
    }
    if resource.contains(":activity:") {
        return "activity".to_owned();
    }
    "other".to_owned()
}

fn uses_parallel_or_map(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            matches!(
                map.get("Type").and_then(Value::as_str),
                Some("Parallel" | "Map")
            ) || map.values().any(uses_parallel_or_map)
        }
        Value::Array(items) => items.iter().any(uses_parallel_or_map),
        _ => false,
    }
}

fn corpus_files() -> Vec<PathBuf> {
    asl_studio_tests::files_under("corpus/real", &[""])
        .into_iter()
        .filter(|path| Format::from_path(path).is_some())
        .collect()
}

/// The corpus selection: every definition with a Parallel or Map, then, greedily, a
/// definition for each integration kind not yet covered, topped up to at least 20 others.
fn corpus_cases() -> (Vec<Case>, BTreeSet<String>) {
    let root = workspace_root();
    let loaded: Vec<(String, Value, BTreeSet<String>)> = corpus_files()
        .into_iter()
        .filter_map(|path| {
            let definition = load(&path)?;
            let mut found = BTreeSet::new();
            kinds(&definition, &mut found);
            let label = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string();
            Some((label, definition, found))
        })
        .collect();
    let mut covered = BTreeSet::new();
    let mut chosen = Vec::new();
    let mut others = 0;
    for (label, definition, found) in &loaded {
        let new_kind = found.iter().any(|k| !covered.contains(k));
        let all_targets = new_kind || others < 20;
        if uses_parallel_or_map(definition) || all_targets {
            if all_targets {
                others += 1;
            }
            covered.extend(found.iter().cloned());
            chosen.push(Case {
                label: label.clone(),
                definition: definition.clone(),
                all_targets,
            });
        }
    }
    let mut all_kinds = BTreeSet::new();
    for (_, _, found) in &loaded {
        all_kinds.extend(found.iter().cloned());
    }
    assert_eq!(
        covered, all_kinds,
        "the selection covers every integration kind"
    );
    (chosen, all_kinds)
}

/// Options that vary with the case, so triggers, logging, tracing and Express all get checked.
fn options(target: Target, index: usize, name: &str) -> ExportOptions {
    ExportOptions {
        target,
        name: name.to_owned(),
        machine_type: if index % 3 == 1 {
            MachineType::Express
        } else {
            MachineType::Standard
        },
        schedule: match index % 4 {
            1 => Some("rate(5 minutes)".to_owned()),
            2 => Some("cron(0 12 ? * MON-FRI *)".to_owned()),
            _ => None,
        },
        event_pattern: (index % 2 == 1)
            .then(|| json!({"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": {"bucket": {"name": ["uploads"]}}})),
        logging: index.is_multiple_of(2),
        tracing: index.is_multiple_of(3),
    }
}

/// Exports each case to every target under a fresh folder and runs the checker once.
fn check(cases: &[Case], folder: &str) -> String {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join(folder);
    let _ = std::fs::remove_dir_all(&base);
    let mut manifest = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let name = format!("Machine{index}");
        let asl = base.join(format!("{name}.original.json"));
        std::fs::create_dir_all(&base).expect("the test's temporary folder");
        std::fs::write(&asl, format_canonical(&case.definition, Format::Json))
            .expect("the original definition is written");
        let targets = [
            (Target::Sam, "sam"),
            (Target::CloudFormation, "cloudformation"),
            (Target::Terraform, "terraform"),
        ];
        for (position, (target, kind)) in targets.into_iter().enumerate() {
            if !case.all_targets && position != index % 3 {
                continue;
            }
            let exported = match export(&case.definition, &options(target, index, &name)) {
                Ok(exported) => exported,
                Err(error) => panic!("{}: export to {kind} failed: {error}", case.label),
            };
            let dir = base.join(format!("{index}-{kind}"));
            std::fs::create_dir_all(&dir).expect("the export folder");
            for file in &exported.files {
                std::fs::write(dir.join(&file.name), &file.contents).expect("the exported file");
            }
            manifest.push(
                json!({"kind": kind, "dir": dir, "name": name, "asl": asl, "case": case.label}),
            );
        }
    }
    let manifest_path = base.join("manifest.json");
    std::fs::write(&manifest_path, Value::Array(manifest).to_string()).expect("the manifest");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validators/check_exports.py");
    let output = Command::new(validators_python())
        .arg(&script)
        .arg(&manifest_path)
        .output()
        .expect("the validators' python runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exports under {} fail the real tools:\n{stdout}\n{stderr}",
        base.display()
    );
    stdout
}

#[test]
fn sample_exports_pass_sam_translator_cfn_lint_and_hcl2() {
    let sample = workspace_root().join("app/assets/sample.asl.json");
    let definition = load(&sample).expect("the bundled sample loads");
    let cases: Vec<Case> = (0..4)
        .map(|_| Case {
            label: "app/assets/sample.asl.json".to_owned(),
            definition: definition.clone(),
            all_targets: true,
        })
        .collect();
    let report = check(&cases, "deploy-sample");
    assert!(
        report.contains("checked 12 exports, 8 templates"),
        "{report}"
    );
}

#[test]
fn corpus_exports_pass_sam_translator_cfn_lint_and_hcl2() {
    let (cases, kinds) = corpus_cases();
    let with_parallel_or_map = cases
        .iter()
        .filter(|c| uses_parallel_or_map(&c.definition))
        .count();
    assert!(
        with_parallel_or_map >= 100,
        "{with_parallel_or_map} with Parallel or Map"
    );
    assert!(kinds.len() > 20, "{kinds:?}");
    let full = cases.iter().filter(|c| c.all_targets).count();
    assert!(full >= 20, "{full} definitions exported to every target");
    let report = check(&cases, "deploy-corpus");
    let exports = full * 3 + (cases.len() - full);
    assert!(
        report.contains(&format!("checked {exports} exports")),
        "{report}"
    );
}
