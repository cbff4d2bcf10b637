//! The implicit-GEMM convolution as a burn backend extension: `Dispatch` routes it to burn-flex
//! (plain tensors) or to autodiff-over-flex, whose handwritten backward pass uses the
//! [`super::kernels`] gradients instead of burn's generic `conv2d_weight_backward`.

use super::flex_ops;
use eobench_core::burn;
use eobench_core::burn::backend::AutodiffBackend;
use eobench_core::burn::backend::autodiff::NodeId;
use eobench_core::burn::backend::autodiff::checkpoint::base::Checkpointer;
use eobench_core::burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use eobench_core::burn::backend::autodiff::grads::Gradients;
use eobench_core::burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use eobench_core::burn::backend::tensor::FloatTensor;
use eobench_core::burn::backend::{Autodiff, Backend, Flex, backend_extension};
use eobench_core::burn::tensor::ops::ConvOptions;

/// A stride-1, ungrouped, bias-free `conv2d` computed as one matrix product per kernel tap.
#[backend_extension(Flex, Autodiff)]
pub trait ImplicitGemmConvBackend: Backend {
    /// `conv2d(x, weight, None, options)`; other strides, groups and dtypes fall back to the
    /// backend's own convolution.
    fn implicit_gemm_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        options: ConvOptions<2>,
    ) -> FloatTensor<Self>;

    /// `conv2d(x, weight, None, options)·scale + shift` per output channel (`scale`, `shift`
    /// of shape `[c_out]`), then ReLU when `relu`: a convolution followed by a batch norm
    /// folded into a per-channel affine map (inference `ConvBnAct`).
    fn implicit_gemm_conv2d_affine(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        scale: FloatTensor<Self>,
        shift: FloatTensor<Self>,
        options: ConvOptions<2>,
        relu: bool,
    ) -> FloatTensor<Self>;
}

impl ImplicitGemmConvBackend for Flex {
    fn implicit_gemm_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        options: ConvOptions<2>,
    ) -> FloatTensor<Self> {
        flex_ops::forward(x, weight, options)
    }

    fn implicit_gemm_conv2d_affine(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        scale: FloatTensor<Self>,
        shift: FloatTensor<Self>,
        options: ConvOptions<2>,
        relu: bool,
    ) -> FloatTensor<Self> {
        flex_ops::forward_affine(x, weight, Some((scale, shift)), options, relu)
    }
}

/// The backward step: both gradients from the saved input and weight.
#[derive(Debug)]
struct ImplicitGemmConv2dBackward;

impl Backward<Flex, 2> for ImplicitGemmConv2dBackward {
    type State = (NodeId, NodeId, ConvOptions<2>);

    fn backward(
        self,
        ops: Ops<Self::State, 2>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x, node_weight] = ops.parents;
        let grad = grads.consume::<Flex>(&ops.node);
        let (x_state, weight_state, options) = ops.state;
        let x: FloatTensor<Flex> = checkpointer.retrieve_node_output(x_state);
        let weight: FloatTensor<Flex> = checkpointer.retrieve_node_output(weight_state);
        if let Some(node) = node_x {
            let dx = flex_ops::input_grad(x.clone(), weight.clone(), grad.clone(), options.clone());
            grads.register::<Flex>(node.id, dx);
        }
        if let Some(node) = node_weight {
            grads.register::<Flex>(node.id, flex_ops::weight_grad(x, weight, grad, options));
        }
    }
}

impl<C: CheckpointStrategy> ImplicitGemmConvBackend for Autodiff<Flex, C> {
    fn implicit_gemm_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        options: ConvOptions<2>,
    ) -> FloatTensor<Self> {
        match ImplicitGemmConv2dBackward
            .prepare::<C>([x.node(), weight.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let x_state = prep.checkpoint(&x);
                let weight_state = prep.checkpoint(&weight);
                let y =
                    flex_ops::forward(x.into_primitive(), weight.into_primitive(), options.clone());
                prep.finish((x_state, weight_state, options), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(flex_ops::forward(
                x.into_primitive(),
                weight.into_primitive(),
                options,
            )),
        }
    }

    fn implicit_gemm_conv2d_affine(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        scale: FloatTensor<Self>,
        shift: FloatTensor<Self>,
        options: ConvOptions<2>,
        relu: bool,
    ) -> FloatTensor<Self> {
        let untracked = [&x, &weight, &scale, &shift]
            .iter()
            .all(|t| !t.is_tracked());
        if untracked {
            // Nothing to differentiate (a frozen layer, evaluation on the training device): the
            // fused flex pass, wrapped as a constant.
            let y = flex_ops::forward_affine(
                x.into_primitive(),
                weight.into_primitive(),
                Some((scale.into_primitive(), shift.into_primitive())),
                options,
                relu,
            );
            return <Self as AutodiffBackend>::from_inner(y);
        }
        // Differentiable composition: the tracked convolution, then the affine map and ReLU as
        // autodiff ops.
        let y = Self::implicit_gemm_conv2d(x, weight, options);
        flex_ops::affine_then_relu::<Self>(y, scale, shift, relu)
    }
}
