use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::conv::{Conv2d, Conv2dConfig};
use eobench_core::burn::tensor::Tensor;
use eobench_core::component::{ComponentError, DecoderContext, DecoderModel};
use eobench_layers::implicit_gemm_conv::conv2d_module;
use eobench_layers::{ConvBnAct, Dropout2d, Feature2Pyramid, check_decoder_input, resize_bilinear};

use crate::config::{PyramidStrategy, SegformerConfig};

/// Number of levels `head_only` builds from the last map (the neck's ×4, ×2, ×1, ×0.5).
pub const HEAD_ONLY_LEVELS: usize = 4;

/// SegFormer's all-MLP head (`SegFormerHead` of the sig-gis Pangaea fork, mmseg `SegformerHead`):
/// maps → optional `Feature2Pyramid` neck → per-level 1×1 ConvBnAct to `channels` → bilinear resize
/// to the finest level → concat → 1×1 ConvBnAct fusion → `Dropout2d` → 1×1 `conv_seg` → bilinear
/// resize to the requested output size (every resize `align_corners = false`).
///
/// Which maps reach the neck (see README.md): single-scale encoder + `head_only` → the last map
/// [`HEAD_ONLY_LEVELS`] times; single-scale + `all_layers` → every map; pyramid encoder → every
/// map as it is, no neck.
#[derive(Module, Debug)]
pub struct SegformerHead {
    /// Present for single-scale encoders (equal strides, ViTs): rescales the maps into a pyramid.
    pub neck: Option<Feature2Pyramid>,
    /// One 1×1 ConvBnAct (no conv bias) per level, level width → `channels`.
    pub convs: Vec<ConvBnAct>,
    /// 1×1 ConvBnAct (no conv bias) over the concatenated levels, levels·`channels` → `channels`.
    pub fusion_conv: ConvBnAct,
    /// Channel dropout before the classifier; acts in training only (the fork's is inverted).
    pub dropout: Dropout2d,
    /// 1×1 classifier with bias, `channels` → K.
    pub conv_seg: Conv2d,
    /// `Some(n)`: the encoder's last map is repeated n times before the neck (`head_only`).
    #[module(skip)]
    pub repeat_last: Option<usize>,
}

impl SegformerHead {
    /// Builds the head for the encoder in `ctx`.
    pub fn new(cfg: &SegformerConfig, ctx: &DecoderContext) -> Result<Self, ComponentError> {
        cfg.validate()?;
        let enc = ctx.encoder;
        check_decoder_input("seg_segformer", ctx)?;
        let dims = &enc.output_dims;
        let device = ctx.device;
        let single_scale = enc.output_strides.windows(2).all(|w| w[0] == w[1]);
        let last = *dims.last().expect("non-empty");
        // The widths of the levels the per-level convs see.
        let (repeat_last, level_dims) = match (single_scale, cfg.pyramid_strategy) {
            (true, PyramidStrategy::HeadOnly) => {
                (Some(HEAD_ONLY_LEVELS), vec![last; HEAD_ONLY_LEVELS])
            }
            _ => (None, dims.clone()),
        };
        let neck = single_scale.then(|| Feature2Pyramid::new(&level_dims, device));
        let (c, act) = (cfg.channels, cfg.activation);
        Ok(Self {
            neck,
            convs: level_dims
                .iter()
                .map(|&d| ConvBnAct::unbiased(d, c, 1, 1, act, device))
                .collect(),
            fusion_conv: ConvBnAct::unbiased(level_dims.len() * c, c, 1, 1, act, device),
            dropout: Dropout2d::new(cfg.dropout),
            conv_seg: Conv2dConfig::new([c, ctx.num_classes], [1, 1]).init(device),
            repeat_last,
        })
    }
}

impl DecoderModel for SegformerHead {
    fn forward(&self, mut features: Vec<Tensor<4>>, output_size: [usize; 2]) -> Tensor<4> {
        if let Some(n) = self.repeat_last {
            let last = features
                .pop()
                .expect("the encoder returns at least one map");
            features = vec![last; n];
        }
        let maps = match &self.neck {
            Some(neck) => neck.forward(features),
            None => features,
        };
        assert_eq!(
            maps.len(),
            self.convs.len(),
            "seg_segformer was built for {} maps, got {}",
            self.convs.len(),
            maps.len()
        );
        // Every level is projected at its own resolution, then resized to the first (finest).
        let [_, _, h, w] = maps[0].dims();
        let levels = maps
            .into_iter()
            .zip(&self.convs)
            .map(|(x, conv)| resize_bilinear(conv.forward(x), [h, w]))
            .collect();
        let fused = self.fusion_conv.forward(Tensor::cat(levels, 1));
        let logits = conv2d_module(&self.conv_seg, self.dropout.forward(fused));
        resize_bilinear(logits, output_size)
    }
}
