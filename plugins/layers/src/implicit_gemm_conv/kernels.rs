//! The weight gradient of a stride-1 convolution as one matrix product per (image, kernel tap,
//! block of output channels) over padded planes (see [`super::geometry`]), plus the weight
//! rearrangement that turns the input gradient into a forward convolution.
//!
//! Why this exists: burn-flex computes the weight gradient with the backend-generic
//! `conv2d_weight_backward`, a convolution whose "kernel" is the whole output map; on the CPU it
//! becomes one narrow matrix product per input channel (9 columns for a 3×3 kernel) that repacks
//! a 50–200 MB operand each time, 3–5× slower than PyTorch. Here the weight gradient of every tap
//! is a deep product `dW_tap (c_out × c_in) += dY (c_out × L) · X_tapᵀ (L × c_in)` with
//! `L = h_out · wp`, read in place from the padded planes. (tap, channel block) items write
//! disjoint parts of the result, so they run in parallel with single-threaded products: cheaper
//! than splitting each product over the threads, by 20–45 % on 64–512-channel layers.

use super::geometry::{PlaneGeometry, planar_input, spill_grad};
use super::matmul::{SendPtr, View, matmul};
use super::winograd;
use rayon::prelude::*;

/// Weight-gradient work items per thread, so uneven items still balance.
const ITEMS_PER_THREAD: usize = 8;
/// Fewest output channels per item: the product's row micro-tile is 48–64 rows.
const MIN_BLOCK_ROWS: usize = 64;
/// Channels per parallel block of the weight rearrangements.
const TRANSPOSE_BLOCK: usize = 16;

/// The geometry of the convolution `dy ⋆ flip(w)ᵀ` that yields the input gradient: `dy`
/// padded by `reach − padding` on each side, so it exists when the padding is at most the
/// kernel's reach (always for "same" and "valid" padding). A forward convolution writes
/// disjoint outputs, unlike a scatter of per-tap products into overlapping windows.
pub fn transposed_geometry(g: &PlaneGeometry) -> Option<PlaneGeometry> {
    let reach_h = (g.kh - 1) * g.dilation[0];
    let reach_w = (g.kw - 1) * g.dilation[1];
    let pad = |reach: usize, p: usize| reach.checked_sub(p);
    PlaneGeometry::new(
        [g.batch, g.c_out, g.h_out(), g.w_out()],
        [g.c_in, g.c_out, g.kh, g.kw],
        g.dilation,
        (pad(reach_h, g.pad_h.0)?, pad(reach_h, g.pad_h.1)?),
        (pad(reach_w, g.pad_w.0)?, pad(reach_w, g.pad_w.1)?),
    )
}

/// `w (c_out, c_in, kh, kw)` → `(c_in, c_out, kh, kw)` with both kernel axes reversed.
pub fn flipped_transposed(w: &[f32], g: &PlaneGeometry) -> Vec<f32> {
    let (taps, c_in, c_out) = (g.taps(), g.c_in, g.c_out);
    let mut out = vec![0.0f32; w.len()];
    // Blocks of input channels in parallel: each block reads `TRANSPOSE_BLOCK · taps` contiguous
    // weights per output channel (a 2048 → 512 kernel is 38 MB; one thread reading it with a
    // stride of `c_in · taps` was ~0.3 % of a training step).
    out.par_chunks_mut(TRANSPOSE_BLOCK * c_out * taps)
        .enumerate()
        .for_each(|(block, dst)| {
            let ci0 = block * TRANSPOSE_BLOCK;
            let rows = dst.len() / (c_out * taps);
            for co in 0..c_out {
                let src = &w[(co * c_in + ci0) * taps..][..rows * taps];
                for (j, kernel) in src.chunks_exact(taps).enumerate() {
                    let row = &mut dst[(j * c_out + co) * taps..][..taps];
                    for (d, &v) in row.iter_mut().zip(kernel.iter().rev()) {
                        *d = v;
                    }
                }
            }
        });
    out
}

/// `dL/dw (c_out, c_in, kh, kw)` of `conv(x, w)` given `dy (batch, c_out, h_out, w_out)`:
/// 3×3 kernels with enough channels by Winograd's F(4×4, 3×3) ([`winograd`]), all others
/// [`per_tap_weight_grad`].
pub fn weight_grad(x: &[f32], dy: &[f32], g: &PlaneGeometry) -> Vec<f32> {
    if winograd::applies(g) {
        winograd::weight_grad(x, dy, g)
    } else {
        per_tap_weight_grad(x, dy, g)
    }
}

/// [`weight_grad`] as one product per (image, kernel tap, block of output channels).
pub fn per_tap_weight_grad(x: &[f32], dy: &[f32], g: &PlaneGeometry) -> Vec<f32> {
    let xp = planar_input(x, g);
    let dyp = spill_grad(dy, g);
    let (l, plane, taps, c_in, c_out) = (g.spill_len(), g.plane(), g.taps(), g.c_in, g.c_out);
    // Per-tap gradients accumulate column-major, (taps, c_in, c_out): the kernel's native
    // output order, read back into (c_out, c_in, taps) at the end.
    let mut by_tap = vec![0.0f32; taps * c_in * c_out];
    // Work items are (tap, block of output channels): disjoint parts of `by_tap`, so they run
    // in parallel with one product per image and no reduction afterwards.
    let threads = rayon::current_num_threads();
    let blocks = (ITEMS_PER_THREAD * threads)
        .div_ceil(taps)
        .clamp(1, c_out.div_ceil(MIN_BLOCK_ROWS));
    let rows = c_out.div_ceil(blocks);
    // Fewer items than threads (few taps and channels on a many-core machine): the spare
    // threads split each item's products.
    let threads_per_item = (threads / (taps * blocks)).max(1);
    let base = SendPtr(by_tap.as_mut_ptr());
    (0..taps * blocks).into_par_iter().for_each(|item| {
        let (t, co0) = (item / blocks, (item % blocks) * rows);
        let m = rows.min(c_out.saturating_sub(co0));
        if m == 0 {
            return;
        }
        for b in 0..g.batch {
            // SAFETY: lhs reads dyp[b, co0..co0 + m] (m × l); rhs reads xp[b, ci, offset + p]
            // as an (l × c_in) view; dst is rows co0..co0 + m of by_tap[t] (c_out × c_in,
            // column-major), written by this item only.
            unsafe {
                matmul(
                    m,
                    c_in,
                    l,
                    base.add(t * c_in * c_out + co0).0,
                    1,
                    c_out as isize,
                    b > 0,
                    View {
                        ptr: dyp.as_ptr().add((b * c_out + co0) * l),
                        rs: l as isize,
                        cs: 1,
                    },
                    View {
                        ptr: xp.as_ptr().add(b * c_in * plane + g.tap_offset(t)),
                        rs: 1,
                        cs: plane as isize,
                    },
                    threads_per_item,
                );
            }
        }
    });
    // (taps, c_in, c_out) → (c_out, c_in, taps), blocks of output channels in parallel: each
    // block reads `TRANSPOSE_BLOCK` contiguous values per (tap, input channel).
    let mut dw = vec![0.0f32; by_tap.len()];
    dw.par_chunks_mut(TRANSPOSE_BLOCK * c_in * taps)
        .enumerate()
        .for_each(|(block, dst)| {
            let co0 = block * TRANSPOSE_BLOCK;
            let rows = dst.len() / (c_in * taps);
            for t in 0..taps {
                for ci in 0..c_in {
                    let src = &by_tap[(t * c_in + ci) * c_out + co0..][..rows];
                    for (j, &v) in src.iter().enumerate() {
                        dst[(j * c_in + ci) * taps + t] = v;
                    }
                }
            }
        });
    dw
}
