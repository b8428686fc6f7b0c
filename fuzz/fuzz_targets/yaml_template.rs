//! YAML parsing and template extraction: any text loads, or fails with an error, never a panic.
#![no_main]

use std::path::Path;

use asl_codec::{Format, Loaded, load_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A folder with nothing in it: DefinitionUri lookups exercise their error paths only.
    let empty = Path::new("/nonexistent-asl-studio-fuzz");
    match load_text(text, Format::Yaml, Some(empty)) {
        Ok(Loaded::Asl(source)) => {
            assert_eq!(source.write_preserving(source.value()), text);
            let _ = source.locate("/States");
            let _ = source.machine();
        }
        Ok(_) | Err(_) => {}
    }
});
