//! `seg_segformer`: SegFormer's all-MLP head as the sig-gis Pangaea fork uses it (`SegFormerHead`,
//! after mmseg `SegformerHead`), with the shared `Feature2Pyramid` neck for single-scale encoders
//! (see README.md).

mod config;
mod model;

pub use config::{PyramidStrategy, SegformerConfig};
pub use model::{HEAD_ONLY_LEVELS, SegformerHead};

use eobench_core::component::{
    ComponentError, Decoder, DecoderContext, ModuleDecoder, parse_config,
};

/// The factory the registry calls: parse, validate against the encoder, build.
pub fn build(
    value: &serde_json::Value,
    ctx: &DecoderContext,
) -> Result<Box<dyn Decoder>, ComponentError> {
    let cfg: SegformerConfig = parse_config("decoder", "seg_segformer", value)?;
    let model = SegformerHead::new(&cfg, ctx)?;
    Ok(Box::new(ModuleDecoder::new(
        "seg_segformer",
        ctx.num_classes,
        model,
    )))
}

eobench_registry::register_decoder!(
    "seg_segformer",
    "SegFormer all-MLP head (ViTs: last map x4 through Feature2Pyramid; 1x1 projections, concat, fusion)",
    build
);

#[cfg(test)]
mod tests;
