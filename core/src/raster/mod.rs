//! GeoTIFF reading and writing for eobench.
//!
//! EO datasets ship GeoTIFFs in many encodings (uncompressed HLS scenes, DEFLATE planar
//! Sen1Floods11 chips, LZW/ZSTD tiled COGs, BigTIFF, every integer and float sample type).
//! [`read_geotiff`] decodes all of them into one band-first (C,H,W) [`Raster`] so loaders
//! never care how a file was encoded. It wraps the pure-Rust `tiff` crate and guards its
//! known traps: `read_image()` silently returns only the first plane of a
//! PlanarConfiguration=2 file, pixel-interleaved files decode as (H,W,C), and the default
//! decoder limits reject ordinary large scenes.
//!
//! [`write_geotiff`] writes the simplest correct GeoTIFF (uncompressed, pixel-interleaved,
//! striped classic TIFF with GDAL_NODATA and GeoKeys), byte-deterministically, for synthetic
//! fixtures in the HLS Burn Scars format.
//!
//! Every error names the file, says what is wrong and what to do ([`RasterError`]); bad
//! input never panics.

mod data;
mod dtype;
mod error;
mod geo;
mod reader;
mod tiles;
mod writer;

#[cfg(test)]
mod tests;

pub use data::{Raster, RasterData, RasterHeader};
pub use dtype::DType;
pub use error::RasterError;
pub use geo::GeoReference;
pub use reader::{ReadOptions, read_geotiff, read_geotiff_header, read_geotiff_with};
pub use writer::{encode_geotiff, write_geotiff};
