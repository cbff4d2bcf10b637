use eobench_core::burn::tensor::{Device, Tensor, TensorData};

/// ALiBi head slopes (Press et al.), as in CROMA's / Pangaea's `get_slopes`.
///
/// For a power of two `n`: `start^(i+1)`, `start = 2^(-2^-(log2 n - 3))` (16 heads: 2^-0.5,
/// 2^-1, …, 2^-8). Otherwise the slopes of the closest lower power of two, followed by every
/// other slope of the next power of two (the ALiBi reference's rule; torchgeo only implements
/// the power-of-two branch, which gives the same values there).
pub fn alibi_slopes(n: usize) -> Vec<f64> {
    fn pow2(n: usize) -> Vec<f64> {
        let start = 2f64.powf(-(2f64.powf(-((n as f64).log2() - 3.0))));
        (0..n).map(|i| start * start.powi(i as i32)).collect()
    }
    if n == 0 {
        return vec![];
    }
    if n.is_power_of_two() {
        return pow2(n);
    }
    let closest = 1usize << (usize::BITS - 1 - n.leading_zeros());
    let mut s = pow2(closest);
    s.extend(
        alibi_slopes(2 * closest)
            .into_iter()
            .step_by(2)
            .take(n - closest),
    );
    s
}

/// CROMA's 2-D ALiBi attention bias, (heads, N, N) row-major with N = h·w patches in row-major
/// order: `bias[k][p][q] = −slope_k · ‖centre_p − centre_q‖₂` (distances in patch units).
///
/// Matches `get_2dalibi(num_heads, num_patches)` of CROMA / torchgeo / Pangaea for square grids
/// (which they assume), in float32 as torch computes it (f32 slope × f32 distance); rectangular
/// grids follow the same rule.
pub fn alibi_2d_bias(num_heads: usize, grid: [usize; 2]) -> Vec<f32> {
    let [gh, gw] = grid;
    let n = gh * gw;
    let slopes: Vec<f32> = alibi_slopes(num_heads).iter().map(|s| *s as f32).collect();
    let dist: Vec<f32> = (0..n * n)
        .map(|pq| {
            let (p, q) = (pq / n, pq % n);
            let dy = (p / gw) as f64 - (q / gw) as f64;
            let dx = (p % gw) as f64 - (q % gw) as f64;
            (dy * dy + dx * dx).sqrt() as f32
        })
        .collect();
    let mut out = Vec::with_capacity(num_heads * n * n);
    for s in &slopes {
        out.extend(dist.iter().map(|d| -(d * s)));
    }
    out
}

/// [`alibi_2d_bias`] as a (1, heads, N, N) tensor, ready to add to attention logits.
pub fn alibi_2d_bias_tensor(num_heads: usize, grid: [usize; 2], device: &Device) -> Tensor<4> {
    let n = grid[0] * grid[1];
    Tensor::from_data(
        TensorData::new(alibi_2d_bias(num_heads, grid), [1, num_heads, n, n]),
        device,
    )
}
