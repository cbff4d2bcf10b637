//! The run-wide `precision=` value: which float type the model computes in.
//!
//! `bf16` is mixed precision the way burn allows it: the device's default float type becomes
//! bf16, so weights, activations and gradients are stored in bf16, while the optimizer updates
//! an f32 copy of every learnable parameter (the "master weights", see
//! [`crate::component::Trainable::keep_f32_master`]) and casts it back after each step. Without
//! that copy, AdamW updates of ~1e-4 · lr vanish against bf16's 8-bit mantissa. bf16 keeps f32's
//! exponent range, so no loss scaling is needed (unlike f16).

use crate::burn::tensor::{DType, Device, FloatDType};
use thiserror::Error;

/// Float type a run computes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Precision {
    /// f32 everywhere.
    #[default]
    Fp32,
    /// bf16 storage and compute, f32 master weights in the optimizer.
    Bf16,
}

/// An unusable `precision=` value or a device that cannot compute in it.
#[derive(Debug, Error)]
pub enum PrecisionError {
    /// Not a precision eobench knows.
    #[error("precision={0}: use fp32 or bf16")]
    Unknown(String),
    /// The device refused the float type.
    #[error("device {device} cannot compute in {precision}: {reason}; run with precision=fp32")]
    Unsupported {
        /// The device, as burn prints it.
        device: String,
        /// The requested precision.
        precision: &'static str,
        /// burn's reason.
        reason: String,
    },
}

impl Precision {
    /// Parses the config value (`fp32`/`f32`, `bf16`).
    pub fn parse(text: &str) -> Result<Self, PrecisionError> {
        match text.trim() {
            "fp32" | "f32" => Ok(Self::Fp32),
            "bf16" => Ok(Self::Bf16),
            other => Err(PrecisionError::Unknown(other.to_string())),
        }
    }

    /// The config spelling, also written to leaderboard rows.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fp32 => "fp32",
            Self::Bf16 => "bf16",
        }
    }

    /// The tensor type of a model's weights and activations.
    pub fn dtype(self) -> DType {
        match self {
            Self::Fp32 => DType::F32,
            Self::Bf16 => DType::BF16,
        }
    }

    /// Makes this precision the device's default float type (every float tensor created on it
    /// afterwards, on every clone of the device). fp32 is burn's default and changes nothing.
    pub fn configure(self, device: &mut Device) -> Result<(), PrecisionError> {
        let float = match self {
            Self::Fp32 => return Ok(()),
            Self::Bf16 => FloatDType::BF16,
        };
        device
            .configure(float)
            .map_err(|e| PrecisionError::Unsupported {
                device: format!("{device:?}"),
                precision: self.as_str(),
                reason: format!("{e:?}"),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_values_and_names_the_allowed_ones() {
        assert_eq!(Precision::parse("fp32").unwrap(), Precision::Fp32);
        assert_eq!(Precision::parse(" bf16").unwrap(), Precision::Bf16);
        let err = Precision::parse("fp16").unwrap_err().to_string();
        assert!(
            err.contains("precision=fp16") && err.contains("fp32 or bf16"),
            "{err}"
        );
    }
}
