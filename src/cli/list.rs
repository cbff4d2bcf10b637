use anyhow::anyhow;
use eobench_registry::{ComponentKind, Registry};
use tabled::settings::Style;
use tabled::{Table, Tabled};

use super::Failure;

#[derive(Tabled)]
struct Row {
    #[tabled(rename = "KIND")]
    kind: &'static str,
    #[tabled(rename = "NAME")]
    name: &'static str,
    #[tabled(rename = "ORIGIN")]
    origin: String,
    #[tabled(rename = "SUMMARY")]
    summary: &'static str,
}

/// `eobench list [kind]`.
pub fn list(kind: Option<&str>) -> Result<(), Failure> {
    let kind = match kind {
        None => None,
        Some(k) => Some(ComponentKind::parse(k).ok_or_else(|| {
            Failure::usage(anyhow!(
                "unknown kind '{k}'; use encoders, decoders, datasets or criteria"
            ))
        })?),
    };
    let registry = Registry::builtin().map_err(Failure::run)?;
    let rows: Vec<Row> = registry
        .list(kind)
        .into_iter()
        .map(|c| Row {
            kind: c.kind.as_str(),
            name: c.name,
            origin: c.origin,
            summary: c.summary,
        })
        .collect();
    println!("{}", Table::new(rows).with(Style::blank()));
    Ok(())
}
