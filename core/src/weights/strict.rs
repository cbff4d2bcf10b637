use std::path::{Path, PathBuf};

use crate::burn::module::Module;
use crate::burn::store::{
    ApplyResult, KeyRemapper, ModuleSnapshot, ModuleStore, PyTorchToBurnAdapter, PytorchStore,
    SafetensorsStore,
};
use thiserror::Error;

/// How an official checkpoint's keys map onto a module.
#[derive(Clone, Debug, Default)]
pub struct CheckpointLayout {
    /// Sub-dictionary holding the state dict (`model`, `state_dict`, `s2_encoder`, ...); `.pth` only.
    pub top_level_key: Option<String>,
    /// Regex → replacement applied to checkpoint keys, in order (e.g. `^backbone\.` → ``).
    pub remap: Vec<(String, String)>,
    /// Regexes of checkpoint keys the module does not use on purpose (e.g. `^decoder_`).
    pub ignore_unused: Vec<String>,
    /// Module parameter paths allowed to keep their initial values (`encoder.allow_missing`).
    pub allow_missing: Vec<String>,
}

/// What a load did.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadReport {
    /// Tensors copied into the module.
    pub applied: usize,
    /// Checkpoint keys skipped because `ignore_unused` matched them.
    pub ignored: Vec<String>,
    /// Module parameters left at init because `allow_missing` listed them.
    pub allowed_missing: Vec<String>,
}

/// A checkpoint that does not fit the module.
#[derive(Debug, Error)]
pub enum WeightsError {
    /// The file is not there.
    #[error("{}: weights file not found", path.display())]
    NotFound {
        /// The file.
        path: PathBuf,
    },
    /// Unknown extension.
    #[error("{}: unsupported weights format; use a PyTorch .pth/.pt state dict or .safetensors", path.display())]
    Format {
        /// The file.
        path: PathBuf,
    },
    /// A bad remap or ignore pattern.
    #[error("invalid key pattern '{pattern}': {message}")]
    Pattern {
        /// The pattern.
        pattern: String,
        /// The regex error.
        message: String,
    },
    /// The reader failed (corrupt file, wrong top-level key, ...).
    #[error("{}: cannot read checkpoint: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Reader message.
        message: String,
    },
    /// Module parameters the checkpoint does not provide.
    #[error(
        "{}: {} parameter(s) missing from the checkpoint: {}; is this the right checkpoint for the architecture? \
         (to keep them at random init on purpose, list them in encoder.allow_missing)",
        path.display(), keys.len(), keys.join(", ")
    )]
    Missing {
        /// The file.
        path: PathBuf,
        /// Module paths.
        keys: Vec<String>,
    },
    /// Checkpoint tensors the module has no place for.
    #[error("{}: {} checkpoint tensor(s) not used by the model: {}; wrong checkpoint or architecture size?", path.display(), keys.len(), keys.join(", "))]
    Unused {
        /// The file.
        path: PathBuf,
        /// Checkpoint keys (after remapping).
        keys: Vec<String>,
    },
    /// Shape or dtype mismatches.
    #[error("{}: tensors do not fit the model: {}", path.display(), messages.join("; "))]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// One line per tensor.
        messages: Vec<String>,
    },
}

fn remapper(layout: &CheckpointLayout) -> Result<KeyRemapper, WeightsError> {
    let mut r = KeyRemapper::new();
    for (from, to) in &layout.remap {
        r = r
            .add_pattern(from.as_str(), to.as_str())
            .map_err(|e| WeightsError::Pattern {
                pattern: from.clone(),
                message: e.to_string(),
            })?;
    }
    Ok(r)
}

fn patterns(list: &[String]) -> Result<Vec<regex::Regex>, WeightsError> {
    list.iter()
        .map(|p| {
            regex::Regex::new(p).map_err(|e| WeightsError::Pattern {
                pattern: p.clone(),
                message: e.to_string(),
            })
        })
        .collect()
}

/// Loads `path` into `module` strictly (see the module docs). `.pth`/`.pt` are read as pickled
/// state dicts, `.safetensors` with PyTorch's layout (Linear weights transposed for burn).
pub fn load_weights<M: Module>(
    module: &mut M,
    path: &Path,
    layout: &CheckpointLayout,
) -> Result<LoadReport, WeightsError> {
    if !path.is_file() {
        return Err(WeightsError::NotFound {
            path: path.to_path_buf(),
        });
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let read_err = |message: String| WeightsError::Read {
        path: path.to_path_buf(),
        message: with_zip_hint(message, path),
    };
    let result: ApplyResult = match ext.as_str() {
        "pth" | "pt" | "ckpt" | "bin" => {
            let mut store = PytorchStore::from_file(path)
                .allow_partial(true)
                // Shape/dtype problems come back in the result (reported per tensor as
                // `Mismatch`) instead of as one opaque validation error.
                .validate(false)
                .map_indices_contiguous(false)
                .remap(remapper(layout)?);
            if let Some(key) = &layout.top_level_key {
                store = store.with_top_level_key(key.as_str());
            }
            apply(module, &mut store).map_err(read_err)?
        }
        "safetensors" => {
            let mut store = SafetensorsStore::from_file(path)
                .with_from_adapter(PyTorchToBurnAdapter)
                .allow_partial(true)
                .validate(false)
                .remap(remapper(layout)?);
            apply(module, &mut store).map_err(read_err)?
        }
        _ => {
            return Err(WeightsError::Format {
                path: path.to_path_buf(),
            });
        }
    };
    if !result.errors.is_empty() {
        return Err(WeightsError::Mismatch {
            path: path.to_path_buf(),
            messages: result.errors.iter().map(|e| e.to_string()).collect(),
        });
    }
    let allowed = &layout.allow_missing;
    let (allowed_missing, missing): (Vec<String>, Vec<String>) = result
        .missing
        .iter()
        .map(|(p, _)| p.clone())
        .partition(|p| allowed.contains(p));
    if !missing.is_empty() {
        return Err(WeightsError::Missing {
            path: path.to_path_buf(),
            keys: missing,
        });
    }
    let ignore = patterns(&layout.ignore_unused)?;
    let (ignored, unused): (Vec<String>, Vec<String>) = result
        .unused
        .iter()
        .cloned()
        .partition(|k| ignore.iter().any(|r| r.is_match(k)));
    if !unused.is_empty() {
        return Err(WeightsError::Unused {
            path: path.to_path_buf(),
            keys: unused,
        });
    }
    Ok(LoadReport {
        applied: result.applied.len(),
        ignored,
        allowed_missing,
    })
}

fn apply<M: Module, S: ModuleStore>(module: &mut M, store: &mut S) -> Result<ApplyResult, String> {
    module.load_from(store).map_err(|e| e.to_string())
}

/// zip 9.8.1 (used by burn's PyTorch reader) misplaces the central directory of a valid
/// PyTorch archive whose first directory entry is exactly as long as the zip64 end records
/// (76 bytes, i.e. an archive root name of 21 characters such as `Prithvi_EO_V2_300M_TL`):
/// say how to get around it instead of leaving the user with "Invalid Central Directory header".
fn with_zip_hint(message: String, path: &Path) -> String {
    if !message.contains("Central Directory") {
        return message;
    }
    format!(
        "{message} — probably a bug of the zip reader burn uses, not a corrupt file (python's zipfile reads it); \
         convert the checkpoint to safetensors and pass that instead: \
         python -c \"import torch; from safetensors.torch import save_file; save_file(torch.load('{p}', map_location='cpu', weights_only=True), '{p}.safetensors')\"",
        p = path.display()
    )
}
