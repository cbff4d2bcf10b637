use std::sync::Arc;
use std::time::Instant;

use crate::burn::tensor::Device;

use super::feature_cache::{CachedFeatures, FeatureCache, collate_features};
use super::{
    BatchLoader, EngineError, EvaluatorConfig, ProgressSink, SlidingWindow, window_offsets,
};
use crate::component::{Decoder, Encoder, Features, guarded};
use crate::metrics::ConfusionMatrix;
use crate::preprocess::{Pipeline, crop_sample};
use crate::sample::{Batch, Sample};

/// One scene's prediction, kept for overlays.
#[derive(Clone, Debug)]
pub struct ScenePrediction {
    /// The preprocessed scene (normalised bands, target).
    pub sample: Sample,
    /// Arg-max class per pixel, row-major over the scene.
    pub prediction: Vec<i64>,
}

/// Scores of one evaluation pass.
#[derive(Clone, Debug)]
pub struct EvalOutcome {
    /// Accumulated over every scene of the split.
    pub confusion: ConfusionMatrix,
    /// One matrix per scene, in split order (for bootstrap intervals over scenes).
    pub per_image: Vec<ConfusionMatrix>,
    /// Predictions of the first scenes, as many as [`EvalInputs::keep_predictions`] asked.
    pub kept: Vec<ScenePrediction>,
    /// Scenes evaluated.
    pub images: usize,
    /// Wall time of the pass.
    pub seconds: f64,
}

/// What evaluation needs from the run.
pub struct EvalInputs<'a> {
    /// Inference copy of the encoder.
    pub encoder: &'a dyn Encoder,
    /// Inference copy of the decoder.
    pub decoder: &'a dyn Decoder,
    /// Plain (non-autodiff) device.
    pub device: &'a Device,
    /// Evaluation settings.
    pub config: &'a EvaluatorConfig,
    /// Classes.
    pub num_classes: usize,
    /// Label value not scored.
    pub ignore_index: Option<i64>,
    /// Loader threads.
    pub num_workers: usize,
    /// Keep the predictions of this many leading scenes.
    pub keep_predictions: usize,
    /// Frozen-encoder features of the windows, reused instead of recomputed.
    pub cache: Option<&'a FeatureCache>,
}

/// The cache key of one window of a preprocessed scene (shared by training and evaluation).
pub fn view_key(sample_id: &str, top: usize, left: usize) -> String {
    format!("{sample_id}@{top},{left}")
}

/// The window of a preprocessed scene the encoder sees; padding of scenes smaller than the
/// window is 0 (the mean after normalisation).
pub fn window_view(sample: &Sample, top: usize, left: usize, window: usize) -> Sample {
    let mut s = Sample {
        id: sample.id.clone(),
        modalities: sample.modalities.clone(),
        target: None,
    };
    crop_sample(&mut s, top as isize, left as isize, window, window, -1);
    for m in &mut s.modalities {
        m.data
            .iter_mut()
            .filter(|v| v.is_nan())
            .for_each(|v| *v = 0.0);
    }
    s
}

/// Sliding-window inference over every full scene of a split: windows of the encoder's input
/// size, logits of overlapping windows averaged, arg-max scored against the full target.
pub fn evaluate(
    inputs: &EvalInputs<'_>,
    dataset: Arc<dyn crate::component::Dataset>,
    pipeline: Arc<Pipeline>,
    phase: &str,
    progress: &mut dyn ProgressSink,
) -> Result<EvalOutcome, EngineError> {
    let start = Instant::now();
    let n = dataset.len();
    let batches: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    let loader = BatchLoader::start(dataset, pipeline, batches, 0, 0, inputs.num_workers, 2);
    let new_matrix = || {
        ConfusionMatrix::new(inputs.num_classes).map_err(|e| EngineError::Metrics(e.to_string()))
    };
    let mut confusion = new_matrix()?;
    let mut per_image = Vec::with_capacity(n);
    let mut kept = Vec::new();
    progress.start(phase, n);
    for scene in loader {
        for sample in scene? {
            let target = sample.target.clone().ok_or_else(|| {
                EngineError::Metrics(format!(
                    "sample '{}' has no target to score against",
                    sample.id
                ))
            })?;
            let prediction = predict_scene(inputs, &sample)?;
            let mut own = new_matrix()?;
            own.update(&prediction, &target.data, inputs.ignore_index)
                .map_err(|e| EngineError::Metrics(format!("sample '{}': {e}", sample.id)))?;
            confusion
                .merge(&own)
                .map_err(|e| EngineError::Metrics(e.to_string()))?;
            per_image.push(own);
            if kept.len() < inputs.keep_predictions {
                kept.push(ScenePrediction { sample, prediction });
            }
            progress.advance(None);
        }
    }
    progress.finish();
    Ok(EvalOutcome {
        confusion,
        per_image,
        kept,
        images: n,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Arg-max class per pixel for one preprocessed scene.
pub fn predict_scene(inputs: &EvalInputs, sample: &Sample) -> Result<Vec<i64>, EngineError> {
    let window = inputs.encoder.spec().input_size;
    let (h, w) = sample.spatial_size();
    let ys = window_offsets(h, window, inputs.config.stride);
    let xs = window_offsets(w, window, inputs.config.stride);
    let positions: Vec<(usize, usize)> = ys
        .iter()
        .flat_map(|y| xs.iter().map(move |x| (*y, *x)))
        .collect();
    let mut acc = SlidingWindow::new(inputs.num_classes, h, w);
    for group in positions.chunks(inputs.config.batch_size) {
        let logits = match inputs.cache {
            Some(cache) => {
                let keys: Vec<String> = group
                    .iter()
                    .map(|(top, left)| view_key(&sample.id, *top, *left))
                    .collect();
                let views = cache.get_many(&keys, |missing| {
                    let windows: Vec<Sample> = missing
                        .iter()
                        .map(|&m| window_view(sample, group[m].0, group[m].1, window))
                        .collect();
                    let batch = Batch::collate(&windows, inputs.device)?;
                    let f = guarded("encoder forward", || inputs.encoder.forward(&batch))?;
                    CachedFeatures::split_batch(&f.maps)
                })?;
                let maps = collate_features(&views, inputs.device);
                guarded("decoder forward", || {
                    inputs.decoder.forward(Features { maps }, [window, window])
                })?
            }
            None => {
                let windows: Vec<Sample> = group
                    .iter()
                    .map(|(top, left)| window_view(sample, *top, *left, window))
                    .collect();
                let batch = Batch::collate(&windows, inputs.device)?;
                guarded("model forward", || {
                    let features = inputs.encoder.forward(&batch)?;
                    inputs.decoder.forward(features, [window, window])
                })?
            }
        };
        let values: Vec<f32> = logits
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .map_err(|e| EngineError::Metrics(format!("cannot read logits: {e:?}")))?;
        let per_window = inputs.num_classes * window * window;
        for (i, (top, left)) in group.iter().enumerate() {
            acc.add(
                &values[i * per_window..(i + 1) * per_window],
                *top,
                *left,
                window,
                window,
            );
        }
    }
    Ok(acc.predictions())
}
