//! Which plugin libraries a command loads: `--plugin` flags, then `EOBENCH_PLUGIN_PATH`
//! (`:`-separated files or folders of libraries), then `plugins:` in the root config.yaml
//! (paths relative to the checkout), in that order, each once.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::anyhow;
use eobench_core::config::ExtraChoice;
use eobench_registry::{Origin, Registry};
use serde_json::Value;

use crate::cli::{Failure, configs_dir};

/// The global plugin flags of this invocation.
#[derive(Clone, Debug, Default)]
pub struct PluginOptions {
    /// `--plugin` values.
    pub libraries: Vec<PathBuf>,
    /// `--allow-shadowing`.
    pub allow_shadowing: bool,
}

static OPTIONS: OnceLock<PluginOptions> = OnceLock::new();

/// Records the flags once, at start-up.
pub fn set_options(options: PluginOptions) {
    let _ = OPTIONS.set(options);
}

fn options() -> PluginOptions {
    OPTIONS.get().cloned().unwrap_or_default()
}

/// Arguments that give a child `eobench` process the same plugins (sweep cells).
pub fn child_args() -> Vec<String> {
    let o = options();
    let mut args = Vec::new();
    for lib in &o.libraries {
        args.push("--plugin".to_string());
        args.push(lib.display().to_string());
    }
    if o.allow_shadowing {
        args.push("--allow-shadowing".into());
    }
    args
}

fn is_library(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e == std::env::consts::DLL_EXTENSION)
}

/// Whether a library found by scanning a folder exports the plugin declaration (by name in
/// its symbol table): a folder such as target/release also holds libeobench_burn.so, which is
/// not a plugin and is skipped there, while naming it with --plugin is an error.
fn declares_plugin(path: &Path) -> bool {
    let symbol = &eobench_registry::plugin::DECLARATION_SYMBOL
        [..eobench_registry::plugin::DECLARATION_SYMBOL.len() - 1];
    std::fs::read(path)
        .map(|bytes| bytes.windows(symbol.len()).any(|w| w == symbol))
        .unwrap_or(false)
}

/// Every library to load for this invocation.
pub fn plugin_libraries(configs: Option<&Path>) -> Result<Vec<PathBuf>, Failure> {
    let mut libs = options().libraries;
    if let Some(path) = std::env::var_os("EOBENCH_PLUGIN_PATH") {
        for entry in std::env::split_paths(&path).filter(|p| !p.as_os_str().is_empty()) {
            if entry.is_dir() {
                let mut found: Vec<PathBuf> = std::fs::read_dir(&entry)
                    .map_err(|e| {
                        Failure::usage(anyhow!(
                            "EOBENCH_PLUGIN_PATH: cannot read {}: {e}",
                            entry.display()
                        ))
                    })?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| is_library(p) && declares_plugin(p))
                    .collect();
                found.sort();
                libs.extend(found);
            } else {
                libs.push(entry);
            }
        }
    }
    if let Some(dir) = configs {
        let root_file = dir.join("config.yaml");
        let text = std::fs::read_to_string(&root_file).unwrap_or_default();
        let root: Value = serde_saphyr::from_str(&text).unwrap_or(Value::Null);
        match root.get("plugins") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                let base = configs_dir::base_dir(dir);
                for item in items {
                    let Some(p) = item.as_str() else {
                        return Err(Failure::usage(anyhow!(
                            "{}: `plugins` must be a list of library paths, found {item}",
                            root_file.display()
                        )));
                    };
                    libs.push(base.join(p));
                }
            }
            Some(other) => {
                return Err(Failure::usage(anyhow!(
                    "{}: `plugins` must be a list of library paths, found {other}",
                    root_file.display()
                )));
            }
        }
    }
    let mut seen = Vec::new();
    libs.retain(|p| {
        let key = p.canonicalize().unwrap_or_else(|_| p.clone());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    Ok(libs)
}

/// The built-in components plus every plugin library's, checked.
pub fn load_registry(configs: Option<&Path>) -> Result<Registry, Failure> {
    let libs = plugin_libraries(configs)?;
    Registry::with_plugins(&libs, options().allow_shadowing).map_err(Failure::usage)
}

/// Default configs shipped by the loaded plugins, for composition.
pub fn extra_choices(registry: &Registry) -> Vec<ExtraChoice> {
    registry
        .plugin_configs()
        .iter()
        .map(|(c, origin)| {
            let lib = match origin {
                Origin::Plugin { library, .. } => library.display().to_string(),
                Origin::Builtin => "builtin".into(),
            };
            ExtraChoice {
                group: c.group.to_string(),
                name: c.name.to_string(),
                origin: PathBuf::from(format!("{lib}:configs/{}/{}.yaml", c.group, c.name)),
                yaml: c.yaml.to_string(),
            }
        })
        .collect()
}

/// Compact origin text for leaderboard rows: `builtin`, or the plugin-provided components as
/// `kind=name@version (library file)`.
pub fn row_origin(
    registry: &Registry,
    chosen: &[(eobench_registry::ComponentKind, &str)],
) -> String {
    let parts: Vec<String> = chosen
        .iter()
        .filter_map(|(kind, name)| match registry.origin(*kind, name)? {
            Origin::Builtin => None,
            Origin::Plugin {
                library,
                crate_name,
                version,
            } => Some(format!(
                "{}={name}: {crate_name}@{version} ({})",
                kind.as_str(),
                library
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default()
            )),
        })
        .collect();
    if parts.is_empty() {
        "builtin".into()
    } else {
        parts.join("; ")
    }
}
