//! Loading official checkpoints unchanged. Pangaea loads with `strict=False` and silently leaves
//! mismatched tensors at their random init; eobench is strict: every module parameter must come
//! from the checkpoint (unless listed in `allow_missing`), and every checkpoint tensor must be
//! used (unless a documented pattern, e.g. an MAE decoder, says it is not needed).

mod resolve;
mod strict;

pub use resolve::{Release, WeightsSource, resolve_weights};
pub use strict::{CheckpointLayout, LoadReport, WeightsError, load_weights};

#[cfg(test)]
mod tests;
