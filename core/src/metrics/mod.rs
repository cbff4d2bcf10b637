//! Segmentation metrics computed from a confusion matrix.
//!
//! The matrix is oriented **rows = ground truth (target), columns = prediction**. Pangaea used
//! the transpose and then read precision from the column sums, which swapped precision and
//! recall; keeping one documented orientation here makes that mistake visible in review.
//! Values are fractions in `[0, 1]`; presentation layers multiply by 100.

mod bootstrap;
mod confusion;
mod error;
mod segmentation;

pub use bootstrap::{Interval, bootstrap_miou};
pub use confusion::ConfusionMatrix;
pub use error::MetricsError;
pub use segmentation::SegmentationMetrics;

#[cfg(test)]
mod tests;
