//! Choice conditions solved over a state's input: values for the paths a Choice reads such that a
//! chosen rule matches and every rule before it does not (or, for the Default, none matches).
//!
//! Each path gets a short list of candidate values drawn from the operators that read it (the
//! literal, values just above and below it, the other types, a string that a glob matches and one
//! it does not, the member left out, null), and the combinations are tried in order with the
//! simulator's own rule evaluation, current values first, so that a solution changes as little of
//! the input as it can. JSONata Conditions of the simple shape `$states.input.a.b OP literal`
//! (joined with `and` / `or`) are turned into the same tests; others are reported as unsolved.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use graph_model::expr::jsonpath::{self, Path, Root, Segment, Selector};
use serde_json::{Map, Value, json};

use crate::choice::{self, ChoiceRule, Comparison, Condition, Family, Literal, Operand, Operator};
use crate::intrinsics::IntrinsicContext;
use crate::plan::{NamedPath, jsonata_expression};
use crate::template::Scope;
use crate::timestamp;

/// Most combinations tried for one rule.
const MAX_COMBINATIONS: usize = 20_000;

/// A value for a path of the Choice's input; `None` leaves the member out.
pub(crate) type Assignment = (Path, Option<Value>);

/// Values for the paths the rules read that make rule `target` (or the Default, `None`) the one
/// taken on `base` (the Choice's effective input), or why none was found. A rule may read the
/// execution input through the context object (`$$.Execution.Input.x`): `execution_input` is
/// what it holds, and such a path comes back rooted at the context. (The generator asks for
/// [`solutions`]; the tests check this one.)
#[cfg(test)]
pub(crate) fn solve(
    rules: &[ChoiceRule],
    target: Option<usize>,
    base: &Value,
    execution_input: &Value,
) -> Result<Vec<Assignment>, String> {
    solve_in_order(rules, target, base, execution_input, false, None)
}

/// Up to two different solutions: [`solve`]'s, and one found varying the paths in the opposite
/// order (which leaves alone what the first one changed when it can: a value shared with other
/// states, such as the execution input, read by an earlier Choice too).
pub(crate) fn solutions(
    rules: &[ChoiceRule],
    target: Option<usize>,
    base: &Value,
    execution_input: &Value,
) -> Result<Vec<Vec<Assignment>>, String> {
    solutions_keeping(rules, target, base, execution_input, None)
}

/// What an earlier run gave a Choice: its effective input and the execution input. Each path the
/// rules read whose value now differs from that run's was set for another Choice (the item a case
/// is made for): [`solutions_keeping`] keeps it and varies only the others.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Before<'v> {
    pub(crate) input: &'v Value,
    pub(crate) execution_input: &'v Value,
}

/// [`solutions`] that leave alone every value changed since `before` (see [`Before`]): two
/// Choices solved together, the second without undoing the first's solution.
pub(crate) fn solutions_keeping(
    rules: &[ChoiceRule],
    target: Option<usize>,
    base: &Value,
    execution_input: &Value,
    before: Option<Before<'_>>,
) -> Result<Vec<Vec<Assignment>>, String> {
    let first = solve_in_order(rules, target, base, execution_input, false, before)?;
    let mut found = vec![first];
    if let Ok(other) = solve_in_order(rules, target, base, execution_input, true, before)
        && !found.contains(&other)
    {
        found.push(other);
    }
    Ok(found)
}

fn solve_in_order(
    rules: &[ChoiceRule],
    target: Option<usize>,
    base: &Value,
    execution_input: &Value,
    last_varies_fastest: bool,
    before: Option<Before<'_>>,
) -> Result<Vec<Assignment>, String> {
    let context = json!({"Execution": {"Input": execution_input}});
    let before_context = before.map(|before| {
        (
            before.input,
            json!({"Execution": {"Input": before.execution_input}}),
        )
    });
    let mut kept = Vec::new();
    let considered = match target {
        Some(index) => rules.get(..=index).unwrap_or(rules),
        None => rules,
    };
    let mut variables: BTreeMap<String, (Path, Vec<Option<Value>>)> = BTreeMap::new();
    let mut translated: Vec<Condition> = Vec::with_capacity(considered.len());
    for (position, rule) in considered.iter().enumerate() {
        let condition = translate_jsonata(&rule.condition)
            .map_err(|reason| format!("rule {position}: {reason}"))?;
        collect(&condition, &mut variables)?;
        translated.push(condition);
    }
    let mut lists: Vec<(Path, Vec<Option<Value>>)> = Vec::new();
    for (_, (path, mut candidates)) in variables {
        let read_in = if path.root == Root::Context {
            &context
        } else {
            base
        };
        let value_in = |doc: &Value| {
            crate::path::evaluate(&path, doc)
                .ok()
                .map(crate::path::Found::into_owned)
        };
        let current = value_in(read_in);
        let changed = before_context.as_ref().is_some_and(|(input, context)| {
            let earlier = if path.root == Root::Context {
                context
            } else {
                *input
            };
            value_in(earlier) != current
        });
        candidates.retain(|candidate| candidate != &current);
        candidates.insert(0, current);
        dedupe(&mut candidates);
        candidates.truncate(if changed { 1 } else { 12 });
        if changed {
            kept.push(path.to_string());
        }
        lists.push((path, candidates));
    }
    if last_varies_fastest {
        lists.reverse();
    }
    let total = lists
        .iter()
        .map(|(_, candidates)| candidates.len())
        .try_fold(1usize, usize::checked_mul)
        .unwrap_or(usize::MAX);
    let random = RefCell::new(IntrinsicContext::new(0));
    let no_variables = Map::new();
    let mut choice = vec![0usize; lists.len()];
    for _ in 0..total.min(MAX_COMBINATIONS) {
        let mut doc = base.clone();
        let mut context_doc = context.clone();
        let mut assignments = Vec::new();
        for ((path, candidates), &pick) in lists.iter().zip(&choice) {
            let value = candidates.get(pick).cloned().flatten();
            if pick > 0 {
                assignments.push((path.clone(), value.clone()));
            }
            let target_doc = if path.root == Root::Context {
                &mut context_doc
            } else {
                &mut doc
            };
            if !place(target_doc, path, value) {
                assignments.clear();
                break;
            }
        }
        let make_context = || context_doc.clone();
        let scope = Scope::new(&doc, &no_variables, &make_context, &random);
        let mut no_jsonata = |_: &Value| -> Result<bool, crate::error::Raised> { Ok(false) };
        let outcomes: Vec<Option<bool>> = translated
            .iter()
            .map(|condition| choice::holds(condition, &scope, &mut no_jsonata).ok())
            .collect();
        let wanted =
            outcomes
                .iter()
                .enumerate()
                .all(|(position, outcome)| match (target, outcome) {
                    (Some(index), Some(holds)) if position == index => *holds,
                    (_, Some(holds)) => !holds,
                    (_, None) => false,
                });
        if wanted {
            return Ok(assignments);
        }
        // Next combination, the first path varying fastest.
        let mut carry = true;
        for (slot, (_, candidates)) in choice.iter_mut().zip(&lists) {
            if !carry {
                break;
            }
            *slot += 1;
            carry = *slot >= candidates.len();
            if carry {
                *slot = 0;
            }
        }
        if carry {
            break;
        }
    }
    let keeping = if kept.is_empty() {
        String::new()
    } else {
        format!(", keeping {} as set for another Choice", kept.join(", "))
    };
    Err(match target {
        Some(index) => format!(
            "no input found (of {} combinations tried{keeping}) on which rule {index} matches and no rule before it does",
            total.min(MAX_COMBINATIONS)
        ),
        None => format!(
            "no input found (of {} combinations tried{keeping}) on which no rule matches",
            total.min(MAX_COMBINATIONS)
        ),
    })
}

fn dedupe(values: &mut Vec<Option<Value>>) {
    let mut seen: Vec<Option<Value>> = Vec::new();
    values.retain(|value| {
        if seen.contains(value) {
            false
        } else {
            seen.push(value.clone());
            true
        }
    });
}

/// Gathers the paths the condition reads and candidate values for each.
fn collect(
    condition: &Condition,
    variables: &mut BTreeMap<String, (Path, Vec<Option<Value>>)>,
) -> Result<(), String> {
    match condition {
        Condition::And(items) | Condition::Or(items) => {
            items.iter().try_for_each(|item| collect(item, variables))
        }
        Condition::Not(inner) => collect(inner, variables),
        Condition::Jsonata(value) => Err(format!(
            "the JSONata Condition {} is not of a shape the generator solves ($states.input.path OP literal, joined with and/or)",
            value
        )),
        Condition::Test {
            variable,
            op,
            operand,
        } => {
            let mut candidates = candidates_for(*op, operand);
            if let Operand::Path(other) = operand {
                let other_candidates = typed_samples(*op);
                add(variables, other, other_candidates)?;
                candidates.extend(typed_samples(*op));
            }
            add(variables, variable, candidates)
        }
    }
}

fn add(
    variables: &mut BTreeMap<String, (Path, Vec<Option<Value>>)>,
    path: &NamedPath,
    candidates: Vec<Option<Value>>,
) -> Result<(), String> {
    let execution_input = [
        Segment::Child(Selector::Name("Execution".to_owned())),
        Segment::Child(Selector::Name("Input".to_owned())),
    ];
    match &path.root {
        Root::Context if path.segments.starts_with(&execution_input) => {}
        Root::Context => {
            return Err(format!(
                "it reads the context object ({}), which no input sets",
                path.text
            ));
        }
        Root::Variable(name) => {
            return Err(format!(
                "it reads the variable ${name} ({}), which the generator does not solve",
                path.text
            ));
        }
        Root::Input | Root::Current => {}
    }
    if !path.is_definite() {
        return Err(format!(
            "it reads {}, a path that selects several values",
            path.text
        ));
    }
    let entry = variables
        .entry(path.text.to_string())
        .or_insert_with(|| ((*path.path).clone(), Vec::new()));
    entry.1.extend(candidates);
    Ok(())
}

/// Values of every type a test may be given when it compares two paths.
fn typed_samples(op: Operator) -> Vec<Option<Value>> {
    match op {
        // 0 last: below the 1 a placeholder count (a one-item list) gives, without changing which
        // of the others is tried first.
        Operator::Compare(Family::Numeric, _) => {
            vec![Some(json!(1)), Some(json!(2)), Some(json!(0))]
        }
        Operator::Compare(Family::Boolean, _) => vec![Some(json!(true)), Some(json!(false))],
        Operator::Compare(Family::Timestamp, _) => vec![
            Some(json!("2026-01-01T00:00:00Z")),
            Some(json!("2026-01-02T00:00:00Z")),
        ],
        _ => vec![Some(json!("a")), Some(json!("b"))],
    }
}

fn candidates_for(op: Operator, operand: &Operand) -> Vec<Option<Value>> {
    let literal = match operand {
        Operand::Literal(Literal::Null) => Value::Null,
        Operand::Literal(Literal::Bool(flag)) => Value::Bool(*flag),
        Operand::Literal(Literal::Number(number)) => Value::Number(number.clone()),
        Operand::Literal(Literal::Other(value)) => (**value).clone(),
        Operand::Path(_) => return Vec::new(),
    };
    let mut values: Vec<Option<Value>> = match op {
        Operator::IsPresent => vec![None, Some(json!("present"))],
        Operator::IsNull => vec![Some(Value::Null), Some(json!("not null"))],
        Operator::IsNumeric => vec![Some(json!(1)), Some(json!("one"))],
        Operator::IsString => vec![Some(json!("text")), Some(json!(1))],
        Operator::IsBoolean => vec![Some(json!(true)), Some(json!("true"))],
        Operator::IsTimestamp => vec![
            Some(json!("2026-01-01T00:00:00Z")),
            Some(json!("not a timestamp")),
        ],
        Operator::StringMatches => {
            let pattern = literal.as_str().unwrap_or_default();
            let matching = glob_example(pattern, "");
            let longer = glob_example(pattern, "x");
            let mut values = vec![Some(json!(matching)), Some(json!(longer))];
            let missing = format!("{matching}\u{1}no match");
            if !choice::string_matches(&missing, pattern) {
                values.push(Some(json!(missing)));
            }
            values.push(Some(json!("")));
            values
        }
        Operator::Compare(Family::String, _) => {
            let text = literal.as_str().unwrap_or_default();
            let mut values = vec![Some(json!(text)), Some(json!(format!("{text}~")))];
            if let Some(lower) = just_below(text) {
                values.push(Some(json!(lower)));
            }
            values.push(Some(json!(1)));
            values
        }
        Operator::Compare(Family::Numeric, _) => {
            let mut values = vec![Some(literal.clone())];
            if let Some(number) = literal.as_f64() {
                let integer = literal.is_i64() || literal.is_u64();
                for delta in [1.0_f64, -1.0, 0.5, -0.5] {
                    if integer && delta.abs() < 1.0 {
                        continue;
                    }
                    let shifted = number + delta;
                    values.push(Some(if integer && shifted.fract() == 0.0 {
                        json!(shifted as i64)
                    } else {
                        json!(shifted)
                    }));
                }
            }
            values.push(Some(json!("not a number")));
            values
        }
        Operator::Compare(Family::Boolean, _) => {
            vec![Some(json!(true)), Some(json!(false)), Some(json!("true"))]
        }
        Operator::Compare(Family::Timestamp, _) => {
            let mut values = vec![Some(literal.clone())];
            if let Some(nanos) = literal.as_str().and_then(timestamp::parse) {
                let millis = i64::try_from(nanos / 1_000_000).unwrap_or(0);
                for delta in [1000, -1000] {
                    values.push(Some(json!(timestamp::format_millis(millis + delta))));
                }
            }
            values.push(Some(json!("not a timestamp")));
            values
        }
    };
    values.push(None);
    values
}

/// A string the glob matches: each unescaped `*` replaced by `fill`.
fn glob_example(pattern: &str, fill: &str) -> String {
    let mut text = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => text.extend(chars.next()),
            '*' => text.push_str(fill),
            other => text.push(other),
        }
    }
    text
}

/// A string that sorts just below `text` (None for the empty string, below which nothing sorts).
fn just_below(text: &str) -> Option<String> {
    let mut chars: Vec<char> = text.chars().collect();
    let last = chars.pop()?;
    if let Some(lower) = char::from_u32(u32::from(last).saturating_sub(1)).filter(|c| *c != last) {
        chars.push(lower);
        chars.push('~');
    }
    Some(chars.into_iter().collect())
}

/// Places `value` at `path` in `doc` (creating objects on the way), or removes the member when
/// `value` is `None`. False when the path runs through a value that is not an object or array.
pub(crate) fn place(doc: &mut Value, path: &Path, value: Option<Value>) -> bool {
    let Some((last, parents)) = path.segments.split_last() else {
        if let Some(value) = value {
            *doc = value;
        }
        return true;
    };
    let mut current = doc;
    for segment in parents {
        current = match segment {
            Segment::Child(Selector::Name(name)) => {
                // Generated data: a scalar in the way (a placeholder) gives way to an object.
                if !current.is_object() {
                    *current = Value::Object(Map::new());
                }
                let Value::Object(map) = current else {
                    return false;
                };
                if value.is_none() && !map.contains_key(name) {
                    return true;
                }
                // Null until the next segment says whether an object or an array goes there.
                map.entry(name.clone()).or_insert(Value::Null)
            }
            Segment::Child(Selector::Index(index)) => {
                let Ok(index) = usize::try_from(*index) else {
                    return false;
                };
                if !current.is_array() {
                    *current = Value::Array(Vec::new());
                }
                let Value::Array(items) = current else {
                    return false;
                };
                if items.len() <= index {
                    if value.is_none() {
                        return true;
                    }
                    items.resize(index + 1, Value::Null);
                }
                match items.get_mut(index) {
                    Some(item) => item,
                    None => return false,
                }
            }
            _ => return false,
        };
    }
    if matches!(last, Segment::Child(Selector::Index(_))) && !current.is_array() && value.is_some()
    {
        *current = Value::Array(Vec::new());
    }
    match (last, current) {
        (Segment::Child(Selector::Name(name)), Value::Object(map)) => {
            match value {
                Some(value) => {
                    map.insert(name.clone(), value);
                }
                None => {
                    map.remove(name);
                }
            }
            true
        }
        (Segment::Child(Selector::Name(name)), slot) => {
            if let Some(value) = value {
                let mut map = Map::new();
                map.insert(name.clone(), value);
                *slot = Value::Object(map);
            }
            true
        }
        (Segment::Child(Selector::Index(index)), Value::Array(items)) => {
            let Ok(index) = usize::try_from(*index) else {
                return false;
            };
            match value {
                Some(value) => {
                    if items.len() <= index {
                        items.resize(index + 1, Value::Object(Map::new()));
                    }
                    if let Some(slot) = items.get_mut(index) {
                        *slot = value;
                    }
                }
                None => {
                    if index < items.len() {
                        items.remove(index);
                    }
                }
            }
            true
        }
        _ => false,
    }
}

/// JSONata Conditions of the simple shape `$states.input.a.b OP literal` (`=`, `!=`, `<`, `<=`,
/// `>`, `>=`; joined with `and` / `or`; `$exists(...)`; a bare path for a truthy boolean) as
/// JSONPath tests; other conditions stay JSONata and are reported as unsolved.
fn translate_jsonata(condition: &Condition) -> Result<Condition, String> {
    match condition {
        Condition::Jsonata(value) => {
            let Some(text) = value.as_str().and_then(jsonata_expression) else {
                return Ok(condition.clone());
            };
            parse_jsonata(text.trim()).ok_or_else(|| {
                format!(
                    "the JSONata Condition '{}' is not of a shape the generator solves ($states.input.path OP literal, joined with and/or)",
                    text.trim()
                )
            })
        }
        Condition::And(items) => Ok(Condition::And(
            items
                .iter()
                .map(translate_jsonata)
                .collect::<Result<_, _>>()?,
        )),
        Condition::Or(items) => Ok(Condition::Or(
            items
                .iter()
                .map(translate_jsonata)
                .collect::<Result<_, _>>()?,
        )),
        Condition::Not(inner) => Ok(Condition::Not(Box::new(translate_jsonata(inner)?))),
        other => Ok(other.clone()),
    }
}

fn parse_jsonata(text: &str) -> Option<Condition> {
    let text = strip_parentheses(text);
    for (word, make) in [
        (" or ", Condition::Or as fn(Vec<Condition>) -> Condition),
        (" and ", Condition::And as fn(Vec<Condition>) -> Condition),
    ] {
        let parts = split_top(text, word);
        if parts.len() > 1 {
            let items = parts
                .into_iter()
                .map(parse_jsonata)
                .collect::<Option<Vec<_>>>()?;
            return Some(make(items));
        }
    }
    if let Some(inner) = text
        .strip_prefix("$not(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        return Some(Condition::Not(Box::new(parse_jsonata(inner)?)));
    }
    if let Some(inner) = text
        .strip_prefix("$exists(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        let variable = input_path(inner.trim())?;
        return Some(Condition::Test {
            variable,
            op: Operator::IsPresent,
            operand: Operand::Literal(Literal::Bool(true)),
        });
    }
    for (symbol, comparison, negate) in [
        ("!=", Comparison::Equals, true),
        ("<=", Comparison::LessThanEquals, false),
        (">=", Comparison::GreaterThanEquals, false),
        ("=", Comparison::Equals, false),
        ("<", Comparison::LessThan, false),
        (">", Comparison::GreaterThan, false),
    ] {
        if let Some((left, right)) = text.split_once(symbol) {
            let variable = input_path(left.trim())?;
            let literal: Value = match right.trim() {
                quoted
                    if quoted.starts_with('\'') && quoted.ends_with('\'') && quoted.len() >= 2 =>
                {
                    json!(quoted.get(1..quoted.len() - 1)?)
                }
                other => serde_json::from_str(other).ok()?,
            };
            let family = match &literal {
                Value::Number(_) => Family::Numeric,
                Value::Bool(_) => Family::Boolean,
                Value::String(_) => Family::String,
                _ => return None,
            };
            let test = Condition::Test {
                variable,
                op: Operator::Compare(family, comparison),
                operand: Operand::Literal(match literal {
                    Value::Number(number) => Literal::Number(number),
                    Value::Bool(flag) => Literal::Bool(flag),
                    other => Literal::Other(Box::new(other)),
                }),
            };
            return Some(if negate {
                Condition::Not(Box::new(test))
            } else {
                test
            });
        }
    }
    let variable = input_path(text)?;
    Some(Condition::Test {
        variable,
        op: Operator::Compare(Family::Boolean, Comparison::Equals),
        operand: Operand::Literal(Literal::Bool(true)),
    })
}

fn strip_parentheses(text: &str) -> &str {
    let mut text = text.trim();
    while text.starts_with('(') && text.ends_with(')') && split_top(text, "\u{0}").len() == 1 {
        let inner = text.get(1..text.len() - 1).unwrap_or_default();
        // Only when the outer pair encloses everything: "(a) and (b)" keeps its parentheses.
        let mut depth = 0i32;
        let balanced = inner.chars().all(|c| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth >= 0
        });
        if !balanced {
            break;
        }
        text = inner.trim();
    }
    text
}

/// Splits at `word` outside parentheses and quotes.
fn split_top<'a>(text: &'a str, word: &str) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    let mut index = 0;
    let bytes = text.as_bytes();
    while index < text.len() {
        let c = bytes.get(index).copied().unwrap_or_default() as char;
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth -= 1,
            (None, _)
                if depth == 0 && text.get(index..).is_some_and(|rest| rest.starts_with(word)) =>
            {
                parts.push(text.get(start..index).unwrap_or_default());
                index += word.len();
                start = index;
                continue;
            }
            _ => {}
        }
        index += 1;
    }
    parts.push(text.get(start..).unwrap_or_default());
    parts
}

/// `$states.input.a.b` as the JSONPath `$.a.b`.
fn input_path(text: &str) -> Option<Rc<NamedPath>> {
    let rest = text.strip_prefix("$states.input")?;
    if !rest.is_empty() && !rest.starts_with('.') {
        return None;
    }
    if rest
        .chars()
        .any(|c| !(c.is_alphanumeric() || c == '_' || c == '.'))
    {
        return None;
    }
    let path_text = format!("${rest}");
    let path = jsonpath::parse(&path_text).ok()?;
    Some(Rc::new(NamedPath {
        text: Rc::from(path_text.as_str()),
        path: Rc::new(path),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{self, Kind};

    fn rules_of(choice: Value) -> Vec<ChoiceRule> {
        let definition = json!({"StartAt": "C", "States": {
            "C": choice, "A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}});
        let plan = plan::compile(&definition).ok();
        plan.and_then(|plan| {
            plan.machines.into_iter().next().and_then(|machine| {
                machine
                    .states
                    .into_iter()
                    .find_map(|state| match state.kind {
                        Kind::Choice { rules, .. } => Some(rules),
                        _ => None,
                    })
            })
        })
        .unwrap_or_default()
    }

    fn holds_after(rules: &[ChoiceRule], target: Option<usize>, base: Value) -> Option<Value> {
        let assignments = solve(rules, target, &base, &json!({})).ok()?;
        let mut doc = base;
        for (path, value) in assignments {
            place(&mut doc, &path, value);
        }
        Some(doc)
    }

    #[test]
    fn each_rule_gets_an_input_on_which_it_is_the_first_to_match() {
        let rules = rules_of(json!({"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 50, "Next": "A"},
            {"Variable": "$.n", "NumericGreaterThanEquals": 10, "Next": "B"},
            {"And": [{"Variable": "$.kind", "StringMatches": "order-*"},
                     {"Not": {"Variable": "$.flag", "IsPresent": true}}], "Next": "A"},
            {"Or": [{"Variable": "$.at", "TimestampLessThan": "2026-01-01T00:00:00Z"},
                    {"Variable": "$.x", "IsNull": true}], "Next": "B"},
            {"Variable": "$.s", "StringGreaterThanPath": "$.t", "Next": "A"}
        ], "Default": "B"}));
        assert_eq!(rules.len(), 5);
        let base = json!({"flag": 1, "n": 0});
        for target in [Some(0), Some(1), Some(2), Some(3), Some(4), None] {
            let doc = holds_after(&rules, target, base.clone());
            assert!(doc.is_some(), "no input for rule {target:?}");
        }
        let second = holds_after(&rules, Some(1), base.clone()).unwrap_or_default();
        let n = second["n"].as_f64().unwrap_or(-1.0);
        assert!((10.0..=50.0).contains(&n), "n = {n}");
        let third = holds_after(&rules, Some(2), base).unwrap_or_default();
        assert!(third.get("flag").is_none());
        assert!(choice::string_matches(
            third["kind"].as_str().unwrap_or_default(),
            "order-*"
        ));
    }

    #[test]
    fn contradictory_rules_and_context_reads_are_reported() {
        let rules = rules_of(json!({"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 5, "Next": "A"},
            {"Variable": "$.n", "NumericGreaterThan": 9, "Next": "B"},
            {"Variable": "$$.Execution.Name", "StringEquals": "x", "Next": "B"}
        ], "Default": "B"}));
        assert!(solve(&rules, Some(1), &json!({}), &json!({})).is_err());
        let error = solve(&rules, Some(2), &json!({}), &json!({}))
            .err()
            .unwrap_or_default();
        assert!(error.contains("context object"), "{error}");
    }

    #[test]
    fn a_rule_on_the_execution_input_through_the_context_is_solved() {
        let rules = rules_of(json!({"Type": "Choice", "Choices": [
            {"Variable": "$.done", "NumericGreaterThanEqualsPath": "$$.Execution.Input.quorum", "Next": "A"}
        ], "Default": "B"}));
        let assignments =
            solve(&rules, Some(0), &json!({"done": 1}), &json!({"quorum": 2})).unwrap_or_default();
        assert!(!assignments.is_empty());
        let mut doc = json!({"done": 1});
        let mut input = json!({"Execution": {"Input": {"quorum": 2}}});
        for (path, value) in assignments {
            let target = if path.root == Root::Context {
                &mut input
            } else {
                &mut doc
            };
            place(target, &path, value);
        }
        let done = doc["done"].as_f64().unwrap_or(0.0);
        let quorum = input["Execution"]["Input"]["quorum"]
            .as_f64()
            .unwrap_or(f64::MAX);
        assert!(done >= quorum, "{doc} {input}");
    }

    #[test]
    fn a_second_choice_is_solved_keeping_the_value_set_for_the_first() {
        // Two quorum Choices in branches of one Parallel read the same execution input. A case
        // for the second one set quorum to 1; the first must still take its Default, so its own
        // count goes below 1 and quorum stays.
        let rules = rules_of(json!({"Type": "Choice", "Choices": [
            {"Variable": "$.count", "NumericGreaterThanEqualsPath": "$$.Execution.Input.quorum", "Next": "A"}
        ], "Default": "B"}));
        let (now, execution_input) = (json!({"count": 1}), json!({"quorum": 1}));
        let before = Before {
            input: &now,
            execution_input: &json!({"quorum": "example"}),
        };
        let found = solutions_keeping(&rules, None, &now, &execution_input, Some(before))
            .unwrap_or_default();
        assert!(!rules.is_empty() && !found.is_empty());
        for assignments in &found {
            let texts: Vec<(String, Option<Value>)> = assignments
                .iter()
                .map(|(path, value)| (path.to_string(), value.clone()))
                .collect();
            assert!(
                texts.iter().all(|(path, _)| !path.contains("quorum")),
                "{texts:?}"
            );
            assert!(
                texts.iter().any(|(path, value)| path == "$['count']"
                    && value
                        .as_ref()
                        .and_then(Value::as_f64)
                        .is_some_and(|n| n < 1.0)),
                "{texts:?}"
            );
        }
        // Without the earlier run, changing quorum is as good as changing the count.
        let free = solutions(&rules, None, &now, &execution_input).unwrap_or_default();
        assert!(
            free.iter()
                .flatten()
                .any(|(path, _)| path.to_string().contains("quorum")),
            "{free:?}"
        );
        // When the kept value leaves no way, the reason names it.
        let rules = rules_of(json!({"Type": "Choice", "Choices": [
            {"Variable": "$$.Execution.Input.quorum", "NumericEquals": 1, "Next": "A"}
        ], "Default": "B"}));
        let error = solutions_keeping(&rules, None, &now, &execution_input, Some(before))
            .err()
            .unwrap_or_default();
        assert!(
            error.contains("keeping $$['Execution']['Input']['quorum']"),
            "{error}"
        );
    }

    #[test]
    fn simple_jsonata_conditions_are_solved() {
        let rules = rules_of(
            json!({"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [
            {"Condition": "{% $states.input.total > 100 and $states.input.region = 'eu' %}", "Next": "A"},
            {"Condition": "{% $count($states.input.items) > 2 %}", "Next": "B"}
        ], "Default": "B"}),
        );
        let doc = holds_after(&rules, Some(0), json!({})).unwrap_or_default();
        assert_eq!(doc["region"], json!("eu"));
        assert!(doc["total"].as_f64().unwrap_or(0.0) > 100.0);
        let error = solve(&rules, Some(1), &json!({}), &json!({}))
            .err()
            .unwrap_or_default();
        assert!(error.contains("$count"), "{error}");
    }
}
