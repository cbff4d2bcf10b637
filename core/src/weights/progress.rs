//! Download progress reporting. Core only defines the hook and a plain-text default; the CLI
//! can plug in a real progress bar without core depending on one.

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Makes the progress display [`super::resolve_weights`] uses for downloads.
pub type ProgressFactory = fn() -> Box<dyn DownloadProgress>;

static FACTORY: OnceLock<ProgressFactory> = OnceLock::new();

/// Installs the download display for this process (the CLI installs a progress bar); encoders
/// call [`super::resolve_weights`] without knowing about it. Only the first call counts.
pub fn set_download_progress(factory: ProgressFactory) {
    let _ = FACTORY.set(factory);
}

/// The installed display, else [`StderrProgress`].
pub fn download_progress() -> Box<dyn DownloadProgress> {
    match FACTORY.get() {
        Some(make) => make(),
        None => Box::new(StderrProgress::default()),
    }
}

/// Receives download progress (and warnings, so a progress bar can print them without
/// garbling its own line).
pub trait DownloadProgress {
    /// A transfer of `url` starts; `total` is the full file size when the server says it,
    /// `resumed_from` the bytes already on disk from an earlier, interrupted transfer.
    fn start(&mut self, url: &str, total: Option<u64>, resumed_from: u64);
    /// `bytes` more bytes were written.
    fn advance(&mut self, bytes: u64);
    /// The transfer ended (completed or not).
    fn finish(&mut self);
    /// Something the user should see (unpinned hash, resumed transfer, re-download, ...).
    fn warn(&mut self, message: &str) {
        eprintln!("warning: {message}");
    }
}

/// Default progress: a text line on stderr, rewritten in place on a terminal at most every
/// 0.5 s, or printed as a new line every 5 s when stderr is a log file.
#[derive(Debug)]
pub struct StderrProgress {
    url: String,
    total: Option<u64>,
    done: u64,
    started: Instant,
    last: Option<Instant>,
    tty: bool,
}

impl Default for StderrProgress {
    fn default() -> Self {
        Self {
            url: String::new(),
            total: None,
            done: 0,
            started: Instant::now(),
            last: None,
            tty: std::io::stderr().is_terminal(),
        }
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

impl StderrProgress {
    fn line(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let size = match self.total {
            Some(t) if t > 0 => format!(
                "{:.1} / {:.1} MiB ({:.0}%)",
                mib(self.done),
                mib(t),
                100.0 * self.done as f64 / t as f64
            ),
            _ => format!("{:.1} MiB", mib(self.done)),
        };
        format!(
            "downloading {}: {size}, {:.1} MiB/s",
            self.url,
            mib(self.done) / secs
        )
    }

    fn print(&mut self, force: bool) {
        let every = if self.tty {
            Duration::from_millis(500)
        } else {
            Duration::from_secs(5)
        };
        let now = Instant::now();
        if !force && self.last.is_some_and(|t| now - t < every) {
            return;
        }
        self.last = Some(now);
        let mut err = std::io::stderr().lock();
        let _ = if self.tty {
            write!(err, "\r\x1b[K{}", self.line())
        } else {
            writeln!(err, "{}", self.line())
        };
        let _ = err.flush();
    }
}

impl DownloadProgress for StderrProgress {
    fn start(&mut self, url: &str, total: Option<u64>, resumed_from: u64) {
        self.url = url.to_string();
        self.total = total;
        self.done = resumed_from;
        self.started = Instant::now();
        self.last = None;
        if resumed_from > 0 {
            eprintln!("resuming {url} at {:.1} MiB", mib(resumed_from));
        }
        self.print(true);
    }

    fn advance(&mut self, bytes: u64) {
        self.done += bytes;
        self.print(false);
    }

    fn finish(&mut self) {
        self.print(true);
        if self.tty {
            eprintln!();
        }
    }

    fn warn(&mut self, message: &str) {
        if self.tty && self.last.is_some() {
            eprintln!();
        }
        eprintln!("warning: {message}");
    }
}

/// Reports nothing but warnings (on stderr): for callers that show no progress.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl DownloadProgress for NoProgress {
    fn start(&mut self, _url: &str, _total: Option<u64>, _resumed_from: u64) {}
    fn advance(&mut self, _bytes: u64) {}
    fn finish(&mut self) {}
}
