//! Appending to and reading the shared leaderboard CSV.
//!
//! Safety argument for [`append_row`]: an exclusive lock on `<csv>.lock` serialises writers
//! (processes and threads alike); each row is encoded in memory and written with one
//! `write_all` in append mode and then `sync_data`, so a killed run leaves either the whole
//! line or nothing. The header and the trailing newline are checked before every append.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::{LeaderboardRow, ResultsError, RunStatus};

/// Appends one row, writing the header first if the file is new or empty.
pub fn append_row(csv_path: &Path, row: &LeaderboardRow) -> Result<(), ResultsError> {
    append(csv_path, row, false).map(|_| ())
}

/// What [`append_row_once`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendOutcome {
    /// The row was written.
    Appended,
    /// An `ok` row with the same config hash was already there (its run id); nothing written.
    AlreadyDone(String),
}

/// Appends `row` unless an `ok` row with the same `config_hash` exists, checked under the same
/// lock as the write: two sweeps (or a sweep and an orphaned run of a killed one) finishing the
/// same cell leave exactly one row.
pub fn append_row_once(
    csv_path: &Path,
    row: &LeaderboardRow,
) -> Result<AppendOutcome, ResultsError> {
    append(csv_path, row, true)
}

fn append(
    csv_path: &Path,
    row: &LeaderboardRow,
    once: bool,
) -> Result<AppendOutcome, ResultsError> {
    if let Some(parent) = csv_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(ResultsError::io("create directory", parent))?;
    }
    let lock_path = lock_path(csv_path);
    let lock =
        open_lock_file(&lock_path).map_err(ResultsError::io("open lock file", &lock_path))?;
    lock.lock().map_err(ResultsError::io("lock", &lock_path))?;

    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(csv_path)
        .map_err(ResultsError::io("open", csv_path))?;
    let len = file
        .metadata()
        .map_err(ResultsError::io("inspect", csv_path))?
        .len();

    let mut line = Vec::new();
    if len == 0 {
        line.extend(encode(csv_path, |w| {
            w.write_record(LeaderboardRow::COLUMNS)
        })?);
    } else {
        check_header(csv_path, &mut file)?;
        check_trailing_newline(csv_path, &mut file, len)?;
        if once
            && let Some(done) = read_unlocked(csv_path)?
                .into_iter()
                .find(|r| r.status == RunStatus::Ok && r.config_hash == row.config_hash)
        {
            return Ok(AppendOutcome::AlreadyDone(done.run_id));
        }
    }
    line.extend(encode(csv_path, |w| w.serialize(row))?);

    file.write_all(&line)
        .map_err(ResultsError::io("append to", csv_path))?;
    file.sync_data()
        .map_err(ResultsError::io("sync", csv_path))?;
    // The lock is released when `lock` is dropped, after the data is on disk.
    drop(lock);
    Ok(AppendOutcome::Appended)
}

/// Reads every row, checking the header first; errors name the file and the line.
pub fn read_rows(csv_path: &Path) -> Result<Vec<LeaderboardRow>, ResultsError> {
    // A shared lock keeps us from reading a row that is being appended. If the lock file
    // cannot be created (read-only directory), nobody can be appending there either.
    let lock_path = lock_path(csv_path);
    let lock = open_lock_file(&lock_path).ok();
    if let Some(lock) = &lock {
        lock.lock_shared()
            .map_err(ResultsError::io("lock", &lock_path))?;
    }
    read_unlocked(csv_path)
}

/// [`read_rows`] for a caller that already holds the lock (a second lock on another handle
/// of the same file would wait for ourselves).
fn read_unlocked(csv_path: &Path) -> Result<Vec<LeaderboardRow>, ResultsError> {
    let file = File::open(csv_path).map_err(ResultsError::io("open", csv_path))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(BufReader::new(file));
    let headers = reader
        .headers()
        .map_err(|source| parse_error(csv_path, 1, source))?
        .clone();
    compare_header(csv_path, headers.iter())?;

    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                let row = record
                    .deserialize(Some(&headers))
                    .map_err(|source| parse_error(csv_path, line, source))?;
                rows.push(row);
            }
            Err(source) => return Err(parse_error(csv_path, line, source)),
        }
    }
    Ok(rows)
}

fn lock_path(csv_path: &Path) -> PathBuf {
    let mut name = OsString::from(csv_path.as_os_str());
    name.push(".lock");
    PathBuf::from(name)
}

fn parse_error(path: &Path, line: u64, source: csv::Error) -> ResultsError {
    ResultsError::Parse {
        path: path.to_path_buf(),
        line,
        source,
    }
}

/// Encodes records into one in-memory buffer with `\n` line endings.
fn encode(
    path: &Path,
    write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>,
) -> Result<Vec<u8>, ResultsError> {
    let encode_err = |source| ResultsError::Encode {
        path: path.to_path_buf(),
        source,
    };
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    write(&mut writer).map_err(encode_err)?;
    writer
        .into_inner()
        .map_err(|e| encode_err(csv::Error::from(e.into_error())))
}

fn check_header(path: &Path, file: &mut File) -> Result<(), ResultsError> {
    file.seek(SeekFrom::Start(0))
        .map_err(ResultsError::io("read", path))?;
    let mut first = Vec::new();
    BufReader::new(&mut *file)
        .read_until(b'\n', &mut first)
        .map_err(ResultsError::io("read", path))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(first.as_slice());
    let mut header = csv::StringRecord::new();
    reader
        .read_record(&mut header)
        .map_err(|source| parse_error(path, 1, source))?;
    compare_header(path, header.iter())
}

fn compare_header<'a>(
    path: &Path,
    found: impl Iterator<Item = &'a str>,
) -> Result<(), ResultsError> {
    let found: Vec<&str> = found.collect();
    let expected = &LeaderboardRow::COLUMNS;
    if found == expected {
        return Ok(());
    }
    let missing = expected
        .iter()
        .filter(|c| !found.contains(c))
        .map(|c| c.to_string())
        .collect::<Vec<_>>();
    let unexpected = found
        .iter()
        .filter(|c| !expected.contains(c))
        .map(|c| c.to_string())
        .collect::<Vec<_>>();
    Err(ResultsError::SchemaMismatch {
        path: path.to_path_buf(),
        reordered: missing.is_empty() && unexpected.is_empty(),
        missing,
        unexpected,
    })
}

fn check_trailing_newline(path: &Path, file: &mut File, len: u64) -> Result<(), ResultsError> {
    let mut last = [0u8; 1];
    file.seek(SeekFrom::Start(len - 1))
        .and_then(|_| file.read_exact(&mut last))
        .map_err(ResultsError::io("read", path))?;
    if last[0] == b'\n' {
        Ok(())
    } else {
        Err(ResultsError::NoTrailingNewline {
            path: path.to_path_buf(),
        })
    }
}

/// The sidecar lock file, created if needed and never truncated (others may hold it).
fn open_lock_file(path: &Path) -> std::io::Result<fs::File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
}
