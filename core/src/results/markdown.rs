//! A human-readable leaderboard: one markdown table per dataset, seeds aggregated.

use std::collections::BTreeMap;

use tabled::builder::Builder;
use tabled::settings::Style;

use super::{LeaderboardRow, RunStatus};

/// Renders `ok` rows as markdown, one `## dataset` section per dataset (alphabetical).
///
/// A model is (encoder, encoder_weights, decoder, protocol). Its seeds are aggregated:
/// metric cells show `mean ± std` in percent with 2 decimals, where std is the sample standard
/// deviation (n − 1); with a single seed the cell shows just the mean, and the `#seeds` column
/// always says how many runs went in. If a seed was run more than once, only its latest row
/// (by `time`) counts, so a rerun replaces rather than double-weights a seed. Rows without an
/// mIoU are skipped. Models are sorted by mean mIoU (best first) and the best mean mIoU per
/// dataset (ties included, compared as displayed) is in **bold**.
pub fn render_markdown(rows: &[LeaderboardRow]) -> String {
    let grouped = latest_per_seed(rows);
    if grouped.is_empty() {
        return "_No finished runs._\n".to_string();
    }

    let mut out = String::new();
    for (dataset, models) in grouped {
        let mut lines: Vec<Line> = models
            .into_iter()
            .map(|(key, seeds)| Line::new(key, seeds.into_values().collect()))
            .collect();
        lines.sort_by(|a, b| b.miou.mean.total_cmp(&a.miou.mean).then(a.key.cmp(&b.key)));
        let best = lines[0].miou.cell();
        out.push_str(&format!("## {}\n\n", escape(dataset)));
        out.push_str(&table(&lines, &best).to_string());
        out.push_str("\n\n");
    }
    out
}

/// dataset → model → seed → the latest `ok` row with an mIoU (a rerun of a seed replaces it).
pub(crate) type Grouped<'a> =
    BTreeMap<&'a str, BTreeMap<ModelKey<'a>, BTreeMap<u64, &'a LeaderboardRow>>>;

/// Groups `ok` rows with an mIoU by dataset and model, keeping each seed's latest row.
pub(crate) fn latest_per_seed(rows: &[LeaderboardRow]) -> Grouped<'_> {
    let mut grouped: Grouped<'_> = BTreeMap::new();
    for row in rows
        .iter()
        .filter(|r| r.status == RunStatus::Ok && r.miou.is_some())
    {
        let seeds = grouped
            .entry(&row.dataset)
            .or_default()
            .entry(ModelKey::of(row))
            .or_default();
        match seeds.get(&row.seed) {
            Some(prev) if prev.time >= row.time => {}
            _ => {
                seeds.insert(row.seed, row);
            }
        }
    }
    grouped
}

/// A model: what a leaderboard line aggregates over seeds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ModelKey<'a> {
    pub(crate) encoder: &'a str,
    pub(crate) encoder_weights: &'a str,
    pub(crate) decoder: &'a str,
    pub(crate) protocol: &'a str,
}

impl<'a> ModelKey<'a> {
    pub(crate) fn of(row: &'a LeaderboardRow) -> Self {
        Self {
            encoder: &row.encoder,
            encoder_weights: &row.encoder_weights,
            decoder: &row.decoder,
            protocol: &row.protocol,
        }
    }
}

/// Mean and sample std of a value over seeds.
pub(crate) struct Stat {
    pub(crate) mean: f64,
    pub(crate) std: Option<f64>,
    pub(crate) n: usize,
}

impl Stat {
    pub(crate) fn of(values: impl Iterator<Item = f64>) -> Self {
        let v: Vec<f64> = values.collect();
        let n = v.len();
        if n == 0 {
            return Self {
                mean: f64::NAN,
                std: None,
                n,
            };
        }
        let mean = v.iter().sum::<f64>() / n as f64;
        let std = (n > 1)
            .then(|| (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt());
        Self { mean, std, n }
    }

    pub(crate) fn cell(&self) -> String {
        match (self.n, self.std) {
            (0, _) => "–".to_string(),
            (_, Some(std)) => format!("{:.2} ± {std:.2}", self.mean),
            (_, None) => format!("{:.2}", self.mean),
        }
    }
}

struct Line<'a> {
    key: ModelKey<'a>,
    seeds: usize,
    miou: Stat,
    mf1: Stat,
    oa: Stat,
    params: Option<u64>,
    train_ips: Stat,
    peak_mib: Option<f64>,
    wall_s: Stat,
}

impl<'a> Line<'a> {
    fn new(key: ModelKey<'a>, rows: Vec<&LeaderboardRow>) -> Self {
        let stat =
            |f: fn(&LeaderboardRow) -> Option<f64>| Stat::of(rows.iter().filter_map(|r| f(r)));
        let percent = |f: fn(&LeaderboardRow) -> Option<f64>| {
            Stat::of(rows.iter().filter_map(|r| f(r)).map(|x| x * 100.0))
        };
        Self {
            key,
            seeds: rows.len(),
            miou: percent(|r| r.miou),
            mf1: percent(|r| r.mf1),
            oa: percent(|r| r.oa),
            params: rows.iter().filter_map(|r| r.total_params).max(),
            train_ips: stat(|r| r.train_images_per_s),
            peak_mib: rows.iter().filter_map(|r| r.peak_rss_mib).reduce(f64::max),
            wall_s: stat(|r| Some(r.wall_time_s)),
        }
    }
}

fn table(lines: &[Line<'_>], best_miou: &str) -> tabled::Table {
    let mut builder = Builder::default();
    builder.push_record([
        "Encoder",
        "Weights",
        "Decoder",
        "Protocol",
        "mIoU (%)",
        "mF1 (%)",
        "OA (%)",
        "#seeds",
        "Params",
        "Train img/s",
        "Peak MiB",
        "Wall s",
    ]);
    for line in lines {
        let miou = line.miou.cell();
        let miou = if miou == best_miou {
            format!("**{miou}**")
        } else {
            miou
        };
        builder.push_record([
            escape(line.key.encoder),
            escape(line.key.encoder_weights),
            escape(line.key.decoder),
            escape(line.key.protocol),
            miou,
            line.mf1.cell(),
            line.oa.cell(),
            line.seeds.to_string(),
            line.params
                .map_or("–".to_string(), |p| format!("{:.2}M", p as f64 / 1e6)),
            if line.train_ips.n == 0 {
                "–".to_string()
            } else {
                format!("{:.1}", line.train_ips.mean)
            },
            line.peak_mib.map_or("–".to_string(), |m| format!("{m:.0}")),
            format!("{:.0}", line.wall_s.mean),
        ]);
    }
    let mut table = builder.build();
    table.with(Style::markdown());
    table
}

/// Keeps user-supplied names from breaking the table or adding markup.
pub(crate) fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('*', "\\*")
}
