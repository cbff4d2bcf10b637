//! Timing shared by the kernel benches.

use std::time::Instant;

/// Seconds per call of `f` over `repeats` timed calls after one warm-up, sorted ascending.
pub fn time(repeats: usize, mut f: impl FnMut()) -> Vec<f64> {
    f();
    let mut s: Vec<f64> = (0..repeats)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    s.sort_by(f64::total_cmp);
    s
}

/// Median, min and max of sorted timings.
pub fn median_min_max(s: &[f64]) -> (f64, f64, f64) {
    (s[s.len() / 2], s[0], s[s.len() - 1])
}
