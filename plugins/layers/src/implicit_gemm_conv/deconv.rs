//! Transposed convolutions whose kernel equals their stride (Feature2Pyramid's 2×2 / stride-2
//! upsampling) as a 1×1 convolution through [`super::conv2d`] followed by a pixel shuffle.
//!
//! Why: with kernel = stride and no padding, every input pixel writes its own `s × s` output
//! block, so the layer is one matrix product `(c_out·s², c_in) · x` and a rearrangement. burn's
//! `conv_transpose2d` backward is backend-generic (its weight gradient is one narrow product per
//! input channel, like the convolution weight gradient [`super`] replaces) and was ~9 % of a
//! ViT-B + UPerNet frozen step in `perf`. The 1×1 path reuses the implicit-GEMM backward;
//! parameters and checkpoint keys stay those of burn's `ConvTranspose2d`.

use super::uses_implicit_gemm;
use eobench_core::burn::nn::conv::ConvTranspose2d;
use eobench_core::burn::tensor::Tensor;
use eobench_core::burn::tensor::ops::ConvOptions;

/// True when `deconv` has the kernel = stride shape the 1×1 path covers.
pub fn is_pixel_shuffle_deconv(deconv: &ConvTranspose2d) -> bool {
    deconv.kernel_size == deconv.stride
        && deconv.padding == [0, 0]
        && deconv.padding_out == [0, 0]
        && deconv.dilation == [1, 1]
        && deconv.groups == 1
}

/// `deconv.forward(x)`, as a 1×1 convolution plus pixel shuffle when [`is_pixel_shuffle_deconv`]
/// holds and the input takes the implicit-GEMM path; otherwise burn's transposed convolution.
pub fn conv_transpose2d_module(deconv: &ConvTranspose2d, x: Tensor<4>) -> Tensor<4> {
    let options = ConvOptions::new([1, 1], [0, 0], [1, 1], 1);
    if !is_pixel_shuffle_deconv(deconv) || !uses_implicit_gemm(&x, &options) {
        return deconv.forward(x);
    }
    let [sh, sw] = deconv.stride;
    let [c_in, c_out, _, _] = deconv.weight.dims();
    let [batch, _, h, w] = x.dims();
    // (c_in, c_out, sh, sw) → (c_out·sh·sw, c_in, 1, 1): output channel (co, dy, dx).
    let weight = deconv
        .weight
        .val()
        .permute([1, 2, 3, 0])
        .reshape([c_out * sh * sw, c_in, 1, 1]);
    let blocks = super::conv2d(x, weight, None, options);
    // (b, co, dy, dx, i, j) → (b, co, i, dy, j, dx): pixel (i·sh + dy, j·sw + dx).
    let y = blocks
        .reshape([batch, c_out, sh, sw, h, w])
        .permute([0, 1, 4, 2, 5, 3])
        .reshape([batch, c_out, h * sh, w * sw]);
    match &deconv.bias {
        Some(bias) => y + bias.val().reshape([1, c_out, 1, 1]),
        None => y,
    }
}
