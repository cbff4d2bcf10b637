//! Helpers for plugin unit tests: a synthetic dataset declaration and a random batch that
//! matches it, so each encoder/decoder test does not rebuild the same scaffolding.

use eobench_core::bands::Band;
use eobench_core::burn::tensor::{Device, Distribution, Tensor};
use eobench_core::component::{DatasetModality, DatasetSpec, EncoderSpec};
use eobench_core::sample::{Batch, BatchModality};

/// A dataset declaration with the given modalities (`(name, number of bands)`), bands named
/// `<modality>_<i>`, two classes and scenes of `img_size` pixels.
pub fn dataset_spec(modalities: &[(&str, usize)], img_size: usize) -> DatasetSpec {
    DatasetSpec {
        name: "synthetic".into(),
        modalities: modalities
            .iter()
            .map(|(name, n)| DatasetModality {
                name: name.to_string(),
                bands: (0..*n)
                    .map(|i| Band::named(format!("{name}_{i}")))
                    .collect(),
                mean: vec![0.0; *n],
                std: vec![1.0; *n],
            })
            .collect(),
        classes: vec!["background".into(), "foreground".into()],
        ignore_index: None,
        img_size,
        class_distribution: vec![],
    }
}

/// A batch of `b` single-frame N(0, 1) samples of `size`×`size` pixels with exactly the
/// modalities and bands `spec` declares.
pub fn random_batch(spec: &EncoderSpec, b: usize, size: usize, device: &Device) -> Batch {
    let modalities = spec
        .modalities
        .iter()
        .map(|m| BatchModality {
            name: m.name.clone(),
            bands: m.bands.clone(),
            data: Tensor::random(
                [b, 1, m.bands.len(), size, size],
                Distribution::Normal(0.0, 1.0),
                device,
            ),
            dates: vec![],
        })
        .collect();
    Batch {
        ids: (0..b).map(|i| format!("s{i}")).collect(),
        modalities,
        target: None,
    }
}

/// One f32 tensor (values, shape) from the bytes of a safetensors parity fixture written by
/// `tools/parity/*.py`; panics with the tensor name when it is missing (test helper).
pub fn fixture_tensor(bytes: &[u8], name: &str) -> (Vec<f32>, Vec<usize>) {
    let file = safetensors::SafeTensors::deserialize(bytes).expect("a safetensors fixture");
    let t = file
        .tensor(name)
        .unwrap_or_else(|_| panic!("fixture has no {name}"));
    let values = t
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    (values, t.shape().to_vec())
}

/// A stand-in encoder declaration with the given output channels and strides at `input` pixels,
/// for decoder tests (ViT-like: equal strides; pyramid: rising strides).
pub fn encoder_layout(dims: &[usize], strides: &[usize], input: usize) -> EncoderSpec {
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

/// The encoder layouts every decoder is tested over: ViT-B (4 × 768 at stride 16, 224 px →
/// 14×14), CROMA (patch 8 at 120 px → an odd 15×15 grid), a single-map encoder, a UNet-like
/// pyramid (strides 1–8) and ViTs with patch 8, 14 and 4.
pub fn decoder_test_layouts() -> Vec<(&'static str, EncoderSpec)> {
    vec![
        ("vit-b", encoder_layout(&[768; 4], &[16; 4], 224)),
        ("croma", encoder_layout(&[768; 4], &[8; 4], 120)),
        ("single", encoder_layout(&[32], &[4], 32)),
        (
            "unet",
            encoder_layout(&[64, 128, 256, 512], &[1, 2, 4, 8], 32),
        ),
        ("patch8", encoder_layout(&[48; 4], &[8; 4], 64)),
        ("patch14", encoder_layout(&[48; 4], &[14; 4], 56)),
        ("patch4", encoder_layout(&[48; 4], &[4; 4], 32)),
    ]
}

/// N(0, 1) feature maps of batch `b` as `spec` declares them (input / stride per side).
pub fn random_features(spec: &EncoderSpec, b: usize, device: &Device) -> Vec<Tensor<4>> {
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

/// Logits dims of a registered decoder factory over `spec`'s random features (batch 2, three
/// classes, output at the encoder's input size).
pub fn decoder_logits_dims(
    build: fn(
        &serde_json::Value,
        &eobench_core::component::DecoderContext,
    ) -> Result<
        Box<dyn eobench_core::component::Decoder>,
        eobench_core::component::ComponentError,
    >,
    config: &serde_json::Value,
    spec: &EncoderSpec,
) -> [usize; 4] {
    let device = Device::flex();
    let ctx = eobench_core::component::DecoderContext {
        device: &device,
        encoder: spec,
        num_classes: 3,
    };
    let decoder = build(config, &ctx).expect("decoder builds");
    let size = spec.input_size;
    decoder
        .forward(
            eobench_core::component::Features {
                maps: random_features(spec, 2, &device),
            },
            [size, size],
        )
        .expect("decoder forward")
        .dims()
}

/// Losses of `steps` AdamW steps (learning rate `lr`) fitting `model`'s logits to a fixed random
/// target on `spec`'s random features: a decoder whose gradients flow shows a falling loss.
pub fn decoder_fit_losses<M: eobench_core::component::DecoderModel>(
    mut model: M,
    spec: &EncoderSpec,
    device: &Device,
    lr: f64,
    steps: usize,
) -> Vec<f32> {
    use eobench_core::burn::optim::{AdamWConfig, GradientsParams};
    let size = spec.input_size;
    let features = random_features(spec, 2, device);
    let target = Tensor::<4>::random([2, 2, size, size], Distribution::Normal(0.0, 1.0), device);
    let mut optim = AdamWConfig::new().init();
    let mut losses = Vec::with_capacity(steps);
    for _ in 0..steps {
        let loss = (model.forward(features.clone(), [size, size]) - target.clone())
            .powf_scalar(2.0)
            .mean();
        losses.push(loss.clone().into_scalar::<f32>());
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(lr, model, grads);
    }
    losses
}

/// A component's shipped `configs/<kind>/<name>.yaml` as JSON, with its top-level keys in file
/// order; `manifest_dir` is the calling crate's `CARGO_MANIFEST_DIR` (plugins/<kind>s/<name>).
pub fn shipped_config(
    manifest_dir: &str,
    kind: &str,
    name: &str,
) -> (serde_json::Value, Vec<String>) {
    let path = std::path::Path::new(manifest_dir)
        .join("../../../configs")
        .join(kind)
        .join(format!("{name}.yaml"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let value: serde_json::Value =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let keys = value
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    (value, keys)
}

/// The error a decoder factory returns for `config` over `spec` (two classes); panics if the
/// factory accepts it.
pub fn decoder_build_error(
    build: fn(
        &serde_json::Value,
        &eobench_core::component::DecoderContext,
    ) -> Result<
        Box<dyn eobench_core::component::Decoder>,
        eobench_core::component::ComponentError,
    >,
    config: &serde_json::Value,
    spec: &EncoderSpec,
) -> String {
    let device = Device::flex();
    let ctx = eobench_core::component::DecoderContext {
        device: &device,
        encoder: spec,
        num_classes: 2,
    };
    match build(config, &ctx) {
        Ok(_) => panic!("the decoder accepted {config}"),
        Err(e) => e.to_string(),
    }
}
