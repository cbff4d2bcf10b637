//! `dofa`: DOFA (Xiong et al. 2024, "Neural Plasticity-Inspired Multimodal Foundation Model for
//! Earth Observation"), a ViT-B/16 whose patch embedding is generated from the input bands'
//! wavelengths, so it takes any band set (see README.md).

mod config;
mod model;

pub use config::{DOFA_BASE_URL, DofaConfig};
pub use model::{
    DOFA_SCALER, Dofa, DofaEmbedding, FcResLayer, TorchEncoderLayer, TorchMultiheadAttention,
    TorchTransformerEncoder, TransformerWeightGenerator, build_model, build_random,
    checkpoint_layout, spec_wavelengths, wave_embedding,
};

use eobench_core::component::{
    ComponentError, Encoder, EncoderContext, ModuleEncoder, parse_config,
};

/// The factory the registry calls: parse, validate, build, load weights.
pub fn build(
    value: &serde_json::Value,
    ctx: &EncoderContext,
) -> Result<Box<dyn Encoder>, ComponentError> {
    let cfg: DofaConfig = parse_config("encoder", "dofa", value)?;
    let (spec, model, _report) = model::build_model(&cfg, ctx)?;
    Ok(Box::new(ModuleEncoder::new(spec, model)))
}

eobench_registry::register_encoder!(
    "dofa",
    "DOFA ViT-B/16 (wavelength-conditioned dynamic patch embedding; any bands with wavelength_um)",
    build
);

#[cfg(test)]
mod tests;
