use eobench_core::component::ComponentError;
use serde::Deserialize;

/// `configs/encoder/vit.yaml`. Defaults are ViT-B/16 at 224 px, Pangaea's `vit_scratch`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VitConfig {
    /// Square input side the encoder is built for; the learned `pos_embed` has (input/patch)² + 1 rows.
    pub input_size: usize,
    /// Patch side in pixels (also the output stride).
    pub patch_size: usize,
    /// Token width D.
    pub embed_dim: usize,
    /// Number of transformer blocks.
    pub depth: usize,
    /// Attention heads; `embed_dim` must be divisible by it.
    pub num_heads: usize,
    /// MLP hidden width = `embed_dim · mlp_ratio`.
    pub mlp_ratio: f64,
    /// Bias on the fused qkv projection.
    pub qkv_bias: bool,
    /// Stochastic-depth rate of the last block (linear from 0).
    pub drop_path_rate: f64,
    /// 0-based block indices whose tokens become output maps, increasing.
    pub output_layers: Vec<usize>,
    /// `random` only, for now.
    pub weights: String,
    /// `null` = all dataset bands, or `{modality: [band, ...]}`.
    pub bands: serde_json::Value,
}

impl Default for VitConfig {
    fn default() -> Self {
        Self {
            input_size: 224,
            patch_size: 16,
            embed_dim: 768,
            depth: 12,
            num_heads: 12,
            mlp_ratio: 4.0,
            qkv_bias: true,
            drop_path_rate: 0.0,
            output_layers: vec![3, 5, 7, 11],
            weights: "random".into(),
            bands: serde_json::Value::Null,
        }
    }
}

impl VitConfig {
    /// Checks every key; errors name the key and say what would work.
    pub fn validate(&self) -> Result<(), ComponentError> {
        let err = |message: String| {
            Err(ComponentError::Config {
                component: "encoder 'vit'".into(),
                message,
            })
        };
        if self.weights != "random" {
            return err(format!(
                "weights: '{}' is not available; only 'random' is accepted for now (pretrained ViT weights arrive with the encoder-weights feature)",
                self.weights
            ));
        }
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
        if !(self.mlp_ratio > 0.0 && self.mlp_ratio.is_finite())
            || (self.embed_dim as f64 * self.mlp_ratio) < 1.0
        {
            return err(format!("mlp_ratio {} must be positive", self.mlp_ratio));
        }
        if !(0.0..1.0).contains(&self.drop_path_rate) {
            return err(format!(
                "drop_path_rate {} must be in [0, 1)",
                self.drop_path_rate
            ));
        }
        if let Err(message) = eobench_layers::check_output_layers(&self.output_layers, self.depth) {
            return err(message);
        }
        Ok(())
    }

    /// Tokens per side.
    pub fn grid(&self) -> usize {
        self.input_size / self.patch_size
    }
}
