//! Syntax of the expression languages that appear inside ASL fields: JSONPath, intrinsic functions and
//! JSONata. Parsed here, so that validation (this crate) and evaluation (the simulator) share one parser.

pub mod intrinsic;
pub mod jsonata;
pub mod jsonpath;
