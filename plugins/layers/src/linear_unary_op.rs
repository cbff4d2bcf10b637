//! Autodiff wiring shared by the backend extensions whose op is linear in its one input (the
//! separable resize, the parallel cast): the input gradient is a map of the output gradient and
//! a small state saved at forward time, so nothing else is kept alive until the backward pass.

use eobench_core::burn::backend::autodiff::checkpoint::base::Checkpointer;
use eobench_core::burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use eobench_core::burn::backend::autodiff::grads::Gradients;
use eobench_core::burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use eobench_core::burn::backend::tensor::FloatTensor;
use eobench_core::burn::backend::{Autodiff, Flex};
use std::fmt::Debug;

/// The input gradient as `grad_map(output gradient, state)`.
type GradMap<S> = fn(FloatTensor<Flex>, S) -> FloatTensor<Flex>;

/// The backward step of a [`linear_unary_op`].
#[derive(Debug)]
struct LinearUnaryBackward<S> {
    grad_map: GradMap<S>,
}

impl<S: Clone + Send + Debug + 'static> Backward<Flex, 1> for LinearUnaryBackward<S> {
    type State = S;

    fn backward(
        self,
        ops: Ops<Self::State, 1>,
        grads: &mut Gradients,
        _checkpointer: &mut Checkpointer,
    ) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, (self.grad_map)(grad, ops.state));
        }
    }
}

/// `forward(x)` on autodiff-over-flex; when `x` is tracked, its gradient is
/// `grad_map(output gradient, state)`.
pub(crate) fn linear_unary_op<C: CheckpointStrategy, S: Clone + Send + Debug + 'static>(
    x: FloatTensor<Autodiff<Flex, C>>,
    state: S,
    forward: impl FnOnce(FloatTensor<Flex>) -> FloatTensor<Flex>,
    grad_map: GradMap<S>,
) -> FloatTensor<Autodiff<Flex, C>> {
    let backward = LinearUnaryBackward { grad_map };
    match backward.prepare::<C>([x.node()]).compute_bound().stateful() {
        OpsKind::Tracked(prep) => prep.finish(state, forward(x.into_primitive())),
        OpsKind::UnTracked(prep) => prep.finish(forward(x.into_primitive())),
    }
}
