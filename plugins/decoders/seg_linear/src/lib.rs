//! `seg_linear`: a per-token linear classifier on the last encoder feature map (the linear
//! probe; see README.md).

use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::conv::{Conv2d, Conv2dConfig};
use eobench_core::burn::nn::{Dropout, DropoutConfig, Initializer};
use eobench_core::burn::tensor::Tensor;
use eobench_core::component::{
    ComponentError, Decoder, DecoderContext, DecoderModel, ModuleDecoder, parse_config,
};
use eobench_layers::resize_bilinear;
use serde::Deserialize;

/// `configs/decoder/seg_linear.yaml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinearConfig {
    /// Dropout on the features before the classifier.
    pub dropout: f64,
}

impl Default for LinearConfig {
    fn default() -> Self {
        Self { dropout: 0.0 }
    }
}

/// Dropout → 1×1 conv (= a Linear over channels for every token) → bilinear resize.
#[derive(Module, Debug)]
pub struct LinearHead {
    /// Feature dropout.
    pub dropout: Dropout,
    /// The classifier, C_last → K.
    pub conv_seg: Conv2d,
}

impl LinearHead {
    /// Builds the head over the encoder's last map.
    pub fn new(cfg: &LinearConfig, ctx: &DecoderContext) -> Result<Self, ComponentError> {
        let bad = |message: String| ComponentError::Config {
            component: "decoder 'seg_linear'".into(),
            message,
        };
        if !(0.0..1.0).contains(&cfg.dropout) {
            return Err(bad(format!("dropout {} must be in [0, 1)", cfg.dropout)));
        }
        if ctx.num_classes == 0 {
            return Err(bad("num_classes is 0".into()));
        }
        let last = *ctx
            .encoder
            .output_dims
            .last()
            .ok_or_else(|| ComponentError::Shape {
                component: "decoder 'seg_linear'".into(),
                message: format!("encoder '{}' declares no output maps", ctx.encoder.name),
            })?;
        Ok(Self {
            dropout: DropoutConfig::new(cfg.dropout).init(),
            conv_seg: Conv2dConfig::new([last, ctx.num_classes], [1, 1])
                .with_initializer(Initializer::Normal {
                    mean: 0.0,
                    std: 0.02,
                })
                .init(ctx.device),
        })
    }
}

impl DecoderModel for LinearHead {
    fn forward(&self, mut features: Vec<Tensor<4>>, output_size: [usize; 2]) -> Tensor<4> {
        let last = features
            .pop()
            .expect("the encoder returns at least one map");
        let logits = self.conv_seg.forward(self.dropout.forward(last));
        resize_bilinear(logits, output_size)
    }
}

/// The factory the registry calls.
pub fn build(
    value: &serde_json::Value,
    ctx: &DecoderContext,
) -> Result<Box<dyn Decoder>, ComponentError> {
    let cfg: LinearConfig = parse_config("decoder", "seg_linear", value)?;
    let mut head = LinearHead::new(&cfg, ctx)?;
    // timm-style head init: zero bias.
    if let Some(bias) = head.conv_seg.bias.take() {
        head.conv_seg.bias = Some(bias.map(|b| b.zeros_like()));
    }
    Ok(Box::new(ModuleDecoder::new(
        "seg_linear",
        ctx.num_classes,
        head,
    )))
}

eobench_registry::register_decoder!(
    "seg_linear",
    "Linear probe head: per-token Linear on the last feature map + bilinear upsampling",
    build
);

#[cfg(test)]
mod tests;
