//! Progress for humans: indicatif bars on a terminal, plain lines otherwise; every log line
//! also goes to the run's `train.log`.

use std::fs::File;
use std::io::{IsTerminal, Write};

use eobench_core::engine::ProgressSink;
use indicatif::{ProgressBar, ProgressStyle};

/// Bars on a terminal, plain lines elsewhere, plus a log file.
pub struct CliProgress {
    bar: Option<ProgressBar>,
    terminal: bool,
    log: Option<File>,
    phase: String,
    done: usize,
    total: usize,
    last_loss: Option<f32>,
}

impl CliProgress {
    /// Progress to stderr, log lines also appended to `log`.
    pub fn new(log: Option<File>) -> Self {
        Self {
            bar: None,
            terminal: std::io::stderr().is_terminal(),
            log,
            phase: String::new(),
            done: 0,
            total: 0,
            last_loss: None,
        }
    }

    /// Writes a line to the log file only.
    pub fn log_only(&mut self, line: &str) {
        if let Some(f) = &mut self.log {
            let _ = writeln!(f, "{line}");
        }
    }
}

impl ProgressSink for CliProgress {
    fn start(&mut self, phase: &str, total: usize) {
        self.phase = phase.to_string();
        self.done = 0;
        self.total = total;
        self.last_loss = None;
        if self.terminal {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{prefix:>20} [{bar:30}] {pos}/{len} {msg} eta {eta}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_prefix(phase.to_string());
            self.bar = Some(bar);
        }
    }

    fn advance(&mut self, loss: Option<f32>) {
        self.done += 1;
        self.last_loss = loss.or(self.last_loss);
        if let Some(bar) = &self.bar {
            if let Some(l) = loss {
                bar.set_message(format!("loss {l:.4}"));
            }
            bar.inc(1);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        } else if !self.terminal {
            let loss = self
                .last_loss
                .map(|l| format!(", last loss {l:.4}"))
                .unwrap_or_default();
            eprintln!("{}: {}/{} done{loss}", self.phase, self.done, self.total);
        }
    }

    fn log(&mut self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
        self.log_only(line);
    }
}

/// Download display for release weights: an indicatif byte bar on a terminal, core's plain
/// progress lines elsewhere (log files stay readable).
pub struct DownloadBar {
    bar: Option<ProgressBar>,
}

impl DownloadBar {
    /// For [`eobench_core::weights::set_download_progress`].
    pub fn boxed() -> Box<dyn eobench_core::weights::DownloadProgress> {
        if std::io::stderr().is_terminal() {
            Box::new(Self { bar: None })
        } else {
            Box::new(eobench_core::weights::StderrProgress::default())
        }
    }
}

impl eobench_core::weights::DownloadProgress for DownloadBar {
    fn start(&mut self, url: &str, total: Option<u64>, resumed_from: u64) {
        let bar = match total {
            Some(t) => ProgressBar::new(t),
            None => ProgressBar::no_length(),
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let name = url.rsplit('/').next().unwrap_or(url);
        bar.set_message(format!("downloading {name}"));
        bar.set_position(resumed_from);
        self.bar = Some(bar);
    }

    fn advance(&mut self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn warn(&mut self, message: &str) {
        match &self.bar {
            Some(bar) => bar.println(format!("warning: {message}")),
            None => eprintln!("warning: {message}"),
        }
    }
}
