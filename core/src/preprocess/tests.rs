use super::*;
use crate::bands::Band;
use crate::component::{DatasetModality, ModalitySpec};
use crate::sample::{ModalityData, TargetMask};

fn dataset() -> DatasetSpec {
    DatasetSpec {
        name: "toy".into(),
        modalities: vec![DatasetModality {
            name: "optical".into(),
            bands: vec![Band::named("B2"), Band::named("B3")],
            mean: vec![1.0, 10.0],
            std: vec![2.0, 5.0],
        }],
        classes: vec!["a".into(), "b".into()],
        ignore_index: Some(-1),
        img_size: 3,
        class_distribution: vec![],
    }
}

fn encoder(bands: &[&str], input_size: usize) -> EncoderSpec {
    EncoderSpec {
        name: "toy".into(),
        modalities: vec![ModalitySpec {
            name: "optical".into(),
            bands: bands.iter().map(|b| Band::named(*b)).collect(),
        }],
        input_size,
        patch_size: None,
        output_layers: vec![],
        output_dims: vec![],
        output_strides: vec![],
        accepts_any_bands: false,
        finetune_only: false,
        weights: "random".into(),
    }
}

/// 2 bands × 3×3, band b pixel (y,x) = 100·b + 10·y + x.
fn sample() -> Sample {
    let data = (0..2)
        .flat_map(|b| (0..3).flat_map(move |y| (0..3).map(move |x| (100 * b + 10 * y + x) as f32)))
        .collect();
    Sample {
        id: "s".into(),
        modalities: vec![ModalityData {
            name: "optical".into(),
            bands: vec![Band::named("B2"), Band::named("B3")],
            frames: 1,
            height: 3,
            width: 3,
            data,
            dates: vec![],
            nodata: Some(-9999.0),
        }],
        target: Some(TargetMask {
            height: 3,
            width: 3,
            data: (0..9).collect(),
        }),
    }
}

fn pipeline(yaml_like: serde_json::Value, enc: &EncoderSpec) -> Result<Pipeline, PreprocessError> {
    let ds = dataset();
    Pipeline::from_config(
        "train",
        &yaml_like,
        &PreprocessContext {
            dataset: &ds,
            encoder: enc,
        },
    )
}

#[test]
fn crop_pads_images_with_nan_and_targets_with_ignore() {
    let mut s = sample();
    crop_sample(&mut s, 1, 2, 3, 2, -1);
    let m = &s.modalities[0];
    assert_eq!((m.height, m.width), (3, 2));
    assert_eq!(m.plane(0, 0)[0], 12.0);
    assert!(m.plane(0, 0)[1].is_nan());
    assert_eq!(m.plane(0, 1)[2], 122.0);
    assert!(m.plane(0, 0)[4].is_nan() && m.plane(0, 0)[5].is_nan());
    assert_eq!(s.target.unwrap().data, vec![5, -1, 8, -1, -1, -1]);
}

#[test]
fn nodata_replaces_declared_value_and_nan_only() {
    let mut s = sample();
    s.modalities[0].data[0] = -9999.0;
    s.modalities[0].data[1] = f32::NAN;
    s.modalities[0].data[2] = 9999.0;
    NodataStep { fill: 0.0 }
        .apply(&mut s, &mut SplitMix64::new(0))
        .unwrap();
    assert_eq!(&s.modalities[0].data[..3], &[0.0, 0.0, 9999.0]);
}

#[test]
fn normalize_then_band_match_reorders_and_fills_missing_with_zero() {
    let enc = encoder(&["B3", "B12", "B2"], 3);
    let p = pipeline(
        serde_json::json!([{"step": "normalize"}, {"step": "band_match", "fill": 0.0}]),
        &enc,
    )
    .unwrap();
    let mut s = sample();
    p.apply(&mut s, &mut SplitMix64::new(0)).unwrap();
    let m = &s.modalities[0];
    assert_eq!(
        m.bands.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(),
        ["B3", "B12", "B2"]
    );
    assert_eq!(m.plane(0, 0)[0], (100.0 - 10.0) / 5.0);
    assert!(m.plane(0, 1).iter().all(|v| *v == 0.0));
    assert_eq!(m.plane(0, 2)[4], (11.0 - 1.0) / 2.0);
}

#[test]
fn random_crop_is_deterministic_per_stream_and_within_bounds() {
    let enc = encoder(&["B2", "B3"], 2);
    let p = pipeline(
        serde_json::json!([{"step": "random_crop", "size": 2}]),
        &enc,
    )
    .unwrap();
    let run = |seed| {
        let mut s = sample();
        p.apply(&mut s, &mut SplitMix64::new(seed)).unwrap();
        s.modalities[0].data.clone()
    };
    assert_eq!(run(7), run(7));
    let d = run(7);
    assert_eq!(d.len(), 8);
    assert!(d.iter().all(|v| !v.is_nan()));
}

#[test]
fn flip_mirrors_images_and_targets_together() {
    let mut s = sample();
    FlipStep {
        horizontal: 1.0,
        vertical: 1.0,
    }
    .apply(&mut s, &mut SplitMix64::new(0))
    .unwrap();
    assert_eq!(&s.modalities[0].plane(0, 0)[..3], &[22.0, 21.0, 20.0]);
    assert_eq!(s.target.unwrap().data, vec![8, 7, 6, 5, 4, 3, 2, 1, 0]);
}

#[test]
fn config_errors_name_the_step_position() {
    let enc = encoder(&["B2"], 2);
    let err = pipeline(
        serde_json::json!([{"step": "nodata", "fill": 0.0}, {"step": "sharpen"}]),
        &enc,
    )
    .err()
    .unwrap();
    let msg = err.to_string();
    assert!(msg.contains("#1") && msg.contains("sharpen"), "{msg}");
    let err = pipeline(serde_json::json!([{"step": "nodata", "fil": 0.0}]), &enc)
        .err()
        .unwrap();
    assert!(err.to_string().contains("fil"), "{err}");
}
