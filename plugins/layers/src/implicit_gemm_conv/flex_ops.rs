//! The three convolution passes on burn-flex tensors: the forward pass is
//! [`super::forward::forward`], the input gradient is that forward pass over the output gradient
//! with the flipped, transposed kernel, and the weight gradient is
//! [`super::kernels::weight_grad`], all on the raw f32 slices. Anything not covered (non-f32
//! dtypes, shapes [`PlaneGeometry`] rejects) goes to burn-flex's own ops.

use super::forward::{self, Epilogue};
use super::geometry::PlaneGeometry;
use super::kernels;
use crate::flex_slices::{f32_tensor, with_f32};
use eobench_core::burn::backend::flex::FlexTensor;
use eobench_core::burn::backend::ops::{ActivationOps, ModuleOps};
use eobench_core::burn::backend::tensor::FloatTensor;
use eobench_core::burn::backend::{Backend, Flex, TensorMetadata};
use eobench_core::burn::tensor::ops::ConvOptions;
use eobench_core::burn::tensor::{DType, Shape};

/// The kernels' geometry for `x ⋆ w` under `options`, when they cover it.
pub fn geometry(x: &FlexTensor, w: &FlexTensor, options: &ConvOptions<2>) -> Option<PlaneGeometry> {
    let covered = options.stride == [1, 1]
        && options.groups == 1
        && x.dtype() == DType::F32
        && w.dtype() == DType::F32;
    if !covered {
        return None;
    }
    PlaneGeometry::new(
        x.layout().shape().dims::<4>(),
        w.layout().shape().dims::<4>(),
        options.dilation,
        options.padding[0],
        options.padding[1],
    )
}

/// Convolution without bias.
pub fn forward(x: FlexTensor, w: FlexTensor, options: ConvOptions<2>) -> FlexTensor {
    forward_affine(x, w, None, options, false)
}

/// `act(conv(x, w)·scale + shift)` per output channel, `act` = ReLU when `relu`, the affine map
/// and ReLU fused into the pass that writes the output.
pub fn forward_affine(
    x: FlexTensor,
    w: FlexTensor,
    affine: Option<(FlexTensor, FlexTensor)>,
    options: ConvOptions<2>,
    relu: bool,
) -> FlexTensor {
    let f32_affine = affine
        .as_ref()
        .is_none_or(|(a, b)| a.dtype() == DType::F32 && b.dtype() == DType::F32);
    let Some(g) = geometry(&x, &w, &options).filter(|_| f32_affine) else {
        return unfused_affine(x, w, affine, options, relu);
    };
    let y = with_f32(&x, |xs| {
        with_f32(&w, |ws| match &affine {
            Some((scale, shift)) => with_f32(scale, |a| {
                with_f32(shift, |b| {
                    let epilogue = Epilogue {
                        affine: Some((a, b)),
                        relu,
                    };
                    forward::forward(xs, ws, &g, epilogue)
                })
            }),
            None => forward::forward(xs, ws, &g, Epilogue { affine: None, relu }),
        })
    });
    f32_tensor(y, [g.batch, g.c_out, g.h_out(), g.w_out()])
}

/// [`forward_affine`] out of burn-flex ops, for what the kernels do not cover.
fn unfused_affine(
    x: FlexTensor,
    w: FlexTensor,
    affine: Option<(FlexTensor, FlexTensor)>,
    options: ConvOptions<2>,
    relu: bool,
) -> FlexTensor {
    let y = <Flex as ModuleOps<Flex>>::conv2d(x, w, None, options);
    match affine {
        Some((scale, shift)) => affine_then_relu::<Flex>(y, scale, shift, relu),
        None if relu => <Flex as ActivationOps<Flex>>::relu(y),
        None => y,
    }
}

/// `relu?(y·scale + shift)` per channel of `y (batch, channels, h, w)` as the backend's own ops:
/// the unfused fallback on burn-flex, the differentiable composition on autodiff.
pub fn affine_then_relu<B: Backend>(
    y: FloatTensor<B>,
    scale: FloatTensor<B>,
    shift: FloatTensor<B>,
    relu: bool,
) -> FloatTensor<B> {
    let per_channel = |t: FloatTensor<B>| {
        let c = t.shape()[0];
        B::float_reshape(t, Shape::new([1, c, 1, 1]))
    };
    let y = B::float_add(B::float_mul(y, per_channel(scale)), per_channel(shift));
    if relu { B::relu(y) } else { y }
}

/// Gradient with respect to the input.
pub fn input_grad(
    x: FlexTensor,
    w: FlexTensor,
    dy: FlexTensor,
    options: ConvOptions<2>,
) -> FlexTensor {
    let transposed = geometry(&x, &w, &options)
        .filter(|_| dy.dtype() == DType::F32)
        .and_then(|g| Some((g, kernels::transposed_geometry(&g)?)));
    let Some((g, gt)) = transposed else {
        return <Flex as ModuleOps<Flex>>::conv2d_x_backward(x, w, dy, options);
    };
    let wt = with_f32(&w, |ws| kernels::flipped_transposed(ws, &g));
    let options_t = ConvOptions::new_with_padding([1, 1], [gt.pad_h, gt.pad_w], g.dilation, 1);
    forward(dy, f32_tensor(wt, [g.c_in, g.c_out, g.kh, g.kw]), options_t)
}

/// Gradient with respect to the weight.
pub fn weight_grad(
    x: FlexTensor,
    w: FlexTensor,
    dy: FlexTensor,
    options: ConvOptions<2>,
) -> FlexTensor {
    let Some(g) = geometry(&x, &w, &options).filter(|_| dy.dtype() == DType::F32) else {
        return <Flex as ModuleOps<Flex>>::conv2d_weight_backward(x, w, dy, options);
    };
    let dw = with_f32(&x, |xs| {
        with_f32(&dy, |dys| kernels::weight_grad(xs, dys, &g))
    });
    f32_tensor(dw, [g.c_out, g.c_in, g.kh, g.kw])
}
