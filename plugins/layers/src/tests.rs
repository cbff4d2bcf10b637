//! Unit tests of the shared layers (flex CPU device, tiny sizes).

use eobench_core::bands::Band;
use eobench_core::burn::module::Module;
use eobench_core::burn::tensor::activation::softmax;
use eobench_core::burn::tensor::{Device, Tensor, TensorData};
use eobench_core::component::{DatasetModality, DatasetSpec, EncoderSpec, ModalitySpec};
use eobench_core::sample::{Batch, BatchModality};

use super::*;

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap()
}

fn close(a: &[f32], b: &[f32], tol: f32) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= tol, "index {i}: {x} vs {y}");
    }
}

fn arange<const D: usize>(shape: [usize; D], device: &Device) -> Tensor<D> {
    let n: usize = shape.iter().product();
    Tensor::from_data(
        TensorData::new((0..n).map(|v| v as f32).collect::<Vec<_>>(), shape),
        device,
    )
}

#[test]
fn sincos_matches_hand_computed_mae_entries() {
    // dim 8 → quarter 2, ω = [1, 10000^(-1/2) = 0.01]; grid 2 rows × 3 cols, with a cls row.
    let pe = sincos_2d_pos_embed(8, 2, 3, true);
    assert_eq!(pe.len(), (1 + 6) * 8);
    close(&pe[0..8], &[0.0; 8], 0.0);
    // Token (row 0, col 0): sin 0 = 0, cos 0 = 1 in both halves.
    close(&pe[8..16], &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0], 1e-7);
    // Token (row 1, col 2) = patch index 5 → offset (1 + 5)·8; first half encodes the column.
    let t = &pe[48..56];
    let want = [
        2f64.sin(),
        0.02f64.sin(),
        2f64.cos(),
        0.02f64.cos(),
        1f64.sin(),
        0.01f64.sin(),
        1f64.cos(),
        0.01f64.cos(),
    ];
    close(t, &want.map(|v| v as f32), 1e-6);
    // Without cls the table starts at patch 0.
    let plain = sincos_2d_pos_embed(8, 2, 3, false);
    assert_eq!(&plain[..], &pe[8..]);
    let dev = Device::flex();
    assert_eq!(
        sincos_2d_pos_embed_tensor(8, 2, 3, true, &dev).dims(),
        [1, 7, 8]
    );
}

#[test]
#[should_panic(expected = "divisible by 4")]
fn sincos_rejects_dims_not_divisible_by_four() {
    sincos_2d_pos_embed(6, 2, 2, false);
}

#[test]
fn tokens_to_map_is_row_major_and_round_trips() {
    let dev = Device::flex();
    let (b, h, w, c) = (2, 2, 3, 4);
    let tokens = arange([b, h * w, c], &dev);
    let map = tokens_to_map(tokens.clone(), [h, w]);
    assert_eq!(map.dims(), [b, c, h, w]);
    let t = values(tokens.clone());
    let m = values(map.clone());
    for bi in 0..b {
        for n in 0..h * w {
            for ci in 0..c {
                let (r, col) = (n / w, n % w);
                assert_eq!(
                    t[(bi * h * w + n) * c + ci],
                    m[((bi * c + ci) * h + r) * w + col]
                );
            }
        }
    }
    assert_eq!(values(map_to_tokens(map)), t);
    let with_cls = arange([b, 1 + h * w, c], &dev);
    assert_eq!(drop_prefix_tokens(with_cls, 1).dims(), [b, h * w, c]);
}

#[test]
fn feature2pyramid_rescales_four_maps_by_4_2_1_half() {
    let dev = Device::flex();
    let neck = Feature2Pyramid::new(&[8, 8, 8, 8], &dev);
    assert_eq!(neck.scales(), vec![4.0, 2.0, 1.0, 0.5]);
    let maps = (0..4)
        .map(|_| Tensor::<4>::ones([2, 8, 4, 4], &dev))
        .collect();
    let dims: Vec<[usize; 4]> = neck.forward(maps).iter().map(|m| m.dims()).collect();
    assert_eq!(
        dims,
        vec![[2, 8, 16, 16], [2, 8, 8, 8], [2, 8, 4, 4], [2, 8, 2, 2]]
    );
    // Params: ×4 = 2 ConvT (8·8·2·2 + 8) + BN; ×2 = 1 ConvT; ×1 and ×0.5 none. burn's
    // `num_params` counts BatchNorm's running mean/var too: 4·C per BN (torch counts 2·C).
    let convt = 8 * 8 * 4 + 8;
    assert_eq!(neck.num_params(), 3 * convt + 4 * 8);
    assert_eq!(
        (
            pyramid_scale(0, 1),
            pyramid_scale(1, 2),
            pyramid_scale(2, 3)
        ),
        (4.0, 1.0, 1.0)
    );
}

#[test]
fn drop_path_is_identity_unless_training_on_autodiff() {
    let plain = Device::flex();
    let x = Tensor::<3>::ones([64, 2, 3], &plain);
    let dp = DropPath::new(0.9);
    assert_eq!(values(dp.forward(x.clone())), values(x));

    let ad = Device::flex().autodiff();
    let x = Tensor::<3>::ones([64, 2, 3], &ad);
    let active = values(dp.forward(x.clone()));
    // Every sample is either dropped (all 0) or kept and scaled by 1/keep = 10.
    assert!(
        active
            .chunks(6)
            .all(|s| s.iter().all(|v| *v == 0.0) || s.iter().all(|v| (v - 10.0).abs() < 1e-4))
    );
    assert!(
        active.contains(&0.0),
        "p = 0.9 over 64 samples dropped nothing"
    );
    let frozen = DropPath::new(0.9).freeze();
    assert_eq!(values(frozen.forward(x.clone())), vec![1.0; 64 * 6]);
    let sched: Vec<f32> = drop_path_schedule(0.3, 4)
        .iter()
        .map(|v| *v as f32)
        .collect();
    close(&sched, &[0.0, 0.1, 0.2, 0.3], 1e-7);
    assert_eq!(drop_path_schedule(0.3, 1), vec![0.0]);
}

#[test]
fn dropout2d_drops_whole_channels_only_when_training() {
    let ad = Device::flex().autodiff();
    let x = Tensor::<4>::ones([4, 16, 3, 3], &ad);
    let out = values(Dropout2d::new(0.5).forward(x.clone()));
    assert!(
        out.chunks(9)
            .all(|m| m.iter().all(|v| *v == 0.0) || m.iter().all(|v| (v - 2.0).abs() < 1e-5))
    );
    assert_eq!(
        values(Dropout2d::new(0.5).freeze().forward(x)),
        vec![1.0; 4 * 16 * 9]
    );
}

#[test]
fn resize_bilinear_uses_half_pixel_centres() {
    let dev = Device::flex();
    let x = arange([1, 1, 2, 2], &dev);
    let y = values(resize_bilinear(x, [4, 4]));
    // align_corners=False: row 0 = [0, 0.25, 0.75, 1] (align_corners=True would give thirds).
    close(&y[0..4], &[0.0, 0.25, 0.75, 1.0], 1e-6);
    close(&y[12..16], &[2.0, 2.25, 2.75, 3.0], 1e-6);
}

#[test]
fn attention_matches_manual_softmax_per_head() {
    let dev = Device::flex();
    let (b, n, d, h) = (2, 5, 8, 2);
    let attn = Attention::new(d, h, true, &dev);
    let x = Tensor::<3>::random(
        [b, n, d],
        eobench_core::burn::tensor::Distribution::Normal(0.0, 1.0),
        &dev,
    );
    let got = attn.forward(x.clone());
    // Manual: qkv channels are laid out as (3, heads, head_dim).
    let hd = d / h;
    let qkv = attn.qkv.forward(x);
    let mut heads = Vec::new();
    for hi in 0..h {
        let part = |k: usize| {
            qkv.clone()
                .slice([0..b, 0..n, (k * d + hi * hd)..(k * d + (hi + 1) * hd)])
        };
        let (q, kk, v) = (part(0), part(1), part(2));
        let scores = q.matmul(kk.swap_dims(1, 2)) / (hd as f64).sqrt();
        heads.push(softmax(scores, 2).matmul(v));
    }
    let want = attn.proj.forward(Tensor::cat(heads, 2));
    close(&values(got), &values(want), 1e-4);
}

#[test]
fn block_and_patch_embed_shapes_and_param_counts() {
    let dev = Device::flex();
    let block = BlockConfig::new(16, 2).init(&dev);
    let x = Tensor::<3>::zeros([2, 5, 16], &dev);
    assert_eq!(block.forward(x).dims(), [2, 5, 16]);
    let (d, hid) = (16, 64);
    let expected =
        2 * (2 * d) + (d * 3 * d + 3 * d) + (d * d + d) + (d * hid + hid) + (hid * d + d);
    assert_eq!(block.num_params(), expected);
    let pe = PatchEmbed::new(3, 16, 4, &dev);
    assert_eq!(
        pe.forward(Tensor::zeros([2, 3, 8, 12], &dev)).dims(),
        [2, 6, 16]
    );
    assert_eq!(pe.grid(8, 12), [2, 3]);
    assert_eq!(pe.num_params(), 3 * 16 * 16 + 16);
    let cba = ConvBnAct::new(3, 5, 3, Activation::Gelu, &dev);
    assert_eq!(
        cba.forward(Tensor::zeros([1, 3, 7, 7], &dev)).dims(),
        [1, 5, 7, 7]
    );
    assert_eq!(cba.num_params(), 3 * 5 * 9 + 5 + 4 * 5); // BN: gamma, beta + running stats
}

fn spec(mods: &[(&str, &[&str])]) -> EncoderSpec {
    EncoderSpec {
        name: "t".into(),
        modalities: mods
            .iter()
            .map(|(n, b)| ModalitySpec {
                name: n.to_string(),
                bands: b.iter().map(|x| Band::named(*x)).collect(),
            })
            .collect(),
        input_size: 2,
        patch_size: None,
        output_layers: vec![],
        output_dims: vec![],
        output_strides: vec![],
        accepts_any_bands: true,
        finetune_only: true,
        weights: "random".into(),
    }
}

#[test]
fn stack_modalities_concatenates_first_frames_in_spec_order() {
    let dev = Device::flex();
    let modality = |name: &str, c: usize, offset: f32| {
        let data: Vec<f32> = (0..(2 * c * 4)).map(|v| v as f32 + offset).collect();
        BatchModality {
            name: name.into(),
            bands: (0..c).map(|i| Band::named(format!("{name}{i}"))).collect(),
            data: Tensor::from_data(TensorData::new(data, [1, 2, c, 2, 2]), &dev),
            dates: vec![],
        }
    };
    let batch = Batch {
        ids: vec!["a".into()],
        modalities: vec![modality("optical", 2, 0.0), modality("sar", 1, 100.0)],
        target: None,
    };
    let x = stack_modalities(
        &batch,
        &spec(&[("sar", &["sar0"]), ("optical", &["optical0", "optical1"])]),
    )
    .unwrap();
    assert_eq!(x.dims(), [1, 3, 2, 2]);
    // sar first (spec order), frame 0 only.
    assert_eq!(
        values(x),
        vec![
            100.0, 101.0, 102.0, 103.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0
        ]
    );
    let err = stack_modalities(&batch, &spec(&[("dem", &["h"])]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no 'dem' modality"), "{err}");
}

#[test]
fn resolve_modalities_takes_dataset_bands_or_a_selection() {
    let ds = DatasetSpec {
        name: "d".into(),
        modalities: vec![DatasetModality {
            name: "optical".into(),
            bands: vec![
                Band {
                    wavelength_um: Some(0.49),
                    ..Band::named("B2")
                },
                Band::named("B3"),
            ],
            mean: vec![0.0; 2],
            std: vec![1.0; 2],
        }],
        classes: vec!["a".into()],
        ignore_index: None,
        img_size: 8,
        class_distribution: vec![],
    };
    let all = resolve_modalities("encoder 'x'", &serde_json::Value::Null, &ds).unwrap();
    assert_eq!(all[0].bands.len(), 2);
    let sel = resolve_modalities(
        "encoder 'x'",
        &serde_json::json!({"optical": ["b2", "B8"]}),
        &ds,
    )
    .unwrap();
    assert_eq!(sel[0].bands[0].wavelength_um, Some(0.49));
    assert_eq!(sel[0].bands[1].name, "B8");
    let err = resolve_modalities("encoder 'x'", &serde_json::json!(["B2"]), &ds)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("encoder 'x'") && err.contains("bands"),
        "{err}"
    );
}

/// A `ConvBnAct` whose batch norm has non-trivial running statistics and affine parameters
/// folds them into the conv at inference; the output equals burn's conv → BatchNorm →
/// activation (with and without conv bias, ReLU and GELU, 3×3 and 1×1).
#[test]
fn conv_bn_act_folds_batch_norm_at_inference() {
    use eobench_core::burn::module::{Param, RunningState};
    use eobench_core::burn::tensor::Distribution;
    let dev = Device::flex();
    let random =
        |n: usize, lo: f64, hi: f64| Tensor::<1>::random([n], Distribution::Uniform(lo, hi), &dev);
    let layers = [
        ConvBnAct::new(4, 6, 3, Activation::Relu, &dev),
        ConvBnAct::new(4, 6, 1, Activation::Gelu, &dev),
        ConvBnAct::unbiased(4, 6, 3, 2, Activation::Relu, &dev),
    ];
    for mut layer in layers {
        layer.bn.gamma = Param::from_tensor(random(6, 0.5, 2.0));
        layer.bn.beta = Param::from_tensor(random(6, -1.0, 1.0));
        layer.bn.running_mean = RunningState::new(random(6, -0.5, 0.5));
        layer.bn.running_var = RunningState::new(random(6, 0.2, 3.0));
        let x = Tensor::<4>::random([2, 4, 9, 7], Distribution::Normal(0.0, 1.0), &dev);
        let reference = layer
            .act
            .forward(layer.bn.forward(layer.conv.forward(x.clone())));
        let y = layer.forward(x);
        let scale = values(reference.clone().abs().max())[0].max(1.0);
        let err = values((y - reference).abs().max())[0];
        assert!(err / scale < 1e-5, "{:?}: {err}", layer.act);
    }
}
