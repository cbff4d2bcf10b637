//! `seg_upernet`: UPerNet segmentation head (mmseg `UPerHead`) as Pangaea's `SegUPerNet` uses it,
//! with the `Feature2Pyramid` neck for single-scale encoders (see README.md).

mod config;
mod model;

pub use config::UPerNetConfig;
pub use model::{PpmBranch, UPerNet};

use eobench_core::component::{
    ComponentError, Decoder, DecoderContext, ModuleDecoder, parse_config,
};

/// The factory the registry calls: parse, validate against the encoder, build.
pub fn build(
    value: &serde_json::Value,
    ctx: &DecoderContext,
) -> Result<Box<dyn Decoder>, ComponentError> {
    let cfg: UPerNetConfig = parse_config("decoder", "seg_upernet", value)?;
    let model = UPerNet::new(&cfg, ctx)?;
    Ok(Box::new(ModuleDecoder::new(
        "seg_upernet",
        ctx.num_classes,
        model,
    )))
}

eobench_registry::register_decoder!(
    "seg_upernet",
    "UPerNet head (PPM + FPN; Feature2Pyramid neck for single-scale encoders) for segmentation",
    build
);

#[cfg(test)]
mod tests;
