use crate::gelu;
use crate::implicit_gemm_conv::conv_transpose2d_module;
use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::conv::{ConvTranspose2d, ConvTranspose2dConfig};
use eobench_core::burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use eobench_core::burn::nn::{BatchNorm, BatchNormConfig};
use eobench_core::burn::tensor::{Device, Tensor};

/// The rescale factor Pangaea's `Feature2Pyramid` gives map `i` of `n` equal-stride maps:
/// `[4, 2, 1, 0.5][floor(i·4/n)]` (n = 4 → 4, 2, 1, 0.5; n = 1 → 4; n = 2 → 4, 1).
pub fn pyramid_scale(i: usize, n: usize) -> f32 {
    [4.0, 2.0, 1.0, 0.5][pyramid_slot(i, n)]
}

fn pyramid_slot(i: usize, n: usize) -> usize {
    assert!(i < n, "map {i} of {n}");
    i * 4 / n
}

/// ×4 upsampling: ConvT(C,C,2,2) → BN → GELU → ConvT(C,C,2,2) (mmseg `upsample_4x`).
#[derive(Module, Debug)]
pub struct Upsample4x {
    /// First transposed conv (×2).
    pub deconv1: ConvTranspose2d,
    /// Norm between the two.
    pub bn: BatchNorm,
    /// Second transposed conv (×2).
    pub deconv2: ConvTranspose2d,
}

/// What [`Feature2Pyramid`] does to one map.
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant)] // built once per decoder; boxing would change the module tree
pub enum PyramidOp {
    /// ×4 (two transposed convs).
    Up4(Upsample4x),
    /// ×2 (one transposed conv, mmseg `upsample_2x`).
    Up2(ConvTranspose2d),
    /// ×1.
    Identity(eobench_core::burn::nn::Identity),
    /// ×0.5 (2×2 max pool, mmseg `maxpool`).
    Down2(MaxPool2d),
}

fn deconv2x(c: usize, device: &Device) -> ConvTranspose2d {
    ConvTranspose2dConfig::new([c, c], [2, 2])
        .with_stride([2, 2])
        .init(device)
}

/// mmseg's `Feature2Pyramid` neck as Pangaea's UPerNet applies it to single-scale (ViT) encoders:
/// n maps of one stride become a 4-level pyramid (strides s/4, s/2, s, 2s for n = 4) so the FPN
/// head sees the multi-scale input it was designed for.
///
/// Channels are kept per map (each map gets its own transposed convs), so maps of different
/// widths work too.
#[derive(Module, Debug)]
pub struct Feature2Pyramid {
    /// One operation per input map.
    pub ops: Vec<PyramidOp>,
}

impl Feature2Pyramid {
    /// A neck for maps with the given channel counts (one entry per map).
    pub fn new(channels: &[usize], device: &Device) -> Self {
        let n = channels.len();
        let ops = channels
            .iter()
            .enumerate()
            .map(|(i, &c)| match pyramid_slot(i, n) {
                0 => PyramidOp::Up4(Upsample4x {
                    deconv1: deconv2x(c, device),
                    bn: BatchNormConfig::new(c).init(device),
                    deconv2: deconv2x(c, device),
                }),
                1 => PyramidOp::Up2(deconv2x(c, device)),
                2 => PyramidOp::Identity(eobench_core::burn::nn::Identity::new()),
                _ => PyramidOp::Down2(MaxPool2dConfig::new([2, 2]).init()),
            })
            .collect();
        Self { ops }
    }

    /// Spatial scale factor per map.
    pub fn scales(&self) -> Vec<f32> {
        (0..self.ops.len())
            .map(|i| pyramid_scale(i, self.ops.len()))
            .collect()
    }

    /// Rescales each map; `maps.len()` must equal the number of maps the neck was built for.
    pub fn forward(&self, maps: Vec<Tensor<4>>) -> Vec<Tensor<4>> {
        assert_eq!(
            maps.len(),
            self.ops.len(),
            "Feature2Pyramid built for {} maps, got {}",
            self.ops.len(),
            maps.len()
        );
        maps.into_iter()
            .zip(&self.ops)
            .map(|(x, op)| match op {
                PyramidOp::Up4(up) => conv_transpose2d_module(
                    &up.deconv2,
                    gelu(crate::batch_norm::train_forward(
                        &up.bn,
                        conv_transpose2d_module(&up.deconv1, x),
                        false,
                    )),
                ),
                PyramidOp::Up2(deconv) => conv_transpose2d_module(deconv, x),
                PyramidOp::Identity(_) => x,
                PyramidOp::Down2(pool) => pool.forward(x),
            })
            .collect()
    }
}
