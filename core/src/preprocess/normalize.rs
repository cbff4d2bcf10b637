use super::{PreprocessError, Step};
use crate::component::DatasetSpec;
use crate::rng::SplitMix64;
use crate::sample::Sample;

/// Z-score with the dataset's per-band statistics (Pangaea's protocol: always dataset
/// statistics, whatever the encoder), looked up by band name so it works before or after
/// band matching.
pub struct NormalizeStep {
    stats: Vec<(String, Vec<(String, f32, f32)>)>,
}

impl NormalizeStep {
    /// Collects and validates the statistics.
    pub fn new(dataset: &DatasetSpec) -> Result<Self, String> {
        let mut stats = Vec::new();
        for m in &dataset.modalities {
            if m.mean.len() != m.bands.len() || m.std.len() != m.bands.len() {
                return Err(format!(
                    "dataset '{}' modality '{}' has {} bands but {} means and {} stds",
                    dataset.name,
                    m.name,
                    m.bands.len(),
                    m.mean.len(),
                    m.std.len()
                ));
            }
            if let Some(i) = m.std.iter().position(|s| s.is_nan() || *s <= 0.0) {
                return Err(format!(
                    "dataset '{}' band {} has std {} (must be > 0)",
                    dataset.name, m.bands[i].name, m.std[i]
                ));
            }
            let per_band = m
                .bands
                .iter()
                .zip(m.mean.iter().zip(&m.std))
                .map(|(b, (mu, sd))| (b.name.clone(), *mu as f32, *sd as f32))
                .collect();
            stats.push((m.name.clone(), per_band));
        }
        Ok(Self { stats })
    }
}

impl Step for NormalizeStep {
    fn name(&self) -> &'static str {
        "normalize"
    }

    fn apply(&self, sample: &mut Sample, _rng: &mut SplitMix64) -> Result<(), PreprocessError> {
        for m in &mut sample.modalities {
            let Some((_, per_band)) = self.stats.iter().find(|(name, _)| *name == m.name) else {
                return Err(PreprocessError::Apply {
                    step: "normalize",
                    sample: sample.id.clone(),
                    message: format!("no statistics for modality '{}'", m.name),
                });
            };
            for c in 0..m.channels() {
                let band = &m.bands[c].name;
                let Some((_, mean, std)) = per_band.iter().find(|(n, _, _)| n == band) else {
                    return Err(PreprocessError::Apply {
                        step: "normalize",
                        sample: sample.id.clone(),
                        message: format!(
                            "no statistics for band '{band}' (normalize before band_match)"
                        ),
                    });
                };
                let inv = 1.0 / std;
                for t in 0..m.frames {
                    for v in m.plane_mut(t, c) {
                        *v = (*v - mean) * inv;
                    }
                }
            }
        }
        Ok(())
    }
}
