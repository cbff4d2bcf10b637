use eobench_core::burn::module::Module;
use eobench_core::burn::tensor::Device;
use eobench_core::component::{DecoderContext, DecoderModel, EncoderSpec};
use eobench_layers::testing::{
    decoder_build_error, decoder_fit_losses, decoder_logits_dims, encoder_layout as enc,
    random_features, shipped_config,
};
use serde_json::{Value, json};

use super::*;

fn head(cfg: &LinearConfig, spec: &EncoderSpec, classes: usize, device: &Device) -> LinearHead {
    LinearHead::new(
        cfg,
        &DecoderContext {
            device,
            encoder: spec,
            num_classes: classes,
        },
    )
    .unwrap()
}

fn values(x: eobench_core::burn::tensor::Tensor<4>) -> Vec<f32> {
    x.into_data().try_to_vec::<f32>().unwrap()
}

#[test]
fn logits_at_the_output_size_for_every_feature_layout() {
    let layouts = eobench_layers::testing::decoder_test_layouts();
    for config in [json!({}), json!({"dropout": 0.1})] {
        for (what, spec) in &layouts {
            let s = spec.input_size;
            assert_eq!(
                decoder_logits_dims(build, &config, spec),
                [2, 3, s, s],
                "{what} with {config}"
            );
        }
    }
}

#[test]
fn logits_are_one_linear_map_per_token_without_softmax() {
    let device = Device::flex();
    let spec = enc(&[4, 5], &[4, 4], 8);
    let m = head(&LinearConfig::default(), &spec, 3, &device);
    let feats = random_features(&spec, 1, &device);
    let x = values(feats[1].clone());
    // At the grid size the resize is the identity: logits = W·token + b, raw.
    let got = values(m.forward(feats, [2, 2]));
    let w = m
        .conv_seg
        .weight
        .val()
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    let b = m.conv_seg.bias.as_ref().unwrap().val();
    let b = b.into_data().try_to_vec::<f32>().unwrap();
    for k in 0..3 {
        for t in 0..4 {
            let want = b[k] + (0..5).map(|c| w[k * 5 + c] * x[c * 4 + t]).sum::<f32>();
            assert!((got[k * 4 + t] - want).abs() < 1e-5, "k {k} token {t}");
        }
    }
    // A softmax would give values in [0, 1] summing to 1 over classes.
    let sums: Vec<f32> = (0..4)
        .map(|t| (0..3).map(|k| got[k * 4 + t]).sum())
        .collect();
    assert!(sums.iter().any(|s| (s - 1.0).abs() > 1e-3), "{sums:?}");
}

#[test]
fn parameters_are_one_linear_over_the_last_map() {
    let device = Device::flex();
    let count = |spec: &EncoderSpec, k: usize| {
        head(&LinearConfig::default(), spec, k, &device).num_params()
    };
    // (C_last + 1) · K; ViT-B (768), K = 2: 1,538.
    assert_eq!(count(&enc(&[768; 4], &[16; 4], 224), 2), 769 * 2);
    assert_eq!(count(&enc(&[768; 4], &[16; 4], 224), 2), 1_538);
    // Only the last map counts for a pyramid.
    assert_eq!(
        count(&enc(&[64, 128, 256, 512], &[1, 2, 4, 8], 32), 5),
        513 * 5
    );
}

#[test]
fn invalid_configs_are_rejected_naming_the_key() {
    let one_map = enc(&[8], &[8], 32);
    let err = |v: Value| decoder_build_error(build, &v, &one_map);
    assert!(err(json!({"dropout": 1.0})).contains("dropout must be in [0, 1)"));
    assert!(err(json!({"dropout": -0.5})).contains("dropout must be in [0, 1)"));
    // No hidden width, so no `channels` key (nor the fork's softmax switch).
    assert!(err(json!({"channels": 8})).contains("unknown field `channels`"));
    assert!(err(json!({"softmax": true})).contains("unknown field `softmax`"));
    let no_maps = enc(&[], &[], 32);
    assert!(decoder_build_error(build, &json!({}), &no_maps).contains("no output maps"));
    let empty = enc(&[8, 0], &[8, 8], 32);
    assert!(
        decoder_build_error(build, &json!({}), &empty)
            .contains("one positive width and stride per map")
    );
}

#[test]
fn training_steps_reduce_a_simple_loss() {
    let device = Device::flex().autodiff();
    let spec = enc(&[8, 8], &[4, 4], 16);
    for dropout in [0.0, 0.1] {
        let model = head(&LinearConfig { dropout }, &spec, 2, &device);
        let losses = decoder_fit_losses(model, &spec, &device, 5e-2, 6);
        assert!(losses.iter().all(|l| l.is_finite()), "{losses:?}");
        assert!(
            losses[5] < losses[0],
            "dropout {dropout}: loss did not decrease: {losses:?}"
        );
    }
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
