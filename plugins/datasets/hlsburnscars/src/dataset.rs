use std::path::{Path, PathBuf};

use eobench_core::component::{
    ComponentError, Dataset, DatasetContext, DatasetModality, DatasetSpec, Split,
};
use eobench_core::raster::{DType, read_geotiff, read_geotiff_header};
use eobench_core::sample::{ModalityData, Sample, TargetMask};
use eobench_core::split::pangaea_train_val_split;

use crate::config::HlsBurnScarsConfig;
use crate::layout::{ScenePair, scan_split_dir};

const EXPECTED_LAYOUT: &str = "<root>/training/subsetted_512x512_HLS.S30.<tile>.<YYYYDDD>.v1.4_merged.tif + .mask.tif, \
     <root>/validation/ (same naming)";

/// One split of HLS Burn Scars.
pub struct HlsBurnScars {
    spec: DatasetSpec,
    root: PathBuf,
    split: Split,
    scenes: Vec<ScenePair>,
    nodata: f64,
}

fn missing_root(name: &str, cfg: &HlsBurnScarsConfig, detail: String) -> ComponentError {
    ComponentError::Dataset(format!(
        "{detail}. Download {} (≈2.6 GB), extract it, and pass dataset.root=/path/to/hls_burn_scars. \
         Expected layout: {EXPECTED_LAYOUT}. (Dataset '{name}'; to try eobench offline use dataset=hlsburnscars_sample.)",
        cfg.download_url
    ))
}

impl HlsBurnScars {
    /// Opens `ctx.split`, validating the folder layout and every file header up front so a bad
    /// file fails the run before training, naming the file.
    pub fn open(
        name: &str,
        cfg: HlsBurnScarsConfig,
        ctx: &DatasetContext,
    ) -> Result<Self, ComponentError> {
        let config_err = |m: String| ComponentError::Config {
            component: format!("dataset '{name}'"),
            message: m,
        };
        if cfg.bands.len() != cfg.mean.len() || cfg.bands.len() != cfg.std.len() {
            return Err(config_err(format!(
                "{} bands but {} means and {} stds",
                cfg.bands.len(),
                cfg.mean.len(),
                cfg.std.len()
            )));
        }
        if !(0.0..1.0).contains(&cfg.val_fraction) {
            return Err(config_err(format!(
                "val_fraction {} must be within [0, 1)",
                cfg.val_fraction
            )));
        }
        let root_text = cfg
            .root
            .clone()
            .ok_or_else(|| missing_root(name, &cfg, "dataset.root is not set".into()))?;
        let root = if Path::new(&root_text).is_absolute() {
            PathBuf::from(&root_text)
        } else {
            ctx.base_dir.join(&root_text)
        };
        if !root.is_dir() {
            return Err(missing_root(
                name,
                &cfg,
                format!("dataset root {} does not exist", root.display()),
            ));
        }
        let folder = |sub: &str| -> Result<Vec<ScenePair>, ComponentError> {
            let dir = root.join(sub);
            if !dir.is_dir() {
                return Err(missing_root(
                    name,
                    &cfg,
                    format!("{} is missing", dir.display()),
                ));
            }
            scan_split_dir(&dir)
        };
        let scenes = match (cfg.split_scheme.as_str(), ctx.split) {
            ("pangaea", Split::Train | Split::Val) => {
                let all = folder("training")?;
                let (train, val) =
                    pangaea_train_val_split(all.len(), cfg.val_fraction, cfg.split_seed).map_err(
                        |e| {
                            config_err(format!(
                                "cannot split {} scenes of training/: {e}",
                                all.len()
                            ))
                        },
                    )?;
                let pick = if ctx.split == Split::Train {
                    train
                } else {
                    val
                };
                pick.into_iter().map(|i| all[i].clone()).collect()
            }
            ("pangaea", Split::Test) | ("official", Split::Val | Split::Test) => {
                folder("validation")?
            }
            ("official", Split::Train) => folder("training")?,
            (other, _) => {
                return Err(config_err(format!(
                    "split_scheme '{other}' is unknown; use pangaea or official"
                )));
            }
        };
        let spec = DatasetSpec {
            name: name.to_string(),
            modalities: vec![DatasetModality {
                name: cfg.modality.clone(),
                bands: cfg.bands.clone(),
                mean: cfg.mean.clone(),
                std: cfg.std.clone(),
            }],
            classes: cfg.classes.clone(),
            ignore_index: Some(cfg.ignore_index),
            img_size: cfg.img_size,
            class_distribution: cfg.distribution.clone(),
        };
        let dataset = Self {
            spec,
            root,
            split: ctx.split,
            scenes,
            nodata: cfg.nodata,
        };
        dataset.check_headers()?;
        Ok(dataset)
    }

    fn check_headers(&self) -> Result<(), ComponentError> {
        let bands = self.spec.modalities[0].bands.len();
        for pair in &self.scenes {
            let header = read_geotiff_header(&pair.scene)
                .map_err(|e| file_err(&pair.scene, e.to_string()))?;
            if header.bands != bands {
                return Err(file_err(
                    &pair.scene,
                    format!(
                        "has {} bands, HLS Burn Scars scenes have {bands} ({})",
                        header.bands,
                        band_list(&self.spec)
                    ),
                ));
            }
            if !header.dtype.is_float() {
                return Err(file_err(
                    &pair.scene,
                    format!(
                        "stores {}, HLS Burn Scars scenes are float32 reflectance (0–1)",
                        header.dtype.name()
                    ),
                ));
            }
            let mask =
                read_geotiff_header(&pair.mask).map_err(|e| file_err(&pair.mask, e.to_string()))?;
            if mask.bands != 1
                || (mask.height, mask.width) != (header.height, header.width)
                || mask.dtype.is_float()
            {
                return Err(file_err(
                    &pair.mask,
                    format!(
                        "mask must be one integer band of {}x{} (the scene's size); found {} band(s) of {} at {}x{}",
                        header.height,
                        header.width,
                        mask.bands,
                        mask.dtype.name(),
                        mask.height,
                        mask.width
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn band_list(spec: &DatasetSpec) -> String {
    spec.modalities[0]
        .bands
        .iter()
        .map(|b| b.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn file_err(path: &Path, message: String) -> ComponentError {
    ComponentError::File {
        path: path.to_path_buf(),
        message,
    }
}

impl Dataset for HlsBurnScars {
    fn spec(&self) -> &DatasetSpec {
        &self.spec
    }

    fn len(&self) -> usize {
        self.scenes.len()
    }

    fn get(&self, index: usize) -> Result<Sample, ComponentError> {
        let pair = &self.scenes[index];
        let scene = read_geotiff(&pair.scene).map_err(|e| file_err(&pair.scene, e.to_string()))?;
        let mask = read_geotiff(&pair.mask).map_err(|e| file_err(&pair.mask, e.to_string()))?;
        let labels = mask
            .data
            .to_i64()
            .map_err(|e| file_err(&pair.mask, e.to_string()))?;
        let classes = self.spec.num_classes() as i64;
        let ignore = self.spec.ignore_index.unwrap_or(-1);
        if let Some(bad) = labels
            .iter()
            .find(|v| **v != ignore && !(0..classes).contains(*v))
        {
            return Err(file_err(
                &pair.mask,
                format!(
                    "mask value {bad} is not a class (0..{}) nor the ignore index {ignore}",
                    classes - 1
                ),
            ));
        }
        let nodata = scene.nodata.unwrap_or(self.nodata) as f32;
        debug_assert!(matches!(scene.dtype(), DType::F32 | DType::F64));
        Ok(Sample {
            id: pair.stem.clone(),
            modalities: vec![ModalityData {
                name: self.spec.modalities[0].name.clone(),
                bands: self.spec.modalities[0].bands.clone(),
                frames: 1,
                height: scene.height,
                width: scene.width,
                data: scene.data.to_f32(),
                dates: pair.date.into_iter().collect(),
                nodata: Some(nodata),
            }],
            target: Some(TargetMask {
                height: mask.height,
                width: mask.width,
                data: labels,
            }),
        })
    }

    fn describe(&self) -> String {
        format!(
            "{} split of {} ({} scenes)",
            self.split.as_str(),
            self.root.display(),
            self.scenes.len()
        )
    }
}
