//! `asl-studio.toml`: an optional file next to a definition that turns warning rules off.
//!
//! ```toml
//! [lint]
//! disable = ["LAMBDA_RETRY", "VARIABLE_NEVER_READ"]
//! ```
//!
//! Only this small subset of TOML is read, by hand (a TOML crate would add a parser and serde
//! glue for one list of strings): `#` comments, `[section]` headers, and `key = value` where the
//! value is a basic or literal string or an array of them, possibly over several lines. Other
//! sections are ignored (left for later settings); anything else in `[lint]` is an error with its
//! line, and so is a code that is not a warning rule, since a misspelt one would disable nothing.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::check::Finding;
use graph_model::{Diagnostic, Severity};

/// The file name looked for next to a definition.
pub const CONFIG_FILE_NAME: &str = "asl-studio.toml";

/// The warning codes `disable` accepts: AWS's three, the template ones, and the lint rules.
pub fn known_warning_codes() -> impl Iterator<Item = &'static str> {
    [
        "NO_DOLLAR",
        "NO_PATH",
        "PASS_RESULT_IS_STATIC",
        "PLACEHOLDER_WITHOUT_VALUE",
        "UNUSED_SUBSTITUTION",
    ]
    .into_iter()
    .chain(graph_model::LINT_CODES)
}

/// The lint settings: which warning codes are turned off.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LintConfig {
    /// Codes whose warnings are dropped.
    pub disabled: BTreeSet<String>,
    /// The file they came from, if any.
    pub path: Option<PathBuf>,
}

/// Why an `asl-studio.toml` cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line of the problem (0 when the file could not be read).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

impl LintConfig {
    /// The `asl-studio.toml` in `dir`, or the default (nothing disabled) when there is none.
    ///
    /// # Errors
    /// When the file exists but cannot be read or is not valid.
    pub fn for_dir(dir: &Path) -> Result<Self, ConfigError> {
        let path = dir.join(CONFIG_FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(error) => {
                return Err(ConfigError {
                    path,
                    line: 0,
                    message: format!("cannot be read: {error}"),
                });
            }
        };
        Self::parse(&text)
            .map_err(|(line, message)| ConfigError {
                path: path.clone(),
                line,
                message,
            })
            .map(|config| Self {
                path: Some(path),
                ..config
            })
    }

    /// The `asl-studio.toml` next to the definition file `file`.
    ///
    /// # Errors
    /// As [`LintConfig::for_dir`].
    pub fn for_file(file: &Path) -> Result<Self, ConfigError> {
        match file.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => Self::for_dir(dir),
            _ => Self::for_dir(Path::new(".")),
        }
    }

    /// Parses the text of an `asl-studio.toml`.
    ///
    /// # Errors
    /// The 1-based line and a message.
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut config = Self::default();
        let mut section = String::new();
        let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line));
        while let Some((number, raw)) = lines.next() {
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            if let Some(header) = line.strip_prefix('[') {
                let name = header
                    .strip_suffix(']')
                    .ok_or((number, "a section header must end with `]`".to_owned()))?;
                section = name.trim().to_owned();
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .ok_or((number, format!("expected `key = value`, found `{line}`")))?;
            let key = key.trim();
            if section != "lint" {
                continue;
            }
            if key != "disable" {
                return Err((
                    number,
                    format!("unknown setting `{key}` in [lint] (only `disable` is known)"),
                ));
            }
            // An array may continue over the following lines until its `]`.
            let mut value = value.trim().to_owned();
            while value.starts_with('[') && !closes_array(&value) {
                let (_, more) = lines.next().ok_or((
                    number,
                    "the array of `disable` is never closed with `]`".to_owned(),
                ))?;
                value.push(' ');
                value.push_str(strip_comment(more).trim());
            }
            for code in parse_strings(&value).map_err(|message| (number, message))? {
                if !known_warning_codes().any(|known| known == code) {
                    let known: Vec<&str> = known_warning_codes().collect();
                    return Err((
                        number,
                        format!(
                            "`{code}` is not a warning rule that can be disabled; known: {}",
                            known.join(", ")
                        ),
                    ));
                }
                config.disabled.insert(code);
            }
        }
        Ok(config)
    }

    /// Whether a diagnostic is kept: errors always are (AWS rejects the definition whatever the
    /// settings), warnings unless their code is disabled.
    #[must_use]
    pub fn keeps(&self, diagnostic: &Diagnostic) -> bool {
        diagnostic.severity == Severity::Error || !self.disabled.contains(&diagnostic.code)
    }

    /// The findings this configuration keeps.
    #[must_use]
    pub fn filter(&self, findings: Vec<Finding>) -> Vec<Finding> {
        if self.disabled.is_empty() {
            return findings;
        }
        findings
            .into_iter()
            .filter(|finding| self.keeps(&finding.diagnostic))
            .collect()
    }
}

/// The line without a `#` comment (a `#` inside a string stays).
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    for (index, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), c) if c == open => quote = None,
            (None, '#') => return &line[..index],
            _ => {}
        }
    }
    line
}

/// Whether an array's text has its closing `]` (outside strings).
fn closes_array(text: &str) -> bool {
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), c) if c == open => quote = None,
            (None, ']') => return true,
            _ => {}
        }
    }
    false
}

/// A string, or an array of strings (trailing comma allowed), as TOML writes them. Basic strings
/// may not hold escapes here: rule codes never need one.
fn parse_strings(value: &str) -> Result<Vec<String>, String> {
    let value = value.trim();
    let inner = match value.strip_prefix('[') {
        Some(rest) => rest
            .trim_end()
            .strip_suffix(']')
            .ok_or_else(|| format!("unexpected text after the array: `{value}`"))?,
        None => return Ok(vec![parse_string(value)?]),
    };
    let mut out = Vec::new();
    for item in inner.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        out.push(parse_string(item)?);
    }
    Ok(out)
}

fn parse_string(text: &str) -> Result<String, String> {
    for quote in ['"', '\''] {
        if let Some(body) = text
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
            && !body.contains(quote)
            && !body.contains('\\')
        {
            return Ok(body.to_owned());
        }
    }
    Err(format!(
        "expected a quoted rule code such as \"LAMBDA_RETRY\", found `{text}`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disable_lists_on_one_or_several_lines_with_comments() {
        let config = LintConfig::parse(
            "# settings\n[other]\nx = 1\n[lint]\ndisable = [\n  \"LAMBDA_RETRY\", # noisy\n  'VARIABLE_NEVER_READ',\n]\n",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            config
                .disabled
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            ["LAMBDA_RETRY", "VARIABLE_NEVER_READ"]
        );
        assert_eq!(LintConfig::parse(""), Ok(LintConfig::default()));
    }

    #[test]
    fn unknown_codes_and_settings_are_errors_with_their_line() {
        let error = LintConfig::parse("[lint]\ndisable = [\"LAMBDA_RETRIES\"]\n")
            .err()
            .unwrap_or_default();
        assert_eq!(error.0, 2);
        assert!(error.1.contains("LAMBDA_RETRIES"), "{}", error.1);
        let error = LintConfig::parse("[lint]\n\ndisabled = []\n")
            .err()
            .unwrap_or_default();
        assert_eq!(error.0, 3);
        assert!(LintConfig::parse("[lint]\ndisable = [\"A\"").is_err());
        assert!(LintConfig::parse("[lint]\ndisable = LAMBDA_RETRY\n").is_err());
    }

    #[test]
    fn errors_are_kept_whatever_is_disabled() {
        let config = LintConfig::parse("[lint]\ndisable = [\"LAMBDA_RETRY\"]")
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(!config.keeps(&Diagnostic::warning("LAMBDA_RETRY", "", "w")));
        assert!(config.keeps(&Diagnostic::warning("NO_DOLLAR", "", "w")));
        assert!(config.keeps(&Diagnostic::error("LAMBDA_RETRY", "", "e")));
    }
}
