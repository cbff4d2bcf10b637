use super::{PreprocessError, Step};
use crate::rng::SplitMix64;
use crate::sample::Sample;

/// Random horizontal / vertical flips of images and target together. Off in the Pangaea
/// protocol (probabilities 0 in `seg_default`); available as an augmentation.
pub struct FlipStep {
    /// Probability of a left-right flip.
    pub horizontal: f64,
    /// Probability of an up-down flip.
    pub vertical: f64,
}

impl Step for FlipStep {
    fn name(&self) -> &'static str {
        "flip"
    }

    fn is_augmentation(&self) -> bool {
        true
    }

    fn flip_probabilities(&self) -> Option<(f64, f64)> {
        Some((self.horizontal, self.vertical))
    }

    fn apply(&self, sample: &mut Sample, rng: &mut SplitMix64) -> Result<(), PreprocessError> {
        // Draw both decisions unconditionally so the stream does not depend on the settings.
        let h = rng.next_f64() < self.horizontal;
        let v = rng.next_f64() < self.vertical;
        for m in &mut sample.modalities {
            let (height, width) = (m.height, m.width);
            for plane in m.data.chunks_mut(height * width) {
                flip_plane(plane, height, width, h, v);
            }
        }
        if let Some(t) = &mut sample.target {
            let (height, width) = (t.height, t.width);
            flip_plane(&mut t.data, height, width, h, v);
        }
        Ok(())
    }
}

fn flip_plane<T>(plane: &mut [T], height: usize, width: usize, horizontal: bool, vertical: bool) {
    if horizontal {
        for row in plane.chunks_mut(width) {
            row.reverse();
        }
    }
    if vertical {
        for y in 0..height / 2 {
            let (a, b) = plane.split_at_mut((height - 1 - y) * width);
            a[y * width..(y + 1) * width].swap_with_slice(&mut b[..width]);
        }
    }
}
