use eobench_core::component::ComponentError;
use serde::Deserialize;

/// `configs/decoder/seg_upernet.yaml`. Defaults are Pangaea's.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UPerNetConfig {
    /// Width of every PPM / FPN conv.
    pub channels: usize,
    /// Output sides of the pyramid-pooling branches.
    pub pool_scales: Vec<usize>,
    /// Channel-dropout probability before the classifier.
    pub dropout: f64,
}

impl Default for UPerNetConfig {
    fn default() -> Self {
        Self {
            channels: 512,
            pool_scales: vec![1, 2, 3, 6],
            dropout: 0.1,
        }
    }
}

impl UPerNetConfig {
    /// Checks every key; errors name the key.
    pub fn validate(&self) -> Result<(), ComponentError> {
        let err = |message: String| {
            Err(ComponentError::Config {
                component: "decoder 'seg_upernet'".into(),
                message,
            })
        };
        if self.channels == 0 {
            return err("channels must be positive".into());
        }
        if self.pool_scales.is_empty() || self.pool_scales.contains(&0) {
            return err(format!(
                "pool_scales {:?} must be a non-empty list of positive sizes",
                self.pool_scales
            ));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return err(format!("dropout {} must be in [0, 1)", self.dropout));
        }
        Ok(())
    }
}
