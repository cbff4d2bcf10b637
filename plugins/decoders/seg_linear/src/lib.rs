//! `seg_linear`: a per-token linear classifier on the encoder's last feature map, the head of
//! `protocol=linear_probe` (sig-gis Pangaea `MLP` without hidden layers; see README.md).

mod config;
mod model;

pub use config::LinearConfig;
pub use model::LinearHead;

use eobench_core::component::{
    ComponentError, Decoder, DecoderContext, ModuleDecoder, parse_config,
};

/// The factory the registry calls: parse, validate against the encoder, build.
pub fn build(
    value: &serde_json::Value,
    ctx: &DecoderContext,
) -> Result<Box<dyn Decoder>, ComponentError> {
    let cfg: LinearConfig = parse_config("decoder", "seg_linear", value)?;
    let model = LinearHead::new(&cfg, ctx)?;
    Ok(Box::new(ModuleDecoder::new(
        "seg_linear",
        ctx.num_classes,
        model,
    )))
}

eobench_registry::register_decoder!(
    "seg_linear",
    "Linear probe head: per-token Linear on the last feature map + bilinear upsampling",
    build
);

#[cfg(test)]
mod tests;
