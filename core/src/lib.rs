//! eobench-core: the harness. Component traits, band metadata, samples and batches, config
//! composition, raster reading, preprocessing, the training/evaluation engine, metrics and
//! result records. It knows no concrete model or dataset: those are plugins.

pub use burn;

pub mod bands;
pub mod component;
pub mod config;
pub mod device;
pub mod engine;
pub mod memory;
pub mod metrics;
pub mod preprocess;
pub mod raster;
pub mod results;
pub mod rng;
pub mod sample;
pub mod split;
pub mod weights;
