/// torch's `MultiStepLR` stepped per iteration, as Pangaea uses it: milestones at
/// `int(f · total_iters)` for each fraction f, the rate multiplied by `gamma` at each.
#[derive(Clone, Debug)]
pub struct MultiStepLr {
    base: f64,
    milestones: Vec<usize>,
    gamma: f64,
}

impl MultiStepLr {
    /// Milestones given as fractions of `total_iters`.
    pub fn new(base: f64, fractions: &[f64], gamma: f64, total_iters: usize) -> Self {
        let milestones = fractions
            .iter()
            .map(|f| (f * total_iters as f64) as usize)
            .collect();
        Self {
            base,
            milestones,
            gamma,
        }
    }

    /// Learning rate used for iteration `iter` (0-based).
    pub fn lr(&self, iter: usize) -> f64 {
        let passed = self.milestones.iter().filter(|m| **m <= iter).count();
        self.base * self.gamma.powi(passed as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decays_at_sixty_and_ninety_percent() {
        let s = MultiStepLr::new(1e-4, &[0.6, 0.9], 0.1, 100);
        assert_eq!(s.lr(0), 1e-4);
        assert_eq!(s.lr(59), 1e-4);
        assert!((s.lr(60) - 1e-5).abs() < 1e-18);
        assert!((s.lr(89) - 1e-5).abs() < 1e-18);
        assert!((s.lr(90) - 1e-6).abs() < 1e-18);
    }
}
