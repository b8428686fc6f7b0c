//! JSONPath evaluation (AWS's Jayway-like dialect) and the ResultPath setter.

use graph_model::expr::jsonpath::{CompareOp, FilterExpr, Operand, Path, Root, Segment, Selector};
use serde_json::{Map, Value};

/// Why a definite path found nothing, in Jayway's words (AWS quotes them in `States.Runtime` causes).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Missing {
    /// E.g. `No results for path: $['a']` or `Missing property in path $['a']`.
    pub(crate) message: String,
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
/// single value or [`Missing`]; an indefinite one gives the list of matches, possibly empty.
pub(crate) fn evaluate<'a>(path: &Path, root: &'a Value) -> Result<Found<'a>, Missing> {
    if path.is_definite() {
        return definite(path, root).map(Found::Borrowed);
    }
    let mut current: Vec<&Value> = vec![root];
    for segment in &path.segments {
        let mut next = Vec::new();
        match segment {
            Segment::Child(selector) => {
                for value in current {
                    select_children(selector, value, root, &mut next);
                }
            }
            Segment::Descendant(selector) => {
                for value in current {
                    descend(selector, value, root, &mut next);
                }
            }
        }
        current = next;
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
                return Err(Missing { message });
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

fn select_children<'a>(
    selector: &Selector,
    value: &'a Value,
    root: &'a Value,
    out: &mut Vec<&'a Value>,
) {
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
            for index in slice_indices(*start, *end, *step, items.len()) {
                out.extend(items.get(index));
            }
        }
        (Selector::Wildcard, Value::Array(items)) => out.extend(items.iter()),
        (Selector::Wildcard, Value::Object(map)) => out.extend(map.values()),
        (Selector::Filter(expr), Value::Array(items)) => {
            out.extend(items.iter().filter(|item| filter_holds(expr, item, root)));
        }
        (Selector::Filter(expr), Value::Object(_)) if filter_holds(expr, value, root) => {
            out.push(value)
        }
        _ => {}
    }
}

fn descend<'a>(selector: &Selector, value: &'a Value, root: &'a Value, out: &mut Vec<&'a Value>) {
    select_children(selector, value, root, out);
    match value {
        Value::Array(items) => items
            .iter()
            .for_each(|item| descend(selector, item, root, out)),
        Value::Object(map) => map
            .values()
            .for_each(|item| descend(selector, item, root, out)),
        _ => {}
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

fn filter_holds(expr: &FilterExpr, current: &Value, root: &Value) -> bool {
    match expr {
        FilterExpr::Or(left, right) => {
            filter_holds(left, current, root) || filter_holds(right, current, root)
        }
        FilterExpr::And(left, right) => {
            filter_holds(left, current, root) && filter_holds(right, current, root)
        }
        FilterExpr::Not(inner) => !filter_holds(inner, current, root),
        FilterExpr::Exists(operand) => match operand_value(operand, current, root) {
            Some(Value::Bool(flag)) => flag,
            Some(_) => true,
            None => false,
        },
        FilterExpr::Compare(left, op, right) => {
            let (Some(left), Some(right)) = (
                operand_value(left, current, root),
                operand_value(right, current, root),
            ) else {
                return matches!(op, CompareOp::Ne);
            };
            compare(&left, *op, &right)
        }
    }
}

fn operand_value(operand: &Operand, current: &Value, root: &Value) -> Option<Value> {
    match operand {
        Operand::Literal(value) => Some(value.clone()),
        Operand::Path(path) => {
            let base = if path.root == Root::Current {
                current
            } else {
                root
            };
            evaluate(path, base).ok().map(Found::into_owned)
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
