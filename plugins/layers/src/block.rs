use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::{LayerNorm, LayerNormConfig};
use eobench_core::burn::tensor::{Device, Tensor};

use crate::attention::Attention;
use crate::drop_path::DropPath;
use crate::mlp::Mlp;

/// LayerNorm epsilon of timm ViTs (`partial(nn.LayerNorm, eps=1e-6)`); burn's default is 1e-5.
pub const TIMM_LN_EPS: f64 = 1e-6;

/// Settings of one [`Block`]; `new` gives timm's defaults (mlp_ratio 4, qkv_bias, no drop path).
#[derive(Clone, Debug, PartialEq)]
pub struct BlockConfig {
    /// Token width D.
    pub dim: usize,
    /// Attention heads.
    pub num_heads: usize,
    /// MLP hidden width = `dim · mlp_ratio` (truncated, as timm's `int(dim * mlp_ratio)`).
    pub mlp_ratio: f64,
    /// Bias on the fused qkv projection.
    pub qkv_bias: bool,
    /// Drop-path probability of this block.
    pub drop_path: f64,
    /// LayerNorm epsilon.
    pub norm_eps: f64,
}

impl BlockConfig {
    /// timm defaults for a block of width `dim` with `num_heads` heads.
    pub fn new(dim: usize, num_heads: usize) -> Self {
        Self {
            dim,
            num_heads,
            mlp_ratio: 4.0,
            qkv_bias: true,
            drop_path: 0.0,
            norm_eps: TIMM_LN_EPS,
        }
    }

    /// Sets the MLP ratio.
    pub fn with_mlp_ratio(mut self, mlp_ratio: f64) -> Self {
        self.mlp_ratio = mlp_ratio;
        self
    }

    /// Sets the qkv bias flag.
    pub fn with_qkv_bias(mut self, qkv_bias: bool) -> Self {
        self.qkv_bias = qkv_bias;
        self
    }

    /// Sets the drop-path probability.
    pub fn with_drop_path(mut self, drop_path: f64) -> Self {
        self.drop_path = drop_path;
        self
    }

    /// MLP hidden width.
    pub fn mlp_hidden(&self) -> usize {
        (self.dim as f64 * self.mlp_ratio) as usize
    }

    /// Builds the block.
    pub fn init(&self, device: &Device) -> Block {
        let norm = || {
            LayerNormConfig::new(self.dim)
                .with_epsilon(self.norm_eps)
                .init(device)
        };
        Block {
            norm1: norm(),
            attn: Attention::new(self.dim, self.num_heads, self.qkv_bias, device),
            norm2: norm(),
            mlp: Mlp::new(self.dim, self.mlp_hidden(), device),
            drop_path: DropPath::new(self.drop_path),
        }
    }
}

/// Pre-norm transformer block, timm layout:
/// `x = x + drop_path(attn(norm1(x)))`, `x = x + drop_path(mlp(norm2(x)))`.
///
/// Field names are timm's (`norm1`, `attn.qkv`, `attn.proj`, `norm2`, `mlp.fc1`, `mlp.fc2`) so
/// `blocks.{i}.…` checkpoint keys load without remapping; `drop_path` has no parameters.
#[derive(Module, Debug)]
pub struct Block {
    /// Norm before attention.
    pub norm1: LayerNorm,
    /// Self-attention.
    pub attn: Attention,
    /// Norm before the MLP.
    pub norm2: LayerNorm,
    /// Feed-forward.
    pub mlp: Mlp,
    /// Stochastic depth on both residual branches.
    pub drop_path: DropPath,
}

impl Block {
    /// (B, N, D) → (B, N, D).
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let x = x.clone()
            + self
                .drop_path
                .forward(self.attn.forward(self.norm1.forward(x)));
        x.clone()
            + self
                .drop_path
                .forward(self.mlp.forward(self.norm2.forward(x)))
    }
}
