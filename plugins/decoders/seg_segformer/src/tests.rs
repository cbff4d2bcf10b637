use eobench_core::burn::module::Module;
use eobench_core::burn::tensor::{Device, Distribution, Tensor};
use eobench_core::component::{DecoderContext, DecoderModel, EncoderSpec, Features};
use eobench_layers::testing::{
    decoder_build_error, decoder_fit_losses, decoder_logits_dims, encoder_layout as enc,
    random_features, shipped_config,
};
use eobench_layers::{Activation, Dropout2d};
use serde_json::json;

use super::*;

fn logits_dims(spec: &EncoderSpec, strategy: &str) -> [usize; 4] {
    decoder_logits_dims(
        build,
        &json!({"channels": 8, "pyramid_strategy": strategy}),
        spec,
    )
}

fn head(cfg: &SegformerConfig, spec: &EncoderSpec, device: &Device) -> SegformerHead {
    SegformerHead::new(
        cfg,
        &DecoderContext {
            device,
            encoder: spec,
            num_classes: 2,
        },
    )
    .unwrap()
}

fn small(channels: usize, dropout: f64) -> SegformerConfig {
    SegformerConfig {
        channels,
        dropout,
        ..SegformerConfig::default()
    }
}

fn values(x: Tensor<4>) -> Vec<f32> {
    x.into_data().try_to_vec::<f32>().unwrap()
}

#[test]
fn logits_at_the_input_size_for_every_feature_layout() {
    for strategy in ["head_only", "all_layers"] {
        // ViT-B: 4 maps × 768 at stride 16, 224 px → 14×14 tokens; the neck makes 56, 28, 14, 7.
        assert_eq!(
            logits_dims(&enc(&[768; 4], &[16; 4], 224), strategy),
            [2, 3, 224, 224]
        );
        // CROMA-like: patch 8 at 120 px → 15×15 (odd grid: ×0.5 floors to 7).
        assert_eq!(
            logits_dims(&enc(&[24; 4], &[8; 4], 120), strategy),
            [2, 3, 120, 120]
        );
        // Other patch sizes: 14 at 224 (grid 16), 10 at 120 (grid 12), 4 at 32 (grid 8).
        assert_eq!(
            logits_dims(&enc(&[16; 4], &[14; 4], 224), strategy),
            [2, 3, 224, 224]
        );
        assert_eq!(
            logits_dims(&enc(&[16; 4], &[10; 4], 120), strategy),
            [2, 3, 120, 120]
        );
        assert_eq!(
            logits_dims(&enc(&[16; 3], &[4; 3], 32), strategy),
            [2, 3, 32, 32]
        );
        // A single-layer encoder.
        assert_eq!(logits_dims(&enc(&[16], &[4], 32), strategy), [2, 3, 32, 32]);
        // UNet-like pyramid (strides 1/2/4/8): every map as it is.
        assert_eq!(
            logits_dims(&enc(&[64, 128, 256, 512], &[1, 2, 4, 8], 32), strategy),
            [2, 3, 32, 32]
        );
    }
}

#[test]
fn levels_follow_the_strategy_and_the_encoder_strides() {
    let device = Device::flex();
    let all = SegformerConfig {
        pyramid_strategy: PyramidStrategy::AllLayers,
        ..small(8, 0.0)
    };
    // head_only over a ViT: the last map ×4 through the neck, whatever the layer count.
    for n in [1, 2, 4] {
        let m = head(&small(8, 0.0), &enc(&vec![6; n], &vec![8; n], 32), &device);
        assert_eq!(m.repeat_last, Some(HEAD_ONLY_LEVELS));
        assert_eq!(m.neck.as_ref().unwrap().scales(), [4.0, 2.0, 1.0, 0.5]);
        assert_eq!(m.convs.len(), 4);
    }
    // all_layers over a ViT: one level per map, Pangaea's factors.
    let m = head(&all, &enc(&[6, 6], &[8, 8], 32), &device);
    assert_eq!(m.repeat_last, None);
    assert_eq!(m.neck.as_ref().unwrap().scales(), [4.0, 1.0]);
    assert_eq!(m.convs.len(), 2);
    // A pyramid: no neck, every map, either strategy.
    for cfg in [small(8, 0.0), all] {
        let m = head(&cfg, &enc(&[4, 8, 16], &[1, 2, 4], 32), &device);
        assert!(m.neck.is_none());
        assert_eq!(m.repeat_last, None);
        assert_eq!(m.convs.len(), 3);
    }
}

#[test]
fn head_only_reads_only_the_last_map() {
    let device = Device::flex();
    let spec = enc(&[6; 3], &[8; 3], 32);
    let m = head(&small(8, 0.0), &spec, &device).valid();
    let a = random_features(&spec, 1, &device);
    let mut b = random_features(&spec, 1, &device);
    b[2] = a[2].clone();
    assert_eq!(
        values(m.forward(a, [32, 32])),
        values(m.forward(b, [32, 32]))
    );
}

#[test]
fn parameter_count_in_closed_form_and_default_size() {
    let device = Device::flex();
    // 1×1 ConvBnAct without conv bias: ab weights + BN (γ, β and burn's running mean/var).
    let cba = |a: usize, b: usize| a * b + 4 * b;
    // Neck per map of d channels: ×4 = 2 ConvT(d,d,2,2) + BN; ×2 = 1 ConvT; ×1, ×0.5 nothing.
    let convt = |d: usize| 4 * d * d + d;
    let neck4 = |d: usize| 2 * convt(d) + 4 * d + convt(d);
    let seg = |c: usize| c * 2 + 2;
    let count = |cfg: &SegformerConfig, spec: &EncoderSpec| head(cfg, spec, &device).num_params();

    // head_only: four levels of the last map's width, whatever the others are.
    let vit = enc(&[5, 6], &[16, 16], 224);
    assert_eq!(
        count(&small(8, 0.0), &vit),
        neck4(6) + 4 * cba(6, 8) + cba(4 * 8, 8) + seg(8)
    );
    // all_layers over two maps: ×4 and ×1.
    let all = SegformerConfig {
        pyramid_strategy: PyramidStrategy::AllLayers,
        ..small(8, 0.0)
    };
    assert_eq!(
        count(&all, &vit),
        2 * convt(5) + 4 * 5 + cba(5, 8) + cba(6, 8) + cba(2 * 8, 8) + seg(8)
    );
    // A pyramid: no neck.
    let pyramid = enc(&[4, 8], &[1, 2], 32);
    assert_eq!(
        count(&small(8, 0.0), &pyramid),
        cba(4, 8) + cba(8, 8) + cba(2 * 8, 8) + seg(8)
    );
    // Default (channels 512) over ViT-B (4 × 768, stride 16, 224 px), K = 2.
    let vit_b = enc(&[768; 4], &[16; 4], 224);
    let default = count(&SegformerConfig::default(), &vit_b);
    assert_eq!(
        default,
        neck4(768) + 4 * cba(768, 512) + cba(4 * 512, 512) + seg(512)
    );
    assert_eq!(default, 9_715_970);
    // …and over the default UNet pyramid (64/128/256/512 at strides 1/2/4/8): no neck.
    let unet = enc(&[64, 128, 256, 512], &[1, 2, 4, 8], 224);
    assert_eq!(count(&SegformerConfig::default(), &unet), 1_551_362);
}

#[test]
fn invalid_configs_are_rejected() {
    let one_map = enc(&[8], &[8], 32);
    let err = |v: serde_json::Value| decoder_build_error(build, &v, &one_map);
    assert!(err(json!({"channels": 0})).contains("channels must be positive"));
    assert!(err(json!({"dropout": 1.0})).contains("dropout 1 must be in [0, 1)"));
    assert!(err(json!({"dropout": -0.1})).contains("dropout"));
    assert!(err(json!({"channel": 8})).contains("unknown field `channel`"));
    assert!(err(json!({"pyramid_strategy": "all"})).contains("head_only"));
    assert!(err(json!({"activation": "tanh"})).contains("relu"));
    let no_maps = enc(&[], &[], 32);
    assert!(decoder_build_error(build, &json!({}), &no_maps).contains("need at least one map"));
    let mut bad_strides = enc(&[8, 8], &[8, 8], 32);
    bad_strides.output_strides.pop();
    assert!(
        decoder_build_error(build, &json!({}), &bad_strides)
            .contains("one positive width and stride per map")
    );
}

#[test]
fn training_steps_reduce_a_simple_loss() {
    let device = Device::flex().autodiff();
    for spec in [enc(&[8, 8], &[4, 4], 16), enc(&[4, 8], &[1, 2], 16)] {
        let model = head(&small(8, 0.0), &spec, &device);
        let losses = decoder_fit_losses(model, &spec, &device, 5e-2, 6);
        assert!(losses.iter().all(|l| l.is_finite()), "{losses:?}");
        assert!(losses[5] < losses[0], "loss did not decrease: {losses:?}");
    }
}

#[test]
fn dropout_acts_in_training_and_is_the_identity_in_evaluation() {
    // The fork applies its dropout only when *not* training; here it is the other way round.
    let device = Device::flex().autodiff();
    let spec = enc(&[8], &[4], 16);
    let model = head(&small(16, 0.5), &spec, &device);
    let feats = random_features(&spec, 2, &device);

    // Training (autodiff device, training flag on): two passes draw different channel masks.
    let a = values(model.forward(feats.clone(), [16, 16]));
    let b = values(model.forward(feats.clone(), [16, 16]));
    assert_ne!(a, b, "dropout must act in training");

    // Evaluation copy: exactly the same head without dropout (cloned after the training passes,
    // so both carry the same BatchNorm running statistics).
    let mut no_dropout = model.clone();
    no_dropout.dropout = Dropout2d::new(0.0);
    let plain = Device::flex();
    let feats: Vec<Tensor<4>> = feats.into_iter().map(|f| f.to_device(&plain)).collect();
    let eval = values(model.valid().forward(feats.clone(), [16, 16]));
    let reference = values(no_dropout.valid().forward(feats.clone(), [16, 16]));
    assert_eq!(eval, reference);

    // Through the engine's decoder interface too.
    let ctx = DecoderContext {
        device: &device,
        encoder: &spec,
        num_classes: 2,
    };
    let dec = build(&json!({"channels": 16, "dropout": 0.5}), &ctx)
        .unwrap()
        .inference_copy();
    let run = || {
        values(
            dec.forward(
                Features {
                    maps: feats.clone(),
                },
                [16, 16],
            )
            .unwrap(),
        )
    };
    assert_eq!(run(), run());
}

#[test]
fn gelu_activation_is_selectable() {
    let device = Device::flex();
    let spec = enc(&[8], &[4], 16);
    let ctx = DecoderContext {
        device: &device,
        encoder: &spec,
        num_classes: 2,
    };
    let cfg: SegformerConfig = eobench_core::component::parse_config(
        "decoder",
        "seg_segformer",
        &json!({"channels": 8, "activation": "gelu"}),
    )
    .unwrap();
    let m = SegformerHead::new(&cfg, &ctx).unwrap();
    assert!(m.convs.iter().all(|c| c.act == Activation::Gelu));
    assert_eq!(m.fusion_conv.act, Activation::Gelu);
    let x = Tensor::<4>::random([1, 8, 4, 4], Distribution::Normal(0.0, 1.0), &device);
    assert_eq!(m.forward(vec![x], [16, 16]).dims(), [1, 2, 16, 16]);
}

#[test]
fn registered_under_seg_segformer() {
    let reg = eobench_registry::Registry::builtin().unwrap();
    assert_eq!(reg.decoder("seg_segformer").unwrap().name, "seg_segformer");
}

#[test]
fn shipped_yaml_has_every_key_with_its_default() {
    let (value, keys) = shipped_config(env!("CARGO_MANIFEST_DIR"), "decoder", "seg_segformer");
    assert_eq!(
        keys,
        ["channels", "pyramid_strategy", "activation", "dropout"]
    );
    let cfg: SegformerConfig =
        eobench_core::component::parse_config("decoder", "seg_segformer", &value).unwrap();
    let d = SegformerConfig::default();
    assert_eq!(
        (
            cfg.channels,
            cfg.pyramid_strategy,
            cfg.activation,
            cfg.dropout
        ),
        (d.channels, d.pyramid_strategy, d.activation, d.dropout)
    );
}
