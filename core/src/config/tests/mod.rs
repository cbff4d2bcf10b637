//! Unit tests for config composition; each file writes its configs into a temp directory.

mod composition;
mod interpolation;
mod output;
mod overrides;
mod presets;
mod suggest;

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use super::{ConfigError, ResolvedConfig, compose};

/// Writes `files` (relative path, contents) under a fresh temp dir.
fn configs(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, text) in files {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
    dir
}

const ROOT: &str = "\
defaults:
  encoder: unet
  decoder: seg_upernet
  dataset: hlsburnscars
  task: segmentation
seed: 234
device: cpu
protocol: finetune
output_dir: results
";

/// The usual layout: four groups, two encoders, a full and a sample dataset.
fn standard() -> TempDir {
    configs(&[
        ("config.yaml", ROOT),
        (
            "encoder/unet.yaml",
            "depth: 4\nchannels: [32, 64]\npretrained: null\nlr_scale: 0.5\n",
        ),
        (
            "encoder/vit.yaml",
            "name: ViT-S\ndepth: 12\npatch_size: 16\n",
        ),
        ("decoder/seg_upernet.yaml", "channels: 256\ndropout: 0.1\n"),
        (
            "dataset/hlsburnscars.yaml",
            "root: /data/hls\nbands: [B02, B03]\nnum_classes: 2\nuse_cache: false\n",
        ),
        (
            "dataset/hlsburnscars_sample.yaml",
            "root: data/sample\nbands: [B02]\nnum_classes: 2\nuse_cache: false\n\
             presets:\n  task.trainer.n_epochs: 8\n  decoder.channels: 64\n",
        ),
        (
            "task/segmentation.yaml",
            "trainer:\n  n_epochs: 80\n  lr: 0.0001\n  ckpt_dir: null\n\
             evaluator:\n  metrics: [miou]\n",
        ),
        ("criterion/cross_entropy.yaml", "ignore_index: -1\n"),
    ])
}

/// Composes `dir` with string-slice arguments.
fn run(dir: &Path, args: &[&str]) -> Result<ResolvedConfig, ConfigError> {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    compose(dir, &args)
}

/// Composes, expecting failure, and returns the error message.
fn fail(dir: &Path, args: &[&str]) -> String {
    match run(dir, args) {
        Ok(cfg) => panic!("expected an error, got:\n{}", cfg.to_yaml()),
        Err(e) => e.to_string(),
    }
}
