//! Checks for the triggers an export can add, so that a typo fails here and not at deploy
//! time: EventBridge Scheduler expressions and EventBridge event patterns.

use serde_json::Value;

use super::ExportError;

/// Checks an EventBridge Scheduler expression: `rate(<n> <unit>)`, `cron(<6 fields>)` or
/// `at(yyyy-mm-ddThh:mm:ss)`.
pub fn check_schedule(expression: &str) -> Result<(), ExportError> {
    let fail = |reason: &str| ExportError::Schedule {
        expression: expression.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = expression.trim();
    if let Some(body) = inside(trimmed, "rate(") {
        let mut words = body.split_whitespace();
        let (Some(value), Some(unit), None) = (words.next(), words.next(), words.next()) else {
            return Err(fail(
                "write rate(<number> <unit>), for example rate(5 minutes)",
            ));
        };
        let value: u64 = value
            .parse()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| fail("the rate must be a whole number above 0"))?;
        let singular = matches!(unit, "minute" | "hour" | "day");
        let plural = matches!(unit, "minutes" | "hours" | "days");
        return match (value == 1, singular, plural) {
            (true, true, _) | (false, _, true) => Ok(()),
            (true, false, true) => Err(fail(
                "a rate of 1 takes the singular unit: minute, hour or day",
            )),
            (false, true, _) => Err(fail(
                "a rate above 1 takes the plural unit: minutes, hours or days",
            )),
            _ => Err(fail("the unit must be minute(s), hour(s) or day(s)")),
        };
    }
    if let Some(body) = inside(trimmed, "cron(") {
        let fields: Vec<&str> = body.split_whitespace().collect();
        if fields.len() != 6 {
            return Err(fail(&format!(
                "cron takes 6 fields (minutes hours day-of-month month day-of-week year), not {}",
                fields.len()
            )));
        }
        let allowed = |field: &str, extra: &str| {
            field.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, ',' | '-' | '*' | '/') || extra.contains(c)
            })
        };
        let names = [
            "minutes",
            "hours",
            "day-of-month",
            "month",
            "day-of-week",
            "year",
        ];
        for (index, field) in fields.iter().enumerate() {
            let extra = match index {
                2 => "?LW",
                4 => "?L#",
                _ => "",
            };
            if !allowed(field, extra) {
                return Err(fail(&format!(
                    "the {} field `{field}` has a character cron does not allow",
                    names[index]
                )));
            }
        }
        if (fields[2] == "?") == (fields[4] == "?") {
            return Err(fail(
                "exactly one of day-of-month and day-of-week must be `?`",
            ));
        }
        return Ok(());
    }
    if let Some(body) = inside(trimmed, "at(") {
        let shape_ok = body.len() == 19
            && body.char_indices().all(|(i, c)| match i {
                4 | 7 => c == '-',
                10 => c == 'T',
                13 | 16 => c == ':',
                _ => c.is_ascii_digit(),
            });
        return if shape_ok {
            Ok(())
        } else {
            Err(fail("write at(yyyy-mm-ddThh:mm:ss)"))
        };
    }
    Err(fail(
        "use rate(<number> <unit>), cron(<6 fields>) or at(yyyy-mm-ddThh:mm:ss)",
    ))
}

fn inside<'a>(text: &'a str, open: &str) -> Option<&'a str> {
    text.strip_prefix(open)?.strip_suffix(')')
}

/// Checks an EventBridge event pattern: a non-empty object whose leaves are arrays of
/// values or content filters (EventBridge rejects a bare value).
pub fn check_event_pattern(pattern: &Value) -> Result<(), ExportError> {
    let Value::Object(map) = pattern else {
        return Err(ExportError::EventPattern {
            pointer: "/".to_owned(),
            reason: "an event pattern is a JSON object".to_owned(),
        });
    };
    if map.is_empty() {
        return Err(ExportError::EventPattern {
            pointer: "/".to_owned(),
            reason: "an empty pattern matches nothing; name at least one field".to_owned(),
        });
    }
    check_members(map, "")
}

fn check_members(map: &serde_json::Map<String, Value>, pointer: &str) -> Result<(), ExportError> {
    for (key, value) in map {
        let here = format!("{pointer}/{}", crate::span::escape_segment(key));
        match value {
            Value::Object(inner) if inner.is_empty() => {
                return Err(ExportError::EventPattern {
                    pointer: here,
                    reason: "an empty object matches nothing".to_owned(),
                });
            }
            Value::Object(inner) => check_members(inner, &here)?,
            Value::Array(items) if items.is_empty() => {
                return Err(ExportError::EventPattern {
                    pointer: here,
                    reason: "an empty list matches nothing".to_owned(),
                });
            }
            Value::Array(_) => {}
            other => {
                return Err(ExportError::EventPattern {
                    pointer: here,
                    reason: format!("the value must be a list, as in [{other}]"),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schedules_aws_accepts_pass_and_typos_fail() {
        for good in [
            "rate(5 minutes)",
            "rate(1 hour)",
            "cron(0 12 * * ? *)",
            "cron(15 10 ? * MON-FRI *)",
            "at(2026-12-24T18:00:00)",
        ] {
            assert_eq!(check_schedule(good), Ok(()), "{good}");
        }
        for bad in [
            "rate(5 minute)",
            "rate(1 minutes)",
            "rate(0 minutes)",
            "rate(five minutes)",
            "cron(0 12 * * *)",
            "cron(0 12 * * * *)",
            "every 5 minutes",
            "at(2026-12-24)",
        ] {
            assert!(check_schedule(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn event_patterns_need_list_leaves() {
        assert_eq!(
            check_event_pattern(
                &json!({"source": ["aws.s3"], "detail": {"bucket": {"name": ["b"]}}})
            ),
            Ok(())
        );
        let error = check_event_pattern(&json!({"source": "aws.s3"}));
        assert!(
            matches!(error, Err(ExportError::EventPattern { pointer, .. }) if pointer == "/source")
        );
        assert!(check_event_pattern(&json!([])).is_err());
        assert!(check_event_pattern(&json!({})).is_err());
    }
}
