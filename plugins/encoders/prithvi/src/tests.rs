//! Parity against TerraTorch 1.2.11's PrithviViT (tools/parity/prithvi.py → tests/fixtures/),
//! the 3-D sin-cos table, spec/shapes, config errors and strict loading of both official layouts.

use std::path::PathBuf;

use eobench_core::burn::module::Module;
use eobench_core::burn::tensor::{Device, Tensor, TensorData};
use eobench_core::component::{EncoderContext, EncoderSpec};
use eobench_core::weights::load_weights;
use eobench_layers::sincos_3d_pos_embed;
use eobench_layers::testing::{dataset_spec, random_batch};
use serde_json::{Value, json};

use super::*;

/// Parity tolerance (max abs error, every output layer).
const TOL: f32 = 1e-4;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The reduced reference models of tools/parity/prithvi.py: dim 32, depth 4, 4 heads, 48 px,
/// patch 16 (3×3 tokens), 6 bands, T = 1.
fn tiny(kind: PrithviKind, extra: Value) -> Value {
    let file = match kind {
        PrithviKind::V1 => "prithvi_v1_tiny.pt",
        PrithviKind::V2_300 => "prithvi_v2_tiny.pt",
    };
    let mut cfg = json!({
        "input_size": 48, "embed_dim": 32, "depth": 4, "num_heads": 4,
        "output_layers": [0, 1, 2, 3],
        "weights": fixture(file).to_string_lossy(),
    });
    for (k, v) in extra.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    cfg
}

fn ctx_build(
    kind: PrithviKind,
    cfg: &Value,
    device: &Device,
) -> Result<(EncoderSpec, PrithviViT), String> {
    let ds = dataset_spec(&[("optical", 6)], 48);
    let ctx = EncoderContext {
        device,
        dataset: &ds,
    };
    let cfg = PrithviConfig::parse(kind, cfg).map_err(|e| e.to_string())?;
    model::build_model(kind, &cfg, &ctx)
        .map(|(s, m, _)| (s, m))
        .map_err(|e| e.to_string())
}

struct Io {
    bytes: Vec<u8>,
}

impl Io {
    fn load() -> Self {
        Self {
            bytes: std::fs::read(fixture("prithvi_tiny_io.safetensors")).unwrap(),
        }
    }
    fn get(&self, name: &str) -> (Vec<f32>, Vec<usize>) {
        eobench_layers::testing::fixture_tensor(&self.bytes, name)
    }
    fn input(&self, prefix: &str, device: &Device) -> Tensor<5> {
        let (v, s) = self.get(&format!("{prefix}.input"));
        Tensor::from_data(TensorData::new(v, [s[0], s[1], s[2], s[3], s[4]]), device)
    }
}

fn max_abs(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Runs the model built from `cfg` (strict loader) on `{input}.input` and compares each output
/// layer with `{prefix}.block{i}` (`.norm` on the last block when `final_norm`).
fn parity_with(
    kind: PrithviKind,
    cfg: &Value,
    io: &Io,
    input: &str,
    prefix: &str,
    time: Option<&[Vec<(f32, f32)>]>,
    tol: f32,
) -> Vec<f32> {
    let device = Device::flex();
    let (spec, model) = ctx_build(kind, cfg, &device).unwrap();
    let depth = model.blocks.len();
    let layers = spec.output_layers.clone();
    let outs = model
        .forward_tokens(io.input(input, &device), time)
        .unwrap();
    assert_eq!(outs.len(), layers.len());
    let mut errs = vec![];
    for (&l, out) in layers.iter().zip(outs) {
        let name = if model.final_norm && l + 1 == depth {
            format!("{prefix}.block{l}.norm")
        } else {
            format!("{prefix}.block{l}")
        };
        let (want, shape) = io.get(&name);
        assert_eq!(shape, out.dims().to_vec(), "{name}");
        let got = out.into_data().try_to_vec::<f32>().unwrap();
        let e = max_abs(&got, &want);
        println!("parity {} {name}: max abs err {e:.3e}", kind.name());
        assert!(e < tol, "{name}: max abs error {e} >= {tol}");
        errs.push(e);
    }
    errs
}

#[test]
fn v1_flat_checkpoint_matches_terratorch_at_every_block() {
    let io = Io::load();
    let cfg = tiny(PrithviKind::V1, json!({}));
    parity_with(PrithviKind::V1, &cfg, &io, "v1", "v1", None, TOL);
    // TerraTorch's final norm on the last block.
    let cfg = tiny(
        PrithviKind::V1,
        json!({"final_norm": true, "output_layers": [1, 3]}),
    );
    parity_with(PrithviKind::V1, &cfg, &io, "v1", "v1", None, TOL);
}

#[test]
fn v2_mae_checkpoint_matches_terratorch_with_and_without_time() {
    let io = Io::load();
    // TL weights without coords: TerraTorch skips the encodings when no coords are given.
    let cfg = tiny(PrithviKind::V2_300, json!({}));
    parity_with(PrithviKind::V2_300, &cfg, &io, "v2", "v2", None, TOL);
    let (c, s) = io.get("v2.time.coords");
    assert_eq!(s, vec![2, 1, 2]);
    let coords: Vec<Vec<(f32, f32)>> = c.chunks(2).map(|p| vec![(p[0], p[1])]).collect();
    let cfg = tiny(
        PrithviKind::V2_300,
        json!({"coords_encoding": ["time"], "final_norm": true}),
    );
    parity_with(
        PrithviKind::V2_300,
        &cfg,
        &io,
        "v2",
        "v2.time",
        Some(&coords),
        TOL,
    );
}

#[test]
fn stored_t3_pos_embed_equals_the_recomputed_table() {
    let io = Io::load();
    let (want, shape) = io.get("v1.pos_embed_t3");
    assert_eq!(shape, vec![1, 1 + 3 * 9, 32]);
    let got = sincos_3d_pos_embed(32, 3, 3, 3, true);
    let e = max_abs(&got, &want);
    assert!(
        e < 1e-6,
        "3-D sin-cos table differs from the stored one: {e}"
    );
}

#[test]
fn dates_in_the_batch_drive_the_temporal_encoding() {
    use eobench_core::sample::AcquisitionDate;
    let device = Device::flex();
    let cfg = tiny(
        PrithviKind::V2_300,
        json!({"coords_encoding": ["time"], "output_layers": [3]}),
    );
    let (spec, model) = ctx_build(PrithviKind::V2_300, &cfg, &device).unwrap();
    let mut batch = random_batch(&spec, 2, 48, &device);
    // No dates: a clear error.
    let err = EncoderModel::forward(&model, &batch)
        .unwrap_err()
        .to_string();
    assert!(err.contains("acquisition dates"), "{err}");
    // 2019-07-07 is day 188 → day-of-year − 1 = 187 (TerraTorch's convention).
    batch.modalities[0].dates = vec![
        vec![AcquisitionDate::from_ymd(2019, 7, 7)],
        vec![AcquisitionDate::from_ymd(2023, 1, 6)],
    ];
    let a = EncoderModel::forward(&model, &batch).unwrap();
    let x = batch.modalities[0].data.clone().swap_dims(1, 2);
    let coords = vec![vec![(2019.0, 187.0)], vec![(2023.0, 5.0)]];
    let b = model.forward_tokens(x, Some(&coords)).unwrap();
    let a = eobench_layers::map_to_tokens(a[0].clone());
    let e = max_abs(
        &a.into_data().try_to_vec::<f32>().unwrap(),
        &b[0].clone().into_data().try_to_vec::<f32>().unwrap(),
    );
    assert!(e < 1e-6, "{e}");
}

#[test]
fn default_specs_and_parameter_counts() {
    let device = Device::flex();
    for (kind, d, depth, heads) in [
        (PrithviKind::V1, 768usize, 12usize, 12usize),
        (PrithviKind::V2_300, 1024, 24, 16),
    ] {
        let cfg = PrithviConfig::parse(kind, &json!({"weights": "random"})).unwrap();
        assert_eq!((cfg.embed_dim, cfg.depth, cfg.num_heads), (d, depth, heads));
        let (spec, model) = build_random(kind, &cfg, &device);
        assert_eq!(spec.output_dims, vec![d; 4]);
        assert_eq!(spec.output_strides, vec![16; 4]);
        assert_eq!(spec.input_size, 224);
        assert_eq!(model.grid, [1, 14, 14]);
        assert_eq!(model.pos_table.len(), (1 + 196) * d);
        let names: Vec<&str> = spec.modalities[0]
            .bands
            .iter()
            .map(|b| b.name.as_str())
            .collect();
        assert_eq!(names, ["B2", "B3", "B4", "B8A", "B11", "B12"]);
        assert!(
            spec.modalities[0]
                .bands
                .iter()
                .all(|b| b.wavelength_um.is_some())
        );
        let per_block = 4 * d + 3 * d * d + 3 * d + d * d + d + 8 * d * d + 5 * d;
        assert_eq!(
            model.num_params(),
            6 * 256 * d + d + d + depth * per_block + 2 * d
        );
    }
    // Prithvi-100M encoder: 86.24 M parameters (TerraTorch PrithviViT count) (Jakubik et al. 2023: "100M" incl. the decoder).
    let cfg = PrithviConfig::parse(PrithviKind::V1, &json!({"weights": "random"})).unwrap();
    assert_eq!(
        build_random(PrithviKind::V1, &cfg, &device).1.num_params(),
        86_237_184
    );
    assert_eq!(
        PrithviConfig::parse(PrithviKind::V1, &json!({}))
            .unwrap()
            .output_layers,
        vec![3, 5, 7, 11]
    );
}

#[test]
fn registered_encoders_output_maps_at_patch_stride() {
    let reg = eobench_registry::Registry::builtin().unwrap();
    for name in ["prithvi", "prithvi_2_300"] {
        assert_eq!(reg.encoder(name).unwrap().name, name);
    }
    let device = Device::flex();
    let ds = dataset_spec(&[("optical", 6)], 48);
    let ctx = EncoderContext {
        device: &device,
        dataset: &ds,
    };
    let cfg = json!({"input_size": 32, "embed_dim": 32, "depth": 3, "num_heads": 4,
                     "output_layers": [0, 2], "weights": "random"});
    let enc = build_v1(&cfg, &ctx).unwrap();
    let feats = enc
        .forward(&random_batch(enc.spec(), 2, 32, &device))
        .unwrap();
    let dims: Vec<_> = feats.maps.iter().map(|m| m.dims()).collect();
    assert_eq!(dims, vec![[2, 32, 2, 2], [2, 32, 2, 2]]);
    // Another input size is a clear error (the fixed table is built for input_size).
    let err = match enc.forward(&random_batch(enc.spec(), 1, 48, &device)) {
        Ok(_) => panic!("48 px accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("position table is for 32x32"), "{err}");
}

#[test]
fn invalid_configs_name_the_key() {
    let err = |kind, v: Value| match PrithviConfig::parse(kind, &v) {
        Ok(_) => panic!("config {v} was accepted"),
        Err(e) => e.to_string(),
    };
    let k = PrithviKind::V1;
    assert!(err(k, json!({"num_frames": 3})).contains("multi-temporal"));
    assert!(err(k, json!({"output_layers": [3, 12]})).contains("block 12 does not exist"));
    assert!(err(k, json!({"output_layers": [5, 3]})).contains("strictly increasing"));
    assert!(err(k, json!({"embed_dim": 760})).contains("multiple of 16"));
    assert!(err(k, json!({"num_heads": 7})).contains("not divisible by num_heads"));
    assert!(err(k, json!({"input_size": 100})).contains("multiple of patch_size"));
    assert!(err(k, json!({"coords_encoding": ["location"]})).contains("not supported"));
    assert!(err(k, json!({"coords_encoding": ["space"]})).contains("unknown entry"));
    assert!(err(k, json!({"bands": [{"name": "B2"}]})).contains("6 HLS bands"));
    assert!(
        err(
            k,
            json!({"normalization": {"mean": [1.0], "std": [1.0], "unit": "DN"}})
        )
        .contains("one value per band")
    );
    assert!(err(k, json!({"mlp_ratio": 4.0})).contains("unknown field"));
    let device = Device::flex();
    let e = ctx_build(k, &json!({"weights": "/nonexistent/x.pt"}), &device).unwrap_err();
    assert!(e.contains("prithvi_100m"), "{e}");
}

#[test]
fn strict_loading_rejects_missing_and_unexpected_tensors() {
    let device = Device::flex();
    // One block more than the checkpoint: its parameters are missing.
    let e = ctx_build(
        PrithviKind::V1,
        &tiny(PrithviKind::V1, json!({"depth": 5})),
        &device,
    )
    .unwrap_err();
    assert!(e.contains("missing") && e.contains("blocks.4."), "{e}");
    // One block fewer: the checkpoint's block 3 is unused (only the MAE decoder is ignored).
    let e = ctx_build(
        PrithviKind::V1,
        &tiny(PrithviKind::V1, json!({"depth": 3, "output_layers": [2]})),
        &device,
    )
    .unwrap_err();
    assert!(e.contains("not used") && e.contains("blocks.3."), "{e}");
    // Temporal encoding asked for, but the v1 checkpoint has none.
    let e = ctx_build(
        PrithviKind::V1,
        &tiny(PrithviKind::V1, json!({"coords_encoding": ["time"]})),
        &device,
    )
    .unwrap_err();
    assert!(e.contains("temporal_embed_enc.scale"), "{e}");
}

#[test]
fn mae_decoder_and_stored_pos_embed_are_ignored_on_purpose() {
    let device = Device::flex();
    for (kind, time, n_enc) in [
        // cls, patch 2, 4 blocks × 12, norm 2.
        (PrithviKind::V1, false, 1 + 2 + 4 * 12 + 2),
        (PrithviKind::V2_300, true, 1 + 2 + 1 + 4 * 12 + 2),
    ] {
        let extra = if time {
            json!({"coords_encoding": ["time"]})
        } else {
            json!({})
        };
        let cfg = PrithviConfig::parse(kind, &tiny(kind, extra)).unwrap();
        let (_, mut m) = build_random(kind, &cfg, &device);
        let report = load_weights(
            &mut m,
            std::path::Path::new(&cfg.weights),
            &checkpoint_layout(time, &[]),
        )
        .unwrap();
        assert_eq!(report.applied, n_enc, "{}", kind.name());
        let ignored = &report.ignored;
        assert!(ignored.iter().any(|k| k == "pos_embed"), "{ignored:?}");
        assert!(
            ignored.iter().any(|k| k.contains("decoder_pred.weight")),
            "{ignored:?}"
        );
        assert!(
            ignored.iter().any(|k| k.ends_with("mask_token")),
            "{ignored:?}"
        );
        assert!(
            ignored.iter().all(|k| !k.starts_with("blocks.")),
            "{ignored:?}"
        );
        // Without the ignore list the same file is rejected (strict by default).
        let (_, mut m) = build_random(kind, &cfg, &device);
        let layout = eobench_core::weights::CheckpointLayout {
            ignore_unused: vec![],
            ..checkpoint_layout(time, &[])
        };
        let e = load_weights(&mut m, std::path::Path::new(&cfg.weights), &layout)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not used") && e.contains("decoder"), "{e}");
    }
}

#[test]
fn shipped_yaml_equals_the_defaults() {
    for kind in [PrithviKind::V1, PrithviKind::V2_300] {
        let text = std::fs::read_to_string(format!(
            "{}/../../../configs/encoder/{}.yaml",
            env!("CARGO_MANIFEST_DIR"),
            kind.name()
        ))
        .unwrap();
        let value: Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(value, kind.defaults(), "{}.yaml", kind.name());
    }
}

use eobench_core::component::EncoderModel;

/// Real weights (not in the repository):
/// `python tools/parity/prithvi.py --full v1 Prithvi_100M.pt OUT` then
/// `PRITHVI_PT=Prithvi_100M.pt PRITHVI_VARIANT=v1 PRITHVI_IO=OUT/prithvi_v1_full_io.safetensors
/// cargo test --release -p eobench-encoder-prithvi -- --ignored --nocapture` (v2: `--full v2
/// Prithvi_EO_V2_300M.pt OUT`, `PRITHVI_VARIANT=v2`).
#[test]
#[ignore = "needs an official checkpoint (PRITHVI_PT, PRITHVI_VARIANT) and tools/parity/prithvi.py --full output (PRITHVI_IO)"]
fn full_size_parity_with_official_weights() {
    let ckpt = std::env::var("PRITHVI_PT").expect("set PRITHVI_PT");
    let variant = std::env::var("PRITHVI_VARIANT").expect("set PRITHVI_VARIANT (v1|v2)");
    let io = Io {
        bytes: std::fs::read(std::env::var("PRITHVI_IO").expect("set PRITHVI_IO")).unwrap(),
    };
    let (kind, depth) = match variant.as_str() {
        "v1" => (PrithviKind::V1, 12usize),
        _ => (PrithviKind::V2_300, 24),
    };
    let cfg = json!({"weights": ckpt, "output_layers": (0..depth).collect::<Vec<_>>()});
    parity_with(kind, &cfg, &io, &variant, &variant, None, TOL);
    let (want, shape) = io.get(&format!("{variant}.pos_embed_stored"));
    let t = (shape[1] - 1) / 196;
    let got = sincos_3d_pos_embed(shape[2], t, 14, 14, true);
    let e = max_abs(&got, &want);
    println!("stored pos_embed (T={t}) vs recomputed: max abs {e:.3e}");
    assert!(e < 1e-6);
}
