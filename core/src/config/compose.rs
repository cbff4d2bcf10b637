//! Building a [`ResolvedConfig`] from a configs directory and command-line arguments.
//!
//! Order: root config (without `defaults`), one section per chosen group, presets in group
//! order, command-line overrides in argument order, then interpolation. Group choices on the
//! command line are taken before any override, wherever they appear.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::args::{Arg, parse_args};
use super::error::ConfigError;
use super::interpolate;
use super::load::{self, choice_file, read_mapping};
use super::overrides;
use super::presets::{self, AppliedPreset};
use super::resolved::{GroupChoice, ResolvedConfig};
use super::suggest::suggest;
use super::tree;

/// A group choice that is not a file of the configs directory: the default config a plugin
/// library ships for its component. A file `configs/<group>/<name>.yaml` still wins, so users
/// can adapt a plugin's defaults the usual way.
#[derive(Clone, Debug)]
pub struct ExtraChoice {
    /// Group, e.g. `encoder`.
    pub group: String,
    /// Choice name, e.g. `tiny_conv`.
    pub name: String,
    /// What to call it in messages, e.g. `libtiny.so:configs/encoder/tiny_conv.yaml`.
    pub origin: PathBuf,
    /// YAML text.
    pub yaml: String,
}

/// Composes `configs_dir/config.yaml` with its defaults and `args` (`group=name`,
/// `dotted.key=value`, `+new.key=value`) into a resolved configuration.
pub fn compose(configs_dir: &Path, args: &[String]) -> Result<ResolvedConfig, ConfigError> {
    compose_with(configs_dir, args, &[])
}

/// [`compose`] where `extra` choices (from plugins) fill in for missing files.
pub fn compose_with(
    configs_dir: &Path,
    args: &[String],
    extra: &[ExtraChoice],
) -> Result<ResolvedConfig, ConfigError> {
    compose_inner(configs_dir, args, extra, true)
}

/// [`compose_with`] without component presets: for measurements that must see each component's
/// own defaults (a benchmark of UPerNet means its 512 channels, not the quick-start sample's 128).
pub fn compose_without_presets(
    configs_dir: &Path,
    args: &[String],
    extra: &[ExtraChoice],
) -> Result<ResolvedConfig, ConfigError> {
    compose_inner(configs_dir, args, extra, false)
}

fn compose_inner(
    configs_dir: &Path,
    args: &[String],
    extra: &[ExtraChoice],
    apply_presets: bool,
) -> Result<ResolvedConfig, ConfigError> {
    if !configs_dir.is_dir() {
        return Err(ConfigError::ConfigsDirMissing {
            dir: configs_dir.to_path_buf(),
        });
    }
    let root_file = configs_dir.join("config.yaml");
    if !root_file.is_file() {
        return Err(ConfigError::RootMissing { path: root_file });
    }
    let mut root = read_mapping(&root_file)?;
    let groups = load::groups(configs_dir)?;
    let mut selection = defaults(
        root.shift_remove("defaults"),
        &root_file,
        &groups,
        configs_dir,
    )?;

    let mut cli = Vec::new();
    for arg in parse_args(args, &groups)? {
        match arg {
            Arg::Choice { group, name } => select(&mut selection, group, Some(name)),
            Arg::Override(ov) => cli.push(ov),
        }
    }

    let mut choices = Vec::new();
    let mut pending = Vec::new();
    for (group, name) in selection {
        let Some(name) = name else { continue };
        if root.contains_key(&group) {
            return Err(ConfigError::GroupKeyConflict {
                path: root_file,
                key: group,
            });
        }
        let on_disk = choice_file(configs_dir, &group, &name);
        let shipped = extra
            .iter()
            .find(|e| e.group == group && e.name == name && !on_disk.is_file());
        let (file, mut section) = match shipped {
            Some(e) => (e.origin.clone(), load::parse_mapping(&e.yaml, &e.origin)?),
            None => {
                let file = existing_choice(configs_dir, &group, &name)?;
                let section = read_mapping(&file)?;
                (file, section)
            }
        };
        pending.extend(
            presets::take_presets(&mut section, &file)?
                .into_iter()
                .map(|p| (p, file.clone())),
        );
        if !section.contains_key("name") {
            let mut named = Map::new();
            named.insert("name".into(), Value::String(name.clone()));
            named.extend(section);
            section = named;
        }
        root.insert(group.clone(), Value::Object(section));
        choices.push(GroupChoice { group, name, file });
    }

    let mut tree = Value::Object(root);
    let owner = |key: &str| owner_file(&choices, &root_file, key);
    let mut applied = Vec::new();
    if !apply_presets {
        pending.clear();
    }
    for (preset, source) in pending {
        let ov = preset.assignment;
        let skipped = preset.optional && !ov.add && tree::get(&tree, &ov.key).is_none();
        if skipped {
            presets::check_optional_parent(&tree, &ov, &owner(&ov.key))?;
        } else {
            overrides::apply(&mut tree, &ov, &owner(&ov.key))?;
        }
        applied.push(AppliedPreset {
            overridden: cli.iter().any(|c| presets::overlaps(&ov.key, &c.key)),
            key: ov.key,
            value: ov.value,
            source,
            skipped,
        });
    }
    for ov in &cli {
        overrides::apply(&mut tree, ov, &owner(&ov.key))?;
    }
    let tree = interpolate::resolve(&tree)?;
    Ok(ResolvedConfig::new(tree, choices, applied, root_file))
}

/// Reads the root `defaults:` mapping into an ordered group -> choice list (`null` = none).
fn defaults(
    value: Option<Value>,
    root_file: &Path,
    groups: &[String],
    configs_dir: &Path,
) -> Result<Vec<(String, Option<String>)>, ConfigError> {
    let bad = |message: String| ConfigError::BadDefaults {
        path: root_file.to_path_buf(),
        message,
    };
    let map = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(bad("expected a mapping of group: choice".into())),
    };
    let mut out = Vec::new();
    for (group, choice) in map {
        if !groups.contains(&group) {
            let options: Vec<&str> = groups.iter().map(String::as_str).collect();
            return Err(ConfigError::UnknownGroup {
                dir: configs_dir.join(&group),
                suggestion: suggest(&group, &options),
                valid: groups.join(", "),
                group,
            });
        }
        let name = match choice {
            Value::Null => None,
            Value::String(s) => Some(s),
            other => {
                return Err(bad(format!(
                    "choice for '{group}' must be a file name, found {other}"
                )));
            }
        };
        out.push((group, name));
    }
    Ok(out)
}

/// Replaces a group's choice, or appends the group if `defaults` did not list it.
fn select(selection: &mut Vec<(String, Option<String>)>, group: String, name: Option<String>) {
    match selection.iter_mut().find(|(g, _)| *g == group) {
        Some(slot) => slot.1 = name,
        None => selection.push((group, name)),
    }
}

/// The file for a choice, or an error listing the valid names and the closest one.
fn existing_choice(configs_dir: &Path, group: &str, name: &str) -> Result<PathBuf, ConfigError> {
    let file = choice_file(configs_dir, group, name);
    let plain = !name.is_empty() && !name.contains(['/', '\\']) && name != "..";
    if plain && file.is_file() {
        return Ok(file);
    }
    let valid = load::list_choices(configs_dir, group)?;
    let options: Vec<&str> = valid.iter().map(String::as_str).collect();
    Err(ConfigError::UnknownChoice {
        group: group.to_string(),
        name: name.to_string(),
        file,
        suggestion: suggest(name, &options),
        valid: valid.join(", "),
    })
}

/// The file a dotted key belongs to: its group's file, or the root config.
fn owner_file(choices: &[GroupChoice], root_file: &Path, key: &str) -> PathBuf {
    let top = key.split('.').next().unwrap_or_default();
    choices
        .iter()
        .find(|c| c.group == top)
        .map_or_else(|| root_file.to_path_buf(), |c| c.file.clone())
}
