//! `seg_muster`: a MUSTER-style decoder — Swin-Transformer stages that upsample from the
//! coarsest encoder level to the finest, fusing each level as a skip connection (see README.md).

use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::{LayerNorm, LayerNormConfig, Linear};
use eobench_core::burn::tensor::Tensor;
use eobench_core::component::{
    ComponentError, Decoder, DecoderContext, DecoderModel, ModuleDecoder, parse_config,
};
use eobench_layers::{
    Feature2Pyramid, PatchExpand, SwinBlock, drop_path_schedule, pyramid_scale, resize_bilinear,
    timm_linear,
};
use serde::Deserialize;

/// `configs/decoder/seg_muster.yaml`. Defaults follow the sig-gis Pangaea configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MusterConfig {
    /// Token width of every stage.
    pub channels: usize,
    /// Swin blocks per stage, coarsest stage first.
    pub depths: Vec<usize>,
    /// Attention heads per stage, coarsest first; each must divide `channels`.
    pub num_heads: Vec<usize>,
    /// Window side.
    pub window_size: usize,
    /// Stochastic depth, rising linearly over all blocks.
    pub drop_path_rate: f64,
}

impl Default for MusterConfig {
    fn default() -> Self {
        Self {
            channels: 256,
            depths: vec![2, 2, 2, 2],
            num_heads: vec![32, 16, 8, 4],
            window_size: 12,
            drop_path_rate: 0.1,
        }
    }
}

/// One decoder stage: fuse the skip (concat + Linear 2C → C, except the first stage) then Swin
/// blocks; every stage but the last ends in a ×2 patch expand.
#[derive(Module, Debug)]
pub struct MusterStage {
    /// Projection of this level's encoder map to `channels` tokens.
    pub skip_proj: Linear,
    /// [upsampled, skip] (2C) → C; absent on the first (coarsest) stage.
    pub fuse: Option<Linear>,
    /// Swin blocks (alternating plain / shifted windows).
    pub blocks: Vec<SwinBlock>,
    /// ×2 upsampling to the next level's grid; absent on the last stage.
    pub up: Option<PatchExpand>,
}

/// Optional neck → stages coarse to fine → ×4 patch expand → norm → per-token classifier →
/// bilinear resize to the output size.
#[derive(Module, Debug)]
pub struct Muster {
    /// For single-scale encoders: Feature2Pyramid (×4, ×2, ×1, ×0.5).
    pub neck: Option<Feature2Pyramid>,
    /// Coarsest first.
    pub stages: Vec<MusterStage>,
    /// Final ×4 patch expand (Swin-Unet `FinalPatchExpand_X4`).
    pub final_up: PatchExpand,
    /// Norm before the classifier.
    pub norm: LayerNorm,
    /// Per-token classifier C → K.
    pub head: Linear,
}

impl Muster {
    /// Builds the decoder for the encoder in `ctx`.
    pub fn new(cfg: &MusterConfig, ctx: &DecoderContext) -> Result<Self, ComponentError> {
        let bad = |message: String| ComponentError::Config {
            component: "decoder 'seg_muster'".into(),
            message,
        };
        let enc = ctx.encoder;
        let dims = &enc.output_dims;
        if dims.is_empty() || enc.output_strides.len() != dims.len() {
            return Err(ComponentError::Shape {
                component: "decoder 'seg_muster'".into(),
                message: format!(
                    "encoder '{}' declares {} maps and {} strides; need at least one map",
                    enc.name,
                    dims.len(),
                    enc.output_strides.len()
                ),
            });
        }
        let single_scale = enc.output_strides.windows(2).all(|w| w[0] == w[1]);
        // Strides of the levels the stages see, finest first (as the encoder / neck give them).
        let strides: Vec<f64> = if single_scale {
            (0..dims.len())
                .map(|i| enc.output_strides[i] as f64 / pyramid_scale(i, dims.len()) as f64)
                .collect()
        } else {
            enc.output_strides.iter().map(|&s| s as f64).collect()
        };
        let n = dims.len();
        if cfg.channels == 0 || cfg.window_size == 0 {
            return Err(bad("channels and window_size must be positive".into()));
        }
        if cfg.depths.len() < n || cfg.num_heads.len() < n {
            return Err(bad(format!(
                "depths {:?} and num_heads {:?} need one entry per encoder level ({n})",
                cfg.depths, cfg.num_heads
            )));
        }
        if let Some(h) = cfg.num_heads[..n]
            .iter()
            .find(|&&h| h == 0 || !cfg.channels.is_multiple_of(h))
        {
            return Err(bad(format!(
                "num_heads entry {h} must divide channels {}",
                cfg.channels
            )));
        }
        if !(0.0..1.0).contains(&cfg.drop_path_rate) {
            return Err(bad(format!(
                "drop_path_rate {} must be in [0, 1)",
                cfg.drop_path_rate
            )));
        }
        if ctx.num_classes == 0 {
            return Err(bad("num_classes is 0".into()));
        }
        let (c, device) = (cfg.channels, ctx.device);
        let total: usize = cfg.depths[..n].iter().sum();
        let mut rates = drop_path_schedule(cfg.drop_path_rate, total).into_iter();
        let stages = (0..n)
            .map(|s| {
                let level = n - 1 - s; // coarsest first
                let grid = (enc.input_size as f64 / strides[level]).round().max(1.0) as usize;
                MusterStage {
                    skip_proj: timm_linear(dims[level], c, true, device),
                    fuse: (s > 0).then(|| timm_linear(2 * c, c, true, device)),
                    blocks: (0..cfg.depths[s])
                        .map(|b| {
                            SwinBlock::new(
                                c,
                                cfg.num_heads[s],
                                cfg.window_size,
                                b % 2 == 1,
                                grid,
                                rates.next().unwrap_or(0.0),
                                device,
                            )
                        })
                        .collect(),
                    up: (s + 1 < n).then(|| PatchExpand::new(c, c, 2, device)),
                }
            })
            .collect();
        Ok(Self {
            neck: single_scale.then(|| Feature2Pyramid::new(dims, device)),
            stages,
            final_up: PatchExpand::new(c, c, 4, device),
            norm: LayerNormConfig::new(c).with_epsilon(1e-5).init(device),
            head: timm_linear(c, ctx.num_classes, true, device),
        })
    }
}

fn channels_last(x: Tensor<4>) -> Tensor<4> {
    x.permute([0, 2, 3, 1])
}

impl DecoderModel for Muster {
    fn forward(&self, features: Vec<Tensor<4>>, output_size: [usize; 2]) -> Tensor<4> {
        let maps = match &self.neck {
            Some(neck) => neck.forward(features),
            None => features,
        };
        let n = maps.len();
        let mut x: Option<Tensor<4>> = None;
        for (s, stage) in self.stages.iter().enumerate() {
            let skip = stage
                .skip_proj
                .forward(channels_last(maps[n - 1 - s].clone()));
            let mut y = match (x.take(), &stage.fuse) {
                (Some(up), Some(fuse)) => {
                    // The ×2 grid can overshoot an odd-sized skip level by one: resize to it.
                    let [_, h, w, _] = skip.dims();
                    let [_, uh, uw, _] = up.dims();
                    let up = if (uh, uw) == (h, w) {
                        up
                    } else {
                        channels_last(resize_bilinear(up.permute([0, 3, 1, 2]), [h, w]))
                    };
                    fuse.forward(Tensor::cat(vec![up, skip], 3))
                }
                _ => skip,
            };
            for block in &stage.blocks {
                y = block.forward(y);
            }
            x = Some(match &stage.up {
                Some(up) => up.forward(y),
                None => y,
            });
        }
        let x = self.final_up.forward(x.expect("at least one stage"));
        let logits = self
            .head
            .forward(self.norm.forward(x))
            .permute([0, 3, 1, 2]);
        resize_bilinear(logits, output_size)
    }
}

/// The factory the registry calls.
pub fn build(
    value: &serde_json::Value,
    ctx: &DecoderContext,
) -> Result<Box<dyn Decoder>, ComponentError> {
    let cfg: MusterConfig = parse_config("decoder", "seg_muster", value)?;
    Ok(Box::new(ModuleDecoder::new(
        "seg_muster",
        ctx.num_classes,
        Muster::new(&cfg, ctx)?,
    )))
}

eobench_registry::register_decoder!(
    "seg_muster",
    "MUSTER-style decoder: Swin stages upsampling coarse to fine with skip fusion (Feature2Pyramid for ViTs)",
    build
);

#[cfg(test)]
mod tests;
