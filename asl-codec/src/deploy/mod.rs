//! Deployable stacks from a definition: a SAM template, a CloudFormation template or a Terraform
//! module, each with the ASL file, a least-privilege execution role derived from the definition
//! ([`policy`]), optional triggers (an EventBridge Scheduler schedule, an EventBridge rule),
//! logging and tracing. Pure: the caller writes the returned files.

use serde_json::Value;

pub mod arn;
mod cloudformation;
pub mod policy;
pub mod sdk;
mod terraform;
pub mod triggers;
mod yaml_out;

pub use policy::{Grant, Policy, RoleFeatures, SamTemplate, derive};

/// The infrastructure-as-code dialect to export to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An AWS SAM template (`template.yaml`, `AWS::Serverless::StateMachine`, `DefinitionUri`).
    Sam,
    /// A plain CloudFormation template (`template.yaml`, `AWS::StepFunctions::StateMachine`).
    CloudFormation,
    /// A Terraform module (`main.tf`, `aws_sfn_state_machine`).
    Terraform,
}

/// Standard or Express workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MachineType {
    /// Long-running, exactly-once workflows.
    #[default]
    Standard,
    /// High-volume, short-lived workflows.
    Express,
}

impl MachineType {
    /// The API spelling: `STANDARD` or `EXPRESS`.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Standard => "STANDARD",
            Self::Express => "EXPRESS",
        }
    }
}

/// What to export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// The dialect.
    pub target: Target,
    /// The state machine's name (also the ASL file's `<name>.asl.json`).
    pub name: String,
    /// Standard or Express.
    pub machine_type: MachineType,
    /// An EventBridge Scheduler expression that starts the machine: `rate(...)`, `cron(...)`
    /// or `at(...)`.
    pub schedule: Option<String>,
    /// An EventBridge event pattern whose matching events start the machine.
    pub event_pattern: Option<Value>,
    /// Log to a CloudWatch Logs log group.
    pub logging: bool,
    /// Trace with X-Ray.
    pub tracing: bool,
}

/// One file of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedFile {
    /// Its name inside the output folder.
    pub name: String,
    /// Its text.
    pub contents: String,
}

/// The files of an export and what the user should know about them.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// The template (first) and the ASL file.
    pub files: Vec<ExportedFile>,
    /// Task resources that got no permission (also written as comments in the template).
    pub warnings: Vec<String>,
}

/// Why a definition cannot be exported as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The definition is not a JSON object with `States`.
    #[error("the definition is not a state machine (a JSON object with `States`)")]
    NotADefinition,
    /// The machine name is not one Step Functions and the file system both accept.
    #[error(
        "state machine name `{0}`: use 1 to 80 letters, digits, `-` or `_` (choose one with --name)"
    )]
    InvalidName(String),
    /// The schedule expression is malformed.
    #[error("schedule `{expression}`: {reason}")]
    Schedule {
        /// The expression as given.
        expression: String,
        /// What is wrong.
        reason: String,
    },
    /// The event pattern is malformed.
    #[error("event pattern {pointer}: {reason}")]
    EventPattern {
        /// Where in the pattern (a JSON pointer; empty for the whole pattern).
        pointer: String,
        /// What is wrong.
        reason: String,
    },
}

/// The file name of the ASL file an export writes for machine `name`.
pub fn asl_file_name(name: &str) -> String {
    format!("{name}.asl.json")
}

/// A state machine name from a file name: `order-flow.asl.json` -> `order-flow`, with characters
/// that names do not allow replaced by `-`.
pub fn name_from_file_stem(file_name: &str) -> String {
    let stem = file_name
        .trim_end_matches(".json")
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml")
        .trim_end_matches(".asl");
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    if name.is_empty() {
        "StateMachine".to_owned()
    } else {
        name
    }
}

/// What every target's writer reads: the definition, the options, the derived role and the
/// placeholders.
struct Stack<'a> {
    definition: &'a Value,
    options: &'a ExportOptions,
    policy: &'a Policy,
    placeholders: &'a Placeholders,
}

/// What a target writes: its template (file name and text) and the text of the ASL file next to
/// it (named by [`asl_file_name`]).
struct TargetFiles {
    template_name: &'static str,
    template: String,
    asl: String,
}

/// Exports `definition` as `options` says.
pub fn export(definition: &Value, options: &ExportOptions) -> Result<Export, ExportError> {
    if !definition.get("States").is_some_and(Value::is_object) {
        return Err(ExportError::NotADefinition);
    }
    let name_ok = !options.name.is_empty()
        && options.name.len() <= 80
        && options
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !name_ok {
        return Err(ExportError::InvalidName(options.name.clone()));
    }
    if let Some(expression) = &options.schedule {
        triggers::check_schedule(expression)?;
    }
    if let Some(pattern) = &options.event_pattern {
        triggers::check_event_pattern(pattern)?;
    }
    let policy = derive(
        definition,
        &options.name,
        RoleFeatures {
            logging: options.logging,
            tracing: options.tracing,
        },
    );
    let placeholders = Placeholders::of(definition);
    let stack = Stack {
        definition,
        options,
        policy: &policy,
        placeholders: &placeholders,
    };
    let written = match options.target {
        Target::Sam | Target::CloudFormation => cloudformation::export(&stack),
        Target::Terraform => terraform::export(&stack),
    };
    let files = vec![
        ExportedFile {
            name: written.template_name.to_owned(),
            contents: written.template,
        },
        ExportedFile {
            name: asl_file_name(&options.name),
            contents: written.asl,
        },
    ];
    Ok(Export {
        files,
        warnings: policy.warnings,
    })
}

/// The definition's `${Name}` placeholders and the parameter / variable that supplies each.
#[derive(Debug, Clone, Default)]
pub(crate) struct Placeholders {
    /// In first-use order.
    pub entries: Vec<PlaceholderEntry>,
}

#[derive(Debug, Clone)]
pub(crate) struct PlaceholderEntry {
    /// As written between `${` and `}`.
    pub name: String,
    /// The template parameter / Terraform variable: letters and digits only, unique.
    pub parameter: String,
    /// `AWS::Region` and friends: the deploying account's own, not a parameter.
    pub pseudo: Option<arn::Piece>,
    /// The JSON pointers that use it, for the parameter's description.
    pub pointers: Vec<String>,
}

impl Placeholders {
    fn of(definition: &Value) -> Self {
        let mut entries: Vec<PlaceholderEntry> = Vec::new();
        for (name, pointers) in crate::template::find_placeholders(definition) {
            let pseudo = match name.as_str() {
                "AWS::Partition" => Some(arn::Piece::Partition),
                "AWS::Region" => Some(arn::Piece::Region),
                "AWS::AccountId" => Some(arn::Piece::Account),
                _ => None,
            };
            let base: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
            let base = match base.chars().next() {
                Some(c) if c.is_ascii_alphabetic() => base,
                _ => format!("P{base}"),
            };
            let mut parameter = base.clone();
            let mut counter = 2;
            while entries.iter().any(|e| e.parameter == parameter) || reserved_id(&parameter) {
                parameter = format!("{base}{counter}");
                counter += 1;
            }
            entries.push(PlaceholderEntry {
                name,
                parameter,
                pseudo,
                pointers,
            });
        }
        Self { entries }
    }

    /// The entry for a placeholder name.
    pub fn get(&self, name: &str) -> Option<&PlaceholderEntry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// The entries that become template parameters / variables.
    pub fn parameters(&self) -> impl Iterator<Item = &PlaceholderEntry> {
        self.entries.iter().filter(|e| e.pseudo.is_none())
    }
}

/// Logical ids the exported templates use themselves.
fn reserved_id(id: &str) -> bool {
    matches!(
        id,
        "StateMachine"
            | "StateMachineRole"
            | "StateMachineLogGroup"
            | "ScheduleRole"
            | "Schedule"
            | "EventRule"
            | "EventRuleRole"
    )
}

impl PlaceholderEntry {
    /// A description for the parameter: where the definition uses it.
    pub fn description(&self) -> String {
        // A pointer through a key that is itself a placeholder would read as a `${...}`
        // reference in the parameter's description (cfn-lint E1029).
        let mut uses: Vec<String> = self
            .pointers
            .iter()
            .take(3)
            .map(|p| p.replace("${", "{"))
            .collect();
        if self.pointers.len() > 3 {
            uses.push("...".to_owned());
        }
        format!(
            "Value of the definition's placeholder {} (used at {})",
            self.name,
            uses.join(", ")
        )
    }
}
