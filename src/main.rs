//! The `eobench` binary: all of it lives in the library (`eobench::cli`).

use std::process::ExitCode;

fn main() -> ExitCode {
    eobench::cli::main()
}
