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
