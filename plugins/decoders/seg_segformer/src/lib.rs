//! `seg_segformer`: SegFormer's all-MLP head over a 4-level pyramid (see README.md).

use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::conv::{Conv2d, Conv2dConfig};
use eobench_core::burn::tensor::Tensor;
use eobench_core::component::{
    ComponentError, Decoder, DecoderContext, DecoderModel, ModuleDecoder, parse_config,
};
use eobench_layers::{Activation, ConvBnAct, Dropout2d, Feature2Pyramid, resize_bilinear};
use serde::Deserialize;

/// `configs/decoder/seg_segformer.yaml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SegformerConfig {
    /// Width of every per-level projection and of the fusion.
    pub channels: usize,
    /// Channel dropout before the classifier (training only).
    pub dropout: f64,
}

impl Default for SegformerConfig {
    fn default() -> Self {
        Self {
            channels: 512,
            dropout: 0.1,
        }
    }
}

/// Optional neck → per-level 1×1 projections → resize + concat → fusion → classifier.
#[derive(Module, Debug)]
pub struct SegformerHead {
    /// For single-scale encoders: the last map ×4 → ×4, ×2, ×1, ×0.5.
    pub neck: Option<Feature2Pyramid>,
    /// 1×1 ConvBnAct per level.
    pub linear_c: Vec<ConvBnAct>,
    /// 1×1 ConvBnAct over the concatenated levels.
    pub fusion: ConvBnAct,
    /// Channel dropout.
    pub dropout: Dropout2d,
    /// 1×1 classifier.
    pub conv_seg: Conv2d,
}

/// Number of levels the neck makes from a single-scale encoder's last map.
const LEVELS: usize = 4;

impl SegformerHead {
    /// Builds the head for the encoder in `ctx`.
    pub fn new(cfg: &SegformerConfig, ctx: &DecoderContext) -> Result<Self, ComponentError> {
        let bad = |message: String| ComponentError::Config {
            component: "decoder 'seg_segformer'".into(),
            message,
        };
        if cfg.channels == 0 {
            return Err(bad("channels must be positive".into()));
        }
        if !(0.0..1.0).contains(&cfg.dropout) {
            return Err(bad(format!("dropout {} must be in [0, 1)", cfg.dropout)));
        }
        if ctx.num_classes == 0 {
            return Err(bad("num_classes is 0".into()));
        }
        let enc = ctx.encoder;
        let last = *enc
            .output_dims
            .last()
            .ok_or_else(|| ComponentError::Shape {
                component: "decoder 'seg_segformer'".into(),
                message: format!("encoder '{}' declares no output maps", enc.name),
            })?;
        let single_scale = enc.output_strides.windows(2).all(|w| w[0] == w[1]);
        let (neck, dims) = if single_scale {
            let dims = vec![last; LEVELS];
            (Some(Feature2Pyramid::new(&dims, ctx.device)), dims)
        } else {
            (None, enc.output_dims.clone())
        };
        let (c, relu, device) = (cfg.channels, Activation::Relu, ctx.device);
        Ok(Self {
            neck,
            linear_c: dims
                .iter()
                .map(|&d| ConvBnAct::new(d, c, 1, relu, device))
                .collect(),
            fusion: ConvBnAct::new(dims.len() * c, c, 1, relu, device),
            dropout: Dropout2d::new(cfg.dropout),
            conv_seg: Conv2dConfig::new([c, ctx.num_classes], [1, 1]).init(device),
        })
    }
}

impl DecoderModel for SegformerHead {
    fn forward(&self, features: Vec<Tensor<4>>, output_size: [usize; 2]) -> Tensor<4> {
        let maps = match &self.neck {
            Some(neck) => {
                let last = features.last().expect("at least one map").clone();
                neck.forward(vec![last; LEVELS])
            }
            None => features,
        };
        let [_, _, h, w] = maps[0].dims();
        let projected = maps
            .into_iter()
            .zip(&self.linear_c)
            .map(|(x, proj)| resize_bilinear(proj.forward(x), [h, w]))
            .collect();
        let fused = self.fusion.forward(Tensor::cat(projected, 1));
        let logits = self.conv_seg.forward(self.dropout.forward(fused));
        resize_bilinear(logits, output_size)
    }
}

/// The factory the registry calls.
pub fn build(
    value: &serde_json::Value,
    ctx: &DecoderContext,
) -> Result<Box<dyn Decoder>, ComponentError> {
    let cfg: SegformerConfig = parse_config("decoder", "seg_segformer", value)?;
    Ok(Box::new(ModuleDecoder::new(
        "seg_segformer",
        ctx.num_classes,
        SegformerHead::new(&cfg, ctx)?,
    )))
}

eobench_registry::register_decoder!(
    "seg_segformer",
    "SegFormer all-MLP head (last map x4 through Feature2Pyramid for ViTs; 1x1 projections, fusion)",
    build
);

#[cfg(test)]
mod tests;
