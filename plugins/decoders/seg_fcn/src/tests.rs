use eobench_core::burn::module::Module;
use eobench_core::burn::tensor::{Device, Tensor};
use eobench_core::component::{DecoderContext, DecoderModel, EncoderSpec};
use eobench_layers::testing::{
    decoder_build_error, decoder_fit_losses, decoder_logits_dims, encoder_layout as enc,
    random_features, shipped_config,
};
use serde_json::{Value, json};

use super::*;

fn head(cfg: &FcnConfig, spec: &EncoderSpec, classes: usize, device: &Device) -> FcnHead {
    FcnHead::new(
        cfg,
        &DecoderContext {
            device,
            encoder: spec,
            num_classes: classes,
        },
    )
    .unwrap()
}

fn tiny() -> FcnConfig {
    FcnConfig {
        channels: 8,
        num_convs: 2,
        dropout: 0.0,
        ..FcnConfig::default()
    }
}

#[test]
fn logits_at_the_output_size_for_every_feature_layout() {
    let configs = [
        json!({"channels": 16}),
        json!({"channels": 16, "interp_method": "pixel_shuffle"}),
        json!({"channels": 16, "num_convs": 1, "kernel_size": 5, "dilation": 2}),
        json!({"channels": 16, "concat_input": false}),
    ];
    for config in &configs {
        for (what, spec) in eobench_layers::testing::decoder_test_layouts() {
            let s = spec.input_size;
            assert_eq!(
                decoder_logits_dims(build, config, &spec),
                [2, 3, s, s],
                "{what} with {config}"
            );
        }
    }
}

#[test]
fn pixel_shuffle_factor_is_the_input_over_the_grid() {
    assert_eq!(pixel_shuffle_factor(224, 16), Some(16));
    assert_eq!(pixel_shuffle_factor(120, 8), Some(8));
    assert_eq!(pixel_shuffle_factor(56, 14), Some(14));
    // A 12-px stride at 32 px gives a 2×2 grid: r = 16 still restores 32.
    assert_eq!(pixel_shuffle_factor(32, 12), Some(16));
    // 30 px at stride 4 → 7×7: no whole r; stride above the input → no grid.
    assert_eq!(pixel_shuffle_factor(30, 4), None);
    assert_eq!(pixel_shuffle_factor(8, 16), None);
    assert_eq!(pixel_shuffle_factor(8, 0), None);
}

#[test]
fn pixel_shuffle_places_channels_as_torch_does() {
    // torch PixelShuffle(r): out[b, k, y·r + i, x·r + j] = in[b, k·r² + i·r + j, y, x].
    let device = Device::flex();
    let spec = enc(&[6], &[4], 8);
    let cfg = FcnConfig {
        interp_method: InterpMethod::PixelShuffle,
        ..tiny()
    };
    let m = head(&cfg, &spec, 2, &device);
    let x = random_features(&spec, 1, &device).remove(0);
    let logits = m.forward(vec![x.clone()], [8, 8]);
    // The same layers by hand, without the shuffle (the conv path the head itself takes).
    let mut out = x.clone();
    for conv in &m.convs {
        out = conv.forward(out);
    }
    let out = m
        .conv_cat
        .as_ref()
        .unwrap()
        .forward(Tensor::cat(vec![out, x], 1));
    let pre = eobench_layers::implicit_gemm_conv::conv2d_module(&m.conv_seg, out);
    assert_eq!(pre.dims(), [1, 2 * 16, 2, 2]);
    let (got, pre) = (
        logits.into_data().try_to_vec::<f32>().unwrap(),
        pre.into_data().try_to_vec::<f32>().unwrap(),
    );
    let r = 4;
    for k in 0..2 {
        for (y, x) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            for (i, j) in (0..r).flat_map(|i| (0..r).map(move |j| (i, j))) {
                let out_idx = k * 64 + (y * r + i) * 8 + (x * r + j);
                let in_idx = (k * r * r + i * r + j) * 4 + y * 2 + x;
                assert_eq!(got[out_idx], pre[in_idx], "k {k} y {y} x {x} i {i} j {j}");
            }
        }
    }
}

#[test]
#[should_panic(expected = "built for r = 4")]
fn pixel_shuffle_refuses_another_output_size() {
    let device = Device::flex();
    let spec = enc(&[6], &[4], 8);
    let cfg = FcnConfig {
        interp_method: InterpMethod::PixelShuffle,
        ..tiny()
    };
    let m = head(&cfg, &spec, 2, &device);
    let x = random_features(&spec, 1, &device);
    m.forward(x, [12, 12]);
}

#[test]
fn parameter_count_in_closed_form_and_default_size() {
    let device = Device::flex();
    // conv (no bias: BN follows, as the fork's ConvModule) + BN (γ, β and burn's running stats).
    let cbg = |a: usize, b: usize, k: usize| k * k * a * b + 4 * b;
    let count = |cfg: &FcnConfig, last: usize| {
        head(cfg, &enc(&[last; 4], &[16; 4], 224), 2, &device).num_params()
    };
    let seg = |c: usize, out: usize| c * out + out;
    let small = tiny();
    assert_eq!(
        count(&small, 6),
        cbg(6, 8, 3) + cbg(8, 8, 3) + cbg(8 + 6, 8, 3) + seg(8, 2)
    );
    let no_cat = FcnConfig {
        concat_input: false,
        ..small.clone()
    };
    assert_eq!(count(&no_cat, 6), cbg(6, 8, 3) + cbg(8, 8, 3) + seg(8, 2));
    // Dilation adds no parameters; kernel 1 shrinks them.
    let k1 = FcnConfig {
        kernel_size: 1,
        dilation: 2,
        ..small.clone()
    };
    assert_eq!(
        count(&k1, 6),
        cbg(6, 8, 1) + cbg(8, 8, 1) + cbg(14, 8, 1) + seg(8, 2)
    );
    // num_convs 0 (channels = the input width): conv_cat + conv_seg only.
    let none = FcnConfig {
        num_convs: 0,
        channels: 6,
        ..small.clone()
    };
    assert_eq!(count(&none, 6), cbg(12, 6, 3) + seg(6, 2));
    // Pixel shuffle at stride 16: conv_seg to K·16².
    let shuffle = FcnConfig {
        interp_method: InterpMethod::PixelShuffle,
        ..small
    };
    assert_eq!(
        count(&shuffle, 6),
        cbg(6, 8, 3) + cbg(8, 8, 3) + cbg(14, 8, 3) + seg(8, 2 * 256)
    );
    // Default over ViT-B's last map (768), K = 2, both upsampling methods.
    let default = FcnConfig::default();
    let trunk = cbg(768, 512, 3) + 3 * cbg(512, 512, 3) + cbg(512 + 768, 512, 3);
    assert_eq!(count(&default, 768), trunk + seg(512, 2));
    assert_eq!(count(&default, 768), 16_526_338);
    let default_shuffle = FcnConfig {
        interp_method: InterpMethod::PixelShuffle,
        ..default
    };
    assert_eq!(count(&default_shuffle, 768), 16_787_968);
}

#[test]
fn invalid_configs_are_rejected_naming_the_key() {
    let vit = enc(&[8; 4], &[4; 4], 32);
    let err = |v: Value| decoder_build_error(build, &v, &vit);
    assert!(err(json!({"channel": 8})).contains("unknown field `channel`"));
    assert!(err(json!({"channels": 0})).contains("channels must be positive"));
    assert!(err(json!({"channels": -1})).contains("invalid value"));
    assert!(err(json!({"kernel_size": 2})).contains("kernel_size must be odd"));
    assert!(err(json!({"kernel_size": 0})).contains("kernel_size must be odd"));
    assert!(err(json!({"dilation": 0})).contains("dilation must be at least 1"));
    assert!(err(json!({"dropout": 1.0})).contains("dropout must be in [0, 1)"));
    assert!(err(json!({"dropout": -0.1})).contains("dropout must be in [0, 1)"));
    assert!(err(json!({"interp_method": "nearest"})).contains("unknown variant `nearest`"));
    let e = err(json!({"num_convs": 0, "channels": 4}));
    assert!(
        e.contains("num_convs 0") && e.contains("channels must equal 8"),
        "{e}"
    );
    // No whole pixel-shuffle factor: 30 px at stride 4 → 7×7.
    let odd = enc(&[8], &[4], 30);
    let e = decoder_build_error(build, &json!({"interp_method": "pixel_shuffle"}), &odd);
    assert!(
        e.contains("interp_method pixel_shuffle") && e.contains("7x7"),
        "{e}"
    );
    // Encoders without maps or with inconsistent declarations.
    let none = enc(&[], &[], 32);
    assert!(decoder_build_error(build, &json!({}), &none).contains("no output maps"));
    let mut uneven = enc(&[8, 8], &[4, 4], 32);
    uneven.output_strides.pop();
    assert!(
        decoder_build_error(build, &json!({}), &uneven)
            .contains("one positive width and stride per map")
    );
}

#[test]
fn the_forks_spelling_of_pixel_shuffle_is_accepted() {
    let cfg: FcnConfig = parse_config(
        "decoder",
        "seg_fcn",
        &json!({"interp_method": "PixelShuffle"}),
    )
    .unwrap();
    assert_eq!(cfg.interp_method, InterpMethod::PixelShuffle);
}

#[test]
fn training_steps_reduce_a_simple_loss() {
    let device = Device::flex().autodiff();
    let spec = enc(&[8, 8], &[4, 4], 16);
    for interp_method in [InterpMethod::Interpolate, InterpMethod::PixelShuffle] {
        let cfg = FcnConfig {
            num_convs: 1,
            interp_method,
            ..tiny()
        };
        let model = head(&cfg, &spec, 2, &device);
        let losses = decoder_fit_losses(model, &spec, &device, 5e-2, 6);
        assert!(losses.iter().all(|l| l.is_finite()), "{losses:?}");
        assert!(
            losses[5] < losses[0],
            "{interp_method:?}: loss did not decrease: {losses:?}"
        );
    }
}

#[test]
fn registered_and_shipped_yaml_has_every_key() {
    let reg = eobench_registry::Registry::builtin().unwrap();
    assert_eq!(reg.decoder("seg_fcn").unwrap().name, "seg_fcn");
    let (value, keys) = shipped_config(env!("CARGO_MANIFEST_DIR"), "decoder", "seg_fcn");
    assert_eq!(
        keys,
        [
            "channels",
            "num_convs",
            "kernel_size",
            "dilation",
            "concat_input",
            "dropout",
            "interp_method"
        ]
    );
    let cfg: FcnConfig = parse_config("decoder", "seg_fcn", &value).unwrap();
    let d = FcnConfig::default();
    assert_eq!(
        (
            cfg.channels,
            cfg.num_convs,
            cfg.kernel_size,
            cfg.dilation,
            cfg.concat_input,
            cfg.dropout,
            cfg.interp_method
        ),
        (
            d.channels,
            d.num_convs,
            d.kernel_size,
            d.dilation,
            d.concat_input,
            d.dropout,
            d.interp_method
        )
    );
}
