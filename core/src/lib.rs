//! eobench-core: the harness. Component traits, band metadata, samples and batches, config
//! composition, raster reading, preprocessing, the training/evaluation engine, metrics and
//! result records. It knows no concrete model or dataset: those are plugins.

// Plugins reach burn through this re-export so that, with `dynamic-plugins`, every crate uses
// the one shared copy in the eobench-burn library instead of linking its own.
#[cfg(not(feature = "dynamic-plugins"))]
pub use ::burn;
#[cfg(feature = "dynamic-plugins")]
pub use eobench_burn::burn;

/// Identifies the copy of burn this code runs against: the shared eobench-burn library's anchor
/// address with `dynamic-plugins`, else an address inside this image (which no other image
/// shares), so a host and a plugin agree exactly when both use the one shared burn.
pub fn burn_image_anchor() -> usize {
    #[cfg(feature = "dynamic-plugins")]
    {
        eobench_burn::image_anchor()
    }
    #[cfg(not(feature = "dynamic-plugins"))]
    {
        static LOCAL: u8 = 0;
        std::ptr::addr_of!(LOCAL) as usize
    }
}

/// eobench-core's version; plugins built against another are refused.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod bands;
pub mod component;
pub mod config;
pub mod conformance;
pub mod device;
pub mod engine;
pub mod memory;
pub mod metrics;
pub mod precision;
pub mod preprocess;
pub mod raster;
pub mod results;
pub mod rng;
pub mod sample;
pub mod split;
pub mod weights;
