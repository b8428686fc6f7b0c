//! Shared helpers for the cross-crate tests: where the bundled corpus, conformance cases and
//! benchmark inputs live inside the project, so that a fresh clone needs nothing from outside.

use std::path::{Path, PathBuf};

/// The folder holding the bundled test data (`corpus/`, `conformance/`, `bench/`).
#[must_use]
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// Every file under `data/<sub>` whose name ends with one of `suffixes`, sorted for stable output.
#[must_use]
pub fn files_under(sub: &str, suffixes: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![data_dir().join(sub)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| suffixes.iter().any(|s| n.ends_with(s)))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}
