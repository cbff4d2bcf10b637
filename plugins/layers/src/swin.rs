//! Swin-Transformer pieces: (shifted-)window attention with a learned relative position bias,
//! the Swin block, and patch expanding (the upsampling of Swin-Unet / MUSTER decoders).
//!
//! Maps are channels-last `(B, H, W, C)` inside these modules, as in the reference code.
//! Grids that are not a multiple of the window are padded at the bottom/right (as Swin does)
//! and cropped back afterwards; a window larger than the grid is clamped to it, without shift.

use eobench_core::burn;
use eobench_core::burn::module::{Module, Param};
use eobench_core::burn::nn::{LayerNorm, LayerNormConfig, Linear};
use eobench_core::burn::tensor::{Device, Int, Tensor, TensorData};

use crate::attention::Attention;
use crate::drop_path::DropPath;
use crate::init::{timm_linear, timm_normal};
use crate::mlp::Mlp;

/// Added to the logits of token pairs from different regions of a shifted window (Swin's −100).
const MASKED: f32 = -100.0;

/// `(B, H, W, C)` with H, W multiples of `w` → `(B·nW, w², C)` windows, row-major.
pub fn window_partition(x: Tensor<4>, w: usize) -> Tensor<3> {
    let [b, h, wd, c] = x.dims();
    x.reshape([b, h / w, w, wd / w, w, c])
        .permute([0, 1, 3, 2, 4, 5])
        .reshape([b * (h / w) * (wd / w), w * w, c])
}

/// Inverse of [`window_partition`].
pub fn window_reverse(windows: Tensor<3>, w: usize, b: usize, h: usize, wd: usize) -> Tensor<4> {
    let c = windows.dims()[2];
    windows
        .reshape([b, h / w, wd / w, w, w, c])
        .permute([0, 1, 3, 2, 4, 5])
        .reshape([b, h, wd, c])
}

/// Index into the `(2w−1)²` relative-position table for every pair of the w² window tokens.
pub fn relative_position_index(w: usize) -> Vec<i64> {
    let n = w * w;
    let mut out = Vec::with_capacity(n * n);
    for i in 0..n {
        let (yi, xi) = ((i / w) as i64, (i % w) as i64);
        for j in 0..n {
            let (yj, xj) = ((j / w) as i64, (j % w) as i64);
            let dy = yi - yj + w as i64 - 1;
            let dx = xi - xj + w as i64 - 1;
            out.push(dy * (2 * w as i64 - 1) + dx);
        }
    }
    out
}

/// Swin's attention mask for a padded `hp × wp` grid shifted by `shift`: `(nW, w², w²)` with 0
/// for token pairs from the same region and −100 otherwise.
pub fn shift_mask(hp: usize, wp: usize, w: usize, shift: usize) -> Vec<f32> {
    let region = |pos: usize, len: usize| {
        if pos < len - w {
            0
        } else if pos < len - shift {
            1
        } else {
            2
        }
    };
    let (nh, nw) = (hp / w, wp / w);
    let mut out = Vec::with_capacity(nh * nw * w * w * w * w);
    for wy in 0..nh {
        for wx in 0..nw {
            let ids: Vec<usize> = (0..w * w)
                .map(|t| {
                    let (y, x) = (wy * w + t / w, wx * w + t % w);
                    region(y, hp) * 3 + region(x, wp)
                })
                .collect();
            for a in &ids {
                for b in &ids {
                    out.push(if a == b { 0.0 } else { MASKED });
                }
            }
        }
    }
    out
}

/// A Swin block: LN → (shifted) window attention with relative position bias → residual;
/// LN → MLP → residual; stochastic depth on both branches.
#[derive(Module, Debug)]
pub struct SwinBlock {
    /// Pre-attention norm.
    pub norm1: LayerNorm,
    /// Window attention (timm layout: `qkv`, `proj`).
    pub attn: Attention,
    /// `((2w−1)², heads)` learned relative position bias.
    pub relative_position_bias_table: Param<Tensor<2>>,
    /// Pre-MLP norm.
    pub norm2: LayerNorm,
    /// Feed-forward.
    pub mlp: Mlp,
    /// Stochastic depth.
    pub drop_path: DropPath,
    /// Window side.
    pub window: usize,
    /// Cyclic shift (0 or window / 2).
    pub shift: usize,
}

impl SwinBlock {
    /// A block for a `grid`-sized map: the window is clamped to the grid, and a block that
    /// would shift a single window does not shift.
    pub fn new(
        dim: usize,
        heads: usize,
        window: usize,
        shifted: bool,
        grid: usize,
        drop_path: f64,
        device: &Device,
    ) -> Self {
        let window = window.min(grid.max(1));
        let shift = if shifted && grid > window {
            window / 2
        } else {
            0
        };
        let table = (2 * window - 1) * (2 * window - 1);
        Self {
            norm1: LayerNormConfig::new(dim).with_epsilon(1e-5).init(device),
            attn: Attention::new(dim, heads, true, device),
            relative_position_bias_table: timm_normal([table, heads], 0.02, device),
            norm2: LayerNormConfig::new(dim).with_epsilon(1e-5).init(device),
            mlp: Mlp::new(dim, 4 * dim, device),
            drop_path: DropPath::new(drop_path),
            window,
            shift,
        }
    }

    /// `(B, H, W, C)` → `(B, H, W, C)`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, h, wd, c] = x.dims();
        let w = self.window;
        let device = x.device();
        let (hp, wp) = (h.div_ceil(w) * w, wd.div_ceil(w) * w);
        let shortcut = x.clone();
        let mut y = self.norm1.forward(x);
        if hp != h || wp != wd {
            // burn pads the last two dims: go channels-first for it.
            y = y
                .permute([0, 3, 1, 2])
                .pad((0, wp - wd, 0, hp - h), 0.0)
                .permute([0, 2, 3, 1]);
        }
        if self.shift > 0 {
            y = y.roll(&[-(self.shift as i64), -(self.shift as i64)], &[1, 2]);
        }
        let windows = window_partition(y, w);
        let n_win = (hp / w) * (wp / w);
        let heads = self.attn.num_heads;
        let n = w * w;
        let index = Tensor::<1, Int>::from_data(
            TensorData::new(relative_position_index(w), [n * n]),
            &device,
        );
        let rel = self
            .relative_position_bias_table
            .val()
            .select(0, index)
            .reshape([n, n, heads])
            .permute([2, 0, 1])
            .reshape([1, 1, heads, n, n]);
        let bias = if self.shift > 0 {
            let mask = Tensor::<5>::from_data(
                TensorData::new(shift_mask(hp, wp, w, self.shift), [1, n_win, 1, n, n]),
                &device,
            );
            (rel + mask).expand([b, n_win, heads, n, n])
        } else {
            rel.expand([b, n_win, heads, n, n])
        }
        .reshape([b * n_win, heads, n, n]);
        let attended = self.attn.forward_with_bias(windows, Some(bias));
        let mut y = window_reverse(attended, w, b, hp, wp);
        if self.shift > 0 {
            y = y.roll(&[self.shift as i64, self.shift as i64], &[1, 2]);
        }
        if hp != h || wp != wd {
            y = y.slice([0..b, 0..h, 0..wd, 0..c]);
        }
        let x = shortcut + self.drop_path.forward(y);
        let z = self.mlp.forward(self.norm2.forward(x.clone()));
        x + self.drop_path.forward(z)
    }
}

/// Patch expanding: Linear(C → f²·C_out) then pixel-shuffle to an f× larger grid with C_out
/// channels, then LayerNorm (Swin-Unet `PatchExpand` (f = 2, C_out = C/2) and
/// `FinalPatchExpand_X4` (f = 4, C_out = C)).
#[derive(Module, Debug)]
pub struct PatchExpand {
    /// C → f²·C_out.
    pub expand: Linear,
    /// Over C_out.
    pub norm: LayerNorm,
    /// Upsampling factor.
    pub factor: usize,
}

impl PatchExpand {
    /// Expands `dim` channels by `factor` into `out_dim` channels.
    pub fn new(dim: usize, out_dim: usize, factor: usize, device: &Device) -> Self {
        Self {
            expand: timm_linear(dim, factor * factor * out_dim, false, device),
            norm: LayerNormConfig::new(out_dim)
                .with_epsilon(1e-5)
                .init(device),
            factor,
        }
    }

    /// `(B, H, W, C)` → `(B, f·H, f·W, C_out)`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, h, w, _] = x.dims();
        let f = self.factor;
        let y = self.expand.forward(x);
        let c = y.dims()[3] / (f * f);
        // (B, H, W, f, f, C) → (B, H, f, W, f, C): einops "b h w (p1 p2 c) -> b (h p1) (w p2) c".
        let y = y
            .reshape([b, h, w, f, f, c])
            .permute([0, 1, 3, 2, 4, 5])
            .reshape([b, h * f, w * f, c]);
        self.norm.forward(y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eobench_core::burn::tensor::Distribution;

    #[test]
    fn window_partition_round_trip() {
        let device = Device::flex();
        let x = Tensor::<4>::random([2, 6, 9, 3], Distribution::Normal(0.0, 1.0), &device);
        let w = window_partition(x.clone(), 3);
        assert_eq!(w.dims(), [2 * 2 * 3, 9, 3]);
        let back = window_reverse(w, 3, 2, 6, 9);
        assert_eq!(back.into_data(), x.into_data());
    }

    #[test]
    fn window_tokens_are_spatial_neighbours() {
        let device = Device::flex();
        // Values encode (y, x) so each window's tokens can be checked.
        let data: Vec<f32> = (0..4 * 4).map(|i| i as f32).collect();
        let x = Tensor::<4>::from_data(TensorData::new(data, [1, 4, 4, 1]), &device);
        let w: Vec<f32> = window_partition(x, 2).into_data().try_to_vec().unwrap();
        assert_eq!(&w[..8], &[0.0, 1.0, 4.0, 5.0, 2.0, 3.0, 6.0, 7.0]);
    }

    #[test]
    fn burn_roll_has_torch_sign_convention() {
        // Swin's cyclic shift is torch.roll(x, -s): the forward shift below relies on it.
        let device = Device::flex();
        let x = Tensor::<1>::from_data(TensorData::new(vec![0.0f32, 1.0, 2.0, 3.0], [4]), &device);
        let rolled: Vec<f32> = x.roll(&[1], &[0]).into_data().try_to_vec().unwrap();
        assert_eq!(rolled, [3.0, 0.0, 1.0, 2.0]);
    }

    #[test]
    fn relative_index_is_symmetric_and_in_range() {
        let idx = relative_position_index(3);
        assert_eq!(idx.len(), 81);
        assert!(idx.iter().all(|&i| (0..25).contains(&i)));
        assert_eq!(idx[0], 12, "a token with itself is the table's centre");
        assert_eq!(idx[4 * 9 + 4], 12);
    }

    #[test]
    fn shift_mask_separates_regions() {
        // 4×4 grid, window 2, shift 1: the last window row/column mixes regions.
        let m = shift_mask(4, 4, 2, 1);
        assert_eq!(m.len(), 4 * 16);
        assert!(
            m[..16].iter().all(|&v| v == 0.0),
            "first window is one region"
        );
        let last = &m[3 * 16..];
        assert!(last.contains(&MASKED));
        // Tokens 0 and 3 of the last window come from different regions in both axes.
        assert_eq!(last[3], MASKED);
        assert_eq!(last[0], 0.0);
    }

    #[test]
    fn swin_block_and_patch_expand_shapes_with_padding() {
        let device = Device::flex();
        for (grid, shifted) in [(7usize, true), (15, true), (14, false)] {
            let block = SwinBlock::new(8, 2, 4, shifted, grid, 0.0, &device);
            let x =
                Tensor::<4>::random([2, grid, grid, 8], Distribution::Normal(0.0, 1.0), &device);
            assert_eq!(block.forward(x).dims(), [2, grid, grid, 8]);
        }
        let up = PatchExpand::new(8, 4, 2, &device);
        let x = Tensor::<4>::random([1, 3, 5, 8], Distribution::Normal(0.0, 1.0), &device);
        assert_eq!(up.forward(x).dims(), [1, 6, 10, 4]);
    }
}
