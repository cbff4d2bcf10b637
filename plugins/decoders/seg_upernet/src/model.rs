use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::conv::{Conv2d, Conv2dConfig};
use eobench_core::burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig};
use eobench_core::burn::tensor::Tensor;
use eobench_core::component::{ComponentError, DecoderContext, DecoderModel};
use eobench_layers::implicit_gemm_conv::conv2d_module;
use eobench_layers::{
    Activation, ConvBnAct, Dropout2d, Feature2Pyramid, check_decoder_input, resize_bilinear,
};

use crate::config::UPerNetConfig;

/// One pyramid-pooling branch: AdaptiveAvgPool(s) → ConvBnAct 1×1 (mmseg `PPM[i]`).
#[derive(Module, Debug)]
pub struct PpmBranch {
    /// Pools the map to s×s.
    pub pool: AdaptiveAvgPool2d,
    /// 1×1 projection to `channels`.
    pub conv: ConvBnAct,
}

/// UPerNet: optional `Feature2Pyramid` neck → PPM on the coarsest level → FPN top-down fusion →
/// concat of all levels at the finest resolution → `fpn_bottleneck` → channel dropout →
/// `conv_seg` → bilinear resize to the requested output size.
///
/// Works for any number of levels ≥ 1 and any strides; levels are used in the encoder's order
/// (finest first for pyramids; for equal strides the neck makes them finest first).
#[derive(Module, Debug)]
pub struct UPerNet {
    /// Present when every encoder map has the same stride (ViTs): turns them into a pyramid.
    pub neck: Option<Feature2Pyramid>,
    /// Pyramid-pooling branches over the last level.
    pub psp_modules: Vec<PpmBranch>,
    /// 3×3 conv over [last level, PPM branches].
    pub bottleneck: ConvBnAct,
    /// 1×1 lateral convs of every level but the last.
    pub lateral_convs: Vec<ConvBnAct>,
    /// 3×3 convs after the top-down pass, every level but the last.
    pub fpn_convs: Vec<ConvBnAct>,
    /// 3×3 conv over the concatenated levels.
    pub fpn_bottleneck: ConvBnAct,
    /// Channel dropout before the classifier (torch `Dropout2d`, as mmseg).
    pub dropout: Dropout2d,
    /// 1×1 classifier, channels → K.
    pub conv_seg: Conv2d,
}

impl UPerNet {
    /// Builds the head for the encoder in `ctx`.
    pub fn new(cfg: &UPerNetConfig, ctx: &DecoderContext) -> Result<Self, ComponentError> {
        cfg.validate()?;
        let enc = ctx.encoder;
        check_decoder_input("seg_upernet", ctx)?;
        let dims = &enc.output_dims;
        let device = ctx.device;
        let c = cfg.channels;
        let single_scale = enc.output_strides.windows(2).all(|w| w[0] == w[1]);
        let neck = single_scale.then(|| Feature2Pyramid::new(dims, device));
        let last = *dims.last().expect("non-empty");
        let relu = Activation::Relu;
        let psp_modules = cfg
            .pool_scales
            .iter()
            .map(|&s| PpmBranch {
                pool: AdaptiveAvgPool2dConfig::new([s, s]).init(),
                conv: ConvBnAct::new(last, c, 1, relu, device),
            })
            .collect();
        let n = dims.len();
        Ok(Self {
            neck,
            psp_modules,
            bottleneck: ConvBnAct::new(last + cfg.pool_scales.len() * c, c, 3, relu, device),
            lateral_convs: dims[..n - 1]
                .iter()
                .map(|&d| ConvBnAct::new(d, c, 1, relu, device))
                .collect(),
            fpn_convs: (0..n - 1)
                .map(|_| ConvBnAct::new(c, c, 3, relu, device))
                .collect(),
            fpn_bottleneck: ConvBnAct::new(n * c, c, 3, relu, device),
            dropout: Dropout2d::new(cfg.dropout),
            conv_seg: Conv2dConfig::new([c, ctx.num_classes], [1, 1]).init(device),
        })
    }

    fn psp_forward(&self, x: Tensor<4>) -> Tensor<4> {
        let [_, _, h, w] = x.dims();
        let mut parts = Vec::with_capacity(self.psp_modules.len() + 1);
        parts.push(x.clone());
        for branch in &self.psp_modules {
            parts.push(resize_bilinear(
                branch.conv.forward(branch.pool.forward(x.clone())),
                [h, w],
            ));
        }
        self.bottleneck.forward(Tensor::cat(parts, 1))
    }
}

fn hw(x: &Tensor<4>) -> [usize; 2] {
    let [_, _, h, w] = x.dims();
    [h, w]
}

impl DecoderModel for UPerNet {
    fn forward(&self, features: Vec<Tensor<4>>, output_size: [usize; 2]) -> Tensor<4> {
        let mut maps = match &self.neck {
            Some(neck) => neck.forward(features),
            None => features,
        };
        let n = maps.len();
        assert_eq!(
            n,
            self.lateral_convs.len() + 1,
            "seg_upernet was built for {} maps, got {n}",
            self.lateral_convs.len() + 1
        );
        let last = maps.pop().expect("at least one map");
        let mut laterals: Vec<Tensor<4>> = maps
            .into_iter()
            .zip(&self.lateral_convs)
            .map(|(x, conv)| conv.forward(x))
            .collect();
        laterals.push(self.psp_forward(last));
        // Top-down: each level adds the upsampled coarser one.
        for i in (1..n).rev() {
            let up = resize_bilinear(laterals[i].clone(), hw(&laterals[i - 1]));
            laterals[i - 1] = laterals[i - 1].clone() + up;
        }
        let top = laterals.pop().expect("psp level");
        let mut outs: Vec<Tensor<4>> = laterals
            .into_iter()
            .zip(&self.fpn_convs)
            .map(|(x, conv)| conv.forward(x))
            .collect();
        outs.push(top);
        let size = hw(&outs[0]);
        let outs = outs.into_iter().map(|x| resize_bilinear(x, size)).collect();
        let fused = self.fpn_bottleneck.forward(Tensor::cat(outs, 1));
        let logits = conv2d_module(&self.conv_seg, self.dropout.forward(fused));
        resize_bilinear(logits, output_size)
    }
}
