//! The implicit-GEMM path against burn's own `conv2d` (values and both gradients).

use super::*;
use eobench_core::burn::tensor::{Device, Distribution, Tensor, activation};

/// (batch, c_in, c_out, h, w, kernel [kh, kw], padding pairs, dilation)
type Case = (
    usize,
    usize,
    usize,
    usize,
    usize,
    [usize; 2],
    [(usize, usize); 2],
    [usize; 2],
);

const CASES: [Case; 7] = [
    (2, 5, 7, 9, 11, [3, 3], [(1, 1), (1, 1)], [1, 1]),
    (3, 6, 4, 8, 8, [1, 1], [(0, 0), (0, 0)], [1, 1]),
    (2, 4, 3, 10, 9, [3, 3], [(2, 2), (2, 2)], [2, 2]),
    (1, 3, 5, 7, 6, [3, 3], [(0, 0), (0, 0)], [1, 1]),
    (2, 3, 2, 6, 7, [1, 3], [(0, 1), (2, 0)], [1, 1]),
    (2, 4, 6, 5, 5, [3, 1], [(0, 0), (0, 0)], [1, 1]),
    (1, 2, 3, 6, 6, [1, 1], [(1, 1), (1, 1)], [1, 1]),
];

fn max_abs_diff(a: Tensor<4>, b: Tensor<4>) -> f32 {
    (a - b).abs().max().into_scalar()
}

/// Largest difference relative to the reference's largest magnitude (at least 1), so one
/// tolerance fits small fixtures and deep sums alike.
fn scaled_diff(a: Tensor<4>, reference: Tensor<4>) -> f32 {
    let scale: f32 = reference.clone().abs().max().into_scalar();
    max_abs_diff(a, reference) / scale.max(1.0)
}

fn check(case: Case, device: &Device) {
    let (batch, c_in, c_out, h, w, [kh, kw], padding, dilation) = case;
    let options = ConvOptions::new_with_padding([1, 1], padding, dilation, 1);
    let x = Tensor::<4>::random([batch, c_in, h, w], Distribution::Normal(0.0, 1.0), device);
    let weight = Tensor::<4>::random(
        [c_out, c_in, kh, kw],
        Distribution::Normal(0.0, 0.3),
        device,
    );
    let bias = Tensor::<1>::random([c_out], Distribution::Normal(0.0, 1.0), device);
    assert!(uses_implicit_gemm(&x, &options));

    let run = |conv: &dyn Fn(Tensor<4>, Tensor<4>, Option<Tensor<1>>) -> Tensor<4>| {
        let x = x.clone().require_grad();
        let wt = weight.clone().require_grad();
        let b = bias.clone().require_grad();
        let y = conv(x.clone(), wt.clone(), Some(b.clone()));
        // A non-uniform upstream gradient, so every output position is checked.
        let probe = y.clone().sin();
        let grads = (y.clone() * probe.detach()).sum().backward();
        (
            y,
            x.grad(&grads).unwrap(),
            wt.grad(&grads).unwrap(),
            b.grad(&grads).unwrap(),
        )
    };
    let (y, dx, dw, db) = run(&|x, w, b| conv2d(x, w, b, options.clone()));
    let (y_ref, dx_ref, dw_ref, db_ref) = run(&|x, w, b| module::conv2d(x, w, b, options.clone()));
    assert_eq!(y.dims(), y_ref.dims(), "{case:?}");
    // Winograd's F(4×4, 3×3) rounds ~10× coarser than a direct sum (see `winograd`); its
    // own tests hold it to the per-tap products at 1e-5 on smaller sums.
    let g = PlaneGeometry::new(
        [batch, c_in, h, w],
        [c_out, c_in, kh, kw],
        dilation,
        padding[0],
        padding[1],
    )
    .unwrap();
    let tolerance = |g: &PlaneGeometry| if winograd::applies(g) { 5e-5 } else { 1e-5 };
    assert!(scaled_diff(y, y_ref) < tolerance(&g), "forward {case:?}");
    assert!(
        scaled_diff(dx, dx_ref)
            < kernels::transposed_geometry(&g).map_or(1e-5, |gt| tolerance(&gt)),
        "input grad {case:?}"
    );
    // The upstream gradient `sin(y)` carries the forward pass's rounding into `dw`.
    assert!(
        scaled_diff(dw, dw_ref) < tolerance(&g),
        "weight grad {case:?}"
    );
    let db_err: f32 = (db - db_ref).abs().max().into_scalar();
    assert!(db_err < 1e-3, "bias grad {case:?}");
}

#[test]
fn matches_burn_conv2d_values_and_gradients() {
    let device = Device::flex().autodiff();
    for case in CASES {
        check(case, &device);
    }
}

/// Channels wide enough for full and partial micro-tiles and for the weight gradient's split of
/// output channels into blocks; batch 3 leaves the images unevenly spread over the threads.
#[test]
fn matches_burn_conv2d_with_wide_channels() {
    let device = Device::flex().autodiff();
    check(
        (3, 70, 130, 13, 17, [3, 3], [(1, 1), (1, 1)], [1, 1]),
        &device,
    );
    check(
        (1, 96, 200, 9, 9, [1, 1], [(0, 0), (0, 0)], [1, 1]),
        &device,
    );
}

#[test]
fn matches_burn_conv2d_without_autodiff_and_on_strided_input() {
    let device = Device::flex();
    let options = ConvOptions::new_with_padding([1, 1], [(1, 1), (1, 1)], [1, 1], 1);
    // A permuted (non-contiguous) view exercises the copy-on-read path.
    let x = Tensor::<4>::random([2, 8, 6, 3], Distribution::Normal(0.0, 1.0), &device)
        .permute([0, 3, 1, 2]);
    let weight = Tensor::<4>::random([4, 3, 3, 3], Distribution::Normal(0.0, 0.3), &device);
    let y = conv2d(x.clone(), weight.clone(), None, options.clone());
    let y_ref = module::conv2d(x, weight, None, options);
    assert!(max_abs_diff(y, y_ref) < 1e-4);
}

#[test]
fn strided_and_grouped_convolutions_take_burns_path() {
    let device = Device::flex();
    let x = Tensor::<4>::zeros([1, 4, 8, 8], &device);
    assert!(!uses_implicit_gemm(
        &x,
        &ConvOptions::new([2, 2], [1, 1], [1, 1], 1)
    ));
    assert!(!uses_implicit_gemm(
        &x,
        &ConvOptions::new([1, 1], [1, 1], [1, 1], 2)
    ));
    let weight = Tensor::<4>::random([4, 2, 3, 3], Distribution::Normal(0.0, 1.0), &device);
    let options = ConvOptions::new([1, 1], [1, 1], [1, 1], 2);
    let y = conv2d(x.clone(), weight.clone(), None, options.clone());
    assert!(max_abs_diff(y, module::conv2d(x, weight, None, options)) == 0.0);
    // The folded ConvBnAct on a strided conv: burn's conv, then the affine map and ReLU.
    let options = ConvOptions::new([2, 2], [1, 1], [1, 1], 1);
    let x = Tensor::<4>::random([1, 4, 8, 8], Distribution::Normal(0.0, 1.0), &device);
    let weight = Tensor::<4>::random([3, 4, 3, 3], Distribution::Normal(0.0, 0.3), &device);
    let scale = Tensor::<1>::random([3], Distribution::Normal(0.0, 1.0), &device);
    let shift = Tensor::<1>::random([3], Distribution::Normal(0.0, 1.0), &device);
    let y = conv2d_channel_affine(
        x.clone(),
        weight.clone(),
        scale.clone(),
        shift.clone(),
        options.clone(),
        true,
    );
    let y_ref = affine_reference(x, weight, scale, shift, options, true);
    assert!(max_abs_diff(y, y_ref) < 1e-6);
}

/// Transposed convolutions with kernel = stride against burn's `ConvTranspose2d`: values and the
/// input, weight and bias gradients.
#[test]
fn pixel_shuffle_deconv_matches_burn_conv_transpose2d() {
    use eobench_core::burn::module::Module;
    use eobench_core::burn::nn::conv::{ConvTranspose2d, ConvTranspose2dConfig};
    let device = Device::flex().autodiff();
    for (c_in, c_out, [sh, sw], [h, w]) in [(5, 7, [2, 2], [4, 6]), (3, 4, [3, 2], [5, 3])] {
        let deconv = ConvTranspose2dConfig::new([c_in, c_out], [sh, sw])
            .with_stride([sh, sw])
            .init(&device);
        assert!(is_pixel_shuffle_deconv(&deconv));
        let x = Tensor::<4>::random([2, c_in, h, w], Distribution::Normal(0.0, 1.0), &device);
        let run = |f: &dyn Fn(&ConvTranspose2d, Tensor<4>) -> Tensor<4>| {
            let layer = deconv.clone().fork(&device);
            let x = x.clone().require_grad();
            let y = f(&layer, x.clone());
            let grads = (y.clone() * y.clone().cos().detach()).sum().backward();
            let dw = layer.weight.grad(&grads).unwrap();
            let db = layer.bias.as_ref().unwrap().grad(&grads).unwrap();
            (y, x.grad(&grads).unwrap(), dw, db)
        };
        let (y, dx, dw, db) = run(&|d, x| conv_transpose2d_module(d, x));
        let (y_ref, dx_ref, dw_ref, db_ref) = run(&|d, x| d.forward(x));
        assert_eq!(y.dims(), [2, c_out, h * sh, w * sw]);
        assert!(scaled_diff(y, y_ref) < 1e-5);
        assert!(scaled_diff(dx, dx_ref) < 1e-5);
        assert!(scaled_diff(dw, dw_ref) < 1e-5);
        let db_err: f32 = (db - db_ref).abs().max().into_scalar();
        assert!(db_err < 1e-4);
    }
}

/// bf16 tensors take the f32 path (converted around it) and agree with burn's bf16 conv to bf16
/// precision, gradients included.
#[test]
fn bf16_convolutions_match_burns_bf16_conv() {
    // Cast per tensor rather than configuring the device's default dtype, which is global to
    // the device and would leak into tests running alongside.
    let device = Device::flex().autodiff();
    let options = ConvOptions::new_with_padding([1, 1], [(1, 1), (1, 1)], [1, 1], 1);
    let x = Tensor::<4>::random([2, 6, 7, 9], Distribution::Normal(0.0, 1.0), &device)
        .cast(DType::BF16);
    let weight = Tensor::<4>::random([5, 6, 3, 3], Distribution::Normal(0.0, 0.3), &device)
        .cast(DType::BF16);
    assert_eq!(x.dtype(), DType::BF16);
    assert!(uses_implicit_gemm(&x, &options));
    let run = |conv: &dyn Fn(Tensor<4>, Tensor<4>) -> Tensor<4>| {
        let x = x.clone().require_grad();
        let w = weight.clone().require_grad();
        let y = conv(x.clone(), w.clone());
        let grads = y.clone().sum().backward();
        (y, x.grad(&grads).unwrap(), w.grad(&grads).unwrap())
    };
    let (y, dx, dw) = run(&|x, w| conv2d(x, w, None, options.clone()));
    let (y_ref, dx_ref, dw_ref) = run(&|x, w| module::conv2d(x, w, None, options.clone()));
    assert_eq!(y.dtype(), DType::BF16);
    assert_eq!(dw.dtype(), DType::BF16);
    // bf16 keeps 8 significant bits: 1 % of the largest magnitude.
    let to_f32 = |t: Tensor<4>| t.cast(DType::F32);
    assert!(scaled_diff(to_f32(y), to_f32(y_ref)) < 1e-2);
    assert!(scaled_diff(to_f32(dx), to_f32(dx_ref)) < 1e-2);
    assert!(scaled_diff(to_f32(dw), to_f32(dw_ref)) < 1e-2);
}

/// `relu?(conv(x, w)·scale + shift)` as burn ops, the reference for `conv2d_channel_affine`.
fn affine_reference(
    x: Tensor<4>,
    w: Tensor<4>,
    scale: Tensor<1>,
    shift: Tensor<1>,
    options: ConvOptions<2>,
    relu: bool,
) -> Tensor<4> {
    let c = scale.dims()[0];
    let y = module::conv2d(x, w, None, options) * scale.reshape([1, c, 1, 1])
        + shift.reshape([1, c, 1, 1]);
    if relu { activation::relu(y) } else { y }
}

/// `conv2d_channel_affine` (the folded inference `ConvBnAct`): the fused epilogue on plain
/// tensors and on the training device with nothing tracked, and the composed autodiff ops
/// (values and all four gradients) when the inputs are tracked — against burn's ops.
#[test]
fn channel_affine_matches_burn_conv2d_then_affine_and_relu() {
    for (i, case) in CASES.into_iter().enumerate() {
        let (batch, c_in, c_out, h, w, [kh, kw], padding, dilation) = case;
        let options = ConvOptions::new_with_padding([1, 1], padding, dilation, 1);
        let relu = i % 2 == 0;
        for device in [Device::flex(), Device::flex().autodiff()] {
            let normal = |dims: Vec<usize>, std: f64| {
                Tensor::<1>::random(
                    [dims.iter().product::<usize>()],
                    Distribution::Normal(0.0, std),
                    &device,
                )
            };
            let x = normal(vec![batch, c_in, h, w], 1.0).reshape([batch, c_in, h, w]);
            let weight = normal(vec![c_out, c_in, kh, kw], 0.3).reshape([c_out, c_in, kh, kw]);
            let (scale, shift) = (normal(vec![c_out], 1.0), normal(vec![c_out], 1.0));
            let y = conv2d_channel_affine(
                x.clone(),
                weight.clone(),
                scale.clone(),
                shift.clone(),
                options.clone(),
                relu,
            );
            let y_ref = affine_reference(x, weight, scale, shift, options.clone(), relu);
            assert!(scaled_diff(y, y_ref) < 1e-5, "fused {case:?}");
        }
        let device = Device::flex().autodiff();
        let x = Tensor::<4>::random([batch, c_in, h, w], Distribution::Normal(0.0, 1.0), &device);
        let weight = Tensor::<4>::random(
            [c_out, c_in, kh, kw],
            Distribution::Normal(0.0, 0.3),
            &device,
        );
        let scale = Tensor::<1>::random([c_out], Distribution::Normal(0.0, 1.0), &device);
        let shift = Tensor::<1>::random([c_out], Distribution::Normal(0.0, 1.0), &device);
        type Conv<'a> = &'a dyn Fn(Tensor<4>, Tensor<4>, Tensor<1>, Tensor<1>) -> Tensor<4>;
        let run = |conv: Conv| {
            let (x, w) = (x.clone().require_grad(), weight.clone().require_grad());
            let (a, b) = (scale.clone().require_grad(), shift.clone().require_grad());
            let y = conv(x.clone(), w.clone(), a.clone(), b.clone());
            let grads = (y.clone() * y.clone().sin().detach()).sum().backward();
            let da = a.grad(&grads).unwrap();
            let db = b.grad(&grads).unwrap();
            (y, x.grad(&grads).unwrap(), w.grad(&grads).unwrap(), da, db)
        };
        let (y, dx, dw, da, db) =
            run(&|x, w, a, b| conv2d_channel_affine(x, w, a, b, options.clone(), relu));
        let (y_ref, dx_ref, dw_ref, da_ref, db_ref) =
            run(&|x, w, a, b| affine_reference(x, w, a, b, options.clone(), relu));
        assert!(scaled_diff(y, y_ref) < 1e-5, "tracked {case:?}");
        assert!(scaled_diff(dx, dx_ref) < 1e-5, "input grad {case:?}");
        assert!(scaled_diff(dw, dw_ref) < 1e-5, "weight grad {case:?}");
        let err = |a: Tensor<1>, b: Tensor<1>| (a - b).abs().max().into_scalar::<f32>();
        assert!(err(da, da_ref) < 1e-3, "scale grad {case:?}");
        assert!(err(db, db_ref) < 1e-3, "shift grad {case:?}");
    }
}

/// A NaN in the input stays NaN through the fused ReLU (a NaN loss must surface, not be clamped
/// to zero), in the same positions as burn's conv + ReLU.
#[test]
fn fused_relu_keeps_nan() {
    let device = Device::flex();
    let options = ConvOptions::new_with_padding([1, 1], [(1, 1), (1, 1)], [1, 1], 1);
    let x = Tensor::<4>::random([1, 2, 5, 6], Distribution::Normal(0.0, 1.0), &device);
    let nan = Tensor::<4>::full([1, 1, 1, 1], f32::NAN, &device);
    let x = x.slice_assign([0..1, 1..2, 2..3, 3..4], nan);
    let weight = Tensor::<4>::random([3, 2, 3, 3], Distribution::Normal(0.0, 0.3), &device);
    let scale = Tensor::<1>::random([3], Distribution::Normal(0.0, 1.0), &device);
    let shift = Tensor::<1>::random([3], Distribution::Normal(0.0, 1.0), &device);
    let run =
        |f: fn(Tensor<4>, Tensor<4>, Tensor<1>, Tensor<1>, ConvOptions<2>, bool) -> Tensor<4>| {
            f(
                x.clone(),
                weight.clone(),
                scale.clone(),
                shift.clone(),
                options.clone(),
                true,
            )
        };
    let nans = |t: Tensor<4>| t.is_nan().int().sum().into_scalar::<i64>();
    let y = run(conv2d_channel_affine);
    assert_eq!(nans(y.clone()), 3 * 9);
    assert_eq!(nans(y), nans(run(affine_reference)));
}

/// bf16 inputs of the folded inference `ConvBnAct` go through the f32 fused epilogue and come
/// back as bf16, within bf16 rounding of the f32 result.
#[test]
fn bf16_channel_affine_matches_the_f32_result() {
    let device = Device::flex();
    let options = ConvOptions::new_with_padding([1, 1], [(1, 1), (1, 1)], [1, 1], 1);
    let x = Tensor::<4>::random([2, 6, 7, 9], Distribution::Normal(0.0, 1.0), &device);
    let weight = Tensor::<4>::random([5, 6, 3, 3], Distribution::Normal(0.0, 0.3), &device);
    let scale = Tensor::<1>::random([5], Distribution::Normal(0.0, 1.0), &device);
    let shift = Tensor::<1>::random([5], Distribution::Normal(0.0, 1.0), &device);
    let bf16 = |t: Tensor<4>| t.cast(DType::BF16);
    let y = conv2d_channel_affine(
        bf16(x.clone()),
        bf16(weight.clone()),
        scale.clone().cast(DType::BF16),
        shift.clone().cast(DType::BF16),
        options.clone(),
        true,
    );
    assert_eq!(y.dtype(), DType::BF16);
    // The reference sees the same bf16-rounded inputs, in f32.
    let f32 = |t: Tensor<4>| bf16(t).cast(DType::F32);
    let f32_1 = |t: Tensor<1>| t.cast(DType::BF16).cast(DType::F32);
    let y_ref = affine_reference(
        f32(x),
        f32(weight),
        f32_1(scale),
        f32_1(shift),
        options,
        true,
    );
    // bf16 keeps 8 significant bits: 1 % of the largest magnitude.
    assert!(scaled_diff(y.cast(DType::F32), y_ref) < 1e-2);
}
