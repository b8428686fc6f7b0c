//! Payload size limits: measuring JSON text without building it, and the error AWS raises.

use serde_json::Value;

pub(super) use crate::json_size::json_size_up_to;

use crate::error::{Raised, Severity};
use crate::plan::State;

use super::Execution;

impl Execution {
    pub(super) fn check_size(&self, state: &State, output: &Value) -> Result<(), Raised> {
        // Serialising every output would dominate small states; only sizable values are measured.
        if !might_exceed(output, self.options.max_payload_bytes) {
            return Ok(());
        }
        if longer_than(output, self.options.max_payload_bytes) {
            return Err(data_limit(&state.name));
        }
        Ok(())
    }
}

pub(super) fn data_limit(state: &str) -> Raised {
    Raised {
        error: Some("States.DataLimitExceeded".to_owned()),
        cause: Some(format!(
            "The state/task '{state}' returned a result with a size exceeding the maximum number of bytes service limit."
        )),
        severity: Severity::Explicit,
        located: false,
    }
}

/// A cheap upper-bound test before measuring a value's JSON size.
/// Whether `value` holds at most `limit` values (itself included), counting no further than that.
pub(super) fn few_values(value: &Value, limit: usize) -> bool {
    // Children are counted when their container is reached, so scalars are never visited and a
    // wide document is rejected at its top level.
    fn fits(value: &Value, left: &mut usize) -> bool {
        let children = match value {
            Value::Array(items) => items.len(),
            Value::Object(map) => map.len(),
            _ => return true,
        };
        if children > *left {
            return false;
        }
        *left -= children;
        match value {
            Value::Array(items) => items.iter().all(|item| fits(item, left)),
            Value::Object(map) => map.values().all(|item| fits(item, left)),
            _ => true,
        }
    }
    let Some(mut left) = limit.checked_sub(1) else {
        return false;
    };
    fits(value, &mut left)
}

/// Whether the compact JSON text of `value` is longer than `limit` bytes. Counts instead of building
/// the text, and stops as soon as the limit is passed.
pub(super) fn longer_than(value: &Value, limit: usize) -> bool {
    json_size_up_to(value, limit) > limit
}

pub(super) fn might_exceed(value: &Value, limit: usize) -> bool {
    if limit >= usize::MAX / 4 {
        // No real limit (lifted by the caller): nothing to measure.
        return false;
    }
    fn estimate(value: &Value, budget: &mut usize) -> bool {
        match value {
            Value::String(text) => {
                *budget = budget.saturating_sub(text.len() + 2);
            }
            Value::Array(items) => {
                for item in items {
                    if estimate(item, budget) {
                        return true;
                    }
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    *budget = budget.saturating_sub(key.len() + 3);
                    if estimate(item, budget) {
                        return true;
                    }
                }
            }
            _ => *budget = budget.saturating_sub(1),
        }
        *budget == 0
    }
    let mut budget = limit / 2;
    estimate(value, &mut budget)
}
