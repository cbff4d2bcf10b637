//! `prithvi` / `prithvi_2_300`: the Prithvi HLS foundation models (Jakubik et al. 2023,
//! Prithvi-EO-1.0-100M; Szwarcman et al. 2024, Prithvi-EO-2.0-300M) as Pangaea uses them —
//! MAE-pretrained ViTs with a Conv3d (tubelet) patch embedding and a fixed 3-D sin-cos position
//! table, loaded strictly from the official checkpoints (see README.md).

mod config;
mod model;

pub use config::{
    Normalization, PRITHVI_100M_URL, PRITHVI_EO_V2_300M_TL_URL, PRITHVI_EO_V2_300M_URL,
    PrithviConfig, PrithviKind,
};
pub use model::{
    PRITHVI_LN_EPS, PatchEmbed3d, PrithviViT, TemporalEncoder, build_random, checkpoint_layout,
    temporal_embedding,
};

use eobench_core::component::{ComponentError, Encoder, EncoderContext, ModuleEncoder};

fn build_kind(
    kind: PrithviKind,
    value: &serde_json::Value,
    ctx: &EncoderContext,
) -> Result<Box<dyn Encoder>, ComponentError> {
    let cfg = PrithviConfig::parse(kind, value)?;
    let (spec, model, _report) = model::build_model(kind, &cfg, ctx)?;
    Ok(Box::new(ModuleEncoder::new(spec, model)))
}

/// Factory of `prithvi` (Prithvi-EO-1.0-100M).
pub fn build_v1(
    value: &serde_json::Value,
    ctx: &EncoderContext,
) -> Result<Box<dyn Encoder>, ComponentError> {
    build_kind(PrithviKind::V1, value, ctx)
}

/// Factory of `prithvi_2_300` (Prithvi-EO-2.0-300M).
pub fn build_v2_300(
    value: &serde_json::Value,
    ctx: &EncoderContext,
) -> Result<Box<dyn Encoder>, ComponentError> {
    build_kind(PrithviKind::V2_300, value, ctx)
}

eobench_registry::register_encoder!(
    "prithvi",
    "Prithvi-EO-1.0-100M (HLS 6 bands, 224 px, Conv3d patch 1x16x16, 3-D sin-cos; Prithvi_100M.pt)",
    build_v1
);

eobench_registry::register_encoder!(
    "prithvi_2_300",
    "Prithvi-EO-2.0-300M (HLS 6 bands, 224 px, ViT-L, optional temporal encoding; Prithvi_EO_V2_300M.pt)",
    build_v2_300
);

#[cfg(test)]
mod tests;
