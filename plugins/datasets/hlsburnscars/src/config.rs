use eobench_core::bands::Band;
use serde::Deserialize;

/// `configs/dataset/hlsburnscars.yaml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HlsBurnScarsConfig {
    /// Folder holding `training/` and `validation/`; relative paths resolve against the
    /// eobench checkout. `null` until the user sets `dataset.root=`.
    pub root: Option<String>,
    /// Where the data can be downloaded (shown in errors).
    pub download_url: String,
    /// Scene side in pixels.
    pub img_size: usize,
    /// `pangaea`: train/val = 90/10 of `training/` (numpy RandomState(23)), test = `validation/`;
    /// `official`: train = `training/`, val = test = `validation/` (TerraTorch).
    pub split_scheme: String,
    /// Share of `training/` held out for validation in the Pangaea scheme.
    pub val_fraction: f64,
    /// numpy seed of the Pangaea split.
    pub split_seed: u32,
    /// Class names (index = label value).
    pub classes: Vec<String>,
    /// Label value never scored (−1 = missing data).
    pub ignore_index: i64,
    /// Class frequencies.
    pub distribution: Vec<f64>,
    /// Modality key of the scene bands.
    pub modality: String,
    /// The six bands in file order.
    pub bands: Vec<Band>,
    /// Per-band mean (reflectance).
    pub mean: Vec<f64>,
    /// Per-band standard deviation.
    pub std: Vec<f64>,
    /// No-data value used when a file does not declare GDAL_NODATA.
    pub nodata: f64,
}
