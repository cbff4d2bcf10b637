use std::path::{Path, PathBuf};

use anyhow::anyhow;

use super::Failure;

/// The configs directory: the flag / `EOBENCH_CONFIGS`, else `./configs`, else the checkout this
/// binary was built from (so `cargo run` works from any directory).
pub fn locate(flag: Option<&Path>) -> Result<PathBuf, Failure> {
    if let Some(p) = flag {
        return if p.join("config.yaml").is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(Failure::usage(anyhow!(
                "--configs {}: no config.yaml there",
                p.display()
            )))
        };
    }
    let cwd = PathBuf::from("configs");
    if cwd.join("config.yaml").is_file() {
        return Ok(cwd);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    if built.join("config.yaml").is_file() {
        return Ok(built);
    }
    Err(Failure::usage(anyhow!(
        "no configs directory: run from the eobench checkout, or pass --configs DIR (or set EOBENCH_CONFIGS)"
    )))
}

/// Relative dataset roots resolve against the directory holding `configs/`.
pub fn base_dir(configs: &Path) -> PathBuf {
    let abs = configs
        .canonicalize()
        .unwrap_or_else(|_| configs.to_path_buf());
    abs.parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
