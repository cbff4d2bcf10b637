use std::collections::BTreeMap;

use eobench_core::component::ComponentError;
use eobench_core::weights::Release;
use serde::Deserialize;

/// Official DOFA ViT-B/16 checkpoint (Pangaea's `download_url`).
pub const DOFA_BASE_URL: &str =
    "https://huggingface.co/XShadow/DOFA/resolve/main/DOFA_ViT_base_e100.pth";

/// `configs/encoder/dofa.yaml`. Defaults are DOFA ViT-B/16 at 224 px as Pangaea runs it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DofaConfig {
    /// Square input side; the stored `pos_embed` has (input/patch)² + 1 rows.
    pub input_size: usize,
    /// Patch side (kernel and stride of the generated patch-embedding conv; output stride).
    pub patch_size: usize,
    /// Token width D.
    pub embed_dim: usize,
    /// Number of transformer blocks.
    pub depth: usize,
    /// Attention heads; `embed_dim` must be divisible by it.
    pub num_heads: usize,
    /// MLP hidden width = `embed_dim · mlp_ratio`.
    pub mlp_ratio: f64,
    /// 0-based block indices whose tokens become output maps, strictly increasing.
    pub output_layers: Vec<usize>,
    /// Width of the wavelength embedding / weight-generator transformer (128 in every release;
    /// must be divisible by its 4 heads and even for the sin-cos embedding).
    pub wave_embed_dim: usize,
    /// `random`, a checkpoint path, or a release name from `releases`.
    pub weights: String,
    /// Published checkpoints by name.
    pub releases: BTreeMap<String, Release>,
    /// Module parameters allowed to stay at init when loading (strict otherwise).
    pub allow_missing: Vec<String>,
    /// `null` = all dataset bands, or `{modality: [band, ...]}`; every band needs `wavelength_um`.
    pub bands: serde_json::Value,
}

impl Default for DofaConfig {
    fn default() -> Self {
        let mut releases = BTreeMap::new();
        releases.insert(
            "dofa_base".to_string(),
            Release {
                url: DOFA_BASE_URL.into(),
                sha256: None,
                file: "DOFA_ViT_base_e100.pth".into(),
            },
        );
        Self {
            input_size: 224,
            patch_size: 16,
            embed_dim: 768,
            depth: 12,
            num_heads: 12,
            mlp_ratio: 4.0,
            output_layers: vec![3, 5, 7, 11],
            wave_embed_dim: 128,
            weights: "dofa_base".into(),
            releases,
            allow_missing: vec![],
            bands: serde_json::Value::Null,
        }
    }
}

/// Heads of the weight-generator transformer (fixed in DOFA).
pub const WG_NUM_HEADS: usize = 4;

impl DofaConfig {
    /// Checks every key; errors name the key and say what would work.
    pub fn validate(&self) -> Result<(), ComponentError> {
        let err = |message: String| {
            Err(ComponentError::Config {
                component: "encoder 'dofa'".into(),
                message,
            })
        };
        if self.patch_size < 3 {
            // conv2d(stride = p, padding = 1) gives S/p tokens per side only for p ≥ 3.
            return err(format!(
                "patch_size {} is too small; DOFA's padding-1 patch conv needs patch_size >= 3",
                self.patch_size
            ));
        }
        if self.input_size == 0 || !self.input_size.is_multiple_of(self.patch_size) {
            return err(format!(
                "input_size {} is not a positive multiple of patch_size {}",
                self.input_size, self.patch_size
            ));
        }
        if self.num_heads == 0
            || self.embed_dim == 0
            || !self.embed_dim.is_multiple_of(self.num_heads)
        {
            return err(format!(
                "embed_dim {} is not divisible by num_heads {}",
                self.embed_dim, self.num_heads
            ));
        }
        if self.depth == 0 {
            return err("depth must be at least 1".into());
        }
        if !(self.mlp_ratio > 0.0 && self.mlp_ratio.is_finite())
            || (self.embed_dim as f64 * self.mlp_ratio) < 1.0
        {
            return err(format!("mlp_ratio {} must be positive", self.mlp_ratio));
        }
        if self.wave_embed_dim == 0 || !self.wave_embed_dim.is_multiple_of(2 * WG_NUM_HEADS) {
            return err(format!(
                "wave_embed_dim {} must be a positive multiple of 8 (even for the sin-cos embedding, divisible by the weight generator's 4 heads); released weights use 128",
                self.wave_embed_dim
            ));
        }
        if let Err(message) = eobench_layers::check_output_layers(&self.output_layers, self.depth) {
            return err(message);
        }
        if self.weights.is_empty() {
            return err("weights: empty; use random, a checkpoint path or a release name".into());
        }
        Ok(())
    }

    /// Tokens per side.
    pub fn grid(&self) -> usize {
        self.input_size / self.patch_size
    }
}
