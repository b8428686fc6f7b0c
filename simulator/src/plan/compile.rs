//! Compiling a definition into a [`Plan`]: each machine's states in order, each state's fields
//! checked and parsed, errors located by JSON pointer.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use graph_model::expr::jsonpath;
use serde_json::{Map, Value};

use super::recent::{Recent, same_spelling};
use super::{
    Assign, BatcherSpec, Catcher, DataPath, Dynamic, FailField, Kind, Language, Machine, MapSpec,
    NamedPath, Plan, ResultPathField, Retrier, State, WaitSpec, WriterPlan,
};
use crate::choice;
use crate::error::DefinitionError;
use crate::fast_hash::FastHash;
use crate::interner::{Cache, member, object_member};
use crate::template::{self, Template};

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
    let cache = Cache::default();
    let recent = RefCell::new(Recent::default());
    compile_machine(definition, "", language, &mut plan, &cache, &recent)?;
    Ok(plan)
}

fn compile_machine<'d>(
    definition: &'d Value,
    location: &str,
    language: Language,
    plan: &mut Plan,
    cache: &Cache<'d>,
    recent: &RefCell<Recent<'d>>,
) -> Result<usize, DefinitionError> {
    let Some(states) = object_member(definition, "States").and_then(Value::as_object) else {
        return Err(DefinitionError::new(location, "missing 'States' object"));
    };
    let Some(start_at) = object_member(definition, "StartAt").and_then(Value::as_str) else {
        return Err(DefinitionError::new(location, "missing 'StartAt'"));
    };
    let mut index = NameIndex::with_capacity_and_hasher(states.len(), FastHash::default());
    index.extend(
        states
            .keys()
            .enumerate()
            .map(|(position, name)| (name.as_str(), position)),
    );
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
        let context = StateContext {
            location: &state_location,
            machine_language: language,
            machine_id,
            index: &index,
            cache,
            recent,
        };
        compiled.push(compile_state(name, body, &context, plan)?);
    }
    if let Some(machine) = plan.machines.get_mut(machine_id) {
        machine.states = compiled;
    }
    Ok(machine_id)
}

/// Where a state is compiled: its location (for errors), its machine, the compile's interner and
/// its memo of the state compiled last.
struct StateContext<'a, 'd> {
    location: &'a str,
    machine_language: Language,
    machine_id: usize,
    index: &'a NameIndex<'d>,
    cache: &'a Cache<'d>,
    recent: &'a RefCell<Recent<'d>>,
}

/// State name -> position in its machine. Keyed with [`WordHasher`](crate::fast_hash::WordHasher) rather than SipHash: the names
/// come from the definition being run (no untrusted flooding concern), and hashing every name on
/// every compile showed up in profiles of large machines.
type NameIndex<'a> = HashMap<&'a str, usize, FastHash>;

/// The members a compiled state reads, collected in one pass over its body (looking some thirty
/// names up one by one cost more than the rest of compiling a simple state).
#[derive(Default)]
struct Members<'d> {
    query_language: Option<&'d Value>,
    state_type: Option<&'d Value>,
    next: Option<&'d Value>,
    assign: Option<&'d Value>,
    result: Option<&'d Value>,
    resource: Option<&'d Value>,
    choices: Option<&'d Value>,
    default: Option<&'d Value>,
    branches: Option<&'d Value>,
    item_processor: Option<&'d Value>,
    iterator: Option<&'d Value>,
    item_selector: Option<&'d Value>,
    items_path: Option<&'d Value>,
    items: Option<&'d Value>,
    label: Option<&'d Value>,
    item_reader: Option<&'d Value>,
    retry: Option<&'d Value>,
    catch: Option<&'d Value>,
    input_path: Option<&'d Value>,
    output_path: Option<&'d Value>,
    result_path: Option<&'d Value>,
    parameters: Option<&'d Value>,
    result_selector: Option<&'d Value>,
    arguments: Option<&'d Value>,
    output: Option<&'d Value>,
    timeout_seconds: Option<&'d Value>,
    timeout_seconds_path: Option<&'d Value>,
    heartbeat_seconds: Option<&'d Value>,
    heartbeat_seconds_path: Option<&'d Value>,
    seconds: Option<&'d Value>,
    seconds_path: Option<&'d Value>,
    timestamp: Option<&'d Value>,
    timestamp_path: Option<&'d Value>,
}

impl<'d> Members<'d> {
    fn collect(body: &'d Map<String, Value>) -> Self {
        let mut members = Self::default();
        for (key, value) in body {
            let slot = match key.as_str() {
                "Type" => &mut members.state_type,
                "Next" => &mut members.next,
                "Parameters" => &mut members.parameters,
                "ResultPath" => &mut members.result_path,
                "ResultSelector" => &mut members.result_selector,
                "Resource" => &mut members.resource,
                "Retry" => &mut members.retry,
                "Catch" => &mut members.catch,
                "Choices" => &mut members.choices,
                "Default" => &mut members.default,
                "InputPath" => &mut members.input_path,
                "OutputPath" => &mut members.output_path,
                "Assign" => &mut members.assign,
                "QueryLanguage" => &mut members.query_language,
                "Result" => &mut members.result,
                "Branches" => &mut members.branches,
                "ItemProcessor" => &mut members.item_processor,
                "Iterator" => &mut members.iterator,
                "ItemSelector" => &mut members.item_selector,
                "ItemsPath" => &mut members.items_path,
                "Items" => &mut members.items,
                "Label" => &mut members.label,
                "ItemReader" => &mut members.item_reader,
                "Arguments" => &mut members.arguments,
                "Output" => &mut members.output,
                "TimeoutSeconds" => &mut members.timeout_seconds,
                "TimeoutSecondsPath" => &mut members.timeout_seconds_path,
                "HeartbeatSeconds" => &mut members.heartbeat_seconds,
                "HeartbeatSecondsPath" => &mut members.heartbeat_seconds_path,
                "Seconds" => &mut members.seconds,
                "SecondsPath" => &mut members.seconds_path,
                "Timestamp" => &mut members.timestamp,
                "TimestampPath" => &mut members.timestamp_path,
                // Read by name where needed (Fail and Map fields).
                _ => continue,
            };
            *slot = Some(value);
        }
        members
    }
}

struct Fields<'a, 'd> {
    body: &'d Map<String, Value>,
    location: &'a str,
    index: &'a NameIndex<'d>,
    cache: &'a Cache<'d>,
    recent: &'a RefCell<Recent<'d>>,
}

impl<'d> Fields<'_, 'd> {
    fn err(&self, field: &str, message: impl Into<String>) -> DefinitionError {
        DefinitionError::new(format!("{}/{field}", self.location), message)
    }

    fn string(&self, field: &str) -> Result<Option<&'d str>, DefinitionError> {
        self.as_string(field, member(self.body, field))
    }

    /// `value` (the member `field`) as a string.
    fn as_string(
        &self,
        field: &str,
        value: Option<&'d Value>,
    ) -> Result<Option<&'d str>, DefinitionError> {
        match value {
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

    fn path(&self, field: &str, text: &'d str) -> Result<Rc<NamedPath>, DefinitionError> {
        self.cache
            .borrow_mut()
            .path(text)
            .map_err(|error| self.err(field, error.to_string()))
    }

    fn data_path(
        &self,
        field: &str,
        value: Option<&'d Value>,
    ) -> Result<DataPath, DefinitionError> {
        match value {
            None => Ok(DataPath::Whole),
            Some(Value::Null) => Ok(DataPath::Null),
            Some(Value::String(text)) => Ok(DataPath::Path(self.path(field, text)?)),
            Some(_) => Err(self.err(field, "must be a JSONPath string or null")),
        }
    }

    fn result_path(
        &self,
        field: &str,
        value: Option<&'d Value>,
    ) -> Result<ResultPathField, DefinitionError> {
        match value {
            None => Ok(ResultPathField::Replace),
            Some(Value::Null) => Ok(ResultPathField::Discard),
            Some(Value::String(raw)) => {
                let path = self.path(field, raw)?;
                if !path.is_definite() || path.root != jsonpath::Root::Input {
                    return Err(self.err(field, format!("'{raw}' is not a reference path")));
                }
                if path.segments.is_empty() {
                    Ok(ResultPathField::Replace)
                } else {
                    Ok(ResultPathField::Path { path })
                }
            }
            Some(_) => Err(self.err(field, "must be a reference path string or null")),
        }
    }

    fn template(
        &self,
        field: &'static str,
        value: Option<&'d Value>,
    ) -> Result<Option<Rc<Template>>, DefinitionError> {
        let Some(value) = value else {
            return Ok(None);
        };
        if let Some(template) = self.recent.borrow().recent_template(field, value) {
            return Ok(Some(template));
        }
        let template = Rc::new(
            template::compile(value, &|| format!("{}/{field}", self.location), self.cache)
                .map_err(|message| {
                    DefinitionError::new(format!("{}/{field}", self.location), message)
                })?,
        );
        self.recent
            .borrow_mut()
            .remember_template(field, value, &template);
        Ok(Some(template))
    }

    /// `Field` (literal or JSONata) or `FieldPath` (reference path).
    fn dynamic(&self, field: &str, path_field: &str) -> Result<Option<Dynamic>, DefinitionError> {
        self.dynamic_of(
            member(self.body, field),
            path_field,
            member(self.body, path_field),
        )
    }

    /// [`Fields::dynamic`] with the two members already looked up.
    fn dynamic_of(
        &self,
        value: Option<&'d Value>,
        path_field: &str,
        path_value: Option<&'d Value>,
    ) -> Result<Option<Dynamic>, DefinitionError> {
        if let Some(value) = value {
            if let Some(expression) = value.as_str().and_then(jsonata_expression) {
                return Ok(Some(Dynamic::Jsonata(expression.to_owned())));
            }
            return Ok(Some(Dynamic::Literal(Box::new(value.clone()))));
        }
        match self.as_string(path_field, path_value)? {
            Some(text) => Ok(Some(Dynamic::Path {
                text: text.to_owned(),
                path: Rc::clone(&self.path(path_field, text)?.path),
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

fn compile_state<'d>(
    name: &str,
    body: &'d Value,
    context: &StateContext<'_, 'd>,
    plan: &mut Plan,
) -> Result<State, DefinitionError> {
    let location = context.location;
    let Some(body) = body.as_object() else {
        return Err(DefinitionError::new(location, "a state must be an object"));
    };
    let fields = Fields {
        body,
        location,
        index: context.index,
        cache: context.cache,
        recent: context.recent,
    };
    let members = Members::collect(body);
    let language = match fields.as_string("QueryLanguage", members.query_language)? {
        Some("JSONata") => Language::Jsonata,
        Some("JSONPath") => Language::JsonPath,
        Some(other) => {
            return Err(fields.err("QueryLanguage", format!("unknown query language '{other}'")));
        }
        None => context.machine_language,
    };
    let Some(state_type) = fields.as_string("Type", members.state_type)? else {
        return Err(fields.err("Type", "missing"));
    };
    let next = match fields.as_string("Next", members.next)? {
        Some(target) => Some(fields.target("Next", target)?),
        None => None,
    };
    let jsonpath_only = language == Language::JsonPath;
    let assign = match members.assign {
        None => None,
        Some(value) if jsonpath_only => Some(Assign::JsonPath(Box::new(
            template::compile(value, &|| format!("{location}/Assign"), context.cache)
                .map_err(|message| fields.err("Assign", message))?,
        ))),
        Some(value) => Some(Assign::Jsonata(Box::new(value.clone()))),
    };
    let kind = match state_type {
        "Pass" => {
            let result = members.result.cloned().map(Box::new);
            let result_size = result
                .as_ref()
                .map_or(0, |value| template::compact(value).len());
            Kind::Pass {
                result,
                result_size,
            }
        }
        "Task" => {
            let resource = fields
                .as_string("Resource", members.resource)?
                .unwrap_or_default();
            // Its own statement: the interner's borrow ends here, before the paths below.
            let resource = context.cache.borrow_mut().text(resource);
            Kind::Task {
                resource,
                timeout: fields.dynamic_of(
                    members.timeout_seconds,
                    "TimeoutSecondsPath",
                    members.timeout_seconds_path,
                )?,
                heartbeat: fields.dynamic_of(
                    members.heartbeat_seconds,
                    "HeartbeatSecondsPath",
                    members.heartbeat_seconds_path,
                )?,
            }
        }
        "Choice" => {
            let Some(Value::Array(raw_rules)) = members.choices else {
                return Err(fields.err("Choices", "a Choice state needs a 'Choices' array"));
            };
            let mut rules = Vec::with_capacity(raw_rules.len());
            for (position, rule) in raw_rules.iter().enumerate() {
                let rule = choice::compile_top(
                    rule,
                    &|| format!("{location}/Choices/{position}"),
                    language,
                    &|target: &str| {
                        fields.index.get(target).copied().ok_or_else(|| {
                            fields.err(
                                &format!("Choices/{position}/Next"),
                                format!("'{target}' names no state in this machine"),
                            )
                        })
                    },
                    context.cache,
                )?;
                rules.push(rule);
            }
            let default = match fields.as_string("Default", members.default)? {
                Some(target) => Some(fields.target("Default", target)?),
                None => None,
            };
            Kind::Choice { rules, default }
        }
        "Wait" => {
            if let Some(seconds) =
                fields.dynamic_of(members.seconds, "SecondsPath", members.seconds_path)?
            {
                Kind::Wait(WaitSpec::Seconds(seconds))
            } else if let Some(timestamp) =
                fields.dynamic_of(members.timestamp, "TimestampPath", members.timestamp_path)?
            {
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
            let Some(Value::Array(raw_branches)) = members.branches else {
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
                    context.cache,
                    context.recent,
                )?);
            }
            Kind::Parallel { branches }
        }
        "Map" => Kind::Map(Box::new(compile_map(&fields, &members, language, plan)?)),
        other => return Err(fields.err("Type", format!("unknown state type '{other}'"))),
    };
    let retry = compile_retry(&fields, members.retry)?;
    let catch = compile_catch(&fields, members.catch, language, context.machine_id)?;
    Ok(State {
        name: name.to_owned(),
        kind,
        language,
        next,
        input_path: if jsonpath_only {
            fields.data_path("InputPath", members.input_path)?
        } else {
            DataPath::Whole
        },
        output_path: if jsonpath_only {
            fields.data_path("OutputPath", members.output_path)?
        } else {
            DataPath::Whole
        },
        result_path: if jsonpath_only {
            fields.result_path("ResultPath", members.result_path)?
        } else {
            ResultPathField::Replace
        },
        parameters: if jsonpath_only {
            fields.template("Parameters", members.parameters)?
        } else {
            None
        },
        result_selector: if jsonpath_only {
            fields.template("ResultSelector", members.result_selector)?
        } else {
            None
        },
        assign,
        arguments: if jsonpath_only {
            None
        } else {
            members.arguments.cloned().map(Box::new)
        },
        output: if jsonpath_only {
            None
        } else {
            members.output.cloned().map(Box::new)
        },
        retry,
        catch,
    })
}

fn branch_language(branch: &Value, inherited: Language) -> Language {
    match object_member(branch, "QueryLanguage").and_then(Value::as_str) {
        Some("JSONata") => Language::Jsonata,
        Some("JSONPath") => Language::JsonPath,
        _ => inherited,
    }
}

fn fail_field(
    fields: &Fields<'_, '_>,
    field: &str,
    path_field: &'static str,
) -> Result<FailField, DefinitionError> {
    if let Some(text) = fields.string(field)? {
        if let Some(expression) = jsonata_expression(text) {
            return Ok(FailField::Jsonata(expression.to_owned()));
        }
        return Ok(FailField::Literal(text.to_owned()));
    }
    match fields.string(path_field)? {
        Some(text) => {
            let template = template::compile_dynamic(
                path_field,
                text,
                &|| fields.location.to_owned(),
                fields.cache,
            )
            .map_err(|message| fields.err(path_field, message))?;
            Ok(FailField::Path {
                text: text.to_owned(),
                template: Box::new(template),
            })
        }
        None => Ok(FailField::Absent),
    }
}

fn compile_map<'d>(
    fields: &Fields<'_, 'd>,
    members: &Members<'d>,
    language: Language,
    plan: &mut Plan,
) -> Result<MapSpec, DefinitionError> {
    let (processor_field, processor) = match (members.item_processor, members.iterator) {
        (Some(processor), _) => ("ItemProcessor", processor),
        (None, Some(iterator)) => ("Iterator", iterator),
        (None, None) => {
            return Err(fields.err("ItemProcessor", "a Map state needs an ItemProcessor"));
        }
    };
    let distributed = object_member(processor, "ProcessorConfig")
        .and_then(|config| object_member(config, "Mode"))
        .and_then(Value::as_str)
        == Some("DISTRIBUTED");
    let processor_language = branch_language(processor, language);
    let processor = compile_machine(
        processor,
        &format!("{}/{processor_field}", fields.location),
        processor_language,
        plan,
        fields.cache,
        fields.recent,
    )?;
    let jsonpath_only = language == Language::JsonPath;
    let item_selector = if jsonpath_only {
        match fields.template("ItemSelector", members.item_selector)? {
            Some(selector) => Some(selector),
            None => fields.template("Parameters", members.parameters)?,
        }
    } else {
        None
    };
    let items_path = match (jsonpath_only, members.items_path) {
        (true, Some(value)) => Some(fields.data_path("ItemsPath", Some(value))?),
        _ => None,
    };
    let label = fields.as_string("Label", members.label)?.map(str::to_owned);
    Ok(MapSpec {
        processor,
        items_path,
        items: if jsonpath_only {
            None
        } else {
            members.items.cloned()
        },
        item_selector,
        item_selector_jsonata: if jsonpath_only {
            None
        } else {
            members.item_selector.cloned()
        },
        max_concurrency: fields.dynamic("MaxConcurrency", "MaxConcurrencyPath")?,
        distributed,
        tolerated_count: fields.dynamic("ToleratedFailureCount", "ToleratedFailureCountPath")?,
        tolerated_percentage: fields.dynamic(
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
        )?,
        label,
        item_reader: members.item_reader.cloned(),
        reader_max_items: match members.item_reader.and_then(Value::as_object) {
            Some(reader) => nested(fields, reader, "ItemReader", |reader| {
                let config = member(reader.body, "ReaderConfig").and_then(Value::as_object);
                match config {
                    Some(config) => nested(reader, config, "ReaderConfig", |config| {
                        config.dynamic("MaxItems", "MaxItemsPath")
                    }),
                    None => Ok(None),
                }
            })?,
            None => None,
        },
        item_batcher: match member(fields.body, "ItemBatcher") {
            Some(Value::Object(batcher)) => Some(Box::new(nested(
                fields,
                batcher,
                "ItemBatcher",
                |batcher| {
                    let batch_input = member(batcher.body, "BatchInput");
                    Ok(BatcherSpec {
                        max_items: batcher.dynamic("MaxItemsPerBatch", "MaxItemsPerBatchPath")?,
                        max_bytes: batcher
                            .dynamic("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")?,
                        batch_input: if jsonpath_only {
                            batcher.template("BatchInput", batch_input)?
                        } else {
                            None
                        },
                        batch_input_jsonata: batch_input.filter(|_| !jsonpath_only).cloned(),
                    })
                },
            )?)),
            Some(_) => return Err(fields.err("ItemBatcher", "must be an object")),
            None => None,
        },
        result_writer: match member(fields.body, "ResultWriter") {
            Some(writer @ Value::Object(body)) => {
                let spec = crate::result_writer::WriterSpec::from_value(writer)
                    .map_err(|message| fields.err("ResultWriter", message))?;
                Some(Box::new(nested(fields, body, "ResultWriter", |writer| {
                    Ok(WriterPlan {
                        spec,
                        parameters: if jsonpath_only {
                            writer.template("Parameters", member(writer.body, "Parameters"))?
                        } else {
                            None
                        },
                        arguments: member(writer.body, "Arguments")
                            .filter(|_| !jsonpath_only)
                            .cloned(),
                    })
                })?))
            }
            Some(_) => return Err(fields.err("ResultWriter", "must be an object")),
            None => None,
        },
    })
}

/// Runs `read` on the fields of `body`, the object member `field` of `outer`'s state, so that its
/// errors name `<state>/<field>/<member>`.
fn nested<'d, T>(
    outer: &Fields<'_, 'd>,
    body: &'d Map<String, Value>,
    field: &str,
    read: impl FnOnce(&Fields<'_, 'd>) -> Result<T, DefinitionError>,
) -> Result<T, DefinitionError> {
    let location = format!("{}/{field}", outer.location);
    read(&Fields {
        body,
        location: &location,
        index: outer.index,
        cache: outer.cache,
        recent: outer.recent,
    })
}

fn error_list<'d>(
    value: Option<&'d Value>,
    location: &dyn Fn() -> String,
    cache: &Cache<'d>,
) -> Result<Vec<Rc<str>>, DefinitionError> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(name) => Ok(cache.borrow_mut().text(name)),
                _ => Err(DefinitionError::new(
                    location(),
                    "ErrorEquals entries must be strings",
                )),
            })
            .collect(),
        _ => Err(DefinitionError::new(
            location(),
            "ErrorEquals must be a non-empty array of strings",
        )),
    }
}

fn compile_retry<'d>(
    fields: &Fields<'_, 'd>,
    raw: Option<&'d Value>,
) -> Result<Rc<[Retrier]>, DefinitionError> {
    let Some(raw_value) = raw else {
        return Ok(Rc::from([]));
    };
    let Some(raw) = raw_value.as_array() else {
        return Err(fields.err("Retry", "must be an array"));
    };
    if let Some((previous, retriers)) = &fields.recent.borrow().retry
        && same_spelling(previous, raw_value)
    {
        return Ok(Rc::clone(retriers));
    }
    let mut retriers = Vec::with_capacity(raw.len());
    for (position, retrier) in raw.iter().enumerate() {
        let location = || format!("{}/Retry/{position}", fields.location);
        let number = |field: &str| object_member(retrier, field).and_then(Value::as_f64);
        let max_attempts = match object_member(retrier, "MaxAttempts") {
            None => 3,
            // `3.0` and `3e0` are integers too: `check` accepts any integral value (JSON
            // Schema's integer), so a run must not refuse what the check let through.
            Some(value) => value
                .as_u64()
                .or_else(|| {
                    value
                        .as_f64()
                        .filter(|attempts| attempts.fract() == 0.0 && *attempts >= 0.0)
                        .map(|attempts| attempts.min(f64::from(u32::MAX)) as u64)
                })
                .and_then(|attempts| u32::try_from(attempts).ok())
                .ok_or_else(|| {
                    DefinitionError::new(location(), "MaxAttempts must be a non-negative integer")
                })?,
        };
        retriers.push(Retrier {
            errors: error_list(
                object_member(retrier, "ErrorEquals"),
                &location,
                fields.cache,
            )?,
            interval_seconds: number("IntervalSeconds").unwrap_or(1.0),
            max_attempts,
            backoff_rate: number("BackoffRate").unwrap_or(2.0),
            max_delay_seconds: number("MaxDelaySeconds"),
            full_jitter: object_member(retrier, "JitterStrategy").and_then(Value::as_str)
                == Some("FULL"),
        });
    }
    let retriers: Rc<[Retrier]> = Rc::from(retriers);
    fields.recent.borrow_mut().retry = Some((raw_value, Rc::clone(&retriers)));
    Ok(retriers)
}

fn compile_catch<'d>(
    fields: &Fields<'_, 'd>,
    raw: Option<&'d Value>,
    language: Language,
    machine_id: usize,
) -> Result<Rc<[Catcher]>, DefinitionError> {
    let Some(raw_value) = raw else {
        return Ok(Rc::from([]));
    };
    let Some(raw) = raw_value.as_array() else {
        return Err(fields.err("Catch", "must be an array"));
    };
    if let Some((machine, previous_language, previous, catchers)) = &fields.recent.borrow().catch
        && *machine == machine_id
        && *previous_language == language
        && same_spelling(previous, raw_value)
    {
        return Ok(Rc::clone(catchers));
    }
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
            cache: fields.cache,
            recent: fields.recent,
        };
        let Some(next) = catcher_fields.string("Next")? else {
            return Err(catcher_fields.err("Next", "a catcher needs 'Next'"));
        };
        let assign = match member(body, "Assign") {
            None => None,
            Some(value) if language == Language::JsonPath => Some(Assign::JsonPath(Box::new(
                template::compile(value, &|| format!("{location}/Assign"), fields.cache)
                    .map_err(|message| catcher_fields.err("Assign", message))?,
            ))),
            Some(value) => Some(Assign::Jsonata(Box::new(value.clone()))),
        };
        catchers.push(Catcher {
            errors: error_list(
                member(body, "ErrorEquals"),
                &|| location.clone(),
                fields.cache,
            )?,
            next: catcher_fields.target("Next", next)?,
            result_path: if language == Language::JsonPath {
                catcher_fields.result_path("ResultPath", member(body, "ResultPath"))?
            } else {
                ResultPathField::Replace
            },
            assign,
            output: if language == Language::Jsonata {
                member(body, "Output").cloned().map(Box::new)
            } else {
                None
            },
        });
    }
    let catchers: Rc<[Catcher]> = Rc::from(catchers);
    fields.recent.borrow_mut().catch =
        Some((machine_id, language, raw_value, Rc::clone(&catchers)));
    Ok(catchers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn generated(states: &str) -> Result<Value, String> {
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/bench/gen_asl.py");
        let output = std::process::Command::new("python3")
            .arg(script)
            .args([states, "--depth", "0"])
            .output()
            .map_err(|error| error.to_string())?;
        serde_json::from_slice(&output.stdout).map_err(|error| error.to_string())
    }

    #[test]
    fn repeated_paths_retry_lists_and_selectors_are_compiled_once() -> Result<(), String> {
        let definition = generated("200")?;
        let plan = compile(&definition).map_err(|error| error.to_string())?;
        let states = &plan.machines.first().ok_or("no machine")?.states;
        let tasks: Vec<&State> = states
            .iter()
            .filter(|state| matches!(state.kind, Kind::Task { .. }))
            .collect();
        let (Some(first), Some(last)) = (tasks.first(), tasks.last()) else {
            return Err("no Task states".to_owned());
        };
        assert!(!first.retry.is_empty());
        assert!(Rc::ptr_eq(&first.retry, &last.retry));
        let (Some(first_selector), Some(last_selector)) =
            (&first.result_selector, &last.result_selector)
        else {
            return Err("Tasks without ResultSelector".to_owned());
        };
        assert!(Rc::ptr_eq(first_selector, last_selector));
        let choice_variables: Vec<Rc<NamedPath>> = states
            .iter()
            .filter_map(|state| match &state.kind {
                Kind::Choice { rules, .. } => {
                    rules.first().and_then(|rule| match &rule.condition {
                        crate::choice::Condition::Test { variable, .. } => {
                            Some(Rc::clone(variable))
                        }
                        _ => None,
                    })
                }
                _ => None,
            })
            .collect();
        assert!(choice_variables.len() > 1);
        assert!(
            choice_variables
                .windows(2)
                .all(|pair| Rc::ptr_eq(&pair[0], &pair[1]))
        );
        Ok(())
    }

    #[test]
    fn a_bad_path_in_the_last_state_is_reported_up_front() -> Result<(), String> {
        let mut definition = generated("120")?;
        let states = definition
            .get_mut("States")
            .and_then(Value::as_object_mut)
            .ok_or("no States")?;
        let last_pass = states
            .iter()
            .rev()
            .find(|(_, state)| state.get("Type") == Some(&json!("Pass")))
            .map(|(name, _)| name.clone())
            .ok_or("no Pass state")?;
        states.insert(
            last_pass.clone(),
            json!({"Type": "Pass", "InputPath": "$.ok", "OutputPath": "$.a[", "End": true}),
        );
        let error = compile(&definition).err().ok_or("compiled a bad path")?;
        let text = error.to_string();
        assert!(
            text.contains(&format!("/States/{last_pass}/OutputPath")),
            "{text}"
        );
        Ok(())
    }

    #[test]
    fn task_timing_paths_compile_beside_an_interned_resource() -> Result<(), String> {
        let definition = json!({"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "TimeoutSecondsPath": "$.timeout", "HeartbeatSecondsPath": "$.beat",
            "ResultPath": "$.timeout", "End": true}}});
        let plan = compile(&definition).map_err(|error| error.to_string())?;
        let state = plan
            .machines
            .first()
            .and_then(|machine| machine.states.first())
            .ok_or("no state")?;
        let Kind::Task {
            resource,
            timeout: Some(Dynamic::Path { text, .. }),
            heartbeat: Some(Dynamic::Path { .. }),
        } = &state.kind
        else {
            return Err(format!("unexpected kind {:?}", state.kind));
        };
        assert_eq!(&**resource, "arn:aws:states:::lambda:invoke");
        assert_eq!(text, "$.timeout");
        Ok(())
    }
}
