//! Band metadata. Datasets and encoders both describe their channels as [`Band`]s with
//! Sentinel-2-style names (`B2`, `B8A`, `VV`, ...): matching by *name* is what lets any dataset
//! feed any encoder (Pangaea's key idea), and wavelengths let spectral-aware encoders such as
//! DOFA condition on the actual bands.

use serde::{Deserialize, Serialize};

/// One spectral (or SAR) channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Canonical name shared by datasets and encoders, e.g. `B8A` or `VV`.
    pub name: String,
    /// Centre wavelength in micrometres (SAR bands carry the value the encoder's reference uses).
    #[serde(default)]
    pub wavelength_um: Option<f64>,
    /// Ground sampling distance in metres.
    #[serde(default)]
    pub gsd_m: Option<f64>,
    /// Unit of the stored values, e.g. `reflectance`, `DN`, `dB`.
    #[serde(default)]
    pub unit: Option<String>,
}

impl Band {
    /// A band known only by name.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            wavelength_um: None,
            gsd_m: None,
            unit: None,
        }
    }
}

/// Names of a band list, in order.
pub fn band_names(bands: &[Band]) -> Vec<String> {
    bands.iter().map(|b| b.name.clone()).collect()
}

/// How a dataset's bands map onto an encoder's bands.
#[derive(Clone, Debug, PartialEq)]
pub struct BandMatch {
    /// For each encoder band, the dataset band index feeding it (`None` = zero-filled).
    pub source: Vec<Option<usize>>,
    /// Encoder bands the dataset lacks (zero-filled after normalisation, i.e. the dataset mean).
    pub missing: Vec<String>,
    /// Dataset bands the encoder does not use.
    pub dropped: Vec<String>,
}

impl BandMatch {
    /// True when the mapping is the identity (same bands, same order).
    pub fn is_identity(&self, dataset_len: usize) -> bool {
        self.source.len() == dataset_len
            && self.source.iter().enumerate().all(|(i, s)| *s == Some(i))
    }
}

/// Matches bands by name (case-insensitive, so `b8a` and `B8A` agree).
pub fn match_bands(dataset: &[Band], encoder: &[Band]) -> BandMatch {
    let find = |name: &str| {
        dataset
            .iter()
            .position(|b| b.name.eq_ignore_ascii_case(name))
    };
    let source: Vec<Option<usize>> = encoder.iter().map(|b| find(&b.name)).collect();
    let missing = encoder
        .iter()
        .zip(&source)
        .filter(|(_, s)| s.is_none())
        .map(|(b, _)| b.name.clone())
        .collect();
    let dropped = dataset
        .iter()
        .enumerate()
        .filter(|(i, _)| !source.contains(&Some(*i)))
        .map(|(_, b)| b.name.clone())
        .collect();
    BandMatch {
        source,
        missing,
        dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bands(names: &[&str]) -> Vec<Band> {
        names.iter().map(|n| Band::named(*n)).collect()
    }

    #[test]
    fn matching_reorders_drops_and_reports_missing() {
        let m = match_bands(
            &bands(&["B2", "B3", "B4", "B8A"]),
            &bands(&["B4", "b3", "B12"]),
        );
        assert_eq!(m.source, vec![Some(2), Some(1), None]);
        assert_eq!(m.missing, vec!["B12".to_string()]);
        assert_eq!(m.dropped, vec!["B2".to_string(), "B8A".to_string()]);
        assert!(!m.is_identity(4));
        let same = match_bands(&bands(&["B2", "B3"]), &bands(&["B2", "B3"]));
        assert!(same.is_identity(2));
    }
}
