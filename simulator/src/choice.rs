//! Choice rules: compilation and JSONPath evaluation (the JSONata `Condition` is evaluated by the engine).

use graph_model::expr::jsonpath::{self, Path};
use serde_json::Value;

use crate::error::{DefinitionError, Raised};
use crate::plan::{Assign, Language};
use crate::template::{self, Scope};
use crate::timestamp;

/// A top-level choice rule: a condition and where it leads.
#[derive(Debug, Clone)]
pub(crate) struct ChoiceRule {
    pub(crate) condition: Condition,
    pub(crate) next: usize,
    pub(crate) assign: Option<Assign>,
    pub(crate) output: Option<Value>,
}

/// A boolean condition.
#[derive(Debug, Clone)]
pub(crate) enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Test {
        variable_text: String,
        variable: Path,
        op: Operator,
        operand: Operand,
    },
    /// JSONata `Condition` (expression text, or a literal boolean).
    Jsonata(Value),
}

/// The comparison family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    String,
    Numeric,
    Boolean,
    Timestamp,
}

/// The comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparison {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

/// A choice operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operator {
    Compare(Family, Comparison),
    StringMatches,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
}

/// The right-hand side of a test.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Literal(Value),
    Path { text: String, path: Path },
}

const FAMILIES: [(&str, Family); 4] = [
    ("String", Family::String),
    ("Numeric", Family::Numeric),
    ("Boolean", Family::Boolean),
    ("Timestamp", Family::Timestamp),
];

const COMPARISONS: [(&str, Comparison); 5] = [
    ("Equals", Comparison::Equals),
    ("LessThanEquals", Comparison::LessThanEquals),
    ("GreaterThanEquals", Comparison::GreaterThanEquals),
    ("LessThan", Comparison::LessThan),
    ("GreaterThan", Comparison::GreaterThan),
];

fn operator_of(key: &str) -> Option<(Operator, bool)> {
    let (base, is_path) = match key.strip_suffix("Path") {
        Some(base) => (base, true),
        None => (key, false),
    };
    let simple = match base {
        "StringMatches" => Some(Operator::StringMatches),
        "IsNull" => Some(Operator::IsNull),
        "IsPresent" => Some(Operator::IsPresent),
        "IsNumeric" => Some(Operator::IsNumeric),
        "IsString" => Some(Operator::IsString),
        "IsBoolean" => Some(Operator::IsBoolean),
        "IsTimestamp" => Some(Operator::IsTimestamp),
        _ => None,
    };
    if let Some(operator) = simple {
        return (!is_path).then_some((operator, false));
    }
    for (family_name, family) in FAMILIES {
        if let Some(rest) = base.strip_prefix(family_name) {
            for (comparison_name, comparison) in COMPARISONS {
                if rest == comparison_name {
                    if family == Family::Boolean && comparison != Comparison::Equals {
                        return None;
                    }
                    return Some((Operator::Compare(family, comparison), is_path));
                }
            }
        }
    }
    None
}

/// Compiles a top-level rule (with `Next`).
pub(crate) fn compile_top(
    rule: &Value,
    location: &str,
    language: Language,
    resolve_target: &dyn Fn(&str) -> Result<usize, DefinitionError>,
) -> Result<ChoiceRule, DefinitionError> {
    let Some(next) = crate::plan::object_member(rule, "Next").and_then(Value::as_str) else {
        return Err(DefinitionError::new(location, "a choice rule needs 'Next'"));
    };
    let next = resolve_target(next)?;
    let condition = compile_condition(rule, &|| location.to_owned(), language)?;
    let assign = match crate::plan::object_member(rule, "Assign") {
        None => None,
        Some(value) if language == Language::JsonPath => Some(Assign::JsonPath(
            template::compile(value, &|| format!("{location}/Assign"))
                .map_err(|message| DefinitionError::new(format!("{location}/Assign"), message))?,
        )),
        Some(value) => Some(Assign::Jsonata(value.clone())),
    };
    let output = if language == Language::Jsonata {
        crate::plan::object_member(rule, "Output").cloned()
    } else {
        None
    };
    Ok(ChoiceRule {
        condition,
        next,
        assign,
        output,
    })
}

fn compile_condition(
    rule: &Value,
    location: &dyn Fn() -> String,
    language: Language,
) -> Result<Condition, DefinitionError> {
    let Some(body) = rule.as_object() else {
        return Err(DefinitionError::new(
            location(),
            "a choice rule must be an object",
        ));
    };
    if let Some(condition) = crate::plan::member(body, "Condition") {
        return Ok(Condition::Jsonata(condition.clone()));
    }
    if language == Language::Jsonata {
        return Err(DefinitionError::new(
            location(),
            "a JSONata choice rule needs 'Condition'",
        ));
    }
    let nested = |key: &str| -> Result<Vec<Condition>, DefinitionError> {
        let Some(Value::Array(items)) = crate::plan::member(body, key) else {
            return Err(DefinitionError::new(
                format!("{}/{key}", location()),
                "must be an array of rules",
            ));
        };
        items
            .iter()
            .enumerate()
            .map(|(position, item)| {
                compile_condition(
                    item,
                    &|| format!("{}/{key}/{position}", location()),
                    language,
                )
            })
            .collect()
    };
    if crate::plan::member(body, "And").is_some() {
        return Ok(Condition::And(nested("And")?));
    }
    if crate::plan::member(body, "Or").is_some() {
        return Ok(Condition::Or(nested("Or")?));
    }
    if let Some(inner) = crate::plan::member(body, "Not") {
        return Ok(Condition::Not(Box::new(compile_condition(
            inner,
            &|| format!("{}/Not", location()),
            language,
        )?)));
    }
    let Some(variable_text) = crate::plan::member(body, "Variable").and_then(Value::as_str) else {
        return Err(DefinitionError::new(
            location(),
            "a choice rule needs 'Variable' (or And/Or/Not)",
        ));
    };
    let variable = jsonpath::parse(variable_text).map_err(|error| {
        DefinitionError::new(format!("{}/Variable", location()), error.to_string())
    })?;
    for (key, value) in body {
        let Some((op, is_path)) = operator_of(key) else {
            continue;
        };
        let operand = if is_path {
            let Some(text) = value.as_str() else {
                return Err(DefinitionError::new(
                    format!("{}/{key}", location()),
                    "must be a path string",
                ));
            };
            let path = jsonpath::parse(text).map_err(|error| {
                DefinitionError::new(format!("{}/{key}", location()), error.to_string())
            })?;
            Operand::Path {
                text: text.to_owned(),
                path,
            }
        } else {
            Operand::Literal(value.clone())
        };
        return Ok(Condition::Test {
            variable_text: variable_text.to_owned(),
            variable,
            op,
            operand,
        });
    }
    Err(DefinitionError::new(
        location(),
        "a choice rule needs a comparison operator",
    ))
}

/// Evaluates a JSONPath condition; JSONata conditions are delegated to `jsonata`.
pub(crate) fn holds(
    condition: &Condition,
    scope: &Scope<'_>,
    jsonata: &mut dyn FnMut(&Value) -> Result<bool, Raised>,
) -> Result<bool, Raised> {
    match condition {
        Condition::And(items) => {
            for item in items {
                if !holds(item, scope, jsonata)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Condition::Or(items) => {
            for item in items {
                if holds(item, scope, jsonata)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Condition::Not(inner) => Ok(!holds(inner, scope, jsonata)?),
        Condition::Jsonata(value) => jsonata(value),
        Condition::Test {
            variable_text,
            variable,
            op,
            operand,
        } => {
            let found = scope.lookup(variable);
            if *op == Operator::IsPresent {
                let flag = matches!(operand, Operand::Literal(Value::Bool(true)));
                return Ok(found.is_ok() == flag);
            }
            let found = match found {
                Ok(found) => found,
                Err(missing) => {
                    return Err(Raised::runtime(format!(
                        "Invalid path '{variable_text}' : {}",
                        missing.message
                    )));
                }
            };
            let value = found.as_value();
            let expected = match operand {
                Operand::Literal(literal) => std::borrow::Cow::Borrowed(literal),
                Operand::Path { text, path } => match scope.lookup(path) {
                    Ok(found) => std::borrow::Cow::Owned(found.into_owned()),
                    Err(missing) => {
                        return Err(Raised::runtime(format!(
                            "Invalid path '{text}' : {}",
                            missing.message
                        )));
                    }
                },
            };
            Ok(test(*op, value, &expected))
        }
    }
}

fn test(op: Operator, value: &Value, operand: &Value) -> bool {
    let flag = operand.as_bool() == Some(true);
    match op {
        Operator::IsNull => value.is_null() == flag,
        Operator::IsPresent => flag,
        Operator::IsNumeric => value.is_number() == flag,
        Operator::IsString => value.is_string() == flag,
        Operator::IsBoolean => value.is_boolean() == flag,
        Operator::IsTimestamp => {
            value
                .as_str()
                .is_some_and(|text| timestamp::parse(text).is_some())
                == flag
        }
        Operator::StringMatches => match (value.as_str(), operand.as_str()) {
            (Some(text), Some(pattern)) => string_matches(text, pattern),
            _ => false,
        },
        Operator::Compare(family, comparison) => {
            let ordering = match family {
                Family::String => match (value.as_str(), operand.as_str()) {
                    (Some(left), Some(right)) => Some(left.cmp(right)),
                    _ => None,
                },
                Family::Numeric => match (value.as_f64(), operand.as_f64()) {
                    (Some(left), Some(right)) if value.is_number() && operand.is_number() => {
                        left.partial_cmp(&right)
                    }
                    _ => None,
                },
                Family::Boolean => match (value.as_bool(), operand.as_bool()) {
                    (Some(left), Some(right)) => Some(left.cmp(&right)),
                    _ => None,
                },
                Family::Timestamp => match (
                    value.as_str().and_then(timestamp::parse),
                    operand.as_str().and_then(timestamp::parse),
                ) {
                    (Some(left), Some(right)) => Some(left.cmp(&right)),
                    _ => None,
                },
            };
            let Some(ordering) = ordering else {
                return false;
            };
            match comparison {
                Comparison::Equals => ordering.is_eq(),
                Comparison::LessThan => ordering.is_lt(),
                Comparison::GreaterThan => ordering.is_gt(),
                Comparison::LessThanEquals => ordering.is_le(),
                Comparison::GreaterThanEquals => ordering.is_ge(),
            }
        }
    }
}

/// `*` matches any run of characters; `\*` and `\\` are literal.
pub(crate) fn string_matches(text: &str, pattern: &str) -> bool {
    #[derive(PartialEq)]
    enum Token {
        Star,
        Char(char),
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => tokens.push(Token::Char(escaped)),
                None => tokens.push(Token::Char('\\')),
            },
            '*' => tokens.push(Token::Star),
            other => tokens.push(Token::Char(other)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    // Classic wildcard matching with backtracking to the last star.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Char(c)) if text.get(t) == Some(c) => {
                t += 1;
                p += 1;
            }
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    tokens[p.min(tokens.len())..]
        .iter()
        .all(|token| *token == Token::Star)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_escapes() {
        assert!(string_matches("log-2024.txt", "log-*.txt"));
        assert!(string_matches("abc", "*"));
        assert!(!string_matches("abc", "a*d"));
        assert!(string_matches("a*c", r"a\*c"));
        assert!(!string_matches("abc", r"a\*c"));
        assert!(string_matches("", "*"));
    }

    #[test]
    fn operator_names() {
        assert_eq!(
            operator_of("NumericEqualsPath"),
            Some((Operator::Compare(Family::Numeric, Comparison::Equals), true))
        );
        assert_eq!(operator_of("IsPresent"), Some((Operator::IsPresent, false)));
        assert_eq!(operator_of("BooleanLessThan"), None);
        assert_eq!(operator_of("Next"), None);
    }
}
