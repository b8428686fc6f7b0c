//! Payload templates (`Parameters`, `ItemSelector`, `ResultSelector`, JSONPath `Assign`): objects whose
//! `key.$` members take their value from a path or an intrinsic function call.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use graph_model::expr::jsonpath::{self, Path, Root};
use serde_json::{Map, Value};

use crate::error::Raised;
use crate::interner::Cache;
use crate::intrinsics::IntrinsicContext;
use crate::path::{self as jpath, Found, Missing};

/// Assign, in the state's language: in JSONPath a payload template, in JSONata a value whose
/// expressions the engine evaluates.
#[derive(Debug, Clone)]
pub(crate) enum Assign {
    JsonPath(Box<Template>),
    Jsonata(Box<Value>),
}

/// A compiled template.
#[derive(Debug, Clone)]
pub(crate) enum Template {
    /// A subtree without any `.$` key: copied as is.
    Literal(Literal),
    /// `"field.$": "$..."`.
    Path {
        field: Rc<str>,
        text: Rc<str>,
        path: Rc<Path>,
    },
    /// `"field.$": "States.Xxx(...)"`.
    Intrinsic {
        text: Rc<str>,
    },
    /// Keys and paths are shared through the compile's interner: generated definitions repeat them.
    Object(Vec<(Rc<str>, Template)>),
    Array(Vec<Template>),
}

/// A literal part of a template. Scalars are kept without a `Value` (72 bytes with ordered maps),
/// which halves the size of a template's members: a large definition has thousands of them, and
/// their size is memory a cold run faults in.
#[derive(Debug, Clone)]
pub(crate) enum Literal {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Box<str>),
    /// An array or object.
    Other(Box<Value>),
}

impl Literal {
    fn new(value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(flag) => Self::Bool(*flag),
            Value::Number(number) => Self::Number(number.clone()),
            Value::String(text) => Self::String(Box::from(text.as_str())),
            other => Self::Other(Box::new(other.clone())),
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(flag) => Value::Bool(*flag),
            Self::Number(number) => Value::Number(number.clone()),
            Self::String(text) => Value::String(String::from(&**text)),
            Self::Other(value) => (**value).clone(),
        }
    }
}

impl Template {
    /// The object of a template without any `.$` key (the only form a JSONata state's Assign
    /// could have been compiled to).
    pub(crate) fn literal_object(&self) -> Option<&Map<String, Value>> {
        match self {
            Template::Literal(Literal::Other(value)) => value.as_object(),
            _ => None,
        }
    }
}

/// Compiles a template; `location` names it in errors (built only then: compiling is on every run's
/// path, and a definition has many templates).
pub(crate) fn compile<'d>(
    value: &'d Value,
    location: &dyn Fn() -> String,
    cache: &Cache<'d>,
) -> Result<Template, String> {
    if !has_dynamic(value) {
        return Ok(Template::Literal(Literal::new(value)));
    }
    match value {
        Value::Object(map) => {
            let mut members = Vec::with_capacity(map.len());
            for (key, member) in map {
                if let Some(name) = key.strip_suffix(".$") {
                    let Value::String(text) = member else {
                        return Err(format!(
                            "{}/{key}: the value of a field ending in '.$' must be a string (a JSONPath or an intrinsic function)",
                            location()
                        ));
                    };
                    let name = cache.borrow_mut().text(name);
                    members.push((name, compile_dynamic(key, text, location, cache)?));
                } else {
                    let name = cache.borrow_mut().text(key);
                    members.push((
                        name,
                        compile(member, &|| format!("{}/{key}", location()), cache)?,
                    ));
                }
            }
            Ok(Template::Object(members))
        }
        Value::Array(items) => Ok(Template::Array(
            items
                .iter()
                .enumerate()
                .map(|(index, item)| compile(item, &|| format!("{}/{index}", location()), cache))
                .collect::<Result<_, _>>()?,
        )),
        other => Ok(Template::Literal(Literal::new(other))),
    }
}

/// Compiles the string of a `key.$` member.
pub(crate) fn compile_dynamic<'d>(
    field: &'d str,
    text: &'d str,
    location: &dyn Fn() -> String,
    cache: &Cache<'d>,
) -> Result<Template, String> {
    let trimmed = text.trim();
    if trimmed.starts_with('$') {
        let mut interner = cache.borrow_mut();
        let named = interner
            .path(trimmed)
            .map_err(|error| format!("{}/{field}: {error}", location()))?;
        let (trimmed_text, path) = (Rc::clone(&named.text), Rc::clone(&named.path));
        Ok(Template::Path {
            field: interner.text(field),
            text: if trimmed.len() == text.len() {
                trimmed_text
            } else {
                Rc::from(text)
            },
            path,
        })
    } else if trimmed.starts_with("States.") {
        Ok(Template::Intrinsic {
            text: cache.borrow_mut().text(trimmed),
        })
    } else {
        Err(format!(
            "{}/{field}: '{text}' is neither a JSONPath nor an intrinsic function call",
            location()
        ))
    }
}

fn has_dynamic(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(key, member)| key.ends_with(".$") || has_dynamic(member)),
        Value::Array(items) => items.iter().any(has_dynamic),
        _ => false,
    }
}

/// What `$`, `$$` and `$name` stand for while a template or path is evaluated.
pub(crate) struct Scope<'a> {
    pub(crate) input: &'a Value,
    pub(crate) variables: &'a Map<String, Value>,
    pub(crate) context: OnceCell<Value>,
    pub(crate) make_context: &'a dyn Fn() -> Value,
    pub(crate) random: &'a RefCell<IntrinsicContext>,
}

impl<'a> Scope<'a> {
    pub(crate) fn new(
        input: &'a Value,
        variables: &'a Map<String, Value>,
        make_context: &'a dyn Fn() -> Value,
        random: &'a RefCell<IntrinsicContext>,
    ) -> Self {
        Self {
            input,
            variables,
            context: OnceCell::new(),
            make_context,
            random,
        }
    }

    /// The same scope with another `$`.
    pub(crate) fn with_input<'b>(&'b self, input: &'b Value) -> Scope<'b> {
        Scope {
            input,
            variables: self.variables,
            context: self.context.clone(),
            make_context: self.make_context,
            random: self.random,
        }
    }

    pub(crate) fn context(&self) -> &Value {
        self.context.get_or_init(|| (self.make_context)())
    }

    /// Evaluates a path from any root.
    pub(crate) fn lookup(&self, path: &Path) -> Result<Found<'_>, Missing> {
        let root = match &path.root {
            Root::Input | Root::Current => self.input,
            Root::Context => self.context(),
            Root::Variable(name) => match jpath::member(self.variables, name) {
                Some(value) => value,
                None => {
                    return Err(Missing::not_found(format!(
                        "The variable '${name}' is not defined"
                    )));
                }
            },
        };
        jpath::evaluate(path, root)
    }

    /// Evaluates a path given as text (intrinsic arguments).
    pub(crate) fn lookup_text(&self, text: &str) -> Result<Value, String> {
        let path = jsonpath::parse(text).map_err(|error| error.to_string())?;
        self.lookup(&path)
            .map(Found::into_owned)
            .map_err(|missing| missing.message)
    }

    /// Evaluates an intrinsic function call against this scope.
    pub(crate) fn intrinsic(&self, text: &str) -> Result<Value, Raised> {
        let mut resolve = |argument: &str| self.lookup_text(argument);
        let mut random = self.random.borrow_mut();
        crate::expr::intrinsic(text, &mut resolve, &mut random)
    }

    /// Fails exactly where [`Scope::render`] would, and draws the same random numbers, without
    /// building the value: for a template whose value nobody reads (a mocked Task's arguments when
    /// neither history nor trace is recorded).
    pub(crate) fn check(&self, template: &Template) -> Result<(), Raised> {
        match template {
            Template::Literal(_) => Ok(()),
            Template::Path { field, text, path } => match self.lookup(path) {
                Ok(_) => Ok(()),
                Err(missing) => Err(self.path_not_found(field, text, path, &missing)),
            },
            Template::Intrinsic { text } => self.intrinsic(text).map(drop),
            Template::Object(members) => members
                .iter()
                .try_for_each(|(_, member)| self.check(member)),
            Template::Array(items) => items.iter().try_for_each(|item| self.check(item)),
        }
    }

    fn path_not_found(&self, field: &str, text: &str, path: &Path, missing: &Missing) -> Raised {
        if missing.too_expensive {
            return too_expensive(field, text);
        }
        let searched = match path.root {
            Root::Context => self.context(),
            _ => self.input,
        };
        Raised::runtime(format!(
            "The JSONPath '{text}' specified for the field '{field}' could not be found in the input '{}'",
            compact(searched)
        ))
    }

    /// Builds the value of a template.
    pub(crate) fn render(&self, template: &Template) -> Result<Value, Raised> {
        match template {
            Template::Literal(literal) => Ok(literal.to_value()),
            Template::Path { field, text, path } => match self.lookup(path) {
                Ok(found) => Ok(found.into_owned()),
                Err(missing) => Err(self.path_not_found(field, text, path, &missing)),
            },
            Template::Intrinsic { text } => self.intrinsic(text),
            Template::Object(members) => {
                let mut map = Map::with_capacity(members.len());
                for (key, member) in members {
                    map.insert(String::from(&**key), self.render(member)?);
                }
                Ok(Value::Object(map))
            }
            Template::Array(items) => items
                .iter()
                .map(|item| self.render(item))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
        }
    }
}

/// The `States.Runtime` failure of a path abandoned at the work budget, naming the field and the
/// path as written.
pub(crate) fn too_expensive(field: &str, text: &str) -> Raised {
    Raised::runtime(format!(
        "The JSONPath '{text}' specified for the field '{field}' is too expensive to evaluate: it visits more than {} values",
        crate::path::MAX_PATH_VISITS
    ))
}

/// Compact JSON text of a value, as AWS quotes inputs in causes.
pub(crate) fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
