//! In-memory raster: band-first (C,H,W) samples plus nodata and georeference.

use super::dtype::DType;
use super::error::RasterError;
use super::geo::GeoReference;

/// Decoded samples in their native type, band-first (C,H,W), row-major within a band.
///
/// Kept typed (not converted to f32 on read) so int16 labels with -1 and uint16 DN values
/// stay exact and callers choose the conversion.
#[derive(Debug, Clone, PartialEq)]
pub enum RasterData {
    U8(Vec<u8>),
    I8(Vec<i8>),
    U16(Vec<u16>),
    I16(Vec<i16>),
    U32(Vec<u32>),
    I32(Vec<i32>),
    U64(Vec<u64>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// Applies `$body` to the inner vector whatever its element type.
macro_rules! each_variant {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            RasterData::U8($v) => $body,
            RasterData::I8($v) => $body,
            RasterData::U16($v) => $body,
            RasterData::I16($v) => $body,
            RasterData::U32($v) => $body,
            RasterData::I32($v) => $body,
            RasterData::U64($v) => $body,
            RasterData::I64($v) => $body,
            RasterData::F32($v) => $body,
            RasterData::F64($v) => $body,
        }
    };
}

impl RasterData {
    /// The sample type.
    pub fn dtype(&self) -> DType {
        match self {
            RasterData::U8(_) => DType::U8,
            RasterData::I8(_) => DType::I8,
            RasterData::U16(_) => DType::U16,
            RasterData::I16(_) => DType::I16,
            RasterData::U32(_) => DType::U32,
            RasterData::I32(_) => DType::I32,
            RasterData::U64(_) => DType::U64,
            RasterData::I64(_) => DType::I64,
            RasterData::F32(_) => DType::F32,
            RasterData::F64(_) => DType::F64,
        }
    }

    /// numpy-style dtype name ("float32", "int16", ...) for messages and records.
    pub fn dtype_name(&self) -> &'static str {
        self.dtype().name()
    }

    /// Number of samples (all bands).
    pub fn len(&self) -> usize {
        each_variant!(self, v => v.len())
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Converts to f32, the model input type. Lossy for wide integers and f64 (as `as`
    /// casts are); exact for every 8/16-bit type.
    #[allow(clippy::unnecessary_cast)] // the F32 arm of the shared macro
    pub fn to_f32(&self) -> Vec<f32> {
        each_variant!(self, v => v.iter().map(|&x| x as f32).collect())
    }

    /// Converts to i64, the label type. Refuses float data (labels stored as floats are a
    /// dataset bug to fix knowingly, not silently truncate) and u64 values above i64::MAX.
    pub fn to_i64(&self) -> Result<Vec<i64>, RasterError> {
        let not_integer = |detail: String| RasterError::NotInteger {
            dtype: self.dtype_name(),
            detail,
        };
        match self {
            RasterData::F32(_) | RasterData::F64(_) => Err(not_integer(
                "float samples are not converted implicitly".to_string(),
            )),
            RasterData::U64(v) => v
                .iter()
                .map(|&x| i64::try_from(x))
                .collect::<Result<_, _>>()
                .map_err(|_| not_integer("a value exceeds i64::MAX".to_string())),
            RasterData::U8(v) => Ok(v.iter().map(|&x| i64::from(x)).collect()),
            RasterData::I8(v) => Ok(v.iter().map(|&x| i64::from(x)).collect()),
            RasterData::U16(v) => Ok(v.iter().map(|&x| i64::from(x)).collect()),
            RasterData::I16(v) => Ok(v.iter().map(|&x| i64::from(x)).collect()),
            RasterData::U32(v) => Ok(v.iter().map(|&x| i64::from(x)).collect()),
            RasterData::I32(v) => Ok(v.iter().map(|&x| i64::from(x)).collect()),
            RasterData::I64(v) => Ok(v.clone()),
        }
    }
}

/// A decoded raster: samples in (C,H,W) order plus the metadata loaders need.
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    pub bands: usize,
    pub height: usize,
    pub width: usize,
    /// `bands * height * width` samples, band-first.
    pub data: RasterData,
    /// GDAL_NODATA value; NaN when the file says "nan" (compare with `is_nan`, never `==`).
    /// Held as f64, so exact for every value of every type up to 2^53.
    pub nodata: Option<f64>,
    pub geo: Option<GeoReference>,
}

impl Raster {
    /// Builds a raster without nodata or georeference, checking that `data` has exactly
    /// `bands * height * width` samples so shape bugs surface at construction.
    pub fn new(
        bands: usize,
        height: usize,
        width: usize,
        data: RasterData,
    ) -> Result<Raster, RasterError> {
        let raster = Raster {
            bands,
            height,
            width,
            data,
            nodata: None,
            geo: None,
        };
        raster.check_shape()?;
        Ok(raster)
    }

    /// Errors if `data.len()` disagrees with the declared shape (fields are public, so a
    /// caller may have changed one without the other).
    pub fn check_shape(&self) -> Result<(), RasterError> {
        let expected = self
            .bands
            .checked_mul(self.height)
            .and_then(|n| n.checked_mul(self.width));
        if expected != Some(self.data.len()) {
            return Err(RasterError::ShapeMismatch {
                bands: self.bands,
                height: self.height,
                width: self.width,
                expected: expected.unwrap_or(usize::MAX),
                actual: self.data.len(),
            });
        }
        Ok(())
    }

    /// Pixels per band (`height * width`).
    pub fn band_len(&self) -> usize {
        self.height * self.width
    }

    /// The sample type.
    pub fn dtype(&self) -> DType {
        self.data.dtype()
    }
}

/// What a file holds, read from its tags without decoding pixels: cheap enough to validate
/// band counts and dtypes over a whole dataset before training starts.
#[derive(Debug, Clone, PartialEq)]
pub struct RasterHeader {
    pub bands: usize,
    pub height: usize,
    pub width: usize,
    pub dtype: DType,
    pub nodata: Option<f64>,
    pub geo: Option<GeoReference>,
}
