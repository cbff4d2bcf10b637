//! Presets: assignments a component file makes to other sections (a small sample dataset
//! shortening training, say), applied after composition and before the command line.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

use super::error::ConfigError;
use super::overrides::Override;
use super::tree::{self, type_name};

/// A preset that was applied, kept so the run can log where a setting came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppliedPreset {
    /// Dotted key the preset set.
    pub key: String,
    /// Value it set.
    pub value: Value,
    /// Component file that declared it.
    pub source: PathBuf,
    /// Whether a command-line override later replaced it (or part of it).
    pub overridden: bool,
    /// An optional preset (`?key`) whose key the chosen component does not have: not applied.
    pub skipped: bool,
}

/// One preset as read from a component file.
#[derive(Debug, Clone)]
pub(crate) struct Preset {
    /// The assignment.
    pub assignment: Override,
    /// `?key: value`: apply only when the chosen component defines `key` (e.g. a decoder
    /// width that some decoders do not have); the key's section must still exist.
    pub optional: bool,
}

/// Removes `presets:` from a component section and returns its assignments in file order.
pub(crate) fn take_presets(
    section: &mut Map<String, Value>,
    file: &Path,
) -> Result<Vec<Preset>, ConfigError> {
    let presets = match section.shift_remove("presets") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(map)) => map,
        Some(other) => {
            return Err(ConfigError::PresetsNotMapping {
                path: file.to_path_buf(),
                found: type_name(&other),
            });
        }
    };
    let origin = format!("preset in {}", file.display());
    Ok(presets
        .into_iter()
        .map(|(key, value)| {
            let (optional, key) = match key.strip_prefix('?') {
                Some(rest) => (true, rest.to_string()),
                None => (false, key),
            };
            let (add, key) = match key.strip_prefix('+') {
                Some(rest) => (true, rest.to_string()),
                None => (false, key),
            };
            Preset {
                assignment: Override {
                    key,
                    add,
                    value,
                    raw: None,
                    origin: origin.clone(),
                },
                optional,
            }
        })
        .collect())
}

/// An optional preset may skip its key but not its section: `?decoder.channel` is skipped for
/// a decoder without it, while `?decodr.channels` is still a typo worth an error.
pub(crate) fn check_optional_parent(
    root: &Value,
    ov: &Override,
    file: &Path,
) -> Result<(), ConfigError> {
    let parent = match ov.key.rsplit_once('.') {
        Some((parent, _)) => parent,
        None => return Ok(()),
    };
    match tree::get(root, parent) {
        Some(Value::Object(_)) => Ok(()),
        _ => Err(ConfigError::UnknownKey {
            key: parent.to_string(),
            origin: ov.origin.clone(),
            file: file.to_path_buf(),
            suggestion: tree::suggest_path(root, parent),
        }),
    }
}

/// Whether assigning `later` replaces some or all of what assigning `earlier` set.
pub(crate) fn overlaps(earlier: &str, later: &str) -> bool {
    let within = |inner: &str, outer: &str| {
        inner == outer
            || inner
                .strip_prefix(outer)
                .is_some_and(|rest| rest.starts_with('.'))
    };
    within(earlier, later) || within(later, earlier)
}
