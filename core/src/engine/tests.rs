//! The training loop with toy components: frozen vs fine-tuned, divergence, determinism.

use std::sync::Arc;

use crate::burn;
use crate::burn::module::Module;
use crate::burn::nn::conv::{Conv2d, Conv2dConfig};
use crate::burn::nn::{BatchNorm, BatchNormConfig};
use crate::burn::tensor::activation::log_softmax;
use crate::burn::tensor::{Device, Int, Tensor};

use super::*;
use crate::bands::Band;
use crate::component::{
    ComponentError, Criterion, Dataset, DatasetModality, DatasetSpec, DecoderModel, EncoderModel,
    EncoderSpec, ModalitySpec, ModuleDecoder, ModuleEncoder,
};
use crate::preprocess::{Pipeline, PreprocessContext};
use crate::sample::{Batch, ModalityData, Sample, TargetMask};

#[derive(Module, Debug)]
struct ToyEncoder {
    conv: Conv2d,
}

impl EncoderModel for ToyEncoder {
    fn forward(&self, batch: &Batch) -> Result<Vec<Tensor<4>>, ComponentError> {
        Ok(vec![self.conv.forward(batch.modalities[0].first_frame())])
    }
}

#[derive(Module, Debug)]
struct ToyDecoder {
    bn: BatchNorm,
    conv: Conv2d,
}

impl DecoderModel for ToyDecoder {
    fn forward(&self, features: Vec<Tensor<4>>, _output_size: [usize; 2]) -> Tensor<4> {
        self.conv.forward(self.bn.forward(features[0].clone()))
    }
}

struct PlainCrossEntropy;

impl Criterion for PlainCrossEntropy {
    fn name(&self) -> &str {
        "plain"
    }
    fn loss(&self, logits: Tensor<4>, target: Tensor<3, Int>) -> Tensor<1> {
        let picked: Tensor<3> = log_softmax(logits, 1)
            .gather(1, target.unsqueeze_dim::<4>(1))
            .squeeze_dim(1);
        picked.mean().neg()
    }
}

/// Class 1 where band B2 is positive; `poison` puts a NaN in every scene.
struct ToyDataset {
    spec: DatasetSpec,
    n: usize,
    offset: u64,
    poison: bool,
}

fn toy_spec() -> DatasetSpec {
    DatasetSpec {
        name: "toy".into(),
        modalities: vec![DatasetModality {
            name: "optical".into(),
            bands: vec![Band::named("B2"), Band::named("B3")],
            mean: vec![0.0, 0.0],
            std: vec![1.0, 1.0],
        }],
        classes: vec!["neg".into(), "pos".into()],
        ignore_index: Some(-1),
        img_size: 8,
        class_distribution: vec![0.5, 0.5],
    }
}

impl Dataset for ToyDataset {
    fn spec(&self) -> &DatasetSpec {
        &self.spec
    }
    fn len(&self) -> usize {
        self.n
    }
    fn get(&self, index: usize) -> Result<Sample, ComponentError> {
        let mut rng = crate::rng::SplitMix64::new(self.offset * 1000 + index as u64);
        let mut data: Vec<f32> = (0..2 * 64)
            .map(|_| rng.next_f64() as f32 * 2.0 - 1.0)
            .collect();
        if self.poison {
            data[0] = f32::NAN;
        }
        let target = (0..64).map(|p| i64::from(data[p] > 0.0)).collect();
        Ok(Sample {
            id: format!("toy{index}"),
            modalities: vec![ModalityData {
                name: "optical".into(),
                bands: self.spec.modalities[0].bands.clone(),
                frames: 1,
                height: 8,
                width: 8,
                data,
                dates: vec![],
                nodata: None,
            }],
            target: Some(TargetMask {
                height: 8,
                width: 8,
                data: target,
            }),
        })
    }
    fn describe(&self) -> String {
        format!("toy ({} samples)", self.n)
    }
}

/// burn's seed is global to the backend: tests that seed and build models must not interleave.
static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn components(
    device: &Device,
    poison: bool,
    run_dir: &std::path::Path,
    protocol: Protocol,
) -> (RunPlan, RunComponents) {
    device.seed(3);
    let train_device = device.clone().autodiff();
    train_device.seed(3);
    let spec = toy_spec();
    let encoder_spec = EncoderSpec {
        name: "toy".into(),
        modalities: vec![ModalitySpec {
            name: "optical".into(),
            bands: spec.modalities[0].bands.clone(),
        }],
        input_size: 8,
        patch_size: None,
        output_layers: vec![0],
        output_dims: vec![4],
        output_strides: vec![1],
        accepts_any_bands: false,
        finetune_only: false,
        weights: "random".into(),
    };
    let encoder = ModuleEncoder::new(
        encoder_spec.clone(),
        ToyEncoder {
            conv: Conv2dConfig::new([2, 4], [1, 1]).init(&train_device),
        },
    );
    let decoder = ModuleDecoder::new(
        "toy",
        2,
        ToyDecoder {
            bn: BatchNormConfig::new(4).init(&train_device),
            conv: Conv2dConfig::new([4, 2], [1, 1]).init(&train_device),
        },
    );
    let ctx = PreprocessContext {
        dataset: &spec,
        encoder: &encoder_spec,
    };
    let steps = serde_json::json!([{"step": "normalize"}, {"step": "band_match", "fill": 0.0}]);
    let pipeline = Arc::new(Pipeline::from_config("train", &steps, &ctx).unwrap());
    let ds = |n, offset| -> Arc<dyn Dataset> {
        Arc::new(ToyDataset {
            spec: toy_spec(),
            n,
            offset,
            poison,
        })
    };
    let plan = RunPlan {
        precision: Default::default(),
        protocol,
        trainer: TrainerConfig {
            n_epochs: 4,
            batch_size: 4,
            eval_interval: 2,
            num_workers: 2,
            drop_last: true,
        },
        optimizer: OptimizerConfig {
            name: "adamw".into(),
            lr: 1e-2,
            betas: [0.9, 0.999],
            weight_decay: 0.05,
            eps: 1e-8,
        },
        scheduler: SchedulerConfig {
            name: "multi_step".into(),
            milestones: vec![0.6, 0.9],
            gamma: 0.1,
        },
        evaluator: EvaluatorConfig {
            stride: None,
            batch_size: 2,
            overlays: 2,
            bootstrap_resamples: 200,
        },
        seed: 3,
        run_dir: run_dir.to_path_buf(),
        feature_cache: None,
    };
    let c = RunComponents {
        encoder: Box::new(encoder),
        decoder: Box::new(decoder),
        criterion: Box::new(PlainCrossEntropy),
        train: ds(16, 0),
        val: ds(4, 1),
        test: ds(4, 2),
        train_pipeline: pipeline.clone(),
        eval_pipeline: pipeline,
    };
    (plan, c)
}

fn probe(encoder: &dyn crate::component::Encoder, device: &Device) -> Vec<f32> {
    let ds = ToyDataset {
        spec: toy_spec(),
        n: 1,
        offset: 9,
        poison: false,
    };
    let batch = Batch::collate(&[ds.get(0).unwrap()], device).unwrap();
    let copy = encoder.inference_copy();
    copy.forward(&batch).unwrap().maps[0]
        .clone()
        .into_data()
        .convert::<f32>()
        .try_to_vec::<f32>()
        .unwrap()
}

#[test]
fn frozen_protocol_trains_only_the_decoder() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let dir = tempfile::tempdir().unwrap();
    let (plan, mut c) = components(&device, false, dir.path(), Protocol::Frozen);
    let before = probe(c.encoder.as_ref(), &device);
    let outcome = train_and_test(&plan, &mut c, &device, &mut SilentProgress).unwrap();
    assert_eq!(
        probe(c.encoder.as_ref(), &device),
        before,
        "a frozen encoder changed"
    );
    // PyTorch-style counts: encoder conv 2·4+4 = 12; decoder BN γ,β 8 (running stats excluded) + conv 4·2+2.
    assert_eq!(outcome.total_params, 12 + 8 + 10);
    assert_eq!(outcome.trainable_params, 8 + 10);
    assert!(dir.path().join("checkpoint_best_decoder.bpk").is_file());
    assert!(
        !dir.path().join("checkpoint_best_encoder.bpk").exists(),
        "frozen runs store the decoder only"
    );
    assert!(outcome.test.miou > 0.0 && outcome.test.miou <= 1.0);
    assert_eq!(outcome.history.len(), 4);
}

#[test]
fn finetune_changes_the_encoder_and_learns() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let dir = tempfile::tempdir().unwrap();
    let (plan, mut c) = components(&device, false, dir.path(), Protocol::Finetune);
    let before = probe(c.encoder.as_ref(), &device);
    let outcome = train_and_test(&plan, &mut c, &device, &mut SilentProgress).unwrap();
    assert_ne!(probe(c.encoder.as_ref(), &device), before);
    assert_eq!(outcome.trainable_params, outcome.total_params);
    // The task is linear in B2: a few AdamW steps at lr 1e-2 get well above chance.
    assert!(outcome.test.oa > 0.8, "{:?}", outcome.test);
    // Bootstrap over test scenes brackets the pooled score; overlays keep the leading scenes.
    let ci = outcome.test_miou_ci.expect("several test scenes");
    assert!(
        ci.low <= outcome.test.miou && outcome.test.miou <= ci.high,
        "{ci:?} vs {}",
        outcome.test.miou
    );
    assert_eq!(outcome.test_predictions.len(), 2);
    let kept = &outcome.test_predictions[0];
    let (h, w) = kept.sample.spatial_size();
    assert_eq!(kept.prediction.len(), h * w);
}

#[test]
fn nan_inputs_stop_the_run_with_a_clear_error() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let dir = tempfile::tempdir().unwrap();
    let (plan, mut c) = components(&device, true, dir.path(), Protocol::Finetune);
    let err = train_and_test(&plan, &mut c, &device, &mut SilentProgress)
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            EngineError::NonFiniteLoss {
                epoch: 1,
                iteration: 0,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("nodata"), "{err}");
}

#[test]
fn same_seed_gives_identical_results() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let run = || {
        let dir = tempfile::tempdir().unwrap();
        let (plan, mut c) = components(&device, false, dir.path(), Protocol::Finetune);
        let o = train_and_test(&plan, &mut c, &device, &mut SilentProgress).unwrap();
        (
            o.test.clone(),
            o.history.iter().map(|h| h.train_loss).collect::<Vec<_>>(),
        )
    };
    assert_eq!(run(), run());
}

#[test]
fn empty_splits_are_refused() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let dir = tempfile::tempdir().unwrap();
    let (plan, mut c) = components(&device, false, dir.path(), Protocol::Finetune);
    c.val = Arc::new(ToyDataset {
        spec: toy_spec(),
        n: 0,
        offset: 0,
        poison: false,
    });
    let err = train_and_test(&plan, &mut c, &device, &mut SilentProgress)
        .err()
        .unwrap();
    assert!(
        err.to_string().contains("val split") && err.to_string().contains("empty"),
        "{err}"
    );
}

#[test]
fn frozen_feature_cache_reuses_features_across_runs_and_refuses_other_augmentations() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let cache_dir = tempfile::tempdir().unwrap();
    let settings = super::FeatureCacheSettings {
        key: "toy".into(),
        dir: Some(cache_dir.path().to_path_buf()),
        memory_bytes: 1 << 24,
        disk_bytes: 1 << 30,
    };
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let dir = tempfile::tempdir().unwrap();
        device.seed(3);
        let (mut plan, mut c) = components(&device, false, dir.path(), Protocol::Frozen);
        plan.feature_cache = Some(settings.clone());
        outcomes.push(train_and_test(&plan, &mut c, &device, &mut SilentProgress).unwrap());
    }
    let files = std::fs::read_dir(cache_dir.path().join("toy"))
        .unwrap()
        .count();
    assert!(files > 0, "features were written to disk");
    assert_eq!(
        outcomes[0].test.miou, outcomes[1].test.miou,
        "same seed, same cached run"
    );
    assert!(outcomes[0].test.miou > 0.0);

    // An augmentation the cache cannot reproduce is refused before training.
    let dir = tempfile::tempdir().unwrap();
    let (mut plan, mut c) = components(&device, false, dir.path(), Protocol::Frozen);
    plan.feature_cache = Some(settings);
    let ctx = PreprocessContext {
        dataset: c.train.spec(),
        encoder: c.encoder.spec(),
    };
    let steps = serde_json::json!([{"step": "normalize"}]);
    c.train_pipeline = Arc::new(Pipeline::from_config("train", &steps, &ctx).unwrap());
    let err = train_and_test(&plan, &mut c, &device, &mut SilentProgress)
        .err()
        .unwrap();
    assert!(err.to_string().contains("deterministic steps"), "{err}");
}
