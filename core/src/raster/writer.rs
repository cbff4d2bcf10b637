//! Minimal GeoTIFF writer: uncompressed, pixel-interleaved, striped, little-endian classic
//! TIFF, byte-deterministic.
//!
//! Written by hand (not with the `tiff` encoder) because eobench needs multiband rasters
//! with GDAL_NODATA and GeoKey tags in exactly the HLS Burn Scars layout, and identical
//! bytes for identical input so generated fixtures can be hashed.

use std::path::Path;

use super::data::{Raster, RasterData};
use super::error::RasterError;
use super::geo::{GT_RASTER_TYPE, key_directory};

/// Strips are sized to about this many bytes (at least one row), like GDAL's defaults.
const STRIP_TARGET_BYTES: usize = 64 * 1024;

/// Writes `raster` to `path` as an uncompressed, pixel-interleaved GeoTIFF (see
/// [`encode_geotiff`]). Overwrites an existing file.
pub fn write_geotiff(path: &Path, raster: &Raster) -> Result<(), RasterError> {
    let bytes = encode_geotiff(raster).map_err(|e| RasterError::Write {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    std::fs::write(path, bytes).map_err(|source| RasterError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Encodes `raster` as GeoTIFF bytes: every sample type, PlanarConfiguration 1, strips of
/// ≈64 KiB, SampleFormat, GDAL_NODATA (ASCII), ModelPixelScale, ModelTiepoint and a
/// GeoKeyDirectory rebuilt from `geo.epsg` (EPSG 4000–4999 geographic, else projected) and
/// the raster type (PixelIsArea unless `geo` says PixelIsPoint); other keys in
/// `geo.geo_keys` are not written.
pub fn encode_geotiff(raster: &Raster) -> Result<Vec<u8>, RasterError> {
    raster.check_shape()?;
    let encode_err = |detail: String| RasterError::Encode { detail };
    let (bands, height, width) = (raster.bands, raster.height, raster.width);
    if bands == 0 || height == 0 || width == 0 {
        return Err(encode_err(format!(
            "empty raster {bands}x{height}x{width}; TIFF needs at least one band, row and column"
        )));
    }
    let bands16 = u16::try_from(bands)
        .map_err(|_| encode_err(format!("{bands} bands exceed TIFF's limit of 65535")))?;
    let dtype = raster.dtype();
    let row_bytes = width * bands * dtype.size_bytes();
    let rows_per_strip = (STRIP_TARGET_BYTES / row_bytes).clamp(1, height);
    let strips = height.div_ceil(rows_per_strip);
    let strip_counts: Vec<usize> = (0..strips)
        .map(|s| (height - s * rows_per_strip).min(rows_per_strip) * row_bytes)
        .collect();

    let too_big = || encode_err("raster too large for classic TIFF (4 GiB)".to_string());
    let u32_of = |n: usize| u32::try_from(n).map_err(|_| too_big());
    let mut entries: Vec<(u16, Value)> = vec![
        (256, Value::Long(vec![u32_of(width)?])),
        (257, Value::Long(vec![u32_of(height)?])),
        (
            258,
            Value::Short(vec![dtype.size_bytes() as u16 * 8; bands]),
        ),
        (259, Value::Short(vec![1])),        // Compression: none
        (262, Value::Short(vec![1])),        // Photometric: BlackIsZero
        (273, Value::Long(vec![0; strips])), // StripOffsets, filled in below
        (277, Value::Short(vec![bands16])),
        (278, Value::Long(vec![u32_of(rows_per_strip)?])),
        (
            279,
            Value::Long(strip_counts.iter().map(|&c| c as u32).collect()),
        ),
        (284, Value::Short(vec![1])), // PlanarConfiguration: pixel-interleaved
    ];
    if bands > 1 {
        // ExtraSamples "unspecified": bands beyond the first gray channel are plain data.
        entries.push((338, Value::Short(vec![0; bands - 1])));
    }
    entries.push((339, Value::Short(vec![dtype.tiff_sample_format(); bands])));
    if let Some(geo) = &raster.geo {
        let raster_type = geo.geo_key(GT_RASTER_TYPE).unwrap_or(1);
        entries.push((33550, Value::Double(geo.pixel_scale.to_vec())));
        entries.push((33922, Value::Double(geo.tiepoint.to_vec())));
        entries.push((34735, Value::Short(key_directory(geo.epsg, raster_type)?)));
    }
    if let Some(nodata) = raster.nodata {
        // Rust's shortest round-trip formatting: "-9999", "nan", "0.5"; GDAL parses all.
        let mut text = format!("{nodata}").into_bytes();
        text.push(0);
        entries.push((42113, Value::Ascii(text)));
    }

    // Layout: header, IFD, out-of-line tag values, then strip data.
    let ifd_len = 2 + 12 * entries.len() + 4;
    let mut cursor = 8 + ifd_len;
    let mut value_offsets = Vec::with_capacity(entries.len());
    for (_, value) in &entries {
        let len = value.byte_len();
        if len > 4 {
            cursor = cursor.next_multiple_of(8);
            value_offsets.push(Some(cursor));
            cursor += len;
        } else {
            value_offsets.push(None);
        }
    }
    let data_start = cursor.next_multiple_of(8);
    let data_len = height * row_bytes;
    u32_of(data_start + data_len)?;
    let offsets = strip_counts
        .iter()
        .scan(data_start, |at, &count| {
            let this = *at;
            *at += count;
            Some(this as u32)
        })
        .collect();
    entries[5].1 = Value::Long(offsets);

    let mut out = Vec::with_capacity(data_start + data_len);
    out.extend_from_slice(b"II");
    out.extend_from_slice(&42u16.to_le_bytes());
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for ((tag, value), offset) in entries.iter().zip(&value_offsets) {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&value.type_code().to_le_bytes());
        out.extend_from_slice(&(value.count() as u32).to_le_bytes());
        let mut field = [0u8; 4];
        match offset {
            Some(at) => field = (*at as u32).to_le_bytes(),
            None => {
                let bytes = value.to_le_bytes();
                field[..bytes.len()].copy_from_slice(&bytes);
            }
        }
        out.extend_from_slice(&field);
    }
    out.extend_from_slice(&0u32.to_le_bytes()); // no further IFDs
    for ((_, value), offset) in entries.iter().zip(&value_offsets) {
        if let Some(at) = offset {
            out.resize(*at, 0);
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    out.resize(data_start, 0);
    interleave_le(&raster.data, bands, height * width, &mut out);
    Ok(out)
}

/// A tag value in one of the four TIFF field types the writer needs.
enum Value {
    Short(Vec<u16>),
    Long(Vec<u32>),
    Double(Vec<f64>),
    Ascii(Vec<u8>),
}

impl Value {
    fn type_code(&self) -> u16 {
        match self {
            Value::Ascii(_) => 2,
            Value::Short(_) => 3,
            Value::Long(_) => 4,
            Value::Double(_) => 12,
        }
    }

    fn count(&self) -> usize {
        match self {
            Value::Short(v) => v.len(),
            Value::Long(v) => v.len(),
            Value::Double(v) => v.len(),
            Value::Ascii(v) => v.len(),
        }
    }

    fn byte_len(&self) -> usize {
        self.to_le_bytes().len()
    }

    fn to_le_bytes(&self) -> Vec<u8> {
        match self {
            Value::Short(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Value::Long(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Value::Double(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Value::Ascii(v) => v.clone(),
        }
    }
}

/// Appends (C,H,W) samples as pixel-interleaved little-endian bytes.
fn interleave_le(data: &RasterData, bands: usize, pixels: usize, out: &mut Vec<u8>) {
    fn go<T: Copy, const N: usize>(
        v: &[T],
        bands: usize,
        pixels: usize,
        le: fn(T) -> [u8; N],
        out: &mut Vec<u8>,
    ) {
        out.reserve(v.len() * N);
        for p in 0..pixels {
            for b in 0..bands {
                out.extend_from_slice(&le(v[b * pixels + p]));
            }
        }
    }
    match data {
        RasterData::U8(v) => go(v, bands, pixels, u8::to_le_bytes, out),
        RasterData::I8(v) => go(v, bands, pixels, i8::to_le_bytes, out),
        RasterData::U16(v) => go(v, bands, pixels, u16::to_le_bytes, out),
        RasterData::I16(v) => go(v, bands, pixels, i16::to_le_bytes, out),
        RasterData::U32(v) => go(v, bands, pixels, u32::to_le_bytes, out),
        RasterData::I32(v) => go(v, bands, pixels, i32::to_le_bytes, out),
        RasterData::U64(v) => go(v, bands, pixels, u64::to_le_bytes, out),
        RasterData::I64(v) => go(v, bands, pixels, i64::to_le_bytes, out),
        RasterData::F32(v) => go(v, bands, pixels, f32::to_le_bytes, out),
        RasterData::F64(v) => go(v, bands, pixels, f64::to_le_bytes, out),
    }
}
