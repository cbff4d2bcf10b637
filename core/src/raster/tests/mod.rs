//! Tests for the raster module. Fixtures come from an independent writer (GDAL via
//! rasterio, `tools/fixtures/make_geotiff_variants.py`); real files from `../shared/data`.

mod errors;
mod fixtures;
mod formula;
mod shared_data;
mod writer;

use std::path::{Path, PathBuf};

/// Path of a committed fixture under `tests/fixtures/geotiff/`.
fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/geotiff"
    ))
    .join(name)
}

/// The shared real-data directory: `$EOBENCH_SHARED_DIR`, else `../shared` beside the repo.
/// Fails loudly when absent: CI always has it, so a skip would hide a broken setup.
fn shared_dir() -> PathBuf {
    let dir = std::env::var_os("EOBENCH_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")).into());
    assert!(
        dir.join("data").is_dir(),
        "shared data directory {} not found: set EOBENCH_SHARED_DIR to the folder holding \
         data/ or check out ../shared beside the repository",
        dir.join("data").display()
    );
    dir
}
