//! Parse and validate in one process: the files are read into memory first, then the clock covers
//! parsing (`asl_codec::SourceFile::parse`) and validation (duplicate keys, the document model,
//! `graph_model::validate`) of every file, as `asl_codec::check::first_error` does them, repeated
//! until at least [`MIN_MEASURE_MS`] have passed.

use std::path::{Path, PathBuf};
use std::time::Instant;

use asl_codec::Format;
use serde_json::{Value, json};

/// Repeat the whole pass until this much time has been measured (short passes are noisy).
const MIN_MEASURE_MS: f64 = 300.0;

fn format_of(path: &Path, text: &str) -> Format {
    Format::from_path(path).unwrap_or_else(|| Format::sniff(text))
}

/// Measures one parse+validate pass over `files`; returns the time per pass and the rejected files.
pub fn measure(files: &[PathBuf]) -> anyhow::Result<Value> {
    let mut inputs = Vec::with_capacity(files.len());
    for path in files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let format = format_of(path, &text);
        inputs.push((path, text, format));
    }
    let mut passes = 0_u32;
    let mut rejected = Vec::new();
    let start = Instant::now();
    loop {
        rejected.clear();
        for (path, text, format) in &inputs {
            // The clone is part of the work: SourceFile owns its text, as it does in the app.
            if let Some(reason) = asl_codec::check::first_error(text.as_str(), *format) {
                rejected.push((path.display().to_string(), reason));
            }
        }
        passes += 1;
        if start.elapsed().as_secs_f64() * 1e3 >= MIN_MEASURE_MS {
            break;
        }
    }
    let ms = start.elapsed().as_secs_f64() * 1e3 / f64::from(passes);
    Ok(json!({
        "ms": ms,
        "passes": passes,
        "files": files.len(),
        "rejected": rejected.iter().map(|(path, reason)| json!({"path": path, "reason": reason})).collect::<Vec<_>>(),
    }))
}
