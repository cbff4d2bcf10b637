//! Picks the compute device from the `device=` config value. burn's `Device::default()` silently
//! prefers a GPU when one is compiled in, so eobench never uses it: the device is always explicit.

use crate::burn::tensor::Device;
use thiserror::Error;

/// An unusable `device=` value.
#[derive(Debug, Error)]
pub enum DeviceError {
    /// The flag is not one eobench knows.
    #[error(
        "unknown device '{0}': use 'cpu' (the flex CPU backend) or 'cuda:N' (builds with --features cuda)"
    )]
    Unknown(String),
    /// The flag names a backend this binary was built without.
    #[error("device '{0}' needs a binary built with `--features cuda`; this one was not")]
    NotCompiled(String),
}

/// Parses `cpu`, `flex` or `cuda[:N]` into a burn device (without autodiff).
pub fn device_from_flag(flag: &str) -> Result<Device, DeviceError> {
    let flag = flag.trim();
    match flag {
        "cpu" | "flex" => Ok(Device::flex()),
        f if f == "cuda" || f.starts_with("cuda:") => cuda_device(f),
        other => Err(DeviceError::Unknown(other.to_string())),
    }
}

#[cfg(feature = "cuda")]
fn cuda_device(flag: &str) -> Result<Device, DeviceError> {
    let index = match flag.strip_prefix("cuda:") {
        Some(i) => i
            .parse::<usize>()
            .map_err(|_| DeviceError::Unknown(flag.to_string()))?,
        None => 0,
    };
    Ok(Device::cuda(index))
}

#[cfg(not(feature = "cuda"))]
fn cuda_device(flag: &str) -> Result<Device, DeviceError> {
    Err(DeviceError::NotCompiled(flag.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_or_explain() {
        assert!(device_from_flag("cpu").is_ok());
        assert!(matches!(
            device_from_flag("tpu"),
            Err(DeviceError::Unknown(_))
        ));
        #[cfg(not(feature = "cuda"))]
        assert!(
            device_from_flag("cuda:0")
                .unwrap_err()
                .to_string()
                .contains("--features cuda")
        );
    }
}
