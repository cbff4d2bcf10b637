//! The fused batch norm on burn-flex tensors (f32, any rank ≥ 2 read as
//! `(batch, channels, plane)`); the caller routes other dtypes to burn's own batch norm.

use super::kernels::{self, Dims, Norm};
use crate::flex_slices::{f32_tensor, with_f32};
use eobench_core::burn::backend::flex::FlexTensor;

fn dims(x: &FlexTensor) -> Dims {
    let shape = x.layout().shape();
    let (batch, channels) = (shape[0], shape[1]);
    Dims {
        batch,
        channels,
        plane: shape.num_elements() / (batch * channels).max(1),
    }
}

/// `(2, channels)`: the batch means, then the biased variances.
pub fn stats(x: FlexTensor) -> FlexTensor {
    let d = dims(&x);
    let (mean, var) = with_f32(&x, |xs| kernels::stats(xs, d));
    f32_tensor([mean, var].concat(), [2, d.channels])
}

/// Runs `f` with the normalisation constants read from the tensors.
fn with_norm<R>(
    gamma: &FlexTensor,
    beta: &FlexTensor,
    stats: &FlexTensor,
    epsilon: f64,
    relu: bool,
    f: impl FnOnce(Norm) -> R,
) -> R {
    with_f32(gamma, |gamma| {
        with_f32(beta, |beta| {
            with_f32(stats, |s| {
                let (mean, var) = s.split_at(s.len() / 2);
                f(Norm {
                    mean,
                    var,
                    gamma,
                    beta,
                    epsilon,
                    relu,
                })
            })
        })
    })
}

/// The normalised (and rectified) map.
pub fn forward(
    x: FlexTensor,
    gamma: FlexTensor,
    beta: FlexTensor,
    stats: FlexTensor,
    epsilon: f64,
    relu: bool,
) -> FlexTensor {
    let d = dims(&x);
    let shape = x.layout().shape().clone();
    let y = with_norm(&gamma, &beta, &stats, epsilon, relu, |n| {
        with_f32(&x, |xs| kernels::forward(xs, d, n))
    });
    f32_tensor(y, shape)
}

/// `(dx, dγ, dβ)`.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    x: FlexTensor,
    gamma: FlexTensor,
    beta: FlexTensor,
    stats: FlexTensor,
    epsilon: f64,
    relu: bool,
    grad: FlexTensor,
) -> (FlexTensor, FlexTensor, FlexTensor) {
    let d = dims(&x);
    let shape = x.layout().shape().clone();
    let (dx, dgamma, dbeta) = with_norm(&gamma, &beta, &stats, epsilon, relu, |n| {
        with_f32(&x, |xs| {
            with_f32(&grad, |gs| kernels::backward(xs, gs, d, n))
        })
    });
    (
        f32_tensor(dx, shape),
        f32_tensor(dgamma, [d.channels]),
        f32_tensor(dbeta, [d.channels]),
    )
}
