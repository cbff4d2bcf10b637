//! SHA-256 of checkpoint files, and the `<file>.sha256` sidecar that remembers a verified hash
//! so a multi-gigabyte cached checkpoint is not re-hashed on every run.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};

use super::cache::with_suffix;

/// Lower-case hex SHA-256 of the file at `path`, read in chunks.
pub(crate) fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// `hash` trimmed and lower-cased when it is 64 hex digits, else `None`.
pub(crate) fn normalize_sha256(hash: &str) -> Option<String> {
    let h = hash.trim().to_ascii_lowercase();
    (h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())).then_some(h)
}

/// Size and modification time (ns since the epoch): what must be unchanged for a remembered
/// hash to still describe the file.
fn stamp(path: &Path) -> io::Result<(u64, u128)> {
    let meta = fs::metadata(path)?;
    let mtime = meta
        .modified()?
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Ok((meta.len(), mtime))
}

/// The hash remembered for `path`, if its sidecar exists and the file's size and modification
/// time still match what was recorded.
pub(crate) fn remembered_sha256(path: &Path) -> Option<String> {
    let text = fs::read_to_string(with_suffix(path, ".sha256")).ok()?;
    let mut fields = text.split_whitespace();
    let hash = normalize_sha256(fields.next()?)?;
    let size: u64 = fields.next()?.parse().ok()?;
    let mtime: u128 = fields.next()?.parse().ok()?;
    (stamp(path).ok()? == (size, mtime)).then_some(hash)
}

/// Records `hash` for `path` in `<path>.sha256` (`<hash> <size> <mtime_ns>`), written to a
/// temporary file and renamed so a reader never sees half a line.
pub(crate) fn remember_sha256(path: &Path, hash: &str) -> io::Result<()> {
    let (size, mtime) = stamp(path)?;
    let sidecar = with_suffix(path, ".sha256");
    let tmp = with_suffix(path, ".sha256.tmp");
    fs::write(&tmp, format!("{hash} {size} {mtime}\n"))?;
    fs::rename(&tmp, &sidecar)
}

/// Forgets the remembered hash of `path` (missing sidecar is fine).
pub(crate) fn forget_sha256(path: &Path) {
    let _ = fs::remove_file(with_suffix(path, ".sha256"));
}

/// The hash of `path`: the remembered one when still valid, else computed and remembered (a
/// read-only cache just skips remembering).
pub(crate) fn sha256_remembered(path: &Path) -> io::Result<String> {
    if let Some(hash) = remembered_sha256(path) {
        return Ok(hash);
    }
    let hash = sha256_file(path)?;
    let _ = remember_sha256(path, &hash);
    Ok(hash)
}
