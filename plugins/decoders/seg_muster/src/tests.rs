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
    decoder_logits_dims(
        build,
        &json!({"channels": 8, "num_heads": [2, 2, 2, 2], "window_size": 4}),
        spec,
    )
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
fn one_stage_per_level_and_default_size() {
    let device = Device::flex();
    let count_stages = |spec: &EncoderSpec| {
        let m = Muster::new(
            &MusterConfig {
                channels: 8,
                num_heads: vec![2; 4],
                window_size: 4,
                ..MusterConfig::default()
            },
            &DecoderContext {
                device: &device,
                encoder: spec,
                num_classes: 2,
            },
        )
        .unwrap();
        (m.stages.len(), m.neck.is_some())
    };
    assert_eq!(count_stages(&enc(&[8; 4], &[16; 4], 224)), (4, true));
    assert_eq!(count_stages(&enc(&[4, 8, 16], &[1, 2, 4], 32)), (3, false));
    assert_eq!(count_stages(&enc(&[8], &[4], 32)), (1, true));
    let vit_b = enc(&[768; 4], &[16; 4], 224);
    let params = Muster::new(
        &MusterConfig::default(),
        &DecoderContext {
            device: &device,
            encoder: &vit_b,
            num_classes: 2,
        },
    )
    .unwrap()
    .num_params();
    // Recorded in the README; a change here is a change of architecture.
    assert_eq!(params, DEFAULT_VIT_B_PARAMS);
}

/// Burn's parameter count of the default config over ViT-B (4 × 768, stride 16, K = 2).
const DEFAULT_VIT_B_PARAMS: usize = 16_461_306;

#[test]
fn invalid_configs_are_rejected() {
    let one_map = enc(&[8], &[8], 32);
    let err = |v: serde_json::Value| decoder_build_error(build, &v, &one_map);
    assert!(err(json!({"drop_path_rate": 1.0})).contains("drop_path_rate"));
    assert!(err(json!({"channels": 12, "num_heads": [5]})).contains("must divide channels"));
    assert!(err(json!({"depths": []})).contains("one entry per encoder level"));
    assert!(err(json!({"channel": 8})).contains("unknown field"));
    let no_maps = enc(&[], &[], 32);
    assert!(decoder_build_error(build, &json!({}), &no_maps).contains("need at least one map"));
}

#[test]
fn training_steps_reduce_a_simple_loss() {
    let device = Device::flex().autodiff();
    let spec = enc(&[8, 8], &[4, 4], 16);
    let model = Muster::new(
        &MusterConfig {
            channels: 8,
            num_heads: vec![2; 4],
            window_size: 2,
            drop_path_rate: 0.0,
            ..MusterConfig::default()
        },
        &DecoderContext {
            device: &device,
            encoder: &spec,
            num_classes: 2,
        },
    )
    .unwrap();
    let losses = decoder_fit_losses(model, &spec, &device, 5e-3, 6);
    assert!(losses[5] < losses[0], "loss did not decrease: {losses:?}");
}

#[test]
fn registered_and_shipped_yaml_has_every_key() {
    let reg = eobench_registry::Registry::builtin().unwrap();
    assert_eq!(reg.decoder("seg_muster").unwrap().name, "seg_muster");
    let (value, keys) = shipped_config(env!("CARGO_MANIFEST_DIR"), "decoder", "seg_muster");
    assert_eq!(
        keys,
        [
            "channels",
            "depths",
            "num_heads",
            "window_size",
            "drop_path_rate"
        ]
    );
    let cfg: MusterConfig = parse_config("decoder", "seg_muster", &value).unwrap();
    let d = MusterConfig::default();
    assert_eq!(
        (
            cfg.channels,
            cfg.depths,
            cfg.num_heads,
            cfg.window_size,
            cfg.drop_path_rate
        ),
        (
            d.channels,
            d.depths,
            d.num_heads,
            d.window_size,
            d.drop_path_rate
        )
    );
}
