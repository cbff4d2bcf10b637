//! Reading the configs directory: which groups and choices exist, and YAML files as JSON trees.
//!
//! Files are parsed with serde-saphyr straight into `serde_json::Value`, so the rest of the
//! module works on one tree type whose key order follows the files.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::error::ConfigError;
use super::tree::type_name;

/// Lists the config groups: the (non-hidden) subdirectories of `configs_dir`, sorted.
pub fn groups(configs_dir: &Path) -> Result<Vec<String>, ConfigError> {
    let mut names = Vec::new();
    for entry in read_dir(configs_dir)? {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() && !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Lists the choices of one group: the names of its `*.yaml` files without extension, sorted.
pub fn list_choices(configs_dir: &Path, group: &str) -> Result<Vec<String>, ConfigError> {
    let mut names = Vec::new();
    for entry in read_dir(&configs_dir.join(group))? {
        let path = entry.path();
        let is_yaml = path.is_file() && path.extension().is_some_and(|e| e == "yaml");
        if let (true, Some(stem)) = (is_yaml, path.file_stem()) {
            names.push(stem.to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Reads a YAML file that must hold a mapping; an empty file counts as an empty mapping.
pub(crate) fn read_mapping(path: &Path) -> Result<Map<String, Value>, ConfigError> {
    let text = fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_mapping(&text, path)
}

/// Parses YAML text that must hold a mapping; `path` names it in errors.
pub(crate) fn parse_mapping(text: &str, path: &Path) -> Result<Map<String, Value>, ConfigError> {
    let value: Value = serde_saphyr::from_str(text).map_err(|e| ConfigError::Yaml {
        path: path.to_path_buf(),
        message: e
            .to_string()
            .replace("<input>", &path.display().to_string()),
    })?;
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        other => Err(ConfigError::NotAMapping {
            path: path.to_path_buf(),
            found: type_name(&other),
        }),
    }
}

/// Path of the file for one group choice, e.g. `configs/encoder/vit.yaml`.
pub(crate) fn choice_file(configs_dir: &Path, group: &str, name: &str) -> PathBuf {
    configs_dir.join(group).join(format!("{name}.yaml"))
}

fn read_dir(dir: &Path) -> Result<Vec<fs::DirEntry>, ConfigError> {
    let io = |source| ConfigError::Io {
        path: dir.to_path_buf(),
        source,
    };
    fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(io)
}
