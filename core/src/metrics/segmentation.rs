//! Per-class and mean segmentation scores derived from a [`ConfusionMatrix`].

use serde::{Deserialize, Serialize};

use super::{ConfusionMatrix, MetricsError};

/// Scores of one evaluation, as fractions in `[0, 1]`.
///
/// Conventions (chosen so that no value is ever NaN and serialised files round-trip):
/// - A class is **present** when TP + FP + FN > 0, i.e. it occurs in the target or in the
///   prediction. Absent classes have `None` in every per-class vector and are left out of
///   `miou`, `mf1`, `mprecision` and `mrecall` (a class nobody saw says nothing about the model).
/// - For a present class, a 0/0 ratio counts as 0: a class never predicted has precision 0, a
///   class predicted but absent from the target has recall 0. Both are genuine mistakes.
/// - `excluded_classes` (e.g. a "void" class that is also the ignore index) keep their
///   per-class values but are left out of every mean, fixing Pangaea's pre-#133 behaviour.
/// - `oa` = trace / total; `macc` = mean recall over classes present in the **target**.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentationMetrics {
    /// Number of classes K.
    pub num_classes: usize,
    /// Human-readable class names, if the dataset provides them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_names: Option<Vec<String>>,
    /// Classes left out of every mean.
    #[serde(default)]
    pub excluded_classes: Vec<usize>,
    /// Number of counted (non-ignored) pixels.
    pub total_pixels: u64,
    /// Pixels of each class in the target (TP + FN).
    pub support: Vec<u64>,
    /// TP / (TP + FP + FN) per class.
    pub iou: Vec<Option<f64>>,
    /// TP / (TP + FP) per class (column sum: how often the prediction was right).
    pub precision: Vec<Option<f64>>,
    /// TP / (TP + FN) per class (row sum: how much of the class was found).
    pub recall: Vec<Option<f64>>,
    /// 2PR / (P + R) per class, computed as 2TP / (2TP + FP + FN).
    pub f1: Vec<Option<f64>>,
    /// Mean IoU over present, non-excluded classes.
    pub miou: f64,
    /// Mean F1 over present, non-excluded classes.
    pub mf1: f64,
    /// Mean precision over present, non-excluded classes.
    pub mprecision: f64,
    /// Mean recall over present, non-excluded classes.
    pub mrecall: f64,
    /// Overall (pixel) accuracy: trace / total.
    pub oa: f64,
    /// Mean per-class recall over non-excluded classes present in the target.
    pub macc: f64,
}

impl SegmentationMetrics {
    /// Summarises a matrix, leaving `excluded_classes` out of the means.
    ///
    /// An empty matrix is an error rather than a row of zeros or NaNs, so a broken evaluation
    /// loop cannot produce a plausible-looking result.
    pub fn from_confusion(
        cm: &ConfusionMatrix,
        excluded_classes: &[usize],
    ) -> Result<Self, MetricsError> {
        let k = cm.num_classes();
        if let Some(&class) = excluded_classes.iter().find(|&&c| c >= k) {
            return Err(MetricsError::ExcludedClassOutOfRange {
                class,
                num_classes: k,
            });
        }
        let total = cm.total();
        if total == 0 {
            return Err(MetricsError::Empty);
        }
        let ratio = |num: u64, den: u64| {
            if den == 0 {
                0.0
            } else {
                num as f64 / den as f64
            }
        };

        let mut support = Vec::with_capacity(k);
        let (mut iou, mut precision, mut recall, mut f1) = (vec![], vec![], vec![], vec![]);
        let mut trace = 0;
        for c in 0..k {
            let tp = cm.true_positives(c);
            let row = cm.target_count(c);
            let col = cm.predicted_count(c);
            let (fn_, fp) = (row - tp, col - tp);
            trace += tp;
            support.push(row);
            if tp + fp + fn_ == 0 {
                iou.push(None);
                precision.push(None);
                recall.push(None);
                f1.push(None);
            } else {
                iou.push(Some(ratio(tp, tp + fp + fn_)));
                precision.push(Some(ratio(tp, col)));
                recall.push(Some(ratio(tp, row)));
                f1.push(Some(ratio(2 * tp, 2 * tp + fp + fn_)));
            }
        }

        let included = |c: &usize| !excluded_classes.contains(c);
        let mean_present = |v: &[Option<f64>]| mean((0..k).filter(included).filter_map(|c| v[c]));
        let macc = mean(
            (0..k)
                .filter(included)
                .filter(|&c| support[c] > 0)
                .filter_map(|c| recall[c]),
        );
        let mut excluded = excluded_classes.to_vec();
        excluded.sort_unstable();
        excluded.dedup();
        Ok(Self {
            num_classes: k,
            class_names: None,
            excluded_classes: excluded,
            total_pixels: total,
            miou: mean_present(&iou),
            mf1: mean_present(&f1),
            mprecision: mean_present(&precision),
            mrecall: mean_present(&recall),
            oa: trace as f64 / total as f64,
            macc,
            support,
            iou,
            precision,
            recall,
            f1,
        })
    }

    /// Attaches class names so reports and logs can label per-class values.
    pub fn with_class_names(mut self, names: Vec<String>) -> Result<Self, MetricsError> {
        if names.len() != self.num_classes {
            return Err(MetricsError::ClassNamesLength {
                names: names.len(),
                num_classes: self.num_classes,
            });
        }
        self.class_names = Some(names);
        Ok(self)
    }
}

impl ConfusionMatrix {
    /// Summarises this matrix with every class counted in the means.
    pub fn metrics(&self) -> Result<SegmentationMetrics, MetricsError> {
        SegmentationMetrics::from_confusion(self, &[])
    }
}

/// Mean of the values, or 0 when there are none (only possible when every present class was
/// excluded; an empty matrix is rejected earlier).
fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}
