//! The one matrix-product primitive the kernels share: the `gemm` crate on strided views of raw
//! f32 buffers (burn exposes no strided product on raw memory).

use gemm::{Parallelism, gemm};

/// A strided read-only matrix view: element `(i, j)` is at `ptr + i·rs + j·cs`.
#[derive(Clone, Copy)]
pub struct View {
    /// Element `(0, 0)`.
    pub ptr: *const f32,
    /// Row stride in elements.
    pub rs: isize,
    /// Column stride in elements.
    pub cs: isize,
}

/// `dst (m × n) = [dst +] lhs (m × k) · rhs (k × n)`, `dst` strided like [`View`];
/// `threads > 1` splits the product over that many threads of the current rayon pool.
///
/// # Safety
/// Every index of all three views must lie inside live allocations, and `dst` must not alias
/// `lhs` or `rhs`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn matmul(
    m: usize,
    n: usize,
    k: usize,
    dst: *mut f32,
    dst_rs: isize,
    dst_cs: isize,
    accumulate: bool,
    lhs: View,
    rhs: View,
    threads: usize,
) {
    let parallelism = if threads > 1 {
        Parallelism::Rayon(threads)
    } else {
        Parallelism::None
    };
    // SAFETY: forwarded from the caller.
    unsafe {
        gemm(
            m,
            n,
            k,
            dst,
            dst_cs,
            dst_rs,
            accumulate,
            lhs.ptr,
            lhs.cs,
            lhs.rs,
            rhs.ptr,
            rhs.cs,
            rhs.rs,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}

/// A raw pointer that may cross into rayon tasks writing disjoint parts of one buffer.
#[derive(Clone, Copy)]
pub struct SendPtr(pub *mut f32);

impl SendPtr {
    /// The pointer `offset` elements further.
    ///
    /// # Safety
    /// The result must stay inside the allocation `self` points into.
    pub unsafe fn add(self, offset: usize) -> Self {
        // SAFETY: forwarded from the caller.
        Self(unsafe { self.0.add(offset) })
    }
}

// SAFETY: only used to hand disjoint output ranges to parallel tasks; see each use.
unsafe impl Send for SendPtr {}
// SAFETY: as above.
unsafe impl Sync for SendPtr {}
