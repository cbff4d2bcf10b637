use eobench_core::burn::tensor::{Device, Tensor, TensorData};

/// Fixed 2-D sine-cosine position table, exactly MAE's `get_2d_sincos_pos_embed`, generalised to
/// a `grid_h × grid_w` grid; row-major (token index = row·grid_w + col), (N [+1], dim) flattened.
///
/// Layout per token at (row, col), as MAE (its `np.meshgrid(grid_w, grid_h)` puts the *column*
/// coordinate first): channels `[0, dim/2)` encode the column, `[dim/2, dim)` the row; inside each
/// half, `sin(p·ω_k)` for k < dim/4 then `cos(p·ω_k)`, with ω_k = 10000^(−k/(dim/4)).
/// With `cls`, a leading all-zero row is added for the class token. MAE-family checkpoints
/// (Prithvi, SSL4EO-MAE, Scale-MAE without GSD) use this table, often not stored in the weights.
///
/// # Panics
/// If `dim` is not a multiple of 4.
pub fn sincos_2d_pos_embed(dim: usize, grid_h: usize, grid_w: usize, cls: bool) -> Vec<f32> {
    assert!(
        dim.is_multiple_of(4),
        "2-D sin-cos position embedding needs dim divisible by 4, got {dim}"
    );
    let quarter = dim / 4;
    let omega: Vec<f64> = (0..quarter)
        .map(|k| 1.0 / 10000f64.powf(k as f64 / quarter as f64))
        .collect();
    let mut out = Vec::with_capacity((grid_h * grid_w + usize::from(cls)) * dim);
    if cls {
        out.extend(std::iter::repeat_n(0.0f32, dim));
    }
    let encode = |out: &mut Vec<f32>, pos: f64| {
        out.extend(omega.iter().map(|w| (pos * w).sin() as f32));
        out.extend(omega.iter().map(|w| (pos * w).cos() as f32));
    };
    for row in 0..grid_h {
        for col in 0..grid_w {
            encode(&mut out, col as f64);
            encode(&mut out, row as f64);
        }
    }
    debug_assert_eq!(out.len() % dim, 0);
    out
}

/// [`sincos_2d_pos_embed`] as a (1, N [+1], dim) tensor, the shape timm-style `pos_embed` has.
pub fn sincos_2d_pos_embed_tensor(
    dim: usize,
    grid_h: usize,
    grid_w: usize,
    cls: bool,
    device: &Device,
) -> Tensor<3> {
    let n = grid_h * grid_w + usize::from(cls);
    Tensor::from_data(
        TensorData::new(sincos_2d_pos_embed(dim, grid_h, grid_w, cls), [1, n, dim]),
        device,
    )
}
