//! The separable resize as a burn backend extension: `Dispatch` routes it to burn-flex (plain
//! tensors) or to autodiff-over-flex with a backward pass that needs only the input's shape
//! (burn's own keeps the whole input alive until the backward pass).

use super::flex_ops;
use crate::linear_unary_op::linear_unary_op;
use eobench_core::burn;
use eobench_core::burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use eobench_core::burn::backend::tensor::FloatTensor;
use eobench_core::burn::backend::{Autodiff, Backend, Flex, backend_extension};

/// Bilinear resize with `align_corners = false` of a (B, C, H, W) f32 tensor.
#[backend_extension(Flex, Autodiff)]
pub trait SeparableResizeBackend: Backend {
    /// `interpolate(x, size, bilinear, align_corners = false)`; dtypes other than f32 fall back
    /// to the backend's own `interpolate`.
    fn separable_resize_bilinear(x: FloatTensor<Self>, size: [usize; 2]) -> FloatTensor<Self>;
}

impl SeparableResizeBackend for Flex {
    fn separable_resize_bilinear(x: FloatTensor<Self>, size: [usize; 2]) -> FloatTensor<Self> {
        flex_ops::forward(x, size)
    }
}

impl<C: CheckpointStrategy> SeparableResizeBackend for Autodiff<Flex, C> {
    fn separable_resize_bilinear(x: FloatTensor<Self>, size: [usize; 2]) -> FloatTensor<Self> {
        // The backward pass needs only the input's shape.
        let dims = x.primitive().layout().shape().dims::<4>();
        linear_unary_op::<C, _>(x, dims, |x| flex_ops::forward(x, size), flex_ops::backward)
    }
}
