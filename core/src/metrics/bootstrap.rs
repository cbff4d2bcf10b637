//! Percentile bootstrap over test images: how much a score depends on which scenes happened
//! to be in the test split. Seeds measure training noise; this measures test-set noise.

use super::{ConfusionMatrix, MetricsError, SegmentationMetrics};
use crate::rng::SplitMix64;

/// A two-sided percentile interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// 95 % percentile-bootstrap interval of the mIoU over images: `resamples` times, draw as many
/// images as there are with replacement, sum their confusion matrices and score the sum
/// (the pixel-pooled mIoU the leaderboard reports, not a mean of per-image scores).
///
/// `None` with fewer than two images (no spread to resample). Deterministic for a `seed`.
pub fn bootstrap_miou(
    per_image: &[ConfusionMatrix],
    excluded_classes: &[usize],
    resamples: usize,
    seed: u64,
) -> Result<Option<Interval>, MetricsError> {
    let n = per_image.len();
    if n < 2 || resamples == 0 {
        return Ok(None);
    }
    let k = per_image[0].num_classes();
    let mut rng = SplitMix64::derive(seed, 0xB007, n as u64, resamples as u64);
    let mut scores = Vec::with_capacity(resamples);
    let mut sum = vec![0u64; k * k];
    for _ in 0..resamples {
        sum.iter_mut().for_each(|c| *c = 0);
        for _ in 0..n {
            let cm = &per_image[rng.below(n as u64) as usize];
            for (s, c) in sum.iter_mut().zip(cm.counts()) {
                *s += c;
            }
        }
        let cm = ConfusionMatrix::from_counts(k, sum.clone())?;
        match SegmentationMetrics::from_confusion(&cm, excluded_classes) {
            Ok(m) => scores.push(m.miou),
            // A resample made only of fully ignored images has nothing to score.
            Err(MetricsError::Empty) => {}
            Err(e) => return Err(e),
        }
    }
    if scores.is_empty() {
        return Ok(None);
    }
    scores.sort_by(f64::total_cmp);
    Ok(Some(Interval {
        low: percentile(&scores, 0.025),
        high: percentile(&scores, 0.975),
    }))
}

/// Linear interpolation between closest ranks (numpy's default).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cm(counts: [u64; 4]) -> ConfusionMatrix {
        ConfusionMatrix::from_counts(2, counts.to_vec()).unwrap()
    }

    #[test]
    fn identical_images_give_a_point_interval() {
        let images = vec![cm([50, 10, 5, 35]); 12];
        let iv = bootstrap_miou(&images, &[], 200, 1).unwrap().unwrap();
        let whole = SegmentationMetrics::from_confusion(&images[0], &[])
            .unwrap()
            .miou;
        assert!((iv.low - whole).abs() < 1e-12 && (iv.high - whole).abs() < 1e-12);
    }

    #[test]
    fn interval_brackets_the_pooled_score_and_widens_with_disagreement() {
        let mut images = Vec::new();
        for i in 0..20u64 {
            // half the scenes easy, half hard
            images.push(if i % 2 == 0 {
                cm([90, 1, 1, 8])
            } else {
                cm([40, 30, 20, 10])
            });
        }
        let mut total = vec![0u64; 4];
        for c in &images {
            for (t, v) in total.iter_mut().zip(c.counts()) {
                *t += v;
            }
        }
        let pooled = SegmentationMetrics::from_confusion(
            &ConfusionMatrix::from_counts(2, total).unwrap(),
            &[],
        )
        .unwrap()
        .miou;
        let iv = bootstrap_miou(&images, &[], 1000, 7).unwrap().unwrap();
        assert!(iv.low < pooled && pooled < iv.high, "{iv:?} vs {pooled}");
        assert!(iv.high - iv.low > 0.01, "{iv:?}");
        assert_eq!(
            bootstrap_miou(&images, &[], 1000, 7).unwrap(),
            Some(iv),
            "deterministic for a seed"
        );
    }

    #[test]
    fn too_few_images_give_none() {
        assert_eq!(
            bootstrap_miou(&[cm([1, 0, 0, 1])], &[], 100, 0).unwrap(),
            None
        );
        assert_eq!(bootstrap_miou(&[], &[], 100, 0).unwrap(), None);
    }

    #[test]
    fn percentile_matches_numpy_linear() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&v, 1.0), 4.0);
        assert!((percentile(&v, 0.025) - 1.075).abs() < 1e-12);
    }
}
