//! Dataset splits that must match other benchmarks index for index.
//!
//! Pangaea draws its train/val split with numpy's legacy `RandomState`; reproducing the exact
//! indices (instead of "a 90/10 split") is what makes our numbers comparable to its tables.

mod mt19937;
mod numpy_random_state;
mod pangaea;

pub use mt19937::Mt19937;
pub use numpy_random_state::NumpyRandomState;
pub use pangaea::{SplitError, pangaea_train_val_split};

#[cfg(test)]
mod tests;
