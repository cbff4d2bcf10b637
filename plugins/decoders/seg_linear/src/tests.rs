use eobench_core::burn::module::Module;
use eobench_core::burn::optim::{AdamWConfig, GradientsParams};
use eobench_core::burn::tensor::{Device, Distribution, Tensor};
use eobench_core::component::{DecoderContext, DecoderModel, EncoderSpec, Features};
use serde_json::json;

use super::*;

fn enc(dims: &[usize], strides: &[usize], input: usize) -> EncoderSpec {
    EncoderSpec {
        name: "fake".into(),
        modalities: vec![],
        input_size: input,
        patch_size: None,
        output_layers: (0..dims.len()).collect(),
        output_dims: dims.to_vec(),
        output_strides: strides.to_vec(),
        accepts_any_bands: true,
        finetune_only: false,
        weights: "random".into(),
    }
}

fn features(spec: &EncoderSpec, b: usize, device: &Device) -> Vec<Tensor<4>> {
    let input = spec.input_size;
    spec.output_dims
        .iter()
        .zip(&spec.output_strides)
        .map(|(&c, &s)| {
            Tensor::random(
                [b, c, input / s, input / s],
                Distribution::Normal(0.0, 1.0),
                device,
            )
        })
        .collect()
}

fn logits_dims(spec: &EncoderSpec) -> [usize; 4] {
    let device = Device::flex();
    let ctx = DecoderContext {
        device: &device,
        encoder: spec,
        num_classes: 3,
    };
    let dec = build(&json!({"dropout": 0.1}), &ctx).unwrap();
    let size = spec.input_size;
    dec.forward(
        Features {
            maps: features(spec, 2, &device),
        },
        [size, size],
    )
    .unwrap()
    .dims()
}

#[test]
fn logits_at_the_input_size_for_every_feature_layout() {
    // ViT-B-like (reduced width): 4 maps at stride 16, 224 px → 14×14 tokens.
    assert_eq!(logits_dims(&enc(&[24; 4], &[16; 4], 224)), [2, 3, 224, 224]);
    // CROMA-like: patch 8 at 120 px → 15×15.
    assert_eq!(logits_dims(&enc(&[24; 4], &[8; 4], 120)), [2, 3, 120, 120]);
    // UNet-like pyramid: only the last (coarsest) map is used.
    assert_eq!(
        logits_dims(&enc(&[4, 8, 16, 32], &[1, 2, 4, 8], 32)),
        [2, 3, 32, 32]
    );
    // A single-layer encoder.
    assert_eq!(logits_dims(&enc(&[16], &[4], 32)), [2, 3, 32, 32]);
}

#[test]
fn parameters_are_one_linear_over_the_last_map() {
    let device = Device::flex();
    let spec = enc(&[768; 4], &[16; 4], 224);
    let head = LinearHead::new(
        &LinearConfig::default(),
        &DecoderContext {
            device: &device,
            encoder: &spec,
            num_classes: 2,
        },
    )
    .unwrap();
    assert_eq!(head.num_params(), 769 * 2);
}

#[test]
fn invalid_configs_are_rejected() {
    let device = Device::flex();
    let spec = enc(&[8], &[8], 32);
    let ctx = DecoderContext {
        device: &device,
        encoder: &spec,
        num_classes: 2,
    };
    let err = |v| build(&v, &ctx).err().expect("accepted").to_string();
    assert!(err(json!({"dropout": 1.0})).contains("dropout"));
    assert!(err(json!({"channels": 8})).contains("unknown field"));
    let none = enc(&[], &[], 32);
    let ctx = DecoderContext {
        device: &device,
        encoder: &none,
        num_classes: 2,
    };
    assert!(
        build(&json!({}), &ctx)
            .err()
            .unwrap()
            .to_string()
            .contains("no output maps")
    );
}

#[test]
fn training_steps_reduce_a_simple_loss() {
    let device = Device::flex().autodiff();
    let spec = enc(&[8, 8], &[4, 4], 16);
    let mut model = LinearHead::new(
        &LinearConfig::default(),
        &DecoderContext {
            device: &device,
            encoder: &spec,
            num_classes: 2,
        },
    )
    .unwrap();
    let feats = features(&spec, 2, &device);
    let target = Tensor::<4>::random([2, 2, 16, 16], Distribution::Normal(0.0, 1.0), &device);
    let mut optim = AdamWConfig::new().init();
    let mut losses = Vec::new();
    for _ in 0..6 {
        let loss = (model.forward(feats.clone(), [16, 16]) - target.clone())
            .powf_scalar(2.0)
            .mean();
        losses.push(loss.clone().into_scalar::<f32>());
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(5e-2, model, grads);
    }
    assert!(losses[5] < losses[0], "loss did not decrease: {losses:?}");
}

#[test]
fn registered_and_shipped_yaml_has_every_key() {
    let reg = eobench_registry::Registry::builtin().unwrap();
    assert_eq!(reg.decoder("seg_linear").unwrap().name, "seg_linear");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../configs/decoder/seg_linear.yaml"
    ))
    .unwrap();
    let value: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(keys, ["dropout"]);
    let cfg: LinearConfig = parse_config("decoder", "seg_linear", &value).unwrap();
    assert_eq!(cfg.dropout, LinearConfig::default().dropout);
}
