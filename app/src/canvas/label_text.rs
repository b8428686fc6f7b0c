//! The text of edge labels: a Choice rule's condition in short form (`$.x == "a"`), a catcher's
//! error names. Pure functions of the model; where labels go is in `geometry`, drawing them in
//! `labels`.

use graph_model::{ChoiceRule, ComparisonOperator, Condition};
use serde_json::Value;

/// Longest label text kept, in characters (the tooltip of a pathological condition is not a
/// wall of text); the canvas cuts labels much shorter, by width.
pub(crate) const MAX_LABEL_CHARS: usize = 160;

/// A readable form of a Choice rule's condition (cut with an ellipsis only when very long).
#[must_use]
pub fn rule_label(rule: &ChoiceRule) -> String {
    elide(&condition_text(&rule.condition, 0))
}

/// The error names of a catcher, comma separated (`States.ALL`).
#[must_use]
pub fn catch_label(errors: Option<&Vec<String>>) -> String {
    match errors {
        Some(list) if !list.is_empty() => elide(&list.join(", ")),
        _ => "catch".to_owned(),
    }
}

/// Cuts a label text to [`MAX_LABEL_CHARS`] characters.
fn elide(text: &str) -> String {
    if text.chars().count() <= MAX_LABEL_CHARS {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(MAX_LABEL_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

fn condition_text(condition: &Condition, depth: usize) -> String {
    // Deeply nested rules become "…" rather than walls of text.
    if depth > 2 {
        return "…".to_owned();
    }
    match condition {
        Condition::Comparison {
            variable,
            operator,
            operand,
        } => comparison_text(variable.as_deref().unwrap_or("?"), *operator, operand),
        Condition::And(rules) => join(rules, " && ", depth),
        Condition::Or(rules) => join(rules, " || ", depth),
        Condition::Not(rule) => format!("!({})", condition_text(&rule.condition, depth + 1)),
        Condition::Jsonata(text) => {
            let inner = text.trim();
            let inner = inner
                .strip_prefix("{%")
                .and_then(|t| t.strip_suffix("%}"))
                .unwrap_or(inner);
            inner.trim().to_owned()
        }
        Condition::Malformed => "(invalid rule)".to_owned(),
    }
}

fn join(rules: &[ChoiceRule], separator: &str, depth: usize) -> String {
    let parts: Vec<String> = rules
        .iter()
        .map(|r| {
            let text = condition_text(&r.condition, depth + 1);
            if matches!(r.condition, Condition::And(_) | Condition::Or(_)) {
                format!("({text})")
            } else {
                text
            }
        })
        .collect();
    parts.join(separator)
}

fn comparison_text(variable: &str, operator: ComparisonOperator, operand: &Value) -> String {
    use ComparisonOperator as C;
    let symbol = match operator {
        C::StringEquals
        | C::StringEqualsPath
        | C::NumericEquals
        | C::NumericEqualsPath
        | C::BooleanEquals
        | C::BooleanEqualsPath
        | C::TimestampEquals
        | C::TimestampEqualsPath => "==",
        C::StringLessThan
        | C::StringLessThanPath
        | C::NumericLessThan
        | C::NumericLessThanPath
        | C::TimestampLessThan
        | C::TimestampLessThanPath => "<",
        C::StringGreaterThan
        | C::StringGreaterThanPath
        | C::NumericGreaterThan
        | C::NumericGreaterThanPath
        | C::TimestampGreaterThan
        | C::TimestampGreaterThanPath => ">",
        C::StringLessThanEquals
        | C::StringLessThanEqualsPath
        | C::NumericLessThanEquals
        | C::NumericLessThanEqualsPath
        | C::TimestampLessThanEquals
        | C::TimestampLessThanEqualsPath => "<=",
        C::StringGreaterThanEquals
        | C::StringGreaterThanEqualsPath
        | C::NumericGreaterThanEquals
        | C::NumericGreaterThanEqualsPath
        | C::TimestampGreaterThanEquals
        | C::TimestampGreaterThanEqualsPath => ">=",
        C::StringMatches => "matches",
        C::IsNull | C::IsPresent | C::IsNumeric | C::IsString | C::IsBoolean | C::IsTimestamp => {
            let what = match operator {
                C::IsNull => "null",
                C::IsPresent => "present",
                C::IsNumeric => "numeric",
                C::IsString => "string",
                C::IsBoolean => "boolean",
                _ => "timestamp",
            };
            let negated = matches!(operand, Value::Bool(false));
            return format!(
                "{variable} {} {what}",
                if negated { "is not" } else { "is" }
            );
        }
    };
    let operand_text = match operand {
        // Path operands are shown bare; literals as JSON (strings quoted).
        Value::String(s) if operator.takes_path() => s.clone(),
        other => other.to_string(),
    };
    format!("{variable} {symbol} {operand_text}")
}
