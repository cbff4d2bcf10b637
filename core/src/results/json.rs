//! Crash-safe JSON files: readers see the old file or the new one, never half of one.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ResultsError;

/// Writes pretty JSON to a temporary file in the same directory, syncs it, and renames it over
/// `path` (a rename within one filesystem is atomic). Creates the parent directory.
pub fn write_json_atomic<T: Serialize + ?Sized>(
    path: &Path,
    value: &T,
) -> Result<(), ResultsError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|source| ResultsError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    bytes.push(b'\n');
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(ResultsError::io("create directory", &dir))?;
    let tmp = temp_path(&dir, path);
    let result = write_and_sync(&tmp, &bytes)
        .and_then(|()| fs::rename(&tmp, path).map_err(ResultsError::io("rename into", path)));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
        return result;
    }
    // Persist the rename itself; not all platforms can open a directory, so this is best-effort.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Reads a JSON file written by [`write_json_atomic`].
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, ResultsError> {
    let bytes = fs::read(path).map_err(ResultsError::io("read", path))?;
    serde_json::from_slice(&bytes).map_err(|source| ResultsError::Json {
        path: path.to_path_buf(),
        source,
    })
}

fn write_and_sync(tmp: &Path, bytes: &[u8]) -> Result<(), ResultsError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)
        .map_err(ResultsError::io("create", tmp))?;
    f.write_all(bytes).map_err(ResultsError::io("write", tmp))?;
    f.sync_all().map_err(ResultsError::io("sync", tmp))
}

/// A name unique per process and call, hidden, next to the target.
fn temp_path(dir: &Path, path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_string());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()))
}
