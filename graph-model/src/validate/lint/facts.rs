//! What an expression reads: workflow variables, fields of `$states`, and calls of the functions
//! Step Functions adds to JSONata. JSONata is read through its parser's tree (so strings, local
//! bindings and lambda parameters are told apart); JSONPath and intrinsic calls by a small scan.

use jsonata_core::ast::{AstNode, BinaryOp, Stage};

/// The facts of one expression.
#[derive(Default, Debug, PartialEq, Eq)]
pub(crate) struct ExprFacts {
    /// Workflow variables read (without `$`), in order of appearance, repeats included.
    pub(crate) reads: Vec<String>,
    /// Fields read directly under `$states` (`input`, `result`, `errorOutput`, `context`).
    pub(crate) states_fields: Vec<String>,
    /// Calls of Step Functions' own JSONata functions: name (without `$`) and argument count.
    pub(crate) calls: Vec<(String, usize)>,
}

/// The Step Functions-only JSONata functions and the argument counts each accepts (AWS developer
/// guide, "JSONata functions provided by Step Functions").
pub(crate) const STEP_FUNCTIONS_FUNCTIONS: [(&str, usize, usize); 6] = [
    ("partition", 2, 2),
    ("range", 3, 3),
    ("hash", 2, 2),
    ("random", 0, 1),
    ("uuid", 0, 0),
    ("parse", 1, 1),
];

/// The facts of a JSONata expression body (the text inside `{% %}`); `None` when it does not
/// parse (validation reports that as an error of its own).
pub(crate) fn jsonata_facts(body: &str) -> Option<ExprFacts> {
    let tree = jsonata_core::parser::parse(body).ok()?;
    let mut walk = Walk::default();
    walk.node(&tree, false);
    let Walk {
        mut facts, bound, ..
    } = walk;
    // Names bound inside the expression (`:=`, lambda parameters, `@$x`, `#$i`) are local, not
    // workflow variables. Scoping is not tracked: a name bound anywhere in the expression is
    // taken as local everywhere in it, which can hide a read but never invents one.
    facts.reads.retain(|name| !bound.contains(name));
    facts
        .calls
        .retain(|(name, _)| !bound.iter().any(|local| local == name));
    Some(facts)
}

#[derive(Default)]
struct Walk {
    facts: ExprFacts,
    bound: Vec<String>,
}

impl Walk {
    /// `piped`: the node is the right-hand side of `~>`, whose call receives the left-hand side
    /// as an extra first argument.
    fn node(&mut self, node: &AstNode, piped: bool) {
        match node {
            AstNode::Variable(name) => self.read(name),
            AstNode::Path { steps } => {
                if let [first, second, ..] = steps.as_slice()
                    && first.node == AstNode::Variable("states".to_owned())
                    && let AstNode::Name(field) = &second.node
                {
                    self.facts.states_fields.push(field.clone());
                }
                for step in steps {
                    if let Some(focus) = &step.focus {
                        self.bound.push(focus.clone());
                    }
                    if let Some(index) = &step.index_var {
                        self.bound.push(index.clone());
                    }
                    self.node(&step.node, false);
                    for stage in &step.stages {
                        match stage {
                            Stage::Filter(inner) => self.node(inner, false),
                            Stage::Index(name) => self.bound.push(name.clone()),
                            Stage::KeepArray => {}
                        }
                    }
                }
            }
            AstNode::Binary { op, lhs, rhs } => {
                match (op, lhs.as_ref()) {
                    (BinaryOp::ColonEqual, AstNode::Variable(name)) => {
                        self.bound.push(name.clone());
                    }
                    (BinaryOp::FocusBind | BinaryOp::IndexBind, _) => {
                        if let AstNode::Variable(name) = rhs.as_ref() {
                            self.bound.push(name.clone());
                        }
                        self.node(lhs, false);
                        return;
                    }
                    _ => self.node(lhs, false),
                }
                self.node(rhs, *op == BinaryOp::ChainPipe);
            }
            AstNode::Unary { operand, .. } => self.node(operand, false),
            AstNode::Function {
                name,
                args,
                is_builtin,
            } => {
                if *is_builtin
                    && STEP_FUNCTIONS_FUNCTIONS
                        .iter()
                        .any(|(known, _, _)| known == name)
                {
                    self.facts
                        .calls
                        .push((name.clone(), args.len() + usize::from(piped)));
                }
                for arg in args {
                    self.node(arg, false);
                }
            }
            AstNode::Call { procedure, args } => {
                self.node(procedure, false);
                for arg in args {
                    self.node(arg, false);
                }
            }
            AstNode::Lambda { params, body, .. } => {
                self.bound.extend(params.iter().cloned());
                self.node(body, false);
            }
            AstNode::Array(items) | AstNode::Block(items) | AstNode::ArrayGroup(items) => {
                for item in items {
                    self.node(item, false);
                }
            }
            AstNode::Object(pairs) => self.pairs(pairs),
            AstNode::ObjectTransform { input, pattern } => {
                self.node(input, false);
                self.pairs(pattern);
            }
            AstNode::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                self.node(condition, false);
                self.node(then_branch, false);
                if let Some(other) = else_branch {
                    self.node(other, false);
                }
            }
            AstNode::FunctionApplication(inner) => self.node(inner, false),
            AstNode::Sort { input, terms } => {
                self.node(input, false);
                for (term, _) in terms {
                    self.node(term, false);
                }
            }
            AstNode::Transform {
                location,
                update,
                delete,
            } => {
                self.node(location, false);
                self.node(update, false);
                if let Some(delete) = delete {
                    self.node(delete, false);
                }
            }
            AstNode::String(_)
            | AstNode::Name(_)
            | AstNode::Number(_)
            | AstNode::Boolean(_)
            | AstNode::Null
            | AstNode::Undefined
            | AstNode::Placeholder
            | AstNode::Regex { .. }
            | AstNode::ParentVariable(_)
            | AstNode::Wildcard
            | AstNode::Descendant
            | AstNode::Parent(_) => {}
        }
    }

    fn pairs(&mut self, pairs: &[(AstNode, AstNode)]) {
        for (key, value) in pairs {
            self.node(key, false);
            self.node(value, false);
        }
    }

    fn read(&mut self, name: &str) {
        // `$` is the context value, `$states` the reserved variable.
        if !name.is_empty() && name != "states" {
            self.facts.reads.push(name.to_owned());
        }
    }
}

/// The workflow variables a JSONPath path or intrinsic call reads: each `$name` outside quoted
/// strings (`$.a`, `$$.a` and `$[0]` read the input or the context, not a variable).
pub(crate) fn jsonpath_reads(text: &str) -> Vec<String> {
    let mut reads = Vec::new();
    if !text.contains('$') {
        return reads;
    }
    let bytes = text.as_bytes();
    let mut quoted = false;
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if quoted {
            if byte == b'\\' {
                index += 1;
            } else if byte == b'\'' {
                quoted = false;
            }
            index += 1;
            continue;
        }
        if byte == b'\'' {
            quoted = true;
            index += 1;
            continue;
        }
        let starts_name = |at: usize| {
            bytes
                .get(at)
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        };
        let after_word = index > 0 && {
            let previous = bytes[index - 1];
            previous.is_ascii_alphanumeric() || matches!(previous, b'_' | b'$' | b'.' | b'@')
        };
        if byte == b'$' && !after_word && starts_name(index + 1) {
            let start = index + 1;
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            reads.push(text[start..end].to_owned());
            index = end;
            continue;
        }
        index += 1;
    }
    reads
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(body: &str) -> ExprFacts {
        jsonata_facts(body).unwrap_or_else(|| panic!("{body} parses"))
    }

    #[test]
    fn jsonata_reads_skip_local_bindings_and_reserved_names() {
        assert_eq!(facts("$x.a + $y[0]").reads, ["x", "y"]);
        assert_eq!(facts("($z := 3; $z + $w)").reads, ["w"]);
        assert_eq!(facts("function($p){ $p + $q }").reads, ["q"]);
        assert_eq!(
            facts("$states.input.a & $ & $$").reads,
            Vec::<String>::new()
        );
        assert_eq!(facts("'$notAVariable'").reads, Vec::<String>::new());
    }

    #[test]
    fn jsonata_states_fields_and_call_arity() {
        assert_eq!(facts("$states.result.Payload").states_fields, ["result"]);
        assert_eq!(
            facts("$partition($a, 2)").calls,
            [("partition".to_owned(), 2)]
        );
        assert_eq!(
            facts("$a ~> $partition(2)").calls,
            [("partition".to_owned(), 2)]
        );
        assert_eq!(facts("$uuid(1)").calls, [("uuid".to_owned(), 1)]);
        assert_eq!(facts("$sum([1])").calls, []);
        assert!(jsonata_facts("1 +").is_none());
    }

    #[test]
    fn jsonpath_reads_find_variables_outside_quotes() {
        assert_eq!(jsonpath_reads("$x.a"), ["x"]);
        assert_eq!(jsonpath_reads("$.a"), Vec::<String>::new());
        assert_eq!(jsonpath_reads("$$.Execution.Id"), Vec::<String>::new());
        assert_eq!(
            jsonpath_reads("States.Format('{} $no', $yes, $.b)"),
            ["yes"]
        );
        assert_eq!(jsonpath_reads("$.items[?(@.id == $wanted)]"), ["wanted"]);
    }
}
