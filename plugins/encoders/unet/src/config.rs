use eobench_core::component::ComponentError;
use serde::Deserialize;

/// `configs/encoder/unet.yaml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UNetConfig {
    /// Crop side the encoder is trained on (`${dataset.img_size}` in Pangaea: the whole scene);
    /// must be divisible by 2^(stages−1) so every max-pool halves exactly.
    pub input_size: usize,
    /// Width of each stage, finest first; one output map per entry.
    #[serde(default = "default_channels")]
    pub channels: Vec<usize>,
    /// `random` only (a supervised baseline has no pretrained weights).
    #[serde(default = "default_weights")]
    pub weights: String,
    /// `null` = all dataset bands, or `{modality: [band, ...]}`.
    #[serde(default)]
    pub bands: serde_json::Value,
}

fn default_channels() -> Vec<usize> {
    vec![64, 128, 256, 512]
}

fn default_weights() -> String {
    "random".into()
}

impl UNetConfig {
    /// Checks every key; errors name the key.
    pub fn validate(&self) -> Result<(), ComponentError> {
        let err = |message: String| {
            Err(ComponentError::Config {
                component: "encoder 'unet'".into(),
                message,
            })
        };
        if self.weights != "random" {
            return err(format!(
                "weights: '{}' is not available; the UNet baseline is trained from scratch, use 'random'",
                self.weights
            ));
        }
        if self.channels.is_empty() || self.channels.contains(&0) {
            return err(format!(
                "channels {:?} must be a non-empty list of positive widths",
                self.channels
            ));
        }
        let total = self.total_stride();
        if self.input_size == 0 || !self.input_size.is_multiple_of(total) {
            return err(format!(
                "input_size {} is not a positive multiple of {total} (2^(stages-1) for {} channel stages)",
                self.input_size,
                self.channels.len()
            ));
        }
        Ok(())
    }

    /// Stride of the coarsest output.
    pub fn total_stride(&self) -> usize {
        1usize << (self.channels.len().saturating_sub(1)).min(usize::BITS as usize - 1)
    }
}
