//! The separable resize against burn's own bilinear `interpolate` (values and input gradient).

use super::kernels::AxisTaps;
use super::*;
use eobench_core::burn::tensor::{Device, Distribution};

/// (batch, channels, input [h, w], output [h, w]): the head's integer upsamplings, odd ratios,
/// downsampling, one axis up and the other down, and a 1×1 input.
const CASES: [(usize, usize, [usize; 2], [usize; 2]); 8] = [
    (2, 3, [7, 7], [56, 56]),
    (2, 5, [14, 14], [56, 56]),
    (1, 4, [3, 5], [7, 11]),
    (3, 2, [16, 12], [4, 3]),
    (2, 3, [10, 9], [7, 5]),
    (1, 2, [5, 9], [12, 4]),
    (2, 2, [1, 1], [4, 6]),
    (1, 7, [6, 6], [6, 9]),
];

fn burn_resize(x: Tensor<4>, size: [usize; 2]) -> Tensor<4> {
    interpolate(x, flex_ops::bilinear_options().with_output_size(size))
}

/// Largest difference relative to the reference's largest magnitude (at least 1).
fn scaled_diff(a: Tensor<4>, reference: Tensor<4>) -> f32 {
    let scale: f32 = reference.clone().abs().max().into_scalar();
    let diff: f32 = (a - reference).abs().max().into_scalar();
    diff / scale.max(1.0)
}

#[test]
fn matches_burn_interpolate_values_and_input_gradient() {
    let device = Device::flex().autodiff();
    for (b, c, [h, w], size) in CASES {
        let x = Tensor::<4>::random([b, c, h, w], Distribution::Normal(0.0, 1.0), &device);
        assert!(uses_separable_resize(&x));
        let run = |resize: &dyn Fn(Tensor<4>) -> Tensor<4>| {
            let x = x.clone().require_grad();
            let y = resize(x.clone());
            // A non-uniform upstream gradient, so every output position is checked.
            let probe = y.clone().sin().detach();
            let grads = (y.clone() * probe).sum().backward();
            (y, x.grad(&grads).unwrap())
        };
        let (y, dx) = run(&|x| resize_bilinear(x, size));
        let (y_ref, dx_ref) = run(&|x| burn_resize(x, size));
        let case = (b, c, [h, w], size);
        assert_eq!(y.dims(), y_ref.dims(), "{case:?}");
        assert!(scaled_diff(y, y_ref) < 1e-6, "forward {case:?}");
        assert!(scaled_diff(dx, dx_ref) < 1e-5, "input grad {case:?}");
    }
}

#[test]
fn matches_burn_interpolate_on_strided_input_and_in_bf16() {
    let device = Device::flex();
    // A permuted (non-contiguous) view exercises the copy-on-read path.
    let x = Tensor::<4>::random([2, 9, 7, 3], Distribution::Normal(0.0, 1.0), &device)
        .permute([0, 3, 1, 2]);
    let y = resize_bilinear(x.clone(), [20, 17]);
    assert!(scaled_diff(y, burn_resize(x.clone(), [20, 17])) < 1e-6);

    let x = x.cast(DType::BF16);
    let y = resize_bilinear(x.clone(), [20, 17]);
    assert_eq!(y.dtype(), DType::BF16);
    let y_ref = burn_resize(x, [20, 17]);
    // Both resize in f32 and round once to bf16 (8 mantissa bits).
    assert!(scaled_diff(y.cast(DType::F32), y_ref.cast(DType::F32)) < 1e-2);
}

#[test]
fn axis_taps_follow_half_pixel_centres() {
    // ×2: output o reads source (o + 0.5) / 2 − 0.5, clamped at 0; past the last input both
    // taps are that input, so the weight no longer matters.
    let taps = AxisTaps::new(2, 4);
    assert_eq!(taps.low, vec![0, 0, 0, 1]);
    assert_eq!(taps.high, vec![1, 1, 1, 1]);
    assert_eq!(taps.weight, vec![0.0, 0.25, 0.75, 0.25]);
    // ÷2 averages each pair of inputs.
    let taps = AxisTaps::new(4, 2);
    assert_eq!((taps.low, taps.weight), (vec![0, 2], vec![0.5, 0.5]));
}
