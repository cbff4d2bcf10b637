//! GELU and its gradient on burn-flex tensors: f32 goes to [`super::kernels`], other dtypes to
//! burn-flex's own `gelu`.

use super::kernels;
use crate::flex_slices::{f32_tensor, with_f32};
use eobench_core::burn::backend::Flex;
use eobench_core::burn::backend::flex::FlexTensor;
use eobench_core::burn::backend::ops::ActivationOps;
use eobench_core::burn::tensor::DType;

/// `gelu(x)`, same shape.
pub fn forward(x: FlexTensor) -> FlexTensor {
    if x.dtype() != DType::F32 {
        return <Flex as ActivationOps<Flex>>::gelu(x);
    }
    let shape = x.layout().shape().clone();
    f32_tensor(with_f32(&x, kernels::gelu_forward), shape)
}

/// The input gradient from the saved input and the output gradient.
pub fn backward(x: FlexTensor, grad: FlexTensor) -> FlexTensor {
    if x.dtype() != DType::F32 || grad.dtype() != DType::F32 {
        return <Flex as ActivationOps<Flex>>::gelu_backward(x, grad);
    }
    let shape = x.layout().shape().clone();
    let dx = with_f32(&x, |xs| {
        with_f32(&grad, |gs| kernels::gelu_backward(xs, gs))
    });
    f32_tensor(dx, shape)
}
