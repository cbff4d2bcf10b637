//! `cargo bench -p eobench-layers --bench bf16_peak`: peak single-core multiply-add rate of the
//! two AVX-512 instructions a CPU product kernel could be built on, f32 `vfmadd231ps` (16
//! multiply-adds) and AVX512-BF16 `vdpbf16ps` (32 bf16 multiply-adds into 16 f32 sums), each
//! over 12 independent accumulators so latency cannot bound it. It answers whether a bf16 kernel
//! without AMX can beat the f32 one: only if the second figure exceeds the first. Prints
//! GFLOP/s (2 per multiply-add), best of `EOBENCH_PEAK_REPEATS` (default 3).

#[cfg(target_arch = "x86_64")]
mod peak {
    use std::arch::x86_64::*;
    use std::hint::black_box;

    // Enough independent sums to cover the latency (4–6 cycles × 2 ports) and few enough to stay in
    // registers (24 spilled to the stack in the bench profile).
    const ACCUMULATORS: usize = 12;

    /// `iterations` × 12 `vfmadd231ps`; returns a sum so nothing is optimised away.
    #[target_feature(enable = "avx512f")]
    pub fn fma_f32(iterations: usize) -> f32 {
        let (a, b) = (_mm512_set1_ps(1.0001), _mm512_set1_ps(0.9999));
        let mut acc = [_mm512_setzero_ps(); ACCUMULATORS];
        for _ in 0..iterations {
            for s in &mut acc {
                *s = _mm512_fmadd_ps(a, b, *s);
            }
            // Once per 12 instructions: keeps the loop from being folded without a memory
            // round trip per instruction.
            black_box(&a);
        }
        acc.iter().fold(0.0, |t, s| t + _mm512_reduce_add_ps(*s))
    }

    /// `iterations` × 12 `vdpbf16ps` on bf16 pairs (1.0, 1.0).
    #[target_feature(enable = "avx512f,avx512bf16")]
    pub fn dot_bf16(iterations: usize) -> f32 {
        let ones = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1.0), _mm512_set1_ps(1.0));
        let mut acc = [_mm512_setzero_ps(); ACCUMULATORS];
        for _ in 0..iterations {
            for s in &mut acc {
                *s = _mm512_dpbf16_ps(*s, ones, ones);
            }
            black_box(&ones);
        }
        acc.iter().fold(0.0, |t, s| t + _mm512_reduce_add_ps(*s))
    }

    /// Multiply-adds per iteration of each kernel.
    pub const FMA_PER_ITERATION: usize = ACCUMULATORS * 16;
    /// bf16 pairs: twice the products of an f32 lane.
    pub const DOT_PER_ITERATION: usize = ACCUMULATORS * 32;
}

#[cfg(target_arch = "x86_64")]
fn main() {
    let repeats: usize = std::env::var("EOBENCH_PEAK_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let iterations = 20_000_000;
    let best = |f: &dyn Fn() -> f32, per_iteration: usize| {
        (0..repeats)
            .map(|_| {
                let start = std::time::Instant::now();
                std::hint::black_box(f());
                2.0 * (iterations * per_iteration) as f64 / start.elapsed().as_secs_f64() / 1e9
            })
            .fold(0.0, f64::max)
    };
    if !is_x86_feature_detected!("avx512f") {
        println!("no AVX-512 on this CPU: nothing to compare");
        return;
    }
    // SAFETY: the features each kernel enables were detected above / below.
    let fma = best(
        &|| unsafe { peak::fma_f32(iterations) },
        peak::FMA_PER_ITERATION,
    );
    println!("  f32  vfmadd231ps  {fma:7.1} GFLOP/s per core");
    if is_x86_feature_detected!("avx512bf16") {
        let dot = best(
            &|| unsafe { peak::dot_bf16(iterations) },
            peak::DOT_PER_ITERATION,
        );
        println!(
            "  bf16 vdpbf16ps    {dot:7.1} GFLOP/s per core ({:.2}x f32)",
            dot / fma
        );
    } else {
        println!("  bf16 vdpbf16ps    not available (no AVX512-BF16)");
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    println!("bf16_peak measures x86-64 AVX-512 instructions; nothing to do on this target");
}
