use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::Linear;
use eobench_core::burn::tensor::module::attention;
use eobench_core::burn::tensor::ops::AttentionModuleOptions;
use eobench_core::burn::tensor::{Device, Tensor};

use crate::init::timm_linear;

/// timm multi-head self-attention: one fused `qkv` Linear (D → 3D) and an output `proj`.
///
/// burn's `MultiHeadAttention` keeps separate `query/key/value/output` layers and adds dropout
/// by default, so timm checkpoints would not map onto it; this module keeps timm's keys
/// (`attn.qkv`, `attn.proj`) and its head layout (qkv reshaped to (3, heads, head_dim)).
/// The softmax(QKᵀ/√d)V itself is burn's fused `module::attention`.
#[derive(Module, Debug)]
pub struct Attention {
    /// Fused query/key/value projection, D → 3D.
    pub qkv: Linear,
    /// Output projection, D → D.
    pub proj: Linear,
    /// Number of heads; D must be divisible by it.
    pub num_heads: usize,
}

impl Attention {
    /// Attention over `dim` channels with `num_heads` heads; `qkv_bias` as timm's flag.
    ///
    /// # Panics
    /// If `dim` is not divisible by `num_heads` (encoders validate this in their config).
    pub fn new(dim: usize, num_heads: usize, qkv_bias: bool, device: &Device) -> Self {
        assert!(
            num_heads > 0 && dim.is_multiple_of(num_heads),
            "dim {dim} is not divisible by num_heads {num_heads}"
        );
        Self {
            qkv: timm_linear(dim, 3 * dim, qkv_bias, device),
            proj: timm_linear(dim, dim, true, device),
            num_heads,
        }
    }

    /// (B, N, D) → (B, N, D).
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, n, d] = x.dims();
        let h = self.num_heads;
        let hd = d / h;
        // (B, N, 3, H, hd) → (3, B, H, N, hd), the layout of timm's `qkv.reshape(...).permute(2, 0, 3, 1, 4)`.
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
        let out = attention(q, k, v, None, None, AttentionModuleOptions::default());
        self.proj.forward(out.swap_dims(1, 2).reshape([b, n, d]))
    }
}
