//! Errors raised while writing or reading result files.

use std::path::PathBuf;

use thiserror::Error;

/// Why a result file could not be written or read. Every variant names the file.
#[derive(Debug, Error)]
pub enum ResultsError {
    /// An operating-system call failed.
    #[error("could not {action} `{path}`: {source}")]
    Io {
        /// What was being attempted, e.g. "lock" or "append to".
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The CSV was written by a different eobench schema.
    #[error(
        "`{path}` has a different leaderboard schema than this eobench version writes \
         (missing columns: {missing:?}; unexpected columns: {unexpected:?}{order}); \
         rows of two schemas must not be mixed: move the old file aside (e.g. rename it to \
         `*.old.csv`) or migrate it to the current columns, then rerun",
        order = if *.reordered { "; same columns in a different order" } else { "" }
    )]
    SchemaMismatch {
        /// The CSV file.
        path: PathBuf,
        /// Columns the current schema has but the file lacks.
        missing: Vec<String>,
        /// Columns the file has but the current schema lacks.
        unexpected: Vec<String>,
        /// True when the column sets agree but their order does not.
        reordered: bool,
    },
    /// The CSV's last line is unterminated, so an append would glue two rows together.
    #[error(
        "`{path}` does not end with a newline (probably edited or truncated by another tool); \
         appending would corrupt its last row: repair or remove the last line by hand, then rerun"
    )]
    NoTrailingNewline {
        /// The CSV file.
        path: PathBuf,
    },
    /// A CSV line could not be parsed as a leaderboard row.
    #[error("`{path}` line {line}: {source}; fix or delete that line")]
    Parse {
        /// The CSV file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The parser's error.
        source: csv::Error,
    },
    /// A row could not be encoded (an internal error, e.g. a value csv cannot represent).
    #[error("could not encode a leaderboard row for `{path}`: {source}")]
    Encode {
        /// The CSV file it was meant for.
        path: PathBuf,
        /// The encoder's error.
        source: csv::Error,
    },
    /// A JSON file could not be encoded or decoded.
    #[error("JSON error in `{path}`: {source}")]
    Json {
        /// The JSON file.
        path: PathBuf,
        /// The serde_json error.
        source: serde_json::Error,
    },
}

impl ResultsError {
    /// Shorthand for wrapping an `io::Error` with the file and the attempted action.
    pub(crate) fn io(
        action: &'static str,
        path: &std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}
