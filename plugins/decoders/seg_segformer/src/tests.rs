use eobench_core::burn::module::Module;
use eobench_core::burn::tensor::Device;
use eobench_core::component::{DecoderContext, EncoderSpec};
use eobench_layers::testing::{
    decoder_build_error, decoder_fit_losses, decoder_logits_dims, encoder_layout as enc,
    shipped_config,
};
use serde_json::json;

use super::*;

fn logits_dims(spec: &EncoderSpec) -> [usize; 4] {
    decoder_logits_dims(build, &json!({"channels": 16}), spec)
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
fn parameter_count_in_closed_form_and_default_size() {
    let device = Device::flex();
    let cba = |a: usize, b: usize, k: usize| k * k * a * b + b + 4 * b;
    // Neck per map of C channels: Up4 = 2 ConvT(C,C,2) + BN, Up2 = 1 ConvT, others nothing.
    let convt = |ch: usize| 4 * ch * ch + ch;
    let neck = |ch: usize| 2 * convt(ch) + 4 * ch + convt(ch);
    let count = |cfg: &SegformerConfig, spec: &EncoderSpec| {
        SegformerHead::new(
            cfg,
            &DecoderContext {
                device: &device,
                encoder: spec,
                num_classes: 2,
            },
        )
        .unwrap()
        .num_params()
    };
    let small = SegformerConfig {
        channels: 8,
        dropout: 0.0,
    };
    let vit = enc(&[6; 4], &[16; 4], 224);
    assert_eq!(
        count(&small, &vit),
        neck(6) + 4 * cba(6, 8, 1) + cba(32, 8, 1) + (8 * 2 + 2)
    );
    let pyramid = enc(&[4, 8], &[1, 2], 32);
    assert_eq!(
        count(&small, &pyramid),
        cba(4, 8, 1) + cba(8, 8, 1) + cba(16, 8, 1) + (8 * 2 + 2)
    );
    let vit_b = enc(&[768; 4], &[16; 4], 224);
    assert_eq!(
        count(&SegformerConfig::default(), &vit_b),
        neck(768) + 4 * cba(768, 512, 1) + cba(2048, 512, 1) + (512 * 2 + 2)
    );
}

#[test]
fn dropout_is_identity_in_evaluation() {
    let device = Device::flex();
    let spec = enc(&[8], &[4], 16);
    let ctx = DecoderContext {
        device: &device,
        encoder: &spec,
        num_classes: 2,
    };
    let dec = build(&json!({"channels": 8, "dropout": 0.5}), &ctx).unwrap();
    let maps = eobench_layers::testing::random_features(&spec, 1, &device);
    let a = dec
        .forward(
            eobench_core::component::Features { maps: maps.clone() },
            [16, 16],
        )
        .unwrap()
        .into_data();
    let b = dec
        .forward(eobench_core::component::Features { maps }, [16, 16])
        .unwrap()
        .into_data();
    assert_eq!(a, b, "a non-autodiff forward must be deterministic");
}

#[test]
fn invalid_configs_are_rejected() {
    let one_map = enc(&[8], &[8], 32);
    let err = |v: serde_json::Value| decoder_build_error(build, &v, &one_map);
    assert!(err(json!({"dropout": 1.0})).contains("dropout"));
    assert!(err(json!({"channels": 0})).contains("channels must be positive"));
    assert!(err(json!({"channel": 8})).contains("unknown field"));
    let no_maps = enc(&[], &[], 32);
    assert!(decoder_build_error(build, &json!({}), &no_maps).contains("no output maps"));
}

#[test]
fn training_steps_reduce_a_simple_loss() {
    let device = Device::flex().autodiff();
    let spec = enc(&[8, 8], &[4, 4], 16);
    let model = SegformerHead::new(
        &SegformerConfig {
            channels: 8,
            dropout: 0.0,
        },
        &DecoderContext {
            device: &device,
            encoder: &spec,
            num_classes: 2,
        },
    )
    .unwrap();
    let losses = decoder_fit_losses(model, &spec, &device, 5e-2, 6);
    assert!(losses[5] < losses[0], "loss did not decrease: {losses:?}");
}

#[test]
fn registered_and_shipped_yaml_has_every_key() {
    let reg = eobench_registry::Registry::builtin().unwrap();
    assert_eq!(reg.decoder("seg_segformer").unwrap().name, "seg_segformer");
    let (value, keys) = shipped_config(env!("CARGO_MANIFEST_DIR"), "decoder", "seg_segformer");
    assert_eq!(keys, ["channels", "dropout"]);
    let cfg: SegformerConfig = parse_config("decoder", "seg_segformer", &value).unwrap();
    let d = SegformerConfig::default();
    assert_eq!((cfg.channels, cfg.dropout), (d.channels, d.dropout));
}
