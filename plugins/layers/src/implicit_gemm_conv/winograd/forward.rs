//! The forward pass: per image, input transform → 36 products with the transformed filters →
//! output transform with the [`Epilogue`].

use super::super::forward::Epilogue;
use super::super::geometry::PlaneGeometry;
use super::super::matmul::{SendPtr, View, matmul};
use super::tiles::{input_transform, output_transform};
use super::transforms::{LANES, filter_tile};
use super::{Tiling, XI, applies, for_each};
use rayon::prelude::*;
use std::mem::MaybeUninit;

/// `conv(x, w)` (plus the epilogue) for `x (batch, c_in, h, w)`, `w (c_out, c_in, 3, 3)`, the
/// geometry's padding applied as zeros; returns `(batch, c_out, h_out, w_out)` row-major.
/// Call only when [`applies`] holds.
pub fn forward(x: &[f32], w: &[f32], g: &PlaneGeometry, epilogue: Epilogue) -> Vec<f32> {
    debug_assert!(applies(g));
    let tiling = Tiling::new(g);
    let u = filter_transform(w, g.c_in, g.c_out);
    // One image per task, each with single-threaded products: splitting a product over threads
    // or grouping images into taller products measured 10–60 % slower on 14²–56² maps (2 cores);
    // threads left over when the batch is smaller than the pool go to each image's products.
    let threads_per_image = rayon::current_num_threads().div_ceil(g.batch);
    let image_len = g.c_out * g.h_out() * g.w_out();
    let len = g.batch * image_len;
    let mut y: Vec<f32> = Vec::with_capacity(len);
    let base = SendPtr(y.as_mut_ptr());
    (0..g.batch).into_par_iter().for_each(|b| {
        let image = &x[b * g.c_in * g.h * g.w..][..g.c_in * g.h * g.w];
        // SAFETY: task b writes only output map b.
        let dst = unsafe { base.add(b * image_len) };
        run_image(image, &u, g, tiling, dst, epilogue, threads_per_image);
    });
    // SAFETY: every task wrote all output positions of its image (the tiles cover the map).
    unsafe { y.set_len(len) };
    y
}

/// Transforms, multiplies and transforms back one image `x (c_in, h, w)` into `dst`
/// (`c_out` maps of `h_out × w_out`).
fn run_image(
    x: &[f32],
    u: &[f32],
    g: &PlaneGeometry,
    tiling: Tiling,
    dst: SendPtr,
    epilogue: Epilogue,
    threads: usize,
) {
    let tiles = tiling.per_image();
    let (c_in, c_out) = (g.c_in, g.c_out);
    let parallel = threads > 1;
    // V: (ξ, c_in, tiles), every element written by the input transform.
    let mut v: Vec<f32> = Vec::with_capacity(XI * c_in * tiles);
    let v_ptr = SendPtr(v.as_mut_ptr());
    for_each(parallel, c_in, |ci| {
        let plane = &x[ci * g.h * g.w..][..g.h * g.w];
        // SAFETY: writes V[ξ, ci, ..], disjoint across input channels.
        unsafe { input_transform(plane, g, tiling, v_ptr.add(ci * tiles), c_in * tiles) };
    });
    // SAFETY: written above.
    unsafe { v.set_len(XI * c_in * tiles) };
    // M: (ξ, c_out, tiles), written by the products (`accumulate` false: never read first).
    let mut m: Vec<f32> = Vec::with_capacity(XI * c_out * tiles);
    for xi in 0..XI {
        // SAFETY: lhs V_ξ (tiles × c_in) and rhs U_ξ (c_in × c_out) lie in their buffers; dst
        // M_ξ (tiles × c_out) is the ξ-th block of `m`'s capacity.
        unsafe {
            matmul(
                tiles,
                c_out,
                c_in,
                m.as_mut_ptr().add(xi * c_out * tiles),
                1,
                tiles as isize,
                false,
                View {
                    ptr: v.as_ptr().add(xi * c_in * tiles),
                    rs: 1,
                    cs: tiles as isize,
                },
                View {
                    ptr: u.as_ptr().add(xi * c_out * c_in),
                    rs: 1,
                    cs: c_in as isize,
                },
                threads,
            );
        }
    }
    // SAFETY: the 36 products wrote every element.
    unsafe { m.set_len(XI * c_out * tiles) };
    drop(v);
    let map = g.h_out() * g.w_out();
    for_each(parallel, c_out, |co| {
        // SAFETY: writes output map co, disjoint across output channels.
        let out = unsafe {
            std::slice::from_raw_parts_mut(dst.add(co * map).0 as *mut MaybeUninit<f32>, map)
        };
        output_transform(&m[co * tiles..], c_out * tiles, g, tiling, out, |v| {
            epilogue.value(co, v)
        });
    });
}

/// `U (ξ, c_out, c_in)`: the 36 transformed filter elements of every (output, input) channel
/// pair of `w (c_out, c_in, 3, 3)`.
fn filter_transform(w: &[f32], c_in: usize, c_out: usize) -> Vec<f32> {
    let len = XI * c_out * c_in;
    let mut u: Vec<f32> = Vec::with_capacity(len);
    let base = SendPtr(u.as_mut_ptr());
    (0..c_out).into_par_iter().for_each(|co| {
        for ci0 in (0..c_in).step_by(LANES) {
            let n = LANES.min(c_in - ci0);
            let mut taps = [[[0.0f32; LANES]; 3]; 3];
            for (l, kernel) in w[(co * c_in + ci0) * 9..][..n * 9]
                .chunks_exact(9)
                .enumerate()
            {
                for (t, &value) in kernel.iter().enumerate() {
                    taps[t / 3][t % 3][l] = value;
                }
            }
            let transformed = filter_tile(&taps);
            for (xi, lanes) in transformed.iter().flatten().enumerate() {
                // SAFETY: U[ξ, co, ci0..ci0 + n], disjoint across output channels.
                unsafe {
                    std::ptr::copy_nonoverlapping(
                        lanes.as_ptr(),
                        base.add((xi * c_out + co) * c_in + ci0).0,
                        n,
                    );
                }
            }
        }
    });
    // SAFETY: every (ξ, co, ci) was written above.
    unsafe { u.set_len(len) };
    u
}
