use super::{PreprocessError, Step};
use crate::rng::SplitMix64;
use crate::sample::Sample;

/// A random `size`×`size` window, the same for every modality and the target (Pangaea's
/// RandomCropToEncoder). Scenes smaller than the window are padded: images with NaN (which the
/// `nodata` step then fills), targets with the ignore index, so padding is never scored.
pub struct RandomCropStep {
    /// Window side.
    pub size: usize,
    /// Target padding value.
    pub ignore_index: i64,
}

impl Step for RandomCropStep {
    fn name(&self) -> &'static str {
        "random_crop"
    }

    fn is_augmentation(&self) -> bool {
        true
    }

    fn apply(&self, sample: &mut Sample, rng: &mut SplitMix64) -> Result<(), PreprocessError> {
        let (h, w) = sample.spatial_size();
        let top = if h > self.size {
            rng.below((h - self.size + 1) as u64) as isize
        } else {
            0
        };
        let left = if w > self.size {
            rng.below((w - self.size + 1) as u64) as isize
        } else {
            0
        };
        crop_sample(sample, top, left, self.size, self.size, self.ignore_index);
        Ok(())
    }
}

/// Cuts the window (top, left, height, width) out of every modality and the target, padding
/// outside the scene (images NaN, target `ignore_index`). Also used by sliding-window evaluation.
pub fn crop_sample(
    sample: &mut Sample,
    top: isize,
    left: isize,
    height: usize,
    width: usize,
    ignore_index: i64,
) {
    for m in &mut sample.modalities {
        let (sh, sw) = (m.height as isize, m.width as isize);
        let mut data = vec![f32::NAN; m.frames * m.channels() * height * width];
        for t in 0..m.frames {
            for c in 0..m.channels() {
                let src = m.plane(t, c);
                let dst = &mut data[(t * m.channels() + c) * height * width..][..height * width];
                copy_window(src, sh, sw, dst, top, left, height, width);
            }
        }
        m.data = data;
        m.height = height;
        m.width = width;
    }
    if let Some(target) = &mut sample.target {
        let (sh, sw) = (target.height as isize, target.width as isize);
        let mut data = vec![ignore_index; height * width];
        copy_window(&target.data, sh, sw, &mut data, top, left, height, width);
        target.data = data;
        target.height = height;
        target.width = width;
    }
}

#[allow(clippy::too_many_arguments)]
fn copy_window<T: Copy>(
    src: &[T],
    sh: isize,
    sw: isize,
    dst: &mut [T],
    top: isize,
    left: isize,
    h: usize,
    w: usize,
) {
    for y in 0..h {
        let sy = top + y as isize;
        if sy < 0 || sy >= sh {
            continue;
        }
        let x0 = left.max(0);
        let x1 = (left + w as isize).min(sw);
        if x1 <= x0 {
            continue;
        }
        let s = (sy * sw + x0) as usize;
        let d = y * w + (x0 - left) as usize;
        let n = (x1 - x0) as usize;
        dst[d..d + n].copy_from_slice(&src[s..s + n]);
    }
}
