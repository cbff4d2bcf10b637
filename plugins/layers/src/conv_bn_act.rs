use crate::batch_norm;
use crate::gelu;
use crate::implicit_gemm_conv;
use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::conv::{Conv2d, Conv2dConfig};
use eobench_core::burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use eobench_core::burn::tensor::activation::relu;
use eobench_core::burn::tensor::{DType, Device, Tensor};
use serde::Deserialize;

/// The activation after a [`ConvBnAct`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `max(0, x)` — mmcv `ConvModule`'s default (UPerNet, UNet).
    #[default]
    Relu,
    /// Exact GELU — Segformer / sig-gis FCN heads.
    Gelu,
}

impl Activation {
    /// Applies the activation.
    pub fn forward<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::Relu => relu(x),
            Activation::Gelu => gelu(x),
        }
    }
}

/// Conv2d (stride 1, "same" padding k/2, bias) → BatchNorm2d → activation: mmcv's `ConvModule`
/// as Pangaea's heads configure it.
///
/// The conv keeps its bias even though BN follows (Pangaea builds its ConvModules with
/// `bias=True`, unlike mmseg's default `bias="auto"`); parameter counts therefore match Pangaea.
/// BatchNorm replaces Pangaea's `SyncBatchNorm` (same maths on one process).
#[derive(Module, Debug)]
pub struct ConvBnAct {
    /// The convolution.
    pub conv: Conv2d,
    /// Batch normalisation over the conv's output channels.
    pub bn: BatchNorm,
    /// The activation.
    #[module(skip)]
    pub act: Activation,
}

impl ConvBnAct {
    /// A `kernel×kernel` ConvBnAct from `in_channels` to `out_channels`, padded by `kernel / 2`.
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        act: Activation,
        device: &Device,
    ) -> Self {
        let p = kernel / 2;
        let conv = Conv2dConfig::new([in_channels, out_channels], [kernel, kernel])
            .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
            .init(device);
        Self {
            conv,
            bn: BatchNormConfig::new(out_channels).init(device),
            act,
        }
    }

    /// A `kernel×kernel` ConvBnAct whose conv has **no bias** (mmcv's `bias="auto"` before a
    /// norm, timm's `ConvNormAct` default — the sig-gis FCN and SegFormer heads), dilated by
    /// `dilation` and padded by `(kernel / 2)·dilation`.
    pub fn unbiased(
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        dilation: usize,
        act: Activation,
        device: &Device,
    ) -> Self {
        let p = (kernel / 2) * dilation;
        let conv = Conv2dConfig::new([in_channels, out_channels], [kernel, kernel])
            .with_dilation([dilation, dilation])
            .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
            .with_bias(false)
            .init(device);
        Self {
            conv,
            bn: BatchNormConfig::new(out_channels).init(device),
            act,
        }
    }

    /// (B, C_in, H, W) → (B, C_out, H, W). The conv runs through
    /// [`crate::implicit_gemm_conv::conv2d_module`] (faster forward and backward passes on the CPU
    /// backend).
    ///
    /// When the batch norm uses its running statistics (inference, or a frozen layer) and the
    /// input is f32, the conv bias and the norm become one per-channel affine map
    /// `v·s + (b − mean)·s + β`, `s = γ / √(var + ε)` (the same function up to float rounding),
    /// which the CPU backend applies together with ReLU in the pass that writes the conv output:
    /// one pass over the output map instead of four (bias add, normalisation, ReLU on one thread).
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let running_stats = !(x.device().is_autodiff() && self.bn.training.is_enabled());
        match implicit_gemm_conv::module_options(&self.conv) {
            Some(options) if running_stats && matches!(x.dtype(), DType::F32 | DType::BF16) => {
                let (scale, shift) = self.folded_affine();
                let relu = self.act == Activation::Relu;
                let weight = self.conv.weight.val();
                let y = implicit_gemm_conv::conv2d_channel_affine(
                    x, weight, scale, shift, options, relu,
                );
                if relu { y } else { self.act.forward(y) }
            }
            // Training mode (or a dtype the fold skips): the batch norm and ReLU fused on the
            // CPU backend, burn's BatchNorm elsewhere.
            _ => {
                let y = implicit_gemm_conv::conv2d_module(&self.conv, x);
                match self.act {
                    Activation::Relu => batch_norm::train_forward(&self.bn, y, true),
                    Activation::Gelu => gelu(batch_norm::train_forward(&self.bn, y, false)),
                }
            }
        }
    }

    /// The conv bias and the batch norm (running statistics, affine) as one per-channel
    /// `(scale, shift)`.
    fn folded_affine(&self) -> (Tensor<1>, Tensor<1>) {
        let device = self.bn.gamma.device();
        let mean = self.bn.running_mean.value().to_device(&device);
        let var = self.bn.running_var.value().to_device(&device);
        let scale = self.bn.gamma.val() / (var + self.bn.epsilon).sqrt();
        let centred = match &self.conv.bias {
            Some(b) => b.val() - mean,
            None => -mean,
        };
        let shift = centred * scale.clone() + self.bn.beta.val();
        (scale, shift)
    }
}
