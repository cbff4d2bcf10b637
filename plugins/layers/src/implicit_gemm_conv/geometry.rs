//! The padded-plane layout that turns a stride-1 convolution into plain matrix products.
//!
//! Each input channel is copied once into a zero-padded plane of width `wp = w + left + right`,
//! and each output row is given the same width `wp` (its last `wp − w_out` columns are "spill"
//! columns that are zero in gradients and discarded in outputs). Then, for kernel tap
//! `(ky, kx)`, output position `p = oy·wp + ox` reads the input at `p + ky·dy·wp + kx·dx` of the
//! padded plane: a *constant* offset, so every tap is one matrix product over memory read in
//! place and no im2col buffer is ever built. Each plane carries `(kw − 1)·dx` extra zeros so the
//! spill columns of the last row never read past their own channel.

use rayon::prelude::*;

/// Sizes of one stride-1, ungrouped 2-D convolution laid out over padded planes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaneGeometry {
    /// Batch size.
    pub batch: usize,
    /// Input channels.
    pub c_in: usize,
    /// Output channels.
    pub c_out: usize,
    /// Input height.
    pub h: usize,
    /// Input width.
    pub w: usize,
    /// Kernel height.
    pub kh: usize,
    /// Kernel width.
    pub kw: usize,
    /// Dilation (rows, columns).
    pub dilation: [usize; 2],
    /// Zero padding `(top, bottom)`.
    pub pad_h: (usize, usize),
    /// Zero padding `(left, right)`.
    pub pad_w: (usize, usize),
}

impl PlaneGeometry {
    /// The geometry of an ungrouped conv of `x (batch, c_in, h, w)` by `w (c_out, c_in, kh, kw)`;
    /// `None` when the channels disagree or the output would be empty (burn's own conv then
    /// runs and reports the problem).
    pub fn new(
        x_dims: [usize; 4],
        w_dims: [usize; 4],
        dilation: [usize; 2],
        pad_h: (usize, usize),
        pad_w: (usize, usize),
    ) -> Option<Self> {
        let [batch, c_in, h, w] = x_dims;
        let [c_out, w_c_in, kh, kw] = w_dims;
        let sizes = [batch, c_in, c_out, h, w, kh, kw, dilation[0], dilation[1]];
        if w_c_in != c_in || sizes.contains(&0) {
            return None;
        }
        let g = Self {
            batch,
            c_in,
            c_out,
            h,
            w,
            kh,
            kw,
            dilation,
            pad_h,
            pad_w,
        };
        let reach_h = (kh - 1) * dilation[0];
        let reach_w = (kw - 1) * dilation[1];
        (g.hp() > reach_h && g.wp() > reach_w).then_some(g)
    }

    /// Padded height.
    pub fn hp(&self) -> usize {
        self.h + self.pad_h.0 + self.pad_h.1
    }

    /// Padded width, also the row pitch of the spill-column output.
    pub fn wp(&self) -> usize {
        self.w + self.pad_w.0 + self.pad_w.1
    }

    /// Output height.
    pub fn h_out(&self) -> usize {
        self.hp() - (self.kh - 1) * self.dilation[0]
    }

    /// Output width.
    pub fn w_out(&self) -> usize {
        self.wp() - (self.kw - 1) * self.dilation[1]
    }

    /// Elements between two padded input planes: the plane plus the spill slack.
    pub fn plane(&self) -> usize {
        self.hp() * self.wp() + (self.kw - 1) * self.dilation[1]
    }

    /// Output positions per channel including spill columns (`h_out · wp`).
    pub fn spill_len(&self) -> usize {
        self.h_out() * self.wp()
    }

    /// Number of kernel taps.
    pub fn taps(&self) -> usize {
        self.kh * self.kw
    }

    /// Offset of tap `t` (row-major over `kh × kw`) inside a padded plane.
    pub fn tap_offset(&self, t: usize) -> usize {
        let (ky, kx) = (t / self.kw, t % self.kw);
        ky * self.dilation[0] * self.wp() + kx * self.dilation[1]
    }

    /// True when the input already is its own padded-plane layout (1×1 kernel, no padding).
    pub fn input_is_planar(&self) -> bool {
        self.plane() == self.h * self.w && self.wp() == self.w
    }

    /// True when output rows need no spill columns.
    pub fn output_is_planar(&self) -> bool {
        self.wp() == self.w_out()
    }
}

/// Copies `(batch·c_in, h, w)` planes into zero-padded planes of `g.plane()` elements.
pub fn pad_planes(x: &[f32], g: &PlaneGeometry) -> Vec<f32> {
    let (wp, plane) = (g.wp(), g.plane());
    let mut out = vec![0.0f32; g.batch * g.c_in * plane];
    out.par_chunks_exact_mut(plane)
        .zip(x.par_chunks_exact(g.h * g.w))
        .for_each(|(dst, src)| {
            for (y, row) in src.chunks_exact(g.w).enumerate() {
                let start = (y + g.pad_h.0) * wp + g.pad_w.0;
                dst[start..start + g.w].copy_from_slice(row);
            }
        });
    out
}

/// Widens `(batch·c_out, h_out, w_out)` maps to rows of pitch `wp` with zero spill columns.
pub fn widen_rows(y: &[f32], g: &PlaneGeometry) -> Vec<f32> {
    let (wp, w_out) = (g.wp(), g.w_out());
    let mut out = vec![0.0f32; g.batch * g.c_out * g.spill_len()];
    out.par_chunks_exact_mut(g.spill_len())
        .zip(y.par_chunks_exact(g.h_out() * w_out))
        .for_each(|(dst, src)| {
            for (row, dst_row) in src.chunks_exact(w_out).zip(dst.chunks_exact_mut(wp)) {
                dst_row[..w_out].copy_from_slice(row);
            }
        });
    out
}

/// Borrows `x` when it already is in padded-plane layout, else builds the padded copy.
pub fn planar_input<'a>(x: &'a [f32], g: &PlaneGeometry) -> std::borrow::Cow<'a, [f32]> {
    if g.input_is_planar() {
        std::borrow::Cow::Borrowed(x)
    } else {
        std::borrow::Cow::Owned(pad_planes(x, g))
    }
}

/// Borrows `dy` when its rows need no spill columns, else builds the widened copy.
pub fn spill_grad<'a>(dy: &'a [f32], g: &PlaneGeometry) -> std::borrow::Cow<'a, [f32]> {
    if g.output_is_planar() {
        std::borrow::Cow::Borrowed(dy)
    } else {
        std::borrow::Cow::Owned(widen_rows(dy, g))
    }
}
