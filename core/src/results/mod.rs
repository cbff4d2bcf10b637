//! Run records and the leaderboard: the files a finished run leaves behind.
//!
//! Each run writes `metrics.json` (a [`RunRecord`]) in its run directory and appends one
//! [`LeaderboardRow`] to a shared CSV. The CSV is appended under a file lock with one write per
//! row, so parallel runs and killed runs never corrupt it, and its header is checked so rows of
//! two schemas never end up in one file.

mod error;
mod json;
mod leaderboard;
mod markdown;
mod protocol_table;
mod record;
mod row;
mod run_id;
mod time;

pub use error::ResultsError;
pub use json::{read_json, write_json_atomic};
pub use leaderboard::{AppendOutcome, append_row, append_row_once, read_rows};
pub use markdown::render_markdown;
pub use protocol_table::{ProtocolCell, ProtocolTable, protocol_tables, render_protocol_tables};
pub use record::{EpochRecord, RunRecord};
pub use row::{IouPerClass, LeaderboardRow, ResumeKey, RunStatus};
pub use run_id::new_run_id;
pub use time::UtcDateTime;

#[cfg(test)]
mod tests;
