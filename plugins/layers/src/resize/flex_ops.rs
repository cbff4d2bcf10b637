//! The resize and its gradient on burn-flex tensors: f32 goes to [`super::kernels`], anything
//! else to burn-flex's own `interpolate`.

use super::kernels::{self, PlaneResampling};
use crate::flex_slices::{f32_tensor, with_f32};
use eobench_core::burn::backend::Flex;
use eobench_core::burn::backend::flex::FlexTensor;
use eobench_core::burn::backend::ops::ModuleOps;
use eobench_core::burn::tensor::DType;
use eobench_core::burn::tensor::ops::{InterpolateMode, InterpolateOptions};

/// The options this module implements: bilinear, half-pixel centres.
pub fn bilinear_options() -> InterpolateOptions {
    InterpolateOptions::new(InterpolateMode::Bilinear).with_align_corners(false)
}

/// Bilinear resize of a (B, C, H, W) tensor to `size`.
pub fn forward(x: FlexTensor, size: [usize; 2]) -> FlexTensor {
    let [b, c, h, w] = x.layout().shape().dims::<4>();
    if x.dtype() != DType::F32 || h == 0 || w == 0 {
        return <Flex as ModuleOps<Flex>>::interpolate(x, size, bilinear_options());
    }
    let y = with_f32(&x, |xs| {
        kernels::resize_forward(xs, b * c, &PlaneResampling::new([h, w], size))
    });
    f32_tensor(y, [b, c, size[0], size[1]])
}

/// Gradient with respect to the input of shape `input_dims`, from the output gradient.
pub fn backward(grad: FlexTensor, input_dims: [usize; 4]) -> FlexTensor {
    let [b, c, h, w] = input_dims;
    let [_, _, out_h, out_w] = grad.layout().shape().dims::<4>();
    debug_assert_eq!(grad.dtype(), DType::F32, "the forward pass ran in f32");
    let dx = with_f32(&grad, |gs| {
        kernels::resize_backward(gs, b * c, &PlaneResampling::new([h, w], [out_h, out_w]))
    });
    f32_tensor(dx, input_dims)
}
