//! The training/evaluation engine: a hand-written loop on burn's autodiff (auditable, exact
//! control over the Pangaea protocol), a prefetching batch loader, the multi-step LR schedule,
//! sliding-window evaluation over full scenes, and best-checkpoint selection.

mod cached_training;
mod error;
mod evaluator;
mod feature_cache;
mod loader;
mod plan;
mod progress;
mod schedule;
mod sliding_window;
mod trainer;

pub use error::EngineError;
pub use evaluator::{EvalInputs, EvalOutcome, ScenePrediction, evaluate, predict_scene};
pub use feature_cache::{CachedFeatures, FeatureCache, FeatureCacheSettings, collate_features};
pub use loader::{BatchLoader, batches_for_epoch};
pub use plan::{
    EvaluatorConfig, OptimizerConfig, Protocol, RunPlan, SchedulerConfig, TrainerConfig,
};
pub use progress::{ProgressSink, SilentProgress};
pub use schedule::MultiStepLr;
pub use sliding_window::{SlidingWindow, window_offsets};
pub use trainer::{RunComponents, RunOutcome, train_and_test};

/// Random-stream purposes, so crops, flips and shuffles never share a stream.
pub(crate) mod purpose {
    pub const SHUFFLE: u64 = 1;
    pub const PREPROCESS: u64 = 2;
    pub const CACHED_VIEW: u64 = 3;
}

#[cfg(test)]
mod tests;
