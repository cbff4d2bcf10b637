//! GeoTIFF reader over the `tiff` crate: any compression/predictor/layout/sample type it
//! decodes, returned band-first.

use std::fs::File;
use std::io::{BufReader, ErrorKind};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use tiff::decoder::{ChunkType, Decoder, DecodingResult, Limits};
use tiff::tags::Tag;
use tiff::{TiffError, TiffFormatError, TiffUnsupportedError};

use super::data::{Raster, RasterData, RasterHeader};
use super::dtype::DType;
use super::error::RasterError;
use super::geo;
use super::tiles::decode_tiled_planar;

/// Knobs for [`read_geotiff_with`].
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Upper bound on decoded bytes. The `tiff` default (256 MiB) rejects ordinary large
    /// scenes, while no bound lets a corrupt header request terabytes; 4 GiB by default.
    pub max_decoded_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_decoded_bytes: 4 << 30,
        }
    }
}

/// Reads the first image of a (Geo)TIFF as (C,H,W) samples with nodata and georeference.
pub fn read_geotiff(path: &Path) -> Result<Raster, RasterError> {
    read_geotiff_with(path, &ReadOptions::default())
}

/// [`read_geotiff`] with explicit options.
pub fn read_geotiff_with(path: &Path, options: &ReadOptions) -> Result<Raster, RasterError> {
    guarded(path, || {
        let mut decoder = open(path, options)?;
        let header = header(path, &mut decoder, options)?;
        let data = decode(path, &mut decoder, &header)?;
        Ok(Raster {
            bands: header.bands,
            height: header.height,
            width: header.width,
            data,
            nodata: header.nodata,
            geo: header.geo,
        })
    })
}

/// Reads shape, dtype, nodata and georeference from the tags only (no pixel decoding),
/// so a dataset's files can be validated quickly before a run.
pub fn read_geotiff_header(path: &Path) -> Result<RasterHeader, RasterError> {
    // Nothing is decoded, so the decode cap does not apply: huge scenes still report shape.
    let options = ReadOptions {
        max_decoded_bytes: usize::MAX,
    };
    guarded(path, || {
        let mut decoder = open(path, &options)?;
        header(path, &mut decoder, &options)
    })
}

type FileDecoder = Decoder<BufReader<File>>;

/// Runs `f`, turning a panic inside the `tiff` crate into an error: one malformed file
/// must not abort a benchmark run.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T, RasterError>) -> Result<T, RasterError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(RasterError::DecoderPanic {
            path: path.to_path_buf(),
            message,
        })
    })
}

fn open(path: &Path, options: &ReadOptions) -> Result<FileDecoder, RasterError> {
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let len = file.metadata().map_err(|e| io_error(path, e))?.len();
    if len == 0 {
        return Err(RasterError::NotTiff {
            path: path.to_path_buf(),
            detail: "the file is empty".to_string(),
        });
    }
    let mut limits = Limits::default();
    limits.decoding_buffer_size = options.max_decoded_bytes;
    limits.intermediate_buffer_size = options.max_decoded_bytes;
    // Tile offset/bytecount arrays of large COGs exceed the 1 MiB default.
    limits.ifd_value_size = 64 << 20;
    let decoder = Decoder::new(BufReader::new(file)).map_err(|e| tiff_error(path, e))?;
    Ok(decoder.with_limits(limits))
}

fn io_error(path: &Path, source: std::io::Error) -> RasterError {
    let path = path.to_path_buf();
    match source.kind() {
        ErrorKind::NotFound => RasterError::NotFound { path },
        _ => RasterError::Io { path, source },
    }
}

/// Maps a `tiff` error to the variant that tells the user what to do.
fn tiff_error(path: &Path, err: TiffError) -> RasterError {
    let path = path.to_path_buf();
    match err {
        TiffError::IoError(e) if e.kind() == ErrorKind::UnexpectedEof => RasterError::Corrupt {
            path,
            detail: "the file ends early (truncated)".to_string(),
        },
        TiffError::IoError(source) => RasterError::Io { path, source },
        TiffError::FormatError(
            e @ (TiffFormatError::TiffSignatureNotFound | TiffFormatError::TiffSignatureInvalid),
        ) => RasterError::NotTiff {
            path,
            detail: e.to_string(),
        },
        TiffError::UnsupportedError(TiffUnsupportedError::UnsupportedCompressionMethod(m)) => {
            RasterError::UnsupportedCompression {
                path,
                method: format!("{m:?}"),
            }
        }
        TiffError::UnsupportedError(TiffUnsupportedError::UnknownCompressionMethod) => {
            RasterError::UnsupportedCompression {
                path,
                method: "(unknown)".to_string(),
            }
        }
        TiffError::UnsupportedError(e) => RasterError::Unsupported {
            path,
            detail: e.to_string(),
        },
        other => RasterError::Corrupt {
            path,
            detail: other.to_string(),
        },
    }
}

/// Compression codes this build decodes (the `tiff` default features plus `zstd`).
fn compression_name(code: u16) -> Option<&'static str> {
    Some(match code {
        1 => "none",
        5 => "LZW",
        7 => "JPEG",
        8 | 32946 => "DEFLATE",
        32773 => "PackBits",
        50000 => "ZSTD",
        _ => return None,
    })
}

/// Names for codecs seen in EO files that we cannot decode, for the error message.
fn unsupported_compression_name(code: u16) -> String {
    let name = match code {
        2..=4 => "CCITT fax",
        6 => "old-style JPEG",
        34712 => "JPEG2000",
        34887 => "LERC",
        34925 => "LZMA",
        50001 => "WebP",
        50002 | 52546 => "JPEG XL",
        _ => "unknown",
    };
    format!("{name} (code {code})")
}

fn header(
    path: &Path,
    decoder: &mut FileDecoder,
    options: &ReadOptions,
) -> Result<RasterHeader, RasterError> {
    let terr = |e| tiff_error(path, e);
    let unsupported = |detail: String| RasterError::Unsupported {
        path: path.to_path_buf(),
        detail,
    };
    let (width, height) = decoder.dimensions().map_err(terr)?;
    let bands = decoder
        .find_tag_unsigned::<u16>(Tag::SamplesPerPixel)
        .map_err(terr)?
        .unwrap_or(1);
    let bits = decoder
        .find_tag_unsigned_vec::<u16>(Tag::BitsPerSample)
        .map_err(terr)?
        .unwrap_or_else(|| vec![1]);
    let formats = decoder
        .find_tag_unsigned_vec::<u16>(Tag::SampleFormat)
        .map_err(terr)?
        .unwrap_or_else(|| vec![1]);
    if bits.iter().any(|&b| b != bits[0]) || formats.iter().any(|&f| f != formats[0]) {
        let detail = format!("mixed sample types per band (bits {bits:?}, formats {formats:?})");
        return Err(unsupported(detail));
    }
    let dtype = DType::from_tiff(formats[0], bits[0]).ok_or_else(|| {
        unsupported(format!(
            "{}-bit samples with SampleFormat {} (only 8/16/32/64-bit integers and 32/64-bit floats)",
            bits[0], formats[0]
        ))
    })?;

    let compression = decoder
        .find_tag_unsigned::<u16>(Tag::Compression)
        .map_err(terr)?
        .unwrap_or(1);
    if compression_name(compression).is_none() {
        return Err(RasterError::UnsupportedCompression {
            path: path.to_path_buf(),
            method: unsupported_compression_name(compression),
        });
    }
    let predictor = decoder
        .find_tag_unsigned::<u16>(Tag::Predictor)
        .map_err(terr)?
        .unwrap_or(1);
    if predictor == 3 && !dtype.is_float() {
        return Err(RasterError::FloatPredictorOnIntegers {
            path: path.to_path_buf(),
            dtype: dtype.name(),
        });
    }
    // Surfaces unsupported photometric interpretations (palette, Lab, ...) before decoding.
    decoder.colortype().map_err(terr)?;

    let (bands, height, width) = (usize::from(bands), height as usize, width as usize);
    if bands == 0 || height == 0 || width == 0 {
        return Err(RasterError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("empty image: {bands} band(s) of {height}x{width}"),
        });
    }
    let needed = bands as u128 * height as u128 * width as u128 * dtype.size_bytes() as u128;
    if needed > options.max_decoded_bytes as u128 {
        return Err(RasterError::TooLarge {
            path: path.to_path_buf(),
            needed,
            limit: options.max_decoded_bytes,
        });
    }
    Ok(RasterHeader {
        bands,
        height,
        width,
        dtype,
        nodata: nodata(path, decoder)?,
        geo: georeference(path, decoder)?,
    })
}

/// GDAL_NODATA is ASCII ("-9999", "nan", "0"); parsed as f64 so NaN survives.
fn nodata(path: &Path, decoder: &mut FileDecoder) -> Result<Option<f64>, RasterError> {
    let bad = |detail: String| RasterError::BadTag {
        path: path.to_path_buf(),
        tag: "GDAL_NODATA",
        detail,
    };
    let Some(value) = decoder
        .find_tag(Tag::GdalNodata)
        .map_err(|e| tiff_error(path, e))?
    else {
        return Ok(None);
    };
    let text = value
        .into_string()
        .map_err(|_| bad("not an ASCII value".to_string()))?;
    let text = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<f64>()
        .map(Some)
        .map_err(|_| bad(format!("{text:?} is not a number")))
}

fn georeference(
    path: &Path,
    decoder: &mut FileDecoder,
) -> Result<Option<geo::GeoReference>, RasterError> {
    let mut f64_tag = |tag: Tag, name: &'static str| -> Result<Option<Vec<f64>>, RasterError> {
        match decoder.find_tag(tag).map_err(|e| tiff_error(path, e))? {
            None => Ok(None),
            Some(v) => v.into_f64_vec().map(Some).map_err(|_| RasterError::BadTag {
                path: path.to_path_buf(),
                tag: name,
                detail: "values are not DOUBLE".to_string(),
            }),
        }
    };
    let scale = f64_tag(Tag::ModelPixelScaleTag, "ModelPixelScale")?;
    let tiepoint = f64_tag(Tag::ModelTiepointTag, "ModelTiepoint")?;
    let transformation = f64_tag(Tag::ModelTransformationTag, "ModelTransformation")?;
    let keys = decoder
        .find_tag_unsigned_vec::<u16>(Tag::GeoKeyDirectoryTag)
        .map_err(|e| tiff_error(path, e))?;
    geo::parse(scale, tiepoint, transformation, keys).map_err(|(tag, detail)| RasterError::BadTag {
        path: path.to_path_buf(),
        tag,
        detail,
    })
}

/// Decodes all planes and reorders to (C,H,W). Uses `read_image_to_buffer` because
/// `read_image` returns only the first plane of PlanarConfiguration=2 files, and decodes
/// tiled planar files tile by tile (see `tiles.rs`).
fn decode(
    path: &Path,
    decoder: &mut FileDecoder,
    header: &RasterHeader,
) -> Result<RasterData, RasterError> {
    let planar = decoder
        .find_tag_unsigned::<u16>(Tag::PlanarConfiguration)
        .map_err(|e| tiff_error(path, e))?
        .unwrap_or(1);
    let (bands, pixels) = (header.bands, header.height * header.width);
    if planar == 2 && bands > 1 && decoder.get_chunk_type() == ChunkType::Tile {
        let size = header.dtype.size_bytes();
        let bytes = decode_tiled_planar(decoder, bands, header.height, header.width, size)
            .map_err(|e| tiff_error(path, e))?
            .ok_or_else(|| RasterError::Corrupt {
                path: path.to_path_buf(),
                detail: "tile size or tile offsets do not match the image".to_string(),
            })?;
        return Ok(from_ne_bytes(header.dtype, &bytes));
    }
    let mut buffer = DecodingResult::U8(Vec::new());
    let layout = decoder
        .read_image_to_buffer(&mut buffer)
        .map_err(|e| tiff_error(path, e))?;
    let expected = bands * pixels * header.dtype.size_bytes();
    let got = buffer.as_buffer(0).byte_len();
    if got < expected || layout.complete_len < expected {
        return Err(RasterError::MissingPlanes {
            path: path.to_path_buf(),
            bands,
            height: header.height,
            width: header.width,
            expected,
            got: got.min(layout.complete_len),
        });
    }
    let interleaved = planar == 1 && bands > 1;
    let n = bands * pixels;
    macro_rules! chw {
        ($variant:ident, $v:expr) => {
            RasterData::$variant(to_chw($v, n, bands, interleaved))
        };
    }
    let data = match buffer {
        DecodingResult::U8(v) => chw!(U8, v),
        DecodingResult::I8(v) => chw!(I8, v),
        DecodingResult::U16(v) => chw!(U16, v),
        DecodingResult::I16(v) => chw!(I16, v),
        DecodingResult::U32(v) => chw!(U32, v),
        DecodingResult::I32(v) => chw!(I32, v),
        DecodingResult::U64(v) => chw!(U64, v),
        DecodingResult::I64(v) => chw!(I64, v),
        DecodingResult::F32(v) => chw!(F32, v),
        DecodingResult::F64(v) => chw!(F64, v),
        DecodingResult::F16(_) => {
            return Err(RasterError::Unsupported {
                path: path.to_path_buf(),
                detail: "16-bit float samples".to_string(),
            });
        }
    };
    if data.dtype() != header.dtype {
        return Err(RasterError::Corrupt {
            path: path.to_path_buf(),
            detail: format!(
                "tags say {} but the decoder produced {}",
                header.dtype,
                data.dtype()
            ),
        });
    }
    Ok(data)
}

/// Keeps the first `n` samples and reorders (H,W,C) pixel-interleaved data to (C,H,W);
/// band-separate data is already (C,H,W).
fn to_chw<T: Copy>(mut v: Vec<T>, n: usize, bands: usize, interleaved: bool) -> Vec<T> {
    v.truncate(n);
    if !interleaved {
        return v;
    }
    let pixels = n / bands;
    let mut out = Vec::with_capacity(n);
    for b in 0..bands {
        out.extend(v.iter().skip(b).step_by(bands).take(pixels));
    }
    out
}

/// Native-endian sample bytes (as the decoder writes them) → typed samples.
fn from_ne_bytes(dtype: DType, bytes: &[u8]) -> RasterData {
    fn cast<T, const N: usize>(bytes: &[u8], f: fn([u8; N]) -> T) -> Vec<T> {
        bytes
            .chunks_exact(N)
            .map(|c| {
                let mut a = [0u8; N];
                a.copy_from_slice(c);
                f(a)
            })
            .collect()
    }
    match dtype {
        DType::U8 => RasterData::U8(bytes.to_vec()),
        DType::I8 => RasterData::I8(cast(bytes, i8::from_ne_bytes)),
        DType::U16 => RasterData::U16(cast(bytes, u16::from_ne_bytes)),
        DType::I16 => RasterData::I16(cast(bytes, i16::from_ne_bytes)),
        DType::U32 => RasterData::U32(cast(bytes, u32::from_ne_bytes)),
        DType::I32 => RasterData::I32(cast(bytes, i32::from_ne_bytes)),
        DType::U64 => RasterData::U64(cast(bytes, u64::from_ne_bytes)),
        DType::I64 => RasterData::I64(cast(bytes, i64::from_ne_bytes)),
        DType::F32 => RasterData::F32(cast(bytes, f32::from_ne_bytes)),
        DType::F64 => RasterData::F64(cast(bytes, f64::from_ne_bytes)),
    }
}
