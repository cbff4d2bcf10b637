//! Stride-1 convolutions as implicit GEMMs on the CPU (burn-flex) backend.
//!
//! UPerNet, FCN and UNet heads spend most of a training step in 3×3 and 1×1 stride-1
//! convolutions. burn-flex runs their forward pass at ~0.7× and their backward pass (burn's
//! backend-generic `conv2d_weight_backward`) at ~0.3× PyTorch
//! (`cargo bench -p eobench-layers --bench conv`). [`conv2d`] replaces all three passes with
//! matrix products over zero-padded planes, read in place with no im2col buffer
//! ([`geometry`]): the forward pass is one product per (image, kernel tap), the input gradient
//! is that forward pass over the output gradient with the flipped kernel, and the weight
//! gradient is one product per (image, tap, block of output channels). 3×3 kernels with enough
//! channels and output take Winograd's F(4×4, 3×3) instead for all three passes ([`winograd`]:
//! 4× fewer flops in the products). Every other case —
//! strides, groups, dtypes other than f32 and bf16, non-flex devices (CUDA) — runs burn's
//! `conv2d` unchanged.
//!
//! [`conv_transpose2d_module`] does the same for transposed convolutions whose kernel equals
//! their stride (Feature2Pyramid's ×2 upsampling): a 1×1 convolution plus pixel shuffle.
//!
//! [`conv2d_module`] is the drop-in for `burn::nn::conv::Conv2d::forward`: same parameters and
//! checkpoint keys, so loading weights is unaffected.

mod deconv;
mod extension;
mod flex_ops;
mod forward;
mod geometry;
mod kernels;
mod matmul;
mod winograd;

pub use deconv::{conv_transpose2d_module, is_pixel_shuffle_deconv};
pub use extension::ImplicitGemmConvBackend;
pub use geometry::PlaneGeometry;
pub use winograd::winograd_enabled;

use crate::cast::cast;
use eobench_core::burn::backend::{Dispatch, DispatchDevice};
use eobench_core::burn::nn::PaddingConfig2d;
use eobench_core::burn::nn::conv::Conv2d;
use eobench_core::burn::tensor::ops::ConvOptions;
use eobench_core::burn::tensor::{DType, Tensor, module};

/// `EOBENCH_IMPLICIT_GEMM_CONV=0` sends every convolution through burn's `conv2d`, to compare
/// the two paths end to end (read once per process).
pub fn implicit_gemm_enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("EOBENCH_IMPLICIT_GEMM_CONV").is_none_or(|v| v != "0"))
}

/// True when [`conv2d`] takes the implicit-GEMM path for this input and these options.
pub fn uses_implicit_gemm(x: &Tensor<4>, options: &ConvOptions<2>) -> bool {
    implicit_gemm_enabled()
        && options.stride == [1, 1]
        && options.groups == 1
        && matches!(x.dtype(), DType::F32 | DType::BF16)
        && matches!(x.device().inner().as_dispatch(), DispatchDevice::Flex(_))
}

/// `burn::tensor::module::conv2d` with the implicit-GEMM path for stride-1, ungrouped f32
/// and bf16 convolutions on the CPU backend (see the module docs).
///
/// bf16 tensors are converted to f32 around the f32 path: burn-flex has no bf16 matrix product,
/// and its own bf16 convolution converts to f32 as well, so the products, their f32
/// accumulation and the final rounding to bf16 are the same, only faster
/// (`precision=bf16` runs, `tools/bench/README.md`).
pub fn conv2d(
    x: Tensor<4>,
    weight: Tensor<4>,
    bias: Option<Tensor<1>>,
    options: ConvOptions<2>,
) -> Tensor<4> {
    if !uses_implicit_gemm(&x, &options) {
        return module::conv2d(x, weight, bias, options);
    }
    let dtype = x.dtype();
    if dtype != DType::F32 {
        let y = conv2d(
            cast(x, DType::F32),
            cast(weight, DType::F32),
            bias.map(|b| cast(b, DType::F32)),
            options,
        );
        return cast(y, dtype);
    }
    let out = Tensor::from_dispatch(<Dispatch as ImplicitGemmConvBackend>::implicit_gemm_conv2d(
        x.into_dispatch(),
        weight.into_dispatch(),
        options,
    ));
    match bias {
        Some(bias) => {
            let c_out = bias.dims()[0];
            out + bias.reshape([1, c_out, 1, 1])
        }
        None => out,
    }
}

/// `act(conv2d(x, weight, None, options)·scale + shift)` with per-output-channel `scale` and
/// `shift` (`[c_out]`) and `act` = ReLU when `relu`, else the identity: a convolution whose
/// batch norm is folded into an affine map. On the implicit-GEMM path with nothing to
/// differentiate, the affine map and ReLU are applied in the pass that writes the output
/// instead of as separate passes over the map.
pub fn conv2d_channel_affine(
    x: Tensor<4>,
    weight: Tensor<4>,
    scale: Tensor<1>,
    shift: Tensor<1>,
    options: ConvOptions<2>,
    relu: bool,
) -> Tensor<4> {
    let dtype = x.dtype();
    if dtype == DType::BF16 && uses_implicit_gemm(&x, &options) {
        // As `conv2d`: computed in f32, rounded to bf16 once at the end.
        let y = conv2d_channel_affine(
            cast(x, DType::F32),
            cast(weight, DType::F32),
            cast(scale, DType::F32),
            cast(shift, DType::F32),
            options,
            relu,
        );
        return cast(y, dtype);
    }
    if !uses_implicit_gemm(&x, &options) || dtype != DType::F32 {
        let y = module::conv2d(x, weight, None, options);
        return Tensor::from_dispatch(flex_ops::affine_then_relu::<Dispatch>(
            y.into_dispatch(),
            scale.into_dispatch(),
            shift.into_dispatch(),
            relu,
        ));
    }
    Tensor::from_dispatch(
        <Dispatch as ImplicitGemmConvBackend>::implicit_gemm_conv2d_affine(
            x.into_dispatch(),
            weight.into_dispatch(),
            scale.into_dispatch(),
            shift.into_dispatch(),
            options,
            relu,
        ),
    )
}

/// `conv.forward(x)` through [`conv2d`].
pub fn conv2d_module(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    match module_options(conv) {
        Some(options) => conv2d(
            x,
            conv.weight.val(),
            conv.bias.as_ref().map(|b| b.val()),
            options,
        ),
        // burn resolves "same" padding privately; let it.
        None => conv.forward(x),
    }
}

/// The `ConvOptions` a `Conv2d` module runs with; `None` for "same" padding, which burn
/// resolves privately from the input size.
pub fn module_options(conv: &Conv2d) -> Option<ConvOptions<2>> {
    let (pad_h, pad_w) = match conv.padding {
        PaddingConfig2d::Valid => ((0, 0), (0, 0)),
        PaddingConfig2d::Explicit(top, left, bottom, right) => ((top, bottom), (left, right)),
        PaddingConfig2d::Same => return None,
    };
    Some(ConvOptions::new_with_padding(
        conv.stride,
        [pad_h, pad_w],
        conv.dilation,
        conv.groups,
    ))
}

#[cfg(test)]
mod tests;
