//! The side-by-side benchmark harness behind `scripts/bench.sh`: ASL Studio against its peers
//! (aws-local-stepfunctions, asl-validator, dagre, Graphviz `dot`), same inputs, same machine.
//!
//! `asl-studio-bench all` runs every comparison, alternating ours and theirs, and prints the table.
//! The other subcommands are the single measurements it spawns (one process per repetition, so that
//! peak memory can be read per run), and print one JSON object on stdout.

// A measuring tool whose output is its stdout report.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod definition;
mod frame;
mod layout;
mod orchestrate;
mod simulate;
mod stats;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  asl-studio-bench all --repo DIR --out DIR [--quick]   every comparison, table to DIR/table.md
  asl-studio-bench sim DEFINITION INPUT OUTPUT.json     one simulator run (all Tasks mocked)
  asl-studio-bench validate FILE...                     parse + validate the files in-process
  asl-studio-bench layout DEFINITION GRAPH.json         our layout; writes the graph for the peers
  asl-studio-bench crossings GRAPH.json COORDS.json     crossings of a peer's output (dagre JSON or dot -Tplain)
  asl-studio-bench dot GRAPH.json                       the same graph in Graphviz dot syntax on stdout
  asl-studio-bench frame DEFINITION                     designer frame CPU time, fit and zoomed in";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("asl-studio-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> anyhow::Result<()> {
    let Some((command, rest)) = args.split_first() else {
        anyhow::bail!("{USAGE}");
    };
    let paths: Vec<PathBuf> = rest.iter().map(PathBuf::from).collect();
    match (command.as_str(), paths.as_slice()) {
        ("all", _) => orchestrate::all(rest),
        ("sim", [definition, input, output]) => {
            print_json(&simulate::measure(definition, input, output)?);
            Ok(())
        }
        ("validate", files) if !files.is_empty() => {
            print_json(&validate::measure(files)?);
            Ok(())
        }
        ("layout", [definition, graph]) => {
            print_json(&layout::measure_ours(definition, graph)?);
            Ok(())
        }
        ("crossings", [graph, coords]) => {
            print_json(&layout::peer_crossings(graph, coords)?);
            Ok(())
        }
        ("dot", [graph]) => {
            print!("{}", layout::to_dot(graph)?);
            Ok(())
        }
        ("frame", [definition]) => {
            print_json(&frame::measure(definition)?);
            Ok(())
        }
        _ => anyhow::bail!("{USAGE}"),
    }
}

fn print_json(value: &serde_json::Value) {
    println!("{value}");
}
