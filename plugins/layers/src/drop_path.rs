use eobench_core::burn;
use eobench_core::burn::module::{Flag, Module, Param};
use eobench_core::burn::tensor::{Distribution, Tensor};

/// Stochastic depth: during training, zeroes a residual branch for a random subset of samples
/// and scales the survivors by 1/keep, so the expected output is unchanged (timm `DropPath`).
///
/// burn has no such layer. It follows burn's `Dropout` contract: active only while the
/// `training` flag is set (cleared by `Module::freeze`/`valid`) *and* the tensor lives on an
/// autodiff device — so inference, frozen encoders and plain devices are exact identities,
/// which also fixes Pangaea's "frozen encoder still drops paths" behaviour.
#[derive(Module, Debug)]
pub struct DropPath {
    /// Probability of dropping the branch for one sample.
    pub prob: f64,
    /// Whether the layer behaves as in training.
    pub training: Param<Flag>,
}

impl DropPath {
    /// A drop-path layer with drop probability `prob` in [0, 1).
    ///
    /// # Panics
    /// If `prob` is outside [0, 1).
    pub fn new(prob: f64) -> Self {
        assert!(
            prob.is_finite() && (0.0..1.0).contains(&prob),
            "drop path probability must be in [0, 1), got {prob}"
        );
        Self {
            prob,
            training: Param::from_bool(true),
        }
    }

    /// Whether a forward pass on this tensor would drop anything.
    pub fn is_active<const D: usize>(&self, x: &Tensor<D>) -> bool {
        self.prob > 0.0 && self.training.is_enabled() && x.device().is_autodiff()
    }

    /// Applies the per-sample mask to a residual branch `x` of shape (B, …).
    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        if !self.is_active(&x) {
            return x;
        }
        let keep = 1.0 - self.prob;
        let mut shape = [1usize; D];
        shape[0] = x.dims()[0];
        let mask = Tensor::<D>::random(shape, Distribution::Bernoulli(keep), &x.device());
        x * mask * (1.0 / keep)
    }
}

/// Per-block drop-path probabilities rising linearly from 0 to `rate` over `depth` blocks
/// (timm: `torch.linspace(0, drop_path_rate, depth)`).
pub fn drop_path_schedule(rate: f64, depth: usize) -> Vec<f64> {
    match depth {
        0 => vec![],
        1 => vec![0.0],
        _ => (0..depth)
            .map(|i| rate * i as f64 / (depth - 1) as f64)
            .collect(),
    }
}
