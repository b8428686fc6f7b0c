//! The JSON scanner and the model import: any bytes either fail with a syntax error or give a
//! machine (or a shape error); an untouched file writes back byte for byte, and the model survives
//! `to_value` / `from_value`.
#![no_main]

use asl_codec::{Format, SourceFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(source) = SourceFile::parse(text, Format::Json) else {
        return;
    };
    assert_eq!(source.write_preserving(source.value()), text);
    let _ = source.locate("/States/A/Next");
    let _ = source.format_canonical();
    if let Ok(machine) = source.machine() {
        let _ = graph_model::validate(&machine);
        let value = machine.to_value();
        let again = graph_model::StateMachine::from_value(&value).expect("a written model reads back");
        assert_eq!(again.to_value(), value);
    }
});
