//! The parallel cast as a burn backend extension: `Dispatch` routes it to burn-flex (plain
//! tensors) or to autodiff-over-flex, whose backward pass casts the gradient back with the same
//! kernel.

use super::flex_ops;
use crate::linear_unary_op::linear_unary_op;
use eobench_core::burn;
use eobench_core::burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use eobench_core::burn::backend::tensor::FloatTensor;
use eobench_core::burn::backend::{Autodiff, Backend, Flex, backend_extension};
use eobench_core::burn::tensor::FloatDType;

/// A float tensor in another float dtype.
#[backend_extension(Flex, Autodiff)]
pub trait ParallelCastBackend: Backend {
    /// `x` as `dtype`; pairs other than f32 ↔ bf16 take the backend's own `float_cast`.
    fn parallel_cast(x: FloatTensor<Self>, dtype: FloatDType) -> FloatTensor<Self>;
}

impl ParallelCastBackend for Flex {
    fn parallel_cast(x: FloatTensor<Self>, dtype: FloatDType) -> FloatTensor<Self> {
        flex_ops::cast(x, dtype)
    }
}

impl<C: CheckpointStrategy> ParallelCastBackend for Autodiff<Flex, C> {
    fn parallel_cast(x: FloatTensor<Self>, dtype: FloatDType) -> FloatTensor<Self> {
        // The gradient is cast back to the input's dtype.
        let source: FloatDType = x.primitive().dtype().into();
        linear_unary_op::<C, _>(x, source, |x| flex_ops::cast(x, dtype), flex_ops::cast)
    }
}
