use crate::gelu;
use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::conv::{Conv2d, Conv2dConfig};
use eobench_core::burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use eobench_core::burn::tensor::activation::relu;
use eobench_core::burn::tensor::{Device, Tensor};
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
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let y = crate::implicit_gemm_conv::conv2d_module(&self.conv, x);
        self.act.forward(self.bn.forward(y))
    }
}
