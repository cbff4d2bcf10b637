use super::{PreprocessError, Step};
use crate::bands::match_bands;
use crate::component::{EncoderSpec, ModalitySpec};
use crate::rng::SplitMix64;
use crate::sample::{ModalityData, Sample};

/// Re-lays each modality into the encoder's band order by name: extra dataset bands are dropped,
/// missing encoder bands are filled with `fill` (0 after normalisation = the dataset mean, as
/// Pangaea's BandPadding). Modalities the encoder does not use are removed; a modality the
/// encoder needs but the sample lacks entirely is filled too, so models like Galileo that
/// accept missing modalities still get a tensor.
pub struct BandMatchStep {
    wanted: Vec<ModalitySpec>,
    fill: f32,
}

impl BandMatchStep {
    /// For an encoder's declared modalities.
    pub fn new(encoder: &EncoderSpec, fill: f32) -> Self {
        Self {
            wanted: encoder.modalities.clone(),
            fill,
        }
    }
}

impl Step for BandMatchStep {
    fn name(&self) -> &'static str {
        "band_match"
    }

    fn apply(&self, sample: &mut Sample, _rng: &mut SplitMix64) -> Result<(), PreprocessError> {
        let (h, w) = sample.spatial_size();
        let mut out = Vec::with_capacity(self.wanted.len());
        for spec in &self.wanted {
            let Some(src) = sample.modality(&spec.name) else {
                if sample.modalities.is_empty() {
                    return Err(PreprocessError::Apply {
                        step: "band_match",
                        sample: sample.id.clone(),
                        message: "the sample has no modalities".into(),
                    });
                }
                let frames = sample.modalities[0].frames;
                out.push(ModalityData {
                    name: spec.name.clone(),
                    bands: spec.bands.clone(),
                    frames,
                    height: h,
                    width: w,
                    data: vec![self.fill; frames * spec.bands.len() * h * w],
                    dates: sample.modalities[0].dates.clone(),
                    nodata: None,
                });
                continue;
            };
            let matching = match_bands(&src.bands, &spec.bands);
            if matching.is_identity(src.channels()) {
                out.push(src.clone());
                continue;
            }
            let n = src.height * src.width;
            let mut data = Vec::with_capacity(src.frames * spec.bands.len() * n);
            for t in 0..src.frames {
                for s in &matching.source {
                    match s {
                        Some(c) => data.extend_from_slice(src.plane(t, *c)),
                        None => data.extend(std::iter::repeat_n(self.fill, n)),
                    }
                }
            }
            out.push(ModalityData {
                bands: spec.bands.clone(),
                data,
                ..src.clone_header()
            });
        }
        sample.modalities = out;
        Ok(())
    }
}
