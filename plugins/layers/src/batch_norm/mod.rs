//! Training-mode batch normalisation (+ ReLU) as one fused operation on the CPU backend.
//!
//! [`train_forward`] is what a `BatchNorm` in training mode computes — normalisation with the
//! batch's statistics, the running statistics updated the way burn's `BatchNorm::forward`
//! does — with ReLU optionally fused in, in two passes over the map forward and two backward
//! (`kernels.rs`) instead of burn's composition of generic ops. bf16 maps are computed in f32
//! and rounded back (burn-flex's own bf16 ops convert to f32 one op at a time, ~20 of them).
//! Other dtypes, other devices (CUDA) and evaluation mode take burn's `BatchNorm::forward`.
//! `EOBENCH_FUSED_BATCH_NORM=0` switches the fused path off (A/B runs).

mod extension;
mod flex_ops;
mod kernels;

pub use extension::FusedBatchNormBackend;

use crate::cast::cast as cast_to;
use eobench_core::burn::backend::{Dispatch, DispatchDevice};
use eobench_core::burn::nn::BatchNorm;
use eobench_core::burn::tensor::activation::relu as relu_op;
use eobench_core::burn::tensor::{DType, Tensor};

fn fused_batch_norm_enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("EOBENCH_FUSED_BATCH_NORM").is_none_or(|v| v != "0"))
}

/// True when `bn.forward(x)` would use the batch's statistics and the fused path covers `x`.
pub fn uses_fused_batch_norm<const D: usize>(bn: &BatchNorm, x: &Tensor<D>) -> bool {
    fused_batch_norm_enabled()
        && D >= 2
        && x.device().is_autodiff()
        && bn.training.is_enabled()
        && matches!(x.dtype(), DType::F32 | DType::BF16)
        && matches!(bn.gamma.val().dtype(), DType::F32 | DType::BF16)
        && matches!(x.device().inner().as_dispatch(), DispatchDevice::Flex(_))
}

/// `relu?(bn.forward(x))` for a batch norm in training mode: the fused operation where
/// [`uses_fused_batch_norm`], else burn's `BatchNorm::forward` (then ReLU).
pub fn train_forward<const D: usize>(bn: &BatchNorm, x: Tensor<D>, relu: bool) -> Tensor<D> {
    if !uses_fused_batch_norm(bn, &x) {
        let y = bn.forward(x);
        return if relu { relu_op(y) } else { y };
    }
    let channels = x.dims()[1];
    let dtype = x.dtype();
    let x = cast_to(x, DType::F32);
    let stats = Tensor::<2>::from_dispatch(<Dispatch as FusedBatchNormBackend>::batch_norm_stats(
        x.clone().into_dispatch(),
    ));
    let y = Tensor::<D>::from_dispatch(<Dispatch as FusedBatchNormBackend>::batch_norm_train_act(
        x.into_dispatch(),
        cast_to(bn.gamma.val(), DType::F32).into_dispatch(),
        cast_to(bn.beta.val(), DType::F32).into_dispatch(),
        stats.clone().into_dispatch(),
        bn.epsilon,
        relu,
    ));
    // As burn's `BatchNorm::forward_train`: momentum-weighted means with the batch's mean and
    // biased variance, in the running statistics' own dtype.
    let device = stats.device();
    let blend = |running: Tensor<1>, row: usize| {
        let batch = cast_to(
            stats.clone().narrow(0, row, 1).reshape([channels]),
            running.dtype(),
        );
        running.mul_scalar(1.0 - bn.momentum) + batch.mul_scalar(bn.momentum)
    };
    let running_mean = bn.running_mean.value_sync().to_device(&device);
    let running_var = bn.running_var.value_sync().to_device(&device);
    bn.running_mean.update(blend(running_mean, 0).detach());
    bn.running_var.update(blend(running_var, 1).detach());
    cast_to(y, dtype)
}

#[cfg(test)]
mod tests;
