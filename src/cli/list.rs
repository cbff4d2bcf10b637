use anyhow::anyhow;
use eobench_registry::ComponentKind;
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
pub fn list(configs: Option<&std::path::Path>, kind: Option<&str>) -> Result<(), Failure> {
    let kind = match kind {
        None => None,
        Some(k) => Some(ComponentKind::parse(k).ok_or_else(|| {
            Failure::usage(anyhow!(
                "unknown kind '{k}'; use encoders, decoders, datasets or criteria"
            ))
        })?),
    };
    let dir = super::configs_dir::locate(configs).ok();
    let registry = super::plugin::load_registry(dir.as_deref())?;
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
