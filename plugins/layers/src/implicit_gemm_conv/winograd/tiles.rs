//! Moving tiles between planes and the transformed layout `(ξ, channel, tile)`.
//!
//! Lanes run over consecutive tile indices (row-major over the tile grid, across tile rows), so
//! small maps fill the [`LANES`] as well as large ones (a 16² map has 4 tiles per row and 16 in
//! all). Gathers read from a zero-padded copy of the plane in a per-thread scratch buffer, so
//! no tile needs bounds checks and no call allocates.

use super::super::geometry::PlaneGeometry;
use super::super::matmul::SendPtr;
use super::transforms::{LANES, Lanes, grad_output_tile, input_tile, output_tile};
use super::{ALPHA, TILE, Tiling};
use std::cell::RefCell;
use std::mem::MaybeUninit;

thread_local! {
    /// The padded plane of [`input_transform`] and [`grad_output_transform`].
    static PADDED: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Width of the padded plane: the tile grid's span of input columns.
fn span(tiling: Tiling) -> usize {
    tiling.columns * TILE + ALPHA - TILE
}

/// Offset of each lane's tile `(ty, tx)` in a plane of row pitch `pitch`, for tiles
/// `t0..t0 + n`; lanes past `n` repeat tile `t0` (computed, never stored).
fn lane_offsets(tiling: Tiling, t0: usize, n: usize, pitch: usize) -> [usize; LANES] {
    std::array::from_fn(|l| {
        let t = t0 + if l < n { l } else { 0 };
        let (ty, tx) = (t / tiling.columns, t % tiling.columns);
        ty * TILE * pitch + tx * TILE
    })
}

/// The `S × S` blocks of `padded` (row pitch `span`) at each lane's offset, lane-interleaved.
#[inline(always)]
fn gather<const S: usize>(
    padded: &[f32],
    offsets: &[usize; LANES],
    span: usize,
) -> [[Lanes; S]; S] {
    std::array::from_fn(|r| {
        std::array::from_fn(|c| std::array::from_fn(|l| padded[offsets[l] + r * span + c]))
    })
}

/// Stores lanes `..n` of each of `values` at `dst + ξ·xi_stride + tile`.
///
/// # Safety
/// `dst` must be valid for those writes.
#[inline(always)]
unsafe fn store_lanes(values: &[Lanes], dst: SendPtr, xi_stride: usize, tile: usize, n: usize) {
    for (xi, lanes) in values.iter().enumerate() {
        // SAFETY: forwarded from the caller.
        unsafe {
            let at = dst.add(xi * xi_stride + tile).0;
            if n == LANES {
                // A fixed-size copy compiles to vector moves; a variable one to a memcpy call.
                (at as *mut Lanes).write_unaligned(*lanes);
            } else {
                std::ptr::copy_nonoverlapping(lanes.as_ptr(), at, n);
            }
        }
    }
}

/// Runs `f` with this thread's scratch buffer cleared to `len` zeros.
fn with_padded<R>(len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    PADDED.with_borrow_mut(|buffer| {
        buffer.clear();
        buffer.resize(len, 0.0);
        f(buffer)
    })
}

/// Transforms every tile of one input plane (`h × w`, zero outside it per the geometry's
/// padding) into `dst[ξ·xi_stride + tile]`.
///
/// # Safety
/// `dst` must be valid for writes at `ξ·xi_stride + t` for ξ < 36 and t < the plane's tiles.
pub(super) unsafe fn input_transform(
    plane: &[f32],
    g: &PlaneGeometry,
    tiling: Tiling,
    dst: SendPtr,
    xi_stride: usize,
) {
    let span = span(tiling);
    let height = tiling.rows * TILE + ALPHA - TILE;
    with_padded(height * span, |padded| {
        // Padded row r, column c hold input (r − top, c − left) where that exists.
        let (top, left) = (g.pad_h.0, g.pad_w.0);
        let columns = span.saturating_sub(left).min(g.w);
        for (y, row) in plane.chunks_exact(g.w).enumerate() {
            if y + top >= height {
                break;
            }
            padded[(y + top) * span + left..][..columns].copy_from_slice(&row[..columns]);
        }
        let tiles = tiling.per_image();
        for t0 in (0..tiles).step_by(LANES) {
            let n = LANES.min(tiles - t0);
            let d = gather::<ALPHA>(padded, &lane_offsets(tiling, t0, n, span), span);
            let v = input_tile(&d);
            // SAFETY: forwarded from the caller (tiles t0..t0 + n of this plane).
            unsafe { store_lanes(v.as_flattened(), dst, xi_stride, t0, n) };
        }
    });
}

/// Transforms every 4×4 tile of one output-gradient plane (`h_out × w_out`, zero past its edges)
/// into `dst[ξ·xi_stride + tile]`.
///
/// # Safety
/// `dst` must be valid for writes at `ξ·xi_stride + t` for ξ < 36 and t < the plane's tiles.
pub(super) unsafe fn grad_output_transform(
    plane: &[f32],
    g: &PlaneGeometry,
    tiling: Tiling,
    dst: SendPtr,
    xi_stride: usize,
) {
    let (span, w_out) = (tiling.columns * TILE, g.w_out());
    with_padded(tiling.rows * TILE * span, |padded| {
        for (row, src) in padded.chunks_exact_mut(span).zip(plane.chunks_exact(w_out)) {
            row[..w_out].copy_from_slice(src);
        }
        let tiles = tiling.per_image();
        for t0 in (0..tiles).step_by(LANES) {
            let n = LANES.min(tiles - t0);
            let dy = gather::<TILE>(padded, &lane_offsets(tiling, t0, n, span), span);
            let z = grad_output_tile(&dy);
            // SAFETY: forwarded from the caller (tiles t0..t0 + n of this plane).
            unsafe { store_lanes(z.as_flattened(), dst, xi_stride, t0, n) };
        }
    });
}

/// Transforms the products of one output map's tiles (`products[ξ·xi_stride + tile]`) back into
/// its `h_out × w_out` values, each passed through `finish`.
pub(super) fn output_transform(
    products: &[f32],
    xi_stride: usize,
    g: &PlaneGeometry,
    tiling: Tiling,
    out: &mut [MaybeUninit<f32>],
    finish: impl Fn(f32) -> f32,
) {
    let (h_out, w_out) = (g.h_out(), g.w_out());
    let tiles = tiling.per_image();
    for t0 in (0..tiles).step_by(LANES) {
        let n = LANES.min(tiles - t0);
        let mut m = [[[0.0f32; LANES]; ALPHA]; ALPHA];
        for (xi, lanes) in m.iter_mut().flatten().enumerate() {
            let src = &products[xi * xi_stride + t0..];
            if n == LANES {
                *lanes = src[..LANES].try_into().unwrap();
            } else {
                lanes[..n].copy_from_slice(&src[..n]);
            }
        }
        let y: [[Lanes; TILE]; TILE] = output_tile(&m);
        for l in 0..n {
            let (ty, tx) = ((t0 + l) / tiling.columns, (t0 + l) % tiling.columns);
            let (oy0, ox0) = (ty * TILE, tx * TILE);
            let columns = TILE.min(w_out - ox0);
            for (r, row) in y.iter().enumerate().take(h_out - oy0) {
                let out_row = &mut out[(oy0 + r) * w_out + ox0..][..columns];
                for (o, lanes) in out_row.iter_mut().zip(row) {
                    o.write(finish(lanes[l]));
                }
            }
        }
    }
}
