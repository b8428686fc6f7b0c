//! Intrinsic functions: the parser and the simulator evaluating `States.*` calls in Parameters.
#![no_main]

use asl_studio_fuzz::{input, pass_with};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(call) = std::str::from_utf8(data) else {
        return;
    };
    let _ = graph_model::expr::intrinsic::parse(call);
    let options = simulator::Options {
        record_history: false,
        record_trace: false,
        ..simulator::Options::default()
    };
    let definition = pass_with("Parameters", json!({"value.$": call}));
    let _ = simulator::run(&definition, input(), &options);
});
