//! Errors raised while accumulating or summarising a confusion matrix.

use thiserror::Error;

/// Why a confusion-matrix update or a metrics computation was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MetricsError {
    /// A matrix needs at least one class.
    #[error(
        "confusion matrix needs at least one class (num_classes = 0); check the dataset's `classes` list"
    )]
    NoClasses,
    /// Prediction and target buffers must describe the same pixels.
    #[error(
        "prediction has {pred} pixels but target has {target}; pass the same number of pixels (resize logits to the mask size first)"
    )]
    LengthMismatch {
        /// Number of predicted pixels.
        pred: usize,
        /// Number of target pixels.
        target: usize,
    },
    /// A target value is neither a class index nor the ignore index.
    #[error(
        "target label {value} at pixel {index} is outside 0..{num_classes} and is not the ignore index {ignore_index:?}; fix the mask decoding or set `ignore_index`"
    )]
    TargetOutOfRange {
        /// The offending label.
        value: i64,
        /// Its position in the flattened buffer.
        index: usize,
        /// Number of classes K.
        num_classes: usize,
        /// The ignore index in effect.
        ignore_index: Option<i64>,
    },
    /// A prediction is not a class index.
    #[error(
        "predicted class {value} at pixel {index} is outside 0..{num_classes}; the decoder's output channels do not match the dataset's class count"
    )]
    PredictionOutOfRange {
        /// The offending prediction.
        value: i64,
        /// Its position in the flattened buffer.
        index: usize,
        /// Number of classes K.
        num_classes: usize,
    },
    /// Two matrices with different class counts cannot be added.
    #[error(
        "cannot merge a {other}-class confusion matrix into a {this}-class one; both must come from the same dataset"
    )]
    ClassCountMismatch {
        /// Class count of the receiving matrix.
        this: usize,
        /// Class count of the merged-in matrix.
        other: usize,
    },
    /// Raw counts of the wrong length were supplied.
    #[error("confusion matrix counts have length {len}, expected {num_classes}² = {expected}")]
    CountsLength {
        /// Supplied length.
        len: usize,
        /// Number of classes K.
        num_classes: usize,
        /// K·K.
        expected: usize,
    },
    /// No pixel was counted, so every ratio would be 0/0.
    #[error(
        "confusion matrix is empty (no valid pixels); every target was ignored or no batch was evaluated — check the split and the ignore index"
    )]
    Empty,
    /// A class asked to be excluded from the means does not exist.
    #[error("class {class} cannot be excluded from the means: only classes 0..{num_classes} exist")]
    ExcludedClassOutOfRange {
        /// The requested class.
        class: usize,
        /// Number of classes K.
        num_classes: usize,
    },
    /// Class names must line up one-to-one with classes.
    #[error(
        "got {names} class names for {num_classes} classes; the dataset's `classes` list must have one name per class"
    )]
    ClassNamesLength {
        /// Number of names supplied.
        names: usize,
        /// Number of classes K.
        num_classes: usize,
    },
}
