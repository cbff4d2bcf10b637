//! Strict loading against checkpoints written by PyTorch (tools/parity/make_weights_fixture.py).

use std::path::{Path, PathBuf};

use crate::burn;
use crate::burn::module::Module;
use crate::burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use crate::burn::tensor::{Device, Tensor, TensorData};

use super::*;

#[derive(Module, Debug)]
struct Tiny {
    lin: Linear,
    norm: LayerNorm,
}

#[derive(Module, Debug)]
struct TinyPlus {
    lin: Linear,
    norm: LayerNorm,
    extra: Linear,
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/weights")
        .join(name)
}

fn tiny(device: &Device) -> Tiny {
    Tiny {
        lin: LinearConfig::new(3, 2).init(device),
        norm: LayerNormConfig::new(2).init(device),
    }
}

/// torch: lin(x) = W x + b with W = [[1,2,3],[4,5,6]], b = [0.5,-0.5].
fn check(m: &Tiny, device: &Device) {
    let x = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 1.0, 1.0], [1, 3]), device);
    let y = m.lin.forward(x).into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(y, vec![6.5, 14.5]);
    let g = m.norm.gamma.val().into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(g, vec![2.0, 3.0]);
}

#[test]
fn pth_with_top_level_key_and_safetensors_load_exactly() {
    let device = Device::flex();
    let mut m = tiny(&device);
    let layout = CheckpointLayout {
        top_level_key: Some("model".into()),
        ..Default::default()
    };
    let report = load_weights(&mut m, &fixture("tiny_wrapped.pth"), &layout).unwrap();
    assert_eq!(report.applied, 4);
    check(&m, &device);
    let mut m = tiny(&device);
    load_weights(
        &mut m,
        &fixture("tiny.safetensors"),
        &CheckpointLayout::default(),
    )
    .unwrap();
    check(&m, &device);
}

#[test]
fn unused_checkpoint_tensors_fail_unless_ignored_on_purpose() {
    let device = Device::flex();
    let mut m = tiny(&device);
    let err = load_weights(
        &mut m,
        &fixture("tiny_with_decoder.pth"),
        &CheckpointLayout::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, WeightsError::Unused { keys, .. } if keys == &["decoder_pred.weight".to_string()]),
        "{err}"
    );
    let layout = CheckpointLayout {
        ignore_unused: vec!["^decoder_".into()],
        ..Default::default()
    };
    let report = load_weights(&mut m, &fixture("tiny_with_decoder.pth"), &layout).unwrap();
    assert_eq!(report.ignored, vec!["decoder_pred.weight".to_string()]);
    check(&m, &device);
}

#[test]
fn missing_parameters_fail_unless_allowed() {
    let device = Device::flex();
    let mut m = TinyPlus {
        lin: LinearConfig::new(3, 2).init(&device),
        norm: LayerNormConfig::new(2).init(&device),
        extra: LinearConfig::new(2, 2).init(&device),
    };
    let err = load_weights(
        &mut m,
        &fixture("tiny.safetensors"),
        &CheckpointLayout::default(),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("extra.weight") && msg.contains("extra.bias") && msg.contains("allow_missing"),
        "{msg}"
    );
    let layout = CheckpointLayout {
        allow_missing: vec!["extra.weight".into(), "extra.bias".into()],
        ..Default::default()
    };
    let report = load_weights(&mut m, &fixture("tiny.safetensors"), &layout).unwrap();
    assert_eq!(report.allowed_missing.len(), 2);
}

#[test]
fn shape_mismatch_missing_file_and_unknown_format_are_errors() {
    let device = Device::flex();
    let mut wrong = Tiny {
        lin: LinearConfig::new(4, 2).init(&device),
        norm: LayerNormConfig::new(2).init(&device),
    };
    let err = load_weights(
        &mut wrong,
        &fixture("tiny.safetensors"),
        &CheckpointLayout::default(),
    )
    .unwrap_err();
    assert!(matches!(err, WeightsError::Mismatch { .. }), "{err}");
    assert!(
        err.to_string().contains("Shape mismatch for 'lin.weight'"),
        "{err}"
    );
    let mut wrong = Tiny {
        lin: LinearConfig::new(4, 2).init(&device),
        norm: LayerNormConfig::new(2).init(&device),
    };
    let err = load_weights(
        &mut wrong,
        &fixture("tiny_wrapped.pth"),
        &CheckpointLayout {
            top_level_key: Some("model".into()),
            ..CheckpointLayout::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, WeightsError::Mismatch { .. }), "{err}");
    let mut m = tiny(&device);
    let err = load_weights(
        &mut m,
        Path::new("no/such/file.pth"),
        &CheckpointLayout::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("no/such/file.pth"), "{err}");
    let err = load_weights(
        &mut m,
        &fixture("../geotiff/README.md"),
        &CheckpointLayout::default(),
    )
    .unwrap_err();
    assert!(matches!(err, WeightsError::Format { .. }), "{err}");
}

#[test]
fn resolve_weights_accepts_random_paths_and_names_releases() {
    use std::collections::BTreeMap;
    let releases = BTreeMap::from([(
        "tiny".to_string(),
        Release {
            url: "https://example.org/tiny.pth".into(),
            sha256: None,
            file: "tiny.pth".into(),
        },
    )]);
    assert_eq!(
        resolve_weights("random", &releases).unwrap(),
        WeightsSource::Random
    );
    let path = fixture("tiny.safetensors");
    assert_eq!(
        resolve_weights(path.to_str().unwrap(), &releases).unwrap(),
        WeightsSource::File(path)
    );
    // Release names download into the cache: covered against a local server in tests_download.rs.
    let err = resolve_weights("nope.pth", &releases)
        .unwrap_err()
        .to_string();
    assert!(err.contains("nope.pth") && err.contains("tiny"), "{err}");
    assert!(matches!(
        resolve_weights("nope.pth", &BTreeMap::new()),
        Err(WeightsError::NotFound { .. })
    ));
}

#[test]
fn zip_reader_bug_is_explained_with_a_workaround() {
    let device = Device::flex();
    let mut m = tiny(&device);
    let err = load_weights(
        &mut m,
        &fixture("zip_root_21_chars_abc.pth"),
        &CheckpointLayout::default(),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, WeightsError::Read { .. }), "{msg}");
    assert!(
        msg.contains("not a corrupt file") && msg.contains("save_file(torch.load("),
        "{msg}"
    );
}
