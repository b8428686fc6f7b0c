//! JSONPath evaluation (AWS's Jayway-like dialect) and the ResultPath setter.

use graph_model::expr::jsonpath::{CompareOp, FilterExpr, Operand, Path, Root, Segment, Selector};
use serde_json::{Map, Value};

/// Why a path gave no value: a definite path found nothing, in Jayway's words (AWS quotes them in
/// `States.Runtime` causes), or evaluating the path cost more than [`MAX_PATH_VISITS`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Missing {
    /// E.g. `No results for path: $['a']` or `Missing property in path $['a']`.
    pub(crate) message: String,
    /// The path was abandoned at the work budget, not found missing: callers must fail the state
    /// rather than treat the value as absent (`IsPresent`) or say it is not in the input.
    pub(crate) too_expensive: bool,
}

impl Missing {
    /// A definite path that found nothing.
    pub(crate) fn not_found(message: String) -> Self {
        Self {
            message,
            too_expensive: false,
        }
    }
}

/// Most values one JSONPath evaluation may visit, filters and copies of the matches included.
/// Deep scans nested in filters are exponential in the nesting (`$..[?(@..[?(@..x)])]`); AWS
/// bounds such a path by its own time limits, the dry run by this count so that the same path
/// fails the same way on every machine and in the browser. A state's input is at most 256 KiB,
/// some 130,000 values, so a path that visits each of them several times stays far below it.
pub(crate) const MAX_PATH_VISITS: u64 = 1_000_000;

/// What is left of [`MAX_PATH_VISITS`] while one path is evaluated.
struct Budget {
    left: u64,
}

/// The budget ran out.
struct Exhausted;

impl Budget {
    fn spend(&mut self, visits: usize) -> Result<(), Exhausted> {
        let visits = u64::try_from(visits).unwrap_or(u64::MAX);
        match self.left.checked_sub(visits) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => {
                self.left = 0;
                Err(Exhausted)
            }
        }
    }

    /// Charges a copy of `value`: one visit per value in it, counting no further than the budget.
    fn spend_copy(&mut self, value: &Value) -> Result<(), Exhausted> {
        self.spend(1)?;
        match value {
            Value::Array(items) => items.iter().try_for_each(|item| self.spend_copy(item)),
            Value::Object(map) => map.values().try_for_each(|item| self.spend_copy(item)),
            _ => Ok(()),
        }
    }
}

/// Why an evaluation inside the budget gave nothing.
enum Failure {
    Missing(Missing),
    Exhausted,
}

impl From<Exhausted> for Failure {
    fn from(_: Exhausted) -> Self {
        Failure::Exhausted
    }
}

/// A value found by a path: borrowed for definite paths, built for the list of an indefinite one.
pub(crate) enum Found<'a> {
    Borrowed(&'a Value),
    Owned(Value),
}

impl Found<'_> {
    pub(crate) fn into_owned(self) -> Value {
        match self {
            Found::Borrowed(value) => value.clone(),
            Found::Owned(value) => value,
        }
    }

    pub(crate) fn as_value(&self) -> &Value {
        match self {
            Found::Borrowed(value) => value,
            Found::Owned(value) => value,
        }
    }
}

/// Objects up to this size are searched by comparing keys: serde's map hashes every key looked up
/// with SipHash, which costs more than comparing a dozen short keys (the usual state input).
const SCAN_LIMIT: usize = 16;

/// The member `name` of `map`.
pub(crate) fn member<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if map.len() <= SCAN_LIMIT {
        map.iter()
            .find_map(|(key, value)| (key == name).then_some(value))
    } else {
        map.get(name)
    }
}

/// [`member`], to change it.
fn member_mut<'a>(map: &'a mut Map<String, Value>, name: &str) -> Option<&'a mut Value> {
    if map.len() <= SCAN_LIMIT {
        map.iter_mut()
            .find_map(|(key, value)| (key == name).then_some(value))
    } else {
        map.get_mut(name)
    }
}

/// Evaluates `path`'s segments against `root` (the value its root stands for). A definite path gives its
/// single value or [`Missing`]; an indefinite one gives the list of matches, possibly empty. A path
/// that would visit more than [`MAX_PATH_VISITS`] values gives a [`Missing`] marked `too_expensive`
/// whose message names the path.
pub(crate) fn evaluate<'a>(path: &Path, root: &'a Value) -> Result<Found<'a>, Missing> {
    let mut budget = Budget {
        left: MAX_PATH_VISITS,
    };
    evaluate_within(path, root, &mut budget).map_err(|failure| match failure {
        Failure::Missing(missing) => missing,
        Failure::Exhausted => Missing {
            message: format!(
                "The JSONPath {path} is too expensive to evaluate: it visits more than {MAX_PATH_VISITS} values"
            ),
            too_expensive: true,
        },
    })
}

fn evaluate_within<'a>(
    path: &Path,
    root: &'a Value,
    budget: &mut Budget,
) -> Result<Found<'a>, Failure> {
    if path.is_definite() {
        budget.spend(path.segments.len())?;
        return definite(path, root)
            .map(Found::Borrowed)
            .map_err(Failure::Missing);
    }
    let mut current: Vec<&Value> = vec![root];
    for segment in &path.segments {
        let mut next = Vec::new();
        match segment {
            Segment::Child(selector) => {
                for value in current {
                    select(selector, value, false, root, budget, &mut next)?;
                }
            }
            Segment::Descendant(selector) => {
                for value in current {
                    select(selector, value, true, root, budget, &mut next)?;
                }
            }
        }
        current = next;
    }
    // The copies are work too: `$..*` of a deeply nested document copies each level again.
    for value in &current {
        budget.spend_copy(value)?;
    }
    Ok(Found::Owned(Value::Array(
        current.into_iter().cloned().collect(),
    )))
}

fn definite<'a>(path: &Path, root: &'a Value) -> Result<&'a Value, Missing> {
    let mut current = root;
    let last = path.segments.len();
    for (position, segment) in path.segments.iter().enumerate() {
        let found = match segment {
            Segment::Child(Selector::Name(name)) => match current {
                Value::Object(map) => member(map, name),
                _ => None,
            },
            Segment::Child(Selector::Index(index)) => match current {
                Value::Array(items) => {
                    resolve_index(*index, items.len()).and_then(|i| items.get(i))
                }
                _ => None,
            },
            _ => None,
        };
        match found {
            Some(value) => current = value,
            None => {
                let message = if position + 1 == last {
                    format!(
                        "No results for path: {}",
                        path.normalized_prefix(position + 1)
                    )
                } else {
                    format!(
                        "Missing property in path {}",
                        path.normalized_prefix(position + 1)
                    )
                };
                return Err(Missing::not_found(message));
            }
        }
    }
    Ok(current)
}

fn resolve_index(index: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let resolved = if index < 0 { len + index } else { index };
    if (0..len).contains(&resolved) {
        usize::try_from(resolved).ok()
    } else {
        None
    }
}

/// Adds to `out` what `selector` picks among the children of `value` and, when `deep` (`..`),
/// among the children of each of its descendants, in document order.
fn select<'a>(
    selector: &Selector,
    value: &'a Value,
    deep: bool,
    root: &'a Value,
    budget: &mut Budget,
    out: &mut Vec<&'a Value>,
) -> Result<(), Exhausted> {
    let before = out.len();
    match (selector, value) {
        (Selector::Name(name), Value::Object(map)) => out.extend(member(map, name)),
        (Selector::Names(names), Value::Object(map)) => {
            out.extend(names.iter().filter_map(|name| member(map, name)))
        }
        (Selector::Index(index), Value::Array(items)) => {
            out.extend(resolve_index(*index, items.len()).and_then(|i| items.get(i)));
        }
        (Selector::Indices(indices), Value::Array(items)) => {
            for index in indices {
                out.extend(resolve_index(*index, items.len()).and_then(|i| items.get(i)));
            }
        }
        (Selector::Slice { start, end, step }, Value::Array(items)) => {
            budget.spend(items.len())?;
            for index in slice_indices(*start, *end, *step, items.len()) {
                out.extend(items.get(index));
            }
        }
        (Selector::Wildcard, Value::Array(items)) => out.extend(items.iter()),
        (Selector::Wildcard, Value::Object(map)) => out.extend(map.values()),
        (Selector::Filter(expr), Value::Array(items)) => {
            for item in items {
                budget.spend(1)?;
                if filter_holds(expr, item, root, budget)? {
                    out.push(item);
                }
            }
        }
        (Selector::Filter(expr), Value::Object(_)) => {
            out.extend(filter_holds(expr, value, root, budget)?.then_some(value));
        }
        _ => {}
    }
    // A union can name the same member many times over: each match is a visit.
    budget.spend(1 + out.len() - before)?;
    if !deep {
        return Ok(());
    }
    match value {
        Value::Array(items) => items
            .iter()
            .try_for_each(|item| select(selector, item, true, root, budget, out)),
        Value::Object(map) => map
            .values()
            .try_for_each(|item| select(selector, item, true, root, budget, out)),
        _ => Ok(()),
    }
}

fn slice_indices(
    start: Option<i64>,
    end: Option<i64>,
    step: Option<i64>,
    len: usize,
) -> Vec<usize> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let step = step.unwrap_or(1);
    let clamp = |bound: i64| {
        if bound < 0 {
            (len + bound).max(0)
        } else {
            bound.min(len)
        }
    };
    let mut out = Vec::new();
    if step > 0 {
        let mut index = clamp(start.unwrap_or(0));
        let stop = clamp(end.unwrap_or(len));
        while index < stop {
            out.extend(usize::try_from(index).ok());
            index += step;
        }
    } else {
        let mut index = start.map_or(len - 1, |s| if s < 0 { len + s } else { s.min(len - 1) });
        let stop = end.map_or(-1, |e| if e < 0 { (len + e).max(-1) } else { e });
        while index > stop {
            out.extend(usize::try_from(index).ok());
            index += step;
        }
    }
    out
}

fn filter_holds(
    expr: &FilterExpr,
    current: &Value,
    root: &Value,
    budget: &mut Budget,
) -> Result<bool, Exhausted> {
    Ok(match expr {
        FilterExpr::Or(left, right) => {
            filter_holds(left, current, root, budget)?
                || filter_holds(right, current, root, budget)?
        }
        FilterExpr::And(left, right) => {
            filter_holds(left, current, root, budget)?
                && filter_holds(right, current, root, budget)?
        }
        FilterExpr::Not(inner) => !filter_holds(inner, current, root, budget)?,
        FilterExpr::Exists(operand) => match operand_value(operand, current, root, budget)? {
            Some(found) => !matches!(found.as_value(), Value::Bool(false)),
            None => false,
        },
        FilterExpr::Compare(left, op, right) => {
            let left = operand_value(left, current, root, budget)?;
            let right = operand_value(right, current, root, budget)?;
            let (Some(left), Some(right)) = (left, right) else {
                return Ok(matches!(op, CompareOp::Ne));
            };
            compare(left.as_value(), *op, right.as_value())
        }
    })
}

/// An operand's value, borrowed where it can be (a literal, a definite path): a filter runs once
/// per candidate, and copying `$` for each of them would be quadratic.
fn operand_value<'v>(
    operand: &'v Operand,
    current: &'v Value,
    root: &'v Value,
    budget: &mut Budget,
) -> Result<Option<Found<'v>>, Exhausted> {
    match operand {
        Operand::Literal(value) => Ok(Some(Found::Borrowed(value))),
        Operand::Path(path) => {
            let base = if path.root == Root::Current {
                current
            } else {
                root
            };
            match evaluate_within(path, base, budget) {
                Ok(found) => Ok(Some(found)),
                Err(Failure::Missing(_)) => Ok(None),
                Err(Failure::Exhausted) => Err(Exhausted),
            }
        }
    }
}

fn compare(left: &Value, op: CompareOp, right: &Value) -> bool {
    use std::cmp::Ordering;
    let ordering = match (left, right) {
        (Value::Number(a), Value::Number(b)) => a
            .as_f64()
            .zip(b.as_f64())
            .and_then(|(a, b)| a.partial_cmp(&b)),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => {
            if left == right {
                Some(Ordering::Equal)
            } else {
                None
            }
        }
    };
    match op {
        CompareOp::Eq => ordering == Some(Ordering::Equal),
        CompareOp::Ne => ordering != Some(Ordering::Equal),
        CompareOp::Lt => ordering == Some(Ordering::Less),
        CompareOp::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
        CompareOp::Gt => ordering == Some(Ordering::Greater),
        CompareOp::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
    }
}

/// Why ResultPath could not place the result.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SetError {
    pub(crate) message: String,
}

/// Whether [`set`] would succeed on `target`, without changing it (so that a caller can commit to
/// moving the target first).
pub(crate) fn can_set(target: &Value, path: &Path) -> bool {
    let mut current = Some(target);
    for segment in &path.segments {
        current = match (segment, current) {
            (Segment::Child(Selector::Name(name)), Some(Value::Object(map))) => member(map, name),
            // Missing members are created as objects, which only names can go through.
            (Segment::Child(Selector::Name(_)), None) => None,
            (Segment::Child(Selector::Index(index)), Some(Value::Array(items))) => {
                match resolve_index(*index, items.len()).and_then(|slot| items.get(slot)) {
                    Some(element) => Some(element),
                    None => return false,
                }
            }
            _ => return false,
        };
    }
    true
}

/// A copy of `target` holding `null` where [`set`] would place a value at `path` (missing objects
/// created as `set` creates them), or `None` where `set` would fail. Setting a value there later
/// gives what `set` on a full copy gives, without copying the subtree the value replaces: a Pass
/// state that nests its own input (`ResultPath: "$.extra"`) copies only what lies around the slot
/// and moves the input in, instead of copying a document that grows at every pass.
pub(crate) fn copy_around(target: &Value, path: &Path) -> Option<Value> {
    fn around(value: &Value, segments: &[Segment]) -> Value {
        let Some((first, rest)) = segments.split_first() else {
            return Value::Null;
        };
        match (first, value) {
            (Segment::Child(Selector::Name(name)), Value::Object(map)) => Value::Object(
                map.iter()
                    .map(|(key, item)| {
                        let copy = if key == name {
                            around(item, rest)
                        } else {
                            item.clone()
                        };
                        (key.clone(), copy)
                    })
                    .collect(),
            ),
            (Segment::Child(Selector::Index(index)), Value::Array(items)) => {
                let slot = resolve_index(*index, items.len());
                Value::Array(
                    items
                        .iter()
                        .enumerate()
                        .map(|(position, item)| {
                            if Some(position) == slot {
                                around(item, rest)
                            } else {
                                item.clone()
                            }
                        })
                        .collect(),
                )
            }
            _ => value.clone(),
        }
    }
    if !can_set(target, path) {
        return None;
    }
    let mut copy = around(target, &path.segments);
    set(&mut copy, path, Value::Null).ok()?;
    Some(copy)
}

/// Places `value` at the reference path `path` inside `target`, creating missing objects on the way
/// (ResultPath semantics). `$` replaces the whole target.
pub(crate) fn set(target: &mut Value, path: &Path, value: Value) -> Result<(), SetError> {
    let mut current = target;
    let count = path.segments.len();
    let mut value = Some(value);
    for (position, segment) in path.segments.iter().enumerate() {
        let is_last = position + 1 == count;
        current = match segment {
            Segment::Child(Selector::Name(name)) => {
                let Value::Object(map) = current else {
                    return Err(SetError {
                        message: format!("Unable to apply ReferencePath {path} to input"),
                    });
                };
                if is_last {
                    let value = value.take().unwrap_or(Value::Null);
                    // ResultPath usually replaces the member a previous state placed: no new key.
                    match member_mut(map, name) {
                        Some(slot) => *slot = value,
                        None => {
                            map.insert(name.clone(), value);
                        }
                    }
                    return Ok(());
                }
                map.entry(name.clone())
                    .or_insert_with(|| Value::Object(Map::new()))
            }
            Segment::Child(Selector::Index(index)) => {
                let Value::Array(items) = current else {
                    return Err(SetError {
                        message: format!("Unable to apply ReferencePath {path} to input"),
                    });
                };
                let Some(slot) = resolve_index(*index, items.len()) else {
                    return Err(SetError {
                        message: format!("Unable to apply ReferencePath {path} to input"),
                    });
                };
                let Some(element) = items.get_mut(slot) else {
                    return Err(SetError {
                        message: format!("Unable to apply ReferencePath {path} to input"),
                    });
                };
                if is_last {
                    *element = value.take().unwrap_or(Value::Null);
                    return Ok(());
                }
                element
            }
            _ => {
                return Err(SetError {
                    message: format!("ResultPath {path} is not a reference path"),
                });
            }
        };
    }
    *current = value.take().unwrap_or(Value::Null);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use graph_model::expr::jsonpath::parse;
    use serde_json::json;

    fn eval(path: &str, root: &Value) -> Result<Value, String> {
        let parsed = parse(path).map_err(|error| error.to_string())?;
        evaluate(&parsed, root)
            .map(Found::into_owned)
            .map_err(|missing| missing.message)
    }

    #[test]
    fn evaluates_aws_dialect() -> Result<(), String> {
        let data =
            json!({"a": {"b c": [1, 2, 3, 4]}, "users": [{"s": 0, "n": "x"}, {"s": 1, "n": "y"}]});
        assert_eq!(eval("$.a['b c'][1]", &data)?, json!(2));
        assert_eq!(eval("$.a.['b c'][-1:]", &data)?, json!([4]));
        assert_eq!(eval("$.a['b c'][1:3]", &data)?, json!([2, 3]));
        assert_eq!(eval("$.a['b c'][::-1]", &data)?, json!([4, 3, 2, 1]));
        assert_eq!(eval("$.users[?(@.s == 0)].n", &data)?, json!(["x"]));
        assert_eq!(eval("$..n", &data)?, json!(["x", "y"]));
        assert_eq!(eval("$.users[*].s", &data)?, json!([0, 1]));
        assert_eq!(eval("$.[0]", &json!([7]))?, json!(7));
        assert_eq!(
            eval("$.x", &data),
            Err("No results for path: $['x']".to_owned())
        );
        assert_eq!(
            eval("$.x.y", &data),
            Err("Missing property in path $['x']".to_owned())
        );
        assert_eq!(eval("$.x[*]", &data)?, json!([]));
        Ok(())
    }

    #[test]
    fn small_and_large_objects_are_searched_alike() -> Result<(), String> {
        // Up to SCAN_LIMIT members are compared one by one, beyond it looked up by hash.
        for size in [3, SCAN_LIMIT, SCAN_LIMIT + 4] {
            let mut object = Map::new();
            for index in 0..size {
                object.insert(format!("k{index}"), json!(index));
            }
            let mut data = json!({ "o": object });
            let last = format!("$.o.k{}", size - 1);
            assert_eq!(eval(&last, &data)?, json!(size - 1));
            assert_eq!(
                eval("$.o.missing", &data),
                Err("No results for path: $['o']['missing']".to_owned())
            );
            let replace = parse("$.o.k1").map_err(|error| error.to_string())?;
            set(&mut data, &replace, json!("new")).map_err(|error| error.message)?;
            let added = parse("$.o.added").map_err(|error| error.to_string())?;
            set(&mut data, &added, json!(true)).map_err(|error| error.message)?;
            assert_eq!(eval("$.o.k1", &data)?, json!("new"));
            assert_eq!(eval("$.o.added", &data)?, json!(true));
            assert_eq!(data["o"].as_object().map(Map::len), Some(size + 1));
        }
        Ok(())
    }

    #[test]
    fn copy_around_then_set_equals_set_on_a_full_copy() -> Result<(), String> {
        let input = json!({"a": {"keep": [1, 2], "old": {"deep": true}}, "list": [{"x": 1}, {"x": 2}], "z": 0});
        for text in [
            "$.a.old",
            "$.a.new",
            "$.fresh.b",
            "$.list[1].x",
            "$.list[-1]",
            "$",
        ] {
            let path = parse(text).map_err(|error| error.to_string())?;
            let mut expected = input.clone();
            set(&mut expected, &path, input.clone()).map_err(|error| error.message)?;
            let mut copy = copy_around(&input, &path).ok_or(text)?;
            set(&mut copy, &path, input.clone()).map_err(|error| error.message)?;
            assert_eq!(copy, expected, "{text}");
            // Key order too: ResultPath keeps a replaced member where it was.
            assert_eq!(copy.to_string(), expected.to_string(), "{text}");
        }
        for text in ["$.z.below", "$.list[5]"] {
            let path = parse(text).map_err(|error| error.to_string())?;
            assert_eq!(copy_around(&input, &path), None, "{text}");
        }
        Ok(())
    }

    #[test]
    fn result_path_setter_creates_objects() -> Result<(), String> {
        let mut target = json!({"a": 1});
        let path = parse("$.b.c").map_err(|error| error.to_string())?;
        set(&mut target, &path, json!(2)).map_err(|error| error.message)?;
        assert_eq!(target, json!({"a": 1, "b": {"c": 2}}));
        let mut scalar = json!("text");
        assert!(set(&mut scalar, &path, json!(2)).is_err());
        Ok(())
    }
}
