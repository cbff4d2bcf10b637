use eobench_core::burn::module::Module;
use eobench_core::burn::optim::GradientsParams;
use eobench_core::burn::tensor::{Device, Tensor};
use eobench_core::component::{EncoderContext, EncoderSpec};
use eobench_layers::testing::{dataset_spec, random_batch};
use serde_json::json;

use super::*;

/// dim 32, depth 2, 2 heads, patch 8, input 32 → 4×4 tokens.
fn tiny(extra: serde_json::Value) -> serde_json::Value {
    let mut cfg = json!({
        "input_size": 32, "patch_size": 8, "embed_dim": 32, "depth": 2, "num_heads": 2,
        "mlp_ratio": 4.0, "qkv_bias": true, "drop_path_rate": 0.1, "output_layers": [0, 1],
        "weights": "random", "bands": null
    });
    for (k, v) in extra.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    cfg
}

fn build_tiny(extra: serde_json::Value, device: &Device) -> (EncoderSpec, VisionTransformer) {
    let ds = dataset_spec(&[("optical", 3), ("sar", 2)], 32);
    let cfg: VitConfig =
        eobench_core::component::parse_config("encoder", "vit", &tiny(extra)).unwrap();
    model::build_model(
        &cfg,
        &EncoderContext {
            device,
            dataset: &ds,
        },
    )
    .unwrap()
}

fn build_err(extra: serde_json::Value) -> String {
    let device = Device::flex();
    let ds = dataset_spec(&[("optical", 3)], 32);
    match build(
        &tiny(extra.clone()),
        &EncoderContext {
            device: &device,
            dataset: &ds,
        },
    ) {
        Ok(_) => panic!("config {extra} was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn outputs_one_map_per_layer_at_patch_stride() {
    let device = Device::flex();
    let ds = dataset_spec(&[("optical", 3), ("sar", 2)], 32);
    let enc = build(
        &tiny(json!({})),
        &EncoderContext {
            device: &device,
            dataset: &ds,
        },
    )
    .unwrap();
    let spec = enc.spec().clone();
    assert_eq!(spec.output_dims, vec![32, 32]);
    assert_eq!(spec.output_strides, vec![8, 8]);
    assert_eq!(spec.patch_size, Some(8));
    assert!(spec.accepts_any_bands && spec.finetune_only);
    let names: Vec<_> = spec
        .modalities
        .iter()
        .map(|m| (m.name.as_str(), m.bands.len()))
        .collect();
    assert_eq!(names, vec![("optical", 3), ("sar", 2)]);
    let feats = enc.forward(&random_batch(&spec, 2, 32, &device)).unwrap();
    let dims: Vec<_> = feats.maps.iter().map(|m| m.dims()).collect();
    assert_eq!(dims, vec![[2, 32, 4, 4], [2, 32, 4, 4]]);
}

#[test]
fn parameter_count_matches_closed_form() {
    let (_, model) = build_tiny(json!({}), &Device::flex());
    let (c, d, p, depth, n, hid) = (5, 32, 8, 2, 16, 128);
    let patch = c * d * p * p + d;
    let tokens = d + (n + 1) * d;
    let block = 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * hid + hid) + (hid * d + d);
    let expected = patch + tokens + depth * block + 2 * d;
    assert_eq!(model.num_params(), expected);
    assert_eq!(expected, 36_320);
}

#[test]
fn final_norm_only_on_the_last_block() {
    let device = Device::flex();
    let (spec, model) = build_tiny(json!({}), &device);
    let outs = model
        .forward_image(
            random_batch(&spec, 1, 32, &device)
                .modalities
                .iter()
                .map(|m| m.first_frame())
                .reduce(|a, b| Tensor::cat(vec![a, b], 1))
                .unwrap(),
        )
        .unwrap();
    // Per-token variance over channels: 1 after LayerNorm (gamma 1, beta 0 at init), else not.
    let var = |m: &Tensor<4>| -> f32 { m.clone().var(1).mean().into_scalar() };
    let (v0, v1) = (var(&outs[0]), var(&outs[1]));
    assert!(
        (v1 - 1.0).abs() < 0.05,
        "last output not normalised: var {v1}"
    );
    assert!(
        (v0 - 1.0).abs() > 0.2,
        "intermediate output looks normalised: var {v0}"
    );
}

#[test]
fn invalid_configs_name_the_key() {
    let e = build_err(json!({"output_layers": [0, 2]}));
    assert!(e.contains("output_layers") && e.contains("block 2"), "{e}");
    let e = build_err(json!({"input_size": 36}));
    assert!(
        e.contains("input_size 36") && e.contains("patch_size 8"),
        "{e}"
    );
    let e = build_err(json!({"embed_dim": 33}));
    assert!(
        e.contains("embed_dim 33") && e.contains("num_heads 2"),
        "{e}"
    );
    let e = build_err(json!({"weights": "imagenet"}));
    assert!(
        e.contains("weights") && e.contains("encoder-weights feature"),
        "{e}"
    );
    let e = build_err(json!({"output_layers": [1, 0]}));
    assert!(e.contains("strictly increasing"), "{e}");
    let e = build_err(json!({"depthh": 3}));
    assert!(e.contains("unknown field") && e.contains("depthh"), "{e}");
}

#[test]
fn input_of_another_size_is_a_shape_error() {
    let device = Device::flex();
    let (spec, model) = build_tiny(json!({}), &device);
    let batch = random_batch(&spec, 1, 16, &device);
    let err = EncoderModel::forward(&model, &batch)
        .unwrap_err()
        .to_string();
    assert!(err.contains("pos_embed is for 32x32"), "{err}");
}

use eobench_core::component::EncoderModel;

#[test]
fn backward_reaches_every_block_and_freeze_stops_it() {
    let device = Device::flex().autodiff();
    let (spec, model) = build_tiny(json!({}), &device);
    let batch = random_batch(&spec, 2, 32, &device);
    let loss = |m: &VisionTransformer| {
        let outs = EncoderModel::forward(m, &batch).unwrap();
        outs.into_iter()
            .map(|o| o.powf_scalar(2.0).mean())
            .reduce(|a, b| a + b)
            .unwrap()
    };
    let grads = GradientsParams::from_grads(loss(&model).backward(), &model);
    assert!(!grads.is_empty());
    assert!(
        grads.get::<4>(model.patch_embed.proj.weight.id).is_some(),
        "no grad for patch_embed.proj"
    );
    assert!(
        grads.get::<3>(model.pos_embed.id).is_some(),
        "no grad for pos_embed"
    );
    assert!(
        grads.get::<2>(model.blocks[1].mlp.fc2.weight.id).is_some(),
        "no grad for the last block"
    );
    // Frozen: the features are untracked; a trainable head (here one scalar) still trains,
    // and the encoder receives nothing.
    let frozen = model.freeze();
    let outs = EncoderModel::forward(&frozen, &batch).unwrap();
    assert!(
        outs.iter().all(|o| !o.is_require_grad()),
        "frozen features still track gradients"
    );
    let head = Tensor::<1>::ones([1], &device).require_grad();
    let l = outs
        .into_iter()
        .map(|o| o.mean())
        .reduce(|a, b| a + b)
        .unwrap()
        * head.clone();
    let mut all = l.backward();
    assert!(head.grad(&all).is_some());
    let grads = GradientsParams::from_module(&mut all, &frozen);
    assert!(
        grads.is_empty(),
        "frozen encoder produced {} gradients",
        grads.len()
    );
}

#[test]
fn registered_under_vit() {
    let reg = eobench_registry::Registry::builtin().unwrap();
    assert_eq!(reg.encoder("vit").unwrap().name, "vit");
}

#[test]
fn shipped_yaml_has_every_key_and_default_size() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../configs/encoder/vit.yaml"
    ))
    .unwrap();
    let value: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "input_size",
            "patch_size",
            "embed_dim",
            "depth",
            "num_heads",
            "mlp_ratio",
            "qkv_bias",
            "drop_path_rate",
            "output_layers",
            "weights",
            "bands"
        ]
    );
    let cfg: VitConfig = eobench_core::component::parse_config("encoder", "vit", &value).unwrap();
    // ViT-B/16 at 224 on 6 HLS bands (parameters are lazy: counting allocates nothing).
    let device = Device::flex();
    let ds = dataset_spec(&[("optical", 6)], 512);
    let (_, model) = model::build_model(
        &cfg,
        &EncoderContext {
            device: &device,
            dataset: &ds,
        },
    )
    .unwrap();
    assert_eq!(model.num_params(), 86_388_480);
}
