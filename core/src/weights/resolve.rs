use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::WeightsError;
use super::cache::Cache;
use super::download::Http;
use super::progress::{DownloadProgress, download_progress};
use super::release::fetch_release_with;

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
/// of one of `releases` (looked up in the cache named by `$EOBENCH_CACHE` or the platform cache
/// directory, downloaded with a progress line on stderr when missing, checked against its
/// pinned SHA-256).
pub fn resolve_weights(
    spec: &str,
    releases: &BTreeMap<String, Release>,
) -> Result<WeightsSource, WeightsError> {
    if !releases.contains_key(spec) {
        // No cache needed: do not fail on an unset HOME for `random` or a path.
        return resolve_local(spec, releases);
    }
    let cache = Cache::from_env().map_err(|e| WeightsError::Read {
        path: PathBuf::from(&releases[spec].file),
        message: e.to_string(),
    })?;
    resolve_weights_with(spec, releases, &cache, download_progress().as_mut())
}

/// [`resolve_weights`] with an explicit cache and progress display (the CLI passes its own
/// progress bar; tests pass a temporary cache).
pub fn resolve_weights_with(
    spec: &str,
    releases: &BTreeMap<String, Release>,
    cache: &Cache,
    progress: &mut dyn DownloadProgress,
) -> Result<WeightsSource, WeightsError> {
    resolve_with(&Http::new(), spec, releases, cache, progress)
}

/// [`resolve_weights_with`] with an explicit HTTP client.
pub(crate) fn resolve_with(
    http: &Http,
    spec: &str,
    releases: &BTreeMap<String, Release>,
    cache: &Cache,
    progress: &mut dyn DownloadProgress,
) -> Result<WeightsSource, WeightsError> {
    let Some(release) = releases.get(spec) else {
        return resolve_local(spec, releases);
    };
    let fetched = fetch_release_with(http, spec, release, cache, progress).map_err(|e| {
        WeightsError::Read {
            path: cache.weights_path(&release.file),
            message: e.to_string(),
        }
    })?;
    if !fetched.verified {
        progress.warn(&format!(
            "release '{spec}' ({}) has no pinned sha256; {} hashes to {}: add `sha256: {}` to the release in the encoder YAML",
            release.url,
            fetched.path.display(),
            fetched.sha256,
            fetched.sha256
        ));
    }
    Ok(WeightsSource::File(fetched.path))
}

/// `random` or an existing file; otherwise an error listing the known releases.
fn resolve_local(
    spec: &str,
    releases: &BTreeMap<String, Release>,
) -> Result<WeightsSource, WeightsError> {
    if spec == "random" {
        return Ok(WeightsSource::Random);
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
