use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, anyhow};
use eobench_core::component::{
    CriterionContext, Dataset, DatasetContext, DecoderContext, EncoderContext, Split, guarded,
};
use eobench_core::config::{ResolvedConfig, compose};
use eobench_core::device::device_from_flag;
use eobench_core::engine::{
    EvaluatorConfig, OptimizerConfig, ProgressSink, Protocol, RunComponents, RunPlan,
    SchedulerConfig, TrainerConfig, train_and_test,
};
use eobench_core::preprocess::{Pipeline, PreprocessContext};
use eobench_core::results::{
    IouPerClass, LeaderboardRow, RunRecord, RunStatus, UtcDateTime, append_row, new_run_id,
    read_rows,
};
use eobench_registry::Registry;
use serde_json::Value;

use super::progress::CliProgress;
use super::{Failure, configs_dir};

fn section(cfg: &ResolvedConfig, path: &str) -> Result<Value, Failure> {
    cfg.get(path)
        .cloned()
        .ok_or_else(|| Failure::usage(anyhow!("the resolved config has no '{path}' section")))
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

/// `eobench run [--print-config] args...`
pub fn run(configs: Option<&Path>, args: &[String], print_config: bool) -> Result<(), Failure> {
    let dir = configs_dir::locate(configs)?;
    let cfg = compose(&dir, args).map_err(Failure::usage)?;
    if print_config {
        print!("{}", cfg.to_yaml());
        return Ok(());
    }
    let registry = Registry::builtin().map_err(Failure::run)?;
    let (enc_name, dec_name, ds_name, crit_name) = (
        name_of(&cfg, "encoder")?,
        name_of(&cfg, "decoder")?,
        name_of(&cfg, "dataset")?,
        name_of(&cfg, "criterion")?,
    );
    // Resolve every name before any work, so a typo fails in milliseconds with a suggestion.
    let enc_entry = registry.encoder(&enc_name).map_err(Failure::usage)?;
    let dec_entry = registry.decoder(&dec_name).map_err(Failure::usage)?;
    let ds_entry = registry.dataset(&ds_name).map_err(Failure::usage)?;
    let crit_entry = registry.criterion(&crit_name).map_err(Failure::usage)?;

    let seed: u64 = cfg.section("seed").map_err(Failure::usage)?;
    let device_flag: String = cfg.section("device").map_err(Failure::usage)?;
    let device = device_from_flag(&device_flag).map_err(Failure::usage)?;
    let protocol_text: String = cfg.section("protocol").map_err(Failure::usage)?;
    let protocol = Protocol::parse(&protocol_text).map_err(Failure::usage)?;
    let output_dir: PathBuf = cfg.section("output_dir").map_err(Failure::usage)?;
    let trainer: TrainerConfig = cfg.section("task.trainer").map_err(Failure::usage)?;
    let optimizer: OptimizerConfig = cfg.section("task.optimizer").map_err(Failure::usage)?;
    let scheduler: SchedulerConfig = cfg.section("task.lr_scheduler").map_err(Failure::usage)?;
    let evaluator: EvaluatorConfig = cfg.section("task.evaluator").map_err(Failure::usage)?;

    let csv = output_dir.join("leaderboard.csv");
    if csv.is_file() {
        // Refuse an incompatible leaderboard before spending minutes training.
        read_rows(&csv).map_err(Failure::run)?;
    }
    let now = std::time::SystemTime::now();
    let time_text = UtcDateTime::from_system_time(now).rfc3339();
    let config_hash = cfg.hash();
    let nonce = (now
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
        ^ std::process::id()) as u16;
    let run_id = new_run_id(&enc_name, &dec_name, &ds_name, now, nonce);
    let run_dir = output_dir.join("runs").join(&run_id);
    std::fs::create_dir_all(&run_dir)
        .with_context(|| {
            format!(
                "cannot create the run directory {} (is output_dir={} writable?)",
                run_dir.display(),
                output_dir.display()
            )
        })
        .map_err(Failure::run)?;
    std::fs::write(run_dir.join("config.yaml"), cfg.to_yaml())
        .with_context(|| format!("cannot write {}", run_dir.join("config.yaml").display()))
        .map_err(Failure::run)?;
    let log = File::create(run_dir.join("train.log")).ok();
    let mut progress = CliProgress::new(log);
    progress.log(&format!("run {run_id}: encoder={enc_name} decoder={dec_name} dataset={ds_name} protocol={protocol_text} seed={seed} device={device_flag}"));
    for p in cfg.presets() {
        if !p.overridden {
            progress.log(&format!(
                "preset from {}: {}={}",
                p.source.display(),
                p.key,
                p.value
            ));
        }
    }

    let started = Instant::now();
    let entries = Entries {
        encoder: enc_entry,
        decoder: dec_entry,
        dataset: ds_entry,
        criterion: crit_entry,
    };
    let result = execute(
        &cfg,
        &entries,
        &dir,
        seed,
        &device,
        protocol,
        RunPlan {
            protocol,
            trainer,
            optimizer,
            scheduler,
            evaluator,
            seed,
            run_dir: run_dir.clone(),
        },
        &mut progress,
    );
    let (outcome, weights) = match result {
        Ok(r) => r,
        Err(e) => {
            progress.log_only(&format!("FAILED: {e:#}"));
            return Err(Failure::run(e.context(format!(
                "run {run_id} failed (log: {})",
                run_dir.join("train.log").display()
            ))));
        }
    };
    let wall = started.elapsed().as_secs_f64();

    let row = LeaderboardRow {
        run_id: run_id.clone(),
        time: time_text,
        encoder: enc_name.clone(),
        encoder_weights: weights,
        decoder: dec_name.clone(),
        dataset: ds_name.clone(),
        protocol: protocol_text.clone(),
        criterion: crit_name.clone(),
        seed,
        epochs: outcome.history.len() as u32,
        miou: Some(outcome.test.miou),
        mf1: Some(outcome.test.mf1),
        oa: Some(outcome.test.oa),
        macc: Some(outcome.test.macc),
        iou_per_class: IouPerClass(outcome.test.iou.clone()),
        total_params: Some(outcome.total_params as u64),
        trainable_params: Some(outcome.trainable_params as u64),
        train_images_per_s: Some(outcome.train_images_per_s),
        eval_images_per_s: Some(outcome.eval_images_per_s),
        wall_time_s: wall,
        device: device_flag.clone(),
        precision: "fp32".into(),
        eobench_version: env!("CARGO_PKG_VERSION").into(),
        git_rev: env!("EOBENCH_GIT_REV").into(),
        config_hash,
        status: RunStatus::Ok,
    };
    let record = RunRecord {
        row: row.clone(),
        val_best: Some(outcome.val.clone()),
        test: Some(outcome.test.clone()),
        history: outcome.history.clone(),
        best_epoch: Some(outcome.best_epoch as u32),
    };
    record
        .write(&run_dir.join("metrics.json"))
        .map_err(Failure::run)?;
    append_row(&csv, &row).map_err(Failure::run)?;
    progress.log(&format!(
        "result: test mIoU {:.2} %, mF1 {:.2} %, OA {:.2} % (best val mIoU {:.2} % at epoch {}); {:.1} train img/s, {:.1} eval img/s, {:.0} s",
        outcome.test.miou * 100.0,
        outcome.test.mf1 * 100.0,
        outcome.test.oa * 100.0,
        outcome.val.miou * 100.0,
        outcome.best_epoch,
        outcome.train_images_per_s,
        outcome.eval_images_per_s,
        wall
    ));
    println!(
        "{run_id}: test mIoU {:.2} % — row appended to {}",
        outcome.test.miou * 100.0,
        csv.display()
    );
    Ok(())
}

struct Entries {
    encoder: &'static eobench_registry::EncoderEntry,
    decoder: &'static eobench_registry::DecoderEntry,
    dataset: &'static eobench_registry::DatasetEntry,
    criterion: &'static eobench_registry::CriterionEntry,
}

/// Builds everything and trains. Returns the outcome and the encoder's weights label.
#[allow(clippy::too_many_arguments)]
fn execute(
    cfg: &ResolvedConfig,
    entries: &Entries,
    configs: &Path,
    seed: u64,
    device: &eobench_core::burn::tensor::Device,
    protocol: Protocol,
    plan: RunPlan,
    progress: &mut CliProgress,
) -> anyhow::Result<(eobench_core::engine::RunOutcome, String)> {
    let base_dir = configs_dir::base_dir(configs);
    let ds_cfg = section(cfg, "dataset").map_err(|f| f.error)?;
    let open = |split: Split| -> anyhow::Result<Arc<dyn Dataset>> {
        let ctx = DatasetContext {
            split,
            base_dir: &base_dir,
        };
        let ds = guarded(entries.dataset.name, || {
            (entries.dataset.build)(&ds_cfg, &ctx)
        })?;
        Ok(Arc::from(ds))
    };
    let (train, val, test) = (open(Split::Train)?, open(Split::Val)?, open(Split::Test)?);
    for d in [&train, &val, &test] {
        progress.log(&d.describe());
    }
    // Parameter init draws from the device's generator: seed it before building models.
    device.seed(seed);
    let train_device = device.clone().autodiff();
    train_device.seed(seed);
    let spec = train.spec().clone();
    let enc_cfg = section(cfg, "encoder").map_err(|f| f.error)?;
    let encoder = guarded(entries.encoder.name, || {
        (entries.encoder.build)(
            &enc_cfg,
            &EncoderContext {
                device: &train_device,
                dataset: &spec,
            },
        )
    })?;
    let dec_cfg = section(cfg, "decoder").map_err(|f| f.error)?;
    let decoder = guarded(entries.decoder.name, || {
        (entries.decoder.build)(
            &dec_cfg,
            &DecoderContext {
                device: &train_device,
                encoder: encoder.spec(),
                num_classes: spec.num_classes(),
            },
        )
    })?;
    let crit_cfg = section(cfg, "criterion").map_err(|f| f.error)?;
    let criterion = guarded(entries.criterion.name, || {
        (entries.criterion.build)(
            &crit_cfg,
            &CriterionContext {
                device: &train_device,
                num_classes: spec.num_classes(),
                ignore_index: spec.ignore_index,
                class_distribution: &spec.class_distribution,
            },
        )
    })?;
    let pctx = PreprocessContext {
        dataset: &spec,
        encoder: encoder.spec(),
    };
    let train_pipeline = Pipeline::from_config(
        "train",
        &section(cfg, "preprocessing.train").map_err(|f| f.error)?,
        &pctx,
    )?;
    let eval_pipeline = Pipeline::from_config(
        "eval",
        &section(cfg, "preprocessing.eval").map_err(|f| f.error)?,
        &pctx,
    )?;
    for (dm, em) in spec.modalities.iter().zip(&encoder.spec().modalities) {
        let m = eobench_core::bands::match_bands(&dm.bands, &em.bands);
        if !m.missing.is_empty() {
            progress.log(&format!(
                "band match: encoder bands missing from the dataset are zero-filled: {}",
                m.missing.join(", ")
            ));
        }
        if !m.dropped.is_empty() {
            progress.log(&format!(
                "band match: dataset bands the encoder does not use are dropped: {}",
                m.dropped.join(", ")
            ));
        }
    }
    progress.log(&format!(
        "encoder {} ({} params, input {}), decoder {} ({} params), protocol {}",
        encoder.spec().name,
        encoder.params_ref().num_params(),
        encoder.spec().input_size,
        decoder.name(),
        decoder.params_ref().num_params(),
        protocol.as_str()
    ));
    let weights = encoder.spec().weights.clone();
    let mut components = RunComponents {
        encoder,
        decoder,
        criterion,
        train,
        val,
        test,
        train_pipeline: Arc::new(train_pipeline),
        eval_pipeline: Arc::new(eval_pipeline),
    };
    let outcome = train_and_test(&plan, &mut components, device, progress)?;
    Ok((outcome, weights))
}
