use std::collections::BTreeMap;

use eobench_core::bands::Band;
use eobench_core::component::{ComponentError, parse_config_with_defaults};
use eobench_core::weights::Release;
use serde::Deserialize;
use serde_json::{Value, json};

/// Which CROMA branch: the optical (Sentinel-2, `s2_encoder`) or the radar (Sentinel-1,
/// `s1_encoder`) ViT of the same checkpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CromaKind {
    /// `croma_optical`.
    Optical,
    /// `croma_sar`.
    Sar,
}

/// Official release (antofuller/CROMA on Hugging Face, CROMA-base).
pub const CROMA_BASE_URL: &str =
    "https://huggingface.co/antofuller/CROMA/resolve/main/CROMA_base.pt";

impl CromaKind {
    /// Registry name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Optical => "croma_optical",
            Self::Sar => "croma_sar",
        }
    }
    /// Batch modality the encoder reads.
    pub fn modality(self) -> &'static str {
        match self {
            Self::Optical => "optical",
            Self::Sar => "sar",
        }
    }
    /// Sub-dictionary of the official checkpoint.
    pub fn checkpoint_key(self) -> &'static str {
        match self {
            Self::Optical => "s2_encoder",
            Self::Sar => "s1_encoder",
        }
    }
    /// Bands the pretrained `linear_input` was trained on, in order.
    pub fn pretrained_bands(self) -> usize {
        match self {
            Self::Optical => 12,
            Self::Sar => 2,
        }
    }
    pub(crate) fn component(self) -> String {
        format!("encoder '{}'", self.name())
    }

    /// The shipped defaults (= configs/encoder/<name>.yaml): CROMA-base. The SAR ViT has half
    /// the optical depth (CROMA `int(encoder_depth / 2)`), hence 6 blocks and outputs
    /// [1, 2, 3, 5], the depth-scaled counterpart of the optical [3, 5, 7, 11].
    pub fn defaults(self) -> Value {
        let s2 = [
            ("B1", 0.443, 60.0),
            ("B2", 0.490, 10.0),
            ("B3", 0.560, 10.0),
            ("B4", 0.665, 10.0),
            ("B5", 0.705, 20.0),
            ("B6", 0.740, 20.0),
            ("B7", 0.783, 20.0),
            ("B8", 0.842, 10.0),
            ("B8A", 0.865, 20.0),
            ("B9", 0.945, 60.0),
            ("B11", 1.610, 20.0),
            ("B12", 2.190, 20.0),
        ];
        // Sentinel-1 C band, 5.405 GHz → λ ≈ 5.55 cm; CROMA does not use wavelengths.
        let s1 = [("VV", 55465.0, 10.0), ("VH", 55465.0, 10.0)];
        let (depth, layers, bands): (usize, Vec<usize>, &[(&str, f64, f64)]) = match self {
            Self::Optical => (12, vec![3, 5, 7, 11], &s2),
            Self::Sar => (6, vec![1, 2, 3, 5], &s1),
        };
        let bands: Vec<Value> = bands
            .iter()
            .map(|(n, w, g)| json!({"name": n, "wavelength_um": w, "gsd_m": g}))
            .collect();
        json!({
            "input_size": 120,
            "patch_size": 8,
            "embed_dim": 768,
            "depth": depth,
            "num_heads": 16,
            "output_layers": layers,
            "weights": "croma_base",
            "releases": {"croma_base": {"url": CROMA_BASE_URL, "sha256": null, "file": "CROMA_base.pt"}},
            "allow_missing": [],
            "bands": bands,
        })
    }
}

/// `configs/encoder/croma_{optical,sar}.yaml`. Keys not given take the component's defaults
/// ([`CromaKind::defaults`]); unknown keys are errors.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CromaConfig {
    /// Square input side (crop size); 120 px in pre-training. Other multiples of the patch size
    /// also run (the ALiBi bias is built for the actual grid).
    pub input_size: usize,
    /// Patch side; CROMA uses 8 (also the output stride).
    pub patch_size: usize,
    /// Token width D (768 base, 1024 large).
    pub embed_dim: usize,
    /// Transformer blocks (base: optical 12, SAR 6; large: 24 / 12).
    pub depth: usize,
    /// Attention heads (16 in every CROMA model; also the number of ALiBi slopes).
    pub num_heads: usize,
    /// 0-based blocks whose tokens become output maps, strictly increasing; `norm_out` is
    /// applied to the last one (Pangaea).
    pub output_layers: Vec<usize>,
    /// `random`, a checkpoint path, or a release name from `releases`.
    pub weights: String,
    /// Published checkpoints by name.
    pub releases: BTreeMap<String, Release>,
    /// Module parameters allowed to stay at init when loading (strict otherwise).
    pub allow_missing: Vec<String>,
    /// Input bands, in the order `linear_input` expects them.
    pub bands: Vec<Band>,
}

impl CromaConfig {
    /// Defaults of `kind` overlaid with the keys of `value`, then validated.
    pub fn parse(kind: CromaKind, value: &Value) -> Result<Self, ComponentError> {
        let cfg: Self = parse_config_with_defaults("encoder", kind.name(), kind.defaults(), value)?;
        cfg.validate(kind)?;
        Ok(cfg)
    }

    /// Checks every key; errors name the key and say what would work.
    pub fn validate(&self, kind: CromaKind) -> Result<(), ComponentError> {
        let err = |message: String| {
            Err(ComponentError::Config {
                component: kind.component(),
                message,
            })
        };
        if self.patch_size == 0 {
            return err("patch_size must be positive".into());
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
        if let Err(message) = eobench_layers::check_output_layers(&self.output_layers, self.depth) {
            return err(message);
        }
        if self.bands.is_empty() {
            return err("bands: empty list; CROMA needs its input bands".into());
        }
        for (i, b) in self.bands.iter().enumerate() {
            if self.bands[..i]
                .iter()
                .any(|x| x.name.eq_ignore_ascii_case(&b.name))
            {
                return err(format!("bands: '{}' is listed twice", b.name));
            }
        }
        if self.weights.is_empty() {
            return err("weights: empty; use random, a checkpoint path or a release name".into());
        }
        if self.weights != "random" && self.bands.len() != kind.pretrained_bands() {
            return err(format!(
                "bands: {} listed, but the pretrained {} `linear_input` takes {} bands (patch·patch·C inputs); \
                 keep the default band list (missing bands are zero-filled) or use weights: random",
                self.bands.len(),
                kind.checkpoint_key(),
                kind.pretrained_bands()
            ));
        }
        Ok(())
    }

    /// Tokens per side at `input_size`.
    pub fn grid(&self) -> usize {
        self.input_size / self.patch_size
    }
}
