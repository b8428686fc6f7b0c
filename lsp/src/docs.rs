//! What the main ASL fields mean, which fields each state type takes, and the intrinsic
//! functions: the words hover and completion offer. Wording follows the ASL specification and the
//! Step Functions developer guide.

/// A field: its name, what it means, and its allowed values when they are enumerated.
pub struct FieldDoc {
    /// The member name.
    pub name: &'static str,
    /// One or two sentences.
    pub meaning: &'static str,
    /// The values it may take, when there is a fixed set.
    pub values: &'static [&'static str],
}

const fn field(
    name: &'static str,
    meaning: &'static str,
    values: &'static [&'static str],
) -> FieldDoc {
    FieldDoc {
        name,
        meaning,
        values,
    }
}

/// The state types.
pub const STATE_TYPES: &[&str] = &[
    "Task", "Pass", "Choice", "Wait", "Parallel", "Map", "Succeed", "Fail",
];

/// The main ASL fields.
pub const FIELDS: &[FieldDoc] = &[
    field(
        "StartAt",
        "The name of the state the machine (or branch, or Map processor) starts with.",
        &[],
    ),
    field(
        "States",
        "The states, an object whose keys are the state names.",
        &[],
    ),
    field(
        "Comment",
        "A human-readable description; Step Functions ignores it.",
        &[],
    ),
    field("Type", "The state's type.", STATE_TYPES),
    field(
        "Next",
        "The name of the state to run after this one. A state has either `Next` or `End`.",
        &[],
    ),
    field(
        "End",
        "`true` ends the execution (or branch) after this state. A state has either `Next` or `End`.",
        &["true"],
    ),
    field(
        "QueryLanguage",
        "How paths and expressions are written: JSONPath (the default) or JSONata.",
        &["JSONPath", "JSONata"],
    ),
    field(
        "InputPath",
        "JSONPath: selects the part of the state input the state works on.",
        &[],
    ),
    field(
        "OutputPath",
        "JSONPath: selects the part of the result passed on as the state output.",
        &[],
    ),
    field(
        "ResultPath",
        "JSONPath: where in the input the result is written (`null` discards it).",
        &[],
    ),
    field(
        "Parameters",
        "JSONPath: the input given to the task, Map iteration or Pass result; keys ending in `.$` are paths or intrinsic functions.",
        &[],
    ),
    field(
        "ResultSelector",
        "JSONPath: builds a new result from the task's raw result before ResultPath applies.",
        &[],
    ),
    field(
        "Arguments",
        "JSONata: the input given to the task or Map iteration; `{% ... %}` strings are JSONata expressions.",
        &[],
    ),
    field(
        "Output",
        "JSONata: the state's output, replacing the default (the result).",
        &[],
    ),
    field(
        "Assign",
        "Variables to set when the state completes; later states read them as `$name`.",
        &[],
    ),
    field(
        "Resource",
        "The Task's integration: a Lambda or activity ARN, or `arn:aws:states:::service:action` with an optional `.sync` or `.waitForTaskToken` pattern.",
        &[],
    ),
    field(
        "TimeoutSeconds",
        "The most a Task (or the machine) may run before failing with States.Timeout.",
        &[],
    ),
    field(
        "HeartbeatSeconds",
        "The most time between heartbeats of a Task before it fails with States.Timeout.",
        &[],
    ),
    field(
        "Retry",
        "Retriers: which errors to retry (`ErrorEquals`), how often (`MaxAttempts`), with which backoff (`IntervalSeconds`, `BackoffRate`, `MaxDelaySeconds`, `JitterStrategy`).",
        &[],
    ),
    field(
        "Catch",
        "Catchers: which errors to catch (`ErrorEquals`) and the state to go to (`Next`).",
        &[],
    ),
    field(
        "ErrorEquals",
        "The error names a retrier or catcher matches; `States.ALL` matches any.",
        &[
            "States.ALL",
            "States.Timeout",
            "States.TaskFailed",
            "States.Permissions",
        ],
    ),
    field(
        "Choices",
        "The Choice rules, tried in order; the first that matches names the `Next` state.",
        &[],
    ),
    field(
        "Default",
        "The state a Choice goes to when no rule matches (without it, States.NoChoiceMatched).",
        &[],
    ),
    field(
        "Condition",
        "JSONata: a Choice rule's boolean expression.",
        &[],
    ),
    field(
        "Variable",
        "JSONPath: the value a Choice rule compares.",
        &[],
    ),
    field("Seconds", "A Wait's duration, in seconds.", &[]),
    field(
        "Timestamp",
        "A Wait's end time, an ISO 8601 timestamp.",
        &[],
    ),
    field(
        "SecondsPath",
        "JSONPath: where a Wait reads its duration.",
        &[],
    ),
    field(
        "TimestampPath",
        "JSONPath: where a Wait reads its end time.",
        &[],
    ),
    field(
        "Branches",
        "A Parallel's branches: each a machine with its own StartAt and States, run at the same time.",
        &[],
    ),
    field(
        "ItemProcessor",
        "A Map's processor: the machine run for each item, with ProcessorConfig.",
        &[],
    ),
    field(
        "Iterator",
        "The older name of ItemProcessor (a Map's per-item machine).",
        &[],
    ),
    field(
        "ProcessorConfig",
        "A Map's mode: `INLINE` (in this execution) or `DISTRIBUTED` (child executions), and their ExecutionType.",
        &["INLINE", "DISTRIBUTED"],
    ),
    field(
        "ItemsPath",
        "JSONPath: where a Map reads its array of items.",
        &[],
    ),
    field(
        "Items",
        "JSONata: the array of items a Map iterates over.",
        &[],
    ),
    field(
        "ItemSelector",
        "Builds each Map iteration's input from the item and the context.",
        &[],
    ),
    field(
        "ItemReader",
        "A distributed Map's item source: an S3 object, CSV or JSON file, or S3 listing.",
        &[],
    ),
    field(
        "ResultWriter",
        "Where a distributed Map writes its results in S3.",
        &[],
    ),
    field(
        "ReaderConfig",
        "ItemReader: how to read the dataset (InputType, CSV headers and delimiter, MaxItems, ManifestType, ItemsPointer).",
        &[],
    ),
    field(
        "InputType",
        "ReaderConfig: the dataset's format.",
        &["CSV", "JSON", "JSONL", "PARQUET", "MANIFEST"],
    ),
    field(
        "CSVHeaderLocation",
        "ReaderConfig: the column names are the file's first row, or given in CSVHeaders.",
        &["FIRST_ROW", "GIVEN"],
    ),
    field(
        "CSVHeaders",
        "ReaderConfig: the column names, when CSVHeaderLocation is GIVEN.",
        &[],
    ),
    field(
        "CSVDelimiter",
        "ReaderConfig: the character between CSV fields (COMMA by default).",
        &["COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"],
    ),
    field(
        "MaxItems",
        "ReaderConfig: read at most this many items (up to 100,000,000).",
        &[],
    ),
    field(
        "ManifestType",
        "ReaderConfig: the manifest is an Athena UNLOAD manifest or an S3 Inventory manifest.",
        &["ATHENA_DATA", "S3_INVENTORY"],
    ),
    field(
        "ItemsPointer",
        "ReaderConfig: a JSON Pointer to the array of items inside a JSON file (e.g. /data/items).",
        &[],
    ),
    field(
        "WriterConfig",
        "ResultWriter: the shape of the results written (OutputType, Transformation).",
        &[],
    ),
    field(
        "OutputType",
        "WriterConfig: write the results as one JSON array or as JSON Lines.",
        &["JSON", "JSONL"],
    ),
    field(
        "Transformation",
        "WriterConfig: each child result as it is (NONE), only its output (COMPACT), or flattened (FLATTEN).",
        &["NONE", "COMPACT", "FLATTEN"],
    ),
    field(
        "Label",
        "A distributed Map's label, part of its Map Run's name: at most 40 characters, unique in the definition.",
        &[],
    ),
    field(
        "JitterStrategy",
        "Retry: FULL randomizes each wait between 0 and the computed interval; NONE (the default) does not.",
        &["FULL", "NONE"],
    ),
    field(
        "MaxDelaySeconds",
        "Retry: the longest a retry waits, however large the backoff grows.",
        &[],
    ),
    field(
        "MaxConcurrency",
        "How many Map iterations may run at once (0: as many as possible).",
        &[],
    ),
    field(
        "ToleratedFailurePercentage",
        "The percentage of failed items a distributed Map tolerates.",
        &[],
    ),
    field(
        "ToleratedFailureCount",
        "The number of failed items a distributed Map tolerates.",
        &[],
    ),
    field("Result", "A Pass state's fixed result.", &[]),
    field("Error", "A Fail state's error name.", &[]),
    field(
        "Cause",
        "A Fail state's cause, a human-readable message.",
        &[],
    ),
    field(
        "Credentials",
        "A role for the Task to assume (cross-account tasks).",
        &[],
    ),
    field("Version", "The ASL version; only \"1.0\" exists.", &["1.0"]),
];

/// Fields every state type takes.
const COMMON: &[&str] = &[
    "Type",
    "Comment",
    "QueryLanguage",
    "InputPath",
    "OutputPath",
];

/// How a state that does not end the machine by itself goes on.
const TRANSITION: &[&str] = &["Next", "End"];

/// The input given to a Task or Parallel (JSONPath and JSONata).
const INPUT: &[&str] = &["Parameters", "Arguments"];

/// What a state that produces a result keeps of it and where (JSONPath and JSONata).
const RESULT: &[&str] = &["ResultPath", "ResultSelector", "Output", "Assign"];

/// Error handling of the states that run work.
const ERRORS: &[&str] = &["Retry", "Catch"];

/// The fields a state of `type_name` may have, in the order they are offered.
pub fn fields_for(type_name: &str) -> Vec<&'static str> {
    let groups: &[&[&str]] = match type_name {
        "Task" => &[
            COMMON,
            &["Resource"],
            TRANSITION,
            INPUT,
            RESULT,
            ERRORS,
            &[
                "TimeoutSeconds",
                "TimeoutSecondsPath",
                "HeartbeatSeconds",
                "HeartbeatSecondsPath",
                "Credentials",
            ],
        ],
        "Pass" => &[
            COMMON,
            TRANSITION,
            &["Parameters", "ResultPath", "Result", "Output", "Assign"],
        ],
        "Choice" => &[COMMON, &["Choices", "Default", "Output", "Assign"]],
        "Wait" => &[
            COMMON,
            TRANSITION,
            &[
                "Seconds",
                "Timestamp",
                "SecondsPath",
                "TimestampPath",
                "Output",
                "Assign",
            ],
        ],
        "Parallel" => &[COMMON, &["Branches"], TRANSITION, INPUT, RESULT, ERRORS],
        "Map" => &[
            COMMON,
            &[
                "ItemProcessor",
                "ItemsPath",
                "Items",
                "ItemSelector",
                "ItemReader",
                "ResultWriter",
                "ItemBatcher",
                "MaxConcurrency",
                "MaxConcurrencyPath",
                "ToleratedFailurePercentage",
                "ToleratedFailureCount",
                "Label",
            ],
            TRANSITION,
            RESULT,
            ERRORS,
        ],
        "Succeed" => &[COMMON, &["Output"]],
        // A Fail state has no input or output to select.
        "Fail" => &[&[
            "Type",
            "Comment",
            "Error",
            "Cause",
            "ErrorPath",
            "CausePath",
            "QueryLanguage",
        ]],
        _ => &[&["Type", "Comment"]],
    };
    groups
        .iter()
        .flat_map(|group| group.iter().copied())
        .collect()
}

/// The intrinsic functions of JSONPath states.
pub const INTRINSICS: &[(&str, &str)] = &[
    (
        "States.Format",
        "States.Format('template {}', arg, ...): a string with `{}` replaced by the arguments.",
    ),
    (
        "States.StringToJson",
        "States.StringToJson(string): parses a JSON string.",
    ),
    (
        "States.JsonToString",
        "States.JsonToString(value): serialises a value as JSON text.",
    ),
    (
        "States.Array",
        "States.Array(arg, ...): an array of the arguments.",
    ),
    (
        "States.ArrayPartition",
        "States.ArrayPartition(array, size): chunks of at most `size` elements.",
    ),
    (
        "States.ArrayContains",
        "States.ArrayContains(array, value): whether the array holds the value.",
    ),
    (
        "States.ArrayRange",
        "States.ArrayRange(first, last, step): the numbers from first to last.",
    ),
    (
        "States.ArrayGetItem",
        "States.ArrayGetItem(array, index): the element at the index.",
    ),
    (
        "States.ArrayLength",
        "States.ArrayLength(array): the number of elements.",
    ),
    (
        "States.ArrayUnique",
        "States.ArrayUnique(array): the array without duplicates.",
    ),
    (
        "States.Base64Encode",
        "States.Base64Encode(string): Base64 of the string.",
    ),
    (
        "States.Base64Decode",
        "States.Base64Decode(string): the string a Base64 text encodes.",
    ),
    (
        "States.Hash",
        "States.Hash(data, algorithm): MD5, SHA-1, SHA-256, SHA-384 or SHA-512 in hex.",
    ),
    (
        "States.JsonMerge",
        "States.JsonMerge(a, b, false): b's members merged over a's (shallow).",
    ),
    (
        "States.MathRandom",
        "States.MathRandom(start, end[, seed]): a random integer in [start, end).",
    ),
    ("States.MathAdd", "States.MathAdd(a, b): the sum."),
    (
        "States.StringSplit",
        "States.StringSplit(string, separators): the parts.",
    ),
    ("States.UUID", "States.UUID(): a version 4 UUID."),
];

/// The documentation of a field.
pub fn field_doc(name: &str) -> Option<&'static FieldDoc> {
    FIELDS.iter().find(|doc| doc.name == name)
}

/// The JSONata functions Step Functions adds to JSONata's own, inside `{% %}`.
pub const JSONATA_FUNCTIONS: &[(&str, &str)] = &[
    (
        "$partition",
        "$partition(array, size): chunks of at most `size` elements (States.ArrayPartition).",
    ),
    (
        "$range",
        "$range(start, end, step): the numbers from start to end, both included (States.ArrayRange).",
    ),
    (
        "$hash",
        "$hash(data, algorithm): MD5, SHA-1, SHA-256, SHA-384 or SHA-512 in hex (States.Hash).",
    ),
    (
        "$random",
        "$random([seed]): a random number in [0, 1); the same seed gives the same number.",
    ),
    ("$uuid", "$uuid(): a version 4 UUID (States.UUID)."),
    (
        "$parse",
        "$parse(jsonString): the value a JSON string holds (JSONata's $eval is not available).",
    ),
];

/// The members of the reserved `$states` variable in a JSONata state.
pub const STATES_MEMBERS: &[(&str, &str)] = &[
    ("input", "The state's input, as the state received it."),
    (
        "result",
        "The result of the Task, Parallel or Map (in Output and Assign, when it succeeded).",
    ),
    (
        "errorOutput",
        "The error output: in a Catch's Output and Assign, `{\"Error\", \"Cause\"}`.",
    ),
    (
        "context",
        "The Context object: Execution, State, StateMachine, Task (Token) and Map (Item) details.",
    ),
];

/// The Context object's fields: `$$.` in JSONPath, `$states.context.` in JSONata.
pub const CONTEXT_FIELDS: &[(&str, &str)] = &[
    ("Execution.Id", "The execution's ARN."),
    ("Execution.Input", "The execution's input."),
    ("Execution.Name", "The execution's name."),
    ("Execution.RoleArn", "The role the execution runs as."),
    (
        "Execution.StartTime",
        "When the execution started (ISO 8601).",
    ),
    (
        "Execution.RedriveCount",
        "How many times the execution has been redriven.",
    ),
    (
        "Execution.RedriveTime",
        "When the execution was last redriven.",
    ),
    ("State.Name", "The current state's name."),
    ("State.EnteredTime", "When the current state was entered."),
    (
        "State.RetryCount",
        "How many retries of the current state so far.",
    ),
    ("StateMachine.Id", "The state machine's ARN."),
    ("StateMachine.Name", "The state machine's name."),
    (
        "Task.Token",
        "The task token, for a `.waitForTaskToken` integration or an activity.",
    ),
    ("Map.Item.Index", "In a Map iteration: the item's index."),
    ("Map.Item.Value", "In a Map iteration: the item."),
    (
        "Map.Item.Source",
        "In a Distributed Map iteration: where the item was read from.",
    ),
];
