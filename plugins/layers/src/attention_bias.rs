use eobench_core::burn::tensor::Tensor;
use eobench_core::burn::tensor::module::attention;
use eobench_core::burn::tensor::ops::AttentionModuleOptions;

use crate::attention::Attention;

impl Attention {
    /// (B, N, D) → (B, N, D) with an additive bias on the attention logits:
    /// softmax(QKᵀ/√d + bias)V. `bias` is (1 or B, heads, N, N) (e.g. [`crate::alibi_2d_bias_tensor`]);
    /// `None` is exactly [`Attention::forward`].
    pub fn forward_with_bias(&self, x: Tensor<3>, bias: Option<Tensor<4>>) -> Tensor<3> {
        let [b, n, d] = x.dims();
        let h = self.num_heads;
        let hd = d / h;
        let qkv = self
            .qkv
            .forward(x)
            .reshape([b, n, 3, h, hd])
            .permute([2, 0, 3, 1, 4]);
        let pick = |i: usize| {
            qkv.clone()
                .slice([i..i + 1, 0..b, 0..h, 0..n, 0..hd])
                .reshape([b, h, n, hd])
        };
        let (q, k, v) = (pick(0), pick(1), pick(2));
        let bias = bias.map(|t| t.expand([b, h, n, n]));
        let out = attention(q, k, v, None, bias, AttentionModuleOptions::default());
        self.proj.forward(out.swap_dims(1, 2).reshape([b, n, d]))
    }
}
