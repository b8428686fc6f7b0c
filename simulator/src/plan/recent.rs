//! The plan's memo of one compile: the template, `Retry` and `Catch` compiled last, which the next
//! state reuses when it spells them the same (generated definitions repeat one ResultSelector and
//! one Retry list in every Task).

use std::rc::Rc;

use serde_json::Value;

use super::{Catcher, Retrier};
use crate::interner::Language;
use crate::template::Template;

/// What the compile remembers from the state it compiled last.
#[derive(Default)]
pub(super) struct Recent<'d> {
    /// The template compiled last for each field name. (Comparing with more candidates cost more
    /// than it saved.)
    templates: Vec<(&'static str, &'d Value, Rc<Template>)>,
    /// The last `Retry` array compiled and its retriers.
    pub(super) retry: Option<(&'d Value, Rc<[Retrier]>)>,
    /// The last `Catch` array compiled, in which machine and language, and its catchers (their
    /// targets are state positions, which only mean the same thing within one machine).
    pub(super) catch: Option<(usize, Language, &'d Value, Rc<[Catcher]>)>,
}

impl<'d> Recent<'d> {
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
