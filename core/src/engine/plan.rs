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
}

impl Protocol {
    /// Parses the `protocol=` config value.
    pub fn parse(s: &str) -> Result<Self, EngineError> {
        match s {
            "frozen" => Ok(Protocol::Frozen),
            "finetune" => Ok(Protocol::Finetune),
            other => Err(EngineError::Plan(format!(
                "unknown protocol '{other}'; valid: frozen, finetune"
            ))),
        }
    }

    /// Config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Frozen => "frozen",
            Protocol::Finetune => "finetune",
        }
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
        if !(self.optimizer.lr > 0.0) {
            return bad("task.optimizer.lr must be > 0");
        }
        if self.evaluator.stride == Some(0) {
            return bad("task.evaluator.stride must be > 0 (or null)");
        }
        Ok(())
    }
}
