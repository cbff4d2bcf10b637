//! Exact (erf) GELU, as timm's `nn.GELU()` and mmcv use it, for every eobench layer.
//!
//! On the CPU backend f32 (and bf16, through f32) tensors take a parallel kernel with a
//! vectorisable erf ([`kernels`]) as a backend extension with its own backward pass; other
//! devices (CUDA) run burn's `gelu`. `EOBENCH_PARALLEL_GELU=0` sends everything to burn's
//! `gelu`, to compare the two end to end.

mod extension;
mod flex_ops;
mod kernels;

pub use extension::ParallelGeluBackend;

use eobench_core::burn::backend::{Dispatch, DispatchDevice};
use eobench_core::burn::tensor::activation;
use eobench_core::burn::tensor::{DType, Tensor};

/// False when `EOBENCH_PARALLEL_GELU=0` (read once per process).
fn parallel_gelu_enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("EOBENCH_PARALLEL_GELU").is_none_or(|v| v != "0"))
}

/// True when [`gelu`] takes the parallel CPU kernel for `x`.
pub fn uses_parallel_gelu<const D: usize>(x: &Tensor<D>) -> bool {
    parallel_gelu_enabled()
        && matches!(x.dtype(), DType::F32 | DType::BF16)
        && matches!(x.device().inner().as_dispatch(), DispatchDevice::Flex(_))
}

/// `0.5 · x · (1 + erf(x / √2))` (PyTorch `F.gelu`, `approximate="none"`). bf16 tensors are
/// computed in f32 and rounded back, as burn-flex's own bf16 path does.
pub fn gelu<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    if !uses_parallel_gelu(&x) {
        return activation::gelu(x);
    }
    let dtype = x.dtype();
    if dtype != DType::F32 {
        return crate::cast::cast(gelu(crate::cast::cast(x, DType::F32)), dtype);
    }
    Tensor::from_dispatch(<Dispatch as ParallelGeluBackend>::parallel_gelu(
        x.into_dispatch(),
    ))
}

#[cfg(test)]
mod tests;
