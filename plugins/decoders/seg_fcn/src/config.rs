use eobench_core::component::ComponentError;
use serde::Deserialize;

/// How the class map reaches the output size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterpMethod {
    /// `conv_seg` to K channels, then bilinear resize (`align_corners = false`).
    #[default]
    Interpolate,
    /// `conv_seg` to K·r² channels, then `PixelShuffle(r)` with r = input size / feature grid.
    /// The alias accepts the fork's own spelling, so its configs can be copied over.
    #[serde(alias = "PixelShuffle")]
    PixelShuffle,
}

/// `configs/decoder/seg_fcn.yaml`. Defaults follow the sig-gis fork's `FCNDecoder` with the
/// widths of `../shared/notes/protocol.md` §3 (512 channels, 4 convs, bilinear upsampling).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FcnConfig {
    /// Width of every 3×3 conv (the key dataset presets shrink).
    pub channels: usize,
    /// Number of conv-BN-GELU layers on the last map (0 passes the map through unchanged).
    pub num_convs: usize,
    /// Kernel side of the `convs` and of `conv_cat` (odd, so the map keeps its size).
    pub kernel_size: usize,
    /// Dilation of the `convs` (`conv_cat` is never dilated, as upstream).
    pub dilation: usize,
    /// Concatenate the conv output with the input map and fuse them with `conv_cat`.
    pub concat_input: bool,
    /// Channel-dropout (`Dropout2d`) probability before `conv_seg`.
    pub dropout: f64,
    /// Bilinear interpolation or pixel shuffle to the output size.
    pub interp_method: InterpMethod,
}

impl Default for FcnConfig {
    fn default() -> Self {
        Self {
            channels: 512,
            num_convs: 4,
            kernel_size: 3,
            dilation: 1,
            concat_input: true,
            dropout: 0.1,
            interp_method: InterpMethod::Interpolate,
        }
    }
}

impl FcnConfig {
    /// Checks every key on its own; errors name the key. Checks against the encoder's layout
    /// live in [`crate::FcnHead::new`].
    pub fn validate(&self) -> Result<(), ComponentError> {
        let err = |message: String| {
            Err(ComponentError::Config {
                component: "decoder 'seg_fcn'".into(),
                message,
            })
        };
        if self.channels == 0 {
            return err("channels must be positive, got 0".into());
        }
        // An even kernel with padding k/2 grows the map by one pixel per conv.
        if self.kernel_size.is_multiple_of(2) {
            return err(format!(
                "kernel_size must be odd (1, 3, 5, …) so the map keeps its size, got {}",
                self.kernel_size
            ));
        }
        if self.dilation == 0 {
            return err("dilation must be at least 1, got 0".into());
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return err(format!("dropout must be in [0, 1), got {}", self.dropout));
        }
        Ok(())
    }
}
