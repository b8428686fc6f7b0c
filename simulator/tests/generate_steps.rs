//! Generation in steps (what the designer does over frames, and stops on Cancel) makes the suite
//! the one-shot `generate` makes, on the sample and on real corpus definitions.

use std::path::Path;

use serde_json::Value;
use simulator::Options;
use simulator::generate::{Generated, Generation, Progress, Step, generate};

/// Real definitions with Choice rules, Catch and Retry handlers, Parallel branches and polling
/// loops, quick enough to generate twice in a debug build.
const DEFINITIONS: [&str; 6] = [
    "app/assets/sample.asl.json",
    "tests/data/corpus/real/stepfunctions-examples/sam__app-order-management__ship-order.asl.json",
    "tests/data/corpus/real/stepfunctions-examples/sam__app-sfn-appflow-integration__CreateCatalogTable.asl.json",
    "tests/data/corpus/real/workflows-collection/quorum-with-parallel-pattern__statemachine.asl.json",
    "tests/data/corpus/real/workflows-collection/account-vending-machine__statemachine.asl.json",
    "tests/data/corpus/real/workflows-collection/step-functions-lambda-version-cleanup__statemachine.asl.json",
];

fn load(relative: &str) -> Result<Value, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    let text = std::fs::read_to_string(&path).map_err(|error| format!("{relative}: {error}"))?;
    serde_json::from_str(&text).map_err(|error| format!("{relative}: {error}"))
}

/// Everything a generated suite hands back, in a comparable form.
fn comparable(generated: &Generated) -> (usize, Value, Value, String, String) {
    (
        generated.cases,
        generated.config.to_value(),
        generated.test_state_mocks.clone(),
        format!("{:?}", generated.coverage),
        format!("{:?}", generated.gaps),
    )
}

#[test]
fn stepping_to_the_end_gives_the_suite_of_the_one_shot_generate() -> Result<(), String> {
    for relative in DEFINITIONS {
        let definition = load(relative)?;
        let options = Options::default();
        let at_once = generate(&definition, "M", &options).map_err(|error| error.to_string())?;
        // Owned, as the designer keeps it across frames.
        let mut generation = Generation::owning(definition.clone(), "M", &options)
            .map_err(|error| error.to_string())?;
        assert_eq!(
            generation.progress(),
            Progress {
                cases: 0,
                targets_left: 0,
                rounds: 0
            },
            "{relative}: nothing runs before the first step"
        );
        let mut steps = Vec::new();
        loop {
            let step = generation.step();
            steps.push(step);
            if let Step::Done(_) = step {
                break;
            }
            assert!(steps.len() < 10_000, "{relative}: the steps never end");
        }
        let progress: Vec<Progress> = steps
            .iter()
            .map(|step| match step {
                Step::Working(progress) | Step::Done(progress) => *progress,
            })
            .collect();
        // The first case's runs (one a step, each filling in a path the last found missing)
        // come first; the rounds over the uncovered items begin after it.
        let Some(first) = progress.iter().find(|progress| progress.cases > 0) else {
            return Err(format!("{relative}: no step made the first case"));
        };
        assert_eq!(
            (first.cases, first.rounds),
            (1, 0),
            "{relative}: the step that makes the first case makes only it"
        );
        assert!(
            progress
                .windows(2)
                .all(|pair| pair[0].cases <= pair[1].cases && pair[0].rounds <= pair[1].rounds),
            "{relative}: cases and rounds never go back: {progress:?}"
        );
        assert!(
            progress.iter().all(|progress| progress.rounds <= 4),
            "{relative}"
        );
        // A step after the end does nothing.
        assert_eq!(Some(generation.step()), steps.last().copied(), "{relative}");
        let stepped = generation.finish();
        assert_eq!(comparable(&stepped), comparable(&at_once), "{relative}");
        assert!(
            stepped.cases > 1,
            "{relative}: a suite of more than the first case"
        );
    }
    Ok(())
}

#[test]
fn finish_without_stepping_runs_the_whole_search() -> Result<(), String> {
    let definition = load(DEFINITIONS[0])?;
    let options = Options::default();
    let at_once = generate(&definition, "EtlPipeline", &options).map_err(|e| e.to_string())?;
    let generation =
        Generation::new(&definition, "EtlPipeline", &options).map_err(|e| e.to_string())?;
    assert_eq!(comparable(&generation.finish()), comparable(&at_once));
    Ok(())
}

#[test]
fn a_definition_that_does_not_compile_is_refused_before_any_step() {
    let definition = serde_json::json!({"StartAt": "Missing", "States": {}});
    assert!(Generation::owning(definition, "M", &Options::default()).is_err());
}
