use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::conv::{Conv2d, Conv2dConfig};
use eobench_core::burn::nn::{Dropout, DropoutConfig};
use eobench_core::burn::tensor::Tensor;
use eobench_core::component::{ComponentError, DecoderContext, DecoderModel};
use eobench_layers::implicit_gemm_conv::conv2d_module;
use eobench_layers::{check_decoder_input, resize_bilinear};

use crate::config::LinearConfig;

/// The linear probe: dropout → one Linear(C_last → K) on every token of the last map (a 1×1
/// conv, which needs no (B, C, h, w) ↔ (B·h·w, C) round trip) → bilinear resize to the output
/// size. Returns raw logits.
#[derive(Module, Debug)]
pub struct LinearHead {
    /// Element-wise feature dropout (a no-op at the default 0).
    pub dropout: Dropout,
    /// The classifier, C_last → K, with bias.
    pub conv_seg: Conv2d,
}

impl LinearHead {
    /// Builds the head over the encoder's last map.
    pub fn new(cfg: &LinearConfig, ctx: &DecoderContext) -> Result<Self, ComponentError> {
        cfg.validate()?;
        let enc = ctx.encoder;
        check_decoder_input("seg_linear", ctx)?;
        let last = *enc.output_dims.last().expect("checked");
        Ok(Self {
            dropout: DropoutConfig::new(cfg.dropout).init(),
            // burn's default init (Kaiming-uniform, bias within ±1/√C) is torch's `nn.Linear`
            // init, which the fork's head keeps.
            conv_seg: Conv2dConfig::new([last, ctx.num_classes], [1, 1]).init(ctx.device),
        })
    }
}

impl DecoderModel for LinearHead {
    fn forward(&self, mut features: Vec<Tensor<4>>, output_size: [usize; 2]) -> Tensor<4> {
        let last = features
            .pop()
            .expect("seg_linear needs at least one feature map");
        // No softmax here: the criterion takes logits (the fork's softmax before its
        // cross-entropy is a bug, README).
        let logits = conv2d_module(&self.conv_seg, self.dropout.forward(last));
        resize_bilinear(logits, output_size)
    }
}
