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
use super::winograd;
use rayon::prelude::*;
use std::mem::MaybeUninit;

/// What the forward pass applies to each output element on its way out: a per-output-channel
/// affine map `v·scale + shift`, then ReLU. Fused into the pass that drops the spill columns (or
/// one in-place pass), so an inference `ConvBnAct` (batch norm folded into scale and shift)
/// reads its 50 MB output maps once instead of in four more passes (bias add, normalisation,
/// ReLU — the last on one thread in burn-flex).
#[derive(Clone, Copy, Default)]
pub struct Epilogue<'a> {
    /// Per-output-channel `(scale, shift)`.
    pub affine: Option<(&'a [f32], &'a [f32])>,
    /// `max(0, v)`, NaN kept (as burn-flex's and PyTorch's ReLU do).
    pub relu: bool,
}

impl Epilogue<'_> {
    fn is_identity(&self) -> bool {
        self.affine.is_none() && !self.relu
    }

    /// The epilogue of one value of output channel `co`.
    #[inline(always)]
    pub(super) fn value(&self, co: usize, v: f32) -> f32 {
        let v = match self.affine {
            Some((scale, shift)) => v * scale[co] + shift[co],
            None => v,
        };
        // Zero only for `v <= 0`, so NaN passes through; compiles to compare + blend.
        if self.relu && v <= 0.0 { 0.0 } else { v }
    }

    /// `dst[i] = epilogue(src[i])` for one row of output channel `co`.
    fn apply(&self, co: usize, src: &[f32], dst: &mut [MaybeUninit<f32>]) {
        for (d, &s) in dst.iter_mut().zip(src) {
            d.write(self.value(co, s));
        }
    }

    /// The epilogue in place over values of output channel `co`.
    fn apply_in_place(&self, co: usize, values: &mut [f32]) {
        for v in values {
            *v = self.value(co, *v);
        }
    }
}

/// `conv(x, w)` (plus the epilogue) for `x (batch, c_in, h, w)`, `w (c_out, c_in, kh, kw)`;
/// returns `(batch, c_out, h_out, w_out)` row-major.
/// 3×3 kernels with enough channels take Winograd's F(4×4, 3×3) ([`winograd`]), all others
/// [`per_tap`].
pub fn forward(x: &[f32], w: &[f32], g: &PlaneGeometry, epilogue: Epilogue) -> Vec<f32> {
    if winograd::applies(g) {
        winograd::forward(x, w, g, epilogue)
    } else {
        per_tap(x, w, g, epilogue)
    }
}

/// [`forward`] as one matrix product per (image, kernel tap).
pub fn per_tap(x: &[f32], w: &[f32], g: &PlaneGeometry, epilogue: Epilogue) -> Vec<f32> {
    let xp = planar_input(x, g);
    let (l, plane, taps) = (g.spill_len(), g.plane(), g.taps());
    let (c_in, c_out) = (g.c_in, g.c_out);
    let image_len = c_out * l;
    let len = g.batch * image_len;
    // Not zero-filled: the first tap's product overwrites every element (`accumulate` is false
    // for t = 0), and zeroing a 50 MB map first costs ~2 % of an inference step.
    let mut y: Vec<f32> = Vec::with_capacity(len);
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
    // SAFETY: the products above wrote all `len` elements (taps ≥ 1, the first one without
    // reading `dst`).
    unsafe { y.set_len(len) };
    if g.output_is_planar() {
        if !epilogue.is_identity() {
            y.par_chunks_mut(l)
                .enumerate()
                .for_each(|(i, plane)| epilogue.apply_in_place(i % c_out, plane));
        }
        return y;
    }
    crop_rows(&y, g, epilogue)
}

/// Drops the spill columns, `(batch·c_out, h_out, wp)` → `(batch·c_out, h_out, w_out)`, applying
/// the epilogue on the way.
fn crop_rows(y: &[f32], g: &PlaneGeometry, epilogue: Epilogue) -> Vec<f32> {
    let (wp, w_out, h_out) = (g.wp(), g.w_out(), g.h_out());
    let len = g.batch * g.c_out * h_out * w_out;
    let mut out: Vec<f32> = Vec::with_capacity(len);
    out.spare_capacity_mut()[..len]
        .par_chunks_mut(h_out * w_out)
        .zip(y.par_chunks(g.spill_len()))
        .enumerate()
        .for_each(|(i, (dst, src))| {
            for (dst_row, src_row) in dst.chunks_exact_mut(w_out).zip(src.chunks_exact(wp)) {
                epilogue.apply(i % g.c_out, &src_row[..w_out], dst_row);
            }
        });
    // SAFETY: every output row was written above (h_out rows of w_out per channel plane).
    unsafe { out.set_len(len) };
    out
}
