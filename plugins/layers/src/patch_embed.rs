use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::conv::{Conv2d, Conv2dConfig};
use eobench_core::burn::tensor::{Device, Tensor};

/// Non-overlapping patch embedding: a `patch×patch` convolution with stride `patch`, then
/// flattening to tokens — timm's `PatchEmbed`, whose weights load 1:1 as `patch_embed.proj`.
///
/// `in_chans` is a constructor argument (not fixed to 3) because EO encoders take whatever bands
/// the dataset or checkpoint declares.
#[derive(Module, Debug)]
pub struct PatchEmbed {
    /// The (C_in → D, p×p, stride p) convolution.
    pub proj: Conv2d,
    /// Patch side in pixels.
    pub patch_size: usize,
}

impl PatchEmbed {
    /// A patch embedding from `in_chans` bands to `embed_dim` channels.
    pub fn new(in_chans: usize, embed_dim: usize, patch_size: usize, device: &Device) -> Self {
        let proj = Conv2dConfig::new([in_chans, embed_dim], [patch_size, patch_size])
            .with_stride([patch_size, patch_size])
            .init(device);
        Self { proj, patch_size }
    }

    /// Token grid (rows, cols) for an input of `h`×`w` pixels (remainders are cut, as in torch).
    pub fn grid(&self, h: usize, w: usize) -> [usize; 2] {
        [h / self.patch_size, w / self.patch_size]
    }

    /// (B, C, H, W) → tokens (B, N, D) in row-major patch order, N = (H/p)·(W/p).
    pub fn forward(&self, x: Tensor<4>) -> Tensor<3> {
        let y = self.proj.forward(x);
        let [b, d, gh, gw] = y.dims();
        y.reshape([b, d, gh * gw]).swap_dims(1, 2)
    }
}
