//! `feature_cache:` in config.yaml → the engine's cache settings for one run.

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use eobench_core::engine::{FeatureCacheSettings, Protocol};
use eobench_core::precision::Precision;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::session::Session;

/// The `feature_cache` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureCacheConfig {
    /// `auto` (linear_probe only), `true` (also frozen), `false`.
    enabled: serde_json::Value,
    /// Disk cache root; null = `<eobench cache>/features`.
    dir: Option<PathBuf>,
    /// In-memory budget in MiB.
    memory_mb: u64,
    /// Disk budget in GiB (0 = memory only).
    disk_gb: u64,
}

/// The settings for this run, or `None` when the cache does not apply.
pub fn settings(session: &Session) -> anyhow::Result<Option<FeatureCacheSettings>> {
    let cfg: FeatureCacheConfig = session.cfg.section("feature_cache")?;
    // `enabled=true` on the command line stays text because the key's default is the text `auto`.
    let setting = match &cfg.enabled {
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let on = match setting.as_str() {
        "false" => false,
        "true" => session.protocol.freezes_encoder(),
        "auto" => session.protocol == Protocol::LinearProbe,
        other => {
            return Err(anyhow!(
                "feature_cache.enabled: expected auto, true or false, found {other}"
            ));
        }
    };
    if !on {
        return Ok(None);
    }
    let dir = if cfg.disk_gb == 0 {
        None
    } else {
        Some(match cfg.dir {
            Some(d) => d,
            None => eobench_core::weights::Cache::from_env()
                .context("feature_cache.dir is null and no cache directory is known; set feature_cache.dir or EOBENCH_CACHE")?
                .dir()
                .join("features"),
        })
    };
    Ok(Some(FeatureCacheSettings {
        key: cache_key(session)?,
        dir,
        memory_bytes: cfg.memory_mb << 20,
        disk_bytes: cfg.disk_gb << 30,
    }))
}

/// Everything the cached features depend on: the encoder's config (incl. which weights and,
/// for a file, its size and modification time), the dataset's config, the evaluation
/// preprocessing, this eobench version and a precision other than fp32.
fn cache_key(session: &Session) -> anyhow::Result<String> {
    let encoder = session.section("encoder")?;
    let weights_file = encoder
        .get("weights")
        .and_then(|w| w.as_str())
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .and_then(|p| std::fs::metadata(&p).ok())
        .map(|m| {
            json!([
                m.len(),
                m.modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_secs())
            ])
        });
    let mut identity = vec![
        encoder,
        json!(weights_file),
        session.section("dataset")?,
        session.section("preprocessing.eval")?,
        json!(env!("CARGO_PKG_VERSION")),
    ];
    // bf16 features differ from f32 ones; fp32 keys stay what they were before `precision=`.
    if session.precision != Precision::Fp32 {
        identity.push(json!(session.precision.as_str()));
    }
    let identity = serde_json::Value::Array(identity);
    let digest = Sha256::digest(identity.to_string().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{}-{}-{}",
        session.entries.encoder.name,
        session.entries.dataset.name,
        &hex[..16]
    ))
}
