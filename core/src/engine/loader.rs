use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use super::{EngineError, purpose};
use crate::component::{Dataset, guarded};
use crate::preprocess::Pipeline;
use crate::rng::SplitMix64;
use crate::sample::Sample;

/// Splits a (shuffled or ordered) index list into batches.
pub fn batches_for_epoch(order: &[usize], batch_size: usize, drop_last: bool) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = order.chunks(batch_size).map(|c| c.to_vec()).collect();
    // Keep a short last batch when it is the only one: a tiny dataset must still train.
    if drop_last && out.len() > 1 && out.last().is_some_and(|b| b.len() < batch_size) {
        out.pop();
    }
    out
}

struct Gate {
    state: Mutex<(usize, usize)>, // (next batch to take, batches consumed)
    wake: Condvar,
}

/// Reads and preprocesses batches on worker threads ahead of the training loop and hands them
/// out in order. Each sample's random stream depends only on (seed, epoch, sample index), so the
/// result is identical for any number of workers.
pub struct BatchLoader {
    rx: Receiver<(usize, Result<Vec<Sample>, EngineError>)>,
    pending: BTreeMap<usize, Result<Vec<Sample>, EngineError>>,
    next: usize,
    total: usize,
    gate: Arc<Gate>,
    workers: Vec<JoinHandle<()>>,
}

impl BatchLoader {
    /// Starts `workers` threads (at least one) that keep up to `prefetch` batches ready.
    pub fn start(
        dataset: Arc<dyn Dataset>,
        pipeline: Arc<Pipeline>,
        batches: Vec<Vec<usize>>,
        seed: u64,
        epoch: u64,
        workers: usize,
        prefetch: usize,
    ) -> Self {
        let total = batches.len();
        let batches = Arc::new(batches);
        let gate = Arc::new(Gate {
            state: Mutex::new((0, 0)),
            wake: Condvar::new(),
        });
        let (tx, rx) = sync_channel(prefetch.max(1) + workers.max(1));
        let ahead = prefetch.max(1);
        let handles = (0..workers.max(1))
            .map(|_| {
                let (dataset, pipeline, batches, gate, tx): (_, _, _, _, SyncSender<_>) = (
                    dataset.clone(),
                    pipeline.clone(),
                    batches.clone(),
                    gate.clone(),
                    tx.clone(),
                );
                std::thread::spawn(move || {
                    loop {
                        let index = {
                            let mut s = gate.state.lock().expect("loader gate poisoned");
                            while s.0 < batches.len() && s.0 >= s.1 + ahead {
                                s = gate.wake.wait(s).expect("loader gate poisoned");
                            }
                            if s.0 >= batches.len() {
                                return;
                            }
                            s.0 += 1;
                            s.0 - 1
                        };
                        let result = load_batch(&*dataset, &pipeline, &batches[index], seed, epoch);
                        if tx.send((index, result)).is_err() {
                            return; // the consumer stopped early
                        }
                    }
                })
            })
            .collect();
        Self {
            rx,
            pending: BTreeMap::new(),
            next: 0,
            total,
            gate,
            workers: handles,
        }
    }

    /// Number of batches this epoch.
    pub fn len(&self) -> usize {
        self.total
    }

    /// True when there are no batches.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

fn load_batch(
    dataset: &dyn Dataset,
    pipeline: &Pipeline,
    indices: &[usize],
    seed: u64,
    epoch: u64,
) -> Result<Vec<Sample>, EngineError> {
    let mut out = Vec::with_capacity(indices.len());
    for &i in indices {
        let mut sample = guarded("dataset", || dataset.get(i))?;
        let mut rng = SplitMix64::derive(seed, purpose::PREPROCESS, epoch, i as u64);
        pipeline.apply(&mut sample, &mut rng)?;
        out.push(sample);
    }
    Ok(out)
}

impl Iterator for BatchLoader {
    type Item = Result<Vec<Sample>, EngineError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.total {
            return None;
        }
        while !self.pending.contains_key(&self.next) {
            match self.rx.recv() {
                Ok((i, r)) => {
                    self.pending.insert(i, r);
                }
                Err(_) => {
                    return Some(Err(EngineError::Plan(
                        "data loader threads stopped unexpectedly".into(),
                    )));
                }
            }
        }
        let item = self.pending.remove(&self.next);
        self.next += 1;
        {
            let mut s = self.gate.state.lock().expect("loader gate poisoned");
            s.1 = self.next;
        }
        self.gate.wake.notify_all();
        item
    }
}

impl Drop for BatchLoader {
    fn drop(&mut self) {
        // Let blocked workers see the end, then drain so none is stuck on a full channel.
        {
            let mut s = self.gate.state.lock().expect("loader gate poisoned");
            s.0 = self.total;
        }
        self.gate.wake.notify_all();
        while self.rx.try_recv().is_ok() {}
        for h in self.workers.drain(..) {
            while !h.is_finished() {
                while self.rx.try_recv().is_ok() {}
                std::thread::yield_now();
            }
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_drop_only_a_short_tail() {
        let order: Vec<usize> = (0..10).collect();
        assert_eq!(batches_for_epoch(&order, 4, true).len(), 2);
        assert_eq!(batches_for_epoch(&order, 4, false).len(), 3);
        assert_eq!(batches_for_epoch(&order[..3], 4, true), vec![vec![0, 1, 2]]);
    }
}
