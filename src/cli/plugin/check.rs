//! `eobench plugin check LIB|CRATE`: the compatibility checks, then the conformance suite on
//! every encoder of the library, as a pass/fail table.

use std::path::Path;

use anyhow::anyhow;
use eobench_core::component::{DatasetContext, Split};
use eobench_core::conformance::check_encoder;
use eobench_registry::plugin::load_library;
use tabled::builder::Builder;
use tabled::settings::Style;

use crate::cli::Failure;
use crate::cli::configs_dir;

/// Checks one library; exit 1 if anything failed.
pub fn check_library(configs: &Path, library: &Path) -> Result<(), Failure> {
    let entries = load_library(library).map_err(Failure::run)?;
    println!(
        "{}: plugin {} {} — compatible with this eobench (ABI, rustc, core, burn, types, shared burn)",
        library.display(),
        entries.name,
        entries.version
    );
    // Encoders are built for the shipped sample dataset's bands.
    let registry = eobench_registry::Registry::builtin().map_err(Failure::run)?;
    let dataset_entry = registry
        .dataset("hlsburnscars_sample")
        .map_err(Failure::run)?;
    let composed = eobench_core::config::compose(configs, &["dataset=hlsburnscars_sample".into()])
        .map_err(Failure::usage)?;
    let dataset_cfg = composed
        .get("dataset")
        .cloned()
        .ok_or_else(|| Failure::run(anyhow!("no dataset section")))?;
    let base = configs_dir::base_dir(configs);
    let dataset = (dataset_entry.build)(
        &dataset_cfg,
        &DatasetContext {
            split: Split::Train,
            base_dir: &base,
        },
    )
    .map_err(Failure::run)?;
    let spec = dataset.spec().clone();

    let mut table = Builder::default();
    table.push_record(["component", "check", "result", "detail"]);
    let mut failed = 0;
    for e in &entries.encoders {
        let shipped = entries
            .configs
            .iter()
            .find(|c| c.group == "encoder" && c.name == e.name);
        let on_disk = configs.join("encoder").join(format!("{}.yaml", e.name));
        let config = if on_disk.is_file() {
            read_yaml(&on_disk)?
        } else if let Some(c) = shipped {
            serde_saphyr::from_str(c.yaml)
                .map_err(|err| Failure::run(anyhow!("{}'s shipped config: {err}", e.name)))?
        } else {
            return Err(Failure::run(anyhow!(
                "encoder {} ships no config and {} does not exist",
                e.name,
                on_disk.display()
            )));
        };
        for c in check_encoder(e.build, &config, &spec) {
            failed += usize::from(!c.passed);
            table.push_record([
                format!("encoder {}", e.name),
                c.name.to_string(),
                if c.passed { "pass" } else { "FAIL" }.to_string(),
                c.detail,
            ]);
        }
    }
    for (kind, names) in [
        (
            "decoder",
            entries.decoders.iter().map(|e| e.name).collect::<Vec<_>>(),
        ),
        ("dataset", entries.datasets.iter().map(|e| e.name).collect()),
        (
            "criterion",
            entries.criteria.iter().map(|e| e.name).collect(),
        ),
    ] {
        for name in names {
            table.push_record([
                format!("{kind} {name}"),
                "registered".into(),
                "pass".into(),
                "no conformance suite for this kind yet".into(),
            ]);
        }
    }
    println!("{}", table.build().with(Style::markdown()));
    if failed > 0 {
        return Err(Failure::run(anyhow!(
            "{failed} conformance check(s) failed for {}",
            library.display()
        )));
    }
    Ok(())
}

fn read_yaml(path: &Path) -> Result<serde_json::Value, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::run(anyhow!("cannot read {}: {e}", path.display())))?;
    serde_saphyr::from_str(&text).map_err(|e| Failure::run(anyhow!("{}: {e}", path.display())))
}
