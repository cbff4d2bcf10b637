//! The parts of numpy's legacy `numpy.random.RandomState` needed to reproduce shuffles.

use super::Mt19937;

/// numpy's legacy `RandomState(seed)` for an integer seed.
///
/// Legacy `RandomState` streams are frozen by numpy's compatibility policy, so reproducing
/// them once keeps other benchmarks' splits reproducible without Python.
#[derive(Debug, Clone)]
pub struct NumpyRandomState {
    mt: Mt19937,
}

impl NumpyRandomState {
    /// Same stream as `numpy.random.RandomState(seed)`.
    pub fn new(seed: u32) -> Self {
        Self {
            mt: Mt19937::new(seed),
        }
    }

    /// The next raw 32-bit output (what `randint(0, 2**32, dtype=uint32)` returns).
    pub fn next_u32(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// Uniform integer in `[0, max]` by masked rejection, numpy's `random_interval` for
    /// `max <= 2^32 - 1`: smear `max` into a bit mask, redraw `next_u32() & mask` until `<= max`.
    pub fn random_interval(&mut self, max: u32) -> u32 {
        if max == 0 {
            return 0;
        }
        let mut mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        loop {
            let value = self.mt.next_u32() & mask;
            if value <= max {
                return value;
            }
        }
    }

    /// Shuffles in place exactly like legacy `RandomState.shuffle` on a 1-d array:
    /// Fisher–Yates from the last index down to 1, swapping with `random_interval(i)`.
    ///
    /// # Panics
    /// If the slice has more than 2^32 elements (numpy switches to 64-bit draws there, which
    /// this port does not reproduce).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        assert!(
            items.len() as u64 <= 1 << 32,
            "NumpyRandomState::shuffle supports at most 2^32 items"
        );
        for i in (1..items.len()).rev() {
            let j = self.random_interval(i as u32) as usize;
            items.swap(i, j);
        }
    }

    /// `RandomState.permutation(n)`: a shuffled `0..n`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut items: Vec<usize> = (0..n).collect();
        self.shuffle(&mut items);
        items
    }
}
