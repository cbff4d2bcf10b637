//! `eobench plugin build DIR`: builds a third-party plugin crate as a library this eobench can
//! load.
//!
//! The crate must be compiled by the same cargo invocation shape as the host: a Rust library
//! links the shared burn by mangled symbol names that include cargo's per-build metadata, so a
//! crate built in its own workspace does not even `dlopen` (undefined symbols). The crate is
//! therefore copied into the git-ignored workspace member folder `plugins/external/<crate>`
//! (its `[workspace]` table dropped, its eobench dependencies pointed at this workspace, built
//! as a `cdylib`) and built together with the host binary, which stays unchanged.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, anyhow, bail};

/// The checkout that holds the workspace (`Cargo.toml` with `[workspace]`, `core/`).
pub fn checkout_root(configs: &Path) -> anyhow::Result<PathBuf> {
    let root = super::super::configs_dir::base_dir(configs);
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    if !manifest.contains("[workspace]") || !root.join("core").is_dir() {
        bail!(
            "plugin build needs an eobench source checkout (the folder with the workspace Cargo.toml and core/); {} is not one; pass --configs <checkout>/configs",
            root.display()
        );
    }
    Ok(root)
}

/// The `name` of a crate's `[package]`.
pub fn package_name(manifest: &str, path: &Path) -> anyhow::Result<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_package = t == "[package]";
            continue;
        }
        if in_package
            && let Some(rest) = t.strip_prefix("name")
            && let Some(value) = rest.trim_start().strip_prefix('=')
        {
            return Ok(value.trim().trim_matches('"').to_string());
        }
    }
    bail!("{} has no [package] name", path.display())
}

/// The crate's manifest as a member of the eobench workspace: no `[workspace]` table, eobench
/// crates from the workspace, a `cdylib` target, and the `eobench-dynamic` feature checked.
pub fn overlay_manifest(manifest: &str, path: &Path) -> anyhow::Result<String> {
    if !manifest.contains("eobench-dynamic") {
        bail!(
            "{}: the crate has no `eobench-dynamic` feature; add\n  [features]\n  eobench-dynamic = [\"eobench-core/dynamic-plugins\", \"eobench-registry/dynamic-plugins\"]\n(see docs/PLUGINS.md)",
            path.display()
        );
    }
    let mut out = String::new();
    let mut section = String::new();
    let mut had_lib = false;
    for line in manifest.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            section = t.to_string();
            if section == "[workspace]" {
                continue;
            }
            out.push_str(line);
            out.push('\n');
            if section == "[lib]" {
                had_lib = true;
                out.push_str("crate-type = [\"cdylib\", \"rlib\"]\n");
            }
            continue;
        }
        if section == "[workspace]" || (section == "[lib]" && t.starts_with("crate-type")) {
            continue;
        }
        let dep = t.split(['=', ' ', '.']).next().unwrap_or("");
        if section.ends_with("dependencies]")
            && ["eobench-core", "eobench-registry", "eobench-layers"].contains(&dep)
        {
            out.push_str(&format!("{dep} = {{ workspace = true }}\n"));
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if !had_lib {
        out.push_str("\n[lib]\ncrate-type = [\"cdylib\", \"rlib\"]\n");
    }
    Ok(out)
}

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        let name = entry.file_name();
        if name == "target" || name == ".git" || name == "Cargo.lock" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if entry.file_type()?.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)
                .with_context(|| format!("cannot copy {} to {}", src.display(), dst.display()))?;
        }
    }
    Ok(())
}

/// What a build produced.
pub struct BuiltPlugin {
    /// The crate name.
    pub crate_name: String,
    /// The loadable library.
    pub library: PathBuf,
    /// The host binary built with it (load the library into this one).
    pub host: PathBuf,
}

/// Overlays and builds the crate in `dir`; cargo's output goes to stderr.
pub fn build_plugin(configs: &Path, dir: &Path) -> anyhow::Result<BuiltPlugin> {
    let root = checkout_root(configs)?;
    let manifest_path = dir.join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path).with_context(|| {
        format!(
            "{} is not a plugin crate (no Cargo.toml); `eobench plugin new` makes one",
            dir.display()
        )
    })?;
    let name = package_name(&manifest, &manifest_path)?;
    let overlay = root.join("plugins").join("external").join(&name);
    if overlay.exists() {
        std::fs::remove_dir_all(&overlay)
            .with_context(|| format!("cannot replace {}", overlay.display()))?;
    }
    copy_tree(dir, &overlay)?;
    std::fs::write(
        overlay.join("Cargo.toml"),
        overlay_manifest(&manifest, &manifest_path)?,
    )
    .with_context(|| format!("cannot write {}", overlay.join("Cargo.toml").display()))?;

    let profile = crate::cli::plugin::host_profile();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["build", "-p", "eobench", "-p", &name, "--features"])
        .arg(format!("eobench/dynamic-plugins,{name}/eobench-dynamic"));
    if profile == "release" {
        cmd.arg("--release");
    }
    if cfg!(feature = "cuda") {
        cmd.args(["--features", "eobench/cuda"]);
    }
    eprintln!("plugin build: {name} in {} ({profile})", overlay.display());
    let status = cmd
        .status()
        .context("cannot run cargo (is the Rust toolchain on PATH?)")?;
    if !status.success() {
        return Err(anyhow!(
            "cargo could not build {name} ({status}); its errors are above"
        ));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join(profile);
    let library = target.join(format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        name.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    ));
    if !library.is_file() {
        bail!("cargo finished but {} is missing", library.display());
    }
    Ok(BuiltPlugin {
        crate_name: name,
        library,
        host: target.join(format!("eobench{}", std::env::consts::EXE_SUFFIX)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_points_eobench_crates_at_the_workspace_and_builds_a_cdylib() {
        let manifest = "[package]\nname = \"my-plugin\"\nversion = \"0.2.0\"\n\n[dependencies]\neobench-core = { path = \"../eobench/core\" }\neobench-registry.path = \"../eobench/registry\"\nserde = \"1\"\n\n[features]\neobench-dynamic = [\"eobench-core/dynamic-plugins\"]\n\n[workspace]\nmembers = []\n";
        let p = Path::new("Cargo.toml");
        assert_eq!(package_name(manifest, p).unwrap(), "my-plugin");
        let out = overlay_manifest(manifest, p).unwrap();
        assert!(out.contains("eobench-core = { workspace = true }"), "{out}");
        assert!(
            out.contains("eobench-registry = { workspace = true }"),
            "{out}"
        );
        assert!(out.contains("serde = \"1\""));
        assert!(
            !out.contains("[workspace]") && !out.contains("members"),
            "{out}"
        );
        assert!(out.contains("crate-type = [\"cdylib\", \"rlib\"]"));
        let err = overlay_manifest("[package]\nname = \"x\"\n", p).unwrap_err();
        assert!(err.to_string().contains("eobench-dynamic"), "{err}");
    }
}
