//! The transforms of Winograd's F(4×4, 3×3) (Lavin & Gray 2016, interpolation points
//! 0, ±1, ±2, ∞), each applied to [`LANES`] independent tiles at once so the arithmetic runs
//! across lanes (one SIMD register per row of a tile's matrix). Forward:
//! input `V = Bᵀ d B` (6×6 → 6×6), filter `U = G g Gᵀ` (3×3 → 6×6), output `Y = Aᵀ M A`
//! (6×6 → 4×4). The weight gradient is the same bilinear map differentiated with respect to
//! the filter, `dg = Gᵀ [Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ d B)] G`: output-gradient tiles `A dY Aᵀ`
//! (4×4 → 6×6) and the filter-gradient transform `Gᵀ M G` (6×6 → 3×3).

/// Tiles transformed together.
pub const LANES: usize = 16;

/// One value of [`LANES`] tiles.
pub type Lanes = [f32; LANES];

const ZERO: Lanes = [0.0; LANES];

/// `Bᵀ d` for a 6-vector `d`.
#[inline(always)]
fn input_1d(d: [&Lanes; 6]) -> [Lanes; 6] {
    let mut v = [ZERO; 6];
    for l in 0..LANES {
        let (d0, d1, d2, d3, d4, d5) = (d[0][l], d[1][l], d[2][l], d[3][l], d[4][l], d[5][l]);
        // Shared subexpressions of rows 1–4, as in every F(4, 3) implementation.
        let (a, b) = (d4 - 4.0 * d2, d3 - 4.0 * d1);
        let (c, e) = (d4 - d2, 2.0 * (d3 - d1));
        v[0][l] = 4.0 * d0 - 5.0 * d2 + d4;
        v[1][l] = a + b;
        v[2][l] = a - b;
        v[3][l] = c + e;
        v[4][l] = c - e;
        v[5][l] = 4.0 * d1 - 5.0 * d3 + d5;
    }
    v
}

/// `Gᵀ`-side of the filter transform: `G g` for a 3-vector `g`.
#[inline(always)]
fn filter_1d(g: [&Lanes; 3]) -> [Lanes; 6] {
    let mut u = [ZERO; 6];
    for l in 0..LANES {
        let (g0, g1, g2) = (g[0][l], g[1][l], g[2][l]);
        let (even, odd) = (g0 + g2, g1);
        u[0][l] = g0 * 0.25;
        u[1][l] = -(even + odd) * (1.0 / 6.0);
        u[2][l] = -(even - odd) * (1.0 / 6.0);
        let (even4, odd4) = (g0 * (1.0 / 24.0) + g2 * (1.0 / 6.0), g1 * (1.0 / 12.0));
        u[3][l] = even4 + odd4;
        u[4][l] = even4 - odd4;
        u[5][l] = g2;
    }
    u
}

/// `Aᵀ m` for a 6-vector `m`.
#[inline(always)]
fn output_1d(m: [&Lanes; 6]) -> [Lanes; 4] {
    let mut y = [ZERO; 4];
    for l in 0..LANES {
        let (m0, m1, m2, m3, m4, m5) = (m[0][l], m[1][l], m[2][l], m[3][l], m[4][l], m[5][l]);
        let (s12, d12, s34, d34) = (m1 + m2, m1 - m2, m3 + m4, m3 - m4);
        y[0][l] = m0 + s12 + s34;
        y[1][l] = d12 + 2.0 * d34;
        y[2][l] = s12 + 4.0 * s34;
        y[3][l] = d12 + 8.0 * d34 + m5;
    }
    y
}

/// `A dy` for a 4-vector `dy` (the transpose of [`output_1d`]).
#[inline(always)]
fn grad_output_1d(dy: [&Lanes; 4]) -> [Lanes; 6] {
    let mut z = [ZERO; 6];
    for l in 0..LANES {
        let (d0, d1, d2, d3) = (dy[0][l], dy[1][l], dy[2][l], dy[3][l]);
        let (even, odd, even4, odd4) = (d0 + d2, d1 + d3, d0 + 4.0 * d2, 2.0 * d1 + 8.0 * d3);
        z[0][l] = d0;
        z[1][l] = even + odd;
        z[2][l] = even - odd;
        z[3][l] = even4 + odd4;
        z[4][l] = even4 - odd4;
        z[5][l] = d3;
    }
    z
}

/// `Gᵀ m` for a 6-vector `m` (the transpose of [`filter_1d`]).
#[inline(always)]
fn filter_grad_1d(m: [&Lanes; 6]) -> [Lanes; 3] {
    let mut w = [ZERO; 3];
    for l in 0..LANES {
        let (m0, m1, m2, m3, m4, m5) = (m[0][l], m[1][l], m[2][l], m[3][l], m[4][l], m[5][l]);
        let (s12, s34) = (m1 + m2, m3 + m4);
        w[0][l] = m0 * 0.25 - s12 * (1.0 / 6.0) + s34 * (1.0 / 24.0);
        w[1][l] = (m2 - m1) * (1.0 / 6.0) + (m3 - m4) * (1.0 / 12.0);
        w[2][l] = (s34 - s12) * (1.0 / 6.0) + m5;
    }
    w
}

/// A 2-D transform `T x Tᵀ` of square tiles from its 1-D transform `f` (`x ↦ T x`): `f` along
/// each column, then along each row of the result.
#[inline(always)]
fn separable<const I: usize, const O: usize>(
    x: &[[Lanes; I]; I],
    f: impl Fn([&Lanes; I]) -> [Lanes; O],
) -> [[Lanes; O]; O] {
    // columns[c][i] = (T x)[i][c]
    let columns: [[Lanes; O]; I] = std::array::from_fn(|c| f(std::array::from_fn(|r| &x[r][c])));
    std::array::from_fn(|i| f(std::array::from_fn(|c| &columns[c][i])))
}

/// `V = Bᵀ d B` of input tiles `d[row][column]`; `V[i][j]` is transform element `6i + j`.
#[inline(always)]
pub fn input_tile(d: &[[Lanes; 6]; 6]) -> [[Lanes; 6]; 6] {
    separable(d, input_1d)
}

/// `U = G g Gᵀ` of 3×3 filters `g[row][column]`; `U[i][j]` is transform element `6i + j`.
#[inline(always)]
pub fn filter_tile(g: &[[Lanes; 3]; 3]) -> [[Lanes; 6]; 6] {
    separable(g, filter_1d)
}

/// `Y = Aᵀ M A` of transformed products `m[i][j]` (element `6i + j`); `Y[row][column]`.
#[inline(always)]
pub fn output_tile(m: &[[Lanes; 6]; 6]) -> [[Lanes; 4]; 4] {
    separable(m, output_1d)
}

/// `Z = A dY Aᵀ` of output-gradient tiles `dy[row][column]`; `Z[i][j]` is element `6i + j`.
#[inline(always)]
pub fn grad_output_tile(dy: &[[Lanes; 4]; 4]) -> [[Lanes; 6]; 6] {
    separable(dy, grad_output_1d)
}

/// `dg = Gᵀ M G` of accumulated products `m[i][j]` (element `6i + j`); `dg[row][column]`.
#[inline(always)]
pub fn filter_grad_tile(m: &[[Lanes; 6]; 6]) -> [[Lanes; 3]; 3] {
    separable(m, filter_grad_1d)
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)] // index loops mirror the matrix formulas
mod tests {
    use super::*;

    fn input() -> [[f32; 6]; 6] {
        std::array::from_fn(|r| std::array::from_fn(|c| ((r * 7 + c * 3) % 11) as f32 - 5.0))
    }

    /// Lane l scales the value by l + 1 when `scale`, so lanes are checked to stay independent.
    fn lanes(v: f32, scale: bool) -> Lanes {
        std::array::from_fn(|l| if scale { v * (l + 1) as f32 } else { v })
    }

    fn assert_close(got: f32, want: f32, what: &str) {
        assert!(
            (got - want).abs() < 1e-4 * want.abs().max(1.0),
            "{what}: {got} vs {want}"
        );
    }

    /// The 36 element-wise products of two transformed tiles (what the products over channels
    /// sum, for one channel pair).
    fn elementwise_product(a: &[[Lanes; 6]; 6], b: &[[Lanes; 6]; 6]) -> [[Lanes; 6]; 6] {
        std::array::from_fn(|i| {
            std::array::from_fn(|j| std::array::from_fn(|l| a[i][j][l] * b[i][j][l]))
        })
    }

    /// One tile through all three transforms equals the direct 3×3 correlation.
    #[test]
    fn transforms_compute_a_4x4_correlation() {
        let d = input();
        let g: [[f32; 3]; 3] =
            std::array::from_fn(|r| std::array::from_fn(|c| ((r * 5 + c) % 7) as f32 * 0.25 - 0.7));
        let dl = d.map(|row| row.map(|v| lanes(v, true)));
        let gl = g.map(|row| row.map(|v| lanes(v, false)));
        let (v, u) = (input_tile(&dl), filter_tile(&gl));
        let m = elementwise_product(&v, &u);
        let y = output_tile(&m);
        for r in 0..4 {
            for c in 0..4 {
                let direct: f32 = (0..3)
                    .flat_map(|ky| (0..3).map(move |kx| (ky, kx)))
                    .map(|(ky, kx)| d[r + ky][c + kx] * g[ky][kx])
                    .sum();
                for l in 0..LANES {
                    assert_close(
                        y[r][c][l],
                        direct * (l + 1) as f32,
                        &format!("({r}, {c}) lane {l}"),
                    );
                }
            }
        }
    }

    /// The gradient transforms give `dg[ky][kx] = Σ d[r + ky][c + kx] · dY[r][c]`, the
    /// correlation of an input tile with a 4×4 output-gradient tile.
    #[test]
    fn gradient_transforms_compute_the_filter_gradient() {
        let d = input();
        let dy: [[f32; 4]; 4] = std::array::from_fn(|r| {
            std::array::from_fn(|c| ((r * 3 + c * 5) % 9) as f32 * 0.3 - 1.1)
        });
        let v = input_tile(&d.map(|row| row.map(|v| lanes(v, true))));
        let z = grad_output_tile(&dy.map(|row| row.map(|v| lanes(v, false))));
        let m = elementwise_product(&v, &z);
        let dg = filter_grad_tile(&m);
        for ky in 0..3 {
            for kx in 0..3 {
                let direct: f32 = (0..4)
                    .flat_map(|r| (0..4).map(move |c| (r, c)))
                    .map(|(r, c)| d[r + ky][c + kx] * dy[r][c])
                    .sum();
                for l in 0..LANES {
                    assert_close(
                        dg[ky][kx][l],
                        direct * (l + 1) as f32,
                        &format!("({ky}, {kx}) lane {l}"),
                    );
                }
            }
        }
    }
}
