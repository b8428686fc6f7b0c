//! Link settings for the designer's binaries and test programs.

// Cargo reads a build script's instructions from its standard output.
#![allow(clippy::print_stdout)]

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        // Each program linked against the designer carries egui's and wgpu's debug line tables:
        // about 200 MB apiece, two thirds of it DWARF, and the test suite links some thirty of them.
        // zlib keeps file:line in panics' backtraces (std cannot read zstd-compressed sections) and
        // cuts each file to about 80 MB, so a fresh clone's test run fits on a small CI disk.
        println!("cargo:rustc-link-arg=-Wl,--compress-debug-sections=zlib");
    }
}
