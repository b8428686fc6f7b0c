//! `asl-studio`: the designer window, or a headless command (check, fmt, convert, extract, run).

fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
