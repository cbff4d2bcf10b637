//! Configuration composition: a strict, Hydra-like layering of YAML files.
//!
//! A configs directory holds a root `config.yaml` (a `defaults:` mapping of group -> choice
//! plus top-level keys such as `seed` or `output_dir`) and one subdirectory per group
//! (`encoder/`, `dataset/`, ...) with one YAML file per choice. [`compose`] builds the run's
//! configuration from it in a fixed order:
//!
//! 1. the root keys, then each chosen group file under its group key (with `name:` added);
//! 2. group choices from the command line (`encoder=vit`), wherever they appear;
//! 3. `presets:` declared by component files, in `defaults` group order;
//! 4. command-line overrides (`task.trainer.n_epochs=16`), in argument order;
//! 5. `${a.b}` interpolation.
//!
//! Unlike Hydra, it is strict: an override may only set a key some file already defines
//! (possibly as `null`) unless written `+key=value`, and values must keep their type. Every
//! mistake is reported with the file, the key, and a "did you mean" where one is close.

mod args;
mod compose;
mod error;
mod interpolate;
mod load;
mod overrides;
mod presets;
mod resolved;
mod suggest;
mod tree;

#[cfg(test)]
mod tests;

pub use compose::{ExtraChoice, compose, compose_with, compose_without_presets};
pub use error::ConfigError;
pub use load::{groups, list_choices};
pub use presets::AppliedPreset;
pub use resolved::{GroupChoice, ResolvedConfig};
pub use suggest::suggest;
