//! The K×K pixel-count matrix that every segmentation metric is derived from.

use super::MetricsError;

/// Pixel counts indexed as `counts[target * K + prediction]`.
///
/// **Rows are ground truth, columns are predictions.** So a row sum is a class's support in
/// the target (TP + FN) and a column sum is how often the class was predicted (TP + FP).
/// Pangaea stores the transpose; do not copy its formulas without transposing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfusionMatrix {
    num_classes: usize,
    counts: Vec<u64>,
}

impl ConfusionMatrix {
    /// An all-zero matrix for `num_classes` classes.
    pub fn new(num_classes: usize) -> Result<Self, MetricsError> {
        if num_classes == 0 {
            return Err(MetricsError::NoClasses);
        }
        Ok(Self {
            num_classes,
            counts: vec![0; num_classes * num_classes],
        })
    }

    /// Rebuilds a matrix from row-major counts (rows = target), e.g. after gathering from workers.
    pub fn from_counts(num_classes: usize, counts: Vec<u64>) -> Result<Self, MetricsError> {
        if num_classes == 0 {
            return Err(MetricsError::NoClasses);
        }
        let expected = num_classes * num_classes;
        if counts.len() != expected {
            return Err(MetricsError::CountsLength {
                len: counts.len(),
                num_classes,
                expected,
            });
        }
        Ok(Self {
            num_classes,
            counts,
        })
    }

    /// Number of classes K.
    pub fn num_classes(&self) -> usize {
        self.num_classes
    }

    /// Row-major counts, `counts[target * K + prediction]`.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Pixels whose target is `target` and whose prediction is `pred`.
    ///
    /// # Panics
    /// If either index is not below K.
    pub fn get(&self, target: usize, pred: usize) -> u64 {
        assert!(target < self.num_classes && pred < self.num_classes);
        self.counts[target * self.num_classes + pred]
    }

    /// Adds one batch of flattened predictions and targets.
    ///
    /// Pixels whose target equals `ignore_index` are skipped (their prediction is not checked).
    /// Any other value outside `0..K` is an error rather than a silent drop, because a wrong
    /// label mapping would otherwise quietly inflate the scores. The batch is validated before
    /// anything is counted, so a refused batch leaves the matrix unchanged.
    pub fn update(
        &mut self,
        pred: &[i64],
        target: &[i64],
        ignore_index: Option<i64>,
    ) -> Result<(), MetricsError> {
        if pred.len() != target.len() {
            return Err(MetricsError::LengthMismatch {
                pred: pred.len(),
                target: target.len(),
            });
        }
        let k = self.num_classes as i64;
        for (index, (&p, &t)) in pred.iter().zip(target).enumerate() {
            if Some(t) == ignore_index {
                continue;
            }
            if !(0..k).contains(&t) {
                return Err(MetricsError::TargetOutOfRange {
                    value: t,
                    index,
                    num_classes: self.num_classes,
                    ignore_index,
                });
            }
            if !(0..k).contains(&p) {
                return Err(MetricsError::PredictionOutOfRange {
                    value: p,
                    index,
                    num_classes: self.num_classes,
                });
            }
        }
        for (&p, &t) in pred.iter().zip(target) {
            if Some(t) != ignore_index {
                self.counts[t as usize * self.num_classes + p as usize] += 1;
            }
        }
        Ok(())
    }

    /// Adds another matrix's counts (e.g. from another worker or another batch range).
    pub fn merge(&mut self, other: &ConfusionMatrix) -> Result<(), MetricsError> {
        if other.num_classes != self.num_classes {
            return Err(MetricsError::ClassCountMismatch {
                this: self.num_classes,
                other: other.num_classes,
            });
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        Ok(())
    }

    /// All counted pixels.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Correctly classified pixels of class `c` (the diagonal).
    pub fn true_positives(&self, c: usize) -> u64 {
        self.get(c, c)
    }

    /// Pixels whose target is `c` (TP + FN).
    pub fn target_count(&self, c: usize) -> u64 {
        let k = self.num_classes;
        self.counts[c * k..(c + 1) * k].iter().sum()
    }

    /// Pixels predicted as `c` (TP + FP).
    pub fn predicted_count(&self, c: usize) -> u64 {
        (0..self.num_classes).map(|t| self.get(t, c)).sum()
    }
}
