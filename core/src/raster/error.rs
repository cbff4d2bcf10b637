//! The single error type of the raster module.

use std::path::PathBuf;

/// Why a raster could not be read, written or converted.
///
/// File-level variants carry the path so a failure deep inside a data loader still tells
/// the user which of thousands of files is bad, and each message ends with what to do.
#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    /// The path does not exist.
    #[error("{}: file not found; check the dataset root and file name in the config", path.display())]
    NotFound { path: PathBuf },

    /// The OS refused to read or write the file (permissions, I/O failure).
    #[error("{}: I/O error: {source}; check that the file is readable and the disk is healthy", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file does not start with a TIFF/BigTIFF signature.
    #[error("{}: not a TIFF file ({detail}); expected a GeoTIFF (.tif) raster", path.display())]
    NotTiff { path: PathBuf, detail: String },

    /// The file is a TIFF but its structure or compressed data is damaged (often truncation).
    #[error("{}: truncated or corrupt TIFF ({detail}); re-download or re-extract the file", path.display())]
    Corrupt { path: PathBuf, detail: String },

    /// The file uses a compression codec this build cannot decode.
    #[error(
        "{}: unsupported compression {method}; supported are none, LZW, DEFLATE, ZSTD, PackBits and JPEG; \
         re-encode with `gdal_translate -co COMPRESS=DEFLATE in.tif out.tif`",
        path.display()
    )]
    UnsupportedCompression { path: PathBuf, method: String },

    /// A sample layout the reader does not handle (bit depth, sample format, photometric).
    #[error(
        "{}: unsupported TIFF layout: {detail}; convert with `gdal_translate -ot Float32` (or another \
         8/16/32/64-bit type) to a plain multiband GeoTIFF",
        path.display()
    )]
    Unsupported { path: PathBuf, detail: String },

    /// Predictor 3 (floating point) is only defined for float samples; a writer bug produced it.
    #[error(
        "{}: predictor 3 (floating point) is set on {dtype} integer samples, which is invalid; \
         re-encode with `gdal_translate -co PREDICTOR=2`",
        path.display()
    )]
    FloatPredictorOnIntegers { path: PathBuf, dtype: &'static str },

    /// The decoder returned fewer samples than bands x height x width (e.g. missing planes).
    #[error(
        "{}: decoded {got} bytes but {bands} band(s) of {height}x{width} need {expected}; \
         planes are missing or the file is damaged; re-encode it with gdal_translate",
        path.display()
    )]
    MissingPlanes {
        path: PathBuf,
        bands: usize,
        height: usize,
        width: usize,
        expected: usize,
        got: usize,
    },

    /// Decoding would exceed the configured memory cap.
    #[error(
        "{}: decoding needs {needed} bytes, over the limit of {limit}; raise \
         `ReadOptions::max_decoded_bytes` or read a smaller file",
        path.display()
    )]
    TooLarge {
        path: PathBuf,
        needed: u128,
        limit: usize,
    },

    /// A TIFF/GeoTIFF tag is present but its value is unusable.
    #[error("{}: bad {tag} tag: {detail}; fix the file's metadata (e.g. with gdal_edit.py)", path.display())]
    BadTag {
        path: PathBuf,
        tag: &'static str,
        detail: String,
    },

    /// The `tiff` crate panicked; treated as a corrupt file rather than crashing the run.
    #[error("{}: decoder panicked ({message}); the file is probably corrupt, re-download it", path.display())]
    DecoderPanic { path: PathBuf, message: String },

    /// The raster cannot be written as requested.
    #[error("{}: cannot write GeoTIFF: {detail}", path.display())]
    Write { path: PathBuf, detail: String },

    /// The raster cannot be encoded (before any file is touched).
    #[error("cannot encode GeoTIFF: {detail}")]
    Encode { detail: String },

    /// `data` length does not match `bands * height * width`.
    #[error(
        "raster shape {bands}x{height}x{width} needs {expected} values but the data has {actual}"
    )]
    ShapeMismatch {
        bands: usize,
        height: usize,
        width: usize,
        expected: usize,
        actual: usize,
    },

    /// Integer conversion was requested for data that is not integral or does not fit i64.
    #[error(
        "cannot convert {dtype} raster data to i64: {detail}; labels must be stored as an integer type"
    )]
    NotInteger { dtype: &'static str, detail: String },
}
