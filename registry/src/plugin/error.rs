use std::path::PathBuf;

use thiserror::Error;

const REBUILD: &str = "rebuild the plugin against this eobench: `eobench plugin build <plugin crate dir>` (docs/PLUGINS.md)";

/// Why a plugin library was not loaded. Every message names the file and what to do.
#[derive(Debug, Error)]
pub enum LoadError {
    /// This binary cannot load plugins at all.
    #[error(
        "cannot load {path}: this eobench was built without dynamic plugin support; build it with `cargo build --release --features dynamic-plugins`, or link the plugin statically with a 3-line binary (docs/PLUGINS.md, route A)"
    )]
    Unsupported {
        /// The library asked for.
        path: PathBuf,
    },
    /// No such file.
    #[error(
        "plugin library {path} does not exist (check --plugin, EOBENCH_PLUGIN_PATH or `plugins:` in config.yaml)"
    )]
    Missing {
        /// The library asked for.
        path: PathBuf,
    },
    /// The dynamic loader refused the file (not a shared library, wrong architecture, missing
    /// dependency); `detail` is its own explanation.
    #[error("cannot load {path} as a shared library: {detail}")]
    Open {
        /// The library.
        path: PathBuf,
        /// dlopen's error text.
        detail: String,
    },
    /// A library without the eobench declaration.
    #[error(
        "{path} is not an eobench plugin: it exports no `eobench_plugin_declaration` symbol (was it built with `eobench plugin build`, i.e. with the crate's `eobench-dynamic` feature and `export_plugin!`?)"
    )]
    NotAPlugin {
        /// The library.
        path: PathBuf,
    },
    /// Another plugin ABI.
    #[error("{path} speaks plugin ABI {plugin}, this eobench speaks {host}; {REBUILD}")]
    Abi {
        /// The library.
        path: PathBuf,
        /// Plugin's ABI version.
        plugin: u32,
        /// Ours.
        host: u32,
    },
    /// A build fact differs (rustc, eobench-core version, sources, burn, profile).
    #[error("{path} was built with {what} {plugin}, this eobench with {host}; {REBUILD}")]
    Build {
        /// The library.
        path: PathBuf,
        /// Which fact.
        what: &'static str,
        /// Plugin side.
        plugin: String,
        /// Host side.
        host: String,
    },
    /// Boundary types differ.
    #[error("{path} passes the version checks but its types differ from this eobench's:\n  {}\n{REBUILD}", .differences.join("\n  "))]
    Types {
        /// The library.
        path: PathBuf,
        /// One line per differing type.
        differences: Vec<String>,
    },
    /// The plugin runs against another copy of burn.
    #[error(
        "{path} passes every version check but carries its own copy of burn: training (autodiff) and seeding would break; {REBUILD}"
    )]
    OwnBurn {
        /// The library.
        path: PathBuf,
    },
    /// The plugin panicked while listing its components.
    #[error("{path} panicked while listing its components: {message}")]
    Panicked {
        /// The library.
        path: PathBuf,
        /// Panic payload.
        message: String,
    },
}
