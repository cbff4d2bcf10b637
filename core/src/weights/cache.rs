//! Where downloaded checkpoints live: one directory shared by every run on the machine, so a
//! multi-gigabyte release is fetched once, not once per experiment.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use super::release::ReleaseError;

/// The eobench cache directory. Checkpoints go to `<dir>/weights/<file>`, next to their
/// `<file>.sha256` (verified hash), `<file>.part` (resumable download) and `<file>.lock`.
///
/// Passed explicitly (instead of read from the environment deep inside the download code) so
/// tests and tools can point it anywhere without touching process-global variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// A cache rooted at `dir` (created on first download).
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The cache named by the environment: `$EOBENCH_CACHE`, else the platform cache directory
    /// (see [`cache_dir_from`]).
    pub fn from_env() -> Result<Self, ReleaseError> {
        let var = |name: &str| std::env::var_os(name);
        cache_dir_from(
            var("EOBENCH_CACHE").as_deref(),
            var("XDG_CACHE_HOME").as_deref(),
            var("HOME").as_deref(),
            cfg!(target_os = "macos"),
        )
        .map(Self::at)
        .ok_or(ReleaseError::NoCacheDir)
    }

    /// The cache root.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<cache>/weights`, where release files are stored.
    pub fn weights_dir(&self) -> PathBuf {
        self.dir.join("weights")
    }

    /// `<cache>/weights/<file>`: where the release file `file` is (or will be) stored.
    pub fn weights_path(&self, file: &str) -> PathBuf {
        self.weights_dir().join(file)
    }
}

/// The cache directory from the given environment values (a pure function so it can be tested
/// without mutating the process environment): `eobench_cache` if set, else on macOS
/// `<home>/Library/Caches/eobench`, else `<xdg_cache_home>/eobench` (only when absolute, as the
/// XDG spec requires), else `<home>/.cache/eobench`. Empty values count as unset. `None` when
/// nothing usable is set.
pub fn cache_dir_from(
    eobench_cache: Option<&OsStr>,
    xdg_cache_home: Option<&OsStr>,
    home: Option<&OsStr>,
    macos: bool,
) -> Option<PathBuf> {
    let set = |v: Option<&OsStr>| v.filter(|s| !s.is_empty()).map(PathBuf::from);
    if let Some(dir) = set(eobench_cache) {
        return Some(dir);
    }
    let home = set(home);
    if macos && let Some(home) = &home {
        return Some(home.join("Library/Caches/eobench"));
    }
    if let Some(xdg) = set(xdg_cache_home).filter(|p| p.is_absolute()) {
        return Some(xdg.join("eobench"));
    }
    home.map(|h| h.join(".cache/eobench"))
}

/// `path` with `suffix` appended to its file name (`a.pth` + `.part` → `a.pth.part`).
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = OsString::from(path.as_os_str());
    s.push(suffix);
    PathBuf::from(s)
}

/// Whether a release's `file` is a plain file name: it is joined onto the cache directory, so
/// separators or `..` would let a YAML file write outside the cache.
pub(crate) fn is_plain_file_name(file: &str) -> bool {
    !file.is_empty()
        && file != "."
        && file != ".."
        && !file.contains(['/', '\\'])
        && Path::new(file).file_name() == Some(OsStr::new(file))
}
