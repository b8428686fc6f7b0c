//! Random command sequences on a Document: a refused command changes nothing, one that succeeds
//! without an undo step changed nothing either, undoing everything
//! gives back the original exactly, and redoing everything gives back the edited document.
#![no_main]

use asl_studio_fuzz::{Choices, machine};
use graph_model::{
    Catcher, Command, Document, MachinePath, Retrier, StateMachine, StateType, Transition,
    new_state,
};
use libfuzzer_sys::fuzz_target;

const TYPES: [StateType; 8] = [
    StateType::Task,
    StateType::Pass,
    StateType::Choice,
    StateType::Wait,
    StateType::Succeed,
    StateType::Fail,
    StateType::Parallel,
    StateType::Map,
];

fn command(choices: &mut Choices<'_>, document: &Document) -> Command {
    let machine = MachinePath::root();
    let names: Vec<String> = document.root().state_names().map(str::to_owned).collect();
    let pick = |choices: &mut Choices<'_>| {
        if names.is_empty() || choices.below(5) == 0 {
            choices.name()
        } else {
            names[choices.below(names.len())].clone()
        }
    };
    match choices.below(12) {
        0 => Command::AddState {
            machine,
            state: new_state(&choices.name(), TYPES[choices.below(TYPES.len())]),
            position: None,
        },
        1 => Command::DeleteStates {
            machine,
            names: vec![pick(choices)],
        },
        2 => Command::RenameState {
            machine,
            from: pick(choices),
            to: choices.name(),
        },
        3 => Command::Connect {
            machine,
            from: pick(choices),
            transition: Transition::Next,
            to: pick(choices),
        },
        4 => Command::Disconnect {
            machine,
            from: pick(choices),
            transition: Transition::Next,
        },
        5 => Command::SetStartAt {
            machine,
            name: pick(choices),
        },
        6 => Command::ChangeType {
            machine,
            name: pick(choices),
            to: TYPES[choices.below(TYPES.len())],
        },
        7 => Command::AddCatcher {
            machine,
            name: pick(choices),
            catcher: Catcher::for_errors(&["States.ALL"], pick(choices)),
            index: None,
        },
        8 => Command::AddRetrier {
            machine,
            name: pick(choices),
            retrier: Retrier::default(),
            index: None,
        },
        9 => Command::Duplicate {
            machine,
            names: vec![pick(choices)],
        },
        10 => Command::RemoveCatcher {
            machine,
            name: pick(choices),
            index: choices.below(2),
        },
        _ => Command::DeleteStates {
            machine,
            names: vec![pick(choices), pick(choices)],
        },
    }
}

fuzz_target!(|data: &[u8]| {
    let mut choices = Choices::new(data);
    let Ok(root) = StateMachine::from_value(&machine(&mut choices, 0)) else {
        return;
    };
    let original = root.to_value();
    let mut document = Document::new(root);
    let mut applied = 0;
    while !choices.exhausted() && applied < 64 {
        let before = document.root().to_value();
        let steps = document.history_cursor();
        let command = command(&mut choices, &document);
        if document.apply(command).is_ok() {
            // A command that changes nothing succeeds without an undo step.
            if document.history_cursor() > steps {
                applied += 1;
            } else {
                assert_eq!(document.root().to_value(), before, "a change with no undo step");
            }
        } else {
            assert_eq!(document.root().to_value(), before, "a refused command changed the document");
        }
    }
    let edited = document.root().to_value();
    for _ in 0..applied {
        assert!(document.undo());
    }
    assert_eq!(document.root().to_value(), original, "undo did not restore the original");
    for _ in 0..applied {
        assert!(document.redo());
    }
    assert_eq!(document.root().to_value(), edited, "redo did not restore the edit");
});
