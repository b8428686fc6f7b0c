//! JSONata: the syntax check and the simulator evaluating the expression as a Pass state's Output
//! (deep recursion and huge results must fail the state, not the process).
#![no_main]

use asl_studio_fuzz::input;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(expression) = std::str::from_utf8(data) else {
        return;
    };
    let _ = graph_model::expr::jsonata::check_syntax(expression);
    let options = simulator::Options {
        record_history: false,
        record_trace: false,
        ..simulator::Options::default()
    };
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Output": format!("{{% {expression} %}}"), "End": true}}});
    let _ = simulator::run(&definition, input(), &options);
});
