//! `vit`: Pangaea's supervised `vit_scratch` baseline — a timm ViT trained from random init,
//! end to end, on whatever bands the dataset has (see README.md).

mod config;
mod model;

pub use config::VitConfig;
pub use model::VisionTransformer;

use eobench_core::component::{
    ComponentError, Encoder, EncoderContext, ModuleEncoder, parse_config,
};

/// The factory the registry calls: parse, validate, build.
pub fn build(
    value: &serde_json::Value,
    ctx: &EncoderContext,
) -> Result<Box<dyn Encoder>, ComponentError> {
    let cfg: VitConfig = parse_config("encoder", "vit", value)?;
    let (spec, model) = model::build_model(&cfg, ctx)?;
    Ok(Box::new(ModuleEncoder::new(spec, model)))
}

eobench_registry::register_encoder!(
    "vit",
    "Supervised ViT baseline (timm ViT-B/16 layout, random init, any bands; Pangaea vit_scratch)",
    build
);

#[cfg(test)]
mod tests;
