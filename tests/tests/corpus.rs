//! The bundled corpus (tests/data/corpus): every real definition and template imports, round
//! trips, and survives a rename with a minimal text diff; every invalid file is rejected.

use std::path::{Path, PathBuf};

use asl_codec::check::{check_loaded, has_errors};
use asl_codec::{Format, Loaded, SourceFile, load_path};
use asl_studio_tests::{data_dir, files_under};
use graph_model::{Severity, StateMachine};

const DEFINITION_SUFFIXES: [&str; 3] = [".asl.json", ".asl.yaml", ".asl.yml"];

fn relative(path: &Path) -> String {
    path.strip_prefix(data_dir())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn real_files() -> Vec<PathBuf> {
    let files = files_under("corpus/real", &DEFINITION_SUFFIXES);
    assert!(
        files.len() >= 300,
        "the corpus has 307 real definitions, found {}",
        files.len()
    );
    files
}

fn template_files() -> Vec<PathBuf> {
    let files = files_under("corpus/templates", &[".json", ".yaml", ".yml"]);
    assert_eq!(files.len(), 32, "the corpus has 32 templates");
    files
}

fn read_source(path: &Path) -> Result<SourceFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", relative(path)))?;
    let format = Format::from_path(path).unwrap_or(Format::Json);
    SourceFile::parse(text, format).map_err(|e| format!("{}:{e}", relative(path)))
}

#[test]
fn real_definitions_import_and_round_trip() {
    let mut failures = Vec::new();
    for path in real_files() {
        let name = relative(&path);
        let source = match read_source(&path) {
            Ok(source) => source,
            Err(message) => {
                failures.push(message);
                continue;
            }
        };
        if source.write_preserving(source.value()) != source.text() {
            failures.push(format!("{name}: unedited write is not byte-identical"));
        }
        match source.machine() {
            Ok(machine) => {
                if machine.to_value() != *source.value() {
                    failures.push(format!("{name}: graph-model round trip changes the value"));
                }
            }
            Err(error) => failures.push(format!("{name}: {error}")),
        }
        let canonical = source.format_canonical();
        match SourceFile::parse(canonical.as_str(), source.format()) {
            Ok(again) => {
                if again.value() != source.value() {
                    failures.push(format!("{name}: canonical layout changes the value"));
                }
                if again.format_canonical() != canonical {
                    failures.push(format!("{name}: canonical layout is not idempotent"));
                }
            }
            Err(error) => failures.push(format!("{name}: canonical text does not parse: {error}")),
        }
    }
    assert_no_failures(&failures);
}

/// Renames the first top-level state with the document model and checks that the written text
/// differs from the original only on lines that carry the new name.
#[test]
fn renaming_a_state_changes_only_the_lines_with_its_name() {
    let mut failures = Vec::new();
    let mut renamed = 0;
    for path in real_files() {
        if Format::from_path(&path) != Some(Format::Json) {
            continue;
        }
        let name = relative(&path);
        let Ok(source) = read_source(&path) else {
            continue;
        };
        let Ok(mut machine) = StateMachine::from_value(source.value()) else {
            continue;
        };
        let Some(old) = machine.state_names().next().map(str::to_owned) else {
            continue;
        };
        let new = "Renamed ✓ state";
        if !machine.rename_state(&old, new) {
            failures.push(format!("{name}: rename of `{old}` refused"));
            continue;
        }
        let edited = machine.to_value();
        let written = source.write_preserving(&edited);
        match SourceFile::parse(written.as_str(), Format::Json) {
            Ok(again) if *again.value() == edited => {}
            Ok(_) => failures.push(format!(
                "{name}: written text does not read back as the edit"
            )),
            Err(error) => failures.push(format!("{name}: written text does not parse: {error}")),
        }
        let before: Vec<&str> = source.text().split('\n').collect();
        let after: Vec<&str> = written.split('\n').collect();
        if before.len() != after.len() {
            failures.push(format!(
                "{name}: line count changed from {} to {}",
                before.len(),
                after.len()
            ));
            continue;
        }
        for (number, (was, now)) in before.iter().zip(&after).enumerate() {
            if was != now && !now.contains(new) {
                failures.push(format!(
                    "{name}:{}: changed without the new name: {now}",
                    number + 1
                ));
            }
        }
        renamed += 1;
    }
    assert!(renamed >= 200, "only {renamed} files were renamed");
    assert_no_failures(&failures);
}

#[test]
fn every_template_machine_imports() {
    let mut failures = Vec::new();
    let mut machines_seen = 0;
    for path in template_files() {
        let name = relative(&path);
        match load_path(&path) {
            Ok(Loaded::Template { source, machines }) => {
                if machines.is_empty() {
                    failures.push(format!("{name}: no state machine found"));
                }
                if source.write_preserving(source.value()) != source.text() {
                    failures.push(format!("{name}: unedited write is not byte-identical"));
                }
                for machine in &machines {
                    machines_seen += 1;
                    match StateMachine::from_value(&machine.definition) {
                        Ok(model) => {
                            if model.is_empty() {
                                failures
                                    .push(format!("{name}: {} has no states", machine.logical_id));
                            }
                            if model.to_value() != machine.definition {
                                failures.push(format!(
                                    "{name}: {} changes in the graph-model round trip",
                                    machine.logical_id
                                ));
                            }
                        }
                        Err(error) => {
                            failures.push(format!("{name}: {}: {error}", machine.logical_id))
                        }
                    }
                    let text = asl_codec::format_canonical(&machine.definition, Format::Json);
                    if SourceFile::parse(text, Format::Json)
                        .map(|s| s.value().clone())
                        .ok()
                        != Some(machine.definition.clone())
                    {
                        failures.push(format!(
                            "{name}: {} does not survive emit then parse",
                            machine.logical_id
                        ));
                    }
                }
            }
            Ok(Loaded::Asl(_)) => failures.push(format!("{name}: not recognised as a template")),
            Err(error) => failures.push(format!("{name}: {error}")),
        }
    }
    assert!(
        machines_seen >= 32,
        "only {machines_seen} machines in 32 templates"
    );
    assert_no_failures(&failures);
}

/// The invalid files that fail before any semantic check: syntax (JSON5) and text-level
/// problems (duplicate keys).
#[test]
fn syntax_level_invalid_files_are_rejected() {
    let json5 = data_dir().join("corpus/invalid/localstack/base__invalid_der.asl.json5");
    let text = std::fs::read_to_string(&json5).unwrap_or_default();
    let error = SourceFile::parse(text, Format::Json).err();
    assert!(
        error
            .as_ref()
            .is_some_and(|e| e.message.contains("trailing comma") && e.location.line == 4),
        "{error:?}"
    );
}

fn rejected(path: &Path) -> Result<bool, String> {
    match load_path(path) {
        Err(asl_codec::LoadError::Syntax(_)) => Ok(true),
        Err(error) => Err(format!("{}: {error}", relative(path))),
        Ok(loaded) => Ok(has_errors(&check_loaded(&loaded))),
    }
}

/// Invalid fixtures that the validator accepts on purpose: asl-validator's own rules about the
/// spacing inside `{% ... %}`, which AWS does not enforce (published samples use `{% expr%}`,
/// see the corpus README). The test fails if any other invalid file is accepted.
const ACCEPTED_ON_PURPOSE: [&str; 2] = [
    "corpus/invalid/asl-validator/invalid-json-surround-syntax-extra-spaces.asl.json",
    "corpus/invalid/asl-validator/invalid-jsonata-surround-syntax-no-spaces.asl.json",
];

/// Rejected means: a syntax error, or an Error diagnostic (text-level or graph_model::validate).
#[test]
fn every_invalid_file_is_rejected() {
    let files = files_under("corpus/invalid", &[".asl.json", ".asl.json5", ".asl.yaml"]);
    assert_eq!(files.len(), 93);
    let mut accepted = Vec::new();
    for path in &files {
        match rejected(path) {
            Ok(true) => {}
            Ok(false) if ACCEPTED_ON_PURPOSE.contains(&relative(path).as_str()) => {}
            Ok(false) => accepted.push(relative(path)),
            Err(message) => accepted.push(message),
        }
    }
    assert!(
        accepted.is_empty(),
        "{} accepted:\n{}",
        accepted.len(),
        accepted.join("\n")
    );
}

#[test]
fn no_error_diagnostic_on_real_files() {
    let mut failures = Vec::new();
    for path in real_files().into_iter().chain(template_files()) {
        match load_path(&path) {
            Ok(loaded) => {
                for finding in check_loaded(&loaded) {
                    if finding.diagnostic.severity == Severity::Error {
                        failures.push(format!(
                            "{}:{}: error[{}] {}",
                            relative(&path),
                            finding.location,
                            finding.diagnostic.code,
                            finding.diagnostic.message
                        ));
                    }
                }
            }
            Err(error) => failures.push(format!("{}: {error}", relative(&path))),
        }
    }
    assert!(
        failures.is_empty(),
        "{} errors:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Fails the test listing every failure, unless there is none.
#[track_caller]
fn assert_no_failures(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
