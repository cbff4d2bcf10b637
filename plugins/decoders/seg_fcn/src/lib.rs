//! `seg_fcn`: the FCN head (sig-gis Pangaea / mmseg `FCNHead`) on the last encoder feature map
//! (see README.md).

use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::conv::{Conv2d, Conv2dConfig};
use eobench_core::burn::tensor::Tensor;
use eobench_core::component::{
    ComponentError, Decoder, DecoderContext, DecoderModel, ModuleDecoder, parse_config,
};
use eobench_layers::{Activation, ConvBnAct, Dropout2d, resize_bilinear};
use serde::Deserialize;

/// `configs/decoder/seg_fcn.yaml`. Defaults are the fork's.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FcnConfig {
    /// Width of the 3×3 convs.
    pub channels: usize,
    /// Number of 3×3 ConvBnAct layers.
    pub num_convs: usize,
    /// Concatenate the input map with the conv output before `conv_cat`.
    pub concat_input: bool,
    /// Channel dropout before the classifier.
    pub dropout: f64,
}

impl Default for FcnConfig {
    fn default() -> Self {
        Self {
            channels: 512,
            num_convs: 4,
            concat_input: true,
            dropout: 0.1,
        }
    }
}

/// Convs → optional concat + `conv_cat` → Dropout2d → `conv_seg` → bilinear resize.
#[derive(Module, Debug)]
pub struct FcnHead {
    /// The 3×3 ConvBnAct stack.
    pub convs: Vec<ConvBnAct>,
    /// 3×3 ConvBnAct over [input, convs(input)] when `concat_input`.
    pub conv_cat: Option<ConvBnAct>,
    /// Channel dropout.
    pub dropout: Dropout2d,
    /// 1×1 classifier.
    pub conv_seg: Conv2d,
}

impl FcnHead {
    /// Builds the head over the encoder's last map.
    pub fn new(cfg: &FcnConfig, ctx: &DecoderContext) -> Result<Self, ComponentError> {
        let bad = |message: String| ComponentError::Config {
            component: "decoder 'seg_fcn'".into(),
            message,
        };
        if cfg.channels == 0 {
            return Err(bad("channels must be positive".into()));
        }
        if cfg.num_convs == 0 && cfg.channels_differ_from_input(ctx) {
            return Err(bad(
                "num_convs 0 keeps the encoder's width, so channels must equal it".into(),
            ));
        }
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
                component: "decoder 'seg_fcn'".into(),
                message: format!("encoder '{}' declares no output maps", ctx.encoder.name),
            })?;
        let (c, gelu, device) = (cfg.channels, Activation::Gelu, ctx.device);
        let convs = (0..cfg.num_convs)
            .map(|i| ConvBnAct::new(if i == 0 { last } else { c }, c, 3, gelu, device))
            .collect();
        Ok(Self {
            convs,
            conv_cat: cfg
                .concat_input
                .then(|| ConvBnAct::new(last + c, c, 3, gelu, device)),
            dropout: Dropout2d::new(cfg.dropout),
            conv_seg: Conv2dConfig::new([c, ctx.num_classes], [1, 1]).init(device),
        })
    }
}

impl FcnConfig {
    fn channels_differ_from_input(&self, ctx: &DecoderContext) -> bool {
        ctx.encoder.output_dims.last() != Some(&self.channels)
    }
}

impl DecoderModel for FcnHead {
    fn forward(&self, mut features: Vec<Tensor<4>>, output_size: [usize; 2]) -> Tensor<4> {
        let x = features
            .pop()
            .expect("the encoder returns at least one map");
        let mut out = x.clone();
        for conv in &self.convs {
            out = conv.forward(out);
        }
        if let Some(cat) = &self.conv_cat {
            out = cat.forward(Tensor::cat(vec![x, out], 1));
        }
        let logits = self.conv_seg.forward(self.dropout.forward(out));
        resize_bilinear(logits, output_size)
    }
}

/// The factory the registry calls.
pub fn build(
    value: &serde_json::Value,
    ctx: &DecoderContext,
) -> Result<Box<dyn Decoder>, ComponentError> {
    let cfg: FcnConfig = parse_config("decoder", "seg_fcn", value)?;
    Ok(Box::new(ModuleDecoder::new(
        "seg_fcn",
        ctx.num_classes,
        FcnHead::new(&cfg, ctx)?,
    )))
}

eobench_registry::register_decoder!(
    "seg_fcn",
    "FCN head (3x3 conv-BN-GELU stack + concat + 1x1 classifier) on the last feature map",
    build
);

#[cfg(test)]
mod tests;
