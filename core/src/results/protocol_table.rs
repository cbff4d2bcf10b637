//! The experiment's summary tables: per dataset, rows encoder × decoder, columns protocols.
//!
//! A cell is the test mIoU in percent as `mean ± std` over seeds (sample std; one seed shows the
//! mean), then the 95 % bootstrap interval over test scenes averaged over seeds, and the number
//! of seeds. The best mean of each protocol column is bold. Rows whose encoder started from
//! weights other than the usual ones (`encoder_weights`) get the weights in the row label.

use std::collections::{BTreeMap, BTreeSet};

use super::LeaderboardRow;
use super::markdown::{Stat, escape, latest_per_seed};

/// Protocols in the order columns show them; others follow alphabetically.
const PROTOCOL_ORDER: [&str; 4] = ["frozen", "finetune", "linear_probe", "random"];

/// One table cell's numbers, in percent.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtocolCell {
    /// Mean test mIoU over seeds.
    pub mean: f64,
    /// Sample std over seeds (None with one seed).
    pub std: Option<f64>,
    /// Mean of the seeds' bootstrap interval bounds, when the rows have them.
    pub ci: Option<(f64, f64)>,
    /// Seeds.
    pub seeds: usize,
}

/// One dataset's table: row labels, protocol columns, cells.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtocolTable {
    /// Dataset name.
    pub dataset: String,
    /// Column protocols.
    pub protocols: Vec<String>,
    /// (row label, encoder, decoder) in order.
    pub rows: Vec<(String, String, String)>,
    /// (row index, protocol) → cell.
    pub cells: BTreeMap<(usize, String), ProtocolCell>,
}

/// Builds the tables (one per dataset, alphabetical) from leaderboard rows.
pub fn protocol_tables(rows: &[LeaderboardRow]) -> Vec<ProtocolTable> {
    let mut out = Vec::new();
    for (dataset, models) in latest_per_seed(rows) {
        let mut protocols: Vec<String> = models
            .keys()
            .map(|k| k.protocol.to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        protocols.sort_by_key(|p| {
            (
                PROTOCOL_ORDER
                    .iter()
                    .position(|o| o == p)
                    .unwrap_or(PROTOCOL_ORDER.len()),
                p.clone(),
            )
        });
        let mut labels: Vec<(String, String, String)> = Vec::new();
        let mut cells = BTreeMap::new();
        for (key, seeds) in &models {
            // `random` is a protocol, not other weights: keep those rows together.
            let weights = if key.protocol == "random" {
                ""
            } else {
                key.encoder_weights
            };
            let label = match weights {
                "" => format!("{} + {}", key.encoder, key.decoder),
                w => format!("{} ({w}) + {}", key.encoder, key.decoder),
            };
            let row = (label, key.encoder.to_string(), key.decoder.to_string());
            let index = match labels.iter().position(|l| l.1 == row.1 && l.2 == row.2) {
                Some(i) if labels[i].0 == row.0 || key.protocol == "random" => i,
                _ => {
                    labels.push(row);
                    labels.len() - 1
                }
            };
            let runs: Vec<&LeaderboardRow> = seeds.values().copied().collect();
            let miou = Stat::of(runs.iter().filter_map(|r| r.miou).map(|m| m * 100.0));
            let lows: Vec<f64> = runs.iter().filter_map(|r| r.miou_ci_low).collect();
            let highs: Vec<f64> = runs.iter().filter_map(|r| r.miou_ci_high).collect();
            let ci = (!lows.is_empty() && lows.len() == highs.len()).then(|| {
                (
                    100.0 * lows.iter().sum::<f64>() / lows.len() as f64,
                    100.0 * highs.iter().sum::<f64>() / highs.len() as f64,
                )
            });
            cells.insert(
                (index, key.protocol.to_string()),
                ProtocolCell {
                    mean: miou.mean,
                    std: miou.std,
                    ci,
                    seeds: miou.n,
                },
            );
        }
        out.push(ProtocolTable {
            dataset: dataset.to_string(),
            protocols,
            rows: labels,
            cells,
        });
    }
    out
}

/// Markdown for [`protocol_tables`], one `## <dataset>: test mIoU (%) by protocol` section each.
pub fn render_protocol_tables(rows: &[LeaderboardRow]) -> String {
    let tables = protocol_tables(rows);
    if tables.is_empty() {
        return "_No finished runs._\n".to_string();
    }
    let mut out = String::new();
    for t in tables {
        out.push_str(&format!(
            "## {}: test mIoU (%) by protocol\n\nmean ± std over seeds [95 % bootstrap interval over test scenes] (seeds); best of each column in bold.\n\n",
            escape(&t.dataset)
        ));
        let mut header = vec!["Encoder + decoder".to_string()];
        header.extend(t.protocols.iter().map(|p| escape(p)));
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        out.push_str(&format!("|{}|\n", vec!["---"; header.len()].join("|")));
        let best: BTreeMap<&str, f64> = t
            .protocols
            .iter()
            .map(|p| {
                let top = t
                    .cells
                    .iter()
                    .filter(|((_, q), _)| q == p)
                    .map(|(_, c)| (c.mean * 100.0).round() / 100.0)
                    .fold(f64::NEG_INFINITY, f64::max);
                (p.as_str(), top)
            })
            .collect();
        for (i, (label, _, _)) in t.rows.iter().enumerate() {
            let mut line = vec![escape(label)];
            for p in &t.protocols {
                line.push(match t.cells.get(&(i, p.clone())) {
                    None => "–".to_string(),
                    Some(c) => {
                        let mean = match c.std {
                            Some(s) => format!("{:.2} ± {s:.2}", c.mean),
                            None => format!("{:.2}", c.mean),
                        };
                        let mean = if (c.mean * 100.0).round() / 100.0 == best[p.as_str()] {
                            format!("**{mean}**")
                        } else {
                            mean
                        };
                        let ci =
                            c.ci.map(|(l, h)| format!(" [{l:.1}–{h:.1}]"))
                                .unwrap_or_default();
                        format!("{mean}{ci} ({})", c.seeds)
                    }
                });
            }
            out.push_str(&format!("| {} |\n", line.join(" | ")));
        }
        out.push('\n');
    }
    out
}
