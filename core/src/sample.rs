//! Samples (CPU, one scene) and batches (tensors on a device). A sample can carry several
//! modalities (optical, SAR, ...), each with its own bands, a time axis and acquisition dates,
//! so multi-modal and multi-temporal datasets fit without changing the types.

use crate::burn::tensor::{Device, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::bands::Band;

/// A calendar date stored as days since 1970-01-01, so it orders and subtracts cheaply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AcquisitionDate(pub i32);

impl AcquisitionDate {
    /// From a proleptic Gregorian year, month (1–12) and day (1–31).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Self {
        // Howard Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let mp = (month as i32 + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Self(era * 146097 + doe - 719468)
    }

    /// From a year and day of year (1-based), the `YYYYDDD` form HLS file names use.
    pub fn from_year_doy(year: i32, doy: u32) -> Self {
        Self(Self::from_ymd(year, 1, 1).0 + doy as i32 - 1)
    }

    /// Back to (year, month, day).
    pub fn to_ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719468;
        let era = if z >= 0 { z } else { z - 146096 } / 146097;
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
        (year, month, day)
    }
}

impl std::fmt::Display for AcquisitionDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = self.to_ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for AcquisitionDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for AcquisitionDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let parts: Vec<&str> = s.split('-').collect();
        let parse = |i: usize| parts.get(i).and_then(|p| p.parse::<i64>().ok());
        match (parts.len(), parse(0), parse(1), parse(2)) {
            (3, Some(y), Some(m), Some(d)) => Ok(Self::from_ymd(y as i32, m as u32, d as u32)),
            _ => Err(serde::de::Error::custom(format!(
                "expected YYYY-MM-DD, got '{s}'"
            ))),
        }
    }
}

/// One modality of one sample, values laid out as (T, C, H, W).
#[derive(Clone, Debug)]
pub struct ModalityData {
    /// Modality key, e.g. `optical` or `sar`.
    pub name: String,
    /// The channels, in the order of the C axis.
    pub bands: Vec<Band>,
    /// Number of time steps (1 for single-temporal data).
    pub frames: usize,
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
    /// Values, (T, C, H, W) row-major.
    pub data: Vec<f32>,
    /// One date per frame when the dataset knows them.
    pub dates: Vec<AcquisitionDate>,
    /// The raw no-data value of the source file, replaced by the `nodata` preprocessing step.
    pub nodata: Option<f32>,
}

impl ModalityData {
    /// Number of channels.
    pub fn channels(&self) -> usize {
        self.bands.len()
    }

    /// Values of one (frame, channel) plane.
    pub fn plane(&self, t: usize, c: usize) -> &[f32] {
        let n = self.height * self.width;
        let start = (t * self.channels() + c) * n;
        &self.data[start..start + n]
    }

    /// Same metadata, empty values (a helper for steps that rebuild the data).
    pub fn clone_header(&self) -> ModalityData {
        ModalityData {
            name: self.name.clone(),
            bands: self.bands.clone(),
            frames: self.frames,
            height: self.height,
            width: self.width,
            data: Vec::new(),
            dates: self.dates.clone(),
            nodata: self.nodata,
        }
    }

    /// Mutable values of one (frame, channel) plane.
    pub fn plane_mut(&mut self, t: usize, c: usize) -> &mut [f32] {
        let n = self.height * self.width;
        let start = (t * self.channels() + c) * n;
        &mut self.data[start..start + n]
    }
}

/// A per-pixel class map; pixels equal to the dataset's ignore index are not scored.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetMask {
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
    /// Class indices, (H, W) row-major.
    pub data: Vec<i64>,
}

/// One scene as a dataset returns it, on the CPU.
#[derive(Clone, Debug)]
pub struct Sample {
    /// Stable identifier (file stem), used in logs and per-image outputs.
    pub id: String,
    /// The modalities, in the dataset's declared order.
    pub modalities: Vec<ModalityData>,
    /// Ground truth, when the split has labels.
    pub target: Option<TargetMask>,
}

impl Sample {
    /// The modality with the given key.
    pub fn modality(&self, name: &str) -> Option<&ModalityData> {
        self.modalities.iter().find(|m| m.name == name)
    }

    /// Spatial size (H, W) shared by all modalities.
    pub fn spatial_size(&self) -> (usize, usize) {
        self.modalities
            .first()
            .map(|m| (m.height, m.width))
            .unwrap_or((0, 0))
    }
}

/// Why samples could not be stacked into a batch.
#[derive(Debug, Error)]
pub enum BatchError {
    /// Nothing to stack.
    #[error("cannot build a batch from zero samples")]
    Empty,
    /// Samples disagree on a modality's shape or bands.
    #[error("sample '{id}' does not match the batch: {what}")]
    Mismatch {
        /// The offending sample.
        id: String,
        /// What differs.
        what: String,
    },
}

/// One modality of a batch.
#[derive(Clone, Debug)]
pub struct BatchModality {
    /// Modality key.
    pub name: String,
    /// Channels of the C axis.
    pub bands: Vec<Band>,
    /// Values, (B, T, C, H, W).
    pub data: Tensor<5>,
    /// Dates per sample and frame (may be empty when unknown).
    pub dates: Vec<Vec<AcquisitionDate>>,
}

impl BatchModality {
    /// (B, C, H, W) of frame 0; single-temporal encoders take this.
    pub fn first_frame(&self) -> Tensor<4> {
        let [b, _, c, h, w] = self.data.dims();
        self.data
            .clone()
            .slice([0..b, 0..1, 0..c, 0..h, 0..w])
            .reshape([b, c, h, w])
    }

    /// Number of frames.
    pub fn frames(&self) -> usize {
        self.data.dims()[1]
    }
}

/// Samples stacked into tensors on one device: what encoders see.
#[derive(Clone, Debug)]
pub struct Batch {
    /// Sample ids, in batch order.
    pub ids: Vec<String>,
    /// Modalities, in the dataset's order.
    pub modalities: Vec<BatchModality>,
    /// Targets (B, H, W), when labelled.
    pub target: Option<Tensor<3, Int>>,
}

impl Batch {
    /// Stacks samples (same modalities, bands and sizes) onto `device`.
    pub fn collate(samples: &[Sample], device: &Device) -> Result<Batch, BatchError> {
        let first = samples.first().ok_or(BatchError::Empty)?;
        let mut modalities = Vec::with_capacity(first.modalities.len());
        for (mi, m0) in first.modalities.iter().enumerate() {
            let mut values = Vec::with_capacity(samples.len() * m0.data.len());
            let mut dates = Vec::with_capacity(samples.len());
            for s in samples {
                let m = s
                    .modalities
                    .get(mi)
                    .filter(|m| m.name == m0.name)
                    .ok_or_else(|| BatchError::Mismatch {
                        id: s.id.clone(),
                        what: format!("modality '{}' missing", m0.name),
                    })?;
                let same = (m.frames, m.channels(), m.height, m.width)
                    == (m0.frames, m0.channels(), m0.height, m0.width);
                if !same {
                    return Err(BatchError::Mismatch {
                        id: s.id.clone(),
                        what: format!(
                            "modality '{}' has shape (T={}, C={}, H={}, W={}), the batch has (T={}, C={}, H={}, W={})",
                            m.name,
                            m.frames,
                            m.channels(),
                            m.height,
                            m.width,
                            m0.frames,
                            m0.channels(),
                            m0.height,
                            m0.width
                        ),
                    });
                }
                values.extend_from_slice(&m.data);
                dates.push(m.dates.clone());
            }
            let shape = [samples.len(), m0.frames, m0.channels(), m0.height, m0.width];
            let data = Tensor::<5>::from_data(TensorData::new(values, shape), device);
            modalities.push(BatchModality {
                name: m0.name.clone(),
                bands: m0.bands.clone(),
                data,
                dates,
            });
        }
        let target = match &first.target {
            None => None,
            Some(t0) => {
                let mut values = Vec::with_capacity(samples.len() * t0.data.len());
                for s in samples {
                    let t = s
                        .target
                        .as_ref()
                        .filter(|t| (t.height, t.width) == (t0.height, t0.width));
                    let t = t.ok_or_else(|| BatchError::Mismatch {
                        id: s.id.clone(),
                        what: "target missing or of a different size".into(),
                    })?;
                    values.extend_from_slice(&t.data);
                }
                let data = TensorData::new(values, [samples.len(), t0.height, t0.width]);
                Some(Tensor::<3, Int>::from_data(data, device))
            }
        };
        Ok(Batch {
            ids: samples.iter().map(|s| s.id.clone()).collect(),
            modalities,
            target,
        })
    }

    /// The modality with the given key.
    pub fn modality(&self, name: &str) -> Option<&BatchModality> {
        self.modalities.iter().find(|m| m.name == name)
    }

    /// Batch size.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True for an empty batch (never produced by `collate`).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_civil_calendar() {
        assert_eq!(AcquisitionDate::from_ymd(1970, 1, 1).0, 0);
        let d = AcquisitionDate::from_year_doy(2018, 190);
        assert_eq!(d.to_ymd(), (2018, 7, 9));
        assert_eq!(d.to_string(), "2018-07-09");
        assert_eq!(
            AcquisitionDate::from_year_doy(2020, 60).to_string(),
            "2020-02-29"
        );
    }

    #[test]
    fn collate_stacks_and_rejects_mismatches() {
        let m = |h: usize| ModalityData {
            name: "optical".into(),
            bands: vec![Band::named("B2"), Band::named("B3")],
            frames: 1,
            height: h,
            width: 2,
            data: (0..(2 * h * 2)).map(|v| v as f32).collect(),
            dates: vec![],
            nodata: None,
        };
        let s = |id: &str, h: usize| Sample {
            id: id.into(),
            modalities: vec![m(h)],
            target: Some(TargetMask {
                height: h,
                width: 2,
                data: vec![1; h * 2],
            }),
        };
        let device = Device::flex();
        let b = Batch::collate(&[s("a", 3), s("b", 3)], &device).unwrap();
        assert_eq!(b.modalities[0].data.dims(), [2, 1, 2, 3, 2]);
        assert_eq!(b.modalities[0].first_frame().dims(), [2, 2, 3, 2]);
        assert_eq!(b.target.unwrap().dims(), [2, 3, 2]);
        let err = Batch::collate(&[s("a", 3), s("b", 4)], &device).unwrap_err();
        assert!(err.to_string().contains("sample 'b'"), "{err}");
    }
}
