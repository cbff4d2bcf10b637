//! Training a head on cached frozen-encoder features (see `feature_cache.rs` for what stays
//! valid): each epoch every training scene contributes one of its sliding windows, chosen by
//! the seeded stream, with flips applied to features and target together.

use std::time::Instant;

use crate::burn::optim::ModuleOptimizer;
use crate::burn::tensor::{Device, Int, Tensor, TensorData};

use super::evaluator::{view_key, window_view};
use super::feature_cache::{CachedFeatures, FeatureCache, FeatureCacheSettings, collate_features};
use super::{
    EngineError, MultiStepLr, ProgressSink, RunComponents, RunPlan, purpose, window_offsets,
};
use crate::component::{Features, guarded};
use crate::rng::SplitMix64;
use crate::sample::{Batch, Sample};

/// Target stored per scene as one byte per pixel (class, or 255 for the ignore index).
const IGNORED: u8 = 255;

/// A training scene after the deterministic preprocessing: its size and target.
pub struct CachedScene {
    index: usize,
    id: String,
    height: usize,
    width: usize,
    target: Vec<u8>,
}

/// Opens the cache after checking that the training pipeline can be reproduced from cached
/// features: its augmentations are window crops and flips only, and its deterministic steps are
/// the evaluation pipeline's (which produced the cached windows).
pub fn open_cache(
    settings: &FeatureCacheSettings,
    c: &RunComponents,
) -> Result<FeatureCache, EngineError> {
    let others = c.train_pipeline.augmentations_cache_cannot_reproduce();
    if !others.is_empty() {
        return Err(EngineError::Plan(format!(
            "feature_cache: preprocessing.train step(s) {others:?} change the encoder's input in ways cached features cannot reproduce (only random_crop → window choice and flip are); set feature_cache.enabled=false"
        )));
    }
    let (train, eval) = (
        c.train_pipeline.deterministic_names(),
        c.eval_pipeline.deterministic_names(),
    );
    if train != eval {
        return Err(EngineError::Plan(format!(
            "feature_cache: the deterministic steps of preprocessing.train {train:?} differ from preprocessing.eval {eval:?}; cached windows come from the eval pipeline; make them equal or set feature_cache.enabled=false"
        )));
    }
    Ok(FeatureCache::open(settings.clone()))
}

fn load(c: &RunComponents, index: usize) -> Result<Sample, EngineError> {
    let mut sample = guarded("dataset", || c.train.get(index))?;
    // The eval pipeline has no random steps; the stream is only there to satisfy the API.
    let mut rng = SplitMix64::new(0);
    c.eval_pipeline.apply(&mut sample, &mut rng)?;
    Ok(sample)
}

/// Reads every training scene once (deterministic preprocessing) to keep its size and target.
pub fn scan_train_scenes(c: &RunComponents) -> Result<Vec<CachedScene>, EngineError> {
    let k = c.train.spec().num_classes();
    if k >= usize::from(IGNORED) {
        return Err(EngineError::Plan(format!(
            "feature_cache supports up to 254 classes, the dataset has {k}; set feature_cache.enabled=false"
        )));
    }
    (0..c.train.len())
        .map(|index| {
            let sample = load(c, index)?;
            let t = sample.target.as_ref().ok_or_else(|| {
                EngineError::Plan(format!("training sample '{}' has no target", sample.id))
            })?;
            Ok(CachedScene {
                index,
                id: sample.id.clone(),
                height: t.height,
                width: t.width,
                target: t
                    .data
                    .iter()
                    .map(|&v| {
                        if v >= 0 && (v as usize) < k {
                            v as u8
                        } else {
                            IGNORED
                        }
                    })
                    .collect(),
            })
        })
        .collect()
}

/// What one cached epoch did.
#[derive(Debug, Default)]
pub struct CachedEpochStats {
    /// Sum of the step losses.
    pub loss_sum: f64,
    /// Optimizer steps.
    pub steps: usize,
    /// Training samples seen.
    pub samples: usize,
    /// Seconds spent fetching cached features and assembling batches (the reuse overhead).
    pub feature_s: f64,
    /// Seconds the encoder spent on views not cached yet.
    pub encoder_s: f64,
}

/// One epoch of head training on cached features.
pub struct CachedEpoch<'a> {
    /// The run plan.
    pub plan: &'a RunPlan,
    /// The cache.
    pub cache: &'a FeatureCache,
    /// Scenes from [`scan_train_scenes`].
    pub scenes: &'a [CachedScene],
    /// Where the decoder trains.
    pub train_device: &'a Device,
    /// Where features are computed on a miss.
    pub device: &'a Device,
    /// Epoch number (seeds the window and flip choices).
    pub epoch: usize,
}

impl CachedEpoch<'_> {
    /// Computes every training window not cached yet, `batch_size` windows per encoder call, so
    /// that later epochs (and later runs) never call the encoder; returns the encoder seconds.
    /// Stops after the first chunk when a memory-only cache cannot hold all windows.
    fn prefill(
        &self,
        c: &RunComponents,
        encoder: &dyn crate::component::Encoder,
        batch_size: usize,
    ) -> Result<f64, EngineError> {
        let window = encoder.spec().input_size;
        let views: Vec<(usize, usize, usize)> = self
            .scenes
            .iter()
            .enumerate()
            .flat_map(|(i, scene)| {
                let ys = window_offsets(scene.height, window, None);
                let xs = window_offsets(scene.width, window, None);
                ys.into_iter()
                    .flat_map(move |y| xs.clone().into_iter().map(move |x| (i, y, x)))
            })
            .collect();
        let mut seconds = 0.0;
        for chunk in views.chunks(batch_size.max(1)) {
            let keys: Vec<String> = chunk
                .iter()
                .map(|&(i, top, left)| view_key(&self.scenes[i].id, top, left))
                .collect();
            let found = self.cache.get_many(&keys, |missing| {
                let started = Instant::now();
                // Windows of one scene are adjacent: read each scene once.
                let mut loaded: Option<(usize, Sample)> = None;
                let mut windows = Vec::with_capacity(missing.len());
                for &m in missing {
                    let (i, top, left) = chunk[m];
                    if loaded.as_ref().is_none_or(|(j, _)| *j != i) {
                        loaded = Some((i, load(c, self.scenes[i].index)?));
                    }
                    let (_, sample) = loaded.as_ref().expect("just loaded");
                    windows.push(window_view(sample, top, left, window));
                }
                let input = Batch::collate(&windows, self.device)?;
                let f = guarded("encoder forward", || encoder.forward(&input))?;
                let views = CachedFeatures::split_batch(&f.maps);
                seconds += started.elapsed().as_secs_f64();
                views
            })?;
            // A memory-only cache too small for every window would drop what it computes here;
            // the epochs then fetch or compute views lazily instead.
            let per_view = found.first().map_or(0, CachedFeatures::bytes);
            if !self.cache.can_hold(views.len(), per_view) {
                break;
            }
        }
        Ok(seconds)
    }

    /// Trains the decoder over `batches` (scene indices); the first epoch first fills the cache
    /// with every training window ([`Self::prefill`]).
    pub fn run(
        &self,
        c: &mut RunComponents,
        batches: &[Vec<usize>],
        schedule: &MultiStepLr,
        optim: &mut ModuleOptimizer,
        iteration: &mut usize,
        progress: &mut dyn ProgressSink,
    ) -> Result<CachedEpochStats, EngineError> {
        let window = c.encoder.spec().input_size;
        let (p_h, p_v) = c.train_pipeline.flip_probabilities();
        let ignore = c.train.spec().ignore_index.unwrap_or(-1);
        let encoder = c.encoder.inference_copy();
        let mut stats = CachedEpochStats::default();
        if self.epoch == 1 {
            stats.encoder_s +=
                self.prefill(c, encoder.as_ref(), batches.first().map_or(1, Vec::len))?;
        }
        for batch in batches {
            let fetch_started = Instant::now();
            let mut encoder_s = 0.0;
            // Window and flips per scene first, so the misses of the batch go through the
            // encoder together.
            let choices: Vec<(usize, usize, bool, bool)> = batch
                .iter()
                .map(|&i| {
                    let scene = &self.scenes[i];
                    let mut rng = SplitMix64::derive(
                        self.plan.seed,
                        purpose::CACHED_VIEW,
                        self.epoch as u64,
                        scene.index as u64,
                    );
                    let ys = window_offsets(scene.height, window, None);
                    let xs = window_offsets(scene.width, window, None);
                    let top = ys[rng.below(ys.len() as u64) as usize];
                    let left = xs[rng.below(xs.len() as u64) as usize];
                    (top, left, rng.next_f64() < p_h, rng.next_f64() < p_v)
                })
                .collect();
            let keys: Vec<String> = batch
                .iter()
                .zip(&choices)
                .map(|(&i, &(top, left, _, _))| view_key(&self.scenes[i].id, top, left))
                .collect();
            let found = self.cache.get_many(&keys, |missing| {
                let encoder_started = Instant::now();
                let windows = missing
                    .iter()
                    .map(|&m| {
                        let (top, left, _, _) = choices[m];
                        let sample = load(c, self.scenes[batch[m]].index)?;
                        Ok(window_view(&sample, top, left, window))
                    })
                    .collect::<Result<Vec<_>, EngineError>>()?;
                let input = Batch::collate(&windows, self.device)?;
                let f = guarded("encoder forward", || encoder.forward(&input))?;
                let views = CachedFeatures::split_batch(&f.maps);
                encoder_s = encoder_started.elapsed().as_secs_f64();
                views
            })?;
            let mut views = Vec::with_capacity(batch.len());
            let mut targets = Vec::with_capacity(batch.len() * window * window);
            for ((&i, features), &(top, left, flip_h, flip_v)) in
                batch.iter().zip(found).zip(&choices)
            {
                let scene = &self.scenes[i];
                views.push(features.flipped(flip_h, flip_v));
                for y in 0..window {
                    for x in 0..window {
                        let sy = if flip_v { window - 1 - y } else { y } + top;
                        let sx = if flip_h { window - 1 - x } else { x } + left;
                        let v = if sy < scene.height && sx < scene.width {
                            scene.target[sy * scene.width + sx]
                        } else {
                            IGNORED
                        };
                        targets.push(if v == IGNORED { ignore } else { i64::from(v) });
                    }
                }
            }
            let lr = schedule.lr(*iteration);
            let maps = collate_features(&views, self.train_device);
            let target: Tensor<3, Int> = Tensor::from_data(
                TensorData::new(targets, [batch.len(), window, window]),
                self.train_device,
            );
            stats.encoder_s += encoder_s;
            stats.feature_s += fetch_started.elapsed().as_secs_f64() - encoder_s;
            let loss = guarded("decoder forward", || {
                let logits = c.decoder.forward(Features { maps }, [window, window])?;
                Ok(c.criterion.loss(logits, target))
            })?;
            let value: f32 = loss.clone().into_scalar();
            if !value.is_finite() {
                return Err(EngineError::NonFiniteLoss {
                    value,
                    epoch: self.epoch,
                    iteration: *iteration,
                    samples: batch
                        .iter()
                        .map(|&i| self.scenes[i].id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            let mut grads = loss.backward();
            c.decoder.params().step(optim, lr, &mut grads);
            stats.loss_sum += f64::from(value);
            stats.steps += 1;
            *iteration += 1;
            stats.samples += batch.len();
            progress.advance(Some(value));
        }
        Ok(stats)
    }
}
