use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use crate::burn::optim::AdamWConfig;
use crate::burn::tensor::Device;

use super::cached_training::{CachedEpoch, open_cache, scan_train_scenes};
use super::evaluator::{EvalInputs, ScenePrediction};
use super::feature_cache::FeatureCache;
use super::{
    BatchLoader, EngineError, EvalOutcome, MultiStepLr, ProgressSink, RunPlan, batches_for_epoch,
    evaluate, purpose,
};
use crate::component::{Criterion, Dataset, Decoder, Encoder, guarded};
use crate::metrics::{Interval, SegmentationMetrics, bootstrap_miou};
use crate::preprocess::Pipeline;
use crate::results::EpochRecord;
use crate::rng::SplitMix64;
use crate::sample::Batch;

/// Built components of one run. Encoder and decoder live on the autodiff device.
pub struct RunComponents {
    /// The encoder.
    pub encoder: Box<dyn Encoder>,
    /// The decoder.
    pub decoder: Box<dyn Decoder>,
    /// The loss.
    pub criterion: Box<dyn Criterion>,
    /// Training split.
    pub train: Arc<dyn Dataset>,
    /// Validation split (best-checkpoint selection).
    pub val: Arc<dyn Dataset>,
    /// Test split (final scores).
    pub test: Arc<dyn Dataset>,
    /// Training preprocessing.
    pub train_pipeline: Arc<Pipeline>,
    /// Evaluation preprocessing.
    pub eval_pipeline: Arc<Pipeline>,
}

/// What a finished run produced.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    /// Epoch of the best validation mIoU.
    pub best_epoch: usize,
    /// Validation metrics of the best checkpoint.
    pub val: SegmentationMetrics,
    /// Test metrics of the best checkpoint.
    pub test: SegmentationMetrics,
    /// Per-epoch history.
    pub history: Vec<EpochRecord>,
    /// Training throughput (samples per second of training time).
    pub train_images_per_s: f64,
    /// Test-time throughput (scenes per second).
    pub eval_images_per_s: f64,
    /// 95 % bootstrap interval of the test mIoU over test scenes (fewer than 2 scenes: none).
    pub test_miou_ci: Option<Interval>,
    /// Test predictions kept for overlays (`task.evaluator.overlays` leading scenes).
    pub test_predictions: Vec<ScenePrediction>,
    /// All parameters of encoder + decoder.
    pub total_params: usize,
    /// Parameters the optimizer updated.
    pub trainable_params: usize,
}

fn check_split(name: &'static str, d: &Arc<dyn Dataset>) -> Result<(), EngineError> {
    if d.is_empty() {
        return Err(EngineError::EmptySplit {
            split: name,
            dataset: d.spec().name.clone(),
            detail: d.describe(),
        });
    }
    Ok(())
}

fn metrics_of(
    outcome: &EvalOutcome,
    classes: &[String],
) -> Result<SegmentationMetrics, EngineError> {
    SegmentationMetrics::from_confusion(&outcome.confusion, &[])
        .and_then(|m| m.with_class_names(classes.to_vec()))
        .map_err(|e| EngineError::Metrics(e.to_string()))
}

/// Trains with the Pangaea protocol, keeps the best-validation checkpoint, and scores it on the
/// test split. Deterministic for a given seed on CPU. On return the components hold the best
/// checkpoint's weights.
pub fn train_and_test(
    plan: &RunPlan,
    c: &mut RunComponents,
    device: &Device,
    progress: &mut dyn ProgressSink,
) -> Result<RunOutcome, EngineError> {
    plan.validate()?;
    check_split("train", &c.train)?;
    check_split("val", &c.val)?;
    check_split("test", &c.test)?;
    let spec = c.train.spec().clone();
    let frozen = plan.protocol.freezes_encoder();
    if frozen && c.encoder.spec().finetune_only {
        return Err(EngineError::Plan(format!(
            "encoder '{}' is a supervised baseline without pretrained weights; protocol={} would train a head on random features; run it with protocol=finetune",
            c.encoder.spec().name,
            plan.protocol.as_str()
        )));
    }
    if frozen {
        c.encoder.params().freeze();
    }
    if plan.precision != crate::precision::Precision::Fp32 {
        // No-ops for a frozen encoder: only what the optimizer updates needs an f32 copy.
        c.encoder.params().keep_f32_master();
        c.decoder.params().keep_f32_master();
        progress.log(&format!(
            "precision={}: weights, activations and gradients in {}; the optimizer updates f32 master weights of the {}",
            plan.precision.as_str(),
            plan.precision.as_str(),
            if frozen { "decoder" } else { "encoder and decoder" }
        ));
    }
    let cache = match &plan.feature_cache {
        Some(settings) if frozen => Some(open_cache(settings, c)?),
        _ => None,
    };
    let cached_scenes = match &cache {
        Some(_) => Some(scan_train_scenes(c)?),
        None => None,
    };
    let eval_ctx = EvalContext {
        plan,
        device,
        spec: &spec,
        cache: cache.as_ref(),
    };
    let total_params = c.encoder.params_ref().num_params() + c.decoder.params_ref().num_params();
    let trainable_params = c.encoder.params_ref().num_trainable_params()
        + c.decoder.params_ref().num_trainable_params();

    let t = &plan.trainer;
    let batches_per_epoch = batches_for_epoch(
        &(0..c.train.len()).collect::<Vec<_>>(),
        t.batch_size,
        t.drop_last,
    )
    .len();
    let schedule = MultiStepLr::new(
        plan.optimizer.lr,
        &plan.scheduler.milestones,
        plan.scheduler.gamma,
        batches_per_epoch * t.n_epochs,
    );
    let mut optim = AdamWConfig::new()
        .with_beta_1(plan.optimizer.betas[0] as f32)
        .with_beta_2(plan.optimizer.betas[1] as f32)
        .with_epsilon(plan.optimizer.eps as f32)
        .with_weight_decay(plan.optimizer.weight_decay as f32)
        .init();
    let train_device = device.clone().autodiff();
    std::fs::create_dir_all(&plan.run_dir).map_err(|e| EngineError::Io {
        path: plan.run_dir.clone(),
        message: format!("cannot create run directory: {e}"),
    })?;

    let mut history = Vec::new();
    let mut best: Option<(usize, f64)> = None;
    let mut iteration = 0usize;
    let mut train_samples = 0usize;
    let mut train_seconds = 0.0f64;
    for epoch in 1..=t.n_epochs {
        let started = Instant::now();
        let mut order: Vec<usize> = (0..c.train.len()).collect();
        SplitMix64::derive(plan.seed, purpose::SHUFFLE, epoch as u64, 0).shuffle(&mut order);
        let batches = batches_for_epoch(&order, t.batch_size, t.drop_last);
        progress.start(
            &format!("epoch {epoch}/{} train", t.n_epochs),
            batches.len(),
        );
        let mut loss_sum = 0.0f64;
        let mut steps = 0usize;
        let mut data_wait = 0.0f64;
        let mut encoder_s = None;
        if let (Some(cache), Some(scenes)) = (&cache, &cached_scenes) {
            let epoch_ctx = CachedEpoch {
                plan,
                cache,
                scenes,
                train_device: &train_device,
                device,
                epoch,
            };
            let stats =
                epoch_ctx.run(c, &batches, &schedule, &mut optim, &mut iteration, progress)?;
            loss_sum = stats.loss_sum;
            steps = stats.steps;
            train_samples += stats.samples;
            data_wait = stats.feature_s;
            encoder_s = Some(stats.encoder_s);
        }
        let loader = BatchLoader::start(
            c.train.clone(),
            c.train_pipeline.clone(),
            if cache.is_some() { Vec::new() } else { batches },
            plan.seed,
            epoch as u64,
            t.num_workers,
            2,
        );
        let mut loader = loader.into_iter();
        loop {
            let waited = Instant::now();
            let Some(samples) = loader.next() else {
                break;
            };
            data_wait += waited.elapsed().as_secs_f64();
            let samples = samples?;
            let lr = schedule.lr(iteration);
            let batch = Batch::collate(&samples, &train_device)?;
            let target = batch
                .target
                .clone()
                .ok_or_else(|| EngineError::Plan("training samples carry no target".into()))?;
            let [_, h, w] = target.dims();
            let loss = guarded("model forward", || {
                let mut features = c.encoder.forward(&batch)?;
                if frozen {
                    features = features.detach();
                }
                let logits = c.decoder.forward(features, [h, w])?;
                Ok(c.criterion.loss(logits, target))
            })?;
            let value: f32 = loss.clone().into_scalar();
            if !value.is_finite() {
                return Err(EngineError::NonFiniteLoss {
                    value,
                    epoch,
                    iteration,
                    samples: batch.ids.join(", "),
                });
            }
            let mut grads = loss.backward();
            if !frozen {
                c.encoder.params().step(&mut optim, lr, &mut grads);
            }
            c.decoder.params().step(&mut optim, lr, &mut grads);
            loss_sum += value as f64;
            steps += 1;
            iteration += 1;
            train_samples += batch.len();
            progress.advance(Some(value));
        }
        progress.finish();
        let seconds = started.elapsed().as_secs_f64();
        train_seconds += seconds;
        let mut record = EpochRecord {
            epoch: epoch as u32,
            train_loss: Some(loss_sum / steps.max(1) as f64),
            val_miou: None,
            lr: schedule.lr(iteration.saturating_sub(1)),
            seconds,
            data_wait_s: Some(data_wait),
            encoder_s,
        };
        if epoch % t.eval_interval == 0 || epoch == t.n_epochs {
            let outcome = run_eval(
                &eval_ctx,
                c,
                c.val.clone(),
                &format!("epoch {epoch} val"),
                0,
                progress,
            )?;
            let miou = metrics_of(&outcome, &spec.classes)?.miou;
            record.val_miou = Some(miou);
            if best.is_none_or(|(_, b)| miou > b) {
                best = Some((epoch, miou));
                save_checkpoint(&plan.run_dir, c, frozen)?;
            }
        }
        progress.log(&format!(
            "epoch {epoch}/{}: loss {:.4}, lr {:.2e}{}, {:.1}s ({})",
            t.n_epochs,
            record.train_loss.unwrap_or(f64::NAN),
            record.lr,
            record
                .val_miou
                .map(|m| format!(", val mIoU {:.2}", m * 100.0))
                .unwrap_or_default(),
            seconds,
            match encoder_s {
                Some(enc) => format!(
                    "cached features: fetching {:.1} %, encoder on new views {:.1} %",
                    100.0 * data_wait / seconds.max(1e-9),
                    100.0 * enc / seconds.max(1e-9)
                ),
                None => format!(
                    "waiting for data {:.1} %",
                    100.0 * data_wait / seconds.max(1e-9)
                ),
            }
        ));
        history.push(record);
    }
    let (best_epoch, _) = best.expect("the last epoch always validates");
    load_checkpoint(&plan.run_dir, c, frozen)?;
    let val_outcome = run_eval(&eval_ctx, c, c.val.clone(), "best val", 0, progress)?;
    let test_outcome = run_eval(
        &eval_ctx,
        c,
        c.test.clone(),
        "test",
        plan.evaluator.overlays,
        progress,
    )?;
    let test_miou_ci = bootstrap_miou(
        &test_outcome.per_image,
        &[],
        plan.evaluator.bootstrap_resamples,
        plan.seed,
    )
    .map_err(|e| EngineError::Metrics(e.to_string()))?;
    Ok(RunOutcome {
        test_miou_ci,
        best_epoch,
        val: metrics_of(&val_outcome, &spec.classes)?,
        test: metrics_of(&test_outcome, &spec.classes)?,
        history,
        train_images_per_s: train_samples as f64 / train_seconds.max(1e-9),
        eval_images_per_s: test_outcome.images as f64 / test_outcome.seconds.max(1e-9),
        test_predictions: test_outcome.kept,
        total_params,
        trainable_params,
    })
}

/// What every evaluation of one run shares.
struct EvalContext<'a> {
    plan: &'a RunPlan,
    device: &'a Device,
    spec: &'a crate::component::DatasetSpec,
    cache: Option<&'a FeatureCache>,
}

fn run_eval(
    ctx: &EvalContext<'_>,
    c: &RunComponents,
    dataset: Arc<dyn Dataset>,
    phase: &str,
    keep_predictions: usize,
    progress: &mut dyn ProgressSink,
) -> Result<EvalOutcome, EngineError> {
    let encoder = c.encoder.inference_copy();
    let decoder = c.decoder.inference_copy();
    let inputs = EvalInputs {
        encoder: encoder.as_ref(),
        decoder: decoder.as_ref(),
        device: ctx.device,
        config: &ctx.plan.evaluator,
        num_classes: ctx.spec.num_classes(),
        ignore_index: ctx.spec.ignore_index,
        num_workers: ctx.plan.trainer.num_workers,
        keep_predictions,
        cache: ctx.cache,
    };
    evaluate(&inputs, dataset, c.eval_pipeline.clone(), phase, progress)
}

const ENCODER_CKPT: &str = "checkpoint_best_encoder.bpk";
const DECODER_CKPT: &str = "checkpoint_best_decoder.bpk";

/// Frozen runs store only the decoder: the encoder is the unchanged pretrained one.
fn save_checkpoint(dir: &Path, c: &RunComponents, frozen: bool) -> Result<(), EngineError> {
    c.decoder.params_ref().save(&dir.join(DECODER_CKPT))?;
    if !frozen {
        c.encoder.params_ref().save(&dir.join(ENCODER_CKPT))?;
    }
    Ok(())
}

fn load_checkpoint(dir: &Path, c: &mut RunComponents, frozen: bool) -> Result<(), EngineError> {
    c.decoder.params().load(&dir.join(DECODER_CKPT))?;
    if !frozen {
        c.encoder.params().load(&dir.join(ENCODER_CKPT))?;
    }
    Ok(())
}
