use eobench_core::burn;
use eobench_core::burn::module::{Module, Param};
use eobench_core::burn::nn::{LayerNorm, LayerNormConfig};
use eobench_core::burn::tensor::Tensor;
use eobench_core::component::{ComponentError, EncoderContext, EncoderModel, EncoderSpec};
use eobench_core::sample::Batch;
use eobench_layers::{
    Block, BlockConfig, PatchEmbed, TIMM_LN_EPS, drop_path_schedule, drop_prefix_tokens,
    resolve_modalities, stack_modalities, timm_normal, tokens_to_map,
};

use crate::config::VitConfig;

/// timm `VisionTransformer` without the classification head.
///
/// Field names are timm's (`patch_embed.proj`, `cls_token`, `pos_embed`, `blocks.{i}.…`, `norm`)
/// so official checkpoints can be loaded 1:1 once the weights feature exists.
#[derive(Module, Debug)]
pub struct VisionTransformer {
    /// Patchify conv over all input bands.
    pub patch_embed: PatchEmbed,
    /// Learned class token (1, 1, D); dropped from the outputs, but it takes part in attention.
    pub cls_token: Param<Tensor<3>>,
    /// Learned position embedding (1, 1 + N, D) for the configured `input_size`.
    pub pos_embed: Param<Tensor<3>>,
    /// Transformer blocks.
    pub blocks: Vec<Block>,
    /// Final LayerNorm, applied to the last block's output when that block is an output layer.
    pub norm: LayerNorm,
    /// The declaration (input modalities, output layers) the forward pass follows.
    #[module(skip)]
    pub spec: EncoderSpec,
}

pub(crate) fn build_model(
    cfg: &VitConfig,
    ctx: &EncoderContext,
) -> Result<(EncoderSpec, VisionTransformer), ComponentError> {
    cfg.validate()?;
    let modalities = resolve_modalities("encoder 'vit'", &cfg.bands, ctx.dataset)?;
    let in_chans: usize = modalities.iter().map(|m| m.bands.len()).sum();
    let n_out = cfg.output_layers.len();
    let spec = EncoderSpec {
        name: "vit".into(),
        modalities,
        input_size: cfg.input_size,
        patch_size: Some(cfg.patch_size),
        output_layers: cfg.output_layers.clone(),
        output_dims: vec![cfg.embed_dim; n_out],
        output_strides: vec![cfg.patch_size; n_out],
        accepts_any_bands: true,
        finetune_only: true,
        weights: cfg.weights.clone(),
    };
    let device = ctx.device;
    let d = cfg.embed_dim;
    let n = cfg.grid() * cfg.grid();
    let blocks = drop_path_schedule(cfg.drop_path_rate, cfg.depth)
        .into_iter()
        .map(|dp| {
            BlockConfig::new(d, cfg.num_heads)
                .with_mlp_ratio(cfg.mlp_ratio)
                .with_qkv_bias(cfg.qkv_bias)
                .with_drop_path(dp)
                .init(device)
        })
        .collect();
    let model = VisionTransformer {
        patch_embed: PatchEmbed::new(in_chans, d, cfg.patch_size, device),
        // timm: cls_token ~ N(0, 1e-6²), pos_embed ~ trunc_normal(std 0.02).
        cls_token: timm_normal([1, 1, d], 1e-6, device),
        pos_embed: timm_normal([1, 1 + n, d], 0.02, device),
        blocks,
        norm: LayerNormConfig::new(d)
            .with_epsilon(TIMM_LN_EPS)
            .init(device),
        spec: spec.clone(),
    };
    Ok((spec, model))
}

impl VisionTransformer {
    /// Runs the blocks on (B, C, H, W) and returns one (B, D, H/p, W/p) map per output layer.
    ///
    /// Blocks after the last output layer are skipped: they cannot change the outputs.
    pub fn forward_image(&self, x: Tensor<4>) -> Result<Vec<Tensor<4>>, ComponentError> {
        let [b, _, h, w] = x.dims();
        let s = self.spec.input_size;
        if [h, w] != [s, s] {
            return Err(ComponentError::Shape {
                component: "encoder 'vit'".into(),
                message: format!(
                    "input {h}x{w}, but the learned pos_embed is for {s}x{s} (crop or resize to encoder.input_size)"
                ),
            });
        }
        let grid = self.patch_embed.grid(h, w);
        let tokens = self.patch_embed.forward(x);
        let cls = self.cls_token.val().repeat_dim(0, b);
        let mut x = Tensor::cat(vec![cls, tokens], 1) + self.pos_embed.val();
        let last_block = self.blocks.len() - 1;
        let last_out = *self.spec.output_layers.last().expect("validated non-empty");
        let mut outs = Vec::with_capacity(self.spec.output_layers.len());
        for (i, block) in self.blocks.iter().enumerate().take(last_out + 1) {
            x = block.forward(x);
            if self.spec.output_layers.contains(&i) {
                let y = if i == last_block {
                    self.norm.forward(x.clone())
                } else {
                    x.clone()
                };
                outs.push(tokens_to_map(drop_prefix_tokens(y, 1), grid));
            }
        }
        Ok(outs)
    }
}

impl EncoderModel for VisionTransformer {
    fn forward(&self, batch: &Batch) -> Result<Vec<Tensor<4>>, ComponentError> {
        self.forward_image(stack_modalities(batch, &self.spec)?)
    }
}
