//! f32 ↔ bf16 conversion in parallel on the CPU backend.
//!
//! `precision=bf16` on a CPU computes in f32: every convolution, batch norm, GELU and resize
//! converts its bf16 input to f32 and its result back. burn-flex converts element by element on
//! one thread (`float_cast`), which was 6–7 % of a bf16 UNet + UPerNet inference step's samples
//! and, being serial, a larger share of its wall time. [`cast`] runs the same rounding
//! (round to nearest, ties to even; NaN stays NaN, quietened) over chunks on every thread, with
//! loops that compile to SIMD, and differentiates as a cast (the gradient is cast back).
//! Other dtype pairs and other devices (CUDA) take burn's `cast`. `EOBENCH_PARALLEL_CAST=0`
//! sends everything to burn's `cast`, to compare the two end to end.

mod extension;
mod flex_ops;
mod kernels;

pub use extension::ParallelCastBackend;

use eobench_core::burn::backend::{Dispatch, DispatchDevice};
use eobench_core::burn::tensor::{DType, Tensor};

/// False when `EOBENCH_PARALLEL_CAST=0` (read once per process).
fn parallel_cast_enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("EOBENCH_PARALLEL_CAST").is_none_or(|v| v != "0"))
}

/// True when [`cast`] takes the parallel CPU kernel for `x` and `dtype`.
pub fn uses_parallel_cast<const D: usize>(x: &Tensor<D>, dtype: DType) -> bool {
    parallel_cast_enabled()
        && matches!(
            (x.dtype(), dtype),
            (DType::F32, DType::BF16) | (DType::BF16, DType::F32)
        )
        && matches!(x.device().inner().as_dispatch(), DispatchDevice::Flex(_))
}

/// `x` in `dtype`: unchanged when it already is, the parallel kernel for f32 ↔ bf16 on the CPU
/// backend, burn's `cast` otherwise.
pub fn cast<const D: usize>(x: Tensor<D>, dtype: DType) -> Tensor<D> {
    if x.dtype() == dtype {
        return x;
    }
    if !uses_parallel_cast(&x, dtype) {
        return x.cast(dtype);
    }
    let target = if dtype == DType::BF16 {
        eobench_core::burn::tensor::FloatDType::BF16
    } else {
        eobench_core::burn::tensor::FloatDType::F32
    };
    Tensor::from_dispatch(<Dispatch as ParallelCastBackend>::parallel_cast(
        x.into_dispatch(),
        target,
    ))
}

#[cfg(test)]
mod tests;
