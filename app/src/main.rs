//! `asl-studio`: the designer window, or a headless command (check, fmt, convert, extract, run).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
