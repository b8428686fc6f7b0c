//! Generation on definitions shaped like the corpus's Parallel patterns: Choices in different
//! branches solved together (quorum), a polling loop that never ends (either-or), and a callback
//! Task whose Resource is an unresolved substitution.

use serde_json::{Value, json};

use super::{Gap, Generated, generate};
use crate::mocks::MockConfig;
use crate::suite::{Suite, SuiteOutcome, run_suite};
use crate::types::Options;

fn generated(definition: &Value) -> Result<(Generated, SuiteOutcome), String> {
    let generated = generate(definition, "M", &Options::default()).map_err(|e| e.to_string())?;
    let config = MockConfig::parse(&generated.config.to_value()).map_err(|e| e.to_string())?;
    let suite = Suite::from_config(&config, None, None, None).map_err(|e| e.to_string())?;
    let outcome =
        run_suite(definition, &suite, &[], &Options::default()).map_err(|e| e.to_string())?;
    Ok((generated, outcome))
}

fn gap<'g>(gaps: &'g [Gap], item: &str) -> Option<&'g str> {
    gaps.iter()
        .find(|gap| gap.item == item)
        .map(|gap| gap.reason.as_str())
}

/// One branch of the quorum pattern: a process, its status read back, a count and the check.
fn quorum_branch(n: usize) -> Value {
    let status = format!("Status {n}");
    let count = format!("Count {n}");
    let check = format!("Check {n}");
    let met = format!("Met {n}");
    let wait = format!("Not yet {n}");
    json!({"StartAt": status, "States": {
        status.clone(): {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {"TableName": "t", "Key": {"id": {"S.$": "$$.Execution.Id"}}},
            "Next": count},
        count.clone(): {"Type": "Pass",
            "Parameters": {"completed.$": "States.ArrayLength($.Item.successful.L)"},
            "Next": check},
        check.clone(): {"Type": "Choice", "Choices": [
            {"Variable": "$.completed", "NumericGreaterThanEqualsPath": "$$.Execution.Input.quorum",
             "Next": met}
        ], "Default": wait},
        wait.clone(): {"Type": "Pass", "End": true},
        met.clone(): {"Type": "Fail", "Error": "States.QuorumMet"}
    }})
}

#[test]
fn choices_in_three_branches_of_a_parallel_are_solved_together() -> Result<(), String> {
    // The third branch's check takes its rule only when the first two do not: they read the
    // same quorum, and a branch that fails first decides the Parallel's way.
    let definition = json!({
        "StartAt": "Quorum",
        "States": {
            "Quorum": {"Type": "Parallel",
                "Branches": [quorum_branch(1), quorum_branch(2), quorum_branch(3)],
                "Catch": [{"ErrorEquals": ["States.QuorumMet"], "Next": "Met"}],
                "Next": "Not met"},
            "Met": {"Type": "Succeed"},
            "Not met": {"Type": "Succeed"}
        }
    });
    let (generated, outcome) = generated(&definition)?;
    assert_eq!(outcome.failed(), 0);
    let report = &generated.coverage;
    assert_eq!(
        (report.choice_rules.covered, report.choice_rules.total),
        (6, 6),
        "{:?}",
        generated.gaps
    );
    assert_eq!(
        report.states.covered, report.states.total,
        "{:?}",
        generated.gaps
    );
    Ok(())
}

#[test]
fn a_choice_after_a_parallel_reading_both_branches_results_is_solved() -> Result<(), String> {
    let definition = json!({
        "StartAt": "Both",
        "States": {
            "Both": {"Type": "Parallel", "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload", "End": true}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload", "End": true}}}
            ], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}], "Next": "Agree?"},
            "Agree?": {"Type": "Choice", "Choices": [
                {"And": [{"Variable": "$[0].ok", "BooleanEquals": true},
                         {"Variable": "$[1].ok", "BooleanEquals": true}], "Next": "Both ok"},
                {"Variable": "$[0].ok", "BooleanEquals": true, "Next": "Left only"}
            ], "Default": "Neither"},
            "Both ok": {"Type": "Succeed"},
            "Left only": {"Type": "Succeed"},
            "Neither": {"Type": "Succeed"},
            "Failed": {"Type": "Fail", "Error": "Failed"}
        }
    });
    let (generated, outcome) = generated(&definition)?;
    assert_eq!(outcome.failed(), 0);
    assert_eq!(
        generated.coverage.choice_rules.covered, generated.coverage.choice_rules.total,
        "{:?}",
        generated.gaps
    );
    Ok(())
}

#[test]
fn a_default_that_loops_forever_says_the_run_never_ends() -> Result<(), String> {
    // The either-or pattern's branch: a placeholder status that never changes, read again after
    // each wait. Only the input leads out, so taking the Default once means taking it forever.
    let definition = json!({
        "StartAt": "Get status",
        "States": {
            "Get status": {"Type": "Pass", "Result": {"Completed": false}, "ResultPath": "$.status",
                "Next": "Done?"},
            "Done?": {"Type": "Choice", "Choices": [
                {"Or": [{"Variable": "$.force", "BooleanEquals": true},
                        {"Variable": "$.status.Completed", "BooleanEquals": true}], "Next": "Done"}
            ], "Default": "Wait"},
            "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Get status"},
            "Done": {"Type": "Succeed"}
        }
    });
    let (generated, outcome) = generated(&definition)?;
    assert_eq!(outcome.failed(), 0);
    let reason = gap(&generated.gaps, "Done?.Default").unwrap_or_default();
    assert!(reason.contains("never ends"), "{reason}");
    assert!(reason.contains("work budget"), "{reason}");
    assert!(
        reason.contains("'Done?' -> 'Wait' -> 'Get status' -> back to 'Done?'"),
        "{reason}"
    );
    assert!(
        reason.contains("no Task whose mocked result could"),
        "{reason}"
    );
    assert!(!reason.contains("already holds"), "{reason}");
    Ok(())
}

#[test]
fn a_polling_loop_whose_status_comes_from_a_task_is_left_after_one_round() -> Result<(), String> {
    // Wait -> Task -> Choice -> back: the Default is covered by a case whose first poll keeps
    // it waiting and whose later polls report completion.
    let definition = json!({
        "StartAt": "Poll",
        "States": {
            "Poll": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "OutputPath": "$.Payload", "Next": "Done?",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]},
            "Done?": {"Type": "Choice", "Choices": [
                {"Not": {"Variable": "$.done", "BooleanEquals": false}, "Next": "Done"}
            ], "Default": "Wait"},
            "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Poll"},
            "Done": {"Type": "Succeed"},
            "Failed": {"Type": "Fail", "Error": "Failed"}
        }
    });
    let (generated, outcome) = generated(&definition)?;
    assert_eq!(outcome.failed(), 0);
    assert_eq!(
        generated.coverage.choice_rules.covered, 2,
        "{:?}",
        generated.gaps
    );
    assert_eq!(
        generated.coverage.states.covered, generated.coverage.states.total,
        "{:?}",
        generated.gaps
    );
    Ok(())
}

#[test]
fn a_branch_polling_forever_is_ended_by_a_failing_sibling_so_every_branch_is_covered()
-> Result<(), String> {
    // Either-or: the first branch polls forever unless the input says it completed; then it
    // fails at once. The branches race: the time-out branch fails at 15 s and ends the poll, so
    // the time-out's catcher and the poll's Default are covered too.
    let definition = json!({
        "StartAt": "Either",
        "States": {
            "Either": {"Type": "Parallel", "Branches": [
                {"StartAt": "Get 1", "States": {
                    "Get 1": {"Type": "Pass", "Result": {"Completed": false}, "ResultPath": "$.q", "Next": "Check 1"},
                    "Check 1": {"Type": "Choice", "Choices": [
                        {"Variable": "$.first", "BooleanEquals": true, "Next": "Completed 1"}
                    ], "Default": "Wait 1"},
                    "Wait 1": {"Type": "Wait", "Seconds": 5, "Next": "Get 1"},
                    "Completed 1": {"Type": "Fail", "Error": "Faux.One"}
                }},
                {"StartAt": "Timeout", "States": {
                    "Timeout": {"Type": "Wait", "Seconds": 15, "Next": "Out of time"},
                    "Out of time": {"Type": "Fail", "Error": "Faux.Timeout"}
                }}
            ], "Catch": [
                {"ErrorEquals": ["Faux.One"], "Next": "One"},
                {"ErrorEquals": ["Faux.Timeout"], "Next": "Timed out"}
            ], "End": true},
            "One": {"Type": "Succeed"},
            "Timed out": {"Type": "Succeed"}
        }
    });
    let (generated, outcome) = generated(&definition)?;
    assert_eq!(outcome.failed(), 0);
    let gaps: Vec<String> = generated
        .gaps
        .iter()
        .map(|gap| format!("{}: {}", gap.item, gap.reason))
        .collect();
    assert!(gaps.is_empty(), "{gaps:#?}");
    Ok(())
}

#[test]
fn branches_behind_a_loop_that_takes_no_time_are_reported_as_never_starting() -> Result<(), String>
{
    // The first branch goes round Pass -> Choice without a Wait: on the virtual clock it never
    // gets past the instant the branches start, so the branch after it never runs.
    let definition = json!({
        "StartAt": "Either",
        "States": {
            "Either": {"Type": "Parallel", "Branches": [
                {"StartAt": "Get 1", "States": {
                    "Get 1": {"Type": "Pass", "Result": {"Completed": false}, "ResultPath": "$.q", "Next": "Check 1"},
                    "Check 1": {"Type": "Choice", "Choices": [
                        {"Variable": "$.first", "BooleanEquals": true, "Next": "Completed 1"}
                    ], "Default": "Get 1"},
                    "Completed 1": {"Type": "Fail", "Error": "Faux.One"}
                }},
                {"StartAt": "Out of time", "States": {
                    "Out of time": {"Type": "Fail", "Error": "Faux.Timeout"}
                }}
            ], "Catch": [
                {"ErrorEquals": ["Faux.One"], "Next": "One"},
                {"ErrorEquals": ["Faux.Timeout"], "Next": "Timed out"}
            ], "End": true},
            "One": {"Type": "Succeed"},
            "Timed out": {"Type": "Succeed"}
        }
    });
    let (generated, outcome) = generated(&definition)?;
    assert_eq!(outcome.failed(), 0);
    let branch = gap(&generated.gaps, "Either.Branches[1]").unwrap_or_default();
    assert!(
        branch.contains("branch 0 of 'Either' goes round") && branch.contains("no virtual time"),
        "{branch}"
    );
    let default = gap(&generated.gaps, "Check 1.Default").unwrap_or_default();
    assert!(
        default.contains("never ends") && default.contains("takes no virtual time"),
        "{default}"
    );
    Ok(())
}

#[test]
fn a_callback_task_whose_resource_is_an_unresolved_substitution_runs_on_its_mock()
-> Result<(), String> {
    // calling-async-api-callback: the Resource would be sqs:sendMessage.waitForTaskToken once
    // the template's substitution is applied; its mock stands in either way.
    let definition = json!({
        "StartAt": "Send",
        "States": {
            "Send": {"Type": "Task", "Resource": "${SQSSendMessageAction}",
                "Parameters": {"QueueUrl": "${SQSQueueURL}",
                    "MessageBody": {"taskToken.$": "$$.Task.Token", "payload.$": "$$.Execution.Input"}},
                "Catch": [{"ErrorEquals": ["States.Timeout", "States.TaskFailed"], "Next": "Error"}],
                "Next": "Status?"},
            "Status?": {"Type": "Choice", "Choices": [
                {"Variable": "$.status", "NumericEquals": 200, "Next": "Ok"}
            ], "Default": "Error"},
            "Ok": {"Type": "Succeed"},
            "Error": {"Type": "Fail", "Error": "Api.Failed"}
        }
    });
    let (generated, outcome) = generated(&definition)?;
    assert_eq!(outcome.failed(), 0);
    let report = &generated.coverage;
    assert_eq!(
        (
            report.states.covered,
            report.choice_rules.covered,
            report.catchers.covered
        ),
        (report.states.total, 2, 1),
        "{:?}",
        generated.gaps
    );
    // A placeholder inside an ARN names a known integration: no token there.
    assert!(crate::engine::is_unresolved_placeholder(
        "${SQSSendMessageAction}"
    ));
    assert!(!crate::engine::is_unresolved_placeholder(
        "arn:aws:lambda:us-east-1:1:function:${Name}"
    ));
    assert!(!crate::engine::is_unresolved_placeholder("${}"));
    Ok(())
}
