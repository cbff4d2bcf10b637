//! 3×3, stride-1 convolutions by Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray, "Fast
//! Algorithms for Convolutional Neural Networks", CVPR 2016): each 4×4 block of output ("tile")
//! comes from a 6×6 block of input through 36 element-wise products in a transformed space
//! instead of 144 multiply-adds, so the matrix products of a 3×3 conv do 4× fewer flops.
//! [`forward`] transforms input tiles into 36 matrices `V_ξ (tiles × c_in)`, multiplies them by
//! the transformed filters `U_ξ (c_in × c_out)` (36 `gemm` calls per image) and transforms each
//! tile's products back. The input gradient of such a conv is the same kind of conv (flipped
//! kernel), so it takes [`forward`] too; [`weight_grad`] differentiates the same bilinear map
//! with respect to the filter: 36 deep products `dY_ξᵀ · V_ξ` summed over tiles and images.
//!
//! Why: UPerNet's 3×3 convolutions at 56² over 512–2048 channels are ~90 % of a ViT + UPerNet
//! step, and the one-product-per-tap kernels ([`super::forward`], [`super::kernels`]) already run
//! at the `gemm` crate's speed (~0.85× PyTorch's oneDNN forward on the 2-core AVX-512 machine).
//!
//! Precision: F(4×4, 3×3) rounds differently from a direct sum. Against an f64 reference its
//! largest error, relative to the output's largest magnitude, is ~3·10⁻⁶ (64 input channels) to
//! ~1·10⁻⁵ (2048), against ~3·10⁻⁷ for the direct conv (the algorithm of cuDNN's Winograd kernels;
//! NNPACK's F(6×6, 3×3) rounds coarser), far below bf16's 4·10⁻³.
//! `EOBENCH_WINOGRAD=0` switches it off (every conv then takes the per-tap products).

mod forward;
mod tiles;
mod transforms;
mod weight_grad;

pub use forward::forward;
pub use weight_grad::weight_grad;

use super::geometry::PlaneGeometry;
use rayon::prelude::*;

/// Output rows and columns per tile.
const TILE: usize = 4;
/// Input rows and columns per tile.
const ALPHA: usize = TILE + 2;
/// Elements of the transformed space (products per tile and channel pair).
const XI: usize = ALPHA * ALPHA;
/// Fewest channels on either side: with a handful of channels (a stem conv over 6 bands) the
/// transforms, which cost per channel, outweigh the smaller products.
const MIN_CHANNELS: usize = 16;
/// Fewest tiles per image: each tile is one row of the 36 products, and below ~16 rows they are
/// too thin for the `gemm` crate's 64-row micro-kernel (an 8² map, 4 tiles, ran 1.6–3× slower
/// than the per-tap products; a 14² map, 16 tiles, 1.1–2× faster).
const MIN_TILES: usize = 16;

/// `EOBENCH_WINOGRAD=0` sends every 3×3 conv through the per-tap products instead (read once per
/// process).
pub fn winograd_enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("EOBENCH_WINOGRAD").is_none_or(|v| v != "0"))
}

/// True when [`forward`] and [`weight_grad`] compute this convolution: a 3×3 kernel without dilation, at least
/// [`MIN_CHANNELS`] channels each side and at least [`MIN_TILES`] output tiles (any padding).
pub fn applies(g: &PlaneGeometry) -> bool {
    winograd_enabled()
        && (g.kh, g.kw) == (3, 3)
        && g.dilation == [1, 1]
        && g.c_in >= MIN_CHANNELS
        && g.c_out >= MIN_CHANNELS
        && Tiling::new(g).per_image() >= MIN_TILES
}

/// Tile counts of one output map.
#[derive(Clone, Copy)]
pub(super) struct Tiling {
    pub(super) rows: usize,
    pub(super) columns: usize,
}

impl Tiling {
    pub(super) fn new(g: &PlaneGeometry) -> Self {
        Self {
            rows: g.h_out().div_ceil(TILE),
            columns: g.w_out().div_ceil(TILE),
        }
    }

    pub(super) fn per_image(&self) -> usize {
        self.rows * self.columns
    }
}

/// `f(0..n)`, on the rayon pool when `parallel`. Images that run in parallel keep their
/// transforms on their own thread, so no thread starts a second image's buffers while it waits.
pub(super) fn for_each(parallel: bool, n: usize, f: impl Fn(usize) + Sync + Send) {
    if parallel {
        (0..n).into_par_iter().for_each(f);
    } else {
        (0..n).for_each(f);
    }
}

#[cfg(test)]
mod tests;
