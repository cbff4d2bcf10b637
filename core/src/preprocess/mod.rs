//! Preprocessing: small named steps applied to a [`Sample`] on the CPU, configured in YAML as a
//! list (`configs/preprocessing/*.yaml`), e.g.
//!
//! ```yaml
//! train:
//!   - {step: random_crop, size: "${encoder.input_size}"}
//!   - {step: nodata, fill: 0.0}
//!   - {step: normalize}
//!   - {step: band_match, fill: 0.0}
//! ```
//!
//! Steps see the dataset and encoder declarations through [`PreprocessContext`]. Randomness comes
//! from a per-sample stream, so results do not depend on which loader thread ran the step.

mod band_match;
mod crop;
mod flip;
mod nodata;
mod normalize;

use serde::Deserialize;
use thiserror::Error;

use crate::component::{DatasetSpec, EncoderSpec};
use crate::rng::SplitMix64;
use crate::sample::Sample;

pub use band_match::BandMatchStep;
pub use crop::{RandomCropStep, crop_sample};
pub use flip::FlipStep;
pub use nodata::NodataStep;
pub use normalize::NormalizeStep;

/// A preprocessing failure, naming the sample and the step.
#[derive(Debug, Error)]
pub enum PreprocessError {
    /// The step list in the config is invalid.
    #[error("invalid preprocessing step #{index} in preprocessing.{list}: {message}")]
    Config {
        /// `train` or `eval`.
        list: String,
        /// Position in the list.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// A step could not be applied to a sample.
    #[error("preprocessing step '{step}' failed on sample '{sample}': {message}")]
    Apply {
        /// The step.
        step: &'static str,
        /// The sample id.
        sample: String,
        /// What is wrong and what to do.
        message: String,
    },
}

/// What steps are built against.
pub struct PreprocessContext<'a> {
    /// The dataset (bands, statistics, ignore index).
    pub dataset: &'a DatasetSpec,
    /// The encoder (bands, input size).
    pub encoder: &'a EncoderSpec,
}

/// One preprocessing step.
pub trait Step: Send + Sync {
    /// Name as written in YAML.
    fn name(&self) -> &'static str;
    /// Transforms the sample in place.
    fn apply(&self, sample: &mut Sample, rng: &mut SplitMix64) -> Result<(), PreprocessError>;
    /// Random augmentation (differs between epochs) rather than a deterministic transform.
    fn is_augmentation(&self) -> bool {
        false
    }
    /// (left-right, up-down) probabilities for a flip step.
    fn flip_probabilities(&self) -> Option<(f64, f64)> {
        None
    }
}

/// The YAML form of a step.
#[derive(Debug, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
enum StepConfig {
    RandomCrop { size: usize },
    Nodata { fill: f32 },
    Normalize {},
    BandMatch { fill: f32 },
    Flip { horizontal: f64, vertical: f64 },
}

/// An ordered list of steps.
pub struct Pipeline {
    steps: Vec<Box<dyn Step>>,
}

impl Pipeline {
    /// Builds `preprocessing.<list>` from its YAML list.
    pub fn from_config(
        list: &str,
        value: &serde_json::Value,
        ctx: &PreprocessContext,
    ) -> Result<Self, PreprocessError> {
        let items = value.as_array().ok_or_else(|| PreprocessError::Config {
            list: list.into(),
            index: 0,
            message: "expected a list of steps".into(),
        })?;
        let mut steps: Vec<Box<dyn Step>> = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let err = |message: String| PreprocessError::Config {
                list: list.into(),
                index,
                message,
            };
            let cfg: StepConfig =
                serde_json::from_value(item.clone()).map_err(|e| err(e.to_string()))?;
            steps.push(match cfg {
                StepConfig::RandomCrop { size } => {
                    if size == 0 {
                        return Err(err("random_crop.size must be > 0".into()));
                    }
                    Box::new(RandomCropStep {
                        size,
                        ignore_index: ctx.dataset.ignore_index.unwrap_or(-1),
                    })
                }
                StepConfig::Nodata { fill } => Box::new(NodataStep { fill }),
                StepConfig::Normalize {} => Box::new(NormalizeStep::new(ctx.dataset).map_err(err)?),
                StepConfig::BandMatch { fill } => Box::new(BandMatchStep::new(ctx.encoder, fill)),
                StepConfig::Flip {
                    horizontal,
                    vertical,
                } => {
                    if !(0.0..=1.0).contains(&horizontal) || !(0.0..=1.0).contains(&vertical) {
                        return Err(err("flip probabilities must be within [0, 1]".into()));
                    }
                    Box::new(FlipStep {
                        horizontal,
                        vertical,
                    })
                }
            });
        }
        Ok(Self { steps })
    }

    /// Step names, in order (for logs).
    pub fn names(&self) -> Vec<&'static str> {
        self.steps.iter().map(|s| s.name()).collect()
    }

    /// Names of the deterministic steps, in order.
    pub fn deterministic_names(&self) -> Vec<&'static str> {
        self.steps
            .iter()
            .filter(|s| !s.is_augmentation())
            .map(|s| s.name())
            .collect()
    }

    /// Augmentation steps other than `random_crop` and `flip` (which cached features can
    /// reproduce as window choice and feature-map flips).
    pub fn augmentations_cache_cannot_reproduce(&self) -> Vec<&'static str> {
        self.steps
            .iter()
            .filter(|s| s.is_augmentation() && !["random_crop", "flip"].contains(&s.name()))
            .map(|s| s.name())
            .collect()
    }

    /// Flip probabilities (left-right, up-down) of the pipeline's flip step, or zeros.
    pub fn flip_probabilities(&self) -> (f64, f64) {
        self.steps
            .iter()
            .find_map(|s| s.flip_probabilities())
            .unwrap_or((0.0, 0.0))
    }

    /// Applies every step.
    pub fn apply(&self, sample: &mut Sample, rng: &mut SplitMix64) -> Result<(), PreprocessError> {
        for step in &self.steps {
            step.apply(sample, rng)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
