//! `eobench report`: results/report.md with tables and plots.

use std::path::Path;

use anyhow::anyhow;

use super::Failure;

/// Writes `<results>/report.md` (stub until the report module lands).
pub fn report(results: &Path) -> Result<(), Failure> {
    Err(Failure::usage(anyhow!(
        "report for {} is not implemented yet",
        results.display()
    )))
}
