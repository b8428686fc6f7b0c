//! The interner of one compile: paths, strings, templates and Retry/Catch lists that a definition
//! spells many times are parsed and allocated once and then shared.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use graph_model::expr::jsonpath::{self, PathError};
use serde_json::Value;

use super::{Catcher, Language, NamedPath, Retrier};
use crate::fast_hash::FastHash;
use crate::template::Template;

/// What one compile shares between the states of a definition. Large definitions, generated ones
/// above all, spell the same paths (`$.payload`), names and Retry lists thousands of times: each is
/// parsed and allocated once, then shared, which also makes the plan cheaper to drop.
#[derive(Default)]
pub(crate) struct Interner<'d> {
    /// Path text (as parsed) -> its text and parsed form.
    paths: HashMap<&'d str, Rc<NamedPath>, FastHash>,
    strings: HashMap<&'d str, Rc<str>, FastHash>,
    /// Direct-mapped fronts of `paths` and `strings` (see [`front_slot`]): a look-up that repeats a
    /// recent text costs one comparison instead of hashing and probing.
    recent_paths: Vec<Option<(&'d str, Rc<NamedPath>)>>,
    recent_strings: Vec<Option<(&'d str, Rc<str>)>>,
    /// The template compiled last for each field name: generated definitions repeat one
    /// ResultSelector in every Task. (Comparing with more candidates cost more than it saved.)
    templates: Vec<(&'static str, &'d Value, Rc<Template>)>,
    /// The last `Retry` array compiled and its retriers.
    pub(super) retry: Option<(&'d Value, Rc<[Retrier]>)>,
    /// The last `Catch` array compiled, in which machine and language, and its catchers (their
    /// targets are state positions, which only mean the same thing within one machine).
    pub(super) catch: Option<(usize, Language, &'d Value, Rc<[Catcher]>)>,
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

    /// The last template compiled for `field`, if `value` spells it the same.
    pub(super) fn recent_template(&self, field: &str, value: &Value) -> Option<Rc<Template>> {
        self.templates
            .iter()
            .find(|(name, raw, _)| *name == field && same_spelling(raw, value))
            .map(|(_, _, template)| Rc::clone(template))
    }

    pub(super) fn remember_template(
        &mut self,
        field: &'static str,
        value: &'d Value,
        template: &Rc<Template>,
    ) {
        let entry = (field, value, Rc::clone(template));
        match self
            .templates
            .iter_mut()
            .find(|(name, _, _)| *name == field)
        {
            Some(slot) => *slot = entry,
            None => self.templates.push(entry),
        }
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

/// Equal with members in the same order: a cheap, conservative test for "spelled the same" (serde's
/// `==` on objects looks every key up by hash).
pub(super) fn same_spelling(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right.iter())
                    .all(|((lk, lv), (rk, rv))| lk == rk && same_spelling(lv, rv))
        }
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right.iter())
                    .all(|(lv, rv)| same_spelling(lv, rv))
        }
        _ => left == right,
    }
}
