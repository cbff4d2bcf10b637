//! Everything a sweep can refuse before the first cell trains: configs that do not compose,
//! unknown names inside a list, protocol/decoder mismatches, and encoder/decoder pairs that
//! cannot be built together (e.g. a decoder that needs more feature levels than an encoder has).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use eobench_core::component::{DecoderContext, Split, guarded};
use eobench_core::config::{ExtraChoice, compose_with};
use eobench_registry::Registry;

use super::grid::Cell;
use crate::cli::Failure;
use crate::cli::session::{Session, check_protocol};

/// A cell that passed the checks, with what the runner and the estimate need.
pub struct PlannedCell {
    /// The grid cell.
    pub cell: Cell,
    /// Hash of its resolved config (= the leaderboard's `config_hash`).
    pub config_hash: String,
    /// Its `output_dir`.
    pub output_dir: PathBuf,
    /// Component names and protocol, as the leaderboard spells them.
    pub encoder: String,
    /// Decoder name.
    pub decoder: String,
    /// Dataset name.
    pub dataset: String,
    /// Protocol name.
    pub protocol: String,
    /// `task.trainer.n_epochs`.
    pub epochs: u64,
}

/// Composes and checks every cell; the first problem is an error naming its cell.
pub fn check_cells(
    configs: &Path,
    cells: Vec<Cell>,
    registry: &Registry,
    extra: &[ExtraChoice],
) -> Result<Vec<PlannedCell>, Failure> {
    let mut planned = Vec::with_capacity(cells.len());
    // Building is the only exact compatibility test, and the costly check: once per distinct
    // (encoder, decoder, dataset, protocol) sections.
    let mut built: BTreeMap<String, ()> = BTreeMap::new();
    for cell in cells {
        let in_cell = |e: anyhow::Error| e.context(format!("sweep cell `{}`", cell.label));
        let cfg = compose_with(configs, &cell.args, extra)
            .map_err(|e| Failure::usage(in_cell(e.into())))?;
        let config_hash = cfg.hash();
        let output_dir: PathBuf = cfg
            .section("output_dir")
            .map_err(|e| Failure::usage(in_cell(e.into())))?;
        let epochs: u64 = cfg
            .section("task.trainer.n_epochs")
            .map_err(|e| Failure::usage(in_cell(e.into())))?;
        let session = Session::new(cfg, configs, registry).map_err(|f| f.context(&cell.label))?;
        let e = &session.entries;
        check_protocol(session.protocol, e.decoder.name)
            .map_err(|er| Failure::usage(in_cell(er)))?;
        let key = serde_json::json!([
            session
                .section("encoder")
                .map_err(|er| Failure::usage(in_cell(er)))?,
            session
                .section("decoder")
                .map_err(|er| Failure::usage(in_cell(er)))?,
            session
                .section("dataset")
                .map_err(|er| Failure::usage(in_cell(er)))?,
            session.protocol.as_str(),
        ])
        .to_string();
        if !built.contains_key(&key) {
            build_check(&session).map_err(|er| Failure::usage(in_cell(er)))?;
            built.insert(key, ());
        }
        planned.push(PlannedCell {
            encoder: e.encoder.name.to_string(),
            decoder: e.decoder.name.to_string(),
            dataset: e.dataset.name.to_string(),
            protocol: session.protocol.as_str().to_string(),
            cell,
            config_hash,
            output_dir,
            epochs,
        });
    }
    Ok(planned)
}

/// Opens the training split and builds encoder (random weights: shapes only, no download) and
/// decoder on the CPU, as a run would.
fn build_check(session: &Session) -> anyhow::Result<()> {
    let train = session.open_split(Split::Train)?;
    let spec = train.spec().clone();
    let device = eobench_core::burn::tensor::Device::flex();
    let encoder = session
        .build_encoder_shapes_only(&device, &spec)
        .context("building the encoder")?;
    if session.protocol.freezes_encoder() && encoder.spec().finetune_only {
        return Err(anyhow!(
            "encoder '{}' is a supervised baseline without pretrained weights; protocol={} cannot train it; use protocol=finetune",
            encoder.spec().name,
            session.protocol.as_str()
        ));
    }
    let entry = session.entries.decoder;
    let value = session.section("decoder")?;
    guarded(entry.name, || {
        (entry.build)(
            &value,
            &DecoderContext {
                device: &device,
                encoder: encoder.spec(),
                num_classes: spec.num_classes(),
            },
        )
    })
    .map(|_| ())
    .with_context(|| {
        format!(
            "decoder '{}' over encoder '{}'",
            entry.name,
            encoder.spec().name
        )
    })
}
