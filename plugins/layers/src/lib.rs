//! Shared layers for eobench encoders and decoders.
//!
//! Every ViT-style encoder of the Pangaea zoo is "patch embedding + timm blocks + a way to turn
//! tokens back into maps", and every segmentation head is "conv + BN + activation, resized
//! bilinearly". Writing those once here keeps the plugins short and, more importantly, keeps
//! their behaviour identical: one LayerNorm epsilon, one `align_corners` setting, one set of
//! field names that match timm / mmseg checkpoints.
//!
//! Nothing here registers a component; the crate only exports building blocks.
//!
//! | item | what | why it is here |
//! |---|---|---|
//! | [`PatchEmbed`] | Conv2d p×p stride p, field `proj` | timm key `patch_embed.proj` |
//! | [`Attention`] | fused `qkv` + `proj`; `forward_with_bias` adds an additive logit bias | burn's `MultiHeadAttention` has other keys and defaults |
//! | [`alibi_2d_bias`] / [`alibi_slopes`] | CROMA's 2-D ALiBi (−slope · patch distance) | CROMA |
//! | [`Mlp`] | `fc1` → exact GELU → `fc2` | timm `Mlp` |
//! | [`gelu`] | exact (erf) GELU; parallel, vectorisable erf with its own backward on the CPU backend | burn-flex's GELU is one thread, scalar erf |
//! | [`DropPath`] | stochastic depth | burn has none |
//! | [`Block`] | pre-norm ViT block, LayerNorm eps 1e-6 | timm `Block` |
//! | [`sincos_2d_pos_embed`] | MAE fixed 2-D sin-cos table | MAE, Prithvi, SSL4EO-MAE, TerraMind |
//! | [`sincos_3d_pos_embed`] | fixed 3-D sin-cos table (w 6/16, h 6/16, t 4/16) | Prithvi |
//! | [`tokens_to_map`] / [`map_to_tokens`] / [`drop_prefix_tokens`] | (B,N,C) ↔ (B,C,h,w) | Pangaea §2.3 |
//! | [`stack_modalities`] / [`resolve_modalities`] | batch → one (B,C,H,W) input; `bands` config | band-agnostic baselines |
//! | [`ConvBnAct`] / [`Activation`] | Conv2d + BatchNorm2d + ReLU/GELU; at inference the norm is folded into a per-channel affine map applied with ReLU in the conv's output pass | mmcv `ConvModule` (UPerNet, FCN, UNet) |
//! | [`cast::cast`] | f32 ↔ bf16 in parallel SIMD chunks on the CPU backend, differentiable | burn-flex converts element by element on one thread (bf16 runs convert around every f32 kernel) |
//! | [`batch_norm::train_forward`] | training-mode BatchNorm (+ ReLU) fused into two passes forward and two backward on the CPU backend | burn composes it from ~20 generic passes (ReLU on one thread) |
//! | [`implicit_gemm_conv::conv2d`] | stride-1 conv forward/backward as per-tap matrix products on the CPU backend (and kernel = stride transposed convs as 1×1 conv + pixel shuffle) | burn-flex's conv weight gradient is 3–5× slower than PyTorch |
//! | [`Dropout2d`] | channel-wise dropout | torch `nn.Dropout2d` (decode heads) |
//! | [`Feature2Pyramid`] | ViT maps → ×4, ×2, ×1, ×0.5 | mmseg neck used by Pangaea's UPerNet |
//! | [`resize_bilinear`] | bilinear, `align_corners = false`; separable kernel with its own backward on the CPU backend | burn's default is `true`; burn-flex's resize is per-element scalar f64 |
//! | [`timm_linear`] | Linear with N(0, 0.02) weights, zero bias | timm `init_weights_vit_timm` |
//! | [`SwinBlock`] / [`PatchExpand`] | shifted-window attention with relative position bias; patch expanding | Swin-Unet / MUSTER decoders |

mod alibi;
mod attention;
mod attention_bias;
pub mod batch_norm;
mod block;
pub mod cast;
mod conv_bn_act;
mod decoder_input;
mod drop_path;
mod dropout2d;
mod flex_slices;
mod gelu;
pub mod implicit_gemm_conv;
mod init;
mod input;
mod linear_unary_op;
mod mlp;
mod neck;
mod output_layers;
mod patch_embed;
mod pos_embed;
mod pos_embed_3d;
mod resize;
mod swin;
pub mod testing;
mod tokens;

pub use alibi::{alibi_2d_bias, alibi_2d_bias_tensor, alibi_slopes};
pub use attention::Attention;
pub use block::{Block, BlockConfig, TIMM_LN_EPS};
pub use conv_bn_act::{Activation, ConvBnAct};
pub use decoder_input::check_decoder_input;
pub use drop_path::{DropPath, drop_path_schedule};
pub use dropout2d::Dropout2d;
pub use gelu::gelu;
pub use init::{timm_linear, timm_normal};
pub use input::{resolve_modalities, stack_modalities};
pub use mlp::Mlp;
pub use neck::{Feature2Pyramid, PyramidOp, pyramid_scale};
pub use output_layers::check_output_layers;
pub use patch_embed::PatchEmbed;
pub use pos_embed::{sincos_2d_pos_embed, sincos_2d_pos_embed_tensor};
pub use pos_embed_3d::{sincos_3d_pos_embed, sincos_3d_pos_embed_tensor};
pub use resize::resize_bilinear;
pub use swin::{
    PatchExpand, SwinBlock, relative_position_index, shift_mask, window_partition, window_reverse,
};
pub use tokens::{drop_prefix_tokens, map_to_tokens, tokens_to_map};

#[cfg(test)]
mod tests;
