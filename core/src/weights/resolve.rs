use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::WeightsError;

/// A published checkpoint, declared in an encoder's YAML under `releases:`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// Where the official file is served.
    pub url: String,
    /// Expected SHA-256 (hex) of the file; `null` when not yet pinned (a warning is printed and
    /// the computed hash shown so it can be pinned).
    pub sha256: Option<String>,
    /// File name in the cache.
    pub file: String,
}

/// Where an encoder's initial weights come from.
#[derive(Clone, Debug, PartialEq)]
pub enum WeightsSource {
    /// `weights: random` — the random-init control, marked as such in the leaderboard.
    Random,
    /// A local checkpoint file (given directly, or a release found in / downloaded to the cache).
    File(PathBuf),
}

/// Resolves `encoder.weights`: `random`, a local `.pth`/`.pt`/`.safetensors` path, or the name
/// of one of `releases` (looked up in the cache, downloaded when missing).
pub fn resolve_weights(
    spec: &str,
    releases: &BTreeMap<String, Release>,
) -> Result<WeightsSource, WeightsError> {
    if spec == "random" {
        return Ok(WeightsSource::Random);
    }
    if let Some(release) = releases.get(spec) {
        return Err(WeightsError::Read {
            path: PathBuf::from(&release.file),
            message: format!(
                "downloading release '{spec}' from {} is not available yet; download it and pass encoder.weights=/path/to/{}",
                release.url, release.file
            ),
        });
    }
    let path = PathBuf::from(spec);
    if path.is_file() {
        return Ok(WeightsSource::File(path));
    }
    if releases.is_empty() {
        return Err(WeightsError::NotFound { path });
    }
    let names: Vec<&str> = releases.keys().map(String::as_str).collect();
    Err(WeightsError::Read {
        path,
        message: format!(
            "not a file and not a known release; use random, a checkpoint path, or one of: {}",
            names.join(", ")
        ),
    })
}
