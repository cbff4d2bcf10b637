//! `unet`: Pangaea's supervised UNet baseline encoder — DoubleConv stages with max-pool
//! downsampling, random init, any bands, trained end to end (see README.md).

mod config;
mod model;

pub use config::UNetConfig;
pub use model::{DoubleConv, Down, UNetEncoder};

use eobench_core::component::{
    ComponentError, Encoder, EncoderContext, ModuleEncoder, parse_config,
};

/// The factory the registry calls: parse, validate, build.
pub fn build(
    value: &serde_json::Value,
    ctx: &EncoderContext,
) -> Result<Box<dyn Encoder>, ComponentError> {
    let cfg: UNetConfig = parse_config("encoder", "unet", value)?;
    let (spec, model) = model::build_model(&cfg, ctx)?;
    Ok(Box::new(ModuleEncoder::new(spec, model)))
}

eobench_registry::register_encoder!(
    "unet",
    "Supervised UNet baseline encoder (DoubleConv + max-pool pyramid, random init, any bands; Pangaea)",
    build
);

#[cfg(test)]
mod tests;
