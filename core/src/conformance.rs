//! The conformance suite every encoder should pass, for `eobench plugin check` and for a
//! plugin crate's own tests (`eobench_core::conformance::check_encoder`).
//!
//! Each check returns a row (name, passed, detail) instead of panicking, so a broken plugin
//! yields a full table of what works and what does not.

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::Value;

use crate::burn::tensor::{Device, Distribution, Tensor};
use crate::component::{ComponentError, DatasetSpec, Encoder, EncoderContext, EncoderSpec};
use crate::sample::{Batch, BatchModality};

/// One conformance check's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// Whether it held.
    pub passed: bool,
    /// Numbers or the error.
    pub detail: String,
}

/// An encoder factory (the `build` of a registry entry).
pub type BuildEncoder = fn(&Value, &EncoderContext) -> Result<Box<dyn Encoder>, ComponentError>;

fn check(name: &'static str, outcome: Result<String, String>) -> Check {
    match outcome {
        Ok(detail) => Check {
            name,
            passed: true,
            detail,
        },
        Err(detail) => Check {
            name,
            passed: false,
            detail,
        },
    }
}

fn caught<T>(f: impl FnOnce() -> Result<T, ComponentError>) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.to_string()),
        Err(p) => Err(format!(
            "panicked: {}",
            p.downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default()
        )),
    }
}

/// A batch of `b` N(0,1) single-frame samples with exactly the bands `spec` declares.
pub fn random_batch(spec: &EncoderSpec, b: usize, device: &Device) -> Batch {
    let size = spec.input_size;
    Batch {
        ids: (0..b).map(|i| format!("conformance-{i}")).collect(),
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

fn values(maps: &[Tensor<4>]) -> Vec<Vec<f32>> {
    maps.iter()
        .map(|m| {
            m.clone()
                .into_data()
                .convert::<f32>()
                .try_into_vec::<f32>()
                .unwrap_or_default()
        })
        .collect()
}

fn max_abs_diff(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).abs()))
        .fold(0.0, f32::max)
}

/// Runs the encoder checks: build, declared bands, output shapes at every declared layer,
/// refusal of a wrong band count, determinism, parameter count, save/load round trip and no
/// gradients when frozen. `config` is the component's config section, `dataset` what it is
/// built for.
pub fn check_encoder(build: BuildEncoder, config: &Value, dataset: &DatasetSpec) -> Vec<Check> {
    let device = Device::flex();
    let mut out = Vec::new();
    let built = caught(|| {
        build(
            config,
            &EncoderContext {
                device: &device,
                dataset,
            },
        )
    });
    let encoder = match built {
        Ok(e) => {
            out.push(check("builds", Ok(format!("'{}'", e.spec().name))));
            e
        }
        Err(e) => {
            out.push(check("builds", Err(e)));
            return out;
        }
    };
    let spec = encoder.spec().clone();
    let eval = encoder.inference_copy();
    let batch = random_batch(&spec, 2, &device);

    let first = caught(|| eval.forward(&batch));
    out.push(check(
        "declared bands accepted",
        first
            .as_ref()
            .map(|_| {
                spec.modalities
                    .iter()
                    .map(|m| format!("{}: {} bands", m.name, m.bands.len()))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .map_err(Clone::clone),
    ));
    let Ok(first) = first else {
        return out;
    };
    out.push(check("output shapes", {
        let size = spec.input_size;
        let mut problems = Vec::new();
        let mut shapes = Vec::new();
        if first.maps.len() != spec.output_dims.len() {
            problems.push(format!(
                "{} maps for {} declared layers",
                first.maps.len(),
                spec.output_dims.len()
            ));
        }
        for (i, m) in first.maps.iter().enumerate() {
            let dims = m.dims();
            let want = [
                2,
                spec.output_dims.get(i).copied().unwrap_or(0),
                size / spec.output_strides.get(i).copied().unwrap_or(1).max(1),
                size / spec.output_strides.get(i).copied().unwrap_or(1).max(1),
            ];
            shapes.push(format!("{dims:?}"));
            if dims != want {
                problems.push(format!("layer {i}: {dims:?}, declared {want:?}"));
            }
        }
        if problems.is_empty() {
            Ok(shapes.join(" "))
        } else {
            Err(problems.join("; "))
        }
    }));

    let n_bands: usize = spec.modalities.iter().map(|m| m.bands.len()).sum();
    if n_bands > 1 {
        let mut fewer = batch.clone();
        let m = &mut fewer.modalities[0];
        let [b, t, c, h, w] = m.data.dims();
        m.data = m.data.clone().slice([0..b, 0..t, 0..c - 1, 0..h, 0..w]);
        m.bands.pop();
        out.push(check(
            "wrong band count refused",
            match caught(|| eval.forward(&fewer)) {
                Err(e) if !e.starts_with("panicked") => {
                    Ok(e.lines().next().unwrap_or("").to_string())
                }
                Err(e) => Err(format!("a panic instead of an error: {e}")),
                Ok(_) => Err("a batch missing a declared band was accepted".into()),
            },
        ));
    }

    out.push(check(
        "deterministic",
        caught(|| eval.forward(&batch)).and_then(|again| {
            let d = max_abs_diff(&values(&first.maps), &values(&again.maps));
            if d == 0.0 {
                Ok("two forward passes identical".into())
            } else {
                Err(format!("two forward passes differ by {d:e}"))
            }
        }),
    ));

    let params = encoder.params_ref().num_params();
    out.push(check(
        "parameter count",
        if params > 0 {
            Ok(format!("{params} parameters"))
        } else {
            Err("no parameters".into())
        },
    ));

    out.push(check("save/load round trip", {
        let dir = std::env::temp_dir().join(format!(
            "eobench-conformance-{}-{}",
            std::process::id(),
            spec.name
        ));
        let path = dir.join("encoder.bpk");
        let result = (|| -> Result<String, String> {
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            caught(|| encoder.params_ref().save(&path))?;
            device.seed(0x5eed);
            let mut fresh = caught(|| {
                build(
                    config,
                    &EncoderContext {
                        device: &device,
                        dataset,
                    },
                )
            })?;
            caught(|| fresh.params().load(&path))?;
            let again = caught(|| fresh.inference_copy().forward(&batch))?;
            let d = max_abs_diff(&values(&first.maps), &values(&again.maps));
            if d <= 1e-6 {
                Ok(format!("reloaded outputs within {d:e}"))
            } else {
                Err(format!("reloaded outputs differ by {d:e}"))
            }
        })();
        let _ = std::fs::remove_dir_all(&dir);
        result
    }));

    out.push(check("backward reaches parameters", {
        let train_device = device.clone().autodiff();
        caught(|| {
            build(
                config,
                &EncoderContext {
                    device: &train_device,
                    dataset,
                },
            )
        })
        .and_then(|mut e| {
            let batch = random_batch(&spec, 1, &train_device);
            let before = values(&caught(|| e.inference_copy().forward(&batch))?.maps);
            let features = caught(|| e.forward(&batch))?;
            let loss = features
                .maps
                .into_iter()
                .map(|m| m.powf_scalar(2.0).mean())
                .reduce(|a, b| a + b)
                .ok_or("no feature maps")?;
            let mut grads = caught(|| Ok(loss.backward()))?;
            let mut optim = crate::burn::optim::AdamWConfig::new().init();
            caught(|| {
                e.params().step(&mut optim, 1e-2, &mut grads);
                Ok(())
            })?;
            let after = values(&caught(|| e.inference_copy().forward(&batch))?.maps);
            let d = max_abs_diff(&before, &after);
            if d > 0.0 {
                Ok(format!("one AdamW step moved the outputs by {d:.2e}"))
            } else {
                Err(
                    "one AdamW step left the outputs unchanged: no gradient reached the parameters"
                        .into(),
                )
            }
        })
    }));

    out.push(check("frozen has no gradients", {
        let train_device = device.clone().autodiff();
        caught(|| {
            build(
                config,
                &EncoderContext {
                    device: &train_device,
                    dataset,
                },
            )
        })
        .and_then(|mut e| {
            e.params().freeze();
            let trainable = e.params_ref().num_trainable_params();
            let batch = random_batch(&spec, 1, &train_device);
            let features = caught(|| e.forward(&batch))?;
            let tracked = features.maps.iter().filter(|m| m.is_require_grad()).count();
            if trainable == 0 && tracked == 0 {
                Ok("0 trainable parameters, outputs untracked".into())
            } else {
                Err(format!(
                    "{trainable} trainable parameters and {tracked} tracked outputs after freeze()"
                ))
            }
        })
    }));
    out
}
