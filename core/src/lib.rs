//! eobench-core: the harness. Component traits, band metadata, samples and batches, config
//! composition, raster reading, preprocessing, the training/evaluation engine, metrics and
//! result records. It knows no concrete model or dataset: those are plugins.

pub use burn;

pub mod bands;
pub mod component;
// WIP-INTEGRATE pub mod config;
pub mod device;
pub mod engine;
// WIP-INTEGRATE pub mod metrics;
pub mod preprocess;
// WIP-INTEGRATE pub mod raster;
// WIP-INTEGRATE pub mod results;
pub mod rng;
pub mod sample;
// WIP-INTEGRATE pub mod split;

// WIP-INTEGRATE: temporary stand-in until the config module lands.
pub mod config {
    /// Closest option.
    pub fn suggest(candidate: &str, options: &[&str]) -> Option<String> {
        options.iter().find(|o| o.starts_with(&candidate[..1.min(candidate.len())])).map(|s| s.to_string())
    }
}
