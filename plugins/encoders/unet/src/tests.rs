use eobench_core::burn::module::Module;
use eobench_core::burn::optim::GradientsParams;
use eobench_core::burn::tensor::{Device, Tensor};
use eobench_core::component::{EncoderContext, EncoderModel, EncoderSpec};
use eobench_layers::testing::{dataset_spec, random_batch};
use serde_json::json;

use super::*;

fn tiny() -> serde_json::Value {
    json!({"input_size": 32, "channels": [4, 8, 16, 32], "weights": "random", "bands": null})
}

fn build_tiny(device: &Device) -> (EncoderSpec, UNetEncoder) {
    let ds = dataset_spec(&[("optical", 3)], 32);
    let cfg: UNetConfig =
        eobench_core::component::parse_config("encoder", "unet", &tiny()).unwrap();
    model::build_model(
        &cfg,
        &EncoderContext {
            device,
            dataset: &ds,
        },
    )
    .unwrap()
}

fn build_err(cfg: serde_json::Value) -> String {
    let device = Device::flex();
    let ds = dataset_spec(&[("optical", 3)], 32);
    match build(
        &cfg,
        &EncoderContext {
            device: &device,
            dataset: &ds,
        },
    ) {
        Ok(_) => panic!("config {cfg} was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn outputs_a_pyramid_at_strides_1_2_4_8() {
    let device = Device::flex();
    let ds = dataset_spec(&[("optical", 3), ("sar", 2)], 32);
    let enc = build(
        &tiny(),
        &EncoderContext {
            device: &device,
            dataset: &ds,
        },
    )
    .unwrap();
    let spec = enc.spec().clone();
    assert_eq!(spec.output_strides, vec![1, 2, 4, 8]);
    assert_eq!(spec.output_dims, vec![4, 8, 16, 32]);
    assert!(spec.accepts_any_bands && spec.finetune_only && spec.patch_size.is_none());
    let feats = enc.forward(&random_batch(&spec, 2, 32, &device)).unwrap();
    let dims: Vec<_> = feats.maps.iter().map(|m| m.dims()).collect();
    assert_eq!(
        dims,
        vec![[2, 4, 32, 32], [2, 8, 16, 16], [2, 16, 8, 8], [2, 32, 4, 4]]
    );
}

#[test]
fn parameter_count_matches_closed_form() {
    let (_, model) = build_tiny(&Device::flex());
    // ConvBnAct(a→b, 3×3) = 9ab + b (conv) + 4b (BN gamma, beta and, in burn's count, running stats).
    let cba = |a: usize, b: usize| 9 * a * b + b + 4 * b;
    let dc = |a: usize, b: usize| cba(a, b) + cba(b, b);
    let expected = dc(3, 4) + dc(4, 8) + dc(8, 16) + dc(16, 32);
    assert_eq!(model.num_params(), expected);
    assert_eq!(expected, 18_996);
}

#[test]
fn invalid_configs_name_the_key() {
    let e = build_err(json!({"input_size": 36, "channels": [4, 8, 16, 32]}));
    assert!(
        e.contains("input_size 36") && e.contains("multiple of 8"),
        "{e}"
    );
    let e = build_err(json!({"input_size": 32, "channels": []}));
    assert!(e.contains("channels"), "{e}");
    let e = build_err(json!({"input_size": 32, "weights": "ssl4eo"}));
    assert!(e.contains("weights"), "{e}");
    let e = build_err(json!({"channels": [4]}));
    assert!(e.contains("input_size"), "{e}");
}

#[test]
fn odd_inputs_are_shape_errors() {
    let device = Device::flex();
    let (spec, model) = build_tiny(&device);
    let err = EncoderModel::forward(&model, &random_batch(&spec, 1, 20, &device))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not divisible by 8"), "{err}");
}

#[test]
fn backward_reaches_every_stage_and_freeze_stops_it() {
    let device = Device::flex().autodiff();
    let (spec, model) = build_tiny(&device);
    let batch = random_batch(&spec, 2, 32, &device);
    let outs = EncoderModel::forward(&model, &batch).unwrap();
    let loss = outs
        .into_iter()
        .map(|o| o.powf_scalar(2.0).mean())
        .reduce(|a, b| a + b)
        .unwrap();
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    assert!(
        grads.get::<4>(model.inc.conv1.conv.weight.id).is_some(),
        "no grad for inc"
    );
    assert!(
        grads
            .get::<4>(model.down[2].conv.conv2.conv.weight.id)
            .is_some(),
        "no grad for the last stage"
    );

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
        * head;
    let mut all = l.backward();
    let grads = GradientsParams::from_module(&mut all, &frozen);
    assert!(
        grads.is_empty(),
        "frozen encoder produced {} gradients",
        grads.len()
    );
}

#[test]
fn registered_under_unet() {
    let reg = eobench_registry::Registry::builtin().unwrap();
    assert_eq!(reg.encoder("unet").unwrap().name, "unet");
}

#[test]
fn shipped_yaml_has_every_key_and_default_size() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../configs/encoder/unet.yaml"
    ))
    .unwrap();
    let mut value: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(keys, ["input_size", "channels", "weights", "bands"]);
    assert_eq!(value["input_size"], "${dataset.img_size}");
    value["input_size"] = json!(512);
    let cfg: UNetConfig = eobench_core::component::parse_config("encoder", "unet", &value).unwrap();
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
    assert_eq!(model.num_params(), 4_694_784);
}
