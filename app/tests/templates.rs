//! Every template of File > New from template runs: its HappyPath test case SUCCEEDS on its
//! sample input (ItemReader items and Standard/Express as the template says), and its other test
//! cases reach the end they are written for. Each definition is a real one (SOURCES.md) and
//! validates without errors.

use asl_studio::templates::TEMPLATES;
use serde_json::Value;
use simulator::{ExecutionType, Options, Status};

fn run_case(index: usize, case: &str) -> simulator::ExecutionResult {
    let template = &TEMPLATES[index];
    let definition: Value = serde_json::from_str(template.definition).expect("JSON definition");
    let input: Value = serde_json::from_str(template.input).expect("JSON input");
    let mocks: Value = serde_json::from_str(template.mocks).expect("JSON mock file");
    let options = Options {
        execution_type: if template.express {
            ExecutionType::Express
        } else {
            ExecutionType::Standard
        },
        mocks: simulator::Mocks::from_step_functions_local(&mocks, None, case)
            .unwrap_or_else(|error| panic!("{}: {error}", template.id)),
        item_reader_items: template.reader_items(),
        ..Options::default()
    };
    simulator::run(&definition, input, &options)
}

fn test_cases(index: usize) -> Vec<String> {
    let mocks: Value = serde_json::from_str(TEMPLATES[index].mocks).expect("JSON mock file");
    mocks["StateMachines"]
        .as_object()
        .into_iter()
        .flat_map(|machines| machines.values())
        .flat_map(|machine| machine["TestCases"].as_object().into_iter().flatten())
        .map(|(name, _)| name.clone())
        .collect()
}

#[test]
fn the_gallery_has_ten_real_patterns_with_unique_names() {
    assert_eq!(TEMPLATES.len(), 10);
    let mut ids: Vec<&str> = TEMPLATES.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 10);
    let sources = include_str!("../assets/templates/SOURCES.md");
    for template in &TEMPLATES {
        assert!(
            sources.contains(&format!("`{}/`", template.id)),
            "{} is listed in SOURCES.md",
            template.id
        );
        let definition: Value = serde_json::from_str(template.definition).expect("JSON");
        let machine = graph_model::StateMachine::from_value(&definition).expect("a machine");
        let errors: Vec<_> = graph_model::validate(&machine)
            .into_iter()
            .filter(|d| d.severity == graph_model::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", template.id);
        assert!(
            !template.definition.contains("${"),
            "{} still has a deployment placeholder",
            template.id
        );
    }
}

#[test]
fn every_templates_happy_path_succeeds() {
    for (index, template) in TEMPLATES.iter().enumerate() {
        assert_eq!(
            test_cases(index).first().map(String::as_str),
            Some("HappyPath"),
            "{}: HappyPath comes first, so the pane picks it",
            template.id
        );
        let result = run_case(index, "HappyPath");
        assert_eq!(
            result.status,
            Status::Succeeded,
            "{}: {:?} {:?}",
            template.id,
            result.error,
            result.cause
        );
    }
}

#[test]
fn the_failure_test_cases_fail_where_they_are_written_to() {
    let expect = [
        ("glue-workflow-poller", "ActionFailed", Status::Failed),
        ("saga-compensation", "PaymentDeclined", Status::Failed),
        ("retry-backoff", "Fails", Status::Failed),
        ("fan-out-map", "NoMessages", Status::Succeeded),
        ("human-approval", "Rejected", Status::Succeeded),
    ];
    for (id, case, status) in expect {
        let index = TEMPLATES
            .iter()
            .position(|t| t.id == id)
            .expect("a template");
        let result = run_case(index, case);
        assert_eq!(result.status, status, "{id}/{case}: {:?}", result.cause);
    }
    // The saga compensates in reverse order before it fails.
    let index = TEMPLATES
        .iter()
        .position(|t| t.id == "saga-compensation")
        .expect("the saga");
    let result = run_case(index, "PaymentDeclined");
    assert_eq!(result.error.as_deref(), Some("Job Failed"));
    let entered: Vec<&str> = result.trace.iter().map(|t| t.state.as_str()).collect();
    assert_eq!(
        entered,
        [
            "ReserveFlight",
            "ReserveCarRental",
            "ProcessPayment",
            "RefundPayment",
            "CancelRentalReservation",
            "CancelFlightReservation",
            "SendingSMSFailure",
            "Reservation Failed"
        ]
    );
}
