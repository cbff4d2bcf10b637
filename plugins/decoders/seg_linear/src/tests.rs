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
    decoder_logits_dims(build, &json!({"dropout": 0.1}), spec)
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
    let one_map = enc(&[8], &[8], 32);
    let err = |v: serde_json::Value| decoder_build_error(build, &v, &one_map);
    assert!(err(json!({"dropout": 1.0})).contains("dropout"));
    assert!(err(json!({"channels": 8})).contains("unknown field"));
    let no_maps = enc(&[], &[], 32);
    assert!(decoder_build_error(build, &json!({}), &no_maps).contains("no output maps"));
}

#[test]
fn training_steps_reduce_a_simple_loss() {
    let device = Device::flex().autodiff();
    let spec = enc(&[8, 8], &[4, 4], 16);
    let model = LinearHead::new(
        &LinearConfig::default(),
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
    assert_eq!(reg.decoder("seg_linear").unwrap().name, "seg_linear");
    let (value, keys) = shipped_config(env!("CARGO_MANIFEST_DIR"), "decoder", "seg_linear");
    assert_eq!(keys, ["dropout"]);
    let cfg: LinearConfig = parse_config("decoder", "seg_linear", &value).unwrap();
    assert_eq!(cfg.dropout, LinearConfig::default().dropout);
}
