//! `eobench bench`: throughput of one encoder + decoder on synthetic batches, per protocol
//! mode, with warm-up and repeated measurement. Performance claims come from here (and from
//! `tools/bench/compare.py`, which runs this next to PyTorch), never from timed tests.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, anyhow, bail};
use eobench_core::burn::tensor::{Device, Distribution, Int, Tensor};
use eobench_core::component::{CriterionContext, DecoderContext, Split, guarded};
use eobench_core::config::compose_without_presets;
use eobench_core::precision::Precision;
use eobench_core::sample::{Batch, BatchModality};
use serde_json::json;

use super::plugin::{extra_choices, load_registry};
use super::session::Session;
use super::{Failure, configs_dir};

/// Bench-only arguments, split off before config composition.
struct BenchArgs {
    batch: usize,
    size: usize,
    modes: Vec<String>,
    warmup: usize,
    repeats: usize,
    gflop_per_image: Option<f64>,
    json: Option<PathBuf>,
}

fn take(args: &mut Vec<String>, key: &str) -> Option<String> {
    let prefix = format!("{key}=");
    let i = args.iter().position(|a| a.starts_with(&prefix))?;
    Some(args.remove(i)[prefix.len()..].to_string())
}

fn parse_bench_args(args: &mut Vec<String>) -> anyhow::Result<BenchArgs> {
    let num = |args: &mut Vec<String>, key: &str, default: usize| -> anyhow::Result<usize> {
        match take(args, key) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => bail!("{key}={v}: expected a positive integer"),
            },
        }
    };
    let batch = num(args, "batch", 8)?;
    let size = num(args, "size", 224)?;
    // Two untimed steps: a training step's heap peaks only in the second step (the optimizer
    // state created by the first is alive next to a full set of activations); the first touch
    // of that memory would otherwise land in the first timed step.
    let warmup = match take(args, "warmup") {
        None => 2,
        Some(v) => v
            .parse()
            .map_err(|_| anyhow!("warmup={v}: expected a number of iterations"))?,
    };
    let repeats = num(args, "repeats", 5)?;
    let mode = take(args, "mode").unwrap_or_else(|| "all".into());
    let modes: Vec<String> = if mode == "all" {
        vec!["infer".into(), "frozen".into(), "finetune".into()]
    } else {
        mode.split(',')
            .map(|m| {
                if ["infer", "frozen", "finetune"].contains(&m) {
                    Ok(m.to_string())
                } else {
                    Err(anyhow!(
                        "mode={mode}: use infer, frozen, finetune, a comma list of them, or all"
                    ))
                }
            })
            .collect::<anyhow::Result<_>>()?
    };
    let gflop_per_image = take(args, "gflop_per_image")
        .map(|v| {
            v.parse::<f64>()
                .map_err(|_| anyhow!("gflop_per_image={v}: expected a number"))
        })
        .transpose()?;
    let json = take(args, "json").map(PathBuf::from);
    Ok(BenchArgs {
        batch,
        size,
        modes,
        warmup,
        repeats,
        gflop_per_image,
        json,
    })
}

/// One mode's timings.
struct Measured {
    mode: String,
    seconds: Vec<f64>,
}

impl Measured {
    fn sorted(&self) -> Vec<f64> {
        let mut s = self.seconds.clone();
        s.sort_by(f64::total_cmp);
        s
    }
    fn median(&self) -> f64 {
        let s = self.sorted();
        let n = s.len();
        if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2.0
        }
    }
}

/// `eobench bench [batch=8] [size=224] [precision=fp32|bf16] [mode=infer|frozen|finetune|all]
/// [warmup=2] [repeats=5] [gflop_per_image=X] [json=FILE] encoder=… decoder=…`.
pub fn bench(configs: Option<&Path>, args: &[String]) -> Result<(), Failure> {
    let mut args = args.to_vec();
    let b = parse_bench_args(&mut args).map_err(Failure::usage)?;
    let dir = configs_dir::locate(configs)?;
    let registry = load_registry(Some(&dir))?;
    let extra = extra_choices(&registry);
    // The benchmark's input size is the encoder's crop size.
    args.push(format!("encoder.input_size={}", b.size));
    // Components' own defaults: the sample dataset's quick-start presets would shrink models.
    let cfg = compose_without_presets(&dir, &args, &extra).map_err(Failure::usage)?;
    let session = Session::new(cfg, &dir, &registry)?;
    let results = measure(&session, &b).map_err(Failure::run)?;
    report(&session, &b, &results).map_err(Failure::run)
}

fn measure(session: &Session, b: &BenchArgs) -> anyhow::Result<Vec<Measured>> {
    let spec = session.open_split(Split::Train)?.spec().clone();
    // `precision=` is the run-wide config key: the session configured the device for it.
    let device = session.device.clone();
    device.seed(session.seed);
    let mut out = Vec::new();
    for mode in &b.modes {
        let train = mode != "infer";
        let dev = if train {
            device.clone().autodiff()
        } else {
            device.clone()
        };
        dev.seed(session.seed);
        let mut encoder = session.build_encoder(&dev, &spec)?;
        let dec_cfg = session.section("decoder")?;
        let entry = session.entries.decoder;
        let mut decoder = guarded(entry.name, || {
            (entry.build)(
                &dec_cfg,
                &DecoderContext {
                    device: &dev,
                    encoder: encoder.spec(),
                    num_classes: spec.num_classes(),
                },
            )
        })?;
        let crit_cfg = session.section("criterion")?;
        let centry = session.entries.criterion;
        let criterion = guarded(centry.name, || {
            (centry.build)(
                &crit_cfg,
                &CriterionContext {
                    device: &dev,
                    num_classes: spec.num_classes(),
                    ignore_index: spec.ignore_index,
                    class_distribution: &spec.class_distribution,
                },
            )
        })?;
        if mode == "frozen" {
            encoder.params().freeze();
        }
        if train && session.precision != Precision::Fp32 {
            // What `eobench run` trains with: f32 master weights (no-op for a frozen encoder).
            encoder.params().keep_f32_master();
            decoder.params().keep_f32_master();
        }
        let batch = synthetic_batch(encoder.spec(), b.batch, b.size, &dev);
        // Labels drawn as integers on the CPU: uniform floats cast on a bf16 device round up to
        // `num_classes` (an invalid class) for values just below it.
        let mut rng = eobench_core::rng::SplitMix64::new(session.seed);
        let labels: Vec<i64> = (0..b.batch * b.size * b.size)
            .map(|_| rng.below(spec.num_classes() as u64) as i64)
            .collect();
        let target: Tensor<3, Int> = Tensor::from_data(
            eobench_core::burn::tensor::TensorData::new(labels, [b.batch, b.size, b.size]),
            &dev,
        );
        let (eval_enc, eval_dec) = (encoder.inference_copy(), decoder.inference_copy());
        let mut optim = eobench_core::burn::optim::AdamWConfig::new()
            .with_weight_decay(0.05)
            .with_epsilon(1e-8)
            .init();
        let mut seconds = Vec::with_capacity(b.repeats);
        for i in 0..b.warmup + b.repeats {
            let start = Instant::now();
            if train {
                let loss = guarded("bench step", || {
                    let mut f = encoder.forward(&batch)?;
                    if mode == "frozen" {
                        f = f.detach();
                    }
                    let logits = decoder.forward(f, [b.size, b.size])?;
                    Ok(criterion.loss(logits, target.clone()))
                })?;
                let mut grads = loss.backward();
                if mode == "finetune" {
                    encoder.params().step(&mut optim, 1e-4, &mut grads);
                }
                decoder.params().step(&mut optim, 1e-4, &mut grads);
            } else {
                let logits = guarded("bench forward", || {
                    let f = eval_enc.forward(&batch)?;
                    eval_dec.forward(f, [b.size, b.size])
                })?;
                // Reading a value waits for asynchronous devices (CUDA) to finish.
                let _: f32 = logits.sum().into_scalar();
            }
            if i >= b.warmup {
                seconds.push(start.elapsed().as_secs_f64());
            }
        }
        out.push(Measured {
            mode: mode.clone(),
            seconds,
        });
    }
    Ok(out)
}

fn synthetic_batch(
    spec: &eobench_core::component::EncoderSpec,
    b: usize,
    size: usize,
    device: &Device,
) -> Batch {
    Batch {
        ids: (0..b).map(|i| format!("bench-{i}")).collect(),
        modalities: spec
            .modalities
            .iter()
            .map(|m| BatchModality {
                name: m.name.clone(),
                bands: m.bands.clone(),
                data: Tensor::random(
                    [b, 1, m.bands.len(), size, size],
                    Distribution::Normal(0.0, 1.0),
                    device,
                ),
                dates: vec![],
            })
            .collect(),
        target: None,
    }
}

fn report(session: &Session, b: &BenchArgs, results: &[Measured]) -> anyhow::Result<()> {
    let peak = eobench_core::memory::peak_rss_mib();
    let threads = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(0, |n| n.get()));
    println!(
        "eobench bench: encoder={} decoder={} batch={} size={} precision={} device={} ({} compute threads), warm-up {} + {} timed iterations",
        session.entries.encoder.name,
        session.entries.decoder.name,
        b.batch,
        b.size,
        session.precision.as_str(),
        session.device_flag,
        threads,
        b.warmup,
        b.repeats
    );
    let mut table = tabled::builder::Builder::default();
    table.push_record([
        "mode",
        "median s",
        "min s",
        "max s",
        "img/s",
        "GFLOP/s",
        "process peak MiB",
    ]);
    let mut rows = Vec::new();
    for m in results {
        let s = m.sorted();
        let median = m.median();
        let ips = b.batch as f64 / median;
        // Training ≈ 3× the forward FLOPs (forward + backward of activations and weights).
        let factor = if m.mode == "infer" { 1.0 } else { 3.0 };
        let gflops = b.gflop_per_image.map(|g| g * factor * ips);
        table.push_record([
            m.mode.clone(),
            format!("{median:.3}"),
            format!("{:.3}", s[0]),
            format!("{:.3}", s[s.len() - 1]),
            format!("{ips:.2}"),
            gflops.map_or("–".into(), |g| format!("{g:.0}")),
            peak.map_or("–".into(), |p| format!("{p:.0}")),
        ]);
        rows.push(json!({
            "mode": m.mode,
            "seconds": m.seconds,
            "median_s": median,
            "min_s": s[0],
            "max_s": s[s.len() - 1],
            "images_per_s": ips,
            "gflop_per_s": gflops,
        }));
    }
    println!(
        "{}",
        table.build().with(tabled::settings::Style::markdown())
    );
    if b.gflop_per_image.is_none() {
        println!(
            "(GFLOP/s needs gflop_per_image=…; tools/bench/compare.py passes PyTorch's count)"
        );
    }
    if let Some(path) = &b.json {
        let doc = json!({
            "encoder": session.entries.encoder.name,
            "decoder": session.entries.decoder.name,
            "batch": b.batch,
            "size": b.size,
            "precision": session.precision.as_str(),
            "device": session.device_flag,
            "peak_rss_mib": peak,
            "modes": rows,
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
