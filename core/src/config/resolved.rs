//! The outcome of composition: the final tree plus where each part came from.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::error::ConfigError;
use super::presets::AppliedPreset;
use super::tree;

/// Which file a config group resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupChoice {
    /// Group name, e.g. `encoder`; also the top-level key of its section.
    pub group: String,
    /// Chosen name, e.g. `vit`.
    pub name: String,
    /// File the section was read from, e.g. `configs/encoder/vit.yaml`.
    pub file: PathBuf,
}

/// A fully composed, overridden and interpolated configuration.
///
/// The tree keeps key order (root keys first, then one section per group in `defaults`
/// order), so printed and saved configs read like the files they came from.
#[derive(Debug, Clone)]
pub struct ResolvedConfig {
    tree: Value,
    choices: Vec<GroupChoice>,
    presets: Vec<AppliedPreset>,
    root_file: PathBuf,
}

impl ResolvedConfig {
    pub(crate) fn new(
        tree: Value,
        choices: Vec<GroupChoice>,
        presets: Vec<AppliedPreset>,
        root_file: PathBuf,
    ) -> Self {
        Self {
            tree,
            choices,
            presets,
            root_file,
        }
    }

    /// The whole resolved tree, for code that walks it generically.
    pub fn tree(&self) -> &Value {
        &self.tree
    }

    /// Consumes the config, keeping only the tree.
    pub fn into_tree(self) -> Value {
        self.tree
    }

    /// Group choices in composition order, for logging and result records.
    pub fn choices(&self) -> &[GroupChoice] {
        &self.choices
    }

    /// The choice made for one group, if that group is part of the config.
    pub fn choice(&self, group: &str) -> Option<&GroupChoice> {
        self.choices.iter().find(|c| c.group == group)
    }

    /// Presets applied, in order, so a run can log settings it did not ask for explicitly.
    pub fn presets(&self) -> &[AppliedPreset] {
        &self.presets
    }

    /// The value at a dotted path (`task.trainer.n_epochs`; list items by index, `bands.0`).
    pub fn get(&self, path: &str) -> Option<&Value> {
        tree::get(&self.tree, path)
    }

    /// The file whose settings a dotted path belongs to: its group's file, else the root.
    pub fn source_file(&self, path: &str) -> &Path {
        let top = path.split('.').next().unwrap_or_default();
        self.choice(top)
            .map_or(self.root_file.as_path(), |c| c.file.as_path())
    }

    /// Deserializes the value at `path` (the empty path is the whole tree) into `T`.
    ///
    /// Errors carry the path and source file, so a typo in a component's field reads
    /// `in encoder (configs/encoder/vit.yaml): unknown field ...`.
    pub fn section<T: DeserializeOwned>(&self, path: &str) -> Result<T, ConfigError> {
        let value = self.get(path).ok_or_else(|| ConfigError::MissingSection {
            path: path.to_string(),
            suggestion: tree::suggest_path(&self.tree, path),
        })?;
        T::deserialize(value).map_err(|e| ConfigError::Section {
            path: if path.is_empty() { "<root>" } else { path }.to_string(),
            file: self.source_file(path).to_path_buf(),
            message: e.to_string(),
        })
    }

    /// The resolved config as YAML: what `--print-config` shows and each run saves.
    pub fn to_yaml(&self) -> String {
        // A serde_json::Value has string keys and finite numbers only, which YAML can
        // always represent; failure here would be a bug in the serializer.
        serde_saphyr::to_string(&self.tree).expect("a JSON value always serializes to YAML")
    }

    /// SHA-256 (hex) identifying this configuration.
    ///
    /// Computed over the *resolved* tree (after presets, overrides and interpolation)
    /// serialized as JSON with keys sorted at every level, so it depends on the values only:
    /// reordering keys in a file leaves it unchanged, changing any value changes it. Group
    /// choices and preset provenance are not included beyond their effect on the tree.
    pub fn hash(&self) -> String {
        let canonical = sorted(&self.tree).to_string();
        Sha256::digest(canonical.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A copy of `v` with every map's keys in sorted order.
fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}
