//! `croma_optical` / `croma_sar`: the two single-modality encoders of CROMA (Fuller et al.,
//! NeurIPS 2023) as Pangaea uses them — frozen ViTs with 2-D ALiBi, loaded strictly from the
//! official `CROMA_base.pt` (see README.md).

mod config;
mod model;

pub use config::{CROMA_BASE_URL, CromaConfig, CromaKind};
pub use model::{
    CROMA_LN_EPS, CromaLayer, CromaTransformer, CromaVit, build_random, checkpoint_layout,
};

use eobench_core::component::{ComponentError, Encoder, EncoderContext, ModuleEncoder};

fn build_kind(
    kind: CromaKind,
    value: &serde_json::Value,
    ctx: &EncoderContext,
) -> Result<Box<dyn Encoder>, ComponentError> {
    let cfg = CromaConfig::parse(kind, value)?;
    let (spec, model, _report) = model::build_model(kind, &cfg, ctx)?;
    Ok(Box::new(ModuleEncoder::new(spec, model)))
}

/// Factory of `croma_optical`.
pub fn build_optical(
    value: &serde_json::Value,
    ctx: &EncoderContext,
) -> Result<Box<dyn Encoder>, ComponentError> {
    build_kind(CromaKind::Optical, value, ctx)
}

/// Factory of `croma_sar`.
pub fn build_sar(
    value: &serde_json::Value,
    ctx: &EncoderContext,
) -> Result<Box<dyn Encoder>, ComponentError> {
    build_kind(CromaKind::Sar, value, ctx)
}

eobench_registry::register_encoder!(
    "croma_optical",
    "CROMA optical ViT (S2 12 bands, 120 px, patch 8, 2-D ALiBi; CROMA_base.pt s2_encoder)",
    build_optical
);

eobench_registry::register_encoder!(
    "croma_sar",
    "CROMA radar ViT (S1 VV VH, 120 px, patch 8, 2-D ALiBi; CROMA_base.pt s1_encoder)",
    build_sar
);

#[cfg(test)]
mod tests;
