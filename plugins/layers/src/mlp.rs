use crate::gelu;
use eobench_core::burn;
use eobench_core::burn::module::Module;
use eobench_core::burn::nn::Linear;
use eobench_core::burn::tensor::{Device, Tensor};

use crate::init::timm_linear;

/// timm's transformer MLP: `fc1` (D → hidden) → exact (erf) GELU → `fc2` (hidden → D).
///
/// Exact GELU, not the tanh approximation: `torch.nn.GELU()` defaults to exact, and a port
/// must give the same activations as the checkpoint was trained with.
#[derive(Module, Debug)]
pub struct Mlp {
    /// D → hidden.
    pub fc1: Linear,
    /// hidden → D.
    pub fc2: Linear,
}

impl Mlp {
    /// An MLP with `hidden` units.
    pub fn new(dim: usize, hidden: usize, device: &Device) -> Self {
        Self {
            fc1: timm_linear(dim, hidden, true, device),
            fc2: timm_linear(hidden, dim, true, device),
        }
    }

    /// (…, D) → (…, D).
    pub fn forward<const R: usize>(&self, x: Tensor<R>) -> Tensor<R> {
        self.fc2.forward(gelu(self.fc1.forward(x)))
    }
}
