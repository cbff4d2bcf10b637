use std::path::Path;

use serde::Serialize;

use super::ComponentError;
use crate::bands::Band;
use crate::sample::Sample;

/// Which part of a dataset to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Training data.
    Train,
    /// Model selection (best checkpoint).
    Val,
    /// Final scoring.
    Test,
}

impl Split {
    /// Lower-case name used in paths and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Val => "val",
            Split::Test => "test",
        }
    }
}

/// One modality of a dataset with its normalisation statistics.
#[derive(Clone, Debug, Serialize)]
pub struct DatasetModality {
    /// Modality key.
    pub name: String,
    /// Channels in file order.
    pub bands: Vec<Band>,
    /// Per-band mean, in the units the files store.
    pub mean: Vec<f64>,
    /// Per-band standard deviation.
    pub std: Vec<f64>,
}

/// What a dataset declares.
#[derive(Clone, Debug, Serialize)]
pub struct DatasetSpec {
    /// Registry name.
    pub name: String,
    /// Modalities in the order samples carry them.
    pub modalities: Vec<DatasetModality>,
    /// Class names; their count is the number of classes.
    pub classes: Vec<String>,
    /// Label value that is never scored.
    pub ignore_index: Option<i64>,
    /// Native scene size (square side).
    pub img_size: usize,
    /// Class frequencies (for weighted losses); empty when unknown.
    pub class_distribution: Vec<f64>,
}

impl DatasetSpec {
    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.classes.len()
    }
}

/// What a dataset factory gets besides its own config section.
pub struct DatasetContext<'a> {
    /// The split to open.
    pub split: Split,
    /// Directory relative dataset paths are resolved against (the eobench checkout).
    pub base_dir: &'a Path,
}

/// A random-access collection of samples.
pub trait Dataset: Send + Sync {
    /// The declaration.
    fn spec(&self) -> &DatasetSpec;
    /// Number of samples in the split.
    fn len(&self) -> usize;
    /// True for an empty split.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Reads one sample (raw units; preprocessing comes later).
    fn get(&self, index: usize) -> Result<Sample, ComponentError>;
    /// One line for logs: where the data lives and how many samples the split has.
    fn describe(&self) -> String;
}
