//! The engine's single doorway to the expression evaluators (intrinsic functions and JSONata), so that
//! their error shapes become [`Raised`] errors in one place.

use serde_json::{Map, Value};

use crate::error::Raised;
use crate::intrinsics::{self, IntrinsicContext};
use crate::jsonata::{self, Bindings};

/// Evaluates an intrinsic function call such as `States.Format('{}', $.x)`.
pub(crate) fn intrinsic(
    expression: &str,
    resolve: &mut dyn FnMut(&str) -> Result<Value, String>,
    random: &mut IntrinsicContext,
) -> Result<Value, Raised> {
    intrinsics::evaluate_with(expression, resolve, random).map_err(|failure| {
        if failure.error == intrinsics::RUNTIME {
            Raised::runtime(failure.cause)
        } else {
            Raised::located(failure.error, failure.cause)
        }
    })
}

/// What a JSONata expression sees, minus the variables (kept by the caller).
pub(crate) struct JsonataScope<'a> {
    pub(crate) states: Value,
    pub(crate) variables: &'a Map<String, Value>,
    pub(crate) seed: u64,
}

impl JsonataScope<'_> {
    fn bindings(&self) -> Bindings<'_> {
        Bindings {
            states: &self.states,
            variables: self.variables,
            seed: self.seed,
        }
    }

    /// Evaluates the expression text (inside `{% %}`) for `field`.
    pub(crate) fn expression(&self, expression: &str, field: &str) -> Result<Value, Raised> {
        jsonata::evaluate_in(expression, &self.bindings(), field)
            .map_err(|failure| Raised::located(failure.error, failure.cause))
    }

    /// Evaluates every `{% %}` string inside `value` for `field`.
    pub(crate) fn template(&self, value: &Value, field: &str) -> Result<Value, Raised> {
        jsonata::evaluate_template_in(value, &self.bindings(), field)
            .map_err(|failure| Raised::located(failure.error, failure.cause))
    }
}
