//! `eobench report`: `results/report.md` with the protocol tables, a grouped bar chart of test
//! mIoU per dataset (SVG, with 95 % bootstrap whiskers), training curves per run (SVG) and links
//! to the runs' prediction overlays.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use eobench_core::results::{
    LeaderboardRow, ProtocolTable, RunRecord, RunStatus, UtcDateTime, protocol_tables, read_rows,
    render_protocol_tables,
};
use plotters::prelude::*;

use super::Failure;

/// Colours of protocol bars, in column order.
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Writes `<results>/report.md` and its plots; prints the report's path.
pub fn report(results: &Path) -> Result<(), Failure> {
    let csv = results.join("leaderboard.csv");
    if !csv.is_file() {
        return Err(Failure::usage(anyhow!(
            "{} does not exist yet: run `eobench run` or `eobench sweep` first (or pass --results DIR)",
            csv.display()
        )));
    }
    let rows = read_rows(&csv).map_err(Failure::run)?;
    let out = write_report(results, &rows).map_err(Failure::run)?;
    println!("wrote {}", out.display());
    Ok(())
}

fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The report and its plots; returns the report's path.
pub fn write_report(results: &Path, rows: &[LeaderboardRow]) -> anyhow::Result<PathBuf> {
    let plots = results.join("plots");
    std::fs::create_dir_all(&plots)
        .with_context(|| format!("cannot create {}", plots.display()))?;
    let mut md = format!(
        "# eobench report\n\nGenerated {} from `leaderboard.csv` ({} rows).\n\n",
        UtcDateTime::from_system_time(std::time::SystemTime::now()).rfc3339(),
        rows.len()
    );
    let tables = protocol_tables(rows);
    let rendered = render_protocol_tables(rows);
    // One section per dataset: its table, then its chart.
    let sections: Vec<&str> = rendered.split("## ").filter(|s| !s.is_empty()).collect();
    for (table, text) in tables.iter().zip(sections) {
        md.push_str("## ");
        md.push_str(text);
        let svg = plots.join(format!("miou_{}.svg", file_safe(&table.dataset)));
        miou_bars(table, &svg)?;
        md.push_str(&format!(
            "![test mIoU by protocol, {}](plots/{})\n\n",
            table.dataset,
            svg.file_name().unwrap_or_default().to_string_lossy()
        ));
    }
    md.push_str(&runs_section(results, rows));
    let path = results.join("report.md");
    std::fs::write(&path, md).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// Grouped bars: one group per encoder + decoder, one bar per protocol, whiskers at the mean
/// bootstrap interval.
pub fn miou_bars(table: &ProtocolTable, path: &Path) -> anyhow::Result<()> {
    let groups = table.rows.len().max(1);
    let k = table.protocols.len().max(1);
    let width = (160 + groups * (40 + 22 * k)).max(480) as u32;
    // Group labels are written vertically below the bars: room for the longest.
    let longest = table.rows.iter().map(|r| r.0.len()).max().unwrap_or(0) as u32;
    let root = SVGBackend::new(path, (width, 380 + 7 * longest)).into_drawing_area();
    let draw = |e: &dyn std::fmt::Display| anyhow!("cannot draw {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| draw(&e))?;
    let (plot, labels) = root.split_vertically(360);
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            format!("{}: test mIoU (%) by protocol", table.dataset),
            ("sans-serif", 18),
        )
        .margin(12)
        .y_label_area_size(48)
        .x_label_area_size(8)
        .build_cartesian_2d(0f64..groups as f64, 0f64..100f64)
        .map_err(|e| draw(&e))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc("test mIoU (%)")
        .draw()
        .map_err(|e| draw(&e))?;
    let bar = 0.8 / k as f64;
    for (p, protocol) in table.protocols.iter().enumerate() {
        let color = PALETTE[p % PALETTE.len()];
        let bars: Vec<(f64, f64, f64, Option<(f64, f64)>)> = (0..table.rows.len())
            .filter_map(|g| {
                let c = table.cells.get(&(g, protocol.clone()))?;
                let x0 = g as f64 + 0.1 + p as f64 * bar;
                Some((x0, x0 + bar * 0.9, c.mean, c.ci))
            })
            .collect();
        chart
            .draw_series(
                bars.iter()
                    .map(|&(x0, x1, y, _)| Rectangle::new([(x0, 0.0), (x1, y)], color.filled())),
            )
            .map_err(|e| draw(&e))?
            .label(protocol.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        chart
            .draw_series(bars.iter().filter_map(|&(x0, x1, _, ci)| {
                let (lo, hi) = ci?;
                let x = (x0 + x1) / 2.0;
                Some(PathElement::new(
                    vec![(x, lo), (x, hi)],
                    BLACK.stroke_width(2),
                ))
            }))
            .map_err(|e| draw(&e))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| draw(&e))?;
    for (g, (label, _, _)) in table.rows.iter().enumerate() {
        let (px, _) = chart.backend_coord(&(g as f64 + 0.5, 0.0));
        labels
            .draw(&Text::new(
                label.clone(),
                (px + 6, 6),
                ("sans-serif", 12)
                    .into_font()
                    .transform(FontTransform::Rotate90),
            ))
            .map_err(|e| draw(&e))?;
    }
    root.present().map_err(|e| draw(&e))?;
    Ok(())
}

/// Training loss and validation mIoU per epoch of one run, as two stacked panels.
pub fn curves(record: &RunRecord, path: &Path) -> anyhow::Result<()> {
    let root = SVGBackend::new(path, (640, 480)).into_drawing_area();
    let draw = |e: &dyn std::fmt::Display| anyhow!("cannot draw {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| draw(&e))?;
    let (top, bottom) = root.split_vertically(240);
    let epochs = record
        .history
        .iter()
        .map(|e| e.epoch)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let loss: Vec<(f64, f64)> = record
        .history
        .iter()
        .filter_map(|e| Some((e.epoch as f64, e.train_loss?)))
        .collect();
    let miou: Vec<(f64, f64)> = record
        .history
        .iter()
        .filter_map(|e| Some((e.epoch as f64, e.val_miou? * 100.0)))
        .collect();
    let max_loss = loss.iter().map(|p| p.1).fold(0.0f64, f64::max).max(1e-6) * 1.1;
    let mut c1 = ChartBuilder::on(&top)
        .caption(
            format!("{} — training loss", record.row.run_id),
            ("sans-serif", 14),
        )
        .margin(8)
        .x_label_area_size(24)
        .y_label_area_size(48)
        .build_cartesian_2d(0f64..epochs, 0f64..max_loss)
        .map_err(|e| draw(&e))?;
    c1.configure_mesh()
        .x_desc("epoch")
        .draw()
        .map_err(|e| draw(&e))?;
    c1.draw_series(LineSeries::new(loss, PALETTE[0].stroke_width(2)))
        .map_err(|e| draw(&e))?;
    let mut c2 = ChartBuilder::on(&bottom)
        .caption("validation mIoU (%)", ("sans-serif", 14))
        .margin(8)
        .x_label_area_size(24)
        .y_label_area_size(48)
        .build_cartesian_2d(0f64..epochs, 0f64..100f64)
        .map_err(|e| draw(&e))?;
    c2.configure_mesh()
        .x_desc("epoch")
        .draw()
        .map_err(|e| draw(&e))?;
    c2.draw_series(LineSeries::new(miou.clone(), PALETTE[1].stroke_width(2)))
        .map_err(|e| draw(&e))?;
    c2.draw_series(
        miou.into_iter()
            .map(|p| Circle::new(p, 3, PALETTE[1].filled())),
    )
    .map_err(|e| draw(&e))?;
    root.present().map_err(|e| draw(&e))?;
    Ok(())
}

/// Per dataset, the runs sorted by test mIoU with links to their curves and overlays; curves
/// are (re)drawn here. A run whose metrics.json cannot be read is listed with a warning.
fn runs_section(results: &Path, rows: &[LeaderboardRow]) -> String {
    let mut ok: Vec<&LeaderboardRow> = rows
        .iter()
        .filter(|r| r.status == RunStatus::Ok && r.miou.is_some())
        .collect();
    ok.sort_by(|a, b| {
        a.dataset
            .cmp(&b.dataset)
            .then(b.miou.unwrap_or(0.0).total_cmp(&a.miou.unwrap_or(0.0)))
    });
    let mut md = String::from(
        "## Runs\n\nBest first per dataset: curves (loss, validation mIoU) and test overlays (RGB | truth | prediction).\n\n",
    );
    for r in ok {
        let dir = results.join("runs").join(&r.run_id);
        let curves_link = match RunRecord::read(&dir.join("metrics.json")) {
            Ok(record) => match curves(&record, &dir.join("curves.svg")) {
                Ok(()) => format!("[curves](runs/{}/curves.svg)", r.run_id),
                Err(e) => {
                    eprintln!("warning: {e:#}");
                    "no curves".into()
                }
            },
            Err(e) => {
                eprintln!("warning: run {}: {e}", r.run_id);
                "no metrics.json".into()
            }
        };
        let mut overlays: Vec<String> = std::fs::read_dir(dir.join("overlays"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".png"))
                    .collect()
            })
            .unwrap_or_default();
        overlays.sort();
        let overlay_links: Vec<String> = overlays
            .iter()
            .enumerate()
            .map(|(i, n)| format!("[{}](runs/{}/overlays/{n})", i + 1, r.run_id))
            .collect();
        md.push_str(&format!(
            "- {} · {} + {} · {} · seed {} · test mIoU {:.2} % · {} · overlays {}\n",
            r.dataset,
            r.encoder,
            r.decoder,
            r.protocol,
            r.seed,
            r.miou.unwrap_or(0.0) * 100.0,
            curves_link,
            if overlay_links.is_empty() {
                "–".into()
            } else {
                overlay_links.join(" ")
            }
        ));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use eobench_core::results::{EpochRecord, IouPerClass, append_row};

    fn row(id: &str, encoder: &str, protocol: &str, seed: u64, miou: f64) -> LeaderboardRow {
        LeaderboardRow {
            run_id: id.into(),
            time: "2026-11-24T01:00:00Z".into(),
            encoder: encoder.into(),
            encoder_weights: "random".into(),
            decoder: "seg_upernet".into(),
            dataset: "hls sample".into(),
            protocol: protocol.into(),
            criterion: "cross_entropy".into(),
            origin: "builtin".into(),
            seed,
            epochs: 2,
            miou: Some(miou),
            miou_ci_low: Some(miou - 0.05),
            miou_ci_high: Some(miou + 0.05),
            mf1: Some(miou),
            oa: Some(0.9),
            macc: Some(0.8),
            iou_per_class: IouPerClass(vec![Some(0.9), Some(miou)]),
            total_params: Some(10),
            trainable_params: Some(5),
            train_images_per_s: Some(3.0),
            eval_images_per_s: Some(4.0),
            peak_rss_mib: Some(100.0),
            wall_time_s: 5.0,
            device: "cpu".into(),
            precision: "fp32".into(),
            eobench_version: "0.1.0".into(),
            git_rev: "x".into(),
            config_hash: id.into(),
            status: RunStatus::Ok,
        }
    }

    #[test]
    fn report_with_bars_curves_and_overlay_links() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("leaderboard.csv");
        let rows = [
            row("r1", "dofa", "frozen", 1, 0.60),
            row("r2", "dofa", "frozen", 2, 0.62),
            row("r3", "dofa", "finetune", 1, 0.70),
            row("r4", "prithvi", "frozen", 1, 0.55),
        ];
        for r in &rows {
            append_row(&csv, r).unwrap();
        }
        let run = dir.path().join("runs/r3");
        std::fs::create_dir_all(run.join("overlays")).unwrap();
        std::fs::write(run.join("overlays/scene.png"), b"png").unwrap();
        RunRecord {
            row: rows[2].clone(),
            val_best: None,
            test: None,
            history: (1..=3)
                .map(|e| EpochRecord {
                    epoch: e,
                    train_loss: Some(1.0 / e as f64),
                    val_miou: Some(0.5 + 0.05 * e as f64),
                    lr: 1e-4,
                    seconds: 1.0,
                    data_wait_s: None,
                    encoder_s: None,
                })
                .collect(),
            best_epoch: Some(3),
        }
        .write(&run.join("metrics.json"))
        .unwrap();
        let rows = read_rows(&csv).unwrap();
        let path = write_report(dir.path(), &rows).unwrap();
        let md = std::fs::read_to_string(path).unwrap();
        assert!(
            md.contains("## hls sample: test mIoU (%) by protocol"),
            "{md}"
        );
        assert!(md.contains("](plots/miou_hls_sample.svg)"), "{md}");
        assert!(md.contains("[curves](runs/r3/curves.svg)"), "{md}");
        assert!(
            md.contains("overlays [1](runs/r3/overlays/scene.png)"),
            "{md}"
        );
        assert!(
            md.contains("no metrics.json"),
            "runs without records are listed: {md}"
        );
        let svg = std::fs::read_to_string(dir.path().join("plots/miou_hls_sample.svg")).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        // 3 bars (dofa frozen, dofa finetune, prithvi frozen) + legend swatches.
        assert!(svg.matches("<rect").count() >= 3 + 2, "{svg}");
        assert!(svg.contains("dofa + seg_upernet") || svg.contains("dofa (random) + seg_upernet"));
        let curves = std::fs::read_to_string(run.join("curves.svg")).unwrap();
        assert!(curves.contains("<polyline"), "{curves}");
    }

    #[test]
    fn missing_leaderboard_is_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = report(dir.path()).err().unwrap();
        assert!(err.error.to_string().contains("run `eobench run`"));
    }
}
