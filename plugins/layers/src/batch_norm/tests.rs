//! The fused training-mode batch norm against burn's `BatchNorm::forward` (+ ReLU): outputs,
//! gradients of the input, γ and β, and the running statistics it leaves behind.

use super::*;
use eobench_core::burn::module::{Module, Param};
use eobench_core::burn::nn::BatchNormConfig;
use eobench_core::burn::tensor::{Device, Distribution};

fn max_diff<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> f32 {
    (a - b).abs().max().into_scalar()
}

fn check<const D: usize>(dims: [usize; D], relu: bool) {
    let device = Device::flex().autodiff();
    let channels = dims[1];
    let gamma = Tensor::<1>::random([channels], Distribution::Uniform(0.5, 2.0), &device);
    let beta = Tensor::<1>::random([channels], Distribution::Uniform(-1.0, 1.0), &device);
    // A fresh layer per run: clones of a `BatchNorm` share their running statistics.
    let layer_for_run = || {
        let mut bn = BatchNormConfig::new(channels).init(&device);
        bn.gamma = Param::from_tensor(gamma.clone());
        bn.beta = Param::from_tensor(beta.clone());
        bn
    };
    // An offset and scale per channel, so the statistics are far from (0, 1).
    let x = Tensor::<D>::random(dims, Distribution::Normal(0.0, 1.0), &device).mul_scalar(3.0)
        + Tensor::<1>::random([channels], Distribution::Uniform(-2.0, 2.0), &device)
            .reshape(per_channel::<D>(channels));
    let run = |fused: bool| {
        let layer = layer_for_run();
        let x = x.clone().require_grad();
        let y = if fused {
            assert!(uses_fused_batch_norm(&layer, &x));
            train_forward(&layer, x.clone(), relu)
        } else {
            let y = layer.forward(x.clone());
            if relu { relu_op(y) } else { y }
        };
        let grads = (y.clone() * y.clone().cos().detach()).sum().backward();
        let dx = x.grad(&grads).unwrap();
        let dgamma = layer.gamma.grad(&grads).unwrap();
        let dbeta = layer.beta.grad(&grads).unwrap();
        let stats = (layer.running_mean.value(), layer.running_var.value());
        (y.inner(), dx, dgamma, dbeta, stats)
    };
    let (y, dx, dgamma, dbeta, (mean, var)) = run(true);
    let (y_ref, dx_ref, dgamma_ref, dbeta_ref, (mean_ref, var_ref)) = run(false);
    assert!(max_diff(y, y_ref) < 1e-5, "output {dims:?} relu {relu}");
    assert!(
        max_diff(dx, dx_ref) < 1e-5,
        "input grad {dims:?} relu {relu}"
    );
    assert!(
        max_diff(dgamma, dgamma_ref) < 1e-4,
        "gamma grad {dims:?} relu {relu}"
    );
    assert!(
        max_diff(dbeta, dbeta_ref) < 1e-4,
        "beta grad {dims:?} relu {relu}"
    );
    assert!(
        max_diff(mean.inner(), mean_ref.inner()) < 1e-5,
        "running mean {dims:?}"
    );
    assert!(
        max_diff(var.inner(), var_ref.inner()) < 1e-5,
        "running var {dims:?}"
    );
}

fn per_channel<const D: usize>(channels: usize) -> [usize; D] {
    let mut shape = [1; D];
    shape[1] = channels;
    shape
}

#[test]
fn matches_burn_batch_norm_in_training_mode() {
    // Planes of 24 and 35 values: full 16-lane chunks and remainders.
    for relu in [false, true] {
        check([3, 5, 4, 6], relu);
        check([2, 3, 5, 7], relu);
        check([4, 6, 9], relu);
    }
}

#[test]
fn evaluation_and_other_devices_take_burns_path() {
    let device = Device::flex();
    let bn = BatchNormConfig::new(3).init(&device);
    let x = Tensor::<4>::zeros([2, 3, 4, 4], &device);
    assert!(!uses_fused_batch_norm(&bn, &x));
    let ad = device.autodiff();
    let bn = BatchNormConfig::new(3).init(&ad);
    assert!(uses_fused_batch_norm(
        &bn,
        &Tensor::<4>::zeros([2, 3, 4, 4], &ad)
    ));
    let frozen = bn.freeze();
    assert!(!uses_fused_batch_norm(
        &frozen,
        &Tensor::<4>::zeros([2, 3, 4, 4], &ad)
    ));
}

/// A bf16 map and layer (the `precision=bf16` case) take the fused path in f32: output and
/// gradients in bf16, within bf16 rounding of burn's batch norm on the same values in f32, and
/// the running statistics stay bf16.
#[test]
fn bf16_maps_take_the_fused_path_within_bf16_rounding() {
    let device = Device::flex().autodiff();
    let channels = 4;
    let bf16_layer = || {
        let mut bn = BatchNormConfig::new(channels).init(&device);
        let bf16 = |t: Tensor<1>| {
            Param::from_tensor(Tensor::from_inner(t.inner().cast(DType::BF16)).require_grad())
        };
        bn.gamma = bf16(bn.gamma.val());
        bn.beta = bf16(bn.beta.val());
        bn.running_mean = eobench_core::burn::module::RunningState::new(
            Tensor::<1>::zeros([channels], &device).cast(DType::BF16),
        );
        bn.running_var = eobench_core::burn::module::RunningState::new(
            Tensor::<1>::ones([channels], &device).cast(DType::BF16),
        );
        bn
    };
    let x = (Tensor::<4>::random([3, channels, 5, 6], Distribution::Normal(0.0, 1.0), &device)
        .mul_scalar(3.0)
        + 1.5)
        .cast(DType::BF16);
    let layer = bf16_layer();
    assert_eq!(layer.gamma.val().dtype(), DType::BF16);
    assert!(uses_fused_batch_norm(&layer, &x));
    let xb = x.clone().require_grad();
    let y = train_forward(&layer, xb.clone(), true);
    assert_eq!(y.dtype(), DType::BF16);
    let grads = y.clone().sum().backward();
    let dx = xb.grad(&grads).unwrap();
    assert_eq!(dx.dtype(), DType::BF16);
    assert_eq!(layer.gamma.grad(&grads).unwrap().dtype(), DType::BF16);
    assert_eq!(layer.running_mean.value().dtype(), DType::BF16);

    let reference = BatchNormConfig::new(channels).init(&device);
    let xf = x.cast(DType::F32).require_grad();
    let y_ref = relu_op(reference.forward(xf.clone()));
    let grads_ref = y_ref.clone().sum().backward();
    let dx_ref = xf.grad(&grads_ref).unwrap();
    let scale = |t: Tensor<4>| t.abs().max().into_scalar::<f32>().max(1e-6);
    let rel = |a: Tensor<4>, b: Tensor<4>| max_diff(a.cast(DType::F32), b.clone()) / scale(b);
    assert!(rel(y.inner(), y_ref.inner()) < 1e-2, "output");
    assert!(rel(dx, dx_ref) < 2e-2, "input grad");
    let stat_err = |a: Tensor<1>, b: Tensor<1>| max_diff(a.cast(DType::F32), b);
    assert!(
        stat_err(
            layer.running_mean.value().inner(),
            reference.running_mean.value().inner()
        ) < 1e-2
    );
    assert!(
        stat_err(
            layer.running_var.value().inner(),
            reference.running_var.value().inner()
        ) < 5e-2
    );
}
