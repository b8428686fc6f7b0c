//! JSONPath: the parser, and the simulator evaluating the path as InputPath, ResultPath and a
//! Choice Variable on a fixed input.
#![no_main]

use asl_studio_fuzz::{input, pass_with};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(path) = std::str::from_utf8(data) else {
        return;
    };
    let _ = graph_model::expr::jsonpath::parse(path);
    let options = simulator::Options {
        record_history: false,
        record_trace: false,
        ..simulator::Options::default()
    };
    for field in ["InputPath", "OutputPath", "ResultPath", "ItemsPath"] {
        let definition = pass_with(field, json!(path));
        let _ = simulator::run(&definition, input(), &options);
    }
    let choice = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": path, "IsPresent": true, "Next": "D"}], "Default": "D"},
        "D": {"Type": "Succeed"}}});
    let _ = simulator::run(&choice, input(), &options);
});
