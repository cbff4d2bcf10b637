use super::{PreprocessError, Step};
use crate::rng::SplitMix64;
use crate::sample::Sample;

/// Replaces each modality's no-data value and NaN by `fill` (raw units). Pangaea compares HLS
/// pixels with +9999 and so never masks the real −9999; this compares with the value the file
/// declares, and catches NaN with `is_nan` (NaN never equals itself).
pub struct NodataStep {
    /// Replacement value.
    pub fill: f32,
}

impl Step for NodataStep {
    fn name(&self) -> &'static str {
        "nodata"
    }

    fn apply(&self, sample: &mut Sample, _rng: &mut SplitMix64) -> Result<(), PreprocessError> {
        for m in &mut sample.modalities {
            let nodata = m.nodata;
            for v in &mut m.data {
                if v.is_nan() || nodata.is_some_and(|n| *v == n) {
                    *v = self.fill;
                }
            }
            m.nodata = None;
        }
        Ok(())
    }
}
