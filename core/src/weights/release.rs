//! Fetching a named release into the cache: cache lookup, locked download, SHA-256
//! verification and atomic rename, so a half-downloaded or tampered file is never used.

use std::fs::{self, File};
use std::io;
use std::path::PathBuf;

use thiserror::Error;

use super::cache::{Cache, is_plain_file_name, with_suffix};
use super::download::{DownloadError, Http, download};
use super::progress::DownloadProgress;
use super::resolve::Release;
use super::sha;

/// A release file present in the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedRelease {
    /// `<cache>/weights/<file>`.
    pub path: PathBuf,
    /// Its SHA-256 (lower-case hex).
    pub sha256: String,
    /// Whether the hash was checked against the release's pinned `sha256` (`false`: unpinned).
    pub verified: bool,
    /// Whether it was downloaded now (`false`: found in the cache).
    pub downloaded: bool,
}

/// Why a release could not be made available.
#[derive(Debug, Error)]
pub enum ReleaseError {
    /// Neither `EOBENCH_CACHE` nor a home directory is set.
    #[error(
        "no cache directory for downloaded weights: set EOBENCH_CACHE (or HOME / XDG_CACHE_HOME)"
    )]
    NoCacheDir,
    /// The release's `file` would escape the cache directory.
    #[error(
        "release '{name}': file '{file}' must be a plain file name (no '/', '\\\\' or '..'); fix `file` in the encoder YAML"
    )]
    BadFileName {
        /// Release name.
        name: String,
        /// The offending `file`.
        file: String,
    },
    /// The pinned hash is not a SHA-256.
    #[error(
        "release '{name}': sha256 '{sha256}' is not 64 hex digits; fix it in the encoder YAML (or set it to null to have the hash printed)"
    )]
    BadHash {
        /// Release name.
        name: String,
        /// The offending value.
        sha256: String,
    },
    /// The cache cannot be written (permissions, disk full, lock failure).
    #[error("weights cache {}: {source}; set EOBENCH_CACHE to a writable directory", path.display())]
    Cache {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// Offline, or the server failed.
    #[error(
        "cannot download release '{name}' from {url}: {source}. Offline? Download {url} yourself and save it as {}, or pass encoder.weights=/path/to/{file}{}",
        dest.display(),
        if *partial { format!(" (the partial download {}.part is resumed next time)", dest.display()) } else { String::new() }
    )]
    Download {
        /// Release name.
        name: String,
        /// Its URL.
        url: String,
        /// Its file name.
        file: String,
        /// Where the file belongs in the cache.
        dest: PathBuf,
        /// Whether a resumable `.part` file was left.
        partial: bool,
        /// What went wrong.
        source: DownloadError,
    },
    /// The download does not match the pinned hash.
    #[error(
        "{url}: SHA-256 mismatch for {file}: expected {expected}, got {actual}; the download was deleted. \
         Check that the URL still serves the official checkpoint, then fix `sha256` of release '{name}' in the encoder YAML"
    )]
    Mismatch {
        /// Release name.
        name: String,
        /// Its URL.
        url: String,
        /// Its file name.
        file: String,
        /// Pinned hash.
        expected: String,
        /// Hash of what was downloaded.
        actual: String,
    },
}

/// Makes release `name` available in `cache`, downloading it (with progress) when missing and
/// verifying its pinned SHA-256. Unpinned releases are returned with `verified: false`; the
/// caller should show `sha256` so it can be pinned.
pub fn fetch_release(
    name: &str,
    release: &Release,
    cache: &Cache,
    progress: &mut dyn DownloadProgress,
) -> Result<FetchedRelease, ReleaseError> {
    fetch_release_with(&Http::new(), name, release, cache, progress)
}

/// [`fetch_release`] with an explicit HTTP client (tests connect without proxies).
pub(crate) fn fetch_release_with(
    http: &Http,
    name: &str,
    release: &Release,
    cache: &Cache,
    progress: &mut dyn DownloadProgress,
) -> Result<FetchedRelease, ReleaseError> {
    if !is_plain_file_name(&release.file) {
        return Err(ReleaseError::BadFileName {
            name: name.into(),
            file: release.file.clone(),
        });
    }
    let expected = match &release.sha256 {
        None => None,
        Some(h) => Some(
            sha::normalize_sha256(h).ok_or_else(|| ReleaseError::BadHash {
                name: name.into(),
                sha256: h.clone(),
            })?,
        ),
    };
    let dest = cache.weights_path(&release.file);
    let found = |sha256: String, downloaded| FetchedRelease {
        path: dest.clone(),
        sha256,
        verified: expected.is_some(),
        downloaded,
    };

    // Fast path, no lock: a file verified earlier and unchanged since.
    if let Some(hash) = sha::remembered_sha256(&dest)
        && expected.as_ref().is_none_or(|e| *e == hash)
    {
        return Ok(found(hash, false));
    }

    let cache_err = |path: &PathBuf| {
        let path = path.clone();
        move |source| ReleaseError::Cache { path, source }
    };
    let dir = cache.weights_dir();
    fs::create_dir_all(&dir).map_err(cache_err(&dir))?;
    // Held until return: a concurrent run waits here, then finds the file in place.
    let lock_path = with_suffix(&dest, ".lock");
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(cache_err(&lock_path))?;
    lock.lock().map_err(cache_err(&lock_path))?;

    if dest.is_file() {
        let hash = sha::sha256_remembered(&dest).map_err(cache_err(&dest))?;
        match &expected {
            Some(e) if *e != hash => {
                progress.warn(&format!(
                    "{} has SHA-256 {hash}, but release '{name}' pins {e}; downloading it again",
                    dest.display()
                ));
                sha::forget_sha256(&dest);
            }
            _ => return Ok(found(hash, false)),
        }
    }

    let part = with_suffix(&dest, ".part");
    download(http, &release.url, &part, progress).map_err(|source| ReleaseError::Download {
        name: name.into(),
        url: release.url.clone(),
        file: release.file.clone(),
        dest: dest.clone(),
        partial: fs::metadata(&part).is_ok_and(|m| m.len() > 0),
        source,
    })?;
    let actual = sha::sha256_file(&part).map_err(cache_err(&part))?;
    if let Some(e) = &expected
        && *e != actual
    {
        let _ = fs::remove_file(&part);
        return Err(ReleaseError::Mismatch {
            name: name.into(),
            url: release.url.clone(),
            file: release.file.clone(),
            expected: e.clone(),
            actual,
        });
    }
    sha::forget_sha256(&dest);
    fs::rename(&part, &dest).map_err(cache_err(&dest))?;
    let _ = sha::remember_sha256(&dest, &actual);
    Ok(found(actual, true))
}
