use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use eobench_core::burn::tensor::{Device, Tensor};
use eobench_core::component::{ComponentError, EncoderContext, EncoderModel, EncoderSpec};
use eobench_core::sample::Batch;
use eobench_layers::{Activation, ConvBnAct, resolve_modalities, stack_modalities};

use crate::config::UNetConfig;

/// (Conv3×3 pad 1 → BN → ReLU) × 2, the UNet stage (Pangaea / milesial `DoubleConv`).
#[derive(Module, Debug)]
pub struct DoubleConv {
    /// First conv, C_in → C_out.
    pub conv1: ConvBnAct,
    /// Second conv, C_out → C_out.
    pub conv2: ConvBnAct,
}

impl DoubleConv {
    /// A stage from `c_in` to `c_out` channels.
    pub fn new(c_in: usize, c_out: usize, device: &Device) -> Self {
        Self {
            conv1: ConvBnAct::new(c_in, c_out, 3, Activation::Relu, device),
            conv2: ConvBnAct::new(c_out, c_out, 3, Activation::Relu, device),
        }
    }

    /// (B, C_in, H, W) → (B, C_out, H, W).
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.conv2.forward(self.conv1.forward(x))
    }
}

/// MaxPool 2×2 then [`DoubleConv`]: halves the resolution.
#[derive(Module, Debug)]
pub struct Down {
    /// 2×2 max pool, stride 2.
    pub pool: MaxPool2d,
    /// The stage.
    pub conv: DoubleConv,
}

impl Down {
    /// (B, C_in, H, W) → (B, C_out, H/2, W/2).
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.conv.forward(self.pool.forward(x))
    }
}

/// The UNet encoder: `inc` at full resolution, then one [`Down`] per further stage. Outputs
/// every stage (finest first, strides 1, 2, 4, …), the skip connections a UNet decoder needs and
/// the pyramid UPerNet consumes without a neck.
#[derive(Module, Debug)]
pub struct UNetEncoder {
    /// First stage, C_in → channels[0].
    pub inc: DoubleConv,
    /// Stages 1.., channels[i−1] → channels[i] (Pangaea names them `down1`, `down2`, …).
    pub down: Vec<Down>,
    /// The declaration.
    #[module(skip)]
    pub spec: EncoderSpec,
}

pub(crate) fn build_model(
    cfg: &UNetConfig,
    ctx: &EncoderContext,
) -> Result<(EncoderSpec, UNetEncoder), ComponentError> {
    cfg.validate()?;
    let modalities = resolve_modalities("encoder 'unet'", &cfg.bands, ctx.dataset)?;
    let in_chans: usize = modalities.iter().map(|m| m.bands.len()).sum();
    let n = cfg.channels.len();
    let spec = EncoderSpec {
        name: "unet".into(),
        modalities,
        input_size: cfg.input_size,
        patch_size: None,
        output_layers: (0..n).collect(),
        output_dims: cfg.channels.clone(),
        output_strides: (0..n).map(|i| 1 << i).collect(),
        accepts_any_bands: true,
        finetune_only: true,
        weights: cfg.weights.clone(),
    };
    let device = ctx.device;
    let model = UNetEncoder {
        inc: DoubleConv::new(in_chans, cfg.channels[0], device),
        down: cfg
            .channels
            .windows(2)
            .map(|w| Down {
                pool: MaxPool2dConfig::new([2, 2]).init(),
                conv: DoubleConv::new(w[0], w[1], device),
            })
            .collect(),
        spec: spec.clone(),
    };
    Ok((spec, model))
}

impl UNetEncoder {
    /// All stage outputs for a (B, C, H, W) input; H and W must be divisible by the total stride.
    pub fn forward_image(&self, x: Tensor<4>) -> Result<Vec<Tensor<4>>, ComponentError> {
        let [_, _, h, w] = x.dims();
        let total = 1usize << self.down.len();
        if !h.is_multiple_of(total) || !w.is_multiple_of(total) || h == 0 || w == 0 {
            return Err(ComponentError::Shape {
                component: "encoder 'unet'".into(),
                message: format!(
                    "input {h}x{w} is not divisible by {total} (the UNet halves it {} times)",
                    self.down.len()
                ),
            });
        }
        let mut outs = Vec::with_capacity(self.down.len() + 1);
        outs.push(self.inc.forward(x));
        for down in &self.down {
            let next = down.forward(outs.last().expect("inc output").clone());
            outs.push(next);
        }
        Ok(outs)
    }
}

impl EncoderModel for UNetEncoder {
    fn forward(&self, batch: &Batch) -> Result<Vec<Tensor<4>>, ComponentError> {
        self.forward_image(stack_modalities(batch, &self.spec)?)
    }
}
