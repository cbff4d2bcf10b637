//! Loading official checkpoints unchanged. Pangaea loads with `strict=False` and silently leaves
//! mismatched tensors at their random init; eobench is strict: every module parameter must come
//! from the checkpoint (unless listed in `allow_missing`), and every checkpoint tensor must be
//! used (unless a documented pattern, e.g. an MAE decoder, says it is not needed).

mod cache;
mod download;
mod progress;
mod release;
mod resolve;
mod sha;
mod strict;

pub use cache::{Cache, cache_dir_from};
pub use download::DownloadError;
pub use progress::{
    DownloadProgress, NoProgress, ProgressFactory, StderrProgress, download_progress,
    set_download_progress,
};
pub use release::{FetchedRelease, ReleaseError, fetch_release};
pub use resolve::{Release, WeightsSource, resolve_weights, resolve_weights_with};
pub use strict::{CheckpointLayout, LoadReport, WeightsError, load_weights};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_download;
