//! The parallel cast as a burn backend extension: `Dispatch` routes it to burn-flex (plain
//! tensors) or to autodiff-over-flex, whose backward pass casts the gradient back with the same
//! kernel.

use super::flex_ops;
use eobench_core::burn;
use eobench_core::burn::backend::autodiff::checkpoint::base::Checkpointer;
use eobench_core::burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use eobench_core::burn::backend::autodiff::grads::Gradients;
use eobench_core::burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
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

/// The backward step: the gradient cast back to the input's dtype (the state).
#[derive(Debug)]
struct ParallelCastBackward;

impl Backward<Flex, 1> for ParallelCastBackward {
    type State = FloatDType;

    fn backward(
        self,
        ops: Ops<Self::State, 1>,
        grads: &mut Gradients,
        _checkpointer: &mut Checkpointer,
    ) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, flex_ops::cast(grad, ops.state));
        }
    }
}

impl<C: CheckpointStrategy> ParallelCastBackend for Autodiff<Flex, C> {
    fn parallel_cast(x: FloatTensor<Self>, dtype: FloatDType) -> FloatTensor<Self> {
        match ParallelCastBackward
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let source = x.primitive().dtype().into();
                prep.finish(source, flex_ops::cast(x.into_primitive(), dtype))
            }
            OpsKind::UnTracked(prep) => prep.finish(flex_ops::cast(x.into_primitive(), dtype)),
        }
    }
}
