//! Raw f32 access to burn-flex tensors, for the kernels this crate runs on the CPU backend
//! (the implicit-GEMM convolution, the separable bilinear resize, GELU, casts).

use eobench_core::burn::backend::flex::FlexTensor;
use eobench_core::burn::tensor::{Shape, TensorData, bf16};

/// Runs `f` on the tensor's f32 elements in row-major order (copying only if it is a strided
/// view). The caller has checked the dtype.
pub(crate) fn with_f32<R>(t: &FlexTensor, f: impl FnOnce(&[f32]) -> R) -> R {
    match t.as_slice::<f32>() {
        Some(data) => f(data),
        None => f(t
            .to_contiguous()
            .as_slice::<f32>()
            .expect("contiguous after to_contiguous")),
    }
}

/// [`with_f32`] for bf16 elements.
pub(crate) fn with_bf16<R>(t: &FlexTensor, f: impl FnOnce(&[bf16]) -> R) -> R {
    match t.as_slice::<bf16>() {
        Some(data) => f(data),
        None => f(t
            .to_contiguous()
            .as_slice::<bf16>()
            .expect("contiguous after to_contiguous")),
    }
}

/// A contiguous f32 flex tensor of shape `shape` over `data`.
pub(crate) fn f32_tensor(data: Vec<f32>, shape: impl Into<Shape>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(data, shape))
}
