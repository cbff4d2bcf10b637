//! The separable resize as a burn backend extension: `Dispatch` routes it to burn-flex (plain
//! tensors) or to autodiff-over-flex with a backward pass that needs only the input's shape
//! (burn's own keeps the whole input alive until the backward pass).

use super::flex_ops;
use eobench_core::burn;
use eobench_core::burn::backend::autodiff::checkpoint::base::Checkpointer;
use eobench_core::burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use eobench_core::burn::backend::autodiff::grads::Gradients;
use eobench_core::burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
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

/// The backward step: the input gradient from the output gradient and the input's shape.
#[derive(Debug)]
struct SeparableResizeBackward;

impl Backward<Flex, 1> for SeparableResizeBackward {
    type State = [usize; 4];

    fn backward(
        self,
        ops: Ops<Self::State, 1>,
        grads: &mut Gradients,
        _checkpointer: &mut Checkpointer,
    ) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, flex_ops::backward(grad, ops.state));
        }
    }
}

impl<C: CheckpointStrategy> SeparableResizeBackend for Autodiff<Flex, C> {
    fn separable_resize_bilinear(x: FloatTensor<Self>, size: [usize; 2]) -> FloatTensor<Self> {
        let dims = x.primitive().layout().shape().dims::<4>();
        match SeparableResizeBackward
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                prep.finish(dims, flex_ops::forward(x.into_primitive(), size))
            }
            OpsKind::UnTracked(prep) => prep.finish(flex_ops::forward(x.into_primitive(), size)),
        }
    }
}
