//! Third-party plugin libraries loaded at run time (`--plugin`, `EOBENCH_PLUGIN_PATH`,
//! `plugins:` in config.yaml).
//!
//! Mechanism (see docs/PLUGINS.md): in builds with the `dynamic-plugins` feature, burn is the
//! shared library `eobench-burn`, and a plugin crate is built as a `cdylib` inside this
//! workspace (`eobench plugin build`), so host and plugin run one burn (one autodiff graph,
//! one seed) and one libstd (panics unwind across and are caught per run). A library is
//! checked before use: ABI version, rustc, eobench-core version and source hash, burn version,
//! profile, a fingerprint of the boundary types, and that its burn is the host's. Libraries are
//! never unloaded: components, vtables and statics are referenced for the life of the process.

mod build_info;
#[doc(hidden)]
pub mod declaration;
mod error;
mod fingerprint;
#[cfg(feature = "dynamic-plugins")]
mod loader;

pub use build_info::{ABI_VERSION, BuildInfo};
pub use declaration::{DECLARATION_SYMBOL, PluginConfig, PluginDeclaration, PluginEntries};
pub use error::LoadError;
pub use fingerprint::{differences, type_fingerprint};

/// Loads and checks a plugin library (see the module docs); refused in builds without
/// `dynamic-plugins`.
pub fn load_library(path: &std::path::Path) -> Result<&'static PluginEntries, LoadError> {
    #[cfg(feature = "dynamic-plugins")]
    {
        loader::load_library(path)
    }
    #[cfg(not(feature = "dynamic-plugins"))]
    {
        Err(LoadError::Unsupported {
            path: path.to_path_buf(),
        })
    }
}
