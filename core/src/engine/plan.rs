use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::EngineError;

/// How the encoder takes part in training.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// Encoder frozen in eval mode (no gradients, no dropout/BN updates); only the decoder trains.
    Frozen,
    /// Encoder and decoder trained end to end with the same learning rate.
    Finetune,
    /// Frozen encoder + a linear head (the decoder must be a linear head: `seg_linear`).
    LinearProbe,
    /// Random-init encoder trained end to end: the control that shows what pretraining buys.
    Random,
}

impl Protocol {
    /// Every protocol, in the order tables show them.
    pub const ALL: [Protocol; 4] = [
        Protocol::Frozen,
        Protocol::Finetune,
        Protocol::LinearProbe,
        Protocol::Random,
    ];

    /// Parses the `protocol=` config value.
    pub fn parse(s: &str) -> Result<Self, EngineError> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                EngineError::Plan(format!(
                    "unknown protocol '{s}'; valid: frozen, finetune, linear_probe, random"
                ))
            })
    }

    /// Config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Frozen => "frozen",
            Protocol::Finetune => "finetune",
            Protocol::LinearProbe => "linear_probe",
            Protocol::Random => "random",
        }
    }

    /// Whether the encoder stays fixed (eval mode, no gradients).
    pub fn freezes_encoder(self) -> bool {
        matches!(self, Protocol::Frozen | Protocol::LinearProbe)
    }

    /// Whether the encoder is built from random weights whatever `encoder.weights` says.
    pub fn random_encoder(self) -> bool {
        self == Protocol::Random
    }
}

/// `task.trainer`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrainerConfig {
    /// Training epochs.
    pub n_epochs: usize,
    /// Samples per training batch.
    pub batch_size: usize,
    /// Validate every N epochs (and after the last one).
    pub eval_interval: usize,
    /// Loader threads preparing batches ahead of the model.
    pub num_workers: usize,
    /// Drop the last incomplete training batch (Pangaea: yes; batch norm dislikes tiny batches).
    pub drop_last: bool,
}

/// `task.optimizer` (AdamW; Pangaea's values set explicitly because burn's defaults differ).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OptimizerConfig {
    /// Only `adamw` for now.
    pub name: String,
    /// Base learning rate.
    pub lr: f64,
    /// Adam betas.
    pub betas: [f64; 2],
    /// Decoupled weight decay.
    pub weight_decay: f64,
    /// Adam epsilon.
    pub eps: f64,
}

/// `task.lr_scheduler` (multi-step decay per iteration).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerConfig {
    /// Only `multi_step` for now.
    pub name: String,
    /// Milestones as fractions of the total iterations.
    pub milestones: Vec<f64>,
    /// Factor applied at each milestone.
    pub gamma: f64,
}

/// `task.evaluator`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluatorConfig {
    /// Window stride for sliding-window inference; null = Pangaea's evenly spread windows.
    pub stride: Option<usize>,
    /// Windows per forward pass.
    pub batch_size: usize,
    /// Test scenes whose predictions the run keeps (written as overlay images by the CLI).
    pub overlays: usize,
    /// Resamples of the 95 % bootstrap interval of the test mIoU (0 = none).
    pub bootstrap_resamples: usize,
}

/// Everything the engine needs besides the components.
#[derive(Clone, Debug)]
pub struct RunPlan {
    /// Frozen or fine-tuned encoder.
    pub protocol: Protocol,
    /// Loop settings.
    pub trainer: TrainerConfig,
    /// Optimizer settings.
    pub optimizer: OptimizerConfig,
    /// LR schedule.
    pub scheduler: SchedulerConfig,
    /// Evaluation settings.
    pub evaluator: EvaluatorConfig,
    /// Seed for parameter init, shuffles and augmentations.
    pub seed: u64,
    /// Where checkpoints go.
    pub run_dir: PathBuf,
    /// Reuse frozen-encoder features (frozen and linear-probe protocols only).
    pub feature_cache: Option<super::FeatureCacheSettings>,
    /// Float type the components compute in; the device must already be configured for it
    /// ([`crate::precision::Precision::configure`]). bf16 trains f32 master weights.
    pub precision: crate::precision::Precision,
}

impl RunPlan {
    /// Rejects settings the loop cannot run with.
    pub fn validate(&self) -> Result<(), EngineError> {
        let bad = |m: &str| Err(EngineError::Plan(m.to_string()));
        if self.trainer.n_epochs == 0 {
            return bad("task.trainer.n_epochs must be at least 1");
        }
        if self.trainer.batch_size == 0 || self.evaluator.batch_size == 0 {
            return bad("task.trainer.batch_size and task.evaluator.batch_size must be at least 1");
        }
        if self.trainer.eval_interval == 0 {
            return bad("task.trainer.eval_interval must be at least 1");
        }
        if self.optimizer.name != "adamw" {
            return Err(EngineError::Plan(format!(
                "task.optimizer.name '{}' is not supported; use adamw",
                self.optimizer.name
            )));
        }
        if self.scheduler.name != "multi_step" {
            return Err(EngineError::Plan(format!(
                "task.lr_scheduler.name '{}' is not supported; use multi_step",
                self.scheduler.name
            )));
        }
        if self.optimizer.lr.is_nan() || self.optimizer.lr <= 0.0 {
            return bad("task.optimizer.lr must be > 0");
        }
        if self.evaluator.stride == Some(0) {
            return bad("task.evaluator.stride must be > 0 (or null)");
        }
        Ok(())
    }
}
