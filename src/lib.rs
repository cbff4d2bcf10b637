//! The `eobench` command line as a library, so a third party can build its own `eobench`
//! binary that links extra plugin crates statically (no fork, no dynamic loading):
//!
//! ```ignore
//! use my_eobench_encoder as _; // links the crate, so its `register_encoder!` runs
//! fn main() -> std::process::ExitCode {
//!     eobench::cli::main()
//! }
//! ```

pub mod cli;

// Names every built-in plugin crate so the linker keeps their registrations (see build.rs).
include!(concat!(env!("OUT_DIR"), "/linked_plugins.rs"));
