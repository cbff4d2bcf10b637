use eobench_core::component::ComponentError;
use serde::Deserialize;

/// `configs/decoder/seg_linear.yaml`. No hidden width: the head is one Linear, so there is no
/// `channels` key (dataset presets only shrink `decoder.channels` where it exists).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinearConfig {
    /// Element-wise dropout on the features before the classifier (the fork has none).
    pub dropout: f64,
}

impl Default for LinearConfig {
    fn default() -> Self {
        Self { dropout: 0.0 }
    }
}

impl LinearConfig {
    /// Checks every key; errors name the key.
    pub fn validate(&self) -> Result<(), ComponentError> {
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(ComponentError::Config {
                component: "decoder 'seg_linear'".into(),
                message: format!("dropout must be in [0, 1), got {}", self.dropout),
            });
        }
        Ok(())
    }
}
