//! HLS Burn Scars (NASA IMPACT / IBM, CC BY 4.0): 804 HLS S30 scenes of 512×512 px at 30 m with
//! burn-scar masks, in the layout the dataset is distributed in. See README.md.
//!
//! Registers two datasets with one loader: `hlsburnscars` (the real data, `dataset.root=`) and
//! `hlsburnscars_sample` (the small synthetic sample shipped in `sample/`).

mod config;
mod dataset;
mod layout;
pub mod synthetic;

pub use config::HlsBurnScarsConfig;
pub use dataset::HlsBurnScars;
pub use layout::{ScenePair, scan_split_dir};

use eobench_core::component::{ComponentError, Dataset, DatasetContext, parse_config};

fn build_real(
    value: &serde_json::Value,
    ctx: &DatasetContext,
) -> Result<Box<dyn Dataset>, ComponentError> {
    let cfg: HlsBurnScarsConfig = parse_config("dataset", "hlsburnscars", value)?;
    Ok(Box::new(HlsBurnScars::open("hlsburnscars", cfg, ctx)?))
}

fn build_sample(
    value: &serde_json::Value,
    ctx: &DatasetContext,
) -> Result<Box<dyn Dataset>, ComponentError> {
    let cfg: HlsBurnScarsConfig = parse_config("dataset", "hlsburnscars_sample", value)?;
    Ok(Box::new(HlsBurnScars::open(
        "hlsburnscars_sample",
        cfg,
        ctx,
    )?))
}

eobench_registry::register_dataset!(
    "hlsburnscars",
    "HLS Burn Scars: 6-band HLS S30 30 m scenes, 2 classes (burn scar), Pangaea split",
    build_real
);
eobench_registry::register_dataset!(
    "hlsburnscars_sample",
    "Synthetic 64x64 sample in the exact HLS Burn Scars format, shipped for offline runs",
    build_sample
);
