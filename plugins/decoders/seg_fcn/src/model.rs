use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::conv::{Conv2d, Conv2dConfig};
use eobench_core::burn::nn::{PixelShuffle, PixelShuffleConfig};
use eobench_core::burn::tensor::Tensor;
use eobench_core::component::{ComponentError, DecoderContext, DecoderModel};
use eobench_layers::implicit_gemm_conv::conv2d_module;
use eobench_layers::{Activation, ConvBnAct, Dropout2d, check_decoder_input, resize_bilinear};

use crate::config::{FcnConfig, InterpMethod};

/// FCN head on the encoder's last map: `convs` → (`concat_input`) `conv_cat` over
/// [convs output, input] → channel dropout → 1×1 `conv_seg` → bilinear resize or pixel shuffle
/// to the output size.
///
/// Only the last map is used, so any encoder layout works (ViTs, pyramids, single maps).
#[derive(Module, Debug)]
pub struct FcnHead {
    /// `num_convs` conv-BN-GELU layers (input → channels, then channels → channels).
    pub convs: Vec<ConvBnAct>,
    /// conv-BN-GELU over [convs output, input map] when `concat_input`.
    pub conv_cat: Option<ConvBnAct>,
    /// Channel dropout before the classifier (torch `Dropout2d`).
    pub dropout: Dropout2d,
    /// 1×1 classifier: channels → K (interpolate) or K·r² (pixel shuffle).
    pub conv_seg: Conv2d,
    /// Rearranges K·r² channels into an r× larger K-channel map (pixel-shuffle mode only).
    pub pixel_shuffle: Option<PixelShuffle>,
}

impl FcnHead {
    /// Builds the head for the encoder in `ctx`.
    pub fn new(cfg: &FcnConfig, ctx: &DecoderContext) -> Result<Self, ComponentError> {
        cfg.validate()?;
        let enc = ctx.encoder;
        let config_err = |message: String| ComponentError::Config {
            component: "decoder 'seg_fcn'".into(),
            message,
        };
        check_decoder_input("seg_fcn", ctx)?;
        let (dims, strides) = (&enc.output_dims, &enc.output_strides);
        let (last, stride) = (
            *dims.last().expect("checked"),
            *strides.last().expect("checked"),
        );
        let c = cfg.channels;
        // With no convs the input map itself reaches conv_cat / conv_seg, which are sized for
        // `channels` inputs.
        if cfg.num_convs == 0 && c != last {
            return Err(config_err(format!(
                "num_convs 0 passes encoder '{}''s last map ({last} channels) through unchanged, \
                 so channels must equal {last}, got {c}",
                enc.name
            )));
        }
        let upscale = match cfg.interp_method {
            InterpMethod::Interpolate => None,
            InterpMethod::PixelShuffle => {
                Some(pixel_shuffle_factor(enc.input_size, stride).ok_or_else(|| {
                    let grid = enc.input_size / stride;
                    config_err(format!(
                        "interp_method pixel_shuffle needs the input size to be a whole multiple \
                         of the last feature grid; encoder '{}' gives a {grid}x{grid} grid \
                         (stride {stride}) at {} px; use interp_method: interpolate",
                        enc.name, enc.input_size
                    ))
                })?)
            }
        };
        let (k, d, device) = (cfg.kernel_size, cfg.dilation, ctx.device);
        let convs = (0..cfg.num_convs)
            .map(|i| {
                ConvBnAct::unbiased(
                    if i == 0 { last } else { c },
                    c,
                    k,
                    d,
                    Activation::Gelu,
                    device,
                )
            })
            .collect();
        let classes = ctx.num_classes * upscale.map_or(1, |r| r * r);
        Ok(Self {
            convs,
            conv_cat: cfg
                .concat_input
                .then(|| ConvBnAct::unbiased(c + last, c, k, 1, Activation::Gelu, device)),
            dropout: Dropout2d::new(cfg.dropout),
            // Plain conv with bias: the fork's conv_seg is a ConvModule with its default ReLU,
            // which clips every logit at 0; eobench keeps the logits raw (README).
            conv_seg: Conv2dConfig::new([c, classes], [1, 1]).init(device),
            pixel_shuffle: upscale.map(|r| PixelShuffleConfig::new(r).init()),
        })
    }
}

/// r such that the last feature grid (`input / stride` per side) times r is exactly `input`;
/// `None` when no whole r exists.
pub fn pixel_shuffle_factor(input: usize, stride: usize) -> Option<usize> {
    let grid = input.checked_div(stride)?;
    (grid > 0 && input.is_multiple_of(grid)).then(|| input / grid)
}

impl DecoderModel for FcnHead {
    fn forward(&self, mut features: Vec<Tensor<4>>, output_size: [usize; 2]) -> Tensor<4> {
        let x = features
            .pop()
            .expect("seg_fcn needs at least one feature map");
        let mut out = x.clone();
        for conv in &self.convs {
            out = conv.forward(out);
        }
        if let Some(cat) = &self.conv_cat {
            // The fork's order: conv output first, then the input map.
            out = cat.forward(Tensor::cat(vec![out, x], 1));
        }
        let logits = conv2d_module(&self.conv_seg, self.dropout.forward(out));
        match &self.pixel_shuffle {
            None => resize_bilinear(logits, output_size),
            Some(shuffle) => {
                let [_, _, h, w] = logits.dims();
                let r = shuffle.upscale_factor;
                // r is fixed by conv_seg's width; another grid or output size has no whole r.
                assert!(
                    [h * r, w * r] == output_size,
                    "seg_fcn (interp_method pixel_shuffle) was built for r = {r}: a {h}x{w} \
                     feature grid becomes {}x{}, but the output size is {}x{}; use \
                     interp_method: interpolate for inputs other than the encoder's input size",
                    h * r,
                    w * r,
                    output_size[0],
                    output_size[1]
                );
                shuffle.forward(logits)
            }
        }
    }
}
