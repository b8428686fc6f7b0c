//! Reading and writing JSON objects field by field, so that every typed struct of the model keeps the
//! members it does not know and the order in which members came.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

/// The part of a JSON object that the typed model does not cover: members it does not know (or whose
/// value had a type the model cannot hold), and the order in which all members appeared.
///
/// Writing a struct back emits its members in `order` first, so that an unedited document keeps its key
/// order exactly; members added by an edit follow in the model's canonical order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extras {
    /// Every member name in the order it appeared in the source object (the model's own field
    /// names borrowed, so reading a document does not copy them).
    pub order: Vec<Cow<'static, str>>,
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

/// The six kinds of JSON value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonKind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

/// A JSON value the model can be read from without first building a whole
/// [`serde_json::Value`] document: a `&Value`, or (in `asl-codec`) a value in the source text.
/// [`crate::StateMachine::from_source`] copies out only what the model keeps.
pub trait JsonSource<'a>: Copy {
    /// What kind of value this is.
    fn kind(self) -> JsonKind;
    /// The text of a string.
    fn as_str(self) -> Option<Cow<'a, str>>;
    /// The value of a boolean.
    fn as_bool(self) -> Option<bool>;
    /// The value of a number.
    fn as_number(self) -> Option<Number>;
    /// The elements of an array (empty for anything else).
    fn elements(self) -> impl Iterator<Item = Self>;
    /// The members of an object, in order, with their keys (empty for anything else).
    fn members(self) -> impl Iterator<Item = (Cow<'a, str>, Self)>;
    /// The position and value of the member named `key`. The default walks [`Self::members`];
    /// a source may answer without decoding every key.
    fn member(self, key: &str) -> Option<(usize, Self)> {
        self.members()
            .enumerate()
            .find(|(_, (k, _))| k == key)
            .map(|(position, (_, value))| (position, value))
    }
    /// How many members the object has, and a mask with bit `n % 64` set for each key of `n`
    /// bytes (a quick "absent" answer for most lookups).
    fn member_summary(self) -> (usize, u64) {
        self.members().fold((0, 0), |(count, mask), (key, _)| {
            (count + 1, mask | 1 << (key.len() % 64))
        })
    }
    /// The value as a [`serde_json::Value`].
    fn to_value(self) -> Value;
}

impl<'a> JsonSource<'a> for &'a Value {
    fn kind(self) -> JsonKind {
        match self {
            Value::Null => JsonKind::Null,
            Value::Bool(_) => JsonKind::Bool,
            Value::Number(_) => JsonKind::Number,
            Value::String(_) => JsonKind::String,
            Value::Array(_) => JsonKind::Array,
            Value::Object(_) => JsonKind::Object,
        }
    }

    fn as_str(self) -> Option<Cow<'a, str>> {
        Value::as_str(self).map(Cow::Borrowed)
    }

    fn as_bool(self) -> Option<bool> {
        Value::as_bool(self)
    }

    fn as_number(self) -> Option<Number> {
        match self {
            Value::Number(n) => Some(n.clone()),
            _ => None,
        }
    }

    fn elements(self) -> impl Iterator<Item = Self> {
        self.as_array().into_iter().flatten()
    }

    fn members(self) -> impl Iterator<Item = (Cow<'a, str>, Self)> {
        self.as_object()
            .into_iter()
            .flatten()
            .map(|(key, value)| (Cow::Borrowed(key.as_str()), value))
    }

    fn to_value(self) -> Value {
        self.clone()
    }
}

/// Reads typed members from a JSON object without copying it: each typed member is copied out as
/// it is taken, whatever is left becomes the [`Extras`].
pub(crate) struct Reader<'a, S> {
    object: S,
    _source: std::marker::PhantomData<&'a ()>,
    /// The member order, built as members are taken: a taken member's slot holds its (static)
    /// field name, an untaken one the empty placeholder until [`Self::finish`] fills in its key.
    order: Vec<Cow<'static, str>>,
    /// Bit `n % 64` is set when some key is `n` bytes long: most fields asked for are absent,
    /// and this answers most of those without comparing any key.
    lengths: u64,
}

/// The placeholder of an untaken member in [`Reader::order`]; no model field is named "".
const UNTAKEN: Cow<'static, str> = Cow::Borrowed("");

impl<'a, S: JsonSource<'a>> Reader<'a, S> {
    pub(crate) fn new(object: S) -> Self {
        let (count, lengths) = object.member_summary();
        Self {
            object,
            _source: std::marker::PhantomData,
            order: vec![UNTAKEN; count],
            lengths,
        }
    }

    /// The position and value of member `key`, if present and not yet taken.
    fn find(&self, key: &str) -> Option<(usize, S)> {
        if self.lengths & (1 << (key.len() % 64)) == 0 {
            return None;
        }
        let (position, value) = self.object.member(key)?;
        matches!(self.order.get(position), Some(Cow::Borrowed(""))).then_some((position, value))
    }

    /// Takes a member whose value passes `accept`; a value of the wrong shape stays untyped.
    fn take_if(&mut self, key: &'static str, accept: impl Fn(S) -> bool) -> Option<S> {
        let (position, value) = self.find(key)?;
        if !accept(value) {
            return None;
        }
        if let Some(slot) = self.order.get_mut(position) {
            *slot = Cow::Borrowed(key);
        }
        Some(value)
    }

    fn take_kind(&mut self, key: &'static str, kind: JsonKind) -> Option<S> {
        self.take_if(key, |v| v.kind() == kind)
    }

    pub(crate) fn string(&mut self, key: &'static str) -> Option<String> {
        self.take_kind(key, JsonKind::String)
            .and_then(JsonSource::as_str)
            .map(Cow::into_owned)
    }

    pub(crate) fn boolean(&mut self, key: &'static str) -> Option<bool> {
        self.take_kind(key, JsonKind::Bool)
            .and_then(JsonSource::as_bool)
    }

    pub(crate) fn number_or(&mut self, key: &'static str) -> Option<NumberOr> {
        let value = self.take_if(key, |v| {
            matches!(v.kind(), JsonKind::Number | JsonKind::String)
        })?;
        match value.as_number() {
            Some(n) => Some(NumberOr::Number(n)),
            None => value.as_str().map(|s| NumberOr::Expr(s.into_owned())),
        }
    }

    pub(crate) fn nullable_path(&mut self, key: &'static str) -> Option<NullablePath> {
        let value = self.take_if(key, |v| {
            matches!(v.kind(), JsonKind::Null | JsonKind::String)
        })?;
        Some(match value.as_str() {
            Some(s) => NullablePath::Path(s.into_owned()),
            None => NullablePath::Null,
        })
    }

    /// Any JSON value (payload templates, Result, Assign, ...).
    pub(crate) fn any(&mut self, key: &'static str) -> Option<Value> {
        self.take_if(key, |_| true).map(JsonSource::to_value)
    }

    pub(crate) fn object(&mut self, key: &'static str) -> Option<S> {
        self.take_kind(key, JsonKind::Object)
    }

    /// An array whose every element is an object; anything else stays untyped.
    pub(crate) fn object_array(&mut self, key: &'static str) -> Option<Vec<S>> {
        let accept = |v: S| {
            v.kind() == JsonKind::Array && v.elements().all(|e| e.kind() == JsonKind::Object)
        };
        Some(self.take_if(key, accept)?.elements().collect())
    }

    pub(crate) fn string_array(&mut self, key: &'static str) -> Option<Vec<String>> {
        let accept = |v: S| {
            v.kind() == JsonKind::Array && v.elements().all(|e| e.kind() == JsonKind::String)
        };
        let items = self.take_if(key, accept)?;
        Some(
            items
                .elements()
                .filter_map(JsonSource::as_str)
                .map(Cow::into_owned)
                .collect(),
        )
    }

    /// A string member's value without taking it.
    pub(crate) fn peek_string(&self, key: &str) -> Option<Cow<'a, str>> {
        self.find(key).and_then(|(_, value)| value.as_str())
    }

    pub(crate) fn finish(self) -> Extras {
        let mut order = self.order;
        let mut unknown = Map::new();
        for ((key, value), slot) in self.object.members().zip(order.iter_mut()) {
            if matches!(slot, Cow::Borrowed("")) {
                *slot = Cow::Owned(key.clone().into_owned());
                unknown.insert(key.into_owned(), value.to_value());
            }
        }
        Extras { order, unknown }
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
            if let Some(value) = self.members.shift_remove(key.as_ref()) {
                out.insert(key.as_ref().to_owned(), value);
            }
        }
        out.extend(self.members);
        out
    }
}
