//! Presets: assignments a component file makes to other sections (a small sample dataset
//! shortening training, say), applied after composition and before the command line.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

use super::error::ConfigError;
use super::overrides::Override;
use super::tree::type_name;

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
}

/// Removes `presets:` from a component section and returns its assignments in file order.
pub(crate) fn take_presets(
    section: &mut Map<String, Value>,
    file: &Path,
) -> Result<Vec<Override>, ConfigError> {
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
            let (add, key) = match key.strip_prefix('+') {
                Some(rest) => (true, rest.to_string()),
                None => (false, key),
            };
            Override {
                key,
                add,
                value,
                raw: None,
                origin: origin.clone(),
            }
        })
        .collect())
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
