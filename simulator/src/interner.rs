//! What compiling a definition shares with the pieces it compiles (payload templates, Choice
//! rules): the query-language and named-path types, object member look-up, and the interner of one
//! compile, which parses and allocates once the paths and strings a definition spells many times.
//! It imports nothing of the plan, the templates or the Choice rules, so they all import it and the
//! imports point one way: `plan` -> `choice` -> `template` -> `interner`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use graph_model::expr::jsonpath::{self, Path, PathError};
use serde_json::{Map, Value};

use crate::fast_hash::FastHash;

/// The query language of a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    JsonPath,
    Jsonata,
}

/// A parsed path with the text it was written as (quoted in errors); derefs to the path. Shared by
/// every field of a definition that spells the same path.
#[derive(Debug)]
pub(crate) struct NamedPath {
    pub(crate) text: Rc<str>,
    pub(crate) path: Rc<Path>,
}

impl std::ops::Deref for NamedPath {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

/// A state's member by name. State objects have a handful of members, and a linear scan with early
/// mismatches beats hashing the name.
pub(crate) fn member<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.iter()
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// [`member`] of a value that may not be an object (`Value::get` would hash the name).
pub(crate) fn object_member<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value.as_object().and_then(|body| member(body, name))
}

/// The paths and strings one compile shares between the states of a definition. Large definitions,
/// generated ones above all, spell the same paths (`$.payload`) and names thousands of times: each
/// is parsed and allocated once, then shared, which also makes the plan cheaper to drop. (The plan
/// keeps its own memo of the last template, Retry and Catch compiled: see `plan::compile`.)
#[derive(Default)]
pub(crate) struct Interner<'d> {
    /// Path text (as parsed) -> its text and parsed form.
    paths: HashMap<&'d str, Rc<NamedPath>, FastHash>,
    strings: HashMap<&'d str, Rc<str>, FastHash>,
    /// Direct-mapped fronts of `paths` and `strings` (see [`front_slot`]): a look-up that repeats a
    /// recent text costs one comparison instead of hashing and probing.
    recent_paths: Vec<Option<(&'d str, Rc<NamedPath>)>>,
    recent_strings: Vec<Option<(&'d str, Rc<str>)>>,
}

/// The interner of one compile; borrowed briefly by each field.
pub(crate) type Cache<'d> = RefCell<Interner<'d>>;

impl<'d> Interner<'d> {
    /// The parsed path for `text`; parse errors are not cached (they end the compile).
    pub(crate) fn path(&mut self, text: &'d str) -> Result<Rc<NamedPath>, PathError> {
        let slot = front_slot(text);
        if let Some(Some((recent, named))) = self.recent_paths.get(slot)
            && *recent == text
        {
            return Ok(Rc::clone(named));
        }
        let named = match self.paths.get(text) {
            Some(named) => Rc::clone(named),
            None => {
                let named = Rc::new(NamedPath {
                    path: Rc::new(jsonpath::parse(text)?),
                    text: Rc::from(text),
                });
                self.paths.insert(text, Rc::clone(&named));
                named
            }
        };
        remember(&mut self.recent_paths, slot, text, &named);
        Ok(named)
    }

    /// A shared copy of `text`.
    pub(crate) fn text(&mut self, text: &'d str) -> Rc<str> {
        let slot = front_slot(text);
        if let Some(Some((recent, shared))) = self.recent_strings.get(slot)
            && *recent == text
        {
            return Rc::clone(shared);
        }
        let shared = Rc::clone(self.strings.entry(text).or_insert_with(|| Rc::from(text)));
        remember(&mut self.recent_strings, slot, text, &shared);
        shared
    }
}

/// Slots in each direct-mapped front of the interner.
const FRONT_SLOTS: usize = 64;

/// The front slot of `text`: from its length and three of its bytes, which tell apart the short,
/// similar texts definitions repeat (`$.r1`, `$.r3`, `$.payload`, `$.Payload`).
fn front_slot(text: &str) -> usize {
    let bytes = text.as_bytes();
    let byte = |index: usize| bytes.get(index).copied().map_or(0, usize::from);
    let length = bytes.len();
    (length.wrapping_mul(31)
        ^ byte(0)
        ^ (byte(length / 2) << 3)
        ^ (byte(length.saturating_sub(1)) << 1))
        % FRONT_SLOTS
}

fn remember<'d, T: ?Sized>(
    front: &mut Vec<Option<(&'d str, Rc<T>)>>,
    slot: usize,
    text: &'d str,
    shared: &Rc<T>,
) {
    if front.is_empty() {
        front.resize_with(FRONT_SLOTS, || None);
    }
    if let Some(entry) = front.get_mut(slot) {
        *entry = Some((text, Rc::clone(shared)));
    }
}
