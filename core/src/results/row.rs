//! One leaderboard line: everything needed to compare and reproduce a finished run.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How a run ended. Only `ok` rows enter reports; the others stay visible for bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Training and testing finished.
    Ok,
    /// The run stopped with an error.
    Failed,
    /// The loss became non-finite.
    Diverged,
}

/// Per-class IoU fractions, stored in one CSV cell as `;`-joined values with 4 decimals
/// (`nan` for a class absent from both target and prediction).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IouPerClass(pub Vec<Option<f64>>);

impl IouPerClass {
    /// The cell text, e.g. `0.9731;0.8123;nan`.
    pub fn to_cell(&self) -> String {
        self.0
            .iter()
            .map(|v| match v {
                Some(x) => format!("{x:.4}"),
                None => "nan".to_string(),
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Parses a cell written by [`IouPerClass::to_cell`]; an empty cell is an empty list.
    pub fn from_cell(cell: &str) -> Result<Self, String> {
        if cell.trim().is_empty() {
            return Ok(Self(Vec::new()));
        }
        cell.split(';')
            .map(|part| match part.trim() {
                "nan" | "NaN" => Ok(None),
                p => p
                    .parse::<f64>()
                    .map(Some)
                    .map_err(|e| format!("iou_per_class entry `{p}` is not a number: {e}")),
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl Serialize for IouPerClass {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_cell())
    }
}

impl<'de> Deserialize<'de> for IouPerClass {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let cell = String::deserialize(d)?;
        Self::from_cell(&cell).map_err(serde::de::Error::custom)
    }
}

/// One CSV row per finished (or failed) run. Field order is the column order.
///
/// Metrics are fractions in `[0, 1]`; values a failed run never produced are empty cells.
/// Changing fields changes the schema: [`super::append_row`] then refuses old files instead of
/// mixing rows, so bump the schema deliberately and say how to migrate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaderboardRow {
    /// Unique run id, also the run directory name.
    pub run_id: String,
    /// When the run finished, RFC 3339 UTC (`2026-11-23T21:15:00Z`).
    pub time: String,
    /// Encoder component name.
    pub encoder: String,
    /// Pretrained weights the encoder started from.
    pub encoder_weights: String,
    /// Decoder component name.
    pub decoder: String,
    /// Dataset name.
    pub dataset: String,
    /// Protocol name (e.g. frozen encoder, full fine-tuning).
    pub protocol: String,
    /// Training criterion.
    pub criterion: String,
    /// Where the components came from: `builtin`, or each plugin-provided one as
    /// `kind=name@version (library file)`, `;`-joined.
    pub origin: String,
    /// Run seed.
    pub seed: u64,
    /// Configured number of epochs.
    pub epochs: u32,
    /// Test mIoU.
    pub miou: Option<f64>,
    /// Lower end of the 95 % bootstrap interval of the test mIoU (test images resampled).
    pub miou_ci_low: Option<f64>,
    /// Upper end of that interval.
    pub miou_ci_high: Option<f64>,
    /// Test mean F1.
    pub mf1: Option<f64>,
    /// Test overall accuracy.
    pub oa: Option<f64>,
    /// Test mean per-class accuracy.
    pub macc: Option<f64>,
    /// Test IoU per class.
    pub iou_per_class: IouPerClass,
    /// Parameters of encoder + decoder.
    pub total_params: Option<u64>,
    /// Parameters updated by the optimiser.
    pub trainable_params: Option<u64>,
    /// Training throughput.
    pub train_images_per_s: Option<f64>,
    /// Evaluation throughput.
    pub eval_images_per_s: Option<f64>,
    /// Peak resident memory of the run's process in MiB (`VmHWM`; empty where unknown).
    pub peak_rss_mib: Option<f64>,
    /// Wall-clock duration of the whole run.
    pub wall_time_s: f64,
    /// Device description, e.g. `cuda:0 NVIDIA H100`.
    pub device: String,
    /// Numeric precision, e.g. `f32` or `bf16`.
    pub precision: String,
    /// eobench version that produced the row.
    pub eobench_version: String,
    /// Source revision, empty when unknown.
    pub git_rev: String,
    /// Hash of the resolved configuration.
    pub config_hash: String,
    /// How the run ended.
    pub status: RunStatus,
}

impl LeaderboardRow {
    /// The CSV header, in field order; a file with any other header is refused.
    pub const COLUMNS: [&'static str; 30] = [
        "run_id",
        "time",
        "encoder",
        "encoder_weights",
        "decoder",
        "dataset",
        "protocol",
        "criterion",
        "origin",
        "seed",
        "epochs",
        "miou",
        "miou_ci_low",
        "miou_ci_high",
        "mf1",
        "oa",
        "macc",
        "iou_per_class",
        "total_params",
        "trainable_params",
        "train_images_per_s",
        "eval_images_per_s",
        "peak_rss_mib",
        "wall_time_s",
        "device",
        "precision",
        "eobench_version",
        "git_rev",
        "config_hash",
        "status",
    ];

    /// What identifies "the same experiment" when resuming a sweep (cf. torchgeo-bench): a
    /// run whose key already has an `ok` row can be skipped.
    pub fn resume_key(&self) -> ResumeKey {
        ResumeKey {
            encoder: self.encoder.clone(),
            encoder_weights: self.encoder_weights.clone(),
            decoder: self.decoder.clone(),
            dataset: self.dataset.clone(),
            protocol: self.protocol.clone(),
            seed: self.seed,
            config_hash: self.config_hash.clone(),
        }
    }
}

/// Identity of an experiment for resume purposes; see [`LeaderboardRow::resume_key`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResumeKey {
    /// Encoder component name.
    pub encoder: String,
    /// Encoder weights.
    pub encoder_weights: String,
    /// Decoder component name.
    pub decoder: String,
    /// Dataset name.
    pub dataset: String,
    /// Protocol name.
    pub protocol: String,
    /// Run seed.
    pub seed: u64,
    /// Hash of the resolved configuration.
    pub config_hash: String,
}
