//! Runs the cells one after another, each as its own `eobench run --once` process: a crash,
//! an out-of-memory kill or burn's process-global seed in one cell cannot touch the next, and
//! an interrupted sweep loses at most the cell in flight (which left no row).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::Context;

use super::check::PlannedCell;

/// How one cell ended.
#[derive(Clone, Debug, PartialEq)]
pub enum CellStatus {
    /// A leaderboard row with this config hash already existed.
    Skipped,
    /// Ran and appended its row.
    Done,
    /// The run failed; the error line it printed.
    Failed(String),
}

impl CellStatus {
    fn word(&self) -> &'static str {
        match self {
            CellStatus::Skipped => "skipped",
            CellStatus::Done => "done",
            CellStatus::Failed(_) => "failed",
        }
    }
}

/// Appends one line per finished cell to `<output_dir>/sweeps/<id>.csv`, flushed each time,
/// so an interrupted sweep still says what it did.
pub struct Journal {
    path: PathBuf,
    writer: csv::Writer<std::fs::File>,
}

impl Journal {
    /// Creates the journal with its header.
    pub fn create(path: PathBuf) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot create the sweep journal {}", path.display()))?;
        let mut writer = csv::Writer::from_writer(file);
        writer.write_record([
            "cell",
            "label",
            "config_hash",
            "status",
            "wall_time_s",
            "error",
        ])?;
        writer.flush()?;
        Ok(Self { path, writer })
    }

    /// Where it is written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records a cell skipped because the leaderboard already has it.
    pub fn skipped(&mut self, index: usize, cell: &PlannedCell) {
        self.record(index, cell, &CellStatus::Skipped, 0.0);
    }

    fn record(&mut self, index: usize, cell: &PlannedCell, status: &CellStatus, wall: f64) {
        let error = match status {
            CellStatus::Failed(e) => e.as_str(),
            _ => "",
        };
        let written = self
            .writer
            .write_record([
                &(index + 1).to_string(),
                &cell.cell.label,
                &cell.config_hash,
                status.word(),
                &format!("{wall:.1}"),
                error,
            ])
            .and_then(|_| self.writer.flush().map_err(Into::into));
        if let Err(e) = written {
            eprintln!("warning: cannot write {}: {e}", self.path.display());
        }
    }
}

/// Runs one cell as a child process and records it.
pub fn run_cell(
    exe: &Path,
    configs: &Path,
    index: usize,
    total: usize,
    cell: &PlannedCell,
    journal: &mut Journal,
) -> CellStatus {
    eprintln!("[{}/{total}] {}", index + 1, cell.cell.label);
    let started = Instant::now();
    let status = spawn(exe, configs, cell);
    if let CellStatus::Failed(e) = &status {
        eprintln!("[{}/{total}] FAILED: {e} — the sweep goes on", index + 1);
    }
    journal.record(index, cell, &status, started.elapsed().as_secs_f64());
    status
}

fn spawn(exe: &Path, configs: &Path, cell: &PlannedCell) -> CellStatus {
    let child = Command::new(exe)
        .args(crate::cli::plugin::child_args())
        .arg("--configs")
        .arg(configs)
        .arg("run")
        .arg("--once")
        .args(&cell.cell.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return CellStatus::Failed(format!("cannot start {}: {e}", exe.display())),
    };
    // Forward the child's output as it comes and keep its error line and "already done" note.
    let stderr = child.stderr.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    let err_thread = std::thread::spawn(move || {
        let mut last_error = None;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("{line}");
            if let Some(e) = line.strip_prefix("error: ") {
                last_error = Some(e.to_string());
            }
        }
        last_error
    });
    let mut already_done = false;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        already_done |= line.starts_with("already done");
        println!("{line}");
        let _ = std::io::stdout().flush();
    }
    let exit = child.wait();
    let last_error = err_thread.join().ok().flatten();
    match exit {
        Ok(s) if s.success() && already_done => CellStatus::Skipped,
        Ok(s) if s.success() => CellStatus::Done,
        Ok(s) => {
            CellStatus::Failed(last_error.unwrap_or_else(|| format!("eobench run exited with {s}")))
        }
        Err(e) => CellStatus::Failed(format!("waiting for the run failed: {e}")),
    }
}
