use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::plugin::{extra_choices, load_registry};
use super::progress::CliProgress;
use super::session::{Session, check_protocol};
use super::{Failure, configs_dir};
use anyhow::Context;
use eobench_core::component::{CriterionContext, DecoderContext, Split, guarded};
use eobench_core::config::compose_with;
use eobench_core::engine::{
    EvaluatorConfig, OptimizerConfig, ProgressSink, RunComponents, RunPlan, SchedulerConfig,
    TrainerConfig, train_and_test,
};
use eobench_core::preprocess::{Pipeline, PreprocessContext};
use eobench_core::results::{
    AppendOutcome, IouPerClass, LeaderboardRow, RunRecord, RunStatus, UtcDateTime, append_row,
    append_row_once, new_run_id, read_rows,
};

/// `eobench run [--print-config] [--once] args...`; `once` (used by sweeps) skips a config whose
/// hash already has an `ok` leaderboard row, before training and again at append time.
pub fn run(
    configs: Option<&Path>,
    args: &[String],
    print_config: bool,
    once: bool,
) -> Result<(), Failure> {
    let dir = configs_dir::locate(configs)?;
    let registry = load_registry(Some(&dir))?;
    let cfg = compose_with(&dir, args, &extra_choices(&registry)).map_err(Failure::usage)?;
    if print_config {
        print!("{}", cfg.to_yaml());
        return Ok(());
    }
    let session = Session::new(cfg, &dir, &registry)?;
    let cfg = &session.cfg;
    let e = &session.entries;
    let (enc_name, dec_name, ds_name, crit_name) = (
        e.encoder.name.to_string(),
        e.decoder.name.to_string(),
        e.dataset.name.to_string(),
        e.criterion.name.to_string(),
    );
    let (seed, device_flag) = (session.seed, session.device_flag.clone());
    let protocol = session.protocol;
    let protocol_text = protocol.as_str().to_string();
    check_protocol(protocol, &dec_name).map_err(Failure::usage)?;
    let output_dir: PathBuf = cfg.section("output_dir").map_err(Failure::usage)?;
    let trainer: TrainerConfig = cfg.section("task.trainer").map_err(Failure::usage)?;
    let optimizer: OptimizerConfig = cfg.section("task.optimizer").map_err(Failure::usage)?;
    let scheduler: SchedulerConfig = cfg.section("task.lr_scheduler").map_err(Failure::usage)?;
    let evaluator: EvaluatorConfig = cfg.section("task.evaluator").map_err(Failure::usage)?;

    let csv = output_dir.join("leaderboard.csv");
    let config_hash = cfg.hash();
    if csv.is_file() {
        // Refuse an incompatible leaderboard before spending minutes training.
        let rows = read_rows(&csv).map_err(Failure::run)?;
        if once
            && let Some(done) = rows
                .iter()
                .find(|r| r.status == RunStatus::Ok && r.config_hash == config_hash)
        {
            println!(
                "already done: run {} has config {config_hash}; nothing to do",
                done.run_id
            );
            return Ok(());
        }
    }
    let now = std::time::SystemTime::now();
    let time_text = UtcDateTime::from_system_time(now).rfc3339();
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
        if p.skipped {
            progress.log(&format!(
                "preset from {} skipped: {} has no '{}'",
                p.source.display(),
                p.key.split('.').next().unwrap_or_default(),
                p.key
            ));
        } else if !p.overridden {
            progress.log(&format!(
                "preset from {}: {}={}",
                p.source.display(),
                p.key,
                p.value
            ));
        }
    }

    let started = Instant::now();
    let plan = RunPlan {
        protocol,
        trainer,
        optimizer,
        scheduler,
        evaluator,
        seed,
        run_dir: run_dir.clone(),
        feature_cache: super::feature_cache::settings(&session).map_err(Failure::usage)?,
        precision: session.precision,
    };
    if let Some(fc) = &plan.feature_cache {
        progress.log(&format!(
            "feature cache: frozen-encoder features of scene windows reused (key {}, {})",
            fc.key,
            fc.dir
                .as_ref()
                .map_or("memory only".to_string(), |d| d.display().to_string())
        ));
    }
    let result = execute(&session, plan, &mut progress);
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
    write_overlays(&run_dir, &outcome, &mut progress);
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
        origin: session.origin.clone(),
        seed,
        epochs: outcome.history.len() as u32,
        miou: Some(outcome.test.miou),
        miou_ci_low: outcome.test_miou_ci.map(|ci| ci.low),
        miou_ci_high: outcome.test_miou_ci.map(|ci| ci.high),
        mf1: Some(outcome.test.mf1),
        oa: Some(outcome.test.oa),
        macc: Some(outcome.test.macc),
        iou_per_class: IouPerClass(outcome.test.iou.clone()),
        total_params: Some(outcome.total_params as u64),
        trainable_params: Some(outcome.trainable_params as u64),
        train_images_per_s: Some(outcome.train_images_per_s),
        eval_images_per_s: Some(outcome.eval_images_per_s),
        peak_rss_mib: eobench_core::memory::peak_rss_mib(),
        wall_time_s: wall,
        device: device_flag.clone(),
        precision: session.precision.as_str().into(),
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
    if once {
        if let AppendOutcome::AlreadyDone(other) =
            append_row_once(&csv, &row).map_err(Failure::run)?
        {
            println!(
                "{run_id}: another run ({other}) finished the same config first; row not appended"
            );
            return Ok(());
        }
    } else {
        append_row(&csv, &row).map_err(Failure::run)?;
    }
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

/// Builds everything and trains. Returns the outcome and the encoder's weights label.
fn execute(
    session: &Session,
    plan: RunPlan,
    progress: &mut CliProgress,
) -> anyhow::Result<(eobench_core::engine::RunOutcome, String)> {
    let (train, val, test) = (
        session.open_split(Split::Train)?,
        session.open_split(Split::Val)?,
        session.open_split(Split::Test)?,
    );
    for d in [&train, &val, &test] {
        progress.log(&d.describe());
    }
    // Parameter init draws from the device's generator: seed it before building models.
    let device = &session.device;
    device.seed(session.seed);
    let train_device = device.clone().autodiff();
    train_device.seed(session.seed);
    let spec = train.spec().clone();
    let encoder = session.build_encoder(&train_device, &spec)?;
    let entries = &session.entries;
    let dec_cfg = session.section("decoder")?;
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
    let crit_cfg = session.section("criterion")?;
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
    let train_pipeline =
        Pipeline::from_config("train", &session.section("preprocessing.train")?, &pctx)?;
    let eval_pipeline =
        Pipeline::from_config("eval", &session.section("preprocessing.eval")?, &pctx)?;
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
        "encoder {} ({} params, input {}, weights {}), decoder {} ({} params), protocol {}",
        encoder.spec().name,
        encoder.params_ref().num_params(),
        encoder.spec().input_size,
        encoder.spec().weights,
        decoder.name(),
        decoder.params_ref().num_params(),
        plan.protocol.as_str()
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

/// PNG overlays of the kept test scenes in `<run>/overlays/`; a failure here costs the pictures,
/// not the run.
fn write_overlays(
    run_dir: &Path,
    outcome: &eobench_core::engine::RunOutcome,
    progress: &mut CliProgress,
) {
    if outcome.test_predictions.is_empty() {
        return;
    }
    let dir = run_dir.join("overlays");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        progress.log(&format!(
            "warning: no overlays: cannot create {}: {e}",
            dir.display()
        ));
        return;
    }
    let num_classes = outcome.test.iou.len();
    for scene in &outcome.test_predictions {
        let name: String = scene
            .sample
            .id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!("{name}.png"));
        if let Err(e) = super::overlay::write_overlay(&path, scene, num_classes) {
            progress.log(&format!("warning: overlay {}: {e:#}", path.display()));
        }
    }
    progress.log(&format!(
        "overlays (RGB | truth | prediction) of {} test scenes in {}",
        outcome.test_predictions.len(),
        dir.display()
    ));
}
