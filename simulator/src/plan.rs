//! Compiles an ASL definition (JSON) into an execution plan: states by index, paths and templates parsed
//! once, so the run loop never looks at the raw definition again.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use graph_model::expr::jsonpath::{self, Path};
use serde_json::{Map, Value};

use crate::choice::{self, ChoiceRule};
use crate::error::DefinitionError;
use crate::template::{self, Template};

/// The query language of a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    JsonPath,
    Jsonata,
}

/// InputPath / OutputPath.
#[derive(Debug, Clone)]
pub(crate) enum PathField {
    /// Absent: `$`.
    Whole,
    /// `null`: `{}`.
    Null,
    Path {
        text: String,
        path: Path,
    },
}

/// ResultPath.
#[derive(Debug, Clone)]
pub(crate) enum ResultPathField {
    /// Absent or `$`: the result replaces the input.
    Replace,
    /// `null`: the result is discarded.
    Discard,
    Path {
        text: String,
        path: Path,
    },
}

/// A number that is given literally, through a reference path, or by a JSONata expression.
#[derive(Debug, Clone)]
pub(crate) enum Dynamic {
    Literal(Value),
    Path { text: String, path: Path },
    Jsonata(String),
}

/// Assign, in the state's language.
#[derive(Debug, Clone)]
pub(crate) enum Assign {
    JsonPath(Template),
    Jsonata(Value),
}

/// A retrier.
#[derive(Debug, Clone)]
pub(crate) struct Retrier {
    pub(crate) errors: Vec<String>,
    pub(crate) interval_seconds: f64,
    pub(crate) max_attempts: u32,
    pub(crate) backoff_rate: f64,
    pub(crate) max_delay_seconds: Option<f64>,
    pub(crate) full_jitter: bool,
}

/// A catcher.
#[derive(Debug, Clone)]
pub(crate) struct Catcher {
    pub(crate) errors: Vec<String>,
    pub(crate) next: usize,
    pub(crate) result_path: ResultPathField,
    pub(crate) assign: Option<Assign>,
    pub(crate) output: Option<Value>,
}

/// Wait parameters.
#[derive(Debug, Clone)]
pub(crate) enum WaitSpec {
    Seconds(Dynamic),
    Timestamp(Dynamic),
}

/// Fail state's Error/Cause.
#[derive(Debug, Clone)]
pub(crate) enum FailField {
    Absent,
    Literal(String),
    /// ErrorPath / CausePath (JSONPath; may also be an intrinsic function).
    Path {
        text: String,
        template: Template,
    },
    Jsonata(String),
}

/// Map-specific fields.
#[derive(Debug, Clone)]
pub(crate) struct MapSpec {
    pub(crate) processor: usize,
    pub(crate) items_path: Option<PathField>,
    /// JSONata `Items` (literal array or expression string).
    pub(crate) items: Option<Value>,
    pub(crate) item_selector: Option<Template>,
    /// JSONata `ItemSelector`.
    pub(crate) item_selector_jsonata: Option<Value>,
    pub(crate) max_concurrency: Option<Dynamic>,
    pub(crate) distributed: bool,
    pub(crate) tolerated_count: Option<Dynamic>,
    pub(crate) tolerated_percentage: Option<Dynamic>,
    pub(crate) label: Option<String>,
    pub(crate) item_reader: Option<Value>,
}

/// What a state does.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Pass {
        result: Option<Value>,
        result_size: usize,
    },
    Task {
        resource: String,
        timeout: Option<Dynamic>,
        heartbeat: Option<Dynamic>,
    },
    Choice {
        rules: Vec<ChoiceRule>,
        default: Option<usize>,
    },
    Wait(WaitSpec),
    Succeed,
    Fail {
        error: FailField,
        cause: FailField,
    },
    Parallel {
        branches: Vec<usize>,
    },
    Map(Box<MapSpec>),
}

/// One compiled state.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) language: Language,
    /// `None`: End (or a terminal state type).
    pub(crate) next: Option<usize>,
    pub(crate) input_path: PathField,
    pub(crate) output_path: PathField,
    pub(crate) result_path: ResultPathField,
    pub(crate) parameters: Option<Template>,
    pub(crate) result_selector: Option<Template>,
    pub(crate) assign: Option<Assign>,
    /// JSONata `Arguments`.
    pub(crate) arguments: Option<Value>,
    /// JSONata `Output`.
    pub(crate) output: Option<Value>,
    pub(crate) retry: Vec<Retrier>,
    pub(crate) catch: Vec<Catcher>,
}

/// A machine: the top level, a Parallel branch or a Map processor.
#[derive(Debug, Clone)]
pub(crate) struct Machine {
    pub(crate) states: Vec<State>,
    pub(crate) start: usize,
}

/// All machines of a definition; machine 0 is the top level.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) machines: Vec<Machine>,
    /// The top-level `TimeoutSeconds`: the run times out when the virtual clock passes it.
    pub(crate) timeout_seconds: Option<f64>,
}

/// Compiles a definition.
pub(crate) fn compile(definition: &Value) -> Result<Plan, DefinitionError> {
    let timeout_seconds =
        match definition.get("TimeoutSeconds") {
            None => None,
            Some(value) => Some(value.as_f64().filter(|seconds| *seconds > 0.0).ok_or_else(
                || DefinitionError::new("/TimeoutSeconds", "must be a positive integer"),
            )?),
        };
    let mut plan = Plan {
        machines: Vec::new(),
        timeout_seconds,
    };
    let language = match definition.get("QueryLanguage").and_then(Value::as_str) {
        Some("JSONata") => Language::Jsonata,
        _ => Language::JsonPath,
    };
    compile_machine(definition, "", language, &mut plan)?;
    Ok(plan)
}

fn compile_machine(
    definition: &Value,
    location: &str,
    language: Language,
    plan: &mut Plan,
) -> Result<usize, DefinitionError> {
    let Some(states) = definition.get("States").and_then(Value::as_object) else {
        return Err(DefinitionError::new(location, "missing 'States' object"));
    };
    let Some(start_at) = definition.get("StartAt").and_then(Value::as_str) else {
        return Err(DefinitionError::new(location, "missing 'StartAt'"));
    };
    let index: NameIndex<'_> = states
        .keys()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i))
        .collect();
    let Some(&start) = index.get(start_at) else {
        return Err(DefinitionError::new(
            format!("{location}/StartAt"),
            format!("StartAt '{start_at}' names no state"),
        ));
    };
    let machine_id = plan.machines.len();
    plan.machines.push(Machine {
        states: Vec::new(),
        start,
    });
    let mut compiled = Vec::with_capacity(states.len());
    // One buffer rewritten per state: formatting a fresh location String for every state was a
    // measurable share of compiling large machines, and it is only read when reporting an error.
    let mut state_location = format!("{location}/States/");
    let prefix_len = state_location.len();
    for (name, body) in states {
        state_location.truncate(prefix_len);
        state_location.push_str(name);
        compiled.push(compile_state(
            name,
            body,
            &state_location,
            language,
            &index,
            plan,
        )?);
    }
    if let Some(machine) = plan.machines.get_mut(machine_id) {
        machine.states = compiled;
    }
    Ok(machine_id)
}

/// State name -> position in its machine. Keyed with FNV rather than SipHash: the names come from the
/// definition being run (no untrusted flooding concern), and hashing every name on every compile showed
/// up in profiles of large machines.
type NameIndex<'a> = HashMap<&'a str, usize, BuildHasherDefault<Fnv>>;

/// FNV-1a, 64-bit: a few instructions per byte for short state names.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A state's member by name. State objects have a handful of members, and a linear scan with early
/// mismatches beats hashing the name (compiling looks up some thirty names per state, on every run).
pub(crate) fn member<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.iter()
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// [`member`] of a value that may not be an object (`Value::get` would hash the name).
pub(crate) fn object_member<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value.as_object().and_then(|body| member(body, name))
}

struct Fields<'a> {
    body: &'a Map<String, Value>,
    location: &'a str,
    index: &'a NameIndex<'a>,
}

impl Fields<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> DefinitionError {
        DefinitionError::new(format!("{}/{field}", self.location), message)
    }

    fn get(&self, field: &str) -> Option<&Value> {
        member(self.body, field)
    }

    fn string(&self, field: &str) -> Result<Option<&str>, DefinitionError> {
        match member(self.body, field) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(self.err(field, "must be a string")),
        }
    }

    fn target(&self, field: &str, name: &str) -> Result<usize, DefinitionError> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| self.err(field, format!("'{name}' names no state in this machine")))
    }

    fn path(&self, field: &str, text: &str) -> Result<Path, DefinitionError> {
        jsonpath::parse(text).map_err(|error| self.err(field, error.to_string()))
    }

    fn path_field(&self, field: &str) -> Result<PathField, DefinitionError> {
        match member(self.body, field) {
            None => Ok(PathField::Whole),
            Some(Value::Null) => Ok(PathField::Null),
            Some(Value::String(text)) => Ok(PathField::Path {
                text: text.clone(),
                path: self.path(field, text)?,
            }),
            Some(_) => Err(self.err(field, "must be a JSONPath string or null")),
        }
    }

    fn result_path(&self, field: &str) -> Result<ResultPathField, DefinitionError> {
        match member(self.body, field) {
            None => Ok(ResultPathField::Replace),
            Some(Value::Null) => Ok(ResultPathField::Discard),
            Some(Value::String(text)) => {
                let path = self.path(field, text)?;
                if !path.is_definite() || path.root != jsonpath::Root::Input {
                    return Err(self.err(field, format!("'{text}' is not a reference path")));
                }
                if path.segments.is_empty() {
                    Ok(ResultPathField::Replace)
                } else {
                    Ok(ResultPathField::Path {
                        text: text.clone(),
                        path,
                    })
                }
            }
            Some(_) => Err(self.err(field, "must be a reference path string or null")),
        }
    }

    fn template(&self, field: &str) -> Result<Option<Template>, DefinitionError> {
        match member(self.body, field) {
            None => Ok(None),
            Some(value) => template::compile(value, &|| format!("{}/{field}", self.location))
                .map(Some)
                .map_err(|message| {
                    DefinitionError::new(format!("{}/{field}", self.location), message)
                }),
        }
    }

    /// `Field` (literal or JSONata) or `FieldPath` (reference path).
    fn dynamic(&self, field: &str, path_field: &str) -> Result<Option<Dynamic>, DefinitionError> {
        if let Some(value) = member(self.body, field) {
            if let Some(expression) = value.as_str().and_then(jsonata_expression) {
                return Ok(Some(Dynamic::Jsonata(expression.to_owned())));
            }
            return Ok(Some(Dynamic::Literal(value.clone())));
        }
        match self.string(path_field)? {
            Some(text) => Ok(Some(Dynamic::Path {
                text: text.to_owned(),
                path: self.path(path_field, text)?,
            })),
            None => Ok(None),
        }
    }
}

/// The expression of a `{% ... %}` string.
pub(crate) fn jsonata_expression(text: &str) -> Option<&str> {
    text.strip_prefix("{%")
        .and_then(|rest| rest.strip_suffix("%}"))
        .map(str::trim)
}

fn compile_state(
    name: &str,
    body: &Value,
    location: &str,
    machine_language: Language,
    index: &NameIndex<'_>,
    plan: &mut Plan,
) -> Result<State, DefinitionError> {
    let Some(body) = body.as_object() else {
        return Err(DefinitionError::new(location, "a state must be an object"));
    };
    let fields = Fields {
        body,
        location,
        index,
    };
    let language = match fields.string("QueryLanguage")? {
        Some("JSONata") => Language::Jsonata,
        Some("JSONPath") => Language::JsonPath,
        Some(other) => {
            return Err(fields.err("QueryLanguage", format!("unknown query language '{other}'")));
        }
        None => machine_language,
    };
    let Some(state_type) = fields.string("Type")? else {
        return Err(fields.err("Type", "missing"));
    };
    let next = match fields.string("Next")? {
        Some(target) => Some(fields.target("Next", target)?),
        None => None,
    };
    let jsonpath_only = language == Language::JsonPath;
    let assign = match member(body, "Assign") {
        None => None,
        Some(value) if jsonpath_only => Some(Assign::JsonPath(
            template::compile(value, &|| format!("{location}/Assign"))
                .map_err(|message| fields.err("Assign", message))?,
        )),
        Some(value) => Some(Assign::Jsonata(value.clone())),
    };
    let kind = match state_type {
        "Pass" => {
            let result = member(body, "Result").cloned();
            let result_size = result
                .as_ref()
                .map_or(0, |value| template::compact(value).len());
            Kind::Pass {
                result,
                result_size,
            }
        }
        "Task" => Kind::Task {
            resource: fields.string("Resource")?.unwrap_or_default().to_owned(),
            timeout: fields.dynamic("TimeoutSeconds", "TimeoutSecondsPath")?,
            heartbeat: fields.dynamic("HeartbeatSeconds", "HeartbeatSecondsPath")?,
        },
        "Choice" => {
            let Some(Value::Array(raw_rules)) = member(body, "Choices") else {
                return Err(fields.err("Choices", "a Choice state needs a 'Choices' array"));
            };
            let mut rules = Vec::with_capacity(raw_rules.len());
            for (position, rule) in raw_rules.iter().enumerate() {
                let rule_location = format!("{location}/Choices/{position}");
                let rule = choice::compile_top(rule, &rule_location, language, &|target: &str| {
                    fields.target(&format!("Choices/{position}/Next"), target)
                })?;
                rules.push(rule);
            }
            let default = match fields.string("Default")? {
                Some(target) => Some(fields.target("Default", target)?),
                None => None,
            };
            Kind::Choice { rules, default }
        }
        "Wait" => {
            if let Some(seconds) = fields.dynamic("Seconds", "SecondsPath")? {
                Kind::Wait(WaitSpec::Seconds(seconds))
            } else if let Some(timestamp) = fields.dynamic("Timestamp", "TimestampPath")? {
                Kind::Wait(WaitSpec::Timestamp(timestamp))
            } else {
                return Err(fields.err(
                    "Seconds",
                    "a Wait state needs Seconds, SecondsPath, Timestamp or TimestampPath",
                ));
            }
        }
        "Succeed" => Kind::Succeed,
        "Fail" => Kind::Fail {
            error: fail_field(&fields, "Error", "ErrorPath")?,
            cause: fail_field(&fields, "Cause", "CausePath")?,
        },
        "Parallel" => {
            let Some(Value::Array(raw_branches)) = member(body, "Branches") else {
                return Err(fields.err("Branches", "a Parallel state needs a 'Branches' array"));
            };
            let mut branches = Vec::with_capacity(raw_branches.len());
            for (position, branch) in raw_branches.iter().enumerate() {
                let branch_language = branch_language(branch, language);
                branches.push(compile_machine(
                    branch,
                    &format!("{location}/Branches/{position}"),
                    branch_language,
                    plan,
                )?);
            }
            Kind::Parallel { branches }
        }
        "Map" => Kind::Map(Box::new(compile_map(&fields, language, plan)?)),
        other => return Err(fields.err("Type", format!("unknown state type '{other}'"))),
    };
    let retry = compile_retry(&fields)?;
    let catch = compile_catch(&fields, language)?;
    Ok(State {
        name: name.to_owned(),
        kind,
        language,
        next,
        input_path: if jsonpath_only {
            fields.path_field("InputPath")?
        } else {
            PathField::Whole
        },
        output_path: if jsonpath_only {
            fields.path_field("OutputPath")?
        } else {
            PathField::Whole
        },
        result_path: if jsonpath_only {
            fields.result_path("ResultPath")?
        } else {
            ResultPathField::Replace
        },
        parameters: if jsonpath_only {
            fields.template("Parameters")?
        } else {
            None
        },
        result_selector: if jsonpath_only {
            fields.template("ResultSelector")?
        } else {
            None
        },
        assign,
        arguments: if jsonpath_only {
            None
        } else {
            member(body, "Arguments").cloned()
        },
        output: if jsonpath_only {
            None
        } else {
            member(body, "Output").cloned()
        },
        retry,
        catch,
    })
}

fn branch_language(branch: &Value, inherited: Language) -> Language {
    match branch.get("QueryLanguage").and_then(Value::as_str) {
        Some("JSONata") => Language::Jsonata,
        Some("JSONPath") => Language::JsonPath,
        _ => inherited,
    }
}

fn fail_field(
    fields: &Fields<'_>,
    field: &str,
    path_field: &str,
) -> Result<FailField, DefinitionError> {
    if let Some(text) = fields.string(field)? {
        if let Some(expression) = jsonata_expression(text) {
            return Ok(FailField::Jsonata(expression.to_owned()));
        }
        return Ok(FailField::Literal(text.to_owned()));
    }
    match fields.string(path_field)? {
        Some(text) => {
            let template =
                template::compile_dynamic(path_field, text, &|| fields.location.to_owned())
                    .map_err(|message| fields.err(path_field, message))?;
            Ok(FailField::Path {
                text: text.to_owned(),
                template,
            })
        }
        None => Ok(FailField::Absent),
    }
}

fn compile_map(
    fields: &Fields<'_>,
    language: Language,
    plan: &mut Plan,
) -> Result<MapSpec, DefinitionError> {
    let body = fields.body;
    let (processor_field, processor) =
        match (member(body, "ItemProcessor"), member(body, "Iterator")) {
            (Some(processor), _) => ("ItemProcessor", processor),
            (None, Some(iterator)) => ("Iterator", iterator),
            (None, None) => {
                return Err(fields.err("ItemProcessor", "a Map state needs an ItemProcessor"));
            }
        };
    let distributed = processor
        .get("ProcessorConfig")
        .and_then(|config| config.get("Mode"))
        .and_then(Value::as_str)
        == Some("DISTRIBUTED");
    let processor_language = branch_language(processor, language);
    let processor = compile_machine(
        processor,
        &format!("{}/{processor_field}", fields.location),
        processor_language,
        plan,
    )?;
    let jsonpath_only = language == Language::JsonPath;
    let item_selector = if jsonpath_only {
        match fields.template("ItemSelector")? {
            Some(selector) => Some(selector),
            None => fields.template("Parameters")?,
        }
    } else {
        None
    };
    let items_path = match (jsonpath_only, fields.get("ItemsPath")) {
        (true, Some(_)) => Some(fields.path_field("ItemsPath")?),
        _ => None,
    };
    let label = fields.string("Label")?.map(str::to_owned);
    Ok(MapSpec {
        processor,
        items_path,
        items: if jsonpath_only {
            None
        } else {
            member(body, "Items").cloned()
        },
        item_selector,
        item_selector_jsonata: if jsonpath_only {
            None
        } else {
            member(body, "ItemSelector").cloned()
        },
        max_concurrency: fields.dynamic("MaxConcurrency", "MaxConcurrencyPath")?,
        distributed,
        tolerated_count: fields.dynamic("ToleratedFailureCount", "ToleratedFailureCountPath")?,
        tolerated_percentage: fields.dynamic(
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
        )?,
        label,
        item_reader: member(body, "ItemReader").cloned(),
    })
}

fn error_list(value: Option<&Value>, location: &str) -> Result<Vec<String>, DefinitionError> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| {
                    DefinitionError::new(location, "ErrorEquals entries must be strings")
                })
            })
            .collect(),
        _ => Err(DefinitionError::new(
            location,
            "ErrorEquals must be a non-empty array of strings",
        )),
    }
}

fn compile_retry(fields: &Fields<'_>) -> Result<Vec<Retrier>, DefinitionError> {
    let Some(raw) = fields.get("Retry") else {
        return Ok(Vec::new());
    };
    let Some(raw) = raw.as_array() else {
        return Err(fields.err("Retry", "must be an array"));
    };
    let mut retriers = Vec::with_capacity(raw.len());
    for (position, retrier) in raw.iter().enumerate() {
        let location = format!("{}/Retry/{position}", fields.location);
        let number = |field: &str| object_member(retrier, field).and_then(Value::as_f64);
        let max_attempts = match object_member(retrier, "MaxAttempts") {
            None => 3,
            Some(value) => value
                .as_u64()
                .and_then(|attempts| u32::try_from(attempts).ok())
                .ok_or_else(|| {
                    DefinitionError::new(&location, "MaxAttempts must be a non-negative integer")
                })?,
        };
        retriers.push(Retrier {
            errors: error_list(object_member(retrier, "ErrorEquals"), &location)?,
            interval_seconds: number("IntervalSeconds").unwrap_or(1.0),
            max_attempts,
            backoff_rate: number("BackoffRate").unwrap_or(2.0),
            max_delay_seconds: number("MaxDelaySeconds"),
            full_jitter: object_member(retrier, "JitterStrategy").and_then(Value::as_str)
                == Some("FULL"),
        });
    }
    Ok(retriers)
}

fn compile_catch(fields: &Fields<'_>, language: Language) -> Result<Vec<Catcher>, DefinitionError> {
    let Some(raw) = fields.get("Catch") else {
        return Ok(Vec::new());
    };
    let Some(raw) = raw.as_array() else {
        return Err(fields.err("Catch", "must be an array"));
    };
    let mut catchers = Vec::with_capacity(raw.len());
    for (position, catcher) in raw.iter().enumerate() {
        let location = format!("{}/Catch/{position}", fields.location);
        let Some(body) = catcher.as_object() else {
            return Err(DefinitionError::new(
                location,
                "a catcher must be an object",
            ));
        };
        let catcher_fields = Fields {
            body,
            location: &location,
            index: fields.index,
        };
        let Some(next) = catcher_fields.string("Next")? else {
            return Err(catcher_fields.err("Next", "a catcher needs 'Next'"));
        };
        let assign = match member(body, "Assign") {
            None => None,
            Some(value) if language == Language::JsonPath => Some(Assign::JsonPath(
                template::compile(value, &|| format!("{location}/Assign"))
                    .map_err(|message| catcher_fields.err("Assign", message))?,
            )),
            Some(value) => Some(Assign::Jsonata(value.clone())),
        };
        catchers.push(Catcher {
            errors: error_list(member(body, "ErrorEquals"), &location)?,
            next: catcher_fields.target("Next", next)?,
            result_path: if language == Language::JsonPath {
                catcher_fields.result_path("ResultPath")?
            } else {
                ResultPathField::Replace
            },
            assign,
            output: if language == Language::Jsonata {
                member(body, "Output").cloned()
            } else {
                None
            },
        });
    }
    Ok(catchers)
}
