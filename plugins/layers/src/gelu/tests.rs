//! The parallel GELU against libm's erf / exp and burn's own `gelu` (values and gradient).

use super::kernels::{erf, exp_for_tests};
use super::*;
use eobench_core::burn::tensor::{Device, Distribution};

#[test]
fn erf_and_exp_match_libm_over_the_whole_range() {
    let mut worst_erf = 0.0f64;
    let mut worst_exp = 0.0f64;
    for i in -200_000..=200_000 {
        let x = i as f32 * 5e-5; // [-10, 10]
        let e = (erf(x) as f64 - libm_erf(x as f64)).abs();
        worst_erf = worst_erf.max(e);
        let y = -(x * x);
        let exact = (y as f64).exp();
        worst_exp = worst_exp.max((exp_for_tests(y) as f64 - exact).abs() / exact.max(1e-30));
    }
    // A&S's bound (1.5e-7) plus f32 rounding in the polynomial: a few ulps of 1 + erf.
    assert!(worst_erf < 1e-6, "erf absolute error {worst_erf}");
    // Relative error where exp(y) is a normal f32 (y ≥ −87).
    assert!(worst_exp < 5e-7, "exp relative error {worst_exp}");
    assert_eq!(erf(f32::INFINITY), 1.0);
    assert_eq!(erf(f32::NEG_INFINITY), -1.0);
    assert!(erf(f32::NAN).is_nan());
}

/// erf in f64 from its Maclaurin series (|x| < 3) or continued fraction (|x| ≥ 3), as an
/// independent reference: std has no erf.
fn libm_erf(x: f64) -> f64 {
    let a = x.abs();
    let v = if a < 3.0 {
        let (mut term, mut sum, mut n) = (a, a, 0.0f64);
        while term.abs() > 1e-17 * sum.abs() {
            n += 1.0;
            term *= -a * a / n;
            sum += term / (2.0 * n + 1.0);
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    } else {
        // erfc(a) = exp(−a²)/√π · 1/(a + 1/2/(a + 1/(a + 3/2/(a + 2/(a + …))))).
        let mut frac = a;
        for k in (1..60).rev() {
            frac = a + (k as f64 / 2.0) / frac;
        }
        1.0 - (-a * a).exp() / (std::f64::consts::PI.sqrt() * frac)
    };
    v.copysign(x)
}

#[test]
fn matches_burn_gelu_values_and_gradient() {
    let device = Device::flex().autodiff();
    // Odd sizes, so the parallel chunks end mid-vector; wide values, so both tails are covered.
    for dims in [[3, 5, 7], [2, 100, 171]] {
        let x = Tensor::<3>::random(dims, Distribution::Normal(0.0, 3.0), &device);
        assert!(uses_parallel_gelu(&x));
        let run = |f: &dyn Fn(Tensor<3>) -> Tensor<3>| {
            let x = x.clone().require_grad();
            let y = f(x.clone());
            let probe = y.clone().sin().detach();
            let grads = (y.clone() * probe).sum().backward();
            (y, x.grad(&grads).unwrap())
        };
        let (y, dx) = run(&|x| gelu(x));
        let (y_ref, dx_ref) = run(&|x| activation::gelu(x));
        let y_err: f32 = (y - y_ref).abs().max().into_scalar();
        let dx_err: f32 = (dx - dx_ref).abs().max().into_scalar();
        assert!(y_err < 2e-6, "forward {dims:?}: {y_err}");
        assert!(dx_err < 2e-6, "gradient {dims:?}: {dx_err}");
    }
}

#[test]
fn bf16_and_strided_inputs_match_burn_gelu() {
    let device = Device::flex();
    let x = Tensor::<3>::random([4, 6, 5], Distribution::Normal(0.0, 2.0), &device).swap_dims(1, 2);
    let err: f32 = (gelu(x.clone()) - activation::gelu(x.clone()))
        .abs()
        .max()
        .into_scalar();
    assert!(err < 2e-6);
    let xb = x.cast(DType::BF16);
    let y = gelu(xb.clone());
    assert_eq!(y.dtype(), DType::BF16);
    let err: f32 = (y.cast(DType::F32) - activation::gelu(xb).cast(DType::F32))
        .abs()
        .max()
        .into_scalar();
    assert!(err < 0.05, "bf16 (8 mantissa bits) {err}");
}
