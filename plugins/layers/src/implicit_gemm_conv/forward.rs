//! The forward pass of a stride-1 convolution as one matrix product per (image, kernel tap)
//! over padded planes (see [`super::geometry`]):
//! `Y_b (L × c_out) += X_b,tap (L × c_in) · W_tap (c_in × c_out)`, `L = h_out · wp`, with `Y_b`
//! written in NCHW order (spill columns cropped at the end).
//!
//! Why not burn-flex's forward: it transposes the input to NHWC on one thread, builds a 512-pixel
//! im2col tile per (image, tile) (38 MB for a 2048-channel 3×3 conv) and scatters each tile's
//! product back to NCHW element by element; on a 2-core AVX-512 machine that runs a 512-channel
//! 3×3 conv at ~180 GFLOP/s where the same products read in place run at ~260
//! (`cargo bench -p eobench-layers --bench conv`).

use super::geometry::{PlaneGeometry, planar_input};
use super::matmul::{SendPtr, View, matmul};
use rayon::prelude::*;

/// `conv(x, w)` without bias for `x (batch, c_in, h, w)`, `w (c_out, c_in, kh, kw)`; returns
/// `(batch, c_out, h_out, w_out)` row-major.
pub fn forward(x: &[f32], w: &[f32], g: &PlaneGeometry) -> Vec<f32> {
    let xp = planar_input(x, g);
    let (l, plane, taps) = (g.spill_len(), g.plane(), g.taps());
    let (c_in, c_out) = (g.c_in, g.c_out);
    let image_len = c_out * l;
    let mut y = vec![0.0f32; g.batch * image_len];
    // Images run in parallel, each product on its own thread: splitting one product over threads
    // costs 5–50 % (more on small maps, whose products are thin) where whole images cost
    // nothing to split. Threads left over when the batch is smaller than the pool go to each
    // image's products.
    let threads_per_image = rayon::current_num_threads().div_ceil(g.batch);
    let image = |b: usize, dst: SendPtr| {
        for t in 0..taps {
            // SAFETY: lhs reads xp[b, ci, offset(t) + p] for p < l, ci < c_in, inside image b's
            // planes (`plane` covers the last tap's spill reads); rhs reads w[co, ci, t]; dst is
            // image b's (c_out × l) block, written by this call only.
            unsafe {
                matmul(
                    l,
                    c_out,
                    c_in,
                    dst.0,
                    1,
                    l as isize,
                    t > 0,
                    View {
                        ptr: xp.as_ptr().add(b * c_in * plane + g.tap_offset(t)),
                        rs: 1,
                        cs: plane as isize,
                    },
                    View {
                        ptr: w.as_ptr().add(t),
                        rs: taps as isize,
                        cs: (c_in * taps) as isize,
                    },
                    threads_per_image,
                );
            }
        }
    };
    let base = SendPtr(y.as_mut_ptr());
    // SAFETY: image b writes only y[b·image_len .. (b+1)·image_len].
    (0..g.batch)
        .into_par_iter()
        .for_each(|b| image(b, unsafe { base.add(b * image_len) }));
    if g.output_is_planar() {
        return y;
    }
    crop_rows(&y, g)
}

/// Drops the spill columns: `(batch·c_out, h_out, wp)` → `(batch·c_out, h_out, w_out)`.
fn crop_rows(y: &[f32], g: &PlaneGeometry) -> Vec<f32> {
    let (wp, w_out, h_out) = (g.wp(), g.w_out(), g.h_out());
    let mut out = vec![0.0f32; g.batch * g.c_out * h_out * w_out];
    out.par_chunks_mut(h_out * w_out)
        .zip(y.par_chunks(g.spill_len()))
        .for_each(|(dst, src)| {
            for (dst_row, src_row) in dst.chunks_exact_mut(w_out).zip(src.chunks_exact(wp)) {
                dst_row.copy_from_slice(&src_row[..w_out]);
            }
        });
    out
}
