//! The fused training-mode batch norm as a burn backend extension: `Dispatch` routes it to
//! burn-flex (plain tensors) or to autodiff-over-flex, whose backward pass is
//! [`super::kernels::backward`].

use super::flex_ops;
use eobench_core::burn;
use eobench_core::burn::backend::autodiff::NodeId;
use eobench_core::burn::backend::autodiff::checkpoint::base::Checkpointer;
use eobench_core::burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use eobench_core::burn::backend::autodiff::grads::Gradients;
use eobench_core::burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use eobench_core::burn::backend::flex::FlexTensor;
use eobench_core::burn::backend::tensor::FloatTensor;
use eobench_core::burn::backend::{Autodiff, AutodiffBackend, Backend, Flex, backend_extension};

/// Batch normalisation with the batch's statistics (training mode), optionally with ReLU.
#[backend_extension(Flex, Autodiff)]
pub trait FusedBatchNormBackend: Backend {
    /// `(2, channels)`: per-channel mean and biased variance of `x (batch, channels, …)`, as
    /// constants (their dependence on `x` is part of [`Self::batch_norm_train_act`]'s gradient).
    fn batch_norm_stats(x: FloatTensor<Self>) -> FloatTensor<Self>;

    /// `relu?((x − mean)/√(var + ε)·γ + β)` with `stats` = [`Self::batch_norm_stats`] of the
    /// same `x`; differentiated as a training-mode batch norm (the statistics as functions of
    /// `x`). f32 only: callers route other dtypes to burn's batch norm.
    fn batch_norm_train_act(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        stats: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> FloatTensor<Self>;
}

impl FusedBatchNormBackend for Flex {
    fn batch_norm_stats(x: FloatTensor<Self>) -> FloatTensor<Self> {
        flex_ops::stats(x)
    }

    fn batch_norm_train_act(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        stats: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> FloatTensor<Self> {
        flex_ops::forward(x, gamma, beta, stats, epsilon, relu)
    }
}

/// The backward step: the three gradients from the saved input, γ, β and statistics.
#[derive(Debug)]
struct FusedBatchNormBackward;

impl Backward<Flex, 3> for FusedBatchNormBackward {
    type State = (NodeId, NodeId, NodeId, FlexTensor, f64, bool);

    fn backward(
        self,
        ops: Ops<Self::State, 3>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x, node_gamma, node_beta] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        let (x_state, gamma_state, beta_state, stats, epsilon, relu) = ops.state;
        let x: FloatTensor<Flex> = checkpointer.retrieve_node_output(x_state);
        let gamma: FloatTensor<Flex> = checkpointer.retrieve_node_output(gamma_state);
        let beta: FloatTensor<Flex> = checkpointer.retrieve_node_output(beta_state);
        let (dx, dgamma, dbeta) = flex_ops::backward(x, gamma, beta, stats, epsilon, relu, grad);
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, dx);
        }
        if let Some(node) = node_gamma {
            grads.register::<Flex>(node.id, dgamma);
        }
        if let Some(node) = node_beta {
            grads.register::<Flex>(node.id, dbeta);
        }
    }
}

impl<C: CheckpointStrategy> FusedBatchNormBackend for Autodiff<Flex, C> {
    fn batch_norm_stats(x: FloatTensor<Self>) -> FloatTensor<Self> {
        <Self as AutodiffBackend>::from_inner(flex_ops::stats(x.into_primitive()))
    }

    fn batch_norm_train_act(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        stats: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> FloatTensor<Self> {
        let stats = stats.into_primitive();
        match FusedBatchNormBackward
            .prepare::<C>([x.node(), gamma.node(), beta.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let x_state = prep.checkpoint(&x);
                let gamma_state = prep.checkpoint(&gamma);
                let beta_state = prep.checkpoint(&beta);
                let y = flex_ops::forward(
                    x.into_primitive(),
                    gamma.into_primitive(),
                    beta.into_primitive(),
                    stats.clone(),
                    epsilon,
                    relu,
                );
                let state = (x_state, gamma_state, beta_state, stats, epsilon, relu);
                prep.finish(state, y)
            }
            OpsKind::UnTracked(prep) => prep.finish(flex_ops::forward(
                x.into_primitive(),
                gamma.into_primitive(),
                beta.into_primitive(),
                stats,
                epsilon,
                relu,
            )),
        }
    }
}
