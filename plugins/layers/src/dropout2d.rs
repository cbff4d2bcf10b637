use eobench_core::burn;
use eobench_core::burn::module::{Flag, Module, Param};
use eobench_core::burn::tensor::{Distribution, Tensor};

/// Channel dropout (torch `nn.Dropout2d`): zeroes whole (sample, channel) maps of a (B, C, H, W)
/// tensor and scales the rest by 1/keep.
///
/// mmseg decode heads (UPerNet `dropout_ratio = 0.1`) use `Dropout2d`; burn's `Dropout` drops
/// single elements, a weaker regulariser on spatially correlated maps. Same activation rule as
/// burn's `Dropout`: training flag set *and* autodiff device.
#[derive(Module, Debug)]
pub struct Dropout2d {
    /// Probability of dropping one channel map.
    pub prob: f64,
    /// Whether the layer behaves as in training.
    pub training: Param<Flag>,
}

impl Dropout2d {
    /// Channel dropout with probability `prob` in [0, 1).
    ///
    /// # Panics
    /// If `prob` is outside [0, 1).
    pub fn new(prob: f64) -> Self {
        assert!(
            prob.is_finite() && (0.0..1.0).contains(&prob),
            "dropout probability must be in [0, 1), got {prob}"
        );
        Self {
            prob,
            training: Param::from_bool(true),
        }
    }

    /// (B, C, H, W) → (B, C, H, W).
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        if self.prob == 0.0 || !self.training.is_enabled() || !x.device().is_autodiff() {
            return x;
        }
        let keep = 1.0 - self.prob;
        let [b, c, _, _] = x.dims();
        let mask = Tensor::<4>::random([b, c, 1, 1], Distribution::Bernoulli(keep), &x.device());
        x * mask * (1.0 / keep)
    }
}
