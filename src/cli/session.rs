//! What `run` and `embed` share: the resolved config, the registry entries it names, the
//! device and seed, and builders for datasets and encoders.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::anyhow;
use eobench_core::burn::tensor::Device;
use eobench_core::component::Dataset;
use eobench_core::component::{
    DatasetContext, DatasetSpec, Encoder, EncoderContext, Split, guarded,
};
use eobench_core::config::ResolvedConfig;
use eobench_core::device::device_from_flag;
use eobench_core::engine::Protocol;
use eobench_core::precision::Precision;
use eobench_registry::{
    ComponentKind, CriterionEntry, DatasetEntry, DecoderEntry, EncoderEntry, Registry,
};
use serde_json::Value;

use super::{Failure, configs_dir};

/// Registry entries of the chosen components.
pub struct Entries {
    pub encoder: &'static EncoderEntry,
    pub decoder: &'static DecoderEntry,
    pub dataset: &'static DatasetEntry,
    pub criterion: &'static CriterionEntry,
}

/// A resolved configuration ready to build components from.
pub struct Session {
    pub cfg: ResolvedConfig,
    pub entries: Entries,
    pub base_dir: PathBuf,
    pub seed: u64,
    pub device_flag: String,
    pub device: Device,
    /// `precision=`; the device is configured for it.
    pub precision: Precision,
    pub protocol: Protocol,
    /// `builtin`, or which chosen components came from plugins (leaderboard `origin`).
    pub origin: String,
}

/// The head `protocol=linear_probe` trains: the probe is defined by its head, so any other
/// decoder under that protocol is a configuration error, not a silent swap.
pub const LINEAR_PROBE_DECODER: &str = "seg_linear";

/// Refuses protocol/component combinations that cannot mean what they say, before any work.
pub fn check_protocol(protocol: Protocol, decoder: &str) -> anyhow::Result<()> {
    if protocol == Protocol::LinearProbe && decoder != LINEAR_PROBE_DECODER {
        anyhow::bail!(
            "protocol=linear_probe trains a linear head on the frozen encoder, but decoder={decoder}; \
             use decoder={LINEAR_PROBE_DECODER}, or protocol=frozen to keep {decoder}"
        );
    }
    Ok(())
}

fn name_of(cfg: &ResolvedConfig, group: &str) -> Result<String, Failure> {
    cfg.get(&format!("{group}.name"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            Failure::usage(anyhow!(
                "no {group} chosen; add `{group}=<name>` (see `eobench list`)"
            ))
        })
}

impl Session {
    /// Looks every chosen name up before any work, so a typo fails in milliseconds with a
    /// suggestion, and parses the run-wide keys.
    pub fn new(cfg: ResolvedConfig, configs: &Path, registry: &Registry) -> Result<Self, Failure> {
        let entries = Entries {
            encoder: registry
                .encoder(&name_of(&cfg, "encoder")?)
                .map_err(Failure::usage)?,
            decoder: registry
                .decoder(&name_of(&cfg, "decoder")?)
                .map_err(Failure::usage)?,
            dataset: registry
                .dataset(&name_of(&cfg, "dataset")?)
                .map_err(Failure::usage)?,
            criterion: registry
                .criterion(&name_of(&cfg, "criterion")?)
                .map_err(Failure::usage)?,
        };
        let seed: u64 = cfg.section("seed").map_err(Failure::usage)?;
        let device_flag: String = cfg.section("device").map_err(Failure::usage)?;
        let mut device = device_from_flag(&device_flag).map_err(Failure::usage)?;
        let precision_text: String = cfg.section("precision").map_err(Failure::usage)?;
        let precision = Precision::parse(&precision_text).map_err(Failure::usage)?;
        // Before any tensor exists: the device's float type applies to all that follow.
        precision.configure(&mut device).map_err(Failure::usage)?;
        let protocol_text: String = cfg.section("protocol").map_err(Failure::usage)?;
        let protocol = Protocol::parse(&protocol_text).map_err(Failure::usage)?;
        let origin = super::plugin::row_origin(
            registry,
            &[
                (ComponentKind::Encoder, entries.encoder.name),
                (ComponentKind::Decoder, entries.decoder.name),
                (ComponentKind::Dataset, entries.dataset.name),
                (ComponentKind::Criterion, entries.criterion.name),
            ],
        );
        Ok(Self {
            origin,
            cfg,
            entries,
            base_dir: configs_dir::base_dir(configs),
            seed,
            device_flag,
            device,
            precision,
            protocol,
        })
    }

    /// A config section as JSON.
    pub fn section(&self, path: &str) -> anyhow::Result<Value> {
        self.cfg
            .get(path)
            .cloned()
            .ok_or_else(|| anyhow!("the resolved config has no '{path}' section"))
    }

    /// Opens one split of the chosen dataset.
    pub fn open_split(&self, split: Split) -> anyhow::Result<Arc<dyn Dataset>> {
        let value = self.section("dataset")?;
        let ctx = DatasetContext {
            split,
            base_dir: &self.base_dir,
        };
        let dataset = guarded(self.entries.dataset.name, || {
            (self.entries.dataset.build)(&value, &ctx)
        })?;
        Ok(Arc::from(dataset))
    }

    /// Builds the chosen encoder on `device` for a dataset; `protocol=random` builds it from
    /// random weights whatever `encoder.weights` says.
    pub fn build_encoder(
        &self,
        device: &Device,
        dataset: &DatasetSpec,
    ) -> anyhow::Result<Box<dyn Encoder>> {
        self.build_encoder_from(device, dataset, self.protocol.random_encoder())
    }

    /// Builds the encoder from random weights: its spec and shapes without reading or
    /// downloading a checkpoint (sweep checks).
    pub fn build_encoder_shapes_only(
        &self,
        device: &Device,
        dataset: &DatasetSpec,
    ) -> anyhow::Result<Box<dyn Encoder>> {
        self.build_encoder_from(device, dataset, true)
    }

    fn build_encoder_from(
        &self,
        device: &Device,
        dataset: &DatasetSpec,
        random: bool,
    ) -> anyhow::Result<Box<dyn Encoder>> {
        let mut value = self.section("encoder")?;
        if random && let Some(weights) = value.get_mut("weights") {
            *weights = Value::String("random".into());
        }
        let ctx = EncoderContext { device, dataset };
        Ok(guarded(self.entries.encoder.name, || {
            (self.entries.encoder.build)(&value, &ctx)
        })?)
    }
}
