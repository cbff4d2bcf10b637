//! `seg_fcn`: the FCN head of the sig-gis Pangaea fork (mmseg `FCNHead` with BatchNorm and
//! GELU) on the encoder's last feature map (see README.md).

mod config;
mod model;

pub use config::{FcnConfig, InterpMethod};
pub use model::{FcnHead, pixel_shuffle_factor};

use eobench_core::component::{
    ComponentError, Decoder, DecoderContext, ModuleDecoder, parse_config,
};

/// The factory the registry calls: parse, validate against the encoder, build.
pub fn build(
    value: &serde_json::Value,
    ctx: &DecoderContext,
) -> Result<Box<dyn Decoder>, ComponentError> {
    let cfg: FcnConfig = parse_config("decoder", "seg_fcn", value)?;
    let model = FcnHead::new(&cfg, ctx)?;
    Ok(Box::new(ModuleDecoder::new(
        "seg_fcn",
        ctx.num_classes,
        model,
    )))
}

eobench_registry::register_decoder!(
    "seg_fcn",
    "FCN head (conv-BN-GELU stack + input concat + 1x1 classifier) on the last feature map",
    build
);

#[cfg(test)]
mod tests;
