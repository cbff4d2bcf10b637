use std::path::PathBuf;

use thiserror::Error;

use crate::component::ComponentError;
use crate::preprocess::PreprocessError;
use crate::sample::BatchError;

/// Why a run stopped. No leaderboard row is written for any of these.
#[derive(Debug, Error)]
pub enum EngineError {
    /// A component failed (config, files, bands, shapes, panic).
    #[error(transparent)]
    Component(#[from] ComponentError),
    /// Preprocessing failed on a sample.
    #[error(transparent)]
    Preprocess(#[from] PreprocessError),
    /// Samples could not be batched.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// The loss became NaN or infinite.
    #[error(
        "loss is {value} at epoch {epoch}, iteration {iteration} (batch: {samples}); the run is stopped. \
         Check the inputs for NaN/no-data values (add a `nodata` preprocessing step), the normalisation \
         statistics, and lower task.optimizer.lr"
    )]
    NonFiniteLoss {
        /// The bad value.
        value: f32,
        /// Epoch (1-based).
        epoch: usize,
        /// Global iteration.
        iteration: usize,
        /// Sample ids of the batch.
        samples: String,
    },
    /// A split has no samples.
    #[error("the {split} split of dataset '{dataset}' is empty: {detail}")]
    EmptySplit {
        /// The split.
        split: &'static str,
        /// The dataset.
        dataset: String,
        /// Where it looked.
        detail: String,
    },
    /// The run plan is inconsistent.
    #[error("{0}")]
    Plan(String),
    /// A run file could not be written.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Predictions or targets could not be scored.
    #[error("metrics: {0}")]
    Metrics(String),
}
