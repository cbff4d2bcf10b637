use crate::burn::tensor::{Device, Int, Tensor};

/// What a criterion factory gets besides its own config section.
pub struct CriterionContext<'a> {
    /// Device for constant tensors (class weights).
    pub device: &'a Device,
    /// Output classes.
    pub num_classes: usize,
    /// Label value excluded from the loss.
    pub ignore_index: Option<i64>,
    /// Class frequencies from the dataset (for inverse-frequency weights).
    pub class_distribution: &'a [f64],
}

/// A training loss over logits (B, K, H, W) and targets (B, H, W).
pub trait Criterion: Send + Sync {
    /// Registry name.
    fn name(&self) -> &str;
    /// Scalar loss (shape [1]); must be differentiable w.r.t. `logits`.
    fn loss(&self, logits: Tensor<4>, target: Tensor<3, Int>) -> Tensor<1>;
}
