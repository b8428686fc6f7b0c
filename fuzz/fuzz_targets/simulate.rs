//! The simulator on generated machines (loops, nested Parallel and Map, Retry and Catch): every run
//! ends, within the work budget, with a status; none panics.
#![no_main]

use asl_studio_fuzz::{Choices, input, machine};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut choices = Choices::new(data);
    let definition = machine(&mut choices, 0);
    let express = choices.below(2) == 0;
    let options = simulator::Options {
        execution_type: if express {
            simulator::ExecutionType::Express
        } else {
            simulator::ExecutionType::Standard
        },
        pass_through: true,
        record_history: choices.below(2) == 0,
        record_trace: false,
        // A small budget keeps each input fast; the budget's own error path is what is checked.
        max_transitions: 20_000,
        // Likewise for the history's payload text: writing the default 128 MiB takes seconds in
        // an instrumented build, and what is checked is that it stops, not how much it keeps.
        max_history_payload_bytes: 1 << 20,
        ..simulator::Options::default()
    };
    let _ = simulator::run(&definition, input(), &options);
});
