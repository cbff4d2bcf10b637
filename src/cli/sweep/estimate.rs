//! Time estimates for `--dry-run`, from what the leaderboard says earlier runs took.

use eobench_core::results::{LeaderboardRow, RunStatus};

use super::check::PlannedCell;

/// Median wall time of earlier `ok` runs of the same encoder, decoder, dataset and protocol,
/// scaled to this cell's epochs; falls back to the same encoder/decoder/dataset under any
/// protocol. `None` when nothing comparable ran yet.
pub fn estimate_seconds(cell: &PlannedCell, rows: &[LeaderboardRow]) -> Option<f64> {
    let same = |r: &&LeaderboardRow| {
        r.status == RunStatus::Ok
            && r.encoder == cell.encoder
            && r.decoder == cell.decoder
            && r.dataset == cell.dataset
            && r.epochs > 0
    };
    let scaled = |r: &&LeaderboardRow| r.wall_time_s * cell.epochs as f64 / r.epochs as f64;
    let exact: Vec<f64> = rows
        .iter()
        .filter(same)
        .filter(|r| r.protocol == cell.protocol)
        .map(|r| scaled(&r))
        .collect();
    let pool = if exact.is_empty() {
        rows.iter().filter(same).map(|r| scaled(&r)).collect()
    } else {
        exact
    };
    median(pool)
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// `1 h 05 min`, `12 min`, `40 s`.
pub fn human_duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", (s + 30) / 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600 + 30) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_durations() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(human_duration(40.2), "40 s");
        assert_eq!(human_duration(725.0), "12 min");
        assert_eq!(human_duration(3900.0), "1 h 05 min");
    }
}
