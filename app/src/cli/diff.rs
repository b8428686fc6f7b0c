//! `asl-studio diff`: what changed between two versions of a definition, by meaning (see
//! `graph_model::compare`): as text for a terminal or a git diff driver, as JSON for tools, or as
//! an SVG of NEW with the changes marked.

use std::path::PathBuf;
use std::process::ExitCode;

use asl_studio::render::{Marks, RenderOptions, Scene, diff_marks};
use graph_model::Transition;
use graph_model::compare::{Change, Comparison, compare};
use serde_json::{Value, json};

use super::render::{PictureFormat, emit, load_machine, picture_bytes};
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, err_line, escape_control};

/// Arguments of `asl-studio diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old version (ASL JSON or YAML, or a template; `-` reads standard input).
    pub old: PathBuf,
    /// The new version.
    pub new: PathBuf,
    /// What to write: a list for people, JSON for tools, or a picture of NEW with the changes marked.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
    /// Write here instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The state machine to compare when a template holds several (its logical id, on both sides).
    #[arg(long, value_name = "MACHINE")]
    pub name: Option<String>,
    /// The palette of the SVG.
    #[arg(long, value_enum, default_value = "light")]
    pub theme: super::render::ThemeName,
}

/// An output format of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// One line per change.
    Text,
    /// `{"equal": bool, "changes": [...]}`.
    Json,
    /// NEW drawn with added, changed and renamed states and new or rewired transitions marked.
    Svg,
}

/// Longest value shown in the text format before it is cut (the JSON format has them whole).
const MAX_TEXT_VALUE: usize = 120;

fn short(value: Option<&Value>) -> String {
    let text = value.map_or_else(|| "(none)".to_owned(), Value::to_string);
    if text.chars().count() <= MAX_TEXT_VALUE {
        text
    } else {
        let mut cut: String = text.chars().take(MAX_TEXT_VALUE - 1).collect();
        cut.push('…');
        cut
    }
}

fn quoted(name: Option<&String>) -> String {
    name.map_or_else(
        || "(none)".to_owned(),
        |n| Value::String(n.clone()).to_string(),
    )
}

/// The changes as lines: `renamed`, `added`, `removed`, `changed`, `rewired`, each with its
/// pointer. Names go through JSON string quoting, so no name can forge a line.
#[must_use]
pub fn text_report(comparison: &Comparison) -> String {
    let mut out = String::new();
    for change in &comparison.changes {
        let line = match change {
            Change::Added { state } => format!("added    {}", state.pointer),
            Change::Removed { state } => format!("removed  {}", state.pointer),
            Change::Renamed { old, new } => {
                format!("renamed  {} -> {}", old.pointer, new.pointer)
            }
            Change::Field {
                pointer, old, new, ..
            } => format!(
                "changed  {pointer}: {} -> {}",
                short(old.as_ref()),
                short(new.as_ref())
            ),
            Change::Rewired {
                pointer, old, new, ..
            } => format!(
                "rewired  {pointer}: {} -> {}",
                quoted(old.as_ref()),
                quoted(new.as_ref())
            ),
        };
        out.push_str(&escape_control(&line));
        out.push('\n');
    }
    out
}

fn transition_json(transition: Transition) -> Value {
    match transition {
        Transition::Next => json!("Next"),
        Transition::Default => json!("Default"),
        Transition::ChoiceRule(i) => json!({"ChoiceRule": i}),
        Transition::Catch(i) => json!({"Catch": i}),
    }
}

/// The changes as one JSON document.
#[must_use]
pub fn json_report(comparison: &Comparison) -> Value {
    let changes: Vec<Value> = comparison
        .changes
        .iter()
        .map(|change| match change {
            Change::Added { state } => {
                json!({"kind": "added", "state": state.name, "pointer": state.pointer})
            }
            Change::Removed { state } => {
                json!({"kind": "removed", "state": state.name, "pointer": state.pointer})
            }
            Change::Renamed { old, new } => json!({
                "kind": "renamed", "old": old.name, "new": new.name,
                "old_pointer": old.pointer, "pointer": new.pointer
            }),
            Change::Field {
                state,
                pointer,
                old,
                new,
            } => json!({
                "kind": "changed", "state": state.as_ref().map(|s| s.name.clone()),
                "pointer": pointer, "old": old, "new": new
            }),
            Change::Rewired {
                state,
                transition,
                pointer,
                old,
                new,
            } => json!({
                "kind": "rewired", "state": state.name, "transition": transition_json(*transition),
                "pointer": pointer, "old": old, "new": new
            }),
        })
        .collect();
    json!({"equal": comparison.is_equal(), "changes": changes})
}

fn diff(args: &DiffArgs) -> Result<bool, String> {
    if let Some(output) = &args.output {
        super::refuse_output_among_inputs("-o", output, &[args.old.as_path(), args.new.as_path()])?;
    }
    if super::is_stdin(&args.old) && super::is_stdin(&args.new) {
        return Err("OLD and NEW cannot both be standard input".to_owned());
    }
    let old = load_machine(&args.old, args.name.as_deref())?;
    let new = load_machine(&args.new, args.name.as_deref())?;
    let comparison = compare(&old, &new);
    let bytes = match args.format {
        DiffFormat::Text => text_report(&comparison).into_bytes(),
        DiffFormat::Json => {
            let mut text = serde_json::to_string_pretty(&json_report(&comparison))
                .map_err(|error| error.to_string())?;
            text.push('\n');
            text.into_bytes()
        }
        DiffFormat::Svg => {
            let marks = Marks {
                run: None,
                diff: Some(diff_marks(&comparison, &new)),
            };
            let options = RenderOptions {
                dark: args.theme == super::render::ThemeName::Dark,
                scale: 1.0,
            };
            picture_bytes(&Scene::new(&new), &marks, PictureFormat::Svg, &options)?
        }
    };
    emit(args.output.as_deref(), &bytes)?;
    Ok(comparison.is_equal())
}

/// Runs `asl-studio diff`: 0 when OLD and NEW are the same machine, 1 when they differ, 2 when
/// either cannot be read (as `diff` does).
pub fn diff_command(args: &DiffArgs) -> ExitCode {
    match diff(args) {
        Ok(true) => ExitCode::from(EXIT_OK),
        Ok(false) => ExitCode::from(EXIT_FINDINGS),
        Err(message) => {
            err_line(&message);
            ExitCode::from(EXIT_UNREADABLE)
        }
    }
}
