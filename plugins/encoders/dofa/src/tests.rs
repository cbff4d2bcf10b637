use std::path::{Path, PathBuf};

use eobench_core::bands::Band;
use eobench_core::burn::module::Module;
use eobench_core::burn::tensor::{Device, Tensor, TensorData};
use eobench_core::component::{DatasetSpec, EncoderContext, EncoderModel, parse_config};
use eobench_layers::testing::{dataset_spec, random_batch};
use serde_json::json;

use super::*;

const HLS: [(&str, f64); 6] = [
    ("B2", 0.49),
    ("B3", 0.56),
    ("B4", 0.665),
    ("B8A", 0.864),
    ("B11", 1.61),
    ("B12", 2.2),
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A dataset whose modalities carry wavelengths: `(modality, [(band, µm)])`.
fn dataset(mods: &[(&str, &[(&str, f64)])], img: usize) -> DatasetSpec {
    let mut ds = dataset_spec(
        &mods.iter().map(|(n, b)| (*n, b.len())).collect::<Vec<_>>(),
        img,
    );
    for (m, (_, bands)) in ds.modalities.iter_mut().zip(mods) {
        m.bands = bands
            .iter()
            .map(|(name, wl)| Band {
                wavelength_um: Some(*wl),
                ..Band::named(*name)
            })
            .collect();
    }
    ds
}

/// The reduced architecture of the parity fixture (tools/parity/dofa.py).
fn tiny(extra: serde_json::Value) -> serde_json::Value {
    let mut cfg = json!({
        "input_size": 32, "patch_size": 8, "embed_dim": 32, "depth": 4, "num_heads": 4,
        "mlp_ratio": 4.0, "output_layers": [0, 1, 2, 3], "wave_embed_dim": 32,
        "weights": "random", "allow_missing": [], "bands": null
    });
    for (k, v) in extra.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    cfg
}

fn build_err(extra: serde_json::Value, ds: &DatasetSpec) -> String {
    let device = Device::flex();
    match build(
        &tiny(extra.clone()),
        &EncoderContext {
            device: &device,
            dataset: ds,
        },
    ) {
        Ok(_) => panic!("config {extra} was accepted"),
        Err(e) => e.to_string(),
    }
}

struct Io {
    bytes: Vec<u8>,
}

impl Io {
    fn open(path: &Path) -> Self {
        Self {
            bytes: std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        }
    }
    fn get(&self, name: &str) -> (Vec<f32>, Vec<usize>) {
        eobench_layers::testing::fixture_tensor(&self.bytes, name)
    }
}

/// Loads `ckpt` through the production path (`build_model` → `resolve_weights` →
/// strict `load_weights`), runs the fixture input, returns the max |Δ| per output layer.
fn parity(
    cfg_value: serde_json::Value,
    ckpt: &Path,
    io: &Path,
    wavelengths: &[(&str, f64)],
) -> Vec<f32> {
    let device = Device::flex();
    let io = Io::open(io);
    let (wl, _) = io.get("wavelengths");
    assert_eq!(wl.len(), wavelengths.len());
    for (a, (_, b)) in wl.iter().zip(wavelengths) {
        assert_eq!(*a, *b as f32, "fixture wavelengths differ");
    }
    let (x, xs) = io.get("input");
    let ds = dataset(&[("optical", wavelengths)], xs[2]);
    let mut v = cfg_value;
    v["weights"] = json!(ckpt.to_str().unwrap());
    let cfg: DofaConfig = parse_config("encoder", "dofa", &v).unwrap();
    let (_, model, report) = build_model(
        &cfg,
        &EncoderContext {
            device: &device,
            dataset: &ds,
        },
    )
    .unwrap();
    let report = report.expect("weights were loaded");
    assert!(report.ignored.is_empty() && report.allowed_missing.is_empty());
    assert_eq!(report.applied, model.num_params_tensors());
    let x = Tensor::<4>::from_data(TensorData::new(x, [xs[0], xs[1], xs[2], xs[3]]), &device);
    let outs = model.forward_image(x).unwrap();
    outs.iter()
        .enumerate()
        .map(|(k, o)| {
            let (want, ws) = io.get(&format!("out{k}"));
            assert_eq!(o.dims().to_vec(), ws, "out{k} shape");
            let got = o.to_data().try_to_vec::<f32>().unwrap();
            got.iter()
                .zip(&want)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max)
        })
        .collect()
}

trait CountTensors {
    fn num_params_tensors(&self) -> usize;
}

impl CountTensors for Dofa {
    /// Number of parameter tensors (what a strict load must apply).
    fn num_params_tensors(&self) -> usize {
        // 2 (cls, pos) + 2 (norm) + 12 per block + weight generator (2 tokens + 4 fc + MHA 4 +
        // linear1/2 4 + norms 4) + fclayer 4.
        4 + 12 * self.blocks.len()
            + 2
            + 4
            + 12 * self
                .patch_embed
                .weight_generator
                .transformer_encoder
                .layers
                .len()
            + 4
    }
}

#[test]
fn parity_with_torchgeo_reduced_model() {
    let errs = parity(
        tiny(json!({})),
        &fixtures().join("dofa_tiny.pth"),
        &fixtures().join("dofa_tiny_io.safetensors"),
        &HLS,
    );
    println!("DOFA parity (reduced) max |Δ| per output layer: {errs:?}");
    assert_eq!(errs.len(), 4);
    for (k, e) in errs.iter().enumerate() {
        assert!(
            *e < 1e-4,
            "output {k}: max abs error {e} >= 1e-4 (all: {errs:?})"
        );
    }
}

/// Full-size check (random-init DOFA ViT-B/16 at 224, 7 bands incl. SAR 3.75 µm):
/// `venv-parity/bin/python tools/parity/dofa.py --full DIR` then
/// `DOFA_FULL_DIR=DIR cargo test --release -p eobench-encoder-dofa -- --ignored --nocapture`.
#[test]
#[ignore]
fn parity_full_size() {
    let dir = PathBuf::from(std::env::var("DOFA_FULL_DIR").expect("set DOFA_FULL_DIR"));
    let mut bands = HLS.to_vec();
    bands.push(("VV", 3.75));
    let cfg = json!({"weights": "random", "bands": null});
    let errs = parity(
        cfg,
        &dir.join("dofa_full.pth"),
        &dir.join("dofa_full_io.safetensors"),
        &bands,
    );
    println!("DOFA parity (ViT-B/16, 224) max |Δ| per output layer [3,5,7,11]: {errs:?}");
    for (k, e) in errs.iter().enumerate() {
        assert!(*e < 1e-3, "output {k}: max abs error {e}");
    }
}

#[test]
fn spec_and_output_shapes() {
    let device = Device::flex();
    let ds = dataset(
        &[
            ("optical", &HLS[..4]),
            ("sar", &[("VV", 3.75), ("VH", 3.75)]),
        ],
        32,
    );
    let enc = build(
        &tiny(json!({"output_layers": [1, 3]})),
        &EncoderContext {
            device: &device,
            dataset: &ds,
        },
    )
    .unwrap();
    let spec = enc.spec().clone();
    assert_eq!(spec.name, "dofa");
    assert_eq!(spec.output_dims, vec![32, 32]);
    assert_eq!(spec.output_strides, vec![8, 8]);
    assert_eq!(spec.patch_size, Some(8));
    assert!(spec.accepts_any_bands && !spec.finetune_only);
    let mods: Vec<_> = spec
        .modalities
        .iter()
        .map(|m| (m.name.as_str(), m.bands.len()))
        .collect();
    assert_eq!(mods, vec![("optical", 4), ("sar", 2)]);
    let feats = enc.forward(&random_batch(&spec, 2, 32, &device)).unwrap();
    let dims: Vec<_> = feats.maps.iter().map(|m| m.dims()).collect();
    assert_eq!(dims, vec![[2, 32, 4, 4], [2, 32, 4, 4]]);
    // Another size than input_size: a clear shape error, not a panic.
    let err = enc
        .forward(&random_batch(&spec, 1, 16, &device))
        .unwrap_err()
        .to_string();
    assert!(err.contains("pos_embed is for 32x32"), "{err}");
}

#[test]
fn generated_kernel_has_conv_layout_and_scaler() {
    let device = Device::flex();
    let ds = dataset(&[("optical", &HLS[..3])], 32);
    let cfg: DofaConfig = parse_config("encoder", "dofa", &tiny(json!({}))).unwrap();
    let (_, model) = build_random(
        &cfg,
        &EncoderContext {
            device: &device,
            dataset: &ds,
        },
    )
    .unwrap();
    let (w, b) = model.patch_embed.generate(&model.wavelengths_um, &device);
    assert_eq!(w.dims(), [32, 3, 8, 8]);
    assert_eq!(b.dims(), [32]);
    // Sin-cos embedding: dim 4, wavelength 1 µm → pos 1000, ω = [1, 0.01].
    let e = wave_embedding(&[1.0], 4);
    let want = [1000f32.sin(), 10f32.sin(), 1000f32.cos(), 10f32.cos()];
    for (a, b) in e.iter().zip(want) {
        assert!((a - b).abs() < 1e-5, "{e:?} vs {want:?}");
    }
}

#[test]
fn invalid_configs_name_the_key() {
    let ds = dataset(&[("optical", &HLS)], 32);
    let e = build_err(json!({"output_layers": [0, 4]}), &ds);
    assert!(e.contains("output_layers") && e.contains("block 4"), "{e}");
    let e = build_err(json!({"input_size": 36}), &ds);
    assert!(
        e.contains("input_size 36") && e.contains("patch_size 8"),
        "{e}"
    );
    let e = build_err(json!({"embed_dim": 30}), &ds);
    assert!(
        e.contains("embed_dim 30") && e.contains("num_heads 4"),
        "{e}"
    );
    let e = build_err(json!({"wave_embed_dim": 12}), &ds);
    assert!(e.contains("wave_embed_dim 12"), "{e}");
    let e = build_err(json!({"output_layers": [2, 1]}), &ds);
    assert!(e.contains("strictly increasing"), "{e}");
    let e = build_err(json!({"patch_size": 2, "input_size": 32}), &ds);
    assert!(e.contains("patch_size 2"), "{e}");
    let e = build_err(json!({"depthh": 3}), &ds);
    assert!(e.contains("unknown field") && e.contains("depthh"), "{e}");
    let e = build_err(json!({"weights": "dofa_large"}), &ds);
    assert!(e.contains("dofa_large"), "{e}");
}

#[test]
fn band_without_wavelength_is_a_clear_error() {
    // dataset_spec bands carry no wavelength.
    let ds = dataset_spec(&[("optical", 3)], 32);
    let e = build_err(json!({}), &ds);
    assert!(
        e.contains("optical_0") && e.contains("wavelength_um") && e.contains("dofa"),
        "{e}"
    );
    // A band picked by name that the dataset lacks has no wavelength either.
    let ds = dataset(&[("optical", &HLS)], 32);
    let e = build_err(json!({"bands": {"optical": ["B2", "B5"]}}), &ds);
    assert!(e.contains("'B5'") && e.contains("wavelength_um"), "{e}");
    // Selected bands that exist keep their wavelengths.
    let device = Device::flex();
    let cfg: DofaConfig = parse_config(
        "encoder",
        "dofa",
        &tiny(json!({"bands": {"optical": ["B12", "B2"]}})),
    )
    .unwrap();
    let (_, m) = build_random(
        &cfg,
        &EncoderContext {
            device: &device,
            dataset: &ds,
        },
    )
    .unwrap();
    assert_eq!(m.wavelengths_um, vec![2.2f32, 0.49]);
}

#[test]
fn strict_loading_rejects_missing_and_unused_keys() {
    let ckpt = fixtures().join("dofa_tiny.pth");
    let ds = dataset(&[("optical", &HLS)], 32);
    // depth 5: the checkpoint lacks blocks.4.* → missing.
    let e = build_err(json!({"depth": 5, "weights": ckpt.to_str().unwrap()}), &ds);
    assert!(
        e.contains("missing") && e.contains("blocks.4.attn.qkv.weight"),
        "{e}"
    );
    // ... unless allowed explicitly, one key at a time.
    let e = build_err(
        json!({"depth": 5, "weights": ckpt.to_str().unwrap(), "allow_missing": ["blocks.4.norm1.gamma"]}),
        &ds,
    );
    assert!(
        e.contains("missing") && !e.contains("blocks.4.norm1.gamma"),
        "{e}"
    );
    // depth 3, output [0, 1, 2]: blocks.3.* are not used → error.
    let e = build_err(
        json!({"depth": 3, "output_layers": [0, 1, 2], "weights": ckpt.to_str().unwrap()}),
        &ds,
    );
    assert!(e.contains("not used") && e.contains("blocks.3."), "{e}");
    // wrong wave_embed_dim: shape mismatch.
    let e = build_err(
        json!({"wave_embed_dim": 64, "weights": ckpt.to_str().unwrap()}),
        &ds,
    );
    assert!(
        e.contains("Shape mismatch") && e.contains("in_proj_weight"),
        "{e}"
    );
}

#[test]
fn backward_reaches_generator_and_blocks_but_not_pos_embed() {
    use eobench_core::burn::optim::GradientsParams;
    let device = Device::flex().autodiff();
    let ds = dataset(&[("optical", &HLS)], 32);
    let cfg: DofaConfig = parse_config("encoder", "dofa", &tiny(json!({}))).unwrap();
    let (spec, model) = build_random(
        &cfg,
        &EncoderContext {
            device: &device,
            dataset: &ds,
        },
    )
    .unwrap();
    let batch = random_batch(&spec, 1, 32, &device);
    let loss = EncoderModel::forward(&model, &batch)
        .unwrap()
        .into_iter()
        .map(|o| o.powf_scalar(2.0).mean())
        .reduce(|a, b| a + b)
        .unwrap();
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    let wg = &model.patch_embed.weight_generator;
    assert!(
        grads.get::<2>(wg.weight_tokens.id).is_some(),
        "no grad for weight_tokens"
    );
    assert!(
        grads
            .get::<2>(wg.transformer_encoder.layers[0].self_attn.in_proj_weight.id)
            .is_some(),
        "no grad for in_proj_weight"
    );
    assert!(grads.get::<2>(model.blocks[3].mlp.fc2.weight.id).is_some());
    // pos_embed is a fixed table (requires_grad=False in DOFA).
    assert!(
        grads.get::<3>(model.pos_embed.id).is_none(),
        "pos_embed was trained"
    );
}

#[test]
fn registered_under_dofa() {
    let reg = eobench_registry::Registry::builtin().unwrap();
    assert_eq!(reg.encoder("dofa").unwrap().name, "dofa");
}

#[test]
fn shipped_yaml_has_every_key_and_default_size() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../configs/encoder/dofa.yaml"
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
            "output_layers",
            "wave_embed_dim",
            "weights",
            "releases",
            "allow_missing",
            "bands"
        ]
    );
    let cfg: DofaConfig = parse_config("encoder", "dofa", &value).unwrap();
    let d = DofaConfig::default();
    assert_eq!(cfg.releases, d.releases);
    assert_eq!(cfg.weights, d.weights);
    // DOFA ViT-B/16 (random: the release is not downloadable yet); lazy params allocate nothing.
    let mut v = value.clone();
    v["weights"] = json!("random");
    let cfg: DofaConfig = parse_config("encoder", "dofa", &v).unwrap();
    let device = Device::flex();
    let ds = dataset(&[("optical", &HLS)], 512);
    let (_, model) = build_random(
        &cfg,
        &EncoderContext {
            device: &device,
            dataset: &ds,
        },
    )
    .unwrap();
    // = the element count of torchgeo DOFA(embed_dim=768, depth=12, num_heads=12,
    // global_pool=False, num_classes=0).state_dict(): blocks 12 × 7,087,872; cls + pos_embed
    // (197 × 768) + norm 153,600; patch embed 26,104,064 (fc_weight 128 × 196,608 + 196,608;
    // fc_bias 99,072; tokens 129 × 128; FCResLayer 33,024; encoder layer 593,024).
    assert_eq!(model.num_params(), 111_312_128);
}
