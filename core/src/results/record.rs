//! `metrics.json`: the full record of one run, richer than its leaderboard row.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{LeaderboardRow, ResultsError, read_json, write_json_atomic};
use crate::metrics::SegmentationMetrics;

/// One epoch of training history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// Epoch number (0 = evaluation before training, as in Pangaea).
    pub epoch: u32,
    /// Mean training loss; `None` if not trained this epoch or not finite (JSON has no NaN).
    pub train_loss: Option<f64>,
    /// Validation mIoU fraction; `None` on epochs without validation.
    pub val_miou: Option<f64>,
    /// Learning rate at the end of the epoch.
    pub lr: f64,
    /// Wall-clock seconds spent in the epoch.
    pub seconds: f64,
    /// Of the training part, seconds the model waited for the loader (reading, decoding and
    /// preprocessing not hidden behind compute); absent in records of older versions.
    #[serde(default)]
    pub data_wait_s: Option<f64>,
    /// Feature-cache runs: of the training part, seconds the frozen encoder spent computing
    /// features not yet cached (0 once every view is cached); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder_s: Option<f64>,
}

/// Everything a run reports, written as `metrics.json` in its run directory.
///
/// The leaderboard row's fields are flattened to the top level, so `run_id`, `dataset`, `seed`
/// and friends are found in the same place in both files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The row appended to the leaderboard.
    #[serde(flatten)]
    pub row: LeaderboardRow,
    /// Validation metrics of the selected (best) checkpoint.
    pub val_best: Option<SegmentationMetrics>,
    /// Test metrics of the selected checkpoint.
    pub test: Option<SegmentationMetrics>,
    /// Per-epoch history.
    pub history: Vec<EpochRecord>,
    /// Epoch of the selected checkpoint.
    pub best_epoch: Option<u32>,
}

impl RunRecord {
    /// Writes the record atomically.
    pub fn write(&self, path: &Path) -> Result<(), ResultsError> {
        write_json_atomic(path, self)
    }

    /// Reads a record back.
    pub fn read(path: &Path) -> Result<Self, ResultsError> {
        read_json(path)
    }
}
