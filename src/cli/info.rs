use std::path::Path;

use anyhow::anyhow;

use super::{Failure, configs_dir};

/// `eobench info <name>`: every component of that name with its default config.
pub fn info(configs: Option<&Path>, name: &str) -> Result<(), Failure> {
    let dir = configs_dir::locate(configs).ok();
    let registry = super::plugin::load_registry(dir.as_deref())?;
    let shipped = super::plugin::extra_choices(&registry);
    let matches: Vec<_> = registry
        .list(None)
        .into_iter()
        .filter(|c| c.name == name)
        .collect();
    if matches.is_empty() {
        let names: Vec<&str> = registry.list(None).iter().map(|c| c.name).collect();
        let hint = eobench_core::config::suggest(name, &names)
            .map(|s| format!("; did you mean '{s}'?"))
            .unwrap_or_default();
        return Err(Failure::usage(anyhow!(
            "no component named '{name}'{hint} (see `eobench list`)"
        )));
    }
    for c in matches {
        println!(
            "{} {} ({})\n  {}",
            c.kind.as_str(),
            c.name,
            c.origin,
            c.summary
        );
        if let Some(dir) = &dir {
            let file = dir.join(c.kind.as_str()).join(format!("{}.yaml", c.name));
            let from_plugin = shipped
                .iter()
                .find(|e| e.group == c.kind.as_str() && e.name == c.name);
            match (std::fs::read_to_string(&file), from_plugin) {
                (Ok(text), _) => println!("\n# {}\n{}", file.display(), text.trim_end()),
                (Err(_), Some(e)) => println!("\n# {}\n{}", e.origin.display(), e.yaml.trim_end()),
                (Err(_), None) => println!("  (no config file at {})", file.display()),
            }
        }
        println!();
    }
    Ok(())
}
