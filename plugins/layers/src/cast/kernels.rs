//! The two conversions over slices, chunked across rayon's threads.

use eobench_core::burn::tensor::bf16;
use rayon::prelude::*;
use std::mem::MaybeUninit;

/// Elements per parallel job: large enough to amortise scheduling, small enough to balance.
const CHUNK: usize = 1 << 15;

/// `x` rounded to the nearest bf16, ties to even (as `half::bf16::from_f32`, which burn-flex
/// uses): overflow rounds to ±∞, NaN keeps its sign and top payload bits with the quiet bit
/// set, so it cannot round to ∞.
#[inline(always)]
fn to_bf16_bits(x: f32) -> u16 {
    let bits = x.to_bits();
    let nan = bits & 0x7FFF_FFFF > 0x7F80_0000;
    let rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16;
    (if nan { (bits >> 16) | 0x40 } else { rounded }) as u16
}

/// Maps `src` into a new vector with `f`, in parallel chunks (no zero-fill of the output).
fn map_parallel<S: Sync, T: Send>(src: &[S], f: impl Fn(&S) -> T + Sync) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(src.len());
    out.spare_capacity_mut()[..src.len()]
        .par_chunks_mut(CHUNK)
        .zip(src.par_chunks(CHUNK))
        .for_each(|(dst, src)| {
            for (d, s) in dst.iter_mut().zip(src) {
                *d = MaybeUninit::new(f(s));
            }
        });
    // SAFETY: the chunks above cover and initialise the first `src.len()` elements.
    unsafe { out.set_len(src.len()) };
    out
}

/// `src` rounded to bf16.
pub fn f32_to_bf16(src: &[f32]) -> Vec<bf16> {
    map_parallel(src, |&x| bf16::from_bits(to_bf16_bits(x)))
}

/// `src` widened to f32 (exact).
pub fn bf16_to_f32(src: &[bf16]) -> Vec<f32> {
    map_parallel(src, |x| f32::from_bits(u32::from(x.to_bits()) << 16))
}
