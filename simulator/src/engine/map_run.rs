//! The engine's side of a Map's newer fields: iteration over a JSON object, an ItemReader's dataset
//! (`Options::item_reader_sources`, read by `map_items`), `MaxItems`, ItemBatcher, and ResultWriter
//! (`result_writer`), called from the run loop at a few places.

use serde_json::{Map, Value, json};

use super::Execution;
use super::containers::Items;
use super::state::{as_integer, raw_text, resolve_dynamic};
use crate::error::Raised;
use crate::expr::JsonataScope;
use crate::map_items::{self, Batching, ReaderConfig};
use crate::plan::{Dynamic, Kind, Language, MapSpec, State};
use crate::result_writer::{self, ChildRun, MapRun};
use crate::template::Scope;

/// What a Map's children get beyond a plain array's elements.
#[derive(Debug, Default)]
pub(super) struct MapShape {
    /// The items are an object's `{"Key", "Value"}` pairs: `$$.Map.Item` has `Key` too.
    pub(super) from_object: bool,
    /// ItemSelector already ran on every item (before batching): children take their input as is.
    pub(super) preselected: bool,
    /// Items in each child's batch (empty when not batched).
    pub(super) batch_sizes: Vec<u64>,
    /// Items before batching.
    pub(super) item_count: usize,
    /// Each child's run, kept for a ResultWriter (`None`: the Map has none).
    pub(super) runs: Option<Vec<Option<ChildRun>>>,
}

impl MapShape {
    /// How many items child `index` stands for: its batch's size, else 1. A failed batch counts
    /// all its items against the tolerated failures.
    pub(super) fn weight(&self, index: usize) -> u64 {
        self.batch_sizes.get(index).copied().unwrap_or(1)
    }

    /// Items the tolerated failure percentage is taken of.
    pub(super) fn item_total(&self, children: usize) -> usize {
        if self.batch_sizes.is_empty() {
            children
        } else {
            self.item_count
        }
    }

    /// Records child `index`'s start (its input and the instant), for a ResultWriter.
    pub(super) fn child_started(&mut self, index: usize, input: &Value, at_millis: i64) {
        if let Some(runs) = &mut self.runs
            && let Some(slot) = runs.get_mut(index)
        {
            *slot = Some(ChildRun {
                input: input.clone(),
                outcome: Ok(Value::Null),
                start_millis: at_millis,
                stop_millis: at_millis,
            });
        }
    }

    /// Records how child `index` ended.
    pub(super) fn child_ended(
        &mut self,
        index: usize,
        outcome: Result<&Value, (Option<String>, Option<String>)>,
        at_millis: i64,
    ) {
        if let Some(runs) = &mut self.runs
            && let Some(Some(run)) = runs.get_mut(index)
        {
            run.outcome = outcome.cloned();
            run.stop_millis = at_millis;
        }
    }
}

/// `$$.Map.Item` for the item at `index`: `Index` and `Value`, and for an object's pair its `Key`
/// with `Value` the pair's value.
pub(super) fn item_context(index: usize, item: &Value, from_object: bool) -> Value {
    if from_object && let Value::Object(pair) = item {
        let mut context = Map::new();
        context.insert("Index".to_owned(), json!(index));
        context.insert(
            "Key".to_owned(),
            pair.get("Key").cloned().unwrap_or(Value::Null),
        );
        context.insert(
            "Value".to_owned(),
            pair.get("Value").cloned().unwrap_or(Value::Null),
        );
        return json!({"Item": Value::Object(context)});
    }
    json!({"Item": {"Index": index, "Value": item}})
}

fn reader_failed(cause: impl Into<String>) -> Raised {
    Raised::plain(
        Some("States.ItemReaderFailed".to_owned()),
        Some(cause.into()),
    )
}

impl Execution {
    /// The items of a Map with an ItemReader: the dataset given for it read as its ReaderConfig
    /// says, at most `MaxItems` of them; `true` when they are an object's pairs.
    pub(super) fn reader_items(
        &self,
        state: &State,
        spec: &MapSpec,
        scope: &Scope<'_>,
        jsonata: Option<&JsonataScope<'_>>,
    ) -> Result<(Vec<Value>, bool), Raised> {
        if let Some(cause) = self.options.item_reader_errors.get(&state.name) {
            return Err(reader_failed(cause.clone()));
        }
        let (items, from_object) = if let Some(source) =
            self.options.item_reader_sources.get(&state.name)
        {
            let reader = spec.item_reader.as_ref().unwrap_or(&Value::Null);
            let config = ReaderConfig::from_item_reader(reader).map_err(reader_failed)?;
            map_items::read_dataset(&config, source).map_err(reader_failed)?
        } else if let Some(items) = self.options.item_reader_items.get(&state.name) {
            (items.clone(), false)
        } else {
            return Err(Raised::runtime(format!(
                "The Map state '{}' reads its items with an ItemReader: give the simulator the items (for example from a local file).",
                state.name
            )));
        };
        let max_items = match &spec.reader_max_items {
            Some(dynamic) => self.positive_setting(dynamic, "MaxItems", scope, jsonata)?,
            None => None,
        };
        Ok((map_items::limit(items, max_items), from_object))
    }

    /// A count setting (`MaxItems`, `MaxItemsPerBatch`, ...) from its literal, path or expression:
    /// a non-negative integer (0: no limit).
    fn positive_setting(
        &self,
        dynamic: &Dynamic,
        field: &str,
        scope: &Scope<'_>,
        jsonata: Option<&JsonataScope<'_>>,
    ) -> Result<Option<u64>, Raised> {
        let value = resolve_dynamic(dynamic, field, scope, jsonata)?;
        match as_integer(&value).and_then(|n| u64::try_from(n).ok()) {
            Some(count) => Ok(Some(count)),
            None => {
                let path = match dynamic {
                    Dynamic::Path { text, .. } => text.as_str(),
                    _ => "",
                };
                Err(Raised::runtime(format!(
                    "The {field}{} field refers to value \"{}\" which is not a valid non-negative integer{}",
                    if path.is_empty() { "" } else { "Path" },
                    raw_text(&value),
                    if path.is_empty() {
                        String::new()
                    } else {
                        format!(": {path}")
                    }
                )))
            }
        }
    }

    /// The Map's items as its children will get them: an object's pairs, and for a Distributed
    /// Map with an ItemBatcher, ItemSelector applied to each item and the results batched.
    /// `input` is what ItemSelector's `$` reads.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn shape_map(
        &self,
        depth: usize,
        state: &State,
        spec: &MapSpec,
        items: Items,
        from_object: bool,
        input: &Value,
        scope: &Scope<'_>,
        jsonata: Option<&JsonataScope<'_>>,
    ) -> Result<(Items, MapShape), Raised> {
        let mut shape = MapShape {
            from_object,
            item_count: items.len(),
            ..MapShape::default()
        };
        let batcher = spec.item_batcher.as_ref().filter(|_| spec.distributed);
        let items = match batcher {
            None => items,
            Some(batcher) => {
                let mut batching = Batching::default();
                if let Some(dynamic) = &batcher.max_items {
                    batching.max_items =
                        self.positive_setting(dynamic, "MaxItemsPerBatch", scope, jsonata)?;
                }
                if let Some(dynamic) = &batcher.max_bytes {
                    batching.max_bytes =
                        self.positive_setting(dynamic, "MaxInputBytesPerBatch", scope, jsonata)?;
                }
                batching.batch_input = match (&batcher.batch_input, &batcher.batch_input_jsonata) {
                    (Some(template), _) => Some(scope.render(template)?),
                    (None, Some(value)) => match jsonata {
                        Some(jsonata) => Some(jsonata.template(value, "BatchInput")?),
                        None => Some(value.clone()),
                    },
                    (None, None) => None,
                };
                let mut items = items;
                let mut selected = Vec::with_capacity(items.len());
                for index in 0..items.len() {
                    let item = items.take(index);
                    selected.push(self.select_item_as(
                        depth,
                        state,
                        input,
                        index,
                        item,
                        from_object,
                    )?);
                }
                let (batches, sizes) = map_items::batch(selected, &batching)
                    .map_err(|problem| Raised::runtime(format!("ItemBatcher: {problem}")))?;
                shape.preselected = true;
                shape.batch_sizes = sizes;
                Items::Owned(batches)
            }
        };
        if spec.distributed && spec.result_writer.is_some() {
            shape.runs = Some(vec![None; items.len()]);
        }
        Ok((items, shape))
    }

    /// ItemSelector on one item (or the item itself when the Map has none).
    pub(super) fn select_item_as(
        &self,
        depth: usize,
        state: &State,
        input: &Value,
        index: usize,
        item: Value,
        from_object: bool,
    ) -> Result<Value, Raised> {
        let Kind::Map(spec) = &state.kind else {
            return Ok(item);
        };
        match state.language {
            Language::JsonPath => match &spec.item_selector {
                Some(selector) => {
                    let make_context =
                        || self.context_value(depth, state, Some((index, &item, from_object)));
                    self.scope(depth, input, &make_context).render(selector)
                }
                None => Ok(item),
            },
            Language::Jsonata => match &spec.item_selector_jsonata {
                Some(selector) => {
                    let scope = self.jsonata_scope(
                        depth,
                        state,
                        input,
                        &[],
                        Some((index, &item, from_object)),
                    );
                    scope.template(selector, "ItemSelector")
                }
                None => Ok(item),
            },
        }
    }

    /// The Map Run of a Distributed Map state, named as AWS names it.
    pub(super) fn map_run(&self, state: &State) -> MapRun {
        let label = match &state.kind {
            Kind::Map(spec) => spec.label.clone().unwrap_or_else(|| state.name.clone()),
            _ => state.name.clone(),
        };
        let (region, account, machine) = (
            &self.options.region,
            &self.options.account,
            &self.options.state_machine_name,
        );
        let id = self.options.execution_name.clone();
        MapRun {
            arn: format!("arn:aws:states:{region}:{account}:mapRun:{machine}/{label}:{id}"),
            child_state_machine_arn: format!(
                "arn:aws:states:{region}:{account}:stateMachine:{machine}/{label}"
            ),
            child_execution_stem: format!(
                "arn:aws:states:{region}:{account}:execution:{machine}/{label}"
            ),
            id,
        }
    }

    /// A finished Distributed Map's result through its ResultWriter: the shaped results, or the
    /// Map Run and manifest it exported (the files kept for the caller). `None` without a writer.
    pub(super) fn write_results(
        &self,
        depth: usize,
        state: &State,
        shape: &MapShape,
    ) -> Result<Option<Value>, Raised> {
        let (Kind::Map(spec), Some(runs)) = (&state.kind, &shape.runs) else {
            return Ok(None);
        };
        let Some(writer) = &spec.result_writer else {
            return Ok(None);
        };
        let input = self.raw_input(depth);
        let arguments = match (&writer.parameters, &writer.arguments) {
            (Some(template), _) => {
                let make_context = || self.context_value(depth, state, None);
                self.scope(depth, &input, &make_context).render(template)?
            }
            (None, Some(arguments)) => self
                .jsonata_scope(depth, state, &input, &[], None)
                .template(arguments, "Arguments")?,
            (None, None) => Value::Null,
        };
        let text = |field: &str| {
            arguments
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let runs: Vec<ChildRun> = runs.iter().flatten().cloned().collect();
        let (result, files) = result_writer::write(
            &writer.spec,
            &runs,
            &self.map_run(state),
            &text("Bucket"),
            &text("Prefix"),
        );
        self.result_files.borrow_mut().extend(files);
        Ok(Some(result))
    }
}
