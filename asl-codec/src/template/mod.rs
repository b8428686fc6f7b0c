//! State machines inside SAM and CloudFormation templates (JSON or YAML, cdk.out included).
//!
//! `${Name}` placeholders (DefinitionSubstitutions, `Fn::Sub` variables, pseudo parameters) stay as
//! written in the extracted definition. Intrinsic functions that cannot be resolved offline
//! (`Ref`, `Fn::GetAtt`, ...) become `${LogicalId}` / `${LogicalId.Attribute}` placeholders, so the
//! result is still a plain ASL document.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::json::{ParseOptions, SyntaxError};
use crate::span::escape_segment;
use crate::{Format, json, yaml};

mod placeholders;
mod write_back;

pub use placeholders::{PlaceholderCheck, add_substitution, check_placeholders};
pub use write_back::{
    WriteBack, WriteBackError, WriteBackNote, WriteBackOptions, WriteTarget, cdk_from_file_line,
    write_back, write_back_with,
};

/// Resource types that hold a state machine definition.
pub const STATE_MACHINE_TYPES: [&str; 2] = [
    "AWS::Serverless::StateMachine",
    "AWS::StepFunctions::StateMachine",
];

/// A `${Name}` placeholder used in a definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Placeholder {
    /// The name between `${` and `}` (`LambdaArn`, `AWS::Region`, `MyFunction.Arn`).
    pub name: String,
    /// JSON pointers (into the definition) of every string or key that uses it.
    pub pointers: Vec<String>,
    /// The value the template gives it (a DefinitionSubstitutions entry or an `Fn::Sub`
    /// variable), as written in the template; `None` for pseudo parameters and resource attributes.
    pub value: Option<Value>,
}

/// Where a template keeps a machine's definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefinitionOrigin {
    /// An inline `Definition` object.
    Inline,
    /// A `DefinitionString` that is a plain string or an `Fn::Sub`.
    String,
    /// A `DefinitionString` built with `Fn::Join`.
    Join,
    /// A SAM `DefinitionUri` naming a local file.
    Uri(PathBuf),
}

/// One state machine found in a template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateMachine {
    /// The resource's logical id.
    pub logical_id: String,
    /// The resource type (one of [`STATE_MACHINE_TYPES`]).
    pub resource_type: String,
    /// The ASL definition, placeholders kept as written.
    pub definition: Value,
    /// Every placeholder the definition uses, in order of first use.
    pub placeholders: Vec<Placeholder>,
    /// JSON pointer, in the template, of the property holding the definition.
    pub pointer: String,
    /// How the definition is written in the template.
    pub origin: DefinitionOrigin,
    /// The definition's own text when it is not inline (DefinitionString or DefinitionUri).
    pub text: Option<String>,
}

/// Why a template or one of its machines could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The text itself does not parse.
    #[error("{0}")]
    Syntax(#[from] SyntaxError),
    /// The document has no `Resources` object.
    #[error("not a CloudFormation or SAM template: no `Resources` object")]
    NotATemplate,
    /// One machine's definition cannot be read.
    #[error("state machine `{logical_id}`: {message}")]
    Machine {
        /// The resource's logical id.
        logical_id: String,
        /// What is wrong.
        message: String,
    },
}

/// Whether a parsed document is a template (a `Resources` object) rather than an ASL definition.
pub fn is_template(value: &Value) -> bool {
    value.get("Resources").is_some_and(Value::is_object) && value.get("States").is_none()
}

/// Parses a template and extracts every state machine in it. `base_dir` resolves SAM
/// `DefinitionUri` paths (the template's folder); without it such machines are an error.
pub fn extract(
    text: &str,
    format: Format,
    base_dir: Option<&Path>,
) -> Result<Vec<TemplateMachine>, TemplateError> {
    let options = ParseOptions::default();
    let value = match format {
        Format::Json => json::parse(text, &options)?.value,
        Format::Yaml => yaml::parse(text, options.max_bytes)?,
    };
    extract_from_value(&value, base_dir)
}

/// Extracts every state machine from an already parsed template, in resource order.
pub fn extract_from_value(
    template: &Value,
    base_dir: Option<&Path>,
) -> Result<Vec<TemplateMachine>, TemplateError> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Err(TemplateError::NotATemplate);
    };
    let mut machines = Vec::new();
    for (logical_id, resource) in resources {
        let Some(resource_type) = resource.get("Type").and_then(Value::as_str) else {
            continue;
        };
        if !STATE_MACHINE_TYPES.contains(&resource_type) {
            continue;
        }
        let fail = |message: String| TemplateError::Machine {
            logical_id: logical_id.clone(),
            message,
        };
        let properties = resource
            .get("Properties")
            .and_then(Value::as_object)
            .ok_or_else(|| fail("has no Properties".to_owned()))?;
        let base = format!("/Resources/{}/Properties", escape_segment(logical_id));
        let mut variables = Map::new();
        let (definition, pointer, origin, text) = if let Some(inline) = properties.get("Definition")
        {
            let definition = resolve_intrinsics(inline, &mut variables);
            (
                definition,
                format!("{base}/Definition"),
                DefinitionOrigin::Inline,
                None,
            )
        } else if let Some(string) = properties.get("DefinitionString") {
            let origin = if string.get("Fn::Join").is_some() {
                DefinitionOrigin::Join
            } else {
                DefinitionOrigin::String
            };
            let text = render_string(string, &mut variables);
            let parsed = json::parse(&text, &ParseOptions::default())
                .map_err(|error| fail(format!("DefinitionString is not valid JSON: {error}")))?;
            (
                parsed.value,
                format!("{base}/DefinitionString"),
                origin,
                Some(text),
            )
        } else if let Some(uri) = properties.get("DefinitionUri") {
            let Some(relative) = uri.as_str() else {
                return Err(fail(
                    "DefinitionUri points to S3; only a local file path can be read".to_owned(),
                ));
            };
            let Some(dir) = base_dir else {
                return Err(fail(format!(
                    "DefinitionUri `{relative}` is relative to the template's folder, which is unknown here"
                )));
            };
            let file = read_definition_file(dir, relative).map_err(fail)?;
            let (path, text, value) = (file.path, file.text, file.value);
            (
                value,
                format!("{base}/DefinitionUri"),
                DefinitionOrigin::Uri(path),
                Some(text),
            )
        } else {
            return Err(fail(
                "has no Definition, DefinitionString or local DefinitionUri (DefinitionS3Location cannot be read offline)"
                    .to_owned(),
            ));
        };
        if let Some(Value::Object(substitutions)) = properties.get("DefinitionSubstitutions") {
            for (name, value) in substitutions {
                variables.insert(name.clone(), value.clone());
            }
        }
        let placeholders = find_placeholders(&definition)
            .into_iter()
            .map(|(name, pointers)| Placeholder {
                value: variables.get(&name).cloned(),
                name,
                pointers,
            })
            .collect();
        machines.push(TemplateMachine {
            logical_id: logical_id.clone(),
            resource_type: resource_type.to_owned(),
            definition,
            placeholders,
            pointer,
            origin,
            text,
        });
    }
    Ok(machines)
}

/// A local definition file named by `DefinitionUri`, read and parsed.
pub(crate) struct DefinitionFile {
    /// Where it is (inside the template's folder, symbolic links resolved).
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// Its format, from the extension or the content.
    pub format: Format,
    /// The parsed definition.
    pub value: Value,
}

/// Resolves a `DefinitionUri` inside `base_dir` (the template's folder tree) and returns the
/// file's real path. An absolute path, a path that climbs out with `..`, or a symbolic link that
/// leads outside is refused: a template must not be able to make ASL Studio read or overwrite
/// any file the user can reach.
pub(crate) fn resolve_definition_uri(base_dir: &Path, relative: &str) -> Result<PathBuf, String> {
    let relative_path = Path::new(relative);
    if relative.starts_with("s3://") {
        return Err(format!(
            "DefinitionUri `{relative}` is in S3; only a local file inside the template's folder can be read"
        ));
    }
    if relative_path.is_absolute() || relative.starts_with(['/', '\\']) || relative.contains(':') {
        return Err(format!(
            "DefinitionUri `{relative}` is not a path inside the template's folder; only a relative local path is read"
        ));
    }
    let base = base_dir.canonicalize().map_err(|error| {
        format!(
            "cannot resolve the template's folder {}: {error}",
            base_dir.display()
        )
    })?;
    let path = base.join(relative_path).canonicalize().map_err(|error| {
        format!(
            "DefinitionUri `{relative}`: cannot read {}: {error}",
            base.join(relative_path).display()
        )
    })?;
    if !path.starts_with(&base) {
        return Err(format!(
            "DefinitionUri `{relative}` leads outside the template's folder {}; refusing to read it",
            base.display()
        ));
    }
    let metadata = std::fs::metadata(&path).map_err(|error| {
        format!(
            "DefinitionUri `{relative}`: cannot read {}: {error}",
            path.display()
        )
    })?;
    if !metadata.is_file() {
        return Err(format!(
            "DefinitionUri `{relative}`: {} is not a regular file",
            path.display()
        ));
    }
    Ok(path)
}

/// Reads and parses the definition file a `DefinitionUri` names (see [`resolve_definition_uri`]).
/// Its content is never echoed: a file that is not a state machine definition is reported as
/// such, without quoting it.
pub(crate) fn read_definition_file(
    base_dir: &Path,
    relative: &str,
) -> Result<DefinitionFile, String> {
    use std::io::Read as _;
    let path = resolve_definition_uri(base_dir, relative)?;
    let limit = ParseOptions::default().max_bytes;
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|file| file.take(limit as u64 + 1).read_to_end(&mut bytes))
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    if bytes.len() > limit {
        return Err(format!(
            "{} is more than the limit of {limit} bytes",
            path.display()
        ));
    }
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", path.display()))?;
    let format = Format::from_path(&path).unwrap_or_else(|| Format::sniff(&text));
    let value = match format {
        Format::Json => json::parse(&text, &ParseOptions::default()).map(|parsed| parsed.value),
        Format::Yaml => yaml::parse(&text, ParseOptions::default().max_bytes),
    }
    .map_err(|error| {
        format!(
            "{}:{}: not a state machine definition: {}",
            path.display(),
            error.location,
            error.message
        )
    })?;
    if !value.get("States").is_some_and(Value::is_object) {
        return Err(format!(
            "{} is not a state machine definition (no `States` object)",
            path.display()
        ));
    }
    Ok(DefinitionFile {
        path,
        text,
        format,
        value,
    })
}

/// The single-key intrinsic function an object stands for, if any.
pub(crate) fn intrinsic(value: &Value) -> Option<(&str, &Value)> {
    let map = value.as_object()?;
    if map.len() != 1 {
        return None;
    }
    let (name, argument) = map.iter().next()?;
    (name == "Ref" || name == "Condition" || name.starts_with("Fn::"))
        .then_some((name.as_str(), argument))
}

/// Renders a value that CloudFormation turns into a string; what cannot be resolved offline
/// becomes a `${...}` placeholder. `Fn::Sub` variables are collected into `variables`.
pub(crate) fn render_string(value: &Value, variables: &mut Map<String, Value>) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        _ => match intrinsic(value) {
            Some(("Ref", Value::String(name))) => format!("${{{name}}}"),
            Some(("Fn::GetAtt", Value::String(dotted))) => format!("${{{dotted}}}"),
            Some(("Fn::GetAtt", Value::Array(parts))) => {
                let parts: Vec<String> =
                    parts.iter().map(|p| render_string(p, variables)).collect();
                format!("${{{}}}", parts.join("."))
            }
            Some(("Fn::Sub", Value::String(text))) => text.clone(),
            Some(("Fn::Sub", Value::Array(items))) => {
                if let Some(Value::Object(vars)) = items.get(1) {
                    for (name, value) in vars {
                        variables.insert(name.clone(), value.clone());
                    }
                }
                items
                    .first()
                    .map(|t| render_string(t, variables))
                    .unwrap_or_default()
            }
            Some(("Fn::Join", Value::Array(items))) => {
                let separator = items
                    .first()
                    .map(|s| render_string(s, variables))
                    .unwrap_or_default();
                match items.get(1) {
                    Some(Value::Array(parts)) => parts
                        .iter()
                        .map(|part| render_string(part, variables))
                        .collect::<Vec<_>>()
                        .join(&separator),
                    Some(other) => render_string(other, variables),
                    None => String::new(),
                }
            }
            Some((name, _)) => format!("${{{name}}}"),
            None => value.to_string(),
        },
    }
}

/// Replaces intrinsic-function objects inside an inline definition with their string rendering.
fn resolve_intrinsics(value: &Value, variables: &mut Map<String, Value>) -> Value {
    if intrinsic(value).is_some() {
        return Value::String(render_string(value, variables));
    }
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), resolve_intrinsics(v, variables)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolve_intrinsics(v, variables))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The `${Name}` placeholders of one string, in order (`${!Literal}` is an escape, not a placeholder).
pub(crate) fn names_in(text: &str) -> impl Iterator<Item = &str> + '_ {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find("${")?;
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                rest = "";
                return None;
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            let plausible = !name.is_empty()
                && !name.starts_with('!')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'));
            if plausible {
                return Some(name);
            }
        }
    })
}

/// Every `${Name}` placeholder in a definition's strings and keys with the pointers using it,
/// in order of first use.
pub fn find_placeholders(definition: &Value) -> Vec<(String, Vec<String>)> {
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut record = |name: &str, pointer: &str| {
        let slot = *index.entry(name.to_owned()).or_insert_with(|| {
            found.push((name.to_owned(), Vec::new()));
            found.len() - 1
        });
        if found[slot].1.last().map(String::as_str) != Some(pointer) {
            found[slot].1.push(pointer.to_owned());
        }
    };
    // An explicit stack: definitions can nest deeper than a thread's stack allows for recursion.
    let mut stack: Vec<(String, &Value)> = vec![(String::new(), definition)];
    while let Some((pointer, value)) = stack.pop() {
        match value {
            Value::String(text) => {
                for name in names_in(text) {
                    record(name, &pointer);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((format!("{pointer}/{i}"), item));
                }
            }
            Value::Object(map) => {
                let children: Vec<_> = map.iter().collect();
                for (key, item) in children.into_iter().rev() {
                    let child = format!("{pointer}/{}", escape_segment(key));
                    for name in names_in(key) {
                        record(name, &child);
                    }
                    stack.push((child, item));
                }
            }
            _ => {}
        }
    }
    found
}

/// Gives placeholders values: every `${Name}` in strings and keys whose name is in `values` is
/// replaced; unknown placeholders stay as written.
pub fn substitute(value: &Value, values: &HashMap<String, String>) -> Value {
    fn replace(text: &str, values: &HashMap<String, String>) -> String {
        if !text.contains("${") {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match after.find('}') {
                Some(end) if values.contains_key(&after[..end]) => {
                    out.push_str(&values[&after[..end]]);
                    rest = &after[end + 1..];
                }
                _ => {
                    out.push_str("${");
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
    match value {
        Value::String(text) => Value::String(replace(text, values)),
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, values)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (replace(k, values), substitute(v, values)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn join_with_get_att_renders_placeholders() -> Result<(), TemplateError> {
        let template = json!({"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine",
            "Properties": {"DefinitionString": {"Fn::Join": ["", [
                "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"arn:",
                {"Ref": "AWS::Partition"}, ":states:::lambda:invoke\",\"Parameters\":{\"FunctionName\":\"",
                {"Fn::GetAtt": ["Fn", "Arn"]}, "\"},\"End\":true}}}"]]}}}}});
        let machines = extract_from_value(&template, None)?;
        assert_eq!(machines.len(), 1);
        let machine = &machines[0];
        assert_eq!(machine.origin, DefinitionOrigin::Join);
        assert_eq!(
            machine.definition["States"]["A"]["Parameters"]["FunctionName"],
            json!("${Fn.Arn}")
        );
        let names: Vec<&str> = machine
            .placeholders
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["AWS::Partition", "Fn.Arn"]);
        assert_eq!(machine.placeholders[0].pointers, ["/States/A/Resource"]);
        Ok(())
    }

    #[test]
    fn substitutions_are_listed_and_applied() -> Result<(), TemplateError> {
        let template = json!({"Resources": {"M": {"Type": "AWS::Serverless::StateMachine",
            "Properties": {"Definition": {"StartAt": "A", "States": {"A": {"Type": "Task",
                "Resource": "${Fn}", "End": true}}},
                "DefinitionSubstitutions": {"Fn": {"Fn::GetAtt": ["F", "Arn"]}}}}}});
        let machines = extract_from_value(&template, None)?;
        let placeholder = &machines[0].placeholders[0];
        assert_eq!(placeholder.name, "Fn");
        assert_eq!(placeholder.value, Some(json!({"Fn::GetAtt": ["F", "Arn"]})));
        let values = HashMap::from([("Fn".to_owned(), "arn:aws:lambda:x".to_owned())]);
        let done = substitute(&machines[0].definition, &values);
        assert_eq!(done["States"]["A"]["Resource"], json!("arn:aws:lambda:x"));
        Ok(())
    }

    #[test]
    fn sub_escapes_are_not_placeholders() {
        let names: Vec<&str> = names_in("${A} ${!B} $ {C} ${D.E}").collect();
        assert_eq!(names, ["A", "D.E"]);
    }
}
