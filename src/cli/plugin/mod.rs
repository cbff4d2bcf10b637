//! `eobench plugin new|build|check` and the plugin libraries every command loads.

mod build;
mod check;
mod libraries;
mod scaffold;

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::Subcommand;

pub use libraries::{
    PluginOptions, child_args, extra_choices, load_registry, row_origin, set_options,
};

use super::{Failure, configs_dir};

/// `eobench plugin …`.
#[derive(Subcommand)]
pub enum PluginAction {
    /// Scaffold a plugin crate (outside this repository) with a working model and a
    /// conformance test.
    New {
        /// Component name, e.g. `my_encoder`.
        name: String,
        /// Component kind (encoder).
        #[arg(long, default_value = "encoder")]
        kind: String,
        /// Where to create the crate (default ./eobench-plugin-<name>).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Build a plugin crate as a library this eobench can load (needs a source checkout and
    /// a binary built with --features dynamic-plugins).
    Build {
        /// The plugin crate's folder.
        dir: PathBuf,
    },
    /// Compatibility checks and the conformance suite; a crate folder is built first.
    Check {
        /// A plugin library (.so) or a plugin crate's folder.
        target: PathBuf,
    },
}

/// The build profile this binary was compiled with; plugins must match it.
pub fn host_profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// Runs one plugin action.
pub fn plugin(configs: Option<&Path>, action: PluginAction) -> Result<(), Failure> {
    let dir = configs_dir::locate(configs)?;
    match action {
        PluginAction::New {
            name,
            kind,
            dir: out,
        } => {
            let checkout = build::checkout_root(&dir).map_err(Failure::usage)?;
            let created = scaffold::scaffold(&checkout, &name, &kind, out.as_deref())
                .map_err(Failure::usage)?;
            println!(
                "created {} — next: `cd {0} && cargo test`, then `eobench plugin build {0}`",
                created.display()
            );
            Ok(())
        }
        PluginAction::Build { dir: crate_dir } => {
            let built = build::build_plugin(&dir, &crate_dir).map_err(Failure::run)?;
            println!("{}", built.library.display());
            eprintln!(
                "built {}: load it with `{} --plugin {} …`",
                built.crate_name,
                built.host.display(),
                built.library.display()
            );
            Ok(())
        }
        PluginAction::Check { target } if target.is_dir() => {
            let built = build::build_plugin(&dir, &target).map_err(Failure::run)?;
            // The library matches the host binary built with it, which may not be this one.
            let status = std::process::Command::new(&built.host)
                .arg("--configs")
                .arg(&dir)
                .args(["plugin", "check"])
                .arg(&built.library)
                .status()
                .map_err(|e| Failure::run(anyhow!("cannot run {}: {e}", built.host.display())))?;
            if status.success() {
                Ok(())
            } else {
                Err(Failure::run(anyhow!(
                    "plugin check of {} failed",
                    target.display()
                )))
            }
        }
        PluginAction::Check { target } => check::check_library(&dir, &target),
    }
}
