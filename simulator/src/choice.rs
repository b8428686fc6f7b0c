//! Choice rules: compilation and JSONPath evaluation (the JSONata `Condition` is evaluated by the engine).

use std::borrow::Cow;
use std::rc::Rc;

use serde_json::Value;

use crate::error::{DefinitionError, Raised};
use crate::interner::{Cache, Language, NamedPath, object_member};
use crate::template::{self, Assign, Scope};
use crate::timestamp;

/// A top-level choice rule: a condition and where it leads.
#[derive(Debug, Clone)]
pub(crate) struct ChoiceRule {
    pub(crate) condition: Condition,
    pub(crate) next: usize,
    pub(crate) assign: Option<Assign>,
    pub(crate) output: Option<Box<Value>>,
}

/// A boolean condition.
#[derive(Debug, Clone)]
pub(crate) enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Test {
        variable: Rc<NamedPath>,
        op: Operator,
        operand: Operand,
    },
    /// JSONata `Condition` (expression text, or a literal boolean); boxed, as rare and large.
    Jsonata(Box<Value>),
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
    Literal(Literal),
    Path(Rc<NamedPath>),
}

/// A literal operand. The usual scalars are kept without a `Value` (72 bytes with ordered maps):
/// a large definition has thousands of choice rules, and their size is memory a cold run faults in.
#[derive(Debug, Clone)]
pub(crate) enum Literal {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Other(Box<Value>),
}

impl Literal {
    fn new(value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(flag) => Self::Bool(*flag),
            Value::Number(number) => Self::Number(number.clone()),
            other => Self::Other(Box::new(other.clone())),
        }
    }

    fn to_value(&self) -> Cow<'_, Value> {
        match self {
            Self::Null => Cow::Owned(Value::Null),
            Self::Bool(flag) => Cow::Owned(Value::Bool(*flag)),
            Self::Number(number) => Cow::Owned(Value::Number(number.clone())),
            Self::Other(value) => Cow::Borrowed(value),
        }
    }
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

/// Compiles a top-level rule (with `Next`); `location` names it in errors (built only then).
pub(crate) fn compile_top<'d>(
    rule: &'d Value,
    location: &dyn Fn() -> String,
    language: Language,
    resolve_target: &dyn Fn(&str) -> Result<usize, DefinitionError>,
    cache: &Cache<'d>,
) -> Result<ChoiceRule, DefinitionError> {
    let Some(next) = object_member(rule, "Next").and_then(Value::as_str) else {
        return Err(DefinitionError::new(
            location(),
            "a choice rule needs 'Next'",
        ));
    };
    let next = resolve_target(next)?;
    let condition = compile_condition(rule, location, language, cache)?;
    let assign = match object_member(rule, "Assign") {
        None => None,
        Some(value) if language == Language::JsonPath => Some(Assign::JsonPath(Box::new(
            template::compile(value, &|| format!("{}/Assign", location()), cache).map_err(
                |message| DefinitionError::new(format!("{}/Assign", location()), message),
            )?,
        ))),
        Some(value) => Some(Assign::Jsonata(Box::new(value.clone()))),
    };
    let output = if language == Language::Jsonata {
        object_member(rule, "Output").cloned().map(Box::new)
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

fn compile_condition<'d>(
    rule: &'d Value,
    location: &dyn Fn() -> String,
    language: Language,
    cache: &Cache<'d>,
) -> Result<Condition, DefinitionError> {
    let Some(body) = rule.as_object() else {
        return Err(DefinitionError::new(
            location(),
            "a choice rule must be an object",
        ));
    };
    // One pass over the rule's members; the precedence below is that of the separate look-ups it
    // replaces (Condition, And, Or, Not, then Variable with the first operator in member order).
    let (mut jsonata, mut and, mut or, mut not, mut variable) = (None, None, None, None, None);
    let mut operator = None;
    for (key, value) in body {
        match key.as_str() {
            "Condition" => jsonata = Some(value),
            "And" => and = Some(value),
            "Or" => or = Some(value),
            "Not" => not = Some(value),
            "Variable" => variable = Some(value),
            "Next" | "Assign" | "Output" | "Comment" => {}
            _ => {
                if operator.is_none()
                    && let Some(found) = operator_of(key)
                {
                    operator = Some((key.as_str(), value, found));
                }
            }
        }
    }
    if let Some(condition) = jsonata {
        return Ok(Condition::Jsonata(Box::new(condition.clone())));
    }
    if language == Language::Jsonata {
        return Err(DefinitionError::new(
            location(),
            "a JSONata choice rule needs 'Condition'",
        ));
    }
    let nested = |key: &str, value: &'d Value| -> Result<Vec<Condition>, DefinitionError> {
        let Value::Array(items) = value else {
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
                    cache,
                )
            })
            .collect()
    };
    if let Some(items) = and {
        return Ok(Condition::And(nested("And", items)?));
    }
    if let Some(items) = or {
        return Ok(Condition::Or(nested("Or", items)?));
    }
    if let Some(inner) = not {
        return Ok(Condition::Not(Box::new(compile_condition(
            inner,
            &|| format!("{}/Not", location()),
            language,
            cache,
        )?)));
    }
    let Some(variable) = variable.and_then(Value::as_str) else {
        return Err(DefinitionError::new(
            location(),
            "a choice rule needs 'Variable' (or And/Or/Not)",
        ));
    };
    let variable = cache.borrow_mut().path(variable).map_err(|error| {
        DefinitionError::new(format!("{}/Variable", location()), error.to_string())
    })?;
    let Some((key, value, (op, is_path))) = operator else {
        return Err(DefinitionError::new(
            location(),
            "a choice rule needs a comparison operator",
        ));
    };
    let operand = if is_path {
        let Some(text) = value.as_str() else {
            return Err(DefinitionError::new(
                format!("{}/{key}", location()),
                "must be a path string",
            ));
        };
        Operand::Path(cache.borrow_mut().path(text).map_err(|error| {
            DefinitionError::new(format!("{}/{key}", location()), error.to_string())
        })?)
    } else {
        Operand::Literal(Literal::new(value))
    };
    Ok(Condition::Test {
        variable,
        op,
        operand,
    })
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
            variable,
            op,
            operand,
        } => {
            let found = scope.lookup(variable);
            if let Err(missing) = &found
                && missing.too_expensive
            {
                return Err(Raised::runtime(format!(
                    "Invalid path '{}' : {}",
                    variable.text, missing.message
                )));
            }
            if *op == Operator::IsPresent {
                let flag = matches!(operand, Operand::Literal(Literal::Bool(true)));
                return Ok(found.is_ok() == flag);
            }
            let found = match found {
                Ok(found) => found,
                Err(missing) => {
                    return Err(Raised::runtime(format!(
                        "Invalid path '{}' : {}",
                        variable.text, missing.message
                    )));
                }
            };
            let value = found.as_value();
            let expected = match operand {
                Operand::Literal(literal) => literal.to_value(),
                Operand::Path(path) => match scope.lookup(path) {
                    Ok(found) => Cow::Owned(found.into_owned()),
                    Err(missing) => {
                        return Err(Raised::runtime(format!(
                            "Invalid path '{}' : {}",
                            path.text, missing.message
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
