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
    decoder_logits_dims(build, &json!({"channels": 16, "num_convs": 2}), spec)
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
    // ConvBnAct(a→b, k) = k²ab + b + 4b (BN incl. running stats in burn's count).
    let cba = |a: usize, b: usize, k: usize| k * k * a * b + b + 4 * b;
    let count = |cfg: &FcnConfig, last: usize| {
        let spec = enc(&[last; 4], &[16; 4], 224);
        FcnHead::new(
            cfg,
            &DecoderContext {
                device: &device,
                encoder: &spec,
                num_classes: 2,
            },
        )
        .unwrap()
        .num_params()
    };
    let small = FcnConfig {
        channels: 8,
        num_convs: 2,
        concat_input: true,
        dropout: 0.0,
    };
    assert_eq!(
        count(&small, 6),
        cba(6, 8, 3) + cba(8, 8, 3) + cba(6 + 8, 8, 3) + (8 * 2 + 2)
    );
    let no_cat = FcnConfig {
        concat_input: false,
        ..small
    };
    assert_eq!(count(&no_cat, 6), cba(6, 8, 3) + cba(8, 8, 3) + (8 * 2 + 2));
    // Default over ViT-B's last map (768).
    assert_eq!(count(&FcnConfig::default(), 768), 16_528_898);
}

#[test]
fn invalid_configs_are_rejected() {
    let one_map = enc(&[8], &[8], 32);
    let err = |v: serde_json::Value| decoder_build_error(build, &v, &one_map);
    assert!(err(json!({"dropout": 1.0})).contains("dropout"));
    assert!(err(json!({"channels": 0})).contains("channels must be positive"));
    assert!(err(json!({"num_convs": 0, "channels": 4})).contains("num_convs 0"));
    assert!(err(json!({"channel": 8})).contains("unknown field"));
    let no_maps = enc(&[], &[], 32);
    assert!(decoder_build_error(build, &json!({}), &no_maps).contains("no output maps"));
}

#[test]
fn training_steps_reduce_a_simple_loss() {
    let device = Device::flex().autodiff();
    let spec = enc(&[8, 8], &[4, 4], 16);
    let model = FcnHead::new(
        &FcnConfig {
            channels: 8,
            num_convs: 1,
            concat_input: true,
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
    assert_eq!(reg.decoder("seg_fcn").unwrap().name, "seg_fcn");
    let (value, keys) = shipped_config(env!("CARGO_MANIFEST_DIR"), "decoder", "seg_fcn");
    assert_eq!(keys, ["channels", "num_convs", "concat_input", "dropout"]);
    let cfg: FcnConfig = parse_config("decoder", "seg_fcn", &value).unwrap();
    let d = FcnConfig::default();
    assert_eq!(
        (cfg.channels, cfg.num_convs, cfg.concat_input, cfg.dropout),
        (d.channels, d.num_convs, d.concat_input, d.dropout)
    );
}
