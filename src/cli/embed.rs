//! `eobench embed`: per-sample encoder features for external use (probes, retrieval, plots).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use eobench_core::component::{Split, guarded};
use eobench_core::config::compose_with;
use eobench_core::preprocess::{Pipeline, PreprocessContext, crop_sample};
use eobench_core::rng::SplitMix64;
use eobench_core::sample::Batch;
use safetensors::{Dtype, tensor::TensorView};

use super::plugin::{extra_choices, load_registry};
use super::session::Session;
use super::{Failure, configs_dir};

/// Splits `split=` and `out=` off the config arguments.
fn take_arg(args: &mut Vec<String>, key: &str) -> Option<String> {
    let prefix = format!("{key}=");
    let i = args.iter().position(|a| a.starts_with(&prefix))?;
    Some(args.remove(i)[prefix.len()..].to_string())
}

/// `eobench embed [split=test] [out=FILE] args...`: runs the encoder (weights as configured,
/// eval mode) over every sample of a split after the evaluation preprocessing, on the centre
/// window of the encoder's input size, and writes one safetensors file with a tensor
/// `<sample id>/layer<i>` of shape (C, h, w) per output layer.
pub fn embed(configs: Option<&Path>, args: &[String]) -> Result<(), Failure> {
    let mut args = args.to_vec();
    let split = match take_arg(&mut args, "split").as_deref().unwrap_or("test") {
        "train" => Split::Train,
        "val" => Split::Val,
        "test" => Split::Test,
        other => {
            return Err(Failure::usage(anyhow!(
                "split={other}: use train, val or test"
            )));
        }
    };
    let out = take_arg(&mut args, "out");
    let dir = configs_dir::locate(configs)?;
    let registry = load_registry(Some(&dir))?;
    let cfg = compose_with(&dir, &args, &extra_choices(&registry)).map_err(Failure::usage)?;
    let session = Session::new(cfg, &dir, &registry)?;
    let out = out.map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(format!(
            "{}-{}-{}.safetensors",
            session.entries.encoder.name,
            session.entries.dataset.name,
            split.as_str()
        ))
    });
    write_embeddings(&session, split, &out).map_err(Failure::run)?;
    println!("wrote {}", out.display());
    Ok(())
}

fn write_embeddings(session: &Session, split: Split, out: &Path) -> anyhow::Result<()> {
    let dataset = session.open_split(split)?;
    session.device.seed(session.seed);
    let spec = dataset.spec().clone();
    let encoder = session
        .build_encoder(&session.device, &spec)?
        .inference_copy();
    let pctx = PreprocessContext {
        dataset: &spec,
        encoder: encoder.spec(),
    };
    let pipeline = Pipeline::from_config("eval", &session.section("preprocessing.eval")?, &pctx)?;
    let size = encoder.spec().input_size;
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for i in 0..dataset.len() {
        let mut sample = guarded("dataset", || dataset.get(i))?;
        pipeline.apply(&mut sample, &mut SplitMix64::new(0))?;
        let (h, w) = sample.spatial_size();
        let (top, left) = (
            (h as isize - size as isize) / 2,
            (w as isize - size as isize) / 2,
        );
        crop_sample(&mut sample, top, left, size, size, -1);
        for m in &mut sample.modalities {
            m.data
                .iter_mut()
                .filter(|v| v.is_nan())
                .for_each(|v| *v = 0.0);
        }
        let batch = Batch::collate(std::slice::from_ref(&sample), &session.device)?;
        let features = guarded("encoder forward", || encoder.forward(&batch))?;
        for (layer, map) in features.maps.into_iter().enumerate() {
            let [_, c, fh, fw] = map.dims();
            let values = map
                .into_data()
                .convert::<f32>()
                .try_to_vec::<f32>()
                .map_err(|e| anyhow!("{e:?}"))?;
            let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            tensors.push((
                format!("{}/layer{layer}", sample.id),
                vec![c, fh, fw],
                bytes,
            ));
        }
        eprintln!("embedded {}/{}: {}", i + 1, dataset.len(), sample.id);
    }
    let views = tensors
        .iter()
        .map(|(name, shape, bytes)| {
            Ok((
                name.clone(),
                TensorView::new(Dtype::F32, shape.clone(), bytes)?,
            ))
        })
        .collect::<Result<Vec<_>, safetensors::SafeTensorError>>()?;
    let metadata = HashMap::from([
        ("encoder".to_string(), encoder.spec().name.clone()),
        ("weights".to_string(), encoder.spec().weights.clone()),
        ("dataset".to_string(), spec.name.clone()),
        ("split".to_string(), split.as_str().to_string()),
        (
            "output_layers".to_string(),
            format!("{:?}", encoder.spec().output_layers),
        ),
        ("config_hash".to_string(), session.cfg.hash()),
    ]);
    safetensors::serialize_to_file(views, Some(metadata), out)
        .with_context(|| format!("cannot write {}", out.display()))?;
    Ok(())
}
