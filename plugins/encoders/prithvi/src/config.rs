use std::collections::BTreeMap;

use eobench_core::bands::Band;
use eobench_core::component::{ComponentError, parse_config_with_defaults};
use eobench_core::weights::Release;
use serde::Deserialize;
use serde_json::{Value, json};

/// Prithvi-EO-1.0-100M on Hugging Face (flat MAE state dict, encoder + decoder).
pub const PRITHVI_100M_URL: &str =
    "https://huggingface.co/ibm-nasa-geospatial/Prithvi-100M/resolve/main/Prithvi_100M.pt";
/// Prithvi-EO-2.0-300M (no temporal/location encoding), PrithviMAE state dict (`encoder.*`, `decoder.*`).
pub const PRITHVI_EO_V2_300M_URL: &str = "https://huggingface.co/ibm-nasa-geospatial/Prithvi-EO-2.0-300M/resolve/main/Prithvi_EO_V2_300M.pt";
/// Prithvi-EO-2.0-300M-TL (temporal + location encoding); needs `coords_encoding: [time]`.
pub const PRITHVI_EO_V2_300M_TL_URL: &str = "https://huggingface.co/ibm-nasa-geospatial/Prithvi-EO-2.0-300M-TL/resolve/main/Prithvi_EO_V2_300M_TL.pt";

/// Which Prithvi.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrithviKind {
    /// `prithvi`: Prithvi-EO-1.0-100M (ViT-B, 768 × 12, 12 heads).
    V1,
    /// `prithvi_2_300`: Prithvi-EO-2.0-300M (ViT-L, 1024 × 24, 16 heads).
    V2_300,
}

/// Model-native normalisation (informational; the harness normalises with dataset statistics,
/// as Pangaea does). Values are HLS digital numbers (reflectance × 10⁴), in `bands` order.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Normalization {
    /// Per-band mean (DN).
    pub mean: Vec<f64>,
    /// Per-band standard deviation (DN).
    pub std: Vec<f64>,
    /// Unit of `mean`/`std`.
    pub unit: String,
}

impl PrithviKind {
    /// Registry name.
    pub fn name(self) -> &'static str {
        match self {
            Self::V1 => "prithvi",
            Self::V2_300 => "prithvi_2_300",
        }
    }

    pub(crate) fn component(self) -> String {
        format!("encoder '{}'", self.name())
    }

    /// The shipped defaults (= configs/encoder/<name>.yaml).
    pub fn defaults(self) -> Value {
        // HLS S30 bands (Sentinel-2 MSI centre wavelengths), 30 m.
        let bands: Vec<Value> = [
            ("B2", 0.49),
            ("B3", 0.56),
            ("B4", 0.665),
            ("B8A", 0.865),
            ("B11", 1.61),
            ("B12", 2.19),
        ]
        .iter()
        .map(|(n, w)| json!({"name": n, "wavelength_um": w, "gsd_m": 30.0}))
        .collect();
        let (d, depth, heads, layers, weights, releases, mean, std) = match self {
            Self::V1 => (
                768,
                12,
                12,
                vec![3, 5, 7, 11],
                "prithvi_100m",
                json!({"prithvi_100m": {"url": PRITHVI_100M_URL, "sha256": null, "file": "Prithvi_100M.pt"}}),
                json!([
                    775.2290211032589,
                    1080.992780391705,
                    1228.5855250417867,
                    2497.2022620507532,
                    2204.2139147975554,
                    1610.8324823273745
                ]),
                json!([
                    1281.526139861424,
                    1270.0297974547493,
                    1399.4802505642526,
                    1368.3446143747644,
                    1291.6764008585435,
                    1154.505683480695
                ]),
            ),
            Self::V2_300 => (
                1024,
                24,
                16,
                vec![5, 11, 17, 23],
                "prithvi_eo_v2_300m",
                json!({
                    "prithvi_eo_v2_300m": {"url": PRITHVI_EO_V2_300M_URL, "sha256": null, "file": "Prithvi_EO_V2_300M.pt"},
                    "prithvi_eo_v2_300m_tl": {"url": PRITHVI_EO_V2_300M_TL_URL, "sha256": null, "file": "Prithvi_EO_V2_300M_TL.pt"}
                }),
                json!([1087.0, 1342.0, 1433.0, 2734.0, 1958.0, 1363.0]),
                json!([2248.0, 2179.0, 2178.0, 1850.0, 1242.0, 1049.0]),
            ),
        };
        json!({
            "input_size": 224,
            "patch_size": 16,
            "tubelet_size": 1,
            "num_frames": 1,
            "embed_dim": d,
            "depth": depth,
            "num_heads": heads,
            "output_layers": layers,
            "final_norm": false,
            "coords_encoding": [],
            "weights": weights,
            "releases": releases,
            "allow_missing": [],
            "bands": bands,
            "normalization": {"mean": mean, "std": std, "unit": "DN (reflectance x 10000)"},
        })
    }
}

/// `configs/encoder/prithvi{,_2_300}.yaml`. Keys not given take the component's defaults
/// ([`PrithviKind::defaults`]); unknown keys are errors.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrithviConfig {
    /// Square input side; the position table is built for it (224 in pre-training).
    pub input_size: usize,
    /// Spatial patch side (also the output stride).
    pub patch_size: usize,
    /// Frames per temporal patch (Conv3d kernel depth); 1 in every released Prithvi.
    pub tubelet_size: usize,
    /// Frames the encoder takes; only 1 for now (eobench features are 4-D).
    pub num_frames: usize,
    /// Token width D (divisible by 16 for the 3-D sin-cos table).
    pub embed_dim: usize,
    /// Transformer blocks.
    pub depth: usize,
    /// Attention heads.
    pub num_heads: usize,
    /// 0-based blocks whose tokens become output maps, strictly increasing.
    pub output_layers: Vec<usize>,
    /// Apply the checkpoint's final `norm` to the last block's output when it is an output
    /// (TerraTorch); Pangaea does not (false).
    pub final_norm: bool,
    /// `[]` or `[time]`: add Prithvi-EO-2.0's temporal encoding from the batch dates (needs
    /// `*_TL` weights). `location` is not supported (batches carry no coordinates).
    pub coords_encoding: Vec<String>,
    /// `random`, a checkpoint path, or a release name from `releases`.
    pub weights: String,
    /// Published checkpoints by name.
    pub releases: BTreeMap<String, Release>,
    /// Module parameters allowed to stay at init when loading (strict otherwise).
    pub allow_missing: Vec<String>,
    /// Input bands in patch-embedding order; missing ones are zero-filled by the harness.
    pub bands: Vec<Band>,
    /// The model's own pre-training statistics (informational).
    pub normalization: Normalization,
}

impl PrithviConfig {
    /// Defaults of `kind` overlaid with the keys of `value`, then validated.
    pub fn parse(kind: PrithviKind, value: &Value) -> Result<Self, ComponentError> {
        let cfg: Self = parse_config_with_defaults("encoder", kind.name(), kind.defaults(), value)?;
        cfg.validate(kind)?;
        Ok(cfg)
    }

    /// Checks every key; errors name the key and say what would work.
    pub fn validate(&self, kind: PrithviKind) -> Result<(), ComponentError> {
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
        if self.num_frames != 1 {
            return err(format!(
                "num_frames {}: only single-frame input (num_frames: 1) is supported for now; \
                 Prithvi keeps the time axis in its features (B, D, T, h, w), and multi-temporal \
                 decoders / 5-D features are not there yet in eobench",
                self.num_frames
            ));
        }
        if self.tubelet_size == 0 || !self.num_frames.is_multiple_of(self.tubelet_size) {
            return err(format!(
                "tubelet_size {} must be positive and divide num_frames {}",
                self.tubelet_size, self.num_frames
            ));
        }
        if self.embed_dim == 0 || !self.embed_dim.is_multiple_of(16) {
            return err(format!(
                "embed_dim {} must be a positive multiple of 16 (3-D sin-cos table: 6/16 width, 6/16 height, 4/16 time)",
                self.embed_dim
            ));
        }
        if self.num_heads == 0 || !self.embed_dim.is_multiple_of(self.num_heads) {
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
        for c in &self.coords_encoding {
            match c.as_str() {
                "time" => {}
                "location" => {
                    return err("coords_encoding: 'location' is not supported (eobench batches carry no lat/lon); \
                         use [] or [time] — the checkpoint's location scale is then ignored, as TerraTorch does without location_coords"
                        .into());
                }
                other => {
                    return err(format!(
                        "coords_encoding: unknown entry '{other}'; use [] or [time]"
                    ));
                }
            }
        }
        if self.bands.is_empty() {
            return err("bands: empty list; Prithvi needs its input bands".into());
        }
        for (i, b) in self.bands.iter().enumerate() {
            if self.bands[..i]
                .iter()
                .any(|x| x.name.eq_ignore_ascii_case(&b.name))
            {
                return err(format!("bands: '{}' is listed twice", b.name));
            }
        }
        if self.weights != "random" && self.bands.len() != 6 {
            return err(format!(
                "bands: {} listed, but the pretrained patch embedding takes the 6 HLS bands \
                 (B2 B3 B4 B8A B11 B12); keep the default list (missing bands are zero-filled) or use weights: random",
                self.bands.len()
            ));
        }
        let n = self.bands.len();
        let norm = &self.normalization;
        if norm.mean.len() != n || norm.std.len() != n {
            return err(format!(
                "normalization: mean ({}) and std ({}) need one value per band ({n})",
                norm.mean.len(),
                norm.std.len()
            ));
        }
        if norm.std.iter().any(|s| s.is_nan() || *s <= 0.0) {
            return err("normalization: every std must be positive".into());
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

    /// Whether the temporal encoding is on.
    pub fn time_encoding(&self) -> bool {
        self.coords_encoding.iter().any(|c| c == "time")
    }
}
