//! `eobench sweep`: a grid of runs, checked before anything trains, resumable (cells whose
//! config hash already has an `ok` leaderboard row are skipped), failures recorded and passed.

mod check;
mod estimate;
mod execute;
mod grid;

use std::collections::HashSet;
use std::path::Path;

use anyhow::anyhow;
use eobench_core::config::compose_with;
use eobench_core::results::{LeaderboardRow, RunStatus, UtcDateTime, read_rows};

use super::plugin::{extra_choices, load_registry};
use super::{Failure, configs_dir};
use check::check_cells;
use estimate::{estimate_seconds, human_duration};
use execute::{CellStatus, Journal, run_cell};
use grid::parse_grid;

/// Runs (or with `dry_run` prints) the grid the arguments describe.
pub fn sweep(configs: Option<&Path>, args: &[String], dry_run: bool) -> Result<(), Failure> {
    let dir = configs_dir::locate(configs)?;
    let grid = parse_grid(args).map_err(Failure::usage)?;
    // The seed the fixed arguments resolve to is where `seeds=N` starts counting.
    let registry = load_registry(Some(&dir))?;
    let extra = extra_choices(&registry);
    let base = compose_with(&dir, &grid.fixed, &extra).map_err(Failure::usage)?;
    let base_seed: u64 = base.section("seed").map_err(Failure::usage)?;
    eprintln!(
        "sweep: {} cell(s); checking every configuration before training…",
        grid.len()
    );
    let cells = grid.cells(base_seed);
    let planned = check_cells(&dir, cells, &registry, &extra)?;

    let mut rows: Vec<LeaderboardRow> = Vec::new();
    let mut seen_csv = HashSet::new();
    for p in &planned {
        let csv = p.output_dir.join("leaderboard.csv");
        if csv.is_file() && seen_csv.insert(csv.clone()) {
            rows.extend(read_rows(&csv).map_err(Failure::run)?);
        }
    }
    let done: HashSet<&str> = rows
        .iter()
        .filter(|r| r.status == RunStatus::Ok)
        .map(|r| r.config_hash.as_str())
        .collect();

    if dry_run {
        print_plan(&planned, &rows, &done);
        return Ok(());
    }

    let exe = std::env::current_exe()
        .map_err(|e| Failure::run(anyhow!("cannot locate the eobench executable: {e}")))?;
    let stamp = UtcDateTime::from_system_time(std::time::SystemTime::now())
        .rfc3339()
        .replace(':', "");
    let journal_path = planned[0]
        .output_dir
        .join("sweeps")
        .join(format!("sweep-{stamp}-{}.csv", std::process::id()));
    let mut journal = Journal::create(journal_path).map_err(Failure::run)?;
    let total = planned.len();
    let (mut ran, mut skipped, mut failed) = (0, 0, Vec::new());
    for (i, cell) in planned.iter().enumerate() {
        if done.contains(cell.config_hash.as_str()) {
            eprintln!(
                "[{}/{total}] {} — done before, skipped",
                i + 1,
                cell.cell.label
            );
            journal.skipped(i, cell);
            skipped += 1;
            continue;
        }
        match run_cell(&exe, &dir, i, total, cell, &mut journal) {
            CellStatus::Done => ran += 1,
            CellStatus::Skipped => skipped += 1,
            CellStatus::Failed(e) => failed.push((cell.cell.label.clone(), e)),
        }
    }
    eprintln!(
        "sweep finished: {ran} ran, {skipped} skipped (already in the leaderboard), {} failed; journal {}",
        failed.len(),
        journal.path().display()
    );
    if failed.is_empty() {
        return Ok(());
    }
    for (label, e) in &failed {
        eprintln!("  failed: {label}: {e}");
    }
    Err(Failure::run(anyhow!(
        "{} of {total} sweep cells failed (re-running the same sweep retries only those)",
        failed.len()
    )))
}

fn print_plan(planned: &[check::PlannedCell], rows: &[LeaderboardRow], done: &HashSet<&str>) {
    let mut table = tabled::builder::Builder::default();
    table.push_record(["#", "cell", "status", "estimate"]);
    let (mut known, mut unknown, mut todo) = (0.0, 0, 0);
    for (i, p) in planned.iter().enumerate() {
        let is_done = done.contains(p.config_hash.as_str());
        let estimate = estimate_seconds(p, rows);
        if !is_done {
            todo += 1;
            match estimate {
                Some(s) => known += s,
                None => unknown += 1,
            }
        }
        table.push_record([
            (i + 1).to_string(),
            p.cell.label.clone(),
            if is_done { "done" } else { "to run" }.to_string(),
            estimate.map(human_duration).unwrap_or_else(|| "?".into()),
        ]);
    }
    println!(
        "{}",
        table.build().with(tabled::settings::Style::markdown())
    );
    let unknown_note = if unknown > 0 {
        format!(" + {unknown} cell(s) with no earlier run to estimate from")
    } else {
        String::new()
    };
    println!(
        "{todo} of {} cell(s) to run; estimated {}{unknown_note} (from earlier leaderboard rows, scaled by epochs)",
        planned.len(),
        human_duration(known)
    );
}
