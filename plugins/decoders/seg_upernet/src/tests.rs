use eobench_core::burn::module::Module;
use eobench_core::burn::optim::{AdamWConfig, GradientsParams};
use eobench_core::burn::tensor::{Device, Distribution, Tensor};
use eobench_core::component::{DecoderContext, DecoderModel, EncoderSpec, Features};
use serde_json::json;

use super::*;

fn enc(dims: &[usize], strides: &[usize]) -> EncoderSpec {
    EncoderSpec {
        name: "fake".into(),
        modalities: vec![],
        input_size: 32,
        patch_size: None,
        output_layers: (0..dims.len()).collect(),
        output_dims: dims.to_vec(),
        output_strides: strides.to_vec(),
        accepts_any_bands: true,
        finetune_only: true,
        weights: "random".into(),
    }
}

fn features(spec: &EncoderSpec, b: usize, input: usize, device: &Device) -> Vec<Tensor<4>> {
    let at_input = EncoderSpec {
        input_size: input,
        ..spec.clone()
    };
    eobench_layers::testing::random_features(&at_input, b, device)
}

fn logits_dims(dims: &[usize], strides: &[usize]) -> [usize; 4] {
    let device = Device::flex();
    let spec = enc(dims, strides);
    let ctx = DecoderContext {
        device: &device,
        encoder: &spec,
        num_classes: 3,
    };
    let dec = build(
        &json!({"channels": 16, "pool_scales": [1, 2, 3, 6], "dropout": 0.1}),
        &ctx,
    )
    .unwrap();
    let feats = Features {
        maps: features(&spec, 2, 32, &device),
    };
    dec.forward(feats, [32, 32]).unwrap().dims()
}

#[test]
fn vit_like_features_go_through_the_neck() {
    // 4 maps, stride 8 at 32² → 4×4; the neck makes 16, 8, 4, 2.
    assert_eq!(
        logits_dims(&[16, 16, 16, 16], &[8, 8, 8, 8]),
        [2, 3, 32, 32]
    );
}

#[test]
fn pyramid_features_are_used_as_they_are() {
    assert_eq!(logits_dims(&[4, 8, 16, 32], &[1, 2, 4, 8]), [2, 3, 32, 32]);
}

#[test]
fn a_single_map_works() {
    assert_eq!(logits_dims(&[16], &[8]), [2, 3, 32, 32]);
    assert_eq!(logits_dims(&[8, 16], &[4, 8]), [2, 3, 32, 32]);
}

#[test]
fn neck_only_for_equal_strides_and_param_count() {
    let device = Device::flex();
    let cfg = UPerNetConfig {
        channels: 16,
        pool_scales: vec![1, 2],
        dropout: 0.0,
    };
    let vit = enc(&[8, 8], &[8, 8]);
    let m = UPerNet::new(
        &cfg,
        &DecoderContext {
            device: &device,
            encoder: &vit,
            num_classes: 2,
        },
    )
    .unwrap();
    assert!(m.neck.is_some());
    let pyr = enc(&[4, 8], &[1, 2]);
    let m = UPerNet::new(
        &cfg,
        &DecoderContext {
            device: &device,
            encoder: &pyr,
            num_classes: 2,
        },
    )
    .unwrap();
    assert!(m.neck.is_none());
    // ConvBnAct(a→b, k) = k²ab + b + 4b (BN incl. running stats in burn's count).
    let cba = |a: usize, b: usize, k: usize| k * k * a * b + b + 4 * b;
    let c = 16;
    let expected = 2 * cba(8, c, 1) // psp
        + cba(8 + 2 * c, c, 3) // bottleneck
        + cba(4, c, 1) // lateral
        + cba(c, c, 3) // fpn conv
        + cba(2 * c, c, 3) // fpn_bottleneck
        + (c * 2 + 2); // conv_seg
    assert_eq!(m.num_params(), expected);
}

#[test]
fn invalid_configs_are_rejected() {
    let device = Device::flex();
    let spec = enc(&[8], &[8]);
    let ctx = DecoderContext {
        device: &device,
        encoder: &spec,
        num_classes: 2,
    };
    let err = |v| build(&v, &ctx).err().expect("accepted").to_string();
    assert!(err(json!({"pool_scales": []})).contains("pool_scales"));
    assert!(err(json!({"dropout": 1.0})).contains("dropout"));
    assert!(err(json!({"channel": 8})).contains("unknown field"));
}

#[test]
fn training_steps_reduce_a_simple_loss() {
    let device = Device::flex().autodiff();
    let spec = enc(&[8, 8, 8, 8], &[8, 8, 8, 8]);
    let cfg = UPerNetConfig {
        channels: 16,
        pool_scales: vec![1, 2, 3, 6],
        dropout: 0.0,
    };
    let mut model = UPerNet::new(
        &cfg,
        &DecoderContext {
            device: &device,
            encoder: &spec,
            num_classes: 2,
        },
    )
    .unwrap();
    let feats = features(&spec, 2, 32, &device);
    let target = Tensor::<4>::random([2, 2, 32, 32], Distribution::Normal(0.0, 1.0), &device);
    let mut optim = AdamWConfig::new().init();
    let mut losses = Vec::new();
    for _ in 0..6 {
        let loss = (model.forward(feats.clone(), [32, 32]) - target.clone())
            .powf_scalar(2.0)
            .mean();
        losses.push(loss.clone().into_scalar::<f32>());
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        assert!(!grads.is_empty());
        let g = grads
            .get::<4>(model.conv_seg.weight.id)
            .expect("conv_seg has a gradient");
        assert!(g.abs().sum().into_scalar::<f32>().is_finite());
        model = optim.step(1e-2, model, grads);
    }
    assert!(losses.iter().all(|l| l.is_finite()), "{losses:?}");
    assert!(losses[5] < losses[0], "loss did not decrease: {losses:?}");
}

#[test]
fn registered_under_seg_upernet() {
    let reg = eobench_registry::Registry::builtin().unwrap();
    assert_eq!(reg.decoder("seg_upernet").unwrap().name, "seg_upernet");
}

#[test]
fn shipped_yaml_has_every_key_and_default_size() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../configs/decoder/seg_upernet.yaml"
    ))
    .unwrap();
    let value: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(keys, ["channels", "pool_scales", "dropout"]);
    let cfg: UPerNetConfig =
        eobench_core::component::parse_config("decoder", "seg_upernet", &value).unwrap();
    let device = Device::flex();
    let count = |spec: &EncoderSpec| {
        UPerNet::new(
            &cfg,
            &DecoderContext {
                device: &device,
                encoder: spec,
                num_classes: 2,
            },
        )
        .unwrap()
        .num_params()
    };
    // Over ViT-B (4 × 768 at stride 16, with the neck) and over the default UNet pyramid.
    assert_eq!(count(&enc(&[768; 4], &[16; 4])), 39_358_722);
    assert_eq!(count(&enc(&[64, 128, 256, 512], &[1, 2, 4, 8])), 29_621_250);
}
