//! Bilinear resizing with `align_corners = false`, the one resize every eobench head uses.
//!
//! On the CPU backend f32 (and bf16, through f32) tensors take a separable kernel
//! ([`kernels`]) as a backend extension with its own backward pass; other devices (CUDA) run
//! burn's `interpolate`. `EOBENCH_SEPARABLE_RESIZE=0` sends everything to burn's `interpolate`,
//! to compare the two end to end.

mod extension;
mod flex_ops;
mod kernels;

pub use extension::SeparableResizeBackend;

use eobench_core::burn::backend::{Dispatch, DispatchDevice};
use eobench_core::burn::tensor::module::interpolate;
use eobench_core::burn::tensor::{DType, Tensor};

/// False when `EOBENCH_SEPARABLE_RESIZE=0` (read once per process).
fn separable_resize_enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("EOBENCH_SEPARABLE_RESIZE").is_none_or(|v| v != "0"))
}

/// True when [`resize_bilinear`] takes the separable CPU kernel for `x`.
pub fn uses_separable_resize(x: &Tensor<4>) -> bool {
    let [_, _, h, w] = x.dims();
    separable_resize_enabled()
        && h > 0
        && w > 0
        && matches!(x.dtype(), DType::F32 | DType::BF16)
        && matches!(x.device().inner().as_dispatch(), DispatchDevice::Flex(_))
}

/// Bilinear resize of (B, C, H, W) to `size` = [h, w] with `align_corners = false`, i.e.
/// `F.interpolate(x, size, mode="bilinear", align_corners=False)` as mmseg and Pangaea use it.
///
/// burn's `InterpolateOptions` defaults to `align_corners = true`; every resize in eobench goes
/// through this function so that default can never leak in. A same-size call returns `x`.
/// bf16 tensors are resized in f32 and rounded back, as burn-flex's own bf16 path does.
pub fn resize_bilinear(x: Tensor<4>, size: [usize; 2]) -> Tensor<4> {
    let [_, _, h, w] = x.dims();
    if [h, w] == size {
        return x;
    }
    if !uses_separable_resize(&x) {
        return interpolate(x, flex_ops::bilinear_options().with_output_size(size));
    }
    let dtype = x.dtype();
    if dtype != DType::F32 {
        return crate::cast::cast(
            resize_bilinear(crate::cast::cast(x, DType::F32), size),
            dtype,
        );
    }
    Tensor::from_dispatch(
        <Dispatch as SeparableResizeBackend>::separable_resize_bilinear(x.into_dispatch(), size),
    )
}

#[cfg(test)]
mod tests;
