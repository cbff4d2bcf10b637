//! `eobench plugin new NAME --kind encoder`: a working plugin crate outside the repository.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

const CARGO_TOML: &str = include_str!("template/Cargo.toml.txt");
const LIB_RS: &str = include_str!("template/lib.rs.txt");
const CONFIG_YAML: &str = include_str!("template/config.yaml.txt");
const CONFORMANCE_RS: &str = include_str!("template/conformance.rs.txt");

/// Writes the crate for component `name` of `kind` into `dir` (default `./eobench-plugin-<name>`)
/// and returns its folder.
pub fn scaffold(
    checkout: &Path,
    name: &str,
    kind: &str,
    dir: Option<&Path>,
) -> anyhow::Result<PathBuf> {
    if kind != "encoder" {
        bail!(
            "--kind {kind}: only encoder templates exist so far; for a {kind}, copy the closest built-in crate under plugins/ and add `eobench_registry::export_plugin!` (docs/PLUGINS.md)"
        );
    }
    let valid = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        bail!(
            "'{name}' is not a component name: use lower-case letters, digits and '_' (e.g. my_encoder)"
        );
    }
    let crate_name = format!("eobench-plugin-{}", name.replace('_', "-"));
    let dir = dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(&crate_name));
    if dir.exists()
        && std::fs::read_dir(&dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} already exists and is not empty; choose another --dir",
            dir.display()
        );
    }
    let fill = |t: &str| {
        t.replace("{{name}}", name)
            .replace("{{crate}}", &crate_name)
            .replace("{{module}}", &crate_name.replace('-', "_"))
            .replace("{{checkout}}", &checkout.display().to_string())
    };
    let files = [
        ("Cargo.toml".to_string(), fill(CARGO_TOML)),
        ("src/lib.rs".to_string(), fill(LIB_RS)),
        (format!("configs/encoder/{name}.yaml"), fill(CONFIG_YAML)),
        ("tests/conformance.rs".to_string(), fill(CONFORMANCE_RS)),
        (
            "README.md".to_string(),
            format!(
                "# {crate_name}\n\neobench encoder plugin `{name}` (paper, weights URL, bands, parity test: fill in).\n\n\
                 - Test: `cargo test` (runs the eobench conformance suite).\n\
                 - Build the loadable library: `eobench plugin build .`\n\
                 - Check it: `eobench plugin check .`\n\
                 - Use it: `eobench --plugin <library printed by plugin build> run encoder={name}`\n"
            ),
        ),
    ];
    for (rel, text) in files {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(dir)
}
