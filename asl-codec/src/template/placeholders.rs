//! Keeping a machine's `${...}` placeholders and its `DefinitionSubstitutions` in step: which
//! placeholders have no value, which substitutions nothing uses, and adding a missing entry.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::write_back::machine_properties;
use super::{
    DefinitionOrigin, Placeholder, TemplateMachine, WriteBackError, WriteBackOptions, intrinsic,
    names_in, render_string,
};
use crate::SourceFile;
use crate::span::escape_segment;

/// A machine's placeholders checked against what the template gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceholderCheck {
    /// The resource's logical id.
    pub logical_id: String,
    /// Every placeholder the definition uses, with the value the template gives it.
    pub placeholders: Vec<Placeholder>,
    /// Placeholders nothing gives a value: no `DefinitionSubstitutions` entry, no `Fn::Sub`
    /// variable, not an intrinsic's rendering, and (inside an `Fn::Sub`) not a parameter, resource
    /// or pseudo parameter. Step Functions would receive them literally.
    pub missing: Vec<String>,
    /// `DefinitionSubstitutions` entries that no placeholder uses.
    pub unused: Vec<String>,
}

/// Checks `machine`'s placeholders against `template` (the parsed template it was extracted from).
pub fn check_placeholders(template: &Value, machine: &TemplateMachine) -> PlaceholderCheck {
    let properties = template
        .get("Resources")
        .and_then(|resources| resources.get(&machine.logical_id))
        .and_then(|resource| resource.get("Properties"));
    let property = properties.and_then(|p| match machine.origin {
        DefinitionOrigin::Inline => p.get("Definition"),
        DefinitionOrigin::String | DefinitionOrigin::Join => p.get("DefinitionString"),
        DefinitionOrigin::Uri(_) => None,
    });
    let mut from_intrinsics = HashSet::new();
    let mut in_sub = HashSet::new();
    if let Some(property) = property {
        collect_sources(property, &mut from_intrinsics, &mut in_sub);
    }
    let parameters = template.get("Parameters").and_then(Value::as_object);
    let resources = template.get("Resources").and_then(Value::as_object);
    // Inside Fn::Sub, CloudFormation itself resolves parameters, resources and pseudo parameters.
    let sub_resolves = |name: &str| {
        name.starts_with("AWS::")
            || parameters.is_some_and(|p| p.contains_key(name))
            || resources.is_some_and(|r| {
                r.contains_key(name)
                    || name
                        .split_once('.')
                        .is_some_and(|(resource, _)| r.contains_key(resource))
            })
    };
    let missing = machine
        .placeholders
        .iter()
        .filter(|p| p.value.is_none())
        .map(|p| p.name.as_str())
        .filter(|name| !from_intrinsics.contains(*name))
        .filter(|name| !(in_sub.contains(*name) && sub_resolves(name)))
        .map(str::to_owned)
        .collect();
    let used: HashSet<&str> = machine
        .placeholders
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let unused = properties
        .and_then(|p| p.get("DefinitionSubstitutions"))
        .and_then(Value::as_object)
        .map(|substitutions| {
            substitutions
                .keys()
                .filter(|key| !used.contains(key.as_str()))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    PlaceholderCheck {
        logical_id: machine.logical_id.clone(),
        placeholders: machine.placeholders.clone(),
        missing,
        unused,
    }
}

/// Names that intrinsics (`Ref`, `Fn::GetAtt`, ...) render to, and names written inside an
/// `Fn::Sub` text, anywhere in a definition property.
fn collect_sources(
    value: &Value,
    from_intrinsics: &mut HashSet<String>,
    in_sub: &mut HashSet<String>,
) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match intrinsic(value) {
            Some(("Fn::Join", arguments)) => stack.push(arguments),
            Some(("Fn::Sub", Value::String(text))) => {
                in_sub.extend(names_in(text).map(str::to_owned));
            }
            Some(("Fn::Sub", Value::Array(items))) => {
                if let Some(Value::String(text)) = items.first() {
                    in_sub.extend(names_in(text).map(str::to_owned));
                }
            }
            Some(_) => {
                let text = render_string(value, &mut Map::new());
                from_intrinsics.extend(names_in(&text).map(str::to_owned));
            }
            None => match value {
                Value::Array(items) => stack.extend(items),
                Value::Object(map) => stack.extend(map.values()),
                _ => {}
            },
        }
    }
}

/// Adds `name: value` to the `DefinitionSubstitutions` of the machine `logical_id` (creating the
/// property when absent) and returns the template's new text, everything else preserved.
pub fn add_substitution(
    template: &SourceFile,
    logical_id: &str,
    name: &str,
    value: &Value,
) -> Result<String, WriteBackError> {
    let properties =
        machine_properties(template.value(), logical_id, &WriteBackOptions::default())?;
    let unsupported = |reason: String| WriteBackError::Unsupported {
        logical_id: logical_id.to_owned(),
        reason,
    };
    let mut substitutions = match properties.get("DefinitionSubstitutions") {
        None => Map::new(),
        Some(Value::Object(map)) if intrinsic(&Value::Object(map.clone())).is_none() => map.clone(),
        Some(_) => {
            return Err(unsupported(
                "its DefinitionSubstitutions is not a plain mapping".to_owned(),
            ));
        }
    };
    if substitutions.contains_key(name) {
        return Err(unsupported(format!(
            "DefinitionSubstitutions already has `{name}`"
        )));
    }
    substitutions.insert(name.to_owned(), value.clone());
    let mut root = template.value().clone();
    let pointer = format!("/Resources/{}/Properties", escape_segment(logical_id));
    let Some(Value::Object(slot)) = root.pointer_mut(&pointer) else {
        return Err(unsupported(format!("{pointer} is not in the template")));
    };
    slot.insert(
        "DefinitionSubstitutions".to_owned(),
        Value::Object(substitutions),
    );
    Ok(template.write_preserving(&root))
}
