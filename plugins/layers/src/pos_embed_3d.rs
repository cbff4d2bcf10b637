use eobench_core::burn::tensor::{Device, Tensor, TensorData};

/// 1-D sine-cosine encoding of `pos` in `dim` channels (MAE's `get_1d_sincos_pos_embed_from_grid`):
/// `sin(pos·ω_k)` for k < dim/2, then `cos(pos·ω_k)`, ω_k = 10000^(−k/(dim/2)); computed in f64.
fn sincos_1d(out: &mut Vec<f32>, dim: usize, pos: f64) {
    let half = dim / 2;
    let omega = |k: usize| 1.0 / 10000f64.powf(k as f64 / half as f64);
    out.extend((0..half).map(|k| (pos * omega(k)).sin() as f32));
    out.extend((0..half).map(|k| (pos * omega(k)).cos() as f32));
}

/// Fixed 3-D sine-cosine position table of Prithvi (`get_3d_sincos_pos_embed` in
/// hls-foundation-os / TerraTorch `prithvi_mae.py`), (N [+1], dim) flattened, tokens ordered
/// frame-major then row-major (index = (t·grid_h + row)·grid_w + col), as a Conv3d patch
/// embedding flattens them.
///
/// Channels per token: `[0, 6·dim/16)` encode the column, the next `6·dim/16` the row, the last
/// `4·dim/16` the frame, each as a 1-D sin-cos block (sin half, then cos half). With `cls`, a
/// leading all-zero row is added for the class token.
///
/// # Panics
/// If `dim` is not a multiple of 16.
pub fn sincos_3d_pos_embed(
    dim: usize,
    grid_t: usize,
    grid_h: usize,
    grid_w: usize,
    cls: bool,
) -> Vec<f32> {
    assert!(
        dim.is_multiple_of(16),
        "3-D sin-cos position embedding needs dim divisible by 16, got {dim}"
    );
    let (dw, dh, dt) = (dim / 16 * 6, dim / 16 * 6, dim / 16 * 4);
    let mut out = Vec::with_capacity((grid_t * grid_h * grid_w + usize::from(cls)) * dim);
    if cls {
        out.extend(std::iter::repeat_n(0.0f32, dim));
    }
    for t in 0..grid_t {
        for row in 0..grid_h {
            for col in 0..grid_w {
                sincos_1d(&mut out, dw, col as f64);
                sincos_1d(&mut out, dh, row as f64);
                sincos_1d(&mut out, dt, t as f64);
            }
        }
    }
    debug_assert_eq!(out.len() % dim, 0);
    out
}

/// [`sincos_3d_pos_embed`] as a (1, N [+1], dim) tensor.
pub fn sincos_3d_pos_embed_tensor(
    dim: usize,
    grid: [usize; 3],
    cls: bool,
    device: &Device,
) -> Tensor<3> {
    let n = grid[0] * grid[1] * grid[2] + usize::from(cls);
    Tensor::from_data(
        TensorData::new(
            sincos_3d_pos_embed(dim, grid[0], grid[1], grid[2], cls),
            [1, n, dim],
        ),
        device,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_prithvi_formula() {
        // dim 16: 6 column channels, 6 row channels, 4 frame channels.
        let t = sincos_3d_pos_embed(16, 2, 2, 3, true);
        assert_eq!(t.len(), (1 + 12) * 16);
        assert!(t[..16].iter().all(|v| *v == 0.0));
        // Token (t=1, row=1, col=2) = index 1 + (1·2 + 1)·3 + 2 = 12.
        let tok = &t[12 * 16..13 * 16];
        let w = |k: usize, d: usize| 1.0 / 10000f64.powf(k as f64 / (d / 2) as f64);
        assert!((tok[0] as f64 - (2.0 * w(0, 6)).sin()).abs() < 1e-7);
        assert!((tok[4] as f64 - (2.0 * w(1, 6)).cos()).abs() < 1e-7);
        assert!((tok[6 + 1] as f64 - (1.0 * w(1, 6)).sin()).abs() < 1e-7);
        assert!((tok[12] as f64 - (1.0f64).sin()).abs() < 1e-7);
        assert!((tok[12 + 3] as f64 - (1.0 * w(1, 4)).cos()).abs() < 1e-7);
    }
}
