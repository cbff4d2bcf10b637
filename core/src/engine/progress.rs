/// Where the engine reports progress; the CLI draws bars, tests stay silent. Keeping this a
/// trait keeps terminal code out of the engine.
pub trait ProgressSink {
    /// A phase with `total` steps starts (e.g. "epoch 3/16 train", 120 batches).
    fn start(&mut self, phase: &str, total: usize);
    /// One step done, with the training loss when there is one.
    fn advance(&mut self, loss: Option<f32>);
    /// The phase ended.
    fn finish(&mut self);
    /// A log line (also written to the run's log file by the CLI).
    fn log(&mut self, line: &str);
}

/// Discards everything.
pub struct SilentProgress;

impl ProgressSink for SilentProgress {
    fn start(&mut self, _phase: &str, _total: usize) {}
    fn advance(&mut self, _loss: Option<f32>) {}
    fn finish(&mut self) {}
    fn log(&mut self, _line: &str) {}
}
