/// Window offsets along one axis of length `len` for windows of `window` pixels.
/// With no stride: `ceil(len / window)` windows spread evenly from 0 to `len − window`
/// (numpy `linspace(...).round()`, Pangaea's placement: 512/224 → 0, 144, 288). With a stride:
/// 0, s, 2s, ... and a last window flush with the edge. Shorter axes get one padded window.
pub fn window_offsets(len: usize, window: usize, stride: Option<usize>) -> Vec<usize> {
    if len <= window {
        return vec![0];
    }
    let last = len - window;
    match stride {
        Some(s) => {
            let mut v: Vec<usize> = (0..=last).step_by(s.max(1)).collect();
            if *v.last().expect("non-empty") != last {
                v.push(last);
            }
            v
        }
        None => {
            let n = len.div_ceil(window);
            (0..n)
                .map(|i| round_half_even(i as f64 * last as f64 / (n - 1) as f64))
                .collect()
        }
    }
}

/// numpy rounds halves to even; matching it keeps window placement identical to Pangaea's.
fn round_half_even(x: f64) -> usize {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 && r as i64 % 2 != 0 {
        (r - 1.0) as usize
    } else {
        r as usize
    }
}

/// Accumulates overlapping window logits over a scene and averages them.
pub struct SlidingWindow {
    classes: usize,
    height: usize,
    width: usize,
    sum: Vec<f32>,
    count: Vec<u32>,
}

impl SlidingWindow {
    /// For a scene of `height`×`width` and `classes` logit channels.
    pub fn new(classes: usize, height: usize, width: usize) -> Self {
        Self {
            classes,
            height,
            width,
            sum: vec![0.0; classes * height * width],
            count: vec![0; height * width],
        }
    }

    /// Adds one window's logits (K, wh, ww) placed at (top, left); parts outside the scene
    /// (padding of small scenes) are discarded.
    pub fn add(&mut self, logits: &[f32], top: usize, left: usize, wh: usize, ww: usize) {
        let h = wh.min(self.height.saturating_sub(top));
        let w = ww.min(self.width.saturating_sub(left));
        for k in 0..self.classes {
            for y in 0..h {
                let src = &logits[(k * wh + y) * ww..][..w];
                let dst = &mut self.sum[(k * self.height + top + y) * self.width + left..][..w];
                for (d, s) in dst.iter_mut().zip(src) {
                    *d += *s;
                }
            }
        }
        for y in 0..h {
            for c in &mut self.count[(top + y) * self.width + left..][..w] {
                *c += 1;
            }
        }
    }

    /// Arg-max class per pixel of the averaged logits (averaging does not change the arg-max,
    /// so the division is skipped; uncovered pixels cannot occur with [`window_offsets`]).
    pub fn predictions(&self) -> Vec<i64> {
        let n = self.height * self.width;
        (0..n)
            .map(|p| {
                let mut best = 0;
                let mut best_v = f32::NEG_INFINITY;
                for k in 0..self.classes {
                    let v = self.sum[k * n + p];
                    if v > best_v {
                        best_v = v;
                        best = k;
                    }
                }
                best as i64
            })
            .collect()
    }

    /// Averaged logits (K, H, W), e.g. for saving probability maps.
    pub fn averaged(&self) -> Vec<f32> {
        let n = self.height * self.width;
        let mut out = self.sum.clone();
        for k in 0..self.classes {
            for p in 0..n {
                out[k * n + p] /= self.count[p].max(1) as f32;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_match_pangaea_linspace() {
        assert_eq!(window_offsets(512, 224, None), vec![0, 144, 288]);
        assert_eq!(window_offsets(224, 224, None), vec![0]);
        assert_eq!(window_offsets(100, 224, None), vec![0]);
        assert_eq!(window_offsets(64, 32, None), vec![0, 32]);
        assert_eq!(window_offsets(70, 32, Some(16)), vec![0, 16, 32, 38]);
    }

    #[test]
    fn overlapping_windows_are_averaged_and_padding_discarded() {
        let mut sw = SlidingWindow::new(2, 1, 3);
        // window 1 covers x 0..2 and favours class 0; window 2 covers x 1..3 and favours class 1 strongly.
        sw.add(&[1.0, 1.0, 0.0, 0.0], 0, 0, 1, 2);
        sw.add(&[0.0, 0.0, 3.0, 3.0], 0, 1, 1, 2);
        assert_eq!(sw.predictions(), vec![0, 1, 1]);
        let avg = sw.averaged();
        assert_eq!(avg, vec![1.0, 0.5, 0.0, 0.0, 1.5, 3.0]);
        let mut small = SlidingWindow::new(1, 1, 1);
        small.add(&[5.0, 6.0, 7.0, 8.0], 0, 0, 2, 2);
        assert_eq!(small.averaged(), vec![5.0]);
    }
}
