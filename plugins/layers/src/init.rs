use eobench_core::burn::module::Param;
use eobench_core::burn::nn::{Initializer, Linear, LinearConfig};
use eobench_core::burn::tensor::{Device, Tensor};

/// A parameter drawn from N(0, `std`²).
///
/// timm initialises `pos_embed` and Linear weights with `trunc_normal_(std=0.02)`, whose default
/// bounds are ±2 in *absolute* value, i.e. ±100σ: the truncation never triggers, so a plain
/// normal draw reproduces it.
pub fn timm_normal<const D: usize>(
    shape: [usize; D],
    std: f64,
    device: &Device,
) -> Param<Tensor<D>> {
    Initializer::Normal { mean: 0.0, std }.init(shape, device)
}

/// A Linear layer initialised as timm's `init_weights_vit_timm`: weights N(0, 0.02²), bias 0.
///
/// burn's default (Kaiming-uniform, also used for the bias) matches a bare `torch.nn.Linear`,
/// but timm ViTs trained from scratch re-initialise every Linear this way; Pangaea's
/// `vit_scratch` baseline inherits that.
pub fn timm_linear(d_input: usize, d_output: usize, bias: bool, device: &Device) -> Linear {
    let mut linear = LinearConfig::new(d_input, d_output)
        .with_bias(false)
        .with_initializer(Initializer::Normal {
            mean: 0.0,
            std: 0.02,
        })
        .init(device);
    if bias {
        linear.bias = Some(Initializer::Zeros.init([d_output], device));
    }
    linear
}
