//! Pangaea's random train/val split of a dataset's training folder.

use thiserror::Error;

use super::NumpyRandomState;

/// Why a train/val split could not be drawn.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum SplitError {
    /// The fraction must leave both parts non-empty-able, as sklearn requires.
    #[error(
        "val_fraction must be strictly between 0 and 1, got {0}; fix `val_fraction` in the dataset config"
    )]
    Fraction(f64),
    /// The training part would be empty (sklearn raises here too).
    #[error(
        "splitting {n} samples with val_fraction {val_fraction} leaves no training samples; use a smaller val_fraction or more samples"
    )]
    EmptyTrain {
        /// Number of samples.
        n: usize,
        /// Requested validation fraction.
        val_fraction: f64,
    },
}

/// Pangaea's split: returns `(train, val)` indices into the **sorted** sample list.
///
/// Equals `sklearn.model_selection.train_test_split(np.arange(n), test_size=val_fraction,
/// random_state=seed)`: sklearn's `ShuffleSplit` draws one `RandomState(seed).permutation(n)`,
/// takes the first `ceil(val_fraction * n)` items as the test (here: val) part and the rest as
/// train, in permutation order. `val_fraction * n` is computed in f64 exactly as Python does,
/// so the rounding matches too. Pangaea uses `val_fraction = 0.1`, `seed = 23`.
pub fn pangaea_train_val_split(
    n: usize,
    val_fraction: f64,
    seed: u32,
) -> Result<(Vec<usize>, Vec<usize>), SplitError> {
    if !(val_fraction > 0.0 && val_fraction < 1.0) {
        return Err(SplitError::Fraction(val_fraction));
    }
    let n_val = (val_fraction * n as f64).ceil() as usize;
    if n_val >= n {
        return Err(SplitError::EmptyTrain { n, val_fraction });
    }
    let mut perm = NumpyRandomState::new(seed).permutation(n);
    let train = perm.split_off(n_val);
    Ok((train, perm))
}
