//! A deterministic step budget for JSONata: every call of a function the expression defines counts
//! one step, and past [`MAX_FUNCTION_CALLS`] the evaluation fails.
//!
//! jsonata-core bounds the stack depth (D1011) and, on native targets, the wall-clock time (D1012),
//! but counts no steps. A tail-recursive loop (`$f := function($x){$f($x)}`) never deepens the
//! stack, and the browser build has no clock, so without a count it runs forever there; exponential
//! recursion (`$fib(60)`) stays shallow too. Only functions the expression defines can repeat work
//! without bound (JSONata has no other loop), so counting their calls bounds every evaluation, and
//! the same expression fails at the same step on every target.
//!
//! The count is taken by rewriting the parsed expression: each metered function's body `B` becomes
//! `step() ? B`, where `step` is a host function no expression can name or shadow (its name has a
//! space). The conditional keeps `B` in tail position, so tail calls stay tail calls.
//!
//! The same rewrite checks the bounds of ranges that are not small literals before jsonata-core
//! builds them (see [`guard_ranges`]).

use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;

use jsonata_core::ast::{AstNode, BinaryOp, Stage};
use jsonata_core::evaluator::{Evaluator, EvaluatorError};
use jsonata_core::value::{JValue, with_stack};

/// Most calls of the expression's own functions one evaluation may make. A real expression calls
/// its functions once per item at most a few times over, and a state's input (256 KiB) holds
/// some 130,000 values, so twice as many calls leaves room; a runaway recursion reaches it in a
/// fraction of a second (about a second in a debug build).
pub(crate) const MAX_FUNCTION_CALLS: u64 = 250_000;

/// The host function each metered body calls first; a name with a space cannot be written in an
/// expression, so no expression can call, bind or override it.
const STEP_FUNCTION: &str = "asl studio step";

/// Built-ins that call no function back and that jsonata-core may compile into a fast path: a
/// function whose body calls only these (and no name the expression rebinds) cannot recurse, so
/// it is left unmetered and keeps that fast path (`$map(items, function($v){$uppercase($v)})`).
const PLAIN_BUILTINS: &[&str] = &[
    "string",
    "length",
    "uppercase",
    "lowercase",
    "trim",
    "substring",
    "substringBefore",
    "substringAfter",
    "split",
    "contains",
    "join",
    "append",
    "round",
    "number",
    "floor",
    "ceil",
    "abs",
    "sqrt",
    "sum",
    "max",
    "min",
    "average",
    "count",
    "boolean",
    "not",
    "keys",
    "reverse",
    "distinct",
    "merge",
];

/// The host function that checks a range's bounds before jsonata-core builds it, and the names it
/// reads them from (names with a space, like [`STEP_FUNCTION`]).
const RANGE_CHECK_FUNCTION: &str = "asl studio range check";
const RANGE_START: &str = "asl studio range start";
const RANGE_END: &str = "asl studio range end";

/// jsonata-core's (and jsonata-js's) largest range.
const MAX_RANGE_ITEMS: i128 = 10_000_000;

/// Rewrites `ast` so that every function that may recurse counts its calls (see the module
/// documentation), and every range whose bounds are not small literals has them checked first.
pub(crate) fn meter_functions(ast: &mut AstNode) {
    let mut bound = HashSet::new();
    collect_bound_names(ast, &mut bound);
    meter(ast, &bound);
    guard_ranges(ast);
}

/// jsonata-core computes a range's length as `end - start + 1` in 64-bit integers, which
/// overflows (a panic where overflow checks are on, as in debug and fuzzing builds) for bounds
/// like `0..1e99`. `a..b` becomes `($start := a; $end := b; check($start, $end); $start..$end)`,
/// so the same D2014 error a release build gives comes before the subtraction.
fn guard_ranges(node: &mut AstNode) {
    with_stack(|| for_each_child(node, &mut guard_ranges));
    let AstNode::Binary {
        op: BinaryOp::Range,
        lhs,
        rhs,
    } = node
    else {
        return;
    };
    let small = |bound: &AstNode| matches!(bound, AstNode::Number(value) if value.abs() <= 1e15);
    if small(lhs) && small(rhs) {
        return;
    }
    let variable = |name: &str| AstNode::Variable(name.to_owned());
    let start = std::mem::replace(lhs.as_mut(), AstNode::Null);
    let end = std::mem::replace(rhs.as_mut(), AstNode::Null);
    let bind = |name: &str, value: AstNode| AstNode::Binary {
        op: BinaryOp::ColonEqual,
        lhs: Box::new(variable(name)),
        rhs: Box::new(value),
    };
    *node = AstNode::Block(vec![
        bind(RANGE_START, start),
        bind(RANGE_END, end),
        AstNode::Function {
            name: RANGE_CHECK_FUNCTION.to_owned(),
            args: vec![variable(RANGE_START), variable(RANGE_END)],
            is_builtin: true,
        },
        AstNode::Binary {
            op: BinaryOp::Range,
            lhs: Box::new(variable(RANGE_START)),
            rhs: Box::new(variable(RANGE_END)),
        },
    ]);
}

/// Registers the range check (see [`guard_ranges`]).
pub(crate) fn register_range_check(evaluator: &mut Evaluator) {
    let registered = evaluator.register_fn(RANGE_CHECK_FUNCTION, |args: &[JValue]| {
        // Other operands are left to the range operator, which names what is wrong with them.
        if let (Some(JValue::Number(start)), Some(JValue::Number(end))) =
            (args.first(), args.get(1))
            && start.fract() == 0.0
            && end.fract() == 0.0
        {
            // As jsonata-core converts them (saturating), then counted without overflow.
            #[allow(clippy::cast_possible_truncation)]
            let (start, end) = (*start as i64, *end as i64);
            if start <= end && i128::from(end) - i128::from(start) + 1 > MAX_RANGE_ITEMS {
                return Err(EvaluatorError::EvaluationError(
                    "D2014: Range operator results in too many elements (> 10,000,000)".to_owned(),
                ));
            }
        }
        Ok(JValue::Bool(true))
    });
    debug_assert!(registered.is_ok(), "{registered:?}");
}

/// Registers the counting host function on `evaluator`, with a fresh count.
pub(crate) fn register_step_counter(evaluator: &mut Evaluator) {
    let calls = Rc::new(Cell::new(0u64));
    let registered = evaluator.register_fn(STEP_FUNCTION, move |_args: &[JValue]| {
        let made = calls.get() + 1;
        calls.set(made);
        if made > MAX_FUNCTION_CALLS {
            return Err(EvaluatorError::EvaluationError(format!(
                "D1012: Evaluation stopped after {MAX_FUNCTION_CALLS} function calls (the dry run's step limit). Check for infinite loop"
            )));
        }
        Ok(JValue::Bool(true))
    });
    // Fails only for the name of a built-in, which a name with a space is not.
    debug_assert!(registered.is_ok(), "{registered:?}");
}

/// Names the expression binds (`$name := ...` and function parameters): a call of one of them
/// may reach a function even when a built-in has the same name.
fn collect_bound_names(node: &mut AstNode, bound: &mut HashSet<String>) {
    match node {
        AstNode::Binary {
            op: BinaryOp::ColonEqual,
            lhs,
            ..
        } => {
            if let AstNode::Variable(name) = lhs.as_ref() {
                bound.insert(name.clone());
            }
        }
        AstNode::Lambda { params, .. } => bound.extend(params.iter().cloned()),
        _ => {}
    }
    with_stack(|| for_each_child(node, &mut |child| collect_bound_names(child, bound)));
}

fn meter(node: &mut AstNode, bound: &HashSet<String>) {
    with_stack(|| for_each_child(node, &mut |child| meter(child, bound)));
    if let AstNode::Lambda { body, thunk, .. } = node
        && (*thunk || may_call_a_function(body, bound))
    {
        let inner = std::mem::replace(body.as_mut(), AstNode::Null);
        **body = AstNode::Conditional {
            condition: Box::new(AstNode::Function {
                name: STEP_FUNCTION.to_owned(),
                args: Vec::new(),
                is_builtin: true,
            }),
            then_branch: Box::new(inner),
            else_branch: None,
        };
    }
}

/// Whether evaluating `node` may call a function other than a plain built-in. Functions defined
/// inside it are not looked into: they are metered on their own.
fn may_call_a_function(node: &mut AstNode, bound: &HashSet<String>) -> bool {
    let here = match node {
        AstNode::Function { name, .. } => {
            !PLAIN_BUILTINS.contains(&name.as_str()) || bound.contains(name.as_str())
        }
        AstNode::Call { .. } | AstNode::FunctionApplication(_) => true,
        // `~>` applies its right-hand side as a function.
        AstNode::Binary {
            op: BinaryOp::ChainPipe,
            ..
        } => true,
        AstNode::Lambda { .. } => return false,
        _ => false,
    };
    if here {
        return true;
    }
    let mut found = false;
    with_stack(|| {
        for_each_child(node, &mut |child| {
            found = found || may_call_a_function(child, bound);
        })
    });
    found
}

/// Calls `visit` on each direct child expression of `node`.
fn for_each_child(node: &mut AstNode, visit: &mut dyn FnMut(&mut AstNode)) {
    match node {
        AstNode::Path { steps } => {
            for step in steps {
                visit(&mut step.node);
                for stage in &mut step.stages {
                    if let Stage::Filter(filter) = stage {
                        visit(filter);
                    }
                }
            }
        }
        AstNode::Binary { lhs, rhs, .. } => {
            visit(lhs);
            visit(rhs);
        }
        AstNode::Unary { operand, .. } => visit(operand),
        AstNode::Function { args, .. } => args.iter_mut().for_each(visit),
        AstNode::Call { procedure, args } => {
            visit(procedure);
            args.iter_mut().for_each(visit);
        }
        AstNode::Lambda { body, .. } => visit(body),
        AstNode::Array(items) | AstNode::Block(items) | AstNode::ArrayGroup(items) => {
            items.iter_mut().for_each(visit)
        }
        AstNode::Object(pairs) => {
            for (key, value) in pairs {
                visit(key);
                visit(value);
            }
        }
        AstNode::ObjectTransform { input, pattern } => {
            visit(input);
            for (key, value) in pattern {
                visit(key);
                visit(value);
            }
        }
        AstNode::Conditional {
            condition,
            then_branch,
            else_branch,
        } => {
            visit(condition);
            visit(then_branch);
            if let Some(otherwise) = else_branch {
                visit(otherwise);
            }
        }
        AstNode::FunctionApplication(inner) => visit(inner),
        AstNode::Sort { input, terms } => {
            visit(input);
            for (term, _descending) in terms {
                visit(term);
            }
        }
        AstNode::Transform {
            location,
            update,
            delete,
        } => {
            visit(location);
            visit(update);
            if let Some(delete) = delete {
                visit(delete);
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
        | AstNode::Variable(_)
        | AstNode::ParentVariable(_)
        | AstNode::Wildcard
        | AstNode::Descendant
        | AstNode::Parent(_) => {}
    }
}
