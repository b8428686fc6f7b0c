//! Questions asked of the whole document rather than of one machine: every state name (names are
//! unique across nested machines in ASL), the query language in force inside a nested machine,
//! and which state a JSON pointer points into. The designer, the CLI and the editing commands all
//! ask them, so they are answered once, here.

use std::collections::HashSet;

use crate::edit::fresh_name;
use crate::{MachinePath, QueryLanguage, StateKind, StateMachine};

/// The state a JSON pointer points into, found by [`StateMachine::state_at_pointer`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointedState {
    /// The machine the state is in.
    pub machine: MachinePath,
    /// The state's name.
    pub name: String,
    /// The rest of the pointer under the state (`/Parameters/x`), empty for the state itself.
    pub field: String,
}

/// Splits an RFC 6901 JSON pointer into its unescaped reference tokens (`~1` is `/`, `~0` is `~`).
pub fn pointer_tokens(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .strip_prefix('/')
        .unwrap_or(pointer)
        .split('/')
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .collect()
}

impl StateMachine {
    /// Every state name in the document, nested machines included.
    #[must_use]
    pub fn all_state_names(&self) -> HashSet<String> {
        self.all_machines()
            .iter()
            .flat_map(|(_, m)| m.state_names().map(str::to_owned))
            .collect()
    }

    /// `base` when no state of the document has that name, else `base` numbered ("Task 2"), so
    /// that a new state can be added anywhere in the document.
    #[must_use]
    pub fn fresh_state_name(&self, base: &str) -> String {
        fresh_name(base, &self.all_state_names())
    }

    /// The query language in force for the states of the machine at `path`: the innermost
    /// `QueryLanguage` of the states that own it, else the document's, else JSONPath.
    #[must_use]
    pub fn query_language_at(&self, path: &MachinePath) -> QueryLanguage {
        let mut language = self.query_language.unwrap_or(QueryLanguage::JsonPath);
        // A nested machine inherits from the states that own it, outermost first.
        for depth in 0..path.0.len() {
            let owner = MachinePath(path.0[..depth].to_vec());
            if let Some(own) = self
                .machine_at(&owner)
                .and_then(|m| m.state(path.0[depth].state()))
                .and_then(|s| s.query_language)
            {
                language = own;
            }
        }
        language
    }

    /// The innermost state a JSON pointer (into this document's ASL) points into, with the rest
    /// of the pointer; `None` when it points at no state.
    #[must_use]
    pub fn state_at_pointer(&self, pointer: &str) -> Option<PointedState> {
        let tokens = pointer_tokens(pointer);
        let mut path = MachinePath::root();
        let mut machine = self;
        let mut best = None;
        let mut i = 0;
        while i + 1 < tokens.len() && tokens[i] == "States" {
            let name = &tokens[i + 1];
            let state = machine.state(name)?;
            let rest_start = i + 2;
            let field: String = tokens[rest_start..]
                .iter()
                .map(|t| format!("/{}", crate::escape_pointer(t)))
                .collect();
            best = Some(PointedState {
                machine: path.clone(),
                name: name.clone(),
                field,
            });
            match (tokens.get(rest_start).map(String::as_str), &state.kind) {
                (Some("Branches"), StateKind::Parallel(p)) => {
                    let index: usize = tokens.get(rest_start + 1)?.parse().ok()?;
                    let Some(branch) = p.branches.as_ref().and_then(|b| b.get(index)) else {
                        break;
                    };
                    path = path.branch(name, index);
                    machine = branch;
                    i = rest_start + 2;
                }
                (Some("ItemProcessor" | "Iterator"), StateKind::Map(m)) => {
                    let Some(processor) = m.processor.as_deref() else {
                        break;
                    };
                    path = path.processor(name);
                    machine = processor;
                    i = rest_start + 1;
                }
                _ => break,
            }
        }
        best
    }
}
