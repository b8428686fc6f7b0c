//! Reading and writing JSON objects field by field, so that every typed struct of the model keeps the
//! members it does not know and the order in which members came.

use serde_json::{Map, Number, Value};

/// The part of a JSON object that the typed model does not cover: members it does not know (or whose
/// value had a type the model cannot hold), and the order in which all members appeared.
///
/// Writing a struct back emits its members in `order` first, so that an unedited document keeps its key
/// order exactly; members added by an edit follow in the model's canonical order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extras {
    /// Every member name in the order it appeared in the source object.
    pub order: Vec<String>,
    /// Members kept as they came, because the model has no typed slot for them (or the value had the
    /// wrong type for that slot; validation reports those).
    pub unknown: Map<String, Value>,
}

impl Extras {
    /// A member kept as it came, by name.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.unknown.get(key)
    }

    /// Whether a member of that name is kept untyped.
    #[must_use]
    pub fn contains(&self, key: &str) -> bool {
        self.unknown.contains_key(key)
    }
}

/// A number field that may instead hold an expression: a JSONata `{% %}` string or a `${...}`
/// substitution placeholder, both of which AWS accepts in numeric fields.
#[derive(Clone, Debug, PartialEq)]
pub enum NumberOr {
    /// A JSON number, kept with its spelling (`1` and `1.0` stay distinct).
    Number(Number),
    /// A string standing where the number goes (JSONata or a placeholder).
    Expr(String),
}

impl NumberOr {
    /// The value as a float when it is a number.
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(n) => n.as_f64(),
            Self::Expr(_) => None,
        }
    }

    /// The value as an integer when it is an integral number.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Number(n) => n.as_i64(),
            Self::Expr(_) => None,
        }
    }

    /// A number field from an integer.
    #[must_use]
    pub fn int(value: i64) -> Self {
        Self::Number(Number::from(value))
    }

    fn to_value(&self) -> Value {
        match self {
            Self::Number(n) => Value::Number(n.clone()),
            Self::Expr(s) => Value::String(s.clone()),
        }
    }
}

/// A path field where `null` is meaningful (InputPath, OutputPath, ResultPath, ItemsPath): `null` is
/// distinct from the field being absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NullablePath {
    /// The field is present with the value `null`.
    Null,
    /// The field holds a path string.
    Path(String),
}

impl NullablePath {
    /// The path text, or `None` for `null`.
    #[must_use]
    pub fn as_path(&self) -> Option<&str> {
        match self {
            Self::Null => None,
            Self::Path(p) => Some(p),
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Path(p) => Value::String(p.clone()),
        }
    }
}

/// Takes typed members out of a JSON object; whatever is left becomes the [`Extras`].
pub(crate) struct Reader {
    order: Vec<String>,
    rest: Map<String, Value>,
}

impl Reader {
    pub(crate) fn new(object: Map<String, Value>) -> Self {
        Self {
            order: object.keys().cloned().collect(),
            rest: object,
        }
    }

    /// Removes and returns a member whose value passes `accept`; a value of the wrong shape stays untyped.
    fn take_if(&mut self, key: &str, accept: impl Fn(&Value) -> bool) -> Option<Value> {
        if self.rest.get(key).is_some_and(accept) {
            self.rest.shift_remove(key)
        } else {
            None
        }
    }

    pub(crate) fn string(&mut self, key: &str) -> Option<String> {
        match self.take_if(key, Value::is_string) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn boolean(&mut self, key: &str) -> Option<bool> {
        self.take_if(key, Value::is_boolean)
            .and_then(|v| v.as_bool())
    }

    pub(crate) fn number_or(&mut self, key: &str) -> Option<NumberOr> {
        match self.take_if(key, |v| v.is_number() || v.is_string()) {
            Some(Value::Number(n)) => Some(NumberOr::Number(n)),
            Some(Value::String(s)) => Some(NumberOr::Expr(s)),
            _ => None,
        }
    }

    pub(crate) fn nullable_path(&mut self, key: &str) -> Option<NullablePath> {
        match self.take_if(key, |v| v.is_null() || v.is_string()) {
            Some(Value::String(s)) => Some(NullablePath::Path(s)),
            Some(_) => Some(NullablePath::Null),
            None => None,
        }
    }

    /// Any JSON value (payload templates, Result, Assign, ...).
    pub(crate) fn any(&mut self, key: &str) -> Option<Value> {
        self.rest.shift_remove(key)
    }

    pub(crate) fn object(&mut self, key: &str) -> Option<Map<String, Value>> {
        match self.take_if(key, Value::is_object) {
            Some(Value::Object(m)) => Some(m),
            _ => None,
        }
    }

    /// An array whose every element is an object; anything else stays untyped.
    pub(crate) fn object_array(&mut self, key: &str) -> Option<Vec<Map<String, Value>>> {
        let accept = |v: &Value| v.as_array().is_some_and(|a| a.iter().all(Value::is_object));
        match self.take_if(key, accept) {
            Some(Value::Array(items)) => Some(
                items
                    .into_iter()
                    .filter_map(|item| match item {
                        Value::Object(m) => Some(m),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    pub(crate) fn string_array(&mut self, key: &str) -> Option<Vec<String>> {
        let accept = |v: &Value| v.as_array().is_some_and(|a| a.iter().all(Value::is_string));
        match self.take_if(key, accept) {
            Some(Value::Array(items)) => Some(
                items
                    .into_iter()
                    .filter_map(|item| match item {
                        Value::String(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    /// A string member's value without taking it.
    pub(crate) fn peek_string(&self, key: &str) -> Option<String> {
        self.rest
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    pub(crate) fn finish(self) -> Extras {
        Extras {
            order: self.order,
            unknown: self.rest,
        }
    }
}

/// Collects typed members in canonical order, then emits them in the source order recorded in [`Extras`].
pub(crate) struct Writer {
    members: Map<String, Value>,
}

impl Writer {
    pub(crate) fn new() -> Self {
        Self {
            members: Map::new(),
        }
    }

    pub(crate) fn value(&mut self, key: &str, value: Option<&Value>) {
        if let Some(v) = value {
            self.members.insert(key.to_owned(), v.clone());
        }
    }

    pub(crate) fn put(&mut self, key: &str, value: Value) {
        self.members.insert(key.to_owned(), value);
    }

    pub(crate) fn string(&mut self, key: &str, value: Option<&String>) {
        if let Some(s) = value {
            self.put(key, Value::String(s.clone()));
        }
    }

    pub(crate) fn boolean(&mut self, key: &str, value: Option<bool>) {
        if let Some(b) = value {
            self.put(key, Value::Bool(b));
        }
    }

    pub(crate) fn number_or(&mut self, key: &str, value: Option<&NumberOr>) {
        if let Some(n) = value {
            self.put(key, n.to_value());
        }
    }

    pub(crate) fn nullable_path(&mut self, key: &str, value: Option<&NullablePath>) {
        if let Some(p) = value {
            self.put(key, p.to_value());
        }
    }

    pub(crate) fn string_array(&mut self, key: &str, value: Option<&Vec<String>>) {
        if let Some(items) = value {
            self.put(
                key,
                Value::Array(items.iter().cloned().map(Value::String).collect()),
            );
        }
    }

    /// Emits members in source order, then new members in canonical order. Untyped members go where
    /// they were; a typed member that is gone (deleted by an edit) simply does not appear.
    pub(crate) fn finish(mut self, extras: &Extras) -> Map<String, Value> {
        for (key, value) in &extras.unknown {
            self.members.insert(key.clone(), value.clone());
        }
        let mut out = Map::with_capacity(self.members.len());
        for key in &extras.order {
            if let Some(value) = self.members.shift_remove(key) {
                out.insert(key.clone(), value);
            }
        }
        out.extend(self.members);
        out
    }
}
