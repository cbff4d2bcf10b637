use std::path::Path;

use anyhow::{Context, anyhow};
use eobench_core::results::{read_rows, render_markdown, render_protocol_tables};

use super::Failure;

/// `eobench leaderboard`: renders `<results>/leaderboard.md` from the CSV and prints it.
pub fn leaderboard(results: &Path) -> Result<(), Failure> {
    let csv = results.join("leaderboard.csv");
    if !csv.is_file() {
        return Err(Failure::usage(anyhow!(
            "{} does not exist yet: run `eobench run` first (or pass --results DIR)",
            csv.display()
        )));
    }
    let rows = read_rows(&csv).map_err(Failure::run)?;
    // Every model with its cost columns, then the experiment's encoder × decoder × protocol view.
    let md = format!(
        "{}\n# By protocol\n\n{}",
        render_markdown(&rows),
        render_protocol_tables(&rows)
    );
    let out = results.join("leaderboard.md");
    std::fs::write(&out, &md)
        .with_context(|| format!("cannot write {}", out.display()))
        .map_err(Failure::run)?;
    println!("{md}");
    eprintln!("wrote {}", out.display());
    Ok(())
}
