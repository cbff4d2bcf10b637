use eobench_core::component::ComponentError;
use eobench_layers::Activation;
use serde::Deserialize;

/// Which encoder maps feed the head when the encoder is single-scale (equal output strides).
///
/// Pyramid encoders (different strides) always feed every map as it is, whatever this says:
/// repeating their coarsest map at one scale would throw away the pyramid the head is made for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PyramidStrategy {
    /// The fork's default: the last (deepest) map four times through `Feature2Pyramid`
    /// (×4, ×2, ×1, ×0.5), whatever the number of encoder layers.
    #[default]
    HeadOnly,
    /// Every encoder map through `Feature2Pyramid` with Pangaea's per-map factor
    /// `[4, 2, 1, 0.5][floor(4i/n)]` (the fork's branch for any other `pyramid_strategy`).
    AllLayers,
}

/// `configs/decoder/seg_segformer.yaml`. Defaults are the sig-gis fork's.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SegformerConfig {
    /// Width of every per-level 1×1 projection and of the fusion conv.
    pub channels: usize,
    /// Which encoder maps feed the head for single-scale encoders.
    pub pyramid_strategy: PyramidStrategy,
    /// Activation after each BatchNorm (the fork's `act_layer`, `nn.ReLU`).
    pub activation: Activation,
    /// Channel-dropout probability before the classifier, active in training only.
    pub dropout: f64,
}

impl Default for SegformerConfig {
    fn default() -> Self {
        Self {
            channels: 512,
            pyramid_strategy: PyramidStrategy::HeadOnly,
            activation: Activation::Relu,
            dropout: 0.1,
        }
    }
}

impl SegformerConfig {
    /// Checks every key; errors name the key.
    pub fn validate(&self) -> Result<(), ComponentError> {
        let err = |message: String| {
            Err(ComponentError::Config {
                component: "decoder 'seg_segformer'".into(),
                message,
            })
        };
        if self.channels == 0 {
            return err("channels must be positive, got 0".into());
        }
        // `contains` is false for NaN too.
        if !(0.0..1.0).contains(&self.dropout) {
            return err(format!("dropout {} must be in [0, 1)", self.dropout));
        }
        Ok(())
    }
}
