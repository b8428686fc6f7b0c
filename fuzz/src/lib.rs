//! Shared pieces of the fuzz targets: a reader that turns fuzzer bytes into choices, a generator
//! of state machines (loops, nested Parallel and Map, Retry and Catch included) and the small
//! documents that embed an expression under test.

use serde_json::{Map, Value, json};

/// Fuzzer bytes read as a sequence of choices; once they run out every choice is 0, so any input
/// decodes to something.
pub struct Choices<'a> {
    data: &'a [u8],
    position: usize,
}

impl<'a> Choices<'a> {
    /// Choices read from `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, position: 0 }
    }

    /// The next byte, 0 once exhausted.
    pub fn byte(&mut self) -> u8 {
        let byte = self.data.get(self.position).copied().unwrap_or(0);
        self.position += 1;
        byte
    }

    /// A number below `bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            usize::from(self.byte()) % bound
        }
    }

    /// Whether the bytes are used up.
    pub fn exhausted(&self) -> bool {
        self.position >= self.data.len()
    }

    /// A short name from a small alphabet, so that generated names collide with existing ones
    /// often enough to exercise the "name taken" paths.
    pub fn name(&mut self) -> String {
        const NAMES: [&str; 8] = ["A", "B", "C", "D", "E", "F", "Loop", "Done"];
        NAMES[self.below(NAMES.len())].to_owned()
    }
}

/// The execution input the generated machines read from.
pub fn input() -> Value {
    json!({"n": 3, "s": "text", "flag": true, "items": [1, 2, 3], "nested": {"a": [{"b": 1}]}})
}

/// A state machine decoded from the choices: up to eight states per machine, transitions to any
/// state (loops included), Parallel branches and Map processors nested up to `depth` levels.
pub fn machine(choices: &mut Choices<'_>, depth: u8) -> Value {
    let count = 1 + choices.below(8);
    let names: Vec<String> = (0..count).map(|i| format!("S{depth}_{i}")).collect();
    let mut states = Map::new();
    for name in &names {
        let state = state(choices, &names, depth);
        states.insert(name.clone(), state);
    }
    json!({"StartAt": names[choices.below(count)], "States": states})
}

fn transition(choices: &mut Choices<'_>, names: &[String], state: &mut Map<String, Value>) {
    if choices.below(4) == 0 {
        state.insert("End".to_owned(), Value::Bool(true));
    } else {
        state.insert(
            "Next".to_owned(),
            Value::String(names[choices.below(names.len())].clone()),
        );
    }
}

fn state(choices: &mut Choices<'_>, names: &[String], depth: u8) -> Value {
    let kinds = if depth < 2 { 9 } else { 7 };
    let mut state = Map::new();
    match choices.below(kinds) {
        0 => {
            state.insert("Type".into(), json!("Pass"));
            match choices.below(4) {
                0 => {
                    state.insert("Result".into(), json!({"n": choices.byte()}));
                }
                1 => {
                    state.insert("ResultPath".into(), json!("$.extra"));
                }
                2 => {
                    state.insert("Parameters".into(), json!({"sum.$": "States.MathAdd($.n, 1)"}));
                }
                _ => {}
            }
            transition(choices, names, &mut state);
        }
        1 => {
            state.insert("Type".into(), json!("Task"));
            state.insert(
                "Resource".into(),
                json!("arn:aws:states:::lambda:invoke"),
            );
            if choices.below(2) == 0 {
                state.insert(
                    "Retry".into(),
                    json!([{"ErrorEquals": ["States.ALL"], "MaxAttempts": choices.below(4), "IntervalSeconds": 1}]),
                );
            }
            if choices.below(2) == 0 {
                state.insert(
                    "Catch".into(),
                    json!([{"ErrorEquals": ["States.ALL"], "Next": names[choices.below(names.len())]}]),
                );
            }
            transition(choices, names, &mut state);
        }
        2 => {
            state.insert("Type".into(), json!("Choice"));
            let rule = match choices.below(4) {
                0 => json!({"Variable": "$.n", "NumericLessThan": choices.byte()}),
                1 => json!({"Variable": "$.s", "StringMatches": "t*"}),
                2 => json!({"Variable": "$.flag", "BooleanEquals": choices.below(2) == 0}),
                _ => json!({"Variable": "$.missing", "IsPresent": true}),
            };
            let mut rule = rule;
            rule["Next"] = json!(names[choices.below(names.len())]);
            state.insert("Choices".into(), json!([rule]));
            state.insert(
                "Default".into(),
                json!(names[choices.below(names.len())]),
            );
        }
        3 => {
            state.insert("Type".into(), json!("Wait"));
            state.insert("Seconds".into(), json!(choices.below(100)));
            transition(choices, names, &mut state);
        }
        4 => {
            state.insert("Type".into(), json!("Succeed"));
        }
        5 => {
            state.insert("Type".into(), json!("Fail"));
            state.insert("Error".into(), json!("Fuzz.Failed"));
        }
        6 => {
            state.insert("Type".into(), json!("Pass"));
            state.insert("QueryLanguage".into(), json!("JSONata"));
            state.insert("Output".into(), json!("{% $states.input %}"));
            state.insert("Assign".into(), json!({"count": "{% $count + 1 %}"}));
            transition(choices, names, &mut state);
        }
        7 => {
            state.insert("Type".into(), json!("Parallel"));
            let branches: Vec<Value> = (0..1 + choices.below(3))
                .map(|_| machine(choices, depth + 1))
                .collect();
            state.insert("Branches".into(), Value::Array(branches));
            transition(choices, names, &mut state);
        }
        _ => {
            state.insert("Type".into(), json!("Map"));
            state.insert("ItemsPath".into(), json!("$.items"));
            state.insert("MaxConcurrency".into(), json!(choices.below(3)));
            state.insert("ItemProcessor".into(), machine(choices, depth + 1));
            transition(choices, names, &mut state);
        }
    }
    Value::Object(state)
}

/// A one-state JSONPath machine whose Pass state applies `field: value` to the input.
pub fn pass_with(field: &str, value: Value) -> Value {
    let mut state = Map::new();
    state.insert("Type".into(), json!("Pass"));
    state.insert(field.to_owned(), value);
    state.insert("End".into(), json!(true));
    json!({"StartAt": "P", "States": {"P": state}})
}
