use eobench_core::burn::tensor::Tensor;

/// Removes the first `n` tokens (class / register tokens) of (B, N, C) tokens.
pub fn drop_prefix_tokens(tokens: Tensor<3>, n: usize) -> Tensor<3> {
    let [b, len, c] = tokens.dims();
    assert!(n <= len, "cannot drop {n} prefix tokens from {len} tokens");
    tokens.slice([0..b, n..len, 0..c])
}

/// Patch tokens (B, N, C) → feature map (B, C, h, w), N = h·w in row-major patch order.
///
/// This is Pangaea's `x.permute(0, 2, 1).view(B, C, h, w)` after dropping the class token, the
/// step that makes ViT outputs consumable by convolutional decoders.
///
/// # Panics
/// If N ≠ h·w (drop prefix tokens first with [`drop_prefix_tokens`]).
pub fn tokens_to_map(tokens: Tensor<3>, grid: [usize; 2]) -> Tensor<4> {
    let [b, n, c] = tokens.dims();
    let [h, w] = grid;
    assert_eq!(n, h * w, "{n} tokens do not fill a {h}x{w} grid");
    tokens.swap_dims(1, 2).reshape([b, c, h, w])
}

/// Feature map (B, C, h, w) → tokens (B, h·w, C), the inverse of [`tokens_to_map`].
pub fn map_to_tokens(map: Tensor<4>) -> Tensor<3> {
    let [b, c, h, w] = map.dims();
    map.reshape([b, c, h * w]).swap_dims(1, 2)
}
