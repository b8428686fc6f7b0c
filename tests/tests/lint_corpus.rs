//! How many real corpus files (307 definitions, 32 templates) each warning fires on: the table
//! in the README's warnings section. A rule that starts firing on more real files is either a
//! new false positive or a README to update; this test says which counts moved.

use std::collections::BTreeMap;

use asl_codec::check::check_loaded;
use asl_codec::load_path;
use asl_studio_tests::files_under;
use graph_model::Severity;

/// Files each warning code fires on (the README's table). Rules absent here fire on none.
const EXPECTED: [(&str, usize); 8] = [
    ("LAMBDA_RETRY", 75),
    ("DISTRIBUTED_MAP_TOLERANCE", 24),
    ("TASK_TOKEN_TIMEOUT", 22),
    ("VARIABLE_NEVER_READ", 8),
    ("DISTRIBUTED_MAP_CONCURRENCY", 6),
    ("SCHEMA_VALIDATION_FAILED", 2),
    ("UNUSED_SUBSTITUTION", 1),
    ("NO_DOLLAR", 1),
];

#[test]
fn each_warning_fires_on_the_documented_number_of_real_corpus_files() {
    let mut files = files_under("corpus/real", &[".asl.json", ".asl.yaml", ".asl.yml"]);
    files.extend(files_under("corpus/templates", &[".json", ".yaml", ".yml"]));
    assert_eq!(files.len(), 339, "307 real definitions and 32 templates");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for path in &files {
        let loaded = load_path(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let mut codes: Vec<String> = check_loaded(&loaded)
            .into_iter()
            .filter(|finding| finding.diagnostic.severity == Severity::Warning)
            .map(|finding| finding.diagnostic.code)
            .collect();
        codes.sort();
        codes.dedup();
        for code in codes {
            *counts.entry(code).or_default() += 1;
        }
    }
    let expected: BTreeMap<String, usize> = EXPECTED
        .iter()
        .map(|(code, count)| ((*code).to_owned(), *count))
        .collect();
    assert_eq!(counts, expected, "files per warning code");
    // The rules that fire on no real file still exist: each has its own firing test in
    // graph-model/tests/lint.rs.
    for code in graph_model::LINT_CODES {
        assert!(
            counts.contains_key(code)
                || [
                    "VARIABLE_READ_BEFORE_ASSIGN",
                    "STATES_FIELD_UNAVAILABLE",
                    "JSONATA_FUNCTION_ARITY"
                ]
                .contains(&code),
            "{code}"
        );
    }
}
