//! The parallel GELU as a burn backend extension: `Dispatch` routes it to burn-flex (plain
//! tensors) or to autodiff-over-flex with its own backward pass.

use super::flex_ops;
use eobench_core::burn;
use eobench_core::burn::backend::autodiff::NodeId;
use eobench_core::burn::backend::autodiff::checkpoint::base::Checkpointer;
use eobench_core::burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use eobench_core::burn::backend::autodiff::grads::Gradients;
use eobench_core::burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use eobench_core::burn::backend::tensor::FloatTensor;
use eobench_core::burn::backend::{Autodiff, Backend, Flex, backend_extension};

/// Exact (erf) GELU of a tensor of any rank.
#[backend_extension(Flex, Autodiff)]
pub trait ParallelGeluBackend: Backend {
    /// `gelu(x)`; dtypes other than f32 fall back to the backend's own `gelu`.
    fn parallel_gelu(x: FloatTensor<Self>) -> FloatTensor<Self>;
}

impl ParallelGeluBackend for Flex {
    fn parallel_gelu(x: FloatTensor<Self>) -> FloatTensor<Self> {
        flex_ops::forward(x)
    }
}

/// The backward step: the input gradient from the saved input.
#[derive(Debug)]
struct ParallelGeluBackward;

impl Backward<Flex, 1> for ParallelGeluBackward {
    type State = NodeId;

    fn backward(
        self,
        ops: Ops<Self::State, 1>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        let x: FloatTensor<Flex> = checkpointer.retrieve_node_output(ops.state);
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, flex_ops::backward(x, grad));
        }
    }
}

impl<C: CheckpointStrategy> ParallelGeluBackend for Autodiff<Flex, C> {
    fn parallel_gelu(x: FloatTensor<Self>) -> FloatTensor<Self> {
        match ParallelGeluBackward
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let x_state = prep.checkpoint(&x);
                prep.finish(x_state, flex_ops::forward(x.into_primitive()))
            }
            OpsKind::UnTracked(prep) => prep.finish(flex_ops::forward(x.into_primitive())),
        }
    }
}
