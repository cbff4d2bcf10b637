//! The `eobench` command line: argument parsing, error display and exit codes only; the work is
//! in `eobench-core` and the plugins.

mod cli;

include!(concat!(env!("OUT_DIR"), "/linked_plugins.rs"));

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
