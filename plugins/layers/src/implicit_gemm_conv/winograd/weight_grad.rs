//! The weight gradient: per image, the input tiles and the output-gradient tiles are transformed
//! (`V_ξ (c_in × tiles)`, `Z_ξ (c_out × tiles)`), and 36 products `M_ξ += Z_ξ · V_ξᵀ` sum over
//! tiles and images; the filter-gradient transform turns `M` into `dL/dw`.

use super::super::geometry::PlaneGeometry;
use super::super::matmul::{SendPtr, View, matmul};
use super::tiles::{grad_output_transform, input_transform};
use super::transforms::{LANES, filter_grad_tile};
use super::{Tiling, XI, applies};
use rayon::prelude::*;

/// `dL/dw (c_out, c_in, 3, 3)` of `conv(x, w)` given `dy (batch, c_out, h_out, w_out)`.
/// Call only when [`applies`] holds.
pub fn weight_grad(x: &[f32], dy: &[f32], g: &PlaneGeometry) -> Vec<f32> {
    debug_assert!(applies(g));
    let tiling = Tiling::new(g);
    let tiles = tiling.per_image();
    let (c_in, c_out) = (g.c_in, g.c_out);
    let (x_image, dy_image) = (c_in * g.h * g.w, c_out * g.h_out() * g.w_out());
    // One image at a time: its transforms run over channels in parallel, then its 36 products
    // run in parallel (each accumulates into its own M_ξ, so no reduction follows). Per-image
    // buffers keep the transformed copies at one image's size (V is 58 MB for 2048 channels at 56²).
    let mut v: Vec<f32> = Vec::with_capacity(XI * c_in * tiles);
    let mut z: Vec<f32> = Vec::with_capacity(XI * c_out * tiles);
    let mut m: Vec<f32> = Vec::with_capacity(XI * c_out * c_in);
    let threads_per_product = (rayon::current_num_threads() / XI).max(1);
    for b in 0..g.batch {
        let (v_ptr, z_ptr) = (SendPtr(v.as_mut_ptr()), SendPtr(z.as_mut_ptr()));
        (0..c_in).into_par_iter().for_each(|ci| {
            let plane = &x[b * x_image + ci * g.h * g.w..][..g.h * g.w];
            // SAFETY: writes V[ξ, ci, ..] inside `v`'s capacity, disjoint across channels.
            unsafe { input_transform(plane, g, tiling, v_ptr.add(ci * tiles), c_in * tiles) };
        });
        (0..c_out).into_par_iter().for_each(|co| {
            let map = g.h_out() * g.w_out();
            let plane = &dy[b * dy_image + co * map..][..map];
            // SAFETY: writes Z[ξ, co, ..] inside `z`'s capacity, disjoint across channels.
            unsafe {
                grad_output_transform(plane, g, tiling, z_ptr.add(co * tiles), c_out * tiles)
            };
        });
        // SAFETY: every element was written by the transforms above.
        unsafe {
            v.set_len(XI * c_in * tiles);
            z.set_len(XI * c_out * tiles);
        }
        let m_ptr = SendPtr(m.as_mut_ptr());
        (0..XI).into_par_iter().for_each(|xi| {
            // SAFETY: lhs Z_ξ (c_out × tiles) and rhs V_ξᵀ (tiles × c_in) lie in their
            // buffers; dst M_ξ (c_out × c_in, row-major) is block ξ of `m`'s capacity, written
            // by this item only, overwritten for the first image and accumulated after.
            unsafe {
                matmul(
                    c_out,
                    c_in,
                    tiles,
                    m_ptr.add(xi * c_out * c_in).0,
                    c_in as isize,
                    1,
                    b > 0,
                    View {
                        ptr: z.as_ptr().add(xi * c_out * tiles),
                        rs: tiles as isize,
                        cs: 1,
                    },
                    View {
                        ptr: v.as_ptr().add(xi * c_in * tiles),
                        rs: 1,
                        cs: tiles as isize,
                    },
                    threads_per_product,
                );
            }
        });
    }
    // SAFETY: the first image's products wrote every element of M (batch ≥ 1).
    unsafe { m.set_len(XI * c_out * c_in) };
    filter_grad_transform(&m, c_in, c_out)
}

/// `dL/dw (c_out, c_in, 3, 3)` from the accumulated products `M (ξ, c_out, c_in)`.
fn filter_grad_transform(m: &[f32], c_in: usize, c_out: usize) -> Vec<f32> {
    let mut dw = vec![0.0f32; c_out * c_in * 9];
    dw.par_chunks_mut(c_in * 9)
        .enumerate()
        .for_each(|(co, dst)| {
            for ci0 in (0..c_in).step_by(LANES) {
                let n = LANES.min(c_in - ci0);
                let mut products = [[[0.0f32; LANES]; 6]; 6];
                for (xi, lanes) in products.iter_mut().flatten().enumerate() {
                    lanes[..n].copy_from_slice(&m[(xi * c_out + co) * c_in + ci0..][..n]);
                }
                let kernel = filter_grad_tile(&products);
                for (l, taps) in dst[ci0 * 9..][..n * 9].chunks_exact_mut(9).enumerate() {
                    for (t, tap) in taps.iter_mut().enumerate() {
                        *tap = kernel[t / 3][t % 3][l];
                    }
                }
            }
        });
    dw
}
